#!/usr/bin/env python3
"""Golden file for Unigram scores as `tokenizers` parses tokenizer.json (found by scripts/fuzz_tokenizers.py on a
`bert train-tokenizer --model unigram` folder): serde_json without `float_roundtrip` reads "-9.671357141202899" as
-9.6713571412029 (an ulp off), and that ulp decides Viterbi ties between equal-score segmentations such as
[12 s, 12 s, 13 s] and [12 s, 13 s, 12 s]. Records a tokenizer.json holding the scores of that trained folder
and tokenizers' ids for runs of "s" (and "ſ", NFKC-folded to "s").
Usage: .venv/bin/python scripts/make_unigram_score_goldens.py
Writes Tests/Fixtures/tokenizers/unigram_scores.json.
"""
import json
import os

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "unigram_scores.json")
vocab = [["<unk>", 0.0], ["\u2581", -1.4569603910404085], ["s", -6.123456789012345], ["ss", -7.000000000000001],
         ["ssssssssssss", -9.671357141202899], ["sssssssssssss", -8.908802346497156], ["sss", -9.029898835610993],
         ["ssss", -9.652723406357799], ["sssss", -9.900521907916493]]
spec = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": {"type": "NFKC"},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": None, "decoder": None,
        "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": False, "vocab": vocab}}
tok = Tokenizer.from_str(json.dumps(spec))
texts = ["s" * n for n in range(1, 80)] + ["\u017f" * 37, "ss " * 20]
rows = [{"text": t, "ids": tok.encode(t).ids} for t in texts]
with open(OUT, "w", encoding="utf-8") as f:
    json.dump({"tokenizer": spec, "encodings": rows}, f, ensure_ascii=False, separators=(",", ":"))
print(len(rows), "encodings")
