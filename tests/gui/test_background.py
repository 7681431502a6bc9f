"""Slow work on docker.env runs off the GUI thread while the window keeps answering: a preparation can be
cancelled, a write cannot and is waited for."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from panel.gui.background import prepare_with_progress, write_with_progress


def ticking() -> tuple[QTimer, list[float]]:
    """A 10 ms timer on the GUI thread; its ticks say the event loop ran while the work went on."""
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    return timer, ticks


def test_a_write_runs_in_a_worker_thread_while_the_window_answers(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    workers: list[threading.Thread] = []

    def write() -> str:
        workers.append(threading.current_thread())
        time.sleep(0.3)
        return "written"

    timer, ticks = ticking()
    assert write_with_progress(parent, "Restore", "Putting it back…", write) == "written"
    timer.stop()
    assert workers and workers[0] is not threading.main_thread()
    assert len(ticks) >= 10, "the event loop kept running during the write"


def test_a_write_offers_no_cancel_and_its_error_is_raised_on_the_gui_thread(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    cancel_buttons: list[int] = []

    def look_at_the_busy_bar() -> None:
        for dialog in parent.findChildren(QProgressDialog):
            cancel_buttons.append(len(dialog.findChildren(QPushButton)))
            dialog.close()  # its close button says "cancel": the write goes on all the same

    def write() -> str:
        time.sleep(0.8)
        raise OSError("disk full")

    QTimer.singleShot(500, look_at_the_busy_bar)
    with pytest.raises(OSError, match="disk full"):
        write_with_progress(parent, "Restore", "Putting it back…", write)
    assert cancel_buttons == [0]


def test_a_cancelled_preparation_answers_none_at_once(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()

    def cancel() -> None:
        for dialog in parent.findChildren(QProgressDialog):
            dialog.findChildren(QPushButton)[0].click()

    QTimer.singleShot(500, cancel)  # after the busy bar shows
    started = time.perf_counter()
    assert prepare_with_progress(parent, "Review", "Reading…", lambda: release.wait(10)) is None
    assert time.perf_counter() - started < 5, "the answer still on its way is not waited for"
    release.set()
    QApplication.processEvents()
