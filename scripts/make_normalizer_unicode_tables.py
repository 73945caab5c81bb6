#!/usr/bin/env python3
"""Derives the Unicode data of BERTTokenizers' NFC/NFD/NFKC/NFKD and StripAccents normalisers by probing Hugging
Face `tokenizers` itself.

The crate normalises with `unicode-normalization-alignments`, a fork of an old `unicode-normalization` whose
tables predate Unicode 10 (it leaves U+09FE, U+089C, U+A7F3 alone where Swift's and Python's newer tables do not).
So rather than read a Unicode database, this script asks the crate what it does:

  nfd / nfkd      NFD / NFKD of every single scalar, where it is not the scalar itself (Hangul excluded: the
                  crate and the Swift code both decompose syllables algorithmically, which is checked here)
  combining       canonical combining classes: which scalars the crate reorders (probed with `a X U+0334` and
                  `a U+0301 X`, see below), the value taken from Python's unicodedata (classes are stable) and
                  checked against what the probes show
  compositions    primary composites: every canonical pair Python knows, kept when the crate's NFC composes it
  marks           what StripAccents removes (the crate's is_combining_mark)

Writes Sources/BERTTokenizers/normalizers/NormalizationTables.swift.
Usage: .venv/bin/python scripts/make_normalizer_unicode_tables.py
"""
import os
import sys
import unicodedata

import tokenizers
from tokenizers import normalizers
from unicode_goldens_common import chunked, ranges, scalar_map_entries

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources", "BERTTokenizers", "normalizers", "NormalizationTables.swift")

NFD, NFKD, NFC = normalizers.NFD(), normalizers.NFKD(), normalizers.NFC()
STRIP = normalizers.StripAccents()
SCALARS = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]


def hangul(cp):
    s = cp - 0xAC00
    l, v, t = 0x1100 + s // 588, 0x1161 + (s % 588) // 28, 0x11A7 + s % 28
    return chr(l) + chr(v) + (chr(t) if t != 0x11A7 else "")


def decompositions(normalizer):
    out = {}
    for cp in SCALARS:
        c = chr(cp)
        d = normalizer.normalize_str(c)
        if 0xAC00 <= cp <= 0xD7A3:
            if d != hangul(cp):
                sys.exit(f"Hangul U+{cp:04X} decomposes unexpectedly: {d!r}")
        elif d != c:
            out[cp] = d
    return out


def swapped(candidates, make, pick):
    """Runs NFD once over `make(X)` for every candidate (each 3 stable scalars starting with a starter) and
    returns the candidates whose segment came back reordered (`pick` tells from the output segment)."""
    text = "".join(make(chr(cp)) for cp in candidates)
    out = NFD.normalize_str(text)
    if len(out) != len(text):
        sys.exit("probe segments changed length")
    return {cp for i, cp in enumerate(candidates) if pick(out[3 * i:3 * i + 3], chr(cp))}


def combining_classes(nfd):
    # Only scalars NFD leaves alone can stand in a decomposed string, so only theirs matter.
    stable = [cp for cp in SCALARS if cp not in nfd and not 0xAC00 <= cp <= 0xD7A3]
    # NFD swaps neighbours A B when ccc(A) > ccc(B) > 0. With U+0334 (class 1) after X: swapped iff ccc(X) > 1.
    above_one = swapped(stable, lambda x: "a" + x + "\u0334", lambda seg, x: seg[1] == "\u0334" and x != "\u0334")
    # With U+0301 (class 230) before X: swapped iff 0 < ccc(X) < 230.
    below_230 = swapped(stable, lambda x: "a\u0301" + x, lambda seg, x: seg[1] == x and x != "\u0301")
    classes = {}
    for cp in above_one | below_230:
        value = unicodedata.combining(chr(cp))
        if (value > 1) != (cp in above_one) or (0 < value < 230) != (cp in below_230):
            sys.exit(f"U+{cp:04X}: the crate's reordering disagrees with class {value}")
        classes[cp] = value
    if 0x0301 not in classes:
        classes[0x0301] = 230  # the probe's own marks
    if 0x0334 not in classes:
        classes[0x0334] = 1
    return classes


def compositions():
    pairs = {}
    for cp in SCALARS:
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(p, 16) for p in d.split()]
        if len(parts) != 2:
            continue
        if NFC.normalize_str(chr(parts[0]) + chr(parts[1])) == chr(cp):
            pairs[(parts[0], parts[1])] = cp
    return pairs


def main():
    nfd = decompositions(NFD)
    nfkd = decompositions(NFKD)
    compat_only = {cp: v for cp, v in nfkd.items() if nfd.get(cp) != v}
    classes = combining_classes(nfd)
    by_class = {}
    for cp, value in classes.items():
        by_class.setdefault(value, []).append(cp)
    class_text = " ".join(f"{r}={value:X}" for value, cps in sorted(by_class.items())
                          for r in ranges(sorted(cps)).split(" "))
    pairs = compositions()
    # The Swift code skips table lookups below U+0300 on these two facts.
    if min(classes) < 0x300 or min(b for _, b in pairs) < 0x300:
        sys.exit("a combining class or a composite's second scalar below U+0300")
    marks = [cp for cp in SCALARS if cp >= 0x80 and STRIP.normalize_str(chr(cp)) == ""]
    blocks = {
        "canonicalDecompositions": scalar_map_entries(nfd),
        "compatibilityDecompositions": scalar_map_entries(compat_only),
        "combiningClasses": class_text,
        "compositions": " ".join(f"{a:X}.{b:X}={c:X}" for (a, b), c in sorted(pairs.items())),
        "combiningMarks": ranges(marks),
    }
    with open(OUT, "w") as f:
        f.write("// GENERATED by scripts/make_normalizer_unicode_tables.py from Hugging Face tokenizers "
                f"{tokenizers.__version__}; do not edit.\n")
        f.write("// What the crate's unicode-normalization-alignments does to single scalars (its Unicode version is\n")
        f.write("// older than Swift's). Maps are `cp=s1.s2` (hex); compatibilityDecompositions holds only the\n")
        f.write("// scalars whose NFKD differs from their NFD; combiningClasses is `range=class` (hex);\n")
        f.write("// compositions are `first.second=composite`; combiningMarks are hex ranges.\n\n")
        f.write("enum NormalizationTables {\n")
        for name, text in blocks.items():
            f.write(f"    static let {name} = \"\"\"\n{chunked(text)}\n\"\"\"\n")
        f.write("}\n")
    print("wrote", OUT, {"nfd": len(nfd), "nfkd extra": len(compat_only), "classes": len(classes),
                         "pairs": len(pairs), "marks": len(marks)})


if __name__ == "__main__":
    main()
