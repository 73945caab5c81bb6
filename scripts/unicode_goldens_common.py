"""Helpers shared by the tokenizer golden and Unicode-table scripts (imported, not run)."""
import random


def ranges(cps):
    """Sorted code points as `A-B` / `A` hex ranges, space separated."""
    out, start, prev = [], None, None
    for cp in cps:
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            out.append((start, prev))
            start = prev = cp
    if start is not None:
        out.append((start, prev))
    return " ".join(f"{a:X}" if a == b else f"{a:X}-{b:X}" for a, b in out)


def chunked(s, width=110):
    """Splits a long literal into lines the Swift compiler handles quickly."""
    words, lines, cur = s.split(" "), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return "\n".join(lines)


# Blocks the golden corpora draw from: ASCII, Latin, combining marks, Greek, Cyrillic, Hebrew/Arabic, Devanagari,
# Thai, Hangul jamo, punctuation, letterlike symbols/numbers/enclosed, CJK punctuation/kana, CJK, Hangul,
# presentation forms, variation selectors/specials, mathematical alphanumerics, emoji, CJK extension B, tags,
# controls, and anything at all.
POOLS = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
         (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2100, 0x24FF),
         (0x3000, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFB00, 0xFB4F), (0xFE00, 0xFFFF),
         (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0000, 0xE01EF), (0x0, 0x1F),
         (0x0, 0x10FFFF)]


def seeded_strings(seed, count, max_length, draw):
    """`count` strings of 1-`max_length` code points from `draw(rng)`, seeded (surrogates become spaces)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        cps = [draw(rng) for _ in range(rng.randint(1, max_length))]
        out.append("".join(" " if 0xD800 <= cp <= 0xDFFF else chr(cp) for cp in cps))
    return out


def random_strings(seed, count, max_length=24, space_rate=0.0):
    """`count` seeded strings of 1-`max_length` code points, each a space with probability `space_rate`, else
    drawn from a block of POOLS chosen uniformly (surrogates become spaces)."""
    def draw(rng):
        if space_rate and rng.random() < space_rate:
            return 0x20
        lo, hi = rng.choice(POOLS)
        return rng.randint(lo, hi)
    return seeded_strings(seed, count, max_length, draw)


def fnv(text):
    """FNV-1a 64 of the UTF-8 bytes, as 16 hex digits (the Swift tests compute the same digest)."""
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return format(h, "016x")


def plane_sweep(seed, count):
    """`count` seeded random strings of 1-24 code points: 30% ASCII, 50% BMP, 20% the other planes (surrogates
    become spaces)."""
    def draw(rng):
        r = rng.random()
        if r < 0.3:
            return rng.randint(0x20, 0x7E)
        return rng.randint(0x80, 0xFFFF) if r < 0.8 else rng.randint(0x10000, 0x10FFFF)
    return seeded_strings(seed, count, 24, draw)


def scalar_map_entries(mapping):
    """`{cp: str}` as space-separated `cp=s1.s2` entries (hex scalars), sorted; an empty right side removes."""
    return " ".join(f"{cp:X}=" + ".".join(f"{ord(ch):X}" for ch in v) for cp, v in sorted(mapping.items()))
