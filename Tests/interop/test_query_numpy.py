"""`syscorr query` against numpy on generated data: counts, weighted sums,
N-D histograms with flow bins, efficiencies, UHI histogram files, exported
computed columns, and thread-count invariance."""
import json
import os
import unittest

import boost_histogram as bh
import h5py
import numpy as np
import uhi.io.hdf5

from common import TempDir, run, run_json

COLS = ["D0_K_p", "D0_K_cosTheta", "D0_K_kaonID", "D0_K_pionID", "D0_K_dz", "D0_K_dr", "D0_K_charge",
        "D0_K_nCDCHits", "D0_M", "isSignal", "__event__", "massDifference__bo0__bc"]


class QueryAgainstNumpy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        d = cls._tmp.__enter__()
        cls.store = os.path.join(d, "store")
        run("generate", "--mode", "Dst", "--sample", "mc", "--events", 300_000, "--proc", "p", "--seed", 9, "--files", 2,
            store=cls.store)
        out = os.path.join(d, "cols.h5")
        run("export", "--mode", "Dst", "--out", out, "--columns", ",".join(COLS), "--codec", "none", store=cls.store)
        with h5py.File(out, "r") as f:
            cls.c = {k: f["ntuple"][k][()] for k in COLS}
        cls.dir = d

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def q(self, *args):
        return run_json("query", "--mode", "Dst", *args, store=self.store)

    def test_counts_follow_numpy_nan_rules(self):
        c = self.c
        with np.errstate(invalid="ignore"):
            cases = {
                "D0_K_kaonID > 0.2": c["D0_K_kaonID"] > 0.2,
                "!(D0_K_kaonID > 0.2)": ~(c["D0_K_kaonID"] > 0.2),
                "D0_K_kaonID != 0.5": c["D0_K_kaonID"] != 0.5,
                "isnan(D0_K_kaonID)": np.isnan(c["D0_K_kaonID"]),
                "isSignal": (c["isSignal"] != 0) & ~np.isnan(c["isSignal"]),
                "[abs(D0_K_dz) < 4] and [0.1439 < massDifference__bo0__bc < 0.1469]":
                    (np.abs(c["D0_K_dz"]) < 4) & (0.1439 < c["massDifference__bo0__bc"]) & (c["massDifference__bo0__bc"] < 0.1469),
                "D0_K_kaonID > 0.2 && D0_K_charge > 0 && abs(D0_K_dz) < 4 && D0_K_nCDCHits > 20":
                    (c["D0_K_kaonID"] > 0.2) & (c["D0_K_charge"] > 0) & (np.abs(c["D0_K_dz"]) < 4) & (c["D0_K_nCDCHits"] > 20),
                "D0_K_p**2 * (1 - D0_K_cosTheta^2) > 1 || D0_K_pionID >= 0.9":
                    (c["D0_K_p"] ** 2 * (1 - c["D0_K_cosTheta"] ** 2) > 1) | (c["D0_K_pionID"] >= 0.9),
                "__event__ % 7 == 3": c["__event__"].astype(np.int64) % 7 == 3,
                "where(D0_K_p > 2, D0_K_kaonID, D0_K_pionID) > 0.5":
                    np.where(c["D0_K_p"] > 2, c["D0_K_kaonID"], c["D0_K_pionID"]) > 0.5,
            }
        for cut, mask in cases.items():
            self.assertEqual(self.q("--cut", cut, "--count")["entries"], int(mask.sum()), cut)

    def test_example_alias_file(self):
        c = self.c
        aliases = os.path.join(os.path.dirname(__file__), "..", "..", "data-samples", "dst-aliases.txt")
        r = self.q("--alias-file", aliases, "--cut", "goodK && signalRegion && K_pid > 0.2", "--count")
        with np.errstate(invalid="ignore"):
            dm = c["massDifference__bo0__bc"]
            mask = ((c["D0_K_dr"] < 2) & (np.abs(c["D0_K_dz"]) < 4) & (c["D0_K_nCDCHits"] > 20)
                    & (0.1439 < dm) & (dm < 0.1469) & (1.8 < c["D0_M"]) & (c["D0_M"] < 1.95) & (c["D0_K_kaonID"] > 0.2))
        self.assertEqual(r["entries"], int(mask.sum()))

    def test_weighted_sums_and_thread_invariance(self):
        c = self.c
        w = c["D0_K_kaonID"] - 0.3
        mask = np.abs(c["D0_K_dz"]) < 4
        w_sel = w[mask & ~np.isnan(w)]
        r1 = self.q("--cut", "abs(D0_K_dz) < 4 && !isnan(D0_K_kaonID)", "--weight", "D0_K_kaonID - 0.3", "--count", "--threads", "1")
        r2 = self.q("--cut", "abs(D0_K_dz) < 4 && !isnan(D0_K_kaonID)", "--weight", "D0_K_kaonID - 0.3", "--count", "--threads", "2")
        self.assertEqual(r1, r2)  # bit-identical, not merely close
        self.assertAlmostEqual(r1["sum_w"], float(np.sum(w_sel.astype(np.longdouble))), delta=1e-9 * abs(r1["sum_w"]))
        self.assertAlmostEqual(r1["sum_w2"], float(np.sum(w_sel.astype(np.longdouble) ** 2)), delta=1e-9 * r1["sum_w2"])

    def test_2d_histogram_with_flow_bins(self):
        c = self.c
        p_edges = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5]
        r = self.q("--hist", "D0_K_p", "--edges", ",".join(map(str, p_edges)),
                   "--hist", "D0_K_kaonID", "--bins", "4", "--range", "0,1")["histogram"]
        ip = np.searchsorted(p_edges, c["D0_K_p"], side="right")  # 0 underflow ... 8 overflow
        k = c["D0_K_kaonID"]
        with np.errstate(invalid="ignore"):
            ik = np.where(k < 0, 0, np.where(k >= 1, 5, np.floor(k * 4) + 1))
        ik = np.where(np.isnan(k), 5, ik).astype(int)  # NaN goes to overflow, as boost-histogram
        expect = np.zeros((9, 6))
        np.add.at(expect, (ip, ik), 1)
        self.assertEqual(np.array(r["sum_w"]).reshape(9, 6).tolist(), expect.tolist())

    def test_efficiency_and_uhi_files_match_numpy(self):
        c = self.c
        edges = [0.5, 1.0, 2.0, 4.5]
        out = os.path.join(self.dir, "eff.h5")
        nan_weights = self.q("--cut", "abs(D0_K_dz) < 4", "--weight", "D0_K_pionID + 0.5", "--count")
        self.assertEqual(nan_weights["sum_w"], "nan")  # NaN weights propagate (JSON "nan"), never silently dropped
        r = self.q("--cut", "abs(D0_K_dz) < 4 && !isnan(D0_K_pionID)", "--weight", "D0_K_pionID + 0.5", "--pass", "D0_K_kaonID > 0.6",
                   "--hist", "D0_K_p", "--edges", ",".join(map(str, edges)), "--out", out)["efficiencies"]
        w = c["D0_K_pionID"] + 0.5
        sel = (np.abs(c["D0_K_dz"]) < 4) & ~np.isnan(w)
        with np.errstate(invalid="ignore"):
            ok = sel & (c["D0_K_kaonID"] > 0.6)
        for b in range(3):
            inb = (c["D0_K_p"] >= edges[b]) & (c["D0_K_p"] < edges[b + 1])
            wt, st = w[sel & inb].sum(), (w[sel & inb] ** 2).sum()
            wp, sp = w[ok & inb].sum(), (w[ok & inb] ** 2).sum()
            e = wp / wt
            err = np.sqrt(abs((1 - 2 * e) * sp + e * e * st)) / wt
            self.assertAlmostEqual(r["cuts"][0]["efficiency"][b + 1], e, delta=1e-12)
            self.assertAlmostEqual(r["cuts"][0]["error"][b + 1], err, delta=1e-12)
        with h5py.File(out, "r") as f:
            total = bh.Histogram(uhi.io.hdf5.read(f["total"]))
            passing = bh.Histogram(uhi.io.hdf5.read(f["pass_1"]))
        self.assertEqual(list(total.axes[0].edges), edges)
        np.testing.assert_allclose(passing.values() / total.values(), r["cuts"][0]["efficiency"][1:-1], rtol=1e-14)
        np.testing.assert_allclose(total.variances(flow=True), r["total"]["sum_w2"], rtol=1e-14)

    def test_exported_rows_and_computed_columns(self):
        c = self.c
        out = os.path.join(self.dir, "rows.h5")
        res = self.q("--cut", "D0_K_kaonID > 0.9 && D0_K_p < 2", "--columns",
                     "D0_K_p,__event__,pt=D0_K_p*sqrt(1 - D0_K_cosTheta**2),hi=D0_K_p > 1,m=max(D0_M, 1.86)", "--out", out)
        with np.errstate(invalid="ignore"):
            mask = (c["D0_K_kaonID"] > 0.9) & (c["D0_K_p"] < 2)
        self.assertEqual(res["entries"], int(mask.sum()))
        with h5py.File(out, "r") as f:
            g = f["ntuple"]
            self.assertEqual(g["D0_K_p"][()].tobytes(), c["D0_K_p"][mask].tobytes())
            self.assertEqual(g["__event__"].dtype, np.uint32)
            self.assertEqual(g["__event__"][()].tolist(), c["__event__"][mask].tolist())
            np.testing.assert_allclose(g["pt"][()], c["D0_K_p"][mask] * np.sqrt(1 - c["D0_K_cosTheta"][mask] ** 2), rtol=1e-15)
            self.assertEqual(g["hi"].dtype, np.bool_)
            self.assertEqual(g["hi"][()].tolist(), (c["D0_K_p"][mask] > 1).tolist())
            self.assertEqual(g["m"][()].tolist(), np.maximum(c["D0_M"][mask], 1.86).tolist())
            self.assertEqual(g["D0_K_p"].attrs["unit"], "GeV/c")


if __name__ == "__main__":
    unittest.main()
