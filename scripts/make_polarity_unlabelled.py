#!/usr/bin/env python3
"""Unlabelled text for the `logits` distillation run in docs/distillation.md (issue 14).

The texts of data/polarity/train.csv and the rows of data/polarity/polarity-en-pang&lee2.csv whose text is not in
data/polarity/test.csv (whitespace collapsed before comparing), deduplicated, in file order, one per line, without
labels. test.csv is only read to exclude its texts: none of its rows reaches the output.
Usage: .venv/bin/python scripts/make_polarity_unlabelled.py OUT.txt
"""
import csv, sys


def norm(text):
    return " ".join(text.split())


def main(out):
    test = {norm(r["text"]) for r in csv.DictReader(open("data/polarity/test.csv", encoding="utf-8"))}
    train = [norm(r["text"]) for r in csv.DictReader(open("data/polarity/train.csv", encoding="utf-8"))]
    rows = csv.reader(open("data/polarity/polarity-en-pang&lee2.csv", encoding="utf-8-sig"))
    extra = [norm(r[1]) for r in rows if len(r) > 1]
    seen, texts = set(), []
    for t in train + extra:
        if t and t not in test and t not in seen:
            seen.add(t)
            texts.append(t)
    assert not (set(texts) & test)
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    print(f"{len(texts)} texts ({len(train)} from train.csv, {len(texts) - len(set(train))} more from the Pang & Lee file; "
          f"{len(test)} test texts excluded)")


if __name__ == "__main__":
    main(sys.argv[1])
