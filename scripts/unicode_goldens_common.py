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


def plane_sweep(seed, count):
    """`count` seeded random strings of 1-24 code points: 30% ASCII, 50% BMP, 20% the other planes (surrogates
    become spaces)."""
    rng = random.Random(seed)
    sweep = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 24)):
            r = rng.random()
            if r < 0.3:
                cp = rng.randint(0x20, 0x7E)
            elif r < 0.8:
                cp = rng.randint(0x80, 0xFFFF)
            else:
                cp = rng.randint(0x10000, 0x10FFFF)
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0x20
            chars.append(chr(cp))
        sweep.append("".join(chars))
    return sweep
