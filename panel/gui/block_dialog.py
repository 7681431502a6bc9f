"""The consent flow of a block, as the switch has it: what each host carries and what stops working, the
masked diff of the override, the exact commands; nothing runs until asked. Then the write, the recreate and
the check of the container's /etc/hosts, in a worker thread, with the commands' output and a safe cancel."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from enum import IntEnum

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from panel.core.block_apply import BlockOutcome, BlockResult, apply_block, plan_block_restart
from panel.core.change import RefusedError
from panel.core.deployment import Deployment
from panel.core.docker import DockerError
from panel.core.egress_block import (
    BLOCK_ADDRESS,
    BROWSER_NOTE,
    BlockChange,
    host_info,
    prepare_block,
    prepare_unblock,
)
from panel.core.restart import RestartPlan
from panel.gui.background import prepare_with_progress
from panel.gui.diff_view import DiffView
from panel.gui.step_list import CommandOutput
from panel.gui.text_widgets import SELECT_WITH_ANY, MonospaceView, bold, wrapping_label
from panel.gui.worker import run_in_thread


class Page(IntEnum):
    REVIEW = 0
    REFUSED = 1
    PROGRESS = 2


def prepare(deployment: Deployment, hosts: tuple[str, ...], block: bool) -> BlockChange | str:
    """The change to review, or why it is refused (run in a worker: it reads the compose files)."""
    try:
        return prepare_block(deployment, hosts) if block else prepare_unblock(deployment, hosts or None)
    except RefusedError as error:
        return str(error)


def _button(text: str) -> QPushButton:
    """No button is the default: Enter never applies a change by accident."""
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.setDefault(False)
    button.setAccessibleName(text)
    return button


class BlockDialog(QDialog):
    """Review a block or unblock, then apply it in front of the user; `ask()` returns the result."""

    output_line = Signal(str)

    def __init__(
        self, deployment: Deployment, block: bool, prepared: BlockChange | str, parent: QWidget | None
    ):
        super().__init__(parent)
        self.deployment = deployment
        self.block = block
        self.change = prepared if isinstance(prepared, BlockChange) else None
        self.refusal = prepared if isinstance(prepared, str) else None
        self.plan: RestartPlan | None = None
        self.block_result: BlockResult | None = None
        self._cancel = threading.Event()
        self._running = False
        self.setWindowTitle(self.tr("Block these hosts too") if block else self.tr("Unblock the hosts"))
        self.setMinimumSize(680, 520)
        self.resize(760, 700)
        self.pages = QStackedWidget(self)
        QVBoxLayout(self).addWidget(self.pages)
        self.pages.addWidget(self._build_review() if self.change else QWidget())
        self.pages.addWidget(self._build_refused())
        self.pages.addWidget(self._build_progress())
        if self.change is None:
            self.pages.setCurrentIndex(Page.REFUSED)
        else:
            self.pages.setCurrentIndex(Page.REVIEW)
            run_in_thread(
                plan_block_restart, self.change, parent=self, on_done=self._plan_ready, on_error=self._no_plan
            )

    @classmethod
    def ask(
        cls, parent: QWidget | None, deployment: Deployment, hosts: Iterable[str], block: bool
    ) -> BlockResult | None:
        """Prepare off the GUI thread, show the dialog modally; the result, or None when nothing ran."""
        prepared = prepare_with_progress(
            parent,
            cls.tr_static("Block these hosts too"),
            cls.tr_static("Reading the compose files of {folder}…").format(folder=deployment.folder),
            functools.partial(prepare, deployment, tuple(hosts), block),
        )
        if prepared is None:
            return None
        dialog = cls(deployment, block, prepared, parent)
        try:
            dialog.exec()
            return dialog.block_result
        finally:
            dialog.deleteLater()

    @staticmethod
    def tr_static(text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("BlockDialog", text)

    # -- review --------------------------------------------------------------------------------------

    def _build_review(self) -> QWidget:
        assert self.change is not None
        change = self.change
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName(self.tr("What will change"))
        body = QWidget()
        layout = QVBoxLayout(body)
        headline = (
            self.tr("Pin these hosts to {address} inside the container, so the server cannot reach them")
            if self.block
            else self.tr("Let the server reach these hosts again")
        ).format(address=BLOCK_ADDRESS)
        layout.addWidget(bold(wrapping_label(headline), 1.3))
        for name in change.hosts:
            host = host_info(name)
            text = self.tr("{name} carries {carries}.").format(name=name, carries=host.carries)
            if self.block:
                text += "\n" + self.tr("When blocked: {consequences}").format(consequences=host.consequences)
            label = wrapping_label(text, select=SELECT_WITH_ANY)
            label.setAccessibleName(name)
            layout.addWidget(label)
        for note in change.notes:
            layout.addWidget(self._named(wrapping_label(note, select=SELECT_WITH_ANY), self.tr("Note")))
        if self.block:
            browser = wrapping_label(BROWSER_NOTE, select=SELECT_WITH_ANY)
            layout.addWidget(self._named(browser, self.tr("The browser's analytics")))
        where = (
            self.tr(
                "This creates {file} (compose reads it by default beside {compose}); your compose file is "
                "not touched."
            )
            if change.creates_file
            else self.tr("This deletes {file}, which the panel created.")
            if change.deletes_file
            else self.tr("This changes only the marked lines of {file}; a backup is kept beside it.")
        ).format(file=change.path, compose=self.deployment.compose_file.name)
        layout.addWidget(self._named(wrapping_label(where, select=SELECT_WITH_ANY), self.tr("Which file")))
        layout.addWidget(QLabel(self.tr("Changes to {file} (secrets masked):").format(file=change.path.name)))
        self.diff_view = DiffView(
            body,
            name=self.tr("Changes to the override file"),
            text=change.diff() or self.tr("No change."),
            lines=8,
        )
        layout.addWidget(self.diff_view)
        layout.addWidget(QLabel(self.tr("Then these commands recreate the containers:")))
        self.commands_view = MonospaceView(
            body, name=self.tr("Commands"), text=self.tr("Asking docker…"), lines=3, fixed=True
        )
        layout.addWidget(self.commands_view)
        self.button_note = self._named(wrapping_label("", select=SELECT_WITH_ANY), self.tr("Recreating"))
        self.button_note.hide()
        layout.addWidget(self.button_note)
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.apply_now_button = _button(self.tr("Apply and recreate now"))
        self.apply_later_button = _button(self.tr("Write only, recreate later"))
        self.cancel_button = _button(self.tr("Cancel"))
        self.apply_now_button.setEnabled(False)
        self.apply_now_button.clicked.connect(lambda: self._apply(self.plan))
        self.apply_later_button.clicked.connect(lambda: self._apply(None))
        self.cancel_button.clicked.connect(self.reject)
        if not change.changes_file:
            self.apply_later_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (self.apply_now_button, self.apply_later_button, self.cancel_button):
            row.addWidget(button)
        outer.addLayout(row)
        return page

    @staticmethod
    def _named(label: QLabel, name: str) -> QLabel:
        label.setAccessibleName(name)
        return label

    def _plan_ready(self, plan: RestartPlan) -> None:
        self.plan = plan
        self.commands_view.setPlainText(plan.shell_text())
        self.apply_now_button.setEnabled(True)

    def _no_plan(self, error: BaseException) -> None:
        if not isinstance(error, (DockerError, RefusedError)):
            raise error
        message = (
            error.message
            if isinstance(error, DockerError)
            else str(error).replace(" Nothing was written.", "")
        )
        self.commands_view.setPlainText(self.tr("None now: recreating is not possible (see below)."))
        self.button_note.setText(
            self.tr("Recreating is not possible now: {message} You can still write the file.").format(
                message=message
            )
        )
        self.button_note.show()

    # -- refused ------------------------------------------------------------------------------------

    def _build_refused(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.refused_label = wrapping_label(
            self.tr("This change cannot be made: {reason}").format(reason=self.refusal or ""),
            select=SELECT_WITH_ANY,
        )
        self.refused_label.setAccessibleName(self.tr("Why the change cannot be made"))
        layout.addWidget(self.refused_label)
        layout.addStretch(1)
        close = _button(self.tr("Close"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        return page

    # -- progress -----------------------------------------------------------------------------------

    def _build_progress(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.progress_label = bold(wrapping_label(self.tr("Applying…")), 1.2)
        self.progress_label.setAccessibleName(self.tr("Result"))
        layout.addWidget(self.progress_label)
        self.result_label = self._named(wrapping_label("", select=SELECT_WITH_ANY), self.tr("What happened"))
        layout.addWidget(self.result_label)
        self.output = CommandOutput(page, lines=10)
        layout.addWidget(self.output, 1)
        self.output_line.connect(self.output.queue)
        self.stop_button = _button(self.tr("Cancel safely"))
        self.stop_button.clicked.connect(self._cancel.set)
        self.close_button = _button(self.tr("Close"))
        self.close_button.clicked.connect(self.accept)
        self.close_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.stop_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        return page

    def _apply(self, plan: RestartPlan | None) -> None:
        assert self.change is not None
        self.pages.setCurrentIndex(Page.PROGRESS)
        self._running = True
        self.stop_button.setEnabled(plan is not None)
        run_in_thread(
            apply_block,
            self.change,
            plan,
            self.output_line.emit,
            self._cancel,
            parent=self,
            on_done=self._finished,
        )

    def _finished(self, result: BlockResult) -> None:
        self._running = False
        self.block_result = result
        self.output.flush()
        heading = {
            BlockOutcome.VERIFIED: self.tr("Done: in effect in the container."),
            BlockOutcome.WRITTEN: self.tr("Written: it applies at the next recreate."),
            BlockOutcome.NOTHING_TO_DO: self.tr("Nothing to do."),
        }.get(result.outcome, self.tr("Not done as asked."))
        self.progress_label.setText(heading)
        self.result_label.setText("\n".join([result.message, *result.warnings]))
        self.stop_button.setEnabled(False)
        self.close_button.setEnabled(True)
        self.close_button.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Never closed under a running change: cancel it safely first."""
        if self._running:
            self._cancel.set()
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:
        if self._running:
            self._cancel.set()
            return
        super().reject()
