"""The steps of an apply as they happen, over the output of the commands they run.

Fed by `ApplyRunner.step_changed(step, state, detail)` and `output(line)`, for the consent dialog and the
first-run wizard alike. Each state shows a mark and a word, never colour alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Slot
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from panel.core.apply_sequence import Step, StepState
from panel.gui.apply_runner import ApplyRunner
from panel.gui.text_widgets import MonospaceView

_CONTEXT = "StepList"
OUTPUT_BATCH_MS = 50
OUTPUT_MAX_LINES = 20000

WAITING = QT_TRANSLATE_NOOP("StepList", "Waiting")
NOT_RUN = QT_TRANSLATE_NOOP("StepList", "Not run")
STATE_WORDS = {
    StepState.RUNNING: QT_TRANSLATE_NOOP("StepList", "Running…"),
    StepState.DONE: QT_TRANSLATE_NOOP("StepList", "Done"),
    StepState.FAILED: QT_TRANSLATE_NOOP("StepList", "Failed"),
    StepState.SKIPPED: QT_TRANSLATE_NOOP("StepList", "Skipped"),
    StepState.CANCELLED: QT_TRANSLATE_NOOP("StepList", "Cancelled"),
}
STATE_MARKS = {
    StepState.RUNNING: QStyle.StandardPixmap.SP_BrowserReload,
    StepState.DONE: QStyle.StandardPixmap.SP_DialogApplyButton,
    StepState.FAILED: QStyle.StandardPixmap.SP_MessageBoxCritical,
    StepState.SKIPPED: QStyle.StandardPixmap.SP_MediaSkipForward,
    StepState.CANCELLED: QStyle.StandardPixmap.SP_DialogCancelButton,
}
NOT_RUN_MARK = QStyle.StandardPixmap.SP_MediaSkipForward


def _tr(text: object) -> str:
    """Translate in this module's context; takes QT_TRANSLATE_NOOP's marks (typed `object` by PySide)."""
    return QCoreApplication.translate(_CONTEXT, str(text))


class StepList(QTreeWidget):
    """One row per step: its name, its state (an icon and a word) and the detail the runner gave.

    `folder`, when the window shows it elsewhere, is cut from the details so the paths in them stay short.
    """

    class Column(IntEnum):
        STEP = 0
        STATE = 1
        DETAIL = 2

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self._folder_prefix = f"{folder}{os.sep}" if folder is not None else None
        self.items: dict[Step, QTreeWidgetItem] = {}
        self.setColumnCount(3)
        self.setHeaderLabels([_tr("Step"), _tr("State"), _tr("Detail")])
        self.setAccessibleName(_tr("Steps"))
        self.setRootIsDecorated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.header()
        header.setSectionResizeMode(self.Column.STEP, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.Column.STATE, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def set_steps(self, steps: Iterable[Step]) -> None:
        """Show these steps, all waiting, and fit the list to them (it never scrolls)."""
        self.clear()
        self.items = {}
        for step in steps:
            item = QTreeWidgetItem(self, [_tr(step.label), "", ""])
            self.items[step] = item
            self.mark_waiting(step)
        rows = sum(self.sizeHintForRow(row) for row in range(len(self.items)))
        self.setFixedHeight(rows + self.header().sizeHint().height() + 2 * self.frameWidth() + 4)

    def state_text(self, step: Step) -> str:
        return self.items[step].text(self.Column.STATE)

    @Slot(object, object, str)
    def show_state(self, step: Step, state: StepState, detail: str) -> None:
        item = self.items.get(step)
        if item is None:
            return
        item.setText(self.Column.STATE, _tr(STATE_WORDS[state]))
        item.setIcon(self.Column.STATE, self.style().standardIcon(STATE_MARKS[state]))
        shown = detail.replace(self._folder_prefix, "") if self._folder_prefix else detail
        item.setText(self.Column.DETAIL, shown)
        item.setToolTip(self.Column.DETAIL, detail)

    def mark_waiting(self, step: Step) -> None:
        item = self.items[step]
        item.setText(self.Column.STATE, _tr(WAITING))
        item.setIcon(self.Column.STATE, self._blank_icon())
        item.setText(self.Column.DETAIL, "")
        item.setToolTip(self.Column.DETAIL, "")

    def mark_not_run(self) -> None:
        """At the end: the steps still waiting will not run."""
        for item in self.items.values():
            if item.text(self.Column.STATE) == _tr(WAITING):
                item.setText(self.Column.STATE, _tr(NOT_RUN))
                item.setIcon(self.Column.STATE, self.style().standardIcon(NOT_RUN_MARK))

    def _blank_icon(self) -> QIcon:
        """Keeps rows without a state icon as tall as the others, so no row is ever clipped."""
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        return QIcon(pixmap)


class CommandOutput(MonospaceView):
    """What the commands print, appended in batches: compose may print thousands of lines, and one layout pass
    per batch keeps the window answering while they stream."""

    def __init__(self, parent: QWidget | None = None, *, lines: int = 5) -> None:
        super().__init__(parent, name=_tr("Output of the commands"), lines=lines)
        self.setMaximumBlockCount(OUTPUT_MAX_LINES)
        self.setPlaceholderText(_tr("What docker compose prints appears here."))
        self._pending: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(OUTPUT_BATCH_MS)
        self._timer.timeout.connect(self.flush)

    @Slot(str)
    def queue(self, line: str) -> None:
        self._pending.append(line)
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def flush(self) -> None:
        self._timer.stop()
        if self._pending:
            self.appendPlainText("\n".join(self._pending))
            self._pending.clear()


class ApplyProgress(QWidget):
    """The step list over the commands' output, as one ApplyRunner reports them."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.steps = StepList(self, folder)
        self.log_title = QLabel(_tr("&Output of the commands:"), self)
        self.log = CommandOutput(self)
        self.log_title.setBuddy(self.log)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.steps)
        layout.addWidget(self.log_title)
        layout.addWidget(self.log, 1)

    def set_steps(self, steps: Iterable[Step]) -> None:
        self.steps.set_steps(steps)
        self.log.clear()

    def follow(self, runner: ApplyRunner) -> None:
        runner.step_changed.connect(self.steps.show_state)
        runner.output.connect(self.log.queue)

    def state_text(self, step: Step) -> str:
        return self.steps.state_text(step)

    def finish(self) -> None:
        """The run ended: all its output shown, the steps it did not reach marked as not run."""
        self.log.flush()
        self.steps.mark_not_run()

    def retry(self, steps: Iterable[Step]) -> None:
        """These steps run again: waiting once more, their output below a blank line."""
        for step in steps:
            self.steps.mark_waiting(step)
        self.log.flush()
        self.log.appendPlainText("")
