#!/usr/bin/env python3
"""Reference exact-search timings for `bert-dev bench search` (run by it; not meant to be run by hand).

Usage: bench_search.py FOLDER ROWS DIM QUERIES K THREADS
FOLDER holds vectors.f32 (ROWS x DIM float32, row-major) and queries.f32 (QUERIES x DIM). For each query, one at a
time as a search index answers them: numpy's `vectors @ query` (OpenBLAS sgemv on THREADS threads) + argpartition
for the top K, and faiss IndexFlatIP.search (faiss-cpu, omp threads = THREADS). Prints one line per runtime:
"name median_ms ids;ids;..." where ids are the top-K row numbers (0-based) of each query, best first.
"""
import os
import sys

folder, rows, dim, nq, k, threads = sys.argv[1], *map(int, sys.argv[2:7])
os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
os.environ["OMP_NUM_THREADS"] = str(threads)
import time  # noqa: E402

import numpy as np  # noqa: E402

vectors = np.fromfile(os.path.join(folder, "vectors.f32"), dtype=np.float32).reshape(rows, dim)
queries = np.fromfile(os.path.join(folder, "queries.f32"), dtype=np.float32).reshape(nq, dim)


def report(name, search):
    search(queries[0])  # warm
    times, ids = [], []
    for q in queries:
        start = time.perf_counter()
        top = search(q)
        times.append((time.perf_counter() - start) * 1e3)
        ids.append(",".join(str(int(i)) for i in top))
    print(name, sorted(times)[len(times) // 2], ";".join(ids), flush=True)


def numpy_search(q):
    scores = vectors @ q
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


report("numpy_matvec", numpy_search)

try:
    import faiss
except ImportError:
    print("faiss-cpu is not installed (pip install faiss-cpu): skipped", file=sys.stderr)
    sys.exit(0)
faiss.omp_set_num_threads(threads)
index = faiss.IndexFlatIP(dim)
index.add(vectors)
report("faiss_IndexFlatIP", lambda q: index.search(q.reshape(1, dim), k)[1][0])
