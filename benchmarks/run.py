"""Run the panel's benchmarks and print one table: each figure beside the floor it is measured against.

    python benchmarks/run.py [--quick] [--only NAME ...] [--markdown]

Every benchmark times the panel and its floor in the same interleaved rounds and reports medians, so the
ratios hold on a noisy machine. The Docker rows need an engine that answers `docker info`; without one they
say "skipped: no Docker engine". See README.md, section Performance, for what each row means.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import bench_apply
import bench_memory
import bench_responsiveness
import bench_scale
import bench_startup
import bench_status
import bench_truth
from deployments import Context
from harness import BenchmarkError, Report, Row, Settings, machine, markdown_table, text_table

BENCHMARKS: dict[str, tuple[Callable[[Context], list[Row]], str]] = {
    "startup": (bench_startup.run, "1. start-up"),
    "status": (bench_status.run, "2. status"),
    "responsiveness": (bench_responsiveness.run, "3. responsiveness"),
    "apply": (bench_apply.run, "4. apply overhead"),
    "scale": (bench_scale.run, "5. scale of input"),
    "memory": (bench_memory.run, "6. memory"),
    "truth": (bench_truth.run, "7. time to truth"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds (a first look; the README uses a full run)"
    )
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument(
        "--markdown", action="store_true", help="also print the table as Markdown, for the README"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (generated inputs, logs)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="panel-bench-"))
    settings = Settings(quick=args.quick, work=work)
    started = time.monotonic()
    report = Report()
    context = Context.open(settings)
    try:
        facts = machine(settings)
        for name in args.only or list(BENCHMARKS):
            run, label = BENCHMARKS[name]
            print(f"running {label}…", file=sys.stderr, flush=True)
            try:
                report.rows += run(context)
            except BenchmarkError as error:
                report.rows.append(
                    Row(label, f"failed: {str(error).splitlines()[0][:80]}", "—", None, "", False)
                )
                print(f"{label} failed:\n{error}", file=sys.stderr)
            except Exception:
                report.rows.append(Row(label, "failed (see stderr)", "—", None, "", False))
                traceback.print_exc()
    finally:
        context.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print()
    for key, value in facts:
        print(f"{key:<8} {value}")
    print(f"{'mode':<8} {'quick' if args.quick else 'full'} run, {time.monotonic() - started:.0f} s")
    print()
    print(text_table(report.rows))
    notes = [f"{row.benchmark}: {row.note}" for row in report.rows if row.note]
    if notes:
        print()
        print("\n".join(notes))
    if args.markdown:
        print()
        print("\n".join(f"- {key}: {value}" for key, value in facts))
        print()
        print(markdown_table(report.rows))
    if args.keep:
        print(f"\nwork folder kept: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
