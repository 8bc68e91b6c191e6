"""h5py reads what SysCorr writes, and SysCorr ingests what h5py writes,
value for value (bit-exact, dtypes kept)."""
import os
import unittest

import h5py
import hdf5plugin  # noqa: F401  (registers the lz4 and zstd filters)
import numpy as np

from common import TempDir, run, run_json

DTYPES = ["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "?"]


def sample_columns(n, seed=7):
    rng = np.random.default_rng(seed)
    cols = {}
    for dt in DTYPES:
        name = f"c_{np.dtype(dt).name}"
        if dt == "?":
            cols[name] = rng.uniform(size=n) > 0.3
        elif dt.startswith("f"):
            x = rng.normal(size=n).astype(dt)
            x[::101] = np.nan
            x[1] = np.inf
            x[2] = -0.0
            cols[name] = x
        else:
            info = np.iinfo(dt)
            cols[name] = rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True)
    cols["__event__"] = np.arange(n, dtype="u4")
    return cols


def assert_same(test, a, b, name):
    test.assertEqual(a.dtype, b.dtype, name)
    test.assertEqual(a.tobytes(), b.tobytes(), name)


class H5pyInterop(unittest.TestCase):
    def test_h5py_layouts_ingest_and_export_with_every_codec(self):
        n = 150_001  # several chunks and an edge chunk
        cols = sample_columns(n)
        with TempDir() as d:
            store = os.path.join(d, "store")
            # h5py writes in three layouts: contiguous, gzip-chunked, and a v110 file in a sub-group.
            layouts = {
                "plain.h5": dict(group="/", kw={}),
                "gzip.h5": dict(group="/", kw=dict(compression="gzip", chunks=(10_000,))),
                "v110.h5": dict(group="data/variables", kw=dict(chunks=True)),
            }
            for fname, spec in layouts.items():
                libver = "v110" if fname == "v110.h5" else "earliest"
                with h5py.File(os.path.join(d, fname), "w", libver=libver) as f:
                    g = f.require_group(spec["group"])
                    for k, v in cols.items():
                        g.create_dataset(k, data=v, **spec["kw"])
            specs = [os.path.join(d, "plain.h5"), os.path.join(d, "gzip.h5"), os.path.join(d, "v110.h5") + ":data/variables"]
            # the same rows in three layouts: duplicates on purpose
            run("ingest", *specs, "--allow-duplicate", "--mode", "Dst", "--proc", "proc12", "--sample", "mc", store=store)
            db = run_json("show-db", store=store)
            self.assertEqual(db["totals"]["entries"], 3 * n)
            self.assertEqual(db["sets"][0]["files"], 3)
            for codec in ["none", "lz4", "zstd", "deflate"]:
                out = os.path.join(d, f"export-{codec}.h5")
                run("export", "--mode", "Dst", "--proc", "proc12", "--sample", "mc", "--out", out, "--codec", codec, store=store)
                with h5py.File(out, "r") as f:
                    g = f["ntuple"]
                    self.assertEqual(g.attrs["entries"], 3 * n)
                    for k, v in cols.items():
                        got = g[k][()]
                        assert_same(self, got, np.concatenate([v, v, v]), f"{k} via {codec}")
                        self.assertEqual(g[k].chunks, (65536,))
                        self.assertEqual(g[k].maxshape, (None,))
                    stats = g["_chunk_stats"]["c_float64"][()]
                    x = g["c_float64"][0:65536]
                    self.assertEqual(stats[0, 0], np.nanmin(x))
                    self.assertEqual(stats[0, 1], np.nanmax(x))
                    self.assertEqual(stats[0, 2], np.isnan(x).sum())

    def test_pandas_one_liner_shape(self):
        with TempDir() as d:
            src = os.path.join(d, "in.h5")
            with h5py.File(src, "w") as f:
                f["a"] = np.arange(10.0)
                f["b"] = np.arange(10, dtype="i4")
            out = os.path.join(d, "out.h5")
            run("export", "--input", src, "--out", out, "--columns", "b,a")
            with h5py.File(out, "r") as f:
                frame = {k: v[()] for k, v in f["ntuple"].items() if isinstance(v, h5py.Dataset)}
            self.assertEqual(sorted(frame), ["a", "b"])
            self.assertEqual(frame["b"].dtype, np.int32)

    def test_bad_inputs_are_rejected_before_writing(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            bad = os.path.join(d, "unequal.h5")
            with h5py.File(bad, "w") as f:
                f["a"] = np.arange(10.0)
                f["b"] = np.arange(9.0)
            good = os.path.join(d, "good.h5")
            with h5py.File(good, "w") as f:
                f["a"] = np.arange(10.0)
            p = run("ingest", good, bad, "--mode", "Dst", "--proc", "p1", "--sample", "data", store=store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("unequal lengths", p.stderr)
            self.assertEqual(p.stderr.strip().count("\n"), 0, p.stderr)
            # nothing was written: not even the store's directory
            db = run("show-db", "--json", store=store, check=False)
            self.assertNotEqual(db.returncode, 0)
            self.assertIn("no store at", db.stderr)
            trunc = os.path.join(d, "trunc.h5")
            with open(good, "rb") as f, open(trunc, "wb") as g:
                g.write(f.read()[:300])
            p = run("ingest", trunc, "--mode", "Dst", "--proc", "p1", "--sample", "data", store=store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("trunc.h5", p.stderr)
            for name in ["../x", "a/b", "x\x01"]:
                p = run("ingest", good, "--mode", "Dst", "--proc", name, "--sample", "data", store=store, check=False)
                self.assertNotEqual(p.returncode, 0, name)
                self.assertIn("invalid processing", p.stderr)


if __name__ == "__main__":
    unittest.main()
