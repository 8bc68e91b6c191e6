"""SysCorr alone on Q1-Q4, round-robin: every round runs each query once (a fresh process each), so a
noisy moment of a shared machine hits all queries alike instead of one cell. Medians over the rounds of
the whole-process wall time, the in-process time (from `main`) and the same without command-line parsing
(the peers' clock). Compare two builds by giving several binaries: their runs are interleaved too.

Usage: python rounds.py --store DIR [--rounds 11] [--codec none] BIN [BIN ...]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

Q1 = "K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4 && K_nCDCHits > 20"
P_EDGES = "0.5,1.0,1.5,2.0,2.5,3.0,3.5,4.5"  # peers/definition.py: Q2_P_EDGES


def queries(sel, out):
    return {
        "Q1": ["query", *sel, "--cut", Q1, "--count", "--json"],
        "Q2": ["query", *sel, "--cut", "abs(K_dz) < 4 && K_dr < 2", "--pass", "K_kaonID > 0.6", "--weight", "sWeight",
               "--hist", "K_p", "--edges", P_EDGES, "--hist", "K_cosTheta", "--bins", "10", "--range=-0.866,0.9563",
               "--json"],
        "Q3": ["query", *sel, "--cut", Q1, "--columns", "__event__,K_p,K_cosTheta,D0_M,sWeight", "--out", out,
               "--force", "--codec", "none", "--json"],
        "Q4": ["query", *sel, "--hist", "D0_M", "--bins", "100", "--range", "1.8,1.93", "--json"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--codec", default="none")
    ap.add_argument("bins", nargs="+")
    a = ap.parse_args()
    sel = ["--mode", "Dst", "--proc", f"bench-{a.codec}", "--sample", "data", "--store", a.store]
    tmp = tempfile.mkdtemp()
    times = {}  # (bin, q) -> [(wall, inproc, after_parse)]
    outputs = {}
    for r in range(a.rounds):
        for q in ["Q1", "Q2", "Q3", "Q4"]:
            for b in a.bins:
                out = os.path.join(tmp, "q3.h5")  # removed after each run: a new file each time, as the peers write
                cmd = [b, *queries(sel, out)[q]]
                t0 = time.perf_counter()
                p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, SYSCORR_TIMING="1"))
                wall = time.perf_counter() - t0
                if p.returncode:
                    sys.exit(p.stderr)
                if os.path.exists(out):
                    os.remove(out)
                t = next(line.split() for line in p.stderr.splitlines() if line.startswith("timing: total"))
                times.setdefault((b, q), []).append((wall, float(t[2]), float(t[2]) - float(t[4])))
                outputs.setdefault(q, set()).add(p.stdout)
    print("| binary | query | wall | in-process | after parsing |")
    print("|---|---|---|---|---|")
    for (b, q), ts in times.items():
        med = [statistics.median(x[i] for x in ts) * 1e3 for i in range(3)]
        print(f"| {os.path.basename(b)} | {q} | {med[0]:.1f} ms | {med[1]:.1f} ms | {med[2]:.1f} ms |")
    differing = [q for q, o in outputs.items() if len(o) > 1]
    print(f"\nmedians of {a.rounds} rounds; " + (f"OUTPUTS DIFFER: {differing}" if differing else "all binaries agree"))


if __name__ == "__main__":
    main()
