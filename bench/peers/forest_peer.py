"""Peer for `npm run bench -- forest`: scikit-learn's RandomForestClassifier (Debian's python3-sklearn).

Usage: forest_peer.py DATA.f64 N_TRAIN TREES JOBS
DATA.f64 as written by bench/synth.ts (train rows first). Prints one JSON line: fit seconds, test logloss.
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier

path, n_train, trees, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
raw = np.fromfile(path, dtype=np.float64)
n, f, k = int(raw[0]), int(raw[1]), int(raw[2])
X = raw[3:3 + n * f].reshape(f, n).T.copy()
y = raw[3 + n * f:3 + n * f + n].astype(np.int64)
model = RandomForestClassifier(n_estimators=trees, n_jobs=jobs, random_state=0)
t0 = time.perf_counter()
model.fit(X[:n_train], y[:n_train])
seconds = time.perf_counter() - t0
p = np.zeros((n - n_train, k))
p[:, model.classes_] = model.predict_proba(X[n_train:])
p = np.clip(p, 1e-15, 1 - 1e-15)
logloss = float(-np.mean(np.log(p[np.arange(n - n_train), y[n_train:]])))
print(json.dumps({"seconds": seconds, "logloss": logloss}))
