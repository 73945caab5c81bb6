#!/usr/bin/env bash
# Extracts Pang & Lee's sentence polarity corpus (a 4,000-sentence sample of the Cornell "sentence polarity
# dataset v1.0", as shipped in Debian's python3-pattern test corpora) into data/polarity/ and writes a fixed,
# seeded, stratified 80/20 train/test split. data/ is git-ignored: the corpus is never committed.
#
# Source file: /usr/share/doc/python3-pattern/test/corpora/polarity-en-pang&lee2.csv (package python3-pattern
# 2.6+git20180818-4). Its real format, checked:
#   - UTF-8 with a byte-order mark; no header row; 4,000 records separated by CRLF (the last unterminated);
#   - two fields, both always double-quoted: the score "1" (positive, 2,000 rows) or "-1" (negative, 2,000);
#     then the sentence, lowercased and tokenised with spaces around punctuation, ending in " \n" INSIDE the
#     quotes, with literal quotes doubled ("" conan "");
#   - so a reader must honour RFC 4180 quoting (embedded newlines, doubled quotes, commas in text).
#
# Output (RFC 4180 CSV, UTF-8 without BOM, LF line ends, header `text,label`):
#   data/polarity/polarity-en-pang&lee2.csv   the original file, untouched
#   data/polarity/train.csv   3,200 rows (1,600 per class)      data/polarity/test.csv   800 rows (400 per class)
#   text = the sentence with surrounding whitespace stripped; label = "positive" (score 1) or "negative" (-1).
#   Split: per class, rows in file order are shuffled with Python's random.Random(20240607) and the first 80%
#   go to train; each output file is then shuffled again with the same generator (train first, then test).
#
# The package is not installed: `apt-get download` fetches the .deb and `dpkg -x` unpacks it into a temporary
# directory. If python3-pattern is already installed, its copy is used. Needs apt (Debian/Ubuntu) and python3.
#
# Usage: scripts/extract_polarity.sh            (from anywhere; writes under the repository root)
#        PYTHON=.venv/bin/python scripts/extract_polarity.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/data/polarity"
name='polarity-en-pang&lee2.csv'
installed="/usr/share/doc/python3-pattern/test/corpora/$name"
python="${PYTHON:-python3}"
mkdir -p "$out"

if [[ -f "$installed" ]]; then
    cp "$installed" "$out/$name"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && apt-get download python3-pattern >/dev/null)
    dpkg -x "$work"/python3-pattern_*.deb "$work/extracted"
    found="$work/extracted/usr/share/doc/python3-pattern/test/corpora/$name"
    [[ -f "$found" ]] || { echo "error: $name is not in the python3-pattern package" >&2; exit 1; }
    cp "$found" "$out/$name"
fi

"$python" - "$out" "$name" <<'PY'
import csv, os, random, sys

out, name = sys.argv[1], sys.argv[2]
with open(os.path.join(out, name), encoding="utf-8-sig", newline="") as fh:
    rows = list(csv.reader(fh, strict=True))
if len(rows) != 4000 or any(len(r) != 2 or r[0] not in ("1", "-1") for r in rows):
    sys.exit(f"error: unexpected format in {name}: {len(rows)} rows; expected 4000 rows of (1|-1, sentence)")

rng = random.Random(20240607)
train, test = [], []
for score, label in (("1", "positive"), ("-1", "negative")):
    group = [(text.strip(), label) for s, text in rows if s == score]
    rng.shuffle(group)
    cut = len(group) * 8 // 10
    train += group[:cut]
    test += group[cut:]
for part, items in (("train", train), ("test", test)):
    rng.shuffle(items)
    with open(os.path.join(out, f"{part}.csv"), "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(items)
    print(f"{part}: {len(items)} rows -> {os.path.join(out, part + '.csv')}")
PY
