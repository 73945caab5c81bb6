#!/usr/bin/env python3
"""Writes the BERTHub fixtures under Tests/Fixtures/hub/ (JSON only, no weights; deterministic).

configs/<type>.json    config.json as transformers' save_pretrained writes it, one per model type, with
                       non-default values (labels, sizes, activation) so decoding is really tested.
st6_cls_mean_dense/    the JSON files of a tiny Sentence-Transformers 6.x model (Transformer, Pooling with
                       modes [cls, mean], Dense 16→4 tanh, Normalize), as SentenceTransformer.save writes them
                       (weights, tokenizer.json and README are not kept).
Run: .venv/bin/python scripts/make_hub_fixtures.py
"""
import os, shutil, sys, tempfile
import sentence_transformers, torch, transformers
from transformers import AlbertConfig, BertConfig, BertModel, BertTokenizerFast, DistilBertConfig, RobertaConfig, XLMRobertaConfig
from sentence_transformers import SentenceTransformer, models

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "hub")
print(f"transformers {transformers.__version__}, sentence-transformers {sentence_transformers.__version__}, "
      f"torch {torch.__version__}", file=sys.stderr)

configs = {
    "bert": BertConfig(vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                       intermediate_size=128, hidden_act="gelu_new", max_position_embeddings=128,
                       id2label={0: "NEGATIVE", 1: "POSITIVE", 2: "NEUTRAL"},
                       label2id={"NEGATIVE": 0, "POSITIVE": 1, "NEUTRAL": 2},
                       problem_type="single_label_classification", architectures=["BertForSequenceClassification"]),
    "roberta": RobertaConfig(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1, layer_norm_eps=1e-5,
                             architectures=["RobertaForMaskedLM"]),
    "xlm-roberta": XLMRobertaConfig(vocab_size=250002, max_position_embeddings=514, type_vocab_size=1,
                                    layer_norm_eps=1e-5, architectures=["XLMRobertaModel"]),
    "distilbert": DistilBertConfig(dim=256, n_layers=3, n_heads=8, hidden_dim=1024, activation="gelu",
                                   sinusoidal_pos_embds=True, dropout=0.05, attention_dropout=0.02,
                                   architectures=["DistilBertForMaskedLM"]),
    "albert": AlbertConfig(embedding_size=128, hidden_size=768, num_attention_heads=12, intermediate_size=3072,
                           num_hidden_groups=1, inner_group_num=1, architectures=["AlbertForMaskedLM"]),
}
os.makedirs(os.path.join(root, "configs"), exist_ok=True)
for name, config in configs.items():
    with tempfile.TemporaryDirectory() as tmp:
        config.save_pretrained(tmp)
        shutil.copy(os.path.join(tmp, "config.json"), os.path.join(root, "configs", f"{name}.json"))

with tempfile.TemporaryDirectory() as tmp:
    torch.manual_seed(0)
    with open(os.path.join(tmp, "vocab.txt"), "w") as f:
        f.write("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]) + "\n")
    hf = os.path.join(tmp, "hf")
    BertModel(BertConfig(vocab_size=8, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=16, max_position_embeddings=16)).save_pretrained(hf)
    BertTokenizerFast(os.path.join(tmp, "vocab.txt")).save_pretrained(hf)
    model = SentenceTransformer(modules=[models.Transformer(hf, max_seq_length=12),
                                         models.Pooling(8, pooling_mode=["cls", "mean"]),
                                         models.Dense(16, 4, activation_function=torch.nn.Tanh()),
                                         models.Normalize()])
    out = os.path.join(tmp, "out")
    model.save(out)
    dest = os.path.join(root, "st6_cls_mean_dense")
    shutil.rmtree(dest, ignore_errors=True)
    for rel in ["modules.json", "config.json", "sentence_bert_config.json", "tokenizer_config.json",
                "1_Pooling/config.json", "2_Dense/config.json", "3_Normalize/config.json"]:
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy(os.path.join(out, rel), os.path.join(dest, rel))
