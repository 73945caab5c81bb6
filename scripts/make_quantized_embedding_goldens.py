#!/usr/bin/env python3
"""sentence-transformers' quantize_embeddings on all-MiniLM-L6-v2's embeddings of a few texts.

    .venv/bin/python scripts/make_quantized_embedding_goldens.py   # writes Tests/Fixtures/minilm/quantized_embeddings.json

For each precision (int8, uint8, binary, ubinary): model.encode(TEXTS, precision=...) (int8 / uint8 ranges from
the texts' own embeddings, as encode computes them), and quantize_embeddings of the last two texts with the ranges of
all of them (explicit `ranges`).
"""
import json
import os

import numpy as np
from sentence_transformers import SentenceTransformer
from sentence_transformers.util.quantization import quantize_embeddings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXTS = ["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.", "",
         "Ein Mann isst.", "A monkey is playing drums."]


def main():
    model = SentenceTransformer(os.path.join(ROOT, "models", "all-MiniLM-L6-v2"), device="cpu")
    floats = model.encode(TEXTS)
    ranges = np.vstack((floats.min(axis=0), floats.max(axis=0)))
    out = {"texts": TEXTS, "encode": {}, "with_ranges": {}}
    for precision in ["int8", "uint8", "binary", "ubinary"]:
        out["encode"][precision] = model.encode(TEXTS, precision=precision).astype(int).tolist()
        out["with_ranges"][precision] = quantize_embeddings(floats[-2:], precision=precision, ranges=ranges).astype(int).tolist()
    path = os.path.join(ROOT, "Tests", "Fixtures", "minilm", "quantized_embeddings.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
