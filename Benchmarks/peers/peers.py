#!/usr/bin/env python3
"""Q1-Q4 (definition.py) on the Python peers, one timed run per process.

    python peers.py --engine ENGINE --fmt FORMAT --query Q [--data DIR] [--threads 2]

Engines: h5py-numpy (h5_none), h5py-bh (h5_none; Q2 and Q4), polars and duckdb
(pq_snappy), uproot-numpy (root_zlib1). The clock starts after the imports,
just before the file is opened, and stops when the result is in hand (Q3: when
the output HDF5 file is closed). Prints one JSON line: the time, the peak RSS
and a digest of the result that compare.py checks against h5py+numpy.
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import definition as d  # noqa: E402

NP_BINS = len(d.Q2_P_EDGES) - 1
N2 = NP_BINS * d.Q2_C_N                       # cells of the Q2 histogram
C_SCALE = d.Q2_C_N / (d.Q2_C_HI - d.Q2_C_LO)
M_SCALE = d.Q4_N / (d.Q4_HI - d.Q4_LO)


# ---------------------------------------------------------------- digests
def eff_digest(sw, sw2, swp, sw2p):
    eff, err = d.efficiency(*(np.asarray(x, dtype=np.float64) for x in (sw, sw2, swp, sw2p)))
    return {"sw": [float(x) for x in sw], "swp": [float(x) for x in swp],
            "eff": [float(x) for x in eff], "err": [float(x) for x in err]}


def hist_digest(counts):
    return {"counts": [int(x) for x in counts]}


def write_rows(path, cols):
    import h5py
    with h5py.File(path, "w") as f:
        g = f.create_group(d.TREE)
        for name in d.Q3_OUT:
            g.create_dataset(name, data=cols[name], track_times=False)
    return {"rows": int(len(cols[d.Q3_OUT[0]])), "sum_K_p": float(np.sum(cols["K_p"]))}


# ---------------------------------------------------------------- numpy on h5py or uproot arrays
def load_h5(path, cols):
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        for name in cols:
            ds = f[d.TREE][name]
            out[name] = np.empty(ds.shape, ds.dtype)
            ds.read_direct(out[name])
    return out


def load_root(path, cols):
    import uproot
    with uproot.open(path) as f:
        return f[d.TREE].arrays(cols, library="np")


def q1_mask(c):
    return (c["K_kaonID"] > 0.2) & (c["K_charge"] > 0) & (np.abs(c["K_dz"]) < 4) & (c["K_nCDCHits"] > 20)


def numpy_query(q, c, out):
    if q == "Q1":
        return {"count": int(np.count_nonzero(q1_mask(c)))}
    if q == "Q2":
        ip = np.searchsorted(d.Q2_P_EDGES, c["K_p"], side="right") - 1
        ic = np.floor((c["K_cosTheta"] - d.Q2_C_LO) * C_SCALE)
        inside = (np.abs(c["K_dz"]) < 4) & (c["K_dr"] < 2) & (ip >= 0) & (ip < NP_BINS) & (ic >= 0) & (ic < d.Q2_C_N)
        cell = np.where(inside, ip * d.Q2_C_N + ic.astype(np.intp), N2)
        cell_pass = np.where(c["K_kaonID"] > 0.6, cell, N2)
        w = c["sWeight"]

        def sums(idx, weights):
            return np.bincount(idx, weights=weights, minlength=N2 + 1)[:N2]
        return eff_digest(sums(cell, w), sums(cell, w * w), sums(cell_pass, w), sums(cell_pass, w * w))
    if q == "Q3":
        keep = q1_mask(c)
        return write_rows(out, {name: c[name][keep] for name in d.Q3_OUT})
    if q == "Q4":
        return hist_digest(np.histogram(c["D0_M"], bins=d.Q4_N, range=(d.Q4_LO, d.Q4_HI))[0])
    raise ValueError(q)


# ---------------------------------------------------------------- boost-histogram
def bh_query(q, c, threads):
    import boost_histogram as bh
    if q == "Q2":
        pre = (np.abs(c["K_dz"]) < 4) & (c["K_dr"] < 2)
        passed = pre & (c["K_kaonID"] > 0.6)
        hists = []
        for sel in (pre, passed):
            h = bh.Histogram(bh.axis.Variable(d.Q2_P_EDGES), bh.axis.Regular(d.Q2_C_N, d.Q2_C_LO, d.Q2_C_HI),
                             storage=bh.storage.Weight())
            h.fill(c["K_p"][sel], c["K_cosTheta"][sel], weight=c["sWeight"][sel], threads=threads)
            hists.append(h.view())
        total, passed = hists
        return eff_digest(total.value.ravel(), total.variance.ravel(), passed.value.ravel(), passed.variance.ravel())
    if q == "Q4":
        h = bh.Histogram(bh.axis.Regular(d.Q4_N, d.Q4_LO, d.Q4_HI))
        h.fill(c["D0_M"], threads=threads)
        return hist_digest(h.values())
    raise ValueError(f"h5py-bh runs Q2 and Q4, not {q}")


# ---------------------------------------------------------------- polars (lazy scan of the Parquet file)
def polars_query(q, path, out):
    import polars as pl
    col = pl.col
    frame = pl.scan_parquet(path)
    q1 = (col("K_kaonID") > 0.2) & (col("K_charge") > 0) & (col("K_dz").abs() < 4) & (col("K_nCDCHits") > 20)
    if q == "Q1":
        return {"count": int(frame.filter(q1).select(pl.len()).collect().item())}
    if q == "Q2":
        ic = ((col("K_cosTheta") - d.Q2_C_LO) * C_SCALE).floor()
        ip = pl.sum_horizontal([(col("K_p") >= e).cast(pl.Int32) for e in d.Q2_P_EDGES[1:-1]])
        w, passed = col("sWeight"), col("K_kaonID") > 0.6
        r = (frame.filter((col("K_dz").abs() < 4) & (col("K_dr") < 2) & (col("K_p") >= d.Q2_P_EDGES[0])
                          & (col("K_p") < d.Q2_P_EDGES[-1]) & (ic >= 0) & (ic < d.Q2_C_N))
             .group_by((ip * d.Q2_C_N + ic.cast(pl.Int32)).alias("cell"))
             .agg(sw=w.sum(), sw2=(w * w).sum(), swp=w.filter(passed).sum(), sw2p=(w * w).filter(passed).sum())
             .collect())
        sums = {k: np.zeros(N2) for k in ("sw", "sw2", "swp", "sw2p")}
        for k in sums:
            sums[k][r["cell"].to_numpy()] = r[k].to_numpy()
        return eff_digest(sums["sw"], sums["sw2"], sums["swp"], sums["sw2p"])
    if q == "Q3":
        r = frame.filter(q1).select(d.Q3_OUT).collect()
        return write_rows(out, {k: r[k].to_numpy() for k in d.Q3_OUT})
    if q == "Q4":
        ix = ((col("D0_M") - d.Q4_LO) * M_SCALE).floor().cast(pl.Int32).alias("ix")
        r = frame.select(ix).filter((col("ix") >= 0) & (col("ix") < d.Q4_N)).group_by("ix").len().collect()
        counts = np.zeros(d.Q4_N, np.int64)
        counts[r["ix"].to_numpy()] = r["len"].to_numpy()
        return hist_digest(counts)
    raise ValueError(q)


# ---------------------------------------------------------------- duckdb (SQL over the Parquet file)
def duckdb_query(q, path, out, threads):
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    src = "read_parquet('" + path.replace("'", "''") + "')"
    num = lambda x: f"CAST({x!r} AS DOUBLE)"  # noqa: E731
    q1 = "K_kaonID > 0.2 AND K_charge > 0 AND abs(K_dz) < 4 AND K_nCDCHits > 20"
    if q == "Q1":
        return {"count": int(con.execute(f"SELECT count(*) FROM {src} WHERE {q1}").fetchone()[0])}
    if q == "Q2":
        ip = " + ".join(f"CAST(K_p >= {num(e)} AS INTEGER)" for e in d.Q2_P_EDGES[1:-1])
        ic = f"floor((K_cosTheta - {num(d.Q2_C_LO)}) * {num(C_SCALE)})"
        rows = con.execute(
            f"SELECT ip * {d.Q2_C_N} + CAST(ic AS INTEGER), sum(w), sum(w * w), sum(w) FILTER (WHERE passed), "
            f"sum(w * w) FILTER (WHERE passed) FROM (SELECT {ip} AS ip, {ic} AS ic, sWeight AS w, "
            f"K_kaonID > 0.6 AS passed FROM {src} WHERE abs(K_dz) < 4 AND K_dr < 2 "
            f"AND K_p >= {num(d.Q2_P_EDGES[0])} AND K_p < {num(d.Q2_P_EDGES[-1])}) "
            f"WHERE ic >= 0 AND ic < {d.Q2_C_N} GROUP BY 1").fetchall()
        sums = np.zeros((4, N2))
        for cell, *values in rows:
            sums[:, cell] = [v or 0.0 for v in values]
        return eff_digest(*sums)
    if q == "Q3":
        cols = ", ".join(f'"{c}"' for c in d.Q3_OUT)
        r = con.execute(f"SELECT {cols} FROM {src} WHERE {q1}").fetchnumpy()
        return write_rows(out, {k: np.asarray(r[k]) for k in d.Q3_OUT})
    if q == "Q4":
        counts = np.zeros(d.Q4_N, np.int64)
        for ix, n in con.execute(
                f"SELECT ix, count(*) FROM (SELECT CAST(floor((D0_M - {num(d.Q4_LO)}) * {num(M_SCALE)}) AS INTEGER) "
                f"AS ix FROM {src}) WHERE ix >= 0 AND ix < {d.Q4_N} GROUP BY ix").fetchall():
            counts[ix] = n
        return hist_digest(counts)
    raise ValueError(q)


ENGINES = {"h5py-numpy": "h5_none", "h5py-bh": "h5_none", "polars": "pq_snappy", "duckdb": "pq_snappy",
           "uproot-numpy": "root_zlib1"}


def run(engine, fmt, q, path, out, threads):
    if engine in ("h5py-numpy", "uproot-numpy", "h5py-bh"):
        cols = load_root(path, d.QUERY_COLS[q]) if fmt.startswith("root") else load_h5(path, d.QUERY_COLS[q])
        return bh_query(q, cols, threads) if engine == "h5py-bh" else numpy_query(q, cols, out)
    if engine == "polars":
        return polars_query(q, path, out)
    if engine == "duckdb":
        return duckdb_query(q, path, out, threads)
    raise ValueError(engine)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", required=True, choices=list(ENGINES))
    ap.add_argument("--fmt", default=None, help="input layout (default: the engine's)")
    ap.add_argument("--query", required=True, choices=["Q1", "Q2", "Q3", "Q4"])
    ap.add_argument("--data", default=None)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    fmt = a.fmt or ENGINES[a.engine]
    path = os.path.join(d.data_dir(a.data), d.FILES[fmt])
    out = os.path.join(tempfile.gettempdir(), f"peer-{a.engine}-{os.getpid()}.h5")
    before = d.snap()
    t0 = time.perf_counter()
    digest = run(a.engine, fmt, a.query, path, out, a.threads)
    seconds = time.perf_counter() - t0
    after = d.snap()
    if os.path.exists(out):
        os.remove(out)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": a.engine, "fmt": fmt, "query": a.query, "times": [seconds],
                      "cpu_s": [after[2] - before[2]], "other_cpus": [d.other_cpus(before, after)],
                      "maxrss_mb": round(rss, 1), "threads": a.threads, "digest": digest}))


if __name__ == "__main__":
    main()
