"""The Python package `syscorr` (python/, issue 15) against the CLI's own results: DataFrames equal the
CLI's JSON and CSV files, histograms its --json sums, apply_weights equals `syscorr multitrack` to 1e-12,
errors carry the CLI's located message; the tutorial notebook runs top to bottom (nbclient) and
`pip install ./python` works in a fresh virtual environment."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from common import SYSCORR, TempDir, run, run_json

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PYTHON_DIR = os.path.join(REPO, "python")
sys.path.insert(0, PYTHON_DIR)

try:
    import pandas as pd
except ImportError:  # the Makefile's venv has it (PY_PACKAGES)
    raise unittest.SkipTest("pandas is not installed: the syscorr Python package needs it")

import syscorr  # noqa: E402  (from python/, above)

P_EDGES = [0.1, 0.5, 1, 2, 4.5]
COS_EDGES = [-0.866, 0, 0.9563]


def setUpModule():
    os.environ["SYSCORR_BIN"] = os.path.abspath(SYSCORR)


def csv_frame(path):
    df = pd.read_csv(path, keep_default_na=False, na_values=["nan"])
    return df


class PythonPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.d = cls._tmp.__enter__()
        cls.store = syscorr.Store(os.path.join(cls.d, "store"))
        cls.store.generate("Dst", "data", "p", events=60000, seed=31)
        cls.store.generate("Dst", "mc", "m", events=60000, seed=32)
        cls.fit = cls.store.fit("Dst", "p", "data", write_sweights=True)
        run("fit", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--write-sweights", store=cls.store.path)
        cls.table_json = os.path.join(cls.d, "w.json")
        cls.table = cls.store.weights("Dst", "p", "m", particle="K", cuts=["kaonID > 0.6", "kaonID > 0.2"],
                                      weight="sweight", select="in_fit", bins={"p": P_EDGES, "cosTheta": COS_EDGES},
                                      out=cls.table_json)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def cli(self, *args):
        return run_json(*args, store=self.store.path)

    def test_sets_and_variables_equal_the_cli_json(self):
        sets = self.store.sets()
        j = self.cli("show-db")["sets"]
        self.assertEqual(len(sets), len(j))
        for row, s in zip(sets.to_dict("records"), j):
            for k, v in s.items():
                self.assertEqual(row[k], v, k)
        v = self.store.variables("Dst", "p", "data", match="D0_K_*", stats=True)
        j = self.cli("show-variables", "Dst", "--proc", "p", "--sample", "data", "--match", "D0_K_*", "--stats")
        self.assertEqual(list(v["name"]), [c["name"] for c in j])
        np.testing.assert_array_equal(v["nan_count"], [c["nan_count"] for c in j])
        np.testing.assert_array_equal(v["min"], [c["min"] for c in j])

    def test_query_count_and_hist(self):
        cut = "in_fit && D0_K_kaonID > 0.2"
        df = self.store.query("Dst", "p", "data", cut=cut, weight="sweight",
                              columns=["D0_K_p", "__event__", "in_fit", "pt=D0_K_p*sqrt(1-D0_K_cosTheta**2)"])
        self.assertEqual(list(df.columns), ["D0_K_p", "__event__", "in_fit", "pt", "weight"])
        self.assertEqual(df["__event__"].dtype, np.uint32)
        self.assertEqual(df["in_fit"].dtype, bool)
        c = self.store.count("Dst", "p", "data", cut=cut, weight="sweight")
        j = self.cli("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", cut, "--weight", "sweight",
                     "--count")
        self.assertEqual(c, (j["entries"], j["sum_w"], j["sum_w2"]))
        self.assertEqual(len(df), c.entries)
        self.assertAlmostEqual(df["weight"].sum(), c.sum_w, delta=1e-9 * abs(c.sum_w))
        # the same rows as the CLI's own file
        out = os.path.join(self.d, "rows.h5")
        run("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", cut, "--columns", "D0_K_p,__event__",
            "--out", out, "--force", store=self.store.path)
        ref = syscorr.read_ntuple(out)
        np.testing.assert_array_equal(df["D0_K_p"], ref["D0_K_p"])
        np.testing.assert_array_equal(df["__event__"], ref["__event__"])
        # every column when none is named
        all_cols = self.store.query("Dst", "p", "data", cut="D0_K_p > 4")
        self.assertEqual(set(all_cols.columns), set(self.store.variables("Dst", "p", "data")["name"]))
        # a 2-D histogram, variable and regular axes, flow bins included
        h = self.store.hist("Dst", "p", "data", cut="in_fit", weight="sweight",
                            axes={"D0_K_p": P_EDGES, "D0_K_cosTheta": (4, -1, 1)})
        j = self.cli("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit", "--weight",
                     "sweight", "--hist", "D0_K_p", "--edges", ",".join(map(str, P_EDGES)), "--hist", "D0_K_cosTheta",
                     "--bins", "4", "--range=-1,1")["histogram"]
        view = h.view(flow=True)
        np.testing.assert_array_equal(view["value"].ravel(), j["sum_w"])
        np.testing.assert_array_equal(view["variance"].ravel(), j["sum_w2"])
        np.testing.assert_allclose(h.axes[0].edges, P_EDGES)
        np.testing.assert_allclose(h.axes[1].edges, [-1, -0.5, 0, 0.5, 1])
        # without uhi the UHI file is read by hand, to the same histogram
        out = os.path.join(self.d, "hist.h5")
        run("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit", "--weight", "sweight",
            "--hist", "D0_K_p", "--edges", ",".join(map(str, P_EDGES)), "--hist", "D0_K_cosTheta", "--bins", "4",
            "--range=-1,1", "--out", out, "--force", store=self.store.path)
        import h5py
        saved = sys.modules.get("uhi.io.hdf5", "absent")
        sys.modules["uhi.io.hdf5"] = None  # import fails
        try:
            with h5py.File(out) as f:
                by_hand = syscorr.read_uhi_histogram(f["histogram"])
        finally:
            if saved == "absent":
                del sys.modules["uhi.io.hdf5"]
            else:
                sys.modules["uhi.io.hdf5"] = saved
        self.assertEqual(by_hand, h)
        self.assertEqual([a.label for a in by_hand.axes], ["D0_K_p", "D0_K_cosTheta"])

    def test_efficiency_equals_cli_json_and_csv(self):
        args = dict(particle="K", cuts=["kaonID > 0.2", "kaonID > 0.6"], precuts=["charge > 0", ""],
                    bins={"p": P_EDGES, "cosTheta": COS_EDGES}, weight="sweight", select="in_fit")
        eff = self.store.efficiency("Dst", "p", "data", **args)
        cli_args = ["efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K",
                    "--cut", "kaonID > 0.2", "--cut", "kaonID > 0.6", "--precut", "charge > 0", "--precut", "",
                    "--bin", "p=" + ",".join(map(str, P_EDGES)), "--bin", "cosTheta=" + ",".join(map(str, COS_EDGES)),
                    "--weight", "sweight", "--select", "in_fit"]
        j = self.cli(*cli_args)
        bins = [(t, b) for t in j["tables"] for b in t["bins"]]
        self.assertEqual(len(eff), len(bins))
        for (t, b), row in zip(bins, eff.to_dict("records")):
            self.assertEqual((row["cut"], row["precut"]), (t["cut"], t["precut"]))
            for k in ("total_sum_w", "total_sum_w2", "pass_sum_w", "pass_sum_w2", "efficiency", "error",
                      "error_low", "error_high"):
                self.assertEqual(row[k], b[k], k)
            self.assertEqual((row["p_min"], row["p_max"]), (b["lower"][0], b["upper"][0]))
        out = os.path.join(self.d, "eff.csv")
        run(*cli_args, "--out", out, "--force", store=self.store.path)
        pd.testing.assert_frame_equal(eff, csv_frame(out), check_dtype=False, rtol=1e-15)
        # the CLI's own files, written on request; the UHI one reads back as boost-histograms
        h5 = os.path.join(self.d, "eff.h5")
        again = self.store.efficiency("Dst", "p", "data", out=h5, plot=os.path.join(self.d, "eff.svg"), **args)
        pd.testing.assert_frame_equal(again, eff)
        import h5py
        with h5py.File(h5) as f:
            total = syscorr.read_uhi_histogram(f["total_p1"])  # the first precut's
        np.testing.assert_allclose(total.values().ravel(), eff[eff.precut == "charge > 0"].drop_duplicates(
            ["p_min", "cosTheta_min"])["total_sum_w"], rtol=1e-12)
        self.assertTrue(os.path.exists(os.path.join(self.d, "eff.svg")))
        # unweighted: Clopper–Pearson errors differ up and down
        cp = self.store.efficiency("Dst", "m", "mc", particle="K", cuts="kaonID > 0.6", bins={"p": P_EDGES})
        self.assertTrue((cp["error_low"] != cp["error_high"]).any())

    def test_weights_equal_cli_csv_and_json(self):
        out = os.path.join(self.d, "w.csv")
        run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--cut", "kaonID > 0.6",
            "--cut", "kaonID > 0.2", "--bin", "p=" + ",".join(map(str, P_EDGES)), "--bin",
            "cosTheta=" + ",".join(map(str, COS_EDGES)), "--weight", "sweight", "--select", "in_fit", "--out", out,
            "--force", store=self.store.path)
        pd.testing.assert_frame_equal(self.table, csv_frame(out), check_dtype=False, rtol=1e-15)
        with open(self.table_json) as f:
            self.assertEqual(self.table.attrs["syscorr"], syscorr.run.__globals__["decode_nonfinite"](json.load(f)))
        # unweighted MC: asymmetric Clopper–Pearson errors go to MC_uncertainty_stat_up/dn as in the CSV
        out2 = os.path.join(self.d, "w2.csv")
        w2 = self.store.weights("Dst", "p", "m", particle="K", cuts="kaonID > 0.6", bins={"p": P_EDGES},
                                weight="sweight", mc_weight="none", select="in_fit")
        run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--cut", "kaonID > 0.6",
            "--bin", "p=" + ",".join(map(str, P_EDGES)), "--weight", "sweight", "--mc-weight", "none",
            "--select", "in_fit", "--out", out2, store=self.store.path)
        pd.testing.assert_frame_equal(w2, csv_frame(out2), check_dtype=False, rtol=1e-15)

    def test_apply_weights_equals_multitrack(self):
        mc = os.path.join(self.d, "mc.h5")
        cols = ["D0_K_p", "D0_K_cosTheta", "D0_pi_p", "D0_pi_cosTheta", "pi_p", "pi_cosTheta"]
        run("export", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--columns", ",".join(cols), "--out", mc,
            "--force", store=self.store.path)
        df = syscorr.read_ntuple(mc)
        df.loc[df.index[:50], "D0_K_p"] = np.nan  # NaN is outside the table
        df.loc[df.index[50:60], "D0_K_p"] = 50.0  # in a bin without a ratio of the table with [7, 100)
        nan_file = os.path.join(self.d, "mc-nan.h5")
        import h5py
        shutil.copy(mc, nan_file)
        with h5py.File(nan_file, "r+") as f:
            f["ntuple/D0_K_p"][:50] = np.nan
            f["ntuple/D0_K_p"][50:60] = 50.0
        # an empty bin: no ratio, flagged, NaN weights (never 1 ± 0 nor a sentinel)
        wide_json = os.path.join(self.d, "wide.json")
        wide = self.store.weights("Dst", "p", "m", particle="K", cuts="kaonID > 0.6", weight="sweight",
                                  select="in_fit", bins={"p": [0.1, 1, 4.5, 7, 100]}, out=wide_json)
        self.assertTrue(np.isnan(wide["data_MC_ratio"].iloc[-1]))
        self.assertIn("empty", wide["flags"].iloc[-1])
        # (multitrack itself refuses tables with NaN ratios: its JSON decoder takes no "nan" strings)
        for table in (wide, wide_json):
            got = syscorr.apply_weights(df, table, ["D0_K", "D0_pi"])
            s_ = got.attrs["pid_weight"]
            self.assertEqual(s_["no_ratio"], {"D0_K": 10, "D0_pi": 0})
            self.assertEqual(s_["outside"]["D0_K"], int((~df["D0_K_p"].between(0.1, 100, inclusive="left")).sum()))
            self.assertTrue(np.isnan(got["pid_weight"][50:60]).all())
            self.assertFalse(got["pid_weight_valid"][50:60].any())
            ok = got["pid_weight_valid"].to_numpy()
            self.assertEqual(s_["valid"], int(ok.sum()))
            np.testing.assert_allclose(got["pid_weight"][ok], (got["pid_weight_D0_K"] * got["pid_weight_D0_pi"])[ok],
                                       rtol=1e-14)
            self.assertFalse(got["pid_weight_D0_K_valid"][50:60].any())
        for cut in ("kaonID > 0.6", "kaonID > 0.2"):
            out = os.path.join(self.d, "mt.h5")
            summary = run_json("multitrack", "--input", nan_file, "--track", "D0_K", "--track", "D0_pi", "--track", "pi",
                               "--table", self.table_json, "--cut", cut, "--out", out, "--force")
            want = syscorr.read_ntuple(out)
            tracks = {"K": ("D0_K_p", "D0_K_cosTheta"), "pi": "D0_pi", "pi_slow": ("pi_p", "pi_cosTheta")}
            # the DataFrame of weights(), the JSON file and the dict give the same columns
            for table in (self.table, self.table_json, self.table.attrs["syscorr"]):
                got = syscorr.apply_weights(df, table, tracks, cut=cut)
                for c in want.columns:
                    if want[c].dtype == bool:
                        np.testing.assert_array_equal(got[c], want[c], err_msg=c)
                    else:
                        np.testing.assert_allclose(got[c], want[c], rtol=1e-12, atol=0, equal_nan=True, err_msg=c)
                s = got.attrs["pid_weight"]
                self.assertEqual(s["valid"], summary["valid"])
                self.assertEqual(list(s["outside"].values()), [summary["outside"][t] for t in ("D0_K", "D0_pi", "pi")])
                self.assertAlmostEqual(s["mean_weight"], summary["mean_weight"], delta=1e-12)
            # shared bins happen (slow pions and the D0's pion), and rows with NaN are flagged, not sentinels
            self.assertGreater(summary["valid"], 1000)
            self.assertTrue(np.isnan(got["pid_weight"][:50]).all())
            self.assertFalse(got["pid_weight_valid"][:50].any())
            self.assertFalse(got["pid_weight_K_valid"][:50].any())
            self.assertTrue(np.isnan(got["pid_weight_K"][:50]).all())
            # per-track columns: the track's own bin
            k = got["pid_weight_K_valid"].to_numpy()
            self.assertTrue(np.all(got["pid_weight_K"][k] > 0))
            both = got["pid_weight_valid"].to_numpy()
            np.testing.assert_allclose(got["pid_weight"][both], (got["pid_weight_K"] * got["pid_weight_pi"]
                                                                  * got["pid_weight_pi_slow"])[both], rtol=1e-14)
        # the PIDVar CSV gives the same ratios where the table has them
        pv = os.path.join(self.d, "pidvar.csv")
        run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--cut", "kaonID > 0.6",
            "--bin", "p=" + ",".join(map(str, P_EDGES)), "--bin", "cosTheta=" + ",".join(map(str, COS_EDGES)),
            "--weight", "sweight", "--select", "in_fit", "--pidvar", pv, store=self.store.path)
        a = syscorr.apply_weights(df, pv, ["D0_K"])
        b = syscorr.apply_weights(df, self.table, ["D0_K"], cut="kaonID > 0.6")
        np.testing.assert_allclose(a["pid_weight"], b["pid_weight"], rtol=1e-15, equal_nan=True)
        with self.assertRaisesRegex(ValueError, "several entries.*kaonID > 0.2"):
            syscorr.apply_weights(df, self.table, ["D0_K"])
        with self.assertRaisesRegex(KeyError, "D0_X_p"):
            syscorr.apply_weights(df, self.table, ["D0_X"], cut="kaonID > 0.6")

    def test_fit_result(self):
        f = self.fit
        self.assertTrue(f.valid)
        with open(os.path.join(self.store.path, "fit_results", "p_Dst_data.json")) as fh:
            stored = syscorr.run.__globals__["decode_nonfinite"](json.load(fh))
        nominal = stored.get("nominal", stored)
        params = {**{f"{k}.yield": v for k, v in nominal["yields"].items()}, **nominal["parameters"]}
        self.assertEqual(set(f.parameters.index), set(params))
        for name, p in params.items():
            self.assertEqual(f.value(name), p["value"], name)
            self.assertEqual(f.error(name), p["error"], name)
        names = list(f.covariance.index)
        self.assertEqual(names, nominal["covariance"]["names"])
        np.testing.assert_array_equal(f.covariance.to_numpy(), nominal["covariance"]["matrix"])
        np.testing.assert_allclose(np.diag(f.correlation()), 1, rtol=1e-12)
        self.assertIsNotNone(f.systematic)
        self.assertIn("signal.sigma", f.systematic.parameters.index)
        # sWeights were written: Σ sweight = the signal yield
        c = self.store.count("Dst", "p", "data", cut="in_fit", weight="sweight")
        want = f.splot["nominal"]["sum_of_weights"]["signal"]
        self.assertAlmostEqual(c.sum_w, want, delta=1e-9 * want)
        self.assertAlmostEqual(want, f.yields["signal"], delta=1e-3 * want)  # yields refitted, shapes fixed
        try:
            import matplotlib
        except ImportError:
            self.skipTest("matplotlib not installed")
        matplotlib.use("Agg")
        ax = f.plot()
        labels = {t.get_text() for t in ax.get_legend().get_texts()}
        self.assertEqual(labels, {"data", "total", "signal", "background"})
        import matplotlib.pyplot as plt
        plt.close("all")

    def test_errors_are_exceptions_with_the_located_message(self):
        with self.assertRaises(syscorr.SysCorrError) as e:
            self.store.count("Dst", "p", "data", cut="D0_K_kaonID > 0.2 && D0_K_chrge > 0")
        msg = str(e.exception)
        self.assertEqual(msg, e.exception.message)
        lines = msg.splitlines()
        self.assertEqual(lines[0], "error: unknown column 'D0_K_chrge'")
        self.assertEqual(lines[1].strip(), "D0_K_kaonID > 0.2 && D0_K_chrge > 0")
        self.assertEqual(lines[2].index("^"), lines[1].index("D0_K_chrge"))
        self.assertIn("did you mean 'D0_K_charge'", msg)
        self.assertEqual(e.exception.returncode, 1)
        with self.assertRaisesRegex(syscorr.SysCorrError, "no set matches"):
            self.store.query("Dst", "nope", columns=["D0_K_p"])
        with self.assertRaises(syscorr.SysCorrError) as e:
            syscorr.run(["query", "--bogus"])
        self.assertEqual(e.exception.returncode, 64)
        self.assertTrue(str(e.exception).startswith("error: unknown option '--bogus'"))
        with self.assertRaisesRegex(syscorr.SysCorrError, "fit"):
            self.store.fit("Dst", "p", "data", cut="D0_M > 99")
        # warnings stay warnings: the result comes back, the CLI's line becomes a SysCorrWarning
        with self.assertWarnsRegex(syscorr.SysCorrWarning, "without selected tracks"):
            e = self.store.efficiency("Dst", "p", "data", particle="K", cuts="kaonID > 0.6", bins={"p": [0.5, 1, 50, 60]})
        self.assertEqual(e["flags"].tolist(), ["", "", "empty"])
        self.assertTrue(np.isnan(e["efficiency"].iloc[-1]))
        old = os.environ["SYSCORR_BIN"]
        try:
            os.environ["SYSCORR_BIN"] = os.path.join(self.d, "missing")
            with self.assertRaisesRegex(syscorr.SysCorrError, "SYSCORR_BIN"):
                syscorr.find_binary()
        finally:
            os.environ["SYSCORR_BIN"] = old

    def test_binary_found_in_the_checkout(self):
        old = os.environ.pop("SYSCORR_BIN")
        try:
            if shutil.which("syscorr") is None and any(
                    os.path.exists(os.path.join(REPO, ".build", c, "syscorr")) for c in ("release", "debug")):
                found = syscorr.find_binary()
                self.assertTrue(found.startswith(os.path.join(REPO, ".build")), found)
        finally:
            os.environ["SYSCORR_BIN"] = old


class Notebook(unittest.TestCase):
    def setUp(self):
        self._t = tempfile.TemporaryDirectory(prefix="syscorr-nb-")
        self.tmp = self._t.name

    def tearDown(self):
        self._t.cleanup()

    def test_tutorial_runs_top_to_bottom(self):
        try:
            import nbclient
            import nbformat
            import ipykernel  # noqa: F401
        except ImportError as e:
            self.skipTest(f"{e.name} not installed")
        path = os.path.join(REPO, "data-samples", "tutorial.ipynb")
        nb = nbformat.read(path, as_version=4)
        env_before = dict(os.environ)
        # a kernel of this interpreter (where syscorr's dependencies are), whatever kernels are installed
        kernels = os.path.join(self.tmp, "jupyter", "kernels", "syscorr-test")
        os.makedirs(kernels)
        with open(os.path.join(kernels, "kernel.json"), "w") as f:
            json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "syscorr test", "language": "python"}, f)
        os.environ["JUPYTER_PATH"] = os.path.join(self.tmp, "jupyter")
        os.environ["PYTHONPATH"] = os.pathsep.join([PYTHON_DIR, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        os.environ.setdefault("MPLBACKEND", "Agg")
        try:
            client = nbclient.NotebookClient(nb, timeout=120, kernel_name="syscorr-test",
                                             resources={"metadata": {"path": os.path.dirname(path)}})
            client.execute()
        finally:
            os.environ.clear()
            os.environ.update(env_before)
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        self.assertIn("syscorr binary: " + os.path.abspath(SYSCORR), text)
        self.assertIn("error: unknown column 'D0_K_chrge'", text)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
        self.assertEqual(errors, [])


class PipInstall(unittest.TestCase):
    def test_pip_install_into_a_fresh_venv(self):
        import importlib.util
        import site as site_mod

        with tempfile.TemporaryDirectory(prefix="syscorr-pip-") as d:
            venv = os.path.join(d, "venv")
            base = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([base, "-m", "venv", "--without-pip", venv], check=True, capture_output=True)
            py = os.path.join(venv, "bin", "python")
            # the dependencies come from this interpreter's site-packages (no download)
            purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     check=True, capture_output=True, text=True).stdout.strip()
            with open(os.path.join(purelib, "_syscorr_test_parent.pth"), "w") as f:
                f.write("\n".join(p for p in site_mod.getsitepackages() if os.path.isdir(p)) + "\n")
            # a copy of python/ outside the checkout: the installed package must not rely on it
            src = os.path.join(d, "src")
            shutil.copytree(PYTHON_DIR, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
            # this interpreter's pip installs into the new environment (pip >= 22.3: --python)
            pip = [sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", src]
            if importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel"):
                pip.append("--no-build-isolation")  # offline: the build backend is here already
            p = subprocess.run(pip, capture_output=True, text=True)
            if p.returncode != 0 and "No matching distribution found for setuptools" in p.stderr:
                self.skipTest("offline, and no setuptools + wheel here to build the package with")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            code = ("import syscorr; assert 'site-packages' in syscorr.__file__, syscorr.__file__; "
                    "print(syscorr.__version__, syscorr.find_binary())")
            p = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=d,
                               env={**os.environ, "SYSCORR_BIN": os.path.abspath(SYSCORR), "PYTHONPATH": ""})
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(p.stdout.split(), [syscorr.__version__, os.path.abspath(SYSCORR)])


if __name__ == "__main__":
    unittest.main()
