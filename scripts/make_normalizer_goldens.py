#!/usr/bin/env python3
"""Goldens for NFC, NFD, NFKC, NFKD, StripAccents, Lowercase and BertNormalizer over every Unicode scalar, from
`tokenizers`.

Every scalar 0...0x10FFFF except the surrogates goes through each normaliser in two shapes:
  single   the scalar alone                        (what the crate's tables map it to)
  context  "A" + scalar + U+0301 U+0316            (reordering against classes 230/220, composition with the
                                                    starter before and the marks after)
Scalars are taken in blocks of 4096; a block is one text where every shape is followed by "|" (a starter
that composes with nothing, so shapes do not interact). The golden per block is FNV-1a 64 over the UTF-8 of
`normalized;o0s,o0e o1s,o1e ...`, the offsets being each normalised character's original code-point range as
`encode` reports it (a tokenizer that makes every normalised character one token). The file also spells out a
few scalars whose mapping changed between the crate's Unicode version and newer ones, and a few texts whose
marks NFD reorders.

Writes Tests/Fixtures/tokenizers/normalizers/unicode.json.
Usage: .venv/bin/python scripts/make_normalizer_goldens.py
"""
import json
import os

import tokenizers
from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel
from unicode_goldens_common import fnv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "normalizers", "unicode.json")
BLOCK = 4096
SHAPES = {"single": ("", ""), "context": ("A", "\u0301\u0316")}
SEPARATOR = "|"
NORMALIZERS = {
    "NFC": normalizers.NFC, "NFD": normalizers.NFD, "NFKC": normalizers.NFKC, "NFKD": normalizers.NFKD,
    "StripAccents": normalizers.StripAccents, "Lowercase": normalizers.Lowercase,
    "BertNormalizer": normalizers.BertNormalizer,  # bert-base-uncased's: clean, CJK, strip accents, lowercase
}
# Marks and letters newer than the crate's tables (Swift's and Python's know them), and a few old ones.
EXAMPLES = [0x089C, 0x09FE, 0xA7F3, 0x1E08, 0x0344, 0x0130, 0xFB01, 0x2460, 0x1D165, 0xAC00, 0x0F73]
# Whole texts: spacing marks with combining classes that NFD reorders and StripAccents/BertNormalizer keep.
EXAMPLE_TEXTS = ["x\U0001D16D\U0001D165", "a\u0301\U0001D16D\u0316\U0001D165b", "x\u0903\u093c", "e\u0301\u0341 \u1E0B\u0323",
                 "\u1100\u1161\u11A8 \uAC00\u11A8", "A\u030A\u212B\u00C5", "\u0130\u0049\u0307 \u03A3"]


def per_character(normalizer):
    tok = Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("(?m)."), behavior="isolated")
    return tok


def block_text(block, shape):
    prefix, suffix = SHAPES[shape]
    cps = [cp for cp in range(block * BLOCK, (block + 1) * BLOCK) if not 0xD800 <= cp <= 0xDFFF]
    return "".join(prefix + chr(cp) + suffix + SEPARATOR for cp in cps)


def digest(tok, text):
    normalized = tok.normalizer.normalize_str(text)
    offsets = tok.encode(text).offsets
    return fnv(normalized + ";" + " ".join(f"{a},{b}" for a, b in offsets))


def main():
    goldens = {}
    for name, make in NORMALIZERS.items():
        tok = per_character(make())
        goldens[name] = {shape: [digest(tok, block_text(b, shape)) for b in range(0x110000 // BLOCK)]
                         for shape in SHAPES}
    examples = []
    texts = [prefix + chr(cp) + suffix for cp in EXAMPLES for prefix, suffix in SHAPES.values()] + EXAMPLE_TEXTS
    for text in texts:
        for name, make in NORMALIZERS.items():
            tok = per_character(make())
            examples.append({"normalizer": name, "text": text, "normalized": tok.normalizer.normalize_str(text),
                             "offsets": [list(o) for o in tok.encode(text).offsets]})
    out = {"versions": {"tokenizers": tokenizers.__version__}, "block": BLOCK,
           "shapes": {k: list(v) for k, v in SHAPES.items()}, "separator": SEPARATOR,
           "digests": goldens, "examples": examples}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=0)
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
