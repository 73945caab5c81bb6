#!/bin/sh
# Alternating A/B of the int8 bench workers (`bert-dev bench embed --worker ...`, BERT-base 1 x 128 and 8 x 128,
# MiniLM batch 32 and 1 x 128), in one run: another build's bert-dev (BASE, e.g. main's), this build with Dispatch
# (BERT_THREAD_POOL=dispatch), this build with the worker pool, and, when REF is given, ONNX Runtime's
# quantize_dynamic int8 through scripts/bench_reference.py on the models exported in REF. On a shared machine run it
# under `nice -n -15` so that every process of the comparison gets the same priority.
#
#   .build/release/bert-dev bench embed --worker write-checkpoint --checkpoint /tmp/bert-base
#   .venv/bin/python scripts/bench_reference.py _prepare_embed /tmp/ref --models models
#   .venv/bin/python scripts/bench_reference.py _embed_torch /tmp/ref --which minilm --models models --quick
#   nice -n -15 scripts/int8_latency_ab.sh BASE_BERT_DEV /tmp/bert-base [ROUNDS] [REPEATS] [/tmp/ref]
set -e
BASE=$1; CK=$2; R=${3:-3}; N=${4:-5}; REF=$5
[ -x "$BASE" ] && [ -d "$CK" ] || { echo "usage: $0 BASE_BERT_DEV CHECKPOINT_DIR [ROUNDS] [REPEATS] [REF_DIR]" >&2; exit 2; }
echo "cpu:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) $(grep -o -w -E 'avx512_vnni|avx512_bf16|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
for r in $(seq 1 "$R"); do
  for v in base dispatch pool; do
    case $v in base) B=$BASE; E=;; dispatch) B=.build/release/bert-dev; E=BERT_THREAD_POOL=dispatch;; pool) B=.build/release/bert-dev; E=;; esac
    for g in bert-base minilm; do
      echo "round $r $v $g load $(cut -d' ' -f1 /proc/loadavg)"
      env $E "$B" bench embed --worker $g --checkpoint "$CK" --dtype int8 --threads 2 --repeats "$N" | grep -v peak_rss
    done
  done
  if [ -n "$REF" ]; then
    for w in minilm base; do
      echo "round $r ort-int8 $w load $(cut -d' ' -f1 /proc/loadavg)"
      .venv/bin/python scripts/bench_reference.py _embed_ort "$REF" --which $w --models models --int8 2>/dev/null
    done
  fi
done
