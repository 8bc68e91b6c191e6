"""`syscorr fit` against independent references on one generated D* sample:
the same extended NLL minimised by iminuit (MIGRAD + HESSE), sWeights from the
`sweights` package, and the sWeighted kaon-ID efficiency against the truth the
generator recorded. Plus the bad inputs: each a clear error, nothing written."""
import json
import os
import unittest

import h5py
import numpy as np
import yaml
from iminuit import Minuit
from scipy.special import erf
from sweights import SWeight

from common import TempDir, run, run_json

HERE = os.path.dirname(os.path.abspath(__file__))
DST = os.path.join(HERE, "..", "..", "schemas", "modes", "Dst.yaml")
EDGES = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5]


def gauss_norm(mu, s, lo, hi):
    r2 = np.sqrt(2.0)
    return s * np.sqrt(np.pi / 2) * (erf((hi - mu) / (r2 * s)) - erf((lo - mu) / (r2 * s)))


class Model:
    """The nominal D* model written out in numpy: double Gaussian + RooChebychev(2) on [lo, hi]."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def signal(self, x, mu, s1, s2, f):
        lo, hi = self.lo, self.hi
        g1 = np.exp(-0.5 * ((x - mu) / s1) ** 2) / gauss_norm(mu, s1, lo, hi)
        g2 = np.exp(-0.5 * ((x - mu) / s2) ** 2) / gauss_norm(mu, s2, lo, hi)
        return f * g1 + (1 - f) * g2

    def background(self, x, c1, c2):
        lo, hi = self.lo, self.hi
        t = (2 * x - (lo + hi)) / (hi - lo)
        return (1 + c1 * t + c2 * (2 * t * t - 1)) / ((hi - lo) * (1 - c2 / 3))


NAMES = ["signal.yield", "signal.mu", "signal.sigma1", "signal.sigma2", "signal.f",
         "background.yield", "background.c1", "background.c2"]


class FitAgainstReferences(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.dir = cls._tmp.__enter__()
        cls.store = os.path.join(cls.dir, "store")
        run("generate", "--mode", "Dst", "--sample", "data", "--events", 150000, "--proc", "p", "--seed", 11,
            store=cls.store)
        cls.report = run_json("fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--write-sweights",
                              store=cls.store)
        out = os.path.join(cls.dir, "fitted.h5")
        run("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit",
            "--columns", "D0_M,sweight,sweight_bkg,sweight_syst", "--out", out, store=cls.store)
        with h5py.File(out) as f:
            cls.x = f["ntuple/D0_M"][()]
            cls.sw = np.vstack([f["ntuple/sweight"][()], f["ntuple/sweight_bkg"][()]])

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def swift_values(self):
        r = self.report
        entries = r["parameters"] | {f"{k}.yield": v for k, v in r["yields"].items()}
        return np.array([entries[n]["value"] for n in NAMES]), np.array([entries[n]["error"] for n in NAMES])

    def test_report_and_outputs(self):
        r = self.report
        self.assertEqual(r["status"], "valid")
        self.assertLess(r["edm"], r["edm_max"])
        self.assertEqual(r["events"], len(self.x))
        self.assertEqual(r["systematic"]["status"], "valid")
        self.assertEqual(r["sweights"], "sweights_v1")
        self.assertEqual(set(r["covariance"]["names"]), set(NAMES))
        for kind in ["fit_results", "plots", "validation"]:
            self.assertTrue(os.path.exists(os.path.join(self.store, kind, "p_Dst_data.json")), kind)
        self.assertTrue(os.path.exists(os.path.join(self.store, "plots", "p_Dst_data.svg")))
        db = run_json("show-db", store=self.store)
        self.assertEqual(db["sets"][0]["friends"], ["sweights_v1"])
        # rows outside the fit carry weight 0, never NaN
        n = run_json("query", "--mode", "Dst", "--proc", "p", "--sample", "data",
                     "--cut", "!in_fit && (sweight != 0 || sweight_bkg != 0 || isnan(sweight_syst))", store=self.store)
        self.assertEqual(n["entries"], 0)

    def test_minimum_matches_iminuit(self):
        with open(DST) as f:
            spec = yaml.safe_load(f)["fit"]
        lo, hi = spec["range"]
        m = Model(lo, hi)
        x = self.x
        n = len(x)

        def nll(ns, mu, s1, s2, f, nb, c1, c2):
            d = ns * m.signal(x, mu, s1, s2, f) + nb * m.background(x, c1, c2)
            return 1e30 if np.any(d <= 0) else ns + nb - np.sum(np.log(d))

        def setting(p):
            return p if isinstance(p, dict) else {"value": p}

        sig = {k: setting(v) for k, v in spec["signal"]["parameters"].items()}
        bkg = {k: setting(v) for k, v in spec["background"]["parameters"].items()}
        start = [n / 2, sig["mu"]["value"], sig["sigma1"]["value"], sig["sigma2"]["value"], sig["f"]["value"],
                 n / 2, bkg["c1"]["value"], bkg["c2"]["value"]]
        offset = nll(*start)
        mi = Minuit(lambda *p: nll(*p) - offset, *start, name=NAMES)
        mi.errordef = Minuit.LIKELIHOOD
        mi.strategy, mi.tol = 1, 0.1
        for name, s in [("signal." + k, v) for k, v in sig.items()] + [("background." + k, v) for k, v in bkg.items()]:
            if "limits" in s:
                mi.limits[name] = tuple(s["limits"])
        mi.limits["signal.yield"] = mi.limits["background.yield"] = (0, 2 * n + 10)
        mi.migrad()
        mi.hesse()
        self.assertTrue(mi.valid)
        sv, se = self.swift_values()
        iv, ie = np.array(mi.values), np.array(mi.errors)
        shift = np.abs(sv - iv) / ie
        print(f"\nfit vs iminuit ({n} events): max |Δ|/σ = {shift.max():.2e}, max |σ ratio − 1| = "
              f"{np.abs(se / ie - 1).max():.2e}, Δ(−2 ln L) = {2 * (nll(*sv) - nll(*iv)):.2e}; "
              f"calls {self.report['calls']} vs {mi.fmin.nfcn}")
        self.assertLess(shift.max(), 0.02, dict(zip(NAMES, shift)))
        np.testing.assert_allclose(se, ie, rtol=0.02)
        # −2 ln L at the two minima, and the NLL SysCorr reports (same convention)
        self.assertLessEqual(2 * (nll(*sv) - nll(*iv)), 1e-3)
        self.assertAlmostEqual(self.report["nll"], nll(*sv), delta=1e-6 * abs(nll(*sv)))

    def test_sweights_match_the_sweights_package(self):
        r = self.report
        lo, hi = r["range"]
        m = Model(lo, hi)
        p = r["parameters"]
        fs = lambda v: m.signal(v, p["signal.mu"]["value"], p["signal.sigma1"]["value"], p["signal.sigma2"]["value"],
                                p["signal.f"]["value"])
        fb = lambda v: m.background(v, p["background.c1"]["value"], p["background.c2"]["value"])
        yields = [r["splot"]["nominal"]["yields"]["signal"], r["splot"]["nominal"]["yields"]["background"]]
        ref = SWeight(self.x, pdfs=[fs, fb], yields=yields, discvarranges=((lo, hi),), method="summation",
                      compnames=("sig", "bkg"), verbose=False, checks=False)
        w = np.vstack([ref.get_weight(0, self.x), ref.get_weight(1, self.x)])
        print(f"\nsWeights vs the sweights package: max |Δw| = {np.abs(w - self.sw).max():.2e}")
        self.assertLess(np.abs(w - self.sw).max(), 5e-4)
        # both checks: Σ_e w_n = N_n, Σ_n w_n(e) = 1
        np.testing.assert_allclose(self.sw.sum(axis=1), yields, rtol=1e-9)
        self.assertLess(np.abs(self.sw.sum(axis=0) - 1).max(), 1e-9)
        self.assertLess(r["splot"]["nominal"]["max_unit_sum_deviation"], 1e-9)

    def test_sweighted_efficiency_matches_generator_truth(self):
        common = ["--mode", "Dst", "--proc", "p", "--sample", "data"]
        eff = run_json("query", *common, "--cut", "in_fit && !isnan(D0_K_kaonID)", "--weight", "sweight",
                       "--pass", "D0_K_kaonID > 0.2", "--hist", "D0_K_p", "--edges", ",".join(map(str, EDGES)),
                       store=self.store)["efficiencies"]["cuts"][0]
        truth = {t["p_min"]: t["efficiency_data"] for t in run_json(
            "truth", *common, "--variable", "kaonID", "--species", 321, "--threshold", 0.2, store=self.store)}
        pulls = [(eff["efficiency"][b + 1] - truth[lo]) / eff["error"][b + 1] for b, lo in enumerate(EDGES[:-1])]
        # the generator's truth counts tracks with a PID value (0.3 % are NaN, as in basf2)
        self.assertLess(max(abs(q) for q in pulls), 3.5, pulls)
        self.assertLess(np.mean(np.square(pulls)), 2.5, pulls)


class FitBadInput(unittest.TestCase):
    def test_each_mistake_is_a_clear_error_and_nothing_is_written(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            run("generate", "--mode", "Dst", "--sample", "mc", "--events", 20000, "--proc", "p", "--seed", 3, store=store)
            common = ["fit", "--mode", "Dst", "--proc", "p", "--sample", "mc", "--write-sweights"]

            def fails(*args, message):
                p = run(*common, *args, store=store, check=False)
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertTrue(p.stderr.startswith("error: "), p.stderr)
                self.assertIn(message, p.stderr)

            fails("--cut", "D0_M > 5", message="no candidate passes the selection 'D0_M > 5'")
            fails("--range", "2.5,2.6", message="no selected candidate has D0_M in [2.5, 2.6]")
            fails("--cut", "selection && D0_K_kaonD > 0.5", message="did you mean 'D0_K_kaonID'")
            bad = os.path.join(d, "model.yaml")
            with open(DST) as f:
                spec = yaml.safe_load(f)["fit"]
            spec["signal"]["kind"] = "doubleGausian"
            with open(bad, "w") as f:
                yaml.safe_dump(spec, f)
            fails("--model", bad, message="signal.kind: unknown shape kind 'doubleGausian'")
            with open(DST) as f:
                spec = yaml.safe_load(f)["fit"]
            spec["signal"]["parameters"]["sigma1"]["limits"] = [0.02, 0.001]
            with open(bad, "w") as f:
                yaml.safe_dump(spec, f)
            fails("--model", bad, message="signal.parameters.sigma1: lower limit above upper limit")
            self.assertEqual(run_json("show-db", store=store)["sets"][0]["friends"], [])
            for kind in ["fit_results", "plots", "validation"]:
                folder = os.path.join(store, kind)
                self.assertEqual(os.listdir(folder) if os.path.isdir(folder) else [], [], kind)
            p = run("fit", "--input", os.path.join(d, "x.h5"), "--mode", "Dst", "--write-sweights", check=False)
            self.assertIn("error: --write-sweights adds columns to a store set", p.stderr)


if __name__ == "__main__":
    unittest.main()
