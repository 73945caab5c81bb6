#!/usr/bin/env python3
"""Golden files for the Hub download (BERTHub's HubDownloader) and a cross-check with huggingface_hub.

Usage (repository root): .venv/bin/python scripts/make_hub_download_goldens.py [--check-bert PATH_TO_bert]

Writes Tests/Fixtures/hub/download/:
  repo/            a tiny sentence-transformers model (random BERT, 2 layers, hidden 32, its own 1,000-token
                   vocabulary) saved by sentence-transformers, plus files a download must skip by default
                   (pytorch_model.bin, onnx/model.onnx, README.md, .gitattributes)
  manifest.json    repo id, commit, and per file: path, lfs flag, etag (sha256 for LFS files, else the git blob
                   sha1, as the Hub sends them), size
  cache_listing.json
                   the cache huggingface_hub's snapshot_download writes when served by the hub double below:
                   every path under the cache except `.locks/` and huggingface_hub 2.x's `trees/` tree cache, with
                   its kind and its symlink target or content sha256

The hub double (also written in Swift in Tests/TestSupport/HubDouble.swift, with the same answers) serves
  GET  /api/models/{repo}/revision/{rev}       {"id", "sha", "siblings": [{"rfilename"}]}
  GET  /api/models/{repo}/tree/{rev}           the recursive tree (huggingface_hub 2.x asks for it)
  HEAD/GET /{repo}/resolve/{rev}/{path}        LFS files: 302 to http://localhost:PORT/cdn/{sha256} (another host, as the real CDN is) with
                                               X-Repo-Commit, X-Linked-Etag, X-Linked-Size; others: 200 with ETag
  GET  /cdn/{sha256}                           the bytes, honouring Range
and answers 401 + X-Error-Code RepoNotFound for other repos, 404 + RevisionNotFound for other revisions.

--check-bert: also runs `bert download` against the double into a fresh cache and loads the result with
sentence-transformers and huggingface_hub under HF_HUB_OFFLINE=1 (prints the result; nothing is written).
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "hub", "download")
REPO_DIR = os.path.join(OUT, "repo")
REPO_ID = "swift-bert-tests/tiny-sentence-model"
COMMIT = hashlib.sha1(b"swift-bert hub double commit 1").hexdigest()
LFS_SUFFIXES = (".safetensors", ".bin", ".onnx")


def build_repo():
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    shutil.rmtree(REPO_DIR, ignore_errors=True)
    work = tempfile.mkdtemp()
    words = [f"w{i}" for i in range(1000 - 5 - 26)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(ord("a") + i) for i in range(26)] + words
    tokenizer = BertTokenizerFast(vocab={token: i for i, token in enumerate(vocab)}, do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    bert = BertModel(config)
    bert.save_pretrained(work, safe_serialization=True)
    tokenizer.save_pretrained(work)
    transformer = models.Transformer(work, max_seq_length=64)
    pooling = models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling]).save(REPO_DIR)
    rng = np.random.default_rng(7)
    with open(os.path.join(REPO_DIR, "pytorch_model.bin"), "wb") as f:
        f.write(rng.bytes(4096))
    os.makedirs(os.path.join(REPO_DIR, "onnx"), exist_ok=True)
    with open(os.path.join(REPO_DIR, "onnx", "model.onnx"), "wb") as f:
        f.write(rng.bytes(2048))
    with open(os.path.join(REPO_DIR, "README.md"), "w") as f:
        f.write("# tiny sentence model\n\nRandom weights, for download tests only.\n")
    with open(os.path.join(REPO_DIR, ".gitattributes"), "w") as f:
        f.write("*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n"
                "*.onnx filter=lfs diff=lfs merge=lfs -text\n")
    shutil.rmtree(work)


def manifest():
    files = []
    for folder, _, names in os.walk(REPO_DIR):
        for name in names:
            full = os.path.join(folder, name)
            path = os.path.relpath(full, REPO_DIR).replace(os.sep, "/")
            data = open(full, "rb").read()
            lfs = path.endswith(LFS_SUFFIXES)
            etag = hashlib.sha256(data).hexdigest() if lfs else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            files.append({"path": path, "lfs": lfs, "etag": etag, "size": len(data)})
    files.sort(key=lambda f: f["path"])
    return {"repo": REPO_ID, "commit": COMMIT, "files": files}


class Double(BaseHTTPRequestHandler):
    manifest = None

    def log_message(self, *args):
        pass

    def _send(self, status, headers, body=b"", head=False):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(headers.get("Content-Length", len(body))) if "Content-Length" not in headers else headers["Content-Length"])
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _error(self, status, code, head):
        body = json.dumps({"error": code}).encode()
        self._send(status, {"X-Error-Code": code, "X-Error-Message": code, "Content-Type": "application/json"}, body, head)

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def handle_request(self, head):
        m = self.manifest
        path = self.path.split("?")[0]
        by_path = {f["path"]: f for f in m["files"]}
        host = f"http://localhost:{self.server.server_address[1]}"  # another host: redirects there are not followed by HEAD
        if path.startswith("/api/models/"):
            rest = path[len("/api/models/"):]
            if "/revision/" not in rest and "/tree/" not in rest:
                rest += "/revision/main"  # model_info without a revision
            repo, _, tail = rest.partition("/revision/") if "/revision/" in rest else rest.partition("/tree/")
            if repo != m["repo"]:
                return self._error(401, "RepoNotFound", head)
            rev = tail.split("/")[0]
            if rev not in ("main", m["commit"]):
                return self._error(404, "RevisionNotFound", head)
            if "/revision/" in rest:
                body = {"id": m["repo"], "sha": m["commit"], "siblings": [{"rfilename": f["path"]} for f in m["files"]]}
            else:
                body = []
                for f in m["files"]:
                    data = open(os.path.join(REPO_DIR, f["path"]), "rb").read()
                    entry = {"type": "file", "path": f["path"], "size": f["size"],
                             "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()}
                    if f["lfs"]:
                        entry["lfs"] = {"oid": f["etag"], "size": f["size"], "pointerSize": 134}
                    body.append(entry)
            return self._send(200, {"Content-Type": "application/json"}, json.dumps(body).encode(), head)
        if path.startswith("/cdn/"):
            etag = path[len("/cdn/"):]
            f = next((f for f in m["files"] if f["etag"] == etag), None)
            if f is None:
                return self._error(404, "EntryNotFound", head)
            data = open(os.path.join(REPO_DIR, f["path"]), "rb").read()
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes="):
                start = int(rng[len("bytes="):].split("-")[0])
                return self._send(206, {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}",
                                        "ETag": f'"{etag}"'}, data[start:], head)
            return self._send(200, {"ETag": f'"{etag}"'}, data, head)
        parts = path.lstrip("/").split("/")
        if len(parts) >= 5 and parts[2] == "resolve":
            repo = "/".join(parts[:2])
            rev, file = parts[3], "/".join(parts[4:])
            if repo != m["repo"]:
                return self._error(401, "RepoNotFound", head)
            if rev not in ("main", m["commit"]):
                return self._error(404, "RevisionNotFound", head)
            f = by_path.get(file)
            if f is None:
                return self._error(404, "EntryNotFound", head)
            if f["lfs"]:
                return self._send(302, {"Location": f"{host}/cdn/{f['etag']}", "X-Repo-Commit": m["commit"],
                                        "X-Linked-Etag": f'"{f["etag"]}"', "X-Linked-Size": str(f["size"]),
                                        "ETag": f'"{f["etag"][:40]}"'}, b"", head)
            data = open(os.path.join(REPO_DIR, f["path"]), "rb").read()
            return self._send(200, {"X-Repo-Commit": m["commit"], "ETag": f'"{f["etag"]}"'}, data, head)
        return self._error(404, "EntryNotFound", head)


def listing(cache):
    rows = []
    for folder, dirs, names in os.walk(cache):
        rel_folder = os.path.relpath(folder, cache)
        dirs[:] = sorted(d for d in dirs if not (rel_folder == "." and d == ".locks") and d != "trees")
        for name in sorted(dirs + names):
            full = os.path.join(folder, name)
            rel = os.path.normpath(os.path.join(rel_folder, name)).replace(os.sep, "/")
            if os.path.islink(full):
                rows.append([rel, "symlink", os.readlink(full)])
            elif os.path.isdir(full):
                rows.append([rel, "dir", ""])
            else:
                rows.append([rel, "file", hashlib.sha256(open(full, "rb").read()).hexdigest()])
    return sorted(rows)


def serve(m):
    Double.manifest = m
    server = ThreadingHTTPServer(("127.0.0.1", 0), Double)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    check_bert = sys.argv[sys.argv.index("--check-bert") + 1] if "--check-bert" in sys.argv else None
    if not check_bert:
        build_repo()
    m = manifest()
    server = serve(m)
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["HF_ENDPOINT"] = endpoint
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    os.environ.pop("HF_TOKEN", None)
    import huggingface_hub

    if check_bert:
        import numpy as np
        cache = tempfile.mkdtemp()
        env = dict(os.environ, HF_HUB_CACHE=cache)
        subprocess.run([check_bert, "download", REPO_ID, "--include", "*"], check=True, env=env)
        mine = listing(cache)
        golden = json.load(open(os.path.join(OUT, "cache_listing.json")))["listing"]
        print("bert download listing equals huggingface_hub's:", mine == golden)
        theirs = tempfile.mkdtemp()
        huggingface_hub.snapshot_download(REPO_ID, cache_dir=theirs, endpoint=endpoint)
        os.environ["HF_HUB_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        path = huggingface_hub.snapshot_download(REPO_ID, cache_dir=cache)
        model = SentenceTransformer(REPO_ID, cache_folder=cache)
        print("huggingface_hub offline snapshot:", path)
        print("sentence-transformers loaded our download; embedding shape", model.encode(["a b c"]).shape)
        env = dict(os.environ, HF_HUB_CACHE=theirs, HF_HUB_OFFLINE="1")
        ours = json.loads(subprocess.run([check_bert, "embed", "--model", REPO_ID, "a b c"], check=True, env=env,
                                         capture_output=True, text=True).stdout.splitlines()[0])["embedding"]
        reference = model.encode(["a b c"])[0]
        print("bert embed on huggingface_hub's download (offline): max |diff| vs sentence-transformers",
              float(np.max(np.abs(np.array(ours) - reference))))
        server.shutdown()
        return
    json.dump(m, open(os.path.join(OUT, "manifest.json"), "w"), indent=1)
    cache = tempfile.mkdtemp()
    huggingface_hub.snapshot_download(REPO_ID, cache_dir=cache, endpoint=endpoint)
    golden = {"README": "scripts/make_hub_download_goldens.py: huggingface_hub.snapshot_download of the fixture repo "
                        "from the hub double; rows are [path, kind, symlink target or content sha256]; .locks/ and "
                        "trees/ left out",
              "huggingface_hub": huggingface_hub.__version__, "listing": listing(cache)}
    json.dump(golden, open(os.path.join(OUT, "cache_listing.json"), "w"), indent=1)
    server.shutdown()
    shutil.rmtree(cache)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
