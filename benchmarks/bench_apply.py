"""4. Apply overhead: the panel's apply-with-restart against the same compose commands run by a shell, until
healthy.

The panel, twice: the command line, `disable|enable PATH --restart --yes --json` (alternately, so that every
run writes docker.env), timed from spawning it to its exit, which comes after Appsmith answered healthy and
the value was verified; and the window (`window_driver.py apply PATH`: the real MainWindow and ConsentDialog,
timed from the click on "Restart now" to the verdict, as a user waits for it).
The floor: `sh -c 'cd PATH && compose -f docker-compose.yml rm -fsv appsmith && compose … up -d'`, then this
process polls `/api/v1/health` every 20 ms until it answers (the quickest a script could notice), on the
stand-in image. The target allows the panel one health-poll interval on top of 1.05x.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time

from deployments import Context
from harness import BENCHMARKS, ROOT, BenchmarkError, Row, child_env, interleaved, median, panel_value, timed

FACTOR = 1.05


def run(context: Context) -> list[Row]:
    label = "4. apply with restart (CLI)"
    engine = context.engine
    if engine is None:
        return [Row.skipped(label, f"≤ {FACTOR}x + poll", context.no_engine)]
    interval = float(
        panel_value(
            context.settings, "apply_sequence.HEALTH_INTERVAL", "from panel.core import apply_sequence"
        )
    )
    deployment = engine.deployment()
    env = child_env(context.settings)
    compose = [*engine.compose_cmd, "-f", "docker-compose.yml"]
    shell = (
        f"cd {shlex.quote(str(deployment.folder))} && {shlex.join([*compose, 'rm', '-fsv', 'appsmith'])} && "
        f"{shlex.join([*compose, 'up', '-d'])}"
    )
    flips = iter(["disable", "enable"] * 100)

    def panel() -> float:
        verb = next(flips)

        def verified(completed: subprocess.CompletedProcess[str]) -> None:
            report = json.loads(completed.stdout)
            if report.get("outcome") != "verified":
                raise BenchmarkError(
                    f"{verb} --restart ended {report.get('outcome')}: {report.get('message')}"
                )

        return timed(
            [sys.executable, "-m", "panel", verb, str(deployment.folder), "--restart", "--yes", "--json"],
            env,
            check=verified,
        )

    def floor() -> float:
        started = time.perf_counter()
        timed(["sh", "-c", shell], env)
        return deployment.wait_healthy() - started

    def window() -> float:
        completed = subprocess.run(
            [sys.executable, str(BENCHMARKS / "window_driver.py"), "apply", str(deployment.folder)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if completed.returncode != 0:
            raise BenchmarkError(f"window_driver.py apply failed:\n{completed.stderr[-2000:]}")
        report = json.loads(completed.stdout)
        if report["outcome"] != "verified":
            raise BenchmarkError(f"the window's apply ended {report['outcome']}: {report['message']}")
        return float(report["seconds"])

    rounds = context.settings.runs(7, 2)
    times = interleaved({"panel": panel, "window": window, "floor": floor}, rounds)
    base = median(times["floor"])
    allowed = FACTOR * base + interval
    rows = []
    for name, row_label, what in (
        ("panel", label, "the whole command: Python's start, compose detection (v2, then v1), the write"),
        ("window", "4. apply with restart (window)", "from the click on Restart now"),
    ):
        value = median(times[name])
        note = (
            f"median of {rounds}, {what}; {value - base:+.2f} s on the floor; allowed: {FACTOR}x + the "
            f"{interval:g} s health-poll interval = {allowed:.2f} s"
        )
        rows.append(
            Row(
                row_label,
                f"{value:.2f} s",
                f"{base:.2f} s",
                value / base,
                f"≤ {FACTOR}x + {interval:g} s",
                value <= allowed,
                note,
            )
        )
    return rows
