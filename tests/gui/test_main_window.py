"""The main window end to end: the verdict in words and icon for every state, the three layers and which one
decides, the actions each state offers, consent before any change, read-only, backups, activity, the payload
catalog, the legacy nginx fix, the picker and what the window remembers.

Most tests run against the demo (a simulated docker, `panel/demo`); the ones that need no running instance use
the fixture deployments with a fake `docker` that answers "daemon down", so no real engine is ever asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from panel import APP_NAME, ORGANIZATION, __version__
from panel.core import audit
from panel.core.backups import Restored, list_backups
from panel.core.deployment import load_deployment
from panel.core.docker import DockerError, DockerProblem
from panel.core.envfile import EnvText, SwitchState
from panel.core.invocation import admin_commands, elevation_offered
from panel.core.nginx import SUB_FILTER_LINE
from panel.core.restart import ComposeTool, plan_restart
from panel.core.status import RunningState, Status, Verdict, assemble, nginx_check, read_file_state
from panel.gui import settings
from panel.gui.backups_view import RestoredDialog, RestoreDialog
from panel.gui.consent_dialog import ConsentDialog
from panel.gui.icons import verdict_icon
from panel.gui.main_window import MainWindow
from panel.gui.nginx_dialog import NginxFixDialog
from panel.gui.start_dialog import StartDialog
from panel.gui.status_header import ICON_SIZE
from panel.gui.wizard import FirstRunWizard
from tests.conftest import SECRET_VALUES, FakeBin, assert_no_secret, write_single_deployment
from tests.gui.conftest import DEMO_SECRETS, DemoFixture, all_widget_text
from tests.wording import wording_problems

pytestmark = pytest.mark.usefixtures("app_settings")

RUN_MS = 60000
"""Generous: a loaded CI machine is slow, and every wait ends as soon as its condition holds."""
WATCH_MS = 15000
"""The file watcher must notice an edit within this (it takes well under a second, more on a loaded machine);
the refresh timer is set far beyond it, so only the watcher can make the window see the edit in time."""
NEVER = 3600.0
"""A refresh interval no test outlives: what changes then was caused by the file watcher or by the window."""

CHANGING_WORDS = re.compile(
    r"\b(disable|enable|restart|restore|fix|apply|change|wizard|add the lines)\b", re.IGNORECASE
)

TITLE_ON = "Telemetry is ON — Appsmith receives usage data from this instance"
TITLE_OFF = "Telemetry is OFF — some contacts remain: see Blocked hosts"
TITLE_PENDING = "Restart pending — telemetry is ON now, OFF after the next start"
TITLE_INVALID = "Invalid value — Appsmith cannot read the setting"
TITLE_UNKNOWN = "State unknown"
TITLE_ON_UNCONFIRMED = "Telemetry is set ON in docker.env — not confirmed by the running instance"
CONFIRMED = "✔ Confirmed by the running instance"

OpenWindow = Callable[..., MainWindow]


# --- fixtures
# -------------------------------------------------------------------------------------------------


@pytest.fixture
def open_window(qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]) -> Iterator[OpenWindow]:
    """`open_window(folder, read_only=False, remember=True, interval=0.2)`: a shown MainWindow on `folder`.

    Depends on the demo factory so that every window is closed (its docker calls ended) before a demo stops.
    """
    windows: list[MainWindow] = []

    def make(
        folder: Path | None = None, *, read_only: bool = False, remember: bool = True, interval: float = 0.2
    ) -> MainWindow:
        window = MainWindow(read_only=read_only, remember=remember)
        qtbot.addWidget(window)
        windows.append(window)
        window.refresher.set_interval(interval)
        window.show()
        if folder is not None:
            assert window.open_deployment(folder)
        return window

    yield make
    for window in windows:
        window.close()


# --- helpers
# --------------------------------------------------------------------------------------------------


def wait_title(
    qtbot: QtBot, window: MainWindow, title: str, timeout: int = RUN_MS, confirmed: bool = False
) -> None:
    """Until the header says `title` (and, with `confirmed`, that the running instance confirms it)."""

    def shows() -> None:
        assert window.header.title.text() == title
        assert not confirmed or window.header.verified.text() == CONFIRMED

    qtbot.waitUntil(shows, timeout=timeout)


def layer_rows(layer: QWidget) -> dict[str, str]:
    form = layer.form  # type: ignore[attr-defined]
    rows = {}
    for row in range(form.rowCount()):
        from PySide6.QtWidgets import QFormLayout

        name = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        value = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
        assert isinstance(name, QLabel) and isinstance(value, QLabel)
        rows[name.text()] = value.text()
    return rows


def deciding(window: MainWindow) -> list[str]:
    layers = window.layers
    return [
        name
        for name, layer in (
            ("file", layers.file_layer),
            ("override", layers.override_layer),
            ("running", layers.running_layer),
        )
        if "◀ decides" in layer.title()
    ]


def visible_actions(window: MainWindow) -> set[str]:
    buttons = {
        "disable": window.disable_button,
        "enable": window.enable_button,
        "restart": window.restart_button,
        "revert": window.revert_button,
        "start": window.start_button,
        "restore": window.restore_button,
    }
    return {name for name, button in buttons.items() if button.isVisibleTo(window)}


def assert_icon(window: MainWindow, verdict: Verdict) -> None:
    """The header icon is this verdict's (its shape, compared as an image) and says it in words."""
    icon = window.header.icon
    assert icon.accessibleName() == verdict.label
    assert icon.toolTip() == verdict.label
    expected = verdict_icon(verdict).pixmap(ICON_SIZE, ICON_SIZE).toImage()
    assert icon.pixmap().toImage() == expected


def assert_no_secret_shown(window: MainWindow) -> None:
    text = all_widget_text(window)
    assert_no_secret(text)
    for secret in DEMO_SECRETS:
        assert secret not in text


def set_switch(env_file: Path, value: str) -> None:
    """Edit the switch in place, as an editor that rewrites the file would."""
    text = env_file.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^APPSMITH_DISABLE_TELEMETRY=.*$", f"APPSMITH_DISABLE_TELEMETRY={value}", text)
    assert edited != text
    env_file.write_text(edited, encoding="utf-8")


def recreate(folder: Path) -> None:
    """Remove and start the containers with the (simulated) docker on PATH, as an operator would."""
    plan = plan_restart(load_deployment(folder), ComposeTool.V2)
    for command in plan.commands:
        completed = subprocess.run(
            list(command.argv),
            cwd=command.cwd,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr


def cell(table: Any, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, (row, column)
    return str(item.text())


def recorder(into: list[Any], answer: Any = None) -> Any:
    """A classmethod replacing a dialog's `ask`: records its arguments, returns `answer`."""

    def ask(cls: type, *args: Any) -> Any:
        into.append(args)
        return answer

    return classmethod(ask)


def window_words(window: MainWindow) -> str:
    """Every sentence the window shows outside its tabs: header, banners, buttons, menus."""
    header = window.header
    labels = [header.title, header.verified, header.detail, header.reason, header.advice]
    labels += [window.lock_banner.text, window.demo_banner.text]
    texts = [label.text() for label in labels if label.isVisibleTo(window)]
    texts += [button.text() for button in window.findChildren(QPushButton) if button.isVisibleTo(window)]
    texts += [action.text() for action in window.findChildren(QAction) if action.isVisible()]
    return "\n".join(texts)


def switch_in(env_file: Path) -> SwitchState:
    return EnvText.parse(env_file.read_bytes()).reading().state


# --- the verdict of each state
# ----------------------------------------------------------------------------------


def test_enabled_and_confirmed(qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow) -> None:
    window = open_window(demo_deployment.session.folder)
    assert window.windowTitle() == f"appsmith-demo — {APP_NAME}"
    wait_title(qtbot, window, TITLE_ON)
    assert_icon(window, Verdict.ENABLED)
    assert window.header.verified.isVisibleTo(window) and window.header.verified.text() == CONFIRMED
    assert not window.header.advice.isVisibleTo(window), "a healthy state asks nothing"
    assert wording_problems(window_words(window)) == []
    assert "public IP address, the instance id and hashed email addresses" in window.header.detail.text()
    file_rows = layer_rows(window.layers.file_layer)
    assert file_rows["Value"].startswith("APPSMITH_DISABLE_TELEMETRY=false (line ")
    assert file_rows["Means"] == "telemetry on"
    assert file_rows["Writable"] == "yes"
    assert file_rows["Path"] == str(demo_deployment.env_file)
    override = layer_rows(window.layers.override_layer)
    assert override == {
        "Override": "none — docker-compose.yml does not set APPSMITH_DISABLE_TELEMETRY, so docker.env decides"
    }
    running = layer_rows(window.layers.running_layer)
    assert running["Image"] == "index.docker.io/appsmith/appsmith-ce:v1.50 (Community Edition)"
    assert running["Server says"].startswith("telemetry on")
    assert running["Version"] == "v1.50-demo"
    assert deciding(window) == ["file"]
    assert visible_actions(window) == {"disable"}
    assert not window.lock_banner.isVisibleTo(window) and not window.read_only
    assert not window.layers.nginx_box.isVisibleTo(window), "single container: no nginx template"
    assert window.checked_label.text().startswith("Last checked ")
    assert_no_secret_shown(window)


def test_disabled_after_a_recreate(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    set_switch(demo_deployment.env_file, "true")
    recreate(demo_deployment.session.folder)
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_OFF)
    assert_icon(window, Verdict.DISABLED)
    assert window.header.verified.text() == CONFIRMED
    assert layer_rows(window.layers.file_layer)["Means"] == "telemetry off"
    assert layer_rows(window.layers.running_layer)["Server says"].startswith("telemetry off")
    assert deciding(window) == ["file"]
    assert visible_actions(window) == {"enable"}


def test_an_edit_on_disk_is_noticed_by_itself_and_says_restart_pending(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_ON)
    window.refresher.set_interval(NEVER)
    qtbot.waitUntil(lambda: not window.refresher.busy, timeout=RUN_MS)
    refreshes: list[Status] = []
    window.refresher.refreshed.connect(refreshes.append)

    set_switch(demo_deployment.env_file, "true")  # no refresh asked: the watcher must see it
    wait_title(qtbot, window, TITLE_PENDING, timeout=WATCH_MS)
    assert refreshes, "the header changed without a refresh"
    assert_icon(window, Verdict.PENDING_RESTART)
    assert "still has it on" in window.header.reason.text()
    # what runs now is confirmed (the server reports it); "not confirmed" would contradict "Server says"
    assert window.header.verified.text() == "✔ The running instance reports telemetry ON now"
    assert layer_rows(window.layers.file_layer)["Means"] == "telemetry off"
    assert layer_rows(window.layers.running_layer)["Server says"].startswith("telemetry on")
    assert deciding(window) == ["running"]
    assert visible_actions(window) == {"restart", "revert", "enable"}
    assert window.restart_button.text() == "Restart to a&pply…"
    assert "Revert writes back the value in effect" in window.header.advice.text()
    assert wording_problems(window_words(window)) == []

    # An editor that saves by replacing the file (a new inode) is noticed as well.
    replacement = demo_deployment.env_file.with_name("docker.env.tmp")
    replacement.write_bytes(
        demo_deployment.env_file.read_bytes().replace(
            b"APPSMITH_DISABLE_TELEMETRY=true", b"APPSMITH_DISABLE_TELEMETRY=false"
        )
    )
    os.replace(replacement, demo_deployment.env_file)
    wait_title(qtbot, window, TITLE_ON, timeout=WATCH_MS)
    assert visible_actions(window) == {"disable"}


def test_a_compose_override_decides_and_no_switch_is_offered(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    compose = demo_deployment.session.folder / "docker-compose.yml"
    compose.write_text(
        compose.read_text(encoding="utf-8").replace(
            "    image:", '    environment:\n      APPSMITH_DISABLE_TELEMETRY: "true"\n    image:', 1
        ),
        encoding="utf-8",
    )
    recreate(demo_deployment.session.folder)
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, "Overridden by the compose file — telemetry is off", confirmed=True)
    assert_icon(window, Verdict.OVERRIDDEN)
    assert window.header.verified.text() == CONFIRMED
    assert "docker.env is ignored for this variable" in window.header.reason.text()
    override = layer_rows(window.layers.override_layer)
    assert override["Value"] == "APPSMITH_DISABLE_TELEMETRY=true → telemetry off"
    assert override["Effect"] == "this wins over docker.env: editing docker.env changes nothing"
    assert layer_rows(window.layers.file_layer)["Means"] == "telemetry on", "the file still says on"
    assert layer_rows(window.layers.running_layer)["Server says"].startswith("telemetry off")
    assert deciding(window) == ["override"]
    assert visible_actions(window) == set()


def test_an_invalid_value(qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow) -> None:
    set_switch(demo_deployment.env_file, "maybe")
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_INVALID)
    assert_icon(window, Verdict.INVALID)
    assert "cannot read as true or false" in window.header.reason.text()
    assert "maybe" not in window.header.reason.text()  # an invalid value may have swallowed a secret
    assert not window.header.verified.isVisibleTo(window)
    rows = layer_rows(window.layers.file_layer)
    assert rows["Value"].startswith("APPSMITH_DISABLE_TELEMETRY=invalid (hidden) (line ")
    assert rows["Means"] == "not a valid true/false value"
    assert deciding(window) == ["file"]
    assert visible_actions(window) == {"disable", "enable"}


def test_a_missing_file_is_unknown_and_the_running_instance_decides(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    demo_deployment.env_file.unlink()
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_UNKNOWN)

    # the demo may still be booting at the first refresh: the server's own answer comes with a later one
    def server_answered() -> bool:
        if "The running instance has telemetry on" in window.header.reason.text():
            return True
        window.refresh()
        # a bool, not None: pytest-qt treats a None-returning callback as an assertion that passed
        return False

    qtbot.waitUntil(server_answered, timeout=30_000)
    reason = window.header.reason.text()  # read before anything else lets a later refresh repaint it
    verified_shown = window.header.verified.isVisibleTo(window)
    assert "does not exist yet" in reason
    assert "The running instance has telemetry on" in reason
    assert not verified_shown
    assert_icon(window, Verdict.UNKNOWN)
    assert "does not exist yet" in layer_rows(window.layers.file_layer)["Problem"]
    assert deciding(window) == ["running"]
    assert visible_actions(window) == set(), "nothing to switch in a file that is not there"


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            "daemon-down",
            "The Docker daemon is not running. Start it (sudo systemctl start docker), then refresh.",
        ),
        (
            "permission-denied",
            (
                "Permission denied on the Docker socket (/var/run/docker.sock). Add your user to the docker "
                "group (sudo usermod -aG docker $USER) and log in again, or run the panel with sudo."
            ),
        ),
    ],
)
def test_when_docker_cannot_be_asked_the_file_still_shows(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow, fault: str, message: str
) -> None:
    demo_deployment.set_faults(fault)
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert_icon(window, Verdict.ENABLED)
    assert window.header.verified.text().startswith("Not confirmed by the running instance")
    assert message in window.header.reason.text()
    assert layer_rows(window.layers.running_layer) == {"Docker": message}
    file_rows = layer_rows(window.layers.file_layer)
    assert file_rows["Means"] == "telemetry on" and file_rows["Writable"] == "yes"
    assert deciding(window) == ["file"]
    assert visible_actions(window) == {"disable"}


# --- actions
# ----------------------------------------------------------------------------------------------------


def record_asks(monkeypatch: pytest.MonkeyPatch, answer: Any = None) -> list[tuple[Any, Status, bool]]:
    asked: list[tuple[Any, Status, bool]] = []

    def ask(cls: type[ConsentDialog], parent: Any, status: Status, telemetry_on: bool) -> Any:
        asked.append((parent, status, telemetry_on))
        return answer

    monkeypatch.setattr(ConsentDialog, "ask", classmethod(ask))
    return asked


def test_disable_asks_for_consent_and_refreshes_afterwards(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_ON)
    window.refresher.set_interval(NEVER)
    qtbot.waitUntil(lambda: not window.refresher.busy, timeout=RUN_MS)
    asked = record_asks(monkeypatch)
    shown = window.status
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        qtbot.mouseClick(window.disable_button, Qt.MouseButton.LeftButton)
    assert asked == [(window, shown, False)]
    assert switch_in(demo_deployment.env_file) is SwitchState.ENABLED, "cancelled: nothing written"


def test_restart_to_apply_asks_for_the_files_value(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_switch(demo_deployment.env_file, "true")
    window = open_window(demo_deployment.session.folder, interval=NEVER)
    wait_title(qtbot, window, TITLE_PENDING)
    asked = record_asks(monkeypatch)
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        qtbot.mouseClick(window.restart_button, Qt.MouseButton.LeftButton)
    assert [(parent, on) for parent, _, on in asked] == [(window, False)]


def drive_start(qtbot: QtBot) -> list[StartDialog]:
    """Once the Start Appsmith dialog is up: check it has no default button, start, wait, close."""
    from PySide6.QtCore import QTimer

    seen: list[StartDialog] = []
    deadline = time.monotonic() + RUN_MS / 1000

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, StartDialog):
            assert time.monotonic() < deadline, "the start dialog did not open"
            QTimer.singleShot(50, drive)
            return
        seen.append(dialog)
        assert not any(button.isDefault() for button in dialog.findChildren(QPushButton))
        qtbot.waitUntil(dialog.start_button.isEnabled, timeout=RUN_MS)
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_of_start is not None, timeout=RUN_MS)
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, drive)
    return seen


def drive_consent(qtbot: QtBot, choice: str = "restart now") -> list[ConsentDialog]:
    """Once the consent dialog is up: "restart now" (wait for the verdict, then close it) or "cancel" the
    review."""
    from PySide6.QtCore import QTimer

    seen: list[ConsentDialog] = []
    deadline = time.monotonic() + RUN_MS / 1000

    def drive() -> None:
        # Polled from the event loop, not waited for in a nested one: the dialog opens only after its
        # preparation (in a worker thread, under an event loop of its own) has ended, which a nested wait here
        # would block.
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConsentDialog):
            assert time.monotonic() < deadline, "the consent dialog did not open"
            QTimer.singleShot(50, drive)
            return
        seen.append(dialog)
        assert_no_secret(all_widget_text(dialog))
        if choice == "cancel":
            qtbot.mouseClick(dialog.cancel_review_button, Qt.MouseButton.LeftButton)
            return
        qtbot.waitUntil(dialog.restart_now_button.isEnabled, timeout=RUN_MS)
        qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, drive)
    return seen


def test_the_real_consent_dialog_applies_and_the_window_shows_it_verified(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConsentDialog, "health_interval", 0.2)
    original = demo_deployment.env_file.read_bytes()
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_ON)
    seen = drive_consent(qtbot)
    window.disable_button.click()  # returns when the modal dialog has been closed
    assert len(seen) == 1 and seen[0].parent() is window
    result = seen[0].apply_result
    assert result is not None and result.outcome.value == "verified"
    wait_title(qtbot, window, TITLE_OFF)
    assert window.header.verified.text() == CONFIRMED
    assert visible_actions(window) == {"enable"}
    assert switch_in(demo_deployment.env_file) is SwitchState.DISABLED

    # The change left a backup of the file as it was, and an entry in the activity log.
    backups = list_backups(demo_deployment.env_file)
    assert len(backups) == 1 and backups[0].path.read_bytes() == original
    assert window.backups.list.count() == 1
    assert window.backups.list.item(0).toolTip() == str(backups[0].path)
    table = window.activity.table
    assert table.rowCount() == len(audit.read_entries()) >= 1
    assert cell(table, 0, 2) == "disable"
    assert cell(table, 0, 3) == str(demo_deployment.env_file)
    assert (cell(table, 0, 4), cell(table, 0, 5)) == ("false", "true")
    assert_no_secret_shown(window)


def test_when_the_start_fails_the_window_shows_appsmith_is_not_running(
    qtbot: QtBot,
    demo_deployment_factory: Callable[..., DemoFixture],
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ConsentDialog, "health_interval", 0.2)
    demo = demo_deployment_factory(faults="up-fails")
    window = open_window(demo.session.folder)
    wait_title(qtbot, window, TITLE_ON)
    seen = drive_consent(qtbot)
    window.disable_button.click()
    result = seen[0].apply_result
    assert result is not None and result.outcome.value == "appsmith-down"
    wait_title(qtbot, window, "Appsmith is not running — telemetry is set OFF for its next start")
    assert "No Appsmith container from this folder exists." in window.header.reason.text()
    advice = window.header.advice.text()
    assert advice.startswith("What to do: Start Appsmith.") and "Nothing to do" not in advice
    assert wording_problems(window_words(window)) == []
    assert {"start", "restore"} <= visible_actions(window)
    assert layer_rows(window.layers.running_layer) == {
        "Container": "none from this folder (not created, or removed)"
    }
    assert switch_in(demo.env_file) is SwitchState.DISABLED, (
        "written, and kept: the restore is the user's choice"
    )
    assert window.backups.list.count() == 1
    assert cell(window.activity.table, 0, 2) == "disable"
    assert visible_actions(window) == {"enable", "start", "restore"}
    telemetry_menu = {
        action.text().replace("&", "") for action, _ in window.telemetry_actions if action.isVisible()
    }
    assert telemetry_menu == {"Enable telemetry…", "Start Appsmith…", "Restore backup…"}
    assert not window.no_telemetry_action.isVisible()

    # Restore backup opens the restore flow on the newest backup, on the Backups tab
    asked: list[tuple[Any, Path, Any]] = []
    monkeypatch.setattr(RestoreDialog, "ask", recorder(asked, False))
    window.restore_button.click()
    assert len(asked) == 1 and asked[0][1] == demo.env_file
    assert asked[0][2].path == list_backups(demo.env_file)[0].path
    assert window.tabs.currentWidget() is window.backups_page
    window.tabs.setCurrentIndex(0)

    # Start Appsmith: a short consent with the command, then the start, the wait and the check
    demo.set_faults("")
    started = drive_start(qtbot)
    window.start_button.click()
    assert started and started[0].result_of_start is not None
    assert started[0].result_of_start.ok, started[0].result_of_start.message
    assert "up -d" in started[0].command_view.toPlainText()
    wait_title(qtbot, window, TITLE_OFF)
    assert visible_actions(window) == {"enable"}
    assert cell(window.activity.table, 0, 2) == "start"


def test_cancelling_the_real_consent_dialog_changes_nothing(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    original = demo_deployment.env_file.read_bytes()
    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_ON)
    calls = len(demo_deployment.calls())
    seen = drive_consent(qtbot, "cancel")
    window.disable_button.click()
    assert len(seen) == 1 and seen[0].apply_result is None
    assert demo_deployment.env_file.read_bytes() == original
    assert list_backups(demo_deployment.env_file) == [] and audit.read_entries() == []
    assert not [call for call in demo_deployment.calls()[calls:] if {"rm", "up"} & set(call["argv"])]
    assert window.header.title.text() == TITLE_ON
    assert cell(window.activity.table, 0, 0) == "No change made yet."


# --- read-only
# --------------------------------------------------------------------------------------------------


def shown_on_its_tab(widget: QWidget, window: MainWindow) -> bool:
    """Visible once the user brings its tab forward: hidden by nothing but a tab that is not the current
    one."""
    current: QWidget | None = widget
    while current is not None and current is not window:
        if current.isHidden() and window.tabs.indexOf(current) < 0:
            return False
        current = current.parentWidget()
    return current is window


def changing_controls(window: MainWindow) -> list[str]:
    """Every button (on any tab) or action (menus included) a user could reach whose words suggest a
    change."""
    found = []
    for button in window.findChildren(QAbstractButton):
        text = f"{button.text()} {button.accessibleName()}".replace("&", "")
        if shown_on_its_tab(button, window) and CHANGING_WORDS.search(text):
            found.append(text)
    for action in window.findChildren(QAction):
        text = action.text().replace("&", "")
        if action.isVisible() and CHANGING_WORDS.search(text):
            found.append(text)
    return found


def forbid_every_change(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every dialog that leads to a change, replaced by one that records being reached."""
    reached: list[Any] = []
    monkeypatch.setattr(ConsentDialog, "ask", recorder(reached))
    monkeypatch.setattr(RestoreDialog, "ask", recorder(reached, True))
    monkeypatch.setattr(NginxFixDialog, "ask", recorder(reached, True))
    monkeypatch.setattr(FirstRunWizard, "ask", recorder(reached))
    from panel.gui.elevated_dialog import ElevatedChangeDialog

    monkeypatch.setattr(ElevatedChangeDialog, "ask", recorder(reached))
    return reached


def take_backup(env_file: Path) -> None:
    from panel.core.backups import create_backup
    from panel.core.safewrite import Snapshot

    create_backup(Snapshot.read(env_file))


def test_read_only_offers_no_change_and_says_how_an_administrator_can(
    qtbot: QtBot,
    legacy_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    take_backup(legacy_deployment / "docker.env")
    # even so: --read-only offers no change, not even as administrator
    docker_down.add("pkexec", exit_code=126)
    reached = forbid_every_change(monkeypatch)
    window = open_window(legacy_deployment, read_only=True)
    wait_title(qtbot, window, "Telemetry is set ON in docker.env — not confirmed by the running instance")
    assert window.read_only
    banner = window.lock_banner.text.text()
    assert window.lock_banner.isVisibleTo(window)
    assert banner.startswith("Read-only: opened read-only. Nothing here can change the deployment.")
    assert window.copy_commands_button.isVisibleTo(window)
    window.copy_commands_button.click()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == "\n".join(admin_commands(legacy_deployment))
    for command in admin_commands(legacy_deployment):
        assert command in banner
    assert re.search(r"sudo .+ disable .+ --restart", banner)
    assert window.lock_banner.text.accessibleName() == banner

    assert window.layers.nginx_box.isVisibleTo(window), "the nginx problem is still shown"
    assert window.layers.nginx_text.text().startswith("⚠ ")
    window.tabs.setCurrentWidget(window.backups_page)
    window.backups.list.setCurrentRow(0)
    qtbot.waitUntil(
        lambda: window.backups.diff.toPlainText() == "The backup is identical to the current file.",
        timeout=WATCH_MS,
    )
    assert visible_actions(window) == set()
    assert not window.backups.restore.isVisibleTo(window)
    assert not window.layers.fix_nginx.isVisibleTo(window)
    assert not window.wizard_action.isVisible()
    assert not window.elevate_button.isVisibleTo(window)
    assert changing_controls(window) == []

    # Not reachable by other routes either (a signal, a slot called directly).
    window.change_telemetry(False)
    window.restart_to_apply()
    window.backups.restore.click()
    window.fix_nginx()
    window.layers.fix_nginx_requested.emit()
    assert window.status is not None
    window.restore_backup(list_backups(legacy_deployment / "docker.env")[0])
    window.change_as_administrator()
    assert reached == []
    assert len(list_backups(legacy_deployment / "docker.env")) == 1


def test_a_writable_deployment_offers_the_changes_that_read_only_hides(
    qtbot: QtBot, legacy_deployment: Path, docker_down: FakeBin, open_window: OpenWindow
) -> None:
    """The other side of the read-only test, so that test cannot pass because nothing is ever shown."""
    take_backup(legacy_deployment / "docker.env")
    window = open_window(legacy_deployment)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert not window.lock_banner.isVisibleTo(window)
    window.tabs.setCurrentWidget(window.backups_page)
    window.backups.list.setCurrentRow(0)
    shown = set(changing_controls(window))
    assert {
        "Disable telemetry… Disable telemetry",
        "Restore this backup… Restore this backup",
        "Fix nginx template… Fix nginx template",
        "First-run wizard…",
    } <= shown


def patch_not_writable(monkeypatch: pytest.MonkeyPatch, env_file: Path) -> None:
    import panel.core.status as status_module

    real_access = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(path) == env_file:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(status_module.os, "access", access)


def assert_auto_read_only(window: MainWindow, folder: Path) -> None:
    """Read-only because docker.env may not be written: says so, gives the administrator's command, hides
    changes."""
    assert window.read_only
    banner = window.lock_banner.text.text()
    assert window.lock_banner.isVisibleTo(window)
    assert re.match(
        r"Read-only: docker\.env may not be changed by user \S+ \(it belongs to root\)\. "
        r"Nothing here can change the deployment\.",
        banner,
    ), banner
    assert re.search(rf"^sudo .+ disable {re.escape(str(folder))} --restart$", banner, re.MULTILINE)
    assert layer_rows(window.layers.file_layer)["Writable"] == "no, not by this user"
    assert visible_actions(window) == set()
    assert not window.backups.restore.isVisibleTo(window)
    assert not window.wizard_action.isVisible()
    elevate = [window.elevate_button.text().replace("&", "")] if elevation_offered() else []
    assert changing_controls(window) == [f"{text} Change as administrator (pkexec)" for text in elevate], (
        "only the change through pkexec, which asks for an administrator's password"
    )


def test_an_unwritable_docker_env_turns_read_only_by_itself(
    qtbot: QtBot,
    single_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_file = single_deployment / "stacks/configuration/docker.env"
    window = open_window(single_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert not window.read_only and visible_actions(window) == {"disable"}

    with monkeypatch.context() as patched:
        patch_not_writable(patched, env_file)
        with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
            window.refresh()
        assert_auto_read_only(window, single_deployment)

    # Writable again: the window offers the change again, without a restart of the app.
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        window.refresh()
    assert not window.read_only and not window.lock_banner.isVisibleTo(window)
    assert visible_actions(window) == {"disable"}


def test_an_unwritable_docker_env_is_read_only_before_the_window_is_shown(
    qtbot: QtBot, single_deployment: Path, docker_down: FakeBin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-only is a state of the window, not of whether its banner happens to be on screen."""
    patch_not_writable(monkeypatch, single_deployment / "stacks/configuration/docker.env")
    reached = forbid_every_change(monkeypatch)
    window = MainWindow()
    qtbot.addWidget(window)  # never shown
    try:
        window.refresher.set_interval(NEVER)
        window.open_deployment(single_deployment)
        qtbot.waitUntil(lambda: window.status is not None, timeout=RUN_MS)
        assert window.read_only
        window.change_telemetry(False)
        assert reached == []
    finally:
        window.close()


def test_pkexec_offers_the_change_as_administrator_only_when_docker_env_is_not_writable(
    qtbot: QtBot,
    single_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
    system_program: Path,
) -> None:
    from panel.gui.elevated_dialog import ElevatedChangeDialog

    docker_down.add("pkexec", exit_code=126)
    env_file = single_deployment / "stacks/configuration/docker.env"
    window = open_window(single_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert not window.elevate_button.isVisibleTo(window), "writable: the ordinary buttons do it"

    patch_not_writable(monkeypatch, env_file)
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        window.refresh()
    assert_auto_read_only(window, single_deployment)
    assert window.elevate_button.isVisibleTo(window)
    assert f"pkexec {system_program} disable" in window.lock_banner.text.text()
    asked: list[tuple[Any, Status]] = []
    monkeypatch.setattr(
        ElevatedChangeDialog, "ask", classmethod(lambda cls, parent, status: asked.append((parent, status)))
    )
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        qtbot.mouseClick(window.elevate_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and asked[0][0] is window and not asked[0][1].file.writable


def _status_as_seen_by(folder: str) -> Status:
    deployment = load_deployment(Path(folder))
    not_asked = RunningState(docker_error=DockerError(DockerProblem.DAEMON_DOWN, "docker was not asked"))
    return assemble(deployment, read_file_state(deployment.env_file), not_asked, nginx_check(deployment))


def test_docker_env_owned_by_another_user_is_read_only_for_real(
    qtbot: QtBot,
    world_tmp: Path,
    as_nobody: Callable[..., Any],
    docker_down: FakeBin,
    open_window: OpenWindow,
) -> None:
    """The real permission check, as user nobody in a child process, shown by the window."""
    folder = write_single_deployment(world_tmp / "appsmith")
    status = as_nobody(_status_as_seen_by, str(folder))
    assert status.file.readable and not status.file.writable
    window = open_window(None, interval=NEVER)
    window.set_deployment(load_deployment(folder))
    window.refresher.set_deployment(None)  # show what nobody sees; do not look again as root
    window.show_status(status)
    assert_auto_read_only(window, folder)
    assert window.header.title.text() == TITLE_ON_UNCONFIRMED


# --- backups and activity
# ---------------------------------------------------------------------------------------


def test_backups_show_a_masked_diff_and_restore_the_exact_bytes(
    qtbot: QtBot,
    single_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from panel.core.change import prepare_change, write_change

    env_file = single_deployment / "stacks/configuration/docker.env"
    # A secret right beside the switch, so the diff's context lines carry it (masked).
    env_file.write_bytes(
        env_file.read_bytes().replace(
            b"APPSMITH_DISABLE_TELEMETRY=false",
            b"APPSMITH_ENCRYPTION_PASSWORD="
            + SECRET_VALUES[1].encode()
            + b"\nAPPSMITH_DISABLE_TELEMETRY=false",
        )
    )
    original = env_file.read_bytes()
    window = open_window(single_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert window.backups.list.count() == 0
    assert window.backups.diff.toPlainText() == "No backups yet."

    write_change(prepare_change(load_deployment(single_deployment), telemetry_on=False))  # as the CLI would
    qtbot.waitUntil(lambda: window.backups.list.count() == 1, timeout=WATCH_MS)
    window.tabs.setCurrentWidget(window.backups_page)
    window.backups.list.setCurrentRow(0)
    # The preview is read and masked in a worker thread.
    qtbot.waitUntil(lambda: "@@" in window.backups.diff.toPlainText(), timeout=WATCH_MS)
    lines = window.backups.diff.toPlainText().splitlines()
    assert "-APPSMITH_DISABLE_TELEMETRY=true" in lines and "+APPSMITH_DISABLE_TELEMETRY=false" in lines
    assert " APPSMITH_ENCRYPTION_PASSWORD=••••••" in lines
    assert_no_secret_shown(window)
    assert window.backups.restore.isEnabled()

    asked: list[tuple[Any, Path, Any]] = []
    informed: list[Restored] = []
    monkeypatch.setattr(RestoreDialog, "ask", recorder(asked, False))
    qtbot.mouseClick(window.backups.restore, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and switch_in(env_file) is SwitchState.DISABLED, "declined: nothing restored"

    monkeypatch.setattr(RestoreDialog, "ask", recorder(asked, True))
    monkeypatch.setattr(RestoredDialog, "ask", lambda parent, restored: informed.append(restored) or False)
    backup = list_backups(env_file)[0]
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        qtbot.mouseClick(window.backups.restore, Qt.MouseButton.LeftButton)
    assert asked[-1][0] is window and asked[-1][1] == env_file and asked[-1][2].path == backup.path
    assert env_file.read_bytes() == original
    assert len(informed) == 1 and informed[0].backup == backup and informed[0].state is SwitchState.ENABLED
    assert window.backups.list.count() == 2, "what was there before the restore is kept too"
    assert cell(window.activity.table, 0, 2) == "restore"
    assert cell(window.activity.table, 0, 5) == backup.path.name
    assert_no_secret_shown(window)


def test_restart_to_apply_after_a_restore_goes_through_the_consent_dialog(
    qtbot: QtBot,
    single_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from panel.core.change import prepare_change, write_change

    env_file = single_deployment / "stacks/configuration/docker.env"
    write_change(prepare_change(load_deployment(single_deployment), telemetry_on=False))  # backup holds ON
    window = open_window(single_deployment, interval=NEVER)
    qtbot.waitUntil(lambda: window.status is not None, timeout=WATCH_MS)
    consented: list[tuple[Any, ...]] = []
    monkeypatch.setattr(RestoreDialog, "ask", recorder([], True))
    monkeypatch.setattr(RestoredDialog, "ask", recorder([], True))  # the person picks Restart to apply
    monkeypatch.setattr(ConsentDialog, "ask", recorder(consented))
    window.restore_backup(list_backups(env_file)[-1])
    assert switch_in(env_file) is SwitchState.ENABLED
    assert len(consented) == 1 and consented[0][0] is window and consented[0][2] is True, (
        "the restored value, applied through the usual consent"
    )
    asked_with: Status = consented[0][1]
    assert asked_with.file.state is SwitchState.ENABLED, "the dialog describes the restored file, not the old"
    assert window.status is asked_with and layer_rows(window.layers.file_layer)["Means"] == "telemetry on"


def test_activity_says_when_nothing_was_changed(
    qtbot: QtBot, single_deployment: Path, docker_down: FakeBin, open_window: OpenWindow
) -> None:
    window = open_window(single_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert window.activity.table.rowCount() == 1
    assert cell(window.activity.table, 0, 0) == "No change made yet."


# --- what is sent
# -----------------------------------------------------------------------------------------------


def test_what_is_sent_is_built_on_first_show_with_this_deployments_edition(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    from panel.gui.payloads_view import FieldColumn, PayloadsView

    window = open_window(demo_deployment.session.folder)
    wait_title(qtbot, window, TITLE_ON)
    assert window.findChildren(PayloadsView) == [], "built only when first shown"
    window.tabs.setCurrentWidget(window.payloads_page)
    views = window.findChildren(PayloadsView)
    assert len(views) == 1
    view = views[0]
    qtbot.waitUntil(lambda: view.isVisibleTo(window))
    assert view.json_view is not None and view.fields_table is not None and view.email_edit is not None
    assert view.facts().edition == "CE" and view.facts().version == "v1.50-demo"
    assert view.select_sample("instance-stats")
    payload = json.loads(view.json_view.toPlainText())
    assert payload["properties"]["edition"] == "CE" and payload["properties"]["version"] == "v1.50-demo"
    table = view.fields_table
    rows = {
        cell(table, row, FieldColumn.PATH): cell(table, row, FieldColumn.VALUE)
        for row in range(table.rowCount())
    }
    assert rows["properties.edition"] == "this deployment"

    # Picking another event and typing an email shows the hash that would leave, not the email.
    assert view.select_sample("execute-action-triggered")
    view.email_edit.setText("Ops@Example.com")
    payload = json.loads(view.json_view.toPlainText())
    assert payload["userId"] == hashlib.sha256(b"ops@example.com").hexdigest()
    assert "ops@example.com" not in view.json_view.toPlainText().lower()

    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentWidget(window.payloads_page)
    assert window.findChildren(PayloadsView) == [view], "built once"


# --- legacy layout: the nginx template ----------------------------------------------------------------------


def test_legacy_nginx_warning_and_fix(
    qtbot: QtBot,
    legacy_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = legacy_deployment / "data/nginx/app.conf.template"
    window = open_window(legacy_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert window.layers.nginx_box.isVisibleTo(window)
    warning = window.layers.nginx_text.text()
    assert warning.startswith("⚠ ") and "HTTP" in warning and "HTTPS" in warning
    assert any("⚠" in line for line in window.layers.warnings.text().splitlines())
    assert window.layers.fix_nginx.isVisibleTo(window) and window.layers.fix_nginx.isEnabled()

    shown: list[str] = []

    def accept(dialog: NginxFixDialog) -> int:
        shown.append(all_widget_text(dialog))
        assert not any(
            button.isDefault() or button.autoDefault() for button in dialog.findChildren(QPushButton)
        )
        assert dialog.what_label.text().startswith("This adds the missing lines")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NginxFixDialog, "exec", accept)
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        qtbot.mouseClick(window.layers.fix_nginx, Qt.MouseButton.LeftButton)
    assert len(shown) == 1 and SUB_FILTER_LINE in shown[0], "the dialog shows the lines it adds"
    assert template.read_text(encoding="utf-8").count(SUB_FILTER_LINE) == 2
    assert window.layers.nginx_text.text().startswith("✔ ")
    assert not window.layers.fix_nginx.isEnabled()
    assert "⚠" not in window.layers.warnings.text()
    assert [entry.action for entry in audit.read_entries()] == ["fix-nginx"]
    assert cell(window.activity.table, 0, 2) == "fix-nginx"


def test_cancelling_the_nginx_fix_writes_nothing(
    qtbot: QtBot,
    legacy_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = legacy_deployment / "data/nginx/app.conf.template"
    before = template.read_bytes()
    window = open_window(legacy_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    monkeypatch.setattr(NginxFixDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    with qtbot.waitSignal(window.refresher.refreshed, timeout=RUN_MS):
        qtbot.mouseClick(window.layers.fix_nginx, Qt.MouseButton.LeftButton)
    assert template.read_bytes() == before
    assert window.layers.nginx_text.text().startswith("⚠ ")
    assert audit.read_entries() == []


# --- picker, wizard, memory ---------------------------------------------------------------------------------


def picker_items(window: MainWindow) -> list[str]:
    return [window.picker.itemData(index) for index in range(window.picker.count())]


def test_recent_deployments_are_remembered_across_windows(
    qtbot: QtBot,
    single_deployment: Path,
    legacy_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    app_settings: Path,
) -> None:
    first = open_window(None, interval=NEVER)
    assert picker_items(first) == [""]
    assert first.picker.itemText(0) == "No deployment chosen — open a folder"
    assert visible_actions(first) == set()
    first.open_deployment(single_deployment)
    first.open_deployment(legacy_deployment)
    assert picker_items(first) == [str(legacy_deployment), str(single_deployment)]
    first.close()
    assert (app_settings / ORGANIZATION / "appsmith-telemetry-panel.conf").is_file()

    second = open_window(None, interval=NEVER)
    assert second.deployment is None
    assert picker_items(second) == [str(legacy_deployment), str(single_deployment)]
    assert settings.last_deployment() == legacy_deployment
    second.picker.activated.emit(1)  # the user picks the older one
    assert second.deployment is not None and second.deployment.folder == single_deployment
    assert picker_items(second) == [str(single_deployment), str(legacy_deployment)]
    wait_title(qtbot, second, TITLE_ON_UNCONFIRMED)


def test_a_window_that_should_not_remember_does_not(
    qtbot: QtBot, single_deployment: Path, docker_down: FakeBin, open_window: OpenWindow
) -> None:
    window = open_window(single_deployment, remember=False, interval=NEVER)
    assert picker_items(window) == [str(single_deployment)]
    assert settings.recent_deployments() == [] and settings.last_deployment() is None


def test_a_folder_that_is_not_a_deployment_says_why_and_keeps_the_current_one(
    qtbot: QtBot,
    single_deployment: Path,
    tmp_path: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(single_deployment, interval=NEVER)
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    warnings: list[tuple[Any, str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text: warnings.append((parent, title, text))
    )
    elsewhere = tmp_path / "holiday-photos"
    elsewhere.mkdir()
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getExistingDirectory", lambda parent, caption, start: str(elsewhere)
    )
    window.browse()
    assert len(warnings) == 1
    parent, title, text = warnings[0]
    assert parent is window and title == "Not an Appsmith deployment"
    assert "docker-compose.yml" in text or "compose" in text.lower()
    assert window.deployment is not None and window.deployment.folder == single_deployment
    assert picker_items(window) == [str(single_deployment)]
    assert window.header.title.text() == TITLE_ON_UNCONFIRMED
    assert settings.recent_deployments() == [single_deployment]


def test_the_wizard_from_the_menu_opens_what_it_chose_and_leaving_it_changes_nothing(
    qtbot: QtBot,
    single_deployment: Path,
    legacy_deployment: Path,
    docker_down: FakeBin,
    open_window: OpenWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(single_deployment, interval=NEVER)
    asked: list[tuple[Any, Path | None]] = []
    answers = [None, legacy_deployment]

    def ask(cls: type[FirstRunWizard], parent: Any, initial: Path | None = None) -> Path | None:
        asked.append((parent, initial))
        return answers.pop(0)

    monkeypatch.setattr(FirstRunWizard, "ask", classmethod(ask))
    window.wizard_action.trigger()  # left early
    assert window.deployment is not None and window.deployment.folder == single_deployment
    window.wizard_action.trigger()  # finished, with the legacy deployment chosen
    assert asked == [(window, single_deployment), (window, single_deployment)]
    assert window.deployment is not None and window.deployment.folder == legacy_deployment
    wait_title(qtbot, window, TITLE_ON_UNCONFIRMED)
    assert window.layers.nginx_box.isVisibleTo(window)


def test_geometry_is_kept_when_the_window_closes(qtbot: QtBot, open_window: OpenWindow) -> None:
    first = open_window(None)
    assert first.size() == QSize(1120, 760)
    first.resize(700, 500)  # within the offscreen screen, which restoreGeometry would clamp to
    first.close()
    assert settings.window_geometry() is not None
    second = open_window(None)
    assert second.size() == QSize(700, 500)


def test_about_names_the_version(
    qtbot: QtBot, open_window: OpenWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.gui.about_dialog import AboutDialog

    shown: list[str] = []

    def exec_(dialog: AboutDialog) -> int:
        shown.append(all_widget_text(dialog))
        return 0

    monkeypatch.setattr(AboutDialog, "exec", exec_)
    open_window(None).show_about()
    assert len(shown) == 1 and f"{APP_NAME} {__version__}" in shown[0]
    assert wording_problems(shown[0]) == [], "sources belong under Sources on the What is sent tab"


# --- first launch, keyboard
# ----------------------------------------------------------------------------------------


def test_with_no_deployment_the_window_offers_open_folder_and_the_found_ones(
    qtbot: QtBot, open_window: OpenWindow, tmp_path: Path
) -> None:
    window = open_window(None)
    assert window.header.title.text() == "No deployment chosen"
    assert window.empty_open_button.isVisibleTo(window)
    assert not window.layers.file_layer.isVisibleTo(window), "no empty boxes without a deployment"
    assert not window.layers.order_note.isVisibleTo(window) and not window.layers.block_layer.isVisibleTo(
        window
    )
    assert "Checking" not in window_words(window)
    assert window.no_telemetry_action.isVisible(), "the Telemetry menu is never an empty list"
    found = tmp_path / "appsmith"
    window.add_discovered([found])
    assert str(found) in window.header.reason.text()
    assert window.picker.findData(str(found)) >= 0
    assert wording_problems(window_words(window)) == []


def test_every_action_has_a_mnemonic_and_the_telemetry_menu_its_shortcuts(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window(None)
    actions = [
        window.start_button,
        window.restore_button,
        window.restart_button,
        window.revert_button,
        window.disable_button,
        window.enable_button,
        window.empty_open_button,
        window.browse_button,
        window.refresh_button,
    ]
    letters: dict[str, list[str]] = {}
    for button in actions:
        assert re.search(r"&\w", button.text()), button.text()
        letter = button.text()[button.text().index("&") + 1].lower()
        letters.setdefault(letter, []).append(button.accessibleName())
    # one letter twice only for buttons never shown together: Start (down) and Restart to apply (running)
    shared = {letter: names for letter, names in letters.items() if len(names) > 1}
    assert shared == {"p": ["Start Appsmith", "Recreate the containers to apply the file's value"]}
    # and none of them takes a letter of a menu, a tab or the read-only banner, shown beside them (the
    # banner needs a deployment, the empty state's Open folder has none: those two never meet)
    del letters[window.empty_open_button.text()[window.empty_open_button.text().index("&") + 1].lower()]
    always_shown = [action.text() for action in window.menuBar().actions()]
    always_shown += [window.tabs.tabText(index) for index in range(window.tabs.count())]
    always_shown += [window.elevate_button.text(), window.copy_commands_button.text()]
    for text in always_shown:
        assert re.search(r"&\w", text), text
        letter = text[text.index("&") + 1].lower()
        assert letter not in letters, (text, letters[letter])
        letters[letter] = [text]
    menu_titles = [action.text() for action in window.menuBar().actions()]
    assert "Tele&metry" in menu_titles
    for action, button in window.telemetry_actions:
        assert not action.shortcut().isEmpty(), action.text()
        assert re.search(r"&\w", action.text())
        assert action.isVisible() is (not button.isHidden())


def test_the_header_keeps_its_height_when_confirmed_appears(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window(None)
    header = window.header
    header.verified.setText(CONFIRMED)

    def button_top(confirmed: bool) -> int:
        header.verified.setVisible(confirmed)
        window.centralWidget().layout().activate()
        QApplication.processEvents()
        return window.empty_open_button.mapTo(window, window.empty_open_button.rect().topLeft()).y()

    assert button_top(False) == button_top(True), "the button under the header must not jump"


def overlapping_labels(page: QWidget) -> list[tuple[str, str]]:
    """Pairs of visible labels under `page` whose rectangles intersect, and labels shorter than their
    wrapped text (clipped)."""
    labels = [label for label in page.findChildren(QLabel) if label.isVisibleTo(page) and label.text()]
    boxes = [(label, label.rect().translated(label.mapTo(page, label.rect().topLeft()))) for label in labels]
    problems = [
        (first.text(), second.text())
        for index, (first, first_box) in enumerate(boxes)
        for second, second_box in boxes[index + 1 :]
        if first_box.intersects(second_box)
    ]
    problems += [
        (label.text(), "clipped")
        for label in labels
        if label.wordWrap() and label.height() < label.heightForWidth(label.width())
    ]
    return problems


def test_the_window_fits_800_by_500_and_nothing_on_the_status_page_overlaps(
    qtbot: QtBot, demo_deployment: DemoFixture, open_window: OpenWindow
) -> None:
    folder = demo_deployment.session.folder
    window = open_window(folder)
    wait_title(qtbot, window, TITLE_ON, confirmed=True)

    def assert_fits(tabs_built: bool) -> None:
        hint = window.minimumSizeHint()
        assert hint.width() <= 800 and hint.height() <= 500, (hint, tabs_built)
        window.resize(800, 500)
        qtbot.waitUntil(lambda: window.size() == QSize(800, 500))
        window.centralWidget().layout().activate()
        # the Blocked hosts box is filled by a later read, and a wrapped label then needs another layout
        # pass: the laid-out page must settle with nothing clipped or overlapping
        qtbot.waitUntil(lambda: overlapping_labels(window.layers) == [], timeout=2000)
        scroll = window.status_page.verticalScrollBar()  # the layers scroll, once laid out, not squeeze
        qtbot.waitUntil(lambda: scroll.maximum() > 0, timeout=2000)
        header_bottom = window.header.mapTo(window, window.header.rect().bottomLeft()).y()
        tabs_top = window.tabs.mapTo(window, window.tabs.rect().topLeft()).y()
        assert window.header.isVisible() and header_bottom < tabs_top

    assert_fits(tabs_built=False)
    verified = window.header.verified
    assert verified.height() < 2 * verified.fontMetrics().lineSpacing(), "one line beside the buttons"
    set_switch(demo_deployment.env_file, "true")  # restart pending: the most words on the Status page
    wait_title(qtbot, window, TITLE_PENDING)
    assert_fits(tabs_built=False)
    for index in range(window.tabs.count()):  # every tab built: none may push the window past 800×500
        window.tabs.setCurrentIndex(index)
    window.tabs.setCurrentIndex(0)
    assert_fits(tabs_built=True)
    remove = plan_restart(load_deployment(folder), ComposeTool.V2).commands[0]
    subprocess.run(list(remove.argv), cwd=remove.cwd, capture_output=True, timeout=60, check=True)
    wait_title(qtbot, window, "Appsmith is not running — telemetry is set OFF for its next start")
    assert_fits(tabs_built=True)  # the tallest header, with its three buttons


@pytest.mark.parametrize(
    ("tag", "offered"),
    [(":v1.6.8", {"disable"}), (":v1.6.9", set())],
    ids=["up to v1.6.8 docker.env wins: the switch is offered", "from v1.6.9 compose wins: it is not"],
)
def test_the_switch_follows_which_layer_wins_not_whether_an_override_exists(
    tmp_path: Path, open_window: OpenWindow, tag: str, offered: set[str]
) -> None:
    from tests.conftest import SINGLE_COMPOSE

    compose = SINGLE_COMPOSE.replace(
        "    image: index.docker.io/appsmith/appsmith-ee\n",
        f"    image: index.docker.io/appsmith/appsmith-ee{tag}\n"
        '    environment:\n      APPSMITH_DISABLE_TELEMETRY: "true"\n',
    )
    folder = write_single_deployment(tmp_path / "old", compose=compose)
    status = _status_as_seen_by(str(folder))
    assert status.override is not None, "the compose file overrides in both cases"
    window = open_window(None)
    window.deployment = status.deployment
    window.show_status(status)
    assert visible_actions(window) == offered


def test_the_header_takes_the_block_read_after_the_verdict(
    qtbot: QtBot, world_tmp: Path, docker_down: FakeBin, open_window: OpenWindow
) -> None:
    """The fourth layer arrives after the verdict: with the analytics host pinned out of reach in the
    container, ON no longer says that Appsmith receives usage data."""
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from panel.core.egress_block import ANALYTICS_HOST, BlockState
    from tests.core.test_status import _container, _running, _server

    folder = write_single_deployment(world_tmp / "appsmith")
    window = open_window(None, interval=NEVER)
    window.set_deployment(load_deployment(folder))
    window.refresher.set_deployment(None)
    deployment = load_deployment(folder)
    started = datetime.now(UTC) + timedelta(minutes=1)  # after docker.env was written: it runs that file
    running = _running(_container(started=started), _server(True))
    status = assemble(deployment, read_file_state(deployment.env_file), running)
    window.show_status(status)
    assert window.header.title.text() == "Telemetry is ON — Appsmith receives usage data from this instance"
    block = BlockState("appsmith", None, (ANALYTICS_HOST,), (ANALYTICS_HOST,))
    window.refresher.block_read.emit(replace(status, egress_block=block))
    assert "the server's usage data is blocked here" in window.header.title.text()
    assert window.header.verified.text() == CONFIRMED
    names = [label.accessibleName() for label in window.layers.block_layer.findChildren(QLabel)]
    assert any(name.endswith(": In the container") for name in names), names
