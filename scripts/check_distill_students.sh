#!/usr/bin/env bash
# Issue 14: one `bert distill` student per mode, each loaded by the reference libraries, which print what they see.
#   mlm       a 4-layer BertForMaskedLM teacher (`bert pretrain --objective mlm`, a few steps on the Python FAQ
#             text) → 2-layer students in the BERT and the DistilBERT layout; transformers' AutoModelForMaskedLM
#             loads each (missing/unexpected keys listed) and its logits are compared with the Swift student's.
#   logits    a 4-layer classifier teacher (`bert finetune` of a 4-layer BERT on data/polarity) → a 2-layer student;
#             AutoModelForSequenceClassification loads teacher and student and scores both on test.csv.
#   embedding an embedding student of all-MiniLM-L6-v2 (layers 0,2,4), if STUDENT is given (the docs' run), loaded by
#             sentence-transformers (Spearman vs the teacher on the pairs file, and PyTorch's embedding times).
# Usage: scripts/check_distill_students.sh [BIN_DIR=.build/release] [WORK=/tmp/distill-check] [STUDENT PAIRS]
set -euo pipefail
BIN=${1:-.build/release}; WORK=${2:-/tmp/distill-check}; STUDENT=${3:-}; PAIRS=${4:-}
PY=${PYTHON:-.venv/bin/python}
MINILM=models/all-MiniLM-L6-v2
rm -rf "$WORK"; mkdir -p "$WORK"
q() { "$@" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }; }

q "$BIN/bert" pretraining-data --tokenizer $MINILM --objective mlm --format plain --max-seq-length 64 --dupe-factor 2 \
    --output "$WORK/mlm.bin" models/pretraining-text/files/faq-*.txt
q "$BIN/bert" pretrain --data "$WORK/mlm.bin" --tokenizer $MINILM --objective mlm --layers 4 --hidden-size 64 --heads 2 \
    --intermediate-size 128 --steps 20 --batch-size 8 --save-every 20 --threads 2 --output "$WORK/teacher-mlm"
for layout in teacher distilbert; do
    q "$BIN/bert" distill --mode mlm --teacher "$WORK/teacher-mlm/checkpoint-20" --data "$WORK/mlm.bin" --student-layout $layout \
        --steps 10 --batch-size 8 --save-every 10 --threads 2 --output "$WORK/mlm-$layout"
    echo "mlm student, $layout layout: $("$PY" scripts/check_distilled_student.py mlm "$WORK/mlm-$layout/last" "$BIN/bert" 2>/dev/null)"
done

"$PY" - "$WORK" <<'PY'
import csv, sys
rows = list(csv.DictReader(open("data/polarity/train.csv", encoding="utf-8")))
with open(sys.argv[1] + "/train-400.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["text", "label"]); w.writeheader(); w.writerows(rows[:400])
with open(sys.argv[1] + "/unlabelled.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(r["text"] for r in rows[400:1200]) + "\n")
PY
"$PY" - "$MINILM" "$WORK/minilm-4" <<'PY'
import json, os, shutil, sys
from safetensors.torch import load_file, save_file
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
for f in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
    shutil.copy(os.path.join(src, f), dst)
cfg = json.load(open(os.path.join(src, "config.json"))); cfg["num_hidden_layers"] = 4
json.dump(cfg, open(os.path.join(dst, "config.json"), "w"))
w = load_file(os.path.join(src, "model.safetensors"))
save_file({k: v for k, v in w.items() if not any(f"layer.{i}." in k for i in (4, 5))}, os.path.join(dst, "model.safetensors"), metadata={"format": "pt"})
PY
q "$BIN/bert" finetune --task classification --model "$WORK/minilm-4" --train "$WORK/train-400.csv" --epochs 1 --batch-size 16 \
    --max-seq-length 64 --output "$WORK/clf-teacher"
q "$BIN/bert" distill --mode logits --teacher "$WORK/clf-teacher/last" --data "$WORK/unlabelled.txt" --match kl --steps 20 \
    --batch-size 16 --max-seq-length 64 --save-every 20 --threads 2 --output "$WORK/clf-student"
echo "logits student: $("$PY" scripts/check_distilled_student.py logits "$WORK/clf-teacher/last" "$WORK/clf-student/last" data/polarity/test.csv 2>/dev/null)"

if [ -n "$STUDENT" ]; then
    echo "embedding student: $("$PY" scripts/check_distilled_student.py embedding $MINILM "$STUDENT" "$PAIRS" 2>/dev/null)"
fi
