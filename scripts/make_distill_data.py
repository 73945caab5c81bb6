#!/usr/bin/env python3
"""Text for the embedding-distillation run in docs/distillation.md (issue 14).

Training sentences: the Pang & Lee polarity sentences that are not in data/polarity/test.csv, plus the
paragraphs (whitespace collapsed; longer ones cut into runs of sentences of about 300 characters; 20-400 characters kept) of the Python documentation under
models/pretraining-text/files except the last 10% of each file's.
Held-out pairs, STS-like (a spread of similarities from near-paraphrase to unrelated), built only from held-out
text (test.csv sentences and each file's last 10% of paragraphs), seed 1, in equal thirds:
  - near: a text and itself with 25% of its words dropped at random (high similarity);
  - related: two neighbouring held-out paragraphs of the same file, or two test sentences of the same polarity
    (medium similarity);
  - random: two unrelated held-out texts (low similarity).
The pairs are shuffled and written as consecutive lines (1-2, 3-4, ...), the layout `bert distill --validation`
and scripts/check_distilled_student.py read.
Usage: .venv/bin/python scripts/make_distill_data.py OUT_DIR [PAIRS]  (writes embed-train.txt, embed-pairs.txt)
"""
import csv, glob, os, random, sys


def chunks(paragraph, limit=300):
    """A long paragraph as runs of whole sentences of at most about `limit` characters."""
    if len(paragraph) < 400:
        return [paragraph]
    out, current = [], ""
    for sentence in paragraph.replace(". ", ".\n").split("\n"):
        if current and len(current) + len(sentence) > limit:
            out.append(current)
            current = ""
        current = (current + " " + sentence).strip()
    return out + ([current] if current else [])


def main(out, n_pairs=1500):
    rng = random.Random(1)
    os.makedirs(out, exist_ok=True)
    rows = list(csv.reader(open("data/polarity/polarity-en-pang&lee2.csv", encoding="utf-8-sig")))
    sentences = [" ".join(r[1].split()) for r in rows if len(r) > 1]
    test = [(" ".join(r["text"].split()), r["label"]) for r in csv.DictReader(open("data/polarity/test.csv", encoding="utf-8"))]
    held_out = {t for t, _ in test}
    train = [t for t in sentences if t not in held_out]
    train_docs, held_docs = [], []
    for f in sorted(glob.glob("models/pretraining-text/files/*.txt")):
        paras = []
        for p in open(f, encoding="utf-8", errors="replace").read().split("\n\n"):
            paras += chunks(" ".join(p.split()))
        paras = [p for p in paras if 20 < len(p) < 400]
        cut = int(len(paras) * 0.9)
        train_docs += paras[:cut]
        held_docs.append(paras[cut:])
    with open(os.path.join(out, "embed-train.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(train + train_docs) + "\n")
    texts = [t for t, _ in test] + [p for d in held_docs for p in d]
    by_label = {}
    for t, label in test:
        by_label.setdefault(label, []).append(t)
    neighbours = [(d[i], d[i + 1]) for d in held_docs for i in range(len(d) - 1)]
    third = n_pairs // 3
    pairs = []
    for _ in range(third):
        words = rng.choice(texts).split()
        kept = [w for w in words if rng.random() >= 0.25] or words[:1]
        pairs.append((" ".join(words), " ".join(kept)))
    for i in range(third):
        if i % 2 == 0 and neighbours:
            pairs.append(rng.choice(neighbours))
        else:
            group = by_label[rng.choice(sorted(by_label))]
            pairs.append(tuple(rng.sample(group, 2)))
    while len(pairs) < n_pairs:
        a, b = rng.sample(texts, 2)
        pairs.append((a, b))
    rng.shuffle(pairs)
    with open(os.path.join(out, "embed-pairs.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(x for p in pairs for x in p) + "\n")
    print(f"{len(train) + len(train_docs)} training sentences, {len(pairs)} held-out pairs")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
