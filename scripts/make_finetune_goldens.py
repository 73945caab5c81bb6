#!/usr/bin/env python3
"""Goldens for the fine-tuning feature preparation and losses, under Tests/Fixtures/finetune/.

- qa_features.json: transformers' run_qa.py `prepare_train_features` (copied verbatim below, padding off so the
  windows are the tokens themselves) on Tests/Fixtures/datasets/qa_train.json with the all-MiniLM-L6-v2 tokenizer,
  max_length 48, doc_stride 16: input_ids, token_type_ids, start/end positions per window, and the example each
  window comes from.
- ner_alignment.json: run_ner.py `tokenize_and_align_labels` (label_all_tokens=False, verbatim) on
  Tests/Fixtures/datasets/ner_train.conll, max_length 32: input_ids and labels per sentence.
- embedding_losses.json: sentence-transformers' MultipleNegativesRankingLoss (scale 20, cos_sim) with and without
  hard negatives, and CosineSimilarityLoss, on fixed random embeddings: loss values and gradients.

Run: .venv/bin/python scripts/make_finetune_goldens.py   (needs models/all-MiniLM-L6-v2)
"""
import json, os

import torch
import transformers
import sentence_transformers
from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "finetune")
os.makedirs(OUT, exist_ok=True)
tokenizer = AutoTokenizer.from_pretrained(os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))

# ---- QA: run_qa.py prepare_train_features -------------------------------------------------------------------
max_seq_length, doc_stride, pad_on_right = 48, 16, True
question_column_name, context_column_name, answer_column_name = "question", "context", "answers"


def prepare_train_features(examples):
    examples[question_column_name] = [q.lstrip() for q in examples[question_column_name]]
    tokenized_examples = tokenizer(
        examples[question_column_name if pad_on_right else context_column_name],
        examples[context_column_name if pad_on_right else question_column_name],
        truncation="only_second" if pad_on_right else "only_first",
        max_length=max_seq_length,
        stride=doc_stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=False,
    )
    sample_mapping = tokenized_examples.pop("overflow_to_sample_mapping")
    offset_mapping = tokenized_examples.pop("offset_mapping")
    tokenized_examples["start_positions"] = []
    tokenized_examples["end_positions"] = []
    tokenized_examples["example_index"] = []
    for i, offsets in enumerate(offset_mapping):
        input_ids = tokenized_examples["input_ids"][i]
        if tokenizer.cls_token_id in input_ids:
            cls_index = input_ids.index(tokenizer.cls_token_id)
        elif tokenizer.bos_token_id in input_ids:
            cls_index = input_ids.index(tokenizer.bos_token_id)
        else:
            cls_index = 0
        sequence_ids = tokenized_examples.sequence_ids(i)
        sample_index = sample_mapping[i]
        tokenized_examples["example_index"].append(sample_index)
        answers = examples[answer_column_name][sample_index]
        if len(answers["answer_start"]) == 0:
            tokenized_examples["start_positions"].append(cls_index)
            tokenized_examples["end_positions"].append(cls_index)
        else:
            start_char = answers["answer_start"][0]
            end_char = start_char + len(answers["text"][0])
            token_start_index = 0
            while sequence_ids[token_start_index] != (1 if pad_on_right else 0):
                token_start_index += 1
            token_end_index = len(input_ids) - 1
            while sequence_ids[token_end_index] != (1 if pad_on_right else 0):
                token_end_index -= 1
            if not (offsets[token_start_index][0] <= start_char and offsets[token_end_index][1] >= end_char):
                tokenized_examples["start_positions"].append(cls_index)
                tokenized_examples["end_positions"].append(cls_index)
            else:
                while token_start_index < len(offsets) and offsets[token_start_index][0] <= start_char:
                    token_start_index += 1
                tokenized_examples["start_positions"].append(token_start_index - 1)
                while offsets[token_end_index][1] >= end_char:
                    token_end_index -= 1
                tokenized_examples["end_positions"].append(token_end_index + 1)
    return tokenized_examples


squad = json.load(open(os.path.join(ROOT, "Tests", "Fixtures", "datasets", "qa_train.json")))
ex = {"question": [], "context": [], "answers": []}
for article in squad["data"]:
    for para in article["paragraphs"]:
        for qa in para["qas"]:
            ex["question"].append(qa["question"])
            ex["context"].append(para["context"])
            ex["answers"].append({"text": [a["text"] for a in qa["answers"]], "answer_start": [a["answer_start"] for a in qa["answers"]]})
f = prepare_train_features(ex)
qa = {"max_length": max_seq_length, "doc_stride": doc_stride, "features": [
    {"example_index": f["example_index"][i], "input_ids": f["input_ids"][i], "token_type_ids": f["token_type_ids"][i],
     "start_position": f["start_positions"][i], "end_position": f["end_positions"][i]} for i in range(len(f["input_ids"]))]}
json.dump(qa, open(os.path.join(OUT, "qa_features.json"), "w"), indent=0)

# ---- NER: run_ner.py tokenize_and_align_labels ---------------------------------------------------------------
sentences, tags, cur_t, cur_g = [], [], [], []
for line in open(os.path.join(ROOT, "Tests", "Fixtures", "datasets", "ner_train.conll"), encoding="utf-8"):
    cols = line.split()
    if not cols or cols[0] == "-DOCSTART-":
        if cur_t:
            sentences.append(cur_t); tags.append(cur_g)
        cur_t, cur_g = [], []
        continue
    cur_t.append(cols[0]); cur_g.append(cols[-1])
if cur_t:
    sentences.append(cur_t); tags.append(cur_g)
label_list = sorted({t for s in tags for t in s})
label_to_id = {l: i for i, l in enumerate(label_list)}
label_all_tokens = False


def tokenize_and_align_labels(examples):
    tokenized_inputs = tokenizer(examples["tokens"], padding=False, truncation=True, max_length=32, is_split_into_words=True)
    labels = []
    for i, label in enumerate(examples["ner_tags"]):
        word_ids = tokenized_inputs.word_ids(batch_index=i)
        previous_word_idx = None
        label_ids = []
        for word_idx in word_ids:
            if word_idx is None:
                label_ids.append(-100)
            elif word_idx != previous_word_idx:
                label_ids.append(label_to_id[label[word_idx]])
            else:
                label_ids.append(label_to_id[label[word_idx]] if label_all_tokens else -100)
            previous_word_idx = word_idx
        labels.append(label_ids)
    tokenized_inputs["labels"] = labels
    return tokenized_inputs


t = tokenize_and_align_labels({"tokens": sentences, "ner_tags": tags})
json.dump({"max_length": 32, "labels": label_list, "sentences": [{"input_ids": t["input_ids"][i], "labels": t["labels"][i]} for i in range(len(sentences))]},
          open(os.path.join(OUT, "ner_alignment.json"), "w"), indent=0)

# ---- Sentence-Transformers losses ------------------------------------------------------------------------------
from sentence_transformers.util import cos_sim

g = torch.Generator().manual_seed(7)
a = torch.randn(4, 8, generator=g, dtype=torch.float64)
p = torch.randn(4, 8, generator=g, dtype=torch.float64)
n = torch.randn(4, 8, generator=g, dtype=torch.float64)
scores = torch.tensor([0.9, 0.1, 0.5, 0.3], dtype=torch.float64)
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss as MNRL, CosineSimilarityLoss as CSL


class _Stub(torch.nn.Module):
    pass


def mnrl(embs):
    embs = [e.clone().requires_grad_(True) for e in embs]
    loss_fn = MNRL(model=_Stub())  # defaults: scale 20, cos_sim
    value = loss_fn.compute_loss_from_embeddings(embs, None)
    value.backward()
    return value.item(), [e.grad.flatten().tolist() for e in embs]


def cosine_loss():
    u, v = a.clone().requires_grad_(True), p.clone().requires_grad_(True)
    value = CSL(model=_Stub()).compute_loss_from_embeddings([u, v], scores)
    value.backward()
    return value.item(), [u.grad.flatten().tolist(), v.grad.flatten().tolist()]


l2, g2 = mnrl([a, p])
l3, g3 = mnrl([a, p, n])
lc, gc = cosine_loss()
json.dump({"anchors": a.flatten().tolist(), "positives": p.flatten().tolist(), "negatives": n.flatten().tolist(), "dim": 8,
           "scores": scores.tolist(), "mnrl": l2, "mnrl_grads": g2, "mnrl_hard_negatives": l3, "mnrl_hard_negatives_grads": g3,
           "cosine_similarity_loss": lc, "cosine_similarity_grads": gc,
           "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "sentence_transformers": sentence_transformers.__version__}},
          open(os.path.join(OUT, "embedding_losses.json"), "w"), indent=0)
print("qa features", len(qa["features"]), "ner sentences", len(sentences), "mnrl", l2, l3, "cosine", lc)
