#!/usr/bin/env bash
# Catalog speed: `syscorr show-db` over a store of 10,400 files in 800 sets
# (100 processings × 4 modes × 2 samples × 13 files, 60 columns each).
# show-db reads only the manifests, so the files themselves are not created.
# Usage: Benchmarks/catalog.sh [BIN]     (default .build/release/syscorr)
set -euo pipefail
BIN=${1:-.build/release/syscorr}
STORE=$(mktemp -d)/catalog-store
trap 'rm -rf "$(dirname "$STORE")"' EXIT
python3 - "$STORE" <<'PY'
import json, os, sys
root = os.path.join(sys.argv[1], "production")
cols = [{"name": f"c{i}", "type": "float64", "unit": "", "description": "", "variable": "", "particle": ""} for i in range(60)]
for p in range(100):
    for mode in ["Dst", "Lambda0", "KS", "tau3x1"]:
        for s in ["data", "mc"]:
            d = f"{root}/proc{p}/{mode}/{s}"
            os.makedirs(d, exist_ok=True)
            files = [{"name": f"part-{k}.h5", "entries": 1_000_000, "bytes": 400_000_000, "codec": "none"} for k in range(13)]
            m = dict(format="syscorr-set/1", proc=f"proc{p}", mode=mode, sample=s, short_name=mode, decay="", cms_energy=10.58,
                     columns=cols, files=files, friends=[], created="", updated="", history=[])
            with open(f"{d}/manifest.json", "w") as f:
                json.dump(m, f)
PY
for fmt in "" "--json"; do
  best=999
  for i in 1 2 3 4 5; do
    s=$(date +%s.%N); "$BIN" show-db --store "$STORE" $fmt > /dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc); best=$(echo "if ($t < $best) $t else $best" | bc)
  done
  echo "show-db ${fmt:-(table)}: best of 5 = ${best}s for 10,400 files in 800 sets"
done
