#!/usr/bin/env python3
"""Golden files for BERTTokenizers: Hugging Face `tokenizers` and `transformers` on a hard corpus.

Reads models/all-MiniLM-L6-v2 (bert-base-uncased's vocab.txt and tokenizer.json; run scripts/fetch-models.sh)
and writes Tests/Fixtures/tokenizers/*.json. Usage: .venv/bin/python scripts/make_tokenizer_goldens.py

Files:
  corpus.json          the texts and pairs (seeded, deterministic)
  encodings.json       per normalizer setting, every corpus text through `tokenizers.Tokenizer` built from
                       tokenizer.json with its normalizer replaced (no truncation, no padding)
  file_defaults.json   tokenizer.json used as shipped (its truncation 128 / padding Fixed 128 sections apply)
  vocab_txt.json       transformers.BertTokenizer(Fast).from_pretrained on a folder holding only vocab.txt +
                       tokenizer_config.json + special_tokens_map.json, for several kwargs
  pairs.json           pairs under every truncation strategy x max_length x stride, with overflow windows
                       (an "error" entry where HF refuses), through tokenizers and through transformers (QA call)
  padding.json         batches under padding longest / fixed / multiple-of, left and right
  decode.json          tokenizers' decode and transformers' decode (skip_special_tokens x clean_up_tokenization_spaces)
  added_tokens.json    extra added tokens with lstrip / rstrip / single_word / normalized flags
"""
import json
import os
import shutil
import tempfile

import tokenizers
import transformers
from tokenizers import AddedToken, Tokenizer
from tokenizers.normalizers import BertNormalizer
from unicode_goldens_common import plane_sweep, random_strings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
os.makedirs(OUT, exist_ok=True)

LONG = "a" * 101
LONG_OK = "b" * 100
CORPUS = [
    "",
    "Hello, world!",
    "HeLLo WoRLD, MiXeD CaSe.",
    "Héllo wörld, naïve café, résumé, Ångström, São Paulo, Øresund, Straße, ﬁancé",
    "e\u0301 a\u0308 o\u0302\u0323 combining marks: n\u0303 x\u0336y",
    "İstanbul ǅemal ΣΊΣΥΦΟΣ Ωmega ДОБРО пожаловать",
    "我爱北京天安门。中文没有空格，日本語の文章です。",
    "𠀀𠀁 CJK extension B and 〇 and 㐀 and 豈",
    "한국어 문장입니다. 안녕하세요!",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "العربية: مرحبا بالعالم، كيف حالك؟",
    "हिन्दी भाषा में स्वागत है।",
    "emoji 😀😂👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 heart ❤️ 🥰",
    "control\u0000chars\u0001here\u0007 and \ufffd replacement \u200b zero\u200dwidth \u2060joiner \ufeffbom",
    "soft\u00adhyphen and bidi \u202egnirts\u202c and \u2028line sep",
    LONG + " short " + LONG_OK,
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "https://example.com/path?q=1&r=two#frag user@example.org C:\\Windows\\system32",
    "def f(x): return x**2 + {'a': [1, 2]}  // comment /* block */ <div class=\"x\">",
    "3.14159 1,000,000 $42.50 -7e-3 50% 10/12/2023 12:30pm #1 @user ~tilde^caret",
    "tabs\tand\tnewlines\nand\r\nwindows\u00a0nbsp\u3000ideographic\u2003em  double   triple",
    "   leading and trailing spaces   ",
    "The [MASK] sat on the [SEP] mat [CLS] with [PAD] and [UNK].",
    "[MASK][MASK]x[SEP]y [mask] [ MASK ] [MASK",
    "Don't stop, we're here. It's John's! Isn't it? I'm sure they've gone.",
    "punctuation¡¿«»—–…‘’“”„†‡•‰′″‹›‼⁇",
    "math ∑∫√∞≈≠≤≥ and symbols © ® ™ ° ± § ¶ µ",
    "fullwidth ＡＢＣ１２３！ and halfwidth ｶﾀｶﾅ",
    "ﬀ ﬃ ǆ Ⅻ ① ² ½ ℌ ℍ ℡",
    "Ǳ ǲ ǳ ẞ ß ϴ ς σ Σ",
    "a",
    ".",
    "\u0301",
    " \u0301 ",
    "x" * 40 + "y" * 40 + "z" * 21,
    "unbelievably unaffable tokenization", 
    "Mixed中文and English混合text",
    "newline at end\n",
]

PAIRS = [
    ("Who wrote it?", "The book was written by Jane Austen in 1813 and published in London by Thomas Egerton."),
    ("What is the capital of France?", "Paris is the capital and most populous city of France, with an estimated population of 2,102,650."),
    ("short", "also short"),
    ("A very long first sequence with many many words that keeps going and going past the limit", "tiny"),
    ("Héllo wörld", "我爱北京天安门。"),
    ("", "empty first"),
    ("x", ""),
    ("[MASK] question [SEP]", "context with [MASK] tokens inside and some more words to fill the window up nicely"),
]


CORPUS += random_strings(1234, 12, max_length=40)

NORMALIZERS = {
    "uncased": dict(lowercase=True, strip_accents=None),
    "uncased_strip_false": dict(lowercase=True, strip_accents=False),
    "uncased_strip_true": dict(lowercase=True, strip_accents=True),
    "cased": dict(lowercase=False, strip_accents=None),
    "cased_strip_true": dict(lowercase=False, strip_accents=True),
    "cased_strip_false": dict(lowercase=False, strip_accents=False),
    "uncased_no_chinese": dict(lowercase=True, strip_accents=None, handle_chinese_chars=False),
    "no_clean": dict(lowercase=True, strip_accents=None, clean_text=False),
}


def enc_dict(e, with_overflow=True):
    d = {
        "ids": e.ids, "type_ids": e.type_ids, "attention_mask": e.attention_mask,
        "special_tokens_mask": e.special_tokens_mask, "offsets": [list(o) for o in e.offsets],
        "tokens": e.tokens, "word_ids": [-1 if w is None else w for w in e.word_ids],
    }
    if with_overflow:
        d["overflowing"] = [enc_dict(o, False) for o in e.overflowing]
    return d


def base_tokenizer(**norm):
    tok = Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    if norm:
        args = dict(clean_text=True, handle_chinese_chars=True)
        args.update(norm)
        tok.normalizer = BertNormalizer(**args)
    return tok


def dump(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))


dump("corpus.json", {"texts": CORPUS, "pairs": [list(p) for p in PAIRS]})

# 1. Every normalizer setting over the corpus, singles (with and without special tokens).
enc = {}
for name, norm in NORMALIZERS.items():
    tok = base_tokenizer(**norm)
    full = name == "uncased"
    rows = []
    for t in CORPUS:
        e = tok.encode(t)
        if full:
            rows.append(enc_dict(e, False))
        else:
            rows.append({"ids": e.ids, "offsets": [list(o) for o in e.offsets], "tokens": e.tokens})
    entry = {"normalizer": norm, "encodings": rows}
    if full:
        entry["no_special"] = [tok.encode(t, add_special_tokens=False).ids for t in CORPUS]
    enc[name] = entry
dump("encodings.json", enc)

# 2. tokenizer.json exactly as shipped (truncation and padding sections active).
tok = Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
dump("file_defaults.json", {"texts": CORPUS[:6] + [LONG_OK + " " + " ".join(["word"] * 150)],
                            "encodings": [enc_dict(tok.encode(t)) for t in CORPUS[:6] + [LONG_OK + " " + " ".join(["word"] * 150)]]})

# 3. transformers from vocab.txt + tokenizer_config.json + special_tokens_map.json.
tmp = tempfile.mkdtemp()
for f in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]:
    shutil.copy(os.path.join(MODEL, f), tmp)
vt = {}
for name, kwargs in {"default": {}, "cased": {"do_lower_case": False}, "cased_strip": {"do_lower_case": False, "strip_accents": True},
                     "uncased_keep_accents": {"strip_accents": False}, "no_chinese": {"tokenize_chinese_chars": False}}.items():
    for cls in (transformers.BertTokenizerFast, transformers.BertTokenizer):
        t = cls.from_pretrained(tmp, **kwargs)
        rows = []
        for text in CORPUS:
            b = t(text, return_offsets_mapping=True, return_special_tokens_mask=True)
            rows.append({"ids": b["input_ids"], "offsets": [list(o) for o in b["offset_mapping"]],
                         "special_tokens_mask": b["special_tokens_mask"]})
        key = f"{name}/{cls.__name__}"
        vt[key] = {"kwargs": kwargs, "model_max_length": t.model_max_length, "encodings": rows}
shutil.rmtree(tmp)
dump("vocab_txt.json", vt)

# 4. Pairs under every truncation strategy, max_length and stride, with overflow windows.
tok = base_tokenizer()
pair_cases = []
for strategy in ["longest_first", "only_first", "only_second"]:
    for max_length in [5, 8, 13, 24]:
        for stride in [0, 2, 5]:
            for direction in ["right", "left"]:
                if direction == "left" and max_length not in (8, 13):
                    continue
                try:
                    tok.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
                except ValueError as ex:  # HF refuses stride >= max_length - added special tokens up front
                    pair_cases.append({"strategy": strategy, "max_length": max_length, "stride": stride,
                                       "direction": direction, "config_error": str(ex)[:160]})
                    continue
                rows = []
                for a, b in PAIRS:
                    try:
                        rows.append(enc_dict(tok.encode(a, b)))
                    except BaseException as ex:  # PanicException for stride >= max_len derives from BaseException
                        rows.append({"error": type(ex).__name__ + ": " + str(ex)[:120]})
                singles = []
                for t in CORPUS[1:7]:
                    try:
                        singles.append(enc_dict(tok.encode(t)))
                    except BaseException as ex:
                        singles.append({"error": type(ex).__name__ + ": " + str(ex)[:120]})
                pair_cases.append({"strategy": strategy, "max_length": max_length, "stride": stride,
                                   "direction": direction, "pairs": rows, "singles": singles})
tok.no_truncation()
qa = []
tf = transformers.BertTokenizerFast.from_pretrained(MODEL)
for max_length, stride in [(24, 8), (32, 4), (16, 3)]:
    qs = [p[0] for p in PAIRS[:2]]
    cs = [p[1] for p in PAIRS[:2]]
    b = tf(qs, cs, truncation="only_second", max_length=max_length, stride=stride, return_overflowing_tokens=True,
           return_offsets_mapping=True, padding="max_length", return_special_tokens_mask=True)
    qa.append({"max_length": max_length, "stride": stride, "input_ids": b["input_ids"],
               "token_type_ids": b["token_type_ids"], "attention_mask": b["attention_mask"],
               "special_tokens_mask": b["special_tokens_mask"],
               "offset_mapping": [[list(o) for o in row] for row in b["offset_mapping"]],
               "overflow_to_sample_mapping": b["overflow_to_sample_mapping"],
               "sequence_ids": [[-1 if x is None else x for x in b.sequence_ids(i)] for i in range(len(b["input_ids"]))]})
dump("pairs.json", {"cases": pair_cases, "transformers_qa": qa})

# 5. Padding.
pad_cases = []
batch = ["short", "a somewhat longer sentence here", "", "我爱北京"]
for strategy in [("longest", None, None), ("fixed", 12, None), ("longest", None, 8), ("fixed", 3, None), ("fixed", 10, 4)]:
    for direction in ["right", "left"]:
        tok = base_tokenizer()
        kind, length, multiple = strategy
        tok.enable_padding(direction=direction, pad_id=0, pad_type_id=0, pad_token="[PAD]", length=length,
                           pad_to_multiple_of=multiple)
        pad_cases.append({"kind": kind, "length": length, "multiple": multiple, "direction": direction,
                          "singles": [enc_dict(e, False) for e in tok.encode_batch(batch)],
                          "pairs": [enc_dict(e, False) for e in tok.encode_batch([("q one", "context"), ("q", "a much longer context sentence")])]})
tok = base_tokenizer()
tok.enable_truncation(10, stride=3, strategy="longest_first")
tok.enable_padding(direction="right", pad_token="[PAD]")
pad_with_overflow = [enc_dict(e) for e in tok.encode_batch(["one two three four five six seven eight nine ten eleven twelve", "hi"])]
dump("padding.json", {"batch": batch, "cases": pad_cases, "overflow_batch": pad_with_overflow})

# 6. Decoding.
tok = base_tokenizer()
tt = transformers.BertTokenizerFast.from_pretrained(MODEL)
dec = []
for t in CORPUS:
    ids = tok.encode(t).ids
    dec.append({"ids": ids,
                "tokenizers": [tok.decode(ids, skip_special_tokens=False), tok.decode(ids, skip_special_tokens=True)],
                "transformers": {f"{s}/{c}": tt.decode(ids, skip_special_tokens=s, clean_up_tokenization_spaces=c)
                                 for s in (False, True) for c in (False, True)}})
extra = [[7592, 1010, 2088, 999], [2123, 1005, 1056, 2644, 1012], [1045, 1005, 1049, 2182, 1029],
         [2009, 1005, 1055, 2026, 2123, 1005, 1056], [1996, 2025, 1011, 2000, 1011, 1012], [2079, 2025, 2175]]
for ids in extra:
    dec.append({"ids": ids,
                "tokenizers": [tok.decode(ids, skip_special_tokens=False), tok.decode(ids, skip_special_tokens=True)],
                "transformers": {f"{s}/{c}": tt.decode(ids, skip_special_tokens=s, clean_up_tokenization_spaces=c)
                                 for s in (False, True) for c in (False, True)}})
dump("decode.json", {"cases": dec})

# 7. Added tokens with flags.
tok = base_tokenizer()
added = [
    {"content": "<ent>", "lstrip": True, "rstrip": True, "single_word": False, "normalized": False, "special": False},
    {"content": "hello world", "lstrip": False, "rstrip": False, "single_word": True, "normalized": False, "special": False},
    {"content": "Foo", "lstrip": False, "rstrip": False, "single_word": False, "normalized": True, "special": False},
    {"content": "<sp>", "lstrip": False, "rstrip": False, "single_word": False, "normalized": False, "special": True},
    {"content": "[MASK]x", "lstrip": False, "rstrip": False, "single_word": False, "normalized": False, "special": False},
]
for a in added:
    at = AddedToken(a["content"], lstrip=a["lstrip"], rstrip=a["rstrip"], single_word=a["single_word"],
                    normalized=a["normalized"], special=a["special"])
    (tok.add_special_tokens if a["special"] else tok.add_tokens)([at])
texts = ["a <ent> b", "a<ent>b", "x  <ent>  y", "hello world", "say hello world!", "xhello world", "hello worlds",
         "FOO foo Foo fOo", "<sp><sp> <sp>", "[MASK]x [MASK] [MASK]xy", "Héllo <ent>wörld Foo<sp>"]
rows = []
for t in texts:
    e = tok.encode(t)
    rows.append({"text": t, **enc_dict(e, False),
                 "decoded": [tok.decode(e.ids, skip_special_tokens=False), tok.decode(e.ids, skip_special_tokens=True)]})
dump("added_tokens.json", {"added": added, "ids": [tok.token_to_id(a["content"]) for a in added], "cases": rows})

# 8. A wider random sweep (every plane, weighted to the tricky blocks) for the normaliser tables.
sweep = plane_sweep(99, 300)
sweep_out = {"texts": sweep}
for name in ["uncased", "cased_strip_true", "uncased_strip_false"]:
    tok = base_tokenizer(**NORMALIZERS[name])
    sweep_out[name] = [{"ids": e.ids, "offsets": [list(o) for o in e.offsets]} for e in map(tok.encode, sweep)]
dump("random_sweep.json", sweep_out)

print("tokenizers", tokenizers.__version__, "transformers", transformers.__version__)
for f in sorted(os.listdir(OUT)):
    print(f, os.path.getsize(os.path.join(OUT, f)))
