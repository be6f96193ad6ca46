"""Peer for `npm run bench -- gbdt`: XGBoost (Debian's python3-xgboost) on the same data and settings.

Usage: gbdt_peer.py DATA.f64 N_TRAIN ROUNDS THREADS [REPS]
DATA.f64 is written by bench/synth.ts: three float64s (rows, features, classes), the features
column-major, then the labels. Fits once (the process's first fit), then REPS more, as
bench/gbdt-child.ts does. Prints one JSON line: fit seconds (the first fit, then the others),
test logloss of the last fit, peak RSS.
"""
import json
import resource
import sys
import time

import numpy as np
import xgboost as xgb

path, n_train, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
reps = int(sys.argv[5]) if len(sys.argv) > 5 else 0
raw = np.fromfile(path, dtype=np.float64)
n, f, k = int(raw[0]), int(raw[1]), int(raw[2])
X = raw[3:3 + n * f].reshape(f, n).T.copy()
y = raw[3 + n * f:3 + n * f + n].astype(np.int64)
del raw
Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
params = dict(n_estimators=rounds, tree_method="hist", grow_policy="depthwise", max_depth=6,
              learning_rate=0.1, reg_lambda=1, min_child_weight=1, max_bin=255, n_jobs=threads)
seconds = []
for _ in range(reps + 1):
    if k == 2:
        model = xgb.XGBClassifier(objective="binary:logistic", **params)
    else:
        model = xgb.XGBClassifier(objective="multi:softprob", **params)
    t0 = time.perf_counter()
    model.fit(Xtr, ytr)
    seconds.append(time.perf_counter() - t0)
p = np.clip(model.predict_proba(Xte), 1e-15, 1 - 1e-15)
logloss = float(-np.mean(np.log(p[np.arange(len(yte)), yte])))
print(json.dumps({"seconds": seconds, "logloss": logloss,
                  "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
