#!/usr/bin/env python3
"""Goldens for vocabularies holding canonically equivalent tokens, which `tokenizers` keeps apart (Rust compares
strings byte for byte) and Swift's String equality would merge.

Builds, with `tokenizers`, a WordPiece, a BPE and a Unigram tokenizer whose vocabularies (and added tokens, and
BPE merges) hold pairs such as "é" (U+00E9) / "e" U+0301, U+0341 / U+0301, "Å" U+00C5 / U+212B, "Ω" U+03A9 /
U+2126, and records `encode` (ids, tokens, offsets) and `decode` on texts using every form. No normaliser, so
each form reaches the model as it is.

Writes Tests/Fixtures/tokenizers/exact_vocab/{wordpiece,bpe,unigram}.json (tokenizer.json files) and
goldens.json. Usage: .venv/bin/python scripts/make_exact_vocab_goldens.py
"""
import json
import os

import tokenizers
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "exact_vocab")

E_ACUTE, E_COMBINING = "\u00e9", "e\u0301"
PAIRS = [E_ACUTE, E_COMBINING, "\u0341", "\u0301", "\u00c5", "\u212b", "\u03a9", "\u2126", "\u1e69", "s\u0323\u0307",
         "s\u0307\u0323"]
TEXTS = [
    "caf\u00e9 cafe\u0301",
    "e\u0301 \u00e9 \u0341 \u0301 e\u0341",
    "\u00c5ngstr\u00f6m \u212bngstr\u00f6m",
    "\u03a9 \u2126 x\u2126y x\u03a9y",
    "\u1e69 s\u0323\u0307 s\u0307\u0323",
    "caf\u00e9caf\u00e9 cafe\u0301cafe\u0301",
    "plain ascii words",
]


def wordpiece():
    vocab = ["[UNK]", "[CLS]", "[SEP]", "c", "a", "f", "e", "s", "x", "y", "n", "g", "t", "r", "m", "\u00f6",
             "p", "l", "i", "o", "d", "w", "##a", "##f", "##e", "##s", "##n", "##g", "##t", "##r", "##m", "##\u00f6",
             "##l", "##i", "##o", "##d", "##c", "##y", "##x", "caf", "##\u00e9", "##e\u0301", "##\u0301", "##\u0341"]
    vocab += [p for p in PAIRS if p not in vocab]
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece()
    return tok


def bpe():
    alphabet = sorted(set("".join(TEXTS + PAIRS)) - {" "})
    vocab = {"<unk>": 0}
    for ch in alphabet:
        vocab.setdefault(ch, len(vocab))
    merges = [("e", "\u0301"), ("c", "a"), ("ca", "f"), ("caf", "\u00e9"), ("caf", "e\u0301"), ("e", "\u0341"),
              ("s", "\u0323"), ("s\u0323", "\u0307"), ("x", "\u2126"), ("x", "\u03a9")]
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    tok = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


def unigram():
    alphabet = sorted(set("".join(TEXTS + PAIRS)) - {" "})
    pieces = [("<unk>", 0.0)] + [(ch, -5.0) for ch in alphabet]
    pieces += [("caf\u00e9", -2.0), ("cafe\u0301", -2.5), ("e\u0301", -1.0), ("\u212bngstr\u00f6m", -3.0),
               ("\u00c5ng", -2.0), ("x\u2126", -1.5), ("s\u0323\u0307", -1.0)]
    tok = Tokenizer(models.Unigram(pieces, unk_id=0, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


def main():
    os.makedirs(OUT, exist_ok=True)
    goldens = {"versions": {"tokenizers": tokenizers.__version__}, "texts": TEXTS, "tokenizers": {}}
    for name, make in [("wordpiece", wordpiece), ("bpe", bpe), ("unigram", unigram)]:
        tok = make()
        # Added tokens in both forms: matched in the raw text, each with its own id.
        tok.add_tokens([AddedToken("\u2126\u2126", normalized=False), AddedToken("\u03a9\u03a9", normalized=False)])
        tok.save(os.path.join(OUT, f"{name}.json"))
        tok = Tokenizer.from_file(os.path.join(OUT, f"{name}.json"))
        texts = TEXTS + ["\u2126\u2126 \u03a9\u03a9"]
        rows = []
        for text in texts:
            e = tok.encode(text)
            rows.append({"text": text, "ids": e.ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets],
                         "decoded": tok.decode(e.ids)})
        ids = {p: tok.token_to_id(p) for p in PAIRS}
        goldens["tokenizers"][name] = {"encodings": rows, "token_to_id": [[p, ids[p]] for p in PAIRS]}
    with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(goldens, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
