"""Sharded `roc`, `plot` and `kde fit` (issue 14): `--shard K/N --partial F.json` in separate processes (thread
counts varying per shard), then `syscorr merge`, print and write what a single run does, byte for byte; a missing
shard is refused. Each command reads two samples or two passes' worth of options: `roc` a signal and a mis-ID
sample (here of two different sets), `plot` data and simulation, `kde fit` a box given up front."""
import io
import json
import os
import subprocess
import unittest

import h5py
import numpy as np

from common import SYSCORR, TempDir, run

EXE = os.path.abspath(SYSCORR)


def run_in(cwd, *args, check=True):
    """Runs syscorr in `cwd`, so that outputs named relative to it print the same in every run."""
    p = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"syscorr {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def contents(directory):
    """Every file of `directory` and its bytes."""
    out = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            out[name] = f.read()
    return out


def h5_contents(data):
    """An HDF5 file's groups, datasets and attributes (all but the objects' time stamps)."""
    out = {}
    with h5py.File(io.BytesIO(data)) as f:
        def visit(name, obj):
            value = None
            if isinstance(obj, h5py.Dataset):
                v = obj[()]
                # strings (variable length) by value, numbers by their bytes
                value = (obj.dtype.str, obj.shape, repr(v.tolist()) if obj.dtype.kind == "O" else np.asarray(v).tobytes())
            out[name] = ({k: repr(v) for k, v in obj.attrs.items()}, value)
        out["/"] = {k: repr(v) for k, v in f.attrs.items()}
        f.visititems(visit)
    return out


class ShardedCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = TempDir()
        cls.d = cls._tmp.__enter__()
        cls.store = os.path.join(cls.d, "store")
        run("generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", 200000, "--seed", 51,
            "--files", 3, store=cls.store)
        run("generate", "--mode", "Dst", "--sample", "mc", "--proc", "m", "--events", 120000, "--seed", 52,
            "--files", 2, store=cls.store)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.__exit__(None, None, None)

    def sharded(self, base, outputs, shard_counts=(1, 3, 8), extra_shard_args=()):
        """Runs `base` once with `outputs`, then in N shards merged with the same outputs (each in a directory
        of its own): the merged stdout and files equal the single run's. Returns the single run's directory and
        the partials of the last N."""
        single = os.path.join(self.d, "single-" + base[0])
        os.makedirs(single, exist_ok=True)
        expected = run_in(single, *base, *outputs, "--store", self.store).stdout
        expected_files = contents(single)
        self.assertTrue(expected_files)
        for n in shard_counts:
            with self.subTest(command=base[0], shards=n), TempDir() as d:
                parts = [os.path.join(d, f"part-{k}.json") for k in range(1, n + 1)]
                for k, path in enumerate(parts, 1):
                    run(*base, *extra_shard_args, "--shard", f"{k}/{n}", "--partial", path, "--threads", 1 + k % 3,
                        store=self.store)
                merged_dir = os.path.join(d, "merged")
                os.makedirs(merged_dir)
                merged = run_in(merged_dir, "merge", *reversed(parts), *outputs).stdout
                self.assertEqual(merged, expected)
                self.compare_files(contents(merged_dir), expected_files)
                if n == 3:
                    p = run("merge", parts[0], parts[2], check=False)
                    self.assertNotEqual(p.returncode, 0)
                    self.assertIn("missing shards: 2/3", p.stderr)
        return single

    def compare_files(self, merged, single):
        """Byte for byte, but HDF5 files: libhdf5 stamps each object with its modification time, so those
        compare by their groups, datasets (bytes, dtype, shape) and attributes."""
        self.assertEqual(sorted(merged), sorted(single))
        for name in single:
            if name.endswith(".h5"):
                self.assertEqual(h5_contents(merged[name]), h5_contents(single[name]), name)
            else:
                self.assertEqual(merged[name], single[name], name)

    def test_sharded_roc_curves_equal_a_single_run(self):
        """`roc`: kaon efficiency of the data against pion mis-ID of the simulation (another set: the shards
        split the chunks of both, one list after the other); stdout, the CSV, the SVG and its JSON, and --json
        equal a single run's."""
        base = ["roc", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--misid-particle",
                "pi", "--misid-proc", "m", "--misid-sample", "mc", "--var", "kaonID", "--var", "pionID",
                "--bin", "p=0.5,1.5,4.5", "--thresholds", "0,0.1,0.3,0.5,0.7,0.9"]
        self.sharded(base, ["--out", "curves.csv", "--plot", "roc.svg"])
        with TempDir() as d:
            parts = [os.path.join(d, f"r-{k}.json") for k in (1, 2)]
            for k, path in enumerate(parts, 1):
                run(*base, "--shard", f"{k}/2", "--partial", path, store=self.store)
            self.assertEqual(run("merge", *parts, "--json").stdout, run(*base, "--json", store=self.store).stdout)
            p = run(*base, "--shard", "1/2", "--partial", parts[0], "--plot", "x.svg", store=self.store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("belong to `syscorr merge`", p.stderr)

    def test_a_changed_second_sample_is_refused(self):
        """The shards' digest covers every set read: when the mis-ID sample of `roc` gains sWeights between two
        shards (same chunks, so the chunking alone would not tell), merge refuses the mix."""
        import shutil
        with TempDir() as d:
            store = os.path.join(d, "store")
            shutil.copytree(self.store, store)
            base = ["roc", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--misid-particle",
                    "pi", "--misid-proc", "m", "--misid-sample", "mc", "--var", "kaonID"]
            parts = [os.path.join(d, f"r-{k}.json") for k in (1, 2)]
            run(*base, "--shard", "1/2", "--partial", parts[0], store=store)
            run("fit", "--mode", "Dst", "--proc", "m", "--sample", "mc", "--write-sweights", store=store)
            run(*base, "--shard", "2/2", "--partial", parts[1], store=store)
            p = run("merge", *parts, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("another query or input", p.stderr)

    def test_sharded_plot_equals_a_single_run(self):
        """`plot`: sWeight-free data against simulation with two overlays; the SVG, its JSON and UHI file, the
        summary and --json equal a single run's."""
        base = ["plot", "--mode", "Dst", "--proc", "p", "--sample", "data", "--mc-proc", "m", "--particle", "K",
                "--expr", "kaonID", "--bins", 25, "--range", "0,1", "--overlay", "charge > 0", "--overlay",
                "charge < 0", "--log"]
        self.sharded(base, ["--out", "kaonID.svg"])
        with TempDir() as d:
            data_only = base[:7] + base[9:]
            parts = [os.path.join(d, f"p-{k}.json") for k in (1, 2, 3)]
            for k, path in enumerate(parts, 1):
                run(*data_only, "--shard", f"{k}/3", "--partial", path, store=self.store)
            self.assertEqual(run("merge", *parts, "--json").stdout, run(*data_only, "--json", store=self.store).stdout)

    def test_plan_shards_roc_and_plot(self):
        """`plan` writes recipes for `roc` and `plot` (their merge prints the result) and refuses `kde fit`,
        whose result is a density file."""
        with TempDir() as d:
            for command in (["roc", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K",
                             "--misid-particle", "pi", "--var", "kaonID", "--store", self.store],
                            ["plot", "--mode", "Dst", "--proc", "p", "--sample", "data", "--mc-proc", "m", "--expr",
                             "D0_M", "--bins", 10, "--range", "1.8,1.9", "--store", self.store]):
                out = os.path.join(d, command[0])
                run("plan", "--emit", "slurm", "--shards", 4, "--dir", out, "--", *command)
                with open(os.path.join(out, "submit.sh")) as f:
                    self.assertIn(f" {command[0]} --mode Dst", f.read())
            p = run("plan", "--emit", "slurm", "--dir", d, "--", *self.KDE, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("--out FILE.h5", p.stderr)

    KDE = ["kde", "fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--pid", "kaonID",
           "--vars", "p,cosTheta", "--grid", "30,10,8", "--systematics", "--replicas", 2]

    def density(self, path):
        with h5py.File(path) as f:
            arrays = {k: f[k][()] for k in f.keys()}
            settings = json.loads(f.attrs["settings"])
            attrs = {k: v for k, v in f.attrs.items() if k != "settings"}
        settings.pop("command")
        return arrays, settings, attrs

    def compare_densities(self, merged, single):
        """The datasets (bit for bit, with their dtype and shape) and the settings but the command line, which
        the file records (the merge's, naming the shards' command): the only bytes in which the files differ."""
        a, sa, xa = self.density(merged)
        b, sb, xb = self.density(single)
        self.assertEqual(sorted(a), sorted(b))
        for k in b:
            self.assertEqual((a[k].dtype, a[k].shape), (b[k].dtype, b[k].shape), k)
            self.assertEqual(a[k].tobytes(), b[k].tobytes(), k)
        self.assertEqual(sa, sb)
        self.assertEqual(xa, xb)

    def test_sharded_density_equals_a_single_run(self):
        """`kde fit --shard` with the box given (--range for every axis): the merge smooths the binned grid; its
        summary, validation plots and the density file (datasets and settings) equal a single run's. A box found
        from the data in a single run gives the same density as shards given that box."""
        box = ["--range", "p=0,5", "--range", "cosTheta=-1,1", "--range", "kaonID=0,1"]
        base = self.KDE + box
        outputs = ["--out", "kde.h5", "--plot", "proj"]
        single = os.path.join(self.d, "single-kde")
        os.makedirs(single)
        expected = run_in(single, *base, *outputs, "--store", self.store).stdout
        expected_files = contents(single)
        for n in (1, 3, 8):
            with self.subTest(shards=n), TempDir() as d:
                parts = [os.path.join(d, f"k-{k}.json") for k in range(1, n + 1)]
                for k, path in enumerate(parts, 1):
                    run(*base, "--shard", f"{k}/{n}", "--partial", path, "--threads", 1 + k % 3, store=self.store)
                merged_dir = os.path.join(d, "merged")
                os.makedirs(merged_dir)
                self.assertEqual(run_in(merged_dir, "merge", *parts, *outputs).stdout, expected)
                files = contents(merged_dir)
                self.compare_files({k: v for k, v in files.items() if k != "kde.h5"},
                                   {k: v for k, v in expected_files.items() if k != "kde.h5"})
                self.compare_densities(os.path.join(merged_dir, "kde.h5"), os.path.join(single, "kde.h5"))
                if n == 3:
                    p = run("merge", parts[1], parts[2], "--out", os.path.join(d, "x.h5"), check=False)
                    self.assertIn("missing shards: 1/3", p.stderr)
                    self.assertFalse(os.path.exists(os.path.join(d, "x.h5")))
        # the box found from the data (a scan of its own), given to the shards
        with TempDir() as d:
            found = os.path.join(d, "found.h5")
            run(*self.KDE, "--out", found, store=self.store)
            with h5py.File(found) as f:
                axes = json.loads(f.attrs["settings"])["axes"]
            given = [a for name, x in zip(["p", "cosTheta", "kaonID"], axes)
                     for a in ("--range", f"{name}={x['lower']!r},{x['upper']!r}")]
            parts = [os.path.join(d, f"f-{k}.json") for k in (1, 2)]
            for k, path in enumerate(parts, 1):
                run(*self.KDE, *given, "--shard", f"{k}/2", "--partial", path, store=self.store)
            merged = os.path.join(d, "merged.h5")
            run("merge", *parts, "--out", merged)
            self.compare_densities(merged, found)

    def test_sharded_density_needs_its_box(self):
        """Without --range for every axis a shard refuses before reading, naming the missing options."""
        with TempDir() as d:
            part = os.path.join(d, "k.json")
            p = run(*self.KDE, "--range", "p=0,5", "--shard", "1/2", "--partial", part, store=self.store, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertTrue(p.stderr.startswith("error: --shard:"), p.stderr)
            self.assertIn("--range cosTheta=lo,hi and --range kaonID=lo,hi", p.stderr)
            self.assertFalse(os.path.exists(part))
            p = run(*self.KDE, "--shard", "1/2", "--partial", part, "--out", os.path.join(d, "x.h5"), store=self.store,
                    check=False)
            self.assertIn("belong to `syscorr merge`", p.stderr)
            p = run(*self.KDE, store=self.store, check=False)
            self.assertIn("--out FILE.h5", p.stderr)


    def test_row_writing_commands_shard_into_files(self):
        """`export`, `kde resample`, `multitrack` and `query --columns` with --shard K/N write their part of the rows
        (query: the selected ones) to their own
        --out: the N files, one after another, equal a whole run's (resampled values too: seeds are keyed by the
        row's number in the whole set), and read as a --files-from list they count the set's rows. A shard
        without --out is refused."""
        def read(paths, names):
            cols = {}
            for p in paths:
                with h5py.File(p) as f:
                    for k in names:
                        cols.setdefault(k, []).append(f["ntuple"][k][()])
            return {k: np.concatenate(v) for k, v in cols.items()}

        with TempDir() as d:
            kde = os.path.join(d, "kde.h5")
            run(*self.KDE, "--range", "p=0,5", "--range", "cosTheta=-1,1", "--range", "kaonID=0,1", "--replicas", 2,
                "--out", kde, store=self.store)
            weights = os.path.join(d, "w.json")
            run("weights", "--mode", "Dst", "--proc", "p", "--mc-proc", "m", "--particle", "K", "--cut", "kaonID > 0.6",
                "--bin", "p=0.5,1,2,4.5", "--out", weights, store=self.store)
            mc = ["--mode", "Dst", "--proc", "m", "--sample", "mc"]
            commands = {
                "export": (["export", *mc, "--columns", "D0_K_p,D0_K_kaonID,twice=D0_K_p*2"],
                           ["D0_K_p", "D0_K_kaonID", "twice"]),
                "resample": (["kde", "resample", *mc, "--particle", "K", "--kde", kde, "--column", "k_rs", "--seed", 5,
                              "--systematics"], ["k_rs", "k_rs_stat_0", "k_rs_valid"]),
                "multitrack": (["multitrack", *mc, "--track", "K", "--track", "pi", "--table", weights],
                               ["pid_weight", "pid_weight_valid"]),
                "query": (["query", *mc, "--cut", "D0_K_p > 1", "--columns", "D0_K_p,twice=D0_K_p*2"],
                          ["D0_K_p", "twice"]),
            }
            for name, (command, columns) in commands.items():
                with self.subTest(command=name):
                    whole = os.path.join(d, f"{name}-whole.h5")
                    run(*command, "--shard", "1/1", "--out", whole, store=self.store)
                    parts = [os.path.join(d, f"{name}-{k}.h5") for k in (1, 2, 3)]
                    for k, path in enumerate(parts, 1):
                        run(*command, "--shard", f"{k}/3", "--out", path, "--threads", k, store=self.store)
                    a, b = read([whole], columns), read(parts, columns)
                    for k in columns:
                        self.assertEqual(a[k].tobytes(), b[k].tobytes(), k)
                    rows = len(a[columns[0]])
                    self.assertEqual(rows, 120000 if name != "query" else
                                     json.loads(run(*command[:-2], "--count", "--json", store=self.store).stdout)["entries"])
                    listing = os.path.join(d, f"{name}.list")
                    with open(listing, "w") as f:
                        f.write("\n".join(os.path.basename(p) for p in parts) + "\n")
                    count = run("query", "--files-from", listing, "--count", "--json").stdout
                    self.assertEqual(json.loads(count)["entries"], rows)
                    if name == "export":
                        # the list as plot's data (its simulation another file): numpy's histogram of the rows
                        h = json.loads(run("plot", "--files-from", listing, "--mc-input", parts[0], "--expr", "D0_K_p",
                                           "--bins", 20, "--range", "0,5", "--json").stdout)["data"][0]["sum_w"]
                        np.testing.assert_array_equal(h, np.histogram(a["D0_K_p"], bins=20, range=(0, 5))[0])
                    p = run(*command, "--shard", "1/3", store=self.store, check=False)
                    self.assertNotEqual(p.returncode, 0)
                    self.assertTrue(p.stderr.startswith("error: "), p.stderr)


if __name__ == "__main__":
    unittest.main()
