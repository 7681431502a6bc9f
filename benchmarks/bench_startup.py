"""1. Start-up: process start to the main window's first paint (`--smoke`, offscreen), against a bare PySide6
window that shows one label and uses Qt's enums.

Four programs, interleaved round by round: the bare window with one label (`bare_window.py --with-text`, the
floor: any PySide6 window that shows text pays for the font database and Qt's enums), the empty one (for
context), the panel on the demo (`--demo --smoke`) and the panel on a real
sample deployment folder (`--smoke PATH`, the stand-in running when there is a Docker engine). Each time is
taken by this process from spawning the child to reading its `first paint:` line, so no clock of the child's
can flatter it; the child's own figure is shown beside it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from deployments import Context
from harness import BENCHMARKS, FirstPaint, Row, child_env, first_paint, interleaved, median

TARGET = 1.2
BARE = [sys.executable, str(BENCHMARKS / "bare_window.py")]


def commands(context: Context) -> dict[str, list[str]]:
    return {
        "bare": BARE,
        "text": [*BARE, "--with-text"],
        "demo": [sys.executable, "-m", "panel", "--demo", "--smoke"],
        "folder": [sys.executable, "-m", "panel", "--smoke", str(context.sample.folder)],
    }


def run(context: Context) -> list[Row]:
    env = child_env(context.settings)
    rounds = context.settings.runs(15, 5)
    seen: dict[str, list[FirstPaint]] = {name: [] for name in commands(context)}

    def runner(name: str, argv: list[str]) -> Callable[[], float]:
        def once() -> float:
            result = first_paint(argv, env)
            seen[name].append(result)
            return result.seconds

        return once

    times = interleaved({name: runner(name, argv) for name, argv in commands(context).items()}, rounds)
    bare = median(times["bare"])
    text = median(times["text"])
    rows = []
    for name, label in (
        ("demo", "1. start-up, demo (--demo --smoke)"),
        ("folder", "1. start-up, sample folder (--smoke PATH)"),
    ):
        value = median(times[name])
        reported = median([r.reported for r in seen[name][-rounds:]])
        bare_reported = median([r.reported for r in seen["bare"][-rounds:]])
        text_reported = median([r.reported for r in seen["text"][-rounds:]])
        rows.append(
            Row(
                label,
                f"{value:.3f} s",
                f"{text:.3f} s",
                value / text,
                f"≤ {TARGET}x",
                value / text <= TARGET,
                f"median of {rounds}; the children's own figures: {reported:.3f} s vs {text_reported:.3f} s; "
                f"the empty bare window (no text, no Qt enums) paints in {bare:.3f} s "
                f"(children's own: {bare_reported:.3f} s), and the panel is {value / bare:.2f}x that",
            )
        )
    return rows
