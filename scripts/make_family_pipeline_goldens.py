#!/usr/bin/env python3
"""transformers' pipelines on BERT-family checkpoints (issue 13), and a BioBERT-like cased vocabulary.

    .venv/bin/python scripts/make_family_pipeline_goldens.py     # writes Tests/Fixtures/family/pipelines.json

Members: distilbert and albert (2 layers, hidden 64, 4 heads, intermediate 128; ALBERT embedding_size 32), each with
the WordPiece tokenizer of models/all-MiniLM-L6-v2 (the family's BPE / SentencePiece tokenizers are issue 12's);
DistilBERT's tokenizer is given DistilBertTokenizer's model_input_names (no token_type_ids), as its own would.
Weights: the repository's generator (scripts/make_model_goldens.py) for every saved key, head keys scaled by 20
(`classifier.*`, `vocab_layer_norm.weight`, `predictions.LayerNorm.weight`) so top-k orders are well separated.
Pipelines: fill-mask, text-classification (NLI pairs, 3 labels), token-classification (9 BIO labels).

cased: a BERT (BertForMaskedLM, hidden 64, 2 layers) whose vocabulary is cased and 1,013 tokens long (written
here: specials, [unusedN], ASCII characters and ##-continuations, cased biomedical words), do_lower_case false;
its vocab.txt, tokenizer_config.json and config.json are committed under family/cased_vocab/, and the fill-mask
pipeline's answers are in pipelines.json → "cased".

sentence_transformer: a DistilBERT sentence-transformers folder (mean pooling, Normalize; small files committed under
family/st_distilbert/) and sentence-transformers' `encode` of four texts → pipelines.json "sentence_transformer".
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import transformers as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_goldens import generate, versions  # noqa: E402

torch.set_num_threads(2)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "family")
MINILM = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
NLI = {0: "entailment", 1: "neutral", 2: "contradiction"}
SMALL = dict(vocab_size=30522, num_attention_heads=4, max_position_embeddings=512)
CONFIGS = {
    "distilbert": lambda **kw: T.DistilBertConfig(dim=64, n_layers=2, n_heads=4, hidden_dim=128, vocab_size=30522,
                                                  max_position_embeddings=512, pad_token_id=0, **kw),
    "albert": lambda **kw: T.AlbertConfig(embedding_size=32, hidden_size=64, num_hidden_layers=2, num_hidden_groups=1,
                                          intermediate_size=128, pad_token_id=0, **SMALL, **kw),
}
CLASSES = {"distilbert": "DistilBert", "albert": "Albert"}


def scaled(key):
    return key.startswith("classifier.") or key in ("vocab_layer_norm.weight", "predictions.LayerNorm.weight")


def build(cls_name, config, folder, tokenizer_files=MINILM):
    model = getattr(T, cls_name)(config)
    model.save_pretrained(folder)
    import safetensors.torch as st
    keys = sorted(st.load_file(os.path.join(folder, "model.safetensors")).keys())
    state = model.state_dict()
    with torch.no_grad():
        for k in keys:
            v = generate(k, tuple(state[k].shape))
            state[k].copy_(torch.from_numpy(v * np.float32(20) if scaled(k) else v))
    model.eval().save_pretrained(folder)
    for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
        if os.path.exists(os.path.join(tokenizer_files, name)):
            shutil.copy(os.path.join(tokenizer_files, name), folder)
    return keys


def pipe(task, folder, member):
    tok = T.AutoTokenizer.from_pretrained(folder)
    if member == "distilbert":
        tok.model_input_names = ["input_ids", "attention_mask"]
    return T.pipeline(task, model=folder, tokenizer=tok, device="cpu")


FILL = ["The capital of France is [MASK].", "I [MASK] to the store and bought some [MASK].",
        "Naïve café owners in Zürich sell [MASK] brûlée."]
PAIRS = [{"text": "A man is playing a guitar.", "text_pair": "Someone plays music."},
         {"text": "The cat sat on the mat.", "text_pair": "Das ist nicht wahr, naïve café."}]
NER = ["Hugo Chávez met Angela Merkel in Zürich at the Antidisestablishmentarianism conference.",
       "ID 1234567890-ABCDEF paid $3,000.50 to Wolfeschlegelsteinhausenbergerdorff GmbH."]


def make_member(member, work):
    out = {}
    folder = os.path.join(work, member + "-mlm")
    keys = build(CLASSES[member] + "ForMaskedLM", CONFIGS[member](), folder)
    p = pipe("fill-mask", folder, member)
    out["fill_mask"] = {"parameter_keys": keys, "cases": [{"inputs": t, "output": p(t, top_k=5)} for t in FILL]}
    folder = os.path.join(work, member + "-nli")
    keys = build(CLASSES[member] + "ForSequenceClassification",
                 CONFIGS[member](id2label=NLI, label2id={v: k for k, v in NLI.items()}), folder)
    p = pipe("text-classification", folder, member)
    out["text_classification"] = {"parameter_keys": keys, "id2label": NLI,
                                  "cases": [{"inputs": x, "output": p(x, top_k=None)} for x in PAIRS]}
    folder = os.path.join(work, member + "-ner")
    keys = build(CLASSES[member] + "ForTokenClassification",
                 CONFIGS[member](id2label=dict(enumerate(NER_LABELS)), label2id={l: i for i, l in enumerate(NER_LABELS)}), folder)
    p = pipe("token-classification", folder, member)
    out["ner"] = {"parameter_keys": keys, "id2label": NER_LABELS,
                  "cases": [{"inputs": t, "strategy": s, "output": p(t, aggregation_strategy=s)}
                            for t in NER for s in ["none", "simple", "first"]]}
    return out


WORDS = ["Aspirin", "aspirin", "BRCA1", "BRCA2", "TP53", "p53", "DNA", "RNA", "mRNA", "Protein", "protein", "Gene",
         "gene", "The", "the", "binds", "inhibits", "in", "of", "and", "carriers", "Patients", "patients", "with",
         "mutations", "cancer", "Cancer", "cells", "HeLa", "kinase", "EGFR", "is", "a", "an", "to", "expression",
         "COVID", "SARS", "CoV", "virus", "Virus", "##ase", "##in", "##s", "##ed", "##ing"]


def make_cased(work):
    folder = os.path.join(OUT, "cased_vocab")
    os.makedirs(folder, exist_ok=True)
    vocab = ["[PAD]"] + [f"[unused{i}]" for i in range(99)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [chr(c) for c in range(33, 127)]
    vocab += chars + ["##" + c for c in chars] + WORDS
    i = 99
    while len(vocab) < 1013:
        vocab.append(f"[unused{i}]")
        i += 1
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": False, "tokenizer_class": "BertTokenizer", "model_max_length": 512}, f, indent=1)
        f.write("\n")
    config = T.BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=128)
    model_dir = os.path.join(work, "cased")
    os.makedirs(model_dir, exist_ok=True)
    keys = build("BertForMaskedLM", config, model_dir, tokenizer_files=folder)
    shutil.copy(os.path.join(model_dir, "config.json"), folder)
    tok = T.BertTokenizerFast(os.path.join(folder, "vocab.txt"), do_lower_case=False)
    p = T.pipeline("fill-mask", model=model_dir, tokenizer=tok, device="cpu")
    texts = ["Aspirin inhibits [MASK] in BRCA1 carriers.", "The p53 protein binds DNA and [MASK].",
             "HeLa cells with EGFR mutations [MASK] COVID."]
    return {"parameter_keys": keys, "vocab_size": len(vocab),
            "ids": {t: tok(t)["input_ids"] for t in texts},
            "cases": [{"inputs": t, "output": p(t, top_k=5)} for t in texts]}


def make_sentence_transformer(work):
    """A DistilBERT sentence-transformers folder (mean pooling, normalised), as all-distilroberta-v1-style models
    are laid out; its small files are committed under family/st_distilbert/ (no weights, no tokenizer files)."""
    from sentence_transformers import SentenceTransformer
    folder = os.path.join(work, "st")
    config = CONFIGS["distilbert"]()
    keys = build("DistilBertModel", config, folder)
    fixture = os.path.join(OUT, "st_distilbert")
    os.makedirs(os.path.join(fixture, "1_Pooling"), exist_ok=True)
    files = {"modules.json": [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                              {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                              {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
             "sentence_bert_config.json": {"max_seq_length": 128, "do_lower_case": False},
             "1_Pooling/config.json": {"word_embedding_dimension": 64, "pooling_mode_cls_token": False,
                                       "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                       "pooling_mode_mean_sqrt_len_tokens": False}}
    for sub in ("1_Pooling", "2_Normalize"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    for name, content in files.items():
        for root in (folder, fixture):
            with open(os.path.join(root, name), "w") as f:
                json.dump(content, f, indent=2)
                f.write("\n")
    shutil.copy(os.path.join(folder, "config.json"), fixture)
    texts = ["A man is eating food.", "Someone is eating a sandwich.", "Naïve café owners in Zürich.",
             "The quick brown fox jumps over the lazy dog near the riverbank at dawn."]
    model = SentenceTransformer(folder, device="cpu")
    return {"parameter_keys": keys, "texts": texts, "embeddings": model.encode(texts).tolist()}


def main():
    result = {"versions": versions()}
    with tempfile.TemporaryDirectory() as work:
        for member in CONFIGS:
            result[member] = make_member(member, work)
        result["cased"] = make_cased(work)
        result["sentence_transformer"] = make_sentence_transformer(work)
    with open(os.path.join(OUT, "pipelines.json"), "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1, default=lambda x: x.item())
        f.write("\n")


if __name__ == "__main__":
    main()
