"""A basf2-like ROOT ntuple ingested into the store and exported to HDF5
keeps every flat branch bit for bit (SHA-256 of the big-endian column, as
the sidecar records it) and its type (__event__ stays uint32)."""
import hashlib
import json
import os
import unittest

import h5py
import numpy as np

from common import TempDir, run, run_json

ROOTFILES = os.environ.get("SYSCORR_FIXTURES") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", ".build", "fixtures")


class RootIngest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(ROOTFILES, "vars_zlib.json")):
            raise AssertionError(f"ROOT fixtures missing under {ROOTFILES}: run `make test`, or "
                                 "`.build/venv/bin/python Tests/fixtures/make_fixtures.py`")

    def check(self, name, tree="variables"):
        with open(os.path.join(ROOTFILES, name.replace(".root", ".json"))) as f:
            expected = json.load(f)["expected"]["trees"][tree]["branches"]
        with TempDir() as d:
            store = os.path.join(d, "store")
            p = run("ingest", os.path.join(ROOTFILES, name), "--tree", tree, "--mode", "Dst", "--proc", "root",
                    "--sample", "mc", store=store)
            self.assertIn("1 file,", p.stdout)
            out = os.path.join(d, "out.h5")
            run("export", "--mode", "Dst", "--out", out, "--codec", "lz4", store=store)
            with h5py.File(out, "r") as f:
                g = f["ntuple"]
                import hdf5plugin  # noqa: F401
                for branch, info in expected.items():
                    col = g[branch][()]
                    self.assertEqual(col.dtype.name, info["dtype"], branch)
                    self.assertEqual(len(col), info["num_entries"], branch)
                    digest = hashlib.sha256(col.astype(col.dtype.newbyteorder(">")).tobytes()).hexdigest()
                    self.assertEqual(digest, info["sha256_bigendian"], branch)
        return expected

    def test_uproot_written_zlib(self):
        expected = self.check("vars_zlib.root")
        self.assertEqual(expected["__event__"]["dtype"], "uint32")

    def test_root_written_lz4_skips_non_flat_branches(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            p = run("ingest", os.path.join(ROOTFILES, "real-root", "uproot-sample-6.20.04-lz4.root"), "--mode", "KS",
                    "--proc", "r", "--sample", "data", store=store)
            self.assertIn("skipping 23 non-flat branches", p.stderr)
            self.assertEqual(run_json("show-db", store=store)["sets"][0]["entries"], 30)

    def test_query_reads_root_directly(self):
        path = os.path.join(ROOTFILES, "vars_zstd.root")
        with open(os.path.join(ROOTFILES, "vars_zstd.json")) as f:
            info = json.load(f)["expected"]["trees"]["variables"]
        n = info["num_entries"]
        lo = info["branches"]["__event__"]["min"]
        self.assertEqual(run_json("query", "--input", path, "--cut", f"__event__ >= {lo}", "--count")["entries"], n)
        self.assertEqual(run_json("query", "--input", path, "--cut", f"__event__ < {lo}", "--count")["entries"], 0)
        h = run_json("query", "--input", path, "--hist", "__event__", "--bins", "1", "--range", f"{lo},{lo + 1}")
        self.assertEqual(h["histogram"]["sum_w"][1], n - sum(h["histogram"]["sum_w"][2:]))


if __name__ == "__main__":
    unittest.main()
