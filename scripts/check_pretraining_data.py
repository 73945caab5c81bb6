#!/usr/bin/env python3
"""Reads a swift-bert pre-training instance file and prints its statistics (Python stdlib only).

Usage: python3 scripts/check_pretraining_data.py FILE [--show N] [--vocab vocab.txt] [--torch]

--torch (needs numpy, torch, transformers, e.g. the venv of scripts/setup-python.sh) also memory-maps the records
with numpy and runs a tiny random BertForPreTraining (BertForMaskedLM for MLM-only files) on the first batch,
printing its losses: the file feeds transformers as it is.

Format (docs/pretraining-data.md): little-endian; magic b"SBPTDATA", u32 version, u32 max_seq_length L,
u32 vocab_size, u32 settings_length S, u64 count N, S bytes of settings JSON, zero padding to a multiple of 64,
then N records of (4*L + 1) int32: input_ids[L], token_type_ids[L], attention_mask[L], labels[L],
next_sentence_label.  For PyTorch, with numpy:

    rec = np.dtype([("input_ids", "<i4", L), ("token_type_ids", "<i4", L), ("attention_mask", "<i4", L),
                    ("labels", "<i4", L), ("next_sentence_label", "<i4")])
    arr = np.memmap(path, dtype=rec, mode="r", offset=data_offset, shape=(N,))
    batch = {k: torch.from_numpy(np.asarray(arr[k][:32], dtype=np.int64)) for k in rec.names}
    # BertForPreTraining(**batch) takes labels and next_sentence_label as they are (-100 = ignored).
"""
import argparse
import array
import json
import os
import struct
import sys

MAGIC = b"SBPTDATA"


def read_header(f, path):
    fixed = f.read(32)
    if len(fixed) < 8 or fixed[:8] != MAGIC:
        sys.exit(f"{path}: offset 0: not a swift-bert instance file")
    if len(fixed) < 32:
        sys.exit(f"{path}: offset {len(fixed)}: truncated header")
    version, length, vocab_size, settings_length, count = struct.unpack("<IIIIQ", fixed[8:32])
    if version != 1:
        sys.exit(f"{path}: offset 8: unknown format version {version}")
    settings = json.loads(f.read(settings_length).decode("utf-8"))
    data_offset = (32 + settings_length + 63) // 64 * 64
    record_size = (4 * length + 1) * 4
    expected = data_offset + count * record_size
    actual = os.path.getsize(path)
    if actual != expected:
        sys.exit(f"{path}: offset {min(actual, expected)}: file is {actual} bytes, header promises {expected}")
    return dict(version=version, max_seq_length=length, vocab_size=vocab_size, count=count,
                settings=settings, data_offset=data_offset, record_size=record_size)


def records(f, header):
    length = header["max_seq_length"]
    f.seek(header["data_offset"])
    for _ in range(header["count"]):
        values = array.array("i")
        values.frombytes(f.read(header["record_size"]))
        if sys.byteorder == "big":
            values.byteswap()
        yield (values[0:length], values[length:2 * length], values[2 * length:3 * length],
               values[3 * length:4 * length], values[4 * length])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--show", type=int, default=0, help="print the first N instances")
    parser.add_argument("--vocab", help="vocab.txt, to print tokens instead of ids with --show")
    parser.add_argument("--torch", action="store_true", help="run a tiny BertForPreTraining on the first batch")
    args = parser.parse_args()
    with open(args.file, "rb") as f:
        header = read_header(f, args.file)
        special = header["settings"]["special_token_ids"]
        control = {special["cls"], special["sep"], special["pad"], special["mask"]}
        vocab = open(args.vocab, encoding="utf-8").read().split("\n") if args.vocab else None
        n = tokens = candidates = predicted = masked = random_ = kept = 0
        labels01 = [0, 0]
        problems = 0
        for index, (ids, types, attention, labels, nsp) in enumerate(records(f, header)):
            n += 1
            real = sum(attention)
            if list(attention) != [1] * real + [0] * (len(attention) - real):
                problems += 1
            original = [l if l != -100 else i for i, l in zip(ids, labels)]
            if original[0] != special["cls"] or original[real - 1] != special["sep"]:
                problems += 1
            for i in range(real):
                tokens += 1
                if original[i] not in control:
                    candidates += 1
                if labels[i] != -100:
                    predicted += 1
                    if ids[i] == special["mask"]:
                        masked += 1
                    elif ids[i] == labels[i]:
                        kept += 1
                    else:
                        random_ += 1
            if nsp in (0, 1):
                labels01[nsp] += 1
            if index < args.show:
                show = (lambda t: vocab[t]) if vocab else str
                print(f"instance {index}: next_sentence_label={nsp}")
                print("  input :", " ".join(show(t) for t in ids[:real]))
                print("  labels:", " ".join(f"{i}:{show(l)}" for i, l in enumerate(labels) if l != -100))
                print("  types :", "".join(str(t) for t in types[:real]))

    def pct(a, b):
        return f"{100.0 * a / b:.2f}%" if b else "n/a"

    settings = header["settings"]
    print(f"file: {args.file}")
    print(f"format version {header['version']}, max_seq_length {header['max_seq_length']}, "
          f"vocab_size {header['vocab_size']}, instances {header['count']}")
    print(f"settings: {json.dumps(settings, sort_keys=True)}")
    print(f"tokens {tokens}, masking candidates {candidates}, predicted {predicted} "
          f"({pct(predicted, candidates)} of candidates, {predicted / max(n, 1):.2f} per instance)")
    print(f"[MASK] {pct(masked, predicted)}, random {pct(random_, predicted)}, kept {pct(kept, predicted)}")
    if sum(labels01):
        print(f"sentence label 0: {labels01[0]}, label 1: {labels01[1]} ({pct(labels01[1], sum(labels01))} label 1)")
    else:
        print("no sentence-level labels (MLM-only)")
    print(f"structural problems: {problems}")
    if args.torch:
        torch_check(args.file, header)
    return 1 if problems else 0


def torch_check(path, header, batch_size=8):
    import numpy as np
    import torch
    from transformers import BertConfig, BertForMaskedLM, BertForPreTraining

    length = header["max_seq_length"]
    record = np.dtype([("input_ids", "<i4", length), ("token_type_ids", "<i4", length),
                       ("attention_mask", "<i4", length), ("labels", "<i4", length), ("next_sentence_label", "<i4")])
    assert record.itemsize == header["record_size"]
    rows = np.memmap(path, dtype=record, mode="r", offset=header["data_offset"], shape=(header["count"],))
    batch = {name: torch.from_numpy(np.asarray(rows[name][:batch_size], dtype=np.int64)) for name in record.names}
    torch.manual_seed(0)
    config = BertConfig(vocab_size=header["vocab_size"], hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=max(512, length))
    with torch.no_grad():
        if bool((batch["next_sentence_label"] == -100).all()):
            batch.pop("next_sentence_label")
            out = BertForMaskedLM(config).eval()(**batch)
            print(f"torch: BertForMaskedLM on a [{batch_size}, {length}] batch: loss {out.loss.item():.4f} "
                  f"(ln vocab = {np.log(header['vocab_size']):.4f})")
        else:
            out = BertForPreTraining(config).eval()(**batch)
            print(f"torch: BertForPreTraining on a [{batch_size}, {length}] batch: loss {out.loss.item():.4f} "
                  f"(MLM + NSP; ln vocab + ln 2 = {np.log(header['vocab_size']) + np.log(2):.4f})")


if __name__ == "__main__":
    sys.exit(main())
