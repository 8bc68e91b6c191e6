"""ROOT → HDF5: SysCorr against uproot + h5py on the same file, in one run.

The file is the benchmark ntuple written by uproot with ZLIB level 1
(peers/make_data.py --formats root_zlib1), 57 flat branches.
- peer: uproot.open → tree.arrays(library="np") → h5py, one uncompressed dataset per column;
  clock after imports (as in peers/peers.py).
- syscorr export: `syscorr export --input F.root:ntuple --out X.h5 --codec none`, the same output;
  wall time of the whole process.
- syscorr ingest: `syscorr ingest F.root --tree ntuple` into a store (adds per-chunk statistics and
  fsyncs the file and the catalog: durable, unlike the two above).
Usage: python root_ingest.py --bin BIN --root FILE.root [--runs 3]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PEER = r"""
import sys, time
import h5py, numpy, uproot
t0 = time.perf_counter()
with uproot.open(sys.argv[1]) as f:
    arrays = f["ntuple"].arrays(library="np")
with h5py.File(sys.argv[2], "w") as out:
    g = out.create_group("ntuple")
    for k, v in arrays.items():
        g.create_dataset(k, data=v)
print(time.perf_counter() - t0)
"""


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd}: {p.stderr}")
    return time.perf_counter() - t0, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="syscorr-root-")
    try:
        with open(a.root, "rb", buffering=0) as f:  # page cache
            while f.read(8 << 20):
                pass
        res = {"uproot+h5py": [], "syscorr export": [], "syscorr ingest": []}
        for i in range(a.runs):
            out = os.path.join(tmp, f"peer{i}.h5")
            _, stdout = timed([sys.executable, "-c", PEER, a.root, out])
            res["uproot+h5py"].append(float(stdout.strip()))
            os.remove(out)
            out = os.path.join(tmp, f"sc{i}.h5")
            t, _ = timed([a.bin, "export", "--input", a.root + ":ntuple", "--out", out, "--force", "--codec", "none"])
            res["syscorr export"].append(t)
            os.remove(out)
            store = os.path.join(tmp, f"store{i}")
            t, _ = timed([a.bin, "ingest", a.root, "--tree", "ntuple", "--mode", "Dst", "--proc", "r", "--sample", "data",
                          "--store", store])
            res["syscorr ingest"].append(t)
            shutil.rmtree(store)
        size = os.path.getsize(a.root)
        peer = statistics.median(res["uproot+h5py"])
        print(f"| tool | median s | MB/s (ROOT file) | speed-up over uproot+h5py |")
        print("|---|---|---|---|")
        for k, v in res.items():
            m = statistics.median(v)
            print(f"| {k} | {m:.2f} | {size / m / 1e6:.0f} | {peer / m:.1f}× |")
        print(json.dumps({k: sorted(v) for k, v in res.items()}))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
