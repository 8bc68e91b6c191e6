"""A killed ingest leaves the store as it was; concurrent ingests into
different processings all land."""
import os
import signal
import subprocess
import time
import unittest

import h5py
import numpy as np

from common import SYSCORR, TempDir, run, run_json


def set_files(store):
    out = {}
    for root, _, files in os.walk(os.path.join(store, "production")):
        for f in files:
            if f != ".lock":
                out[os.path.relpath(os.path.join(root, f), store)] = os.path.getsize(os.path.join(root, f))
    return out


class Atomicity(unittest.TestCase):
    def test_kill_during_ingest_changes_nothing(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            small = os.path.join(d, "small.h5")
            with h5py.File(small, "w") as f:
                for i in range(4):
                    f[f"x{i}"] = np.arange(1000.0) * i
            run("ingest", small, "--mode", "Dst", "--proc", "proc1", "--sample", "data", store=store)
            big = os.path.join(d, "big.h5")
            rng = np.random.default_rng(3)
            with h5py.File(big, "w") as f:
                for i in range(4):
                    f[f"x{i}"] = rng.normal(size=3_000_000)
            before_db = run_json("show-db", store=store)
            before_files = set_files(store)
            killed = 0
            for delay in [0.02, 0.08, 0.15, 0.25, 0.4, 0.6]:
                p = subprocess.Popen(
                    [SYSCORR, "ingest", big, big, "--allow-duplicate", "--replace", "--codec", "deflate", "--mode", "Dst", "--proc", "proc1",
                     "--sample", "data", "--store", store, "--threads", "1"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(delay)
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    killed += 1
                p.wait()
                if p.returncode == 0:
                    break  # finished before the kill: nothing more to learn
                self.assertEqual(run_json("show-db", store=store), before_db, f"after kill at {delay}s")
                # Every file the catalog names is intact.
                for rel in before_files:
                    if rel.endswith(".h5"):
                        with h5py.File(os.path.join(store, rel), "r") as f:
                            self.assertEqual(f["ntuple"]["x1"][999], 999.0)
            self.assertGreater(killed, 0, "no ingest was interrupted; make the input larger")
            # The next writer of the set sweeps the dead sessions' files (the same rows again, on purpose).
            run("ingest", small, "--allow-duplicate", "--mode", "Dst", "--proc", "proc1", "--sample", "data", store=store)
            files = set_files(store)
            self.assertEqual(len([f for f in files if f.endswith(".h5")]), 2)
            self.assertFalse([f for f in files if ".tmp-" in f])
            # Chunk indexes: exactly one beside each named file, none left by the dead sessions.
            self.assertEqual(sorted(f for f in files if f.endswith(".h5.index")),
                             sorted(f + ".index" for f in files if f.endswith(".h5")))

    def test_concurrent_ingests_into_different_processings(self):
        with TempDir() as d:
            store = os.path.join(d, "store")
            src = os.path.join(d, "in.h5")
            with h5py.File(src, "w") as f:
                f["a"] = np.arange(200_000.0)
            procs = [subprocess.Popen(
                [SYSCORR, "ingest", src, "--mode", "KS", "--proc", f"proc{i}", "--sample", "mc", "--store", store],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in range(6)]
            # and two writers racing on one set: both appends must land
            procs += [subprocess.Popen(
                [SYSCORR, "ingest", src, "--allow-duplicate", "--mode", "KS", "--proc", "shared", "--sample", "mc", "--store", store],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
            for p in procs:
                _, err = p.communicate()
                self.assertEqual(p.returncode, 0, err)
            db = run_json("show-db", store=store)
            got = {(s["proc"], s["files"], s["entries"]) for s in db["sets"]}
            want = {(f"proc{i}", 1, 200_000) for i in range(6)} | {("shared", 2, 400_000)}
            self.assertEqual(got, want)


if __name__ == "__main__":
    unittest.main()
