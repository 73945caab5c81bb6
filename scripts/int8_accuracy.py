#!/usr/bin/env python3
"""int8 accuracy of all-MiniLM-L6-v2 sentence embeddings against fp32, for ONNX Runtime and PyTorch dynamic
quantisation and (given their .npy files) our `bert embed --dtype int8 / fp32`, on the sentences Int8InferenceTests
uses: examples/bench_sentences.txt, examples/sentences.txt and the first 200 texts of data/polarity/test.csv.

Usage (from the repository root):
    .venv/bin/python scripts/int8_accuracy.py --write-sentences /tmp/int8-sentences.txt
    .build/release/bert embed --model models/all-MiniLM-L6-v2 --input /tmp/int8-sentences.txt --output /tmp/fp32.npy
    .build/release/bert embed --model models/all-MiniLM-L6-v2 --input /tmp/int8-sentences.txt --output /tmp/int8.npy --dtype int8
    .venv/bin/python scripts/int8_accuracy.py --swift /tmp/fp32.npy --swift /tmp/int8.npy [--swift-only]

Prints one line per runtime: lowest and mean cosine to sentence-transformers fp32 (the reference) and the index of
the worst sentence. ONNX Runtime: the BertModel exported with torch.onnx.export, then
onnxruntime.quantization.quantize_dynamic (weight_type QInt8) with its defaults (per-tensor weights) and with
per_channel=True; mean pooling and L2 normalisation in numpy. PyTorch: torch.ao.quantization.quantize_dynamic of
every nn.Linear (qint8).
"""
import argparse
import csv
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sentences():
    out = []
    for name in ["examples/bench_sentences.txt", "examples/sentences.txt"]:
        with open(os.path.join(ROOT, name), encoding="utf-8") as f:
            out += f.read().split("\n")
    with open(os.path.join(ROOT, "data/polarity/test.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:201]
    out += [r[0] for r in rows]
    return [s for s in out if s.strip()]


def report(name, emb, ref):
    import numpy as np
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cos = (emb * ref).sum(1)
    print(f"{name:40s} lowest cosine {cos.min():.6f}  mean {cos.mean():.6f}  worst sentence #{int(cos.argmin())}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models/all-MiniLM-L6-v2"))
    ap.add_argument("--write-sentences", help="write the sentences, one a line, and stop")
    ap.add_argument("--swift", action="append", default=[], help="a [sentences, 384] .npy from bert embed (repeatable)")
    ap.add_argument("--swift-only", action="store_true", help="report only the --swift files (skip torch and ONNX Runtime)")
    args = ap.parse_args()
    texts = sentences()
    if args.write_sentences:
        with open(args.write_sentences, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        print(f"{len(texts)} sentences written to {args.write_sentences}", file=sys.stderr)
        return
    import numpy as np
    import torch
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer
    from transformers import BertModel
    torch.set_num_threads(2)
    st = SentenceTransformer(args.model, device="cpu")
    ref = st.encode(texts, batch_size=32, normalize_embeddings=True)
    print(f"{len(texts)} sentences; reference: sentence-transformers fp32, torch {torch.__version__}, "
          f"onnxruntime {ort.__version__}")
    for path in args.swift:
        report("swift " + os.path.basename(path), np.load(path), ref)
    if args.swift_only:
        return
    report("torch quantize_dynamic qint8", dynamic_torch(args.model, texts), ref)
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = os.path.join(tmp, "minilm.onnx")
        export(BertModel.from_pretrained(args.model, attn_implementation="eager"), fp32)
        report("onnxruntime fp32", ort_embed(fp32, tok, texts), ref)
        for per_channel in [False, True]:
            path = os.path.join(tmp, f"minilm-int8-{per_channel}.onnx")
            quantize_dynamic(fp32, path, weight_type=QuantType.QInt8, per_channel=per_channel)
            report(f"onnxruntime quantize_dynamic QInt8{' per-channel' if per_channel else ''}", ort_embed(path, tok, texts), ref)


def dynamic_torch(model, texts):
    import torch
    from sentence_transformers import SentenceTransformer
    st = torch.ao.quantization.quantize_dynamic(SentenceTransformer(model, device="cpu"), {torch.nn.Linear}, dtype=torch.qint8)
    return st.encode(texts, batch_size=32)


def export(model, path):
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    ids = torch.ones(1, 16, dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(LastHidden(model.eval()), (ids, torch.ones_like(ids), torch.zeros_like(ids)), path, dynamo=False,
                          opset_version=17, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in ["input_ids", "attention_mask", "token_type_ids",
                                                                             "last_hidden_state"]})


def ort_embed(path, tok, texts):
    import numpy as np
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    out = []
    for s in range(0, len(texts), 32):
        encs = tok.encode_batch(texts[s:s + 32])
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        h = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[:, :, None].astype(np.float32)
        out.append((h * m).sum(1) / np.maximum(m.sum(1), 1e-9))
    return np.concatenate(out)


if __name__ == "__main__":
    main()
