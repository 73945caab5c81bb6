#!/usr/bin/env python3
"""sentence-transformers' model.similarity under each similarity_fn_name, on all-MiniLM-L6-v2's embeddings.

    .venv/bin/python scripts/make_similarity_goldens.py     # writes Tests/Fixtures/minilm/similarity_functions.json

For "cosine", "dot", "euclidean" and "manhattan": the model's encode of TEXTS (normalize_embeddings=False, as the
folder has a Normalize module the vectors are unit length: dot and cosine agree, so the unnormalised vectors of
a copy without Normalize are scored too) and model.similarity(embeddings, embeddings).
"""
import json
import os
import shutil
import tempfile

from sentence_transformers import SentenceTransformer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINILM = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
TEXTS = ["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.", "", "Ein Mann isst."]


def main():
    out = {"texts": TEXTS, "models": {}}
    with tempfile.TemporaryDirectory() as work:
        plain = os.path.join(work, "no-normalize")
        shutil.copytree(MINILM, plain)
        with open(os.path.join(plain, "modules.json")) as f:
            modules = [m for m in json.load(f) if not m["type"].endswith("Normalize")]
        with open(os.path.join(plain, "modules.json"), "w") as f:
            json.dump(modules, f)
        for name, folder in [("normalized", MINILM), ("unnormalized", plain)]:
            entry = {}
            for fn in ["cosine", "dot", "euclidean", "manhattan"]:
                model = SentenceTransformer(folder, device="cpu", similarity_fn_name=fn)
                e = model.encode(TEXTS, convert_to_tensor=True)
                entry[fn] = model.similarity(e, e).tolist()
            out["models"][name] = entry
    path = os.path.join(ROOT, "Tests", "Fixtures", "minilm", "similarity_functions.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
