"""`syscorr plot` (issue 12) against numpy on the exported columns: the written histograms (JSON beside the
SVG, and the UHI file read by boost-histogram) equal numpy's weighted histograms to 1e-12, density
normalisation, overlaid selections, --particle rewriting, the data/simulation scaling and ratio with its
errors; the SVG parses as XML; bad input is refused with a located message and nothing is written."""
import json
import os
import unittest
import xml.etree.ElementTree as ET

import boost_histogram as bh
import h5py
import numpy as np
import uhi.io.hdf5

from common import TempDir, run

COLUMNS = "D0_M,D0_K_p,D0_K_kaonID,D0_K_charge,D0_pi_p,sweight,in_fit"


def close(a, b, rel=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.all((np.abs(a - b) <= rel * np.maximum(np.abs(b), 1e-300)) | (np.isnan(a) & np.isnan(b)))


def hist(x, w, edges):
    """Σw, Σw² in [lo, hi) bins, and the under/overflow Σw (NaN counted as overflow, as boost-histogram)."""
    x = np.asarray(x, dtype=float)
    w = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    inside = (x >= edges[0]) & (x < edges[-1])
    sw, _ = np.histogram(x[inside], bins=edges, weights=w[inside])
    sw2, _ = np.histogram(x[inside], bins=edges, weights=w[inside] ** 2)
    return sw, sw2, w[x < edges[0]].sum(), w[~(x < edges[-1])].sum()


class Plot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.d = cls._tmp.__enter__()
        cls.store = os.path.join(cls.d, "store")
        cls.cols = {}
        for sample, proc, seed in [("data", "p", 31), ("mc", "m", 32)]:
            run("generate", "--mode", "Dst", "--sample", sample, "--proc", proc, "--events", 40000, "--seed", seed,
                store=cls.store)
            run("fit", "--mode", "Dst", "--proc", proc, "--sample", sample, "--write-sweights", store=cls.store)
            out = os.path.join(cls.d, f"{sample}.h5")
            run("query", "--mode", "Dst", "--proc", proc, "--sample", sample, "--out", out, "--columns", COLUMNS,
                store=cls.store)
            with h5py.File(out) as f:
                cls.cols[sample] = {k: f["ntuple"][k][()] for k in f["ntuple"] if not k.startswith("_")}

        run("generate", "--mode", "KS", "--sample", "data", "--proc", "p", "--events", 20000, "--seed", 33, store=cls.store)
        out = os.path.join(cls.d, "ks-columns.h5")
        run("query", "--mode", "KS", "--proc", "p", "--sample", "data", "--out", out, "--columns",
            "pi_0_p,pi_1_p,pi_0_charge,pi_1_charge", store=cls.store)
        with h5py.File(out) as f:
            cls.cols["ks"] = {k: f["ntuple"][k][()] for k in f["ntuple"] if not k.startswith("_")}

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def plot(self, name, *args, check=True):
        svg = os.path.join(self.d, name + ".svg")
        p = run("plot", "--mode", "Dst", "--proc", "p", *args, "--out", svg, store=self.store, check=check)
        if not check:
            return p, svg
        with open(svg[:-4] + ".json") as f:
            return json.load(f), svg

    def test_weighted_histograms_scaling_and_ratio_match_numpy(self):
        edges = np.linspace(0.5, 4.5, 21)
        j, svg = self.plot("p", "--mc-proc", "m", "--particle", "K", "--expr", "p", "--bins", 20, "--range", "0.5,4.5",
                           "--weight", "sweight", "--select", "in_fit")
        self.assertEqual(j["expressions"], ["D0_K_p"])
        self.assertTrue(close(j["edges"], edges, 1e-15))
        sums = {}
        for sample in ["data", "mc"]:
            c = self.cols[sample]
            sel = c["in_fit"].astype(bool)
            sw, sw2, under, over = hist(c["D0_K_p"][sel], c["sweight"][sel], edges)
            h = j[sample][0]
            self.assertEqual(h["entries"], int(sel.sum()))
            self.assertTrue(close(h["sum_w"], sw), sample)
            self.assertTrue(close(h["sum_w2"], sw2), sample)
            self.assertTrue(close([h["underflow"], h["overflow"]], [under, over], 1e-11), sample)
            sums[sample] = (sw, sw2)
        # the simulation scaled to the data's in-range Σw; ratio errors from both samples in quadrature
        (d, d2), (m, m2) = sums["data"], sums["mc"]
        scale = d.sum() / m.sum()
        self.assertTrue(close(j["mc"][0]["scale"], scale))
        self.assertTrue(close(j["mc"][0]["values"], m * scale))
        self.assertTrue(close(j["mc"][0]["errors"], np.sqrt(m2) * scale))
        self.assertTrue(close(j["data"][0]["values"], d))
        r = d / (m * scale)
        err = np.sqrt(d2 / (m * scale) ** 2 + d ** 2 * m2 * scale ** 2 / (m * scale) ** 4)
        self.assertTrue(close(j["ratios"][0]["values"], r))
        self.assertTrue(close(j["ratios"][0]["errors"], err))
        # the same histograms in the UHI file, flow bins included
        with h5py.File(svg[:-4] + ".h5") as f:
            for sample in ["data", "mc"]:
                h = bh.Histogram(uhi.io.hdf5.read(f[sample]))
                self.assertTrue(close(h.axes[0].edges, edges, 1e-15))
                self.assertTrue(close(h.values(), sums[sample][0]))
                self.assertTrue(close(h.variances(), sums[sample][1]))
                self.assertTrue(close(h.values(flow=True)[[0, -1]], [j[sample][0]["underflow"], j[sample][0]["overflow"]]))

    def test_density_overlays_and_variable_edges(self):
        edges = [0.5, 1, 1.5, 2, 3, 4.5]
        j, _ = self.plot("dens", "--mc-proc", "m", "--expr", "D0_K_p", "--edges", ",".join(map(str, edges)), "--density",
                         "--overlay", "D0_K_charge > 0", "--overlay", "D0_K_charge < 0 && D0_pi_p > 1")
        self.assertEqual([h["selection"] for h in j["data"]], ["D0_K_charge > 0", "D0_K_charge < 0 && D0_pi_p > 1"])
        for sample in ["data", "mc"]:
            c = self.cols[sample]
            masks = [c["D0_K_charge"] > 0, (c["D0_K_charge"] < 0) & (c["D0_pi_p"] > 1)]
            for h, mask in zip(j[sample], masks):
                x = c["D0_K_p"][mask]
                x = x[(x >= edges[0]) & (x < edges[-1])]
                density, _ = np.histogram(x, bins=edges, density=True)
                self.assertTrue(close(h["values"], density), (sample, h["selection"]))
                self.assertEqual(h["entries"], int(mask.sum()))
                self.assertAlmostEqual(float(np.sum(np.array(h["values"]) * np.diff(edges))), 1.0, places=12)
                counts, _ = np.histogram(x, bins=edges)
                self.assertTrue(close(h["errors"], np.sqrt(counts) / (len(x) * np.diff(edges))))
        for k, r in enumerate(j["ratios"]):
            self.assertTrue(close(r["values"], np.array(j["data"][k]["values"]) / np.array(j["mc"][k]["values"])))

    def test_data_only_expression_starting_with_minus_and_particle_rewrite(self):
        edges = np.linspace(-1.9, -1.82, 9)
        j, _ = self.plot("neg", "--expr", "-D0_M", "--bins", 8, "--range", "-1.9,-1.82", "--select", "-D0_M < -1.84")
        self.assertEqual(j["mc"], [])
        c = self.cols["data"]
        x = -c["D0_M"]
        sw, _, under, over = hist(x[x < -1.84], None, edges)
        self.assertTrue(close(j["data"][0]["sum_w"], sw))
        # --particle pi: bare variables in --expr and --overlay are the pion's
        j, _ = self.plot("pi", "--particle", "pi", "--expr", "p", "--bins", 10, "--range", "0,5", "--overlay", "p > 1")
        self.assertEqual(j["expressions"], ["D0_pi_p"])
        sw, _, _, _ = hist(c["D0_pi_p"][c["D0_pi_p"] > 1], None, np.linspace(0, 5, 11))
        self.assertTrue(close(j["data"][0]["sum_w"], sw))

    def test_svg_is_well_formed(self):
        for args in [["--mc-proc", "m", "--log"], ["--overlay", "D0_K_p > 2", "--overlay", "D0_K_p < 2", "--log"], []]:
            _, svg = self.plot("xml", "--expr", "D0_K_kaonID", "--bins", 25, "--range", "0,1", "--weight", "sweight",
                               "--title", "a <title> & more", "--force", *args)
            root = ET.parse(svg).getroot()
            self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg")
            texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
            self.assertIn("a <title> & more", texts)
            if "--log" in args:  # 10^k tick labels with the exponent as a superscript
                self.assertTrue(any(t.startswith("10") and t != "10" for t in texts), texts)

    def test_errors_are_located_and_nothing_is_written(self):
        cases = [
            (["--expr", "D0_M +* 2", "--bins", 4, "--range", "1.8,1.9"], ["D0_M +* 2", "^"]),
            (["--expr", "D0_M", "--bins", 4, "--range", "1.9,1.8"], ["--range 1.9,1.8"]),
            (["--expr", "kaonID", "--particle", "Kaon", "--bins", 4, "--range", "0,1"], ["no track 'Kaon'", "K, pi, pi_slow"]),
            (["--expr", "D0_Mx", "--bins", 4, "--range", "1.8,1.9"], ["unknown column 'D0_Mx'", "D0_M"]),
            (["--expr", "D0_M", "--edges", "1.9,1.8"], ["strictly increasing"]),
            (["--expr", "D0_M", "--bins", 4, "--range", "1.8,1.9", "--mc-proc", "nope"], ["nope"]),
        ]
        for k, (args, words) in enumerate(cases):
            p, svg = self.plot(f"bad{k}", *args, check=False)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertTrue(p.stderr.startswith("error: "), p.stderr)
            for w in words:
                self.assertIn(w, p.stderr, args)
            for path in [svg, svg[:-4] + ".json", svg[:-4] + ".h5"]:
                self.assertFalse(os.path.exists(path), (args, path))
        # an existing plot is not replaced without --force
        self.plot("once", "--expr", "D0_M", "--bins", 4, "--range", "1.8,1.9")
        p, _ = self.plot("once", "--expr", "D0_M", "--bins", 4, "--range", "1.8,1.9", check=False)
        self.assertNotEqual(p.returncode, 0)

    def test_efficiency_plot_of_a_2d_table_is_a_map(self):
        svg = os.path.join(self.d, "eff2d.svg")
        args = ["efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--weight", "sweight",
                "--select", "in_fit", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5", "--bin", "cosTheta=-0.866,0,0.5,0.9563"]
        table = json.loads(run(*args, "--json", store=self.store).stdout)
        run(*args, "--plot", svg, store=self.store)
        with open(svg[:-4] + ".json") as f:
            m = json.load(f)
        self.assertEqual((m["x"], m["y"]), ("p", "cosTheta"))
        self.assertEqual(m["x_edges"], [0.5, 1, 2, 4.5])
        eff = np.full(9, np.nan)
        for b in table["tables"][0]["bins"]:
            eff[b["index"][0] * 3 + b["index"][1]] = b["efficiency"]
        self.assertTrue(close(m["panels"][0]["efficiency"], eff, 0))
        root = ET.parse(svg).getroot()
        texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
        self.assertIn("efficiency", texts)  # the colour bar's title
        # a 1-D table keeps the points plot
        run(*args[:-2], "--plot", os.path.join(self.d, "eff1d.svg"), store=self.store)
        with open(os.path.join(self.d, "eff1d.json")) as f:
            self.assertIn("series", json.load(f)["panels"][0])

    def test_both_tracks_of_a_family_and_input_files(self):
        # --particle pi on K_S0: each candidate's two pions, each with its own charge in the overlay
        edges = np.linspace(0, 3, 13)
        svg = os.path.join(self.d, "ks.svg")
        run("plot", "--mode", "KS", "--proc", "p", "--particle", "pi", "--expr", "p", "--bins", 12, "--range", "0,3",
            "--overlay", "", "--overlay", "charge > 0", "--out", svg, store=self.store)
        with open(svg[:-4] + ".json") as f:
            j = json.load(f)
        self.assertEqual(j["expressions"], ["pi_0_p", "pi_1_p"])
        c = self.cols["ks"]
        both = sum(hist(c[f"pi_{k}_p"], None, edges)[0] for k in (0, 1))
        positive = sum(hist(c[f"pi_{k}_p"][c[f"pi_{k}_charge"] > 0], None, edges)[0] for k in (0, 1))
        self.assertTrue(close(j["data"][0]["sum_w"], both))
        self.assertTrue(close(j["data"][1]["sum_w"], positive))
        self.assertEqual(j["data"][0]["entries"], 2 * len(c["pi_0_p"]))
        # files instead of store sets: the exported columns give the same histograms
        svg = os.path.join(self.d, "files.svg")
        run("plot", "--input", os.path.join(self.d, "data.h5"), "--mc-input", os.path.join(self.d, "mc.h5"), "--expr",
            "D0_K_p", "--bins", 8, "--range", "0.5,4.5", "--weight", "sweight", "--mc-weight", "none", "--out", svg)
        with open(svg[:-4] + ".json") as f:
            j = json.load(f)
        edges = np.linspace(0.5, 4.5, 9)
        self.assertTrue(close(j["data"][0]["sum_w"], hist(self.cols["data"]["D0_K_p"], self.cols["data"]["sweight"], edges)[0]))
        self.assertTrue(close(j["mc"][0]["sum_w"], hist(self.cols["mc"]["D0_K_p"], None, edges)[0]))
        self.assertIsNone(j.get("mc_weight"))
        self.assertEqual(j["weight"], "sweight")


if __name__ == "__main__":
    unittest.main()
