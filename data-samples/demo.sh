#!/usr/bin/env bash
# `make demo`: build a sample store and run a real end-to-end job on it.
#   1. generate D* → D0(→ K π) π calibration samples: data (proc12) and simulation (MC15ri), K_S0 too
#   2. list the store and the kaon columns with their statistics
#   3. measure the kaon-ID efficiency (kaonID > 0.2 and > 0.6) in the standard momentum bins on
#      truth-matched simulated kaons after the D* selection, and compare with the generator's truth
#   4. fit the D0 mass of data and simulation (nominal + systematic model), write sWeights, and
#      compare the background-subtracted kaon-ID efficiency in data with the generator's truth
#   5. efficiency and data/MC weight tables (PIDVar, ParticleWeighting), data vs simulation distributions,
#      the fixed-cut weights workflow
#   6. a kernel density of the data's kaon ID in p x cosTheta, and resampled kaon ID for the simulation
#   7. export the selected kaons to HDF5 and read them back with h5py if available
#   8. run the ntuple-production workflow on exported files, rerun it (nothing to do), refit
# Usage: data-samples/demo.sh BIN STORE
set -euo pipefail
BIN=${1:-.build/release/syscorr}
STORE=${2:-syscorr-store}
export SYSCORR_STORE=$STORE
P_EDGES=0.5,1,1.5,2,2.5,3,3.5,4.5

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() {
  local shown=() a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then shown+=("$a"); else shown+=("'$a'"); fi
  done
  printf '$ syscorr %s\n' "${shown[*]}"
  "$BIN" "$@"
}

say "1. Generate toy calibration samples into $STORE (deterministic; about 20 s)"
run generate --mode Dst --sample data --events 1000000 --proc proc12 --seed 1 --replace
run generate --mode Dst --sample mc --events 1000000 --proc MC15ri --seed 2 --files 2 --replace
run generate --mode KS --sample data --events 300000 --proc proc12 --seed 3 --replace
run generate --mode KS --sample mc --events 300000 --proc MC15ri --seed 4 --replace

say "2. What the store holds"
run show-db
run show-variables Dst --proc proc12 --match 'D0_K_*ID*' --stats

say "3. How the D* selection and a kaon-ID cut act on data"
run query --mode Dst --proc proc12 --sample data --cut 'selection' --count
run query --mode Dst --proc proc12 --sample data --cut 'selection && D0_K_kaonID > 0.2' --count

say "4. Kaon-ID efficiency on truth-matched simulated kaons, in the standard momentum bins"
run query --mode Dst --proc MC15ri --sample mc \
  --cut 'selection && abs(D0_K_mcPDG) == 321 && !isnan(D0_K_kaonID)' \
  --pass 'D0_K_kaonID > 0.2' --pass 'D0_K_kaonID > 0.6' --hist D0_K_p --edges $P_EDGES
measured=$("$BIN" query --mode Dst --proc MC15ri --sample mc \
  --cut 'selection && abs(D0_K_mcPDG) == 321 && !isnan(D0_K_kaonID)' \
  --pass 'D0_K_kaonID > 0.2' --hist D0_K_p --edges $P_EDGES --json)
truth=$("$BIN" truth Dst --proc MC15ri --sample mc --variable kaonID --species 321 --threshold 0.2 --json)

say "5. Measured against the generator's truth (kaonID > 0.2)"
python3 - "$measured" "$truth" <<'PY'
import json, sys
m = json.loads(sys.argv[1])["efficiencies"]
t = json.loads(sys.argv[2])
cut = m["cuts"][0]
print(f"{'p range (GeV/c)':>16}  {'measured':>17}  {'truth':>8}  {'pull':>6}")
worst = 0.0
for i, row in enumerate(t):
    k = i + 1  # skip the underflow bin
    e, s = cut["efficiency"][k], cut["error"][k]
    pull = (e - row["efficiency_mc"]) / s if s > 0 else float("nan")
    worst = max(worst, abs(pull))
    print(f"{row['p_min']:7.1f} – {row['p_max']:4.1f}    {e:.5f} ± {s:.5f}  {row['efficiency_mc']:.5f}  {pull:+6.2f}")
print(f"largest |pull| = {worst:.2f} (statistical agreement expected: |pull| ≲ 3)")
PY

say "6. Mass fits with sWeights: D0 mass of the selected D* candidates, nominal and systematic model"
run fit --mode Dst --proc MC15ri --sample mc --write-sweights
run fit --mode Dst --proc proc12 --sample data --write-sweights

say "7. Kaon-ID efficiency in data, background-subtracted with the sWeights, against the generator's truth"
measured=$("$BIN" query --mode Dst --proc proc12 --sample data --cut 'in_fit && !isnan(D0_K_kaonID)' --weight sweight \
  --pass 'D0_K_kaonID > 0.2' --hist D0_K_p --edges $P_EDGES --json)
truth=$("$BIN" truth Dst --proc proc12 --sample data --variable kaonID --species 321 --threshold 0.2 --json)
run query --mode Dst --proc proc12 --sample data --cut 'in_fit && !isnan(D0_K_kaonID)' --weight sweight \
  --pass 'D0_K_kaonID > 0.2' --hist D0_K_p --edges $P_EDGES
python3 - "$measured" "$truth" <<'PY'
import json, sys
cut = json.loads(sys.argv[1])["efficiencies"]["cuts"][0]
t = json.loads(sys.argv[2])
print(f"{'p range (GeV/c)':>16}  {'sWeighted data':>17}  {'truth':>8}  {'pull':>6}")
worst = 0.0
for i, row in enumerate(t):
    e, s = cut["efficiency"][i + 1], cut["error"][i + 1]
    pull = (e - row["efficiency_data"]) / s if s > 0 else float("nan")
    worst = max(worst, abs(pull))
    print(f"{row['p_min']:7.1f} – {row['p_max']:4.1f}    {e:.5f} ± {s:.5f}  {row['efficiency_data']:.5f}  {pull:+6.2f}")
print(f"largest |pull| = {worst:.2f} (statistical agreement expected: |pull| ≲ 3)")
PY
echo "fit plots (SVG, with their data as JSON): $STORE/plots/"

say "8. Tables: kaon-ID efficiency on sWeighted data (two cuts, standard p x cosTheta bins), then data/MC weights"
BINS=(--bin p=0.5,1,1.5,2,3,4.5 --bin cosTheta=-0.866,0,0.5,0.9563)
run efficiency --mode Dst --proc proc12 --sample data --particle K --weight sweight --select in_fit \
  --cut 'kaonID > 0.2' --cut 'kaonID > 0.6' "${BINS[@]}" --out "$STORE/tables/kaon-eff-data.csv" \
  --plot "$STORE/tables/kaon-eff-data.svg" --force
run weights --mode Dst --proc proc12 --mc-proc MC15ri --particle K --weight sweight --select in_fit \
  --cut 'kaonID > 0.6' "${BINS[@]}" --out "$STORE/tables/kaon-weights.csv" --pidvar "$STORE/tables/kaon-pidvar.csv" \
  --particle-weighting "$STORE/tables/kaon-particleweighting.json" --force

say "9. Distributions: the kaon's kaonID, sWeighted data vs simulation, both charges overlaid (SVG, JSON, UHI histograms)"
run plot --mode Dst --proc proc12 --sample data --mc-proc MC15ri --particle K --expr kaonID --bins 40 --range 0,1 \
  --weight sweight --select in_fit --log --overlay 'charge > 0' --overlay 'charge < 0' \
  --out "$STORE/plots/kaonID-data-mc.svg" --force
run plot --mode Dst --proc proc12 --sample data --mc-proc MC15ri --particle K --expr p --edges 0.5,1,1.5,2,2.5,3,3.5,4.5 \
  --weight sweight --select in_fit --density --out "$STORE/plots/kaon-p-data-mc.svg" --force

say "10. The fixed-cut weights workflow (data-samples/workflows/fixed_weights.yaml): K efficiency, pi fake rate, 2 cuts x 3 precuts"
mkdir -p "$STORE/tables" && cp data-samples/workflows/fixed_weights.yaml "$STORE/tables/"
run fw -w fixed_weights "$STORE/tables/fixed_weights.yaml"
run fw -w fixed_weights "$STORE/tables/fixed_weights.yaml"

say "11. Kernel density of the data's kaon ID in p x cosTheta; data-like kaon ID for the simulation's kaons"
run kde fit --mode Dst --proc proc12 --sample data --particle K --pid kaonID --vars p,cosTheta \
  --weight sweight --cut in_fit --pid-transform logit --systematics --out "$STORE/tables/kaon-kde.h5" --force
run kde resample --mode Dst --proc MC15ri --sample mc --particle K --kde "$STORE/tables/kaon-kde.h5" \
  --column K_kaonID_resampled
run efficiency --mode Dst --proc proc12 --sample data --particle K --weight sweight --select in_fit \
  --cut 'kaonID > 0.6' --bin p=0.5,1,2,4.5
run efficiency --mode Dst --proc MC15ri --sample mc --particle K --weight sweight --select in_fit \
  --cut 'kaonID > 0.6' --cut 'K_kaonID_resampled > 0.6' --bin p=0.5,1,2,4.5
echo "(the simulation's resampled kaon ID follows the data's efficiency, its own kaon ID does not)"

say "12. Export the selected kaons for pandas/h5py"
run query --mode Dst --proc proc12 --sample data --cut 'selection' \
  --columns D0_K_p,D0_K_cosTheta,D0_K_kaonID,D0_K_pionID,D0_M,__event__ --out "$STORE/kaons.h5" --force
if python3 -c 'import h5py' 2>/dev/null; then
  python3 -c "
import h5py
with h5py.File('$STORE/kaons.h5') as f:
    g = f['ntuple']
    print('h5py reads', {k: (str(v.dtype), v.shape[0]) for k, v in g.items() if hasattr(v, 'dtype')})
"
fi
say "13. The ntuple-production workflow (data-samples/workflows/ntuples.yaml) on exported files, then a refit"
WORK=${STORE}-workflow
rm -rf "$WORK" && mkdir -p "$WORK/inputs"
cp data-samples/workflows/*.yaml data-samples/workflows/settings.json "$WORK/"
"$BIN" generate --mode Dst --sample data --events 200000 --proc p --seed 11 --store "$WORK/scratch" >/dev/null
"$BIN" generate --mode Dst --sample mc --events 200000 --proc m --seed 12 --store "$WORK/scratch" >/dev/null
"$BIN" generate --mode KS --sample data --events 60000 --proc p --seed 13 --store "$WORK/scratch" >/dev/null
for set in "Dst p data dst_proc12_data" "Dst m mc dst_mc15ri_mc" "KS p data ks_proc12_data"; do
  read -r mode proc sample name <<<"$set"
  "$BIN" export --mode "$mode" --proc "$proc" --sample "$sample" --store "$WORK/scratch" --codec none \
    --out "$WORK/inputs/$name.h5" >/dev/null
  echo "inputs/$name.h5" > "$WORK/$name.list"
done
run fw -w ntuples "$WORK/ntuples.yaml" --store "$WORK/store"
run fw -w ntuples "$WORK/ntuples.yaml" --store "$WORK/store"
run fw -w refit "$WORK/refit.yaml" --store "$WORK/store"
echo "reports: $WORK/store/workflows/ntuples.html, $WORK/store/workflows/refit.html"

say "Done. Try: $BIN --help, or $BIN query --help"
