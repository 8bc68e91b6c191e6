"""Interleaved rounds of `syscorr fit` against iminuit (and optionally a second syscorr build) on the same events.

The machine's speed moves by up to 2× within minutes (other builds share its two cores), so a ratio of medians
taken minutes apart can mislead. Each round here runs, back to back and in alternating order, the nominal fit of
BIN, of BASELINE (if given) and iminuit's MIGRAD + HESSE of the same extended NLL (Tests/interop/mass_models.py),
and keeps the ratios within the round; it prints every round, then the medians of the times and of the ratios.

The syscorr time is the nominal fit's MIGRAD + HESSE (multi-start included) as `fit --json` reports it
("seconds"), with its FCN and gradient calls; the sPlot time is splot.nominal.seconds of `fit --write-sweights`.

Usage: .build/venv/bin/python Benchmarks/fit_rounds.py BIN [--baseline BIN0] [--mode Dst] [--n 1000000]
       [--rounds 5] [--no-reference] [--sweights]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import h5py
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "interop"))
from mass_models import iminuit_fit  # noqa: E402


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--baseline", help="a second syscorr binary, timed in the same rounds")
    ap.add_argument("--mode", default="Dst")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-reference", action="store_true", help="skip iminuit")
    ap.add_argument("--sweights", action="store_true", help="also time the sPlot of each syscorr build")
    a = ap.parse_args()
    with open(os.path.join(HERE, "..", "schemas", "modes", f"{a.mode}.yaml")) as f:
        spec = yaml.safe_load(f)["fit"]
    lo, hi = spec["range"]
    col = spec["column"]
    builds = {"syscorr": a.bin} | ({"baseline": a.baseline} if a.baseline else {})
    with tempfile.TemporaryDirectory(prefix="syscorr-fitrounds-") as d:
        store = os.path.join(d, "store")
        run([a.bin, "generate", "--mode", a.mode, "--sample", "data", "--events", str(a.n), "--proc", "b",
             "--seed", "7", "--store", store])
        x = None
        if not a.no_reference:
            out = os.path.join(d, "x.h5")
            run([a.bin, "query", "--mode", a.mode, "--proc", "b", "--sample", "data", "--store", store,
                 "--cut", f"{lo} <= {col} && {col} <= {hi}", "--columns", col, "--out", out])
            with h5py.File(out) as f:
                x = f[f"ntuple/{col}"][()]
        times = {k: [] for k in [*builds, "iminuit"]}
        splot = {k: [] for k in builds}
        ratios = {k: [] for k in ["iminuit/syscorr", "baseline/syscorr"]}
        for r in range(a.rounds):
            order = list(builds) + ([] if a.no_reference else ["iminuit"])
            if r % 2:
                order.reverse()
            line = []
            for who in order:
                if who == "iminuit":
                    ref = iminuit_fit(x, spec)
                    times["iminuit"].append(ref.seconds)
                    line.append(f"iminuit {ref.seconds:.3f} s ({ref.calls} calls, nll {ref.nll_min:.4f})")
                    continue
                cmd = [builds[who], "fit", "--mode", a.mode, "--proc", "b", "--sample", "data", "--store", store,
                       "--cut", "", "--json"]
                rep = json.loads(run(cmd))
                times[who].append(rep["seconds"])
                text = (f"{who} {rep['seconds']:.3f} s ({rep['calls']} calls + {rep.get('gradient_calls', 0)} "
                        f"gradients, nll {rep['nll']:.4f})")
                if a.sweights:
                    s = json.loads(run(cmd + ["--write-sweights"]))["splot"]["nominal"]["seconds"]
                    splot[who].append(s)
                    text += f", sPlot {s * 1e3:.1f} ms"
                line.append(text)
            if not a.no_reference:
                ratios["iminuit/syscorr"].append(times["iminuit"][-1] / times["syscorr"][-1])
            if a.baseline:
                ratios["baseline/syscorr"].append(times["baseline"][-1] / times["syscorr"][-1])
            print(f"{a.mode} round {r + 1}: " + " | ".join(line), flush=True)
    print()
    print(f"{a.mode}, {a.n:,} events generated, {a.rounds} rounds, medians:")
    for k, v in times.items():
        if v:
            print(f"  {k}: {statistics.median(v):.3f} s (min {min(v):.3f}, max {max(v):.3f})")
    for k, v in splot.items():
        if v:
            print(f"  {k} sPlot: {statistics.median(v) * 1e3:.1f} ms (min {min(v) * 1e3:.1f})")
    for k, v in ratios.items():
        if v:
            print(f"  {k} per round: median {statistics.median(v):.2f}× (min {min(v):.2f}, max {max(v):.2f})")


if __name__ == "__main__":
    main()
