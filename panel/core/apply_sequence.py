"""The decisions of applying a change, made once for every front end: no I/O, no threads, no Qt.

`ApplySequence` hands out the next action (write docker.env, run a compose command, look at the instance after
a delay, finish with a result and its audit entry) and takes the events that answer it (written, write failed,
command ended, looked, cancel asked). Each answer is a `Next`: the step reports to show, and the next action.
The command line drives it with a blocking loop (`panel.core.apply.apply_change`), the window with Qt events
(`panel.gui.apply_runner.ApplyRunner`); every outcome sentence, audit note and step report is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum, StrEnum, auto
from pathlib import Path

from panel.core.change import EnvChange
from panel.core.deployment import Deployment, Layout
from panel.core.docker import DockerError, DockerProblem
from panel.core.envfile import classify, shown_value
from panel.core.instance import Health
from panel.core.restart import PlannedCommand, RestartPlan
from panel.core.status import RunningState

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
    warnings: tuple[str, ...] = ()
    """Said beside the result, never instead of it: an audit log that could not be written, for one."""

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def appsmith_down(self) -> bool:
        return self.outcome is Outcome.DOWN

    @property
    def file_written(self) -> bool:
        """Whether docker.env now holds the new value (a backup is taken exactly when it is written)."""
        return self.backup is not None

    def __str__(self) -> str:
        return self.message


# --- what a command did -----------------------------------------------------------------------------------


class ProcessEnd(Enum):
    EXITED = auto()
    """It ran and exited by itself: see the exit status, or the signal that ended it."""
    TIMED_OUT = auto()
    CANCELLED = auto()
    NOT_STARTED = auto()
    """It could not be started (docker missing): see the error."""


@dataclass(frozen=True)
class ProcessOutcome:
    """How one command ended, with its exit status and signal kept apart (as qutebrowser's ProcessOutcome)."""

    end: ProcessEnd
    exit_status: int | None = None
    signal: int | None = None
    output: str = ""
    """The last lines it printed: a failure is told with what it said last."""
    error: DockerError | None = None

    @property
    def ok(self) -> bool:
        return self.end is ProcessEnd.EXITED and self.exit_status == 0


# --- actions the sequence asks for, and events that answer them ------------------------------------------


@dataclass(frozen=True)
class Write:
    change: EnvChange


@dataclass(frozen=True)
class Run:
    step: Step
    command: PlannedCommand


@dataclass(frozen=True)
class Look:
    """Ask docker and the instance how the deployment is, after `delay` seconds."""

    delay: float


@dataclass(frozen=True)
class AuditNote:
    action: str
    file: Path
    old: str | None
    new: str | None
    backup: Path | None
    outcome: str


@dataclass(frozen=True)
class Finish:
    result: ApplyResult
    audit: AuditNote | None
    """None when nothing was written and nothing run: there is nothing to record."""


Action = Write | Run | Look | Finish


@dataclass(frozen=True)
class Written:
    backup: Path | None
    at: datetime


@dataclass(frozen=True)
class WriteFailed:
    error: BaseException


@dataclass(frozen=True)
class CommandEnded:
    outcome: ProcessOutcome


@dataclass(frozen=True)
class Looked:
    running: RunningState
    elapsed: float
    """Seconds since the wait for health began."""


Event = Written | WriteFailed | CommandEnded | Looked


@dataclass(frozen=True)
class StepReport:
    step: Step
    state: StepState
    detail: str = ""


@dataclass(frozen=True)
class Next:
    reports: tuple[StepReport, ...] = ()
    action: Action | None = None
    """None: keep doing what is under way (a cancel was noted and the running action will answer it)."""


# --- judging one look at the instance --------------------------------------------------------------------


class Liveness(Enum):
    UP = auto()
    WAITING = auto()
    EXITED = auto()
    """The container exited or is restarting: Appsmith is down."""


@dataclass(frozen=True)
class HealthProgress:
    liveness: Liveness
    detail: str

    @property
    def done(self) -> bool:
        return self.liveness is Liveness.UP


def health_progress(deployment: Deployment, running: RunningState) -> HealthProgress:
    """Judge one look at the instance while waiting for it to come up."""
    if running.docker_error is not None:
        return HealthProgress(Liveness.WAITING, running.docker_error.message)
    container = running.server_container(deployment)
    if container is None:
        return HealthProgress(Liveness.WAITING, "no container yet")
    if container.restarting or not container.running:
        return HealthProgress(
            Liveness.EXITED, f"the container {container.name} exited: {container.describe()}"
        )
    web = running.web_container(deployment)
    if web is not None and web.http_port is None:
        where = f" (published only on {web.http_binding})" if web.http_binding else ""
        return HealthProgress(
            Liveness.UP, f"container running; its HTTP port is not reachable on loopback{where}"
        )
    if running.server is None:
        return HealthProgress(Liveness.WAITING, "container starting")
    if running.server.health is Health.UP:
        return HealthProgress(Liveness.UP, running.server.health_detail)
    return HealthProgress(Liveness.WAITING, running.server.health_detail)


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


def now() -> datetime:
    """For drivers: the time a write is recorded at, in whole seconds as docker reports a container's start
    (the sequence itself reads no clock)."""
    return datetime.now(UTC).replace(microsecond=0)


def poll_delay(look: int, interval: float = HEALTH_INTERVAL) -> float:
    """Seconds to wait after look number `look` (0: the first) at a starting instance before the next one."""
    return min(interval, HEALTH_FIRST_POLL * 2.0 ** min(look, 20))


# --- the sentences ----------------------------------------------------------------------------------------


STOPPED_WAITING = (
    "Stopped waiting; the containers were recreated and keep starting. Refresh to see the result."
)


def down_message(plan: RestartPlan, why: str) -> str:
    """Said loudly when removal worked and the start did not: the instance is down until someone acts."""
    return (
        f"APPSMITH IS DOWN: its container was removed but did not start again ({why}). Start it again with: "
        f"{plan.start.shell_line()}  — or restore the backup and start it."
    )


def not_written_message(error: BaseException, env_file: Path) -> str:
    """The sentence for a write that did not happen: the file is as it was, and what to do about it."""
    import errno

    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"Nothing was changed: the disk that holds {env_file} is full ({error.strerror}); "
            f"{env_file.name} is as it was. Free some space there, then try again."
        )
    return f"Nothing was changed: {error}"


def failure_reason(command: PlannedCommand, outcome: ProcessOutcome) -> str:
    """Why a compose command failed, in words: its time-out, its signal, or its exit status and the last thing
    it said (a daemon that is down or a socket this user may not use get the plain sentence with what to
    do)."""
    from panel.core.docker import CommandResult, classify_failure

    if outcome.end is ProcessEnd.TIMED_OUT:
        return f"timed out after {command.timeout:.0f} s"
    if outcome.end is ProcessEnd.NOT_STARTED and outcome.error is not None:
        return outcome.error.message
    if outcome.signal is not None:
        return f"ended by signal {outcome.signal}"
    code = outcome.exit_status if outcome.exit_status is not None else -1
    error = classify_failure(CommandResult(command.argv, code, "", outcome.output))
    if error.problem in (DockerProblem.DAEMON_DOWN, DockerProblem.PERMISSION):
        return f"exit code {code}: {error.message}"
    last = next((line.strip() for line in reversed(outcome.output.splitlines()) if line.strip()), "")
    return f"exit code {code}: {last[:300]}" if last else f"exit code {code}"


# --- the sequence -----------------------------------------------------------------------------------------


class Phase(Enum):
    IDLE = auto()
    WRITING = auto()
    REMOVING = auto()
    STARTING = auto()
    WAITING = auto()
    DONE = auto()


@dataclass
class ApplySequence:
    """Backup, write, remove, start, wait for health, verify: one run, and a retry of the start after a run
    that left Appsmith down. Drive it with `start()`, then `handle(event)` for each action's answer;
    `cancel()` at any time; after `Finish`, `audit_failed(warning)` if the entry could not be written."""

    change: EnvChange
    plan: RestartPlan | None
    health_timeout: float = HEALTH_TIMEOUT
    health_interval: float = HEALTH_INTERVAL
    phase: Phase = Phase.IDLE
    cancel_requested: bool = False
    backup: Path | None = None
    written_at: datetime | None = None
    removal_attempted: bool = False
    result: ApplyResult | None = None
    _retrying: bool = False
    starting_only: bool = False
    """Started with `start_only`: Appsmith was down and nothing is written, only started and checked."""
    _looks: int = 0
    _reports: list[StepReport] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.phase not in (Phase.IDLE, Phase.DONE)

    @property
    def deployment(self) -> Deployment:
        return self.change.deployment

    @property
    def can_retry_start(self) -> bool:
        """True when a removal was attempted and Appsmith may not be running: starting it is the way out."""
        result = self.result
        if result is None or self.running or self.plan is None or not self.removal_attempted:
            return False
        if result.outcome is Outcome.DOWN:
            return True
        return result.outcome in (Outcome.CANCELLED, Outcome.RESTART_FAILED) and result.failed_step in (
            Step.REMOVE,
            Step.START,
        )

    # -- driving

    def start(self, now: datetime) -> Next:
        """Begin; `now` is when the run starts (what a container must have started after, when nothing is
        written)."""
        if self.phase is not Phase.IDLE:
            raise RuntimeError("a sequence runs once; use retry_start() after a failure")
        self.phase = Phase.WRITING
        self._report(Step.BACKUP, StepState.RUNNING)
        if self.change.changes_file:
            return self._next(Write(self.change))
        self.written_at = now
        self._report(Step.BACKUP, StepState.SKIPPED, "the file already has this value")
        self._report(Step.WRITE, StepState.SKIPPED, "nothing to write")
        return self._after_write()

    def start_only(self, now: datetime) -> Next:
        """Start an Appsmith that is down, writing nothing: the start command, the wait for health, the
        check that the value in effect is the configured one. A cancel leaves it down, as it was."""
        if self.phase is not Phase.IDLE:
            raise RuntimeError("a sequence runs once; use retry_start() after a failure")
        if self.plan is None:
            raise RuntimeError("start_only() needs the compose commands")
        self.starting_only = True
        self.removal_attempted = True  # it is down already: starting it is the way out, as after a removal
        self.written_at = now
        self._report(Step.BACKUP, StepState.SKIPPED, "nothing is written")
        self._report(Step.WRITE, StepState.SKIPPED, "nothing is written")
        self._report(Step.REMOVE, StepState.SKIPPED, "Appsmith is not running")
        return self._run(Step.START, self.plan.start)

    def retry_start(self, now: datetime) -> Next:
        """Run only the start command, then wait for health and verify."""
        if not self.can_retry_start:
            raise RuntimeError("retry_start() is only for a run that left Appsmith down")
        assert self.plan is not None
        self.result = None
        self.cancel_requested = False
        self._retrying = True
        if self.written_at is None:
            self.written_at = now
        return self._run(Step.START, self.plan.start)

    def handle(self, event: Event) -> Next:
        match event:
            case Written(backup, at):
                return self._written(backup, at)
            case WriteFailed(error):
                return self._write_failed(error)
            case CommandEnded(outcome):
                return self._command_ended(outcome)
            case Looked(running, elapsed):
                return self._looked(running, elapsed)
        raise TypeError(f"not an event: {event!r}")

    def cancel(self) -> Next:
        """Stop as safely as the current step allows. While a write or a command runs, it is only noted (the
        action ends, and its event decides); while waiting for health the run ends at once."""
        if not self.running or self.cancel_requested:
            return Next()
        self.cancel_requested = True
        if self.phase is not Phase.WAITING:
            return Next()
        self._report(Step.HEALTH, StepState.CANCELLED)
        return self._finish(Outcome.CANCELLED, STOPPED_WAITING, Step.HEALTH, "wait cancelled")

    def audit_failed(self, warning: str) -> ApplyResult:
        """The result with a warning that its audit entry is missing: what happened to the file stays told."""
        assert self.result is not None
        self.result = replace(self.result, warnings=(*self.result.warnings, warning))
        return self.result

    # -- the steps

    def _written(self, backup: Path | None, at: datetime) -> Next:
        self.backup = backup
        self._report(Step.BACKUP, StepState.DONE, str(backup))
        self._report(Step.WRITE, StepState.DONE, f"{self.deployment.env_file}: {self.change.new_value}")
        self.written_at = at
        return self._after_write()

    def _write_failed(self, error: BaseException) -> Next:
        self._report(Step.BACKUP, StepState.FAILED, str(error))
        return self._finish(
            Outcome.REFUSED, not_written_message(error, self.deployment.env_file), Step.WRITE, None
        )

    def _after_write(self) -> Next:
        if self.plan is None:
            if not self.change.changes_file:
                return self._finish(
                    Outcome.NOTHING_TO_DO,
                    "docker.env already has this value; nothing was written.",
                    None,
                    None,
                )
            return self._finish(
                Outcome.WRITTEN,
                "Written. It takes effect when the containers are recreated (Apply and restart, or the "
                "commands shown).",
                None,
                "restart later",
            )
        if self.cancel_requested:
            return self._finish(
                Outcome.CANCELLED,
                "Cancelled before the container was removed; Appsmith keeps running with the old value. "
                "docker.env has the new one.",
                Step.REMOVE,
                "cancelled",
            )
        return self._run(Step.REMOVE, self.plan.remove)

    def _run(self, step: Step, command: PlannedCommand) -> Next:
        self.phase = Phase.REMOVING if step is Step.REMOVE else Phase.STARTING
        if step is Step.REMOVE:
            self.removal_attempted = True
        self._report(step, StepState.RUNNING, str(command))
        return self._next(Run(step, command))

    def _command_ended(self, outcome: ProcessOutcome) -> Next:
        assert self.plan is not None
        step = Step.REMOVE if self.phase is Phase.REMOVING else Step.START
        command = self.plan.remove if step is Step.REMOVE else self.plan.start
        removed = step is Step.START
        if outcome.end is ProcessEnd.CANCELLED:
            self._report(step, StepState.CANCELLED)
            if removed:
                return self._finish(Outcome.DOWN, down_message(self.plan, "cancelled"), step, "cancelled")
            return self._finish(
                Outcome.CANCELLED,
                "Cancelled while the container was being removed: it may be stopped or half removed, so "
                "Appsmith may be down. docker.env has the new value. Start it again with: "
                f"{self.plan.start.shell_line()}",
                step,
                "cancelled during removal",
            )
        if not outcome.ok:
            why = failure_reason(command, outcome)
            self._report(step, StepState.FAILED, why)
            if removed:
                note = (
                    "start could not run"
                    if outcome.end is ProcessEnd.NOT_STARTED
                    else f"start failed ({why})"
                )
                detail = why if outcome.end is ProcessEnd.NOT_STARTED else f"{command} {why}"
                return self._finish(Outcome.DOWN, down_message(self.plan, detail), step, note)
            if outcome.end is ProcessEnd.NOT_STARTED:
                return self._finish(Outcome.RESTART_FAILED, why, step, "docker missing")
            return self._finish(
                Outcome.RESTART_FAILED,
                f"{command} failed ({why}). The old container may still run with the old value; see the "
                "output above.",
                step,
                f"remove failed ({why})",
            )
        self._report(step, StepState.DONE)
        if self.cancel_requested:
            # The command ended just as Cancel was pressed: stop at the safest point there is.
            if step is Step.REMOVE:
                return self._finish(
                    Outcome.DOWN, down_message(self.plan, "cancelled"), Step.START, "cancelled"
                )
            return self._finish(Outcome.CANCELLED, STOPPED_WAITING, Step.HEALTH, "wait cancelled")
        if step is Step.REMOVE:
            return self._run(Step.START, self.plan.start)
        self.phase = Phase.WAITING
        self._looks = 0
        return self._next(Look(0.0))

    def _looked(self, running: RunningState, elapsed: float) -> Next:
        assert self.plan is not None
        if self.phase is not Phase.WAITING:
            return Next()
        progress = health_progress(self.deployment, running)
        self._report(Step.HEALTH, StepState.RUNNING, f"{elapsed:.0f} s: {progress.detail}")
        if progress.liveness is Liveness.EXITED:
            self._report(Step.HEALTH, StepState.FAILED, progress.detail)
            return self._finish(
                Outcome.DOWN, down_message(self.plan, progress.detail), Step.HEALTH, progress.detail
            )
        if progress.liveness is Liveness.WAITING:
            if elapsed <= self.health_timeout:
                delay = poll_delay(self._looks, self.health_interval)
                self._looks += 1
                return self._next(Look(delay))
            why = f"not healthy after {self.health_timeout:.0f} s ({progress.detail})"
            self._report(Step.HEALTH, StepState.FAILED, why)
            return self._finish(
                Outcome.UNHEALTHY,
                f"Appsmith did not become healthy: {why}. Check its logs (docker logs).",
                Step.HEALTH,
                why,
            )
        self._report(Step.HEALTH, StepState.DONE, progress.detail)
        assert self.written_at is not None
        outcome, message = verify(self.deployment, self.change.telemetry_on, running, self.written_at)
        self._report(Step.VERIFY, StepState.DONE if outcome.ok else StepState.FAILED, message)
        return self._finish(outcome, message, None if outcome.ok else Step.VERIFY, message)

    # -- reporting

    def _report(self, step: Step, state: StepState, detail: str = "") -> None:
        self._reports.append(StepReport(step, state, detail))

    def _next(self, action: Action | None) -> Next:
        reports, self._reports = tuple(self._reports), []
        return Next(reports, action)

    def _finish(self, outcome: Outcome, message: str, failed_step: Step | None, note: str | None) -> Next:
        """End the run; `note` is the audit entry's outcome (None: nothing was written, so nothing is
        audited)."""
        self.phase = Phase.DONE
        self.result = ApplyResult(outcome, message, self.backup, failed_step)
        audit = None
        if note is not None:
            change = self.change
            audit = AuditNote(
                "start" if self.starting_only else "enable" if change.telemetry_on else "disable",
                self.deployment.env_file,
                shown_value(change.old_value),
                change.new_value,
                self.backup,
                f"{outcome.value}: {'retry start: ' if self._retrying else ''}{note}",
            )
        return self._next(Finish(self.result, audit))
