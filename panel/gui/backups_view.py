"""Backups of docker.env: list them, see what each would change (secrets masked), and restore one."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from panel.core.backups import KEEP_BACKUPS, Backup, list_backups, restore_preview
from panel.gui.background import prepare_with_progress
from panel.gui.diff_view import DiffView
from panel.gui.text_widgets import wrapping_label
from panel.gui.worker import run_in_thread


class BackupsView(QWidget):
    restore_requested = Signal(object)
    """Carries the chosen `Backup`; the main window asks for consent and restores."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env_file: Path | None = None
        self.intro = wrapping_label(
            self.tr(
                f"A backup of docker.env is taken before every change the panel makes, beside the file; the "
                f"newest {KEEP_BACKUPS} are kept. Select one to see what restoring it would change."
            ),
            self,
        )
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Backups"))
        self.diff = DiffView(self, name=self.tr("What restoring would change (secrets masked)"))
        self.restore = QPushButton(self.tr("Restore this backup…"), self)
        self.restore.setAccessibleName(self.tr("Restore this backup"))
        self.restore.setEnabled(False)
        self.restore.clicked.connect(self._restore_clicked)
        self.list.currentItemChanged.connect(self._show_selected)
        right = QVBoxLayout()
        right.addWidget(self.diff, 1)
        right.addWidget(self.restore, 0, Qt.AlignmentFlag.AlignRight)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(body, 1)
        self.read_only = False

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.restore.setVisible(not read_only)

    def set_env_file(self, env_file: Path | None) -> None:
        self.env_file = env_file
        self.reload()

    def reload(self) -> None:
        selected = (
            self.list.currentItem().data(Qt.ItemDataRole.UserRole).path if self.list.currentItem() else None
        )
        self.list.clear()
        backups = list_backups(self.env_file) if self.env_file else []
        for backup in backups:
            item = QListWidgetItem(f"{backup.created:%Y-%m-%d %H:%M:%S} UTC  ·  {backup.size} bytes")
            item.setData(Qt.ItemDataRole.UserRole, backup)
            item.setToolTip(str(backup.path))
            self.list.addItem(item)
            if backup.path == selected:
                self.list.setCurrentItem(item)
        if not backups:
            self.diff.setPlainText(self.tr("No backups yet."))
            self.restore.setEnabled(False)

    def _selected(self) -> Backup | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show_selected(self) -> None:
        backup = self._selected()
        self.restore.setEnabled(backup is not None)
        if backup is None or self.env_file is None:
            return
        # Reading and masking two versions of a big file takes seconds: off the GUI thread; a preview that
        # arrives after another backup was selected is dropped.
        self.diff.setPlainText(self.tr("Reading {name}…").format(name=backup.path.name))
        run_in_thread(
            _preview_or_error,
            self.env_file,
            backup,
            parent=self,
            on_done=functools.partial(self._preview_ready, backup),
        )

    def _preview_ready(self, backup: Backup, text: str) -> None:
        if self._selected() == backup:
            self.diff.setPlainText(text)

    def _restore_clicked(self) -> None:
        backup = self._selected()
        if backup is not None and not self.read_only:
            self.restore_requested.emit(backup)


class RestoreDialog(QDialog):
    """Consent for a restore: shows exactly what would change (secrets masked); nothing is pre-selected."""

    def __init__(self, env_file: Path, backup: Backup, preview: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Restore a backup of docker.env"))
        text = wrapping_label(
            self.tr(
                "Put {} back over {}? What is there now is backed up first. Appsmith reads the restored file "
                "when its containers are recreated."
            ).format(backup.path.name, env_file),
            self,
        )
        diff = DiffView(self, name=self.tr("What restoring would change (secrets masked)"))
        diff.setPlainText(preview)
        buttons = QDialogButtonBox(self)
        restore = buttons.addButton(self.tr("Restore"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in (restore, cancel):
            button.setAutoDefault(False)
            button.setDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(diff, 1)
        layout.addWidget(buttons)
        self.resize(720, 460)

    @classmethod
    def ask(cls, parent: QWidget | None, env_file: Path, backup: Backup) -> bool:
        """The preview is prepared off the GUI thread first (a busy bar with Cancel if it takes a while)."""
        preview = prepare_with_progress(
            parent,
            QCoreApplication.translate("RestoreDialog", "Restore a backup of docker.env"),
            QCoreApplication.translate("RestoreDialog", "Reading {name} and {file}…").format(
                name=backup.path.name, file=env_file.name
            ),
            functools.partial(_preview_or_error, env_file, backup),
        )
        if preview is None:
            return False
        return cls(env_file, backup, preview, parent).exec() == QDialog.DialogCode.Accepted


def _preview_or_error(env_file: Path, backup: Backup) -> str:
    """What restoring would change (masked), or why it cannot be read."""
    try:
        return restore_preview(env_file, backup)
    except OSError as error:
        return QCoreApplication.translate("RestoreDialog", "Cannot read: ") + str(error)
