#!/usr/bin/env python3
"""Golden values for the tensor ops and their gradients: writes Tests/Fixtures/ops/op_goldens.json.

Usage (from the repository root):
    .venv/bin/python scripts/make_op_goldens.py            # or .venv/bin/python
    .venv/bin/python scripts/make_op_goldens.py --out other.json

For every case the inputs are random float32 values (one numpy Generator per case, seeded from a CRC32 of the
case name, so adding a case never changes the others). The op is computed by PyTorch in float64 from those
float32 values, so the stored outputs are the exact answer rounded once to float32. A random upstream gradient
g (float32) of each output's shape is drawn, L = sum_k sum(out_k * g_k) and the gradients of L w.r.t. every
float input are computed by autograd (float64), then rounded to float32. Integer inputs (ids, labels, indices)
and additive masks get `null` gradients. Numbers are written with the shortest decimal text that reads back
(decimal -> double -> float32) to the same float32 value.

Format:
  {"README": ..., "torch_version": ..., "numpy_version": ..., "cases": [
    {"name", "op", "attrs",
     "inputs":       [{"shape": [...], "data": [...]} | {"shape": [...], "ints": [...]}],
     "outputs":      [{"shape": [...], "data": [...]}],
     "grad_outputs": [{"shape": [...], "data": [...]}],          # one per output
     "grads":        [{"shape": [...], "data": [...]} | null]}]}  # one per input
All data are flat, row-major. A shape [] is a scalar with one value.
"""
import argparse
import json
import math
import os
import platform
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)

README = (
    "Op goldens made by scripts/make_op_goldens.py. Per case: inputs (float32 'data' or integer 'ints', flat "
    "row-major with 'shape'), outputs computed in float64 by PyTorch from the float32 inputs and rounded to "
    "float32, grad_outputs g (one per output), and grads = dL/d(input) for L = sum_k sum(out_k*g_k), null for "
    "integer inputs and additive masks. Op semantics are PyTorch's; see the script's docstring and "
    "Tests/Fixtures/MANIFEST.md for each op's attrs. cross_entropy: class dim is last, logits are viewed as "
    "[-1, C] and labels as [-1] (as BertForMaskedLM does). attention: softmax(q k^T / sqrt(D) + mask) v."
)


def fmt(x):
    """Shortest decimal text that reads back, through a double, as exactly the float32 value x."""
    x = np.float32(x)
    if not np.isfinite(x):
        raise ValueError("non-finite value in goldens")
    s = np.format_float_positional(x, unique=True, trim="-") if 1e-4 <= abs(x) < 1e7 or x == 0 else \
        np.format_float_scientific(x, unique=True, trim="-")
    if np.float32(float(s)) != x:
        s = "%.9g" % float(x)
        assert np.float32(float(s)) == x
    return s


class Floats:
    def __init__(self, arr):
        self.arr = np.asarray(arr, dtype=np.float32).reshape(-1)


def dump(obj):
    if isinstance(obj, Floats):
        return "[" + ",".join(fmt(v) for v in obj.arr) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dump(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(dump(v) for v in obj) + "]"
    return json.dumps(obj)


# ---- input descriptions -------------------------------------------------------------------------------------
class F32:
    """A float32 input. grad=False for inputs that get a null gradient (additive masks)."""

    def __init__(self, arr, grad=True):
        self.arr = np.asarray(arr, dtype=np.float32)
        self.grad = grad


class I64:
    def __init__(self, arr):
        self.arr = np.asarray(arr, dtype=np.int64)


CASES = []


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def case(name, op, attrs, make_inputs, fn):
    CASES.append((name, op, attrs, make_inputs, fn))


def run_case(name, op, attrs, make_inputs, fn):
    rng = rng_for(name)
    inputs = make_inputs(rng)
    tins = []
    for inp in inputs:
        if isinstance(inp, F32):
            t = torch.from_numpy(inp.arr.astype(np.float64))
            t.requires_grad_(inp.grad)
        else:
            t = torch.from_numpy(inp.arr)
        tins.append(t)
    outs = fn(*tins)
    if isinstance(outs, torch.Tensor):
        outs = [outs]
    outs = list(outs)
    gs = [rng.standard_normal(o.shape).astype(np.float32) for o in outs]
    L = sum((o * torch.from_numpy(g.astype(np.float64))).sum() for o, g in zip(outs, gs))
    wrt = [t for t in tins if t.requires_grad]
    grads = torch.autograd.grad(L, wrt, allow_unused=True) if wrt else []
    grads = iter(grads)
    jgrads = []
    for inp, t in zip(inputs, tins):
        if t.requires_grad:
            gr = next(grads)
            if gr is None:
                gr = torch.zeros_like(t)
            jgrads.append({"shape": list(t.shape), "data": Floats(gr.detach().numpy())})
        else:
            jgrads.append(None)
    jin = []
    for inp in inputs:
        if isinstance(inp, F32):
            jin.append({"shape": list(inp.arr.shape), "data": Floats(inp.arr)})
        else:
            jin.append({"shape": list(inp.arr.shape), "ints": [int(v) for v in inp.arr.reshape(-1)]})
    for o in outs:
        assert torch.isfinite(o).all(), name
    return {
        "name": name, "op": op, "attrs": attrs,
        "inputs": jin,
        "outputs": [{"shape": list(o.shape), "data": Floats(o.detach().numpy())} for o in outs],
        "grad_outputs": [{"shape": list(g.shape), "data": Floats(g)} for g in gs],
        "grads": jgrads,
    }


def normal(*shape):
    return lambda rng: rng.standard_normal(shape).astype(np.float32)


def f32s(*shapes):
    return lambda rng: [F32(rng.standard_normal(s)) for s in shapes]


# ---- matmul / linear ----------------------------------------------------------------------------------------
for nm, sa, sb in [("matmul_2d", [7, 33], [33, 5]), ("matmul_1x1", [1, 1], [1, 1]),
                   ("matmul_4d_batched", [2, 3, 7, 5], [2, 3, 5, 4]),
                   ("matmul_3d_broadcast", [2, 3, 7, 5], [5, 4])]:
    case(nm, "matmul", {}, f32s(sa, sb), torch.matmul)

for nm, sx, sw, sb in [("linear_3d", [3, 7, 33], [5, 33], [5]), ("linear_2d_small", [1, 4], [3, 4], [3])]:
    case(nm, "linear", {}, f32s(sx, sw, sb), lambda x, w, b: x @ w.T + b)

# ---- elementwise binary -------------------------------------------------------------------------------------
BIN_SHAPES = [("same", [3, 7], [3, 7]), ("bcast_row", [3, 7], [7]), ("bcast_4d", [2, 3, 1, 5], [3, 4, 1]),
              ("bcast_scalar1", [1], [4, 3])]
for opname, fn in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div)]:
    for tag, sa, sb in BIN_SHAPES:
        if opname == "div":
            def mk(rng, sa=sa, sb=sb):
                a = rng.standard_normal(sa)
                u = rng.standard_normal(sb)
                return [F32(a), F32(np.sign(u) * (0.5 + np.abs(u)))]
        else:
            mk = f32s(sa, sb)
        case(f"{opname}_{tag}", opname, {}, mk, fn)

case("scale_3x7", "scale", {"factor": 0.125}, f32s([3, 7]), lambda x: x * 0.125)

# ---- activations --------------------------------------------------------------------------------------------
def spread(rng):
    return [F32(rng.uniform(-6, 6, size=(3, 33)))]


case("gelu_3x33", "gelu", {}, spread, lambda x: F.gelu(x))
case("gelu_tanh_3x33", "gelu_tanh", {}, spread, lambda x: F.gelu(x, approximate="tanh"))
case("tanh_3x33", "tanh", {}, spread, torch.tanh)
case("relu_3x33", "relu", {}, spread, torch.relu)

# ---- softmax family -----------------------------------------------------------------------------------------
case("softmax_3x7x33", "softmax", {"dim": -1}, lambda r: [F32(3 * r.standard_normal((3, 7, 33)))],
     lambda x: torch.softmax(x, -1))


def masked_inputs(B, H, S, masked_value, lengths):
    def mk(rng):
        x = 3 * rng.standard_normal((B, H, S, S))
        m = np.zeros((B, 1, 1, S))
        for b, n in enumerate(lengths):
            m[b, 0, 0, n:] = masked_value
        return [F32(x), F32(m, grad=False)]
    return mk


F32MIN = float(torch.finfo(torch.float32).min)
for nm, B, H, S, mv, lens, sc in [("masked_softmax_m10000", 2, 3, 7, -10000.0, [7, 4], 1 / math.sqrt(8)),
                                  ("masked_softmax_f32min", 3, 2, 5, F32MIN, [2, 5, 4], 0.5)]:
    sc = float(np.float32(sc))
    case(nm, "masked_softmax", {"scale": sc}, masked_inputs(B, H, S, mv, lens),
         lambda x, m, sc=sc: torch.softmax(x * sc + m, -1))

case("log_softmax_4x9", "log_softmax", {"dim": -1}, lambda r: [F32(3 * r.standard_normal((4, 9)))],
     lambda x: torch.log_softmax(x, -1))

# ---- layer norm ---------------------------------------------------------------------------------------------
for nm, shape, eps in [("layer_norm_3x5x33", [3, 5, 33], 1e-12), ("layer_norm_1x8_eps1e-5", [1, 8], 1e-5)]:
    n = shape[-1]

    def mk(rng, shape=shape, n=n):
        return [F32(2 * rng.standard_normal(shape) + 0.5), F32(1 + 0.2 * rng.standard_normal(n)),
                F32(0.2 * rng.standard_normal(n))]
    case(nm, "layer_norm", {"eps": eps}, mk,
         lambda x, w, b, n=n, eps=eps: F.layer_norm(x, (n,), w, b, eps))

# ---- embedding / gather -------------------------------------------------------------------------------------
case("embedding_2x5_vocab11", "embedding", {},
     lambda r: [I64([[3, 0, 10, 3, 7], [5, 3, 1, 10, 2]]), F32(r.standard_normal((11, 6)))],
     lambda ids, w: F.embedding(ids, w))

case("gather_dim1", "gather", {"dim": 1},
     lambda r: [F32(r.standard_normal((3, 5))), I64([[4, 0, 0, 2], [1, 1, 3, 4], [0, 2, 4, 4]])],
     lambda x, i: torch.gather(x, 1, i))
case("gather_dim0", "gather", {"dim": 0},
     lambda r: [F32(r.standard_normal((4, 3))), I64([[3, 0, 1], [3, 2, 1]])],
     lambda x, i: torch.gather(x, 0, i))

# ---- shape ops ----------------------------------------------------------------------------------------------
case("concat_dim0_three", "concat", {"dim": 0}, f32s([2, 3], [1, 3], [4, 3]),
     lambda *xs: torch.cat(xs, 0))
case("concat_dim-1_two", "concat", {"dim": -1}, f32s([2, 3, 4], [2, 3, 1]),
     lambda *xs: torch.cat(xs, -1))

case("split_dim-1", "split", {"sizes": [2, 5, 1], "dim": -1}, f32s([3, 8]),
     lambda x: torch.split(x, [2, 5, 1], -1))
case("split_dim0", "split", {"sizes": [1, 2], "dim": 0}, f32s([3, 4, 2]),
     lambda x: torch.split(x, [1, 2], 0))

case("slice_dim1", "slice", {"dim": 1, "start": 2, "end": 6}, f32s([3, 7, 5]), lambda x: x[:, 2:6])
case("slice_dim-1_first", "slice", {"dim": -1, "start": 0, "end": 1}, f32s([4, 33]), lambda x: x[..., 0:1])
case("slice_dim0", "slice", {"dim": 0, "start": 1, "end": 3}, f32s([3, 7]), lambda x: x[1:3])

case("transpose_0_2", "transpose", {"dim0": 0, "dim1": 2}, f32s([3, 7, 5]), lambda x: x.transpose(0, 2))
case("transpose_-1_-2", "transpose", {"dim0": -1, "dim1": -2}, f32s([2, 3, 4]),
     lambda x: x.transpose(-1, -2))
case("permute_heads", "permute", {"dims": [0, 2, 1, 3]}, f32s([2, 3, 7, 5]), lambda x: x.permute(0, 2, 1, 3))
case("permute_3d", "permute", {"dims": [2, 0, 1]}, f32s([3, 4, 5]), lambda x: x.permute(2, 0, 1))
case("reshape_infer", "reshape", {"shape": [3, -1]}, f32s([3, 7, 5]), lambda x: x.reshape(3, -1))
case("reshape_heads", "reshape", {"shape": [2, 7, 3, 5]}, f32s([2, 7, 15]), lambda x: x.reshape(2, 7, 3, 5))

# ---- reductions ---------------------------------------------------------------------------------------------
RED_ATTRS = [(None, False), (1, True), (-1, False), (0, False)]
for opname in ["sum", "mean", "max"]:
    for d, kd in RED_ATTRS:
        if opname == "max" and d is None:
            fn = lambda x: torch.max(x)
        elif opname == "max":
            fn = lambda x, d=d, kd=kd: torch.max(x, d, keepdim=kd).values
        elif d is None:
            fn = (lambda x: torch.sum(x)) if opname == "sum" else (lambda x: torch.mean(x))
        else:
            f = torch.sum if opname == "sum" else torch.mean
            fn = lambda x, d=d, kd=kd, f=f: f(x, d, keepdim=kd)
        tag = "all" if d is None else f"dim{d}" + ("_keepdim" if kd else "")
        case(f"{opname}_{tag}", opname, {"dim": d, "keepdim": kd}, f32s([3, 7, 5]), fn)

# ---- losses -------------------------------------------------------------------------------------------------
def ce(logits, labels):
    C = logits.shape[-1]
    return F.cross_entropy(logits.view(-1, C), labels.view(-1), ignore_index=-100, reduction="mean")


case("cross_entropy_5x7", "cross_entropy", {"ignore_index": -100, "reduction": "mean"},
     lambda r: [F32(2 * r.standard_normal((5, 7))), I64([3, -100, 0, 6, -100])], ce)
case("cross_entropy_mlm_2x6x11", "cross_entropy", {"ignore_index": -100, "reduction": "mean"},
     lambda r: [F32(2 * r.standard_normal((2, 6, 11))),
                I64([[-100, 4, -100, -100, 10, -100], [0, -100, -100, 7, -100, 4]])], ce)

case("mse_loss_3x7", "mse_loss", {"reduction": "mean"}, f32s([3, 7], [3, 7]),
     lambda a, b: F.mse_loss(a, b, reduction="mean"))
case("bce_with_logits_4x5", "bce_with_logits", {"reduction": "mean"},
     lambda r: [F32(2 * r.standard_normal((4, 5))), F32(r.uniform(0, 1, (4, 5)))],
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="mean"))


# ---- attention ----------------------------------------------------------------------------------------------
def attention(q, k, v, m):
    D = q.shape[-1]
    return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + m, -1) @ v


for nm, B, H, S, D, lens in [("attention_2x3x7x5", 2, 3, 7, 5, [7, 3]), ("attention_1x2x33x8", 1, 2, 33, 8, [29])]:
    def mk(rng, B=B, H=H, S=S, D=D, lens=lens):
        q, k, v = (rng.standard_normal((B, H, S, D)) for _ in range(3))
        m = np.zeros((B, 1, 1, S))
        for b, n in enumerate(lens):
            m[b, 0, 0, n:] = -10000.0
        return [F32(q), F32(k), F32(v), F32(m, grad=False)]
    case(nm, "attention", {}, mk, attention)


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "Tests/Fixtures/ops/op_goldens.json"))
    args = ap.parse_args()
    print(f"python {platform.python_version()} torch {torch.__version__} numpy {np.__version__}", file=sys.stderr)
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    cases = [run_case(*c) for c in CASES]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    head = {"README": README, "torch_version": torch.__version__, "numpy_version": np.__version__}
    with open(args.out, "w") as f:
        f.write("{" + ",\n".join(json.dumps(k) + ":" + json.dumps(v) for k, v in head.items()))
        f.write(',\n"cases":[\n' + ",\n".join(dump(c) for c in cases) + "\n]}\n")
    print(f"wrote {len(cases)} cases to {args.out} ({os.path.getsize(args.out)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
