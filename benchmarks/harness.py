"""What every benchmark shares: the children's environment, interleaved timing, medians, rows and the table.

Every measurement runs in a fresh child process, so no run warms the next one up except through the operating
system's caches, and every benchmark times the panel and its floor in the same rounds, in rotating order: a
noisy neighbour slows both, and the ratio between them holds.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
"""The checkout: children run `python -m panel` from it, so the panel measured is this one."""

BENCHMARKS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """How much to measure; `--quick` runs fewer rounds of everything."""

    quick: bool
    work: Path
    """A temporary folder for this run: deployments, generated inputs, settings, bytecode."""

    def runs(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass
class Row:
    """One line of the table; `met` is None when there is no target or nothing could be measured."""

    benchmark: str
    panel: str
    floor: str
    ratio: float | None
    target: str
    met: bool | None
    note: str = ""

    @classmethod
    def skipped(cls, benchmark: str, target: str, why: str) -> Row:
        return cls(benchmark, f"skipped: {why}", "—", None, target, None)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of every child: offscreen Qt, settings and state in the work folder, bytecode cached.

    Bytecode is written (to a cache of this run) even when PYTHONDONTWRITEBYTECODE is set, because an
    installed panel starts from compiled modules; without it each run would measure the compiler too.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COMPOSE_", "SIMULATED_DOCKER_", "QT_", "PYTHON"))
    }
    home = settings.work / "home"
    for name in ("config", "state", "cache", "data"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        PYTHONPYCACHEPREFIX=str(settings.work / "pycache"),
        PYTHONUNBUFFERED="1",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        DOCKER_BUILDKIT="0",
    )
    env.update(extra)
    return env


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def interleaved(
    variants: Mapping[str, Callable[[], float]], rounds: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run each variant once per round, rotating the order every round; warm-up rounds are not kept."""
    names = list(variants)
    kept: dict[str, list[float]] = {name: [] for name in names}
    for number in range(warmup + rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            value = variants[name]()
            if number >= warmup:
                kept[name].append(value)
    return kept


def timed(
    argv: Sequence[str],
    env: dict[str, str],
    cwd: Path = ROOT,
    timeout: float = 120.0,
    check: Callable[[subprocess.CompletedProcess[str]], None] | None = None,
) -> float:
    """Seconds from spawning `argv` to its exit (output captured, so it costs the same as a pipe would)."""
    started = time.perf_counter()
    completed = subprocess.run(
        list(argv),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(argv[:6])} exited with {completed.returncode}:\n{completed.stderr[-2000:]}"
        )
    if check is not None:
        check(completed)
    return elapsed


class BenchmarkError(RuntimeError):
    """A run did not do what it should; the benchmark's row says so instead of a number."""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.2f} s"


def seconds_text(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.2f} s"


def mib(size: float) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """Least squares `y = a + b·x`: (a, b, r²)."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return intercept, slope, 1.0 - residual / total if total else 1.0


# -- the machine
# ---------------------------------------------------------------------------------------------------


def _first_line(argv: Sequence[str]) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        completed = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=30, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = completed.stdout.strip()
    return text.splitlines()[0] if completed.returncode == 0 and text else None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine(settings: Settings) -> list[tuple[str, str]]:
    """What the figures were measured on, including the two costs every run pays: Python's and docker's
    start."""
    versions = "import PySide6, PySide6.QtCore as c; print(PySide6.__version__, '/ Qt', c.qVersion())"
    qt = _first_line([sys.executable, "-c", versions]) or "not installed"
    env = child_env(settings)
    python_start = median([timed([sys.executable, "-c", "pass"], env) for _ in range(7)])
    cpus = f"{os.cpu_count()} CPUs (nproc {_first_line(['nproc']) or '?'})"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    facts = [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("machine", f"{cpus}, {cpu_model()}, {platform.system()} {platform.release()}; load average {load}"),
        (
            "python",
            f"{platform.python_version()} ({sys.executable}); `python -c pass` takes {ms(python_start)}",
        ),
        ("PySide6", qt),
    ]
    engine = _first_line(["docker", "version", "--format", "{{.Server.Version}}"])
    compose = (
        _first_line(["docker-compose", "version", "--short"]) if shutil.which("docker-compose") else None
    )
    docker_text = f"engine {engine}" if engine else "no engine answers"
    if engine:
        docker_start = median(
            [timed(["docker", "version", "--format", "{{.Client.Version}}"], env) for _ in range(5)]
        )
        docker_text += f"; `docker version` takes {ms(docker_start)}"
    facts.append(("docker", docker_text + (f"; docker-compose {compose}" if compose else "")))
    return facts


# -- the table
# -------------------------------------------------------------------------------------------------------

HEADER = ("benchmark", "panel", "floor", "ratio", "target", "met?")


def _cells(row: Row) -> tuple[str, ...]:
    met = {True: "yes", False: "NO", None: "—"}[row.met]
    ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "—"
    return row.benchmark, row.panel, row.floor, ratio, row.target, met


def text_table(rows: Iterable[Row]) -> str:
    lines = [HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADER))]
    out = []
    for number, line in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def markdown_table(rows: Iterable[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(" --- " for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(row)) + " |" for row in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class FirstPaint:
    seconds: float
    """From spawning the process to reading its `first paint:` line."""
    reported: float
    """What the process printed: from its start (per /proc) to the paint event."""
    peak_rss: int
    """The child's peak resident set size in bytes when it painted (VmHWM, from its `peak RSS at first paint:`
    line; the panel goes on to open the deployment before it exits, so its peak at exit would count more than
    the paint)."""


def first_paint(
    argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 60.0
) -> FirstPaint:
    """Start a `--smoke`-style program, time its first paint and read its peak RSS then; let it exit."""
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            seconds = reported = None
            for line in process.stdout:
                if line.startswith("first paint:"):
                    seconds = time.perf_counter() - started
                    reported = float(line.split()[2])
                    break
            rest = process.stdout.read()
            _, status, _ = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            watchdog.cancel()
        peak = next(
            (
                int(line.split()[5])
                for line in rest.splitlines()
                if line.startswith("peak RSS at first paint:")
            ),
            None,
        )
        if seconds is None or reported is None or peak is None or process.returncode != 0:
            errors.seek(0)
            raise BenchmarkError(
                f"{' '.join(argv)} printed no first paint (exit "
                f"{process.returncode}):\n{rest}{errors.read()[-2000:]}"
            )
    return FirstPaint(seconds, reported, peak * 1024)


def verdict_shown(
    argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 60.0
) -> tuple[float, bool]:
    """Seconds from spawning a `--smoke` run to reading its `verdict shown:` line, and whether the running
    instance confirmed that verdict; lets it exit."""
    completed_at = None
    confirmed = False
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("verdict shown:"):
                    completed_at = time.perf_counter() - started
                    confirmed = "(confirmed by the running instance)" in line
                    break
            rest = process.stdout.read()
            process.wait()
        finally:
            watchdog.cancel()
        if completed_at is None or process.returncode != 0:
            errors.seek(0)
            raise BenchmarkError(
                f"{' '.join(argv)} printed no verdict (exit {process.returncode}):\n"
                f"{rest}{errors.read()[-2000:]}"
            )
    return completed_at, confirmed


def panel_value(settings: Settings, expression: str, setup: str = "", **names: str) -> Any:
    """Evaluate `expression` in a child that imports this checkout's panel (after `setup`), and return it.

    The runner itself never imports the panel: the panel measured is always the checkout, as the children see
    it.
    """
    code = (
        f"import json, "
        f"sys\n{setup}\nglobals().update(json.loads(sys.argv[1]))\nprint(json.dumps({expression}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, json.dumps(names)],
        env=child_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchmarkError(f"evaluating {expression} failed:\n{completed.stderr[-1500:]}")
    return json.loads(completed.stdout)


def peak_rss(argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 120.0) -> int:
    """Run `argv` to its end in a fresh child and return the child's peak resident set size in bytes
    (wait4)."""
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            list(argv), env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            raise BenchmarkError(
                f"{' '.join(argv)} exited with {process.returncode}:\n{output.read()[-2000:]}"
            )
    return usage.ru_maxrss * 1024
