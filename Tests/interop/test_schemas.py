"""The JSON Schemas in schemas/ describe what SysCorr really writes."""
import json
import os
import unittest

import h5py
import hdf5plugin  # noqa: F401
import jsonschema
import numpy as np

from common import TempDir, run

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def load(name):
    with open(os.path.join(ROOT, "schemas", name)) as f:
        return json.load(f)


def describe(path, group="ntuple"):
    """The JSON description of an ntuple file that ntuple.schema.json constrains."""
    with h5py.File(path, "r") as f:
        g = f[group]
        out = {"group": group, "attributes": {}, "columns": {}, "_chunk_stats": {}}
        for k, v in g.attrs.items():
            out["attributes"][k] = v.item() if hasattr(v, "item") else v
        for k, d in g.items():
            if isinstance(d, h5py.Dataset):
                dcpl = d.id.get_create_plist()
                out["columns"][k] = {
                    "dtype": d.dtype.str, "shape": list(d.shape), "chunks": list(d.chunks),
                    "maxshape": list(d.maxshape),
                    "filters": [dcpl.get_filter(i)[0] for i in range(dcpl.get_nfilters())],
                    "attributes": {a: str(x) for a, x in d.attrs.items()},
                }
        for k, d in g["_chunk_stats"].items():
            out["_chunk_stats"][k] = {"shape": list(d.shape)}
        return out


class Schemas(unittest.TestCase):
    def test_manifest_and_ntuple_match_their_schemas(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            src = os.path.join(d, "in.h5")
            with h5py.File(src, "w") as f:
                f["x"] = np.arange(100.0)
                f["ok"] = np.arange(100) % 2 == 0
                f["__event__"] = np.arange(100, dtype="u4")
            run("ingest", src, "--mode", "Dst", "--proc", "proc12", "--sample", "data", "--codec", "zstd", store=store)
            w = os.path.join(d, "w.h5")
            with h5py.File(w, "w") as f:
                f["sw"] = np.ones(100)
            run("add-columns", w, "--name", "sweights", "--mode", "Dst", "--proc", "proc12", "--sample", "data", store=store)
            setdir = os.path.join(store, "production", "proc12", "Dst", "data")
            with open(os.path.join(setdir, "manifest.json")) as f:
                manifest = json.load(f)
            jsonschema.validate(manifest, load("manifest.schema.json"))
            self.assertEqual(manifest["friends"][0]["name"], "sweights_v1")
            for name in [manifest["files"][0]["name"], manifest["friends"][0]["files"][0]]:
                desc = describe(os.path.join(setdir, name))
                jsonschema.validate(desc, load("ntuple.schema.json"))
            base = describe(os.path.join(setdir, manifest["files"][0]["name"]))
            self.assertEqual(base["columns"]["x"]["filters"], [2, 32015])
            self.assertEqual(base["columns"]["ok"]["dtype"], "|b1")
            self.assertEqual(base["columns"]["__event__"]["dtype"], "<u4")
            # A broken manifest is caught by the schema.
            manifest["sample"] = "both"
            with self.assertRaises(jsonschema.ValidationError):
                jsonschema.validate(manifest, load("manifest.schema.json"))


if __name__ == "__main__":
    unittest.main()
