#!/usr/bin/env python3
"""Golden outputs of transformers' task pipelines on small generated-weight BERT checkpoints (issue 5).

Usage (from the repository root, after scripts/fetch-models.sh):
    .venv/bin/python scripts/make_pipeline_goldens.py main      # fill-mask, text-classification, ner, rerank
    .venv-tf4/bin/python scripts/make_pipeline_goldens.py qa    # question-answering (transformers 4.x:
                                                                     # transformers 5 has no QA pipeline)

Every model has the same small shape (hidden 64, 2 layers, 4 heads, intermediate 128, 512 positions) and the REAL
bert-base-uncased vocabulary (30522) and tokenizer files of models/all-MiniLM-L6-v2, so tokenization is real.
Weights are not committed: each parameter comes from the key-seeded generator of scripts/make_model_goldens.py
(`generate`, spec in Tests/Fixtures/MANIFEST.md), applied to every `named_parameters()` key, and then multiplied in
float32 by HEAD_SCALE = 20 for the head keys listed in `scaled()` (`classifier.*`, `qa_outputs.*`,
`cls.predictions.transform.LayerNorm.weight`), so random heads give well separated scores. The Swift tests build the
same weights (Tests/BERTTasksTests/PipelineFixtures.swift).

Each checkpoint is also saved with save_pretrained(safe_serialization=True) plus the tokenizer files under
models/pipelines/<name>/ (git-ignored) and the pipeline is built from that folder, so the folder path is exercised
and `bert <command> --model models/pipelines/<name>` and scripts/bench_pipelines.py can use it.

Writes Tests/Fixtures/pipelines/<task>.json: {"versions", "config" (config.json as saved), "cases": [...]}.
"""
import json
import os
import platform
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_goldens import generate  # noqa: E402

torch.set_num_threads(2)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "pipelines")
MINILM = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
OUT_MODELS = os.path.join(ROOT, "models", "pipelines")
TOKENIZER_FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
HEAD_SCALE = np.float32(20)

SMALL = dict(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
             max_position_embeddings=512, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12, pad_token_id=0,
             hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)

NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


def versions():
    import tokenizers
    import transformers
    v = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
         "tokenizers": tokenizers.__version__, "numpy": np.__version__}
    print("versions: " + " ".join(f"{k} {x}" for k, x in v.items()), file=sys.stderr)
    return v


def scaled(key):
    return (key.startswith("classifier.") or key.startswith("qa_outputs.")
            or key == "cls.predictions.transform.LayerNorm.weight")


def fill_weights(model):
    keys = []
    with torch.no_grad():
        for name, p in model.named_parameters():
            v = generate(name, tuple(p.shape))
            if scaled(name):
                v = v * HEAD_SCALE
            p.copy_(torch.from_numpy(v))
            keys.append(name)
    model.eval()
    return keys


def save(model, name):
    folder = os.path.join(OUT_MODELS, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True)
    for f in TOKENIZER_FILES:
        shutil.copy(os.path.join(MINILM, f), folder)
    with open(os.path.join(folder, "config.json")) as f:
        return folder, json.load(f)


def build(cls, name, **config_kwargs):
    from transformers import BertConfig
    config = BertConfig(**SMALL, **config_kwargs)
    model = cls(config)
    keys = fill_weights(model)
    folder, config_json = save(model, name)
    return folder, config_json, keys


def jsonable(x):
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return x


def write(task, obj):
    os.makedirs(FIX, exist_ok=True)
    path = os.path.join(FIX, task + ".json")
    with open(path, "w") as f:
        json.dump(jsonable(obj), f, ensure_ascii=False, indent=1)
    print(f"wrote {path}", file=sys.stderr)


def run_cases(pipe, cases):
    """cases: [{"inputs": ..., "kwargs": {...}}]; adds "output". Batched cases ("batch_size" in kwargs) too."""
    for c in cases:
        c["output"] = pipe(c["inputs"], **c.get("kwargs", {}))
    return cases


# ----------------------------------------------------------------------------------------------------------------
# fill-mask

def make_fill_mask(v):
    from transformers import BertForMaskedLM, pipeline
    folder, config, keys = build(BertForMaskedLM, "fill-mask")
    pipe = pipeline("fill-mask", model=folder, tokenizer=folder, device="cpu")
    texts = [
        "The capital of France is [MASK].",
        "I [MASK] to the store and bought some [MASK].",
        "[MASK] [MASK] café naïve 東京 [MASK]!",
        "Antidisestablishmentarianism is a very [MASK] word, said Zoë.",
    ]
    cases = [{"inputs": t} for t in texts]
    cases += [
        {"inputs": texts[0], "kwargs": {"top_k": 3}},
        {"inputs": texts[1], "kwargs": {"top_k": 1}},
        {"inputs": "Paris is the [MASK] of France.", "kwargs": {"targets": ["capital", "city", "zzqxj", "Cafés", "the"]}},
        {"inputs": "Paris is the [MASK] of France.", "kwargs": {"targets": ["capital", "city"], "top_k": 10}},
        {"inputs": "We [MASK] [MASK].", "kwargs": {"targets": ["are", "were", "house"], "top_k": 2}},
        {"inputs": texts, "kwargs": {"batch_size": 3}},
    ]
    run_cases(pipe, cases)
    write("fill_mask", {"versions": v, "config": config, "parameter_keys": keys,
                        "clean_up_tokenization_spaces": pipe.tokenizer.clean_up_tokenization_spaces, "cases": cases})


# ----------------------------------------------------------------------------------------------------------------
# text-classification (single texts, NLI pairs, multi-label, one label)

def make_text_classification(v):
    from transformers import BertForSequenceClassification, pipeline
    models = {
        "sentiment": dict(id2label={0: "negative", 1: "neutral", 2: "positive"},
                          label2id={"negative": 0, "neutral": 1, "positive": 2}),
        "nli": dict(id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
                    label2id={"entailment": 0, "neutral": 1, "contradiction": 2}),
        "multilabel": dict(num_labels=3, problem_type="multi_label_classification"),
        "cross-encoder": dict(num_labels=1),
    }
    texts = ["I love this movie!", "The food was cold and the service was slow.",
             "Naïve café owners in Zürich sell crème brûlée.", "東京は日本の首都です。",
             "It was fine, I guess.", "Pneumonoultramicroscopicsilicovolcanoconiosis"]
    pairs = [{"text": "A man is playing a guitar.", "text_pair": "Someone plays music."},
             {"text": "A soccer game with multiple males playing.", "text_pair": "Some men are playing a sport."},
             {"text": "The cat sat on the mat.", "text_pair": "Das ist nicht wahr, naïve café."}]
    out = {"versions": v, "models": {}}
    for name, kw in models.items():
        folder, config, keys = build(BertForSequenceClassification, "classify-" + name, **kw)
        pipe = pipeline("text-classification", model=folder, tokenizer=folder, device="cpu")
        inputs = pairs if name == "nli" else texts
        cases = [{"inputs": x} for x in inputs]
        cases += [
            {"inputs": inputs[0], "kwargs": {"top_k": None}},
            {"inputs": inputs[1], "kwargs": {"top_k": 2}},
            {"inputs": inputs[2], "kwargs": {"top_k": None, "function_to_apply": "none"}},
            {"inputs": inputs[0], "kwargs": {"top_k": None, "function_to_apply": "sigmoid"}},
            {"inputs": inputs[1], "kwargs": {"function_to_apply": "softmax"}},
            {"inputs": inputs, "kwargs": {"batch_size": 4}},
            {"inputs": inputs, "kwargs": {"batch_size": 4, "top_k": None}},
        ]
        for c in cases:  # a lone string comes back wrapped in a list (legacy); unwrap to one result per input
            c["output"] = pipe(c["inputs"], **c.get("kwargs", {}))
            if isinstance(c["inputs"], (str, dict)) and "top_k" not in c.get("kwargs", {}):
                c["output"] = c["output"][0] if isinstance(c["output"], list) else c["output"]
        out["models"][name] = {"config": config, "parameter_keys": keys, "cases": cases}
    write("text_classification", out)


# ----------------------------------------------------------------------------------------------------------------
# token-classification (NER)

def make_ner(v):
    from transformers import BertForTokenClassification, pipeline
    folder, config, keys = build(BertForTokenClassification, "ner",
                                 id2label=dict(enumerate(NER_LABELS)), label2id={l: i for i, l in enumerate(NER_LABELS)})
    pipe = pipeline("token-classification", model=folder, tokenizer=folder, device="cpu")
    texts = [
        "Hugo Chávez met Angela Merkel in Zürich at the Antidisestablishmentarianism conference.",
        "東京の山田太郎さんは Pneumonoultramicroscopicsilicovolcanoconiosis について話した。",
        "Ünïcödé naïveté façade jalapeño Œuvre Ärzte straße Dvořák",
        "Cafe\u0301 Zu\u0308rich and the ﬁne ligature, I love 🦄 and 🎉 parties.",
        "ID 1234567890-ABCDEF/xyz@example.com paid $3,000.50 to Wolfeschlegelsteinhausenbergerdorff GmbH.",
    ]
    cases = []
    for strategy in ["none", "simple", "first", "average", "max"]:
        for t in texts:
            cases.append({"inputs": t, "kwargs": {"aggregation_strategy": strategy}})
    cases.append({"inputs": texts[0], "kwargs": {"aggregation_strategy": "simple", "ignore_labels": []}})
    cases.append({"inputs": texts[2], "kwargs": {"aggregation_strategy": "none", "ignore_labels": ["O", "B-PER"]}})
    cases.append({"inputs": texts, "kwargs": {"aggregation_strategy": "average", "batch_size": 2}})
    long_text = long_context(3, 700)  # > 512 tokens: cut at model_max_length without stride, windows with it
    cases.append({"inputs": long_text, "kwargs": {"aggregation_strategy": "simple"}})
    for strategy in ["simple", "first", "average", "max"]:
        cases.append({"inputs": long_text, "kwargs": {"aggregation_strategy": strategy, "stride": 128}})
    cases.append({"inputs": [long_text, texts[0]], "kwargs": {"aggregation_strategy": "max", "stride": 300, "batch_size": 2}})
    run_cases(pipe, cases)
    write("token_classification", {"versions": v, "config": config, "parameter_keys": keys, "cases": cases})


# ----------------------------------------------------------------------------------------------------------------
# rerank (cross-encoder, one label), as text-embeddings-inference's /rerank computes it

def make_rerank(v):
    from transformers import AutoTokenizer, BertForSequenceClassification
    folder, config, keys = build(BertForSequenceClassification, "rerank", num_labels=1)
    from transformers import AutoModelForSequenceClassification
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tok = AutoTokenizer.from_pretrained(folder)
    query = "What is the capital of France?"
    docs = ["Paris is the capital and most populous city of France.",
            "Berlin is the capital of Germany.",
            "The Eiffel Tower is located in Paris, France.",
            "Zürich's café culture is naïve but charming.",
            "東京は日本の首都です。",
            "France is a country in Western Europe with a long history.",
            "Bananas are rich in potassium."]
    logits = []
    with torch.no_grad():
        for d in docs:  # one by one: no padding involved
            enc = tok(query, d, return_tensors="pt")
            logits.append(model(**enc).logits[0, 0].item())
    logits = np.array(logits, dtype=np.float32)
    sig = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    order = sorted(range(len(docs)), key=lambda i: -logits[i])  # stable: ties keep input order
    write("rerank", {"versions": v, "config": config, "parameter_keys": keys, "query": query, "documents": docs,
                     "logits": logits.tolist(), "sigmoid": sig.tolist(),
                     "ranking": [{"index": i, "score": float(sig[i]), "raw_score": float(logits[i]), "text": docs[i]}
                                 for i in order]})


# ----------------------------------------------------------------------------------------------------------------
# question-answering (transformers 4.x)

def long_context(seed, words):
    rng = np.random.default_rng(seed)
    vocab = ["the", "river", "Zürich", "café", "naïve", "東京", "mountain", "Marie", "Curie", "discovered", "radium",
             "in", "1898", ",", ".", "Pneumonoultramicroscopicsilicovolcanoconiosis", "and", "of", "a", "village",
             "Dvořák", "composed", "symphonies", "during", "winter", "Antidisestablishmentarianism", "was", "debated",
             "by", "the", "council", "for", "several", "years", "crème", "brûlée", "is", "served", "cold"]
    return " ".join(rng.choice(vocab, size=words).tolist())


def make_qa(v):
    from transformers import BertForQuestionAnswering, pipeline
    folder, config, keys = build(BertForQuestionAnswering, "qa")
    pipe = pipeline("question-answering", model=folder, tokenizer=folder, device="cpu")
    short = ("Marie Curie discovered radium in 1898 in Paris. Antonín Dvořák composed nine symphonies; "
             "the ninth, «From the New World», premiered in New York. 東京は日本の首都です。")
    ctx1 = long_context(1, 700)
    ctx2 = long_context(2, 1200)
    cases = [
        {"inputs": {"question": "Who discovered radium?", "context": short}},
        {"inputs": {"question": "Who discovered radium?", "context": short}, "kwargs": {"top_k": 3}},
        {"inputs": {"question": "Where?", "context": short}, "kwargs": {"handle_impossible_answer": True, "top_k": 2}},
        {"inputs": {"question": "When was radium discovered?", "context": ctx1}},
        {"inputs": {"question": "When was radium discovered?", "context": ctx1}, "kwargs": {"top_k": 5}},
        {"inputs": {"question": "What did Dvořák compose during the winter?", "context": ctx2},
         "kwargs": {"top_k": 4, "max_answer_len": 5}},
        {"inputs": {"question": "Which village?", "context": ctx2}, "kwargs": {"handle_impossible_answer": True}},
        {"inputs": {"question": "Who debated?", "context": ctx1},
         "kwargs": {"max_seq_len": 64, "doc_stride": 16, "top_k": 3}},
        {"inputs": {"question": "Who debated?", "context": ctx2}, "kwargs": {"doc_stride": 50, "top_k": 2}},
        {"inputs": [{"question": "Who discovered radium?", "context": short},
                    {"question": "When was radium discovered?", "context": ctx1}], "kwargs": {"batch_size": 4}},
    ]
    run_cases(pipe, cases)
    windows = []
    for c in cases[:9]:
        enc = pipe.tokenizer(c["inputs"]["question"], c["inputs"]["context"], truncation="only_second",
                             max_length=c.get("kwargs", {}).get("max_seq_len", 384),
                             stride=c.get("kwargs", {}).get("doc_stride", 128), return_overflowing_tokens=True)
        windows.append(len(enc["input_ids"]))
    write("question_answering", {"versions": v, "config": config, "parameter_keys": keys, "windows": windows,
                                 "cases": cases})


def main():
    what = sys.argv[1:] or ["main"]
    v = versions()
    for w in what:
        if w == "main":
            make_fill_mask(v)
            make_text_classification(v)
            make_ner(v)
            make_rerank(v)
        elif w == "qa":
            make_qa(v)
        else:
            {"fill-mask": make_fill_mask, "text-classification": make_text_classification, "ner": make_ner,
             "rerank": make_rerank}[w](v)


if __name__ == "__main__":
    main()
