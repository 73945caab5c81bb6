#!/usr/bin/env python3
"""PyTorch/transformers reference for `bert finetune --task classification` on the polarity split.

Same recipe as our CLI: BertForSequenceClassification from a BERT folder (classifier ~ N(0, initializer_range)),
labels = sorted distinct names, tokenizer truncation to --max-seq-length, shuffled batches padded to the longest
row, AdamW (no decay on bias/LayerNorm), linear warm-up then linear decay, gradient clipping 1.0, dropout on.
Prints the test accuracy after each epoch and the wall time of each training epoch.

    .venv/bin/python scripts/finetune_reference.py --model models/all-MiniLM-L6-v2 \
        --train data/polarity/train.csv --test data/polarity/test.csv --epochs 3 --batch-size 32 \
        --learning-rate 5e-5 --warmup-ratio 0.1 --weight-decay 0.01 --max-seq-length 64 --seed 42
"""
import argparse, csv, json, math, random, time

import torch
from transformers import AutoTokenizer, BertForSequenceClassification, get_linear_schedule_with_warmup


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=5e-5)
    p.add_argument("--warmup-ratio", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--max-seq-length", type=int, default=64)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--output", default=None, help="save the final model here (save_pretrained)")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    torch.set_num_threads(a.threads)

    train_x, train_y = read(a.train)
    test_x, test_y = read(a.test)
    labels = sorted(set(train_y))
    label2id = {l: i for i, l in enumerate(labels)}
    tok = AutoTokenizer.from_pretrained(a.model)
    model = BertForSequenceClassification.from_pretrained(
        a.model, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label2id)

    def batches(xs, ys, order):
        for s in range(0, len(order), a.batch_size):
            idx = order[s:s + a.batch_size]
            enc = tok([xs[i] for i in idx], truncation=True, max_length=a.max_seq_length, padding=True, return_tensors="pt")
            yield enc, torch.tensor([label2id[ys[i]] for i in idx])

    steps_per_epoch = math.ceil(len(train_x) / a.batch_size)
    total = steps_per_epoch * a.epochs
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)], "weight_decay": a.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=a.learning_rate, eps=1e-8)
    sched = get_linear_schedule_with_warmup(opt, int(math.ceil(a.warmup_ratio * total)), total)

    def evaluate():
        model.eval()
        correct, loss_sum = 0, 0.0
        with torch.no_grad():
            for enc, y in batches(test_x, test_y, list(range(len(test_x)))):
                out = model(**enc, labels=y)
                loss_sum += out.loss.item() * len(y)
                correct += (out.logits.argmax(-1) == y).sum().item()
        model.train()
        return correct / len(test_x), loss_sum / len(test_x)

    results = []
    model.train()
    for epoch in range(a.epochs):
        order = list(range(len(train_x)))
        random.Random(a.seed + epoch).shuffle(order)
        t0 = time.perf_counter()
        last = 0.0
        for enc, y in batches(train_x, train_y, order):
            loss = model(**enc, labels=y).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); opt.zero_grad()
            last = loss.item()
        seconds = time.perf_counter() - t0
        acc, eval_loss = evaluate()
        results.append({"epoch": epoch + 1, "train_seconds": round(seconds, 1), "last_train_loss": last,
                        "test_loss": eval_loss, "test_accuracy": acc})
        print(json.dumps(results[-1]), flush=True)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "mean_epoch_seconds": sum(r["train_seconds"] for r in results) / len(results),
                      "final_test_accuracy": results[-1]["test_accuracy"]}))
    if a.output:
        model.save_pretrained(a.output)
        tok.save_pretrained(a.output)


if __name__ == "__main__":
    main()
