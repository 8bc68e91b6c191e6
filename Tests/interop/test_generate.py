"""`syscorr generate` is deterministic, independent of --files and --threads,
and its PID matches the truth it records (checked here with numpy)."""
import json
import os
import unittest

import h5py
import numpy as np

from common import TempDir, run, run_json


def columns(path_list, names):
    out = {n: [] for n in names}
    for p in path_list:
        with h5py.File(p, "r") as f:
            for n in names:
                out[n].append(f["ntuple"][n][()])
    return {n: np.concatenate(v) for n, v in out.items()}


def set_files(store, proc, mode, sample):
    d = os.path.join(store, "production", proc, mode, sample)
    with open(os.path.join(d, "manifest.json")) as f:
        m = json.load(f)
    return [os.path.join(d, x["name"]) for x in m["files"]]


class Generate(unittest.TestCase):
    def test_split_and_threads_do_not_change_rows(self):
        with TempDir() as d:
            store = os.path.join(d, "s")
            n = 150_000
            run("generate", "--mode", "KS", "--sample", "mc", "--events", n, "--proc", "a", "--seed", 5, "--threads", 1, store=store)
            run("generate", "--mode", "KS", "--sample", "mc", "--events", n, "--proc", "b", "--seed", 5, "--files", 3, "--threads", 2, store=store)
            run("generate", "--mode", "KS", "--sample", "mc", "--events", n, "--proc", "c", "--seed", 6, store=store)
            names = ["M", "pi_0_p", "pi_0_pionID", "pi_1_kaonID", "__event__", "isSignal"]
            a = columns(set_files(store, "a", "KS", "mc"), names)
            b = columns(set_files(store, "b", "KS", "mc"), names)
            c = columns(set_files(store, "c", "KS", "mc"), names)
            self.assertEqual(len(set_files(store, "b", "KS", "mc")), 3)
            for k in names:
                self.assertEqual(a[k].tobytes(), b[k].tobytes(), k)
            self.assertNotEqual(a["M"].tobytes(), c["M"].tobytes())
            self.assertEqual(a["__event__"].dtype, np.uint32)

    def test_recorded_truth_matches_the_rows(self):
        with TempDir() as d:
            store = os.path.join(d, "s")
            run("generate", "--mode", "Dst", "--sample", "mc", "--events", 400_000, "--proc", "p", "--seed", 11, store=store)
            files = set_files(store, "p", "Dst", "mc")
            truth = run_json("truth", "Dst", "--proc", "p", "--sample", "mc", "--variable", "kaonID", "--species", 321,
                             "--threshold", 0.2, store=store)
            self.assertEqual(len(truth), 7)
            direct = run_json("truth", "--input", files[0], "--variable", "kaonID", "--species", 321, "--threshold", 0.2)
            self.assertEqual(direct, truth)  # the same truth read from the file itself
            cols = columns(files, ["D0_K_p", "D0_K_kaonID", "D0_K_mcPDG"])
            kaon = np.abs(cols["D0_K_mcPDG"]) == 321
            checked = 0
            for t in truth:
                sel = kaon & (cols["D0_K_p"] >= t["p_min"]) & (cols["D0_K_p"] < t["p_max"]) & ~np.isnan(cols["D0_K_kaonID"])
                n = sel.sum()
                if n < 2000:
                    continue
                k = (cols["D0_K_kaonID"][sel] > 0.2).sum()
                eff = t["efficiency_mc"]
                sigma = np.sqrt(eff * (1 - eff) / n)
                self.assertLess(abs(k / n - eff), 5 * sigma + 1e-12, (t, k, n))
                checked += 1
            self.assertGreaterEqual(checked, 4)


if __name__ == "__main__":
    unittest.main()


class GenerateFiles(unittest.TestCase):
    """--files that do not divide the blocks (a crash before): the blocks are spread evenly."""

    def test_uneven_files(self):
        with TempDir() as d:
            store = os.path.join(d, "s")
            run("generate", "--mode", "KS", "--sample", "mc", "--events", 300000, "--files", 4, "--proc", "a",
                "--seed", 3, store=store)
            run("generate", "--mode", "KS", "--sample", "mc", "--events", 300000, "--files", 1, "--proc", "b",
                "--seed", 3, store=store)
            four, one = set_files(store, "a", "KS", "mc"), set_files(store, "b", "KS", "mc")
            self.assertEqual(len(four), 4)
            a, b = columns(four, ["M", "__event__"]), columns(one, ["M", "__event__"])
            self.assertEqual(len(a["M"]), 300000)
            self.assertEqual(a["M"].tobytes(), b["M"].tobytes())
            p = run("generate", "--mode", "KS", "--sample", "mc", "--events", 100, "--files", 3, "--proc", "c",
                    store=store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertEqual(p.stderr, "error: --files 3: 100 events make 1 block of 65,536 rows, and a file holds "
                                       "whole blocks; give --files 1 or fewer\n")


class Duplicates(unittest.TestCase):
    """The same generate (or ingest of the same file) twice is refused: it would double-count silently."""

    def test_second_identical_generate_is_refused(self):
        with TempDir() as d:
            store = os.path.join(d, "s")
            args = ["generate", "--mode", "KS", "--sample", "mc", "--events", 1000, "--proc", "a", "--seed", 4]
            run(*args, store=store)
            p = run(*args, store=store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("already holds the same 1000 rows", p.stderr)
            self.assertTrue(p.stderr.rstrip().endswith("nothing added; use --allow-duplicate to add it anyway"), p.stderr)
            self.assertEqual(run_json("show-db", store=store)["sets"][0]["entries"], 1000)
            # the short mode name show-db prints, and any case of the sample, select the set
            self.assertEqual(run_json("query", "--mode", "ks", "--sample", "MC", "--count", store=store)["entries"], 1000)
            run(*args[:-1], 5, store=store)  # another seed: other rows
            run(*args, "--allow-duplicate", store=store)
            self.assertEqual(run_json("show-db", store=store)["sets"][0]["entries"], 3000)
            out = os.path.join(d, "x.h5")
            run("export", "--mode", "KS", "--proc", "a", "--sample", "mc", "--out", out, store=store)
            p = run("ingest", out, out, "--mode", "KS", "--proc", "b", "--sample", "mc", store=store, check=False)
            self.assertIn(f"{out}: the set b/KS/mc already holds the same 3000 rows", p.stderr)
