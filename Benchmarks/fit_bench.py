"""Mass fits and sWeights: `syscorr fit` against iminuit + numpy and the `sweights` package on identical events.

For each model (D*: double Gaussian + Chebychev(2), K_S0: Johnson S_U + Gaussian + Chebychev(3) with the
mode's extra starting points) it generates N events with `syscorr generate` (no selection: every event in the
fit range is fitted), and times, interleaved over ROUNDS rounds:
  * `syscorr fit --json` as a whole process, and the nominal fit's MIGRAD + HESSE wall time it reports;
  * iminuit MIGRAD + HESSE of the same extended NLL written in numpy (errordef 0.5, strategy 1, tol 0.1,
    same start, same limits; for K_S0 the same list of starting points, lowest minimum kept);
  * sWeights: SysCorr's (time of `fit --write-sweights` minus `fit`, and the nominal sPlot computation's own
    wall time that `fit --json` reports as splot.nominal.seconds) and `sweights.SWeight(method="summation")`.
Prints medians and ratios; appends JSON lines to Benchmarks/results/fit-*.jsonl.
--no-reference skips iminuit and the sweights package (for sizes where iminuit takes minutes).

Usage: .build/bench-venv/bin/python Benchmarks/fit_bench.py BIN [--n 1000000] [--rounds 3] [--models Dst,KS]
       [--no-reference]
(`make bench-fit` installs the venv's packages and runs it.)
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import tempfile
import time

import sys

import h5py
import yaml
from sweights import SWeight

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "interop"))
from mass_models import iminuit_fit  # noqa: E402  (the numpy reference models, shared with the tests)


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return time.perf_counter() - t0, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default="Dst,KS")
    ap.add_argument("--no-reference", action="store_true", help="skip iminuit and the sweights package")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="syscorr-fitbench-") as d:
        store = os.path.join(d, "store")
        for mode in a.models.split(","):
            with open(os.path.join(HERE, "..", "schemas", "modes", f"{mode}.yaml")) as f:
                spec = yaml.safe_load(f)["fit"]
            run([a.bin, "generate", "--mode", mode, "--sample", "data", "--events", str(a.n), "--proc", "b",
                 "--seed", "7", "--store", store])
            out = os.path.join(d, f"{mode}.h5")
            lo, hi = spec["range"]
            col = spec["column"]
            run([a.bin, "query", "--mode", mode, "--proc", "b", "--sample", "data", "--store", store,
                 "--cut", f"{lo} <= {col} && {col} <= {hi}", "--columns", col, "--out", out])
            with h5py.File(out) as f:
                x = f[f"ntuple/{col}"][()]
            base = [a.bin, "fit", "--mode", mode, "--proc", "b", "--sample", "data", "--store", store, "--cut", "", "--json"]
            t = {"syscorr_fit": [], "syscorr_fit_reported": [], "syscorr_sweights": [], "syscorr_splot": [],
                 "iminuit": [], "sweights": []}
            for r in range(a.rounds):
                wall, text = run(base)
                rep = json.loads(text)
                t["syscorr_fit"].append(wall)
                t["syscorr_fit_reported"].append(rep["seconds"])
                wall_w, text_w = run(base + ["--write-sweights"])
                t["syscorr_sweights"].append(max(wall_w - wall, 0.0))
                t["syscorr_splot"].append(json.loads(text_w)["splot"]["nominal"]["seconds"])
                line = (f"{mode} round {r + 1}: syscorr fit {wall:.2f} s (nominal MIGRAD+HESSE {rep['seconds']:.2f} s, "
                        f"{rep['calls']} calls + {rep.get('gradient_calls', 0)} gradients, nll {rep['nll']:.4f})")
                if not a.no_reference:
                    ref = iminuit_fit(x, spec)
                    secs, calls, valid, fval, fs, fb, ns, nb = (ref.seconds, ref.calls, ref.valid, ref.nll_min,
                                                               ref.signal, ref.background, ref.ns, ref.nb)
                    t["iminuit"].append(secs)
                    t0 = time.perf_counter()
                    SWeight(x, pdfs=[fs, fb], yields=[ns, nb], discvarranges=((lo, hi),), method="summation",
                            compnames=("s", "b"), verbose=False, checks=False).get_weight(0, x)
                    t["sweights"].append(time.perf_counter() - t0)
                    line += f" | iminuit {secs:.2f} s ({calls} calls, valid {valid}, nll {fval:.4f})"
                line += f" | sPlot {t['syscorr_splot'][-1] * 1e3:.1f} ms, sWeights written {t['syscorr_sweights'][-1]:.3f} s"
                if not a.no_reference:
                    line += f" vs sweights {t['sweights'][-1]:.3f} s"
                print(line, flush=True)
            med = {k: statistics.median(v) if v else None for k, v in t.items()}
            rows.append({"mode": mode, "events": len(x), "rounds": a.rounds, **med,
                         "date": datetime.datetime.now().isoformat(timespec="seconds")})
    print()
    print("| model | events | syscorr fit (process) | nominal MIGRAD+HESSE | iminuit MIGRAD+HESSE | ratio | sPlot (nominal) | sWeights written | sweights pkg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ref = r["iminuit"] is not None
        iminuit = f"{r['iminuit']:.2f} s" if ref else "—"
        ratio = f"{r['iminuit'] / r['syscorr_fit_reported']:.1f}×" if ref else "—"
        package = f"{r['sweights']:.3f} s" if ref else "—"
        print(f"| {r['mode']} | {r['events']:,} | {r['syscorr_fit']:.2f} s | {r['syscorr_fit_reported']:.2f} s | "
              f"{iminuit} | {ratio} | {r['syscorr_splot'] * 1e3:.1f} ms | {r['syscorr_sweights']:.3f} s | {package} |")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"fit-{datetime.date.today()}.jsonl"), "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
