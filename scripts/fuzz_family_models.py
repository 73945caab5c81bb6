#!/usr/bin/env python3
"""Differential sweep of the BERT family's encoders and heads against transformers, over many configs.

Usage (from the repository root, after a release build):
    .venv/bin/python scripts/fuzz_family_models.py [--bert-dev .build/release/bert-dev] [--seed 0]
        [--only SUBSTRING] [--out DIR] [--keep]

For each case (a family member and config overrides, seeded), every head class of the member is built by
transformers with random weights (scaled so that no layer is near-trivial), saved with `save_pretrained`
(safetensors, optionally fp16/bf16), and run by transformers (fp32, eval) and by `bert-dev forward --head ...`
on the same right-padded batch, both the plain forward and the pipelines' inference path (`--inference`: packed
weights, padding skipped). Compared: last_hidden_state, pooler_output, every head's logits, on real tokens.

Each case ends as one of:
    ok          every output within --tolerance (max abs diff, default 1e-4)
    MISMATCH    some output differs: the case, the output and the max abs diff are printed
    rejected    bert-dev refused the checkpoint with an error (the message is printed) while transformers ran
    both-reject transformers refused the config and so did bert-dev
    SILENT      transformers refused the config but bert-dev answered (a silent wrong answer)
    CRASH       bert-dev died from a signal
A summary with counts per outcome ends the run; the exit status is 1 when any MISMATCH, SILENT or CRASH occurred.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import safetensors.torch as st
import torch
import transformers as T

T.logging.set_verbosity_error()
T.utils.logging.disable_progress_bar()
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FAMILIES = {
    "bert": (T.BertConfig, "Bert", "bert"),
    "roberta": (T.RobertaConfig, "Roberta", "roberta"),
    "xlm-roberta": (T.XLMRobertaConfig, "XLMRoberta", "roberta"),
    "distilbert": (T.DistilBertConfig, "DistilBert", "distilbert"),
    "albert": (T.AlbertConfig, "Albert", "albert"),
}
HEADS = ["Model", "ForMaskedLM", "ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering"]
CLI_HEAD = {"Model": "base", "ForMaskedLM": "masked-lm", "ForSequenceClassification": "sequence-classification",
            "ForTokenClassification": "token-classification", "ForQuestionAnswering": "question-answering"}


def base_config(family):
    """A small config of the member (its own key names for DistilBERT)."""
    if family == "distilbert":
        return dict(vocab_size=61, dim=24, n_layers=2, n_heads=4, hidden_dim=37, max_position_embeddings=32, pad_token_id=0)
    c = dict(vocab_size=61, hidden_size=24, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
             max_position_embeddings=32, type_vocab_size=2)
    if family in ("roberta", "xlm-roberta"):
        c.update(pad_token_id=1, bos_token_id=0, eos_token_id=2, max_position_embeddings=34, type_vocab_size=1, layer_norm_eps=1e-5)
    if family == "albert":
        c.update(embedding_size=16, num_hidden_groups=1, inner_group_num=1, hidden_act="gelu_new")
    return c


ACTIVATIONS = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "tanh", "silu", "swish", "quick_gelu", "gelu_fast",
               "gelu_python", "gelu_accurate", "gelu_10", "mish", "sigmoid", "linear", "relu6", "leaky_relu"]


def cases():
    """(name, family, overrides, options) for the whole sweep."""
    out = []
    for fam in FAMILIES:
        act = "activation" if fam == "distilbert" else "hidden_act"
        heads = "n_heads" if fam == "distilbert" else "num_attention_heads"
        hidden = "dim" if fam == "distilbert" else "hidden_size"
        out.append((f"{fam}/default", fam, {}, {}))
        for a in ACTIVATIONS:
            out.append((f"{fam}/{act}={a}", fam, {act: a}, {}))
        for h in [1, 2, 3, 6, 8, 12, 24]:
            out.append((f"{fam}/{heads}={h}", fam, {heads: h}, {}))
        out.append((f"{fam}/{hidden}=20,{heads}=3 (not divisible)", fam, {hidden: 20, heads: 3}, {}))
        out.append((f"{fam}/{hidden}=32,{heads}=2 (head 16)", fam, {hidden: 32, heads: 2}, {}))
        for layers in [1, 3]:
            key = "n_layers" if fam == "distilbert" else "num_hidden_layers"
            out.append((f"{fam}/{key}={layers}", fam, {key: layers}, {}))
        for dt in ["float16", "bfloat16"]:
            out.append((f"{fam}/dtype={dt}", fam, {}, {"dtype": dt}))
        out.append((f"{fam}/tie_word_embeddings=false", fam, {"tie_word_embeddings": False}, {}))
        out.append((f"{fam}/decoder differs from embeddings", fam, {}, {"untie_in_file": True}))
        out.append((f"{fam}/long inputs (max positions)", fam, {}, {"long": True}))
        out.append((f"{fam}/single row no padding", fam, {}, {"rows": [9]}))
        out.append((f"{fam}/left padding", fam, {}, {"left_pad": True}))
        if fam != "distilbert":
            for eps in [1e-12, 1e-5, 1e-3, 0.1]:
                out.append((f"{fam}/layer_norm_eps={eps}", fam, {"layer_norm_eps": eps}, {}))
            for tv in [0, 1, 2, 3]:
                out.append((f"{fam}/type_vocab_size={tv}", fam, {"type_vocab_size": tv}, {}))
            out.append((f"{fam}/is_decoder=true", fam, {"is_decoder": True}, {}))
            out.append((f"{fam}/position_embedding_type=relative_key", fam, {"position_embedding_type": "relative_key"}, {}))
        for pad in [0, 3]:
            out.append((f"{fam}/pad_token_id={pad}", fam, {"pad_token_id": pad}, {}))
        for n in [1, 5]:
            out.append((f"{fam}/num_labels={n}", fam, {"num_labels": n}, {}))
        out.append((f"{fam}/max_position_embeddings=20", fam, {"max_position_embeddings": 20}, {}))
    out.append(("bert/no pooler", "bert", {}, {"no_pooler": True}))
    out.append(("roberta/pad id inside a row", "roberta", {}, {"pad_inside": True}))
    out.append(("distilbert/sinusoidal_pos_embds", "distilbert", {"sinusoidal_pos_embds": True}, {}))
    for layers, groups, inner in [(4, 2, 1), (2, 1, 3), (6, 3, 2), (3, 2, 1), (5, 3, 1), (10, 6, 1), (4, 4, 2), (2, 4, 1)]:
        out.append((f"albert/layers={layers},groups={groups},inner={inner}", "albert",
                    {"num_hidden_layers": layers, "num_hidden_groups": groups, "inner_group_num": inner}, {}))
    for e in [8, 24, 40]:
        out.append((f"albert/embedding_size={e}", "albert", {"embedding_size": e}, {}))
    return out


def randomize(model, rng):
    """Weights large enough that every layer matters: N(0, 1/fan_in) matrices, LayerNorm weights near 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 1:
                p.copy_(torch.from_numpy((1.0 if name.endswith("weight") else 0.0) + 0.2 * rng.standard_normal(p.shape)).float())
            else:
                scale = 0.5 if "embeddings" in name else 1.0 / np.sqrt(p.shape[1])
                p.copy_(torch.from_numpy(scale * rng.standard_normal(p.shape)).float())


def make_inputs(family, config, options, rng):
    pad = config.pad_token_id if config.pad_token_id is not None else 0
    limit = config.max_position_embeddings - (pad + 1 if family in ("roberta", "xlm-roberta") else 0)
    lengths = options.get("rows") or ([limit, limit - 5, 3] if options.get("long") else [9, 6, 3])
    length = max(lengths)
    ids = np.full((len(lengths), length), pad, dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    tv = getattr(config, "type_vocab_size", 0) or 0
    choices = [i for i in range(config.vocab_size) if i != pad]
    for r, n in enumerate(lengths):
        cols = slice(length - n, length) if options.get("left_pad") else slice(0, n)
        ids[r, cols] = rng.choice(choices, size=n)
        if options.get("pad_inside") and n > 4:
            ids[r, cols.start + 2] = pad
        mask[r, cols] = 1
        if tv > 1 and family in ("bert", "albert"):
            types[r, cols] = rng.integers(0, tv, size=n)
    return ids, mask, types


def reference(model, family, ids, mask, types, head):
    kw = dict(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    if family in ("bert", "albert"):
        kw["token_type_ids"] = torch.from_numpy(types)
    with torch.no_grad():
        out = model(**kw)
    if head == "Model":
        r = {"last_hidden_state": out.last_hidden_state}
        if getattr(out, "pooler_output", None) is not None:
            r["pooler_output"] = out.pooler_output
        return r
    if head == "ForQuestionAnswering":
        return {"start_logits": out.start_logits, "end_logits": out.end_logits}
    return {"logits": out.logits}


def run_ours(bert_dev, folder, ids, mask, types, head, inference, work):
    src = os.path.join(work, "input.jsonl")
    with open(src, "w") as f:
        for r in range(ids.shape[0]):
            f.write(json.dumps({"input_ids": ids[r].tolist(), "token_type_ids": types[r].tolist(),
                                "attention_mask": mask[r].tolist()}) + "\n")
    dst = os.path.join(work, "out.safetensors")
    if os.path.exists(dst):
        os.remove(dst)
    cmd = [bert_dev, "forward", "--model", folder, "--input", src, "--output", dst, "--threads", "1"]
    if head != "Model":
        cmd += ["--head", CLI_HEAD[head]]
    if inference:
        cmd.append("--inference")
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode < 0:
        return "crash", f"signal {-p.returncode}: {p.stderr.strip()[-300:]}"
    if p.returncode != 0:
        return "error", p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"
    return "ok", st.load_file(dst)


def compare(ref, ours, mask, head, inference):
    """Max abs diff per output, on real tokens (padded positions are meaningless and the inference path zeroes them)."""
    diffs = {}
    real = torch.from_numpy(mask).bool()
    for key, r in ref.items():
        if key not in ours:
            diffs[key] = float("inf")
            continue
        o = ours[key].float()
        if tuple(o.shape) != tuple(r.shape):
            diffs[key] = float("inf")
            continue
        if r.ndim >= 2 and r.shape[:2] == real.shape:
            r, o = r[real], o[real]
        diffs[key] = (r.float() - o).abs().max().item() if r.numel() else 0.0
    for key in ours:
        if key not in ref and key != "attention_mask":
            diffs[key + " (extra)"] = float("inf")
    return diffs


def refused_config(family, settings, overrides, options, ref_error, args, work, rng):
    """A config transformers refuses: save a checkpoint of a config it accepts, write the refused values into
    config.json, and expect bert-dev to refuse it too."""
    cfg_cls, prefix, _ = FAMILIES[family]
    folder = os.path.join(work, "model")
    shutil.rmtree(folder, ignore_errors=True)
    ok_settings = {**settings}
    for k in ("num_attention_heads", "n_heads"):
        if k in overrides:
            ok_settings[k] = 1
    for k in ("type_vocab_size",):
        if k in overrides:
            ok_settings[k] = 1
    m = getattr(T, prefix + "Model")(cfg_cls(**ok_settings))
    m.save_pretrained(folder)
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    raw.update(overrides)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f)
    ids, mask, types = make_inputs(family, cfg_cls(**ok_settings), options, rng)
    status, value = run_ours(args.bert_dev, folder, ids, mask, types, "Model", False, work)
    outcome = {"crash": "CRASH", "error": "both-reject", "ok": "SILENT"}[status]
    return (outcome, "Model", f"reference: {ref_error}; ours: {value if status != 'ok' else 'answered'}")


def run_case(name, family, overrides, options, args, work):
    cfg_cls, prefix, _ = FAMILIES[family]
    rng = np.random.default_rng([args.seed, zlib.crc32(name.encode())])
    settings = {**base_config(family), **overrides}
    if overrides.get("num_labels") is None:
        settings["num_labels"] = 3
    results = []
    try:
        config = cfg_cls(**settings)
        getattr(T, prefix + "Model")(config)
    except Exception as e:  # transformers refuses the config: bert-dev must refuse it too
        return [refused_config(family, settings, overrides, options, f"{type(e).__name__}: {str(e).splitlines()[0][:120]}",
                               args, work, rng)]
    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(options.get("dtype"))
    for head in HEADS:
        if args.heads and head not in args.heads.split(","):
            continue
        cls = getattr(T, prefix + head, None)
        if cls is None:
            continue
        folder = os.path.join(work, "model")
        shutil.rmtree(folder, ignore_errors=True)
        torch.manual_seed(args.seed)
        kwargs = {"add_pooling_layer": False} if head == "Model" and options.get("no_pooler") else {}
        head_config = config
        if head == "ForQuestionAnswering" and config.num_labels != 2:  # start and end: transformers needs 2 labels
            head_config = cfg_cls.from_dict({**{k: v for k, v in config.to_dict().items() if k not in ("id2label", "label2id")}, "num_labels": 2})
        try:
            model = cls(head_config, **kwargs).eval()
        except Exception as e:
            results.append(("ref-error", head, f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"))
            continue
        randomize(model, rng)
        if dtype is not None:
            model = model.to(dtype)
        model.save_pretrained(folder)
        if options.get("untie_in_file") and head == "ForMaskedLM":
            path = os.path.join(folder, "model.safetensors")
            sd = st.load_file(path)
            key = {"bert": "cls.predictions.decoder.weight", "roberta": "lm_head.decoder.weight", "xlm-roberta": "lm_head.decoder.weight",
                   "albert": "predictions.decoder.weight", "distilbert": "vocab_projector.weight"}[family]
            emb = [k for k in sd if k.endswith("embeddings.word_embeddings.weight")][0]
            sd[key] = (sd[emb] + 0.3 * torch.randn_like(sd[emb])).contiguous()
            st.save_file(sd, path, metadata={"format": "pt"})
        model = cls.from_pretrained(folder, dtype=torch.float32, **kwargs).eval()
        ids, mask, types = make_inputs(family, config, options, rng)
        try:
            ref = reference(model, family, ids, mask, types, head)
        except Exception as e:
            results.append(("ref-error", head, f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"))
            continue
        runs = [(head, inference) for inference in ((False,) if args.plain_only else (False, True))]
        if head != "Model":
            # the encoder alone from the head's checkpoint (keys under `bert.`, `roberta.`, ...)
            runs.append(("Model", False))
            base = getattr(model, model.base_model_prefix)
            base_ref = reference(base, family, ids, mask, types, "Model")
        for what, inference in runs:
            if what != head:
                status, value = run_ours(args.bert_dev, folder, ids, mask, types, "Model", False, work)
                path, expected = "encoder", base_ref
            else:
                status, value = run_ours(args.bert_dev, folder, ids, mask, types, head, inference, work)
                path, expected = ("inference" if inference else "plain"), ref
            if status == "crash":
                results.append(("CRASH", f"{head}/{path}", value))
            elif status == "error":
                results.append(("rejected", f"{head}/{path}", value))
            else:
                diffs = compare(expected, value, mask, head, inference)
                worst = max(diffs.values()) if diffs else 0.0
                outcome = "ok" if worst <= args.tolerance else "MISMATCH"
                results.append((outcome, f"{head}/{path}", ", ".join(f"{k} {v:.2e}" for k, v in diffs.items())))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bert-dev", default=os.path.join(ROOT, ".build", "release", "bert-dev"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default=None, help="run the cases whose name contains this")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--heads", default=None, help="comma-separated subset of " + ",".join(HEADS))
    ap.add_argument("--plain-only", action="store_true", help="skip the inference path (--inference)")
    ap.add_argument("--out", default=None, help="write the per-case results as JSON lines here")
    args = ap.parse_args()
    counts = {}
    records = []
    work = tempfile.mkdtemp(prefix="fuzz-family-")
    try:
        for name, family, overrides, options in cases():
            if args.only and args.only not in name:
                continue
            results = run_case(name, family, overrides, options, args, work)
            outcomes = [r[0] for r in results]
            case = next((o for o in ["CRASH", "SILENT", "MISMATCH", "rejected", "both-reject", "ref-error"] if o in outcomes), "ok")
            counts[case] = counts.get(case, 0) + 1
            print(f"{case:11} {name}", flush=True)
            shown = set()
            for outcome, what, detail in results:
                if outcome != "ok" and (outcome, detail) not in shown:  # one line per distinct refusal
                    shown.add((outcome, detail))
                    print(f"    {outcome:9} {what}: {detail}", flush=True)
            records.append({"case": name, "outcome": case, "results": results})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" (of {sum(counts.values())} cases, seed {args.seed})")
    if args.out:
        with open(args.out, "w") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")
    sys.exit(1 if any(k in counts for k in ("CRASH", "SILENT", "MISMATCH")) else 0)


if __name__ == "__main__":
    main()
