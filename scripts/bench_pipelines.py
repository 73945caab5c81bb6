#!/usr/bin/env python3
"""Pipeline throughput: transformers.pipeline vs `bert-dev bench pipeline <command>` on the same batch, same run.

Usage (from the repository root, after `swift build -c release --product bert` and
scripts/make_pipeline_goldens.py, which saves the generated-weight checkpoints under models/pipelines/):
    .venv/bin/python scripts/bench_pipelines.py                # fill-mask, text-classification, ner, rerank
    .venv-tf4/bin/python scripts/bench_pipelines.py qa         # question-answering (transformers 4.x)

Prints one JSON line per (implementation, task): inputs, batch_size, seconds_per_pass (the whole batch, after one
warm-up pass, mean of --repeat passes), inputs_per_second. The Swift figure excludes process start and model
loading (timed inside the command); the Python figure excludes pipeline construction. Both sides use the same
inputs, batch size and checkpoint folder. torch threads = Swift threads = what the machine gives (2 cores here).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "models", "pipelines")
BERT_DEV = os.path.join(ROOT, ".build", "release", "bert-dev")

WORDS = ["the", "river", "Zürich", "café", "naïve", "mountain", "Marie", "Curie", "discovered", "radium", "in", "1898",
         ",", ".", "Antidisestablishmentarianism", "and", "of", "a", "village", "Dvořák", "composed", "symphonies",
         "during", "winter", "council", "for", "several", "years", "Angela", "Merkel", "met", "Paris", "東京"]


def sentences(n, words, seed, mask=False):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        w = rng.choice(WORDS, size=words).tolist()
        if mask:
            w[int(rng.integers(0, words))] = "[MASK]"
        out.append(" ".join(w))
    return out


def time_python(fn, repeat):
    fn()
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t) / repeat


def time_swift(command, folder, lines, extra, batch, repeat):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        path = f.name
    out = subprocess.run([BERT_DEV, "bench", "pipeline", command, "--model", folder, "--input", path,
                          "--batch-size", str(batch), "--repeat", str(repeat)] + extra, check=True, capture_output=True, text=True).stdout
    os.unlink(path)
    return json.loads(out.strip().splitlines()[-1])


def report(impl, task, inputs, batch, seconds, **extra):
    print(json.dumps({"impl": impl, "task": task, "inputs": inputs, "batch_size": batch, "seconds_per_pass": seconds,
                      "inputs_per_second": inputs / seconds, **extra}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tasks", nargs="*", default=["fill-mask", "text-classification", "ner", "rerank"])
    ap.add_argument("--inputs", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    import transformers
    from transformers import pipeline
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__,
                      "torch_threads": torch.get_num_threads(), "cpus": os.cpu_count()}), flush=True)
    n, b, r = a.inputs, a.batch_size, a.repeat
    for task in a.tasks:
        if task == "fill-mask":
            folder = os.path.join(MODELS, "fill-mask")
            texts = sentences(n, 24, 1, mask=True)
            pipe = pipeline("fill-mask", model=folder, device="cpu")
            report("transformers", task, n, b, time_python(lambda: pipe(texts, batch_size=b), r))
            print(json.dumps(time_swift("fill-mask", folder, [{"text": t} for t in texts], [], b, r)), flush=True)
        elif task == "text-classification":
            folder = os.path.join(MODELS, "classify-nli")
            pairs = [{"text": x, "text_pair": y} for x, y in zip(sentences(n, 20, 2), sentences(n, 12, 3))]
            pipe = pipeline("text-classification", model=folder, device="cpu")
            report("transformers", task, n, b, time_python(lambda: pipe(pairs, batch_size=b), r), pairs=True)
            print(json.dumps(time_swift("classify", folder, pairs, [], b, r)), flush=True)
        elif task == "ner":
            folder = os.path.join(MODELS, "ner")
            texts = sentences(n, 30, 4)
            pipe = pipeline("token-classification", model=folder, device="cpu", aggregation_strategy="simple")
            report("transformers", task, n, b, time_python(lambda: pipe(texts, batch_size=b), r), aggregation="simple")
            print(json.dumps(time_swift("ner", folder, [{"text": t} for t in texts],
                                        ["--aggregation-strategy", "simple"], b, r)), flush=True)
        elif task == "rerank":
            folder = os.path.join(MODELS, "rerank")
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            tok = AutoTokenizer.from_pretrained(folder)
            model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
            query, docs = "Who discovered radium in Paris?", sentences(n, 30, 5)

            def rerank():  # what TEI does: pairs in padded batches, sigmoid, sort
                scores = []
                with torch.no_grad():
                    for i in range(0, n, b):
                        enc = tok([query] * len(docs[i:i + b]), docs[i:i + b], padding=True, return_tensors="pt")
                        scores += torch.sigmoid(model(**enc).logits[:, 0]).tolist()
                return sorted(range(n), key=lambda i: -scores[i])
            report("transformers", task, n, b, time_python(rerank, r), note="AutoModelForSequenceClassification + sigmoid + sort")
            print(json.dumps(time_swift("rerank", folder, [{"query": query, "texts": docs}], [], b, r)), flush=True)
        elif task == "qa":
            folder = os.path.join(MODELS, "qa")
            contexts = [" ".join(sentences(1, 500, 10 + i)) for i in range(max(n // 8, 1))]
            qs = [{"question": "Who discovered radium?", "context": c} for c in contexts]
            pipe = pipeline("question-answering", model=folder, device="cpu")
            report("transformers", "question-answering", len(qs), b,
                   time_python(lambda: pipe(qs, batch_size=b), r), context_words=500)
            print(json.dumps(time_swift("qa", folder, qs, [], b, r)), flush=True)
        else:
            sys.exit(f"unknown task {task}")


if __name__ == "__main__":
    main()
