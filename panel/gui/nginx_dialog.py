"""Consent for the legacy nginx fix: what the line does for which browser builds, the exact lines to add and
the explicit docker.env value that goes with them, then write with backups."""

from __future__ import annotations

import functools

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from panel.core import offload
from panel.core.change import RefusedError
from panel.core.deployment import Deployment
from panel.core.nginx_fix import NginxFix, prepare_nginx_fix, record_nginx_fix, write_nginx_fix
from panel.gui.background import prepare_with_progress, write_with_progress
from panel.gui.buttons import clear_default_buttons, enter_presses_focused
from panel.gui.diff_view import DiffView
from panel.gui.text_widgets import wrapping_label


class NginxFixDialog(QDialog):
    def __init__(self, fix: NginxFix, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fix = fix
        self.setWindowTitle(self.tr("Fix the nginx template"))
        changes = []
        if fix.changes_template:
            changes.append(self.tr("{} gets the missing sub_filter lines.").format(fix.path))
        if fix.env_change is not None:
            changes.append(
                self.tr(
                    "{} gets an explicit APPSMITH_DISABLE_TELEMETRY=true (the server's own default), so "
                    "nginx never substitutes an empty value, which some browser builds read as enabled."
                ).format(fix.env_change.deployment.env_file)
            )
        self.what_label = wrapping_label(
            self.tr(
                "This adds the missing lines to the nginx template{}; nothing restarts until nginx is "
                "recreated."
            ).format(self.tr(" and writes the switch to docker.env") if fix.env_change is not None else ""),
            self,
        )
        text = wrapping_label(
            str(fix.check)
            + "\n\n"
            + " ".join(changes)
            + " "
            + self.tr("Each file is backed up first; the containers must be recreated afterwards."),
            self,
        )
        diff = DiffView(self, name=self.tr("Changes to write"), text=fix.diff())
        buttons = QDialogButtonBox(self)
        self.write_button = buttons.addButton(
            self.tr("&Write the changes"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        clear_default_buttons(self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addWidget(text)
        layout.addWidget(diff, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if enter_presses_focused(self, event):  # no default button: Enter presses the focused one only
            return
        super().keyPressEvent(event)

    @classmethod
    def ask(cls, parent: QWidget | None, deployment: Deployment) -> bool:
        try:  # reads docker.env too, which may be big: off the GUI thread
            fix = prepare_with_progress(
                parent,
                cls.tr_static("Fix the template"),
                cls.tr_static("Reading {file}…").format(file=deployment.env_file),
                functools.partial(offload.for_file, deployment.env_file, prepare_nginx_fix, deployment),
            )
        except (RefusedError, OSError) as error:
            QMessageBox.warning(parent, cls.tr_static("Cannot fix the template"), str(error))
            return False
        if fix is None or not fix.changes_file:
            return False
        if cls(fix, parent).exec() != QDialog.DialogCode.Accepted:
            return False
        try:  # backups and copies written and synced: off the GUI thread
            written = write_with_progress(
                parent,
                cls.tr_static("Fix the template"),
                cls.tr_static("Writing {file}…").format(file=fix.path.name),
                functools.partial(write_nginx_fix, fix),
            )
        except (RefusedError, OSError, RuntimeError) as error:
            QMessageBox.critical(parent, cls.tr_static("Nothing was written"), str(error))
            return False
        for warning in record_nginx_fix(fix, written) if written is not None else []:
            QMessageBox.warning(parent, cls.tr_static("Written, but not recorded"), warning)
        return True

    @staticmethod
    def tr_static(text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("NginxFixDialog", text)
