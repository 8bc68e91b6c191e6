"""KDE (issue 13): `syscorr kde fit` against KDEpy's FFTKDE on the same weighted points, and the resampling rate.

Interleaved rounds (the machine's speed drifts), medians:
  * 3-D, 64³ grid, N weighted points (PID-like in [0, 1], p, cosθ): `syscorr kde fit --input` as a whole process
    (reading the file, binning, smoothing, writing the HDF5 density) with given per-axis bandwidths and no
    boundary correction, and with the defaults (Silverman per axis, reflection);
  * KDEpy 1.1.12 `FFTKDE(bw=h).fit(x, weights=w).evaluate(64)` — one scalar bandwidth (its only choice; the axes
    are pre-scaled to the same spread so that one bandwidth fits), no boundary handling, its clock starting after
    the read;
  * `syscorr kde resample --input` of M simulated tracks (2 kinematic variables) as a whole process, reading and
    writing included: tracks per second.

Usage: python Benchmarks/kde_bench.py BIN [--n 1000000] [--m 5000000] [--rounds 5]
(needs numpy, h5py and KDEpy==1.1.12; `make bench-kde` installs them into .build/bench-venv).
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import tempfile
import time

import h5py
import numpy as np
from KDEpy import FFTKDE

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{p.stderr}")
    return time.perf_counter() - t0


def write(path, cols):
    with h5py.File(path, "w") as f:
        g = f.create_group("ntuple")
        for k, v in cols.items():
            g.create_dataset(k, data=v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--m", type=int, default=5_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    p = rng.gamma(3, 0.6, a.n)
    c = np.clip(rng.normal(0.2, 0.4, a.n), -0.86, 0.95)
    pid = rng.beta(5, 1.5 + p, a.n)
    w = rng.uniform(-0.2, 1.4, a.n)
    with tempfile.TemporaryDirectory(prefix="syscorr-kdebench-") as d:
        src = os.path.join(d, "data.h5")
        write(src, {"pid": pid, "p": p, "c": c, "w": w})
        mc = os.path.join(d, "mc.h5")
        write(mc, {"p": rng.gamma(3, 0.6, a.m), "c": np.clip(rng.normal(0.2, 0.4, a.m), -0.86, 0.95)})
        out = os.path.join(d, "k.h5")
        fixed = [a.bin, "kde", "fit", "--input", src, "--pid", "pid", "--vars", "p,c", "--weight", "w", "--grid", "64,64,64",
                 "--bandwidth", "0.05,0.15,0.05", "--boundary", "none", "--out", out, "--force"]
        auto = [a.bin, "kde", "fit", "--input", src, "--pid", "pid", "--vars", "p,c", "--weight", "w", "--grid", "64,64,64",
                "--out", out, "--force"]
        resample = [a.bin, "kde", "resample", "--input", mc, "--kde", out, "--column", "pid_rs",
                    "--out", os.path.join(d, "rs.h5"), "--force"]
        # KDEpy: one bandwidth for all axes, so the axes are scaled to unit spread first (a per-axis bandwidth
        # of 0.05/σ … in these units); positive weights only matter for its normalisation.
        x = np.column_stack([pid, p, c])
        x = (x - x.mean(0)) / x.std(0)
        t = {"fixed": [], "auto": [], "kdepy": [], "resample": []}
        for r in range(a.rounds):
            t["fixed"].append(run(fixed))
            t0 = time.perf_counter()
            FFTKDE(bw=0.15).fit(x, weights=w).evaluate(64)
            t["kdepy"].append(time.perf_counter() - t0)
            t["auto"].append(run(auto))
            t["resample"].append(run(resample))
            print(f"round {r + 1}: syscorr {t['fixed'][-1]:.3f} s (given bw) {t['auto'][-1]:.3f} s (auto, reflection) | "
                  f"KDEpy {t['kdepy'][-1]:.3f} s | resample {a.m / t['resample'][-1] / 1e6:.1f} M tracks/s", flush=True)
        med = {k: statistics.median(v) for k, v in t.items()}
    print()
    print("| points | syscorr kde fit, given bandwidths, no edge correction (whole process) | syscorr, Silverman + reflection | "
          "KDEpy FFTKDE (no I/O) | ratio | resample (whole process) |")
    print("|---|---|---|---|---|---|")
    print(f"| {a.n:,} (3-D, 64³) | {med['fixed']:.3f} s | {med['auto']:.3f} s | {med['kdepy']:.3f} s | "
          f"{med['kdepy'] / med['fixed']:.1f}× | {a.m:,} tracks in {med['resample']:.2f} s = {a.m / med['resample'] / 1e6:.1f} M/s |")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"kde-{datetime.date.today()}.jsonl"), "a") as f:
        f.write(json.dumps({"n": a.n, "m": a.m, "rounds": a.rounds, **med,
                            "date": datetime.datetime.now().isoformat(timespec="seconds")}) + "\n")


if __name__ == "__main__":
    main()
