#!/usr/bin/env bash
# Overload proof for `bert serve` (issue 15): a small queue bound (--max-concurrent-requests, default 8) and 256
# wrk connections sending one sentence each for DURATION seconds (default 20, at most 60). Expected: many 429s
# (TEI's "Model is overloaded"), every other answer 200, no 5xx, the server still healthy afterwards, and a
# bounded peak RSS (VmHWM from /proc, printed with the RSS of an idle server for comparison).
# Usage (after `swift build -c release --product bert`; needs wrk from Debian's packages):
#   scripts/overload_server.sh [DURATION] [CONNECTIONS] [QUEUE_BOUND]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20}; CONNECTIONS=${2:-256}; BOUND=${3:-8}
[ "$DURATION" -le 60 ] || { echo "at most 60 s" >&2; exit 2; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.build/release/bert serve --model models/all-MiniLM-L6-v2 --port "$PORT" --log-level error \
  --max-concurrent-requests "$BOUND" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/embed" -H 'Content-Type: application/json' -d '{"inputs": "warm up"}' >/dev/null
IDLE_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
echo "bert serve: --max-concurrent-requests $BOUND, $CONNECTIONS connections for ${DURATION}s; idle RSS $((IDLE_KB / 1024)) MiB"
ulimit -n 4096 2>/dev/null || true
WRK_PATH=/v1/embeddings wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s scripts/wrk_embed.lua "http://127.0.0.1:$PORT" \
  | grep -E '^RESULT|Socket errors|Non-2xx'
PEAK_KB=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
NOW_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
echo "peak RSS $((PEAK_KB / 1024)) MiB (idle $((IDLE_KB / 1024)) MiB, now $((NOW_KB / 1024)) MiB)"
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && echo "healthy after the overload"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^te_request_failure|^te_queue_size' || true
kill -TERM $SERVER; wait $SERVER && echo "server exited 0 after SIGTERM"
trap - EXIT
