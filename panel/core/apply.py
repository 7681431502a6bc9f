"""Apply a change from the command line: the decisions are `panel.core.apply_sequence`'s, this drives them
with blocking calls (a subprocess streamed line by line, with timeouts and cancellation, and sleeps between
looks at the instance). The window drives the same sequence with Qt events (`panel.gui.apply_runner`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from panel.core import audit
from panel.core.apply_sequence import (
    HEALTH_INTERVAL,
    HEALTH_TIMEOUT,
    ApplyResult,
    ApplySequence,
    CommandEnded,
    Finish,
    Look,
    Looked,
    Next,
    ProcessEnd,
    ProcessOutcome,
    Run,
    Step,
    StepState,
    Write,
    WriteFailed,
    Written,
    now,
)
from panel.core.change import EnvChange, write_change
from panel.core.docker import TERMINATE_GRACE, group_alive, missing_docker_error
from panel.core.restart import PlannedCommand, RestartPlan
from panel.core.safewrite import FileChangedError
from panel.core.status import query_running

log = logging.getLogger("panel.apply")

OUTPUT_KEPT = 50
"""Lines of a command's output kept to tell a failure with what it said last."""


class Reporter(Protocol):
    def step(self, step: Step, state: StepState, detail: str = "") -> None: ...

    def output(self, line: str) -> None: ...


def run_streaming(
    command: PlannedCommand, on_line: Callable[[str], None], cancel: threading.Event
) -> ProcessOutcome:
    """Run one command in its own process group, passing each output line on; the group is killed on time-out
    or cancel, so nothing is left behind."""
    program = shutil.which(command.argv[0])
    if program is None:
        return ProcessOutcome(ProcessEnd.NOT_STARTED, error=missing_docker_error(command.argv[0]))
    process = subprocess.Popen(
        [program, *command.argv[1:]],
        cwd=command.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
        errors="replace",
        bufsize=1,
    )
    output = process.stdout
    assert output is not None
    said: deque[str] = deque(maxlen=OUTPUT_KEPT)

    def forward() -> None:
        for line in output:
            said.append(line.rstrip("\r\n"))
            on_line(said[-1])

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    deadline = time.monotonic() + command.timeout
    end = ProcessEnd.EXITED
    try:
        while True:
            try:
                code = process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if cancel.is_set() or time.monotonic() > deadline:
                    end = ProcessEnd.CANCELLED if cancel.is_set() else ProcessEnd.TIMED_OUT
                    stop_group(process)
                    code = process.returncode
                    break
    except BaseException:
        stop_group(process)
        raise
    finally:
        reader.join(timeout=5)
        output.close()
    text = "\n".join(said)
    if end is not ProcessEnd.EXITED:
        return ProcessOutcome(end, output=text)
    if code < 0:
        return ProcessOutcome(end, signal=-code, output=text)
    return ProcessOutcome(end, exit_status=code, output=text)


def stop_group(process: subprocess.Popen[str]) -> None:
    """Terminate the whole process group, then kill it after a grace period: nothing is left orphaned. The
    group, not only its leader: compose's children may outlive it, so this returns once every member has
    gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline, killed = time.monotonic() + TERMINATE_GRACE, False
    while _group_alive(process):
        if time.monotonic() > deadline:
            # only a process stuck in the kernel outlives SIGKILL: say so rather than wait for ever
            if killed:
                log.warning("process group %d did not end after SIGKILL", process.pid)
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            deadline, killed = time.monotonic() + TERMINATE_GRACE, True
        time.sleep(0.02)
    process.wait()


def _group_alive(process: subprocess.Popen[str]) -> bool:
    """True while a process of the command's group still runs; the leader is reaped here first."""
    process.poll()
    return group_alive(process.pid)


def apply_change(
    change: EnvChange,
    plan: RestartPlan | None,
    reporter: Reporter,
    cancel: threading.Event | None = None,
    health_timeout: float = HEALTH_TIMEOUT,
    health_interval: float = HEALTH_INTERVAL,
) -> ApplyResult:
    """Run the whole sequence for the command line; `cancel` (Ctrl+C, SIGTERM) stops it at its safest
    point."""
    sequence = ApplySequence(change, plan, health_timeout, health_interval)
    return drive(sequence, sequence.start(now()), reporter, cancel or threading.Event())


def drive(sequence: ApplySequence, first: Next, reporter: Reporter, cancel: threading.Event) -> ApplyResult:
    """Carry out each action the sequence hands out until it finishes, and write its audit entry."""
    step = first
    wait_started = time.monotonic()

    def note_cancel() -> None:
        """Tell the sequence of a cancel before it hears how the write or command ended (it only notes it)."""
        if cancel.is_set() and not sequence.cancel_requested:
            sequence.cancel()

    while True:
        for report in step.reports:
            reporter.step(report.step, report.state, report.detail)
        match step.action:
            case Write(change):
                try:
                    event: Written | WriteFailed = Written(write_change(change), now())
                except (FileChangedError, OSError, RuntimeError) as error:
                    event = WriteFailed(error)
                note_cancel()
                step = sequence.handle(event)
            case Run(_, command):
                outcome = run_streaming(command, reporter.output, cancel)
                note_cancel()
                step = sequence.handle(CommandEnded(outcome))
                wait_started = time.monotonic()
            case Look(delay):
                if cancel.wait(delay):
                    step = sequence.cancel()
                    continue
                running = query_running(sequence.deployment)
                step = sequence.handle(Looked(running, time.monotonic() - wait_started))
            case Finish(result, note):
                if note is None:
                    return result
                warning = audit.record_or_warn(
                    note.action, note.file, note.old, note.new, note.backup, note.outcome
                )
                return result if warning is None else sequence.audit_failed(warning)
            case None:
                raise RuntimeError("the sequence gave no action to a blocking driver")
