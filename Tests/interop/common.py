"""Helpers for the interop tests: run the syscorr binary, make temp stores."""
import json
import os
import subprocess
import tempfile

SYSCORR = os.environ.get("SYSCORR", ".build/debug/syscorr")


def run(*args, store=None, check=True, **kw):
    """Runs syscorr with args; returns CompletedProcess (text)."""
    cmd = [SYSCORR, *map(str, args)]
    if store is not None:
        cmd += ["--store", store]
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def run_json(*args, store=None):
    return json.loads(run(*args, "--json", store=store).stdout)


class TempDir:
    def __enter__(self):
        self._t = tempfile.TemporaryDirectory(prefix="syscorr-interop-")
        return self._t.name

    def __exit__(self, *exc):
        self._t.cleanup()


def without_timings(report):
    """A report without what differs between identical runs: wall times ("seconds", "…_seconds") and the
    files written."""
    if isinstance(report, dict):
        return {k: without_timings(v) for k, v in report.items() if "second" not in k and k != "files"}
    return [without_timings(v) for v in report] if isinstance(report, list) else report


def set_columns(store, directory, columns, proc="p", sample="data", mode="Dst"):
    """Columns of a store set as numpy arrays (exported to an HDF5 file in `directory`, read with h5py)."""
    import h5py
    out = os.path.join(directory, os.path.basename(store) + "-columns.h5")
    run("export", "--mode", mode, "--proc", proc, "--sample", sample, "--columns", ",".join(columns), "--out", out,
        "--force", store=store)
    with h5py.File(out) as f:
        return {k: f["ntuple"][k][()] for k in columns}
