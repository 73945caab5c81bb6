#!/usr/bin/env python3
"""Golden files for the BERT family's models and heads (issue 13): RoBERTa, XLM-RoBERTa, DistilBERT, ALBERT.

Usage (from the repository root):
    .venv/bin/python scripts/make_family_goldens.py        # writes Tests/Fixtures/family/

Every weight comes from the repository's deterministic generator (`generate` in scripts/make_model_goldens.py,
spec in Tests/Fixtures/MANIFEST.md), keyed by the checkpoint name `save_pretrained` writes, so no weights are
committed: the Swift tests regenerate them with `SyntheticCheckpoint`. Per member, `<member>/`:
    config.json           the small config, as transformers writes it
    keys.json             per class: the tensor names save_pretrained writes (the Swift models must match them)
    outputs.safetensors   input_ids / attention_mask / token_type_ids (int64 [3, 11], right-padded batch of
                          lengths 11, 7, 4); base model: hidden.{i} (embeddings + every layer application),
                          pooler_output when the member has one; heads: <Class>.logits (start/end for QA)
    step.safetensors      one step of the member's pre-training objective (dropout off): loss, labels
                          (-100 = ignored), sentence_order_label (ALBERT), grad.<key> for every parameter
Also distilbert_sinusoidal/table.safetensors: the sinusoidal position table transformers builds for
sinusoidal_pos_embds=True (dim 32, 16 positions).
"""
import json
import os
import sys
import tempfile

import numpy as np
import safetensors.torch as st
import torch
import transformers as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_goldens import generate, versions  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(0)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "family")
BATCH, SEQ, LENGTHS = 3, 11, [11, 7, 4]
COMMON = dict(vocab_size=99, num_attention_heads=4, max_position_embeddings=16, initializer_range=0.02)

MEMBERS = {
    "roberta": (T.RobertaConfig(hidden_size=32, num_hidden_layers=3, intermediate_size=37, type_vocab_size=1,
                                pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **COMMON),
                ["RobertaModel", "RobertaForMaskedLM", "RobertaForSequenceClassification",
                 "RobertaForTokenClassification", "RobertaForQuestionAnswering"], "RobertaForMaskedLM"),
    "xlm-roberta": (T.XLMRobertaConfig(hidden_size=32, num_hidden_layers=2, intermediate_size=37, type_vocab_size=1,
                                       pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **COMMON),
                    ["XLMRobertaModel", "XLMRobertaForMaskedLM"], None),
    "distilbert": (T.DistilBertConfig(vocab_size=99, dim=32, n_layers=2, n_heads=4, hidden_dim=37,
                                      max_position_embeddings=16, pad_token_id=0),
                   ["DistilBertModel", "DistilBertForMaskedLM", "DistilBertForSequenceClassification",
                    "DistilBertForTokenClassification", "DistilBertForQuestionAnswering"], "DistilBertForMaskedLM"),
    "albert": (T.AlbertConfig(embedding_size=16, hidden_size=32, num_hidden_layers=4, num_hidden_groups=2,
                              inner_group_num=2, intermediate_size=37, type_vocab_size=2, hidden_act="gelu_new",
                              pad_token_id=0, **COMMON),
               ["AlbertModel", "AlbertForMaskedLM", "AlbertForPreTraining", "AlbertForSequenceClassification",
                "AlbertForTokenClassification", "AlbertForQuestionAnswering"], "AlbertForPreTraining"),
}


def build(cls_name, config):
    """The class with every saved tensor set by the generator (tied tensors through their saved name)."""
    if cls_name.endswith(("QuestionAnswering", "PreTraining")):  # start/end and SOP read num_labels (= 2)
        config = config.__class__.from_dict({**config.to_dict(), "num_labels": 2})
    model = getattr(T, cls_name)(config)
    model.config._attn_implementation = "eager"
    with tempfile.TemporaryDirectory() as d:
        model.save_pretrained(d)
        keys = sorted(st.load_file(os.path.join(d, "model.safetensors")).keys())
    state = model.state_dict()
    with torch.no_grad():
        for k in keys:
            state[k].copy_(torch.from_numpy(generate(k, tuple(state[k].shape))))
    return model.eval(), keys


def inputs(member, config):
    rng = np.random.default_rng({"roberta": 1, "xlm-roberta": 2, "distilbert": 3, "albert": 4}[member])
    pad = config.pad_token_id
    ids = np.full((BATCH, SEQ), pad, dtype=np.int64)
    mask = np.zeros((BATCH, SEQ), dtype=np.int64)
    types = np.zeros((BATCH, SEQ), dtype=np.int64)
    for b, n in enumerate(LENGTHS):
        ids[b, :n] = rng.integers(3, config.vocab_size, n)
        mask[b, :n] = 1
        if member == "albert":
            types[b, n // 2:n] = 1
    return ids, mask, types


def main():
    v = versions()
    os.makedirs(OUT, exist_ok=True)
    for member, (config, classes, objective) in MEMBERS.items():
        folder = os.path.join(OUT, member)
        os.makedirs(folder, exist_ok=True)
        config.num_labels = 3
        config.save_pretrained(folder)
        ids, mask, types = inputs(member, config)
        t = lambda a: torch.from_numpy(a)  # noqa: E731
        kwargs = dict(input_ids=t(ids), attention_mask=t(mask))
        if member != "distilbert":
            kwargs["token_type_ids"] = t(types)
        out = {"input_ids": t(ids), "attention_mask": t(mask), "token_type_ids": t(types)}
        all_keys = {}
        for cls_name in classes:
            model, keys = build(cls_name, config)
            all_keys[cls_name] = keys
            with torch.no_grad():
                if cls_name.endswith("Model"):
                    o = model(**kwargs, output_hidden_states=True)
                    for i, h in enumerate(o.hidden_states):
                        out[f"hidden.{i}"] = h
                    if getattr(o, "pooler_output", None) is not None:
                        out["pooler_output"] = o.pooler_output
                    continue
                o = model(**kwargs)
                if cls_name.endswith("QuestionAnswering"):
                    out[f"{cls_name}.start"], out[f"{cls_name}.end"] = o.start_logits, o.end_logits
                elif cls_name.endswith("PreTraining"):
                    out[f"{cls_name}.logits"], out[f"{cls_name}.sop"] = o.prediction_logits, o.sop_logits
                else:
                    out[f"{cls_name}.logits"] = o.logits
        st.save_file({k: x.contiguous() for k, x in out.items()}, os.path.join(folder, "outputs.safetensors"),
                     metadata={"format": "pt"})
        with open(os.path.join(folder, "keys.json"), "w") as f:
            json.dump({"versions": v, "keys": all_keys}, f, indent=1)
            f.write("\n")
        if objective is None:
            continue
        model, keys = build(objective, config)
        rng = np.random.default_rng(11)
        labels = np.full((BATCH, SEQ), -100, dtype=np.int64)
        masked = ids.copy()
        for b, n in enumerate(LENGTHS):
            for i in range(1, n - 1):
                if rng.random() < 0.3:
                    labels[b, i] = ids[b, i]
                    masked[b, i] = 4
        kwargs["input_ids"] = t(masked)
        step = {"labels": t(labels), "masked_input_ids": t(masked)}
        if objective == "AlbertForPreTraining":
            sop = np.array([0, 1, 1], dtype=np.int64)
            kwargs["sentence_order_label"] = t(sop)
            step["sentence_order_label"] = t(sop)
        o = model(**kwargs, labels=t(labels))
        o.loss.backward()
        step["loss"] = o.loss.detach().reshape(1)
        params = dict(model.named_parameters())
        state = model.state_dict()
        for k in keys:
            p = params.get(k)
            if p is None:  # saved under a tied name: find the parameter object behind it
                p = next(q for n, q in params.items() if q.data_ptr() == state[k].data_ptr())
            step[f"grad.{k}"] = p.grad.detach().clone()
        st.save_file({k: x.contiguous() for k, x in step.items()}, os.path.join(folder, "step.safetensors"),
                     metadata={"format": "pt"})
        print(f"{member}: loss {o.loss.item():.6f}", file=sys.stderr)

    sin = T.DistilBertModel(T.DistilBertConfig(vocab_size=99, dim=32, n_layers=1, n_heads=4, hidden_dim=37,
                                               max_position_embeddings=16, sinusoidal_pos_embds=True))
    os.makedirs(os.path.join(OUT, "distilbert_sinusoidal"), exist_ok=True)
    st.save_file({"table": sin.embeddings.position_embeddings.weight.detach().contiguous()},
                 os.path.join(OUT, "distilbert_sinusoidal", "table.safetensors"), metadata={"format": "pt"})


if __name__ == "__main__":
    main()
