"""``syscorr fit`` from Python: the result as an object with parameters, covariance and a plot."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ._cli import PathLike, load_json, run_json
from .api import _opt, _source

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.axes

__all__ = ["FitResult", "fit"]


def _parameter_frame(j: Dict[str, Any]) -> pd.DataFrame:
    rows = []
    for kind, block in (("yield", j.get("yields", {})), ("shape", j.get("parameters", {}))):
        # signal first, as the CLI prints them
        for name, p in sorted(block.items(), key=lambda kv: (kv[0] != "signal", kv[0])):
            full = f"{name}.yield" if kind == "yield" else name
            rows.append(dict(name=full, value=float(p["value"]), error=float(p["error"]), fixed=bool(p["fixed"]),
                             at_limit=bool(p["at_limit"])))
    df = pd.DataFrame(rows, columns=["name", "value", "error", "fixed", "at_limit"])
    return df.set_index("name")


@dataclass
class FitResult:
    """One model's fit (``syscorr fit --json``); ``systematic`` holds the alternative model's.

    Attributes:
        status: ``valid`` or why not; valid: the CLI's verdict.
        parameters: DataFrame indexed by name (``signal.yield``, ``signal.mu`` …): value, error, fixed, at_limit.
        covariance: HESSE covariance of the free parameters (DataFrame, names as index and columns).
        yields: ``component → value``.
        nll, edm, calls, events, range, column: the minimum and the sample.
        systematic: the systematic model's FitResult (None when the CLI ran none).
        splot: with sWeights, both models' sPlot checks (Σw per component, yields, max |Σ_n w − 1|).
        files: what the CLI wrote (fit_results/…json, the plot, validation/…json).
        plot_data: the plot's numbers (bin edges, Σw, errors, curves, pulls), when a plot was written.
        raw: the decoded JSON.
    """

    status: str
    valid: bool
    parameters: pd.DataFrame
    covariance: pd.DataFrame
    yields: Dict[str, float]
    nll: float
    edm: float
    calls: int
    events: int
    range: Tuple[float, float]
    column: str
    systematic: Optional["FitResult"] = None
    splot: Optional[Dict[str, Any]] = None
    files: List[str] = field(default_factory=list)
    plot_data: Optional[Dict[str, Any]] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, j: Dict[str, Any], plot_data: Optional[Dict[str, Any]] = None) -> "FitResult":
        """Builds the result from the decoded ``fit --json`` object (or its ``systematic`` part)."""
        cov = j.get("covariance") or {"names": [], "matrix": []}
        names = list(cov.get("names", []))
        matrix = np.array(cov.get("matrix", []), dtype=float).reshape(len(names), len(names))
        sys_j = j.get("systematic")
        return cls(
            status=str(j.get("status", "")), valid=bool(j.get("valid", False)), parameters=_parameter_frame(j),
            covariance=pd.DataFrame(matrix, index=names, columns=names),
            yields={k: float(v["value"]) for k, v in sorted(j.get("yields", {}).items(), key=lambda kv: kv[0] != "signal")},
            nll=float(j.get("nll", np.nan)), edm=float(j.get("edm", np.nan)), calls=int(j.get("calls", 0)),
            events=int(j.get("events", 0)), range=tuple(j.get("range", (np.nan, np.nan))),  # type: ignore[arg-type]
            column=str(j.get("column", "")),
            systematic=cls.from_json(sys_j) if isinstance(sys_j, dict) else None,
            splot=j.get("splot") if isinstance(j.get("splot"), dict) else None,
            files=list(j.get("files", [])), plot_data=plot_data, raw=j,
        )

    def __repr__(self) -> str:
        ys = ", ".join(f"{k} {v:.6g} ± {self.error(k + '.yield'):.3g}" for k, v in self.yields.items()
                       if k + ".yield" in self.parameters.index)
        sys_part = f", systematic: {self.systematic.status}" if self.systematic is not None else ""
        return f"<FitResult {self.column} in {list(self.range)}: {self.status}, {self.events} events, {ys}{sys_part}>"

    def correlation(self) -> pd.DataFrame:
        """The correlation matrix of the free parameters."""
        c = self.covariance.to_numpy()
        s = np.sqrt(np.diag(c))
        return pd.DataFrame(c / np.outer(s, s), index=self.covariance.index, columns=self.covariance.columns)

    def value(self, name: str) -> float:
        """A parameter's value, e.g. ``signal.mu`` or ``signal.yield``."""
        return float(self.parameters["value"].to_dict()[name])

    def error(self, name: str) -> float:
        """A parameter's HESSE error."""
        return float(self.parameters["error"].to_dict()[name])

    def plot(self, ax: Optional["matplotlib.axes.Axes"] = None, *, pulls: bool = True,
             log: bool = False) -> "matplotlib.axes.Axes":
        """Draws the data (Σw per bin with errors), the total, signal and background curves and,
        with ``pulls``, a pull panel below (only when ``ax`` is not given). Returns the main axes."""
        import matplotlib.pyplot as plt

        if self.plot_data is None:
            raise ValueError("this fit has no plot data (the CLI wrote no plot)")
        d = self.plot_data
        edges = np.asarray(d["edges"], dtype=float)
        centres = 0.5 * (edges[1:] + edges[:-1])
        pull_ax = None
        if ax is None:
            if pulls:
                fig, (ax, pull_ax) = plt.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05})
            else:
                fig, ax = plt.subplots()
        ax.errorbar(centres, d["sum_w"], yerr=d["errors"], fmt="o", ms=2.5, color="black", label="data")
        x = np.asarray(d["curve_x"], dtype=float)
        styles: Dict[str, Dict[str, Any]] = {"total": dict(color="tab:blue"), "signal": dict(color="tab:red", ls="--"),
                  "background": dict(color="tab:green", ls=":")}
        for name, y in d["curves"].items():
            ax.plot(x, y, label=name, **styles.get(name, {}))
        ax.set_ylabel(f"candidates / {edges[1] - edges[0]:.3g} {d.get('unit', '')}".rstrip())
        if log:
            ax.set_yscale("log")
        ax.legend(frameon=False)
        ax.set_title(f"{self.column}: {self.status}, N_sig = {self.yields.get('signal', float('nan')):.0f}")
        if pull_ax is not None:
            pull_ax.bar(centres, d["pulls"], width=np.diff(edges), color="grey")
            pull_ax.axhline(0, color="black", lw=0.8)
            pull_ax.set_ylabel("pull")
            pull_ax.set_xlabel(f"{d.get('variable', self.column)} [{d.get('unit', '')}]")
        else:
            ax.set_xlabel(f"{d.get('variable', self.column)} [{d.get('unit', '')}]")
        return ax


def fit(
    mode: Optional[str] = None, proc: Optional[str] = None, sample: Optional[str] = None, *,
    input: Optional[PathLike] = None, model: Optional[PathLike] = None, mass: Optional[str] = None,
    range: Optional[Sequence[float]] = None, cut: Optional[str] = None, weight: Optional[str] = None,
    binned: Optional[int] = None, write_sweights: bool = False, plot: Optional[PathLike] = None,
    store: Optional[PathLike] = None, threads: Optional[int] = None,
) -> FitResult:
    """Fits the mass of a calibration sample, nominal and systematic model (``syscorr fit --json``).

    With ``write_sweights`` the sWeights become a new friend version of the set (``sweight``,
    ``sweight_syst``, ``in_fit`` …), usable as ``weight="sweight"`` everywhere. The plot's numbers
    (the ``.json`` beside the CLI's SVG) are read into ``plot_data`` for :meth:`FitResult.plot`.

    Raises:
        SysCorrError: the fit failed (no candidate, call limit, EDM above maximum, …).
    """
    args = ["fit", *_source(mode, proc, sample, input), *_opt("--model", None if model is None else os.fspath(model)),
            *_opt("--mass", mass), *_opt("--cut", cut), *_opt("--weight", weight), *_opt("--binned", binned),
            *_opt("--threads", threads), *(["--write-sweights"] if write_sweights else [])]
    if range is not None:
        args.append(f"--range={float(range[0])!r},{float(range[1])!r}")
    with tempfile.TemporaryDirectory(prefix="syscorr-py-") as d:
        # a store set writes its plot under the store's plots/; a file gets one here unless asked
        svg = os.fspath(plot) if plot is not None else (os.path.join(d, "fit.svg") if input is not None else None)
        if svg is not None:
            args += ["--plot", svg]
        j = run_json(args, store=store)
        plot_data = None
        for f in j.get("files", []):
            if f.endswith(".svg"):
                side = f[: -len(".svg")] + ".json"
                if os.path.exists(side):
                    with open(side) as fh:
                        plot_data = load_json(fh.read())
                break
        result = FitResult.from_json(j, plot_data)
        if plot is None and input is not None:
            result.files = [f for f in result.files if not f.startswith(d)]
        return result
