"""`syscorr fw -w ntuples|refit` end to end on files made here: outputs in the store, the HTML report,
resuming (a rerun does nothing), the refit's new sWeights version, and located configuration errors."""
import json
import os
import shutil
import unittest

from common import TempDir, run, run_json

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "data-samples", "workflows")


class Workflows(unittest.TestCase):
    def make_inputs(self, d):
        scratch = os.path.join(d, "scratch")
        os.makedirs(os.path.join(d, "inputs"))
        for mode, sample, proc, name, n in [("Dst", "data", "p", "dst_proc12_data", 30000),
                                             ("Dst", "mc", "m", "dst_mc15ri_mc", 30000),
                                             ("KS", "data", "p", "ks_proc12_data", 20000)]:
            run("generate", "--mode", mode, "--sample", sample, "--events", n, "--proc", proc, "--seed", 5, store=scratch)
            out = os.path.join(d, "inputs", f"{name}.h5")
            run("export", "--mode", mode, "--proc", proc, "--sample", sample, "--out", out, store=scratch)
            with open(os.path.join(d, f"{name}.list"), "w") as f:
                f.write(f"# one file\ninputs/{name}.h5\n")
        for f in os.listdir(EXAMPLES):
            shutil.copy(os.path.join(EXAMPLES, f), d)

    def test_ntuples_then_refit(self):
        with TempDir() as d:
            self.make_inputs(d)
            store = os.path.join(d, "store")
            first = run_json("fw", "-w", "ntuples", os.path.join(d, "ntuples.yaml"), store=store)
            self.assertEqual([t["status"] for t in first["tasks"]], ["done"] * 3)
            self.assertTrue(all(t["fit_valid"] for t in first["tasks"]))
            self.assertEqual(sorted(first["unused_settings"]),
                             ["gbasf2_input_dslist", "gbasf2_project_name_prefix", "gbasf2_release"])
            sets = {(s["proc"], s["mode"], s["sample"]): s for s in run_json("show-db", store=store)["sets"]}
            self.assertEqual(set(sets), {("proc12", "Dst", "data"), ("MC15ri", "Dst", "mc"), ("proc12", "KS", "data")})
            self.assertTrue(all(s["friends"] == ["sweights_v1"] for s in sets.values()))
            for stem in ["proc12_Dst_data", "MC15ri_Dst_mc", "proc12_KS_data"]:
                for folder, ext in [("fit_results", "json"), ("plots", "svg"), ("plots", "json"), ("validation", "json")]:
                    self.assertTrue(os.path.exists(os.path.join(store, folder, f"{stem}.{ext}")), f"{folder}/{stem}.{ext}")
            # the K_S0 task used its model file's range
            with open(os.path.join(store, "fit_results", "proc12_KS_data.json")) as f:
                self.assertEqual(json.load(f)["nominal"]["range"], [0.46, 0.54])
            with open(os.path.join(store, "workflows", "ntuples.html")) as f:
                html = f.read()
            self.assertIn("proc12/KS/data", html)
            self.assertIn('src="../plots/proc12_Dst_data.svg"', html)
            # resumable: nothing to do the second time
            again = run_json("fw", "-w", "ntuples", os.path.join(d, "ntuples.yaml"), store=store)
            self.assertEqual([t["status"] for t in again["tasks"]], ["skipped (up to date)"] * 3)
            # the refit writes v2 next to v1, and a rerun skips it
            refit = run_json("fw", "-w", "refit", os.path.join(d, "refit.yaml"), store=store)
            self.assertEqual(refit["tasks"][0]["status"], "done")
            friends = {(s["proc"], s["mode"]): s["friends"] for s in run_json("show-db", store=store)["sets"]}
            self.assertEqual(friends[("proc12", "Dst")], ["sweights_v1", "sweights_v2"])
            self.assertTrue(os.path.exists(os.path.join(store, "plots", "proc12_Dst_data_v2.svg")))
            self.assertEqual(run_json("fw", "-w", "refit", os.path.join(d, "refit.yaml"), store=store)["tasks"][0]["status"],
                             "skipped (up to date)")
            # sweight is the newest version; sweight_v1 stays queryable
            newest = run_json("query", "--mode", "Dst", "--proc", "proc12", "--sample", "data", "--cut", "in_fit",
                              "--weight", "sweight", store=store)["sum_w"]
            v2 = run_json("query", "--mode", "Dst", "--proc", "proc12", "--sample", "data", "--cut", "in_fit_v2",
                          "--weight", "sweight_v2", store=store)["sum_w"]
            self.assertEqual(newest, v2)

    def test_export_to_a_missing_directory_says_so(self):
        with TempDir() as d:
            scratch = os.path.join(d, "scratch")
            run("generate", "--mode", "KS", "--sample", "data", "--events", 100, "--proc", "p", store=scratch)
            out = os.path.join(d, "no", "such", "x.h5")
            p = run("export", "--mode", "KS", "--proc", "p", "--sample", "data", "--out", out, store=scratch, check=False)
            self.assertEqual(p.stderr, f"error: cannot write {out}: no directory {os.path.dirname(out)}\n")
            # --out never replaces a file silently, and never writes inside a store set
            out = os.path.join(d, "x.h5")
            args = ["query", "--mode", "KS", "--proc", "p", "--sample", "data", "--columns", "M", "--out", out]
            run(*args, store=scratch)
            p = run(*args, store=scratch, check=False)
            self.assertEqual(p.stderr, f"error: {out} exists; use --force to replace it\n")
            run(*args, "--force", store=scratch)
            inside = os.path.join(scratch, "production", "p", "KS", "data", "part-x.h5")
            p = run("query", "--mode", "KS", "--proc", "p", "--sample", "data", "--columns", "M", "--out", inside,
                    store=scratch, check=False)
            self.assertIn("is inside the store set", p.stderr)
            self.assertEqual(run_json("query", "--mode", "KS", "--proc", "p", "--sample", "data", "--count",
                                      store=scratch)["entries"], 100)

    def test_bad_configurations(self):
        with TempDir() as d:
            self.make_inputs(d)
            store = os.path.join(d, "store")

            def fails(name, text, message, workflow="ntuples"):
                path = os.path.join(d, name)
                with open(path, "w") as f:
                    f.write(text)
                p = run("fw", "-w", workflow, path, store=store, check=False)
                self.assertNotEqual(p.returncode, 0)
                self.assertTrue(p.stderr.startswith("error: "), p.stderr)
                self.assertIn(message, p.stderr)

            fails("a.yaml", "tasks:\n  - path: dst_proc12_data.list\n    short_name: dst\n", "tasks[0].proc: missing")
            fails("b.yaml", "tasks:\n  - path: dst_proc12_data.list\n    proc: p\n    short_name: dts\n",
                  "tasks[0].short_name: unknown mode 'dts'")
            fails("c.yaml", "tasks:\n  - path: dst_proc12_data.list\n    proc: p\n    short_name: dst\n    modle: x.yaml\n",
                  "tasks[0].modle: unknown key")
            fails("d.yaml", "tasks:\n  - path: nothing.list\n    proc: p\n    short_name: dst\n",
                  "tasks[0].path: cannot read the file list")
            # a refit of a set that has no sWeights
            run("ingest", os.path.join(d, "inputs", "dst_proc12_data.h5"), "--mode", "Dst", "--proc", "proc12",
                "--sample", "data", store=store)
            fails("r.yaml", "old_suffix: v1\nnew_suffix: v2\nmodels:\n  - short_name: dst\n    proc: proc12\n",
                  "proc12/Dst/data has no sWeights sweights_v1 to refit (it has: none)", workflow="refit")
            self.assertEqual(run_json("show-db", store=store)["sets"][0]["friends"], [])


if __name__ == "__main__":
    unittest.main()
