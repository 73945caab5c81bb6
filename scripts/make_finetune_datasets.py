#!/usr/bin/env python3
"""Tiny deterministic fine-tuning datasets and reader fixtures under Tests/Fixtures/datasets/.

- ner_train.conll, ner_dev.conll: CoNLL-style NER (token, POS placeholder, IOB2 tag), PER/LOC/ORG.
- qa_train.json: SQuAD v2.0 JSON, answerable and unanswerable questions; answer_start in Python string
  indices (Unicode code points), some contexts with non-ASCII text.
- embedding_pairs.jsonl: anchor/positive/negative triplets; embedding_scored.jsonl: sentence1/sentence2/score.
- tricky.csv + tricky_csv_rows.json: a CSV with RFC 4180 corner cases and the rows Python's csv module reads
  (blank rows dropped), for the Swift CSV parser.
- squad_unicode.json + squad_unicode_expected.json: answers after combining marks, emoji and CJK; the expected
  code-point offsets.

Only the standard library is used. Run: .venv/bin/python scripts/make_finetune_datasets.py
"""
import csv
import io
import json
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "datasets")
os.makedirs(OUT, exist_ok=True)
rng = random.Random(20261128)

PEOPLE = [["Ada", "Lovelace"], ["Alan", "Turing"], ["Grace", "Hopper"], ["Zoë"], ["José", "Martí"], ["Marie", "Curie"],
          ["Ngozi"], ["Søren", "Kierkegaard"]]
PLACES = [["Paris"], ["New", "York"], ["São", "Paulo"], ["Lagos"], ["Berlin"], ["Kyoto"], ["Reykjavík"]]
ORGS = [["Acme", "Corp"], ["the", "United", "Nations"], ["Bell", "Labs"], ["CERN"], ["Médecins", "Sans", "Frontières"]]
TEMPLATES = [
    ["{PER}", "visited", "{LOC}", "last", "week", "."],
    ["{PER}", "works", "for", "{ORG}", "in", "{LOC}", "."],
    ["{ORG}", "opened", "an", "office", "in", "{LOC}", "."],
    ["Yesterday", "{PER}", "met", "{PER}", "."],
    ["The", "weather", "was", "fine", "."],
    ["{LOC}", "and", "{LOC}", "are", "far", "apart", "."],
]


def ner_sentence():
    tokens, tags = [], []
    for slot in rng.choice(TEMPLATES):
        if slot.startswith("{"):
            kind = slot[1:-1]
            words = rng.choice({"PER": PEOPLE, "LOC": PLACES, "ORG": ORGS}[kind])
            for i, w in enumerate(words):
                tokens.append(w)
                tags.append(("B-" if i == 0 else "I-") + kind)
        else:
            tokens.append(slot)
            tags.append("O")
    return tokens, tags


def write_conll(name, n):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
        fh.write("-DOCSTART- -X- -X- O\n\n")
        for _ in range(n):
            for token, tag in zip(*ner_sentence()):
                fh.write(f"{token} X {tag}\n")
            fh.write("\n")


write_conll("ner_train.conll", 40)
write_conll("ner_dev.conll", 12)

# ------------------------------------------------------------------ QA (SQuAD v2.0)
YEARS = list(range(1801, 1999))
articles = []
qid = 0
for a in range(6):
    paragraphs = []
    for p in range(3):
        person = " ".join(rng.choice(PEOPLE))
        place = " ".join(rng.choice(PLACES))
        org = " ".join(rng.choice(ORGS))
        year = str(rng.choice(YEARS))
        context = f"{person} was born in {place} in {year}. Later, {person} joined {org} 🙂 and stayed there."
        qas = []
        for question, answer in ((f"Where was {person} born?", place), (f"When was {person} born?", year),
                                 (f"Which organisation did {person} join?", org)):
            qid += 1
            start = context.index(answer)              # Python string index = Unicode code points
            assert context[start:start + len(answer)] == answer
            qas.append({"id": f"qa{qid:04d}", "question": question,
                        "answers": [{"text": answer, "answer_start": start}], "is_impossible": False})
        qid += 1
        qas.append({"id": f"qa{qid:04d}", "question": f"Where did {person} die?", "answers": [],
                    "plausible_answers": [{"text": place, "answer_start": context.index(place)}], "is_impossible": True})
        paragraphs.append({"context": context, "qas": qas})
    articles.append({"title": f"Article {a}", "paragraphs": paragraphs})
with open(os.path.join(OUT, "qa_train.json"), "w", encoding="utf-8") as fh:
    json.dump({"version": "v2.0", "data": articles}, fh, ensure_ascii=False, indent=1)
    fh.write("\n")

# ------------------------------------------------------------------ sentence embeddings
TOPICS = {
    "weather": ["It is raining heavily today.", "Storm clouds gather over the city.", "The forecast says sunny skies."],
    "food": ["I cooked pasta for dinner.", "The bakery sells fresh bread.", "She loves spicy curry."],
    "sport": ["The team won the final match.", "He runs a marathon every year.", "They play tennis on Sundays."],
    "music": ["The orchestra played Beethoven.", "She sings in a jazz band.", "Guitar lessons start at noon."],
    "travel": ["We flew to Kyoto in spring.", "The train to Lagos was late.", "Pack light for the hike."],
}
names = sorted(TOPICS)
with open(os.path.join(OUT, "embedding_pairs.jsonl"), "w", encoding="utf-8") as fh:
    for _ in range(36):
        topic = rng.choice(names)
        anchor, positive = rng.sample(TOPICS[topic], 2)
        negative = rng.choice(TOPICS[rng.choice([t for t in names if t != topic])])
        fh.write(json.dumps({"anchor": anchor, "positive": positive, "negative": negative}, ensure_ascii=False) + "\n")
with open(os.path.join(OUT, "embedding_scored.jsonl"), "w", encoding="utf-8") as fh:
    for _ in range(36):
        t1, t2 = rng.choice(names), rng.choice(names)
        s1, s2 = rng.choice(TOPICS[t1]), rng.choice(TOPICS[t2])
        score = 1.0 if s1 == s2 else (0.7 if t1 == t2 else 0.1)
        fh.write(json.dumps({"sentence1": s1, "sentence2": s2, "score": score}, ensure_ascii=False) + "\n")

# ------------------------------------------------------------------ reader fixtures
tricky = (
    'text,text_pair,label\r\n'
    '"Hello, world",plain,pos\r\n'
    '"She said ""hi""","",neg\n'
    '"multi\nline\r\nfield",x,pos\n'
    '\n'
    'unquoted "inner" quotes,y,neg\r'
    'ünïcödé 😀,"a,b,c",pos\n'
    ',,\n'
    '"trailing",z,"neg"'
)
with open(os.path.join(OUT, "tricky.csv"), "w", encoding="utf-8", newline="") as fh:
    fh.write(tricky)
rows = [r for r in csv.reader(io.StringIO(tricky, newline=""), strict=True) if r]
with open(os.path.join(OUT, "tricky_csv_rows.json"), "w", encoding="utf-8") as fh:
    json.dump(rows, fh, ensure_ascii=False, indent=1)
    fh.write("\n")

contexts = [
    ("Le cafe\u0301 de Flore est a\u0300 Paris.", ["Paris", "Flore"]),
    ("Emoji 😀😀 then the answer: forty-two.", ["forty-two"]),
    ("東京は日本の首都です。答えは東京。", ["日本", "東京"]),
    ("Zero\u200bwidth and Ω ohm sign then target.", ["target"]),
]
data, expected = [], []
for i, (context, answers) in enumerate(contexts):
    qas = []
    for j, answer in enumerate(answers):
        start = context.rindex(answer)
        qas.append({"id": f"u{i}-{j}", "question": "?", "answers": [{"text": answer, "answer_start": start}]})
        expected.append({"id": f"u{i}-{j}", "is_impossible": False, "answer_starts": [start], "answer_ends": [start + len(answer)]})
    qas.append({"id": f"u{i}-none", "question": "??", "answers": [], "is_impossible": True,
                "plausible_answers": [{"text": "nonsense", "answer_start": 9999}]})
    expected.append({"id": f"u{i}-none", "is_impossible": True, "answer_starts": [], "answer_ends": []})
    data.append({"title": f"U{i}", "paragraphs": [{"context": context, "qas": qas}]})
with open(os.path.join(OUT, "squad_unicode.json"), "w", encoding="utf-8") as fh:
    json.dump({"version": "v2.0", "data": data}, fh, ensure_ascii=False, indent=1)
    fh.write("\n")
with open(os.path.join(OUT, "squad_unicode_expected.json"), "w", encoding="utf-8") as fh:
    json.dump(expected, fh, ensure_ascii=False, indent=1)
    fh.write("\n")
print("wrote", sorted(os.listdir(OUT)))
