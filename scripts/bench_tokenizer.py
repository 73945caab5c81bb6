#!/usr/bin/env python3
"""Single-thread throughput of Hugging Face `tokenizers` on the golden corpus, to compare with
`bert-dev bench tokenizer --model models/all-MiniLM-L6-v2`, which runs this script itself and prints the ratio; any
folder holding tokenizer.json works, e.g. the byte-level BPE Tests/Fixtures/tokenizers/bpe/roberta (same corpus, same counting: every text encoded as a
single sequence and every pair as a pair, with special tokens, no truncation or padding, repeated --repeat times
per pass; tokens/s over passes lasting at least --seconds).

Usage: RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false .venv/bin/python scripts/bench_tokenizer.py
"""
import argparse
import json
import os
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
p.add_argument("--corpus", default=os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "corpus.json"))
p.add_argument("--repeat", type=int, default=50)
p.add_argument("--seconds", type=float, default=2.0)
args = p.parse_args()

path = os.path.join(args.model, "tokenizer.json")
loads = []
for _ in range(5):
    start = time.perf_counter()
    Tokenizer.from_file(path)
    loads.append(time.perf_counter() - start)
load = min(loads)
tok = Tokenizer.from_file(path)
tok.no_truncation()
tok.no_padding()
corpus = json.load(open(args.corpus, encoding="utf-8"))
texts, pairs = corpus["texts"], [tuple(p) for p in corpus["pairs"]]


def one_pass_loop():
    n = 0
    for _ in range(args.repeat):
        for t in texts:
            n += len(tok.encode(t).ids)
        for a, b in pairs:
            n += len(tok.encode(a, b).ids)
    return n


def one_pass_batch():
    n = 0
    for _ in range(args.repeat):
        n += sum(len(e.ids) for e in tok.encode_batch(texts))
        n += sum(len(e.ids) for e in tok.encode_batch(pairs))
    return n


for name, fn in [("encode loop", one_pass_loop), ("encode_batch (1 thread)", one_pass_batch)]:
    tokens = fn()
    passes, start = 0, time.perf_counter()
    while True:
        fn()
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds:
            break
    print(f"python tokenizers {tokenizers.__version__} {name}: {tokens * passes / elapsed:,.0f} tokens/s "
          f"({tokens} tokens/pass, {passes} passes, {elapsed:.2f} s)")
print(f"python tokenizers load tokenizer.json: {load * 1000:.1f} ms (best of 5)")
