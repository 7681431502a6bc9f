"""6. Memory: the main window's peak resident set size against the bare window's, each in a fresh child per
run.

Three programs, interleaved: the bare window (`bare_window.py`) and the panel on the sample deployment
(`--smoke PATH`), each at its first paint (the peak the child reports then, VmHWM), and the panel on it until
the first status is shown (`window_driver.py status PATH`: docker asked, the instance probed, everything on
screen; the child's own `ru_maxrss`, read with wait4 when it exits).
"""

from __future__ import annotations

import functools
import sys

from deployments import Context
from harness import BENCHMARKS, Row, child_env, first_paint, interleaved, median, mib, peak_rss

TARGET = 1.3


def _peak_at_paint(argv: list[str], env: dict[str, str]) -> float:
    return float(first_paint(argv, env).peak_rss)


def _peak(argv: list[str], env: dict[str, str]) -> float:
    return float(peak_rss(argv, env))


def run(context: Context) -> list[Row]:
    env = child_env(context.settings)
    folder = str(context.sample.folder)
    commands = {
        "bare": [sys.executable, str(BENCHMARKS / "bare_window.py")],
        "paint": [sys.executable, "-m", "panel", "--smoke", folder],
        "status": [sys.executable, str(BENCHMARKS / "window_driver.py"), "status", folder],
    }
    rounds = context.settings.runs(5, 3)
    measure = {"bare": _peak_at_paint, "paint": _peak_at_paint, "status": _peak}
    peaks = interleaved(
        {name: functools.partial(measure[name], argv, env) for name, argv in commands.items()}, rounds
    )
    bare = median(peaks["bare"])
    rows = []
    for name, label in (
        ("paint", "6. peak RSS at first paint (--smoke PATH)"),
        ("status", "6. peak RSS, first status shown"),
    ):
        value = median(peaks[name])
        rows.append(
            Row(
                label,
                mib(value),
                mib(bare),
                value / bare,
                f"≤ {TARGET}x",
                value / bare <= TARGET,
                f"median of {rounds}; the panel's own share: {mib(value - bare)}",
            )
        )
    return rows
