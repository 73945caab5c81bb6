#!/usr/bin/env python3
"""SPLADE goldens: sentence-transformers' SparseEncoder.encode on generated-weight masked-LM checkpoints.

    .venv/bin/python scripts/make_splade_goldens.py      # writes Tests/Fixtures/splade/goldens.json

Models (the cased 1,013-token WordPiece vocabulary of Tests/Fixtures/family/cased_vocab, hidden 64, 2 layers):
  bert_mlm_transformer  BertForMaskedLM, saved by SparseEncoder(modules=[MLMTransformer, SpladePooling("max")]).save
                        (6.x files: sentence_bert_config.json with "transformer_task": "fill-mask")
  bert_transformer      the same weights under 6.x's plain Transformer(transformer_task="fill-mask") module,
                        SpladePooling("max", "log1p_relu")
  distilbert_v5         DistilBertForMaskedLM in a folder written by hand in the 5.x layout
                        (sentence_transformers.sparse_encoder.models.MLMTransformer, "word_embedding_dimension",
                        max_seq_length 24) with SpladePooling("sum", "relu"), loaded by SparseEncoder(folder)
Weights: every parameter from the repository's key-seeded generator (scripts/make_model_goldens.py `generate`), no
scaling, so the Swift tests rebuild them (SyntheticCheckpoint) and no weights are committed. For each model the
golden keeps config.json as saved, the parameter keys, the sentence-transformers files the Swift test writes back,
and per case the texts, options and the encoded sparse vectors ({indices, values}: the non-zero entries).
"""
import json
import os
import shutil
import sys
import tempfile

import torch
import transformers as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_goldens import generate, versions  # noqa: E402

torch.set_num_threads(2)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOCAB = os.path.join(ROOT, "Tests", "Fixtures", "family", "cased_vocab")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "splade")
TEXTS = [
    "Aspirin inhibits BRCA1 in HeLa cells.",
    "The p53 protein binds DNA and RNA.",
    "",
    "x",
    "COVID virus in Patients with EGFR mutations and TP53 expression; " * 3,
    "café 東京 kinase?",
]
ST_FILES = ["modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "1_SpladePooling/config.json"]


def fill(model):
    keys = []
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(generate(name, tuple(p.shape))))
            keys.append(name)
    return keys


def hf_folder(work, name, model):
    folder = os.path.join(work, name)
    model.save_pretrained(folder)
    for f in ["vocab.txt", "tokenizer_config.json"]:
        shutil.copy(os.path.join(VOCAB, f), folder)
    return folder


def cases(encoder):
    out = []
    for texts, kwargs in [(TEXTS, {"batch_size": 2}), (TEXTS[:2], {"max_active_dims": 8}),
                          (TEXTS[:2], {"prompt": "query: "})]:
        encoded = encoder.encode(texts, convert_to_sparse_tensor=True, **kwargs).coalesce()
        rows = [{"indices": [], "values": []} for _ in texts]
        for (r, i), v in zip(encoded.indices().t().tolist(), encoded.values().tolist()):
            rows[r]["indices"].append(i)
            rows[r]["values"].append(float("%.8g" % v))  # float32 round-trips through 8 significant digits
        out.append({"texts": texts, "kwargs": kwargs, "outputs": rows})
    return out


def st_files(folder):
    files = {}
    for f in ST_FILES:
        path = os.path.join(folder, f)
        if os.path.exists(path):
            with open(path) as fh:
                files[f] = json.load(fh)
    return files


def entry(family, model, keys, folder, encoder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    return {"family": family, "config": config, "parameter_keys": keys, "files": st_files(folder), "cases": cases(encoder)}


def main():
    from sentence_transformers import SparseEncoder
    from sentence_transformers.base.modules import Transformer
    from sentence_transformers.sparse_encoder.modules import MLMTransformer, SpladePooling

    golden = {"versions": versions(), "models": {}}
    with tempfile.TemporaryDirectory() as work:
        bert = T.BertForMaskedLM(T.BertConfig(vocab_size=1013, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                              intermediate_size=128)).eval()
        keys = fill(bert)
        base = hf_folder(work, "bert", bert)

        saved = os.path.join(work, "bert_st")
        SparseEncoder(modules=[MLMTransformer(base), SpladePooling("max")], device="cpu").save(saved)
        encoder = SparseEncoder(saved, device="cpu")
        golden["models"]["bert_mlm_transformer"] = entry("bert", bert, keys, saved, encoder)

        saved2 = os.path.join(work, "bert_st2")
        SparseEncoder(modules=[Transformer(base, transformer_task="fill-mask"),
                               SpladePooling("max", activation_function="log1p_relu")], device="cpu").save(saved2)
        golden["models"]["bert_transformer"] = entry("bert", bert, keys, saved2, SparseEncoder(saved2, device="cpu"))

        distil = T.DistilBertForMaskedLM(T.DistilBertConfig(vocab_size=1013, dim=64, n_layers=2, n_heads=4,
                                                            hidden_dim=128, pad_token_id=0)).eval()
        dkeys = fill(distil)
        folder = hf_folder(work, "distilbert", distil)
        with open(os.path.join(folder, "modules.json"), "w") as f:
            json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.sparse_encoder.models.MLMTransformer"},
                       {"idx": 1, "name": "1", "path": "1_SpladePooling",
                        "type": "sentence_transformers.sparse_encoder.models.SpladePooling"}], f, indent=2)
        # Without model_type SparseEncoder, SparseEncoder(folder) would treat the folder as a dense model to convert
        # and append a randomly initialised SparseAutoEncoder; released SPLADE folders carry this file.
        with open(os.path.join(folder, "config_sentence_transformers.json"), "w") as f:
            json.dump({"__version__": {"sentence_transformers": "5.0.0"}, "model_type": "SparseEncoder",
                       "prompts": {"query": "", "document": ""}, "default_prompt_name": None,
                       "similarity_fn_name": "dot"}, f)
        with open(os.path.join(folder, "sentence_bert_config.json"), "w") as f:
            json.dump({"max_seq_length": 24, "do_lower_case": False}, f)
        os.makedirs(os.path.join(folder, "1_SpladePooling"))
        with open(os.path.join(folder, "1_SpladePooling", "config.json"), "w") as f:
            json.dump({"pooling_strategy": "sum", "activation_function": "relu", "word_embedding_dimension": 1013}, f)
        golden["models"]["distilbert_v5"] = entry("distilbert", distil, dkeys, folder, SparseEncoder(folder, device="cpu"))

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "goldens.json")
    with open(path, "w") as f:
        json.dump(golden, f, ensure_ascii=False)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
