#!/usr/bin/env bash
# Puts a real English text corpus for the pre-training data tests under models/ (git-ignored):
#   models/pretraining-text/files/*.txt   the Python 3.11 tutorial, HOWTOs and FAQ, one file per page
#                                         (reStructuredText sources, ~1.1 MB of prose and code in 50-odd files,
#                                         paragraphs separated by blank lines),
# from Debian's python3.11-doc package, downloaded with apt-get download and unpacked with dpkg -x (nothing is
# installed). Idempotent: a corpus already in place is kept.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/models/pretraining-text"
OUT="$DEST/files"
if [ -d "$OUT" ]; then echo "corpus ready: $OUT"; exit 0; fi
mkdir -p "$DEST"
rm -rf "$OUT.partial"; mkdir -p "$OUT.partial"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt-get download python3.11-doc >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download python3.11-doc >/dev/null 2>&1; }
dpkg -x python3.11-doc_*.deb unpacked
SRC="unpacked/usr/share/doc/python3.11/html/_sources"
for f in $(cd "$SRC" && ls tutorial/*.rst.txt howto/*.rst.txt faq/*.rst.txt); do
    cp "$SRC/$f" "$OUT.partial/$(echo "${f%.rst.txt}" | tr / -).txt"
done
mv "$OUT.partial" "$OUT"
echo "corpus ready: $OUT ($(ls "$OUT" | wc -l) files, $(cat "$OUT"/*.txt | wc -c) bytes)"
