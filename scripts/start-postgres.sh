#!/usr/bin/env bash
# Starts PostgreSQL with pgvector for the search-index tests and `bert index --index postgres://...` trials: PyPI's
# pgserver bundles both (PostgreSQL 16, pgvector 0.6). The server listens on a Unix socket in its data folder and
# keeps running after this script; prints an `export BERT_TEST_POSTGRES=URL` line for the tests.
# Usage: eval "$(scripts/start-postgres.sh)"     PG_DATA (default /tmp/swift-bert-pgdata), PG_VENV (.venv-pg)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${PG_VENV:-$ROOT/.venv-pg}"
DATA="${PG_DATA:-/tmp/swift-bert-pgdata}"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" >&2; fi
"$VENV/bin/python" -c "import pgserver" 2>/dev/null || "$VENV/bin/pip" install -q pgserver >&2
URL="$("$VENV/bin/python" - "$DATA" 2>/dev/null <<'PY'
import sys
import pgserver
server = pgserver.get_server(sys.argv[1], cleanup_mode=None)  # None: keep running after Python exits
server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
print(server.get_uri())
PY
)"
echo "export BERT_TEST_POSTGRES='$URL'"
