#!/usr/bin/env bash
# The Python side of the server proofs (scripts/fuzz_server.sh, scripts/load_compare.sh): schemathesis and
# infinity-emb in their own environment, .venv-serve, so infinity-emb's pins (numpy<2, sentence-transformers<4,
# transformers 4.x) never change .venv. The environment sees .venv's packages through a .pth file, so pip only
# downloads what .venv lacks or pins differently (installed here, taking precedence).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')
[ -x .venv-serve/bin/python ] || "$BASE/bin/python3" -m venv .venv-serve
SITE=$(.venv/bin/python -c 'import site; print(site.getsitepackages()[0])')
readlink -f "$SITE" > "$(.venv-serve/bin/python -c 'import site; print(site.getsitepackages()[0])')/reference-venv.pth"
.venv-serve/bin/pip install -q "infinity-emb[server,torch]==0.0.78" "schemathesis==4.32.5" openai requests
.venv-serve/bin/python -c 'import infinity_emb, schemathesis; print("infinity-emb", infinity_emb.__version__, "schemathesis", schemathesis.__version__)'
