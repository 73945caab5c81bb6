#!/usr/bin/env python3
"""End-to-end goldens for the BERT family with its own tokenizers (issue 13).

    .venv/bin/python scripts/make_family_e2e_goldens.py main      # Tests/Fixtures/family/end_to_end.json
    PYTHONPATH=/tmp/tf4:/tmp/tf4-req .venv/bin/python scripts/make_family_e2e_goldens.py qa   # …/end_to_end_qa.json

(`qa` needs transformers 4.x, whose question-answering pipeline transformers 5 removed: `.venv/bin/pip install
--target /tmp/tf4 --no-deps "transformers==4.57.6" "tokenizers==0.22.2" "huggingface_hub<1.0"` and
`.venv/bin/pip install --target /tmp/tf4-req requests`, which that huggingface_hub needs.)

Members and their tokenizers (the committed test fixtures, loaded as transformers loads them):
  roberta      Tests/Fixtures/tokenizers/bpe/roberta            byte-level BPE, 2,000 tokens, <mask>
  xlm-roberta  Tests/Fixtures/tokenizers/sentencepiece/xlmr     SentencePiece BPE model, 1,502 tokens
  albert       Tests/Fixtures/tokenizers/sentencepiece/albert   SentencePiece Unigram, 1,500 tokens, [MASK]
  distilbert   models/all-MiniLM-L6-v2                          bert-base-uncased's WordPiece (distilbert-base-uncased's)
Every tokenizer is given its transformers 5.24 class's `model_input_names` (input_ids, attention_mask: none of
these four classes returns token_type_ids), so the 4.x QA pipeline feeds the models what 5.24 would. The 4.x run
also tokenizes as 5.24 does: it loads the tokenizer.json that transformers 5.24 (this venv without PYTHONPATH)
saves for the fixture, not 4.x's own conversion of the .model files, whose Metaspace offsets differ (4.x's
SentencePiece tokens after a space start at the space, so answers began with " ").

Models: hidden 32, 2 layers, 2 heads, intermediate 64 (ALBERT embedding 16, one group), 130 positions for the
RoBERTa pair (128 usable after the padding offset), 128 for the others. Heads: ForMaskedLM (fill-mask),
ForSequenceClassification with 3 NLI labels (text-classification, single texts and pairs), ForTokenClassification
with 9 BIO labels (token-classification, aggregation none/simple/first/average/max), ForQuestionAnswering (4.x
question-answering, short and long contexts with stride), ForSequenceClassification with 1 label used as
sentence-transformers' CrossEncoder (predict and rank), and the base model in a sentence-transformers folder (mean
pooling, Normalize; `SentenceTransformer.encode`, as all-distilroberta-v1 / paraphrase-albert-small-v2 are laid out).
Weights: every saved key from the repository's key-seeded generator (scripts/make_model_goldens.py), head keys
(`classifier.*`, `qa_outputs.*`, `lm_head.layer_norm.weight`, `vocab_layer_norm.weight`,
`predictions.LayerNorm.weight`) multiplied by 20 in float32 so orders and spans are well separated. No weights are
committed: the Swift test regenerates them (SyntheticCheckpoint) and writes each folder from the stored config.json.
"""
import json
import os
import platform
import shutil
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_goldens import generate  # noqa: E402

torch.set_num_threads(2)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "family")
TOKENIZERS = {
    "roberta": os.path.join(ROOT, "Tests/Fixtures/tokenizers/bpe/roberta"),
    "xlm-roberta": os.path.join(ROOT, "Tests/Fixtures/tokenizers/sentencepiece/xlmr"),
    "albert": os.path.join(ROOT, "Tests/Fixtures/tokenizers/sentencepiece/albert"),
    "distilbert": os.path.join(ROOT, "models/all-MiniLM-L6-v2"),
}
CLASSES = {"roberta": "Roberta", "xlm-roberta": "XLMRoberta", "albert": "Albert", "distilbert": "DistilBert"}
NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
NLI = ["entailment", "neutral", "contradiction"]
SCALED = ("lm_head.layer_norm.weight", "vocab_layer_norm.weight", "predictions.LayerNorm.weight")

FILL = ["The capital of France is {mask}.", "I went to the {mask} yesterday, and it was {mask}.",
        "Naïve café owners in Zürich sell {mask} brûlée."]
CLASSIFY = ["I loved this movie, it was wonderful!",
            {"text": "A man is playing a guitar.", "text_pair": "Someone plays music."},
            {"text": "The cat sat on the mat.", "text_pair": "Das ist nicht wahr, naïve café."}]
NER = ["Hugo Chávez met Angela Merkel in Zürich at the Antidisestablishmentarianism conference.",
       "ID 1234567890-ABCDEF paid $3,000.50 to Wolfeschlegelsteinhausenbergerdorff GmbH in New York."]
STRATEGIES = ["none", "simple", "first", "average", "max"]
ST_TEXTS = ["A man is eating food.", "Someone is eating a sandwich.", "Naïve café owners in Zürich.",
            "The quick brown fox jumps over the lazy dog near the riverbank at dawn."]
ST_FILES = {
    "modules.json": [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                     {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                     {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
    "sentence_bert_config.json": {"max_seq_length": 128, "do_lower_case": False},
    "1_Pooling/config.json": {"word_embedding_dimension": 32, "pooling_mode_cls_token": False,
                              "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                              "pooling_mode_mean_sqrt_len_tokens": False},
}
QUERY = "What is the capital of France?"
DOCUMENTS = ["Paris is the capital of France.", "Berlin is in Germany.", "Naïve café owners in Zürich.",
             "The capital of France is a city with many museums and cafés.", "Cats sleep a lot."]
LONG = ("Hugo Chávez lived in Zürich for many years. He worked at the museum near the river, where he met Angela "
        "Merkel in the spring. The museum keeps paintings, old maps and a café that sells crème brûlée. Every "
        "morning he walked along the lake to the old town, bought bread and read the newspaper. In the autumn of "
        "that year he moved to Paris, the capital of France, and opened a small bookshop near the station.")
QA = [
    {"inputs": {"question": "Where did Hugo live?", "context": "Hugo Chávez lived in Zürich and worked at a museum."},
     "kwargs": {"top_k": 3, "max_seq_len": 64, "doc_stride": 16}},
    {"inputs": {"question": "Where did he move?", "context": LONG},
     "kwargs": {"top_k": 2, "max_seq_len": 48, "doc_stride": 16}},
    {"inputs": {"question": "What does the café sell?", "context": LONG},
     "kwargs": {"top_k": 1, "max_seq_len": 64, "doc_stride": 24, "handle_impossible_answer": True}},
    {"inputs": {"question": "Who did he meet?", "context": LONG},
     "kwargs": {"top_k": 3, "max_seq_len": 40, "doc_stride": 8, "max_answer_len": 5}},
]


def versions():
    import tokenizers
    import transformers
    v = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
         "tokenizers": tokenizers.__version__, "numpy": np.__version__}
    try:
        import sentence_transformers
        v["sentence_transformers"] = sentence_transformers.__version__
    except Exception:  # transformers 4.x beside sentence-transformers 6: not needed for QA
        pass
    print("versions: " + " ".join(f"{k} {x}" for k, x in v.items()), file=sys.stderr)
    return v


def tokenizer(member, work=None):
    import transformers as T
    tok = T.AutoTokenizer.from_pretrained(TOKENIZERS[member])
    if T.__version__.startswith("4.") and work is not None:
        # The backend tokenizer transformers 5.24 builds for the fixture, saved by 5.24 itself.
        saved = os.path.join(work, member, "tokenizer-5.24")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        import subprocess
        import tokenizers
        subprocess.run([sys.executable, "-c", "import sys, transformers as T; assert T.__version__.startswith('5.'); "
                        "T.AutoTokenizer.from_pretrained(sys.argv[1]).save_pretrained(sys.argv[2])",
                        TOKENIZERS[member], saved], check=True, env=env)
        tok._tokenizer = tokenizers.Tokenizer.from_file(os.path.join(saved, "tokenizer.json"))
    tok.model_input_names = ["input_ids", "attention_mask"]
    return tok


def config(member, tok, labels=None):
    import transformers as T
    kw = dict(id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)}) if labels else {}
    if member == "distilbert":
        return T.DistilBertConfig(dim=32, n_layers=2, n_heads=2, hidden_dim=64, vocab_size=len(tok),
                                  max_position_embeddings=128, pad_token_id=tok.pad_token_id, **kw)
    common = dict(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                  intermediate_size=64, pad_token_id=tok.pad_token_id, **kw)
    if member == "albert":
        return T.AlbertConfig(embedding_size=16, num_hidden_groups=1, max_position_embeddings=128,
                              bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id, **common)
    cls = T.RobertaConfig if member == "roberta" else T.XLMRobertaConfig
    return cls(max_position_embeddings=130, type_vocab_size=1, bos_token_id=tok.bos_token_id,
               eos_token_id=tok.eos_token_id, **common)


def build(member, head, tok, folder, labels=None):
    """Generated weights for every saved key (heads ×20); returns the model, its saved keys and config.json."""
    import safetensors.torch as st
    import transformers as T
    model = getattr(T, CLASSES[member] + head)(config(member, tok, labels))
    model.save_pretrained(folder)
    keys = sorted(st.load_file(os.path.join(folder, "model.safetensors")).keys())
    state = model.state_dict()
    with torch.no_grad():
        for k in keys:
            v = generate(k, tuple(state[k].shape))
            scaled = k.startswith("classifier.") or k.startswith("qa_outputs.") or k in SCALED
            state[k].copy_(torch.from_numpy(v * np.float32(20) if scaled else v))
    model.eval().save_pretrained(folder)
    tok.save_pretrained(folder)
    with open(os.path.join(folder, "config.json")) as f:
        saved = json.load(f)
    return model, {"parameter_keys": keys, "config": saved}


def main_member(member, work):
    import transformers as T
    tok = tokenizer(member)
    out = {}
    model, out["fill_mask"] = build(member, "ForMaskedLM", tok, os.path.join(work, member, "mlm"))
    pipe = T.pipeline("fill-mask", model=model, tokenizer=tok, device="cpu")
    texts = [t.replace("{mask}", tok.mask_token) for t in FILL]
    out["fill_mask"]["cases"] = [{"inputs": t, "ids": tok(t)["input_ids"], "output": pipe(t, top_k=5)} for t in texts]

    model, out["text_classification"] = build(member, "ForSequenceClassification", tok,
                                              os.path.join(work, member, "nli"), NLI)
    pipe = T.pipeline("text-classification", model=model, tokenizer=tok, device="cpu")
    out["text_classification"]["cases"] = [{"inputs": x, "output": pipe(x, top_k=None)} for x in CLASSIFY]

    model, out["ner"] = build(member, "ForTokenClassification", tok, os.path.join(work, member, "ner"), NER_LABELS)
    pipe = T.pipeline("token-classification", model=model, tokenizer=tok, device="cpu")
    out["ner"]["cases"] = [{"inputs": t, "strategy": s, "output": pipe(t, aggregation_strategy=s)}
                           for t in NER for s in STRATEGIES]

    from sentence_transformers import CrossEncoder, SentenceTransformer
    folder = os.path.join(work, member, "rerank")
    _, out["rerank"] = build(member, "ForSequenceClassification", tok, folder, ["LABEL_0"])
    input_names(folder)
    encoder = CrossEncoder(folder, device="cpu")
    pairs = [[QUERY, d] for d in DOCUMENTS]
    out["rerank"].update(query=QUERY, documents=DOCUMENTS,
                         predict=encoder.predict(pairs).tolist(),
                         raw=encoder.predict(pairs, activation_fn=torch.nn.Identity()).tolist(),
                         rank=[{"index": int(r["corpus_id"]), "score": float(r["score"])}
                               for r in encoder.rank(QUERY, DOCUMENTS)])

    folder = os.path.join(work, member, "st")
    _, out["sentence_transformer"] = build(member, "Model", tok, folder)
    input_names(folder)
    for sub in ("1_Pooling", "2_Normalize"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    for name, content in ST_FILES.items():
        with open(os.path.join(folder, name), "w") as f:
            json.dump(content, f)
    model = SentenceTransformer(folder, device="cpu")
    out["sentence_transformer"].update(files=ST_FILES, texts=ST_TEXTS, embeddings=model.encode(ST_TEXTS).tolist())
    return out


def input_names(folder):
    """The saved tokenizer_config.json says what the 5.24 class returns (sentence-transformers reads the folder)."""
    path = os.path.join(folder, "tokenizer_config.json")
    with open(path) as f:
        config = json.load(f)
    config["model_input_names"] = ["input_ids", "attention_mask"]
    with open(path, "w") as f:
        json.dump(config, f)


def qa_member(member, work):
    import transformers as T
    tok = tokenizer(member, work)
    model, out = build(member, "ForQuestionAnswering", tok, os.path.join(work, member, "qa"))
    pipe = T.pipeline("question-answering", model=model, tokenizer=tok, device="cpu")
    cases = []
    for c in QA:
        kw = c["kwargs"]
        windows = tok(c["inputs"]["question"], c["inputs"]["context"], truncation="only_second",
                      max_length=kw["max_seq_len"], stride=kw["doc_stride"], return_overflowing_tokens=True)
        cases.append({**c, "windows": len(windows["input_ids"]), "output": pipe(**c["inputs"], **kw)})
    out["cases"] = cases
    return out


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "main"
    result = {"versions": versions()}
    with tempfile.TemporaryDirectory() as work:
        for member in TOKENIZERS:
            result[member] = (qa_member if which == "qa" else main_member)(member, work)
    name = "end_to_end_qa.json" if which == "qa" else "end_to_end.json"
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1, default=lambda x: x.item())
        f.write("\n")


if __name__ == "__main__":
    main()
