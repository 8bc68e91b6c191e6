"""Mass fits and sWeights: `syscorr fit` against iminuit + numpy and the `sweights` package on identical events.

For each model (D*: double Gaussian + Chebychev(2), K_S0: Johnson S_U + Gaussian + Chebychev(3) with the
mode's extra starting points) it generates N events with `syscorr generate` (no selection: every event in the
fit range is fitted), and times, interleaved over ROUNDS rounds:
  * `syscorr fit --json` as a whole process, and the nominal fit's MIGRAD + HESSE wall time it reports;
  * iminuit MIGRAD + HESSE of the same extended NLL written in numpy (errordef 0.5, strategy 1, tol 0.1,
    same start, same limits; for K_S0 the same list of starting points, lowest minimum kept);
  * sWeights: SysCorr's (time of `fit --write-sweights` minus `fit`) and `sweights.SWeight(method="summation")`.
Prints medians and ratios; appends JSON lines to Benchmarks/results/fit-*.jsonl.

Usage: .build/bench-venv/bin/python Benchmarks/fit_bench.py BIN [--n 1000000] [--rounds 3] [--models Dst,KS]
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

import h5py
import numpy as np
import yaml
from iminuit import Minuit
from scipy.special import erf
from sweights import SWeight

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return time.perf_counter() - t0, p.stdout


def gauss_norm(mu, s, lo, hi):
    r2 = np.sqrt(2.0)
    return s * np.sqrt(np.pi / 2) * (erf((hi - mu) / (r2 * s)) - erf((lo - mu) / (r2 * s)))


def johnson_cdf(x, mu, lam, gam, delta):
    z = gam + delta * np.arcsinh((x - mu) / lam)
    return 0.5 * (1 + erf(z / np.sqrt(2)))


def chebychev(x, cs, lo, hi):
    """RooChebychev on [lo, hi] normalised: 1 + Σ c_k T_k(t); ∫T_k over [-1,1] = 0 (odd k), 2/(1-k²) (even k)."""
    t = (2 * x - (lo + hi)) / (hi - lo)
    tkm1, tk, g = np.ones_like(t), t, np.ones_like(t)
    integral = 2.0
    for k, c in enumerate(cs, start=1):
        g = g + c * tk
        if k % 2 == 0:
            integral += c * 2 / (1 - k * k)
        tkm1, tk = tk, 2 * t * tk - tkm1
    return g / (integral * (hi - lo) / 2)


def models(lo, hi):
    def dst_signal(x, mu, s1, s2, f):
        return f * np.exp(-0.5 * ((x - mu) / s1) ** 2) / gauss_norm(mu, s1, lo, hi) + \
            (1 - f) * np.exp(-0.5 * ((x - mu) / s2) ** 2) / gauss_norm(mu, s2, lo, hi)

    def ks_signal(x, mu, lam, gam, delta, sigma, fj):
        u = (x - mu) / lam
        z = gam + delta * np.arcsinh(u)
        j = delta / (lam * np.sqrt(2 * np.pi) * np.sqrt(1 + u * u)) * np.exp(-0.5 * z * z)
        jn = johnson_cdf(hi, mu, lam, gam, delta) - johnson_cdf(lo, mu, lam, gam, delta)
        g = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / gauss_norm(mu, sigma, lo, hi)
        return fj * j / jn + (1 - fj) * g

    return {"doubleGaussian": (dst_signal, ["mu", "sigma1", "sigma2", "f"]),
            "johnsonSU+gaussian": (ks_signal, ["mu", "lambda", "gamma", "delta", "sigma", "fJohnson"])}


def iminuit_fit(x, spec):
    lo, hi = spec["range"]
    sig_fn, sig_names = models(lo, hi)[spec["signal"]["kind"]]
    setting = lambda p: p if isinstance(p, dict) else {"value": p}
    sig = {k: setting(v) for k, v in spec["signal"]["parameters"].items()}
    bkg = {k: setting(v) for k, v in spec["background"]["parameters"].items()}
    bkg_names = sorted(bkg, key=lambda k: int(k[1:]))
    n = len(x)
    names = ["ns"] + sig_names + ["nb"] + bkg_names

    def nll(*p):
        ns, sp, nb, bp = p[0], p[1:1 + len(sig_names)], p[1 + len(sig_names)], p[2 + len(sig_names):]
        d = ns * sig_fn(x, *sp) + nb * chebychev(x, bp, lo, hi)
        return 1e30 if np.any(d <= 0) else ns + nb - np.sum(np.log(d))

    start = [n / 2] + [sig[k]["value"] for k in sig_names] + [n / 2] + [bkg[k]["value"] for k in bkg_names]
    starts = [start]
    for extra in spec.get("starts", []):
        s = list(start)
        for k, v in extra.items():
            s[names.index(k)] = v
        starts.append(s)
    best, calls = None, 0
    t0 = time.perf_counter()
    for s0 in starts:
        offset = nll(*s0)
        m = Minuit(lambda *p: nll(*p) - offset, *s0, name=names)
        m.errordef, m.strategy, m.tol = Minuit.LIKELIHOOD, 1, 0.1
        for k in sig_names:
            if "limits" in sig[k]:
                m.limits[k] = tuple(sig[k]["limits"])
        for k in bkg_names:
            if "limits" in bkg[k]:
                m.limits[k] = tuple(bkg[k]["limits"])
        m.limits["ns"] = m.limits["nb"] = (0, 2 * n + 10)
        m.migrad()
        m.hesse()
        calls += m.fmin.nfcn
        value = m.fval + offset
        if best is None or (m.valid and value < best[0]):
            best = (value, m)
    seconds = time.perf_counter() - t0
    m = best[1]
    ns, sp, nb, bp = m.values[0], m.values[1:1 + len(sig_names)], m.values[1 + len(sig_names)], m.values[2 + len(sig_names):]
    return seconds, calls, m.valid, best[0], (lambda v: sig_fn(v, *sp)), (lambda v: chebychev(v, bp, lo, hi)), ns, nb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default="Dst,KS")
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
            t = {"syscorr_fit": [], "syscorr_fit_reported": [], "syscorr_sweights": [], "iminuit": [], "sweights": []}
            for r in range(a.rounds):
                wall, text = run(base)
                rep = json.loads(text)
                t["syscorr_fit"].append(wall)
                t["syscorr_fit_reported"].append(rep["seconds"])
                wall_w, _ = run(base + ["--write-sweights"])
                t["syscorr_sweights"].append(max(wall_w - wall, 0.0))
                secs, calls, valid, fval, fs, fb, ns, nb = iminuit_fit(x, spec)
                t["iminuit"].append(secs)
                t0 = time.perf_counter()
                SWeight(x, pdfs=[fs, fb], yields=[ns, nb], discvarranges=((lo, hi),), method="summation",
                        compnames=("s", "b"), verbose=False, checks=False).get_weight(0, x)
                t["sweights"].append(time.perf_counter() - t0)
                print(f"{mode} round {r + 1}: syscorr fit {wall:.2f} s (nominal MIGRAD+HESSE {rep['seconds']:.2f} s, "
                      f"{rep['calls']} calls, nll {rep['nll']:.4f}) | iminuit {secs:.2f} s ({calls} calls, valid {valid}, "
                      f"nll {fval:.4f}) | sWeights {t['syscorr_sweights'][-1]:.3f} s vs sweights {t['sweights'][-1]:.3f} s",
                      flush=True)
            med = {k: statistics.median(v) for k, v in t.items()}
            rows.append({"mode": mode, "events": len(x), "rounds": a.rounds, **med,
                         "date": datetime.datetime.now().isoformat(timespec="seconds")})
    print()
    print("| model | events | syscorr fit (process) | nominal MIGRAD+HESSE | iminuit MIGRAD+HESSE | ratio | sWeights syscorr | sweights pkg |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['events']:,} | {r['syscorr_fit']:.2f} s | {r['syscorr_fit_reported']:.2f} s | "
              f"{r['iminuit']:.2f} s | {r['iminuit'] / r['syscorr_fit_reported']:.1f}× | {r['syscorr_sweights']:.3f} s | "
              f"{r['sweights']:.3f} s |")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"fit-{datetime.date.today()}.jsonl"), "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
