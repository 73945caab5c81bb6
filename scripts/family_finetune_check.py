#!/usr/bin/env python3
"""A fine-tuning run per BERT-family member and head, checked in transformers (issue 13).

    .venv/bin/python scripts/family_finetune_check.py [--work /tmp/family-finetune] [--train-rows 1600]

For roberta, xlm-roberta, distilbert and albert: writes a small random starting folder with transformers (hidden 64,
2 layers, 4 heads, intermediate 128, seed 0) and the member's own tokenizer files (RoBERTa: the byte-level BPE
fixture Tests/Fixtures/tokenizers/bpe/roberta; XLM-R and ALBERT: the SentencePiece fixtures under
Tests/Fixtures/tokenizers/sentencepiece; DistilBERT: models/all-MiniLM-L6-v2's WordPiece files, i.e.
bert-base-uncased's), then for each head:
- classification: `bert finetune --task classification` on the first --train-rows rows of data/polarity/train.csv
  (3 epochs, validation on 200 rows of data/polarity/test.csv);
- ner: `--task ner` on Tests/Fixtures/datasets/ner_train.conll (3 epochs, validation ner_dev.conll);
- qa: `--task qa` on Tests/Fixtures/datasets/qa_train.json (2 epochs, 64-token windows, stride 16).
`bert-dev dump-outputs` + scripts/check_finetuned_checkpoint.py load best/ in transformers
(AutoModelFor{SequenceClassification,TokenClassification,QuestionAnswering}) and compare the logits on 16 features.
Prints one JSON line per member and head and writes them to Tests/Fixtures/family/finetune_check.jsonl.
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
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
TOKENIZERS = {
    "roberta": os.path.join(FIXTURES, "tokenizers", "bpe", "roberta"),
    "xlm-roberta": os.path.join(FIXTURES, "tokenizers", "sentencepiece", "xlmr"),
    "distilbert": os.path.join(ROOT, "models", "all-MiniLM-L6-v2"),
    "albert": os.path.join(FIXTURES, "tokenizers", "sentencepiece", "albert"),
}
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json",
                   "merges.txt", "spiece.model", "sentencepiece.bpe.model"]
SIZE = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, max_position_embeddings=130)
CONFIGS = {
    "roberta": lambda v, pad: T.RobertaConfig(vocab_size=v, type_vocab_size=1, pad_token_id=pad, **SIZE),
    "xlm-roberta": lambda v, pad: T.XLMRobertaConfig(vocab_size=v, type_vocab_size=1, pad_token_id=pad, **SIZE),
    "distilbert": lambda v, pad: T.DistilBertConfig(vocab_size=v, dim=64, n_layers=2, n_heads=4, hidden_dim=128,
                                                    max_position_embeddings=130, pad_token_id=pad),
    "albert": lambda v, pad: T.AlbertConfig(vocab_size=v, embedding_size=32, num_hidden_groups=1, pad_token_id=pad, **SIZE),
}
DATASETS = os.path.join(FIXTURES, "datasets")


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
    tasks = {  # task: (train, validation, epochs)
        "classification": (train, valid, "3"),
        "ner": (os.path.join(DATASETS, "ner_train.conll"), os.path.join(DATASETS, "ner_dev.conll"), "3"),
        "qa": (os.path.join(DATASETS, "qa_train.json"), os.path.join(DATASETS, "qa_train.json"), "2"),
    }
    results = []
    for member, make in CONFIGS.items():
        start = os.path.join(a.work, member, "start")
        os.makedirs(start, exist_ok=True)
        for name in TOKENIZER_FILES:
            if os.path.exists(os.path.join(TOKENIZERS[member], name)):
                shutil.copy(os.path.join(TOKENIZERS[member], name), start)
        tokenizer = T.AutoTokenizer.from_pretrained(start)
        torch.manual_seed(0)
        T.AutoModel.from_config(make(len(tokenizer), tokenizer.pad_token_id)).save_pretrained(start)
        for task, (task_train, task_valid, epochs) in tasks.items():
            run_dir = os.path.join(a.work, member, task)
            run(".build/release/bert", "finetune", "--task", task, "--model", start, "--train", task_train,
                "--validation", task_valid, "--output", run_dir, "--epochs", epochs, "--batch-size", "16",
                "--learning-rate", "1e-3", "--max-seq-length", "64", "--doc-stride", "16", "--overwrite", "--log-every", "1000")
            dump = os.path.join(a.work, member, f"{task}-outputs.json")
            run(".build/release/bert-dev", "dump-outputs", "--task", task, "--model", os.path.join(run_dir, "best"),
                "--data", task_valid, "--max-seq-length", "64", "--doc-stride", "16", "--output", dump)
            check = subprocess.run([sys.executable, "scripts/check_finetuned_checkpoint.py", "--task", task,
                                    "--model", os.path.join(run_dir, "best"), "--outputs", dump],
                                   cwd=ROOT, capture_output=True, text=True)
            if not check.stdout.strip():
                sys.exit(f"{member} {task}: check_finetuned_checkpoint.py failed:\n{check.stderr}")
            line = json.loads(check.stdout.strip().splitlines()[-1])
            line = {"member": member, "torch": torch.__version__, **line, "model": f"{member}/{task}/best",
                    "tokenizer": os.path.relpath(TOKENIZERS[member], ROOT)}
            report(results, line, check.returncode == 0,
                   f"{member} {task}: transformers' logits differ from ours by {line['max_abs_diff']}")
    write_jsonl("finetune_check.jsonl", results)


if __name__ == "__main__":
    main()
