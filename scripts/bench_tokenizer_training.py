#!/usr/bin/env python3
"""Seconds `tokenizers`' trainer takes on one thread for the `bert train-tokenizer` presets, to compare with
`bert-dev bench train-tokenizer` (which runs this script in the same run with --python).

The corpus is read as `bert train-tokenizer` reads it (lines cut at \\n, \\r\\n, \\r; a line of white space is a sequence too), each line
one sequence of `Tokenizer.train_from_iterator`. Prints one JSON line:
{"name": "train_tokenizer_<model>", "runtime": "tokenizers", "value": best seconds, "unit": "s"}.

Usage: RAYON_NUM_THREADS=1 .venv/bin/python scripts/bench_tokenizer_training.py --model wordpiece --vocab-size 8000 FILE...
"""
import argparse
import json
import os
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import tokenizers  # noqa: E402
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers  # noqa: E402


def preset(kind, vocab_size):
    if kind == "wordpiece":
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(lowercase=True)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        return tok, trainers.WordPieceTrainer(vocab_size=vocab_size, show_progress=False,
                                              special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    if kind == "bpe":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        return tok, trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False, special_tokens=specials,
                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    return tok, trainers.UnigramTrainer(vocab_size=vocab_size, show_progress=False, special_tokens=specials,
                                        unk_token="<unk>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=["wordpiece", "bpe", "unigram"])
    ap.add_argument("--vocab-size", type=int, required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    lines = []
    for path in args.files:
        text = open(path, encoding="utf-8-sig", newline="").read().replace("\r\n", "\n").replace("\r", "\n")
        lines += text.split("\n")
    best = None
    for _ in range(args.runs):
        tok, trainer = preset(args.model, args.vocab_size)
        start = time.perf_counter()
        tok.train_from_iterator(lines, trainer)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps(dict(name=f"train_tokenizer_{args.model}", runtime=f"tokenizers {tokenizers.__version__}",
                          value=best, unit="s", vocab=tok.get_vocab_size())))


if __name__ == "__main__":
    main()
