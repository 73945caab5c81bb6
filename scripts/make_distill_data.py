#!/usr/bin/env python3
"""Text for the embedding-distillation run in docs/distillation.md (issue 14).

Training sentences: the Pang & Lee polarity sentences that are not in data/polarity/test.csv, plus the first 90%
of the paragraphs (20-400 characters, whitespace collapsed) of the Python documentation under
models/pretraining-text/files. Held-out pairs: the first 600 test.csv sentences and the last 10% of paragraphs,
shuffled (seed 1), 1,000 lines read as consecutive pairs.
Usage: .venv/bin/python scripts/make_distill_data.py OUT_DIR   (writes embed-train.txt, embed-pairs.txt)
"""
import csv, glob, os, random, sys


def main(out):
    os.makedirs(out, exist_ok=True)
    rows = list(csv.reader(open("data/polarity/polarity-en-pang&lee2.csv", encoding="utf-8-sig")))
    sentences = [" ".join(r[1].split()) for r in rows if len(r) > 1]
    test = [" ".join(r["text"].split()) for r in csv.DictReader(open("data/polarity/test.csv", encoding="utf-8"))]
    held_out = set(test)
    train = [t for t in sentences if t not in held_out]
    docs = []
    for f in sorted(glob.glob("models/pretraining-text/files/*.txt")):
        for para in open(f, encoding="utf-8", errors="replace").read().split("\n\n"):
            s = " ".join(para.split())
            if 20 < len(s) < 400:
                docs.append(s)
    cut = int(len(docs) * 0.9)
    with open(os.path.join(out, "embed-train.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(train + docs[:cut]) + "\n")
    pairs = test[:600] + docs[cut:]
    random.Random(1).shuffle(pairs)
    with open(os.path.join(out, "embed-pairs.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(pairs[:1000]) + "\n")
    print(f"{len(train) + cut} training sentences, {min(len(pairs), 1000)} held-out lines")


if __name__ == "__main__":
    main(sys.argv[1])
