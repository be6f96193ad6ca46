"""Peer for `npm run bench -- run-scale`: pandas' read_csv (Debian's python3-pandas, C engine)
reads the same CSV into a DataFrame, as a Python user would before fitting anything."""
import json
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
t0 = time.perf_counter()
df = pd.read_csv(path)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rows": int(df.shape[0]), "columns": int(df.shape[1]),
                  "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
