"""Peer of `npm run bench -- recipe`: the hydraulic recipe's cycle means with the Python
standard library (zipfile) and numpy, streaming each sensor file line by line like ours.

usage: recipe_peer.py ARCHIVE OUT.csv
Writes the same CSV (17 cycle means, then the five labels) and prints one JSON line:
seconds (inside the script), maxRssBytes (resource.getrusage), rows, sha256.
"""
import hashlib
import io
import json
import posixpath
import resource
import sys
import time
import zipfile

import numpy as np

SENSORS = [
    ("PS1.txt", "psa_bar", 6000), ("PS2.txt", "psb_bar", 6000), ("PS3.txt", "psc_bar", 6000),
    ("PS4.txt", "psd_bar", 6000), ("PS5.txt", "pse_bar", 6000), ("PS6.txt", "psf_bar", 6000),
    ("FS1.txt", "fsa_vol_flow", 600), ("FS2.txt", "fsb_vol_flow", 600),
    ("TS1.txt", "tsa_temp", 60), ("TS2.txt", "tsb_temp", 60), ("TS3.txt", "tsc_temp", 60),
    ("TS4.txt", "tsd_temp", 60), ("EPS1.txt", "pump_eff", 6000), ("VS1.txt", "vs_vib", 60),
    ("CE.txt", "cool_eff_pct", 60), ("CP.txt", "cool_pwr_pct", 60), ("SE.txt", "eff_fact_pct", 60),
]
LABELS = ["cool_cond_y", "valve_cond_y", "pump_leak_y", "acc_gas_leak_y", "stable_y"]


def main():
    archive, out = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    digest = hashlib.sha256()
    with open(archive, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)

    with zipfile.ZipFile(archive) as z:
        names = {}
        for name in z.namelist():
            base = posixpath.basename(name)
            if name.endswith("/") or base.startswith("._") or "__MACOSX" in name.split("/"):
                continue
            names[base] = name
        with z.open(names["profile.txt"]) as f:
            labels = [line.split("\t") for line in io.TextIOWrapper(f, encoding="ascii").read().split("\n") if line]
        labels = [[int(v) for v in row] for row in labels]
        cycles = len(labels)
        means = []
        for file, _column, samples in SENSORS:
            col = np.empty(cycles)
            i = 0
            with z.open(names[file]) as f:  # zipfile checks the CRC-32 as it reads
                for line in io.TextIOWrapper(f, encoding="ascii"):
                    x = np.array(line.rstrip("\n").split("\t"), dtype=np.float64)
                    if x.size != samples:
                        raise SystemExit(f"{file} line {i + 1}: {x.size} samples, expected {samples}")
                    col[i] = x.mean()
                    i += 1
            if i != cycles:
                raise SystemExit(f"{file} has {i} cycles, profile.txt has {cycles}")
            means.append(col)

    with open(out, "w") as f:
        f.write(",".join([c for _, c, _ in SENSORS] + LABELS) + "\n")
        for r in range(cycles):
            f.write(",".join([repr(float(m[r])) for m in means] + [str(v) for v in labels[r]]) + "\n")

    seconds = time.perf_counter() - t0
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    print(json.dumps({"seconds": seconds, "maxRssBytes": max_rss, "rows": cycles, "sha256": digest.hexdigest()}))


if __name__ == "__main__":
    main()
