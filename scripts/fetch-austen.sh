#!/usr/bin/env bash
# Jane Austen's six novels (public domain) as plain text under models/austen/, from Debian's r-cran-janeaustenr,
# read without R: the package's lazy-load database (data/Rdata.rdb) is a series of zlib blobs, each an R
# character vector in R's XDR serialization; we decode the strings (one line of the novel each) ourselves.
# The package is not installed (apt-get download + dpkg -x). Blank lines separate paragraphs, as in the books.
# Idempotent. Usage: scripts/fetch-austen.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/models/austen"
if [ -f "$OUT/emma.sentences.txt" ]; then exit 0; fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && (apt-get download r-cran-janeaustenr >/dev/null 2>&1 || { apt-get update -qq && apt-get download r-cran-janeaustenr >/dev/null; }) )
dpkg -x "$TMP"/r-cran-janeaustenr_*.deb "$TMP/x"
mkdir -p "$OUT.partial"
python3 - "$TMP/x/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb" "$OUT.partial" <<'PY'
import struct, sys, zlib, os
rdb, out = sys.argv[1], sys.argv[2]
data = open(rdb, "rb").read()
names = ["emma", "mansfield_park", "northanger_abbey", "persuasion", "pride_and_prejudice", "sense_and_sensibility"]
pos, vectors = 0, []
while pos < len(data):
    d = zlib.decompressobj()
    raw = d.decompress(data[pos + 4:])
    pos += 4 + len(data[pos + 4:]) - len(d.unused_data)
    assert raw[:2] == b"X\n", "not an XDR serialization"
    i = 2 + 12                      # format version, R version, minimal R version
    n = struct.unpack(">i", raw[i:i + 4])[0]; i += 4 + n   # native encoding name
    flags, length = struct.unpack(">ii", raw[i:i + 8]); i += 8
    assert flags & 0xFF == 16, "expected a character vector (STRSXP)"
    lines = []
    for _ in range(length):
        f, m = struct.unpack(">ii", raw[i:i + 8]); i += 8
        assert f & 0xFF == 9, "expected CHARSXP"
        if m < 0: lines.append(""); continue
        lines.append(raw[i:i + m].decode("utf-8", "replace")); i += m
    vectors.append(lines)
# The database stores the books in alphabetical order of their object names.
order = ["emma", "mansfield_park", "northanger_abbey", "persuasion", "pride_and_prejudice", "sense_and_sensibility"]
for name, lines in zip(order, vectors):
    with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{name}: {len(lines)} lines", file=sys.stderr)
    # Google's pre-training format beside it: one sentence per line, a blank line between chapters (documents).
    import re
    chapters, current, para = [], [], []
    def flush_para():
        if para:
            current.append(" ".join(para)); para.clear()
    for line in lines:
        if re.match(r"^\s*(CHAPTER|Chapter)\b", line):
            flush_para()
            if current: chapters.append(current)
            current = []
        elif line.strip() == "":
            flush_para()
        else:
            para.append(line.strip())
    flush_para()
    if current: chapters.append(current)
    splitter = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["\u201d\']))\s+(?=["\u201c\']?[A-Z])')
    abbrev = re.compile(r"\b(Mr|Mrs|Dr|St|Ms)\.$")
    with open(os.path.join(out, name + ".sentences.txt"), "w", encoding="utf-8") as f:
        for chapter in chapters:
            for paragraph in chapter:
                pieces, buf = [], ""
                for piece in splitter.split(paragraph):
                    buf = f"{buf} {piece}" if buf else piece
                    if not abbrev.search(buf):
                        pieces.append(buf); buf = ""
                if buf: pieces.append(buf)
                for sentence in pieces:
                    f.write(sentence + "\n")
            f.write("\n")
PY
rm -rf "$OUT"; mv "$OUT.partial" "$OUT"
echo "Jane Austen's novels in $OUT"
