#!/usr/bin/env python3
"""The same pre-training run in PyTorch, on a `bert pretraining-data` instance file: BertForPreTraining from a fresh
config, AdamW (weight decay 0.01), linear warm-up then decay, clipping at 1.0, batches drawn by a seeded
permutation, held-out MLM accuracy every --eval-every steps. For checking that what `bert pretrain` learns (or
fails to learn) on a corpus is what PyTorch learns with the same settings.

Usage: .venv/bin/python scripts/pretrain_reference.py TRAIN.bin VALID.bin [--hidden 64 --layers 2 --heads 2
       --intermediate 128 --steps 600 --batch 32 --lr 1e-3 --warmup 60 --eval-every 200]
"""
import argparse
import struct

import numpy as np
import torch
from transformers import BertConfig, BertForPreTraining, get_linear_schedule_with_warmup


def load(path):
    """Memory-maps an instance file (format in docs/pretraining-data.md)."""
    with open(path, "rb") as f:
        head = f.read(32)
    magic, _version, length, _vocab, settings, count = struct.unpack("<8sIIIIQ", head)
    assert magic == b"SBPTDATA", path
    offset = (32 + settings + 63) // 64 * 64
    rec = np.dtype([("input_ids", "<i4", length), ("token_type_ids", "<i4", length), ("attention_mask", "<i4", length),
                    ("labels", "<i4", length), ("next_sentence_label", "<i4")])
    return np.memmap(path, dtype=rec, mode="r", offset=offset, shape=(count,))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("train"); p.add_argument("valid")
    for name, default in [("hidden", 64), ("layers", 2), ("heads", 2), ("intermediate", 128), ("steps", 600),
                          ("batch", 32), ("warmup", 60), ("eval_every", 200), ("threads", 2)]:
        p.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()
    train, valid = load(a.train), load(a.valid)
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    cfg = BertConfig(vocab_size=30522, hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
                     intermediate_size=a.intermediate, max_position_embeddings=512)
    model = BertForPreTraining(cfg)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    rest = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=a.lr)
    schedule = get_linear_schedule_with_warmup(opt, a.warmup, a.steps)

    def batch(data, idx):
        t = {k: torch.from_numpy(np.asarray(data[k][idx], dtype=np.int64))
             for k in ("input_ids", "token_type_ids", "attention_mask", "labels", "next_sentence_label")}
        return t

    rng = np.random.default_rng(0)
    order, pos = rng.permutation(len(train)), 0
    for step in range(1, a.steps + 1):
        if pos + a.batch > len(order):
            order, pos = rng.permutation(len(train)), 0
        b = batch(train, np.sort(order[pos:pos + a.batch]))
        pos += a.batch
        model.train()
        out = model(**b)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); schedule.step(); opt.zero_grad()
        if step % a.eval_every == 0 or step == a.steps:
            model.eval()
            correct = total = 0
            with torch.no_grad():
                for s in range(0, len(valid), 64):
                    v = batch(valid, np.arange(s, min(s + 64, len(valid))))
                    labels = v.pop("labels"); v.pop("next_sentence_label")
                    pred = model(**v).prediction_logits.argmax(-1)
                    keep = labels != -100
                    correct += (pred[keep] == labels[keep]).sum().item(); total += keep.sum().item()
            print(f"step {step}  loss {out.loss.item():.4f}  held-out MLM accuracy {correct / total:.3f}", flush=True)


if __name__ == "__main__":
    main()
