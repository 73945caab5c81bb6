#!/usr/bin/env python3
"""Regression goldens for the differences `scripts/fuzz_family_models.py` found (session 13, branch modelfuzz).

Usage (from the repository root):
    .venv/bin/python scripts/make_modelfuzz_goldens.py     # writes Tests/Fixtures/modelfuzz/

Each folder is a tiny checkpoint as `save_pretrained` writes it (config.json, model.safetensors, random weights
from a seeded torch generator, scaled so that every layer matters) and expected.safetensors: input_ids,
attention_mask, token_type_ids (int64, a right-padded batch of lengths 7, 5, 2) and the outputs of transformers
(fp32, eval) on them:
    bert_untied_mlm/         BertForMaskedLM, tie_word_embeddings false: logits (decoder weight of its own)
    distilbert_untied_mlm/   DistilBertForMaskedLM, tie_word_embeddings false: logits
    roberta_decoder_differs/ RobertaForMaskedLM, tie_word_embeddings true but the file's lm_head.decoder.weight differs
                             from the embeddings (transformers keeps both): logits
    albert_uneven_groups/    AlbertModel, 5 layers in 3 groups of 2 (group int(i / (5 / 3)) at depth i):
                             last_hidden_state
    bert_activations/        one BertModel's weights; last_hidden_state.<act> with hidden_act = act for each of
                             silu, swish, quick_gelu, sigmoid, linear, gelu_fast, gelu_accurate, gelu_python
"""
import json
import os
import shutil

import numpy as np
import safetensors.torch as st
import torch
import transformers as T

T.logging.set_verbosity_error()
T.utils.logging.disable_progress_bar()
torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "modelfuzz")
LENGTHS = [7, 5, 2]
ACTIVATIONS = ["silu", "swish", "quick_gelu", "sigmoid", "linear", "gelu_fast", "gelu_accurate", "gelu_python"]


def randomize(model, seed, head_scale=1.0):
    """Seeded weights that keep every layer's output O(1); task-head matrices (classifier, qa_outputs,
    pre_classifier) ×head_scale so their scores separate (scripts/fuzz_family_pipelines.py uses 4)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 1:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.2 * torch.randn(p.shape, generator=g))
            else:
                scale = 0.5 if "embeddings" in name else 1.0 / p.shape[1] ** 0.5
                if name.startswith(("classifier", "qa_outputs", "pre_classifier")):
                    scale *= head_scale
                p.copy_(scale * torch.randn(p.shape, generator=g))


def inputs(config, seed, types=False):
    rng = np.random.default_rng(seed)
    pad = config.pad_token_id
    ids = np.full((len(LENGTHS), max(LENGTHS)), pad, dtype=np.int64)
    mask = np.zeros_like(ids)
    tt = np.zeros_like(ids)
    for r, n in enumerate(LENGTHS):
        ids[r, :n] = rng.choice([i for i in range(config.vocab_size) if i != pad], size=n)
        mask[r, :n] = 1
        if types:
            tt[r, :n] = rng.integers(0, 2, size=n)
    return ids, mask, tt


def run(model, ids, mask, tt, types):
    kw = dict(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    if types:
        kw["token_type_ids"] = torch.from_numpy(tt)
    with torch.no_grad():
        return model(**kw)


def save(name, model, edit=None):
    """The checkpoint folder, as save_pretrained writes it (then `edit`ed in its state dict)."""
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    if edit:
        path = os.path.join(folder, "model.safetensors")
        sd = st.load_file(path)
        edit(sd)
        st.save_file(sd, path, metadata={"format": "pt"})
    return folder


def expect(folder, outputs, ids, mask, tt):
    expected = {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask),
                "token_type_ids": torch.from_numpy(tt)}
    expected.update({k: v.contiguous() for k, v in outputs.items()})
    st.save_file(expected, os.path.join(folder, "expected.safetensors"))


def reloaded(cls, folder, ids, mask, tt, types):
    """Runs the saved folder through from_pretrained, so the golden is what transformers makes of the files."""
    return run(cls.from_pretrained(folder, dtype=torch.float32).eval(), ids, mask, tt, types)


def main():
    os.makedirs(OUT, exist_ok=True)
    small = dict(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24,
                 max_position_embeddings=16)

    config = T.BertConfig(**small, tie_word_embeddings=False)
    model = T.BertForMaskedLM(config).eval()
    randomize(model, 1)
    ids, mask, tt = inputs(config, 1, types=True)
    folder = save("bert_untied_mlm", model)
    expect(folder, {"logits": reloaded(T.BertForMaskedLM, folder, ids, mask, tt, True).logits}, ids, mask, tt)

    config = T.DistilBertConfig(vocab_size=40, dim=16, n_layers=2, n_heads=2, hidden_dim=24, max_position_embeddings=16,
                                tie_word_embeddings=False)
    model = T.DistilBertForMaskedLM(config).eval()
    randomize(model, 2)
    ids, mask, tt = inputs(config, 2)
    folder = save("distilbert_untied_mlm", model)
    expect(folder, {"logits": reloaded(T.DistilBertForMaskedLM, folder, ids, mask, tt, False).logits}, ids, mask, tt)

    config = T.RobertaConfig(**{**small, "max_position_embeddings": 18}, type_vocab_size=1, pad_token_id=1,
                             bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5)
    model = T.RobertaForMaskedLM(config).eval()
    randomize(model, 3)
    ids, mask, tt = inputs(config, 3)
    g = torch.Generator().manual_seed(33)

    def differ(sd):
        sd["lm_head.decoder.weight"] = (sd["roberta.embeddings.word_embeddings.weight"]
                                        + 0.3 * torch.randn(sd["roberta.embeddings.word_embeddings.weight"].shape, generator=g)).contiguous()
    folder = save("roberta_decoder_differs", model, edit=differ)
    check = T.RobertaForMaskedLM.from_pretrained(folder)
    assert check.lm_head.decoder.weight.data_ptr() != check.roberta.embeddings.word_embeddings.weight.data_ptr()
    expect(folder, {"logits": reloaded(T.RobertaForMaskedLM, folder, ids, mask, tt, False).logits}, ids, mask, tt)

    config = T.AlbertConfig(**small, embedding_size=8, num_hidden_groups=3, inner_group_num=2, hidden_act="gelu_new")
    config.num_hidden_layers = 5
    model = T.AlbertModel(config).eval()
    randomize(model, 4)
    ids, mask, tt = inputs(config, 4, types=True)
    folder = save("albert_uneven_groups", model)
    expect(folder, {"last_hidden_state": reloaded(T.AlbertModel, folder, ids, mask, tt, True).last_hidden_state}, ids, mask, tt)

    config = T.BertConfig(**small)
    model = T.BertModel(config, add_pooling_layer=False).eval()
    randomize(model, 5)
    ids, mask, tt = inputs(config, 5, types=True)
    outputs = {}
    for act in ACTIVATIONS:
        m = T.BertModel(T.BertConfig(**small, hidden_act=act), add_pooling_layer=False).eval()
        m.load_state_dict(model.state_dict())
        outputs["last_hidden_state." + act] = run(m, ids, mask, tt, True).last_hidden_state
    expect(save("bert_activations", model), outputs, ids, mask, tt)
    for name in sorted(os.listdir(OUT)):
        size = sum(os.path.getsize(os.path.join(OUT, name, f)) for f in os.listdir(os.path.join(OUT, name)))
        print(f"{name}: {size} bytes")


if __name__ == "__main__":
    main()
