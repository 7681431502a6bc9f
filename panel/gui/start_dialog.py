"""Start an Appsmith that is not running: a short consent that shows the command, then the start, the wait
for health and the check, in the same step list and output view as a change (`ApplyRunner.start_only`).
Nothing is written; a cancel once the start runs asks first, as it leaves Appsmith down."""

from __future__ import annotations

import functools
import logging
import shlex

from PySide6.QtCore import Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from panel.core import offload
from panel.core.apply_sequence import HEALTH_INTERVAL, HEALTH_TIMEOUT, ApplyResult, Step
from panel.core.change import RefusedError, prepare_change
from panel.core.docker import DockerError
from panel.core.restart import ComposeTool, RestartPlan, plan_restart, restart_tool
from panel.core.status import Status
from panel.gui.apply_runner import ApplyRunner
from panel.gui.background import prepare_with_progress
from panel.gui.buttons import enter_presses_focused, plain_button
from panel.gui.step_list import ApplyProgress
from panel.gui.stop_question import StopQuestion
from panel.gui.text_widgets import SELECT_WITH_ANY, MonospaceView, bold, wrapping_label
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui.start")

START_STEPS = (Step.START, Step.HEALTH, Step.VERIFY)


class StartDialog(QDialog):
    """ "Start Appsmith": what runs, then running it in front of the user; `ask()` returns the result."""

    health_timeout: float = HEALTH_TIMEOUT
    health_interval: float = HEALTH_INTERVAL

    def __init__(self, status: Status, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.status = status
        self.deployment = status.deployment
        self.plan: RestartPlan | None = None
        self.runner: ApplyRunner | None = None
        self._result: ApplyResult | None = None
        self.setWindowTitle(self.tr("Start Appsmith"))
        self.setMinimumWidth(560)
        self.resize(720, 240)  # grows when the start runs and its steps and output appear

        configured = status.configured.telemetry_on if status.configured is not None else None
        reads = (
            self.tr("When it starts it reads telemetry {on_off} from its configuration.").format(
                on_off=self.tr("ON") if configured else self.tr("OFF")
            )
            if configured is not None
            else self.tr("Its configuration holds no telemetry value it can read; it uses its default.")
        )
        self.what_label = bold(
            wrapping_label(
                self.tr("This starts Appsmith in {folder}. Nothing is written.").format(
                    folder=self.deployment.folder
                ),
                select=SELECT_WITH_ANY,
            )
        )
        self.what_label.setAccessibleName(self.tr("What this does"))
        self.reads_label = wrapping_label(reads, select=SELECT_WITH_ANY)
        self.command_view = MonospaceView(
            name=self.tr("The command that runs"),
            text=self.tr("Finding docker compose…"),
            lines=2,
            fixed=True,
        )
        self.progress = ApplyProgress(self, self.deployment.folder)
        self.progress.set_steps(START_STEPS)
        self.progress.hide()
        self.verdict_label = bold(wrapping_label(select=SELECT_WITH_ANY))
        self.verdict_label.setAccessibleName(self.tr("Result"))
        self.verdict_label.hide()

        self.start_button = plain_button(self.tr("&Start Appsmith"), self.tr("Start Appsmith"))
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = plain_button(self.tr("&Cancel"), self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addWidget(self.reads_label)
        layout.addWidget(self.command_view)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.verdict_label)
        layout.addStretch(0)
        layout.addLayout(buttons)
        self.cancel_button.setFocus()
        run_in_thread(restart_tool, parent=self, on_done=self._compose_found, on_error=self._compose_missing)

    @classmethod
    def ask(cls, parent: QWidget | None, status: Status) -> ApplyResult | None:
        """Show the dialog modally; the result of the start, or None when it was not started."""
        dialog = cls(status, parent)
        try:
            dialog.exec()
            return dialog.result_of_start
        finally:
            dialog.deleteLater()

    @classmethod
    def confirm_stop(cls, parent: QWidget) -> bool:
        """Ask before a cancel that leaves Appsmith down; True to stop (patched in tests)."""
        return StopQuestion.ask(parent)

    @property
    def result_of_start(self) -> ApplyResult | None:
        return self._result

    def _compose_found(self, tool: ComposeTool) -> None:
        self.plan = plan_restart(self.deployment, tool)
        start = self.plan.start
        # two lines, as the consent dialog shows commands: the folder, then the command, no side scrolling
        self.command_view.setPlainText(f"cd {shlex.quote(str(start.cwd))}\n{start}")
        self.start_button.setEnabled(True)

    def _compose_missing(self, error: BaseException) -> None:
        message = error.message if isinstance(error, DockerError) else str(error)
        self.command_view.setPlainText(
            self.tr("Starting is not possible here: {message}").format(message=message)
        )

    @Slot()
    def start(self) -> None:
        if self.plan is None or self.runner is not None:
            return
        configured = self.status.configured
        telemetry_on = bool(configured.telemetry_on) if configured is not None else False
        try:  # a big docker.env takes seconds to read: off the GUI thread
            change = prepare_with_progress(
                self,
                self.tr("Start Appsmith"),
                self.tr("Reading {file}…").format(file=self.deployment.env_file),
                functools.partial(
                    offload.for_file, self.deployment.env_file, prepare_change, self.deployment, telemetry_on
                ),
            )
        except (RefusedError, OSError) as error:
            self._say(self.tr("Not started: {error}").format(error=error))
            return
        if change is None:
            return
        runner = ApplyRunner(
            change,
            self.plan,
            parent=self,
            health_timeout=self.health_timeout,
            health_interval=self.health_interval,
        )
        self.runner = runner
        self.progress.show()
        self.resize(self.width(), max(self.height(), 520))
        self.progress.follow(runner)
        runner.finished.connect(self._finished)
        self.start_button.hide()
        self.cancel_button.setText(self.tr("&Cancel"))
        self.cancel_button.setFocus()
        self._say(self.tr("Starting Appsmith…"))
        runner.start_only()

    def _say(self, text: str) -> None:
        self.verdict_label.setText(text)
        self.verdict_label.show()

    @Slot(object)
    def _finished(self, result: ApplyResult) -> None:
        self.progress.finish()
        self._result = result
        mark = "✔" if result.ok else "✘"
        self._say(f"{mark} " + "\n".join([result.message, *result.warnings]))
        self.cancel_button.setText(self.tr("C&lose"))
        self.cancel_button.setEnabled(True)
        self.cancel_button.setFocus()

    def reject(self) -> None:
        """Esc, Cancel and closing: before the start, leave; while it runs, cancel (asking first)."""
        runner = self.runner
        if runner is not None and runner.running:
            if runner.cancel_leaves_down and not type(self).confirm_stop(self):
                return  # keep waiting
            self.cancel_button.setEnabled(False)
            self._say(self.tr("Cancelling: stopping at the safest point…"))
            runner.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner is not None and self.runner.running:
            self.reject()
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if enter_presses_focused(self, event):
            return
        super().keyPressEvent(event)
