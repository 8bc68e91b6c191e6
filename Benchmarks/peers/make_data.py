#!/usr/bin/env python3
"""Writes the benchmark ntuple (definition.py) in the layouts the peers read.

    python make_data.py --n ROWS --data DIR [--formats h5_none,pq_snappy,root_zlib1]

h5_none: group /ntuple, one dataset per column, chunks of 2^18 rows, no filter.
pq_snappy: Parquet with snappy, one row group per block of 2^20 rows.
root_zlib1: a flat TTree `ntuple` written by uproot (ZLIB 1), one basket per branch and block.
Memory stays near one block (~0.5 GB) whatever the row count.
"""
import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import definition as d  # noqa: E402


class H5:
    def __init__(self, path, n):
        import h5py
        self.file = h5py.File(path, "w")
        group = self.file.create_group(d.TREE)
        self.sets = {name: group.create_dataset(name, shape=(n,), dtype=t, chunks=(max(1, min(d.H5_CHUNK_ROWS, n)),),
                                                track_times=False)
                     for name, t in d.schema()}
        group.attrs["n_rows"] = n

    def write(self, start, cols):
        for name, values in cols.items():
            self.sets[name][start:start + len(values)] = values

    def close(self):
        self.file.close()


class Parquet:
    def __init__(self, path, n):
        self.path, self.writer = path, None

    def write(self, start, cols):
        import pyarrow as pa
        import pyarrow.parquet as pq
        table = pa.table(cols)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="snappy")
        self.writer.write_table(table)

    def close(self):
        if self.writer is not None:
            self.writer.close()


class Root:
    def __init__(self, path, n):
        import uproot
        self.file = uproot.recreate(path, compression=uproot.ZLIB(1))
        self.tree = self.file.mktree(d.TREE, {name: np.dtype(t) for name, t in d.schema()})

    def write(self, start, cols):
        self.tree.extend(cols)

    def close(self):
        self.file.close()


WRITERS = {"h5_none": H5, "pq_snappy": Parquet, "root_zlib1": Root}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", 10_000_000)))
    ap.add_argument("--data", default=None, help="output directory (default $BENCH_DATA or <tmp>/benchdata)")
    ap.add_argument("--formats", default=",".join(WRITERS))
    a = ap.parse_args()
    out = d.data_dir(a.data)
    os.makedirs(out, exist_ok=True)
    formats = [f for f in a.formats.split(",") if f]
    writers = {f: WRITERS[f](os.path.join(out, d.FILES[f]), a.n) for f in formats}
    seconds = dict.fromkeys(formats, 0.0)
    for start in range(0, a.n, d.BLOCK_ROWS):
        cols = d.block(start, min(d.BLOCK_ROWS, a.n - start))
        for f, w in writers.items():
            t0 = time.perf_counter()
            w.write(start, cols)
            seconds[f] += time.perf_counter() - t0
        print(f"  {start + len(cols['sWeight']):,d} / {a.n:,d} rows", file=sys.stderr, flush=True)
    for f, w in writers.items():
        t0 = time.perf_counter()
        w.close()
        seconds[f] += time.perf_counter() - t0
    raw = a.n * sum(int(t[1]) for _, t in d.schema())
    info = {"n_rows": a.n, "raw_bytes": raw, "seed": d.SEED, "files": {}}
    for f in formats:
        size = os.path.getsize(os.path.join(out, d.FILES[f]))
        info["files"][f] = {"file": d.FILES[f], "bytes": size, "write_seconds": round(seconds[f], 2)}
        print(f"{f:12s} {size:>15,d} bytes  {size / max(raw, 1):.3f} of raw  {seconds[f]:.1f} s")
    with open(os.path.join(out, f"manifest-{'-'.join(formats)}.json"), "w") as fh:
        json.dump(info, fh, indent=1)


if __name__ == "__main__":
    main()
