#!/usr/bin/env python3
"""Polarity accuracy of a fine-tuned classifier under `bert classify --dtype fp32|int8|bf16` (and `--keep-fp32`).

    .venv/bin/python scripts/int8_polarity.py --bert .build/release/bert --model runs/polarity/last \
        [--test data/polarity/test.csv] [--variant int8:qkv --variant int8:0,5 ...]

Each variant is DTYPE or DTYPE:KEEP-LIST. Prints one JSON line per variant: accuracy on the test set, its difference
from fp32 in points, and how many predictions differ from fp32's.
"""
import argparse
import csv
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bert", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--test", default="data/polarity/test.csv")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", action="append", help="DTYPE or DTYPE:KEEP-LIST (default: fp32, int8, bf16)")
    args = ap.parse_args()
    with open(args.test, newline="", encoding="utf-8") as f:
        labels = [row["label"] for row in csv.DictReader(f)]
    variants = ["fp32"] + [v for v in (args.variant or ["int8", "bf16"]) if v != "fp32"]
    base = None
    for variant in variants:
        dtype, _, keep = variant.partition(":")
        cmd = [args.bert, "classify", "--model", args.model, "--input", args.test, "--threads", str(args.threads),
               "--dtype", dtype] + (["--keep-fp32", keep] if keep else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
        predicted = [json.loads(line)["label"] for line in out]
        if len(predicted) != len(labels):
            sys.exit(f"{variant}: {len(predicted)} predictions for {len(labels)} rows")
        accuracy = sum(p == t for p, t in zip(predicted, labels)) / len(labels)
        if base is None:
            base = (accuracy, predicted)
        row = {"variant": variant, "rows": len(labels), "accuracy": round(100 * accuracy, 2),
               "points_vs_fp32": round(100 * (accuracy - base[0]), 2),
               "predictions_changed": sum(a != b for a, b in zip(predicted, base[1]))}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
