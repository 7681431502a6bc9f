"""5. Scale of input: edit and status on big env files and big compose files, and whether the time grows
linearly.

Inputs are generated in the work folder: deployments whose docker.env is padded to 1, 2.5, 5 and 10 MB (the
switch in the middle), and whose compose file has 1, 50, 100 and 200 services. "edit" is `disable|enable PATH
--yes --json` (alternately, so every run writes: backup, atomic write), "status" is `status --json PATH` (the
folders are not running, so docker answers one `ps`). Each point is the median of interleaved runs of whole
commands.

The I/O floor of each docker.env is reading and rewriting the same file (`cat f > f.io && mv f.io f` by `sh`,
interleaved with the panel's runs): a 1 MB edit is held to 1 s, and the edit's growth per MB is shown beside
the floor's.

Linear means: the line through the smaller inputs, extrapolated, predicts the largest. The row's floor is that
prediction, its ratio the measured time over it (≈1 when linear, ≈2 when the time grows with the square);
within NOISE of the prediction also counts, since a whole command's time varies that much from run to run
here.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence

from deployments import Context, compose_with_services, env_text_of_size, make_deployment
from harness import Row, child_env, interleaved, linear_fit, median, timed

MB = 1_000_000
ENV_SIZES = (1.0, 2.5, 5.0, 10.0)
SERVICE_COUNTS = (1, 50, 100, 200)
TARGET = 1.2
NOISE = 0.05
ONE_MB_EDIT = 1.0
"""Seconds a 1 MB docker.env's edit may take, from spawn to exit."""
_IO_FLOOR = 'cat "$1" > "$1.io" && mv -f "$1.io" "$1"'


def _row(label: str, unit: str, sizes: Sequence[float], times: Sequence[float], rounds: int) -> Row:
    intercept, slope, _ = linear_fit(sizes[:-1], times[:-1])
    predicted = intercept + slope * sizes[-1]
    _, slope_all, r2 = linear_fit(sizes, times)
    points = ", ".join(
        f"{size:g} {unit}{'s' if unit == 'service' and size != 1 else ''}: {time:.2f} s"
        for size, time in zip(sizes, times, strict=True)
    )
    per = f"{slope_all * 1000:.0f} ms/{unit}" if slope_all >= 0.001 else f"{slope_all * 1e6:.0f} µs/{unit}"
    note = f"median of {rounds}; {points}; slope {per}, r² {r2:.3f} over all points"
    ratio = times[-1] / predicted
    return Row(
        label,
        f"{times[-1]:.2f} s",
        f"{predicted:.2f} s (line)",
        ratio,
        f"≤ {TARGET}x of the line or +{NOISE * 1000:.0f} ms",
        ratio <= TARGET or times[-1] - predicted <= NOISE,
        note,
    )


def run(context: Context) -> list[Row]:
    settings = context.settings
    env = child_env(settings)
    parent = settings.work / "scale"
    parent.mkdir(exist_ok=True)
    image = context.engine.image if context.engine else "appsmith/appsmith-ce"
    compose_cmd = context.engine.compose_cmd if context.engine else ("docker-compose",)
    by_size = {
        size: make_deployment(parent, image, compose_cmd, env_text=env_text_of_size(int(size * MB)))
        for size in ENV_SIZES
    }
    by_count = {
        count: make_deployment(parent, image, compose_cmd, compose_text=compose_with_services(image, count))
        for count in SERVICE_COUNTS
    }
    flips: dict[str, bool] = {}

    def edit(folder: str) -> float:
        on = flips[folder] = not flips.get(folder, True)
        return timed(
            [sys.executable, "-m", "panel", "enable" if on else "disable", folder, "--yes", "--json"],
            env,
            timeout=600,
        )

    def io_floor(env_file: str) -> float:
        return timed(["sh", "-c", _IO_FLOOR, "sh", env_file], env, timeout=600)

    def status(folder: str) -> float:
        return timed([sys.executable, "-m", "panel", "status", "--json", folder], env, timeout=600)

    rows = []
    # The compose runs are short, so the start of Python weighs more in them: more rounds.
    for folders, sizes, unit, label, rounds in (
        (by_size, ENV_SIZES, "MB", "10 MB docker.env", settings.runs(3, 1)),
        (by_count, SERVICE_COUNTS, "service", "200 compose services", settings.runs(7, 3)),
    ):
        variants: dict[str, Callable[[], float]] = {}
        for key, deployment in folders.items():
            folder = str(deployment.folder)
            variants[f"edit {key}"] = functools.partial(edit, folder)
            variants[f"status {key}"] = functools.partial(status, folder)
            if unit == "MB":
                variants[f"io {key}"] = functools.partial(io_floor, str(deployment.env_file))
        times = {name: median(values) for name, values in interleaved(variants, rounds, warmup=0).items()}
        if unit == "MB":
            edit_1, io_1 = times["edit 1.0"], times["io 1.0"]
            _, edit_slope, _ = linear_fit(sizes, [times[f"edit {size}"] for size in sizes])
            _, io_slope, io_r2 = linear_fit(sizes, [times[f"io {size}"] for size in sizes])
            rows.append(
                Row(
                    "5. edit (--yes), 1 MB docker.env",
                    f"{edit_1:.2f} s",
                    f"{io_1 * 1000:.0f} ms (I/O)",
                    edit_1 / io_1,
                    f"≤ {ONE_MB_EDIT:g} s",
                    edit_1 <= ONE_MB_EDIT,
                    f"median of {rounds}; the floor reads and rewrites the same file (sh: cat, mv); "
                    f"growth: edit {edit_slope * 1000:.0f} ms/MB, I/O floor {io_slope * 1000:.1f} ms/MB"
                    f" (r² {io_r2:.3f}); I/O floor at 1, 2.5, 5, 10 MB: "
                    + ", ".join(f"{times[f'io {size}'] * 1000:.0f} ms" for size in sizes),
                )
            )
        for operation, words in (("edit", "edit (--yes)"), ("status", "status --json")):
            rows.append(
                _row(
                    f"5. {words}, {label}",
                    unit,
                    sizes,
                    [times[f"{operation} {size}"] for size in sizes],
                    rounds,
                )
            )
    return rows
