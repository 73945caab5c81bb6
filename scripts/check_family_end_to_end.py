#!/usr/bin/env python3
"""End to end: RoBERTa with the byte-level BPE fixture, ALBERT and XLM-R with the SentencePiece fixtures.

Builds small random RobertaForMaskedLM / AlbertForMaskedLM / XLMRobertaForMaskedLM folders with those tokenizers
(transformers 5.24, torch seed 0) under /tmp/e2e, runs transformers' fill-mask pipeline and `bert fill-mask` on the
same folders and texts, and prints whether the top-3 tokens agree and the largest score difference.
Usage (repository root, after `swift build -c release --product bert`): .venv/bin/python scripts/check_family_end_to_end.py
"""
import json, os, subprocess, shutil
import torch
from transformers import AutoTokenizer, RobertaConfig, RobertaForMaskedLM, XLMRobertaConfig, XLMRobertaForMaskedLM, AlbertConfig, AlbertForMaskedLM, pipeline
torch.manual_seed(0)
out = "/tmp/e2e"; shutil.rmtree(out, ignore_errors=True)
cases = []
# RoBERTa with the byte-level BPE fixture
tok = AutoTokenizer.from_pretrained("Tests/Fixtures/tokenizers/bpe/roberta")
cfg = RobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                    max_position_embeddings=130, pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
m = RobertaForMaskedLM(cfg).eval(); d = out + "/roberta"; m.save_pretrained(d); tok.save_pretrained(d); cases.append((d, m, tok))
# ALBERT and XLM-R with the SentencePiece fixtures (slow folders converted)
for name, C, M in [("albert", AlbertConfig, AlbertForMaskedLM), ("xlm-roberta", XLMRobertaConfig, XLMRobertaForMaskedLM)]:
    src = {"albert": "Tests/Fixtures/tokenizers/sentencepiece/albert", "xlm-roberta": "Tests/Fixtures/tokenizers/sentencepiece/xlmr"}[name]
    if not os.path.isdir(src):
        print("no", src); continue
    t = AutoTokenizer.from_pretrained(src)
    kw = dict(vocab_size=len(t), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
              max_position_embeddings=130, pad_token_id=t.pad_token_id)
    if name == "albert": kw["embedding_size"] = 16
    mm = M(C(**kw)).eval(); dd = out + "/" + name; mm.save_pretrained(dd); t.save_pretrained(dd); cases.append((dd, mm, t))
texts = ["The capital of France is <mask>.", "I went to the <mask> yesterday, and it was lovely."]
worst = 0
for d, m, t in cases:
    fm = pipeline("fill-mask", model=m, tokenizer=t, top_k=3)
    for text in texts:
        text = text.replace("<mask>", t.mask_token)
        ref = fm(text)
        r = subprocess.run([".build/release/bert", "fill-mask", "--model", d, "--top-k", "3", text], capture_output=True, text=True)
        if r.returncode != 0:
            print(d, "bert failed:", r.stderr.strip()); continue
        ours = json.loads(r.stdout.splitlines()[0])
        ours = ours if isinstance(ours, list) else ours.get("results", ours)
        same = [a["token"] for a in ref] == [b["token"] for b in ours]
        diff = max(abs(a["score"] - b["score"]) for a, b in zip(ref, ours))
        worst = max(worst, diff)
        print(os.path.basename(d), "tokens equal:", same, "max score diff %.2e" % diff, [a["token_str"] for a in ref][:3])
print("worst", worst)
