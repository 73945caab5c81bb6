#!/usr/bin/env bash
# schemathesis (PyPI) against `bert serve`'s /openapi.json, bounded: EXAMPLES cases per operation (default 50) and
# a fixed seed, with the not_a_server_error check (no 5xx) — then the server must still answer /health and exit 0
# on SIGTERM (no crash). Runs an embedding server with an --index (every embedding, search and index route) and
# one server per extra model folder given (a classifier, masked-LM, token-classification or QA folder: their
# routes, the others answering TEI's 424). Prints schemathesis' summary per server; exits 1 on any failure.
# Usage (after `swift build -c release --product bert` and scripts/setup-serve-bench.sh):
#   scripts/fuzz_server.sh [EXAMPLES] [MODEL_FOLDER...]
set -uo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${1:-50}; shift || true
ST=${SCHEMATHESIS:-.venv-serve/bin/st}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
status=0
fuzz() {  # fuzz MODEL [serve options...]
  local model=$1; shift
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  .build/release/bert serve --model "$model" --port "$port" --log-level error "$@" &
  local pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  echo "== $model $* (schemathesis $("$ST" --version 2>/dev/null | awk '{print $NF}'), $EXAMPLES examples per operation)"
  NO_COLOR=1 "$ST" run "http://127.0.0.1:$port/openapi.json" --checks not_a_server_error -n "$EXAMPLES" --seed 15 \
    --workers 2 --request-timeout 120 >"$WORK/st.log" 2>&1
  local st_status=$?
  sed -n '/SUMMARY/,$p' "$WORK/st.log" | grep -v '^\s*$' | head -40
  [ "$st_status" -eq 0 ] || { echo "schemathesis exit status $st_status (see failures above)"; status=1; }
  if curl -sf "http://127.0.0.1:$port/health" >/dev/null; then echo "server healthy after fuzzing"; else echo "server down"; status=1; fi
  kill -TERM "$pid"; if wait "$pid"; then echo "server exited 0 after SIGTERM"; else echo "server exit status $?"; status=1; fi
}
fuzz models/all-MiniLM-L6-v2 --index "$WORK/fuzz.sqlite"
for folder in "$@"; do fuzz "$folder"; done
exit $status
