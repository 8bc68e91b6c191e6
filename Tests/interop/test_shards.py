"""Sharded queries (issue 14, first part): `query --shard K/N --partial F.json` in separate processes, then
`syscorr merge`, give exactly — byte for byte — what a single run prints and writes; a missing, repeated or
foreign shard is refused and nothing is merged."""
import json
import os
import shutil
import subprocess
import sys
import unittest

import h5py
import numpy as np

from common import SYSCORR, TempDir, run, set_columns, without_timings


class Shards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.d = cls._tmp.__enter__()
        cls.store = os.path.join(cls.d, "store")
        run("generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", 300000, "--seed", 41,
            "--files", 3, store=cls.store)
        run("fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--write-sweights", store=cls.store)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    QUERIES = {
        "count": ["--cut", "in_fit && D0_K_kaonID > 0.2", "--weight", "sweight", "--count"],
        "hist2d": ["--cut", "in_fit", "--weight", "sweight", "--hist", "D0_K_p", "--edges", "0.5,1,2,4.5",
                   "--hist", "D0_K_cosTheta", "--bins", "5", "--range=-1,1"],
        "efficiency": ["--cut", "in_fit", "--weight", "sweight", "--pass", "D0_K_kaonID > 0.6", "--pass",
                       "D0_K_kaonID > 0.2", "--hist", "D0_K_p", "--edges", "0.5,1,2,4.5"],
    }

    def shards(self, args, n, d):
        base = ["query", "--mode", "Dst", "--proc", "p", "--sample", "data", *args]
        paths = []
        for k in range(1, n + 1):
            path = os.path.join(d, f"part-{k}.json")
            run(*base, "--shard", f"{k}/{n}", "--partial", path, "--threads", 1 + k % 2, store=self.store)
            paths.append(path)
        return base, paths

    def test_merged_shards_equal_a_single_run_bit_for_bit(self):
        for name, args in self.QUERIES.items():
            for n in (1, 3, 8):
                with self.subTest(query=name, shards=n), TempDir() as d:
                    base, paths = self.shards(args, n, d)
                    single = run(*base, "--json", store=self.store).stdout
                    merged = run("merge", *reversed(paths), "--json").stdout
                    self.assertEqual(merged, single)
                    self.assertEqual(run("merge", *paths).stdout, run(*base, store=self.store).stdout)

    def test_sharded_efficiency_tables_equal_a_single_run(self):
        """`efficiency` (2 cuts × 2 precuts, sWeighted, 2-D) in 4 shards: the merged JSON, text and CSV equal a
        single run's."""
        base = ["efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--weight", "sweight",
                "--select", "in_fit", "--cut", "kaonID > 0.2", "--cut", "kaonID > 0.6", "--precut", "charge > 0",
                "--precut", "charge < 0", "--bin", "p=0.5,1,2,4.5", "--bin", "cosTheta=-0.866,0,0.9563"]
        with TempDir() as d:
            paths = []
            for k in range(1, 5):
                paths.append(os.path.join(d, f"t-{k}.json"))
                run(*base, "--shard", f"{k}/4", "--partial", paths[-1], store=self.store)
            self.assertEqual(run("merge", *paths, "--json").stdout, run(*base, "--json", store=self.store).stdout)
            a, b = os.path.join(d, "single.csv"), os.path.join(d, "merged.csv")
            run(*base, "--out", a, store=self.store)
            run("merge", *paths, "--out", b)
            with open(a) as fa, open(b) as fb:
                self.assertEqual(fa.read(), fb.read())

    def test_snakemake_runs_the_sharded_dag(self):
        """`plan --emit snakemake`: snakemake (local executor, from PyPI) runs the 5 shards and the merge; the
        result equals a single run's JSON."""
        snakemake = shutil.which("snakemake") or os.path.join(os.path.dirname(sys.executable), "snakemake")
        if not os.path.exists(snakemake):
            self.skipTest("snakemake is not installed (make test installs it into .build/venv)")
        command = ["query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--store", self.store,
                   *self.QUERIES["efficiency"]]
        with TempDir() as d:
            run("plan", "--emit", "snakemake", "--shards", 5, "--dir", d, "--executable", os.path.abspath(SYSCORR),
                "--", *command)
            subprocess.run([snakemake, "-s", os.path.join(d, "Snakefile"), "--cores", "2", "-q"], cwd=d, check=True,
                           capture_output=True, text=True)
            self.assertEqual(len(os.listdir(os.path.join(d, "parts"))), 5)
            with open(os.path.join(d, "result.json")) as f:
                self.assertEqual(f.read(), run(*command, "--json").stdout)

    def test_files_from_a_list_read_as_one_source_and_shard(self):
        """--files-from LIST: the listed files (relative to the list) in order, as one source — a histogram
        equals numpy's of the concatenated columns; shards split the files and merge to the single run's
        output; a file with other columns is named."""
        rng = np.random.default_rng(7)
        with TempDir() as d:
            os.makedirs(os.path.join(d, "in"))
            xs, ws = [], []
            for k, n in enumerate([3000, 70000, 500]):
                x, w = rng.normal(size=n), rng.uniform(0, 2, n)
                xs.append(x)
                ws.append(w)
                with h5py.File(os.path.join(d, "in", f"f{k}.h5"), "w") as f:
                    g = f.create_group("ntuple")
                    g.create_dataset("x", data=x)
                    g.create_dataset("w", data=w)
            lst = os.path.join(d, "files.list")
            with open(lst, "w") as f:
                f.write("# three files\nin/f0.h5\n\nin/f1.h5\nin/f2.h5\n")
            q = ["query", "--files-from", lst, "--cut", "x > -1", "--weight", "w", "--hist", "x", "--bins", "8",
                 "--range=-1,3", "--json"]
            out = json.loads(run(*q).stdout)
            x, w = np.concatenate(xs), np.concatenate(ws)
            sel = x > -1
            h, _ = np.histogram(x[sel], bins=8, range=(-1, 3), weights=w[sel])
            np.testing.assert_allclose(out["histogram"]["sum_w"][1:-1], h, rtol=1e-12)
            paths = [os.path.join(d, f"s{k}.json") for k in (1, 2, 3)]
            for k, path in enumerate(paths, 1):
                run(*q[:-1], "--shard", f"{k}/3", "--partial", path)
            self.assertEqual(run("merge", *paths, "--json").stdout, run(*q).stdout)
            with h5py.File(os.path.join(d, "in", "f3.h5"), "w") as f:
                f.create_group("ntuple").create_dataset("y", data=np.zeros(3))
            with open(lst, "a") as f:
                f.write("in/f3.h5\n")
            p = run(*q, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("f3.h5: its columns differ", p.stderr)

    def test_b2luigi_runs_the_sharded_tasks(self):
        """`plan --emit b2luigi` (b2luigi 1.3.0 from PyPI, in .build/venv-b2luigi; B2_BATCH=local): the shard
        tasks and the merge task run, and the result equals a single run's JSON."""
        python = os.path.join(os.path.dirname(__file__), "..", "..", ".build", "venv-b2luigi", "bin", "python")
        if not os.path.exists(python):
            self.skipTest("b2luigi is not installed (make test installs it into .build/venv-b2luigi)")
        command = ["efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--weight",
                   "sweight", "--select", "in_fit", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5", "--store", self.store]
        with TempDir() as d:
            run("plan", "--emit", "b2luigi", "--shards", 3, "--dir", d, "--executable", os.path.abspath(SYSCORR),
                "--", *command)
            subprocess.run([python, os.path.join(d, "syscorr_tasks.py")], cwd=d, check=True, capture_output=True,
                           text=True, env={**os.environ, "B2_BATCH": "local"})
            with open(os.path.join(d, "results", "result.json")) as f:
                self.assertEqual(f.read(), run(*command, "--json").stdout)

    def test_plan_refuses_what_it_cannot_shard(self):
        with TempDir() as d:
            for args, needle in [(["--", "kde", "fit"], "merge F… --out FILE.h5"),
                                 (["--", "ls"], "query, efficiency, weights, fit, roc or plot"),
                                 (["--", "query", "--count", "--shard", "1/2"], "must not have"),
                                 (["--", "query", "--cutt", "x"], "does not parse"),
                                 (["--shards", "0", "--", "query", "--count"], "--shards")]:
                p = run("plan", "--emit", "slurm", "--dir", d, *args, check=False)
                self.assertNotEqual(p.returncode, 0, args)
                self.assertIn(needle, p.stderr, args)
            p = run("plan", "--emit", "condor", "--dir", d, "--", "query", "--count", check=False)
            self.assertIn("slurm, snakemake, b2luigi", p.stderr)

    def test_sharded_fit_and_sweights_equal_a_single_run(self):
        """`fit --shard K/N --partial` gathers the fit sample per shard; `merge --write-sweights` fits and writes
        the sWeights: the fit results (all but timings and paths) and the sWeight columns equal those of a single
        `fit --write-sweights` on an identical set, bit for bit. The shards' samples are packed."""
        with TempDir() as d:
            stores = [os.path.join(d, "a"), os.path.join(d, "b")]
            for st in stores:
                run("generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", 150000, "--seed", 42,
                    store=st)
            single = json.loads(run("fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--write-sweights",
                                    "--json", store=stores[0]).stdout)
            paths = [os.path.join(d, f"f-{k}.json") for k in (1, 2, 3)]
            for k, path in enumerate(paths, 1):
                run("fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--shard", f"{k}/3", "--partial", path,
                    store=stores[1])
            merged = json.loads(run("merge", *paths, "--write-sweights", "--json").stdout)
            # the shards' samples travel packed (base64 doubles, varint row steps): ~13 bytes a row, half of text
            with open(paths[0]) as f:
                entries = json.load(f)["partials"]["fit_sample"]
            rows = sum(len(e["partial"]["values"]) * 3 // 4 // 8 for e in entries)
            self.assertGreater(rows, 10000)
            self.assertLess(os.path.getsize(paths[0]) / rows, 16)
            self.assertEqual(without_timings(merged), without_timings(single))
            cols = [set_columns(st, d, ("sweight", "sweight_syst", "sweight_bkg", "in_fit")) for st in stores]
            for k in cols[0]:
                np.testing.assert_array_equal(cols[0][k], cols[1][k])

    def test_sharded_binned_fit_sends_histograms(self):
        """`fit --binned N --shard K/N`: each shard sends the fit variable's histogram (kilobytes, not events); the
        merged fit report and plot data equal a single binned run's; sWeights at such a merge are refused."""
        with TempDir() as d:
            base = ["fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--binned", 500, "--cut",
                    "selection && D0_K_p > 1"]
            paths = [os.path.join(d, f"b-{k}.json") for k in (1, 2, 3, 4)]
            for k, path in enumerate(paths, 1):
                run(*base, "--shard", f"{k}/4", "--partial", path, "--threads", 1 + k % 2, store=self.store)
                self.assertLess(os.path.getsize(path), 100_000)
            plots = [os.path.join(d, "single.svg"), os.path.join(d, "merged.svg")]
            single = json.loads(run(*base, "--json", "--plot", plots[0], store=self.store).stdout)
            merged = json.loads(run("merge", *paths, "--json", "--plot", plots[1]).stdout)
            self.assertEqual(without_timings(merged), without_timings(single))
            with open(plots[0][:-4] + ".json") as a, open(plots[1][:-4] + ".json") as b:
                self.assertEqual(a.read(), b.read())
            p = run("merge", *paths, "--write-sweights", check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("run the shards with --write-sweights (they then send the events too)", p.stderr)

    def test_sharded_binned_fit_with_sweights(self):
        """Shards of a binned fit run with --write-sweights send the events too: `merge --write-sweights` fits the
        histogram and writes sWeights equal to a single binned `fit --write-sweights` on an identical set (the
        recipe of `plan --emit snakemake`, run by snakemake)."""
        with TempDir() as d:
            stores = [os.path.join(d, "a"), os.path.join(d, "b")]
            for st in stores:
                run("generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", 100000, "--seed", 44,
                    store=st)
            base = ["fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--binned", 300, "--write-sweights"]
            single = json.loads(run(*base, "--json", store=stores[0]).stdout)
            # through `plan` (its shards keep --write-sweights, its merge gets it), run by snakemake
            snakemake = shutil.which("snakemake") or os.path.join(os.path.dirname(sys.executable), "snakemake")
            if not os.path.exists(snakemake):
                self.skipTest("snakemake is not installed (make test installs it into .build/venv)")
            dag = os.path.join(d, "dag")
            run("plan", "--emit", "snakemake", "--shards", 3, "--dir", dag, "--executable", os.path.abspath(SYSCORR),
                "--", *base, "--store", stores[1])
            subprocess.run([snakemake, "-s", os.path.join(dag, "Snakefile"), "--cores", "2", "-q"], cwd=dag, check=True,
                           capture_output=True, text=True)
            with open(os.path.join(dag, "result.json")) as f:
                merged = json.load(f)
            self.assertEqual(without_timings(merged), without_timings(single))
            self.assertIsNotNone(single["splot"])
            cols = [set_columns(st, d, ("sweight", "sweight_syst", "in_fit")) for st in stores]
            for k in cols[0]:
                np.testing.assert_array_equal(cols[0][k], cols[1][k])

    def test_sharded_weight_tables_equal_a_single_run(self):
        """`weights --shard K/N`: the shards split the data's chunks and the simulation's (one list after the
        other); the merged weight table (JSON and PIDVar CSV) equals a single run's."""
        store = os.path.join(self.d, "store")
        run("generate", "--mode", "Dst", "--sample", "mc", "--proc", "m", "--events", 200000, "--seed", 43,
            store=store, check=False)
        run("fit", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--write-sweights", store=store, check=False)
        base = ["weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--weight", "sweight",
                "--select", "in_fit", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5"]
        with TempDir() as d:
            paths = [os.path.join(d, f"w-{k}.json") for k in range(1, 6)]
            for k, path in enumerate(paths, 1):
                run(*base, "--shard", f"{k}/5", "--partial", path, store=store)
            self.assertEqual(run("merge", *paths, "--json").stdout, run(*base, "--json", store=store).stdout)
            a, b = os.path.join(d, "a.csv"), os.path.join(d, "b.csv")
            run(*base, "--pidvar", a, store=store)
            run("merge", *paths, "--pidvar", b)
            with open(a) as fa, open(b) as fb:
                self.assertEqual(fa.read(), fb.read())

    def test_merged_histogram_file_equals_a_single_run(self):
        with TempDir() as d:
            base, paths = self.shards(self.QUERIES["hist2d"], 4, d)
            a, b = os.path.join(d, "single.h5"), os.path.join(d, "merged.h5")
            run(*base, "--out", a, store=self.store)
            run("merge", *paths, "--out", b)
            with h5py.File(a) as fa, h5py.File(b) as fb:
                for k in ("values", "variances"):
                    np.testing.assert_array_equal(fa["histogram/storage"][k][()], fb["histogram/storage"][k][()])

    def test_staged_merges_equal_a_single_run(self):
        """A merge tree (8 shards → stages of 3, 3 and 2 → one) gives the single run's bytes; a stage may lack
        shards, the last merge may not; a stage repeated beside one of its shards, or an older format, is
        refused."""
        with TempDir() as d:
            base, paths = self.shards(self.QUERIES["efficiency"], 8, d)
            stages = [os.path.join(d, f"stage-{k}.json") for k in range(3)]
            for stage, group in zip(stages, (paths[0:3], paths[3:6], paths[6:8])):
                run("merge", *group, "--partial", stage)
            top = os.path.join(d, "top.json")
            run("merge", stages[0], stages[1], "--partial", top)
            self.assertEqual(run("merge", top, stages[2], "--json").stdout, run(*base, "--json", store=self.store).stdout)
            p = run("merge", top, check=False)
            self.assertIn("missing shards: 7/8, 8/8", p.stderr)
            p = run("merge", top, stages[2], paths[4], check=False)
            self.assertIn("shard 5/8 is given twice", p.stderr)
            with open(paths[0]) as f:
                old = json.load(f)
            old["format"] = "syscorr-query-partial-1"
            legacy = os.path.join(d, "legacy.json")
            with open(legacy, "w") as f:
                json.dump(old, f)
            p = run("merge", legacy, *paths[1:], check=False)
            self.assertIn("another format (syscorr-query-partial-1", p.stderr)


    def test_killed_shards_and_merges_leave_nothing_that_looks_complete(self):
        """SIGKILL at many moments: a shard's partial is either absent or whole (the merge takes it), and a
        merge's --out either absent or the whole result; temporary files are dot files, which no glob of
        partials matches."""
        import glob
        import signal
        import time
        with TempDir() as d:
            shard = ["fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--store", self.store, "--shard",
                     "1/1", "--partial"]
            base, parts = self.shards(self.QUERIES["hist2d"], 2, d)
            reference = os.path.join(d, "reference.h5")
            run("merge", *parts, "--out", reference)
            t0 = time.perf_counter()
            run(*shard, os.path.join(d, "timing.json"))
            duration = time.perf_counter() - t0
            seen = {"absent": 0, "whole": 0}
            for i in range(12):
                target = os.path.join(d, f"fit-{i}.json")
                p = subprocess.Popen([SYSCORR, *shard, target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(duration * i / 10)
                p.send_signal(signal.SIGKILL)
                p.wait()
                if os.path.exists(target):
                    with open(target) as f:
                        self.assertEqual(json.load(f)["format"], "syscorr-query-partial-2")
                    seen["whole"] += 1
                else:
                    seen["absent"] += 1
                out = os.path.join(d, f"merged-{i}.h5")
                p = subprocess.Popen([SYSCORR, "merge", *parts, "--out", out], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                time.sleep(0.005 * i)
                p.send_signal(signal.SIGKILL)
                p.wait()
                if os.path.exists(out):
                    with h5py.File(out) as a, h5py.File(reference) as b:
                        np.testing.assert_array_equal(a["histogram/storage/values"][()],
                                                      b["histogram/storage/values"][()])
            self.assertGreater(seen["absent"], 0)
            # what a killed process left: temporary dot files only, which `*.json` does not match
            for f in glob.glob(os.path.join(d, "fit-*.json")):
                with open(f) as g:
                    self.assertTrue(json.load(g)["parts"])

    def test_missing_repeated_and_foreign_shards_are_refused(self):
        with TempDir() as d:
            _, paths = self.shards(self.QUERIES["count"], 4, d)
            p = run("merge", paths[0], paths[1], paths[3], check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("missing shards: 3/4", p.stderr)
            p = run("merge", *paths, paths[2], check=False)
            self.assertIn("given twice", p.stderr)
            p = run("merge", *paths, "--expect-shards", 5, check=False)
            self.assertIn("missing shards", p.stderr)
            other = os.path.join(d, "other.json")
            run("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit", "--count",
                "--shard", "2/4", "--partial", other, store=self.store)
            p = run("merge", paths[0], other, paths[2], paths[3], check=False)
            self.assertIn("another query", p.stderr)
            p = run("merge", paths[0], os.path.join(os.path.dirname(__file__), "common.py"), check=False)
            self.assertIn("not a shard's partial", p.stderr)
            for p in (run("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--count", "--shard", "5/4",
                          "--partial", os.path.join(d, "x.json"), store=self.store, check=False),
                      run("query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--count", "--shard", "1/4",
                          store=self.store, check=False)):
                self.assertNotEqual(p.returncode, 0)
                self.assertTrue(p.stderr.startswith("error: "), p.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "x.json")))



if __name__ == "__main__":
    unittest.main()
