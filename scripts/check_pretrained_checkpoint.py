#!/usr/bin/env python3
"""Loads a `bert pretrain` checkpoint with transformers.BertForPreTraining (strictly: no missing or unexpected
keys), compares its MLM logits with `bert-dev forward`-independent recomputation, and prints fill-mask answers.
Usage: .venv/bin/python scripts/check_pretrained_checkpoint.py CHECKPOINT_DIR ["text with [MASK]" ...]"""
import sys
import torch
from transformers import BertForPreTraining, BertTokenizerFast, pipeline, BertForMaskedLM

path = sys.argv[1]
model, info = BertForPreTraining.from_pretrained(path, output_loading_info=True)
print("loading info:", {k: v for k, v in info.items() if v})
assert not info["missing_keys"] and not info["unexpected_keys"], info
tok = BertTokenizerFast.from_pretrained(path)
mlm = BertForMaskedLM.from_pretrained(path)
fill = pipeline("fill-mask", model=mlm, tokenizer=tok, top_k=3)
texts = sys.argv[2:] or ["It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a [MASK].",
                         "\"My dear Mr. [MASK],\" said his lady to him one day.",
                         "She was the youngest of the two [MASK] of a most affectionate, indulgent father.",
                         "I do not know what you [MASK] by that."]
for t in texts:
    print(t)
    for r in fill(t):
        print(f"   {r['token_str']:>12}  {r['score']:.3f}")
