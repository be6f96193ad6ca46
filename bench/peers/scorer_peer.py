"""Peer of `npm run bench -- scorer`: XGBoost (Debian's python3-xgboost) scoring speed.

Usage: scorer_peer.py DATA.f64 N_TRAIN
DATA.f64 is written by bench/synth.ts or bench/hydraulic-data.ts: three float64s (rows,
features, classes), the features column-major, then the labels. Fits an XGBoost classifier with
the scorer bench's model shape (tree_method hist, depth-wise to max depth 6, 100 rounds,
multi:softprob; fitting on 2 threads, untimed) on the first N_TRAIN rows, then times
`Booster.inplace_predict`:
- one row (a 1 x F float64 array) per call with nthread 1, each call timed alone with
  perf_counter_ns: p50 and p99 in microseconds over 20,000 calls after 5,000 of warm-up;
- 100,000 rows (the file's rows from the first, repeated when it has fewer) as one C-ordered
  float64 array, with nthread 1 and 2: rows/s, best of 5.
Prints one JSON line.
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb

BATCH_ROWS = 100_000
LATENCY_CALLS = 20_000
WARMUP_CALLS = 5_000
REPEATS = 5


def main():
    path, n_train = sys.argv[1], int(sys.argv[2])
    raw = np.fromfile(path, dtype=np.float64)
    n, f, k = int(raw[0]), int(raw[1]), int(raw[2])
    X = raw[3:3 + n * f].reshape(f, n).T.copy()
    y = raw[3 + n * f:3 + n * f + n].astype(np.int64)
    model = xgb.XGBClassifier(n_estimators=100, tree_method="hist", grow_policy="depthwise",
                              max_depth=6, learning_rate=0.1, reg_lambda=1, min_child_weight=1,
                              max_bin=255, objective="multi:softprob", n_jobs=2)
    model.fit(X[:n_train], y[:n_train])
    booster = model.get_booster()
    trees = len(booster.get_dump())

    batch = np.ascontiguousarray(X[np.arange(BATCH_ROWS) % n])
    booster.set_param({"nthread": 1})
    rows = [np.ascontiguousarray(batch[i:i + 1]) for i in range(0, BATCH_ROWS, 5)]
    for i in range(WARMUP_CALLS):
        booster.inplace_predict(rows[i % len(rows)])
    lat = np.empty(LATENCY_CALLS)
    for i in range(LATENCY_CALLS):
        row = rows[(i * 7919) % len(rows)]
        t0 = time.perf_counter_ns()
        booster.inplace_predict(row)
        lat[i] = (time.perf_counter_ns() - t0) / 1000
    lat.sort()

    def rows_per_second(threads):
        booster.set_param({"nthread": threads})
        booster.inplace_predict(batch)
        seconds = float("inf")
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            booster.inplace_predict(batch)
            seconds = min(seconds, time.perf_counter() - t0)
        return BATCH_ROWS / seconds

    print(json.dumps({
        "p50": float(lat[int(0.5 * LATENCY_CALLS)]),
        "p99": float(lat[int(0.99 * LATENCY_CALLS)]),
        "rowsPerSecond1": rows_per_second(1),
        "rowsPerSecond2": rows_per_second(2),
        "trees": trees,
    }))


if __name__ == "__main__":
    main()
