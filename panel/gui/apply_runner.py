"""Apply a change from the window: the same steps, judgements and audit entries as
`panel.core.apply.apply_change`, driven by Qt events instead of a blocking loop.

Writing runs in a worker thread, docker in `DockerProcess`, and the health wait polls with `RunningQuery`; the
core's `health_progress`, `verify` and `down_message` decide what each look means, so the CLI and the window
always agree.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from enum import Enum, auto
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from panel.core import apply, audit
from panel.core.apply import (
    ApplyResult,
    Outcome,
    Step,
    StepState,
    down_message,
    failure_reason,
    health_progress,
    not_written_message,
    verify,
)
from panel.core.change import EnvChange, write_change
from panel.core.docker import CommandResult, DockerError, DockerProblem
from panel.core.envfile import shown_value
from panel.core.restart import PlannedCommand, RestartPlan
from panel.core.safewrite import FileChangedError
from panel.core.status import RunningState
from panel.gui.docker_process import DockerProcess
from panel.gui.status_refresher import RunningQuery
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui.apply")


class _Phase(Enum):
    IDLE = auto()
    WRITING = auto()
    REMOVING = auto()
    STARTING = auto()
    WAITING = auto()
    DONE = auto()


class ApplyRunner(QObject):
    """Backup, write, remove, start, wait for health, verify; `finished(ApplyResult)` once per run.

    `cancel()` is always safe: it never leaves a process behind, and the result says what state Appsmith is
    in. After a failure that left Appsmith down, `retry_start()` runs only the start command, the wait and the
    check.
    """

    step_changed = Signal(object, object, str)
    output = Signal(str)
    finished = Signal(object)

    def __init__(
        self,
        change: EnvChange,
        plan: RestartPlan | None,
        parent: QObject | None = None,
        health_timeout: float = apply.HEALTH_TIMEOUT,
        health_interval: float = apply.HEALTH_INTERVAL,
    ) -> None:
        super().__init__(parent)
        self.change = change
        self.plan = plan
        self.health_timeout = health_timeout
        self.health_interval = health_interval
        self._phase = _Phase.IDLE
        self._cancel_requested = False
        self._backup: Path | None = None
        self._written_at: datetime | None = None
        self._removal_attempted = False
        self._process: DockerProcess | None = None
        self._query: RunningQuery | None = None
        self._wait_started = 0.0
        self._looks = 0
        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        self._poll_timer.timeout.connect(self._poll_health)
        self._result: ApplyResult | None = None
        self._retrying = False
        self._running_step: tuple[Step, PlannedCommand] | None = None

    # -- public
    # -------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._phase not in (_Phase.IDLE, _Phase.DONE)

    @property
    def result(self) -> ApplyResult | None:
        """The last verdict, or None while the first run goes on."""
        return self._result

    @property
    def can_retry_start(self) -> bool:
        """True when a removal was attempted and Appsmith may not be running: starting it again is the way
        out."""
        result = self._result
        if result is None or self.running or self.plan is None or not self._removal_attempted:
            return False
        if result.outcome is Outcome.DOWN:
            return True
        return result.outcome in (Outcome.CANCELLED, Outcome.RESTART_FAILED) and result.failed_step in (
            Step.REMOVE,
            Step.START,
        )

    def start(self) -> None:
        if self._phase is not _Phase.IDLE:
            raise RuntimeError("an ApplyRunner runs once; use retry_start() after a failure")
        self._phase = _Phase.WRITING
        self._step(Step.BACKUP, StepState.RUNNING)
        if not self.change.changes_file:
            QTimer.singleShot(0, self, self._skip_write)
            return
        run_in_thread(
            write_change, self.change, parent=self, on_done=self._written, on_error=self._not_written
        )

    def retry_start(self) -> None:
        """Run only `up -d`, then wait for health and verify; for when the container was removed but is not
        up."""
        if not self.can_retry_start:
            raise RuntimeError("retry_start() is only for a run that left Appsmith down")
        assert self.plan is not None
        self._result = None
        self._cancel_requested = False
        self._retrying = True
        if self._written_at is None:
            self._written_at = datetime.now(UTC).replace(microsecond=0)
        self._run_command(Step.START, self.plan.start)

    def cancel(self) -> None:
        """Stop as safely as the current step allows; `finished` follows with what state things are in."""
        if not self.running or self._cancel_requested:
            return
        self._cancel_requested = True
        if self._phase is _Phase.WRITING:
            return  # the write is atomic and quick: it finishes, then nothing else runs
        if self._phase in (_Phase.REMOVING, _Phase.STARTING) and self._process is not None:
            self._process.cancel()
        elif self._phase is _Phase.WAITING:
            self._poll_timer.stop()
            if self._query is not None:
                self._query.done.disconnect(self._health_seen)
                self._query.cancel()
                self._query = None
            self._step(Step.HEALTH, StepState.CANCELLED)
            self._finish(
                ApplyResult(
                    Outcome.CANCELLED,
                    "Stopped waiting; the containers were recreated and keep starting. Refresh to see the "
                    "result.",
                    self._backup,
                    Step.HEALTH,
                ),
                "wait cancelled",
            )

    # -- reporting
    # ----------------------------------------------------------------------------------------------

    def _step(self, step: Step, state: StepState, detail: str = "") -> None:
        self.step_changed.emit(step, state, detail)

    def _finish(self, result: ApplyResult, restart: str | None) -> None:
        """End the run; `restart` is the audit note (None: nothing was written, so nothing is audited)."""
        self._phase = _Phase.DONE
        self._process = None
        if restart is not None:
            self._audit(result, restart)
        self._result = result
        self.finished.emit(result)

    def _audit(self, result: ApplyResult, restart: str) -> None:
        change = self.change
        note = f"retry start: {restart}" if self._retrying else restart
        try:
            audit.record(
                "enable" if change.telemetry_on else "disable",
                change.deployment.env_file,
                shown_value(change.old_value),
                change.new_value,
                self._backup,
                f"{result.outcome.value}: {note}",
            )
        except OSError as error:
            log.error("could not write the audit log: %s", error)
            self.output.emit(self.tr("Could not write the audit log: {error}").format(error=error))

    # -- backup and write
    # ---------------------------------------------------------------------------------------

    @Slot()
    def _skip_write(self) -> None:
        self._step(Step.BACKUP, StepState.SKIPPED, "the file already has this value")
        self._step(Step.WRITE, StepState.SKIPPED, "nothing to write")
        self._after_write()

    def _written(self, backup: Path | None) -> None:
        self._backup = backup
        self._step(Step.BACKUP, StepState.DONE, str(backup))
        self._step(Step.WRITE, StepState.DONE, f"{self.change.deployment.env_file}: {self.change.new_value}")
        self._after_write()

    def _not_written(self, error: BaseException) -> None:
        if not isinstance(error, (FileChangedError, OSError, RuntimeError)):
            log.error("writing %s failed unexpectedly", self.change.deployment.env_file, exc_info=error)
        self._step(Step.BACKUP, StepState.FAILED, str(error))
        self._finish(
            ApplyResult(
                Outcome.REFUSED, not_written_message(error, self.change.deployment.env_file), None, Step.WRITE
            ),
            None,
        )

    def _after_write(self) -> None:
        self._written_at = datetime.now(UTC).replace(microsecond=0)
        change = self.change
        if self.plan is None:
            if not change.changes_file:
                self._finish(
                    ApplyResult(
                        Outcome.NOTHING_TO_DO, "docker.env already has this value; nothing was written."
                    ),
                    None,
                )
                return
            self._finish(
                ApplyResult(
                    Outcome.WRITTEN,
                    "Written. It takes effect when the containers are recreated (Apply and restart, or the "
                    "commands shown).",
                    self._backup,
                ),
                "restart later",
            )
            return
        if self._cancel_requested:
            self._finish(
                ApplyResult(
                    Outcome.CANCELLED,
                    "Cancelled before the container was removed; Appsmith keeps running with the old value. "
                    "docker.env has the new one.",
                    self._backup,
                    Step.REMOVE,
                ),
                "cancelled",
            )
            return
        self._run_command(Step.REMOVE, self.plan.remove)

    # -- remove and start
    # ---------------------------------------------------------------------------------------

    def _run_command(self, step: Step, command: PlannedCommand) -> None:
        self._phase = _Phase.REMOVING if step is Step.REMOVE else _Phase.STARTING
        if step is Step.REMOVE:
            self._removal_attempted = True
        self._step(step, StepState.RUNNING, str(command))
        process = DockerProcess(
            command.argv, cwd=command.cwd, timeout=command.timeout, parent=self, merge_output=True
        )
        self._process = process
        self._running_step = (step, command)
        process.output.connect(self.output)
        # Bound methods, not lambdas: a lambda holding `self` on a child's signal keeps a runner without a
        # parent alive until that child is deleted, and the runner's deletion then deletes the child a second
        # time.
        process.finished.connect(self._process_finished)
        process.failed.connect(self._process_failed)
        process.start()

    @Slot(object)
    def _process_finished(self, result: CommandResult) -> None:
        assert self._running_step is not None
        self._command_done(*self._running_step, result)

    @Slot(object)
    def _process_failed(self, error: DockerError) -> None:
        assert self._running_step is not None
        self._command_failed(*self._running_step, error)

    def _forget_process(self) -> None:
        if self._process is not None:
            self._process.deleteLater()
            self._process = None

    @property
    def _removed(self) -> bool:
        """True once the removal succeeded: from then on, a start that fails leaves Appsmith down."""
        return self._phase is _Phase.STARTING

    def _command_failed(self, step: Step, command: PlannedCommand, error: DockerError) -> None:
        removed = self._removed
        self._forget_process()
        assert self.plan is not None
        if error.problem is DockerProblem.TIMEOUT:
            self._command_ended(step, command, None)
            return
        if self._cancel_requested and error.message == "cancelled":
            self._step(step, StepState.CANCELLED)
            if removed:
                self._finish(
                    ApplyResult(
                        Outcome.DOWN,
                        down_message(self.change.deployment, self.plan, "cancelled"),
                        self._backup,
                        step,
                    ),
                    "cancelled",
                )
            else:
                self._finish(
                    ApplyResult(
                        Outcome.CANCELLED,
                        "Cancelled while the container was being removed: it may be stopped or half removed, "
                        "so Appsmith may be down. docker.env has the new value. Use Retry start to bring "
                        "Appsmith up, or "
                        f"run: {self.plan.start.shell_line()}",
                        self._backup,
                        step,
                    ),
                    "cancelled",
                )
            return
        self._step(step, StepState.FAILED, error.message)
        if removed:
            self._finish(
                ApplyResult(
                    Outcome.DOWN,
                    down_message(self.change.deployment, self.plan, error.message),
                    self._backup,
                    step,
                ),
                "docker missing",
            )
            return
        self._finish(ApplyResult(Outcome.RESTART_FAILED, error.message, self._backup, step), "docker missing")

    def _command_done(self, step: Step, command: PlannedCommand, result: CommandResult) -> None:
        self._forget_process()
        self._command_ended(step, command, result.returncode, result.stdout + result.stderr)

    def _command_ended(self, step: Step, command: PlannedCommand, code: int | None, output: str = "") -> None:
        assert self.plan is not None
        removed = self._removed
        if code != 0:
            why = failure_reason(command, code, output)
            self._step(step, StepState.FAILED, why)
            if removed:
                self._finish(
                    ApplyResult(
                        Outcome.DOWN,
                        down_message(self.change.deployment, self.plan, f"{command} {why}"),
                        self._backup,
                        step,
                    ),
                    f"start failed ({why})",
                )
                return
            self._finish(
                ApplyResult(
                    Outcome.RESTART_FAILED,
                    f"{command} failed ({why}). The old container may "
                    "still run with the old value; see the output above.",
                    self._backup,
                    step,
                ),
                f"remove failed ({why})",
            )
            return
        self._step(step, StepState.DONE)
        if self._cancel_requested:
            # The command ended just as cancel was pressed: stop at the safest point there is.
            if step is Step.REMOVE:
                self._finish(
                    ApplyResult(
                        Outcome.DOWN,
                        down_message(self.change.deployment, self.plan, "cancelled"),
                        self._backup,
                        Step.START,
                    ),
                    "cancelled",
                )
            else:
                self._finish(
                    ApplyResult(
                        Outcome.CANCELLED,
                        "Stopped waiting; the containers were recreated and keep starting. Refresh to see "
                        "the result.",
                        self._backup,
                        Step.HEALTH,
                    ),
                    "wait cancelled",
                )
            return
        if step is Step.REMOVE:
            self._run_command(Step.START, self.plan.start)
            return
        self._phase = _Phase.WAITING
        self._wait_started = time.monotonic()
        self._looks = 0
        self._poll_health()

    # -- health and verify
    # --------------------------------------------------------------------------------------

    @Slot()
    def _poll_health(self) -> None:
        if self._phase is not _Phase.WAITING:
            return
        query = RunningQuery(self.change.deployment, parent=self)
        self._query = query
        query.done.connect(self._health_seen)
        query.start()

    def _health_seen(self, running: RunningState) -> None:
        if self._query is not None:
            self._query.deleteLater()
            self._query = None
        if self._phase is not _Phase.WAITING:
            return
        assert self.plan is not None
        deployment = self.change.deployment
        progress = health_progress(deployment, running)
        elapsed = time.monotonic() - self._wait_started
        self._step(Step.HEALTH, StepState.RUNNING, f"{elapsed:.0f} s: {progress.failed or progress.detail}")
        if not progress.done and not progress.failed and elapsed > self.health_timeout:
            progress = apply.HealthProgress(
                False, f"not healthy after {self.health_timeout:.0f} s ({progress.detail})", ""
            )
        if progress.failed:
            self._step(Step.HEALTH, StepState.FAILED, progress.failed)
            if "exited" in progress.failed or "dead" in progress.failed:
                self._finish(
                    ApplyResult(
                        Outcome.DOWN,
                        down_message(deployment, self.plan, progress.failed),
                        self._backup,
                        Step.HEALTH,
                    ),
                    progress.failed,
                )
                return
            self._finish(
                ApplyResult(
                    Outcome.UNHEALTHY,
                    f"Appsmith did not become healthy: {progress.failed}. Check its logs (docker logs).",
                    self._backup,
                    Step.HEALTH,
                ),
                progress.failed,
            )
            return
        if not progress.done:
            self._poll_timer.start(max(0, int(apply.poll_delay(self._looks, self.health_interval) * 1000)))
            self._looks += 1
            return
        self._step(Step.HEALTH, StepState.DONE, progress.detail)
        assert self._written_at is not None
        outcome, message = verify(deployment, self.change.telemetry_on, running, self._written_at)
        self._step(Step.VERIFY, StepState.DONE if outcome.ok else StepState.FAILED, message)
        self._finish(
            ApplyResult(outcome, message, self._backup, None if outcome.ok else Step.VERIFY), message
        )
