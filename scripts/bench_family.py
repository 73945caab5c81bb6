#!/usr/bin/env python3
"""Speed and memory of the BERT family's base shapes, ours against PyTorch and ONNX Runtime in one run (issue 13).

    .venv/bin/python scripts/bench_family.py [--repeats 5] [--threads 2]   # after swift build -c release --product bert-dev

Per member (bert, distilbert, roberta, albert; transformers' base configs, random weights, eval, fp32) and batch
1×128 and 8×128: the median forward time of `bert-dev bench encoder --model-type M --json`, of the transformers
model in PyTorch (sdpa attention, torch.set_num_threads(--threads)) and of its ONNX export in ONNX Runtime
(intra_op_num_threads --threads, graph optimisations on). Prints one JSON line per case with the ratios
ours/PyTorch and ours/ORT, then the summary figures: DistilBERT's throughput over BERT-base's (8×128) and
ALBERT-base's weight bytes and peak RSS over BERT-base's (ours, and PyTorch's parameter bytes).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import transformers as T

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = {
    "bert": lambda: T.BertConfig(),
    "distilbert": lambda: T.DistilBertConfig(),
    "roberta": lambda: T.RobertaConfig(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1),
    "albert": lambda: T.AlbertConfig(hidden_size=768, num_attention_heads=12, intermediate_size=3072),
}
SHAPES = [(1, 128), (8, 128)]


def cpu_and_load():
    """The CPU's model name, its widest vector extension, and the 1-minute load average, for the record."""
    name, flags = "unknown", ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and name == "unknown":
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = line
    except OSError:
        pass
    simd = "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "other"
    return {"cpu": name, "simd": simd, "load_average_1min": round(os.getloadavg()[0], 2), "cores": os.cpu_count()}


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class LastHidden(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    load_at_start = round(os.getloadavg()[0], 2)
    import onnxruntime as ort
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for member, make in CONFIGS.items():
            model = T.AutoModel.from_config(make(), attn_implementation="sdpa").eval()
            params = sum(p.numel() for p in model.parameters())
            path = os.path.join(tmp, member + ".onnx")
            ids = torch.full((1, 16), 200, dtype=torch.long)
            with torch.no_grad():
                torch.onnx.export(LastHidden(model), (ids, torch.ones_like(ids)), path, dynamo=False, opset_version=17,
                                  input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                                  dynamic_axes={n: {0: "b", 1: "s"} for n in ["input_ids", "attention_mask", "last_hidden_state"]})
            options = ort.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = a.threads, 1
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            for b, s in SHAPES:
                x = torch.from_numpy(np.random.default_rng(1).integers(100, 29000, (b, s)))
                mask = torch.ones_like(x)
                with torch.no_grad():
                    pt = median_ms(lambda: model(input_ids=x, attention_mask=mask), a.repeats)
                feeds = {"input_ids": x.numpy(), "attention_mask": mask.numpy()}
                onnx = median_ms(lambda: session.run(None, feeds), a.repeats)
                ours = json.loads(subprocess.run(
                    [os.path.join(ROOT, ".build/release/bert-dev"), "bench", "encoder", "--model-type", member,
                     "--batch", str(b), "--length", str(s), "--repeats", str(a.repeats), "--threads", str(a.threads), "--json"],
                    check=True, capture_output=True, text=True).stdout)
                row = {"model": member + "-base", "batch": b, "length": s, "ours_ms": round(ours["median_ms"], 2),
                       "pytorch_ms": round(pt, 2), "onnxruntime_ms": round(onnx, 2),
                       "ours_over_pytorch": round(ours["median_ms"] / pt, 3),
                       "ours_over_onnxruntime": round(ours["median_ms"] / onnx, 3),
                       "ours_weight_bytes": ours["weight_bytes"], "ours_peak_rss_mib": ours["peak_rss_mib"],
                       "pytorch_parameter_bytes": params * 4}
                rows[(member, b)] = row
                print(json.dumps(row), flush=True)
            del session, model
    bert, distil, albert = rows[("bert", 8)], rows[("distilbert", 8)], rows[("albert", 8)]
    print(json.dumps({
        "distilbert_over_bert_throughput_8x128": {"ours": round(bert["ours_ms"] / distil["ours_ms"], 3),
                                                  "pytorch": round(bert["pytorch_ms"] / distil["pytorch_ms"], 3)},
        "albert_over_bert_weight_bytes": round(albert["ours_weight_bytes"] / bert["ours_weight_bytes"], 3),
        "albert_over_bert_peak_rss": round(albert["ours_peak_rss_mib"] / bert["ours_peak_rss_mib"], 3),
        "threads": a.threads, **cpu_and_load(), "load_average_1min_at_start": load_at_start, "torch": torch.__version__, "transformers": T.__version__, "onnxruntime": ort.__version__,
    }))


if __name__ == "__main__":
    main()
