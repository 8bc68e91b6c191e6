"""SysCorr from Python and Jupyter.

A thin, typed layer over the ``syscorr`` command line: every function runs one CLI command with
``--json`` (or an HDF5 output) and returns pandas DataFrames, boost-histogram histograms or a
:class:`FitResult`; text tables are never parsed. CLI errors become :class:`SysCorrError` carrying
the CLI's located message. The binary is ``$SYSCORR_BIN``, ``syscorr`` on ``PATH``, or the checkout's
``.build/release/syscorr`` / ``.build/debug/syscorr``.

>>> import syscorr
>>> store = syscorr.Store("syscorr-store")                         # doctest: +SKIP
>>> store.sets()                                                   # doctest: +SKIP
>>> eff = store.efficiency("Dst", "proc12", "data", particle="K", cuts="kaonID > 0.6",
...                        weight="sweight", select="in_fit", bins={"p": [0.5, 1, 2, 4.5]})  # doctest: +SKIP
"""
from ._cli import SysCorrError, SysCorrWarning, find_binary, run, run_json
from .api import (Count, Store, count, efficiency, efficiency_frame, hist, query, read_ntuple, read_uhi_histogram,
                  sets, variables, weights, weights_frame)
from .fit import FitResult, fit
from .weighting import apply_weights, weight_table

__version__ = "0.1.0"

__all__ = [
    "SysCorrError", "SysCorrWarning", "find_binary", "run", "run_json", "Store", "Count", "sets", "variables",
    "query", "count", "hist", "efficiency", "weights", "fit", "FitResult", "apply_weights", "weight_table",
    "efficiency_frame", "weights_frame", "read_ntuple", "read_uhi_histogram", "__version__",
]
