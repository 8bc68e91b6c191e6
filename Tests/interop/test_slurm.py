"""Sharded runs on a real Slurm (issue 14): Debian's slurmctld/slurmd/munge are installed if missing and
started as this test's own processes (Tests/interop/slurm/start.sh, stopped by PID); `syscorr plan --emit slurm`
writes the job array and the dependent merge; the merged result must equal a single-process run byte for byte
— a count, a 2-D efficiency, an efficiency table and a fit with sPlot over 8 shards — and a failing shard must
stop the merge."""
import json
import os
import shutil
import subprocess
import time
import unittest

import numpy as np

from common import SYSCORR, TempDir, run, set_columns, without_timings

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]


def ensure_slurm():
    """Installs Slurm from Debian's packages when missing (as make test installs its other prerequisites)."""
    if all(shutil.which(x) for x in ("sbatch", "slurmctld", "slurmd", "munged")):
        return
    if os.geteuid() != 0:
        raise unittest.SkipTest("installing Slurm needs root (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    p = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
                       check=True, capture_output=True, env=env)


def wait_for(jobs, timeout=180):
    end = time.time() + timeout
    while time.time() < end:
        q = subprocess.run(["squeue", "-h", "-j", ",".join(jobs)], capture_output=True, text=True)
        if q.returncode == 0 and not q.stdout.strip():
            return
        time.sleep(0.25)
    raise AssertionError(f"Slurm jobs {jobs} still queued after {timeout} s")


def job_state(job):
    out = subprocess.run(["scontrol", "show", "job", job], capture_output=True, text=True).stdout
    for word in out.split():
        if word.startswith("JobState="):
            return word.split("=", 1)[1]
    return "UNKNOWN"


class Slurm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_slurm()
        cls._tmp = TempDir()
        cls.d = cls._tmp.__enter__()
        os.chmod(cls.d, 0o755)  # munged (its own user) must reach its directory inside
        cls.slurm_dir = os.path.join(cls.d, "slurm")
        os.makedirs(cls.slurm_dir)
        cls.env = {**os.environ, "SLURM_CI_DIR": cls.slurm_dir}
        try:
            subprocess.run(["bash", os.path.join(HERE, "slurm", "start.sh")], check=True, env=cls.env,
                           capture_output=True, text=True)
        except subprocess.CalledProcessError as e:
            cls.tearDownClass()
            raise AssertionError(f"Slurm did not start: {e.stderr}")
        cls.store = os.path.join(cls.d, "store")
        run("generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", 600000, "--seed", 51,
            "--files", 2, store=cls.store)
        cls.single_fit = json.loads(run("fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--write-sweights",
                                        "--json", store=cls.store).stdout)
        # the same events again, for the sharded fit (its merge writes the sWeights there)
        cls.store_b = os.path.join(cls.d, "store-b")
        run("generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", 600000, "--seed", 51,
            "--files", 2, store=cls.store_b)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["bash", os.path.join(HERE, "slurm", "stop.sh")], env=cls.env, capture_output=True)
        cls._tmp.__exit__(None, None, None)

    def submit(self, name, command, shards=8):
        d = os.path.join(self.d, name)
        run("plan", "--emit", "slurm", "--shards", shards, "--dir", d, "--executable", os.path.abspath(SYSCORR),
            "--", *command)
        p = subprocess.run(["bash", os.path.join(d, "submit.sh")], check=True, capture_output=True, text=True,
                           env=self.env)
        jobs = p.stdout.split()
        self.assertEqual(len(jobs), 2, p.stdout)
        wait_for(jobs)
        return d, jobs

    def test_sharded_results_on_slurm_equal_a_single_run(self):
        store = ["--store", self.store]
        commands = {
            "count": ["query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit && D0_K_kaonID > 0.2",
                      "--weight", "sweight", "--count", *store],
            "efficiency2d": ["query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit", "--weight",
                             "sweight", "--pass", "D0_K_kaonID > 0.6", "--hist", "D0_K_p", "--edges", "0.5,1,2,4.5",
                             "--hist", "D0_K_cosTheta", "--edges=-0.866,0,0.5,0.9563", *store],
            "table": ["efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--weight",
                      "sweight", "--select", "in_fit", "--cut", "kaonID > 0.2", "--cut", "kaonID > 0.6", "--precut",
                      "charge > 0", "--precut", "charge < 0", "--bin", "p=0.5,1,2,4.5", *store],
        }
        for name, command in commands.items():
            with self.subTest(name):
                d, (_, merge) = self.submit(name, command)
                self.assertEqual(job_state(merge), "COMPLETED")
                self.assertEqual(len(os.listdir(os.path.join(d, "parts"))), 8)
                with open(os.path.join(d, "result.json")) as f:
                    merged = f.read()
                single = subprocess.run([SYSCORR, *command, "--json"], capture_output=True, text=True, check=True).stdout
                self.assertEqual(merged, single)

    def test_sharded_fit_and_splot_on_slurm_equal_a_single_run(self):
        """8 shards gather the fit sample, the dependent merge fits both models and writes the sWeights: fit
        results (but timings and paths) and sWeight columns equal the single run's bit for bit."""
        d, (_, merge) = self.submit("fit", ["fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--write-sweights",
                                            "--store", self.store_b])
        self.assertEqual(job_state(merge), "COMPLETED")
        with open(os.path.join(d, "result.json")) as f:
            merged = json.load(f)
        self.assertEqual(without_timings(merged), without_timings(self.single_fit))
        cols = [set_columns(st, d, ("sweight", "sweight_syst", "in_fit")) for st in (self.store, self.store_b)]
        for k in cols[0]:
            np.testing.assert_array_equal(cols[0][k], cols[1][k])

    def test_a_failing_shard_cancels_the_merge(self):
        # shard jobs fail (a column the set lacks): the array fails, the afterok merge never runs
        d, (_, merge) = self.submit("failing", ["query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut",
                                                "no_such_column > 0", "--count", "--store", self.store], shards=3)
        self.assertNotEqual(job_state(merge), "COMPLETED")
        self.assertFalse(os.path.exists(os.path.join(d, "result.json")))


if __name__ == "__main__":
    unittest.main()
