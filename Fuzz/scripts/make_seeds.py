#!/usr/bin/env python3
"""Writes the hand-made seeds of Fuzz/Corpus (the fixture copies are listed at the end). Standard library only.
Run from the repository root: python3 Fuzz/scripts/make_seeds.py (models/ must hold all-MiniLM-L6-v2 for the
tokenizer seeds). Regression seeds (crash reproducers) are added by hand and never rewritten here."""
import json, os, shutil, struct

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")


def put(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def copy(target, name, fixture):
    put(target, name, open(os.path.join(ROOT, fixture), "rb").read())


# --- safetensors ---------------------------------------------------------------------------------------------
def safetensors(tensors, metadata=None, pad=True, extra=b""):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data + extra


f32 = lambda *v: struct.pack("<%df" % len(v), *v)
put("safetensors", "empty_header", safetensors({}))
put("safetensors", "f32_2x3", safetensors({"w": ("F32", [2, 3], f32(1, 2, 3, 4, 5, 6.5))}, {"format": "pt"}))
put("safetensors", "mixed_dtypes", safetensors({
    "a": ("F16", [2], struct.pack("<2e", 1.5, -2)), "b": ("BF16", [1, 2], b"\x80\x3f\x00\xc0"),
    "c": ("I64", [2], struct.pack("<2q", -1, 2**40)), "d": ("I32", [], struct.pack("<i", 7)),
    "e": ("U8", [3], b"\x01\x02\x03"), "f": ("BOOL", [1], b"\x01"), "g": ("F64", [1], struct.pack("<d", 0.25)),
    "z": ("F32", [0, 4], b"")}))
put("safetensors", "unaligned_f32", safetensors({"x": ("U8", [1], b"\x09"), "y": ("F32", [2], f32(3, 4))}))
put("safetensors", "trailing_bytes", safetensors({"w": ("F32", [1], f32(1))}, extra=b"\x00" * 4))
put("safetensors", "unpadded_header", safetensors({"w": ("I8", [2], b"\x7f\x80")}, pad=False))
put("safetensors", "overlapping", struct.pack("<Q", 120) + json.dumps(
    {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
     "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode().ljust(120) + f32(2))
put("safetensors", "huge_shape", safetensors({"w": ("F32", [2**31, 2**33], f32(1))}))
put("safetensors", "header_too_long", struct.pack("<Q", 2**62) + b"{}")
copy("safetensors", "python_dtypes.safetensors", "Tests/Fixtures/safetensors/python_dtypes.safetensors")

# --- json ----------------------------------------------------------------------------------------------------
for name, text in {
    "scalars": '[null, true, false, 0, -0, -0.0, 1.5e-300, 1e400, -1e400, 9223372036854775807, -9223372036854775808, 9223372036854775808, 123456789012345678901234567890, 0.1]',
    "strings": r'["", "\"\\\/\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "\ud800", "\udc00x", "é中😀", "\u0000"]',
    "nested": '{"a": {"b": [[[{"c": []}]]]}, "a": 2, "": {}}',
    "deep": "[" * 600 + "]" * 600,
    "bom": "\ufeff{\"x\": 1}",
    "whitespace": ' \t\r\n{ "k" :\n[ 1 , 2 ] } \n',
    "bad_trailing_comma": '{"a": 1,}',
    "bad_utf8": b'["\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80"]',
    "numbers_edge": '[01, 1., .5, -, 1e, 1e+, 2E-3, -0e0, 1E+2]',
}.items():
    put("json", name, text)
copy("json", "bert_config.json", "Tests/Fixtures/hub/configs/bert.json")
copy("json", "modules.json", "Tests/Fixtures/hub/st6_cls_mean_dense/modules.json")
copy("json", "squad_unicode.json", "Tests/Fixtures/datasets/squad_unicode.json")

# --- tokenizer.json: MiniLM's with a small vocabulary --------------------------------------------------------
minilm = os.path.join(ROOT, "models", "all-MiniLM-L6-v2", "tokenizer.json")
full = json.load(open(minilm, encoding="utf-8"))
keep = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",", "!", ".", "un", "##aff", "##able",
        "run", "##ning", "the", "a", "de", "##ja", "vu", "caf", "##e", "日", "本", "語", "x", "##x", "##s", "s"]
small = dict(full)
small["model"] = dict(full["model"])
small["model"]["vocab"] = {t: i for i, t in enumerate(keep)}
small["added_tokens"] = [dict(a, id=keep.index(a["content"])) for a in full["added_tokens"] if a["content"] in keep]
small["post_processor"] = {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
               {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
             {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
             {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                       "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}
small["truncation"] = {"direction": "Right", "max_length": 8, "strategy": "LongestFirst", "stride": 2}
small["padding"] = {"strategy": {"Fixed": 12}, "direction": "Right", "pad_to_multiple_of": None,
                    "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}
put("tokenizer", "small_template", json.dumps(small, ensure_ascii=False))
v2 = dict(small, truncation=None, padding=None)
v2["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}
v2["normalizer"] = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                    "strip_accents": None, "lowercase": True}
v2["added_tokens"] = small["added_tokens"] + [{"id": 29, "content": "<new>", "single_word": True, "lstrip": True,
                                              "rstrip": True, "normalized": False, "special": False}]
put("tokenizer", "small_bert_processing", json.dumps(v2, indent=1))
v3 = {"model": {"continuing_subword_prefix": "##", "unk_token": "[UNK]", "max_input_chars_per_word": 5,
                "vocab": {"[UNK]": 0, "a": 1, "##a": 2}},
      "truncation": {"max_length": 3, "strategy": "OnlySecond", "direction": "Left"},
      "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": False}}
put("tokenizer", "old_format_no_type", json.dumps(v3))
put("tokenizer", "no_unk", '{"model": {"type": "WordPiece", "vocab": {"a": 0}}}')
put("tokenizer", "bad_component", '{"model": {"type": "BPE", "vocab": {}}, "pre_tokenizer": {"type": "Whitespace"}}')

# --- encode: option byte + text (NUL splits a pair) ----------------------------------------------------------
texts = json.load(open(os.path.join(ROOT, "Tests/Fixtures/tokenizers/corpus.json"), encoding="utf-8"))["texts"]
for i, t in enumerate(texts[:24]):
    put("encode", "corpus_%02d" % i, bytes([(i * 37) & 0xFF]) + t.encode("utf-8"))
put("encode", "pair_truncated", b"\x0b" + "Hello, world! un affable".encode() + b"\x00" + "Déjà vu [MASK] end".encode())
put("encode", "invalid_utf8", b"\x00abc\xff\xfe\xc3")
put("encode", "long_word", b"\x45" + b"x" * 300 + b" " + "é".encode() * 120)

# --- config --------------------------------------------------------------------------------------------------
for m in ["albert", "bert", "distilbert", "roberta", "xlm-roberta"]:
    copy("config", m + ".json", "Tests/Fixtures/hub/configs/%s.json" % m)
st = "Tests/Fixtures/hub/st6_cls_mean_dense/"
for rel in ["modules.json", "sentence_bert_config.json", "1_Pooling/config.json", "2_Dense/config.json"]:
    copy("config", "st6_" + rel.replace("/", "_"), st + rel)
copy("config", "minilm_config.json", "models/all-MiniLM-L6-v2/config.json")
put("config", "labels", '{"model_type": "bert", "hidden_size": 8, "num_attention_heads": 2, "vocab_size": 10, '
    '"id2label": {"0": "NEG", "1": "POS"}, "label2id": {"NEG": 0, "POS": 1}, "problem_type": "single_label_classification"}')
put("config", "pooling_modes", '{"word_embedding_dimension": 4, "pooling_mode": ["cls", "mean", "max"], "include_prompt": false}')
put("config", "pooling_legacy_false", '{"word_embedding_dimension": 4, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": false}')
put("config", "dense", '{"in_features": 4, "out_features": 2, "bias": false, "activation_function": "torch.nn.modules.linear.Identity"}')
put("config", "modules_all_here", '[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Pooling"}]')

# --- tabular (text classification, sentence embedding) -------------------------------------------------------
copy("tabular", "tricky.csv", "Tests/Fixtures/datasets/tricky.csv")
copy("tabular", "embedding_scored.jsonl", "Tests/Fixtures/datasets/embedding_scored.jsonl")
put("tabular", "embedding_pairs.jsonl", b"".join(open(os.path.join(ROOT, "Tests/Fixtures/datasets/embedding_pairs.jsonl"), "rb").readlines()[:6]))
put("tabular", "glue.tsv", "sentence1\tsentence2\tscore\tlabel\ttext\nA man.\tA \"man\".\t4.5\tpos\tx\nb\tc\t0\tneg\ty\n")
put("tabular", "multilabel.jsonl", '{"text": "a", "label": ["b", "c", "b"]}\r\n\n{"text": "d", "label": "a;c", "pair": 3}\n{"text": 1, "label": 2.0}\n')
put("tabular", "multilabel.csv", 'text,label\n"x",a;b\n"y",\n"z","c;;a"\r\n')
put("tabular", "anchors.csv", "anchor,positive,negative\nq,p,n\nq2,p2\n")
put("tabular", "bom_crlf.csv", "\ufefftext,label\r\nhello,1\r\nworld,0\r\n")
put("tabular", "regression.jsonl", '{"text": "a", "text_pair": "b", "label": 0.5}\n{"text": "c", "label": "1e3"}\n{"text": "d", "label": NaN}\n')

# --- conll ---------------------------------------------------------------------------------------------------
copy("conll", "ner_dev.conll", "Tests/Fixtures/datasets/ner_dev.conll")
put("conll", "tabs_crlf.conll", "EU\tB-ORG\r\nrejects\tO\r\n\r\nGerman\tB-MISC\r\n-DOCSTART- O\r\n")
put("conll", "one_column", "word\n\nother B-PER\n")
put("conll", "no_trailing_blank", "Peter B-PER\nBlackburn I-PER")

# --- squad ---------------------------------------------------------------------------------------------------
copy("squad", "squad_unicode.json", "Tests/Fixtures/datasets/squad_unicode.json")
put("squad", "v2_impossible", json.dumps({"version": "v2.0", "data": [{"title": "T", "paragraphs": [{
    "context": "Paris is in France.", "qas": [
        {"id": "q1", "question": "Where?", "answers": [{"text": "France", "answer_start": 12}]},
        {"id": "q2", "question": "Who?", "answers": [], "is_impossible": True},
        {"id": "q3", "question": "Bad?", "answers": [{"text": "Paris", "answer_start": 99}]}]}]}]}))
put("squad", "flat", '{"data": [{"context": "abc", "question": "q", "id": "1", "answers": {"text": ["b"], "answer_start": [1]}}]}')


# --- pretraining instance files (docs/pretraining-data.md) ----------------------------------------------------
def instance_file(instances, max_len, vocab, settings=None, count=None, version=1, extra=b""):
    settings = settings if settings is not None else {
        "generator": "xoshiro256** seeded by splitmix64",
        "special_token_ids": {"cls": 2, "mask": 4, "pad": 0, "sep": 3, "unk": 1}}
    s = json.dumps(settings, sort_keys=True, separators=(",", ":")).encode()
    head = b"SBPTDATA" + struct.pack("<IIIIQ", version, max_len, vocab, len(s),
                                      len(instances) if count is None else count) + s
    head += b"\x00" * (-len(head) % 64)
    body = b""
    for ids, types, mask, labels, nsp in instances:
        body += struct.pack("<%di" % (4 * max_len + 1), *(ids + types + mask + labels + [nsp]))
    return head + body + extra


inst = ([2, 7, 4, 3, 8, 3, 0, 0], [0, 0, 0, 0, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 0, 0],
        [-100, -100, 9, -100, -100, -100, -100, -100], 0)
inst2 = ([2, 5, 3, 6, 3, 0, 0, 0], [0, 0, 0, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0], [-100] * 8, 1)
put("pretraining", "two_instances", instance_file([inst, inst2], 8, 16))
put("pretraining", "mlm_only", instance_file([(inst[0], inst[1], inst[2], inst[3], -100)], 8, 16))
put("pretraining", "with_configuration", instance_file([inst2], 8, 16, settings={
    "configuration": {"max_seq_length": 8, "masked_lm_prob": 0.15}, "epoch": 3, "generator": "g",
    "special_token_ids": {"cls": 2, "mask": 4, "pad": 0, "sep": 3, "unk": 1}}))
put("pretraining", "empty", instance_file([], 8, 16))
put("pretraining", "truncated", instance_file([inst, inst2], 8, 16)[:-5])
put("pretraining", "bad_id", instance_file([([99] + inst[0][1:],) + inst[1:]], 8, 16))
put("pretraining", "huge_count", instance_file([inst], 8, 16, count=2**62))
