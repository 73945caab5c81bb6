#!/usr/bin/env python3
"""Golden files for distillation losses and student gradients (issue 14).

Teachers get their weights from the key-seeded generator of make_model_goldens.py (spec in Tests/Fixtures/MANIFEST.md),
times 20 except LayerNorm gains, so no weights are committed; students are built from them as `bert distill` builds them (layers 0 and 2 of 4
copied in order, embeddings copied; a DistilBERT student folds the teacher's token-type-0 row into its position
rows). One fixed batch with fixed masks, dropout off. Each mode's loss is the PyTorch expression of its reference:
  - mlm: transformers research_projects/distillation/distiller.py `Distiller.step` (mlm=True, restrict_ce_to_mask
    False): alpha_ce * KLDivLoss(batchmean)(log_softmax(s/T), softmax(t/T)) * T^2 over attention-mask positions
    + alpha_mlm * CrossEntropyLoss(ignore_index=-100) + alpha_cos * CosineEmbeddingLoss(mean) on last hidden states
    over attention-mask positions; T=2, alpha_ce=5, alpha_mlm=2, alpha_cos=1. Students: BERT and DistilBERT layout.
  - mlm_restricted: the same with restrict_ce_to_mask=True (the KL over the masked positions only).
  - embedding: sentence-transformers MSELoss (nn.MSELoss on sentence vectors): mean pooling + Normalize, student
    vectors vs teacher vectors.
  - embedding_projection: a narrower student (a BERT of width 8, 2 layers, its own generator weights under keys
    "bert.*") whose mean-pooled vector goes through a trained Dense projection (nn.Linear(8, 16), key "projection.*",
    identity activation, as sentence-transformers' models.Dense) before Normalize; MSELoss against the teacher's.
  - logits: MSELoss(student logits, teacher logits); and KL at T=3 (x T^2) + 0.5 * CrossEntropy(gold labels).
Writes Tests/Fixtures/distill/{batch.json, <case>_grads.safetensors} with each case's loss in batch.json.
Usage: .venv/bin/python scripts/make_distill_goldens.py
"""
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(__file__))
from make_model_goldens import generate  # noqa: E402

import transformers
from transformers import (BertConfig, BertForMaskedLM, BertModel, BertForSequenceClassification, DistilBertConfig,
                          DistilBertForMaskedLM)

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "distill")
CONFIG = dict(vocab_size=50, hidden_size=16, num_hidden_layers=4, num_attention_heads=2, intermediate_size=32,
              max_position_embeddings=16, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, pad_token_id=0, initializer_range=0.02)
LAYERS = [0, 2]
NARROW = dict(hidden_size=8, num_hidden_layers=2, num_attention_heads=2, intermediate_size=16)
SCALE = 20.0
T, ALPHA_CE, ALPHA_MLM, ALPHA_COS = 2.0, 5.0, 2.0, 1.0


def seeded(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            v = torch.from_numpy(generate(name, tuple(p.shape)))
            # x20 (except LayerNorm gains): the generator's +-0.05 makes layers near-identity, so a 2-layer
            # student would equal its 4-layer teacher and the soft-target terms would test nothing.
            p.copy_(v if name.endswith("LayerNorm.weight") else v * SCALE)
    return model.eval()


def batch():
    rng = np.random.default_rng(14)
    lengths = [12, 9, 5]
    ids, mask, labels = [], [], []
    for n in lengths:
        row = [2] + list(rng.integers(5, 50, n - 2)) + [3] + [0] * (12 - n)
        lab = [-100] * 12
        for p in rng.choice(np.arange(1, n - 1), max(1, (n - 2) // 3), replace=False):
            lab[p] = row[p]
            row[p] = 4
        ids.append([int(x) for x in row]); mask.append([1] * n + [0] * (12 - n)); labels.append([int(x) for x in lab])
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def bert_student(teacher, cls):
    cfg = BertConfig(**{**CONFIG, "num_hidden_layers": len(LAYERS)})
    if cls is BertForSequenceClassification:
        cfg.num_labels = 3
    student = cls(cfg).eval()
    sd = teacher.state_dict()
    new = {}
    for k in student.state_dict():
        src = k
        if ".encoder.layer." in k:
            head, rest = k.split(".encoder.layer.")
            i, tail = rest.split(".", 1)
            src = f"{head}.encoder.layer.{LAYERS[int(i)]}.{tail}"
        new[k] = sd[src]
    student.load_state_dict(new)
    return student


def distil_student(teacher):
    cfg = DistilBertConfig(vocab_size=50, dim=16, n_layers=len(LAYERS), n_heads=2, hidden_dim=32, max_position_embeddings=16,
                           activation="gelu", dropout=0.0, attention_dropout=0.0, pad_token_id=0)
    student = DistilBertForMaskedLM(cfg).eval()
    sd = teacher.state_dict()
    names = {"attention.q_lin": "attention.self.query", "attention.k_lin": "attention.self.key",
             "attention.v_lin": "attention.self.value", "attention.out_lin": "attention.output.dense",
             "sa_layer_norm": "attention.output.LayerNorm", "ffn.lin1": "intermediate.dense", "ffn.lin2": "output.dense",
             "output_layer_norm": "output.LayerNorm"}
    new = {}
    for k in student.state_dict():
        if k.startswith("distilbert.transformer.layer."):
            i, tail = k[len("distilbert.transformer.layer."):].split(".", 1)
            sub, leaf = tail.rsplit(".", 1)
            new[k] = sd[f"bert.encoder.layer.{LAYERS[int(i)]}.{names[sub]}.{leaf}"]
        elif k == "distilbert.embeddings.position_embeddings.weight":
            new[k] = sd["bert.embeddings.position_embeddings.weight"] + sd["bert.embeddings.token_type_embeddings.weight"][0]
        elif k.startswith("distilbert.embeddings."):
            new[k] = sd[k.replace("distilbert.", "bert.")]
        elif k.startswith("vocab_transform."):
            new[k] = sd[k.replace("vocab_transform.", "cls.predictions.transform.dense.")]
        elif k.startswith("vocab_layer_norm."):
            new[k] = sd[k.replace("vocab_layer_norm.", "cls.predictions.transform.LayerNorm.")]
        elif k == "vocab_projector.bias":
            new[k] = sd["cls.predictions.bias"]
        elif k == "vocab_projector.weight":
            new[k] = sd["bert.embeddings.word_embeddings.weight"]
        else:
            raise KeyError(k)
    student.load_state_dict(new)
    return student


def distiller_loss(student, teacher, ids, mask, labels, restrict_ce_to_mask=False):
    """Distiller.step's loss (mlm=True), line for line."""
    s_out = student(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    with torch.no_grad():
        t_out = teacher(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    s_logits, s_hidden = s_out.logits, s_out.hidden_states
    t_logits, t_hidden = t_out.logits, t_out.hidden_states
    if restrict_ce_to_mask:
        m = (labels > -1).unsqueeze(-1).expand_as(s_logits)
    else:
        m = mask.unsqueeze(-1).expand_as(s_logits).bool()
    s_sel = torch.masked_select(s_logits, m).view(-1, s_logits.size(-1))
    t_sel = torch.masked_select(t_logits, m).view(-1, s_logits.size(-1))
    loss_ce = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(s_sel / T, dim=-1), F.softmax(t_sel / T, dim=-1)) * T ** 2
    loss_mlm = nn.CrossEntropyLoss(ignore_index=-100)(s_logits.view(-1, s_logits.size(-1)), labels.view(-1))
    s_h, t_h = s_hidden[-1], t_hidden[-1]
    hm = mask.unsqueeze(-1).expand_as(s_h).bool()
    s_hs = torch.masked_select(s_h, hm).view(-1, s_h.size(-1))
    t_hs = torch.masked_select(t_h, hm).view(-1, s_h.size(-1))
    loss_cos = nn.CosineEmbeddingLoss(reduction="mean")(s_hs, t_hs, s_hs.new(s_hs.size(0)).fill_(1))
    total = ALPHA_CE * loss_ce + ALPHA_MLM * loss_mlm + ALPHA_COS * loss_cos
    return total, dict(ce=loss_ce.item(), mlm=loss_mlm.item(), cos=loss_cos.item())


def grads(model):
    return {k: p.grad.detach().clone().contiguous() for k, p in model.named_parameters() if p.grad is not None}


def sentence_vectors(bert, ids, mask):
    h = bert(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).float()
    pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return F.normalize(pooled, p=2, dim=1)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    ids, mask, labels = batch()
    out = dict(config=CONFIG, layers=LAYERS, input_ids=ids.tolist(), attention_mask=mask.tolist(), labels=labels.tolist(),
               versions=dict(torch=torch.__version__, transformers=transformers.__version__), losses={})
    teacher = seeded(BertForMaskedLM(BertConfig(**CONFIG)))

    for name, student in [("mlm_bert", bert_student(teacher, BertForMaskedLM)), ("mlm_distilbert", distil_student(teacher))]:
        total, parts = distiller_loss(student, teacher, ids, mask, labels)
        total.backward()
        out["losses"][name] = dict(total=total.item(), **parts)
        save_file(grads(student), os.path.join(OUT, f"{name}_grads.safetensors"))

    student = bert_student(teacher, BertForMaskedLM)
    total, parts = distiller_loss(student, teacher, ids, mask, labels, restrict_ce_to_mask=True)
    total.backward()
    out["losses"]["mlm_restricted"] = dict(total=total.item(), **parts)
    save_file(grads(student), os.path.join(OUT, "mlm_restricted_grads.safetensors"))

    student = bert_student(teacher, BertForMaskedLM).bert
    with torch.no_grad():
        target = sentence_vectors(teacher.bert, ids, mask)
    loss = nn.MSELoss()(sentence_vectors(student, ids, mask), target)
    loss.backward()
    out["losses"]["embedding"] = dict(total=loss.item())
    save_file(grads(student), os.path.join(OUT, "embedding_grads.safetensors"))

    narrow = BertModel(BertConfig(**{**CONFIG, **NARROW}), add_pooling_layer=False).eval()
    projection = nn.Linear(NARROW["hidden_size"], CONFIG["hidden_size"])
    with torch.no_grad():
        for prefix, module in [("bert.", narrow), ("projection.", projection)]:
            for name, p in module.named_parameters():
                v = torch.from_numpy(generate(prefix + name, tuple(p.shape)))
                p.copy_(v if name.endswith("LayerNorm.weight") else v * SCALE)
    h = narrow(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).float()
    pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    loss = nn.MSELoss()(F.normalize(projection(pooled), p=2, dim=1), target)
    loss.backward()
    out["losses"]["embedding_projection"] = dict(total=loss.item())
    out["narrow"] = NARROW
    save_file({**{"bert." + k: v for k, v in grads(narrow).items()}, **{"projection." + k: v for k, v in grads(projection).items()}},
              os.path.join(OUT, "embedding_projection_grads.safetensors"))

    classifier = seeded(BertForSequenceClassification(BertConfig(**CONFIG, num_labels=3)))
    gold = torch.tensor([2, 0, 1])
    for name in ["logits_mse", "logits_kl"]:
        student = bert_student(classifier, BertForSequenceClassification)
        with torch.no_grad():
            t_logits = classifier(input_ids=ids, attention_mask=mask).logits
        s_logits = student(input_ids=ids, attention_mask=mask).logits
        if name == "logits_mse":
            loss = nn.MSELoss()(s_logits, t_logits)
        else:
            kl = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(s_logits / 3, dim=-1), F.softmax(t_logits / 3, dim=-1)) * 9
            loss = kl + 0.5 * F.cross_entropy(s_logits, gold)
        loss.backward()
        out["losses"][name] = dict(total=loss.item())
        save_file(grads(student), os.path.join(OUT, f"{name}_grads.safetensors"))
    out["gold_labels"] = gold.tolist()
    with open(os.path.join(OUT, "batch.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out["losses"], indent=1))


if __name__ == "__main__":
    main()
