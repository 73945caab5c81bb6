#!/usr/bin/env python3
"""Fits the rational erf of Sources/CBERTKernels/rows_x86.c: erf(z) ≈ z·P(z²)/Q(z²) on [0, 4], P and Q of degree 5,
Q(0) = 1, by iteratively reweighted least squares on the linearised residual z·P(w) − erf(z)·(Q(w) − 1) = erf(z).
Prints the coefficients and the maximum absolute error in float64 and when evaluated in float32 (as the kernel
does, Horner with one rounding per step). Needs numpy and scipy (.venv)."""
import numpy as np
from scipy.special import erf


def fit(dp=5, dq=5, hi=4.0, iters=80):
    z = hi * (1 - np.cos(np.linspace(0, np.pi / 2, 20000)))  # denser near 4, where the ratio bends least
    w, f = z * z, erf(z)
    weights, best = np.ones_like(z), None
    for _ in range(iters):
        a = np.hstack([z[:, None] * w[:, None] ** np.arange(dp + 1), -(f[:, None] * w[:, None] ** np.arange(1, dq + 1))])
        sol, *_ = np.linalg.lstsq(a * weights[:, None], f * weights, rcond=None)
        p, q = sol[:dp + 1], np.concatenate([[1.0], sol[dp + 1:]])
        err = z * np.polyval(p[::-1], w) / np.polyval(q[::-1], w) - f
        worst = np.max(np.abs(err))
        if best is None or worst < best[0]:
            best = (worst, p, q)
        weights = weights * (np.abs(err) / worst + 0.1) ** 0.5  # lean on the worst points
        weights /= weights.mean()
    return best


def float32_error(p, q):
    z = np.linspace(-4.5, 4.5, 400001).astype(np.float32)
    zc = np.clip(z, -4, 4)
    w = zc * zc
    pv = np.float32(p[-1])
    for c in p[-2::-1]:
        pv = (pv * w + np.float32(c)).astype(np.float32)
    qv = np.float32(q[-1])
    for c in q[-2::-1]:
        qv = (qv * w + np.float32(c)).astype(np.float32)
    r = (zc * pv / qv).astype(np.float32)
    return np.max(np.abs(r.astype(np.float64) - erf(z.astype(np.float64))))


if __name__ == "__main__":
    worst, p, q = fit()
    for i, c in enumerate(p):
        print(f"#define ERF_P{i} {c:.9e}f")
    for i, c in enumerate(q[1:], 1):
        print(f"#define ERF_Q{i} {c:.9e}f")
    print(f"max |error| float64 {worst:.3g}, float32 {float32_error(p, q):.3g}")
