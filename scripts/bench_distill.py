#!/usr/bin/env python3
"""PyTorch reference for `bert-dev bench distill`: one DistilBERT distillation step (research_projects/distillation
Distiller.step, mlm=True: teacher forward under no_grad, student forward, KL at T=2 x T^2 + MLM CE + cosine loss,
backward, AdamW) on the same shapes as the Swift bench: a random-weight BertForMaskedLM teacher, a student of every
other teacher layer, one batch of random ids (no padding) with 15% of positions masked.
Prints one JSON line {"name", "runtime": "torch", "value": tokens/s, "unit": "tokens/s"} (median of --repeats).
Usage: .venv/bin/python scripts/bench_distill.py --layers 6 --hidden-size 384 --heads 12 --intermediate-size 1536 \
           --batch-size 8 --length 128 --repeats 3 --threads 2
"""
import argparse, copy, json, time
import torch
import torch.nn.functional as F
from torch import nn
from transformers import BertConfig, BertForMaskedLM


def main():
    p = argparse.ArgumentParser()
    for name, default in [("layers", 4), ("hidden-size", 256), ("heads", 4), ("intermediate-size", 1024), ("vocab-size", 30522),
                          ("batch-size", 16), ("length", 128), ("repeats", 5), ("threads", 2)]:
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=a.vocab_size, hidden_size=a.hidden_size, num_hidden_layers=a.layers, num_attention_heads=a.heads,
                     intermediate_size=a.intermediate_size)
    teacher = BertForMaskedLM(cfg).eval()
    student = copy.deepcopy(teacher)
    keep = list(range(0, a.layers, 2))[: max(1, a.layers // 2)]
    student.bert.encoder.layer = nn.ModuleList([student.bert.encoder.layer[i] for i in keep])
    student.config.num_hidden_layers = len(keep)
    student.train()
    opt = torch.optim.AdamW(student.parameters(), lr=1e-4, weight_decay=0.01)
    ids = torch.randint(100, a.vocab_size, (a.batch_size, a.length))
    mask = torch.ones_like(ids)
    labels = torch.where(torch.rand(ids.shape) < 0.15, ids, torch.full_like(ids, -100))
    T = 2.0

    def step():
        opt.zero_grad()
        s = student(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        with torch.no_grad():
            t = teacher(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        m = mask.unsqueeze(-1).expand_as(s.logits).bool()
        ss = torch.masked_select(s.logits, m).view(-1, s.logits.size(-1))
        ts = torch.masked_select(t.logits, m).view(-1, s.logits.size(-1))
        loss = 5 * nn.KLDivLoss(reduction="batchmean")(F.log_softmax(ss / T, -1), F.softmax(ts / T, -1)) * T * T
        loss = loss + 2 * nn.CrossEntropyLoss(ignore_index=-100)(s.logits.view(-1, s.logits.size(-1)), labels.view(-1))
        sh, th = s.hidden_states[-1].reshape(-1, a.hidden_size), t.hidden_states[-1].reshape(-1, a.hidden_size)
        loss = loss + nn.CosineEmbeddingLoss()(sh, th, sh.new_ones(sh.size(0)))
        loss.backward()
        opt.step()

    step()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    median = sorted(times)[len(times) // 2]
    print(json.dumps(dict(name="distill_mlm_step", runtime="torch", value=a.batch_size * a.length / median, unit="tokens/s",
                          torch=torch.__version__)))


if __name__ == "__main__":
    main()
