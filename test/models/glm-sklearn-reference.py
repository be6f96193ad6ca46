"""Reference coefficients for test/models/glm.test.ts, from scikit-learn.

Run with:  /usr/bin/python3 test/models/glm-sklearn-reference.py
Printed with scikit-learn 1.2.1, numpy 1.24.2, scipy 1.10.1; the values are pasted into the test
as literals (the test never runs Python). Logistic regression is fitted with two of scikit-learn's
solvers: lbfgs (checked to 1e-4) and newton-cg (closer to the optimum, checked to 1e-7).

Our GLM minimises, on inputs imputed with the (weighted) training mean, given a missing indicator
per feature with missing values, and standardised (population std):

    sum_i w_i * loss_i + lambda / 2 * ||W||^2        (intercepts not penalised)

which is scikit-learn's [SimpleImputer(add_indicator=True)] -> StandardScaler ->
LogisticRegression(C = 1 / lambda) for log loss (binary, and multinomial with one coefficient
vector per class), and -> Ridge(alpha = lambda) for regression (whose objective is
sum_i w_i (y_i - f_i)^2 + alpha ||w||^2, the same minimiser as half of it).

Our node holds the coefficients in raw feature units (coefficient / the scaler's scale, for the
features and the indicators alike) and, as intercept, the raw score of a row at the centre (the
training means, nothing missing); softmax intercepts are shifted to sum to 0. Those are printed.
"""
import json

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

NAN = float("nan")
A = [0.05, 0.5, -1.0, 0.69, -0.42, -1.58, -0.65, 0.6, 0.33, -1.15, 0.62, -0.09, 0.43, 0.33, -1.16, 0.35, -0.61, 1.55, 0.72, 0.05,
     -0.98, 0.05, 0.16, -1.21, 2.22, 0.39, 1.69, -1.11, 1.64, -1.36, -0.65, 0.54, 0.05, -2.36, -1.11, 0.84, 2.09, 0.91, -0.28, 0.8]
B = [6.4, 1.9, 5.0, 1.8, 9.2, 4.3, 8.3, 4.2, 9.0, 4.0, 3.3, 5.7, 8.5, 8.6, 6.0, 0.8, 6.0, 2.5, 7.3, 8.9,
     5.1, 6.0, 0.7, 5.4, 1.3, 6.1, 3.6, 7.7, 0.5, 1.1, 6.8, 5.1, 5.7, 8.4, 4.9, 8.1, 5.1, 9.3, 6.7, 1.5]
C = [57.5, 47.2, 41.2, 45.8, 31.0, 45.1, 41.4, 66.2, 45.5, 37.7, 57.0, 48.6, 50.4, 51.5, 51.7, 47.0, 57.6, 54.2, 46.0, 48.6,
     42.4, 52.2, 55.9, 55.2, 54.9, 49.0, 62.6, 48.3, 50.2, 47.3, 50.7, 48.1, 66.3, 53.4, 36.5, 46.5, 38.7, 57.0, 61.0, 46.4]
# The multinomial case has feature C missing in these rows.
C_MISSING_ROWS = [3, 11, 26, 33]
Y_BINARY = [1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1]
Y_CLASS = [2, 2, 0, 2, 0, 0, 0, 2, 1, 0, 2, 0, 1, 0, 0, 1, 1, 2, 1, 1, 0, 0, 2, 0, 2, 1, 2, 0, 2, 1, 1, 2, 2, 0, 0, 1, 2, 1, 2, 2]
Y_REG = [2.69, 5.5, 0.36, 6.22, -1.64, -0.4, -0.44, 4.89, 1.62, -0.17, 5.47, 1.68, 2.06, 2.19, 1.37, 6.19, 2.47, 7.59, 4.15, 0.96,
         0.48, 2.07, 5.88, 1.17, 9.22, 2.99, 7.48, -0.82, 8.24, 1.42, 1.53, 2.95, 3.1, -3.08, 0.66, 2.85, 6.42, 3.04, 2.01, 6.61]
WEIGHTS = [2, 1, 2, 2, 1, 3, 1, 2, 1, 1, 2, 2, 1, 3, 1, 1, 3, 2, 1, 2, 2, 1, 3, 1, 2, 3, 1, 1, 2, 2, 2, 2, 3, 1, 2, 2, 2, 2, 2, 1]

X = np.column_stack([A, B, C])
X_MISSING = X.copy()
X_MISSING[C_MISSING_ROWS, 2] = NAN
w = np.array(WEIGHTS, dtype=float)


def raw_units(pipe, center):
    """Coefficients per raw unit (features, then indicators) and the raw score at the centre."""
    model = pipe[-1]
    coef = np.atleast_2d(model.coef_) / pipe.named_steps["standardscaler"].scale_
    score = pipe.predict if isinstance(model, Ridge) else pipe.decision_function
    at_center = np.atleast_1d(score(np.array([center]))).reshape(-1)
    if at_center.size > 1:
        at_center = at_center - at_center.mean()
    return coef, at_center


def show(name, coef, intercept):
    print(f"// {name}")
    print(f"weights: {json.dumps([float(f'{v:.12g}') for v in coef.reshape(-1)])},")
    print(f"intercept: {json.dumps([float(f'{v:.12g}') for v in intercept])},")


# scikit-learn's lbfgs stops on a relative decrease of f (scipy's ftol), a few 1e-6 short of the
# optimum here; newton-cg at tol 1e-8 gets within about 1e-9 of it (our GLM agrees with it to that).
SOLVERS = {"lbfgs": dict(solver="lbfgs", tol=1e-12, max_iter=100000), "newton-cg": dict(solver="newton-cg", tol=1e-8, max_iter=1000)}

for solver, kw in SOLVERS.items():
    # Binary, weighted, lambda = 1 (C = 1).
    binary = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, **kw))
    binary.fit(X, Y_BINARY, standardscaler__sample_weight=w, logisticregression__sample_weight=w)
    center = np.average(X, axis=0, weights=w)
    show(f"binary, weighted, lambda = 1, {solver}", *raw_units(binary, center))
    print(f"center: {json.dumps([float(f'{v:.15g}') for v in center])},")

    # Multinomial, C missing in 4 rows, lambda = 0.5 (C = 2).
    multi = make_pipeline(SimpleImputer(strategy="mean", add_indicator=True), StandardScaler(),
                          LogisticRegression(C=2.0, multi_class="multinomial", **kw))
    multi.fit(X_MISSING, Y_CLASS)
    center = np.nanmean(X_MISSING, axis=0)
    show(f"multinomial, feature 2 missing in 4 rows, lambda = 0.5, {solver}", *raw_units(multi, center))
    print(f"center: {json.dumps([float(f'{v:.15g}') for v in center])},")

# Ridge, weighted, lambda = 3.
ridge = make_pipeline(StandardScaler(), Ridge(alpha=3.0))
ridge.fit(X, Y_REG, standardscaler__sample_weight=w, ridge__sample_weight=w)
center = np.average(X, axis=0, weights=w)
show("ridge, weighted, lambda = 3", *raw_units(ridge, center))
