"""The calibration modes' mass models written out in numpy, and their fit with iminuit: the independent
reference of `syscorr fit` in the interop tests (test_fit.py) and in Benchmarks/fit_bench.py.
Normalisations are analytic on the fit range, as SysCorr's: Gaussians by erf, Johnson S_U by its CDF,
RooChebychev (1 + Σ c_k T_k) by the integrals of T_k."""
import time

import numpy as np
from iminuit import Minuit
from scipy.special import erf


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

    def johnson_signal(x, mu, lam, gam, delta):
        u = (x - mu) / lam
        z = gam + delta * np.arcsinh(u)
        j = delta / (lam * np.sqrt(2 * np.pi) * np.sqrt(1 + u * u)) * np.exp(-0.5 * z * z)
        return j / (johnson_cdf(hi, mu, lam, gam, delta) - johnson_cdf(lo, mu, lam, gam, delta))

    return {"doubleGaussian": (dst_signal, ["mu", "sigma1", "sigma2", "f"]),
            "johnsonSU": (johnson_signal, ["mu", "lambda", "gamma", "delta"]),
            "johnsonSU+gaussian": (ks_signal, ["mu", "lambda", "gamma", "delta", "sigma", "fJohnson"])}


class Reference:
    """An iminuit fit: time, calls, validity, minimum NLL, fitted shapes and yields, values and errors by
    SysCorr's parameter names, and the NLL function itself (SysCorr's convention: Σ N − Σ ln D)."""

    def __init__(self, seconds, calls, valid, nll_min, signal, background, ns, nb, values, errors, nll):
        self.seconds, self.calls, self.valid, self.nll_min = seconds, calls, valid, nll_min
        self.signal, self.background, self.ns, self.nb = signal, background, ns, nb
        self.values, self.errors, self.nll = values, errors, nll


def iminuit_fit(x, spec):
    """MIGRAD + HESSE of the mode model `spec` (a mode file's `fit` section) on x, from the same start, limits
    and extra starting points as SysCorr (yields start at N/2 within [0, 2N + 10]); lowest valid minimum kept."""
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
    # SysCorr's names: signal.yield, signal.<p>, background.yield, background.<p>
    syscorr_names = (["signal.yield"] + [f"signal.{k}" for k in sig_names] + ["background.yield"]
                     + [f"background.{k}" for k in bkg_names])
    return Reference(seconds, calls, m.valid, best[0], lambda v: sig_fn(v, *sp), lambda v: chebychev(v, bp, lo, hi),
                     ns, nb, dict(zip(syscorr_names, m.values)), dict(zip(syscorr_names, m.errors)), nll)
