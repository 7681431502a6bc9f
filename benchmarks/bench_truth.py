"""7. Time to truth: from launching the window on a running deployment to a verdict the instance confirmed.

The panel is `--smoke PATH` on the sample deployment running the stand-in, timed from spawning it to reading
its `verdict shown: … (confirmed by the running instance)` line. The floor is what no window can beat: the
labelled bare window (`bare_window.py --with-text`) painting while a shell asks the same three questions one
after the other (`docker ps`, `docker inspect` of the container, `GET /api/v1/users/me` with curl), timed from
spawning both to the later of the paint and the shell's end. Panel and floor alternate round by round.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import threading
import time

from deployments import Context
from harness import (
    BENCHMARKS,
    BenchmarkError,
    Row,
    child_env,
    first_paint,
    interleaved,
    median,
    panel_value,
    verdict_shown,
)

TARGET = 1.3


def _floor(shell: str, env: dict[str, str]) -> float:
    ended: list[float] = []
    started = time.perf_counter()
    asking = subprocess.Popen(["sh", "-c", shell], env=env, stdin=subprocess.DEVNULL)

    def wait() -> None:
        asking.wait()
        ended.append(time.perf_counter() - started)

    waiter = threading.Thread(target=wait)
    waiter.start()
    painted = first_paint([sys.executable, str(BENCHMARKS / "bare_window.py"), "--with-text"], env).seconds
    waiter.join()
    if asking.returncode != 0:
        raise BenchmarkError(f"the floor's shell failed ({asking.returncode}): {shell}")
    return max(painted, ended[0])


def _panel(argv: list[str], env: dict[str, str]) -> float:
    seconds, confirmed = verdict_shown(argv, env)
    if not confirmed:
        raise BenchmarkError("the panel's verdict was not confirmed by the running stand-in")
    return seconds


def run(context: Context) -> list[Row]:
    label = "7. time to truth (window, real engine)"
    if context.engine is None:
        return [Row.skipped(label, f"≤ {TARGET}x", context.no_engine)]
    env = child_env(context.settings)
    folder = str(context.sample.folder)
    port = context.sample.port()
    ps_argv, inspect = panel_value(
        context.settings,
        "(containers.PS_ARGV, containers.inspect_argv([ID]))",
        "from panel.core import containers",
        ID=context.sample.container_id(),
    )
    shell = (
        f"{shlex.join(ps_argv)} >/dev/null && {shlex.join(inspect)} >/dev/null && "
        f"curl -sf -o /dev/null http://127.0.0.1:{port}/api/v1/users/me"
    )
    rounds = context.settings.runs(15, 5)
    argv = [sys.executable, "-m", "panel", "--smoke", folder]
    times = interleaved({"panel": lambda: _panel(argv, env), "floor": lambda: _floor(shell, env)}, rounds)
    panel, floor = median(times["panel"]), median(times["floor"])
    return [
        Row(
            label,
            f"{panel:.3f} s",
            f"{floor:.3f} s",
            panel / floor,
            f"≤ {TARGET}x",
            panel / floor <= TARGET,
            f"median of {rounds}; spawn to `verdict shown: … (confirmed by the running instance)`, "
            "against the labelled bare window painting while sh asks docker ps, docker inspect and "
            "GET /api/v1/users/me",
        )
    ]
