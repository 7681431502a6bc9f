"""Run a slow preparation (reading, parsing and masking docker.env) off the GUI thread while a dialog waits.

The window keeps answering; a busy bar with Cancel appears only when the work takes longer than a moment.
Preparing only reads, so a cancel has nothing to undo: the answer still on its way is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from panel.gui.worker import run_in_thread

NOTICE_MS = 400
"""Milliseconds before the busy bar shows: a quick preparation never flashes a dialog."""

T = TypeVar("T")


def prepare_with_progress(parent: QWidget | None, title: str, label: str, work: Callable[[], T]) -> T | None:
    """`work()` in a worker thread; its answer, or None when the person cancelled. An error it raised is
    raised here, on the GUI thread."""
    loop = QEventLoop()
    answers: list[T | BaseException] = []
    cancel = QCoreApplication.translate("prepare_with_progress", "Cancel")
    progress = QProgressDialog(label, cancel, 0, 0, parent)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(NOTICE_MS)
    progress.setValue(0)  # starts the clock after which it shows (a busy bar: the range is 0..0)
    progress.canceled.connect(loop.quit)

    def answered(answer: T | BaseException) -> None:
        answers.append(answer)
        loop.quit()

    run_in_thread(work, parent=progress, on_done=answered, on_error=answered)
    loop.exec()
    progress.reset()
    progress.deleteLater()  # a result still on its way is dropped with it
    if not answers:
        return None
    answer = answers[0]
    if isinstance(answer, BaseException):
        raise answer
    return answer
