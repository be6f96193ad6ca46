"""Reference values for test/metrics/*.test.ts, computed by scikit-learn.

The tests never run Python: this script prints a TypeScript module holding the inputs and the
values scikit-learn gives for them, which is kept as test/metrics/sklearn-reference.ts.
Regenerate (with scikit-learn 1.2.1, numpy 1.24.2, as the committed file was) by running

    /usr/bin/python3 test/metrics/sklearn-reference.py > test/metrics/sklearn-reference.ts

Conventions, mirroring src/metrics: y holds class indices 0..K-1, proba is n x K (flattened
row-major in the output), predicted class = argmax (numpy's argmax: ties to the lowest
index), all K classes are passed as `labels` so classes absent from y still count, and
zero_division=0. log_loss uses its 1.2 default eps="auto" (float64 machine epsilon).
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
    r2_score,
    roc_auc_score,
)


def classification_expect(y, proba, w):
    k = proba.shape[1]
    labels = list(range(k))
    pred = np.argmax(proba, axis=1)
    p, r, f, s = precision_recall_fscore_support(
        y, pred, labels=labels, zero_division=0, sample_weight=w
    )
    mp, mr, mf, _ = precision_recall_fscore_support(
        y, pred, labels=labels, average="macro", zero_division=0, sample_weight=w
    )
    if k == 2:
        f1 = f1_score(y, pred, average="binary", zero_division=0, sample_weight=w)
    else:
        f1 = f1_score(y, pred, labels=labels, average="macro", zero_division=0, sample_weight=w)
    try:
        if k == 2:
            auc = roc_auc_score(y, proba[:, 1], sample_weight=w)
        else:
            auc = roc_auc_score(y, proba, multi_class="ovr", average="macro", sample_weight=w)
        auc = None if np.isnan(auc) else float(auc)
    except ValueError:  # a class absent from y: undefined
        auc = None
    return {
        "logloss": float(log_loss(y, proba, labels=labels, sample_weight=w)),
        "accuracy": float(accuracy_score(y, pred, sample_weight=w)),
        "confusion": confusion_matrix(y, pred, labels=labels, sample_weight=w).astype(float).tolist(),
        "precision": p.astype(float).tolist(),
        "recall": r.astype(float).tolist(),
        "f1": f.astype(float).tolist(),
        "support": s.astype(float).tolist(),
        "macro": {"precision": float(mp), "recall": float(mr), "f1": float(mf)},
        "f1Score": float(f1),
        "mcc": float(matthews_corrcoef(y, pred, sample_weight=w)),
        "auc": auc,
    }


def best_threshold(y, p, objective, w):
    """Brute force over the distinct values of p, highest first; ties keep the higher threshold."""
    best = None
    for t in sorted(set(p.tolist()), reverse=True):
        pred = (p >= t).astype(int)
        f1 = float(f1_score(y, pred, zero_division=0, sample_weight=w))
        mcc = float(matthews_corrcoef(y, pred, sample_weight=w))
        value = f1 if objective == "f1" else mcc
        if best is None or value > best["value"]:
            best = {
                "threshold": t,
                "value": value,
                "precision": float(precision_recall_fscore_support(y, pred, average="binary", zero_division=0, sample_weight=w)[0]),
                "recall": float(precision_recall_fscore_support(y, pred, average="binary", zero_division=0, sample_weight=w)[1]),
                "f1": f1,
                "mcc": mcc,
                "accuracy": float(accuracy_score(y, pred, sample_weight=w)),
            }
    return best


def classification_case(name, y, proba, w, thresholds=False):
    y = np.asarray(y)
    proba = np.asarray(proba, dtype=float)
    w = np.asarray(w, dtype=float)
    case = {
        "name": name,
        "nClasses": proba.shape[1],
        "y": y.tolist(),
        "proba": proba.ravel().tolist(),
        "weights": w.tolist(),
        "unweighted": classification_expect(y, proba, None),
        "weighted": classification_expect(y, proba, w),
    }
    if thresholds:
        p = proba[:, 1]
        case["bestThreshold"] = {
            "unweighted": {o: best_threshold(y, p, o, None) for o in ("f1", "mcc")},
            "weighted": {o: best_threshold(y, p, o, w) for o in ("f1", "mcc")},
        }
    return case


def regression_expect(y, pred, w):
    return {
        "rmse": float(mean_squared_error(y, pred, sample_weight=w, squared=False)),
        "mae": float(mean_absolute_error(y, pred, sample_weight=w)),
        "r2": float(r2_score(y, pred, sample_weight=w)),
    }


def regression_case(name, y, pred, w):
    y = np.asarray(y, dtype=float)
    pred = np.asarray(pred, dtype=float)
    w = np.asarray(w, dtype=float)
    return {
        "name": name,
        "y": y.tolist(),
        "pred": pred.tolist(),
        "weights": w.tolist(),
        "unweighted": regression_expect(y, pred, None),
        "weighted": regression_expect(y, pred, w),
    }


# Binary: tied scores (0.8 x3, 0.6 x2, 0.35 x3), probabilities of exactly 0 and 1 (one of them
# a confident miss, which only the clipping keeps finite), and a 0.5/0.5 row (argmax -> class 0).
p1 = [0.1, 0.8, 0.8, 0.8, 0.35, 0.35, 1.0, 0.6, 0.0, 0.2, 0.35, 0.6, 0.0, 0.5]
binary = classification_case(
    "binary",
    [0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1],
    [[1 - p, p] for p in p1],
    [1, 2, 0.5, 1, 3, 1, 1, 0.25, 2, 1, 1, 1.5, 0.5, 2],
    thresholds=True,
)

# Binary where F1 and MCC pick different thresholds (0.6 and 0.8 unweighted).
pt = [0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3, 0.2, 0.1]
threshold_split = classification_case(
    "binary, F1 and MCC disagree",
    [1, 1, 0, 1, 0, 0, 1, 0, 0, 0],
    [[1 - p, p] for p in pt],
    [1, 0.5, 2, 1, 1, 0.25, 3, 1, 1, 1],
    thresholds=True,
)

# Binary where F1 ties between thresholds 0.9 and 0.6 (2/3 at both): the higher one wins.
pt = [0.9, 0.8, 0.7, 0.6]
threshold_tie = classification_case(
    "binary, F1 tie",
    [1, 0, 0, 1],
    [[1 - p, p] for p in pt],
    [1, 1, 1, 1],
    thresholds=True,
)

# 3 classes: class 2 is never predicted (zero division in its precision), argmax ties
# (0.4/0.4, 0.45/0.45, 0.35/0.35, 0.5/0.5), exact 0 and 1, a true class with probability 0,
# and a zero sample weight.
three = classification_case(
    "three classes, class 2 never predicted",
    [0, 1, 2, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 2, 0],
    [
        [0.7, 0.2, 0.1],
        [0.2, 0.5, 0.3],
        [0.4, 0.2, 0.4],
        [0.1, 0.6, 0.3],
        [0.45, 0.45, 0.1],
        [1.0, 0.0, 0.0],
        [0.3, 0.35, 0.35],
        [0.0, 1.0, 0.0],
        [0.5, 0.25, 0.25],
        [0.0, 0.5, 0.5],
        [0.6, 0.3, 0.1],
        [0.2, 0.5, 0.3],
        [0.4, 0.2, 0.4],
        [0.25, 0.5, 0.25],
        [0.0, 0.8, 0.2],
    ],
    [1, 0.5, 2, 1, 1, 3, 0.25, 1, 1, 2, 0, 1, 1.5, 1, 0.75],
)

# 4 classes: probabilities on a 0.1 grid (many ties), from a fixed seed.
rng = np.random.default_rng(20240601)
n4 = 24
counts = np.array([rng.multinomial(10, rng.dirichlet([1, 1, 1, 1])) for _ in range(n4)])
proba4 = counts / 10.0
y4 = np.array([rng.choice(4, p=(c + 1) / (c + 1).sum()) for c in counts])
w4 = np.round(rng.uniform(0, 3, n4), 2)
w4[3] = 0.0
four = classification_case("four classes, 0.1 grid", y4.tolist(), proba4.tolist(), w4.tolist())

# 3 columns but class 1 absent from y: AUC undefined (sklearn raises), the rest defined.
absent = classification_case(
    "class 1 absent from y",
    [0, 2, 0, 2, 2, 0],
    [
        [0.6, 0.3, 0.1],
        [0.2, 0.3, 0.5],
        [0.3, 0.4, 0.3],
        [0.5, 0.1, 0.4],
        [0.1, 0.1, 0.8],
        [0.4, 0.4, 0.2],
    ],
    [1, 2, 1, 0.5, 1, 1],
)

# Everything predicted as one class: MCC 0 by convention.
constant = classification_case(
    "all predicted class 0",
    [0, 1, 2, 1],
    [[0.5, 0.3, 0.2], [0.6, 0.2, 0.2], [0.4, 0.3, 0.3], [0.7, 0.2, 0.1]],
    [1, 1, 2, 1],
)

rng = np.random.default_rng(7)
yr = np.round(rng.normal(10, 3, 15), 3)
pr = np.round(yr + rng.normal(0, 1.5, 15), 3)
wr = np.round(rng.uniform(0.1, 2, 15), 2)
regression = [
    regression_case("regression", yr.tolist(), pr.tolist(), wr.tolist()),
    regression_case("constant y, perfect", [2.5, 2.5, 2.5], [2.5, 2.5, 2.5], [1, 2, 3]),
    regression_case("constant y, imperfect", [2.5, 2.5, 2.5], [2.5, 3.0, 2.0], [1, 2, 3]),
]

data = {"classification": [binary, threshold_split, threshold_tie, three, four, absent, constant], "regression": regression}

out = sys.stdout
out.write(
    f"""// Generated by test/metrics/sklearn-reference.py with scikit-learn {sklearn.__version__}, numpy {np.__version__}.
// Do not edit: rerun `/usr/bin/python3 test/metrics/sklearn-reference.py > test/metrics/sklearn-reference.ts`.
// Inputs and the values scikit-learn computed for them; the tests compare to 1e-12.

export interface ClassificationExpect {{
  logloss: number;
  accuracy: number;
  confusion: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro: {{ precision: number; recall: number; f1: number }};
  /** f1_score: the positive class's F1 for binary, macro F1 otherwise. */
  f1Score: number;
  mcc: number;
  auc: number | null;
}}

export interface ThresholdExpect {{
  threshold: number;
  value: number;
  precision: number;
  recall: number;
  f1: number;
  mcc: number;
  accuracy: number;
}}

export interface ClassificationCase {{
  name: string;
  nClasses: number;
  y: number[];
  /** Row-major n × K. */
  proba: number[];
  weights: number[];
  unweighted: ClassificationExpect;
  weighted: ClassificationExpect;
  bestThreshold?: Record<'unweighted' | 'weighted', Record<'f1' | 'mcc', ThresholdExpect>>;
}}

export interface RegressionExpect {{
  rmse: number;
  mae: number;
  r2: number;
}}

export interface RegressionCase {{
  name: string;
  y: number[];
  pred: number[];
  weights: number[];
  unweighted: RegressionExpect;
  weighted: RegressionExpect;
}}

export const SKLEARN_VERSION = '{sklearn.__version__}';

"""
)
out.write("export const CLASSIFICATION_CASES: ClassificationCase[] = ")
out.write(json.dumps(data["classification"], indent=2))
out.write(";\n\nexport const REGRESSION_CASES: RegressionCase[] = ")
out.write(json.dumps(data["regression"], indent=2))
out.write(";\n")
