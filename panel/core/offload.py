"""Run the work on a big docker.env (parse, mask, diff, describe) in a child Python process, so that the
interpreter of the window stays free.

A worker thread is not enough for a file of megabytes: parsing it holds the interpreter lock in calls that
cannot be interrupted (joining or splitting the whole text takes tens of milliseconds at 10 MB), and the
collection of the parse's objects stops every thread, so the GUI thread stalled for up to 400 ms. A child
process does that work where it cannot stop the window, and hands back only what the window keeps: small
answers and the bytes to write. A small file stays in the calling thread: starting a Python process costs
more than parsing it.

The work must be a module-level function whose arguments and answer pickle (paths, deployments, reviews);
the child imports the same `panel` package the caller runs from.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")

BIG_FILE_BYTES = 256 * 1024
"""From this size on the work goes to a child process: a 256 KB docker.env parses in about 80 ms of CPU
(a real one holds 2–5 KB), where starting the child costs about 100 ms."""

CHILD_NICENESS = 10
"""How much lower the child's priority is (as `nice -n 10`): the window's thread gets a CPU first."""

_CHILD = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); from panel.core.offload import serve; serve()"
)
"""Isolated (`-I`: no current folder on the path, no PYTHON* variables), then the caller's own import path:
a panel run as root from a folder a user controls must not import that user's `json.py` or `pickle.py`."""
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class OffloadError(RuntimeError):
    """The child process ended without an answer (killed, out of memory); the message says how."""


def for_file(path: Path, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)`, in a child process when `path` is big, here otherwise (also when its size
    cannot be read: the work then says why the file cannot be read)."""
    try:
        big = path.stat().st_size >= BIG_FILE_BYTES
    except OSError:
        big = False
    return in_child(work, *args, **kwargs) if big else work(*args, **kwargs)


def in_child(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in a fresh Python process: its answer, or the error it raised, raised here."""
    request = pickle.dumps((work, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    ended = subprocess.run(
        [sys.executable, "-I", "-c", _CHILD, json.dumps(_import_path())],
        input=request,
        capture_output=True,
        check=False,
    )
    if ended.returncode != 0 or not ended.stdout:
        how = (
            f"was ended by signal {-ended.returncode}"
            if ended.returncode < 0
            else f"exited with status {ended.returncode}"
        )
        last = ended.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise OffloadError(
            f"The process that works on docker.env {how} before answering ({last[0]}). Look at the file "
            "and its backups, then try again; if it keeps failing, check the memory free on this machine."
        )
    succeeded, answer = cast(tuple[bool, object], pickle.loads(ended.stdout))
    if not succeeded:
        raise answer if isinstance(answer, BaseException) else OffloadError(repr(answer))
    return cast(T, answer)


def _import_path() -> list[str]:
    """Where the child looks for modules: this package's folder, then the caller's path without the
    current folder (which `python -c` and `-m` put first, as `""` or by name)."""
    skipped = {"", ".", str(_PACKAGE_ROOT)}
    try:
        here = os.getcwd()
        skipped |= {here, os.path.realpath(here)}
    except OSError:  # the current folder was removed: nothing to skip but `""`
        pass
    return [str(_PACKAGE_ROOT)] + [entry for entry in sys.path if entry not in skipped]


def serve() -> None:
    """The child's side: one request from stdin, its answer on stdout (anything the work prints goes to
    stderr, so the answer stays readable). It runs at a lower priority than the window, which on a busy
    machine would otherwise wait for a CPU while the child parses."""
    os.nice(CHILD_NICENESS)
    answer_stream = sys.stdout.buffer
    sys.stdout = sys.stderr
    work, args, kwargs = pickle.load(sys.stdin.buffer)
    try:
        answer: tuple[bool, object] = (True, work(*args, **kwargs))
    except Exception as error:  # handed to the caller, who raises it
        answer = (False, error)
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        data = pickle.dumps((False, RuntimeError(f"{answer[1]!r} (its answer could not be sent: {error})")))
    answer_stream.write(data)
    answer_stream.flush()
