#!/usr/bin/env python3
"""Loads a `bert distill` student with the reference libraries and scores it against its teacher (issue 14).

  embedding: sentence-transformers loads teacher and student; the pairs file's consecutive lines (1-2, 3-4, ...)
             are embedded, and the Spearman correlation of the student's cosine similarities with the teacher's
             is printed, with the time each model takes to embed the file (same run, --threads torch threads).
  logits:    transformers loads teacher and student classifiers; accuracy of each on a labelled CSV (text,label).
  mlm:       transformers AutoModelForMaskedLM loads the student (no missing/unexpected keys) and prints its
             architecture; given the `bert` binary, fill-mask through transformers and through `bert fill-mask`
             must give the same top-5 tokens (the largest score difference is printed).
  projected: sentence-transformers loads a student distilled with --projection (its modules and widths are
             printed) and embeds the first 64 lines of TEXTS; `bert embed` embeds them too, and the largest
             element difference between the two is printed.
Usage: .venv/bin/python scripts/check_distilled_student.py embedding TEACHER STUDENT PAIRS.txt
       .venv/bin/python scripts/check_distilled_student.py logits TEACHER STUDENT TEST.csv
       .venv/bin/python scripts/check_distilled_student.py mlm STUDENT [BERT_BINARY]
       .venv/bin/python scripts/check_distilled_student.py projected STUDENT BERT_BINARY TEXTS.txt
"""
import csv, json, os, sys, time
import torch


def embedding(teacher, student, pairs):
    from scipy.stats import spearmanr
    from sentence_transformers import SentenceTransformer
    texts = [l.strip() for l in open(pairs, encoding="utf-8") if l.strip()]
    texts = texts[: len(texts) // 2 * 2]
    out = {}
    sims = {}
    for name, path in [("teacher", teacher), ("student", student)]:
        m = SentenceTransformer(path, device="cpu")
        m.encode(texts[:64])
        t0 = time.perf_counter()
        v = m.encode(texts, batch_size=32, convert_to_tensor=True, normalize_embeddings=True)
        out[name + "_seconds"] = time.perf_counter() - t0
        sims[name] = (v[0::2] * v[1::2]).sum(-1).tolist()
    out["pairs"] = len(sims["teacher"])
    out["spearman"] = spearmanr(sims["teacher"], sims["student"]).correlation
    out["speedup"] = out["teacher_seconds"] / out["student_seconds"]
    print(json.dumps(out))


def logits(teacher, student, test):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    rows = list(csv.DictReader(open(test, encoding="utf-8")))
    out = {}
    for name, path in [("teacher", teacher), ("student", student)]:
        tok = AutoTokenizer.from_pretrained(path)
        m = AutoModelForSequenceClassification.from_pretrained(path).eval()
        correct = 0
        for i in range(0, len(rows), 64):
            part = rows[i:i + 64]
            enc = tok([r["text"] for r in part], padding=True, truncation=True, max_length=64, return_tensors="pt")
            with torch.no_grad():
                pred = m(**enc).logits.argmax(-1).tolist()
            correct += sum(m.config.id2label[p] == r["label"] for p, r in zip(pred, part))
        out[name + "_accuracy"] = correct / len(rows)
    print(json.dumps(out))


def mlm(student, bert=None):
    from transformers import AutoModelForMaskedLM, pipeline
    m, info = AutoModelForMaskedLM.from_pretrained(student, output_loading_info=True)
    out = {"class": type(m).__name__, **{k: list(v) for k, v in info.items()}}
    if bert:
        # The same fill-mask through transformers and through the Swift binary: tokens equal, scores within 1e-4.
        import subprocess
        texts = ["the [MASK] is not a problem.", "python is a [MASK] language for programs and scripts."]
        fill = pipeline("fill-mask", model=m, tokenizer=student, device="cpu")
        diffs, same = [], True
        for text in texts:
            ref = fill(text, top_k=5)
            ours = json.loads(subprocess.run([bert, "fill-mask", "--model", student, text], capture_output=True, text=True, check=True).stdout)
            same &= [r["token"] for r in ref] == [o["token"] for o in ours]
            diffs += [abs(r["score"] - o["score"]) for r, o in zip(ref, ours)]
        out.update(fill_mask_same_tokens=same, fill_mask_max_score_diff=max(diffs))
    print(json.dumps(out))


def projected(student, bert, texts_file):
    import subprocess, tempfile
    import numpy as np
    from sentence_transformers import SentenceTransformer
    texts = [l.strip() for l in open(texts_file, encoding="utf-8") if l.strip()][:64]
    m = SentenceTransformer(student, device="cpu")
    ref = m.encode(texts, batch_size=32, convert_to_numpy=True)
    with tempfile.TemporaryDirectory() as d:
        listing = os.path.join(d, "texts.txt")
        open(listing, "w", encoding="utf-8").write("\n".join(texts) + "\n")
        out = os.path.join(d, "v.npy")
        subprocess.run([bert, "embed", "--model", student, "--input", listing, "--output", out], check=True, capture_output=True)
        ours = np.load(out)
    print(json.dumps({"modules": [type(x).__name__ for x in m], "student_width": m[0].get_word_embedding_dimension(),
                      "dimension": m.get_sentence_embedding_dimension(), "texts": len(texts), "shape_swift": list(ours.shape),
                      "max_abs_diff": float(np.abs(ours - ref).max())}))


if __name__ == "__main__":
    torch.set_num_threads(2)
    {"embedding": embedding, "logits": logits, "mlm": mlm, "projected": projected}[sys.argv[1]](*sys.argv[2:])
