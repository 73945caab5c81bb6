#!/usr/bin/env bash
# Comparative load run (issue 15), on loopback, bounded in time: CONNECTIONS (default 64) wrk clients each POST one
# sentence at a time in OpenAI's embeddings shape for DURATION seconds (default 60, at most 60):
#   1. against `bert serve` (/v1/embeddings), 2. against infinity-emb (PyPI, `infinity_emb v2`, torch engine on CPU,
#   /embeddings) on the same model folder, 3. `bert embed` offline on the same sentences (one process, timed).
# Prints each run's RESULT line (requests, statuses, req/s, p50/p90/p99) and the ratios. The servers run one after
# the other, never together, so each has the machine's cores to itself.
# Usage (after `swift build -c release --product bert --product bert-dev`; wrk from Debian's packages;
# infinity-emb in INFINITY_PYTHON's environment, default .venv-serve/bin/python, see scripts/setup-serve-bench.sh):
#   scripts/load_compare.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}; CONNECTIONS=${2:-64}
INFINITY_PYTHON=${INFINITY_PYTHON:-.venv-serve/bin/python}
MODEL=$(pwd)/models/all-MiniLM-L6-v2
[ "$DURATION" -le 60 ] || { echo "at most 60 s" >&2; exit 2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_health() { for _ in $(seq 1200); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
run_wrk() { WRK_PATH=$2 WRK_MODEL=$3 wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s scripts/wrk_embed.lua "$1" | grep '^RESULT'; }
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

PORT=$(free_port)
.build/release/bert serve --model "$MODEL" --port "$PORT" --log-level error &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_health "http://127.0.0.1:$PORT/health"
OURS=$(run_wrk "http://127.0.0.1:$PORT" /v1/embeddings all-MiniLM-L6-v2)
echo "bert serve:   $OURS"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^te_batch_next_size_(sum|count)' || true
kill -TERM $PID; wait $PID || true

PORT=$(free_port)
INFINITY_ANONYMOUS_USAGE_STATS=0 DO_NOT_TRACK=1 "$INFINITY_PYTHON" -m infinity_emb.cli v2 --model-id "$MODEL" --served-model-name all-MiniLM-L6-v2 --port "$PORT" \
  --engine torch --device cpu --batch-size 32 --no-model-warmup --log-level warning >/tmp/infinity-emb.log 2>&1 &
PID=$!
wait_health "http://127.0.0.1:$PORT/health"
THEIRS=$(run_wrk "http://127.0.0.1:$PORT" /embeddings all-MiniLM-L6-v2)
echo "infinity-emb: $THEIRS"
kill -TERM $PID; wait $PID || true
trap - EXIT

# Offline: `bert embed` on the same sentences wrk sends (the Lua script's six, 600 times over), one process, timed.
SENTENCES=$(mktemp --suffix=.txt)
sed -n '/^local sentences = {/,/^}/p' scripts/wrk_embed.lua | grep -o '"[^"]*"' | tr -d '"' > "$SENTENCES.one"
for _ in $(seq 600); do cat "$SENTENCES.one"; done > "$SENTENCES"
COUNT=$(wc -l < "$SENTENCES")
START=$(date +%s.%N)
.build/release/bert embed --model "$MODEL" --input "$SENTENCES" --output "$SENTENCES.npy" --quiet
END=$(date +%s.%N)
OFFLINE=$(python3 -c "print($COUNT / ($END - $START))")
echo "bert embed offline: $COUNT sentences in $(python3 -c "print(round($END - $START, 2))") s"
rm -f "$SENTENCES" "$SENTENCES.one" "$SENTENCES.npy"
python3 - "$OURS" "$THEIRS" "${OFFLINE:-0}" <<'PY'
import re, sys
def parse(line): return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}
ours, theirs, offline = parse(sys.argv[1]), parse(sys.argv[2]), float(sys.argv[3])
print(f"bert serve {ours['ok_rps']:.1f} req/s (p50 {ours['p50_ms']:.0f} ms, p99 {ours['p99_ms']:.0f} ms, "
      f"{int(ours['other_status'] + ours['status429'] + ours['socket_errors'] + ours['timeouts'])} errors); "
      f"infinity-emb {theirs['ok_rps']:.1f} req/s (p50 {theirs['p50_ms']:.0f} ms, p99 {theirs['p99_ms']:.0f} ms, "
      f"{int(theirs['other_status'] + theirs['status429'] + theirs['socket_errors'] + theirs['timeouts'])} errors)")
print(f"ratio bert serve / infinity-emb: {ours['ok_rps'] / max(theirs['ok_rps'], 1e-9):.2f}x")
if offline > 0:
    print(f"ratio bert serve / bert embed offline, same sentences ({offline:.1f} sentences/s): {ours['ok_rps'] / offline:.2f}x")
PY
