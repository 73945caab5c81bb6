#!/usr/bin/env python3
"""Writes the SafeTensors reader/writer fixtures under Tests/Fixtures/safetensors/ (deterministic, tiny).

python_dtypes.safetensors  every common dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL), with special values
                           (signed zero, subnormals, inf, NaN, extremes), written by safetensors.torch.save_file
                           with metadata {"format": "pt", "note": "fixture \"quoted\"\\n"}.
python_dtypes.json         for each tensor: dtype, shape, and the exact expected values: `float_bits` (the uint32
                           bit pattern of torch's `.float()` of the tensor) and, for integer/bool tensors, `ints`.
Run: .venv/bin/python scripts/make_safetensors_fixtures.py
"""
import json, os, struct, sys
import numpy as np, safetensors, torch
from safetensors.torch import save_file

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "safetensors")
os.makedirs(out, exist_ok=True)
print(f"torch {torch.__version__}, safetensors {safetensors.__version__}, numpy {np.__version__}", file=sys.stderr)

inf, nan = float("inf"), float("nan")
special = [0.0, -0.0, 1.0, -2.5, 1e-8, -3e-39, 6e-8, 5.96e-8, 65504.0, 65520.0, 1e30, inf, -inf, nan, 0.1, 1 / 3]
g = torch.Generator().manual_seed(0)
tensors = {
    "f64.values": torch.tensor(special + [1e300, 2.0 ** -1074], dtype=torch.float64).reshape(2, 9),
    "f32.values": torch.tensor(special + [3.4028235e38, 1.4e-45], dtype=torch.float32).reshape(3, 6),
    "f32.random": torch.randn(2, 3, 4, generator=g),
    "f32.scalar": torch.tensor(7.25),
    "f32.empty": torch.zeros(0, 3),
    "f16.values": torch.tensor(special + [2.0 ** -24, 2.0 ** -14 - 2.0 ** -24], dtype=torch.float16),
    "bf16.values": torch.tensor(special + [1e38, 9.2e-41], dtype=torch.bfloat16).reshape(2, 9),
    "i64.values": torch.tensor([0, 1, -1, 2 ** 62, -(2 ** 63), 2 ** 63 - 1, 42], dtype=torch.int64),
    "i32.values": torch.tensor([0, -(2 ** 31), 2 ** 31 - 1, 7], dtype=torch.int32).reshape(2, 2),
    "i16.values": torch.tensor([-32768, 32767, 0], dtype=torch.int16),
    "i8.values": torch.tensor([-128, 127, -1], dtype=torch.int8),
    "u8.values": torch.tensor([0, 255, 128], dtype=torch.uint8),
    "bool.values": torch.tensor([True, False, True, True], dtype=torch.bool),
}
save_file(tensors, os.path.join(out, "python_dtypes.safetensors"),
          metadata={"format": "pt", "note": "fixture \"quoted\"\n"})

expected = {"README": "Made by scripts/make_safetensors_fixtures.py; float_bits are uint32 patterns of .float().",
            "torch_version": torch.__version__, "safetensors_version": safetensors.__version__, "tensors": {}}
for name, t in tensors.items():
    entry = {"dtype": str(t.dtype), "shape": list(t.shape)}
    if t.dtype not in (torch.bool,) and t.dtype != torch.int64:
        f = t.float().contiguous().numpy().reshape(-1)
        entry["float_bits"] = [int(b) for b in f.view(np.uint32)]
    if not t.is_floating_point():
        entry["ints"] = [int(v) for v in t.reshape(-1).tolist()]
    expected["tensors"][name] = entry
with open(os.path.join(out, "python_dtypes.json"), "w") as fh:
    json.dump(expected, fh, indent=1, sort_keys=True)
    fh.write("\n")
