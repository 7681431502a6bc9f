"""Backups of docker.env: list them by what each holds ("telemetry ON — saved before Disable, 30 Nov 09:12"),
see what each would change (secrets masked), and restore one."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
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

from panel.core import offload
from panel.core.backups import (
    KEEP_BACKUPS,
    Backup,
    BackupContents,
    Restored,
    RestoreReview,
    describe_backups,
    list_backups,
    restore_preview,
    review_restore,
)
from panel.core.envfile import SwitchState
from panel.gui.background import prepare_with_progress
from panel.gui.diff_view import DiffView
from panel.gui.text_widgets import wrapping_label
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui")


def _tr(text: str) -> str:
    return QCoreApplication.translate("backups_view", text)


def state_words(state: SwitchState | None) -> str:
    """The switch as a person reads it, the same words in the list, the Restore dialog and after a restore."""
    words = {
        SwitchState.ENABLED: _tr("telemetry ON"),
        SwitchState.DISABLED: _tr("telemetry OFF"),
        SwitchState.UNSET: _tr("telemetry OFF (the switch is not set)"),
        SwitchState.INVALID: _tr("an invalid value (Appsmith cannot read it)"),
    }
    return words.get(state, _tr("unreadable")) if state is not None else _tr("unreadable")


def _when(backup: Backup) -> str:
    """Local time, short: "30 Nov 09:12" (with the year when it is not this one)."""
    local = backup.created.astimezone()
    shown = f"{local.day} {local:%b %H:%M}"
    return shown if local.year == datetime.now().astimezone().year else f"{shown} {local.year}"


def _before_words(action: str | None) -> str | None:
    return {
        "disable": _tr("saved before Disable"),
        "enable": _tr("saved before Enable"),
        "restore": _tr("saved before a restore"),
    }.get(action or "")


def backup_label(contents: BackupContents) -> str:
    """ "telemetry ON — saved before Disable, 30 Nov 09:12"; a backup the audit log does not name says only
    when it was saved."""
    before = _before_words(contents.saved_before)
    when = _when(contents.backup)
    saved = f"{before}, {when}" if before else _tr("saved {when}").format(when=when)
    return f"{state_words(contents.state)} — {saved}"


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
        self.list.setWordWrap(True)  # a label says what the backup holds: wrapped, never cut
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        body.addWidget(self.list, 2)
        body.addLayout(right, 3)
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
            # What it holds is read from the file in a worker; until then, when it was saved.
            item = QListWidgetItem(self.tr("saved {when} — reading…").format(when=_when(backup)))
            item.setData(Qt.ItemDataRole.UserRole, backup)
            item.setToolTip(str(backup.path))
            self.list.addItem(item)
            if backup.path == selected:
                self.list.setCurrentItem(item)
        if not backups:
            self.diff.setPlainText(self.tr("No backups yet."))
            self.restore.setEnabled(False)
        elif self.list.currentItem() is None:
            self.diff.setPlainText(self.tr("Select a backup to see what restoring it would change."))
        if backups and self.env_file is not None:
            run_in_thread(
                offload.for_file,
                self.env_file,
                describe_backups,
                self.env_file,
                parent=self,
                on_done=functools.partial(self._described, self.env_file),
                on_error=self._not_described,
            )

    def _not_described(self, error: BaseException) -> None:
        """The folder could not be read again (removed, permissions changed): the labels keep the time."""
        log.warning("could not read what the backups hold: %s", error)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setText(item.text().removesuffix(self.tr(" — reading…")))

    def _described(self, env_file: Path, described: list[BackupContents]) -> None:
        """Label each listed backup with what it holds; a description of another file (the deployment changed
        meanwhile) is dropped."""
        if env_file != self.env_file:
            return
        by_path = {contents.backup.path: contents for contents in described}
        for row in range(self.list.count()):
            item = self.list.item(row)
            contents = by_path.get(item.data(Qt.ItemDataRole.UserRole).path)
            if contents is not None:
                item.setText(backup_label(contents))

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


def restore_words(review: RestoreReview) -> str:
    """What a restore will do, in words: the switch it sets and when that takes effect."""
    if review.restores is None:
        return _tr("The backup could not be read, so what it sets is unknown; see below.")
    if review.restores is SwitchState.INVALID:
        sets = _tr(
            "This puts back a docker.env whose telemetry switch Appsmith cannot read: Appsmith would fail to "
            "start with it."
        )
    elif review.now is not None and review.now.telemetry_on == review.restores.telemetry_on:
        sets = _tr("Telemetry stays {state}: this changes other lines of docker.env.").format(
            state=state_words(review.restores).removeprefix(_tr("telemetry") + " ")
        )
    else:
        sets = _tr("This sets {state} in docker.env; it takes effect at the next restart.").format(
            state=state_words(review.restores)
        )
    now = (
        _tr("What docker.env holds now ({state}) is kept as a backup first.").format(
            state=state_words(review.now)
        )
        if review.now is not None
        else _tr("docker.env does not exist now; this brings it back.")
    )
    return f"{sets} {now} {_tr('Nothing is restarted.')}"


class RestoreDialog(QDialog):
    """Consent for a restore: says in words what it will do and shows exactly what would change (secrets
    masked). No button is the default: Enter never restores, only a click, Space on it or Alt+R."""

    def __init__(
        self, env_file: Path, backup: Backup, review: RestoreReview | str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if isinstance(review, str):  # a bare preview: what it sets is not known
            review = RestoreReview(review, None, None)
        self.review = review
        self.setWindowTitle(self.tr("Restore a backup of docker.env"))
        question = self.tr("Put back the backup saved {when}?").format(when=_when(backup))
        self.summary = wrapping_label(f"{question} {restore_words(review)}", self)
        self.summary.setObjectName("restoreSummary")
        diff = DiffView(self, name=self.tr("What restoring would change (secrets masked)"))
        diff.setPlainText(review.preview)
        self.diff = diff
        buttons = QDialogButtonBox(self)
        # Not AcceptRole: QDialogButtonBox makes its first accept button the default when shown.
        self.restore_button = buttons.addButton(self.tr("&Restore"), QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in (self.restore_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.restore_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(diff, 1)
        layout.addWidget(buttons)
        self.cancel_button.setFocus()
        self.resize(720, 460)

    @classmethod
    def ask(cls, parent: QWidget | None, env_file: Path, backup: Backup) -> bool:
        """The review is prepared off the GUI thread first (a busy bar with Cancel if it takes a while)."""
        review = prepare_with_progress(
            parent,
            QCoreApplication.translate("RestoreDialog", "Restore a backup of docker.env"),
            QCoreApplication.translate("RestoreDialog", "Reading the backup and {file}…").format(
                file=env_file.name
            ),
            functools.partial(_review_or_error, env_file, backup),
        )
        if review is None:
            return False
        dialog = cls(env_file, backup, review, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()


class RestoredDialog(QDialog):
    """After a restore: what changed, in words (no file names), and Restart to apply (through the consent
    dialog) or Later. Later is the default: Enter never starts a restart."""

    def __init__(self, restored: Restored, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Backup restored"))
        self.can_restart = restored.state in (SwitchState.ENABLED, SwitchState.DISABLED)
        parts = [
            self.tr("docker.env now sets {state}, as it did {before}.").format(
                state=state_words(restored.state), before=_when_words(restored)
            )
        ]
        if self.can_restart:
            parts.append(
                self.tr(
                    "Appsmith goes on with what it read at its last start until its containers are "
                    "recreated. Restart to apply does that now, after you review the commands; Later leaves "
                    "it for the next restart."
                )
            )
        else:
            parts.append(
                self.tr("Fix the switch before Appsmith restarts: it reads this file when it starts.")
            )
        if restored.safety is not None:
            parts.append(self.tr("What docker.env held before the restore is kept as a backup."))
        if restored.audit_warning:
            parts.append(restored.audit_warning)
        self.text = wrapping_label(" ".join(parts), self)
        self.text.setObjectName("restoredText")
        buttons = QDialogButtonBox(self)
        self.restart_button = buttons.addButton(
            self.tr("&Restart to apply…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.restart_button.setVisible(self.can_restart)
        self.restart_button.setAutoDefault(False)
        self.restart_button.clicked.connect(self.accept)
        self.later_button = buttons.addButton(
            self.tr("&Later") if self.can_restart else self.tr("&Close"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.later_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @classmethod
    def ask(cls, parent: QWidget | None, restored: Restored) -> bool:
        """True when the person chose Restart to apply."""
        dialog = cls(restored, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted and dialog.can_restart
        finally:
            dialog.deleteLater()


def _when_words(restored: Restored) -> str:
    return _tr("on {when}").format(when=_when(restored.backup))


def _review_or_error(env_file: Path, backup: Backup) -> RestoreReview:
    """What restoring would do, or why it cannot be read (as the preview, with nothing known)."""
    try:
        return offload.for_file(env_file, review_restore, env_file, backup)
    except OSError as error:
        return RestoreReview(_tr("Cannot read: ") + str(error), None, None)


def _preview_or_error(env_file: Path, backup: Backup) -> str:
    """What restoring would change (masked), or why it cannot be read."""
    try:
        return offload.for_file(env_file, restore_preview, env_file, backup)
    except OSError as error:
        return QCoreApplication.translate("RestoreDialog", "Cannot read: ") + str(error)
