"""The CLI's commands as Python functions returning DataFrames, histograms and fit results."""
from __future__ import annotations

import json
import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import h5py
import hdf5plugin  # noqa: F401  (registers the lz4/zstd filters the CLI may write)
import numpy as np
import pandas as pd

from ._cli import PathLike, run, run_json

if TYPE_CHECKING:  # pragma: no cover
    import boost_histogram

__all__ = [
    "Store", "Count", "query", "count", "hist", "efficiency", "weights", "read_ntuple",
    "efficiency_frame", "weights_frame",
]

#: An axis of :func:`hist`: bin edges ``[e0, e1, …]`` or regular bins ``(n, lo, hi)``.
AxisSpec = Union[Sequence[float], Tuple[int, float, float]]


def _source(mode: Optional[str], proc: Optional[str], sample: Optional[str], input: Optional[PathLike]) -> List[str]:
    args: List[str] = []
    if input is not None:
        args += ["--input", os.fspath(input)]
    if mode is not None:
        args += ["--mode", mode]
    if proc is not None:
        args += ["--proc", proc]
    if sample is not None:
        args += ["--sample", sample]
    return args


def _csv_list(values: Union[str, Sequence[float]]) -> str:
    return values if isinstance(values, str) else ",".join(repr(float(v)) if not isinstance(v, str) else v for v in values)


def _repeat(option: str, values: Union[None, str, Sequence[str]]) -> List[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: List[str] = []
    for v in values:
        out += [option, v]
    return out


def _aliases(aliases: Optional[Mapping[str, str]]) -> List[str]:
    return [a for k, v in (aliases or {}).items() for a in ("--alias", f"{k}={v}")]


def _bins(bins: Optional[Mapping[str, Sequence[float]]]) -> List[str]:
    return [a for var, edges in (bins or {}).items() for a in ("--bin", f"{var}={_csv_list(edges)}")]


def _opt(option: str, value: Any) -> List[str]:
    return [] if value is None else [option, str(value)]


def read_ntuple(path: PathLike, group: str = "ntuple") -> pd.DataFrame:
    """Reads an HDF5 ntuple the CLI wrote (``query --columns … --out``, ``export``,
    ``multitrack --out``) into a DataFrame, columns in the file's order, types kept."""
    with h5py.File(path, "r") as f:
        g = f[group]
        names = [k for k in g if isinstance(g[k], h5py.Dataset)]
        order = g.attrs.get("columns")
        if order is not None:  # the CLI lists its columns in order (`__event__` included)
            listed = json.loads(order if isinstance(order, str) else order.decode())
            names = [n for n in listed if n in names]
        return pd.DataFrame({n: g[n][()] for n in names})


class Count(NamedTuple):
    """What ``query --count`` prints: selected entries, Σw and Σw²."""

    entries: int
    sum_w: float
    sum_w2: float


def _columns_arg(columns: Union[str, Sequence[str], Mapping[str, str]]) -> List[str]:
    if isinstance(columns, str):
        return [c.strip() for c in columns.split(",") if c.strip()]
    if isinstance(columns, Mapping):
        return [k if k == v else f"{k}={v}" for k, v in columns.items()]
    return list(columns)


def query(
    mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None, *,
    columns: Union[str, Sequence[str], Mapping[str, str], None] = None,
    cut: Optional[str] = None, weight: Optional[str] = None, weight_name: str = "weight",
    aliases: Optional[Mapping[str, str]] = None, input: Optional[PathLike] = None,
    store: Optional[PathLike] = None, threads: Optional[int] = None,
) -> pd.DataFrame:
    """The rows passing ``cut`` as a DataFrame (``syscorr query --columns … --out F.h5``, read with h5py).

    Args:
        mode, proc, sample: the store set (or ``input``: a file, ``F.h5[:GROUP]``, ``F.root[:tree]``, ``F.csv``).
        columns: names or expressions: ``"a,b"``, ``["a", "pt=p*sqrt(1-c**2)"]`` or ``{"pt": "p*…"}``;
            all columns of the set when omitted.
        cut: the selection (``selection`` is the mode's default selection).
        weight: a weight expression, added as the column ``weight_name``.
        aliases: ``name → expression`` usable in every expression.
    """
    if columns is None:
        cols = list(variables(mode, proc, sample, input=input, store=store)["name"])
    else:
        cols = _columns_arg(columns)
    if weight is not None:
        cols.append(f"{weight_name}={weight}")
    with tempfile.TemporaryDirectory(prefix="syscorr-py-") as d:
        out = os.path.join(d, "rows.h5")
        run(["query", *_source(mode, proc, sample, input), *_opt("--cut", cut), *_aliases(aliases),
             "--columns", ",".join(cols), "--out", out, *_opt("--threads", threads)], store=store)
        return read_ntuple(out)


def count(
    mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None, *,
    cut: Optional[str] = None, weight: Optional[str] = None, aliases: Optional[Mapping[str, str]] = None,
    input: Optional[PathLike] = None, store: Optional[PathLike] = None,
) -> Count:
    """Selected entries, Σw and Σw² (``syscorr query --count --json``)."""
    j = run_json(["query", *_source(mode, proc, sample, input), *_opt("--cut", cut), *_opt("--weight", weight),
                  *_aliases(aliases), "--count"], store=store)
    return Count(int(j["entries"]), float(j["sum_w"]), float(j["sum_w2"]))


def _axis_args(axes: Mapping[str, AxisSpec]) -> List[str]:
    args: List[str] = []
    for expr, spec in axes.items():
        args += ["--hist", expr]
        if isinstance(spec, tuple) and len(spec) == 3 and isinstance(spec[0], (int, np.integer)):
            args += ["--bins", str(int(spec[0])), f"--range={float(spec[1])!r},{float(spec[2])!r}"]
        else:
            args += [f"--edges={_csv_list(spec)}"]
    return args


def read_uhi_histogram(group: "h5py.Group") -> "boost_histogram.Histogram":
    """A UHI HDF5 histogram group as a boost-histogram Histogram (uhi.io.hdf5 when installed)."""
    import boost_histogram as bh

    uhi_hdf5: Any
    try:
        import uhi.io.hdf5 as uhi_hdf5
    except ImportError:
        uhi_hdf5 = None
    if uhi_hdf5 is not None:
        return bh.Histogram(uhi_hdf5.read(group))  # type: ignore[call-overload]
    # by hand: the UHI layout (ref_axes/axis_N, storage/values and variances, flow bins included)
    axes: List[Any] = []
    ref = group["ref_axes"]
    for k in sorted(ref, key=lambda n: int(n.split("_")[1])):
        a = ref[k]
        label = a["metadata"].attrs.get("label", "") if "metadata" in a else ""
        under, over = bool(a.attrs["underflow"]), bool(a.attrs["overflow"])
        kind = a.attrs["type"]
        kind = kind.decode() if isinstance(kind, bytes) else kind
        ax: Any
        if kind == "regular":
            ax = bh.axis.Regular(int(a.attrs["bins"]), float(a.attrs["lower"]), float(a.attrs["upper"]),
                                 underflow=under, overflow=over)
        else:
            ax = bh.axis.Variable(a["edges"][()], underflow=under, overflow=over)
        ax.label = label.decode() if isinstance(label, bytes) else str(label)
        axes.append(ax)
    st = group["storage"]
    kind = st.attrs["type"]
    kind = kind.decode() if isinstance(kind, bytes) else kind
    h: Any
    if kind == "weighted":
        h = bh.Histogram(*axes, storage=bh.storage.Weight())
        view = h.view(flow=True)
        view["value"] = st["values"][()]
        view["variance"] = st["variances"][()]
    else:
        h = bh.Histogram(*axes, storage=bh.storage.Double())
        h.view(flow=True)[...] = st["values"][()]
    return h


def hist(
    mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None, *,
    axes: Mapping[str, AxisSpec], cut: Optional[str] = None, weight: Optional[str] = None,
    aliases: Optional[Mapping[str, str]] = None, input: Optional[PathLike] = None,
    store: Optional[PathLike] = None,
) -> "boost_histogram.Histogram":
    """A weighted N-D histogram (``syscorr query --hist … --out F.h5``) as a boost-histogram Histogram.

    Args:
        axes: ``expression → edges`` (a list) or ``expression → (bins, lo, hi)``, in axis order.
            Under- and overflow are kept (NaN counts as overflow, as in the CLI).
    """
    if not axes:
        raise ValueError("hist needs at least one axis")
    with tempfile.TemporaryDirectory(prefix="syscorr-py-") as d:
        out = os.path.join(d, "hist.h5")
        run(["query", *_source(mode, proc, sample, input), *_opt("--cut", cut), *_opt("--weight", weight),
             *_aliases(aliases), *_axis_args(axes), "--out", out], store=store)
        with h5py.File(out, "r") as f:
            return read_uhi_histogram(f["histogram"])


def _limits(axes: List[Dict[str, Any]], b: Dict[str, Any]) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for a, lo, hi in zip(axes, b["lower"], b["upper"]):
        out[f"{a['variable']}_min"] = float(lo)
        out[f"{a['variable']}_max"] = float(hi)
    return out


def efficiency_frame(table: Mapping[str, Any]) -> pd.DataFrame:
    """An efficiency table (the JSON of ``syscorr efficiency --json`` or ``--out T.json``) as the
    DataFrame of its CSV: ``<var>_min, <var>_max`` per axis, ``precut, cut, total_sum_w, total_sum_w2,
    pass_sum_w, pass_sum_w2, efficiency, error, error_low, error_high, flags`` (flags joined by ``;``)."""
    rows = []
    for t in table["tables"]:
        for b in t["bins"]:
            row: Dict[str, Any] = _limits(table["axes"], b)
            row.update(precut=t["precut"], cut=t["cut"])
            for k in ("total_sum_w", "total_sum_w2", "pass_sum_w", "pass_sum_w2", "efficiency", "error",
                      "error_low", "error_high"):
                row[k] = float(b[k])
            row["flags"] = ";".join(b.get("flags", []))
            rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs["syscorr"] = dict(table)
    return df


_WEIGHT_COLUMNS = [
    "variable", "threshold", "data_MC_ratio", "data_MC_uncertainty_stat_up", "data_MC_uncertainty_stat_dn",
    "data_MC_uncertainty_sys_up", "data_MC_uncertainty_sys_dn", "data_efficiency", "data_uncertainty_stat_up",
    "data_uncertainty_stat_dn", "data_uncertainty_sys_up", "data_uncertainty_sys_dn", "MC_efficiency",
    "MC_uncertainty_stat_up", "MC_uncertainty_stat_dn", "MC_uncertainty_sys_up", "MC_uncertainty_sys_dn",
    "precut", "cut", "flags",
]


def weights_frame(table: Mapping[str, Any]) -> pd.DataFrame:
    """A weight table (the JSON of ``syscorr weights --json`` or ``--out W.json``) as the DataFrame of
    its HID-style CSV (``weights --out W.csv``): bin limits, ``variable, threshold, data_MC_ratio`` and its
    four uncertainties, the data and MC efficiencies with theirs, ``precut, cut, flags``."""
    rows = []
    for t in table["tables"]:
        for b in t["bins"]:
            row: Dict[str, Any] = _limits(table["axes"], b)
            d_eff = float(b["data_efficiency"])
            syst = b.get("data_efficiency_systematic")
            d_sys = abs(float(syst) - d_eff) if syst is not None else 0.0
            thr = t.get("threshold")
            row.update(
                variable=t.get("variable") or t["cut"], threshold=np.nan if thr is None else float(thr),
                data_MC_ratio=float(b["ratio"]),
                data_MC_uncertainty_stat_up=float(b["stat_up"]), data_MC_uncertainty_stat_dn=float(b["stat_down"]),
                data_MC_uncertainty_sys_up=float(b["sys_up"]), data_MC_uncertainty_sys_dn=float(b["sys_down"]),
                data_efficiency=d_eff, data_uncertainty_stat_up=float(b["data_error"]),
                data_uncertainty_stat_dn=float(b["data_error"]), data_uncertainty_sys_up=d_sys,
                data_uncertainty_sys_dn=d_sys, MC_efficiency=float(b["mc_efficiency"]),
                MC_uncertainty_stat_up=float(b["mc_error_high"]), MC_uncertainty_stat_dn=float(b["mc_error_low"]),
                MC_uncertainty_sys_up=0.0, MC_uncertainty_sys_dn=0.0,
                precut=t["precut"], cut=t["cut"], flags=";".join(b.get("flags", [])),
            )
            rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs["syscorr"] = dict(table)
    return df


def efficiency(
    mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None, *,
    particle: str, cuts: Union[str, Sequence[str]], precuts: Union[None, str, Sequence[str]] = None,
    bins: Optional[Mapping[str, Sequence[float]]] = None, select: Optional[str] = None,
    weight: Optional[str] = None, true_species: Optional[str] = None, subtract_mc_proc: Optional[str] = None,
    jeffreys: bool = False, out: Optional[PathLike] = None, plot: Optional[PathLike] = None, force: bool = False,
    input: Optional[PathLike] = None, store: Optional[PathLike] = None,
) -> pd.DataFrame:
    """PID efficiency (or fake-rate) tables of one track (``syscorr efficiency --json``), one row per
    cut × precut × bin, shaped like ``efficiency --out T.csv``; the JSON is in ``df.attrs["syscorr"]``.

    Args:
        particle: a role of the mode (``K``, ``pi``, ``p`` …) or a column prefix.
        cuts, precuts: written for the track (``"kaonID > 0.6"``, ``"charge > 0"``).
        bins: ``variable → edges`` in axis order (``{"p": [0.5, 1, 2], "cosTheta": [...]}``); [lo, hi) bins.
        select: a selection of candidates (``in_fit``, ``selection``); weight: e.g. ``sweight``.
        out, plot: also write the CLI's files (``T.csv``, ``T.json`` or ``T.h5``; ``T.svg``).
    """
    j = run_json(["efficiency", *_source(mode, proc, sample, input), "--particle", particle,
                  *_repeat("--cut", cuts), *_repeat("--precut", precuts), *_bins(bins), *_opt("--select", select),
                  *_opt("--weight", weight), *_opt("--true-species", true_species),
                  *_opt("--subtract-mc-proc", subtract_mc_proc), *(["--jeffreys"] if jeffreys else []),
                  *_opt("--out", None if out is None else os.fspath(out)),
                  *_opt("--plot", None if plot is None else os.fspath(plot)), *(["--force"] if force else [])],
                 store=store)
    return efficiency_frame(j)


def weights(
    mode: Optional[str] = None, proc: Optional[str] = None, mc_proc: Optional[str] = None, *,
    particle: str, cuts: Union[str, Sequence[str]], precuts: Union[None, str, Sequence[str]] = None,
    bins: Optional[Mapping[str, Sequence[float]]] = None, select: Optional[str] = None,
    weight: Optional[str] = None, mc_weight: Optional[str] = None, syst_weight: Optional[str] = None,
    mc_true_species: Optional[str] = None, input: Optional[PathLike] = None, mc_input: Optional[PathLike] = None,
    out: Optional[PathLike] = None, pidvar: Optional[PathLike] = None,
    particle_weighting: Optional[PathLike] = None, force: bool = False, store: Optional[PathLike] = None,
) -> pd.DataFrame:
    """Data/MC weight tables (``syscorr weights --json``) shaped like ``weights --out W.csv``.

    The JSON (what :func:`apply_weights` and ``syscorr multitrack --table`` read) is in
    ``df.attrs["syscorr"]``; ``out``, ``pidvar`` and ``particle_weighting`` also write the CLI's files.
    """
    args = ["weights", *_source(mode, proc, None, input), *_opt("--mc-proc", mc_proc), *_opt("--mc-input", mc_input),
            "--particle", particle, *_repeat("--cut", cuts), *_repeat("--precut", precuts), *_bins(bins),
            *_opt("--select", select), *_opt("--weight", weight), *_opt("--mc-weight", mc_weight),
            *_opt("--syst-weight", syst_weight), *_opt("--mc-true-species", mc_true_species),
            *_opt("--out", None if out is None else os.fspath(out)),
            *_opt("--pidvar", None if pidvar is None else os.fspath(pidvar)),
            *_opt("--particle-weighting", None if particle_weighting is None else os.fspath(particle_weighting)),
            *(["--force"] if force else [])]
    return weights_frame(run_json(args, store=store))


def sets(store: Optional[PathLike] = None) -> pd.DataFrame:
    """The store's sets, one row each, as ``syscorr show-db --json`` lists them."""
    j = run_json(["show-db"], store=store)
    cols = ["proc", "mode", "sample", "short_name", "files", "entries", "columns", "bytes", "friends"]
    df = pd.DataFrame(j["sets"], columns=None)
    df = df[[c for c in cols if c in df.columns] + [c for c in df.columns if c not in cols]] if len(df) else pd.DataFrame(columns=cols)
    df.attrs["syscorr"] = j
    return df


def variables(
    mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None, *,
    match: Optional[str] = None, stats: bool = False, input: Optional[PathLike] = None,
    store: Optional[PathLike] = None,
) -> pd.DataFrame:
    """Columns of a set or file (``syscorr show-variables --json``): name, type, unit, description,
    particle, variable and, with ``stats``, min, max and NaN count from the stored chunk statistics."""
    j = run_json(["show-variables", *_source(mode, proc, sample, input), *_opt("--match", match),
                  *(["--stats"] if stats else [])], store=store)
    first = ["name", "type", "unit", "description", "particle", "variable", "min", "max", "nan_count"]
    df = pd.DataFrame(j)
    if len(df) == 0:
        return pd.DataFrame(columns=first[:6])
    return df[[c for c in first if c in df.columns] + [c for c in df.columns if c not in first]]


class Store:
    """A SysCorr store directory; every method runs the CLI with ``--store PATH``.

    >>> s = Store("syscorr-store")
    >>> s.sets()                                   # doctest: +SKIP
    >>> s.query("Dst", "proc12", "data", cut="selection", columns=["D0_K_p"])  # doctest: +SKIP
    """

    def __init__(self, path: Optional[PathLike] = None) -> None:
        """``path``: the store directory; by default ``$SYSCORR_STORE`` or ``./syscorr-store`` (as the CLI)."""
        self.path = os.fspath(path) if path is not None else os.environ.get("SYSCORR_STORE", "syscorr-store")

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def sets(self) -> pd.DataFrame:
        """See :func:`syscorr.sets`."""
        return sets(self.path)

    def variables(self, mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None,
                  **kw: Any) -> pd.DataFrame:
        """See :func:`syscorr.variables`."""
        return variables(mode, proc, sample, store=self.path, **kw)

    def query(self, mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None,
              **kw: Any) -> pd.DataFrame:
        """See :func:`syscorr.query`."""
        return query(mode, proc, sample, store=self.path, **kw)

    def count(self, mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None,
              **kw: Any) -> Count:
        """See :func:`syscorr.count`."""
        return count(mode, proc, sample, store=self.path, **kw)

    def hist(self, mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None,
             **kw: Any) -> "boost_histogram.Histogram":
        """See :func:`syscorr.hist`."""
        return hist(mode, proc, sample, store=self.path, **kw)

    def efficiency(self, mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None,
                   **kw: Any) -> pd.DataFrame:
        """See :func:`syscorr.efficiency`."""
        return efficiency(mode, proc, sample, store=self.path, **kw)

    def weights(self, mode: Optional[str] = None, proc: Optional[str] = None, mc_proc: Optional[str] = None,
                **kw: Any) -> pd.DataFrame:
        """See :func:`syscorr.weights`."""
        return weights(mode, proc, mc_proc, store=self.path, **kw)

    def fit(self, mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None,
            **kw: Any) -> "FitResult":
        """See :func:`syscorr.fit`."""
        from .fit import fit

        return fit(mode, proc, sample, store=self.path, **kw)

    def generate(self, mode: str, sample: str, proc: str, events: int, seed: int = 1, files: int = 1,
                 replace: bool = False) -> None:
        """Toy calibration ntuples (``syscorr generate``) into this store."""
        run(["generate", "--mode", mode, "--sample", sample, "--proc", proc, "--events", int(events),
             "--seed", int(seed), "--files", int(files), *(["--replace"] if replace else [])], store=self.path)


if TYPE_CHECKING:  # pragma: no cover
    from .fit import FitResult
