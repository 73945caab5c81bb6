#!/usr/bin/env python3
"""Reference benchmarks (PyTorch, ONNX Runtime, numpy) for `bert-dev bench` to compare against in the same run.

Usage (from the repository root; embed needs scripts/fetch-models.sh first):
    .venv/bin/python scripts/bench_reference.py gemm         # torch.matmul and numpy GEMM GFLOP/s, 1 and 2 threads
    .venv/bin/python scripts/bench_reference.py embed        # all-MiniLM-L6-v2 + BERT-base-shape inference, torch and ORT
    .venv/bin/python scripts/bench_reference.py embed --int8 # the same, plus ORT quantize_dynamic and torch dynamic int8
    .venv/bin/python scripts/bench_reference.py train-step   # BertForPreTraining (4 layers, hidden 256) training tokens/s
    .venv/bin/python scripts/bench_reference.py all          # gemm, embed, train-step
    .venv/bin/python scripts/bench_reference.py pipelines    # not implemented yet (exit status 2)
Options: --quick (fewer repetitions, for smoke tests), --models DIR (default: <repo>/models).

Output: one JSON object per line on stdout, nothing else on stdout (progress and library warnings go to stderr):
    {"name": "gemm_4096x768x3072_t2", "runtime": "torch"|"onnxruntime"|"numpy", "value": 123.4, "unit": "GFLOP/s",
     ...extra descriptive fields (threads, shape, runs, ...)}
The first line is {"name": "versions", "runtime": "python", "value": null, "unit": null, "versions": {...}}.
Every record carries "loadavg_1m" (the 1-minute load average when it was printed). It includes the benchmark's own
threads (about 1-2 while it runs on 2 threads); clearly higher values mean other work competed for the CPU and the
figures of that record are not trustworthy. On a shared machine run it when nothing else is running.

Measurements
  gemm        C = A·B with A [M,K], B [K,N] float32, shapes 4096x768·768x3072, 4096x3072·3072x768, 4096x768·768x768,
              128x768·768x3072, 4096x384·384x1536; GFLOP/s = 2MKN / median time; 1 and 2 threads.
              torch: torch.set_num_threads(t). numpy: a subprocess per thread count with OPENBLAS_NUM_THREADS=t and
              OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from its environment (numpy's bundled OpenBLAS detects the
              CPU itself).
  embed       2 threads everywhere. all-MiniLM-L6-v2: sentence-transformers (PyTorch) and ONNX Runtime fp32
              (BertModel exported here with torch.onnx.export, graph optimisation ORT_ENABLE_ALL, mean pooling and
              L2 normalisation in numpy, tokenization with the `tokenizers` library from tokenizer.json).
              minilm_throughput_b32: 256 deterministic varied sentences (generator below), batches of 32 sorted by
              length as sentence-transformers does, end to end (tokenize + model + pooling), sentences/s.
              minilm_latency_b1_s128: one text of exactly 128 tokens, end to end, median ms.
              bert_base_*: BERT-base shape (12 layers, 768 hidden) with the generated weights of
              scripts/make_model_goldens.py, random ids, no tokenization: latency batch 1 x 128 (ms) and
              throughput batch 8 x 128 (sequences/s); torch BertModel and ORT.
              --int8 adds two runtimes: "onnxruntime-int8" (onnxruntime.quantization.quantize_dynamic of the exported
              graphs, weight_type QInt8, its defaults otherwise: per-tensor weights, u8 activations, the optimised
              session) and "torch-int8" (torch.ao.quantization.quantize_dynamic of every nn.Linear to qint8, the
              fbgemm engine: per-tensor weights, u8 activations).
              *_peak_rss: peak resident set size (MiB) of the worker process that ran that runtime's measurements
              (os.wait4 rusage ru_maxrss of the child; ONNX export is done in a separate process beforehand).
  train-step  BertForPreTraining (vocab 30522, 4 layers, hidden 256, 4 heads, intermediate 1024), batch 16 x 128,
              MLM labels on 15% of positions + NSP labels, AdamW (lr 1e-4), train mode (dropout on), 2 threads:
              tokens/s = 16*128 / median step time (forward + backward + optimizer step + zero_grad).
"""
import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")

GEMM_SHAPES = [(4096, 768, 3072), (4096, 3072, 768), (4096, 768, 768), (128, 768, 3072), (4096, 384, 1536)]
THREADS = 2


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def emit(name, runtime, value, unit, **extra):
    rec = {"name": name, "runtime": runtime, "value": value, "unit": unit}
    rec.update(extra)
    rec["loadavg_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews the figures
    print(json.dumps(rec), flush=True)


def timeit(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


# ---- deterministic sentences ---------------------------------------------------------------------------------
_SUBJECTS = ["the engineer", "a small robot", "my neighbour's cat", "the committee", "our search engine",
             "the old lighthouse keeper", "a curious student", "the weather service", "this library", "the startup",
             "the orchestra", "an elderly farmer", "the city council", "a marine biologist", "the compiler"]
_VERBS = ["describes", "ignores", "carefully measures", "quickly rebuilds", "reviews", "celebrates", "predicts",
          "translates", "questions", "recommends", "replaces", "documents", "explains", "misunderstands"]
_OBJECTS = ["the quarterly report", "a broken bicycle", "the migration patterns of whales", "every pull request",
            "the new tokenizer", "a recipe for lemon cake", "the results of the experiment", "the mountain trail",
            "a collection of rare stamps", "the deployment pipeline", "the history of jazz", "tomorrow's forecast",
            "the embedding vectors", "an unexpected error message", "the budget for next year"]
_TAILS = ["before the meeting ends", "with remarkable patience", "despite the heavy rain", "in under five minutes",
          "for the third time this week", "while everyone else is asleep", "using only a pencil and paper",
          "at the request of the board", "because nobody else would", "near the café in Zürich",
          "after reading 2,048 pages", "without any documentation", "on a Tuesday afternoon"]
_EXTRAS = ["Nobody expected that.", "It took 3.5 hours.", "Was it worth it?", "The numbers look good!",
           "Everyone agreed, more or less.", "This happens more often than you'd think.",
           "See section 4.2 for details.", "Naïve approaches rarely work here.", "Let's try again tomorrow."]


def make_sentences(n=256, seed=1234):
    """n varied English sentences, from 2 words to ~150 words, deterministic."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 8
        if kind == 0:
            out.append(" ".join(rng.sample(["hello", "world", "search", "query", "python", "swift", "music",
                                            "coffee", "weather", "news"], rng.randint(2, 4))))
            continue
        parts = []
        nclauses = {1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 5, 7: 10}[kind] + rng.randint(0, 2)
        for _ in range(nclauses):
            s = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            if rng.random() < 0.6:
                s += " " + rng.choice(_TAILS)
            parts.append(s[0].upper() + s[1:] + ".")
            if rng.random() < 0.3:
                parts.append(rng.choice(_EXTRAS))
        out.append(" ".join(parts))
    return out


def text_of_128_tokens(vocab_path, seed=7):
    """A text whose BERT uncased tokenization is exactly 128 tokens ([CLS] + 126 whole words + [SEP])."""
    with open(vocab_path, encoding="utf-8") as f:
        words = [w.strip() for w in f]
    words = [w for w in words[2000:] if w.isascii() and w.isalpha() and w.islower() and len(w) >= 3]
    rng = random.Random(seed)
    return " ".join(rng.choice(words) for _ in range(126))


# ---- gemm ----------------------------------------------------------------------------------------------------
def bench_gemm(args):
    import torch
    runs = 3 if args.quick else 7
    for t in (1, 2):
        torch.set_num_threads(t)
        for (M, K, N) in GEMM_SHAPES:
            g = torch.Generator().manual_seed(0)
            a = torch.randn(M, K, generator=g)
            b = torch.randn(K, N, generator=g)
            c = torch.empty(M, N)
            sec = timeit(lambda: torch.matmul(a, b, out=c), runs, warmup=2)
            emit(f"gemm_{M}x{K}x{N}_t{t}", "torch", round(2 * M * K * N / sec / 1e9, 2), "GFLOP/s",
                 m=M, k=K, n=N, threads=t, runs=runs, median_s=sec)
    for t in (1, 2):
        env = dict(os.environ)
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            env.pop(k, None)
        env["OPENBLAS_NUM_THREADS"] = str(t)
        env["OMP_NUM_THREADS"] = str(t)
        cmd = [sys.executable, os.path.abspath(__file__), "_numpy_gemm", str(t)] + (["--quick"] if args.quick else [])
        res = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=True, text=True)
        sys.stdout.write(res.stdout)
        sys.stdout.flush()


def worker_numpy_gemm(t, quick):
    import numpy as np
    runs = 3 if quick else 7
    rng = np.random.default_rng(0)
    for (M, K, N) in GEMM_SHAPES:
        a = rng.standard_normal((M, K), dtype=np.float32)
        b = rng.standard_normal((K, N), dtype=np.float32)
        c = np.empty((M, N), dtype=np.float32)
        sec = timeit(lambda: np.matmul(a, b, out=c), runs, warmup=2)
        emit(f"gemm_{M}x{K}x{N}_t{t}", "numpy", round(2 * M * K * N / sec / 1e9, 2), "GFLOP/s",
             m=M, k=K, n=N, threads=t, runs=runs, median_s=sec)


# ---- embed ---------------------------------------------------------------------------------------------------
def run_worker(argv, env=None):
    """Runs `bench_reference.py _worker ...`, passes its JSON lines through, returns (lines, peak RSS MiB)."""
    cmd = [sys.executable, os.path.abspath(__file__)] + argv
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"worker {argv} failed with status {p.returncode}")
    sys.stdout.write(out)
    sys.stdout.flush()
    return out, ru.ru_maxrss / 1024.0  # Linux: KiB


def prepare_embed(tmp, models):
    """Exports all-MiniLM-L6-v2 and the generated BERT-base to ONNX; saves the BERT-base checkpoint (HF layout)."""
    import torch
    from transformers import BertModel
    torch.set_num_threads(THREADS)
    sys.path.insert(0, SCRIPTS)
    from make_model_goldens import build_random_bert

    def export(model, path, seq):
        model.eval()
        ids = torch.ones(1, seq, dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), path, dynamo=False, opset_version=17,
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "seq"} for n in ["input_ids", "attention_mask", "token_type_ids",
                                                                   "last_hidden_state"]})

    class LastHidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    mini = BertModel.from_pretrained(os.path.join(models, "all-MiniLM-L6-v2"), attn_implementation="eager")
    export(LastHidden(mini), os.path.join(tmp, "minilm.onnx"), 16)
    base, _ = build_random_bert()
    base.save_pretrained(os.path.join(tmp, "bert-base-random"))
    export(LastHidden(base), os.path.join(tmp, "bert-base-random.onnx"), 16)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    for name in ["minilm", "bert-base-random"]:
        quantize_dynamic(os.path.join(tmp, name + ".onnx"), os.path.join(tmp, name + "-int8.onnx"), weight_type=QuantType.QInt8)
    log("exported ONNX models (fp32 and quantize_dynamic int8) to", tmp)


def dynamic_int8(module):
    """torch's dynamic quantisation of every nn.Linear (qint8 weights, activations quantised per call)."""
    import torch
    return torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8)


def worker_embed_torch(models, tmp, quick, which, int8=False):
    import torch
    torch.set_num_threads(THREADS)
    reps = 1 if quick else 3
    lat_runs = 5 if quick else 20
    runtime = "torch-int8" if int8 else "torch"
    if which == "base":
        return bench_base_torch(tmp, lat_runs, int8)
    import numpy as np
    from sentence_transformers import SentenceTransformer
    folder = os.path.join(models, "all-MiniLM-L6-v2")
    st = SentenceTransformer(folder, device="cpu")
    if int8:
        st = dynamic_int8(st)
    impl = "sentence-transformers" + (" + torch quantize_dynamic qint8" if int8 else "")
    sents = make_sentences()
    sec = timeit(lambda: st.encode(sents, batch_size=32), reps, warmup=1)
    emit("minilm_throughput_b32", runtime, round(len(sents) / sec, 2), "sentences/s", sentences=len(sents),
         batch=32, threads=THREADS, median_s=sec, impl=impl)
    text = text_of_128_tokens(os.path.join(folder, "vocab.txt"))
    assert len(st.tokenizer(text)["input_ids"]) == 128
    sec = timeit(lambda: st.encode([text]), lat_runs, warmup=3)
    emit("minilm_latency_b1_s128", runtime, round(sec * 1e3, 3), "ms", tokens=128, threads=THREADS, impl=impl)
    if not int8:  # reference embeddings for the ORT worker's sanity check
        np.save(os.path.join(tmp, "st_embeddings.npy"), st.encode(sents[:16], batch_size=32))


def bench_base_torch(tmp, lat_runs, int8=False):
    import torch
    from transformers import BertModel
    base = BertModel.from_pretrained(os.path.join(tmp, "bert-base-random")).eval()
    if int8:
        base = dynamic_int8(base)
    g = torch.Generator().manual_seed(0)
    for B, runs, name, unit in [(1, lat_runs, "bert_base_latency_b1_s128", "ms"),
                                (8, max(2, lat_runs // 4), "bert_base_throughput_b8_s128", "sequences/s")]:
        ids = torch.randint(0, 30522, (B, 128), generator=g)
        ids[:, 0], ids[:, -1] = 101, 102
        mask, tt = torch.ones_like(ids), torch.zeros_like(ids)
        with torch.inference_mode():
            sec = timeit(lambda: base(input_ids=ids, attention_mask=mask, token_type_ids=tt), runs, warmup=2)
        value = round(sec * 1e3, 3) if unit == "ms" else round(B / sec, 3)
        emit(name, "torch-int8" if int8 else "torch", value, unit, batch=B, tokens=128, threads=THREADS, median_s=sec,
             impl=f"transformers BertModel ({base.config._attn_implementation} attention)" + (" qint8 dynamic" if int8 else ""))


def worker_embed_ort(models, tmp, quick, which, int8=False):
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer
    reps = 1 if quick else 3
    lat_runs = 5 if quick else 20
    folder = os.path.join(models, "all-MiniLM-L6-v2")

    def session(path):
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.intra_op_num_threads = THREADS
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

    suffix, runtime = ("-int8", "onnxruntime-int8") if int8 else ("", "onnxruntime")
    impl = ("ORT quantize_dynamic QInt8" if int8 else "ORT fp32") + " ORT_ENABLE_ALL + numpy pooling"
    if which == "base":
        return bench_base_ort(session, lat_runs, tmp, int8)
    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    sess = session(os.path.join(tmp, "minilm" + suffix + ".onnx"))

    def embed(texts):
        encs = tok.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        tt = np.array([e.type_ids for e in encs], dtype=np.int64)
        h = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": tt})[0]
        m = mask[:, :, None].astype(np.float32)
        e = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)

    def encode(texts, bs=32):  # sentence-transformers' order: longest first, then restored
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for s in range(0, len(texts), bs):
            idx = order[s:s + bs]
            out[idx] = embed([texts[i] for i in idx])
        return out

    sents = make_sentences()
    ref = np.load(os.path.join(tmp, "st_embeddings.npy"))
    cos = float((encode(sents[:16]) * ref).sum(1).min())
    log(f"{runtime} vs sentence-transformers: min cosine {cos:.7f}")
    assert cos > (0.9 if int8 else 0.9999), cos
    sec = timeit(lambda: encode(sents), reps, warmup=1)
    emit("minilm_throughput_b32", runtime, round(len(sents) / sec, 2), "sentences/s", sentences=len(sents),
         batch=32, threads=THREADS, median_s=sec, impl=impl)
    text = text_of_128_tokens(os.path.join(folder, "vocab.txt"))
    assert len(tok.encode(text).ids) == 128
    sec = timeit(lambda: encode([text]), lat_runs, warmup=3)
    emit("minilm_latency_b1_s128", runtime, round(sec * 1e3, 3), "ms", tokens=128, threads=THREADS, impl=impl)


def bench_base_ort(session, lat_runs, tmp, int8=False):
    import numpy as np
    base = session(os.path.join(tmp, "bert-base-random" + ("-int8" if int8 else "") + ".onnx"))
    rng = np.random.default_rng(0)
    for B, runs, name, unit in [(1, lat_runs, "bert_base_latency_b1_s128", "ms"),
                                (8, max(2, lat_runs // 4), "bert_base_throughput_b8_s128", "sequences/s")]:
        ids = rng.integers(0, 30522, (B, 128), dtype=np.int64)
        ids[:, 0], ids[:, -1] = 101, 102
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        sec = timeit(lambda: base.run(None, feeds), runs, warmup=2)
        value = round(sec * 1e3, 3) if unit == "ms" else round(B / sec, 3)
        emit(name, "onnxruntime-int8" if int8 else "onnxruntime", value, unit, batch=B, tokens=128, threads=THREADS,
             median_s=sec, impl="ORT " + ("quantize_dynamic QInt8" if int8 else "fp32") + " ORT_ENABLE_ALL")


def bench_embed(args):
    with tempfile.TemporaryDirectory(prefix="bench_ref_") as tmp:
        q = ["--quick"] if args.quick else []
        subprocess.run([sys.executable, os.path.abspath(__file__), "_prepare_embed", tmp, "--models", args.models],
                       stdout=sys.stderr, check=True)
        runtimes = [("torch", "_embed_torch", []), ("onnxruntime", "_embed_ort", [])]
        if args.int8:
            runtimes += [("torch-int8", "_embed_torch", ["--int8"]), ("onnxruntime-int8", "_embed_ort", ["--int8"])]
        for which, prefix in [("minilm", "minilm"), ("base", "bert_base")]:
            for runtime, worker, flags in runtimes:
                _, rss = run_worker([worker, tmp, "--which", which, "--models", args.models] + q + flags)
                emit(f"{prefix}_peak_rss", runtime, round(rss, 1), "MiB", threads=THREADS,
                     note=f"peak RSS of the process that ran this runtime's {prefix}_* measurements")


# ---- train-step ----------------------------------------------------------------------------------------------
def bench_train_step(args):
    import torch
    from transformers import BertConfig, BertForPreTraining
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    B, S = 16, 128
    cfg = BertConfig(vocab_size=30522, hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                     intermediate_size=1024, max_position_embeddings=512)
    model = BertForPreTraining(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 30522, (B, S), generator=g)
    ids[:, 0], ids[:, -1] = 101, 102
    tt = torch.zeros_like(ids)
    tt[:, S // 2:] = 1
    mask = torch.ones_like(ids)
    labels = torch.full_like(ids, -100)
    sel = torch.rand(B, S, generator=g) < 0.15
    labels[sel] = ids[sel]
    nsp = torch.randint(0, 2, (B,), generator=g)

    def step():
        out = model(input_ids=ids, attention_mask=mask, token_type_ids=tt, labels=labels, next_sentence_label=nsp)
        out.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    runs = 3 if args.quick else 10
    sec = timeit(step, runs, warmup=2)
    extra = dict(batch=B, seq=S, layers=4, hidden=256, heads=4, intermediate=1024, vocab=30522, threads=THREADS,
                 optimizer="AdamW", runs=runs, attn=model.config._attn_implementation)
    emit("train_step_tokens_per_s", "torch", round(B * S / sec, 1), "tokens/s", **extra)
    emit("train_step_ms", "torch", round(sec * 1e3, 2), "ms", **extra)


# ---- main ----------------------------------------------------------------------------------------------------
def versions():
    v = {"python": platform.python_version()}
    for mod in ["torch", "numpy", "onnxruntime", "transformers", "sentence_transformers", "tokenizers", "onnx"]:
        try:
            v[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - optional for some subcommands
            v[mod] = None
    try:
        import numpy as np
        cfg = np.show_config(mode="dicts")
        v["numpy_blas"] = cfg["Build Dependencies"]["blas"].get("version")
    except Exception:  # noqa: BLE001
        pass
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["gemm", "embed", "train-step", "pipelines", "all", "_numpy_gemm",
                                        "_prepare_embed", "_embed_torch", "_embed_ort"])
    ap.add_argument("arg", nargs="?")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--int8", action="store_true", help="embed: also ORT quantize_dynamic and torch dynamic int8")
    ap.add_argument("--which", choices=["minilm", "base"], default="minilm", help=argparse.SUPPRESS)
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    args = ap.parse_args()
    c = args.command
    if c == "_numpy_gemm":
        return worker_numpy_gemm(int(args.arg), args.quick)
    if c == "_prepare_embed":
        return prepare_embed(args.arg, args.models)
    if c == "_embed_torch":
        return worker_embed_torch(args.models, args.arg, args.quick, args.which, args.int8)
    if c == "_embed_ort":
        return worker_embed_ort(args.models, args.arg, args.quick, args.which, args.int8)
    if c == "pipelines":
        log("bench_reference.py pipelines: not implemented yet")
        sys.exit(2)
    emit("versions", "python", None, None, versions=versions(), cpu_count=os.cpu_count(), command=c)
    if c in ("gemm", "all"):
        bench_gemm(args)
    if c in ("embed", "all"):
        bench_embed(args)
    if c in ("train-step", "all"):
        bench_train_step(args)


if __name__ == "__main__":
    main()
