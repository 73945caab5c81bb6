#!/usr/bin/env python3
"""Checks a folder written by `bert train-tokenizer` against Hugging Face.

1. `tokenizers.Tokenizer.from_file` and `transformers.AutoTokenizer.from_pretrained` load it;
2. AutoTokenizer encodes every line of HELDOUT exactly as `bert tokenize --model FOLDER` does (ids and offsets);
3. with --corpus and the training settings, HF's own trainer on the same corpus gives the same vocabulary
   (as a set for wordpiece, whose `##` ids follow HF's random hash order; by id plus merges for bpe).

Usage: .venv/bin/python scripts/check_trained_tokenizer.py FOLDER HELDOUT [--bert .build/release/bert]
       [--corpus FILE --model wordpiece|bpe --vocab-size N [--lowercase]]
"""
import argparse
import json
import subprocess
import sys

import tokenizers
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("heldout")
    ap.add_argument("--bert", default=".build/release/bert")
    ap.add_argument("--corpus")
    ap.add_argument("--model")
    ap.add_argument("--vocab-size", type=int)
    ap.add_argument("--min-frequency", type=int, default=0)
    ap.add_argument("--lowercase", action="store_true")
    args = ap.parse_args()

    fast = Tokenizer.from_file(f"{args.folder}/tokenizer.json")
    auto = transformers.AutoTokenizer.from_pretrained(args.folder)
    lines = [l for l in open(args.heldout, encoding="utf-8").read().splitlines() if l.strip()]
    ours = subprocess.run([args.bert, "tokenize", "--model", args.folder, "--input", args.heldout],
                          check=True, capture_output=True, text=True).stdout.splitlines()
    assert len(ours) == len(lines), (len(ours), len(lines))
    tokens = 0
    for line, row in zip(lines, ours):
        row = json.loads(row)
        ref = auto(line, return_offsets_mapping=True)
        assert row["input_ids"] == ref["input_ids"], (line, row["input_ids"], ref["input_ids"])
        assert [tuple(o) for o in row["offset_mapping"]] == [tuple(o) for o in ref["offset_mapping"]], line
        assert fast.encode(line).ids == ref["input_ids"]
        tokens += len(ref["input_ids"])
    print(f"{type(auto).__name__} (transformers {transformers.__version__}, tokenizers {tokenizers.__version__}) "
          f"loads {args.folder}; {len(lines)} held-out lines, {tokens} tokens, ids and offsets identical to bert tokenize")

    if args.corpus:
        # Lines as TextLines cuts them (\n, \r\n, \r; not str.splitlines' \x0b, \x1c, \x85, U+2028 ...).
        text = open(args.corpus, encoding="utf-8", newline="").read().replace("\r\n", "\n").replace("\r", "\n")
        corpus = text.split("\n")
        theirs = reference_vocab(args, corpus)
        mine = json.load(open(f"{args.folder}/tokenizer.json", encoding="utf-8"))["model"]
        vocab = mine["vocab"]
        same = set(vocab) == set(theirs["vocab"]) if args.model == "wordpiece" else (
            vocab == theirs["vocab"] and mine["merges"] == theirs["merges"])
        print(f"HF {args.model} trainer on the same corpus: {len(theirs['vocab'])} tokens; identical: {same}")
        if not same:
            print("only ours:", sorted(set(vocab) - set(theirs["vocab"]))[:20], "only HF's:",
                  sorted(set(theirs["vocab"]) - set(vocab))[:20])
            sys.exit(1)


def reference_vocab(args, corpus):
    specials_wp = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    specials_bpe = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    if args.model == "wordpiece":
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(lowercase=args.lowercase)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=args.vocab_size, min_frequency=args.min_frequency,
                                            special_tokens=specials_wp, show_progress=False)
    else:
        tok = Tokenizer(models.BPE())
        if args.lowercase:
            tok.normalizer = normalizers.Lowercase()
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        trainer = trainers.BpeTrainer(vocab_size=args.vocab_size, min_frequency=args.min_frequency,
                                      special_tokens=specials_bpe, show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus, trainer)
    return json.loads(tok.to_str())["model"]


if __name__ == "__main__":
    main()
