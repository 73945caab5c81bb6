#!/usr/bin/env python3
"""Differential fuzzing of `bert tokenize` against Hugging Face transformers / tokenizers (in-process).

For every tokenizer folder (BERT WordPiece from tokenizer.json and from vocab.txt-only folders with several
tokenizer_config.json settings, byte-level BPE RoBERTa-style with and without an lstrip <mask>, SentencePiece
ALBERT spiece.model / XLM-R sentencepiece.bpe.model and their tokenizer.json conversions, a byte-fallback Unigram
tokenizer.json) and every option set (singles, pairs, no special tokens, truncation strategy x max_length x stride x
side with overflow windows, padding longest / max_length / multiple-of x side), it generates seeded inputs from many
input classes, runs our CLI once per (tokenizer, option set) in batch mode (--input JSONL) and the reference
`AutoTokenizer(...)(texts, pairs, ...)` on the same batch, and compares input_ids, token_type_ids, attention_mask,
special_tokens_mask, offset_mapping, tokens and the overflow windows. Either side refusing (an error) must be
matched by the other side refusing. Each mismatch is minimised (code point deletions, greedy) to the shortest
failing input and printed as JSON.

Usage: .venv/bin/python scripts/fuzz_tokenizers.py [--bert .build/release/bert] [--seed 1] [--count 200]
         [--only NAME,...] [--options NAME,...] [--out DIR]
Exit status 1 when any mismatch was found. Needs Tests/Fixtures/tokenizers and models/all-MiniLM-L6-v2.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unicodedata

import transformers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
MINILM = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
transformers.logging.set_verbosity_error()


# ---------------------------------------------------------------- tokenizer folders
def folder(tmp, name, files, config=None, special=None):
    """A tokenizer folder `tmp/name` holding copies of `files` ({dest: src}) and the given JSON configs."""
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    for dest, src in files.items():
        shutil.copy(src, os.path.join(d, dest))
    if config is not None:
        json.dump(config, open(os.path.join(d, "tokenizer_config.json"), "w"))
    if special is not None:
        json.dump(special, open(os.path.join(d, "special_tokens_map.json"), "w"))
    return d


def tokenizer_folders(tmp):
    """name -> folder. Each is loaded by both our CLI and transformers.AutoTokenizer."""
    vocab = {"vocab.txt": os.path.join(MINILM, "vocab.txt")}
    bert_special = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                    "mask_token": "[MASK]"}
    sp = os.path.join(FIX, "sentencepiece")
    out = {
        "minilm": MINILM,
        "vocab_uncased": folder(tmp, "vocab_uncased", vocab, {"tokenizer_class": "BertTokenizer",
                                "do_lower_case": True, "model_max_length": 512}, bert_special),
        "vocab_cased": folder(tmp, "vocab_cased", vocab, {"tokenizer_class": "BertTokenizer",
                              "do_lower_case": False, "model_max_length": 512}, bert_special),
        "vocab_keep_accents": folder(tmp, "vocab_keep_accents", vocab, {"tokenizer_class": "BertTokenizer",
                                     "do_lower_case": True, "strip_accents": False}, bert_special),
        "vocab_strip_cased": folder(tmp, "vocab_strip_cased", vocab, {"tokenizer_class": "BertTokenizer",
                                    "do_lower_case": False, "strip_accents": True}, bert_special),
        "vocab_no_chinese": folder(tmp, "vocab_no_chinese", vocab, {"tokenizer_class": "BertTokenizer",
                                   "do_lower_case": True, "tokenize_chinese_chars": False}, bert_special),
        "roberta": os.path.join(FIX, "bpe", "roberta"),
        "roberta_lstrip": os.path.join(FIX, "bpe", "roberta_lstrip"),
        "roberta_files": folder(tmp, "roberta_files", {f: os.path.join(FIX, "bpe", "roberta", f)
                                for f in ("vocab.json", "merges.txt")},
                                {"tokenizer_class": "RobertaTokenizer"}),
        "roberta_noprefix": folder(tmp, "roberta_noprefix", {f: os.path.join(FIX, "bpe", "roberta", f)
                                   for f in ("vocab.json", "merges.txt")},
                                   {"tokenizer_class": "RobertaTokenizer", "add_prefix_space": False,
                                    "trim_offsets": False}),
        "albert": os.path.join(sp, "albert"),
        "albert_cased": folder(tmp, "albert_cased", {"spiece.model": os.path.join(sp, "albert", "spiece.model")},
                               {"tokenizer_class": "AlbertTokenizer", "do_lower_case": False, "keep_accents": True},
                               json.load(open(os.path.join(sp, "albert", "special_tokens_map.json")))),
        "xlmr": os.path.join(sp, "xlmr"),
        "albert_json": folder(tmp, "albert_json", {"tokenizer.json": os.path.join(sp, "albert.json")},
                              {"tokenizer_class": "AlbertTokenizer", "do_lower_case": True, "keep_accents": False},
                              json.load(open(os.path.join(sp, "albert", "special_tokens_map.json")))),
        "xlmr_json": folder(tmp, "xlmr_json", {"tokenizer.json": os.path.join(sp, "xlmr.json")},
                            {"tokenizer_class": "XLMRobertaTokenizer"},
                            json.load(open(os.path.join(sp, "xlmr", "special_tokens_map.json")))),
        "bytefallback_json": folder(tmp, "bytefallback_json",
                                    {"tokenizer.json": os.path.join(sp, "bytefallback.json")},
                                    {"tokenizer_class": "PreTrainedTokenizerFast"}),
    }
    return out


def training_corpus(rng):
    """A seeded corpus: repeated words (so merges happen) mixed with hostile lines from every input class."""
    vocab = [gen_input(rng, rng.choice(["words", "blocks", "combining", "emoji"]), [])[:rng.randint(1, 10)]
             for _ in range(60)] + WORDS
    lines = []
    for _ in range(rng.randint(50, 400)):
        if rng.random() < 0.8:
            lines.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12))))
        else:
            lines.append(gen_input(rng, rng.choice(CLASSES), ["[CLS]", "<s>", "<mask>"]).replace("\n", " ")
                         .replace("\r", " "))
    return lines


def reference_training(model, lines, vocab_size, min_frequency, lowercase):
    """HF's trainer set up as `bert train-tokenizer`'s presets (see scripts/check_trained_tokenizer.py)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    if model == "wordpiece":
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                            special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
                                            show_progress=False)
    else:
        tok = Tokenizer(models.BPE())
        if lowercase:
            tok.normalizer = normalizers.Lowercase()
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                      special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    return json.loads(tok.to_str())["model"]


def trained_folders(bert, tmp, seeds, problems):
    """`bert train-tokenizer` on seeded corpora (wordpiece, bpe, unigram); wordpiece/bpe vocabularies (and bpe
    merges) are compared with HF's trainers on the same lines. Returns name -> folder for the encoding fuzz."""
    out = {}
    for seed in range(seeds):
        rng = random.Random(f"train/{seed}")
        lines = training_corpus(rng)
        corpus = os.path.join(tmp, f"corpus{seed}.txt")
        with open(corpus, "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")
        for model in ("wordpiece", "bpe", "unigram"):
            # Our trainers refuse a vocabulary smaller than the special tokens plus the alphabet (HF silently
            # exceeds vocab_size then): stay above an upper bound of the alphabet.
            alphabet = len(set("".join(lines)) | set("".join(lines).lower()) | set(unicodedata.normalize(
                "NFKD", "".join(lines)))) * 2 + 10
            vocab_size = rng.randint(280, 700) if model == "bpe" else rng.randint(alphabet, alphabet + 400)
            min_frequency = rng.choice([0, 0, 2, 3]) if model != "unigram" else 0
            lowercase = rng.random() < 0.5
            folder = os.path.join(tmp, f"trained_{model}_{seed}")
            args = [bert, "train-tokenizer", "--model", model, "--vocab-size", str(vocab_size), "--output", folder,
                    "--quiet", corpus]
            if model != "unigram":
                args += ["--min-frequency", str(min_frequency)]
            args.append("--lowercase" if lowercase else "--cased")
            r = subprocess.run(args, capture_output=True, timeout=600)
            name = f"trained_{model}_{seed}"
            if r.returncode != 0:
                problems.append({"tokenizer": name, "training": args[2:], "ours": r.stderr.decode()[-300:]})
                print(f"{name:18} training failed: {r.stderr.decode()[-200:]}", flush=True)
                continue
            out[name] = folder
            if model == "unigram":
                print(f"{name:18} trained (vocab {vocab_size}); unigram vocab not compared (EM pruning)", flush=True)
                continue
            mine = json.load(open(os.path.join(folder, "tokenizer.json"), encoding="utf-8"))["model"]
            theirs = reference_training(model, lines, vocab_size, min_frequency, lowercase)
            if model == "wordpiece":
                # HF's WordPiece trainer breaks count ties by ids drawn from a randomly seeded HashMap: its
                # vocabulary set can change from run to run. Compare only when three runs agree.
                runs = [set(theirs["vocab"])] + [set(reference_training(model, lines, vocab_size, min_frequency,
                                                                        lowercase)["vocab"]) for _ in range(2)]
                if any(r != runs[0] for r in runs):
                    among = any(set(mine["vocab"]) == r for r in runs)
                    print(f"{name:18} HF's own wordpiece trainer differs between runs (count ties): not compared "
                          f"(ours {'equals one of' if among else 'is none of'} its 3 runs)", flush=True)
                    continue
            same = set(mine["vocab"]) == set(theirs["vocab"]) if model == "wordpiece" else (
                mine["vocab"] == theirs["vocab"] and [list(m) if isinstance(m, list) else m.split(" ")
                                                      for m in mine["merges"]] ==
                [list(m) if isinstance(m, list) else m.split(" ") for m in theirs["merges"]])
            print(f"{name:18} vocab {len(mine['vocab'])} vs HF {len(theirs['vocab'])}: "
                  f"{'identical' if same else 'DIFFERENT'} (size {vocab_size}, min_frequency {min_frequency}, "
                  f"lowercase {lowercase})", flush=True)
            if not same:
                problems.append({"tokenizer": name, "training": args[2:],
                                 "only_ours": sorted(set(mine["vocab"]) - set(theirs["vocab"]))[:20],
                                 "only_hf": sorted(set(theirs["vocab"]) - set(mine["vocab"]))[:20]})
    return out


def load_reference(path):
    return transformers.AutoTokenizer.from_pretrained(path)


# ---------------------------------------------------------------- inputs
POOLS = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
         (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2100, 0x24FF),
         (0x3000, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFB00, 0xFB4F), (0xFE00, 0xFFFF),
         (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0000, 0xE01EF), (0x0, 0x1F),
         (0x0, 0x10FFFF), (0x1E00, 0x1FFF), (0x10000, 0x1FFFF), (0xF900, 0xFAFF), (0x2E80, 0x2FDF),
         (0x3100, 0x33FF), (0xFF00, 0xFFEF), (0x0600, 0x06FF), (0x1780, 0x17FF), (0x0F00, 0x0FFF)]
WHITESPACE = [0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
              0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x200B,
              0xFEFF, 0x1C, 0x1D, 0x1E, 0x1F]
COMBINING = list(range(0x300, 0x370)) + list(range(0x1AB0, 0x1AC0)) + list(range(0x20D0, 0x20F1)) + \
    [0x93C, 0x94D, 0xE31, 0xE47, 0x3099, 0x309A, 0xFE0F, 0xFE0E, 0x1F3FB, 0x1F3FF]
EMOJI = ["👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "👍🏽", "🇫🇷", "🇺🇸🇬🇧", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🧑🏿‍🚀", "1️⃣", "©️", "👁‍🗨", "😀", "🫠",
         "\u200d", "\ufe0f", "🤷‍♀️", "🧔🏻‍♂️"]
WORDS = ["hello", "world", "the", "un", "##able", "Café", "naïve", "résumé", "Straße", "İstanbul", "ǅ", "ﬁ",
         "don't", "U.S.A.", "e-mail", "3.14", "1,000", "$", "%", "...", "—", "“quoted”", "x²", "½", "Ⅻ", "ℌ",
         "tokenization", "Tokenizer", "HELLO", "ς", "Σ", "ΣΑΣ", "ß", "ẞ", "K", "Å", "Ǆ", "ǈ", "ﬃ", "ﾊﾟ", "㍿",
         "a\u0301", "\u1e9b\u0323", "😀", "我", "爱", "ー", "｡", "、", "ทดสอบ", "こんにちは", "한국", "עברית",
         "العربية", "हिन्दी", "▁", "▁▁", "Ġ", "Ċ", "<0x41>", "##", "#", "@", "<", ">", "</s>", "<s", "s>"]


def rand_cp(rng, lo, hi):
    cp = rng.randint(lo, hi)
    return 0x20 if 0xD800 <= cp <= 0xDFFF else cp


def unassigned(rng):
    while True:
        cp = rng.randint(0x378, 0x10FFFF)
        if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) == "Cn":
            return chr(cp)


def category_char(rng, cats):
    while True:
        cp = rng.choice([rng.randint(0, 0x3000), rng.randint(0, 0x10FFFF), rng.randint(0xFFF0, 0xFFFF),
                         rng.randint(0xE0000, 0xE007F)])
        if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) in cats:
            return chr(cp)


def gen_input(rng, cls, specials):
    """One input of class `cls`."""
    n = rng.randint(0, 24)
    if cls == "blocks":
        return "".join(" " if rng.random() < 0.15 else chr(rand_cp(rng, *rng.choice(POOLS))) for _ in range(n))
    if cls == "combining":
        out = []
        for _ in range(n):
            out.append(rng.choice(["a", "e", "o", "n", "A", "ı", "i", "α", "и", " ", "क", "ก", "か", "😀", "", "ς"]))
            out.extend(chr(rng.choice(COMBINING)) for _ in range(rng.randint(0, 4)))
        return "".join(out)
    if cls == "emoji":
        return "".join(rng.choice(EMOJI + [" ", "a", "x", "\u200d", "🏽"]) for _ in range(n))
    if cls == "unassigned":
        return "".join(rng.choice([lambda: unassigned(rng), lambda: chr(rng.randint(0xE000, 0xF8FF)),
                                   lambda: chr(rng.randint(0xF0000, 0x10FFFD)), lambda: " ",
                                   lambda: rng.choice("ab.")])() for _ in range(n))
    if cls == "astral":
        return "".join(" " if rng.random() < 0.15 else chr(rng.randint(0x10000, 0x10FFFF)) for _ in range(n))
    if cls == "control":
        return "".join(rng.choice([lambda: category_char(rng, {"Cc", "Cf", "Zl", "Zp", "Zs"}),
                                   lambda: rng.choice("ab c.")])() for _ in range(n))
    if cls == "whitespace":
        return "".join(rng.choice([chr(rng.choice(WHITESPACE)), "\r\n", rng.choice(WORDS), "a"]) for _ in range(n))
    if cls == "longword":
        base = rng.choice(["a", "b", "é", "e\u0301", "ab", "x", "ſ", "ﬁ", "我", "Ａ", "😀"])
        k = rng.choice([1, 48, 49, 50, 99, 100, 101, 102, 200]) // len(base) + rng.randint(-1, 1)
        words = [base * max(k, 0)]
        if rng.random() < 0.5:
            words.append(rng.choice(WORDS))
        rng.shuffle(words)
        return rng.choice([" ", "", "-", "  "]).join(words)
    if cls == "special":
        parts = []
        for _ in range(rng.randint(1, 6)):
            s = rng.choice(specials) if specials else "[CLS]"
            parts.append(rng.choice([s, s.lower(), s.upper(), s[:-1], s[1:], s + s, " " + s, s + " ", "\t" + s,
                                     rng.choice(WORDS), "x"]))
        return rng.choice(["", " ", "  "]).join(parts)
    if cls == "words":
        return rng.choice([" ", "", "  ", "\n"]).join(rng.choice(WORDS) for _ in range(n))
    if cls == "empty":
        return rng.choice(["", " ", "  ", "\n", "\t", "\u3000", "\r\n", "\u200b", "\ufeff", "\u00ad", "\x00",
                           " \u0301", "\u0301", "▁", " ▁ "])
    if cls == "mixed":
        return "".join(gen_input(rng, rng.choice(CLASSES[:-1]), specials)[:rng.randint(0, 12)]
                       for _ in range(rng.randint(1, 4)))
    raise ValueError(cls)


CLASSES = ["blocks", "combining", "emoji", "unassigned", "astral", "control", "whitespace", "longword", "special",
           "words", "empty", "mixed"]


def long_text(rng, specials):
    return " ".join(gen_input(rng, rng.choice(["words", "blocks", "words", "mixed"]), specials)
                    for _ in range(rng.randint(1, 6)))


# ---------------------------------------------------------------- option sets
def option_sets(rng):
    """[(name, cli args, hf kwargs, sides{'padding_side','truncation_side'}, pairs?, coupled?)]"""
    sets = [("single", [], {}, {}, False), ("pair", [], {}, {}, True),
            ("nospecial", ["--no-special-tokens"], {"add_special_tokens": False}, {}, False),
            ("nospecial_pair", ["--no-special-tokens"], {"add_special_tokens": False}, {}, True)]
    for strategy in ["longest_first", "only_first", "only_second", None]:
        for _ in range(4):
            ml = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 11, 17])
            stride = rng.choice([0, 0, 1, 2, 3])
            side = rng.choice(["right", "left"])
            pair = strategy != "only_first" or rng.random() < 0.5
            if strategy == "only_second":
                pair = True
            special = rng.random() < 0.8
            args = ["--max-length", str(ml), "--stride", str(stride), "--truncation-side", side,
                    "--return-overflowing"]
            kw = {"max_length": ml, "stride": stride, "truncation": strategy or True,
                  "return_overflowing_tokens": True}
            if strategy:
                args += ["--truncation", strategy]
            if not special:
                args.append("--no-special-tokens")
                kw["add_special_tokens"] = False
            name = f"trunc_{strategy or 'default'}_ml{ml}_s{stride}_{side}{'_pair' if pair else ''}" \
                   f"{'' if special else '_nospecial'}"
            sets.append((name, args, kw, {"truncation_side": side}, pair))
    for padding in ["longest", "max_length", "multiple"]:
        for side in ["right", "left"]:
            pair = rng.random() < 0.5
            args, kw = ["--padding-side", side], {}
            if padding == "longest":
                args += ["--padding", "longest"]
                kw["padding"] = "longest"
            elif padding == "max_length":
                ml = rng.choice([8, 13, 24])
                args += ["--padding", "max_length", "--max-length", str(ml), "--return-overflowing"]
                kw.update(padding="max_length", max_length=ml, truncation=True, return_overflowing_tokens=True)
            else:
                m = rng.choice([3, 8])
                args += ["--padding", "longest", "--pad-to-multiple-of", str(m)]
                kw.update(padding="longest", pad_to_multiple_of=m)
            sets.append((f"pad_{padding}_{side}{'_pair' if pair else ''}", args, kw, {"padding_side": side}, pair))
    return sets


# ---------------------------------------------------------------- running both sides
def run_ours(bert, path, args, texts, pairs):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for t, p in zip(texts, pairs):
            rec = {"text": t}
            if p is not None:
                rec["pair"] = p
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        name = f.name
    try:
        r = subprocess.run([bert, "tokenize", "--model", path, "--input", name, "--input-format", "jsonl",
                            "--threads", "1"] + args, capture_output=True, timeout=600)
    finally:
        os.unlink(name)
    if r.returncode != 0:
        if r.returncode < 0 or b"Fatal error" in r.stderr:
            return "CRASH " + r.stderr.decode("utf-8", "replace")[-400:]
        return "ERROR " + r.stderr.decode("utf-8", "replace").strip()[-300:]
    # Only "\n" ends a JSON line: str.splitlines would also cut at U+2028, U+0085 ... inside a token's string.
    lines = [line for line in r.stdout.decode("utf-8").split("\n") if line]
    out = []
    for line in lines:
        e = json.loads(line)
        rows = [e] + e.pop("overflowing", [])
        out.append([{k: row[k] for k in FIELDS} for row in rows])
    return out


FIELDS = ["input_ids", "token_type_ids", "attention_mask", "special_tokens_mask", "offset_mapping", "tokens"]


def run_reference(tok, kw, sides, texts, pairs):
    tok.padding_side = sides.get("padding_side", "right")
    tok.truncation_side = sides.get("truncation_side", "right")
    try:
        enc = tok(list(texts), list(pairs) if pairs[0] is not None else None, return_offsets_mapping=True,
                  return_special_tokens_mask=True, return_token_type_ids=True, return_attention_mask=True, **kw)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - any refusal (also a tokenizers panic) counts as an error
        return "ERROR " + str(e)[:300]
    rows = len(enc["input_ids"])
    mapping = enc["overflow_to_sample_mapping"] if "overflow_to_sample_mapping" in enc else list(range(rows))
    out = [[] for _ in texts]
    for r in range(rows):
        out[mapping[r]].append({"input_ids": enc["input_ids"][r], "token_type_ids": enc["token_type_ids"][r],
                                "attention_mask": enc["attention_mask"][r],
                                "special_tokens_mask": enc["special_tokens_mask"][r],
                                "offset_mapping": [list(o) for o in enc["offset_mapping"][r]],
                                "tokens": enc.tokens(r)})
    return out


def first_difference(a, b):
    if isinstance(a, str) or isinstance(b, str):
        if isinstance(a, str) and isinstance(b, str) and a.startswith("ERROR") and b.startswith("ERROR"):
            return None
        return {"ours": a if isinstance(a, str) else "ok", "reference": b if isinstance(b, str) else "ok"}
    if len(a) != len(b):
        return {"windows": [len(a), len(b)], "ours": a[0] if a else None, "reference": b[0] if b else None}
    for w, (x, y) in enumerate(zip(a, b)):
        for k in FIELDS:
            if x[k] != y[k]:
                return {"window": w, "field": k, "ours": x[k], "reference": y[k]}
    return None


def compare_batch(bert, path, tok, opt, texts, pairs):
    """Per-input differences (None where equal); coupled batches (padding longest) are compared as a whole."""
    name, args, kw, sides, _ = opt
    ours, ref = run_ours(bert, path, args, texts, pairs), run_reference(tok, kw, sides, texts, pairs)
    if isinstance(ours, str) or isinstance(ref, str):
        if isinstance(ours, str) and isinstance(ref, str) and ours.startswith("ERROR") and ref.startswith("ERROR"):
            return [None] * len(texts)
        if len(texts) == 1:
            return [first_difference(ours if isinstance(ours, str) else ours[0],
                                     ref if isinstance(ref, str) else ref[0])]
        if isinstance(ours, str) and ours == setup_error(bert, path, args, pairs[0] is not None):
            # Our CLI refuses the options whatever the input: compare that refusal with each reference answer.
            return [first_difference(ours, r if isinstance(r, str) else r[0])
                    for r in (run_reference(tok, kw, sides, [t], [p]) for t, p in zip(texts, pairs))]
        # One input decides the whole batch's error: find it input by input.
        return [compare_batch(bert, path, tok, opt, [t], [p])[0] for t, p in zip(texts, pairs)]
    if len(ours) != len(ref):
        return [{"batch_size": [len(ours), len(ref)]}] * len(texts)
    return [first_difference(a, b) for a, b in zip(ours, ref)]


SETUP_ERRORS = {}


def setup_error(bert, path, args, is_pair):
    """Our CLI's answer on an empty input (pair) with these options: an error here does not depend on the input."""
    key = (path, tuple(args), is_pair)
    if key not in SETUP_ERRORS:
        r = run_ours(bert, path, args, [""], ["" if is_pair else None])
        SETUP_ERRORS[key] = r if isinstance(r, str) else None
    return SETUP_ERRORS[key]


def coupled(opt):
    return opt[2].get("padding") == "longest"


def fails(bert, path, tok, opt, candidates):
    """Which (text, pair) candidates still differ (batched unless padding couples the batch)."""
    if coupled(opt):
        return [compare_batch(bert, path, tok, opt, [t], [p])[0] is not None for t, p in candidates]
    diffs = compare_batch(bert, path, tok, opt, [c[0] for c in candidates], [c[1] for c in candidates])
    return [d is not None for d in diffs]


def minimise(bert, path, tok, opt, text, pair):
    """Greedy code point deletion (chunks, then single code points) on text and pair while the difference stays."""
    cur = (text, pair)
    for _ in range(40):
        cands = []
        for which in (0, 1):
            s = cur[which]
            if not s:
                continue
            for size in sorted({max(len(s) // 2, 1), max(len(s) // 4, 1), 1}, reverse=True):
                for i in range(0, len(s), size):
                    t = s[:i] + s[i + size:]
                    cands.append((t, cur[1]) if which == 0 else (cur[0], t))
        cands = [c for c in dict.fromkeys(cands)][:400]
        if not cands:
            break
        ok = [c for c, f in zip(cands, fails(bert, path, tok, opt, cands)) if f]
        if not ok:
            break
        cur = min(ok, key=lambda c: len(c[0]) + len(c[1] or ""))
    return cur


def specials_of(tok):
    s = list(dict.fromkeys(list(tok.all_special_tokens) + [t.content for t in tok.added_tokens_decoder.values()]))
    return s or ["[CLS]"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bert", default=os.path.join(ROOT, ".build", "release", "bert"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200, help="inputs per (tokenizer, option set)")
    ap.add_argument("--only", default="", help="tokenizer names, comma separated")
    ap.add_argument("--options", default="", help="option-set name prefixes, comma separated")
    ap.add_argument("--out", default="", help="folder for mismatches.jsonl and summary.json")
    ap.add_argument("--max-report", type=int, default=3, help="minimised mismatches per (tokenizer, option set)")
    ap.add_argument("--train-seeds", type=int, default=0,
                    help="also train wordpiece/bpe/unigram tokenizers with bert train-tokenizer on this many seeded "
                         "corpora, compare vocabularies with HF's trainers, and fuzz their folders")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fuzztok-")
    folders = tokenizer_folders(tmp)
    training_problems = []
    folders.update(trained_folders(a.bert, tmp, a.train_seeds, training_problems))
    only = [x for x in a.only.split(",") if x]
    prefixes = [x for x in a.options.split(",") if x]
    total = {"inputs": 0, "runs": 0, "mismatching_inputs": 0, "per_tokenizer": {}}
    report = []
    for tname, path in folders.items():
        if only and tname not in only:
            continue
        tok = load_reference(path)
        specials = specials_of(tok)
        rng = random.Random(f"{a.seed}/{tname}")
        for opt in option_sets(rng):
            oname, _, kw, _, is_pair = opt
            if prefixes and not any(oname.startswith(p) for p in prefixes):
                continue
            if "padding" in kw and tok.pad_token is None:  # transformers refuses to pad without a pad token
                continue
            classes = [CLASSES[i % len(CLASSES)] for i in range(a.count)]
            # Long texts only where windows stay few: at max_length < 5 a long pair's overflow windows (a cross
            # product of both sides' windows) run into the hundreds of thousands on both sides.
            trunc = kw.get("max_length", 0) >= 5
            texts = [long_text(rng, specials) if trunc and rng.random() < 0.5 else gen_input(rng, c, specials)
                     for c in classes]
            pairs = [(long_text(rng, specials) if trunc and rng.random() < 0.5
                      else gen_input(rng, rng.choice(CLASSES), specials)) if is_pair else None for _ in texts]
            diffs = compare_batch(a.bert, path, tok, opt, texts, pairs)
            bad = [i for i, d in enumerate(diffs) if d is not None]
            total["inputs"] += len(texts)
            total["runs"] += 1
            total["mismatching_inputs"] += len(bad)
            per = total["per_tokenizer"].setdefault(tname, {"inputs": 0, "mismatching": 0})
            per["inputs"] += len(texts)
            per["mismatching"] += len(bad)
            print(f"{tname:18} {oname:42} {len(texts):5} inputs  {len(bad):4} mismatching", flush=True)
            seen = set()
            for i in bad[:a.max_report * 4]:
                if len(seen) >= a.max_report:
                    break
                t, p = minimise(a.bert, path, tok, opt, texts[i], pairs[i]) if not coupled(opt) or len(bad) < 50 \
                    else (texts[i], pairs[i])
                if (t, p) in seen:
                    continue
                seen.add((t, p))
                d = compare_batch(a.bert, path, tok, opt, [t], [p])[0]
                rec = {"tokenizer": tname, "options": oname, "args": opt[1], "class": classes[i], "text": t,
                       "pair": p, "difference": d if d is not None else diffs[i],
                       "original": {"text": texts[i], "pair": pairs[i]}}
                report.append(rec)
                print("  MISMATCH " + json.dumps(rec, ensure_ascii=True)[:1500], flush=True)
    total["training_problems"] = training_problems
    print(json.dumps({k: v for k, v in total.items()}, indent=1))
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "mismatches.jsonl"), "w") as f:
            for r in report:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        json.dump(total, open(os.path.join(a.out, "summary.json"), "w"), indent=1)
    shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if total["mismatching_inputs"] or training_problems else 0)


if __name__ == "__main__":
    main()
