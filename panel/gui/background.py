"""Run slow work on docker.env (reading, parsing and masking it; writing it back) off the GUI thread while a
dialog waits.

The window keeps answering; a busy bar appears only when the work takes longer than a moment. Preparing only
reads, so a cancel has nothing to undo: the answer still on its way is dropped. A write offers no Cancel: once
started it ends by itself, and the person sees how.
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
    answers = _wait_for(parent, title, label, work, cancellable=True)
    if not answers:
        return None
    return _answer(answers[0])


def write_with_progress(parent: QWidget | None, title: str, label: str, work: Callable[[], T]) -> T:
    """`work()` (a write, which must not be left halfway) in a worker thread, with a busy bar but no Cancel;
    its answer, or the error it raised, raised here on the GUI thread."""
    answers = _wait_for(parent, title, label, work, cancellable=False)
    return _answer(answers[0])


def _answer(answer: T | BaseException) -> T:
    if isinstance(answer, BaseException):
        raise answer
    return answer


def _wait_for(
    parent: QWidget | None, title: str, label: str, work: Callable[[], T], cancellable: bool
) -> list[T | BaseException]:
    """Run the event loop until `work()` answers (or, when `cancellable`, until Cancel): what it answered."""
    loop = QEventLoop()
    answers: list[T | BaseException] = []
    progress = QProgressDialog(
        label, QCoreApplication.translate("prepare_with_progress", "Cancel"), 0, 0, parent
    )
    if not cancellable:
        progress.setCancelButton(None)  # no Cancel: a write is waited for
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(NOTICE_MS)
    progress.setValue(0)  # starts the clock after which it shows (a busy bar: the range is 0..0)
    if cancellable:
        progress.canceled.connect(loop.quit)

    def answered(answer: T | BaseException) -> None:
        answers.append(answer)
        loop.quit()

    run_in_thread(work, parent=progress, on_done=answered, on_error=answered)
    while not answers:
        loop.exec()
        if cancellable:
            break
    progress.reset()
    progress.deleteLater()  # a result still on its way is dropped with it
    return answers
