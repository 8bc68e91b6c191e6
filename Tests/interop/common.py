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
