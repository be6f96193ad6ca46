"""Peer for `npm run bench -- csv`: numpy's C loadtxt reads the same CSV into a float64 matrix."""
import json
import resource
import sys
import time

import numpy as np

path = sys.argv[1]
t0 = time.perf_counter()
m = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rows": int(m.shape[0]), "columns": int(m.shape[1]),
                  "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
