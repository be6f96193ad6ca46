"""Peers for `npm run bench -- peers` (Debian's python3-sklearn, python3-xgboost, python3-pandas,
python3-optuna), fitted on the same train CSV and scored on the same test CSV as
`automl run --train --test`.

Usage: automl_peer.py --train TRAIN.csv --test TEST.csv --target T --task binary|multiclass|regression
                      [--drop A,B] --seed S --timeout SECONDS

Peers, each with sensible defaults and random_state = S:
  lr      LogisticRegression (C = 1) on standard-scaled features (Ridge, alpha = 1, for regression)
  rf      RandomForest, 300 trees
  hgb     HistGradientBoosting, defaults (categorical columns declared as such)
  xgb     XGBoost (hist, learning rate 0.1), early-stopped (50 rounds) on a seeded 10% inner
          validation split of the train file (stratified for classification)
  optuna  an AutoML peer: Optuna's TPE sampler (seeded) over learner × hyper-parameters (XGBoost,
          random forest, extra trees, logistic regression / ridge), scored by 3-fold CV logloss
          (stratified; plain KFold and RMSE for regression). It stops when its elapsed time plus the
          expected time of a next trial (the median so far) and of the refit of its best candidate
          would pass --timeout (our run's wall time), then refits the best on all train rows and
          scores it on the test file.

Categorical (text) columns: one-hot for LR, ordinal codes for RF / ET, declared categorical for HGB
and XGBoost. Missing values: median (numeric) / most frequent (categorical) imputation for LR, RF
and ET; HGB and XGBoost take NaN natively.

Prints one JSON line: {"task", "metric", "peers": {name: {"score", "seconds", ...}}}, where score is
the test logloss (classification) or RMSE (regression).
"""
import argparse
import json
import os
import sys
import time
import warnings

# OpenMP threads that spin while waiting make XGBoost 40× slower when other processes share the two
# cores (seen on this machine); passive waiting must be set before the libraries load.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import optuna
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from xgboost import XGBClassifier, XGBRegressor

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.WARNING)
THREADS = 2


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--task", required=True, choices=["binary", "multiclass", "regression"])
    p.add_argument("--drop", default="")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--timeout", type=float, required=True)
    return p.parse_args()


def load(args):
    """Train and test frames (features), targets (class indices or floats), the categorical columns."""
    dtype = {args.target: str} if args.task != "regression" else None
    tr = pd.read_csv(args.train, dtype=dtype, keep_default_na=True)
    te = pd.read_csv(args.test, dtype=dtype, keep_default_na=True)
    drop = [c for c in args.drop.split(",") if c] + [args.target]
    Xtr, Xte = tr.drop(columns=drop), te.drop(columns=drop)
    cats = [c for c in Xtr.columns if Xtr[c].dtype == object]
    for c in cats:
        # The train file's levels; a level seen only in the test file becomes missing.
        levels = sorted(Xtr[c].dropna().unique())
        Xtr[c] = pd.Categorical(Xtr[c], categories=levels)
        Xte[c] = pd.Categorical(Xte[c], categories=levels)
    if args.task == "regression":
        return Xtr, Xte, tr[args.target].to_numpy(float), te[args.target].to_numpy(float), cats, None
    classes = sorted(tr[args.target].dropna().unique(), key=sort_key)
    index = {c: i for i, c in enumerate(classes)}
    ytr = tr[args.target].map(index).to_numpy()
    yte = te[args.target].map(index).to_numpy()
    return Xtr, Xte, ytr, yte, cats, classes


def sort_key(v):
    try:
        return (0, float(v), "")
    except ValueError:
        return (1, 0.0, v)


def prep(kind, cats, num):
    """Column preprocessing: 'onehot' (scaled, for linear models) or 'ordinal' (for forests)."""
    if kind == "onehot":
        n = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        c = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    else:
        n = SimpleImputer(strategy="median")
        c = make_pipeline(SimpleImputer(strategy="most_frequent"),
                          OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
    return ColumnTransformer([("num", n, num), ("cat", c, cats)])


def as_objects(X, cats):
    """Categorical columns as plain objects with NaN for missing (what SimpleImputer expects)."""
    X = X.copy()
    for c in cats:
        X[c] = X[c].astype(object).where(X[c].notna(), np.nan)
    return X


def score(task, y, p, k):
    if task == "regression":
        return float(np.sqrt(mean_squared_error(y, p)))
    return float(log_loss(y, p, labels=list(range(k))))


class Peers:
    def __init__(self, task, cats, cols, k, seed):
        self.task, self.cats, self.k, self.seed = task, cats, k, seed
        self.num = [c for c in cols if c not in cats]
        self.reg = task == "regression"

    def sk(self, kind, model):
        """A scikit-learn pipeline with its preprocessing; fit and predict take the raw frames."""
        pipe = make_pipeline(prep(kind, self.cats, self.num), model)
        return Wrapped(pipe, self.cats, self.reg)

    def lr(self, C=1.0):
        if self.reg:
            return self.sk("onehot", Ridge(alpha=1.0 / C))
        return self.sk("onehot", LogisticRegression(C=C, max_iter=2000))

    def forest(self, extra=False, **kw):
        cls = (ExtraTreesRegressor if extra else RandomForestRegressor) if self.reg else \
              (ExtraTreesClassifier if extra else RandomForestClassifier)
        return self.sk("ordinal", cls(n_jobs=THREADS, random_state=self.seed, **kw))

    def hgb(self):
        mask = [c in self.cats for c in self.num + self.cats]
        cls = HistGradientBoostingRegressor if self.reg else HistGradientBoostingClassifier
        # Ordinal codes in the column order num + cats, categorical columns declared as such.
        enc = ColumnTransformer([("num", "passthrough", self.num),
                                 ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                                        encoded_missing_value=np.nan), self.cats)])
        model = cls(random_state=self.seed, categorical_features=mask if self.cats else None)
        return Wrapped(make_pipeline(enc, model), self.cats, self.reg)

    def xgb(self, **kw):
        cls = XGBRegressor if self.reg else XGBClassifier
        return cls(tree_method="hist", enable_categorical=bool(self.cats), n_jobs=THREADS,
                   random_state=self.seed, **kw)


class Wrapped:
    """A scikit-learn pipeline fed with categorical columns as objects; predict gives probabilities."""

    def __init__(self, pipe, cats, reg):
        self.pipe, self.cats, self.reg = pipe, cats, reg

    def fit(self, X, y):
        self.pipe.fit(as_objects(X, self.cats), y)
        return self

    def predict(self, X):
        X = as_objects(X, self.cats)
        return self.pipe.predict(X) if self.reg else self.pipe.predict_proba(X)


def predict(model, X, reg):
    if isinstance(model, Wrapped):
        return model.predict(X)
    return model.predict(X) if reg else model.predict_proba(X)


def defaults(P, Xtr, ytr, Xte, yte, task, k, seed):
    out = {}
    for name, make in [("lr", lambda: P.lr()), ("rf", lambda: P.forest(n_estimators=300)), ("hgb", P.hgb)]:
        t0 = time.perf_counter()
        m = make().fit(Xtr, ytr)
        out[name] = {"score": score(task, yte, m.predict(Xte), k), "seconds": time.perf_counter() - t0}
    # XGBoost, early-stopped on a seeded 10% of the train rows.
    t0 = time.perf_counter()
    strat = None if P.reg else ytr
    Xa, Xv, ya, yv = train_test_split(Xtr, ytr, test_size=0.1, random_state=seed, stratify=strat)
    m = P.xgb(n_estimators=2000, learning_rate=0.1, early_stopping_rounds=50)
    m.fit(Xa, ya, eval_set=[(Xv, yv)], verbose=False)
    out["xgb"] = {"score": score(task, yte, predict(m, Xte, P.reg), k), "seconds": time.perf_counter() - t0,
                  "rounds": int(m.best_iteration) + 1}
    return out


def candidate(P, trial):
    """The learner and hyper-parameters of one Optuna trial, as a model factory."""
    learner = trial.suggest_categorical("learner", ["xgb", "rf", "et", "lr"])
    if learner == "xgb":
        kw = dict(n_estimators=trial.suggest_int("n_estimators", 50, 1000, log=True),
                  learning_rate=trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
                  max_depth=trial.suggest_int("max_depth", 2, 10),
                  subsample=trial.suggest_float("subsample", 0.5, 1.0),
                  colsample_bytree=trial.suggest_float("colsample_bytree", 0.3, 1.0),
                  min_child_weight=trial.suggest_float("min_child_weight", 0.5, 20, log=True),
                  reg_lambda=trial.suggest_float("reg_lambda", 1e-3, 10, log=True))
        return lambda: P.xgb(**kw)
    if learner in ("rf", "et"):
        kw = dict(n_estimators=trial.suggest_int(f"{learner}_n_estimators", 50, 400, log=True),
                  max_features=trial.suggest_float(f"{learner}_max_features", 0.05, 1.0),
                  min_samples_leaf=trial.suggest_int(f"{learner}_min_samples_leaf", 1, 20, log=True))
        return lambda: P.forest(extra=learner == "et", **kw)
    C = trial.suggest_float("C", 1e-4, 1e4, log=True)
    return lambda: P.lr(C)


def automl(P, Xtr, ytr, Xte, yte, task, k, seed, budget):
    """The Optuna peer: TPE over learner × hyper-parameters within `budget` seconds, refit, test."""
    t0 = time.perf_counter()
    folds = (KFold if P.reg else StratifiedKFold)(n_splits=3, shuffle=True, random_state=seed)
    splits = list(folds.split(Xtr, ytr))
    fit_seconds = {}

    def objective(trial):
        make = candidate(P, trial)
        losses, t = [], time.perf_counter()
        for a, b in splits:
            m = make().fit(Xtr.iloc[a], ytr[a])
            losses.append(score(task, ytr[b], predict(m, Xtr.iloc[b], P.reg), k))
        fit_seconds[trial.number] = time.perf_counter() - t
        return float(np.mean(losses))

    def stop_in_time(study, _trial):
        # Start no trial that is not expected to end in time (the median trial so far) with room
        # left for the refit of the best on all rows (~1.5× one fold's fit).
        refit = 1.5 * fit_seconds.get(study.best_trial.number, 0) / len(splits)
        typical = float(np.median(list(fit_seconds.values()))) if fit_seconds else 0.0
        if time.perf_counter() - t0 + typical + refit >= budget:
            study.stop()

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, timeout=budget, callbacks=[stop_in_time])
    best = study.best_trial
    m = candidate(P, optuna.trial.FixedTrial(best.params))().fit(Xtr, ytr)
    test = score(task, yte, predict(m, Xte, P.reg), k)
    return {"score": test, "seconds": time.perf_counter() - t0, "trials": len(study.trials),
            "cv": best.value, "best": best.params}


def main():
    args = parse_args()
    np.random.seed(args.seed)
    Xtr, Xte, ytr, yte, cats, classes = load(args)
    k = 0 if classes is None else len(classes)
    P = Peers(args.task, cats, list(Xtr.columns), k, args.seed)
    peers = defaults(P, Xtr, ytr, Xte, yte, args.task, k, args.seed)
    peers["optuna"] = automl(P, Xtr, ytr, Xte, yte, args.task, k, args.seed, args.timeout)
    metric = "rmse" if args.task == "regression" else "logloss"
    print(json.dumps({"task": args.task, "metric": metric, "peers": peers}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
