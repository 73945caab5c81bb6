#!/usr/bin/env bash
# Bounded load test of `bert serve` on loopback (issue 15): wrk with 64 connections, each POSTing one sentence to
# /embed at a time, for DURATION seconds (default 30, at most 60); prints wrk's latency percentiles, the
# server's batch-size histogram from /metrics, and `bert-dev bench embed`'s offline throughput for comparison.
# Usage (after `swift build -c release --product bert --product bert-dev`; needs wrk from Debian's packages):
#   scripts/load_server.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30}; CONNECTIONS=${2:-64}
[ "$DURATION" -le 60 ] || { echo "at most 60 s" >&2; exit 2; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.build/release/bert serve --model models/all-MiniLM-L6-v2 --port "$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
LUA=$(mktemp --suffix=.lua)
cat > "$LUA" <<'LUA'
-- One sentence per request, rotating through a few lengths, as many small clients would send.
local sentences = {
  "A man is eating food.", "A man is riding a horse.", "The girl is carrying a baby.",
  "Someone in a gorilla costume is playing a set of drums.", "A cheetah is running behind its prey.",
  "Two men pushed carts through the woods while a woman watched from the porch of a small house.",
}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/embed", {["Content-Type"] = "application/json"},
                    '{"inputs": "' .. sentences[(n % #sentences) + 1] .. '"}')
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  io.write(string.format("throughput %.1f req/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s "$LUA" "http://127.0.0.1:$PORT"
rm -f "$LUA"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^te_batch_next_size_(sum|count)|^te_request_failure' || true
kill -TERM $SERVER; wait $SERVER && echo "server exited 0 after SIGTERM"
trap - EXIT
echo "offline batch throughput (bert-dev bench embed, same model):"
.build/release/bert-dev bench embed --python "" --repeats 3
