"""Apply a change from start to verdict: backup, write, remove, start, wait for health, verify.

The steps and the judgement of each are shared; this module also runs them synchronously for the command
line (subprocess, streamed line by line, with timeouts and cancellation). The GUI drives the same steps with
QProcess and calls `health_progress` and `verify` itself.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from panel.core import audit
from panel.core.change import EnvChange, write_change
from panel.core.deployment import Deployment, Layout
from panel.core.docker import (
    TERMINATE_GRACE,
    CommandResult,
    DockerError,
    DockerProblem,
    classify_failure,
    group_alive,
    missing_docker_error,
)
from panel.core.envfile import classify, shown_value
from panel.core.instance import Health
from panel.core.restart import PlannedCommand, RestartPlan
from panel.core.safewrite import FileChangedError
from panel.core.status import RunningState, query_running

log = logging.getLogger("panel.apply")

HEALTH_TIMEOUT = 600.0
HEALTH_INTERVAL = 3.0
HEALTH_FIRST_POLL = 0.25
"""Seconds before the second look at a starting instance: the wait then doubles up to the interval, so a quick
start is seen at once and a slow one is still asked no more than once per interval."""


class Step(StrEnum):
    BACKUP = "backup"
    WRITE = "write"
    REMOVE = "remove"
    START = "start"
    HEALTH = "health"
    VERIFY = "verify"

    @property
    def label(self) -> str:
        return {
            Step.BACKUP: "Back up docker.env",
            Step.WRITE: "Write the new value",
            Step.REMOVE: "Remove the container",
            Step.START: "Start it again",
            Step.HEALTH: "Wait until Appsmith is healthy",
            Step.VERIFY: "Verify the value in effect",
        }[self]


class StepState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    VERIFIED = "verified"
    APPLIED_UNCONFIRMED = "applied-unconfirmed"
    WRITTEN = "written-restart-later"
    NOTHING_TO_DO = "nothing-to-do"
    REFUSED = "refused"
    RESTART_FAILED = "restart-failed"
    DOWN = "appsmith-down"
    UNHEALTHY = "unhealthy"
    MISMATCH = "mismatch"
    CANCELLED = "cancelled"

    @property
    def ok(self) -> bool:
        return self in (Outcome.VERIFIED, Outcome.APPLIED_UNCONFIRMED, Outcome.WRITTEN, Outcome.NOTHING_TO_DO)


@dataclass(frozen=True)
class ApplyResult:
    outcome: Outcome
    message: str
    backup: Path | None = None
    failed_step: Step | None = None

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def appsmith_down(self) -> bool:
        return self.outcome is Outcome.DOWN

    def __str__(self) -> str:
        return self.message


class Reporter(Protocol):
    def step(self, step: Step, state: StepState, detail: str = "") -> None: ...

    def output(self, line: str) -> None: ...


class Cancelled(Exception):
    pass


class CommandTimeout(Exception):
    pass


def down_message(deployment: Deployment, plan: RestartPlan, why: str) -> str:
    """Said loudly when removal worked and the start did not: the instance is down until someone acts."""
    return (
        f"APPSMITH IS DOWN: its container was removed but did not start again ({why}). Retry with: "
        f"{plan.start.shell_line()}  — or restore the backup and retry."
    )


def not_written_message(error: BaseException, env_file: Path) -> str:
    """The sentence for a write that did not happen: the file is as it was, and what to do about it."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"Nothing was changed: the disk that holds {env_file} is full ({error.strerror}); "
            f"{env_file.name} "
            "is as it was. Free some space there, then try again."
        )
    return f"Nothing was changed: {error}"


def failure_reason(command: PlannedCommand, code: int | None, output: str) -> str:
    """Why a compose command failed, in words: its time-out, or its exit code and the last thing it said (a
    daemon that is down or a socket this user may not use get the plain sentence with what to do)."""
    if code is None:
        return f"timed out after {command.timeout:.0f} s"
    error = classify_failure(CommandResult(command.argv, code, "", output))
    if error.problem in (DockerProblem.DAEMON_DOWN, DockerProblem.PERMISSION):
        return f"exit code {code}: {error.message}"
    last = next((line.strip() for line in reversed(output.splitlines()) if line.strip()), "")
    return f"exit code {code}: {last[:300]}" if last else f"exit code {code}"


def run_streaming(command: PlannedCommand, on_line: Callable[[str], None], cancel: threading.Event) -> int:
    """Run one command in its own process group, passing each output line on; kill the group on
    timeout/cancel."""
    program = shutil.which(command.argv[0])
    if program is None:
        raise missing_docker_error(command.argv[0])
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

    def forward() -> None:
        for line in output:
            on_line(line.rstrip("\r\n"))

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    deadline = time.monotonic() + command.timeout
    try:
        while True:
            try:
                code = process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if cancel.is_set():
                    raise Cancelled() from None
                if time.monotonic() > deadline:
                    raise CommandTimeout() from None
    except BaseException:
        stop_group(process)
        raise
    finally:
        reader.join(timeout=5)
        output.close()
    return code


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


@dataclass(frozen=True)
class HealthProgress:
    done: bool
    failed: str | None
    detail: str


def health_progress(deployment: Deployment, running: RunningState) -> HealthProgress:
    """Judge one look at the instance while waiting for it to come up."""
    if running.docker_error is not None:
        return HealthProgress(False, None, running.docker_error.message)
    container = running.server_container(deployment)
    if container is None:
        return HealthProgress(False, None, "no container yet")
    if container.restarting or not container.running:
        return HealthProgress(False, f"the container {container.name} exited: {container.describe()}", "")
    web = running.web_container(deployment)
    if web is not None and web.http_port is None:
        where = f" (published only on {web.http_binding})" if web.http_binding else ""
        return HealthProgress(
            True, None, f"container running; its HTTP port is not reachable on loopback{where}"
        )
    if running.server is None:
        return HealthProgress(False, None, "container starting")
    if running.server.health is Health.UP:
        return HealthProgress(True, None, running.server.health_detail)
    return HealthProgress(False, None, running.server.health_detail)


def verify(
    deployment: Deployment, telemetry_on: bool, running: RunningState, written_at: datetime
) -> tuple[Outcome, str]:
    """Confirm the new value is in effect from the best evidence available, and say which evidence it was."""
    wanted = "on" if telemetry_on else "off"
    server = running.server
    if server is not None and server.enable_telemetry is not None:
        if server.enable_telemetry == telemetry_on:
            return Outcome.VERIFIED, f"Verified: the server reports telemetry {wanted}."
        return Outcome.MISMATCH, (
            f"The server still reports telemetry {'on' if server.enable_telemetry else 'off'} "
            "after the restart. Check for an override in the compose file."
        )
    container = running.server_container(deployment)
    if deployment.layout is Layout.LEGACY and container is not None:
        state = classify(container.telemetry_env).telemetry_on
        if state == telemetry_on:
            return Outcome.VERIFIED, f"Verified: the container's environment has telemetry {wanted}."
        return Outcome.MISMATCH, "The recreated container's environment does not have the new value."
    if container is not None and container.started_at is not None and container.started_at >= written_at:
        return Outcome.APPLIED_UNCONFIRMED, (
            f"Applied: the container started after the change ({container.started_at:%H:%M:%S} UTC), so it "
            f"read telemetry {wanted}. This Appsmith version does not report the value itself."
        )
    return Outcome.APPLIED_UNCONFIRMED, "Restarted, but the new value could not be confirmed."


def poll_delay(look: int, interval: float = HEALTH_INTERVAL) -> float:
    """Seconds to wait after look number `look` (0: the first) at a starting instance before the next one."""
    return min(interval, HEALTH_FIRST_POLL * 2.0 ** min(look, 20))


def wait_for_health(
    deployment: Deployment,
    reporter: Reporter,
    cancel: threading.Event,
    timeout: float = HEALTH_TIMEOUT,
    interval: float = HEALTH_INTERVAL,
) -> tuple[HealthProgress, RunningState]:
    started = time.monotonic()
    look = 0
    while True:
        running = query_running(deployment)
        progress = health_progress(deployment, running)
        elapsed = time.monotonic() - started
        reporter.step(
            Step.HEALTH, StepState.RUNNING, f"{elapsed:.0f} s: {progress.failed or progress.detail}"
        )
        if progress.done or progress.failed:
            return progress, running
        if elapsed > timeout:
            return HealthProgress(
                False, f"not healthy after {timeout:.0f} s ({progress.detail})", ""
            ), running
        if cancel.wait(poll_delay(look, interval)):
            raise Cancelled()
        look += 1


def apply_change(
    change: EnvChange,
    plan: RestartPlan | None,
    reporter: Reporter,
    cancel: threading.Event | None = None,
    health_timeout: float = HEALTH_TIMEOUT,
    health_interval: float = HEALTH_INTERVAL,
) -> ApplyResult:
    """Run every step for the command line; each outcome is audited."""
    cancel = cancel or threading.Event()
    deployment = change.deployment
    env_file = deployment.env_file

    def finish(result: ApplyResult, restart: str) -> ApplyResult:
        audit.record(
            "enable" if change.telemetry_on else "disable",
            env_file,
            shown_value(change.old_value),
            change.new_value,
            backup,
            f"{result.outcome.value}: {restart}",
        )
        return result

    backup: Path | None = None
    reporter.step(Step.BACKUP, StepState.RUNNING)
    try:
        if change.changes_file:
            backup = write_change(change)
            reporter.step(Step.BACKUP, StepState.DONE, str(backup))
            reporter.step(Step.WRITE, StepState.DONE, f"{env_file}: {change.new_value}")
        else:
            reporter.step(Step.BACKUP, StepState.SKIPPED, "the file already has this value")
            reporter.step(Step.WRITE, StepState.SKIPPED, "nothing to write")
    except (FileChangedError, OSError, RuntimeError) as error:
        reporter.step(Step.BACKUP, StepState.FAILED, str(error))
        return ApplyResult(Outcome.REFUSED, not_written_message(error, env_file), None, Step.WRITE)
    written_at = datetime.now(UTC).replace(microsecond=0)
    if plan is None:
        if not change.changes_file:
            return ApplyResult(
                Outcome.NOTHING_TO_DO, "docker.env already has this value; nothing was written."
            )
        return finish(
            ApplyResult(
                Outcome.WRITTEN,
                "Written. It takes effect when the containers are recreated (Apply and restart, or the "
                "commands shown).",
                backup,
            ),
            "restart later",
        )

    removed = False
    said: deque[str] = deque(maxlen=50)
    """The last lines of the running command: a failure is told with what it said last."""

    def pass_on(line: str) -> None:
        said.append(line)
        reporter.output(line)

    for step, command in ((Step.REMOVE, plan.remove), (Step.START, plan.start)):
        reporter.step(step, StepState.RUNNING, str(command))
        started = False
        try:
            if cancel.is_set():  # asked while the previous step ran: do not start this one at all
                raise Cancelled()
            started = True
            said.clear()
            code = run_streaming(command, pass_on, cancel)
        except Cancelled:
            reporter.step(step, StepState.CANCELLED)
            if removed:
                return finish(
                    ApplyResult(Outcome.DOWN, down_message(deployment, plan, "cancelled"), backup, step),
                    "cancelled",
                )
            if not started:
                return finish(
                    ApplyResult(
                        Outcome.CANCELLED,
                        "Cancelled before the container was removed; Appsmith keeps running with the old "
                        "value. docker.env has the new one.",
                        backup,
                        step,
                    ),
                    "cancelled",
                )
            return finish(
                ApplyResult(
                    Outcome.CANCELLED,
                    "Cancelled while the container was being removed: it may be "
                    "stopped or half removed, so Appsmith may be down. Run the start command to "
                    "bring it back: " + plan.start.shell_line() + ". docker.env has the new value.",
                    backup,
                    step,
                ),
                "cancelled during removal",
            )
        except CommandTimeout:
            code = None
        except DockerError as error:
            reporter.step(step, StepState.FAILED, error.message)
            if removed:
                return finish(
                    ApplyResult(Outcome.DOWN, down_message(deployment, plan, error.message), backup, step),
                    "start could not run",
                )
            return finish(ApplyResult(Outcome.RESTART_FAILED, error.message, backup, step), "docker missing")
        if code != 0:
            why = failure_reason(command, code, "\n".join(said))
            reporter.step(step, StepState.FAILED, why)
            if removed:
                return finish(
                    ApplyResult(
                        Outcome.DOWN, down_message(deployment, plan, f"{command} {why}"), backup, step
                    ),
                    f"start failed ({why})",
                )
            return finish(
                ApplyResult(
                    Outcome.RESTART_FAILED,
                    f"{command} failed ({why}). The old container may "
                    "still run with the old value; see the output above.",
                    backup,
                    step,
                ),
                f"remove failed ({why})",
            )
        reporter.step(step, StepState.DONE)
        removed = True

    try:
        progress, running = wait_for_health(deployment, reporter, cancel, health_timeout, health_interval)
    except Cancelled:
        reporter.step(Step.HEALTH, StepState.CANCELLED)
        return finish(
            ApplyResult(
                Outcome.CANCELLED,
                "Stopped waiting; the containers were recreated and keep "
                "starting. Refresh to see the result.",
                backup,
                Step.HEALTH,
            ),
            "wait cancelled",
        )
    if progress.failed:
        reporter.step(Step.HEALTH, StepState.FAILED, progress.failed)
        if "exited" in progress.failed or "dead" in progress.failed:
            return finish(
                ApplyResult(
                    Outcome.DOWN, down_message(deployment, plan, progress.failed), backup, Step.HEALTH
                ),
                progress.failed,
            )
        return finish(
            ApplyResult(
                Outcome.UNHEALTHY,
                f"Appsmith did not become healthy: {progress.failed}. Check its logs (docker logs).",
                backup,
                Step.HEALTH,
            ),
            progress.failed,
        )
    reporter.step(Step.HEALTH, StepState.DONE, progress.detail)
    outcome, message = verify(deployment, change.telemetry_on, running, written_at)
    reporter.step(Step.VERIFY, StepState.DONE if outcome.ok else StepState.FAILED, message)
    return finish(ApplyResult(outcome, message, backup, None if outcome.ok else Step.VERIFY), message)
