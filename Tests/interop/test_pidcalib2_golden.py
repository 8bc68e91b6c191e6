"""PIDCalib2's golden values (pidcalib2 1.5.9's own tests) reproduced by `syscorr efficiency`.

The test data (99 sWeighted events, 17 negative weights) comes from the pidcalib2 source distribution on PyPI,
downloaded once into .build/pidcalib2 (only the CSV is kept; pidcalib2 is GPL, its code is not used). The
columns get a `probe_` prefix so that `--particle probe` names them, as a calibration ntuple would."""
import csv
import glob
import os
import subprocess
import sys
import tarfile
import unittest

from common import TempDir, run_json

CACHE = os.path.join(".build", "pidcalib2")
MEMBER = "pidcalib2-1.5.9/src/pidcalib2/tests/test_data/cal_test_data.csv"
# PIDCalib2's default P binning for pions and kaons (MeV/c): [3000, 9300, 15600] + linspace(19000, 100000, 16)
P_EDGES = [3000, 9300, 15600] + [19000 + i * (100000 - 19000) / 15 for i in range(16)]


def test_data():
    path = os.path.join(CACHE, "cal_test_data.csv")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                        "-d", CACHE, "pidcalib2==1.5.9"], check=True)
        with tarfile.open(glob.glob(os.path.join(CACHE, "pidcalib2-1.5.9.tar.gz"))[0]) as t:
            with t.extractfile(MEMBER) as src, open(path, "wb") as dst:
                dst.write(src.read())
    return path


class PIDCalib2Golden(unittest.TestCase):
    def table(self, d, cut):
        with open(test_data()) as f:
            rows = list(csv.DictReader(f))
        path = os.path.join(d, "cal.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sWeight", "probe_P", "probe_DLLK"])
            for r in rows:
                w.writerow([r["sWeight"], r["P"], r["DLLK"]])
        return run_json("efficiency", "--input", path, "--particle", "probe", "--weight", "sWeight", "--cut", cut,
                        "--bin", "P=" + ",".join(repr(float(e)) for e in P_EDGES))["tables"][0]["bins"]

    def test_golden_values(self):
        with TempDir() as d:
            bins = self.table(d, "DLLK > 4")
            b = bins[1]  # [9300, 15600)
            self.assertAlmostEqual(b["total_sum_w"], 10.149319, delta=5e-7)
            self.assertAlmostEqual(b["total_sum_w2"], 10.833922, delta=5e-7)
            self.assertAlmostEqual(b["pass_sum_w"], 1.037101, delta=5e-7)
            self.assertAlmostEqual(b["pass_sum_w2"], 1.075578, delta=5e-7)
            self.assertAlmostEqual(b["efficiency"], 0.102184, delta=5e-7)
            self.assertAlmostEqual(b["error"], 0.096984, delta=5e-7)
            self.assertAlmostEqual(bins[3]["efficiency"], 0.085332, delta=5e-7)  # [19000, 24400)
            self.assertAlmostEqual(bins[3]["error"], 0.081822, delta=5e-7)
            neg = bins[12]  # [67600, 73000): negative Σw, nothing passes
            self.assertAlmostEqual(neg["total_sum_w"], -0.015205, delta=5e-7)
            self.assertEqual(neg["efficiency"], 0.0)
            self.assertIn("negative_total", neg["flags"])
            inverse = self.table(d, "DLLK < 4")
            self.assertAlmostEqual(inverse[1]["efficiency"], 0.8978157343833105, delta=1e-13)
            self.assertAlmostEqual(sum(b["efficiency"] for b in inverse), 17.812484216412948, delta=1e-12)


if __name__ == "__main__":
    unittest.main()
