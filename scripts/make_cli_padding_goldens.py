#!/usr/bin/env python3
"""Golden file for `bert tokenize --padding` on non-BERT folders (found by scripts/fuzz_tokenizers.py).

transformers pads with the folder's pad_token (special_tokens_map.json / tokenizer_config.json, else the class
default: "<pad>" for RoBERTa, ALBERT, XLM-R), not BERT's "[PAD]" = 0. Records AutoTokenizer on a small batch under
padding longest / max_length / multiple-of, right and left, for the RoBERTa, ALBERT and XLM-R fixture folders.
Usage: .venv/bin/python scripts/make_cli_padding_goldens.py
Writes Tests/Fixtures/tokenizers/cli_padding.json.
"""
import json
import os

import transformers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
FOLDERS = {"bpe/roberta": "bpe/roberta", "bpe/roberta_lstrip": "bpe/roberta_lstrip",
           "sentencepiece/albert": "sentencepiece/albert", "sentencepiece/xlmr": "sentencepiece/xlmr"}
TEXTS = ["Hello world", "", "a much longer text, with punctuation and <mask> tokens"]
PAIRS = ["x", "y z", ""]
OPTIONS = [
    (["--padding", "longest"], dict(padding="longest"), "right"),
    (["--padding", "longest", "--padding-side", "left"], dict(padding="longest"), "left"),
    (["--padding", "max_length", "--max-length", "16"], dict(padding="max_length", max_length=16, truncation=True), "right"),
    (["--padding", "longest", "--pad-to-multiple-of", "8", "--padding-side", "left"],
     dict(padding="longest", pad_to_multiple_of=8), "left"),
]
cases = []
for name, rel in FOLDERS.items():
    tok = transformers.AutoTokenizer.from_pretrained(os.path.join(FIX, rel))
    for args, kw, side in OPTIONS:
        tok.padding_side = side
        for pairs in (None, PAIRS):
            enc = tok(TEXTS, pairs, return_special_tokens_mask=True, **kw)
            cases.append({"folder": rel, "args": args, "pairs": pairs is not None,
                          "rows": [{"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                                    "special_tokens_mask": enc["special_tokens_mask"][i], "tokens": enc.tokens(i)}
                                   for i in range(len(TEXTS))]})
with open(os.path.join(FIX, "cli_padding.json"), "w", encoding="utf-8") as f:
    json.dump({"transformers": transformers.__version__, "texts": TEXTS, "pairs": PAIRS, "cases": cases}, f,
              ensure_ascii=False, separators=(",", ":"))
print(f"{len(cases)} cases")
