#!/usr/bin/env python3
"""Golden file for `bert tokenize` options where scripts/fuzz_tokenizers.py found differences from transformers.

1. Padding: transformers pads with the folder's pad_token (special_tokens_map.json / tokenizer_config.json, else
   the class default: "<pad>" for RoBERTa, ALBERT, XLM-R), not BERT's "[PAD]" = 0: padding longest / max_length /
   multiple-of, right and left, on the RoBERTa, ALBERT and XLM-R fixture folders.
2. --max-length 0 to 3 (below or at the special tokens), with overflow windows, on the same folders and BERT.
Records AutoTokenizer on a small batch (singles and pairs), overflow windows grouped per input.
Usage: .venv/bin/python scripts/make_cli_tokenize_goldens.py
Writes Tests/Fixtures/tokenizers/cli_options.json.
"""
import json
import os

import transformers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
ROOT_MODEL = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
FOLDERS = {"bpe/roberta": os.path.join(FIX, "bpe/roberta"), "bpe/roberta_lstrip": os.path.join(FIX, "bpe/roberta_lstrip"),
           "sentencepiece/albert": os.path.join(FIX, "sentencepiece/albert"),
           "sentencepiece/xlmr": os.path.join(FIX, "sentencepiece/xlmr")}
TEXTS = ["Hello world", "", "a much longer text, with punctuation and <mask> tokens"]
PAIRS = ["x", "y z", ""]
OPTIONS = [
    (["--padding", "longest"], dict(padding="longest"), "right"),
    (["--padding", "longest", "--padding-side", "left"], dict(padding="longest"), "left"),
    (["--padding", "max_length", "--max-length", "16"], dict(padding="max_length", max_length=16, truncation=True), "right"),
    (["--padding", "longest", "--pad-to-multiple-of", "8", "--padding-side", "left"],
     dict(padding="longest", pad_to_multiple_of=8), "left"),
]
TRUNCATION = [
    (["--max-length", str(n), "--return-overflowing"] + (["--no-special-tokens"] if not special else []),
     dict(max_length=n, truncation=True, return_overflowing_tokens=True, add_special_tokens=special), "right")
    for n in range(0, 4) for special in (True, False)
]
cases = []
for name, path in list(FOLDERS.items()) + [("minilm", ROOT_MODEL)]:
    tok = transformers.AutoTokenizer.from_pretrained(path)
    for args, kw, side in (OPTIONS if name != "minilm" else []) + TRUNCATION:
        tok.padding_side = side
        for pairs in (None, PAIRS):
            enc = tok(TEXTS, pairs, return_special_tokens_mask=True, **kw)
            mapping = enc["overflow_to_sample_mapping"] if "overflow_to_sample_mapping" in enc else range(len(TEXTS))
            rows = [[] for _ in TEXTS]
            for r, sample in enumerate(mapping):
                rows[sample].append({"input_ids": enc["input_ids"][r], "attention_mask": enc["attention_mask"][r],
                                     "special_tokens_mask": enc["special_tokens_mask"][r], "tokens": enc.tokens(r)})
            cases.append({"folder": name, "args": args, "pairs": pairs is not None, "rows": rows})
with open(os.path.join(FIX, "cli_options.json"), "w", encoding="utf-8") as f:
    json.dump({"transformers": transformers.__version__, "texts": TEXTS, "pairs": PAIRS, "cases": cases}, f,
              ensure_ascii=False, separators=(",", ":"))
print(f"{len(cases)} cases")
