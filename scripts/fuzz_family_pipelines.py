#!/usr/bin/env python3
"""Differential sweep of `bert fill-mask | classify | ner | rerank | qa` against `transformers.pipeline` (rerank: CrossEncoder), per family member.

transformers 5 removed the question-answering pipeline: run under transformers 4.57 (installed as in
scripts/make_family_e2e_goldens.py), the script sweeps `bert qa` instead (top_k, max_answer_len,
handle_impossible_answer, max_seq_len / doc_stride windows, long contexts):
    PYTHONPATH=/tmp/tf4:/tmp/tf4-req .venv/bin/python scripts/fuzz_family_pipelines.py

Usage (from the repository root, after a release build):
    .venv/bin/python scripts/fuzz_family_pipelines.py [--bert .build/release/bert] [--seed 0] [--only SUBSTRING]

Members and tokenizers: bert, distilbert, albert with the WordPiece tokenizer of models/all-MiniLM-L6-v2;
roberta and xlm-roberta with the byte-level BPE tokenizer of Tests/Fixtures/tokenizers/bpe/roberta (2,000 tokens).
Models: 2 layers, hidden 32, random weights (seeded; heads scaled so that scores are well separated), saved with
`save_pretrained` next to the tokenizer. Each case runs one pipeline with one option set on a few texts, through
transformers and through `bert ... --threads 1` (JSON out), and compares the answers: strings and integers equal,
scores within --tolerance (abs, default 1e-4), lists in the same order (entries whose scores tie within 1e-6 may
swap). Outcomes: ok, MISMATCH (the first difference is printed), rejected (bert refused; message printed),
ref-error (transformers refused). Exit status 1 when any MISMATCH occurred.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import torch
import transformers as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_modelfuzz_goldens import randomize  # noqa: E402

T.logging.set_verbosity_error()
T.utils.logging.disable_progress_bar()
torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDPIECE = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
BPE = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "bpe", "roberta")
MEMBERS = {"bert": ("Bert", T.BertConfig, WORDPIECE), "distilbert": ("DistilBert", T.DistilBertConfig, WORDPIECE),
           "albert": ("Albert", T.AlbertConfig, WORDPIECE), "roberta": ("Roberta", T.RobertaConfig, BPE),
           "xlm-roberta": ("XLMRoberta", T.XLMRobertaConfig, BPE)}
NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
TEXTS = ["The capital of France is Paris, said Angela Merkel in Zürich.",
         "Hugo Chávez met the Antidisestablishmentarianism committee on 3,000.50 occasions.",
         "short"]
PAIRS = [("A man is playing a guitar.", "Someone plays music."), ("The cat sat on the mat.", "Das ist nicht wahr.")]
CONTEXT = ("The Eiffel Tower was built in 1889 by Gustave Eiffel's company in Paris. It is 330 metres tall and was the "
           "tallest structure in the world until 1930. Millions of people visit it every year, and it has appeared in "
           "many films. The tower has three levels for visitors, with restaurants on the first and second levels.")
QUESTIONS = ["Who built the Eiffel Tower?", "How tall is it?"]


def config_for(member, tok, **kw):
    prefix, cls, _ = MEMBERS[member]
    vocab = len(tok)
    if member == "distilbert":
        return cls(vocab_size=vocab, dim=32, n_layers=2, n_heads=4, hidden_dim=48, max_position_embeddings=512,
                   pad_token_id=tok.pad_token_id, **kw)
    c = dict(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
             max_position_embeddings=512, pad_token_id=tok.pad_token_id)
    if member in ("roberta", "xlm-roberta"):
        c.update(max_position_embeddings=514, type_vocab_size=1, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    if member == "albert":
        c.update(embedding_size=16, num_hidden_groups=1)
    return cls(**c, **kw)


def build(member, head, folder, seed, _max_len=None, **kw):
    prefix, _, tokdir = MEMBERS[member]
    tok = T.AutoTokenizer.from_pretrained(tokdir)
    if _max_len:
        tok.model_max_length = _max_len
    if member != "bert" and member != "albert":
        tok.model_input_names = ["input_ids", "attention_mask"]
    config = config_for(member, tok, **kw)
    model = getattr(T, prefix + head)(config).eval()
    randomize(model, seed, head_scale=4)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    tok = T.AutoTokenizer.from_pretrained(folder)
    if member != "bert" and member != "albert":
        tok.model_input_names = ["input_ids", "attention_mask"]
    return tok


def ours(bert, args):
    p = subprocess.run([bert] + args + ["--threads", "1", "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        return "error", (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return "ok", lines


def same(a, b, tol, path="$"):
    """The first difference between two JSON answers, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"{path}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            d = same(a[k], b[k], tol, f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} entries vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, tol, f"{path}[{i}]")
            if d and isinstance(x, dict) and "score" in x:
                # a near-tie may swap neighbours
                alt = [j for j in (i - 1, i + 1) if 0 <= j < len(b) and abs(b[j].get("score", 0) - x["score"]) < 1e-6]
                if any(same(x, b[j], tol) is None for j in alt):
                    continue
            if d:
                return d
        return None
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or abs(float(a) - float(b)) > tol:
            return f"{path}: {a} vs {b}"
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def plain(x):
    """transformers' answers as JSON values (numpy scalars to Python)."""
    return json.loads(json.dumps(x, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def qa_cases():
    """question-answering: transformers 5 removed the pipeline, so these run under transformers 4.x only."""
    long_context = " ".join([CONTEXT] * 3)
    out = []
    for name, popts, cli, context in [
            ("default", {}, [], CONTEXT), ("top_k=3", dict(top_k=3), ["--top-k", "3"], CONTEXT),
            ("max_answer_len=3", dict(max_answer_len=3, top_k=2), ["--max-answer-len", "3", "--top-k", "2"], CONTEXT),
            ("handle_impossible_answer", dict(handle_impossible_answer=True, top_k=2),
             ["--handle-impossible-answer", "--top-k", "2"], CONTEXT),
            ("windows max_seq_len=48 doc_stride=16", dict(max_seq_len=48, doc_stride=16, top_k=3),
             ["--max-seq-len", "48", "--doc-stride", "16", "--top-k", "3"], long_context),
            ("long context default windows", dict(top_k=2), ["--top-k", "2"], long_context)]:
        out.append(("question-answering", name, {}, popts, cli, [(q, context) for q in QUESTIONS]))
    return out


def cases(member):
    if T.__version__.startswith("4."):
        return qa_cases()
    mask = "[MASK]" if member in ("bert", "distilbert", "albert") else "<mask>"
    fill = [f"The capital of France is {mask}.", f"I {mask} to the store and bought {mask} apples."]
    out = []
    for k in [1, 5, 12]:
        out.append(("fill-mask", f"top_k={k}", {}, dict(top_k=k), ["--top-k", str(k)], fill))
    out.append(("fill-mask", "targets", {}, dict(targets=["paris", "london", "the"], top_k=3),
                ["--targets", "paris,london,the", "--top-k", "3"], fill[:1]))
    for n, problem in [(1, None), (2, None), (5, None), (3, "single_label_classification"), (3, "multi_label_classification"),
                       (1, "regression"), (4, "regression")]:
        kw = {"num_labels": n} if problem is None else {"num_labels": n, "problem_type": problem}
        for fn in [None, "softmax", "sigmoid", "none"]:
            for top in [None, "all"]:
                popts = {} if fn is None else {"function_to_apply": fn}
                cli = [] if fn is None else ["--function-to-apply", fn]
                if top == "all":
                    popts["top_k"] = None
                    cli += ["--top-k", "all"]
                out.append(("text-classification", f"labels={n},problem={problem},fn={fn},top_k={top}", kw, popts, cli, TEXTS))
    out.append(("text-classification", "pairs top_k=all", {"num_labels": 3}, {"top_k": None}, ["--top-k", "all"], PAIRS))
    ner_kw = {"id2label": dict(enumerate(NER_LABELS)), "label2id": {l: i for i, l in enumerate(NER_LABELS)}}
    for strategy in ["none", "simple", "first", "average", "max"]:
        out.append(("token-classification", f"aggregation={strategy}", ner_kw, dict(aggregation_strategy=strategy),
                    ["--aggregation-strategy", strategy], TEXTS[:2]))
    out.append(("token-classification", "ignore_labels=[]", ner_kw, dict(ignore_labels=[]), ["--ignore-labels", ""], TEXTS[:1]))
    out.append(("fill-mask", "tie_word_embeddings=false", {"tie_word_embeddings": False}, dict(top_k=5), ["--top-k", "5"], fill))
    docs = ["Paris is the capital of France.", "Bananas are yellow.", "The Eiffel Tower is in Paris.", "short", ""]
    query = "What is the capital of France?"
    for name, cli, raw, top in [("sigmoid", [], False, None), ("raw scores", ["--raw-scores"], True, None),
                                ("top_n=2", ["--top-n", "2"], False, 2)]:
        out.append(("rerank", name, {"num_labels": 1}, dict(raw=raw, top=top), cli, [(query, docs)]))
    long = " ".join(TEXTS[:2] * 3)
    short = {**ner_kw, "_max_len": 24}
    for strategy in ["simple", "first", "average", "max"]:
        out.append(("token-classification", f"long text stride=8 window 24 aggregation={strategy}", short,
                    dict(aggregation_strategy=strategy, stride=8), ["--aggregation-strategy", strategy, "--stride", "8"], [long]))
    out.append(("text-classification", "long text truncation window 24", {"num_labels": 3, "_max_len": 24},
                dict(truncation=True, top_k=None), ["--truncation", "--top-k", "all"], [long]))
    out.append(("fill-mask", "long text truncation window 24", {"_max_len": 24}, dict(tokenizer_kwargs={"truncation": True}, top_k=3),
                ["--truncation", "--top-k", "3"], [f"The {mask} " + long]))
    return out


HEAD = {"rerank": "ForSequenceClassification", "fill-mask": "ForMaskedLM", "text-classification": "ForSequenceClassification",
        "token-classification": "ForTokenClassification", "question-answering": "ForQuestionAnswering"}
CLI = {"rerank": "rerank", "fill-mask": "fill-mask", "text-classification": "classify", "token-classification": "ner", "question-answering": "qa"}


def run_case(member, task, name, kw, popts, cli, inputs, args, work):
    seed = zlib.crc32(f"{args.seed}/{member}/{task}/{kw}".encode())
    folder = os.path.join(work, f"{member}-{task}-{seed}")
    if not os.path.exists(folder):
        build(member, HEAD[task], folder, seed, **kw)
    tok = T.AutoTokenizer.from_pretrained(folder)
    if member not in ("bert", "albert"):
        tok.model_input_names = ["input_ids", "attention_mask"]
    if task == "rerank":
        return [rerank(folder, x, popts, cli, args) for x in inputs]
    pipe = T.pipeline(task, model=folder, tokenizer=tok, device="cpu")
    results = []
    for x in inputs:
        try:
            if task == "question-answering":
                ref = pipe(question=x[0], context=x[1], **popts)
            elif isinstance(x, tuple):
                ref = pipe({"text": x[0], "text_pair": x[1]}, **popts)
            else:
                ref = pipe(x, **popts)
        except Exception as e:
            results.append(("ref-error", f"{type(e).__name__}: {str(e).splitlines()[0][:150]}"))
            continue
        if task == "question-answering":
            status, got = ours(args.bert, ["qa", "--model", folder, "--question", x[0], "--context", x[1]] + cli)
        elif isinstance(x, tuple):
            status, got = ours(args.bert, [CLI[task], "--model", folder, x[0], "--pair", x[1]] + cli)
        else:
            status, got = ours(args.bert, [CLI[task], "--model", folder, x] + cli)
        if status != "ok":
            results.append(("rejected", got))
            continue
        ref = plain(ref)
        mine = got[0] if len(got) == 1 else got
        if task == "text-classification" and isinstance(ref, list) and len(ref) == 1 and not isinstance(mine, list):
            ref = ref[0]
        if task == "text-classification" and isinstance(mine, list) and len(mine) == 1 and isinstance(ref, dict):
            mine = mine[0]
        if task == "question-answering" and isinstance(ref, dict) and isinstance(mine, list) and len(mine) == 1:
            mine = mine[0]
        d = same(ref, mine, args.tolerance)
        results.append(("ok", "") if d is None else ("MISMATCH", f"{str(x)[:40]!r}: {d}"))
    return results


def rerank(folder, x, popts, cli, args):
    """`bert rerank` against sentence-transformers' CrossEncoder (sigmoid of the one logit, or raw logits)."""
    from sentence_transformers import CrossEncoder
    query, docs = x
    model = CrossEncoder(folder, device="cpu", activation_fn=torch.nn.Identity() if popts["raw"] else None)
    scores = [float(v) for v in model.predict([(query, d) for d in docs])]
    order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))[:popts["top"] or len(docs)]
    ref = [{"index": i, "score": scores[i]} for i in order]
    status, got = ours(args.bert, ["rerank", "--model", folder, "--query", query] + docs + cli)
    if status != "ok":
        return ("rejected", got)
    mine = got[0] if len(got) == 1 else got
    d = same(ref, mine, args.tolerance)
    return ("ok", "") if d is None else ("MISMATCH", f"rerank: {d}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bert", default=os.path.join(ROOT, ".build", "release", "bert"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default=None)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    counts = {}
    work = tempfile.mkdtemp(prefix="fuzz-pipelines-")
    try:
        for member in MEMBERS:
            for task, name, kw, popts, cli, inputs in cases(member):
                label = f"{member}/{task}/{name}"
                if args.only and args.only not in label:
                    continue
                results = run_case(member, task, name, kw, popts, cli, inputs, args, work)
                outcomes = [r[0] for r in results]
                case = next((o for o in ["MISMATCH", "rejected", "ref-error"] if o in outcomes), "ok")
                counts[case] = counts.get(case, 0) + 1
                print(f"{case:9} {label}", flush=True)
                for outcome, detail in results:
                    if outcome != "ok":
                        print(f"    {outcome:9} {detail}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" (of {sum(counts.values())} cases, seed {args.seed})")
    sys.exit(1 if "MISMATCH" in counts else 0)


if __name__ == "__main__":
    main()
