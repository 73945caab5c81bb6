#!/usr/bin/env python3
"""Golden file for a tokenizer.json whose Unigram vocabulary lists a special token twice (found by
scripts/fuzz_tokenizers.py on a `bert train-tokenizer --model unigram` folder whose corpus held "<s>": the trainer,
like tokenizers' own, puts the special tokens in front of the learned pieces without removing a learned "<s>").
tokenizers re-registers added tokens on load: content in the model vocabulary takes the model's id (the last of a
repeated piece), whatever added_tokens[].id says. Records that tokenizer.json and tokenizers' encodings.
Usage: .venv/bin/python scripts/make_duplicate_piece_goldens.py
Writes Tests/Fixtures/tokenizers/duplicate_piece.json.
"""
import json
import os

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "duplicate_piece.json")
special = {"single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
spec = {
    "version": "1.0", "truncation": None, "padding": None,
    "added_tokens": [dict(id=0, content="<s>", **special), dict(id=1, content="</s>", **special),
                     dict(id=2, content="<unk>", **special)],
    "normalizer": None,
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "post_processor": {"type": "TemplateProcessing",
                       "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                  {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                       "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                       "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                          "</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
    "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "model": {"type": "Unigram", "unk_id": 2, "byte_fallback": False,
              "vocab": [["<s>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["\u2581", -1.0], ["a", -2.0], ["b", -2.5],
                        ["<s>", -3.0], ["\u2581a", -1.5], ["</s>", -4.0]]},
}
tok = Tokenizer.from_str(json.dumps(spec))
texts = ["<s>", "a<s>b", "</s> a", "ab </s><s>", "<s"]
rows = [{"text": t, "ids": (e := tok.encode(t)).ids, "tokens": e.tokens, "special_tokens_mask": e.special_tokens_mask,
         "offsets": [list(o) for o in e.offsets]} for t in texts]
with open(OUT, "w", encoding="utf-8") as f:
    json.dump({"tokenizer": spec, "encodings": rows}, f, ensure_ascii=False, indent=1)
print(json.dumps(rows, ensure_ascii=False))
