#!/usr/bin/env bash
# Kill -9 a `bert pretrain` run in the middle, resume it, and check that the final weights equal an uninterrupted
# run's bit for bit. Usage: scripts/check-resume.sh TRAIN.bin TOKENIZER_DIR [WORKDIR]
set -euo pipefail
DATA="$1"; TOK="$2"; WORK="${3:-$(mktemp -d)}"
BERT="$(cd "$(dirname "$0")/.." && pwd)/.build/release/bert"
ARGS=(--data "$DATA" --tokenizer "$TOK" --steps 40 --save-every 10 --log-every 10 --warmup-steps 5 --hidden-size 64 --layers 2 --heads 2 --intermediate-size 128 --batch-size 8)
rm -rf "$WORK/full" "$WORK/killed"
"$BERT" pretrain "${ARGS[@]}" --output "$WORK/full" 2>/dev/null
"$BERT" pretrain "${ARGS[@]}" --output "$WORK/killed" 2>/dev/null &
PID=$!
while [ ! -d "$WORK/killed/checkpoint-20" ]; do sleep 0.05; done
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
echo "killed at: $(ls "$WORK/killed" | grep checkpoint | tr '\n' ' ')"
"$BERT" pretrain "${ARGS[@]}" --output "$WORK/killed" 2>&1 | grep resumed
if cmp "$WORK/full/checkpoint-40/model.safetensors" "$WORK/killed/checkpoint-40/model.safetensors"; then
    echo "OK: resumed run's final weights are identical to the uninterrupted run's"
else
    echo "FAIL: final weights differ"; exit 1
fi
