"""SysCorr against the Python peers on Q1-Q4 (peers/definition.py), in one run.

Peers run through `peers/peers.py` (a fresh Python process per run, clock
started after the imports, file in the page cache).
SysCorr runs as a fresh `syscorr` process per run; we report three times:
`wall` (the whole process, start-up included: stricter than the peers'
definition), `in-process` (SysCorr's own clock from `main` to the result) and
`after parsing` (in-process minus command-line parsing: the peers' clock
starts after their imports and their argparse, just before opening the file). Results are cross-checked: Q1 counts, Q2 efficiencies,
Q3 rows and sum of K_p, Q4 bin counts must agree with h5py+numpy.

Usage: python compare.py --bin BIN --data DIR --store DIR [--runs 5] [--out results.jsonl]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_DIR = os.path.join(HERE, "peers")
sys.path.insert(0, PEER_DIR)
sys.dont_write_bytecode = True
import definition as common  # noqa: E402  (data definition, queries, contention accounting)

PEERS = [  # (engine, format): the best peers of the recorded run, per query
    ("h5py-numpy", "h5_none", ["Q1", "Q2", "Q3", "Q4"]),
    ("h5py-bh", "h5_none", ["Q2", "Q4"]),
    ("polars", "pq_snappy", ["Q1", "Q2", "Q3", "Q4"]),
    ("duckdb", "pq_snappy", ["Q1", "Q2", "Q3", "Q4"]),
]
CODECS = ["none", "lz4", "zstd", "deflate"]
Q1 = "K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4 && K_nCDCHits > 20"


def syscorr_args(q, codec, out):
    sel = ["--mode", "Dst", "--proc", f"bench-{codec}", "--sample", "data"]
    if q == "Q1":
        return ["query", *sel, "--cut", Q1, "--count", "--json"]
    if q == "Q2":
        return ["query", *sel, "--cut", "abs(K_dz) < 4 && K_dr < 2", "--pass", "K_kaonID > 0.6", "--weight", "sWeight",
                "--hist", "K_p", "--edges", ",".join(map(str, common.Q2_P_EDGES)),
                "--hist", "K_cosTheta", "--bins", str(common.Q2_C_N), f"--range={common.Q2_C_LO},{common.Q2_C_HI}", "--json"]
    if q == "Q3":
        return ["query", *sel, "--cut", Q1, "--columns", ",".join(common.Q3_OUT), "--out", out, "--force", "--codec", "none", "--json"]
    if q == "Q4":
        return ["query", *sel, "--hist", "D0_M", "--bins", str(common.Q4_N), "--range", f"{common.Q4_LO},{common.Q4_HI}", "--json"]
    raise ValueError(q)


def syscorr_digest(q, res, out):
    import numpy as np
    if q == "Q1":
        return {"count": res["entries"]}
    if q == "Q4":
        return {"counts": [int(x) for x in res["histogram"]["sum_w"][1:-1]]}
    if q == "Q2":
        e = res["efficiencies"]
        c = e["cuts"][0]
        nc = common.Q2_C_N + 2
        inner = lambda a: [a[(i + 1) * nc + j + 1] for i in range(len(common.Q2_P_EDGES) - 1) for j in range(common.Q2_C_N)]  # noqa: E731
        return {"sw": inner(e["total"]["sum_w"]), "swp": inner(c["pass"]["sum_w"]), "eff": inner(c["efficiency"]), "err": inner(c["error"])}
    if q == "Q3":
        import h5py
        with h5py.File(out, "r") as f:
            kp = f["ntuple"]["K_p"][()]
        return {"rows": int(len(kp)), "sum_K_p": float(np.sum(kp))}
    raise ValueError(q)


def run_syscorr(binary, q, codec, data):
    out = os.path.join(data, "out", f"syscorr_{q}_{os.getpid()}.h5")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = [binary, *syscorr_args(q, codec, out), "--store", STORE]
    env = dict(os.environ, SYSCORR_TIMING="1")
    s0 = common.snap(children=True)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    s1 = common.snap(children=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{p.stderr}")
    res = json.loads(p.stdout)
    timing = next((l.split() for l in p.stderr.splitlines() if l.startswith("timing: total")), None)
    inproc = float(timing[2]) if timing else float("nan")  # timing: total T parse P
    parse = float(timing[4]) if timing and len(timing) > 4 else float("nan")
    digest = syscorr_digest(q, res, out)
    if os.path.exists(out):
        os.remove(out)
    return wall, (inproc, inproc - parse), s1[2] - s0[2], digest


def run_peer(engine, fmt, q, data, threads):
    cmd = [sys.executable, os.path.join(PEER_DIR, "peers.py"), "--engine", engine, "--fmt", fmt, "--query", q,
           "--threads", str(threads), "--data", data]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", POLARS_MAX_THREADS=str(threads),
               NUMEXPR_MAX_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{engine} {fmt} {q}: {p.stderr[-2000:]}")
    rec = json.loads(p.stdout.strip().splitlines()[-1])
    return rec["times"][0], rec["maxrss_mb"], rec["digest"]


def cache(paths):
    """Reads files into the page cache (sequential 8 MiB reads)."""
    for path in paths:
        with open(path, "rb", buffering=0) as f:
            while f.read(8 << 20):
                pass


def agree(q, a, b):
    import numpy as np
    if q in ("Q1",):
        return a["count"] == b["count"]
    if q == "Q4":
        return a["counts"] == b["counts"]
    if q == "Q3":
        return a["rows"] == b["rows"] and abs(a["sum_K_p"] - b["sum_K_p"]) <= 1e-9 * abs(b["sum_K_p"])
    if q == "Q2":
        ea, eb = np.array(a["eff"]), np.array(b["eff"])
        return np.allclose(ea, eb, rtol=1e-9, atol=1e-12, equal_nan=True) and np.allclose(a["err"], b["err"], rtol=1e-7, equal_nan=True)
    return False


def main():
    global STORE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--queries", default="Q1,Q2,Q3,Q4")
    ap.add_argument("--codecs", default=",".join(CODECS))
    ap.add_argument("--peers", default="all", help="'all', 'none' or engine names")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    STORE = a.store
    queries = a.queries.split(",")
    records = []
    ref = {}
    cells = []
    if a.peers != "none":
        for engine, fmt, qs in PEERS:
            if a.peers != "all" and engine not in a.peers.split(","):
                continue
            cells += [("peer", engine, fmt, q) for q in qs if q in queries]
    cells += [("syscorr", "syscorr", codec, q) for codec in a.codecs.split(",") for q in queries]
    for kind, engine, fmt, q in cells:
        # Each cell reads its own input from the page cache (all inputs together exceed the memory).
        if kind == "peer":
            cache([os.path.join(a.data, common.FILES[fmt])])
        else:
            setdir = os.path.join(a.store, "production", f"bench-{fmt}", "Dst", "data")
            cache([os.path.join(setdir, n) for n in os.listdir(setdir) if n.endswith(".h5")])
        times, inproc, after_parse, extra, digest = [], [], [], [], None
        for _ in range(a.runs):
            common.wait_quiet(max_wait=5.0)
            if kind == "peer":
                t, rss, digest = run_peer(engine, fmt, q, a.data, a.threads)
                times.append(t)
                extra.append(rss)
            else:
                wall, (ip, ap), cpu, digest = run_syscorr(a.bin, q, fmt, a.data)
                times.append(wall)
                inproc.append(ip)
                after_parse.append(ap)
                extra.append(cpu)
        rec = {"engine": engine, "input": fmt, "query": q, "median_s": statistics.median(times), "min_s": min(times),
               "max_s": max(times), "runs": len(times)}
        if inproc:
            rec["inprocess_median_s"] = statistics.median(inproc)
            rec["after_parse_median_s"] = statistics.median(after_parse)
        if engine == "h5py-numpy":
            ref[q] = digest
        rec["agrees_with_numpy"] = agree(q, digest, ref[q]) if q in ref else None
        records.append(rec)
        print(json.dumps(rec), flush=True)
    if a.out:
        with open(a.out, "a") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
