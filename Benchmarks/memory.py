"""Peak RSS of count and histogram queries as the rows grow: it must stay flat (streaming, bounded memory).
Runs Q1, Q2 and Q4 on 1, 2, 5 and 10 copies of the benchmark set (files listed several times in a set)."""
import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--store", required=True)
ap.add_argument("--codec", default="none")
a = ap.parse_args()

src = os.path.join(a.store, "production", f"bench-{a.codec}", "Dst", "data")
with open(os.path.join(src, "manifest.json")) as f:
    manifest = json.load(f)
tmp = tempfile.mkdtemp(prefix="syscorr-mem-")
Q1 = "K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4 && K_nCDCHits > 20"
queries = {
    "Q1": ["--cut", Q1, "--count"],
    "Q2": ["--cut", "abs(K_dz) < 4 && K_dr < 2", "--pass", "K_kaonID > 0.6", "--weight", "sWeight", "--hist", "K_p",
           "--edges", "0.5,1,1.5,2,2.5,3,3.5,4.5", "--hist", "K_cosTheta", "--bins", "10", "--range=-0.866,0.9563"],
    "Q4": ["--hist", "D0_M", "--bins", "100", "--range", "1.8,1.93"],
}
print("| rows | " + " | ".join(f"{q} peak RSS" for q in queries) + " |")
print("|---|" + "---|" * len(queries))
try:
    for copies in [1, 2, 5, 10]:
        d = os.path.join(tmp, "production", "mem", "Dst", "data")
        os.makedirs(d, exist_ok=True)
        m = dict(manifest, proc="mem", files=[])
        for i in range(copies):
            name = f"part-copy{i}.h5"
            target = os.path.join(d, name)
            if not os.path.exists(target):
                os.symlink(os.path.join(src, manifest["files"][0]["name"]), target)
            m["files"].append(dict(manifest["files"][0], name=name))
        with open(os.path.join(d, "manifest.json"), "w") as f:
            json.dump(m, f)
        cells = []
        for q, args in queries.items():
            p = subprocess.run(["/usr/bin/time", "-f", "%M", a.bin, "query", "--mode", "Dst", "--proc", "mem", "--sample", "data",
                                "--store", tmp, *args], capture_output=True, text=True, check=True)
            cells.append(f"{int(p.stderr.strip().splitlines()[-1]) / 1024:.0f} MB")
        rows = copies * manifest["files"][0]["entries"]
        print(f"| {rows / 1e6:.0f}M | " + " | ".join(cells) + " |", flush=True)
finally:
    shutil.rmtree(tmp)
