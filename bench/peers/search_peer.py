"""Peer for `npm run bench -- search`: scikit-learn's HistGradientBoostingClassifier and XGBoost with
their defaults (Debian's python3-sklearn, python3-xgboost), fitted on the same train CSV and scored on
the same test CSV as `automl run --train --test`.

Usage: search_peer.py TRAIN.csv TEST.csv TARGET DROP[,DROP...]
Prints one JSON line: per peer, fit seconds and test logloss.
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss
from xgboost import XGBClassifier

train_path, test_path, target, drop = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")


def load(path):
    with open(path) as f:
        head = f.readline().strip().split(",")
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    cols = [j for j, h in enumerate(head) if h != target and h not in drop]
    X = raw[:, cols].astype(np.float64)
    y = raw[:, head.index(target)]
    return X, y


Xtr, ytr = load(train_path)
Xte, yte = load(test_path)
classes = sorted(set(ytr), key=lambda v: float(v))
index = {c: i for i, c in enumerate(classes)}
ytr_i = np.array([index[v] for v in ytr])
yte_i = np.array([index[v] for v in yte])
out = {}
for name, model in [("hgb", HistGradientBoostingClassifier(random_state=0)), ("xgboost", XGBClassifier(tree_method="hist", n_jobs=2, random_state=0))]:
    t0 = time.perf_counter()
    model.fit(Xtr, ytr_i)
    seconds = time.perf_counter() - t0
    p = model.predict_proba(Xte)
    out[name] = {"seconds": seconds, "logloss": float(log_loss(yte_i, p, labels=list(range(len(classes)))))}
print(json.dumps(out))
