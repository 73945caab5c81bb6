#!/usr/bin/env python3
"""Golden SOP + n-gram masking instances from ALBERT's own create_pretraining_data.py, driven by swift-bert's generator.

PretrainingInstanceGenerator with objective sop, max_ngram 3 and next_sentence_rule google claims to be ALBERT's
algorithm (create_training_instances, create_instances_from_document, create_masked_lm_predictions,
truncate_seq_pair of google-research/albert). This script runs ALBERT's unmodified functions with:
- `rng` = SwiftBertRandom (scripts/make_pretraining_goldens.py): PretrainingRandomGenerator bit for bit;
- `np.random.choice` replaced by numpy's own choice arithmetic (`cdf = p.cumsum(); cdf /= cdf[-1];
  cdf.searchsorted(u, side="right")`) fed with u = rng.random(). ALBERT draws the n-gram length from numpy's
  global generator, which its --random_seed never seeds, so no seed reproduces ALBERT's own output; drawing from
  the one stream is the only difference, and it changes which uniform numbers are used, not how they are used.
Same corpus, same seed, same draws in the same order: the Swift test must reproduce every instance exactly.

Usage (repository root; ALBERT's sources are not vendored: `git clone https://github.com/google-research/albert`):
  .venv/bin/python scripts/make_albert_pretraining_goldens.py --albert /path/to/albert
Needs `six` (pip) and numpy; TensorFlow is stubbed (tf.flags, tf.gfile.GFile, tf.logging), and so is ALBERT's
tokenization module (only convert_to_unicode is used when no --spm_model_file is given).
Input: Tests/Fixtures/pretraining/corpus.tokens.txt (pre-tokenized, one sentence per line) read with a whitespace
tokenizer over models/all-MiniLM-L6-v2/vocab.txt, so `##` pieces mark word continuations (ALBERT's
_is_start_piece_bert). Output: Tests/Fixtures/pretraining/albert_<name>.json in google_<name>.json's format.

Statistics (albert_ngram_statistics.json): ALBERT's create_masked_lm_predictions with ALBERT's own generators
(random.Random(seed), np.random.seed(seed) — no stream of ours) over every sentence pair of the corpus (sequence k =
[CLS] + the first 62 pieces of lines k and k+1 + [SEP]), seeds 0..9, token and whole-word 3-gram masking: the
histogram of masked runs by length, the masked fraction, the 80/10/10 split and partly masked words. The Swift test
draws the same counts with its own generator and compares the proportions (ALBERT's randomness is not ours, so
the match there is in distribution).
"""
import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import types

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_pretraining_goldens import SwiftBertRandom  # noqa: E402


def load_albert(albert_dir):
    flags = types.SimpleNamespace()

    def define(name, default, *_args, **_kwargs):
        setattr(flags, name, default)

    tf = types.ModuleType("tensorflow.compat.v1")
    tf.flags = types.SimpleNamespace(FLAGS=flags, DEFINE_string=define, DEFINE_bool=define, DEFINE_integer=define,
                                     DEFINE_float=define, mark_flag_as_required=lambda *_: None)
    tf.gfile = types.SimpleNamespace(GFile=open, Glob=glob.glob)
    tf.logging = types.SimpleNamespace(info=lambda *_: None, set_verbosity=lambda *_: None, INFO=0)
    for name in ("tensorflow", "tensorflow.compat"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["tensorflow.compat.v1"] = tf
    tokenization = types.ModuleType("albert.tokenization")
    tokenization.convert_to_unicode = lambda text: text
    package = types.ModuleType("albert")
    package.tokenization = tokenization
    sys.modules["albert"] = package
    sys.modules["albert.tokenization"] = tokenization
    sys.path.insert(0, albert_dir)
    import create_pretraining_data  # noqa: E402  (ALBERT's file, unmodified)
    return create_pretraining_data, flags


def numpy_choice_from(rng):
    """np.random.choice(a, p=p) with numpy's arithmetic, its uniform taken from `rng`."""
    def choice(a, p):
        cdf = np.asarray(p, dtype=np.float64).cumsum()
        cdf /= cdf[-1]
        return a[int(cdf.searchsorted(rng.random(), side="right"))]
    return choice


def sequences(corpus_path, vocab):
    lines = [l.split() for l in open(corpus_path, encoding="utf-8").read().split("\n") if l.strip()]
    return [["[CLS]"] + (a + b)[:62] + ["[SEP]"] for a, b in zip(lines, lines[1:])]


def statistics(cpd, flags, corpus_path, vocab):
    import random
    out = {}
    words = list(vocab.keys())
    flags.ngram, flags.favor_shorter_ngram, flags.do_permutation, flags.spm_model_file = 3, True, False, None
    for mode in ("token", "whole_word"):
        flags.do_whole_word_mask = mode == "whole_word"
        runs = [0] * 7  # runs[k]: maximal runs of k consecutive masked positions (6 = 6 or more)
        tokens_total = masked = as_mask = kept = partial_words = 0
        for seed in range(10):
            rng = random.Random(seed)
            np.random.seed(seed)
            for tokens in sequences(corpus_path, vocab):
                output, positions, labels, _ = cpd.create_masked_lm_predictions(tokens, 0.15, 20, words, rng)
                chosen = set(positions)
                tokens_total += len(tokens)
                masked += len(positions)
                as_mask += sum(output[p] == "[MASK]" for p in positions)
                kept += sum(output[p] == tokens[p] for p in positions)
                run = 0
                for i in range(len(tokens) + 1):
                    if i < len(tokens) and i in chosen:
                        run += 1
                    elif run:
                        runs[min(run, 6)] += 1
                        run = 0
                i = 1
                while i < len(tokens) - 1:  # words: a piece and its ## continuations
                    j = i + 1
                    while j < len(tokens) - 1 and tokens[j].startswith("##"):
                        j += 1
                    inside = sum(k in chosen for k in range(i, j))
                    partial_words += 0 < inside < j - i
                    i = j
        out[mode] = dict(runs=runs, tokens=tokens_total, masked=masked, as_mask=as_mask, kept=kept,
                         partial_words=partial_words)
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("--albert", required=True, help="folder holding ALBERT's create_pretraining_data.py")
    parser.add_argument("--vocab", default=os.path.join(root, "models/all-MiniLM-L6-v2/vocab.txt"))
    parser.add_argument("--out", default=os.path.join(root, "Tests/Fixtures/pretraining"))
    parser.add_argument("--albert-commit", default="", help="recorded in the fixtures when the folder is no git clone")
    args = parser.parse_args()
    cpd, flags = load_albert(args.albert)
    corpus_path = os.path.join(args.out, "corpus.tokens.txt")
    vocab = {}
    with open(args.vocab, encoding="utf-8") as f:
        for line in f:
            vocab[line.rstrip("\n")] = len(vocab)

    class WhitespaceTokenizer:
        @staticmethod
        def tokenize(line):
            return line.split()

    WhitespaceTokenizer.vocab = vocab  # ALBERT draws random words from list(vocab.keys()), in id order

    commit = args.albert_commit or subprocess.run(["git", "-C", args.albert, "rev-parse", "HEAD"],
                                                  capture_output=True, text=True).stdout.strip()
    runs = [
        dict(name="sop_ngram", max_seq_length=64, dupe_factor=2, short_seq_prob=0.1, masked_lm_prob=0.15,
             max_predictions_per_seq=10, do_whole_word_mask=False, ngram=3, random_seed=12345),
        dict(name="sop_ngram_wwm", max_seq_length=48, dupe_factor=2, short_seq_prob=0.3, masked_lm_prob=0.2,
             max_predictions_per_seq=12, do_whole_word_mask=True, ngram=3, random_seed=7),
    ]
    for run in runs:
        flags.do_whole_word_mask = run["do_whole_word_mask"]
        flags.ngram = run["ngram"]
        flags.spm_model_file = None
        flags.favor_shorter_ngram = True
        flags.do_permutation = False
        flags.random_next_sentence = False
        rng = SwiftBertRandom(run["random_seed"])
        cpd.np.random.choice = numpy_choice_from(rng)
        instances = cpd.create_training_instances(
            [corpus_path], WhitespaceTokenizer, run["max_seq_length"], run["dupe_factor"], run["short_seq_prob"],
            run["masked_lm_prob"], run["max_predictions_per_seq"], rng)
        lines = []
        for inst in instances:
            lines.append(json.dumps(dict(
                input_ids=[vocab[t] for t in inst.tokens],
                token_type_ids=inst.segment_ids,
                masked_lm_positions=inst.masked_lm_positions,
                masked_lm_ids=[vocab[t] for t in inst.masked_lm_labels],
                next_sentence_label=1 if inst.is_random_next else 0), separators=(",", ":")))
        meta = dict(run, generator="google-research/albert create_pretraining_data.py " + commit,
                    rng="xoshiro256** seeded by splitmix64 (SwiftBertRandom); np.random.choice drawn from it",
                    corpus="corpus.tokens.txt", python=platform.python_version(), numpy=np.__version__,
                    count=len(instances))
        path = os.path.join(args.out, "albert_%s.json" % run["name"])
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"meta":' + json.dumps(meta, sort_keys=True) + ',\n"instances":[\n' + ",\n".join(lines) + "\n]}\n")
        print("%s: %d instances" % (path, len(instances)))
    cpd.np.random.choice = np.random.mtrand.RandomState.choice.__get__(np.random.mtrand._rand)
    stats = dict(generator="google-research/albert create_pretraining_data.py " + commit,
                 rng="random.Random(seed) and np.random.seed(seed), seeds 0..9", masked_lm_prob=0.15,
                 max_predictions_per_seq=20, ngram=3, python=platform.python_version(), numpy=np.__version__,
                 **statistics(cpd, flags, corpus_path, vocab))
    with open(os.path.join(args.out, "albert_ngram_statistics.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
