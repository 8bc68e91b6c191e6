"""The benchmark's data and queries: one definition for the generator, the
peers and the SysCorr drivers.

The ntuple imitates a D*+ -> D0(-> K- pi+) pi_s+ calibration sample as basf2's
VariablesToNtuple writes it: 57 flat columns, 42 float64 and 15 int32, 396
bytes per row. 60 % of the rows are signal (narrow D0 mass and delta-M peaks)
over smooth backgrounds; PID likelihoods depend on momentum and are NaN for
0.3 % of the tracks; sWeights can be negative. Rows are made in blocks of
2^20, each block from its own random stream, so the first M rows are the same
whatever the total.
"""
import os
import tempfile
import time

import numpy as np

TREE = "ntuple"  # HDF5 group, ROOT tree
FILES = {
    "h5_none": "ntuple_none.h5",            # one chunked dataset per column, no filter
    "pq_snappy": "ntuple_snappy.parquet",   # one row group per block
    "root_zlib1": "ntuple_zlib1.root",      # uproot's default codec (ZLIB level 1)
}
SEED = 20240501
BLOCK_ROWS = 1 << 20
H5_CHUNK_ROWS = 1 << 18

PARTICLES = ("K", "pi", "pis")
PID = ("kaonID", "pionID", "protonID", "electronID", "muonID")


def schema():
    """(name, numpy type) of the 57 columns, in file order."""
    cols = [(c, "i4") for c in ("__experiment__", "__run__", "__event__", "__candidate__", "__ncandidates__")]
    for part in PARTICLES:
        cols += [(f"{part}_{v}", "f8") for v in PID + ("p", "pt", "cosTheta", "phi")]
        cols += [(f"{part}_charge", "i4"), (f"{part}_dr", "f8"), (f"{part}_dz", "f8"),
                 (f"{part}_nCDCHits", "i4"), (f"{part}_isSignal", "i4")]
    cols += [(c, "f8") for c in ("D0_M", "D0_p", "D0_cosTheta", "Dst_M", "Dst_deltaM", "Dst_Q", "Dst_p_cms")]
    cols += [("Dst_isSignal", "i4"), ("sWeight", "f8"), ("bWeight", "f8")]
    return cols


# ---------------------------------------------------------------- queries
# Q1: count the rows passing a kaon selection.
Q1_CUT = "K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4 && K_nCDCHits > 20"
Q1_COLS = ["K_kaonID", "K_charge", "K_dz", "K_nCDCHits"]
# Q2: sWeighted efficiency of K_kaonID > 0.6 in 7 x 10 bins of (K_p, K_cosTheta) after a track cut.
Q2_PRECUT = "abs(K_dz) < 4 && K_dr < 2"
Q2_PASS = "K_kaonID > 0.6"
Q2_P_EDGES = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5]
Q2_C_LO, Q2_C_HI, Q2_C_N = -0.866, 0.9563, 10
Q2_COLS = ["K_p", "K_cosTheta", "K_dz", "K_dr", "K_kaonID", "sWeight"]
# Q3: the Q1 rows' five columns written to a new HDF5 file.
Q3_OUT = ["__event__", "K_p", "K_cosTheta", "D0_M", "sWeight"]
Q3_COLS = Q1_COLS + [c for c in Q3_OUT if c not in Q1_COLS]
# Q4: 100-bin histogram of D0_M over all rows.
Q4_LO, Q4_HI, Q4_N = 1.8, 1.93, 100
Q4_COLS = ["D0_M"]
QUERY_COLS = {"Q1": Q1_COLS, "Q2": Q2_COLS, "Q3": Q3_COLS, "Q4": Q4_COLS}


def efficiency(sw_tot, sw2_tot, sw_pass, sw2_pass):
    """ε = Σw_pass / Σw_tot and its error for a weighted subset:
    var = ((1 - 2ε) Σw²_pass + ε² Σw²_tot) / (Σw_tot)²."""
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = sw_pass / sw_tot
        var = ((1 - 2 * eff) * sw2_pass + eff ** 2 * sw2_tot) / sw_tot ** 2
    return eff, np.sqrt(np.clip(var, 0, None))


# ---------------------------------------------------------------- data
M_PI, M_D0, DM_DST = 0.13957, 1.86484, 0.145426


def block(start, n, seed=SEED):
    """Rows start..start+n of the ntuple, as {column: array}."""
    rng = np.random.default_rng([seed, start])
    row = np.arange(start, start + n, dtype=np.int64)
    event = row * 3 // 4                      # 4 candidates per 3 events
    first, after = (4 * event + 2) // 3, (4 * event + 6) // 3
    c = {"__experiment__": np.full(n, 26), "__run__": 1 + event // 200_000, "__event__": event,
         "__candidate__": row - first, "__ncandidates__": after - first}

    signal = rng.random(n) < 0.6
    d0_sig = rng.normal(M_D0, 0.0065, n)
    wide = rng.random(n) < 0.05              # a wider tail under the peak
    d0_sig[wide] = rng.normal(M_D0 - 0.01, 0.02, wide.sum())
    d0_bkg = 1.78 + 0.085 * np.sqrt(rng.random(n)) + 0.085 * rng.random(n)
    d0m = np.where(signal, d0_sig, d0_bkg)
    dm = np.where(signal, rng.normal(DM_DST, 0.00035, n), M_PI + (0.16 - M_PI) * rng.beta(1.6, 1.0, n))
    p_cms = 2.5 + 2.5 * rng.beta(2.0, 2.5, n)
    d0_p = p_cms * rng.uniform(0.95, 1.35, n)

    k_charge = np.where(rng.random(n) < 0.5, -1, 1)
    charge = {"K": k_charge}
    charge["pi"] = np.where(signal | (rng.random(n) < 0.5), -k_charge, k_charge)
    charge["pis"] = np.where(signal | (rng.random(n) < 0.5), charge["pi"], -charge["pi"])

    for part in PARTICLES:
        if part == "pis":                    # the slow pion follows the D0 momentum
            p = np.clip(d0_p * rng.normal(0.075, 0.012, n), 0.05, 0.8)
        else:
            p = np.clip(rng.lognormal(np.log(1.5), 0.55, n), 0.1, 6.0)
        cos = -0.866 + 1.8223 * rng.beta(1.6, 1.2, n)
        outside = rng.random(n) < 0.01
        cos[outside] = rng.uniform(-0.95, 0.98, outside.sum())
        dr = np.abs(rng.normal(0, 0.05, n))
        far = rng.random(n) < 0.02
        dr[far] += rng.exponential(1.5, far.sum())
        dz = rng.normal(0, 0.6, n)
        far = rng.random(n) < 0.03
        dz[far] = rng.normal(0, 8.0, far.sum())
        hits = np.clip(np.rint(rng.normal(38, 8, n) * (1 - 0.3 * np.abs(cos))), 0, 56)
        few = rng.random(n) < 0.05
        hits[few] = rng.integers(0, 21, few.sum())

        # PID: a kaon-like or pion-like likelihood whose separation fades with momentum.
        is_kaon = rng.random(n) < (np.where(signal, 0.95, 0.5) if part == "K" else np.where(signal, 0.02, 0.15))
        separated = rng.random(n) < np.clip(1.25 - p / 4.0, 0.25, 1.0)
        u = rng.random(n)
        high, low = rng.beta(6.0, 0.6, n), rng.beta(0.4, 6.0, n)
        kaon_id = np.where(is_kaon, np.where(separated, high, u), np.where(separated, low, 0.7 * u))
        high, low = rng.beta(6.0, 0.6, n), rng.beta(0.4, 6.0, n)
        pion_id = np.where(~is_kaon, np.where(separated, high, u), np.where(separated, low, 1 - u))
        ids = {"kaonID": kaon_id, "pionID": pion_id, "protonID": rng.beta(0.3, 8.0, n),
               "electronID": rng.beta(0.3, 10.0, n), "muonID": rng.beta(0.3, 10.0, n)}
        no_pid = rng.random(n) < 0.003
        for name, v in ids.items():
            v = np.where(v < 1e-6, 0.0, np.where(v > 1 - 1e-6, 1.0, v))
            v[no_pid] = np.nan
            c[f"{part}_{name}"] = v
        c[f"{part}_p"], c[f"{part}_pt"], c[f"{part}_cosTheta"] = p, p * np.sqrt(1 - cos * cos), cos
        c[f"{part}_phi"] = rng.uniform(-np.pi, np.pi, n)
        c[f"{part}_charge"], c[f"{part}_dr"], c[f"{part}_dz"] = charge[part], dr, dz
        c[f"{part}_nCDCHits"] = hits
        c[f"{part}_isSignal"] = signal & (rng.random(n) < 0.98)

    c.update({"D0_M": d0m, "D0_p": d0_p, "D0_cosTheta": np.clip(-0.9 + 1.9 * rng.beta(1.6, 1.2, n), -1, 1),
              "Dst_M": d0m + dm, "Dst_deltaM": dm, "Dst_Q": dm - M_PI, "Dst_p_cms": p_cms, "Dst_isSignal": signal})
    sw = np.where(signal, rng.normal(0.97, 0.08, n), rng.normal(0.02, 0.22, n))
    c["sWeight"], c["bWeight"] = sw, 1.0 - sw
    return {name: np.ascontiguousarray(c[name], dtype=t) for name, t in schema()}


def data_dir(arg=None):
    return os.path.abspath(arg or os.environ.get("BENCH_DATA") or os.path.join(tempfile.gettempdir(), "benchdata"))


# ---------------------------------------------------------------- a shared machine
# Each timed run waits for a quiet moment and records the CPU that other
# processes used meanwhile (from /proc/stat).
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy_seconds():
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return 0.0
    return (sum(v) - v[3] - v[4]) / _TICK     # all but idle and iowait


def snap(children=False):
    """(wall clock, machine busy CPU s, own CPU s)."""
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return time.perf_counter(), _busy_seconds(), ru.ru_utime + ru.ru_stime


def other_cpus(a, b):
    """CPUs used by other processes between two snaps, on average."""
    return max(0.0, ((b[1] - a[1]) - (b[2] - a[2])) / max(b[0] - a[0], 1e-9))


def wait_quiet(threshold=0.15, window=0.5, max_wait=20.0):
    """Waits (at most max_wait s) until others use less than `threshold` CPUs over `window` s."""
    deadline = time.perf_counter() + max_wait
    while True:
        a = snap()
        time.sleep(window)
        load = other_cpus(a, snap())
        if load < threshold or time.perf_counter() > deadline:
            return load
