"""StartDialog: a short consent that shows the command; once the start runs, Esc asks before leaving
Appsmith down."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from panel.core.apply_sequence import Outcome, Step
from panel.core.status import gather
from panel.gui.start_dialog import StartDialog
from tests.gui.conftest import DemoFixture

RUN_MS = 60000


def open_dialog(qtbot: QtBot, demo: DemoFixture) -> StartDialog:
    dialog = StartDialog(gather(demo.deployment), None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=RUN_MS)
    return dialog


def test_it_shows_the_command_and_escape_before_the_start_just_leaves(
    qtbot: QtBot, demo_deployment: DemoFixture
) -> None:
    dialog = open_dialog(qtbot, demo_deployment)
    assert "up -d" in dialog.command_view.toPlainText()
    assert dialog.what_label.text().endswith("Nothing is written.")
    assert not any(button.isDefault() or button.autoDefault() for button in dialog.findChildren(QPushButton))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.runner is None and dialog.result_of_start is None


def test_escape_while_starting_asks_and_keep_waiting_goes_on(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_deployment_factory(faults="up-hangs")
    dialog = open_dialog(qtbot, demo)
    answers: list[bool] = []

    def confirm(cls: type[StartDialog], parent: object) -> bool:
        answers.append(True)
        return len(answers) > 1  # keep waiting first, then stop

    monkeypatch.setattr(StartDialog, "confirm_stop", classmethod(confirm))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.state_text(Step.START) == "Running…", timeout=RUN_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert answers == [True] and dialog.runner is not None and dialog.runner.running
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.result_of_start is not None, timeout=RUN_MS)
    assert dialog.isVisible(), "it stays open to say what state Appsmith is in"
    result = dialog.result_of_start
    assert result is not None and result.outcome is Outcome.DOWN
