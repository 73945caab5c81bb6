#!/usr/bin/env python3
"""Golden files for BERTTraining's metrics: Tests/Fixtures/metrics/*.json.

References: scikit-learn (classification, multi-label, MSE), scipy.stats (pearsonr, spearmanr, rankdata),
seqeval (entity-level NER, default mode), and the SQuAD v1.1 / v2.0 evaluation logic re-written below
from the description of the official scripts. NaN is written as null.

Run: .venv/bin/python scripts/make_metric_goldens.py
"""
import collections
import json
import math
import os
import re
import string
import sys
import warnings

warnings.simplefilter("ignore")

import numpy as np
import scipy
import scipy.stats
import seqeval
import sklearn
from seqeval.metrics import accuracy_score as seq_accuracy
from seqeval.metrics.sequence_labeling import precision_recall_fscore_support as seq_prfs
from seqeval.metrics.sequence_labeling import get_entities
from sklearn.metrics import accuracy_score, confusion_matrix, mean_squared_error, precision_recall_fscore_support

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "metrics")
rng = np.random.default_rng(20261128)


def clean(x):
    """Floats (NaN → None), ints and lists, JSON-ready."""
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def prf(p, r, f, s):
    return {"precision": clean(p), "recall": clean(r), "f1": clean(f), "support": clean(s)}


def write(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1, allow_nan=False)
        fh.write("\n")


# ---------------------------------------------------------------- classification (scikit-learn)
def classification_case(pred, ref):
    labels = sorted(set(pred) | set(ref))
    p, r, f, s = precision_recall_fscore_support(ref, pred, labels=labels, average=None, zero_division=0)
    case = {
        "predictions": pred, "references": ref, "labels": labels,
        "accuracy": accuracy_score(ref, pred),
        "per_label": [prf(*row) for row in zip(p, r, f, s)],
        "confusion": confusion_matrix(ref, pred, labels=labels).tolist(),
    }
    for avg in ("micro", "macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(ref, pred, average=avg, zero_division=0)
        case[avg] = prf(p, r, f, len(ref) if avg != "macro" else None)
    if set(labels) <= {0, 1}:
        p, r, f, _ = precision_recall_fscore_support(ref, pred, average="binary", pos_label=1, zero_division=0)
        case["binary"] = prf(p, r, f, None)
    return case


cls_cases = [
    classification_case([0, 1, 1, 0, 1], [0, 1, 0, 0, 1]),
    classification_case([0, 0, 0, 0], [0, 1, 1, 0]),           # positive class never predicted
    classification_case([1, 1, 1], [0, 0, 0]),                 # positive class never in the references
    classification_case([2, 2, 0, 5], [1, 2, 0, 0]),           # labels 1 and 5 only on one side
    classification_case([0], [0]),
]
for n, k in ((20, 2), (37, 3), (100, 5), (64, 7)):
    cls_cases.append(classification_case(rng.integers(0, k, n).tolist(), rng.integers(0, k, n).tolist()))

# multi-label on thresholded scores
ml_cases = []
for n, k, thr in ((12, 3, 0.5), (40, 5, 0.5), (25, 4, 0.0)):
    scores = rng.random((n, k)) if thr == 0.5 else rng.normal(size=(n, k))
    refs = rng.random((n, k)) < 0.4
    refs[0, :] = False                                    # a row with no label
    if k > 3:
        refs[:, k - 1] = False                            # a label never in the references
    pred = (scores >= thr).astype(int)
    case = {"scores": scores.tolist(), "references": refs.tolist(), "threshold": thr}
    p, r, f, s = precision_recall_fscore_support(refs.astype(int), pred, average=None, zero_division=0)
    case["per_label"] = [prf(*row) for row in zip(p, r, f, s)]
    for avg in ("micro", "macro"):
        p, r, f, _ = precision_recall_fscore_support(refs.astype(int), pred, average=avg, zero_division=0)
        case[avg] = prf(p, r, f, None)
    ml_cases.append(case)
write("classification.json", {"single_label": cls_cases, "multi_label": ml_cases})

# ---------------------------------------------------------------- regression (scipy)
reg_cases = []
def regression_case(x, y):
    x = [float(v) for v in x]; y = [float(v) for v in y]
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pear = scipy.stats.pearsonr(x, y)[0] if len(x) >= 2 else float("nan")
            spear = scipy.stats.spearmanr(x, y)[0] if len(x) >= 2 else float("nan")
    return {"x": x, "y": y, "mse": mean_squared_error(y, x), "pearson": clean(pear), "spearman": clean(spear),
            "ranks_x": scipy.stats.rankdata(x, method="average").tolist(),
            "ranks_y": scipy.stats.rankdata(y, method="average").tolist()}

reg_cases.append(regression_case([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]))
reg_cases.append(regression_case([1, 2, 2, 2, 3, 3, 0], [0.5, 0.5, 0.5, 1, 2, 0.1, 9]))   # ties
reg_cases.append(regression_case([3, 3, 3], [1, 2, 3]))                                   # constant → NaN
reg_cases.append(regression_case([1, 2, 3, 4], [4, 3, 2, 1]))                             # exactly −1
for n in (10, 57, 200):
    x = rng.normal(size=n)
    y = 0.6 * x + rng.normal(size=n)
    reg_cases.append(regression_case(np.round(x, 1), np.round(y, 1)))                     # rounding makes ties
    reg_cases.append(regression_case(x * 1e3 + 7, y))
write("regression.json", {"cases": reg_cases})

# ---------------------------------------------------------------- NER (seqeval, default mode)
tricky = [
    ["I-PER", "I-PER", "O"],                       # IOB1: I- after O starts an entity
    ["B-PER", "I-LOC", "I-LOC"],                   # type change ends one and starts another
    ["O", "E-PER", "E-PER", "S-LOC", "I-LOC"],
    ["B-PER", "E-PER", "E-PER", "O"],
    ["S-PER", "I-PER", "E-PER", "S-PER"],
    ["B", "I", "O", "I", "B"],                     # no type: '_'
    ["PER", "PER", "O"],                           # no prefix: tag 'P', type 'ER'
    ["I-PER", "B-PER", "I-PER", "I-PER"],
    ["I-LOC", "E-LOC", "I-LOC", "E-LOC"],          # IOE
    ["B-PER-X", "I-PER-X", "I-PER"],               # type after the first '-'
    [".", "I-PER", ".", "B-PER", "."],             # '.' is not a boundary
    ["U-PER", "L-PER", "O", "B-LOC", "L-LOC"],     # BILOU tags read loosely
    ["B-ORG", "O", "I-ORG", "I-MISC", "B-MISC"],
    ["É-PER", "B-Λ", "I-Λ"],                       # non-ASCII
    [],
]
tricky_pred = [
    ["B-PER", "I-PER", "O"],
    ["B-PER", "B-LOC", "I-LOC"],
    ["O", "S-PER", "E-PER", "S-LOC", "O"],
    ["B-PER", "E-PER", "S-PER", "O"],
    ["S-PER", "I-PER", "E-PER", "O"],
    ["B", "I", "O", "B", "B"],
    ["PER", "O", "O"],
    ["B-PER", "B-PER", "I-PER", "I-LOC"],
    ["I-LOC", "E-LOC", "O", "E-LOC"],
    ["B-PER-X", "I-PER-X", "I-PER-X"],
    [".", "I-PER", "I-PER", "B-PER", "."],
    ["U-PER", "L-PER", "O", "B-LOC", "I-LOC"],
    ["B-ORG", "I-ORG", "I-ORG", "I-MISC", "I-MISC"],
    ["É-PER", "B-Λ", "B-Λ"],
    [],
]


def ner_case(refs, preds):
    p, r, f, s = seq_prfs(refs, preds, average=None, zero_division=0)
    types = sorted({t for t, _, _ in get_entities(refs)} | {t for t, _, _ in get_entities(preds)})
    case = {"references": refs, "predictions": preds,
            "entities_references": [list(e) for e in get_entities(refs)],
            "entities_predictions": [list(e) for e in get_entities(preds)],
            "per_type": [{"type": t, **prf(*row)} for t, *row in zip(types, p, r, f, s)],
            "accuracy": clean(seq_accuracy(refs, preds)) if sum(map(len, refs)) else None}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for avg in ("micro", "macro", "weighted"):
            p, r, f, s = seq_prfs(refs, preds, average=avg, zero_division=0)
            case[avg] = prf(p, r, f, s)
    return case


ner_cases = [ner_case([t], [p]) for t, p in zip(tricky, tricky_pred) if t]
ner_cases.append(ner_case(tricky, tricky_pred))
ner_cases.append(ner_case([["O", "O"], ["O"]], [["O", "O"], ["O"]]))            # no entities at all
ner_cases.append(ner_case([["B-PER", "I-PER"]], [["I-PER", "I-PER"]]))
alphabet = ["O", "O", "O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "I-ORG", "B-ORG"]
for n_sent in (5, 20, 60):
    refs, preds = [], []
    for _ in range(n_sent):
        length = int(rng.integers(1, 15))
        ref = [alphabet[i] for i in rng.integers(0, len(alphabet), length)]
        pred = [t if rng.random() < 0.7 else alphabet[int(rng.integers(0, len(alphabet)))] for t in ref]
        refs.append(ref); preds.append(pred)
    ner_cases.append(ner_case(refs, preds))
single_sequences = tricky + [[alphabet[i] for i in rng.integers(0, len(alphabet), 30)] for _ in range(5)]
write("seqeval.json", {"cases": ner_cases,
                       "flat_entities": [{"tags": t, "entities": [list(e) for e in get_entities(t)]} for t in single_sequences]})

# ---------------------------------------------------------------- SQuAD (own re-implementation of the official logic)
PUNCT = set(string.punctuation)


def normalize_answer(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in PUNCT)
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def f1_v1(prediction, ground_truth):
    p = normalize_answer(prediction).split()
    g = normalize_answer(ground_truth).split()
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def exact(prediction, ground_truth):
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


def tokens_v2(s):
    return normalize_answer(s).split() if s else []


def f1_v2(prediction, gold):
    g, p = tokens_v2(gold), tokens_v2(prediction)
    if len(g) == 0 or len(p) == 0:
        return float(g == p)
    same = sum((collections.Counter(g) & collections.Counter(p)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def evaluate_v1(preds, golds):
    em = f1 = 0.0
    for qid, answers in golds.items():
        if qid not in preds:
            continue                      # unanswered: scores 0, still counted
        em += max(exact(preds[qid], a) for a in answers)
        f1 += max(f1_v1(preds[qid], a) for a in answers)
    total = len(golds)
    return {"exact_match": 100.0 * em / total, "f1": 100.0 * f1 / total, "total": total}


def evaluate_v2(preds, golds, na_probs=None, thresh=1.0):
    has_ans, em, f1 = {}, {}, {}
    for qid, answers in golds.items():
        gold = [a for a in answers if normalize_answer(a)]
        has_ans[qid] = bool(answers)               # make_qid_to_has_ans: bool(qa['answers'])
        if not gold:
            gold = [""]
        p = preds[qid]
        em[qid] = max(float(normalize_answer(a) == normalize_answer(p)) for a in gold)
        f1[qid] = max(f1_v2(p, a) for a in gold)
        if na_probs is not None and na_probs[qid] > thresh:
            em[qid] = f1[qid] = float(not has_ans[qid])

    def block(ids):
        if not ids:
            return None
        return {"exact_match": 100.0 * sum(em[k] for k in ids) / len(ids),
                "f1": 100.0 * sum(f1[k] for k in ids) / len(ids), "total": len(ids)}
    ids = list(golds)
    return {"overall": block(ids), "has_answer": block([k for k in ids if has_ans[k]]),
            "no_answer": block([k for k in ids if not has_ans[k]])}


texts = [
    "The Cat sat on the mat.", "an apple a day", "theory of the a-team", "A", "the", "  Hello,   World!  ",
    "the—a", "the_a and a_the", "ΟΔΟΣ ΣΟΦΟΣ", "Σ", "AΣ.B", "ΑΣ'Β", "ΑΣ́ x", "İstanbul", "x\x1cy\u00a0z\u3000w", "the\u0301 end", "²the ³",
    "Ünïcödé: the «quote» — and “smart” quotes", "$1,000.50 (approx.)", "", "   ", "a an the", "théâtre the",
    "3rd-century AD", "rock 'n' roll", "ⅫthеⅫ", "tab\tsep\nnew", "中文 the 答案", "The Beatles' \"White Album\"",
]
pairs = [
    ("the Cat", "cat"), ("Denver Broncos", "the denver broncos"), ("Broncos", "Denver Broncos"),
    ("a b c a", "a a b"), ("the the", "the"), ("", ""), ("", "something"), ("something", ""),
    ("1,000", "1000"), ("Santa Clara, California", "Levi's Stadium in Santa Clara, California"),
    ("x x x y", "x y y"), ("ΟΔΟΣ", "οδος"), ("an", "a"), ("new york city", "New York"),
]
pair_cases = [{"prediction": p, "gold": g, "exact": exact(p, g), "f1_v1": f1_v1(p, g), "f1_v2": f1_v2(p, g)} for p, g in pairs]

words = ["the", "cat", "Denver", "Broncos", "a", "1990", "river", "Nile", "of", "Paris,", "France", "an", "big"]
def phrase():
    return " ".join(words[i] for i in rng.integers(0, len(words), int(rng.integers(1, 6))))

golds_v1, preds_v1 = {}, {}
for i in range(60):
    qid = f"q{i:03d}"
    golds_v1[qid] = [phrase() for _ in range(int(rng.integers(1, 4)))]
    r = rng.random()
    if r < 0.3:
        preds_v1[qid] = golds_v1[qid][0]
    elif r < 0.9:
        preds_v1[qid] = phrase()
    # else: missing prediction
golds_v2, preds_v2, na = {}, {}, {}
for i in range(80):
    qid = f"v2-{i:03d}"
    r = rng.random()
    golds_v2[qid] = [] if r < 0.35 else ([phrase() for _ in range(int(rng.integers(1, 4)))] if r < 0.95 else ["the", "."])
    s = rng.random()
    preds_v2[qid] = "" if s < 0.3 else (golds_v2[qid][0] if golds_v2[qid] and s < 0.5 else phrase())
    na[qid] = float(np.round(rng.random(), 3))
def find_best_thresh(preds, scores, na_probs, qid_to_has_ans):
    """find_best_thresh of evaluate-v2.0.py, on raw (unthresholded) scores."""
    num_no_ans = sum(1 for k in qid_to_has_ans if not qid_to_has_ans[k])
    cur_score = best_score = num_no_ans
    best_thresh = 0.0
    for qid in sorted(na_probs, key=lambda k: na_probs[k]):
        if qid not in scores:
            continue
        if qid_to_has_ans[qid]:
            diff = scores[qid]
        else:
            diff = -1 if preds[qid] else 0
        cur_score += diff
        if cur_score > best_score:
            best_score, best_thresh = cur_score, na_probs[qid]
    return 100.0 * best_score / len(scores), best_thresh


def best_thresholds(preds, golds, na_probs):
    has_ans, em, f1 = {}, {}, {}
    for qid, answers in golds.items():
        gold = [a for a in answers if normalize_answer(a)]
        has_ans[qid] = bool(answers)               # make_qid_to_has_ans: bool(qa['answers'])
        gold = gold or [""]
        em[qid] = max(float(normalize_answer(a) == normalize_answer(preds[qid])) for a in gold)
        f1[qid] = max(f1_v2(preds[qid], a) for a in gold)
    # Ties in probability are visited in question-id order: the dict is built in sorted-id order and
    # Python's sort is stable.
    ordered = {k: na_probs[k] for k in sorted(na_probs)}
    be, bt = find_best_thresh(preds, em, ordered, has_ans)
    bf, ft = find_best_thresh(preds, f1, ordered, has_ans)
    return {"best_exact": be, "best_exact_thresh": bt, "best_f1": bf, "best_f1_thresh": ft}


na_ties = {k: float(np.round(v, 1)) for k, v in na.items()}       # many ties
write("squad.json", {
    "normalize": [{"text": t, "normalized": normalize_answer(t)} for t in texts],
    "pairs": pair_cases,
    "v1": {"predictions": preds_v1, "gold_answers": golds_v1, "expected": evaluate_v1(preds_v1, golds_v1)},
    "v2": {"predictions": preds_v2, "gold_answers": golds_v2, "no_answer_probabilities": na,
           "expected": evaluate_v2(preds_v2, golds_v2),
           "expected_threshold_0_5": evaluate_v2(preds_v2, golds_v2, na, 0.5),
           "best_thresholds": best_thresholds(preds_v2, golds_v2, na),
           "no_answer_probabilities_tied": na_ties,
           "best_thresholds_tied": best_thresholds(preds_v2, golds_v2, na_ties)},
})

print("python", sys.version.split()[0], "numpy", np.__version__, "scipy", scipy.__version__,
      "scikit-learn", sklearn.__version__, "seqeval", getattr(seqeval, "__version__", "1.2.2"))
