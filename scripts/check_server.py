#!/usr/bin/env python3
"""Drives a running `bert serve` with the official `openai` SDK and `requests` against TEI's documented JSON, and
compares every vector with sentence-transformers on the same model (issue 15). Writes nothing; prints a report and
exits 1 on any failed check.

Usage (from the repository root, after `swift build -c release --product bert` and scripts/fetch-models.sh):
    .venv/bin/python scripts/check_server.py                       # starts .build/release/bert serve itself
    .venv/bin/python scripts/check_server.py --url http://127.0.0.1:8080 [--api-key KEY]   # a server already running

When it starts the server, it does so with an API key (to check 401s) and an SQLite index in a temporary folder
(to check /index and /search against numpy), and checks that SIGTERM ends it with status 0. It also saves two tiny
generated-weight folders (BertForMaskedLM, BertForTokenClassification with MiniLM's tokenizer), serves each, and
compares /fill-mask and /ner with transformers' pipelines (`--no-pipelines` skips that).
Needs `pip install openai requests` besides the reference stack.
"""
import argparse
import base64
import json
import os
import signal
import socket
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import openai
import requests
import sentence_transformers
from sentence_transformers import SentenceTransformer

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "Someone in a gorilla costume is playing a set of drums.",
    "",
    "Ünïcödé, emoji 🙂 and 日本語 mixed with café and naïve text.",
    "short",
]
LONG = " ".join(["embedding"] * 400)  # far past max_seq_length 256
failures = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + (f"  ({detail})" if detail else ""))
    if not ok:
        failures.append(name)


def compare(name, got, expected):
    got, expected = np.asarray(got, dtype=np.float32), np.asarray(expected, dtype=np.float32)
    if got.shape != expected.shape:
        check(name, False, f"shape {got.shape} vs {expected.shape}")
        return
    cos = (got * expected).sum(1) / np.maximum(np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1), 1e-12)
    diff = float(np.abs(got - expected).max())
    check(name, bool(cos.min() >= 0.99999), f"min cosine {cos.min():.7f}, max |diff| {diff:.2e}, {len(got)} vectors")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(bert, model, extra=(), env=None):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([bert, "serve", "--model", model, "--port", str(port), "--log-level", "warning", *extra],
                               env={**os.environ, **(env or {})})
    for _ in range(600):
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    sys.exit("the server did not start")


def close(name, got, expected, tolerance=1e-4):
    """Pipeline answers: numbers within `tolerance`, everything else equal."""
    def walk(a, b, path):
        if isinstance(b, dict):
            if not isinstance(a, dict) or sorted(a) != sorted(b):
                return f"{path}: keys {sorted(a) if isinstance(a, dict) else type(a).__name__} vs {sorted(b)}"
            return next((e for k in b if (e := walk(a[k], b[k], f"{path}.{k}"))), None)
        if isinstance(b, list):
            if not isinstance(a, list) or len(a) != len(b):
                return f"{path}: length {len(a) if isinstance(a, list) else type(a).__name__} vs {len(b)}"
            return next((e for i, (x, y) in enumerate(zip(a, b)) if (e := walk(x, y, f"{path}[{i}]"))), None)
        if isinstance(b, float):
            return None if isinstance(a, (int, float)) and abs(a - b) <= tolerance else f"{path}: {a} vs {b}"
        return None if a == b else f"{path}: {a!r} vs {b!r}"
    error = walk(got, expected, "")
    check(name, error is None, error or "")


def check_pipelines(bert, tokenizer_folder):
    """/fill-mask and /ner on tiny generated-weight folders against transformers' pipelines."""
    import torch
    import transformers
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM, BertForTokenClassification, pipeline
    folder = tempfile.mkdtemp(prefix="check-server-pipelines-")
    try:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder)
        labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
        config = dict(vocab_size=tokenizer.vocab_size, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=128, max_position_embeddings=512)
        texts = ["Paris is the [MASK] of France.", "I [MASK] to the store and bought some [MASK].",
                 "Café déjà vu [MASK] naïve 東京!"]
        ner_texts = ["Hugo Chávez met Angela Merkel in Zürich.", "Ünïcödé naïveté façade jalapeño Dvořák"]
        for head, cls, route, cases in [
            ("fill-mask", BertForMaskedLM, "/fill-mask",
             [(texts[0], {}), (texts[1], {"top_k": 2}), (texts, {"top_k": 3}), (texts[0], {"targets": ["capital", "city"]})]),
            ("token-classification", BertForTokenClassification, "/ner",
             [(ner_texts[0], {"aggregation_strategy": s}) for s in ["none", "simple", "first", "average", "max"]]
             + [(ner_texts, {"aggregation_strategy": "simple", "ignore_labels": []})]),
        ]:
            torch.manual_seed(0)
            extra = dict(id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)}) if cls is BertForTokenClassification else {}
            model = cls(BertConfig(**config, **extra)).eval()
            with torch.no_grad():  # larger head weights, so the argmax / top-k orders are well separated
                for name, parameter in model.named_parameters():
                    if name.startswith("classifier.") or name == "cls.predictions.transform.LayerNorm.weight":
                        parameter.mul_(20)
            path = os.path.join(folder, head)
            model.save_pretrained(path)
            tokenizer.save_pretrained(path)
            reference = pipeline(head, model=model, tokenizer=tokenizer, device="cpu")
            process, url = start_server(bert, path)
            try:
                for inputs, kwargs in cases:
                    expected = reference(inputs, **kwargs)
                    r = requests.post(url + route, json={"inputs": inputs, **kwargs})
                    close(f"{route} {json.dumps(kwargs)} vs transformers {transformers.__version__}",
                          r.json() if r.status_code == 200 else r.text, json.loads(json.dumps(expected, default=float)))
                r = requests.post(url + "/embed", json={"inputs": "x"})
                check(f"{route} server: /embed is 424", r.status_code == 424, r.text[:100])
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--api-key")
    parser.add_argument("--bert", default=".build/release/bert")
    parser.add_argument("--model", default="models/all-MiniLM-L6-v2")
    parser.add_argument("--no-pipelines", action="store_true")
    args = parser.parse_args()
    print(f"openai {openai.__version__}, requests {requests.__version__}, sentence-transformers "
          f"{sentence_transformers.__version__}, numpy {np.__version__}", file=sys.stderr)

    process = None
    key = args.api_key
    url = args.url
    index_folder = tempfile.mkdtemp(prefix="check-server-index-")
    if url is None:
        key = "check-server-key"
        process, url = start_server(args.bert, args.model, ["--index", os.path.join(index_folder, "docs.sqlite")],
                                    {"BERT_API_KEY": key})
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    reference = SentenceTransformer(args.model, device="cpu")
    expected = reference.encode(SENTENCES, convert_to_numpy=True)
    # TEI's dimensions: cut, then normalise (sentence-transformers' truncate_dim cuts after its Normalize module).
    cut = expected[:, :64] / np.linalg.norm(expected[:, :64], axis=1, keepdims=True)

    # TEI's /embed, as its docs show it.
    r = requests.post(url + "/embed", json={"inputs": SENTENCES}, headers=headers)
    check("/embed 200", r.status_code == 200, r.text[:200] if r.status_code != 200 else "")
    compare("/embed list vs sentence-transformers", r.json(), expected)
    r = requests.post(url + "/embed", json={"inputs": SENTENCES[0]}, headers=headers)
    compare("/embed single string", r.json(), expected[:1])
    r = requests.post(url + "/embed", json={"inputs": SENTENCES, "dimensions": 64}, headers=headers)
    compare("/embed dimensions 64", r.json(), cut)
    r = requests.post(url + "/embed", json={"inputs": LONG}, headers=headers)
    check("/embed too long: 422 validation", r.status_code == 422 and r.json().get("error_type") == "validation", r.text[:120])
    r = requests.post(url + "/embed", json={"inputs": LONG, "truncate": True}, headers=headers)
    compare("/embed truncate vs sentence-transformers (max_seq_length 256)", r.json(), reference.encode([LONG]))
    r = requests.post(url + "/embed", json={"inputs": []}, headers=headers)
    check("/embed empty: 400 empty", r.status_code == 400 and r.json().get("error_type") == "empty", r.text[:120])
    r = requests.post(url + "/embed", json={"inputs": ["x"] * 33}, headers=headers)
    check("/embed 33 inputs: 422", r.status_code == 422 and "maximum allowed batch size 32" in r.json().get("error", ""), r.text[:120])
    r = requests.post(url + "/embed", data=b'{"inputs": ', headers={**headers, "Content-Type": "application/json"})
    check("/embed bad JSON: 422", r.status_code == 422 and r.json().get("error_type") == "validation", r.text[:120])
    r = requests.post(url + "/embed", data=b" " * 2_000_001, headers={**headers, "Content-Type": "application/json"})
    check("/embed body over 2 MB: 413", r.status_code == 413, str(r.status_code))
    info = requests.get(url + "/info", headers=headers).json()
    check("/info fields", all(k in info for k in ["model_id", "model_dtype", "model_type", "max_concurrent_requests",
                                                  "max_input_length", "max_batch_tokens", "max_client_batch_size",
                                                  "auto_truncate", "version"]) and info["max_input_length"] == 256,
          json.dumps(info)[:160])
    check("/health", requests.get(url + "/health").status_code == 200)

    # The official OpenAI SDK (it asks for base64 by default and decodes it with numpy).
    client = openai.OpenAI(base_url=url + "/v1", api_key=key or "unused")
    response = client.embeddings.create(model="all-MiniLM-L6-v2", input=SENTENCES)
    compare("openai SDK default (base64) vs sentence-transformers", [d.embedding for d in response.data], expected)
    tokens = sum(len(reference.tokenizer(s)["input_ids"]) for s in SENTENCES)
    check("openai usage.prompt_tokens", response.usage.prompt_tokens == tokens, f"{response.usage.prompt_tokens} vs {tokens}")
    response = client.embeddings.create(model="all-MiniLM-L6-v2", input=SENTENCES, encoding_format="float")
    compare("openai SDK float", [d.embedding for d in response.data], expected)
    raw = requests.post(url + "/v1/embeddings", json={"input": SENTENCES, "encoding_format": "base64"}, headers=headers).json()
    decoded = [np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4") for d in raw["data"]]
    floats = requests.post(url + "/v1/embeddings", json={"input": SENTENCES}, headers=headers).json()
    check("base64 decodes to the float answer exactly",
          all(np.array_equal(a, np.asarray(d["embedding"], dtype=np.float32)) for a, d in zip(decoded, floats["data"])))
    ids = [reference.tokenizer(s)["input_ids"] for s in SENTENCES[:3]]
    response = client.embeddings.create(model="all-MiniLM-L6-v2", input=ids)
    compare("openai SDK token ids [[int]]", [d.embedding for d in response.data], expected[:3])
    response = client.embeddings.create(model="all-MiniLM-L6-v2", input=SENTENCES, dimensions=64)
    compare("openai SDK dimensions 64", [d.embedding for d in response.data], cut)
    check("openai models.list", [m.id for m in client.models.list().data] == [info["model_id"]])
    try:
        client.embeddings.create(model="m", input=[])
        check("openai SDK empty input raises", False)
    except openai.BadRequestError as error:
        check("openai SDK empty input raises BadRequestError (400)", error.status_code == 400)
    if key:
        try:
            openai.OpenAI(base_url=url + "/v1", api_key="wrong").embeddings.create(model="m", input="x")
            check("wrong key refused", False)
        except openai.AuthenticationError as error:
            check("openai SDK wrong key raises AuthenticationError (401)", error.status_code == 401)
        check("no key: 401", requests.post(url + "/embed", json={"inputs": "x"}).status_code == 401)

    # TEI's /embed_all: every token's vector, as sentence-transformers' token_embeddings.
    texts = [s for s in SENTENCES if s]
    r = requests.post(url + "/embed_all", json={"inputs": texts}, headers=headers)
    check("/embed_all 200", r.status_code == 200, r.text[:200] if r.status_code != 200 else "")
    if r.status_code == 200:
        tokens = reference.encode(texts, output_value="token_embeddings", convert_to_numpy=False)
        worst = max(float(np.abs(np.asarray(g, dtype=np.float32) - t.numpy()).max()) if len(g) == len(t) else float("inf")
                    for g, t in zip(r.json(), tokens))
        check("/embed_all vs sentence-transformers token_embeddings (1e-4)", worst <= 1e-4, f"max |diff| {worst:.2e}")

    # /index and /search (when this script started the server with --index): hits equal numpy's brute force.
    if process is not None:
        documents = [{"id": f"doc{i}", "text": t, "metadata": {"half": str(i % 2)}} for i, t in enumerate(texts)]
        r = requests.post(url + "/index", json={"documents": documents}, headers=headers)
        check("/index adds every document", r.status_code == 200 and r.json().get("added") == len(texts), r.text[:200])
        r = requests.post(url + "/index", json={"documents": documents[:2]}, headers=headers)
        check("/index again skips stored ids", r.status_code == 200 and r.json().get("skipped") == 2, r.text[:200])
        doc_vectors = reference.encode(texts, convert_to_numpy=True)
        for query, where in [("Someone eats bread.", {}), ("music", {"half": "1"})]:
            body = {"query": query, "top_k": 3, **({"filter": where} if where else {})}
            r = requests.post(url + "/search", json=body, headers=headers)
            scores = doc_vectors @ reference.encode([query], convert_to_numpy=True)[0]
            allowed = [i for i in range(len(texts)) if not where or documents[i]["metadata"]["half"] == where["half"]]
            best = sorted(allowed, key=lambda i: -scores[i])[:3]
            hits = r.json() if r.status_code == 200 else []
            ok = [h["id"] for h in hits] == [documents[i]["id"] for i in best] and all(
                abs(h["score"] - float(scores[i])) <= 1e-5 for h, i in zip(hits, best))
            check(f"/search {json.dumps(body)} vs numpy brute force", ok, r.text[:200] if not ok else "")
    shutil.rmtree(index_folder, ignore_errors=True)

    if process is not None:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=60)
        check("SIGTERM: exit status 0", status == 0, f"status {status}")
    if not args.no_pipelines and args.url is None:
        check_pipelines(args.bert, args.model)

    print(f"{len(failures)} failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
