"""Applying a data/MC weight table to tracks in a DataFrame, as PIDVar and ``syscorr multitrack`` do."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ._cli import load_json
from .api import weights_frame

__all__ = ["WeightLookup", "weight_table", "apply_weights"]

TableLike = Union[pd.DataFrame, Mapping[str, Any], str, "os.PathLike[str]"]


@dataclass
class WeightLookup:
    """One cut (and precut) of a weight table as flat arrays over its bins (row-major, first axis slowest).

    ``ratio`` is NaN for bins the table lacks or gives no ratio; bins are [lo, hi) on every axis.
    """

    variables: List[str]
    edges: List[np.ndarray]
    ratio: np.ndarray
    stat_up: np.ndarray
    stat_dn: np.ndarray
    sys_up: np.ndarray
    sys_dn: np.ndarray
    cut: str = ""
    precut: str = ""

    @property
    def shape(self) -> tuple:
        return tuple(len(e) - 1 for e in self.edges)

    def flat_bin(self, values: Sequence[np.ndarray]) -> np.ndarray:
        """The flat bin of each row's values (one array per axis); -1 outside any axis (NaN is outside)."""
        n = len(values[0])
        flat = np.zeros(n, dtype=np.int64)
        inside = np.ones(n, dtype=bool)
        stride = 1
        for e, x in reversed(list(zip(self.edges, values))):
            x = np.asarray(x, dtype=np.float64)
            ok = (x >= e[0]) & (x < e[-1])  # False for NaN
            i = np.searchsorted(e, x, side="right") - 1
            flat += np.where(ok, i, 0) * stride
            inside &= ok
            stride *= len(e) - 1
        return np.where(inside, flat, -1)


def _read_table(table: TableLike) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, Mapping):
        return weights_frame(table)
    path = os.fspath(table)
    if path.endswith(".json"):
        with open(path) as f:
            return weights_frame(load_json(f.read()))
    df = pd.read_csv(path)
    for c in ("precut", "cut", "flags"):
        if c in df.columns:
            df[c] = df[c].fillna("").astype(str)
    return df


_CUT = re.compile(r"^\s*(.+?)\s*>=?\s*([-+0-9.eE]+)\s*$")


def weight_table(table: TableLike, cut: Optional[str] = None, precut: str = "") -> WeightLookup:
    """One cut of a weight table as a :class:`WeightLookup`.

    Args:
        table: the DataFrame of :func:`syscorr.weights` (or of ``weights --out W.csv`` / ``--pidvar P.csv``
            read with pandas), the JSON of ``weights --out W.json`` (dict or path), or a CSV path.
        cut: which cut (its text, e.g. ``"kaonID > 0.6"``); may be omitted when the table has one.
        precut: which precut (default none).
    Raises:
        ValueError: no such cut, or several and none chosen (the message lists them).
    """
    df = _read_table(table)
    axes = [c[: -len("_min")] for c in df.columns if c.endswith("_min") and c[: -len("_min")] + "_max" in df.columns]
    keys: List[Tuple[Any, Any]]
    if "cut" in df.columns:
        pre = df["precut"].fillna("").astype(str) if "precut" in df.columns else pd.Series("", index=df.index)
        keys = list(dict.fromkeys(zip(pre.tolist(), df["cut"].astype(str).tolist())))
        chosen = [k for k in keys if k[0] == precut and (cut is None or k[1] == cut)]
        choices = [(f"precut {p}, " if p else "") + c for p, c in keys]
        rows = (pre == precut) & (df["cut"] == chosen[0][1]) if len(chosen) == 1 else None
    else:  # a PIDVar table: one entry per variable and threshold
        keys = list(dict.fromkeys(zip(df["variable"].astype(str).tolist(), df["threshold"].astype(float).tolist())))
        choices = [f"{v} > {t:g}" for v, t in keys]
        want = _CUT.match(cut) if cut is not None else None
        chosen = [k for k in keys if cut is None or (want is not None and want.group(1) == k[0]
                                                     and float(want.group(2)) == k[1])]
        rows = (df["variable"] == chosen[0][0]) & (df["threshold"] == chosen[0][1]) if len(chosen) == 1 else None
    if rows is None:
        what = "no entry" if not chosen else "several entries"
        raise ValueError(f"{what} of the weight table match cut {cut!r}, precut {precut!r}; choices: {choices}")
    sel = df[rows]
    edges = [np.unique(np.concatenate([df[a + "_min"].to_numpy(float), df[a + "_max"].to_numpy(float)])) for a in axes]
    shape = tuple(len(e) - 1 for e in edges)
    size = int(np.prod(shape)) if shape else 1
    arrays = {k: np.full(size, np.nan) for k in ("ratio", "stat_up", "stat_dn", "sys_up", "sys_dn")}
    flat = np.zeros(len(sel), dtype=np.int64)
    stride = 1
    for a, e in reversed(list(zip(axes, edges))):
        flat += np.searchsorted(e, sel[a + "_min"].to_numpy(float), side="left") * stride
        stride *= len(e) - 1
    source = {"ratio": "data_MC_ratio", "stat_up": "data_MC_uncertainty_stat_up",
              "stat_dn": "data_MC_uncertainty_stat_dn", "sys_up": "data_MC_uncertainty_sys_up",
              "sys_dn": "data_MC_uncertainty_sys_dn"}
    for k, col in source.items():
        arrays[k][flat] = sel[col].to_numpy(float)
    entry = chosen[0]
    return WeightLookup(variables=axes, edges=edges, cut=str(entry[1]) if "cut" in df.columns else f"{entry[0]} > {entry[1]:g}",
                        precut=precut, **arrays)


def apply_weights(
    df: pd.DataFrame, table: TableLike, tracks: Union[Mapping[str, Union[str, Sequence[str]]], Sequence[str]], *,
    cut: Optional[str] = None, precut: str = "", name: str = "pid_weight", per_track: bool = True,
    inplace: bool = False,
) -> pd.DataFrame:
    """Adds per-track and per-event data/MC PID weights with their uncertainties to ``df``.

    For every row, each track's bin of the table ([lo, hi) on each axis) gives its ratio r_t; the event
    weight is w = Π_t r_t with (as ``syscorr multitrack`` and PIDCalib2's multi-track calibration)

        (σ_stat/w)² = Σ_bins (k_b · σ_stat,b / r_b)²   tracks in one bin fully correlated (k_b of them)
         σ_sys/w    = Σ_t σ_sys,t / r_t                 systematic fully correlated across bins

    up and down separately. A track outside the table's axes (NaN included) or in a bin without a
    ratio gets NaN and ``<name>_<track>_valid`` False, and its event NaN and ``<name>_valid`` False —
    never a sentinel value.

    Args:
        df: the rows (e.g. simulation from :func:`syscorr.query`).
        table: see :func:`weight_table`.
        tracks: ``{track: (column per table axis, …)}``, ``{track: prefix}`` or a list of prefixes;
            a prefix ``D0_K`` reads ``D0_K_<axis variable>``.
        cut, precut: which entry of the table.
        name: prefix of the added columns: ``<name>``, ``<name>_stat_up``, ``<name>_stat_dn``,
            ``<name>_sys_up``, ``<name>_sys_dn``, ``<name>_valid`` and, with ``per_track``, the same
            per track as ``<name>_<track>…``.
        inplace: add the columns to ``df`` itself instead of a copy.

    Returns:
        The DataFrame with the columns; ``out.attrs[name]`` holds a summary (rows, valid, per-track
        ``outside`` and ``no_ratio`` counts, ``mean_weight`` over valid rows) like ``multitrack --json``.
    """
    lookup = weight_table(table, cut=cut, precut=precut)
    if isinstance(tracks, Mapping):
        spec: Dict[str, Union[str, Sequence[str]]] = dict(tracks)
    else:
        spec = {t: t for t in tracks}
    columns: Dict[str, List[str]] = {}
    for t, v in spec.items():
        cols = [f"{v}_{a}" for a in lookup.variables] if isinstance(v, str) else list(v)
        if len(cols) != len(lookup.variables):
            raise ValueError(f"track {t}: {len(cols)} columns for the table's {len(lookup.variables)} axes "
                             f"{lookup.variables}")
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise KeyError(f"track {t}: no column {missing[0]!r} in the DataFrame")
        columns[t] = cols
    out = df if inplace else df.copy()
    n = len(df)
    names = list(columns)
    flats = []
    valid_t = []
    summary: Dict[str, Any] = {"rows": n, "outside": {}, "no_ratio": {}}
    for t in names:
        flat = lookup.flat_bin([df[c].to_numpy(np.float64) for c in columns[t]])
        inside = flat >= 0
        r = np.where(inside, lookup.ratio[np.where(inside, flat, 0)], np.nan)
        has = inside & np.isfinite(r) & (r != 0)
        summary["outside"][t] = int((~inside).sum())
        summary["no_ratio"][t] = int((inside & ~has).sum())
        flats.append(np.where(has, flat, -1))
        valid_t.append(has)
        if per_track:
            idx = np.where(has, flat, 0)
            for suffix, arr in (("", lookup.ratio), ("_stat_up", lookup.stat_up), ("_stat_dn", lookup.stat_dn),
                                ("_sys_up", lookup.sys_up), ("_sys_dn", lookup.sys_dn)):
                out[f"{name}_{t}{suffix}"] = np.where(has, arr[idx], np.nan)
            out[f"{name}_{t}_valid"] = has
    valid = np.logical_and.reduce(valid_t) if names else np.ones(n, dtype=bool)
    w = np.ones(n)
    up = np.zeros(n)
    dn = np.zeros(n)
    sys_up = np.zeros(n)
    sys_dn = np.zeros(n)
    for i, t in enumerate(names):
        f = flats[i]
        idx = np.where(f >= 0, f, 0)
        r = lookup.ratio[idx]
        # k: tracks of this event in the same bin; counted once, at the first of them
        k = np.zeros(n)
        first = np.ones(n, dtype=bool)
        for j in range(len(names)):
            same = flats[j] == f
            k += same
            if j < i:
                first &= ~same
        use = first & valid
        w = np.where(valid, w * r, np.nan)
        a = k * lookup.stat_up[idx] / r
        b = k * lookup.stat_dn[idx] / r
        up += np.where(use, a * a, 0.0)
        dn += np.where(use, b * b, 0.0)
        sys_up += np.where(use, k * lookup.sys_up[idx] / r, 0.0)
        sys_dn += np.where(use, k * lookup.sys_dn[idx] / r, 0.0)
    aw = np.abs(w)
    out[name] = np.where(valid, w, np.nan)
    out[f"{name}_stat_up"] = np.where(valid, aw * np.sqrt(up), np.nan)
    out[f"{name}_stat_dn"] = np.where(valid, aw * np.sqrt(dn), np.nan)
    out[f"{name}_sys_up"] = np.where(valid, aw * sys_up, np.nan)
    out[f"{name}_sys_dn"] = np.where(valid, aw * sys_dn, np.nan)
    out[f"{name}_valid"] = valid
    summary["valid"] = int(valid.sum())
    summary["mean_weight"] = float(np.mean(w[valid])) if valid.any() else float("nan")
    summary["columns"] = [name, f"{name}_stat_up", f"{name}_stat_dn", f"{name}_sys_up", f"{name}_sys_dn", f"{name}_valid"]
    out.attrs[name] = summary
    return out
