#!/usr/bin/env python3
"""Pre-training each BERT-family objective with `bert pretrain`, checked in transformers (issue 13).

    .venv/bin/python scripts/family_pretrain_check.py [--work /tmp/family-pretrain] [--steps 30]

Data: the text files of models/pretraining-text/files (scripts/fetch-pretraining-text.sh), WordPiece tokenizer of
models/all-MiniLM-L6-v2. Per member:
  roberta     `pretraining-data --objective mlm` (FULL-SENTENCES blocks across documents, masks per epoch),
              `pretrain --model-type roberta --objective mlm`            → RobertaForMaskedLM
  distilbert  the same data, `--model-type distilbert --objective mlm`  → DistilBertForMaskedLM
  albert      `pretraining-data --objective sop --max-ngram 3`, `--model-type albert --objective sop`
                                                                          → AlbertForPreTraining
Each final checkpoint is loaded with transformers' class for its architecture (output_loading_info: no missing or
unexpected keys allowed), and `bert fill-mask` is compared with transformers' fill-mask pipeline on the same
folder (tokens equal, scores within 1e-4). Writes Tests/Fixtures/family/pretrain_check.jsonl.
"""
import glob
import json
import os
import subprocess
import sys

import transformers as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_finetune_check import arguments, report, write_jsonl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXTS = ["The [MASK] is installed with the package manager.", "You can [MASK] the file from the command line."]
MEMBERS = {"roberta": ("mlm", []), "distilbert": ("mlm", []), "albert": ("sop", ["--max-ngram", "3"])}


def run(*cmd):
    return subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True).stdout


def main():
    a = arguments("/tmp/family-pretrain", "--steps", 30)
    files = sorted(glob.glob(os.path.join(ROOT, "models/pretraining-text/files/*.txt")))[:6]
    tok = os.path.join(ROOT, "models/all-MiniLM-L6-v2")
    results = []
    for member, (objective, extra) in MEMBERS.items():
        data = os.path.join(a.work, f"{member}.bin")
        run(".build/release/bert", "pretraining-data", "--tokenizer", tok, "--output", data, "--objective", objective,
            "--format", "plain", "--max-seq-length", "64", "--dupe-factor", "2", "--quiet", *extra, *files)
        out = os.path.join(a.work, member)
        run(".build/release/bert", "pretrain", "--data", data, "--tokenizer", tok, "--output", out, "--model-type", member,
            "--objective", objective, "--hidden-size", "64", "--layers", "2", "--heads", "4", "--intermediate-size", "128",
            "--embedding-size", "32", "--steps", str(a.steps), "--batch-size", "8", "--learning-rate", "1e-3",
            "--warmup-steps", "5", "--save-every", str(a.steps), "--log-every", "10", "--overwrite")
        ckpt = os.path.join(out, f"checkpoint-{a.steps}")
        config = T.AutoConfig.from_pretrained(ckpt)
        cls = getattr(T, config.architectures[0])
        model, info = cls.from_pretrained(ckpt, output_loading_info=True)
        bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
        mlm = T.AutoModelForMaskedLM.from_pretrained(ckpt)
        fill = T.pipeline("fill-mask", model=mlm, tokenizer=T.AutoTokenizer.from_pretrained(ckpt), device="cpu")
        ours = [json.loads(line) for line in run(".build/release/bert", "fill-mask", "--model", ckpt, "--top-k", "5",
                                                  *TEXTS).splitlines()]
        worst, same = 0.0, True
        for text, o in zip(TEXTS, ours):
            theirs = fill(text, top_k=5)
            mine = o if isinstance(o, list) else o.get("predictions", o)
            mine = mine[0] if mine and isinstance(mine[0], list) else mine
            same &= [x["token"] for x in mine] == [x["token"] for x in theirs]
            worst = max(worst, max(abs(x["score"] - y["score"]) for x, y in zip(mine, theirs)))
        log = [json.loads(line) for line in open(os.path.join(out, "log.jsonl"))]
        line = {"member": member, "architecture": config.architectures[0], "steps": a.steps,
                "first_loss": log[0]["loss"], "last_loss": log[-1]["loss"], "loading_problems": bad,
                "fill_mask_tokens_equal": same, "fill_mask_max_score_diff": worst, "transformers": T.__version__}
        report(results, line, not bad and same and worst <= 1e-4, f"{member}: checkpoint check failed")
    write_jsonl("pretrain_check.jsonl", results)


if __name__ == "__main__":
    main()
