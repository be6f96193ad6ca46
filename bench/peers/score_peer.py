"""Peer of `npm run bench -- serve` (batch part): pandas + XGBoost scoring a CSV file.

usage: score_peer.py TRAIN.csv PIPELINE.json DATA.csv OUT.csv
Trains an XGBoost classifier (hist, 100 rounds, depth 6) on TRAIN.csv with the pipeline's input
columns and target (the training is not timed), then, timed: pandas read_csv of DATA.csv,
inplace_predict of the input columns, and DataFrame.to_csv of one probability column per class
(`<target>.<class>`) and `<target>.predicted` to OUT.csv. Prints one JSON line: seconds (read to
written file), trainSeconds, rows, maxRssBytes (resource.getrusage).
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb


def main():
    train_path, pipeline_path, data_path, out_path = sys.argv[1:5]
    with open(pipeline_path) as f:
        pipeline = json.load(f)
    target = pipeline["target"]
    classes = [str(c) for c in pipeline["classes"]]
    inputs = [i["name"] for i in pipeline["inputs"]]

    t0 = time.perf_counter()
    train = pd.read_csv(train_path)
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[str(v)] for v in train[target]])
    model = xgb.XGBClassifier(n_estimators=100, tree_method="hist", max_depth=6, learning_rate=0.1,
                              objective="multi:softprob")
    model.fit(train[inputs], y)
    booster = model.get_booster()
    train_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    df = pd.read_csv(data_path)
    p = booster.inplace_predict(df[inputs])
    out = pd.DataFrame(p, columns=[f"{target}.{c}" for c in classes])
    out[f"{target}.predicted"] = np.array(classes, dtype=object)[p.argmax(axis=1)]
    out.to_csv(out_path, index=False)
    seconds = time.perf_counter() - t0

    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    print(json.dumps({"seconds": seconds, "trainSeconds": train_seconds, "rows": int(len(df)),
                      "maxRssBytes": max_rss}))


if __name__ == "__main__":
    main()
