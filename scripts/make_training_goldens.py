#!/usr/bin/env python3
"""Golden files for BertForPreTraining training parity (issue 6).

A small BertForPreTraining whose weights come from the key-seeded generator of make_model_goldens.py
(spec in Tests/Fixtures/MANIFEST.md), one fixed pre-masked batch, dropout off:
  - step0_grads.safetensors: the gradient of the step-0 total loss w.r.t. every parameter (HF keys; the tied
    decoder weight's gradient is part of embeddings.word_embeddings.weight's).
  - trace.json: config, batch, and for 10 AdamW steps (lr 1e-3 peak, linear warm-up 3 steps then linear decay to
    step 10, weight decay 0.01 except biases and LayerNorm weights, clip-by-global-norm 1.0) the total, MLM and NSP
    losses before each update, and the gradient norm.
Usage: .venv/bin/python scripts/make_training_goldens.py   (writes Tests/Fixtures/pretraining/)
"""
import json, os, sys
import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(__file__))
from make_model_goldens import generate  # noqa: E402

import transformers
from transformers import BertConfig, BertForPreTraining

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pretraining")
CONFIG = dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              max_position_embeddings=64, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, pad_token_id=0, initializer_range=0.02)
BATCH, SEQ, STEPS = 3, 24, 10


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = BertForPreTraining(BertConfig(**CONFIG), ).eval()
    state = model.state_dict()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(generate(name, tuple(p.shape))))
    rng = np.random.default_rng(7)
    lengths = [24, 17, 9]
    ids = np.zeros((BATCH, SEQ), dtype=np.int64)
    types = np.zeros((BATCH, SEQ), dtype=np.int64)
    mask = np.zeros((BATCH, SEQ), dtype=np.int64)
    labels = np.full((BATCH, SEQ), -100, dtype=np.int64)
    for b, n in enumerate(lengths):
        ids[b, :n] = rng.integers(5, CONFIG["vocab_size"], n)
        ids[b, 0], ids[b, n - 1] = 2, 3
        types[b, n // 2:n] = 1
        mask[b, :n] = 1
        for i in range(1, n - 1):
            if rng.random() < 0.25:
                labels[b, i] = ids[b, i]
                ids[b, i] = 4 if rng.random() < 0.8 else rng.integers(5, CONFIG["vocab_size"])
    nsp = np.array([0, 1, 1], dtype=np.int64)
    t = lambda a: torch.from_numpy(a)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm.weight" in n)]
    nodecay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm.weight" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    sched = transformers.get_linear_schedule_with_warmup(opt, num_warmup_steps=3, num_training_steps=STEPS)
    trace = []
    for step in range(STEPS):
        opt.zero_grad()
        out = model(input_ids=t(ids), token_type_ids=t(types), attention_mask=t(mask), labels=t(labels),
                    next_sentence_label=t(nsp))
        logits, rel = out.prediction_logits, out.seq_relationship_logits
        mlm = torch.nn.functional.cross_entropy(logits.view(-1, CONFIG["vocab_size"]), t(labels).view(-1))
        nsp_loss = torch.nn.functional.cross_entropy(rel.view(-1, 2), t(nsp).view(-1))
        out.loss.backward()
        if step == 0:
            grads = {n: p.grad.detach().clone().contiguous() for n, p in model.named_parameters()}
            save_file(grads, os.path.join(OUT, "step0_grads.safetensors"))
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        trace.append({"step": step, "loss": out.loss.item(), "mlm": mlm.item(), "nsp": nsp_loss.item(),
                      "grad_norm": norm.item(), "lr": sched.get_last_lr()[0]})
        opt.step()
        sched.step()
    doc = {"config": CONFIG, "input_ids": ids.tolist(), "token_type_ids": types.tolist(),
           "attention_mask": mask.tolist(), "labels": labels.tolist(), "next_sentence_label": nsp.tolist(),
           "optimizer": {"lr": 1e-3, "warmup": 3, "total": STEPS, "weight_decay": 0.01, "eps": 1e-8, "clip": 1.0},
           "trace": trace,
           "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "numpy": np.__version__}}
    with open(os.path.join(OUT, "trace.json"), "w") as f:
        json.dump(doc, f, indent=1)
    print(json.dumps(trace, indent=1))


if __name__ == "__main__":
    main()
