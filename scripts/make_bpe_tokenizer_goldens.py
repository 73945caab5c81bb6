#!/usr/bin/env python3
"""Golden files for BERTTokenizers' byte-level BPE and generic components, from Hugging Face `tokenizers`.

Trains a small byte-level BPE (vocab 2,000) on models/pretraining-text (scripts/fetch-pretraining-text.sh) and
lays it out as RoBERTa does, through transformers' RobertaTokenizer on the slow files; then records what
`tokenizers` does with it on the hostile corpus of make_tokenizer_goldens.py plus extra cases.
Usage: .venv/bin/python scripts/make_bpe_tokenizer_goldens.py

Writes Tests/Fixtures/tokenizers/bpe/:
  roberta/             tokenizer.json (transformers' conversion), vocab.json, merges.txt, tokenizer_config.json
  roberta_lstrip/      the slow files with tokenizer_config.json giving <mask> lstrip (added_tokens_decoder)
  encodings.json       corpus texts and pairs: ids, type ids, masks, offsets, tokens, word ids, decoded strings,
                       for tokenizer.json and for transformers on the slow folders
  truncation.json      pairs and long texts under truncation with stride (overflow windows)
  sweep.json           2,000 seeded random strings over all planes: per string the token count and an FNV-1a
                       digest of ids, offsets and the decoded string (full encodings would be megabytes)
  components.json      every generic normaliser / pre-tokeniser / decoder / post-processor option on the corpus
  bpe_options.json     a small BPE (prefix ##, suffix </w>, <unk>) and its fuse_unk / ignore_merges / no-unk /
                       byte_fallback variants on the corpus
"""
import glob
import json
import os
import shutil
import tempfile

import tokenizers
import transformers
from tokenizers import ByteLevelBPETokenizer, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import BPE
from unicode_goldens_common import plane_sweep

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "bpe")
os.makedirs(OUT, exist_ok=True)

corpus = json.load(open(os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "corpus.json"), encoding="utf-8"))
TEXTS = corpus["texts"] + [
    "line one\r\nline two\rline three\n\n\nend",
    "    four leading spaces and  two   three    four",
    "שלום עולם, مرحبا‎ mixed RTL ‏marks‎ 123",
    "x" * 300 + " " + "é" * 50 + "😀" * 20,
    "it's 'quoted' 'S 'LL we'll you'd I'M",
    "The <mask> sat on the<mask>mat. <s> </s> <pad> <unk>",
    "tab\there\u000bvt\u000cff\u0085nel",
    "\u0000\u0001\u007f\u0080\u009f",
    "👩🏽‍💻 👨‍👨‍👧 🏳️‍🌈 🧑‍🤝‍🧑",
    "1234567890 ١٢٣ ௧௨ ½ Ⅷ",
    " ",
    "",
]
PAIRS = [list(p) for p in corpus["pairs"]] + [["<mask> a", "b <mask>"], ["", ""], ["CRLF\r\n", "  spaced  "]]


def enc_dict(e, with_overflow=True):
    d = {"ids": e.ids, "type_ids": e.type_ids, "attention_mask": e.attention_mask,
         "special_tokens_mask": e.special_tokens_mask, "offsets": [list(o) for o in e.offsets],
         "tokens": e.tokens, "word_ids": [-1 if w is None else w for w in e.word_ids]}
    if with_overflow:
        d["overflowing"] = [enc_dict(o, False) for o in e.overflowing]
    return d


def dump(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))


# 1. Train and lay out as RoBERTa (the slow files, then transformers' conversion to tokenizer.json).
files = sorted(glob.glob(os.path.join(ROOT, "models", "pretraining-text", "files", "*.txt")))
assert files, "run scripts/fetch-pretraining-text.sh first"
trained = ByteLevelBPETokenizer()
trained.train(files, vocab_size=2000, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
              show_progress=False)
roberta = os.path.join(OUT, "roberta")
shutil.rmtree(roberta, ignore_errors=True)
os.makedirs(roberta)
trained.save_model(roberta)
with open(os.path.join(roberta, "tokenizer_config.json"), "w") as f:
    json.dump({"tokenizer_class": "RobertaTokenizer", "model_max_length": 512}, f)
slow = transformers.AutoTokenizer.from_pretrained(roberta)
tmp = tempfile.mkdtemp()
slow.save_pretrained(tmp)
shutil.copy(os.path.join(tmp, "tokenizer.json"), os.path.join(roberta, "tokenizer.json"))
shutil.rmtree(tmp)

lstrip = os.path.join(OUT, "roberta_lstrip")
shutil.rmtree(lstrip, ignore_errors=True)
os.makedirs(lstrip)
for name in ["vocab.json", "merges.txt"]:
    shutil.copy(os.path.join(roberta, name), lstrip)
with open(os.path.join(lstrip, "tokenizer_config.json"), "w") as f:
    json.dump({"tokenizer_class": "RobertaTokenizer", "add_prefix_space": True, "trim_offsets": True,
               "added_tokens_decoder": {"4": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False,
                                              "single_word": False, "special": True}}}, f)
slow_lstrip = transformers.AutoTokenizer.from_pretrained(lstrip)

tok = Tokenizer.from_file(os.path.join(roberta, "tokenizer.json"))


def transformers_rows(t):
    rows = []
    for text in TEXTS:
        e = t(text, return_offsets_mapping=True, return_special_tokens_mask=True)
        rows.append({"ids": e["input_ids"], "offsets": [list(o) for o in e["offset_mapping"]],
                     "special_tokens_mask": e["special_tokens_mask"]})
    return rows


singles = []
for text in TEXTS:
    e = tok.encode(text)
    singles.append({**enc_dict(e), "decoded": [tok.decode(e.ids, skip_special_tokens=False),
                                               tok.decode(e.ids, skip_special_tokens=True)]})
pairs = [enc_dict(tok.encode(a, b)) for a, b in PAIRS]
dump("encodings.json", {"texts": TEXTS, "pairs": PAIRS, "single": singles, "pair": pairs,
                        "transformers_slow": transformers_rows(slow),
                        "transformers_slow_lstrip": transformers_rows(slow_lstrip)})

# 2. Truncation with stride and overflow windows.
cases = []
for strategy in ["longest_first", "only_first", "only_second"]:
    for max_length, stride in [(12, 0), (16, 4), (24, 6)]:
        t = Tokenizer.from_file(os.path.join(roberta, "tokenizer.json"))
        t.enable_truncation(max_length, stride=stride, strategy=strategy)
        for a, b in PAIRS[:5]:
            try:
                cases.append({"strategy": strategy, "max_length": max_length, "stride": stride, "a": a, "b": b,
                              **enc_dict(t.encode(a, b))})
            except BaseException as err:  # noqa: BLE001 (pyo3 panics are BaseException)
                cases.append({"strategy": strategy, "max_length": max_length, "stride": stride, "a": a, "b": b,
                              "error": str(err)})
        if strategy == "longest_first":
            for text in TEXTS[14:20]:
                cases.append({"strategy": strategy, "max_length": max_length, "stride": stride, "a": text,
                              **enc_dict(t.encode(text))})
dump("truncation.json", {"cases": cases})

# 3. The random sweep, as digests.
MASK = (1 << 64) - 1


def fnv(values, h=0xCBF29CE484222325):
    for v in values:
        h = ((h ^ (v & MASK)) * 0x100000001B3) & MASK
    return h


sweep = plane_sweep(2024, 2000)
digests = []
for text in sweep:
    e = tok.encode(text)
    flat = [v for o in e.offsets for v in o]
    decoded = list(tok.decode(e.ids, skip_special_tokens=True).encode("utf-8"))
    digests.append([len(e.ids), "%016x" % fnv(e.ids), "%016x" % fnv(flat), "%016x" % fnv(decoded)])
dump("sweep.json", {"seed": 2024, "generator": "scripts/unicode_goldens_common.py plane_sweep", "texts": sweep, "digests": digests})

# 4. Per-component goldens.
COMP_TEXTS = TEXTS[:15] + TEXTS[16:24] + TEXTS[50:53] + TEXTS[54:] + sweep[:12]
NORMALIZERS = {
    "nfc": normalizers.NFC(), "nfd": normalizers.NFD(), "nfkc": normalizers.NFKC(), "nfkd": normalizers.NFKD(),
    "lowercase": normalizers.Lowercase(), "strip_both": normalizers.Strip(), "strip_left": normalizers.Strip(True, False),
    "strip_right": normalizers.Strip(False, True), "strip_accents": normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents()]),
    "replace_string": normalizers.Replace("  ", " "), "replace_regex": normalizers.Replace(Regex(r"\s+"), "_"),
    "replace_delete": normalizers.Replace(Regex(r"[aeiou]"), ""), "prepend": normalizers.Prepend("▁"),
    "bert": normalizers.BertNormalizer(), "sequence": normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip()]),
}
PRE_TOKENIZERS = {
    "byte_level": pre_tokenizers.ByteLevel(add_prefix_space=True), "byte_level_no_prefix": pre_tokenizers.ByteLevel(add_prefix_space=False),
    "byte_level_no_regex": pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    "whitespace": pre_tokenizers.Whitespace(), "whitespace_split": pre_tokenizers.WhitespaceSplit(),
    "punctuation_isolated": pre_tokenizers.Punctuation(), "punctuation_removed": pre_tokenizers.Punctuation("removed"),
    "punctuation_previous": pre_tokenizers.Punctuation("merged_with_previous"),
    "punctuation_next": pre_tokenizers.Punctuation("merged_with_next"), "punctuation_contiguous": pre_tokenizers.Punctuation("contiguous"),
    "digits": pre_tokenizers.Digits(), "digits_individual": pre_tokenizers.Digits(individual_digits=True),
    "bert": pre_tokenizers.BertPreTokenizer(),
    "split_string_removed": pre_tokenizers.Split(" ", "removed"), "split_string_isolated": pre_tokenizers.Split(" ", "isolated"),
    "split_regex_previous": pre_tokenizers.Split(Regex(r"[,.!?]"), "merged_with_previous"),
    "split_regex_next": pre_tokenizers.Split(Regex(r"\s+"), "merged_with_next"),
    "split_regex_contiguous": pre_tokenizers.Split(Regex(r"\d"), "contiguous"),
    "split_regex_invert": pre_tokenizers.Split(Regex(r"\w+"), "removed", invert=True),
    "split_gpt2_like": pre_tokenizers.Split(Regex(r"'s|'t| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"), "isolated"),
    "sequence": pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(), pre_tokenizers.Digits(True)]),
}
DECODERS = {
    "byte_level": decoders.ByteLevel(), "bpe": decoders.BPEDecoder(), "bpe_suffix": decoders.BPEDecoder(suffix="@@"),
    "wordpiece": decoders.WordPiece(), "wordpiece_nocleanup": decoders.WordPiece(cleanup=False),
    "replace": decoders.Replace("▁", " "), "strip": decoders.Strip(" ", 1, 1), "fuse": decoders.Fuse(),
    "byte_fallback": decoders.ByteFallback(),
    "sequence": decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]),
}
TOKEN_LISTS = [
    ["Hello", "Ġworld", "!", "ĠâĢ", "Ļ", "Ġ", "ðŁĺ", "Ģ"], ["ab", "##cd", "e", ",", "do", "not", "##x"],
    ["▁Hello", "▁wor", "ld", "<0xE2>", "<0x82>", "<0xAC>", "▁", "<0xFF>", "x"], ["hel", "lo</w>", "wor", "ld</w>"],
    ["a@@", "b", " ", "  c  "], [], [""], ["<0x41>", "<0x42>", "<0x4>", "<0xe2>", "<0x+F>"], ["▁▁x▁", "▁"],
    ["Ġ", "ĠĠ", "Ċ", "<mask>", "ç", "é"],
]


def safe_decode(d, ts):
    try:
        return d.decode(ts)
    except BaseException:  # noqa: BLE001 (the crate panics, e.g. Strip cutting past a one-character token)
        return None


comp = {"texts": COMP_TEXTS, "normalizers": {}, "pre_tokenizers": {}, "decoders": {}, "post_processors": {},
        "token_lists": TOKEN_LISTS}
for name, n in NORMALIZERS.items():
    t = Tokenizer(BPE.from_file(os.path.join(roberta, "vocab.json"), os.path.join(roberta, "merges.txt")))
    t.normalizer = n
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    rows = []
    for text in COMP_TEXTS:
        e = t.encode(text)
        rows.append({"normalized": n.normalize_str(text), "offsets": [list(o) for o in e.offsets]})
    comp["normalizers"][name] = {"json": json.loads(t.to_str())["normalizer"], "rows": rows}
for name, p in PRE_TOKENIZERS.items():
    t = Tokenizer(BPE())
    t.pre_tokenizer = p
    rows = [[[s, list(o)] for s, o in p.pre_tokenize_str(text)] for text in COMP_TEXTS]
    comp["pre_tokenizers"][name] = {"json": json.loads(t.to_str())["pre_tokenizer"], "rows": rows}
for name, d in DECODERS.items():
    t = Tokenizer(BPE())
    t.decoder = d
    comp["decoders"][name] = {"json": json.loads(t.to_str())["decoder"], "rows": [safe_decode(d, ts) for ts in TOKEN_LISTS]}
POST = {
    "roberta_trim": processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=True),
    "roberta_no_trim": processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=False, add_prefix_space=False),
    "roberta_trim_no_prefix": processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False),
    "roberta_prefix_no_trim": processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=False, add_prefix_space=True),
    "byte_level_trim": processors.ByteLevel(trim_offsets=True),
    "byte_level_trim_no_prefix": processors.ByteLevel(add_prefix_space=False, trim_offsets=True),
    "byte_level_no_trim": processors.ByteLevel(trim_offsets=False),
    "bert": processors.BertProcessing(("</s>", 2), ("<s>", 0)),
    "template": processors.TemplateProcessing(single="<s>:1 $A:0 </s> <pad>", pair="<s> $A:0 </s> <mask> $B:1 </s>:1",
                                              special_tokens=[("<s>", 0), ("</s>", 2), ("<pad>", 1), ("<mask>", 4)]),
    "template_multi_id": processors.TemplateProcessing(single="[X] $A [Y]", pair="[X] $B:1 [Y] $A:0",
                                                       special_tokens=[{"id": "[X]", "ids": [0, 4], "tokens": ["<s>", "<mask>"]},
                                                                       {"id": "[Y]", "ids": [2], "tokens": ["</s>"]}]),
    "sequence": processors.Sequence([processors.ByteLevel(trim_offsets=True),
                                     processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
                                                                   special_tokens=[("<s>", 0), ("</s>", 2)])]),
}
for name, p in POST.items():
    t = Tokenizer.from_file(os.path.join(roberta, "tokenizer.json"))
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    t.post_processor = p
    rows = [enc_dict(t.encode(text), False) for text in COMP_TEXTS[:8]] + [enc_dict(t.encode(a, b), False) for a, b in PAIRS]
    comp["post_processors"][name] = {"json": json.loads(t.to_str())["post_processor"], "rows": rows}
dump("components.json", comp)

# 5. BPE model options (prefix, suffix, unk, fuse_unk, byte_fallback, ignore_merges) on a small char-level BPE.
from tokenizers.trainers import BpeTrainer  # noqa: E402

options_base = Tokenizer(BPE(unk_token="<unk>", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
options_base.pre_tokenizer = pre_tokenizers.Whitespace()
options_base.train(files, BpeTrainer(vocab_size=400, min_frequency=2, special_tokens=["<unk>"], continuing_subword_prefix="##",
                                     end_of_word_suffix="</w>", limit_alphabet=60, show_progress=False))
base_json = json.loads(options_base.to_str())
# Byte fallback as models use it: no prefix or suffix (the crate would turn their bytes into byte tokens too, with
# offsets past the word) and every byte in the vocabulary.
plain = Tokenizer(BPE(unk_token="<unk>"))
plain.pre_tokenizer = pre_tokenizers.Whitespace()
plain.train(files, BpeTrainer(vocab_size=400, min_frequency=2, special_tokens=["<unk>"], limit_alphabet=60, show_progress=False))
plain_json = json.loads(plain.to_str())
byte_tokens = ["<0x%02X>" % b for b in range(256)]
variants = {}
for name, edit in [("prefix_suffix_unk", {}), ("fuse_unk", {"fuse_unk": True}), ("ignore_merges", {"ignore_merges": True}),
                   ("no_unk", {"unk_token": None}), ("byte_fallback", {"byte_fallback": True})]:
    tj = json.loads(json.dumps(plain_json if name == "byte_fallback" else base_json))
    tj["model"].update(edit)
    if name.startswith("byte_fallback"):
        vocab = tj["model"]["vocab"]
        for t in byte_tokens:
            vocab.setdefault(t, len(vocab))
    t = Tokenizer.from_str(json.dumps(tj))
    rows = []
    for text in TEXTS[:50]:
        e = t.encode(text)
        rows.append({"ids": e.ids, "offsets": [list(o) for o in e.offsets]})
    variants[name] = {"tokenizer": tj, "rows": rows}
dump("bpe_options.json", {"texts": TEXTS[:50], "variants": variants})

print("tokenizers", tokenizers.__version__, "transformers", transformers.__version__)
for root, _, names in os.walk(OUT):
    for f in sorted(names):
        print(os.path.relpath(os.path.join(root, f), OUT), os.path.getsize(os.path.join(root, f)))
