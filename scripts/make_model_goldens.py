#!/usr/bin/env python3
"""Golden files for whole models.

Usage (from the repository root, after scripts/fetch-models.sh):
    .venv/bin/python scripts/make_model_goldens.py              # both sets
    .venv/bin/python scripts/make_model_goldens.py minilm       # Tests/Fixtures/minilm/
    .venv/bin/python scripts/make_model_goldens.py random       # Tests/Fixtures/bert_base_random/

minilm: all-MiniLM-L6-v2 from models/all-MiniLM-L6-v2 (local folder only, no hub).
    inputs.json               per sentence: text, input_ids, token_type_ids, attention_mask (unpadded,
                              tokenized one by one, truncation to max_seq_length=256)
    hidden_states.safetensors s{i}.rows (int64): the positions kept (every 6th and the last);
                              s{i}.hidden.{L} [rows, 384] for L = 0 (embeddings output) .. 6 (last layer), from
                              BertModel(output_hidden_states=True) on sentence i alone; s{i}.embedding [384] =
                              SentenceTransformer.encode (mean pooling + normalize).
random: a BERT-base-shape BertModel whose weights come from the deterministic generator below (also implemented
    by the Swift tests, so no weights are committed); batch 2 x 128, second sequence of length 77 right-padded.
    inputs.json, outputs.safetensors (last_hidden_state [2,128,768], pooler_output [2,768]),
    generator_check.json (key -> first 5 generated floats).

Generator (see Tests/Fixtures/MANIFEST.md for the normative text): per state_dict key `name`, seed = FNV-1a
64-bit of the UTF-8 bytes of name; element i (row-major) uses splitmix64 output number i+1 of the stream started
at state = seed; u = (z >> 40) / 2**24; value = float32((2u - 1) * 0.05) (computed in float64, rounded once),
and float32(1 + (2u - 1) * 0.1) for keys ending in "LayerNorm.weight" or "layer_norm.weight".
"""
import json
import os
import platform
import sys

import numpy as np
import torch

torch.set_num_threads(2)
torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
MINILM = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")


def versions():
    import safetensors
    import sentence_transformers
    import tokenizers
    import transformers
    v = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
         "sentence_transformers": sentence_transformers.__version__, "tokenizers": tokenizers.__version__,
         "safetensors": safetensors.__version__, "numpy": np.__version__}
    print("versions: " + " ".join(f"{k} {x}" for k, x in v.items()), file=sys.stderr)
    return v


# One metadata key only: safetensors writes a multi-key metadata map in random order (not byte-reproducible).


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


# ---- (a) all-MiniLM-L6-v2 ------------------------------------------------------------------------------------
_LONG_PARTS = [
    "The history of computing is a story of layered abstractions, each one hiding the messy details of the layer "
    "below so that people can think about bigger problems.",
    "Early machines were programmed by rewiring panels; later, stored programs, assemblers and compilers let "
    "engineers describe what they wanted instead of how the hardware should do it.",
    "Operating systems arrived to share one expensive computer among many users, and networks connected those "
    "computers into something far larger than any single machine.",
    "In the 1990s the web turned documents into a global library, while search engines learned to rank billions "
    "of pages by links, words and, eventually, meaning.",
    "Neural language models such as BERT read a sentence in both directions at once, predicting masked words from "
    "their context, and the vectors they produce can be compared with a simple cosine similarity.",
    "Sentence embeddings built on top of them power semantic search, clustering, deduplication and retrieval for "
    "question answering, often on modest hardware and without any internet connection.",
    "Yet every abstraction leaks: tokenizers split rare words into pieces, accents like café, naïve and Zürich must "
    "be normalised, and numbers such as 3.14159 or 2,048 become several tokens each.",
    "Engineers therefore test each layer against a trusted reference, comparing tensors element by element with "
    "carefully chosen tolerances, before they trust the whole system with real users' data.",
]
LONG_TEXT = " ".join(_LONG_PARTS * 2)

SENTENCES = [
    "Hello world",
    "A man is eating food.",
    "Café déjà vu: naïve façades in São Paulo, Zürich and Kraków — ÜBER cool! 東京タワー 😀",
    "Semantic search retrieves documents by meaning rather than by exact keywords. A query such as "
    "\"how do I reset my password?\" should match a help page titled \"Recovering access to your account\", "
    "even though the two texts share almost no words. Embedding models make this possible by mapping both texts "
    "to nearby points in a 384-dimensional space.",
    LONG_TEXT,
    "The quick brown fox jumps over the lazy dog.",
    "What's the price of 3.5kg of apples in 2024? About $12.99, I think...",
    "unaffable antidisestablishmentarianism",
]


ROW_STRIDE = 6


def make_minilm():
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer, BertModel

    v = versions()
    out_dir = os.path.join(FIX, "minilm")
    os.makedirs(out_dir, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(MINILM)
    model = BertModel.from_pretrained(MINILM, attn_implementation="eager").eval()
    st = SentenceTransformer(MINILM, device="cpu")
    st.eval()
    max_len = st.max_seq_length
    assert max_len == 256, max_len

    records, tensors, full_last = [], {}, {}
    with torch.no_grad():
        for i, text in enumerate(SENTENCES):
            enc = tok(text, truncation=True, max_length=max_len)
            rec = {"text": text, "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
                   "attention_mask": enc["attention_mask"]}
            n = len(enc["input_ids"])
            full = len(tok(text)["input_ids"])
            print(f"s{i}: {n} tokens (untruncated {full})", file=sys.stderr)
            records.append(rec)
            t = {k: torch.tensor([enc[k]]) for k in ("input_ids", "token_type_ids", "attention_mask")}
            out = model(**t, output_hidden_states=True)
            assert len(out.hidden_states) == 7
            # Every ROW_STRIDE-th position and the last one keep the fixture small (about 1 MB) while every layer
            # of every sentence is still checked; an error anywhere upstream shows in these rows.
            rows = sorted(set(range(0, n, ROW_STRIDE)) | {n - 1})
            tensors[f"s{i}.rows"] = torch.tensor(rows, dtype=torch.int64)
            full_last[i] = out.hidden_states[-1][0]
            for L, h in enumerate(out.hidden_states):
                tensors[f"s{i}.hidden.{L}"] = h[0][rows].float().contiguous()
            emb = st.encode([text], convert_to_numpy=True, normalize_embeddings=False)[0]
            # all-MiniLM-L6-v2's modules.json ends in Normalize; check the output really is unit length.
            assert abs(float(np.linalg.norm(emb)) - 1) < 1e-5, np.linalg.norm(emb)
            tensors[f"s{i}.embedding"] = torch.from_numpy(np.ascontiguousarray(emb, dtype=np.float32))
        assert len(records[4]["input_ids"]) == 256 and len(tok(LONG_TEXT)["input_ids"]) > 256

        batch = tok(SENTENCES, truncation=True, max_length=max_len, padding=True, return_tensors="pt")
        out = model(**batch)
        # Self-check: the unpadded rows of the batch agree with the sentence-alone runs.
        worst = 0.0
        for i in range(len(SENTENCES)):
            n = len(records[i]["input_ids"])
            d = (out.last_hidden_state[i, :n] - full_last[i]).abs().max().item()
            worst = max(worst, d)
        print(f"batch vs single max |diff| = {worst:.3g}", file=sys.stderr)

    write_json(os.path.join(out_dir, "inputs.json"),
               {"model": "all-MiniLM-L6-v2", "max_seq_length": max_len, "versions": v,
                "batch_vs_single_max_abs_diff": worst, "sentences": records})
    save_file(tensors, os.path.join(out_dir, "hidden_states.safetensors"),
              metadata={"source": f"scripts/make_model_goldens.py minilm (torch {torch.__version__})"})
    for f in ("inputs.json", "hidden_states.safetensors"):
        print(f"wrote {out_dir}/{f} ({os.path.getsize(os.path.join(out_dir, f))} bytes)", file=sys.stderr)


def make_encode_options():
    """SentenceTransformer.encode options: max_seq_length, truncate_dim, normalize_embeddings."""
    from sentence_transformers import SentenceTransformer

    texts = [SENTENCES[0], SENTENCES[3], LONG_TEXT, "Short one."]
    cases = []
    for max_len, dim, norm in [(16, None, False), (256, 128, False), (256, 128, True), (40, 64, True)]:
        st = SentenceTransformer(MINILM, device="cpu", truncate_dim=dim)
        st.max_seq_length = max_len
        emb = st.encode(texts, batch_size=3, convert_to_numpy=True, normalize_embeddings=norm)
        cases.append({"max_seq_length": max_len, "truncate_dim": dim, "normalize_embeddings": norm,
                      "vectors": [[round(float(x), 8) for x in row] for row in emb]})
    write_json(os.path.join(FIX, "minilm", "encode_options.json"),
               {"model": "all-MiniLM-L6-v2", "versions": versions(), "texts": texts, "cases": cases})


# ---- (b) random-weight BERT-base ----------------------------------------------------------------------------
M64 = (1 << 64) - 1
GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & M64
    return h


def splitmix64_outputs(seed, n):
    """Outputs number 1..n of the splitmix64 stream started at state = seed (uint64, wrapping)."""
    with np.errstate(over="ignore"):
        state = np.arange(1, n + 1, dtype=np.uint64) * GAMMA + np.uint64(seed)
        z = state
        z = (z ^ (z >> np.uint64(30))) * MIX1
        z = (z ^ (z >> np.uint64(27))) * MIX2
        z = z ^ (z >> np.uint64(31))
    return z


def generate(name, shape):
    n = int(np.prod(shape))
    z = splitmix64_outputs(fnv1a64(name), n)
    u = (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)
    if name.endswith("LayerNorm.weight") or name.endswith("layer_norm.weight"):
        v = 1.0 + (2.0 * u - 1.0) * 0.1
    else:
        v = (2.0 * u - 1.0) * 0.05
    return v.astype(np.float32).reshape(shape)


def _splitmix64_scalar(state):  # reference for the self-test
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def _self_test():
    # FNV-1a 64 test vectors and scalar splitmix64 against the vectorised one.
    assert fnv1a64("") == 0xCBF29CE484222325
    assert fnv1a64("a") == 0xAF63DC4C8601EC8C
    assert fnv1a64("foobar") == 0x85944171F73967E8
    seed = fnv1a64("pooler.dense.weight")
    s, ref = seed, []
    for _ in range(1000):
        s, z = _splitmix64_scalar(s)
        ref.append(z)
    assert [int(x) for x in splitmix64_outputs(seed, 1000)] == ref
    # splitmix64 seeded with 0: first output 0xE220A8397B1DCDAF (Vigna's reference implementation)
    assert int(splitmix64_outputs(0, 1)[0]) == 0xE220A8397B1DCDAF


BASE_CONFIG = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                   intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2, hidden_act="gelu",
                   layer_norm_eps=1e-12, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                   pad_token_id=0, initializer_range=0.02)
CHECK_KEYS = ["embeddings.word_embeddings.weight", "encoder.layer.0.attention.output.LayerNorm.weight"]


def build_random_bert():
    """BertModel (eval, fp32) with the generator's weights. Shared with scripts/bench_reference.py."""
    from transformers import BertConfig, BertModel
    cfg = BertConfig(**BASE_CONFIG, attn_implementation="eager")
    model = BertModel(cfg, add_pooling_layer=True).eval()
    assert model.config._attn_implementation == "eager"
    sd = model.state_dict()
    new = {k: torch.from_numpy(generate(k, tuple(t.shape))) for k, t in sd.items()}
    model.load_state_dict(new, strict=True)
    return model, cfg


def make_random():
    from safetensors.torch import save_file
    _self_test()
    v = versions()
    out_dir = os.path.join(FIX, "bert_base_random")
    os.makedirs(out_dir, exist_ok=True)
    model, cfg = build_random_bert()
    sd = model.state_dict()
    for k in sd:
        assert torch.equal(sd[k], torch.from_numpy(generate(k, tuple(sd[k].shape)))), k
    check = {k: [float(x) for x in generate(k, tuple(sd[k].shape)).reshape(-1)[:5]] for k in CHECK_KEYS}
    debug = {k: {"fnv1a64_seed": f"0x{fnv1a64(k):016X}",
                 "first_splitmix64_outputs": [f"0x{int(z):016X}" for z in splitmix64_outputs(fnv1a64(k), 3)]}
             for k in CHECK_KEYS}
    for k in CHECK_KEYS:
        print(f"{k}: seed {debug[k]['fnv1a64_seed']} z {debug[k]['first_splitmix64_outputs']} "
              f"first5 {check[k]}", file=sys.stderr)

    rng = np.random.default_rng(20240101)
    B, S, n1 = 2, 128, 77
    ids = np.zeros((B, S), dtype=np.int64)
    mask = np.zeros((B, S), dtype=np.int64)
    tt = np.zeros((B, S), dtype=np.int64)
    for b, n in enumerate([S, n1]):
        ids[b, :n] = rng.integers(0, 30522, size=n)
        ids[b, 0], ids[b, n - 1] = 101, 102
        mask[b, :n] = 1
    tt[0, S // 2:] = 1
    with torch.no_grad():
        out = model(input_ids=torch.from_numpy(ids), token_type_ids=torch.from_numpy(tt),
                    attention_mask=torch.from_numpy(mask))
    write_json(os.path.join(out_dir, "inputs.json"),
               {"config": BASE_CONFIG, "versions": v, "lengths": [S, n1],
                "input_ids": ids.tolist(), "token_type_ids": tt.tolist(), "attention_mask": mask.tolist()})
    save_file({"last_hidden_state": out.last_hidden_state.contiguous(),
               "pooler_output": out.pooler_output.contiguous()},
              os.path.join(out_dir, "outputs.safetensors"),
              metadata={"source": f"scripts/make_model_goldens.py random (torch {torch.__version__})"})
    write_json(os.path.join(out_dir, "generator_check.json"), check)
    write_json(os.path.join(out_dir, "generator_debug.json"), debug)
    for f in sorted(os.listdir(out_dir)):
        print(f"wrote {out_dir}/{f} ({os.path.getsize(os.path.join(out_dir, f))} bytes)", file=sys.stderr)


def main():
    what = sys.argv[1:] or ["minilm", "random"]
    for w in what:
        {"minilm": make_minilm, "random": make_random, "options": make_encode_options}[w]()


if __name__ == "__main__":
    main()
