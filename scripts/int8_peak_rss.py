#!/usr/bin/env python3
"""Peak resident memory of `bert embed --dtype ...` against PyTorch fp32 (sentence-transformers) doing the same work.

Each run is its own child process; its peak RSS is the child's `ru_maxrss` from `os.wait4` (Linux: KiB), so the
parent's memory never counts. Every run embeds the same sentences (batch 32) from the same model folder.

    .venv/bin/python scripts/int8_peak_rss.py --bert .build/release/bert \
        --model models/all-MiniLM-L6-v2 --model /path/to/bert-base [--sentences examples/bench_sentences.txt]

A BERT-base-shape folder: `bert-dev bench embed --worker write-checkpoint --checkpoint DIR` writes config.json and
model.safetensors; copy tokenizer.json, tokenizer_config.json, special_tokens_map.json and vocab.txt from
all-MiniLM-L6-v2 beside them (the same bert-base-uncased vocabulary). Both runtimes then mean-pool its tokens.
"""
import argparse
import json
import os
import subprocess
import sys

TORCH_WORKER = r"""
import sys, warnings, logging
warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
import torch
torch.set_num_threads(int(sys.argv[3]))
from sentence_transformers import SentenceTransformer
texts = [l for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l.strip()]
m = SentenceTransformer(sys.argv[1], device="cpu")
with torch.inference_mode():
    v = m.encode(texts, batch_size=32)
print(v.shape, file=sys.stderr)
"""


def run(argv, env=None):
    """Runs argv to completion; returns its peak RSS in MiB (child's ru_maxrss)."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(argv)}\n{err.decode(errors='replace')[-2000:]}")
    return ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bert", required=True, help="the bert executable")
    ap.add_argument("--model", action="append", required=True, help="a model folder (repeatable)")
    ap.add_argument("--sentences", default="examples/bench_sentences.txt")
    ap.add_argument("--dtype", action="append", help="dtypes of ours (default fp32, int8, bf16)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--extra", action="append", default=[], help="LABEL=ENV=VALUE: one more int8 run with that env")
    args = ap.parse_args()
    dtypes = args.dtype or ["fp32", "int8", "bf16"]
    out = "/tmp/int8_peak_rss_%d.npy" % os.getpid()
    results = []
    for model in args.model:
        name = os.path.basename(os.path.normpath(model))
        torch_mib = run([sys.executable, "-c", TORCH_WORKER, model, args.sentences, str(args.threads)])
        row = {"model": name, "torch_fp32_mib": round(torch_mib, 1)}
        for dtype in dtypes:
            cmd = [args.bert, "embed", "--model", model, "--input", args.sentences, "--output", out,
                   "--threads", str(args.threads), "--dtype", dtype]
            mib = run(cmd)
            row[f"ours_{dtype}_mib"] = round(mib, 1)
            row[f"ours_{dtype}_ratio"] = round(mib / torch_mib, 3)
        for extra in args.extra:
            label, var, value = extra.split("=", 2)
            env = dict(os.environ, **{var: value})
            cmd = [args.bert, "embed", "--model", model, "--input", args.sentences, "--output", out,
                   "--threads", str(args.threads), "--dtype", "int8"]
            mib = run(cmd, env=env)
            row[f"ours_int8_{label}_mib"] = round(mib, 1)
        results.append(row)
        print(json.dumps(row), flush=True)
    if os.path.exists(out):
        os.remove(out)


if __name__ == "__main__":
    main()
