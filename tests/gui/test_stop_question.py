"""StopQuestion: once the container is removed, stopping asks, and Enter and Esc keep waiting."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from panel.gui.stop_question import StopQuestion


def answer_with_key(qtbot: QtBot, key: Qt.Key) -> bool:
    question = StopQuestion(None)
    qtbot.addWidget(question)

    def press() -> None:
        qtbot.keyClick(question, key)

    QTimer.singleShot(100, press)
    question.exec()
    return question.stopped()


def test_keep_waiting_is_the_default_and_the_escape_button() -> None:
    question = StopQuestion(None)
    try:
        assert question.defaultButton() is question.keep_waiting
        assert question.escapeButton() is question.keep_waiting
        assert not question.stop_now.isDefault()
        assert "Appsmith stays down until it is started" in question.text()
    finally:
        question.deleteLater()


def test_enter_and_escape_keep_waiting(qtbot: QtBot) -> None:
    assert answer_with_key(qtbot, Qt.Key.Key_Return) is False
    assert answer_with_key(qtbot, Qt.Key.Key_Escape) is False


def test_stop_now_is_one_deliberate_press(qtbot: QtBot) -> None:
    question = StopQuestion(None)
    qtbot.addWidget(question)

    def press() -> None:
        button = question.stop_now
        assert isinstance(button, QPushButton)
        button.click()

    QTimer.singleShot(100, press)
    question.exec()
    assert question.stopped() is True
