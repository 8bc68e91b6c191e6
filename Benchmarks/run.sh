#!/usr/bin/env bash
# `make bench`: SysCorr against the Python peers (Benchmarks/peers) on Q1-Q4, in one run.
#   BENCH_N     rows (default 10000000)        BENCH_DATA  scratch dir (default /tmp/syscorr-bench)
#   RUNS        fresh processes per cell (5)   CODECS      store codecs to compare (none,lz4,zstd,deflate)
#   PEERS       all | none | engine names      QUERIES     Q1,Q2,Q3,Q4
#   ROOT_N      rows of the ROOT -> HDF5 comparison (default 2000000)
# Needs ~25 GB of scratch space at 10M rows (peer files + one store per codec).
# A quick check of the scripts: BENCH_N=20000 ROOT_N=20000 RUNS=1 CODECS=none bash Benchmarks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/syscorr}
N=${BENCH_N:-10000000}
ROOT=${BENCH_DATA:-/tmp/syscorr-bench}
DATA=$ROOT/n$N
STORE=$ROOT/store-n$N
RUNS=${RUNS:-5}
CODECS=${CODECS:-none,lz4,zstd,deflate}
VENV=.build/bench-venv
PEERS_DIR=Benchmarks/peers

# The peers, pinned (reinstalled when the list changes).
if [ ! -f $VENV/.done ] || [ Benchmarks/requirements.txt -nt $VENV/.done ]; then
  python3 -m venv $VENV
  $VENV/bin/pip install -q -r Benchmarks/requirements.txt
  touch $VENV/.done
fi
PY=$VENV/bin/python
export PYTHONDONTWRITEBYTECODE=1

# 1. The peers' data (peers/make_data.py: the data definition of peers/definition.py, fixed seed).
if [ ! -f "$DATA/ntuple_none.h5" ] || [ ! -f "$DATA/ntuple_snappy.parquet" ]; then
  $PY $PEERS_DIR/make_data.py --n "$N" --data "$DATA" --formats h5_none,pq_snappy
fi
# 2. The same rows in the SysCorr store, once per codec (ingest re-chunks and adds statistics).
for c in ${CODECS//,/ }; do
  if ! "$BIN" show-db --store "$STORE" --json | grep -q "\"bench-$c\""; then
    /usr/bin/time -f "ingest $c: %e s, max RSS %M kB" \
      "$BIN" ingest "$DATA/ntuple_none.h5:ntuple" --mode Dst --proc "bench-$c" --sample data --codec "$c" --store "$STORE" --replace
  fi
done
"$BIN" show-db --store "$STORE"
# 3. Q1-Q4, fresh process per run, medians; results cross-checked against numpy.
OUT=Benchmarks/results/results-n$N-$(date +%Y%m%d-%H%M%S).jsonl
mkdir -p Benchmarks/results
$PY Benchmarks/compare.py --bin "$BIN" --data "$DATA" --store "$STORE" --runs "$RUNS" --codecs "$CODECS" \
  --peers "${PEERS:-all}" --queries "${QUERIES:-Q1,Q2,Q3,Q4}" --out "$OUT"
$PY Benchmarks/report.py "$OUT"
# 4. Peak memory of count/histogram queries does not grow with the rows.
$PY Benchmarks/memory.py --bin "$BIN" --store "$STORE" --codec "${CODECS%%,*}"
# 5. The catalog.
Benchmarks/catalog.sh "$BIN"
# 6. ROOT → HDF5 against uproot + h5py (2M rows of the same data, ZLIB-1 as uproot writes by default).
RN=${ROOT_N:-2000000}
if [ ! -f "$ROOT/n$RN/ntuple_zlib1.root" ]; then
  $PY $PEERS_DIR/make_data.py --n "$RN" --data "$ROOT/n$RN" --formats root_zlib1
fi
$PY Benchmarks/root_ingest.py --bin "$BIN" --root "$ROOT/n$RN/ntuple_zlib1.root" --runs "${RUNS:-3}"
