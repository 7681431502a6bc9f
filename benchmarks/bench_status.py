"""2. Status: `status --json` on a deployment running the stand-in, against the docker calls it needs, run by
a shell.

The floor is `sh -c 'docker ps … && docker inspect …'`: the very `ps` and `inspect` the panel runs (their argv
come from `panel.core.containers`), one after the other since inspect needs ps's ids. One more, untimed run
goes through a `docker` on PATH that logs each call with its start and end, to show that a status asks docker
each question once, and which calls overlapped.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

from deployments import Context
from harness import BenchmarkError, Row, child_env, interleaved, median, ms, panel_value, timed

TARGET = "— (information)"
"""No target: Python alone starts in more than 1.2x the floor here (see the README's Performance section)."""

_LOGGING_DOCKER = """#!/bin/sh
start=$(date +%s.%N)
"{real}" "$@"
code=$?
printf '%s %s %s\\n' "$start" "$(date +%s.%N)" "$*" >> "{log}"
exit $code
"""


def _check_json(completed: subprocess.CompletedProcess[str]) -> None:
    document = json.loads(completed.stdout)
    if document.get("container") is None or document.get("server") is None:
        raise BenchmarkError(f"status did not see the running stand-in: {completed.stdout[:500]}")


def docker_calls(context: Context, env: dict[str, str]) -> list[tuple[float, float, str]]:
    """The docker calls one `status --json` makes, through a logging `docker` first on PATH: (start, end,
    args)."""
    from shutil import which

    real = which("docker")
    assert real is not None
    folder = context.settings.work / "logging-docker"
    folder.mkdir(exist_ok=True)
    log = folder / "calls.log"
    log.unlink(missing_ok=True)
    script = folder / "docker"
    script.write_text(_LOGGING_DOCKER.format(real=real, log=log), encoding="utf-8")
    script.chmod(0o755)
    logged_env = dict(env, PATH=f"{folder}{os.pathsep}{env['PATH']}")
    timed([sys.executable, "-m", "panel", "status", "--json", str(context.sample.folder)], logged_env)
    calls = []
    for line in log.read_text(encoding="utf-8").splitlines():
        start, end, args = line.split(" ", 2)
        calls.append((float(start), float(end), args))
    return sorted(calls)


def run(context: Context) -> list[Row]:
    label = "2. status --json (real engine)"
    if context.engine is None:
        return [Row.skipped(label, TARGET, context.no_engine)]
    env = child_env(context.settings)
    folder = context.sample.folder
    ps_argv, inspect = panel_value(
        context.settings,
        "(containers.PS_ARGV, containers.inspect_argv([ID]))",
        "from panel.core import containers",
        ID=context.sample.container_id(),
    )
    shell = f"{shlex.join(ps_argv)} >/dev/null && {shlex.join(inspect)} >/dev/null"
    rounds = context.settings.runs(15, 5)
    times = interleaved(
        {
            "panel": lambda: timed(
                [sys.executable, "-m", "panel", "status", "--json", str(folder)], env, check=_check_json
            ),
            "floor": lambda: timed(["sh", "-c", shell], env),
            "python": lambda: timed([sys.executable, "-c", "pass"], env),
        },
        rounds,
    )
    panel, floor, python = median(times["panel"]), median(times["floor"]), median(times["python"])
    calls = docker_calls(context, env)
    words = [args.split()[0] for _, _, args in calls]
    repeated = sorted({word for word in words if words.count(word) > 1})
    overlap = any(calls[i][1] > calls[i + 1][0] for i in range(len(calls) - 1))
    note = (
        f"median of {rounds}; docker calls: {', '.join(words)}"
        f"{' (REPEATED: ' + ', '.join(repeated) + ')' if repeated else ', each once'}"
        f"{', overlapping' if overlap else ''}; Python alone starts in {ms(python)}, so the panel's own work "
        f"beyond Python's start is {ms(max(0.0, panel - python))} on a floor of {ms(floor)}"
    )
    return [
        Row(
            label,
            ms(panel),
            ms(floor),
            panel / floor,
            TARGET,
            False if repeated else None,
            note,
        )
    ]
