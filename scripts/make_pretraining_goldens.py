#!/usr/bin/env python3
"""Golden pre-training instances from Google's own create_pretraining_data.py, driven by swift-bert's generator.

The point: PretrainingInstanceGenerator claims to be Google's algorithm. This script runs Google's unmodified
functions (create_training_instances, create_instances_from_document, create_masked_lm_predictions,
truncate_seq_pair) with an `rng` object that implements random(), randint() and shuffle() exactly as Swift's
PretrainingRandomGenerator does (xoshiro256** seeded by SplitMix64, Lemire's bounded integers, Fisher-Yates).
Same input, same seed, same draws in the same order: the Swift test must reproduce every instance exactly.

Usage (from the repository root; needs the google-research/bert sources, not vendored, and `six`):
  python3 scripts/make_pretraining_goldens.py --google-bert /path/to/google-research/bert

TensorFlow is not needed: a stub module provides tf.flags, tf.gfile.GFile (= open) and tf.logging.
Input: the first pages of models/pretraining-text/files (scripts/fetch-pretraining-text.sh), prose only, split
into sentences with a simple regex, tokenized by Google's FullTokenizer over bert-base-uncased's vocab.txt and
written as Tests/Fixtures/pretraining/corpus.tokens.txt (one sentence of space-separated pieces per line, blank
lines between documents). Google's create_training_instances then reads that file with a whitespace tokenizer.
Output: Tests/Fixtures/pretraining/google_<name>.json, one instance per line inside "instances".
"""
import argparse
import glob
import json
import os
import platform
import re
import subprocess
import sys
import types

M64 = (1 << 64) - 1


class SwiftBertRandom:
    """PretrainingRandomGenerator, bit for bit: xoshiro256** seeded by SplitMix64."""

    def __init__(self, seed):
        state = seed
        self.s = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & M64
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def random(self):
        return (self.next() >> 11) * 2.0 ** -53

    def randint(self, a, b):
        span = b - a + 1
        product = self.next() * span
        if (product & M64) < span:
            threshold = ((1 << 64) - span) % span
            while (product & M64) < threshold:
                product = self.next() * span
        return a + (product >> 64)

    def shuffle(self, x):
        for i in range(len(x) - 1, 0, -1):
            j = self.randint(0, i)
            x[i], x[j] = x[j], x[i]


def load_google(google_dir):
    flags = types.SimpleNamespace()

    def define(name, default, *_args, **_kwargs):
        setattr(flags, name, default)

    tf = types.ModuleType("tensorflow")
    tf.flags = types.SimpleNamespace(FLAGS=flags, DEFINE_string=define, DEFINE_bool=define, DEFINE_integer=define,
                                     DEFINE_float=define, mark_flag_as_required=lambda *_: None)
    tf.gfile = types.SimpleNamespace(GFile=open, Glob=glob.glob)
    tf.logging = types.SimpleNamespace(info=lambda *_: None, set_verbosity=lambda *_: None, INFO=0)
    sys.modules["tensorflow"] = tf
    sys.path.insert(0, google_dir)
    import create_pretraining_data  # noqa: E402  (Google's file, unmodified)
    import tokenization  # noqa: E402
    return create_pretraining_data, tokenization, flags


def prose_documents(text_dir, pages, sentences_per_page):
    rule = re.compile(r"^([=\-*~^#+])\1{2,}\s*$")
    documents = []
    for path in sorted(glob.glob(os.path.join(text_dir, "*.txt")))[:pages]:
        paragraphs, current = [], []
        for line in open(path, encoding="utf-8").read().split("\n"):
            if rule.match(line) or line[:1].isspace() or line.startswith(("..", ">>>", "|", "+-")):
                continue
            if line.strip():
                current.append(line.strip())
            elif current:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", p) if s.strip()]
        documents.append(sentences[:sentences_per_page])
    return documents


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("--google-bert", required=True, help="folder holding create_pretraining_data.py")
    parser.add_argument("--text-dir", default=os.path.join(root, "models/pretraining-text/files"))
    parser.add_argument("--vocab", default=os.path.join(root, "models/all-MiniLM-L6-v2/vocab.txt"))
    parser.add_argument("--out", default=os.path.join(root, "Tests/Fixtures/pretraining"))
    parser.add_argument("--google-commit", default="", help="recorded in the fixtures when the folder is no git clone")
    args = parser.parse_args()
    cpd, tokenization, flags = load_google(args.google_bert)
    os.makedirs(args.out, exist_ok=True)

    full = tokenization.FullTokenizer(vocab_file=args.vocab, do_lower_case=True)
    corpus_path = os.path.join(args.out, "corpus.tokens.txt")
    with open(corpus_path, "w", encoding="utf-8") as f:
        for document in prose_documents(args.text_dir, pages=8, sentences_per_page=45):
            for sentence in document:
                pieces = full.tokenize(sentence)
                if pieces:
                    f.write(" ".join(pieces) + "\n")
            f.write("\n")

    class WhitespaceTokenizer:
        vocab = full.vocab  # OrderedDict in id order: Google draws random words from list(vocab.keys())

        @staticmethod
        def tokenize(line):
            return line.split()

    commit = args.google_commit
    if not commit:
        commit = subprocess.run(["git", "-C", args.google_bert, "rev-parse", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
    runs = [
        dict(name="nsp", max_seq_length=64, dupe_factor=2, short_seq_prob=0.1, masked_lm_prob=0.15,
             max_predictions_per_seq=10, do_whole_word_mask=False, random_seed=12345),
        dict(name="wwm", max_seq_length=48, dupe_factor=2, short_seq_prob=0.3, masked_lm_prob=0.2,
             max_predictions_per_seq=12, do_whole_word_mask=True, random_seed=7),
    ]
    for run in runs:
        flags.do_whole_word_mask = run["do_whole_word_mask"]
        rng = SwiftBertRandom(run["random_seed"])
        instances = cpd.create_training_instances(
            [corpus_path], WhitespaceTokenizer, run["max_seq_length"], run["dupe_factor"], run["short_seq_prob"],
            run["masked_lm_prob"], run["max_predictions_per_seq"], rng)
        lines = []
        for inst in instances:
            lines.append(json.dumps(dict(
                input_ids=[full.vocab[t] for t in inst.tokens],
                token_type_ids=inst.segment_ids,
                masked_lm_positions=inst.masked_lm_positions,
                masked_lm_ids=[full.vocab[t] for t in inst.masked_lm_labels],
                next_sentence_label=1 if inst.is_random_next else 0), separators=(",", ":")))
        meta = dict(run, generator="google-research/bert create_pretraining_data.py " + commit,
                    rng="xoshiro256** seeded by splitmix64 (scripts/make_pretraining_goldens.py SwiftBertRandom)",
                    corpus="corpus.tokens.txt", python=platform.python_version(), count=len(instances))
        path = os.path.join(args.out, "google_%s.json" % run["name"])
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"meta":' + json.dumps(meta, sort_keys=True) + ',\n"instances":[\n' + ",\n".join(lines) + "\n]}\n")
        print("%s: %d instances" % (path, len(instances)))


if __name__ == "__main__":
    main()
