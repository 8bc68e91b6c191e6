"""Finding the ``syscorr`` binary, running it and decoding its ``--json`` output."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["SysCorrError", "SysCorrWarning", "find_binary", "run", "run_json", "decode_nonfinite"]


class SysCorrError(RuntimeError):
    """A ``syscorr`` command failed.

    ``str(error)`` is the CLI's own message from stderr, starting at its first
    ``error:`` line, with the expression and caret lines that locate a bad
    cut and the "did you mean" suggestions kept as printed.

    Attributes:
        message: the located message (as ``str(error)``).
        stderr: everything the command wrote to stderr.
        returncode: its exit status (1, or 64 for a bad command line).
        command: the argument vector that was run.
    """

    def __init__(self, message: str, *, stderr: str = "", returncode: int = 1, command: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.stderr = stderr
        self.returncode = returncode
        self.command = list(command)


class SysCorrWarning(UserWarning):
    """A ``warning: …`` line the CLI printed on stderr (the command succeeded)."""


SysCorrError.__module__ = SysCorrWarning.__module__ = "syscorr"  # as users import them


def _repo_root() -> Path:
    # python/syscorr/_cli.py → the repository checkout holding python/
    return Path(__file__).resolve().parents[2]


def find_binary() -> str:
    """The path of the ``syscorr`` executable.

    In order: ``$SYSCORR_BIN``; ``syscorr`` on ``$PATH``; the repository's
    ``.build/release/syscorr`` then ``.build/debug/syscorr`` (when the package
    is used from a checkout, ``python/`` beside ``.build/``).

    Raises:
        SysCorrError: nothing found, or ``$SYSCORR_BIN`` is not an executable file.
    """
    env = os.environ.get("SYSCORR_BIN")
    if env:
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return os.path.abspath(env)
        raise SysCorrError(f"error: SYSCORR_BIN={env} is not an executable file")
    on_path = shutil.which("syscorr")
    if on_path:
        return on_path
    root = _repo_root()
    for config in ("release", "debug"):
        cand = root / ".build" / config / "syscorr"
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    raise SysCorrError(
        "error: the syscorr binary was not found: set SYSCORR_BIN, put syscorr on PATH, "
        f"or build it in {root} (make build)"
    )


def _located_message(stderr: str) -> str:
    """The part of stderr from the first ``error:`` line on (all of it when there is none)."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("error:"):
            return "\n".join(lines[i:]).rstrip()
    return stderr.strip() or "error: syscorr failed without a message"


def _emit_warnings(stderr: str) -> None:
    for line in stderr.splitlines():
        if line.startswith("warning:"):
            warnings.warn(line[len("warning:"):].strip(), SysCorrWarning, stacklevel=4)


def run(args: Iterable[Any], *, store: Optional[PathLike] = None, binary: Optional[str] = None) -> subprocess.CompletedProcess:
    """Runs ``syscorr ARGS [--store STORE]``; returns the finished process (text).

    Raises:
        SysCorrError: the command exited with a non-zero status; its message is the CLI's.
    """
    cmd: List[str] = [binary or find_binary(), *(os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args)]
    if store is not None:
        cmd += ["--store", os.fspath(store)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SysCorrError(_located_message(p.stderr), stderr=p.stderr, returncode=p.returncode, command=cmd)
    _emit_warnings(p.stderr)
    return p


_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# keys whose values are text, never numbers (a cut may be spelled "nan")
_TEXT_KEYS = frozenset({
    "cut", "precut", "name", "names", "expression", "variable", "weight", "selection", "particle", "tracks",
    "flags", "mode", "proc", "sample", "short_name", "friends", "description", "type", "unit", "store", "out",
    "columns", "files", "data_weight", "mc_weight", "systematic_weight", "status", "column", "layout",
})


def decode_nonfinite(value: Any, _key: str = "") -> Any:
    """Replaces the CLI's ``"nan"``, ``"inf"``, ``"-inf"`` strings by floats, recursively
    (not under keys that hold text, such as ``cut``)."""
    if isinstance(value, str):
        return value if _key in _TEXT_KEYS else _NONFINITE.get(value, value)
    if isinstance(value, list):
        return [decode_nonfinite(v, _key) for v in value]
    if isinstance(value, dict):
        return {k: decode_nonfinite(v, k) for k, v in value.items()}
    return value


def load_json(text: str) -> Any:
    """Parses the CLI's JSON (non-finite numbers as strings) with NaN/inf as floats."""
    return decode_nonfinite(json.loads(text))


def run_json(args: Iterable[Any], *, store: Optional[PathLike] = None) -> Any:
    """Runs ``syscorr ARGS --json`` and returns the decoded object."""
    return load_json(run([*args, "--json"], store=store).stdout)
