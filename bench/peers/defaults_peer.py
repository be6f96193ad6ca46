"""Peer for `npm run bench -- gbdt --defaults`: scikit-learn's HistGradientBoostingClassifier and
XGBoost (hist), each with its defaults, on a data file written by bench/hydraulic-data.ts.

Usage: defaults_peer.py DATA.f64 N_TRAIN
Prints one JSON line: per peer, the test logloss.
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from xgboost import XGBClassifier

path, n_train = sys.argv[1], int(sys.argv[2])
raw = np.fromfile(path, dtype=np.float64)
n, f, k = int(raw[0]), int(raw[1]), int(raw[2])
X = raw[3:3 + n * f].reshape(f, n).T.copy()
y = raw[3 + n * f:3 + n * f + n].astype(np.int64)
out = {}
for name, model in [("hgb", HistGradientBoostingClassifier(random_state=0)), ("xgboost", XGBClassifier(tree_method="hist", n_jobs=2, random_state=0))]:
    model.fit(X[:n_train], y[:n_train])
    p = np.clip(model.predict_proba(X[n_train:]), 1e-15, 1)
    out[name] = float(-np.mean(np.log(p[np.arange(n - n_train), y[n_train:]])))
print(json.dumps(out))
