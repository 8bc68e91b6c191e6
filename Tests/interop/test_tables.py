"""`syscorr efficiency` and `syscorr weights` (issue 12) against independent truth: numpy on the exported
columns (1e-12), scipy's Beta quantiles for Clopper–Pearson, the generator's true efficiencies and data/MC
ratios, boost-histogram reading the UHI file, and a PIDVar-style application of the written weight table
to simulation that reproduces the data efficiency."""
import csv
import json
import os
import unittest

import boost_histogram as bh
import h5py
import numpy as np
import uhi.io.hdf5
from scipy import stats

from common import TempDir, run, run_json

P_EDGES = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5]
COS_EDGES = [-0.866, 0, 0.5, 0.9563]


def weighted_eff(pw, pw2, tw, tw2):
    e = pw / tw
    return e, np.sqrt(np.abs((1 - 2 * e) * pw2 + e * e * tw2)) / np.abs(tw)


def bin_sums(x, y, w, passed, xe, ye):
    """Σw, Σw² of all and of passing tracks in [lo, hi) bins, C order (x slowest)."""
    ix = np.searchsorted(xe, x, side="right") - 1
    iy = np.searchsorted(ye, y, side="right") - 1
    ok = (ix >= 0) & (ix < len(xe) - 1) & (iy >= 0) & (iy < len(ye) - 1)
    flat = ix[ok] * (len(ye) - 1) + iy[ok]
    n = (len(xe) - 1) * (len(ye) - 1)
    w = w[ok]
    p = passed[ok]
    return (np.bincount(flat, w, n), np.bincount(flat, w * w, n),
            np.bincount(flat, np.where(p, w, 0), n), np.bincount(flat, np.where(p, w * w, 0), n))


class Tables(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.d = cls._tmp.__enter__()
        cls.store = os.path.join(cls.d, "store")
        for sample, proc, seed in [("data", "p", 21), ("mc", "m", 22)]:
            run("generate", "--mode", "Dst", "--sample", sample, "--proc", proc, "--events", 120000, "--seed", seed,
                store=cls.store)
            run("fit", "--mode", "Dst", "--proc", proc, "--sample", sample, "--write-sweights", store=cls.store)
        run("generate", "--mode", "KS", "--sample", "mc", "--proc", "m", "--events", 30000, "--seed", 23, store=cls.store)
        cls.cols = {}
        for sample, proc in [("data", "p"), ("mc", "m")]:
            out = os.path.join(cls.d, f"{sample}.h5")
            extra = ",D0_K_mcPDG,D0_pi_mcPDG" if sample == "mc" else ""
            run("query", "--mode", "Dst", "--proc", proc, "--sample", sample, "--out", out, "--columns",
                "D0_K_p,D0_K_cosTheta,D0_K_kaonID,D0_K_charge,D0_pi_p,D0_pi_cosTheta,D0_pi_kaonID,sweight,sweight_syst,in_fit"
                + extra, store=cls.store)
            with h5py.File(out) as f:
                cls.cols[sample] = {k: f["ntuple"][k][()] for k in f["ntuple"] if not k.startswith("_")}

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def eff(self, *args, sample="data", proc="p"):
        return run_json("efficiency", "--mode", "Dst", "--proc", proc, "--sample", sample, *args, store=self.store)

    def test_weighted_tables_match_numpy(self):
        t = self.eff("--particle", "K", "--weight", "sweight", "--select", "in_fit", "--cut", "kaonID > 0.2",
                     "--cut", "kaonID > 0.6", "--precut", "charge > 0", "--precut", "", "--bin",
                     "p=" + ",".join(map(str, P_EDGES)), "--bin", "cosTheta=" + ",".join(map(str, COS_EDGES)))
        c = self.cols["data"]
        sel = c["in_fit"].astype(bool)
        self.assertEqual(t["entries"], int(sel.sum()))
        for table in t["tables"]:
            keep = sel & ((c["D0_K_charge"] > 0) if table["precut"] else True)
            thr = float(table["cut"].split(">")[1])
            tw, tw2, pw, pw2 = bin_sums(c["D0_K_p"][keep], c["D0_K_cosTheta"][keep], c["sweight"][keep],
                                        c["D0_K_kaonID"][keep] > thr, P_EDGES, COS_EDGES)
            e, s = weighted_eff(pw, pw2, tw, tw2)
            bins = table["bins"]
            self.assertEqual(len(bins), len(tw))
            got = {k: np.array([b[k] for b in bins]) for k in ("total_sum_w", "total_sum_w2", "pass_sum_w", "efficiency", "error")}
            np.testing.assert_allclose(got["total_sum_w"], tw, rtol=1e-12)
            np.testing.assert_allclose(got["total_sum_w2"], tw2, rtol=1e-12)
            np.testing.assert_allclose(got["pass_sum_w"], pw, rtol=1e-12)
            np.testing.assert_allclose(got["efficiency"], e, rtol=1e-12)
            np.testing.assert_allclose(got["error"], s, rtol=1e-10)

    def test_two_tracks_clopper_pearson_and_uhi_file(self):
        # the pions of K_S0: both tracks fill the table; unweighted → Clopper–Pearson
        out = os.path.join(self.d, "ks.h5")
        t = run_json("efficiency", "--mode", "KS", "--proc", "m", "--sample", "mc", "--particle", "pi",
                     "--cut", "pionID > 0.5", "--bin", "p=0.2,0.5,1,2,4", "--out", out, store=self.store)
        self.assertEqual(t["tracks"], ["pi_0", "pi_1"])
        cols = os.path.join(self.d, "ks-cols.h5")
        run("query", "--mode", "KS", "--proc", "m", "--sample", "mc", "--columns", "pi_0_p,pi_1_p,pi_0_pionID,pi_1_pionID",
            "--out", cols, store=self.store)
        with h5py.File(cols) as f:
            p = np.concatenate([f["ntuple/pi_0_p"][()], f["ntuple/pi_1_p"][()]])
            pid = np.concatenate([f["ntuple/pi_0_pionID"][()], f["ntuple/pi_1_pionID"][()]])
        edges = [0.2, 0.5, 1, 2, 4]
        n, _ = np.histogram(p[(p >= 0.2) & (p < 4)], edges)
        k, _ = np.histogram(p[(pid > 0.5) & (p >= 0.2) & (p < 4)], edges)
        bins = t["tables"][0]["bins"]
        np.testing.assert_array_equal([b["total_sum_w"] for b in bins], n)
        np.testing.assert_array_equal([b["pass_sum_w"] for b in bins], k)
        a = 1 - 0.6826894921370859
        lo = stats.beta.ppf(a / 2, k, n - k + 1)
        hi = stats.beta.ppf(1 - a / 2, k + 1, n - k)
        eff = k / n
        np.testing.assert_allclose([b["error_low"] for b in bins], eff - lo, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose([b["error_high"] for b in bins], hi - eff, rtol=1e-9, atol=1e-14)
        with h5py.File(out) as f:
            total = bh.Histogram(uhi.io.hdf5.read(f["total"]))
            passing = bh.Histogram(uhi.io.hdf5.read(f["pass_1"]))
        np.testing.assert_array_equal(total.values(), n)
        np.testing.assert_array_equal(passing.values(), k)
        np.testing.assert_allclose(total.axes[0].edges, edges)

    def test_fake_rate_by_true_species(self):
        t = self.eff("--particle", "pi", "--true-species", "pi", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5",
                     sample="mc", proc="m")
        c = self.cols["mc"]
        true_pi = np.abs(c["D0_pi_mcPDG"]) == 211
        n, _ = np.histogram(c["D0_pi_p"][true_pi], [0.5, 1, 2, 4.5])
        k, _ = np.histogram(c["D0_pi_p"][true_pi & (c["D0_pi_kaonID"] > 0.6)], [0.5, 1, 2, 4.5])
        bins = t["tables"][0]["bins"]
        np.testing.assert_array_equal([b["total_sum_w"] for b in bins], n)
        np.testing.assert_array_equal([b["pass_sum_w"] for b in bins], k)
        self.assertTrue(all(b["efficiency"] < 0.2 for b in bins))  # a fake rate

    def weights(self, d, *args):
        paths = {k: os.path.join(d, k) for k in ("w.csv", "pv.csv", "pw.json")}
        w = run_json("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--weight", "sweight",
                     "--select", "in_fit && !isnan(D0_K_kaonID)", *args, "--out", paths["w.csv"], "--pidvar", paths["pv.csv"],
                     "--particle-weighting", paths["pw.json"], store=self.store)
        return w, paths

    def test_weights_match_truth_and_reproduce_data_when_applied(self):
        with TempDir() as d:
            w, paths = self.weights(d, "--cut", "kaonID > 0.2", "--cut", "kaonID > 0.6", "--bin",
                                    "p=" + ",".join(map(str, P_EDGES)))
            self.assertEqual(w["systematic_weight"], "sweight_syst")
            # against the generator's true data/MC ratio per p bin (0.3 % NaN PID removed by the selection)
            for table in w["tables"]:
                truth = {r["p_min"]: r["efficiency_data"] / r["efficiency_mc"] for r in run_json(
                    "truth", "Dst", "--proc", "p", "--sample", "data", "--variable", "kaonID", "--species", 321,
                    "--threshold", table["threshold"], store=self.store)}
                pulls = [(b["ratio"] - truth[b["lower"][0]]) / np.hypot(b["stat_up"], b["sys_up"]) for b in table["bins"]]
                self.assertLess(max(map(abs, pulls)), 4, pulls)
                # the ratio and its statistical error from the two efficiencies, as numpy computes them
                for b in table["bins"]:
                    self.assertAlmostEqual(b["ratio"], b["data_efficiency"] / b["mc_efficiency"], delta=1e-14)
                    rel = np.hypot(b["data_error"] / b["data_efficiency"], b["mc_error_low"] / b["mc_efficiency"])
                    self.assertAlmostEqual(b["stat_up"], b["ratio"] * rel, delta=1e-14)
                    self.assertAlmostEqual(b["sys_up"], abs(b["data_efficiency_systematic"] / b["mc_efficiency"] - b["ratio"]), delta=1e-14)

            # PIDVar: per MC track, the ratio of its (lo, hi] bin for the cut's variable/threshold; the weighted MC
            # efficiency then equals the data efficiency (within the data's uncertainty)
            with open(paths["pv.csv"]) as f:
                rows = [r for r in csv.DictReader(f) if r["variable"] == "kaonID" and float(r["threshold"]) == 0.6]
            edges = sorted({float(r["p_min"]) for r in rows} | {float(r["p_max"]) for r in rows})
            ratio = np.array([float(r["data_MC_ratio"]) for r in sorted(rows, key=lambda r: float(r["p_min"]))])
            m, dt = self.cols["mc"], self.cols["data"]
            sel_m = m["in_fit"].astype(bool) & ~np.isnan(m["D0_K_kaonID"]) & (m["D0_K_p"] > edges[0]) & (m["D0_K_p"] <= edges[-1])
            idx = np.digitize(m["D0_K_p"][sel_m], edges, right=True) - 1
            wm = m["sweight"][sel_m]
            passed = m["D0_K_kaonID"][sel_m] > 0.6
            corrected = np.sum(wm * passed * ratio[idx]) / np.sum(wm)
            sel_d = dt["in_fit"].astype(bool) & ~np.isnan(dt["D0_K_kaonID"]) & (dt["D0_K_p"] >= edges[0]) & (dt["D0_K_p"] < edges[-1])
            wd = dt["sweight"][sel_d]
            pd = dt["D0_K_kaonID"][sel_d] > 0.6
            data_eff, data_err = weighted_eff(np.sum(wd * pd), np.sum(wd * wd * pd), np.sum(wd), np.sum(wd * wd))
            raw = np.sum(wm * passed) / np.sum(wm)
            self.assertLess(abs(corrected - data_eff), 3 * data_err + 2e-3, (corrected, data_eff, data_err, raw))

            # ParticleWeighting: one table per cut, every bin once, [min, max) limits, out-of-range entry
            with open(paths["pw.json"]) as f:
                pw = json.load(f)
            self.assertEqual([t["tableName"] for t in pw], ["PID_K_kaonID_0p2", "PID_K_kaonID_0p6"])
            spec = pw[1]["tableIDSpec"]
            self.assertEqual([e[1] for e in spec], list(range(len(P_EDGES) - 1)))
            self.assertEqual([e[0][1]["p"] for e in spec], [[lo, hi] for lo, hi in zip(P_EDGES, P_EDGES[1:])])
            np.testing.assert_allclose([e[0][0]["Weight"] for e in spec], [b["ratio"] for b in w["tables"][1]["bins"]], rtol=1e-15)
            self.assertEqual(pw[1]["outOfRangeWeight"]["valid"], 0)
            with open(paths["w.csv"]) as f:
                full = list(csv.DictReader(f))
            self.assertEqual(len(full), 2 * (len(P_EDGES) - 1))
            self.assertIn("data_MC_uncertainty_sys_dn", full[0])

    def test_fixed_weights_workflow(self):
        with TempDir() as d:
            config = os.path.join(d, "fw.yaml")
            with open(os.path.join(os.path.dirname(__file__), "..", "..", "data-samples", "workflows", "fixed_weights.yaml")) as f:
                text = f.read().replace("proc12", "p").replace("MC15ri", "m")
            with open(config, "w") as f:
                f.write(text)
            out = run_json("fw", "-w", "fixed_weights", config, store=self.store)
            self.assertEqual([t["status"] for t in out["tasks"]], ["done"] * 3)
            # one scan per sample for the entry's K and π (nominal and systematic weight on data)
            self.assertRegex(out["tasks"][0]["details"]["scans"],
                             r"data [0-9.]+ ms \(2 particles × 2 weights\), simulation [0-9.]+ ms \(2 particles\), one scan each")
            wd = os.path.join(d, "weights")
            self.assertTrue(os.path.exists(os.path.join(wd, "fixed_weights.html")))
            # the workflow's PIDVar table (first precut: none) is what `syscorr weights` writes for the same request
            bins = ["--bin", "p=0.5,1.0,1.5,2.0,3.0,4.5", "--bin", "cosTheta=-0.866,0.0,0.5,0.9563"]
            pv = os.path.join(d, "pv.csv")
            run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "pi", "--weight", "sweight",
                "--select", "in_fit", "--cut", "kaonID > 0.2", "--cut", "kaonID > 0.6", *bins, "--pidvar", pv, store=self.store)
            # (equal to rounding, 1e-12 of the ratio: the workflow's cells group the additions by its three precuts)
            with open(pv) as a, open(os.path.join(wd, "kaonID_pi_fakerate_precut0_pidvar.csv")) as b:
                ra, rb = list(csv.DictReader(a)), list(csv.DictReader(b))
            self.assertEqual(len(ra), len(rb))
            for x, y in zip(ra, rb):
                self.assertEqual(x.keys(), y.keys())
                for k in x:
                    try:
                        fx, fy = float(x[k]), float(y[k])
                    except ValueError:
                        self.assertEqual(x[k], y[k])
                        continue
                    self.assertTrue(fx == fy or abs(fx - fy) <= 1e-12 * max(abs(fx), abs(fy), 1.0), (k, x[k], y[k]))
            with open(os.path.join(wd, "kaonID_K_efficiency_precut1_particleweighting.json")) as f:
                self.assertEqual(json.load(f)[0]["tableName"], "kaonID_K_efficiency_precut1_kaonID_0p2")
            with open(os.path.join(wd, "binaryPID_K_pi_K_efficiency_weights.csv")) as f:
                rows = list(csv.DictReader(f))
            self.assertEqual({r["variable"] for r in rows}, {"binaryPID(321, 211)"})
            # resumable: nothing to do on a rerun
            again = run_json("fw", "-w", "fixed_weights", config, store=self.store)
            self.assertEqual({t["status"] for t in again["tasks"]}, {"skipped (up to date)"})
            # a located configuration error, and nothing written
            bad = os.path.join(d, "bad.yaml")
            with open(bad, "w") as f:
                f.write(text.replace("weight_dir: weights", "weight_dir: other").replace("cuts: [\"kaonID", "cutz: [\"kaonID"))
            p = run("fw", "-w", "fixed_weights", bad, store=self.store, check=False)
            self.assertIn("weight_cfg_list[0].cutz: unknown key", p.stderr)
            self.assertIn("did you mean 'cuts'?", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "other")))

    def test_roc_matches_numpy_and_bootstrap(self):
        thresholds = [0, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99]
        roc = run_json("roc", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--particle", "K", "--misid-particle", "pi",
                       "--true-species", "K", "--misid-true-species", "pi", "--var", "kaonID",
                       "--thresholds", ",".join(map(str, thresholds)), store=self.store)
        c = self.cols["mc"]
        sig = c["D0_K_kaonID"][np.abs(c["D0_K_mcPDG"]) == 321]
        mis = c["D0_pi_kaonID"][np.abs(c["D0_pi_mcPDG"]) == 211]
        curve = roc["curves"][0]
        eff = np.array([np.sum(sig > t) for t in thresholds]) / len(sig)
        fake = np.array([np.sum(mis > t) for t in thresholds]) / len(mis)
        np.testing.assert_allclose([p["efficiency"] for p in curve["points"]], eff, rtol=1e-12)
        np.testing.assert_allclose([p["misid"] for p in curve["points"]], fake, rtol=1e-12)
        # AUC: trapezoids from (0, 0) through the points (highest threshold first) to (1, 1)
        x = np.concatenate([[0], fake[::-1], [1]])
        y = np.concatenate([[0], eff[::-1], [1]])
        auc = np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)
        self.assertAlmostEqual(curve["auc"], auc, delta=1e-12)
        # its error against a bootstrap of both samples
        rng = np.random.default_rng(3)
        reps = []
        for _ in range(300):
            s = rng.choice(sig, len(sig))
            m = rng.choice(mis, len(mis))
            e = np.array([np.mean(s > t) for t in thresholds])
            f = np.array([np.mean(m > t) for t in thresholds])
            xx = np.concatenate([[0], f[::-1], [1]])
            yy = np.concatenate([[0], e[::-1], [1]])
            reps.append(np.sum(np.diff(xx) * (yy[1:] + yy[:-1]) / 2))
        self.assertAlmostEqual(curve["auc_error"] / np.std(reps), 1, delta=0.2)

    def test_tables_with_empty_bins_are_read_back(self):
        """A table with an empty bin (NaN ratio, "nan" in its JSON) is read by multitrack and combine; tracks in
        that bin are flagged as having no ratio."""
        with TempDir() as d:
            table = os.path.join(d, "w.json")
            run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--weight", "sweight",
                "--select", "in_fit", "--cut", "kaonID > 0.6", "--bin", "p=0.5,2,4.5,1000,2000", "--out", table,
                store=self.store)
            with open(table) as f:
                self.assertIn('"nan"', f.read())
            mc = os.path.join(d, "mc.h5")
            x = np.array([1.0, 3.0, 1500.0, 7000.0])
            with h5py.File(mc, "w") as f:
                f.create_group("ntuple").create_dataset("K_p", data=x)
            out = os.path.join(d, "mt.h5")
            summary = run_json("multitrack", "--input", mc, "--track", "K", "--table", table, "--out", out)
            self.assertEqual((summary["valid"], summary["no_ratio"]["K"], summary["outside"]["K"]), (2, 1, 1))
            merged = os.path.join(d, "merged.json")
            run("combine", table, table, "--out", merged)
            with open(merged) as f:
                self.assertIn('"nan"', f.read())

    def test_multitrack_weights_match_numpy(self):
        with TempDir() as d:
            table = os.path.join(d, "w.json")
            run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--weight", "sweight",
                "--select", "in_fit", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5", "--bin", "cosTheta=-0.866,0,0.9563",
                "--out", table, store=self.store)
            with open(table) as f:
                w = json.load(f)
            bins = {tuple(b["index"]): b for b in w["tables"][0]["bins"]}
            mc = os.path.join(d, "mc.h5")
            run("export", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--columns",
                "D0_K_p,D0_K_cosTheta,D0_pi_p,D0_pi_cosTheta", "--out", mc, store=self.store)
            out = os.path.join(d, "mt.h5")
            summary = run_json("multitrack", "--input", mc, "--track", "D0_K", "--track", "D0_pi", "--table", table,
                               "--out", out)
            with h5py.File(mc) as f, h5py.File(out) as g:
                x = {k: f["ntuple"][k][()] for k in ("D0_K_p", "D0_K_cosTheta", "D0_pi_p", "D0_pi_cosTheta")}
                got = {k: g["ntuple"][k][()] for k in g["ntuple"] if not k.startswith("_")}
            pe, ce = [0.5, 1, 2, 4.5], [-0.866, 0, 0.9563]
            n = len(x["D0_K_p"])
            want = np.full(n, np.nan)
            stat = np.full(n, np.nan)
            sys_ = np.full(n, np.nan)
            for i in range(n):
                keys = []
                for t in ("D0_K", "D0_pi"):
                    ip = np.searchsorted(pe, x[t + "_p"][i], side="right") - 1
                    ic = np.searchsorted(ce, x[t + "_cosTheta"][i], side="right") - 1
                    if not (0 <= ip < 3 and 0 <= ic < 2):
                        break
                    keys.append((ip, ic))
                else:
                    r = [bins[k]["ratio"] for k in keys]
                    want[i] = np.prod(r)
                    # same bin: fully correlated (the relative errors add linearly)
                    rel = {}
                    for k in keys:
                        rel[k] = rel.get(k, 0) + bins[k]["stat_up"] / bins[k]["ratio"]
                    stat[i] = abs(want[i]) * np.sqrt(sum(v * v for v in rel.values()))
                    sys_[i] = abs(want[i]) * sum(bins[k]["sys_up"] / bins[k]["ratio"] for k in keys)
            np.testing.assert_allclose(got["pid_weight"], want, rtol=1e-13, equal_nan=True)
            np.testing.assert_allclose(got["pid_weight_stat_up"], stat, rtol=1e-12, equal_nan=True)
            np.testing.assert_allclose(got["pid_weight_sys_up"], sys_, rtol=1e-12, equal_nan=True)
            self.assertEqual(summary["valid"], int(np.sum(~np.isnan(want))))
            self.assertEqual(int(np.sum(got["pid_weight_valid"])), summary["valid"])
            self.assertAlmostEqual(summary["mean_weight"], np.nanmean(want), delta=1e-12)
            # a store set gets a friend version, usable as a weight
            run("multitrack", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--track", "K", "--track", "pi",
                "--table", table, store=self.store)
            q = run_json("query", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--cut", "pid_weight_valid",
                         "--weight", "pid_weight", store=self.store)
            self.assertAlmostEqual(q["sum_w"], np.nansum(want), delta=1e-9 * abs(np.nansum(want)))

    def test_combine_merges_compares_and_converts(self):
        with TempDir() as d:
            common = ["--particle", "K", "--weight", "sweight", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5"]
            halves = []
            for k, parity in enumerate(["0", "1"]):
                path = os.path.join(d, f"half{k}.json")
                self.eff(*common, "--select", f"in_fit && __event__ % 2 == {parity}", "--out", path)
                halves.append(path)
            whole = self.eff(*common, "--select", "in_fit")
            merged = run_json("combine", *halves, "--out", os.path.join(d, "merged.csv"))
            for a, b in zip(merged["tables"][0]["bins"], whole["tables"][0]["bins"]):
                for k in ("total_sum_w", "pass_sum_w", "efficiency", "error"):
                    self.assertAlmostEqual(a[k], b[k], delta=1e-12 * max(1, abs(b[k])))
            with open(os.path.join(d, "merged.csv")) as f:
                self.assertEqual(len(list(csv.DictReader(f))), 3)
            # luminosity-weighted mean
            lum = run_json("combine", *halves, "--luminosity", "1,3")
            h = [json.load(open(p)) for p in halves]
            for i, b in enumerate(lum["tables"][0]["bins"]):
                e = [x["tables"][0]["bins"][i] for x in h]
                self.assertAlmostEqual(b["efficiency"], (e[0]["efficiency"] + 3 * e[1]["efficiency"]) / 4, delta=1e-14)
                self.assertAlmostEqual(b["error"], np.hypot(e[0]["error"], 3 * e[1]["error"]) / 4, delta=1e-14)
            # difference of the halves: consistent with zero
            diff = run_json("combine", *halves, "--difference")
            for i, b in enumerate(diff["tables"][0]["bins"]):
                e = [x["tables"][0]["bins"][i] for x in h]
                self.assertAlmostEqual(b["value"], e[0]["efficiency"] - e[1]["efficiency"], delta=1e-15)
                self.assertLess(abs(b["value"]) / b["error"], 4)
            # weight tables of the halves merge by precision
            wpaths = []
            for k, parity in enumerate(["0", "1"]):
                path = os.path.join(d, f"w{k}.json")
                run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", *common,
                    "--select", f"in_fit && __event__ % 2 == {parity}", "--out", path, store=self.store)
                wpaths.append(path)
            wm = run_json("combine", *wpaths, "--pidvar", os.path.join(d, "pv.csv"))
            ws = [json.load(open(p)) for p in wpaths]
            for i, b in enumerate(wm["tables"][0]["bins"]):
                r = np.array([w["tables"][0]["bins"][i]["ratio"] for w in ws])
                s = np.array([max(w["tables"][0]["bins"][i]["stat_up"], w["tables"][0]["bins"][i]["stat_down"]) for w in ws])
                self.assertAlmostEqual(b["ratio"], np.sum(r / s**2) / np.sum(1 / s**2), delta=1e-13)
                self.assertAlmostEqual(b["stat_up"], np.sqrt(np.sum((s**-2 * np.array(
                    [w["tables"][0]["bins"][i]["stat_up"] for w in ws]))**2)) / np.sum(s**-2), delta=1e-13)
            self.assertTrue(os.path.exists(os.path.join(d, "pv.csv")))
            p = run("combine", halves[0], wpaths[0], check=False)
            self.assertIn("mix of efficiency and weight tables", p.stderr)

    def test_bad_requests_are_clear_errors(self):
        def fails(*args, message):
            p = run("efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", *args, store=self.store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertTrue(p.stderr.startswith("error: "), p.stderr)
            self.assertIn(message, p.stderr)
        fails("--particle", "X", "--cut", "kaonID > 0.2", message="no track 'X'; the mode's tracks: K, pi, pi_slow")
        fails("--particle", "K", "--cut", "kaonID > 0.2", "--bin", "pp=0,1", message="the track D0_K has no column D0_K_pp")
        fails("--particle", "K", "--cut", "kaonID > 0.2", "--true-species", "K",
              message="needs the simulation's truth column D0_K_mcPDG")
        fails("--particle", "K", "--cut", "kaonID > 0.2", "--bin", "p=1,0", message="--bin p:")
        fails("--particle", "K", "--cut", "kaonID > 0.2", "--out", os.path.join(self.d, "t.txt"), message="write a table as .csv, .json, .h5")
        fails("--particle", "K", message="give at least one --cut")
        p = run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--cut", "kaonID > 0.2",
                "--precut", "charge > 0", "--pidvar", os.path.join(self.d, "never.csv"), store=self.store, check=False)
        self.assertIn("PIDVar and ParticleWeighting tables have no precuts", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.d, "never.csv")))


class LeptonTables(unittest.TestCase):
    """τ 3x1 has no mass peak: the lepton efficiency of the probe track in data comes from subtracting the
    simulation's other species (scaled to the data), and must agree with the generator's truth."""

    def test_lepton_id_by_background_subtraction_matches_truth(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            run("generate", "--mode", "tau3x1", "--sample", "data", "--proc", "p", "--events", 300000, "--seed", 31, store=store)
            run("generate", "--mode", "tau3x1", "--sample", "mc", "--proc", "m", "--events", 300000, "--seed", 32, store=store)
            edges = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5]
            for variable, species, pdg in [("electronID", "e", 11), ("muonID", "mu", 13)]:
                t = run_json("efficiency", "--mode", "tau3x1", "--proc", "p", "--sample", "data", "--particle", "probe",
                             "--select", "selection && !isnan(tau_1_pi_" + variable + ")", "--true-species", species,
                             "--subtract-mc-proc", "m", "--cut", f"{variable} > 0.5",
                             "--bin", "p=" + ",".join(map(str, edges)), store=store)
                self.assertIn(f"not |PDG| {pdg}", t["subtracted"])
                truth = {r["p_min"]: r["efficiency_data"] for r in run_json(
                    "truth", "tau3x1", "--proc", "p", "--sample", "data", "--variable", variable, "--species", pdg,
                    "--threshold", 0.5, store=store)}
                pulls = [(b["efficiency"] - truth[b["lower"][0]]) / b["error"] for b in t["tables"][0]["bins"]]
                self.assertLess(max(map(abs, pulls)), 4, (variable, pulls))
                self.assertLess(np.mean(np.square(pulls)), 3, (variable, pulls))


if __name__ == "__main__":
    unittest.main()
