"""Make the change as an administrator when this user may not write docker.env: through pkexec, which asks for
an administrator's password (polkit) and runs the panel's own command line as root.

The review comes first, as in the consent dialog: the choice (nothing pre-selected), the masked diff when the
file can be read, and the exact command. Then the command's own output, and what its exit code means.
"""

from __future__ import annotations

import functools
import shlex

from PySide6.QtCore import Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from panel.core import offload
from panel.core.change import prepare_review
from panel.core.docker import CommandResult, DockerError
from panel.core.envfile import TELEMETRY_KEY
from panel.core.invocation import elevated_argv, install_note, system_program
from panel.core.status import Status
from panel.gui.background import prepare_with_progress
from panel.gui.buttons import enter_presses_focused, plain_button
from panel.gui.diff_view import DiffView
from panel.gui.docker_process import DockerProcess
from panel.gui.text_widgets import MonospaceView, wrapping_label

# The panel's exit codes (README), and pkexec's own when the password was not given.
_EXIT_WORDS = {
    0: "Done: the change was made as administrator.",
    1: "Written, but the restart or its verification failed; Appsmith is up. See the output above.",
    3: "Refused: this folder is not an Appsmith deployment.",
    4: "Docker failed (missing, daemon down or compose missing); nothing was written.",
    5: "Refused: nothing was written. See the output above.",
    6: "APPSMITH IS DOWN: the container was removed and did not start again. See the output above.",
    126: "Not done: the administrator password was not given (the request was dismissed). Nothing "
    "was changed.",
    127: "Not done: polkit did not allow it. Nothing was changed.",
}


class ElevatedChangeDialog(QDialog):
    """Review, then run `pkexec <panel> disable|enable <folder> --restart --yes` and show what it printed."""

    def __init__(self, status: Status, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.status = status
        self.folder = status.deployment.folder
        self.process: DockerProcess | None = None
        self.result_code: int | None = None
        self.setWindowTitle(self.tr("Change as administrator"))
        intro = wrapping_label(
            self.tr(
                "This user may not change {file}. An administrator can make the change: pkexec asks for an "
                "administrator's password, then runs the command below as root. It writes the file (with a "
                "backup) and recreates the Appsmith container, unless this user could change the compose "
                "file: then it says who must recreate it."
            ).format(file=status.deployment.env_file)
        )
        self.disable_choice = QRadioButton(
            self.tr("&Disable telemetry (write {key}=true)").format(key=TELEMETRY_KEY)
        )
        self.enable_choice = QRadioButton(
            self.tr("&Enable telemetry (write {key}=false)").format(key=TELEMETRY_KEY)
        )
        self.choices = QButtonGroup(self)
        for button in (self.disable_choice, self.enable_choice):
            button.setAccessibleName(button.text().replace("&", ""))
            self.choices.addButton(button)
        self.choices.buttonClicked.connect(self._chosen)
        self.what_label = wrapping_label(
            self.tr("Choose what the administrator's command does."), name=self.tr("What this does")
        )
        self.diff_view = DiffView(name=self.tr("Difference in docker.env, secrets masked"), lines=5)
        self.diff_view.setPlainText(self.tr("Choose above to see what changes."))
        self.command_view = MonospaceView(name=self.tr("The command that runs"), lines=1)
        self.output_view = MonospaceView(name=self.tr("Output of the command"), lines=6)
        self.verdict = wrapping_label(name=self.tr("Result"))
        self.run_button = plain_button(
            self.tr("&Run as administrator"), self.tr("Run the command as administrator")
        )
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.run)
        self.close_button = plain_button(self.tr("&Close"), self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.disable_choice)
        layout.addWidget(self.enable_choice)
        layout.addWidget(self.what_label)
        layout.addWidget(QLabel(self.tr("What changes:")))
        layout.addWidget(self.diff_view)
        layout.addWidget(QLabel(self.tr("The exact command:")))
        layout.addWidget(self.command_view)
        layout.addWidget(QLabel(self.tr("Output:")))
        layout.addWidget(self.output_view, 1)
        layout.addWidget(self.verdict)
        layout.addLayout(buttons)
        self.resize(720, 560)

    @classmethod
    def ask(cls, parent: QWidget | None, status: Status) -> int | None:
        """Show the dialog modally; the command's exit code, or None when it did not run."""
        dialog = cls(status, parent)
        try:
            dialog.exec()
            return dialog.result_code
        finally:
            dialog.deleteLater()

    @property
    def telemetry_on(self) -> bool | None:
        checked = self.choices.checkedButton()
        return None if checked is None else checked is self.enable_choice

    def argv(self) -> list[str]:
        assert self.telemetry_on is not None
        return elevated_argv(self.telemetry_on, self.folder)

    @Slot()
    def _chosen(self) -> None:
        telemetry_on = self.telemetry_on
        assert telemetry_on is not None
        deployment = self.status.deployment
        self.what_label.setText(
            self.tr(
                "This turns telemetry {on_off} and recreates the {service} container "
                "(about a minute of downtime)."
            ).format(
                on_off=self.tr("ON") if telemetry_on else self.tr("OFF"), service=deployment.server_service
            )
        )
        review = prepare_with_progress(
            self,
            self.tr("Change as administrator"),
            self.tr("Reading {file} and preparing the change…").format(file=deployment.env_file),
            functools.partial(
                offload.for_file,
                deployment.env_file,
                prepare_review,
                deployment,
                telemetry_on,
                by_this_user=False,
            ),
        )
        if review is not None and review.change is not None:
            self.diff_view.setPlainText(
                review.diff
                or self.tr("docker.env already has this value; the command only recreates the container.")
            )
        else:
            self.diff_view.setPlainText(
                self.tr(
                    "docker.env cannot be read by this user, so the change cannot be shown line by line: the "
                    "command sets {key}={value} and keeps every other line as it is."
                ).format(key=TELEMETRY_KEY, value="false" if telemetry_on else "true")
            )
        if system_program() is None:
            # root must run only a program that root alone can change: say how to put one in place instead
            self.command_view.setPlainText(install_note() or "")
            self.run_button.setEnabled(False)
            return
        self.command_view.setPlainText(shlex.join(self.argv()))
        self.run_button.setEnabled(self.process is None)

    @Slot()
    def run(self) -> None:
        if self.process is not None or self.telemetry_on is None or system_program() is None:
            return
        for widget in (self.run_button, self.disable_choice, self.enable_choice, self.close_button):
            widget.setEnabled(False)
        self.verdict.setText(
            self.tr("Running as administrator… (it cannot be stopped from here: it runs as root)")
        )
        process = DockerProcess(self.argv(), parent=self, merge_output=True)
        self.process = process
        process.output.connect(self.output_view.appendPlainText)
        process.finished.connect(self._finished)
        process.failed.connect(self._failed)
        process.start()

    @Slot(object)
    def _finished(self, result: CommandResult) -> None:
        self.result_code = result.returncode
        words = _EXIT_WORDS.get(
            result.returncode, "The command ended with exit code {code}; see the output above."
        )
        if result.returncode == 0 and "Not restarted: " in self.output_view.toPlainText():
            words = (
                "Written as administrator, but not restarted: this user can change the compose file, so root "
                "does not run it. Recreate the container as the output above says."
            )
        self.verdict.setText(self.tr(words).format(code=result.returncode))
        self.close_button.setEnabled(True)
        self.close_button.setFocus()

    @Slot(object)
    def _failed(self, error: DockerError) -> None:
        self.verdict.setText(self.tr("Not done: {message}").format(message=error.message))
        self.close_button.setEnabled(True)

    def reject(self) -> None:
        if self.process is not None and self.process.running:
            return  # running as root: this user could not stop it, and it ends by itself (timeouts)
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if enter_presses_focused(self, event):  # no default button: Enter presses the focused one only
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.process is not None and self.process.running:
            event.ignore()
            return
        super().closeEvent(event)
