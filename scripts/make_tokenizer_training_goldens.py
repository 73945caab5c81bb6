#!/usr/bin/env python3
"""Golden files for the tokenizer trainers: Hugging Face `tokenizers` 0.23.3's trainers on a small corpus.

Writes Tests/Fixtures/tokenizers/training/. Usage: .venv/bin/python scripts/make_tokenizer_training_goldens.py

Files:
  corpus.txt    the training text, one document per line: examples/bench_sentences.txt, README.md and docs/*.md
                except docs/pretraining-data.md, the hard texts of Tests/Fixtures/tokenizers/corpus.json (accents,
                CJK, emoji/ZWJ, RTL, controls), and 40 seeded random lines over accented Latin, CJK and emoji
  heldout.txt   docs/pretraining-data.md, for held-out token counts
  cases.json    per case: the pipeline (normalizer, pre-tokenizer), the trainer and its settings, the vocabulary
                by id and the merges (BPE) of HF's first run, and what varied over 8 runs: HF keeps words in a
                randomly seeded hash map, so the ids of `##x` tokens, and with them tie-breaks between equally
                frequent pairs of such tokens, vary from run to run. `stable_ids` / `stable_merges` say whether
                ids / merges were the same in every run; `varying` lists the tokens found in some runs only
                (a correct trainer has every other token of `vocab`, and the same number of tokens)

Each line is fed to `Tokenizer.train_from_iterator` as one sequence (no line ending), as `bert train-tokenizer`
does.
"""
import json
import os
import random

import tokenizers
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/Fixtures/tokenizers/training")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def corpus_lines():
    lines = read("examples/bench_sentences.txt").splitlines()
    for doc in ["README.md", "docs/finetuning.md", "docs/fuzzing.md", "docs/pretraining-austen.md"]:
        lines += read(doc).splitlines()
    hard = json.loads(read("Tests/Fixtures/tokenizers/corpus.json"))
    lines += [t.replace("\r", " ").replace("\n", " ") for t in hard["texts"]]
    rng = random.Random(12)
    pools = ["àáâãäåæçèéêëìíîïñòóôõöùúûüýÿœß", "的一是不了人我在有他这为之大来以个中上们", "😀😂🤖👍🏽🇫🇷👨‍👩‍👧", "abcdefghij klmnop "]
    for _ in range(40):
        lines.append("".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(5, 60))))
    # Lines that are empty or only white space are dropped by the reader (TextLines), so drop them here too.
    return [l for l in lines if l.strip()]


def pipeline(name, lowercase):
    if name == "byte_level":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        return tok
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]") if name == "bert_wordpiece" else models.BPE())
    tok.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tok


CASES = [
    # (name, model, pipeline, lowercase, settings)
    ("bpe_byte_level", "bpe", "byte_level", False,
     dict(vocab_size=1200, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], byte_alphabet=True)),
    ("bpe_byte_level_small", "bpe", "byte_level", False, dict(vocab_size=400, byte_alphabet=True)),
    ("bpe_bert_uncased_suffix", "bpe", "bert", True, dict(vocab_size=900, end_of_word_suffix="</w>")),
    ("bpe_bert_cased_limits", "bpe", "bert", False,
     dict(vocab_size=700, min_frequency=3, limit_alphabet=70, max_token_length=5, special_tokens=["<unk>"])),
    ("bpe_bert_cased_prefix", "bpe", "bert", False, dict(vocab_size=800, continuing_subword_prefix="##")),
    ("wordpiece_uncased", "wordpiece", "bert_wordpiece", True,
     dict(vocab_size=1000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])),
    ("wordpiece_cased_limits", "wordpiece", "bert_wordpiece", False,
     dict(vocab_size=1500, min_frequency=2, limit_alphabet=100, special_tokens=["[UNK]", "[PAD]"])),
    ("wordpiece_no_specials", "wordpiece", "bert_wordpiece", True, dict(vocab_size=750)),
]


def train(model, pipe, lowercase, settings, lines):
    tok = pipeline(pipe, lowercase)
    kwargs = {k: v for k, v in settings.items() if k != "byte_alphabet"}
    if settings.get("byte_alphabet"):
        kwargs["initial_alphabet"] = pre_tokenizers.ByteLevel.alphabet()
    cls = trainers.BpeTrainer if model == "bpe" else trainers.WordPieceTrainer
    tok.train_from_iterator(lines, cls(show_progress=False, **kwargs))
    state = json.loads(tok.to_str())["model"]
    vocab = sorted(state["vocab"].items(), key=lambda kv: kv[1])
    assert [i for _, i in vocab] == list(range(len(vocab)))
    return [t for t, _ in vocab], state.get("merges")


def alphabet_tie_at_cut(lines, pipe, lowercase, limit):
    """Whether limit_alphabet's cut falls among equally frequent characters (HF's choice is then random)."""
    tok = pipeline(pipe, lowercase)
    freq = {}
    for line in lines:
        text = tok.normalizer.normalize_str(line) if tok.normalizer else line
        for word, _ in tok.pre_tokenizer.pre_tokenize_str(text):
            for c in word:
                freq[c] = freq.get(c, 0) + 1
    counts = sorted(freq.values())
    cut = len(counts) - limit
    return cut > 0 and counts[cut - 1] == counts[cut]


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = corpus_lines()
    with open(os.path.join(OUT, "corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "heldout.txt"), "w", encoding="utf-8") as f:
        f.write(read("docs/pretraining-data.md"))
    cases = []
    for name, model, pipe, lowercase, settings in CASES:
        if "limit_alphabet" in settings:
            assert not alphabet_tie_at_cut(lines, pipe, lowercase, settings["limit_alphabet"]), name
        runs = [train(model, pipe, lowercase, settings, lines) for _ in range(8)]
        vocab, merges = runs[0]
        sets = [set(v) for v, _ in runs]
        assert all(len(v) == len(vocab) for v, _ in runs)
        varying = sorted(set.union(*sets) - set.intersection(*sets))
        cases.append(dict(
            name=name, model=model, pre_tokenizer="byte_level" if pipe == "byte_level" else "bert",
            lowercase=lowercase, settings=settings, vocab=vocab, merges=merges,
            stable_ids=all(v == vocab for v, _ in runs), stable_merges=all(m == merges for _, m in runs),
            varying=varying))
        print(f"{name}: {len(vocab)} tokens, ids stable {cases[-1]['stable_ids']}, "
              f"merges stable {cases[-1]['stable_merges']}, varying {varying}")
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(dict(tokenizers=tokenizers.__version__, cases=cases), f, ensure_ascii=False, indent=0)
    for kind, size in [("wordpiece", 1000), ("bpe", 1200), ("unigram", 800)]:
        preset_file(kind, size, lines)
    heldout = [l for l in read("docs/pretraining-data.md").splitlines() if l.strip()]
    with open(os.path.join(OUT, "unigram.json"), "w", encoding="utf-8") as f:
        json.dump(unigram_cases(lines, heldout), f, ensure_ascii=False, indent=0)


def preset_file(kind, size, lines):
    """The preset of `bert train-tokenizer --model KIND` built with tokenizers' own classes, trained and saved."""
    wp = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    sp = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    if kind == "wordpiece":
        tok = pipeline("bert_wordpiece", True)
        tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
        trainer = trainers.WordPieceTrainer(vocab_size=size, special_tokens=wp, show_progress=False)
    elif kind == "bpe":
        tok = pipeline("byte_level", False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=size, special_tokens=sp, show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    else:
        tok = unigram_pipeline()
        tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
        trainer = trainers.UnigramTrainer(vocab_size=size, special_tokens=sp, unk_token="<unk>", show_progress=False)
    tok.train_from_iterator(lines, trainer)
    if kind == "wordpiece":
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    elif kind == "bpe":
        tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")),
                                                          trim_offsets=True, add_prefix_space=False)
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    else:
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
            special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    tok.save(os.path.join(OUT, f"preset_{kind}.json"))


def unigram_pipeline():
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    return tok


def word_counts(tok, lines):
    counts = {}
    for line in lines:
        for word, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(line)):
            counts[word] = counts.get(word, 0) + 1
    return [[w, c] for w, c in counts.items()]


def unigram_cases(lines, heldout):
    tok = unigram_pipeline()
    words, held = word_counts(tok, lines), word_counts(tok, heldout)
    cases = []
    for name, settings in [("unigram_xlmr_1000", dict(vocab_size=1000)), ("unigram_xlmr_600_shrink", dict(vocab_size=600, shrinking_factor=0.6, n_sub_iterations=1, max_piece_length=8))]:
        tok = unigram_pipeline()
        tok.train_from_iterator(lines, trainers.UnigramTrainer(
            show_progress=False, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], unk_token="<unk>", **settings))
        model = json.loads(tok.to_str())["model"]
        tokens = sum(c * len(tok.model.tokenize(w)) for w, c in held)
        cases.append(dict(name=name, settings=settings, vocab=model["vocab"], unk_id=model["unk_id"], heldout_tokens=tokens))
        print(f"{name}: {len(model['vocab'])} pieces, {tokens} held-out tokens")
    return dict(words=words, heldout_words=held, cases=cases)


if __name__ == "__main__":
    main()
