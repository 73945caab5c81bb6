#!/usr/bin/env python3
"""Golden file for truncation limits at and below the special tokens (found by scripts/fuzz_tokenizers.py).

HF `tokenizers` accepts any max_length at `enable_truncation` and only refuses a stride above max_length minus the
single-sequence special tokens; a max_length below the special tokens of the input (e.g. 2 for a BERT pair's
three) truncates nothing, since `max_length - added` wraps around in usize; a stride equal to the window is
refused only when an input is actually cut (a panic there). Records, for BERT (tokenizer.json of
models/all-MiniLM-L6-v2) and the RoBERTa fixture (Tests/Fixtures/tokenizers/bpe/roberta), every strategy x
max_length 0-4 x stride 0-2 x direction (RoBERTa: longest_first only), with and without special tokens, on a few singles and pairs.
Usage: .venv/bin/python scripts/make_truncation_edge_goldens.py
Writes Tests/Fixtures/tokenizers/truncation_edges.json.
"""
import json
import os

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "truncation_edges.json")
TOKENIZERS = {"bert": os.path.join(ROOT, "models", "all-MiniLM-L6-v2", "tokenizer.json"),
              "roberta": os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "bpe", "roberta", "tokenizer.json")}
SINGLES = ["", "hello", "one two three four"]
PAIRS = [("", ""), ("hello", ""), ("a b", "c d e")]


def enc_dict(e, with_overflow=True):
    d = {"ids": e.ids, "type_ids": e.type_ids, "offsets": [list(o) for o in e.offsets]}
    if with_overflow:
        d.update(attention_mask=e.attention_mask, special_tokens_mask=e.special_tokens_mask, tokens=e.tokens)
        d["overflowing"] = [enc_dict(o, False) for o in e.overflowing]
    return d


def encode(tok, a, b, special):
    try:
        return enc_dict(tok.encode(a, b, add_special_tokens=special) if b is not None
                        else tok.encode(a, add_special_tokens=special))
    except BaseException as ex:  # noqa: BLE001 - the stride panic is a PanicException (BaseException)
        if isinstance(ex, KeyboardInterrupt):
            raise
        return {"error": type(ex).__name__ + ": " + str(ex)[:100]}


cases = []
for name, path in TOKENIZERS.items():
    tok = Tokenizer.from_file(path)
    tok.no_padding()
    for strategy in ["longest_first", "only_first", "only_second"] if name == "bert" else ["longest_first"]:
        for max_length in range(0, 5):
            for stride in range(0, 3):
                for direction in ["right", "left"]:
                    case = {"tokenizer": name, "strategy": strategy, "max_length": max_length, "stride": stride,
                            "direction": direction}
                    try:
                        tok.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
                    except BaseException as ex:  # noqa: BLE001
                        case["config_error"] = str(ex)[:120]
                        cases.append(case)
                        continue
                    case["rows"] = [{"text": a, "pair": b, "special": special, "encoding": encode(tok, a, b, special)}
                                    for special in (True, False)
                                    for a, b in [(s, None) for s in SINGLES] + PAIRS]
                    cases.append(case)
    tok.no_truncation()
with open(OUT, "w", encoding="utf-8") as f:
    json.dump({"tokenizers": __import__("tokenizers").__version__, "cases": cases}, f, ensure_ascii=False,
              separators=(",", ":"))
print(f"{len(cases)} cases, {sum(len(c.get('rows', [])) for c in cases)} encodings -> {OUT}")
