#!/usr/bin/env python3
"""Loads a folder written by `bert finetune` in transformers and compares its outputs with ours.

    .build/release/bert-dev dump-outputs --task ner --model runs/ner/best --data Tests/Fixtures/datasets/ner_dev.conll \
        --output /tmp/ner.json
    .venv/bin/python scripts/check_finetuned_checkpoint.py --task ner --model runs/ner/best --outputs /tmp/ner.json

The dump holds, per row, the input ids our tokenizer produced and our raw outputs (classification logits
[labels], token logits [tokens*labels], QA start logits then end logits, or the pooled unnormalised embedding).
The same ids go through AutoModelFor{SequenceClassification,TokenClassification,QuestionAnswering} (or
SentenceTransformer for embeddings) loaded from the folder; prints the max absolute difference and exits 1 above
--tolerance.
"""
import argparse, json, sys

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--task", required=True, choices=["classification", "ner", "qa", "embedding", "similarity"])
    p.add_argument("--model", required=True)
    p.add_argument("--outputs", required=True)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--accuracy-csv", help="classification: also compute transformers' own accuracy on this text,label CSV "
                   "(its tokenizer, truncation to --max-length), to compare with `bert evaluate`")
    p.add_argument("--max-length", type=int, default=128)
    a = p.parse_args()
    rows = json.load(open(a.outputs))["rows"]
    import transformers
    if a.task == "classification":
        model = transformers.AutoModelForSequenceClassification.from_pretrained(a.model)
    elif a.task == "ner":
        model = transformers.AutoModelForTokenClassification.from_pretrained(a.model)
    elif a.task == "qa":
        model = transformers.AutoModelForQuestionAnswering.from_pretrained(a.model)
    else:
        from sentence_transformers import SentenceTransformer
        st = SentenceTransformer(a.model, device="cpu")
    worst = 0.0
    with torch.no_grad():
        for r in rows:
            ids = torch.tensor([r["input_ids"]])
            types = torch.tensor([r["token_type_ids"]])
            if a.task in ("embedding", "similarity"):
                feats = st[0].auto_model(input_ids=ids, token_type_ids=types, attention_mask=torch.ones_like(ids))
                theirs = feats.last_hidden_state.mean(dim=1).flatten()  # mean pooling over an unpadded row
                cfg = st[1].get_config_dict()
                if not (cfg.get("pooling_mode") == "mean" or cfg.get("pooling_mode_mean_tokens")):
                    sys.exit("only mean pooling is checked")
            else:
                model.eval()
                # Members whose tokenizers return no token_type_ids (DistilBERT's model refuses them).
                kw = {} if model.config.model_type in ("distilbert", "roberta", "xlm-roberta") else {"token_type_ids": types}
                out = model(input_ids=ids, **kw)
                theirs = torch.cat([out.start_logits.flatten(), out.end_logits.flatten()]) if a.task == "qa" else out.logits.flatten()
            ours = torch.tensor(r["outputs"])
            worst = max(worst, (theirs - ours).abs().max().item())
    extra = {}
    if a.accuracy_csv and a.task == "classification":
        import csv
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(a.model)
        data = list(csv.DictReader(open(a.accuracy_csv, newline="", encoding="utf-8")))
        correct = 0
        with torch.no_grad():
            for s in range(0, len(data), 64):
                part = data[s:s + 64]
                enc = tok([r["text"] for r in part], truncation=True, max_length=a.max_length, padding=True, return_tensors="pt")
                pred = model(**enc).logits.argmax(-1).tolist()
                correct += sum(model.config.id2label[p] == r["label"] for p, r in zip(pred, part))
        extra["transformers_accuracy"] = correct / len(data)
    print(json.dumps({**extra, "task": a.task, "model": a.model, "rows": len(rows), "max_abs_diff": worst,
                      "transformers": transformers.__version__, "architecture": getattr(getattr(locals().get("model"), "config", None), "architectures", None)}))
    sys.exit(0 if worst <= a.tolerance else 1)


if __name__ == "__main__":
    main()
