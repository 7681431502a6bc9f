"""Backups by what they hold, a Restore dialog that says what it will do and that Enter never confirms,
and the words after a restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from panel.core import audit
from panel.core.backups import (
    Backup,
    Restored,
    create_backup,
    list_backups,
    restore_and_record,
    review_restore,
)
from panel.core.envfile import SwitchState
from panel.core.safewrite import Snapshot, replace_atomically
from panel.gui.backups_view import BackupsView, RestoredDialog, RestoreDialog

ON = b"APPSMITH_ENCRYPTION_PASSWORD=hunter2-not-shown\nAPPSMITH_DISABLE_TELEMETRY=false\n"
OFF = b"APPSMITH_ENCRYPTION_PASSWORD=hunter2-not-shown\nAPPSMITH_DISABLE_TELEMETRY=true\n"
WAIT_MS = 10_000


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / "docker.env"
    path.write_bytes(ON)
    return path


def change(env_file: Path, data: bytes, action: str) -> Path:
    """What the panel does before a change: a backup, the write, the audit entry naming the backup."""
    snapshot = Snapshot.read(env_file)
    backup = create_backup(snapshot)
    replace_atomically(Snapshot.read(env_file), data)
    audit.record(action, env_file, None, None, backup, "ok")
    return backup


def short_local_time(backup: Backup) -> str:
    local = backup.created.astimezone()
    return f"{local.day} {local:%b %H:%M}"


def labels(view: BackupsView) -> list[str]:
    return [view.list.item(row).text() for row in range(view.list.count())]


def test_each_backup_is_labelled_with_what_it_holds_and_why_it_was_taken(
    qtbot: QtBot, env_file: Path
) -> None:
    first = change(env_file, OFF, "disable")  # holds ON
    second = change(env_file, ON, "enable")  # holds OFF
    view = BackupsView()
    qtbot.addWidget(view)
    view.set_env_file(env_file)
    assert view.list.count() == 2
    expected = [
        f"telemetry OFF — saved before Enable, {short_local_time(Backup(second, *_stamp(env_file, second)))}",
        f"telemetry ON — saved before Disable, {short_local_time(Backup(first, *_stamp(env_file, first)))}",
    ]
    qtbot.waitUntil(lambda: labels(view) == expected, timeout=WAIT_MS)
    assert [view.list.item(row).toolTip() for row in range(2)] == [str(second), str(first)]


def _stamp(env_file: Path, path: Path) -> tuple[object, int]:
    [backup] = [backup for backup in list_backups(env_file) if backup.path == path]
    return backup.created, backup.size


def test_a_backup_the_audit_log_does_not_name_says_when_it_was_saved(qtbot: QtBot, env_file: Path) -> None:
    create_backup(Snapshot.read(env_file))
    [backup] = list_backups(env_file)
    view = BackupsView()
    qtbot.addWidget(view)
    view.set_env_file(env_file)
    qtbot.waitUntil(
        lambda: labels(view) == [f"telemetry ON — saved {short_local_time(backup)}"], timeout=WAIT_MS
    )


def test_no_backups_yet_is_never_shown_beside_a_listed_backup(qtbot: QtBot, env_file: Path) -> None:
    view = BackupsView()
    qtbot.addWidget(view)
    view.set_env_file(env_file)
    assert view.list.count() == 0 and view.diff.toPlainText() == "No backups yet."
    change(env_file, OFF, "disable")
    view.reload()
    assert view.list.count() == 1
    assert view.diff.toPlainText() == "Select a backup to see what restoring it would change."
    view.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: "@@" in view.diff.toPlainText(), timeout=WAIT_MS)


def restore_dialog(qtbot: QtBot, env_file: Path) -> RestoreDialog:
    [backup] = list_backups(env_file)
    dialog = RestoreDialog(env_file, backup, review_restore(env_file, backup))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_restore_dialog_says_what_it_will_do(qtbot: QtBot, env_file: Path) -> None:
    change(env_file, OFF, "disable")
    dialog = restore_dialog(qtbot, env_file)
    [backup] = list_backups(env_file)
    assert dialog.summary.text() == (
        f"Put back the backup saved {short_local_time(backup)}? This sets telemetry ON in docker.env; it "
        "takes effect at the next restart. What docker.env holds now (telemetry OFF) is kept as a backup "
        "first. Nothing is restarted."
    )
    assert "hunter2" not in dialog.diff.toPlainText()


def test_a_restore_that_keeps_the_switch_says_so(qtbot: QtBot, env_file: Path) -> None:
    change(env_file, ON.replace(b"hunter2", b"other"), "enable")
    dialog = restore_dialog(qtbot, env_file)
    assert "? Telemetry stays ON: this changes other lines of docker.env." in dialog.summary.text()


def test_the_restore_dialog_has_no_default_button_and_enter_never_restores(
    qtbot: QtBot, env_file: Path
) -> None:
    change(env_file, OFF, "disable")
    dialog = restore_dialog(qtbot, env_file)
    assert [button.text() for button in dialog.findChildren(QPushButton) if button.isDefault()] == []
    assert dialog.focusWidget() is dialog.cancel_button
    for focused in (dialog.cancel_button, dialog.restore_button):
        focused.setFocus()
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            qtbot.keyClick(focused, key)
            assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert [button.text() for button in dialog.findChildren(QPushButton) if button.isDefault()] == []
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def restored_dialog(qtbot: QtBot, restored: Restored) -> RestoredDialog:
    dialog = RestoredDialog(restored)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_after_a_restore_the_words_say_what_changed_and_offer_a_restart(qtbot: QtBot, env_file: Path) -> None:
    change(env_file, OFF, "disable")
    [backup] = list_backups(env_file)
    restored = restore_and_record(env_file, backup)
    assert restored.state is SwitchState.ENABLED
    dialog = restored_dialog(qtbot, restored)
    text = dialog.text.text()
    assert text.startswith(f"docker.env now sets telemetry ON, as it did on {short_local_time(backup)}.")
    assert "kept as a backup" in text
    assert ".backup-" not in text and str(env_file.parent) not in text, "no raw file names"
    assert dialog.restart_button.isVisible() and dialog.later_button.isDefault()
    assert not dialog.restart_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Rejected, "Enter means Later"


def test_restart_to_apply_after_a_restore_is_the_answer(
    qtbot: QtBot, env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    change(env_file, OFF, "disable")
    restored = restore_and_record(env_file, list_backups(env_file)[-1])

    def click_restart(dialog: RestoredDialog) -> QDialog.DialogCode:
        dialog.restart_button.click()
        return QDialog.DialogCode(dialog.result())

    monkeypatch.setattr(RestoredDialog, "exec", click_restart)
    assert RestoredDialog.ask(None, restored) is True


def test_an_invalid_restored_value_offers_no_restart(qtbot: QtBot, env_file: Path) -> None:
    change(env_file, b"APPSMITH_DISABLE_TELEMETRY=maybe\n", "disable")
    change(env_file, OFF, "disable")
    invalid = [backup for backup in list_backups(env_file)][0]
    restored = restore_and_record(env_file, invalid)
    assert restored.state is SwitchState.INVALID
    dialog = restored_dialog(qtbot, restored)
    assert not dialog.restart_button.isVisible() and dialog.later_button.text() == "&Close"
    assert "Fix the switch before Appsmith restarts" in dialog.text.text()


def test_when_the_backups_cannot_be_read_again_the_labels_keep_the_time(
    qtbot: QtBot, env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import panel.gui.backups_view as backups_view

    def unreadable(_file: Path) -> list[object]:
        raise PermissionError(13, "Permission denied")

    create_backup(Snapshot.read(env_file))
    [backup] = list_backups(env_file)
    monkeypatch.setattr(backups_view, "describe_backups", unreadable)
    view = BackupsView()
    qtbot.addWidget(view)
    view.set_env_file(env_file)
    qtbot.waitUntil(lambda: labels(view) == [f"saved {short_local_time(backup)}"], timeout=WAIT_MS)
