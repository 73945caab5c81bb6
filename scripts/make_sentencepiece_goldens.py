#!/usr/bin/env python3
"""Golden files for the SentencePiece side of BERTTokenizers (Unigram, Precompiled, Metaspace, .model files).

Trains small SentencePiece Unigram models offline on the Python documentation corpus
(models/pretraining-text/files, from scripts/fetch-pretraining-text.sh), converts them with transformers'
AlbertTokenizer / XLMRobertaTokenizer (and the generic SentencePiece converter for a byte-fallback model) to
tokenizer.json, and records what `tokenizers` does on a hostile corpus.
Usage: .venv/bin/python scripts/make_sentencepiece_goldens.py

Writes Tests/Fixtures/tokenizers/sentencepiece/:
  albert/            spiece.model + tokenizer_config.json + special_tokens_map.json (the slow files)
  albert.json        the converted fast tokenizer.json (AlbertTokenizer.from_pretrained(albert/))
  xlmr/              sentencepiece.bpe.model + configs;  xlmr.json   (XLMRobertaTokenizer)
  bytefallback.json  a byte_fallback=True model through transformers' generic SentencePiece converter
  nmt_nfkc.charsmap  sentencepiece's full nmt_nfkc precompiled charsmap (raw bytes)
  goldens.json       corpus, pairs, per tokenizer: encodings (singles, pairs, truncated with overflow),
                     decodes; FNV-1a digests over 2,000 seeded random strings; Precompiled alone (nmt_nfkc):
                     normalised strings and per-character original offsets; Metaspace alone for every
                     prepend scheme and split setting (splits, offsets, decoder).
To keep the fixtures small the two converted models use a custom normalisation rule set (NFKC of chosen blocks,
control characters removed, some composing sequences) instead of the 240 KB nmt_nfkc; the Precompiled-alone
goldens use the full nmt_nfkc charsmap.
"""
import base64
import glob
import json
import os
import shutil
import sys
import tempfile
import unicodedata

import sentencepiece as spm
import tokenizers
import transformers
from sentencepiece import sentencepiece_model_pb2 as model_pb2
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers
from tokenizers.models import WordLevel
from unicode_goldens_common import fnv, random_strings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "sentencepiece")
TEXT = os.path.join(ROOT, "models", "pretraining-text", "files")

CORPUS = [
    "",
    "Hello, world!",
    "HeLLo WoRLD, MiXeD CaSe.",
    "Héllo wörld, naïve café, résumé, Ångström, São Paulo, Øresund, Straße, ﬁancé",
    "e\u0301 a\u0308 o\u0302\u0323 combining marks: n\u0303 x\u0336y A\u030a",
    "İstanbul ǅemal ΣΊΣΥΦΟΣ Ωmega ДОБРО пожаловать",
    "我爱北京天安门。中文没有空格，日本語の文章です。",
    "𠀀𠀁 CJK extension B and 〇 and 㐀 and 豈",
    "한국어 문장입니다. 안녕하세요!",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "العربية: مرحبا بالعالم، كيف حالك؟ עברית שלום",
    "हिन्दी भाषा में स्वागत है।",
    "emoji 😀😂👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 heart ❤️ 🥰",
    "control\u0000chars\u0001here\u0007 and \ufffd replacement \u200b zero\u200dwidth \u2060joiner \ufeffbom",
    "soft\u00adhyphen and bidi \u202egnirts\u202c and \u2028line sep",
    "a" * 101 + " short " + "b" * 100,
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "https://example.com/path?q=1&r=two#frag user@example.org C:\\Windows\\system32",
    "def f(x): return x**2 + {'a': [1, 2]}  // comment /* block */ <div class=\"x\">",
    "3.14159 1,000,000 $42.50 -7e-3 50% 10/12/2023 12:30pm #1 @user ~tilde^caret",
    "tabs\tand\tnewlines\nand\r\nwindows\u00a0nbsp\u3000ideographic\u2003em  double   triple",
    "   leading and trailing spaces   ",
    "\t\n  \r\n ",
    "ﬁ ﬂ ﬃ ① ② ⑳ ㈱ ㍻ Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ｶﾀｶﾅ ℌ ℍ ™ ½ x² H₂O",
    "``quoted'' and ``more'' text '' `` `x` 'y'",
    "Print the list: for x in range(10): print(x) # the tutorial says so",
    "[CLS] [SEP] [MASK] <s> </s> <pad> <unk> <mask> literal special tokens",
    "<0x41> <0xE2> looks like a byte piece",
    "▁ already ▁ has ▁▁ metaspace",
    " ".join(["word"] * 60),
    "Ǆ ǆ ǅ Ⅻ ⅻ ℃ ℉ Å K ﬀ ﬅ ﬆ",
    "\u0301leading combining, e\u0301\u0301 double, \u1100\u1161\u11a8 jamo",
]
PAIRS = [
    ("What does the tutorial say?", "The tutorial says that Python is an easy to learn, powerful programming language."),
    ("Héllo ﬁancé", "wörld ① ＡＢＣ"),
    ("", "empty first"),
    ("x", ""),
    ("emoji 👨‍👩‍👧‍👦", "中文没有空格 and more words to fill the window up nicely for the overflow cases"),
]


def canonical(encoding, decoded):
    ids = " ".join(map(str, encoding.ids))
    offsets = " ".join(f"{a},{b}" for a, b in encoding.offsets)
    return f"{ids};{offsets};{decoded}"


def small_rules():
    """A normalisation rule TSV: NFKC of chosen blocks, controls removed, tab/newline to space, compositions."""
    rules = {}
    blocks = [(0x1, 0x1F), (0x7F, 0x17F), (0x1F0, 0x24F), (0x2000, 0x206F), (0x2100, 0x218F), (0x2460, 0x24FF),
              (0x3000, 0x303F), (0x3200, 0x33FF), (0xFB00, 0xFB4F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
              (0x1D400, 0x1D4FF)]
    for lo, hi in blocks:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            if cp in (0x9, 0xA, 0xD):
                rules[(cp,)] = (0x20,)
            elif unicodedata.category(c) == "Cc" or cp in (0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF):
                rules[(cp,)] = ()
            elif unicodedata.normalize("NFKC", c) != c:
                rules[(cp,)] = tuple(ord(x) for x in unicodedata.normalize("NFKC", c))
    for base in "aeiouncyAEIOUNCY":
        for mark in (0x300, 0x301, 0x302, 0x303, 0x308, 0x30A, 0x327):
            composed = unicodedata.normalize("NFC", base + chr(mark))
            if len(composed) == 1:
                rules[(ord(base), mark)] = (ord(composed),)
    lines = []
    for src, dst in sorted(rules.items()):
        lines.append(" ".join(f"{c:X}" for c in src) + "\t" + " ".join(f"{c:X}" for c in dst))
    return "\n".join(lines) + "\n"


def train(workdir, prefix, **kwargs):
    files = sorted(glob.glob(os.path.join(TEXT, "*.txt")))
    if not files:
        sys.exit(f"no text under {TEXT}: run scripts/fetch-pretraining-text.sh")
    text = os.path.join(workdir, "input.txt")
    with open(text, "w", encoding="utf-8") as f:
        for name in files:
            with open(name, encoding="utf-8") as g:
                f.write(g.read())
    spm.SentencePieceTrainer.train(input=text, model_prefix=os.path.join(workdir, prefix), model_type="unigram",
                                   vocab_size=kwargs.pop("vocab_size", 1500), character_coverage=0.995,
                                   num_threads=1, minloglevel=2, **kwargs)
    return os.path.join(workdir, prefix + ".model")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def enc_dict(e, with_overflow=True, tokens=True):
    d = {"ids": e.ids, "type_ids": e.type_ids, "attention_mask": e.attention_mask,
         "special_tokens_mask": e.special_tokens_mask, "offsets": [list(o) for o in e.offsets]}
    if tokens:
        d["tokens"] = e.tokens
    if with_overflow:
        d["overflowing"] = [enc_dict(o, False, False) for o in e.overflowing]
    return d


def block_digests(rows, block=10):
    """One FNV-1a digest per block of `block` canonical rows (keeps the file small, still localises a miss)."""
    return [fnv("\n".join(rows[i:i + block])) for i in range(0, len(rows), block)]


def goldens_for(path, randoms):
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    singles = [enc_dict(e, False) for e in tok.encode_batch(CORPUS)]
    decoded = [tok.decode(e.ids, skip_special_tokens=False) for e in tok.encode_batch(CORPUS)]
    decoded_skip = [tok.decode(e.ids) for e in tok.encode_batch(CORPUS)]
    pairs = [enc_dict(e, False) for e in tok.encode_batch(PAIRS)]
    no_special = [e.ids for e in tok.encode_batch(CORPUS, add_special_tokens=False)]
    truncated = []
    for strategy, max_length, stride in [("longest_first", 12, 3), ("only_second", 14, 2), ("only_first", 10, 0)]:
        tok.enable_truncation(max_length, stride=stride, strategy=strategy)
        rows = []
        for pair in PAIRS + [(CORPUS[3], None), (CORPUS[16], None)]:
            try:
                e = tok.encode(pair[0], pair[1]) if pair[1] is not None else tok.encode(pair[0])
                rows.append(enc_dict(e, tokens=False))
            except BaseException as error:  # noqa: BLE001 - tokenizers refuses (a pyo3 PanicException)
                rows.append({"error": str(error)})
        truncated.append({"strategy": strategy, "max_length": max_length, "stride": stride, "rows": rows})
    tok.no_truncation()
    digests = block_digests([canonical(e, tok.decode(e.ids, skip_special_tokens=False))
                             for e in tok.encode_batch(randoms)])
    pair_digests = block_digests([canonical(e, "") for e in tok.encode_batch(list(zip(randoms[::2], randoms[1::2])))])
    return {"singles": singles, "decoded": decoded, "decoded_skip_special": decoded_skip, "pairs": pairs,
            "no_special": no_special, "truncated": truncated, "random_digests": digests,
            "random_pair_digests": pair_digests}


def precompiled_goldens(charsmap, texts, randoms):
    """Precompiled alone, seen through a tokenizer that makes every normalised character one token."""
    tok = Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.normalizer = normalizers.Precompiled(charsmap)
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("(?m)."), behavior="isolated")

    def one(text):
        normalized = tok.normalizer.normalize_str(text)
        offsets = [list(o) for o in tok.encode(text).offsets]
        return normalized, offsets
    rows = [dict(zip(("normalized", "offsets"), one(t))) for t in texts]
    canon = []
    for text in randoms:
        normalized, offsets = one(text)
        canon.append(normalized + ";" + " ".join(f"{a},{b}" for a, b in offsets))
    return {"rows": rows, "random_digests": block_digests(canon)}


METASPACE_TEXTS = [0, 1, 3, 12, 13, 20, 21, 22, 25, 28]


def metaspace_goldens(texts):
    """Metaspace alone (after WhitespaceSplit, so later words start past offset 0) for every prepend scheme and
    split setting: pre_tokenize_str splits and offsets, and the decoder on the resulting pieces."""
    out = []
    for scheme in ("always", "first", "never"):
        for split in (True, False):
            pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                           pre_tokenizers.Metaspace(replacement="▁", prepend_scheme=scheme, split=split)])
            alone = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme=scheme, split=split)
            decoder = decoders.Metaspace(replacement="▁", prepend_scheme=scheme, split=split)
            rows = []
            for text in texts:
                pieces = pre.pre_tokenize_str(text)
                rows.append({"after_whitespace_split": [[p, list(o)] for p, o in pieces],
                             "alone": [[p, list(o)] for p, o in alone.pre_tokenize_str(text)],
                             "decoded": decoder.decode([p for p, _ in pieces])})
            out.append({"prepend_scheme": scheme, "split": split, "rows": rows})
    return out


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    randoms = random_strings(20261205, 2000, space_rate=0.25)
    # A fixed work folder: the .model files record their training input path, so a fixed one keeps re-runs
    # byte-identical.
    work = os.path.join(tempfile.gettempdir(), "swift-bert-sentencepiece-goldens")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rules = os.path.join(work, "rules.tsv")
    with open(rules, "w", encoding="utf-8") as f:
        f.write(small_rules())
    # ALBERT layout: <pad>=0 <unk>=1 [CLS]=2 [SEP]=3, [MASK] user-defined.
    albert_model = train(work, "albert", pad_id=0, unk_id=1, bos_id=2, eos_id=3, bos_piece="[CLS]",
                         eos_piece="[SEP]", user_defined_symbols=["[MASK]"], normalization_rule_tsv=rules)
    # fairseq / XLM-R layout: <unk>=0 <s>=1 </s>=2 (the converter shifts by one and adds <pad>, <mask>).
    xlmr_model = train(work, "xlmr", normalization_rule_tsv=rules)
    bytes_model = train(work, "bytes", byte_fallback=True, normalization_rule_tsv=rules, vocab_size=1200)
    full_model = train(work, "full", vocab_size=500)

    folder = os.path.join(OUT, "albert")
    os.makedirs(folder)
    shutil.copy(albert_model, os.path.join(folder, "spiece.model"))
    write_json(os.path.join(folder, "tokenizer_config.json"),
               {"tokenizer_class": "AlbertTokenizer", "do_lower_case": True, "keep_accents": False,
                "model_max_length": 512})
    write_json(os.path.join(folder, "special_tokens_map.json"),
               {"bos_token": "[CLS]", "eos_token": "[SEP]", "unk_token": "<unk>", "sep_token": "[SEP]",
                "pad_token": "<pad>", "cls_token": "[CLS]", "mask_token": "[MASK]"})
    albert = transformers.AlbertTokenizer.from_pretrained(folder)
    albert.backend_tokenizer.save(os.path.join(OUT, "albert.json"))

    folder = os.path.join(OUT, "xlmr")
    os.makedirs(folder)
    shutil.copy(xlmr_model, os.path.join(folder, "sentencepiece.bpe.model"))
    write_json(os.path.join(folder, "tokenizer_config.json"),
               {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512})
    write_json(os.path.join(folder, "special_tokens_map.json"),
               {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"})
    xlmr = transformers.XLMRobertaTokenizer.from_pretrained(folder)
    xlmr.backend_tokenizer.save(os.path.join(OUT, "xlmr.json"))

    from transformers.convert_slow_tokenizer import SpmConverter
    proto = model_pb2.ModelProto()
    with open(bytes_model, "rb") as f:
        proto.ParseFromString(f.read())
    generic = SpmConverter.build_tokenizer_from_spm_proto(proto, [(p.piece, p.score) for p in proto.pieces])
    generic.save(os.path.join(OUT, "bytefallback.json"))

    proto = model_pb2.ModelProto()
    with open(full_model, "rb") as f:
        proto.ParseFromString(f.read())
    charsmap = proto.normalizer_spec.precompiled_charsmap
    with open(os.path.join(OUT, "nmt_nfkc.charsmap"), "wb") as f:
        f.write(charsmap)

    shutil.rmtree(work, ignore_errors=True)
    goldens = {
        "README": "made by scripts/make_sentencepiece_goldens.py; see its docstring",
        "versions": {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
                     "sentencepiece": spm.__version__},
        "corpus": CORPUS, "pairs": [list(p) for p in PAIRS], "random": randoms,
        "tokenizers": {name: goldens_for(os.path.join(OUT, name + ".json"), randoms)
                       for name in ("albert", "xlmr", "bytefallback")},
        "precompiled": precompiled_goldens(charsmap, CORPUS, randoms),
        "metaspace": metaspace_goldens([CORPUS[i] for i in METASPACE_TEXTS]),
        "metaspace_texts": METASPACE_TEXTS,
    }
    write_json(os.path.join(OUT, "goldens.json"), goldens)
    print("versions:", goldens["versions"], file=sys.stderr)


if __name__ == "__main__":
    main()
