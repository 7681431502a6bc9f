"""Apply a change from the window: `panel.core.apply_sequence` decides, this carries out its actions with Qt.

The write runs in a worker thread, each compose command in a `DockerProcess`, each look at the instance in a
`RunningQuery` after a timer; the sequence turns every answer into step reports, the next action and, at the
end, the result and its audit entry. The command line drives the very same sequence (`panel.core.apply`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from panel.core import audit
from panel.core.apply_sequence import (
    HEALTH_INTERVAL,
    HEALTH_TIMEOUT,
    ApplyResult,
    ApplySequence,
    AuditNote,
    CommandEnded,
    Finish,
    Look,
    Looked,
    Next,
    Phase,
    ProcessEnd,
    ProcessOutcome,
    Run,
    Write,
    WriteFailed,
    Written,
    now,
)
from panel.core.change import EnvChange, write_change
from panel.core.docker import CommandResult, DockerError, DockerProblem
from panel.core.restart import PlannedCommand, RestartPlan
from panel.core.safewrite import FileChangedError
from panel.core.status import RunningState
from panel.gui.docker_process import DockerProcess
from panel.gui.status_refresher import RunningQuery
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui.apply")

OUTPUT_KEPT = 50
"""Lines of a command's output kept to tell a failure with what it said last."""


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
        health_timeout: float = HEALTH_TIMEOUT,
        health_interval: float = HEALTH_INTERVAL,
    ) -> None:
        super().__init__(parent)
        self.change = change
        self.plan = plan
        self.sequence = ApplySequence(change, plan, health_timeout, health_interval)
        self._process: DockerProcess | None = None
        self._said: list[str] = []
        self._query: RunningQuery | None = None
        self._wait_started = 0.0
        self._look_timer = QTimer(self)
        self._look_timer.setSingleShot(True)
        self._look_timer.timeout.connect(self._look)

    # -- public
    # -------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.sequence.running

    @property
    def result(self) -> ApplyResult | None:
        """The last verdict, or None while a run goes on."""
        return self.sequence.result

    @property
    def can_retry_start(self) -> bool:
        """True when a removal was attempted and Appsmith may not be running: starting it is the way out."""
        return self.sequence.can_retry_start

    @property
    def cancel_leaves_down(self) -> bool:
        """True while a cancel would leave Appsmith down: the container is being removed or created again (the
        window asks before such a cancel; before the removal, and while waiting for a started container to
        become healthy, cancelling is immediate and leaves Appsmith as it is)."""
        sequence = self.sequence
        return sequence.phase in (Phase.REMOVING, Phase.STARTING) and not sequence.cancel_requested

    def start(self) -> None:
        self._carry_out(self.sequence.start(now()))

    def start_only(self) -> None:
        """Start an Appsmith that is down, writing nothing (see `ApplySequence.start_only`)."""
        self._carry_out(self.sequence.start_only(now()))

    def retry_start(self) -> None:
        """Run only `up -d`, then wait for health and verify; for when the container was removed but is not
        up."""
        self._carry_out(self.sequence.retry_start(now()))

    def cancel(self) -> None:
        """Stop as safely as the current step allows; `finished` follows with what state things are in."""
        if not self.running or self.sequence.cancel_requested:
            return
        if self._process is not None:
            self._process.cancel()  # its end is told to the sequence, which decides what it means
        next_step = self.sequence.cancel()
        if next_step.action is not None:
            self._drop_look()
            self._carry_out(next_step)

    # -- carrying out the sequence's actions
    # --------------------------------------------------------------------

    def _carry_out(self, step: Next) -> None:
        for report in step.reports:
            self.step_changed.emit(report.step, report.state, report.detail)
        match step.action:
            case Write(change):
                run_in_thread(
                    write_change, change, parent=self, on_done=self._written, on_error=self._not_written
                )
            case Run(_, command):
                self._run(command)
            case Look(delay):
                self._look_timer.start(max(0, int(delay * 1000)))
            case Finish(result, note):
                self._finish(result, note)
            case None:
                pass

    def _finish(self, result: ApplyResult, note: AuditNote | None) -> None:
        if note is not None:
            warning = audit.record_or_warn(
                note.action, note.file, note.old, note.new, note.backup, note.outcome
            )
            if warning is not None:
                result = self.sequence.audit_failed(warning)
        self.finished.emit(result)

    # -- backup and write

    def _written(self, backup: Path | None) -> None:
        self._carry_out(self.sequence.handle(Written(backup, now())))

    def _not_written(self, error: BaseException) -> None:
        if not isinstance(error, (FileChangedError, OSError, RuntimeError)):
            log.error("writing %s failed unexpectedly", self.change.deployment.env_file, exc_info=error)
        self._carry_out(self.sequence.handle(WriteFailed(error)))

    # -- remove and start

    def _run(self, command: PlannedCommand) -> None:
        process = DockerProcess(
            command.argv, cwd=command.cwd, timeout=command.timeout, parent=self, merge_output=True
        )
        self._process = process
        self._said = []
        process.output.connect(self._pass_on)
        # Bound methods, not lambdas: a lambda holding `self` on a child's signal keeps a runner without a
        # parent alive until that child is deleted, and the runner's deletion then deletes the child a second
        # time.
        process.finished.connect(self._process_finished)
        process.failed.connect(self._process_failed)
        process.start()

    @Slot(str)
    def _pass_on(self, line: str) -> None:
        self._said = [*self._said[-(OUTPUT_KEPT - 1) :], line]
        self.output.emit(line)

    @Slot(object)
    def _process_finished(self, result: CommandResult) -> None:
        code = result.returncode
        output = "\n".join(self._said) or (result.stdout + result.stderr)
        if code < 0:
            self._command_ended(ProcessOutcome(ProcessEnd.EXITED, signal=-code, output=output))
        else:
            self._command_ended(ProcessOutcome(ProcessEnd.EXITED, exit_status=code, output=output))

    @Slot(object)
    def _process_failed(self, error: DockerError) -> None:
        end = {
            DockerProblem.TIMEOUT: ProcessEnd.TIMED_OUT,
            DockerProblem.CANCELLED: ProcessEnd.CANCELLED,
        }.get(error.problem, ProcessEnd.NOT_STARTED)
        self._command_ended(ProcessOutcome(end, output="\n".join(self._said), error=error))

    def _command_ended(self, outcome: ProcessOutcome) -> None:
        if self._process is not None:
            self._process.deleteLater()
            self._process = None
        self._wait_started = time.monotonic()
        self._carry_out(self.sequence.handle(CommandEnded(outcome)))

    # -- health and verify

    @Slot()
    def _look(self) -> None:
        query = RunningQuery(self.change.deployment, parent=self)
        self._query = query
        query.done.connect(self._looked)
        query.start()

    def _looked(self, running: RunningState) -> None:
        if self._query is not None:
            self._query.deleteLater()
            self._query = None
        if not self.running:
            return
        self._carry_out(self.sequence.handle(Looked(running, time.monotonic() - self._wait_started)))

    def _drop_look(self) -> None:
        self._look_timer.stop()
        if self._query is not None:
            self._query.done.disconnect(self._looked)
            self._query.cancel()
            self._query = None
