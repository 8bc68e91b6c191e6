"""Sharded runs (issue 14): what sharding costs, measured, and what a large processing would take on paper.

1. CPU overhead: a 2-D sWeighted efficiency query over N generated D* candidates as one process, and as 8
   shard processes plus the merge; CPU time (user + sys of the children) summed, interleaved rounds, medians.
2. Merging 1,000 partials of a 2-D efficiency table: one real shard's partial (one chunk, one table) copied as
   shards 1…1000 of a 1,000-chunk source; the merge's wall time (decode, check, merge, finish, print).
3. On paper: 1,000 shards of a 1 TB processing on M nodes, from the measured CPU per row, the measured fixed
   cost of a shard process and of the 1,000-partial merge, and an assumed read rate per node (stated).

Usage: python Benchmarks/shards_bench.py BIN [--n 2000000] [--rounds 5] [--codec none|lz4|zstd]
(--codec: how the generated store compresses its columns; a production's store would be compressed.)
"""
import argparse
import datetime
import glob
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_of(cmds):
    """Wall and CPU seconds (children's user + sys) of running the commands one after the other."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    for c in cmds:
        p = subprocess.run(c, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, c))} failed:\n{p.stderr}")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--n", type=int, default=2_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--codec", default="none")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="syscorr-shardbench-") as d:
        store = ["--store", os.path.join(d, "store")]
        subprocess.run([a.bin, "generate", "--mode", "Dst", "--sample", "data", "--proc", "p", "--events", str(a.n),
                        "--seed", "1", "--files", "4", "--codec", a.codec, *store], check=True, capture_output=True)
        subprocess.run([a.bin, "fit", "--mode", "Dst", "--proc", "p", "--sample", "data", "--write-sweights", *store],
                       check=True, capture_output=True)
        q = [a.bin, "query", "--mode", "Dst", "--proc", "p", "--sample", "data", "--cut", "in_fit", "--weight", "sweight",
             "--pass", "D0_K_kaonID > 0.6", "--hist", "D0_K_p", "--edges", "0.5,1,2,4.5", "--hist", "D0_K_cosTheta",
             "--edges=-0.866,0,0.5,0.9563", "--json", *store]
        parts = [os.path.join(d, f"p{k}.json") for k in range(1, 9)]
        shards = [q + ["--shard", f"{k}/8", "--partial", parts[k - 1], "--force", "--threads", "1"] for k in range(1, 9)]
        merge = [a.bin, "merge", *parts, "--json"]
        t = {"single_wall": [], "single_cpu": [], "sharded_wall": [], "sharded_cpu": []}
        for r in range(a.rounds):
            w, c = cpu_of([q + ["--threads", "1"]])
            t["single_wall"].append(w)
            t["single_cpu"].append(c)
            w, c = cpu_of(shards + [merge])
            t["sharded_wall"].append(w)
            t["sharded_cpu"].append(c)
            print(f"round {r + 1}: single {t['single_cpu'][-1] * 1e3:.0f} ms CPU, 8 shards + merge "
                  f"{t['sharded_cpu'][-1] * 1e3:.0f} ms CPU", flush=True)
        # 1,000 partials of a 2-D table
        # one real shard partial of a 2-D table (one chunk), copied as shards 1…1000 of a 1,000-chunk source
        # (the generator writes whole 65,536-row blocks, so a real 1,000-chunk set needs 65M rows): the merge
        # decodes, checks and merges 1,000 tables
        eff = [a.bin, "efficiency", "--mode", "Dst", "--proc", "p", "--sample", "data", "--particle", "K", "--weight",
               "sweight", "--select", "in_fit", "--cut", "kaonID > 0.6", "--bin", "p=0.5,1,2,4.5", "--bin",
               "cosTheta=-0.866,0,0.5,0.9563", *store]
        one = os.path.join(d, "one.json")
        chunks = -(-a.n // 65536)
        subprocess.run(eff + ["--shard", f"1/{chunks}", "--partial", one], check=True, capture_output=True)
        with open(one) as f:
            template = json.load(f)
        assert len(template["partials"]["tables"]) == 1
        many = os.path.join(d, "many")
        os.makedirs(many)
        for k in range(1, 1001):
            c = dict(template, shards=1000, parts=[{"shard": k, "chunks": [k - 1, k], "rows": 65536}], chunk_count=1000)
            entry = dict(template["partials"]["tables"][0], first_row=(k - 1) * 65536)
            c["partials"] = {"tables": [entry]}
            with open(os.path.join(many, f"{k}.json"), "w") as f:
                json.dump(c, f)
        files = sorted(glob.glob(os.path.join(many, "*.json")))
        merges = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([a.bin, "merge", *files, "--json"], check=True, capture_output=True)
            merges.append(time.perf_counter() - t0)
        med = {k: statistics.median(v) for k, v in t.items()}
        merge1000 = statistics.median(merges)
    overhead = med["sharded_cpu"] / med["single_cpu"] - 1
    per_shard = (med["sharded_cpu"] - med["single_cpu"]) / 8
    per_row = med["single_cpu"] / a.n
    print()
    print(f"codec {a.codec}")
    print("| rows | one process, CPU | 8 shards + merge, CPU | overhead | fixed CPU per shard process | merge of 1,000 partial 2-D tables |")
    print("|---|---|---|---|---|---|")
    print(f"| {a.n:,} | {med['single_cpu'] * 1e3:.0f} ms | {med['sharded_cpu'] * 1e3:.0f} ms | {overhead * 100:+.0f} % | "
          f"{per_shard * 1e3:.1f} ms | {merge1000:.2f} s |")
    # on paper: a D* row of the store is ~57 columns of 8 bytes; 1 TB of them
    rows_tb = 1e12 / 456
    read_rate = 500e6  # bytes/s per node from the cluster's storage: an assumption, not measured here
    print()
    print(f"On paper, 1 TB (≈ {rows_tb / 1e9:.1f}·10⁹ D* rows) in 1,000 shards of {rows_tb / 1e9:.1f}·10⁶ rows: CPU "
          f"{per_row * 1e9:.0f} ns per row (measured, this query) + {per_shard * 1e3:.0f} ms per shard + "
          f"{merge1000:.2f} s merge; reading the columns it needs (5 of 57) at an assumed {read_rate / 1e6:.0f} MB/s per node:")
    for nodes in (10, 50, 100, 500):
        cpu = (rows_tb * per_row + 1000 * per_shard) / min(nodes * 32, 1000)
        io = 1e12 * 5 / 57 / (nodes * read_rate)
        print(f"  {nodes:4d} nodes × 32 cores: CPU {cpu:.1f} s, reading {io:.0f} s: ≈ {max(cpu, io) + merge1000:.0f} s "
              f"(no queueing); sharding's own CPU {1000 * per_shard / (rows_tb * per_row) * 100:.1f} % of the scan")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"shards-{datetime.date.today()}.jsonl"), "a") as f:
        f.write(json.dumps({"n": a.n, "codec": a.codec, **med, "merge_1000": merge1000,
                            "date": datetime.datetime.now().isoformat(timespec="seconds")}) + "\n")


if __name__ == "__main__":
    main()
