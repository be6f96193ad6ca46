"""The Python runtime's part of `npm run bench -- scorer`.

Usage: scorer_runtime.py RUNTIME_DIR PIPELINE.json ROWS.json
Imports automl_scorer from RUNTIME_DIR (pipelines/runtimes/python), loads the pipeline and times
`score_batch` on the rows of ROWS.json (written by bench/scorer-child.ts: rows as a list of
dicts, with our scorer's outputs), best of 3. Prints one JSON line: rows/s and the largest
absolute difference from our outputs.
"""
import json
import sys
import time

REPEATS = 3


def main():
    runtime_dir, pipeline_path, rows_path = sys.argv[1:4]
    sys.path.insert(0, runtime_dir)
    import automl_scorer

    with open(rows_path) as f:
        data = json.load(f)
    rows, expected = data["rows"], data["outputs"]
    scorer = automl_scorer.load(pipeline_path)
    seconds = float("inf")
    out = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = scorer.score_batch(rows)
        seconds = min(seconds, time.perf_counter() - t0)
    flat = [float(v) for row in out for v in row]
    diff = max((abs(a - b) for a, b in zip(flat, expected)), default=float("nan"))
    if len(flat) != len(expected):
        diff = float("inf")
    print(json.dumps({"rowsPerSecond": len(rows) / seconds, "rows": len(rows), "maxAbsDiff": diff}))


if __name__ == "__main__":
    main()
