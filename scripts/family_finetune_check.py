#!/usr/bin/env python3
"""A fine-tuning run per BERT-family member, checked in transformers (issue 13).

    .venv/bin/python scripts/family_finetune_check.py [--work /tmp/family-finetune] [--train-rows 400]

For roberta, distilbert and albert: writes a small random starting folder with transformers (hidden 64, 2 layers,
4 heads, intermediate 128, seed 0) and the WordPiece tokenizer files of models/all-MiniLM-L6-v2 (the family's own
BPE / SentencePiece tokenizers are issue 12's work; the models only see ids), fine-tunes it with
`bert finetune --task classification` on the first --train-rows rows of data/polarity/train.csv (3 epochs,
validation on 200 rows of data/polarity/test.csv), then `bert-dev dump-outputs` + scripts/check_finetuned_checkpoint.py
load best/ in transformers (AutoModelForSequenceClassification) and compare the logits on 16 rows.
Prints one JSON line per member and writes them to Tests/Fixtures/family/finetune_check.jsonl.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

import torch
import transformers as T

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINILM = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
SIZE = dict(num_attention_heads=4, max_position_embeddings=130)
CONFIGS = {
    "roberta": lambda: T.RobertaConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                                       type_vocab_size=1, pad_token_id=1, **SIZE),
    "distilbert": lambda: T.DistilBertConfig(vocab_size=30522, dim=64, n_layers=2, n_heads=4, hidden_dim=128,
                                             max_position_embeddings=130, pad_token_id=0),
    "albert": lambda: T.AlbertConfig(vocab_size=30522, embedding_size=32, hidden_size=64, num_hidden_layers=2,
                                     num_hidden_groups=1, intermediate_size=128, pad_token_id=0, **SIZE),
}


def head(path, rows, out):
    with open(path, newline="", encoding="utf-8") as f:
        data = list(csv.reader(f))
    with open(out, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(data[:rows + 1])


def arguments(work, option, default):
    """--work (created) and one integer option."""
    p = argparse.ArgumentParser()
    p.add_argument("--work", default=work)
    p.add_argument(option, type=int, default=default)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    return a


def report(results, line, ok, failure):
    """Prints a result line and keeps it; exits with `failure` when the check failed."""
    print(json.dumps(line), flush=True)
    results.append(line)
    if not ok:
        sys.exit(failure)


def write_jsonl(name, rows):
    with open(os.path.join(ROOT, "Tests", "Fixtures", "family", name), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def run(*cmd):
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def main():
    a = arguments("/tmp/family-finetune", "--train-rows", 1600)
    train, valid = os.path.join(a.work, "train.csv"), os.path.join(a.work, "valid.csv")
    head(os.path.join(ROOT, "data/polarity/train.csv"), a.train_rows, train)
    head(os.path.join(ROOT, "data/polarity/test.csv"), 200, valid)
    results = []
    for member, make in CONFIGS.items():
        torch.manual_seed(0)
        start = os.path.join(a.work, member, "start")
        T.AutoModel.from_config(make()).save_pretrained(start)
        for name in ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"]:
            if os.path.exists(os.path.join(MINILM, name)):
                shutil.copy(os.path.join(MINILM, name), start)
        run_dir = os.path.join(a.work, member, "run")
        run(".build/release/bert", "finetune", "--task", "classification", "--model", start, "--train", train,
            "--validation", valid, "--output", run_dir, "--epochs", "3", "--batch-size", "16", "--learning-rate", "1e-3",
            "--max-seq-length", "64", "--overwrite", "--log-every", "1000")
        dump = os.path.join(a.work, member, "outputs.json")
        run(".build/release/bert-dev", "dump-outputs", "--task", "classification", "--model", os.path.join(run_dir, "best"),
            "--data", valid, "--output", dump)
        check = subprocess.run([sys.executable, "scripts/check_finetuned_checkpoint.py", "--task", "classification",
                                "--model", os.path.join(run_dir, "best"), "--outputs", dump],
                               cwd=ROOT, capture_output=True, text=True)
        line = json.loads(check.stdout.strip().splitlines()[-1])
        line = {"member": member, "torch": torch.__version__, **line, "model": f"{member}/run/best"}
        report(results, line, check.returncode == 0, f"{member}: transformers' logits differ from ours by {line['max_abs_diff']}")
    write_jsonl("finetune_check.jsonl", results)


if __name__ == "__main__":
    main()
