"""The only way the window changes anything: say what will happen, in words, then do it in front of the user.

Page one states the choice, the events it starts or stops (and what goes out regardless), the masked diff of
docker.env and the exact commands. Nothing is pre-selected. Page two runs the change with `ApplyRunner`: a
live step list, the compose output, a safe cancel, and a verdict that says what state Appsmith is in.
"""

from __future__ import annotations

import functools
import logging
import os
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QFont,
    QFontDatabase,
    QIcon,
    QKeyEvent,
    QPixmap,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from panel.core.apply_sequence import HEALTH_INTERVAL, HEALTH_TIMEOUT, ApplyResult, Outcome, Step, StepState
from panel.core.backups import find_backup, restore_and_record
from panel.core.change import EnvChange, Review, prepare_review
from panel.core.deployment import Deployment
from panel.core.docker import DockerError
from panel.core.envfile import TELEMETRY_KEY, shown_value
from panel.core.payloads import CatalogError, load_catalog
from panel.core.printable import printable_lines
from panel.core.restart import ComposeTool, RestartPlan, plan_restart, restart_tool
from panel.core.status import Status
from panel.gui.apply_runner import ApplyRunner
from panel.gui.background import prepare_with_progress
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui.consent")

_CONTEXT = "ConsentDialog"
OUTPUT_BATCH_MS = 50
PREPARE_NOTICE_MS = 400
"""A preparation that takes longer than this shows a progress dialog with Cancel."""


def _tr(text: object) -> str:
    """Translate in this dialog's context; takes QT_TRANSLATE_NOOP's marks (typed `object` by PySide)."""
    return QCoreApplication.translate(_CONTEXT, str(text))


class Page(IntEnum):
    REVIEW = 0
    REFUSED = 1
    PROGRESS = 2


_STEP_WORDS = {
    StepState.RUNNING: QT_TRANSLATE_NOOP("ConsentDialog", "Running…"),
    StepState.DONE: QT_TRANSLATE_NOOP("ConsentDialog", "Done"),
    StepState.FAILED: QT_TRANSLATE_NOOP("ConsentDialog", "Failed"),
    StepState.SKIPPED: QT_TRANSLATE_NOOP("ConsentDialog", "Skipped"),
    StepState.CANCELLED: QT_TRANSLATE_NOOP("ConsentDialog", "Cancelled"),
}
_STEP_ICONS = {
    StepState.RUNNING: QStyle.StandardPixmap.SP_BrowserReload,
    StepState.DONE: QStyle.StandardPixmap.SP_DialogApplyButton,
    StepState.FAILED: QStyle.StandardPixmap.SP_MessageBoxCritical,
    StepState.SKIPPED: QStyle.StandardPixmap.SP_MediaSkipForward,
    StepState.CANCELLED: QStyle.StandardPixmap.SP_DialogCancelButton,
}
WAITING = QT_TRANSLATE_NOOP("ConsentDialog", "Waiting")
NOT_RUN = QT_TRANSLATE_NOOP("ConsentDialog", "Not run")

_VERDICT_HEADINGS = {
    Outcome.VERIFIED: QT_TRANSLATE_NOOP("ConsentDialog", "Done: the new setting is in effect."),
    Outcome.APPLIED_UNCONFIRMED: QT_TRANSLATE_NOOP(
        "ConsentDialog", "Done: applied, but this Appsmith version cannot confirm it."
    ),
    Outcome.WRITTEN: QT_TRANSLATE_NOOP("ConsentDialog", "Written: docker.env has the new value."),
    Outcome.NOTHING_TO_DO: QT_TRANSLATE_NOOP("ConsentDialog", "Nothing to do."),
    Outcome.REFUSED: QT_TRANSLATE_NOOP("ConsentDialog", "Failed: nothing was changed."),
    Outcome.RESTART_FAILED: QT_TRANSLATE_NOOP("ConsentDialog", "Failed: the restart did not work."),
    Outcome.DOWN: QT_TRANSLATE_NOOP("ConsentDialog", "Failed: Appsmith is down."),
    Outcome.UNHEALTHY: QT_TRANSLATE_NOOP("ConsentDialog", "Failed: Appsmith did not become healthy."),
    Outcome.MISMATCH: QT_TRANSLATE_NOOP("ConsentDialog", "Failed: the new setting is not in effect."),
    Outcome.CANCELLED: QT_TRANSLATE_NOOP("ConsentDialog", "Cancelled."),
}


def _monospace() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class _DiffHighlighter(QSyntaxHighlighter):
    """Removed and added lines in bold; the leading "-" / "+" already says which is which."""

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")) or not text.startswith(("+", "-")):
            return
        style = QTextCharFormat()
        style.setFontWeight(QFont.Weight.Bold)
        self.setFormat(0, len(text), style)


def _read_only_text(text: str, name: str, lines: int) -> QPlainTextEdit:
    view = QPlainTextEdit(text)
    view.setReadOnly(True)
    view.setFont(_monospace())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
    )
    view.setAccessibleName(name)
    view.setTabChangesFocus(True)
    height = view.fontMetrics().lineSpacing() * lines + 2 * view.frameWidth() + 12
    view.setMinimumHeight(height)
    view.setMaximumHeight(height + view.horizontalScrollBar().sizeHint().height())
    return view


def _wrapping_label(text: str = "", selectable: bool = False) -> QLabel:
    label = QLabel(printable_lines(text))  # sentences carry folder and service names
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if selectable:
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return label


def _bold(label: QLabel) -> QLabel:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _plain_button(text: str, name: str) -> QPushButton:
    """No button is the default: Enter never applies a change by accident."""
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.setDefault(False)
    button.setAccessibleName(name)
    return button


class ConsentDialog(QDialog):
    """Review the change, then apply it with a visible, cancellable progress; `ask()` returns the
    ApplyResult."""

    health_timeout: float = HEALTH_TIMEOUT
    health_interval: float = HEALTH_INTERVAL
    """How the runner waits for Appsmith to come back (tests shorten the interval)."""

    def __init__(
        self, status: Status, telemetry_on: bool, parent: QWidget | None, review: Review | None = None
    ) -> None:
        super().__init__(parent)
        self.status = status
        self.telemetry_on = telemetry_on
        self.deployment = status.deployment
        self.change: EnvChange | None = None
        self.plan: RestartPlan | None = None
        self.runner: ApplyRunner | None = None
        self.refusal: str | None = None
        self._result: ApplyResult | None = None
        self._restored = False
        self.setWindowTitle(self.tr("Change telemetry"))
        self.setMinimumSize(720, 560)
        self.resize(780, 760)
        self.pages = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        review = review or prepare_review(self.deployment, telemetry_on)
        self.change, self.refusal, self._diff = review.change, review.refusal, review.diff
        self.pages.addWidget(self._build_review() if self.change else QWidget())
        self.pages.addWidget(self._build_refused())
        self.pages.addWidget(self._build_progress())
        if self.change is None:
            self.pages.setCurrentIndex(Page.REFUSED)
            self.close_refused_button.setFocus()
        else:
            self.pages.setCurrentIndex(Page.REVIEW)
            self.review_scroll.setFocus()
            if not self._overridden:
                self._detect_compose()

    # -- asking
    # -------------------------------------------------------------------------------------------------

    @classmethod
    def ask(cls, parent: QWidget | None, status: Status, telemetry_on: bool) -> ApplyResult | None:
        """Show the dialog modally; the final ApplyResult, or None when the user cancelled before anything
        ran."""
        review = cls.prepare_in_background(parent, status.deployment, telemetry_on)
        if review is None:
            return None
        dialog = cls(status, telemetry_on, parent, review)
        try:
            dialog.exec()
            return dialog.apply_result
        finally:
            dialog.deleteLater()

    @staticmethod
    def prepare_in_background(
        parent: QWidget | None, deployment: Deployment, telemetry_on: bool
    ) -> Review | None:
        """`prepare_review` in a worker thread while the window stays live; None when cancelled."""
        return prepare_with_progress(
            parent,
            _tr("Change telemetry"),
            _tr("Reading {file} and preparing the change…").format(file=deployment.env_file),
            functools.partial(prepare_review, deployment, telemetry_on),
        )

    @classmethod
    def confirm_restore(cls, parent: QWidget, backup: Path, env_file: Path) -> bool:
        """Ask before putting the backup back (patched in tests)."""
        answer = QMessageBox.question(
            parent,
            _tr("Restore backup"),
            _tr(
                "Put {backup} back as {env_file}?\n\nThe file as it is now is kept as a new backup first. "
                "Appsmith is not restarted."
            ).format(backup=backup.name, env_file=env_file),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    @property
    def apply_result(self) -> ApplyResult | None:
        return self._result

    # -- page 1: review
    # -----------------------------------------------------------------------------------------

    @property
    def _overridden(self) -> bool:
        return self.status.override is not None

    def _choice_sentence(self) -> str:
        return (
            self.tr("Share anonymous usage data with Appsmith")
            if self.telemetry_on
            else self.tr("Stop sending anonymous usage data to Appsmith")
        )

    def _headline(self) -> QLabel:
        label = _wrapping_label(self._choice_sentence())
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        label.setFont(font)
        label.setAccessibleName(self.tr("Your choice"))
        return label

    def _build_review(self) -> QWidget:
        assert self.change is not None
        change = self.change
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        self.review_scroll = QScrollArea()
        self.review_scroll.setWidgetResizable(True)
        self.review_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.review_scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.review_scroll.setAccessibleName(self.tr("What will change"))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._headline())

        old = shown_value(change.old_value)
        if change.changes_file:
            now = (
                self.tr("it is not set now") if old is None else self.tr("it says {old} now").format(old=old)
            )
            summary = self.tr("This writes {key}={new} in {file} ({now}).").format(
                key=TELEMETRY_KEY, new=change.new_value, file=self.deployment.env_file, now=now
            )
        else:
            summary = self.tr(
                "{file} already says {key}={new}, so the file stays as it is. Restarting makes the running "
                "Appsmith read it."
            ).format(file=self.deployment.env_file, key=TELEMETRY_KEY, new=change.new_value)
        self.summary_label = _wrapping_label(summary, selectable=True)
        layout.addWidget(self.summary_label)

        self.override_box: QFrame | None = None
        if self.status.override is not None:
            layout.addWidget(self._build_override_warning())

        layout.addWidget(self._build_events())
        layout.addWidget(self._build_diff())
        layout.addWidget(self._build_commands())
        layout.addStretch(1)
        self.review_scroll.setWidget(body)
        outer.addWidget(self.review_scroll, 1)

        self.restart_now_button = _plain_button(
            self.tr("Apply and restart now"), self.tr("Apply and restart now")
        )
        self.restart_later_button = _plain_button(
            self.tr("Apply, restart later"), self.tr("Apply, restart later")
        )
        self.cancel_review_button = _plain_button(
            self.tr("Cancel"), self.tr("Cancel without changing anything")
        )
        self.restart_now_button.setEnabled(False)
        self.restart_now_button.clicked.connect(self._apply_now)
        self.restart_later_button.clicked.connect(self._apply_later)
        self.cancel_review_button.clicked.connect(self.reject)
        if self._overridden:
            self.restart_now_button.hide()
            self.restart_later_button.setText(self.tr("Write the file only"))
            self.restart_later_button.setAccessibleName(self.tr("Write the file only"))
        if not change.changes_file:
            self.restart_later_button.setEnabled(False)
            self.restart_later_button.setToolTip(self.tr("The file already has this value."))
        self.button_note = _wrapping_label()
        self.button_note.hide()
        outer.addWidget(self.button_note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.restart_now_button, self.restart_later_button, self.cancel_review_button):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        return page

    def _build_override_warning(self) -> QFrame:
        override = self.status.override
        assert override is not None
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setAccessibleName(self.tr("Warning: this change has no effect"))
        row = QHBoxLayout(box)
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        text = _wrapping_label(
            self.tr(
                "Warning: writing docker.env changes nothing. {override}, and that wins over docker.env. To "
                "change the setting, edit or remove that line in {compose}, then recreate the containers. "
                "Only writing the file is offered here."
            ).format(override=override, compose=self.deployment.compose_file.name),
            selectable=True,
        )
        font = text.font()
        font.setBold(True)
        text.setFont(font)
        row.addWidget(text, 1)
        self.override_box = box
        self.override_label = text
        return box

    def _build_events(self) -> QWidget:
        group = QGroupBox(self.tr("What this changes"))
        layout = QVBoxLayout(group)
        try:
            catalog = load_catalog()
        except CatalogError as error:
            layout.addWidget(
                _wrapping_label(
                    self.tr("The list of events could not be loaded: {error}").format(error=error),
                    selectable=True,
                )
            )
            return group
        switched = [sample for sample in catalog.samples if sample.stopped_by_switch]
        heading = (
            self.tr("These events will start being sent:")
            if self.telemetry_on
            else self.tr("These events will stop:")
        )
        lines = [
            self.tr("• {event} ({source}): {when}").format(event=s.event, source=s.source.label, when=s.when)
            for s in switched
        ]
        if self._overridden:
            heading = self.tr("These events would {verb}, once the override is removed:").format(
                verb=self.tr("start") if self.telemetry_on else self.tr("stop")
            )
        layout.addWidget(_bold(_wrapping_label(heading)))
        self.switched_label = _wrapping_label("\n".join(lines), selectable=True)
        self.switched_label.setAccessibleName(heading)
        layout.addWidget(self.switched_label)
        always_heading = self.tr("Sent whatever you choose (the switch does not stop these):")
        always = [
            self.tr("• {name} ({sender}): {when}").format(name=a.name, sender=a.sender, when=a.when)
            for a in catalog.always_sent
        ]
        layout.addSpacing(self.fontMetrics().lineSpacing() // 2)
        layout.addWidget(_bold(_wrapping_label(always_heading)))
        self.always_label = _wrapping_label("\n".join(always), selectable=True)
        self.always_label.setAccessibleName(always_heading)
        layout.addWidget(self.always_label)
        return group

    def _build_diff(self) -> QWidget:
        assert self.change is not None
        group = QGroupBox(self.tr("The change to {name}").format(name=self.deployment.env_file.name))
        layout = QVBoxLayout(group)
        diff = self._diff
        if diff:
            legend = self.tr(
                'Lines starting with "-" are removed, lines starting with "+" are added. '
                "Secret values are hidden as ••••••."
            )
        else:
            legend = self.tr("No line of the file changes.")
        layout.addWidget(_wrapping_label(legend))
        text = diff.rstrip("\n") or self.tr("(no difference)")
        self.diff_view = _read_only_text(
            text,
            self.tr("Difference in {name}").format(name=self.deployment.env_file.name),
            min(14, max(4, text.count("\n") + 1)),
        )
        self._highlighter = _DiffHighlighter(self.diff_view.document())
        layout.addWidget(self.diff_view)
        return group

    def _build_commands(self) -> QWidget:
        group = QGroupBox(self.tr("Commands that run for \u201cApply and restart now\u201d"))
        layout = QVBoxLayout(group)
        if self._overridden:
            layout.addWidget(
                _wrapping_label(
                    self.tr("None: restarting cannot apply this change while the override is in place.")
                )
            )
            self.commands_view = _read_only_text("", self.tr("Commands"), 3)
            self.commands_view.hide()
            return group
        layout.addWidget(
            _wrapping_label(
                self.tr(
                    "They remove the Appsmith container and create it again, the restart Appsmith documents: "
                    "a fresh container starts from the new docker.env and compose settings. Appsmith is "
                    "unavailable until it is healthy again, usually one to several minutes. Your data stays "
                    "in its volume."
                )
            )
        )
        self.commands_view = _read_only_text(
            self.tr("Checking which docker compose is installed…"), self.tr("Commands"), 3
        )
        layout.addWidget(self.commands_view)
        return group

    def _detect_compose(self) -> None:
        run_in_thread(restart_tool, parent=self, on_done=self._compose_found, on_error=self._compose_missing)

    def _compose_found(self, tool: ComposeTool) -> None:
        self.plan = plan_restart(self.deployment, tool)
        self.commands_view.setPlainText(self.plan.shell_text())
        if not self._overridden:
            self.restart_now_button.setEnabled(True)

    def _compose_missing(self, error: BaseException) -> None:
        if not isinstance(error, DockerError):
            raise error
        self.plan = None
        self.commands_view.setPlainText(error.message)
        self.commands_view.setAccessibleName(self.tr("Why restarting is not possible"))
        self.restart_now_button.setEnabled(False)
        self.button_note.setText(
            self.tr(
                "Restarting is not possible: {message} You can still write the file and restart later."
            ).format(message=error.message)
        )
        self.button_note.show()

    # -- refused
    # ------------------------------------------------------------------------------------------------

    def _build_refused(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._headline())
        row = QHBoxLayout()
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size, size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        self.refused_label = _wrapping_label(
            self.tr("This change cannot be made: {reason}").format(reason=self.refusal or ""), selectable=True
        )
        self.refused_label.setAccessibleName(self.tr("Why the change cannot be made"))
        row.addWidget(self.refused_label, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_refused_button = _plain_button(self.tr("Close"), self.tr("Close"))
        self.close_refused_button.clicked.connect(self.reject)
        buttons.addWidget(self.close_refused_button)
        layout.addLayout(buttons)
        return page

    # -- page 2: progress
    # ---------------------------------------------------------------------------------------

    def _build_progress(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._headline())
        layout.addWidget(
            _wrapping_label(
                self.tr("Deployment: {folder}").format(folder=self.deployment.folder), selectable=True
            )
        )
        self.steps_view = QTreeWidget()
        self.steps_view.setColumnCount(3)
        self.steps_view.setHeaderLabels([self.tr("Step"), self.tr("State"), self.tr("Detail")])
        self.steps_view.setRootIsDecorated(False)
        self.steps_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps_view.setAccessibleName(self.tr("Steps"))
        self.steps_view.setWordWrap(True)
        self.steps_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.steps_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.step_items: dict[Step, QTreeWidgetItem] = {}
        for step in Step:
            item = QTreeWidgetItem([_tr(step.label), "", ""])
            self.steps_view.addTopLevelItem(item)
            self.step_items[step] = item
            self._mark_waiting(item)
        header = self.steps_view.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        rows = sum(self.steps_view.sizeHintForRow(row) for row in range(len(Step)))
        self.steps_view.setFixedHeight(
            rows + header.sizeHint().height() + 2 * self.steps_view.frameWidth() + 4
        )
        layout.addWidget(self.steps_view)

        layout.addWidget(QLabel(self.tr("Output")))
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setFont(_monospace())
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log_view.setMaximumBlockCount(20000)
        self.log_view.setTabChangesFocus(True)
        self.log_view.setAccessibleName(self.tr("Output of the commands"))
        self.log_view.setPlaceholderText(self.tr("What docker compose prints appears here."))
        layout.addWidget(self.log_view, 1)
        self._pending_output: list[str] = []
        self._output_timer = QTimer(self)
        self._output_timer.setSingleShot(True)
        self._output_timer.setInterval(OUTPUT_BATCH_MS)
        self._output_timer.timeout.connect(self._flush_output)

        verdict = QHBoxLayout()
        self.verdict_icon = QLabel()
        self.verdict_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        verdict.addWidget(self.verdict_icon)
        words = QVBoxLayout()
        self.verdict_label = _bold(_wrapping_label(self.tr("Working…"), selectable=True))
        self.verdict_label.setAccessibleName(self.tr("Verdict"))
        self.verdict_detail = _wrapping_label("", selectable=True)
        self.verdict_detail.setAccessibleName(self.tr("What happened"))
        self.verdict_detail.hide()
        words.addWidget(self.verdict_label)
        words.addWidget(self.verdict_detail)
        verdict.addLayout(words, 1)
        layout.addLayout(verdict)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_run_button = _plain_button(self.tr("Cancel"), self.tr("Cancel applying"))
        self.retry_button = _plain_button(self.tr("Retry start"), self.tr("Retry starting Appsmith"))
        self.restore_button = _plain_button(
            self.tr("Restore backup…"), self.tr("Restore the backup of docker.env")
        )
        self.close_button = _plain_button(self.tr("Close"), self.tr("Close"))
        self.cancel_run_button.clicked.connect(self._cancel_run)
        self.retry_button.clicked.connect(self._retry_start)
        self.restore_button.clicked.connect(self._restore)
        self.close_button.clicked.connect(self.accept)
        for button in (self.cancel_run_button, self.retry_button, self.restore_button, self.close_button):
            buttons.addWidget(button)
        for button in (self.retry_button, self.restore_button, self.close_button):
            button.hide()
        layout.addLayout(buttons)
        return page

    @Slot()
    def _apply_now(self) -> None:
        if self.plan is not None and not self._overridden:
            self._run(self.plan)

    @Slot()
    def _apply_later(self) -> None:
        self._run(None)

    def _run(self, plan: RestartPlan | None) -> None:
        assert self.change is not None
        self.pages.setCurrentIndex(Page.PROGRESS)
        runner = self._make_runner(self.change, plan)
        self.runner = runner
        runner.step_changed.connect(self._on_step)
        runner.output.connect(self._queue_output)
        runner.finished.connect(self._on_finished)
        self.cancel_run_button.setFocus()
        runner.start()

    @Slot(str)
    def _queue_output(self, line: str) -> None:
        """Compose may print thousands of lines: they reach the view in batches, one layout pass per batch, so
        the window keeps answering while they stream."""
        self._pending_output.append(line)
        if not self._output_timer.isActive():
            self._output_timer.start()

    @Slot()
    def _flush_output(self) -> None:
        self._output_timer.stop()
        if self._pending_output:
            self.log_view.appendPlainText("\n".join(self._pending_output))
            self._pending_output.clear()

    def _make_runner(self, change: EnvChange, plan: RestartPlan | None) -> ApplyRunner:
        return ApplyRunner(
            change,
            plan,
            parent=self,
            health_timeout=self.health_timeout,
            health_interval=self.health_interval,
        )

    def _blank_icon(self) -> QIcon:
        """Keeps rows without a state icon as tall as the others, so no row is ever clipped."""
        size = self._small_icon_size()
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        return QIcon(pixmap)

    def _mark_waiting(self, item: QTreeWidgetItem, words: object = WAITING) -> None:
        item.setText(1, _tr(words))
        item.setIcon(1, self._blank_icon())
        item.setText(2, "")
        item.setToolTip(2, "")

    @Slot(object, object, str)
    def _on_step(self, step: Step, state: StepState, detail: str) -> None:
        item = self.step_items[step]
        item.setText(1, _tr(_STEP_WORDS[state]))
        item.setIcon(1, self.style().standardIcon(_STEP_ICONS[state]))
        item.setText(2, detail.replace(f"{self.deployment.folder}{os.sep}", ""))  # shown above the steps
        item.setToolTip(2, detail)

    @Slot()
    def _cancel_run(self) -> None:
        if self.runner is not None and self.runner.running:
            self.cancel_run_button.setEnabled(False)
            self.cancel_run_button.setText(self.tr("Cancelling…"))
            self._set_verdict(self.tr("Cancelling: stopping at the safest point…"))
            self.runner.cancel()

    @Slot(object)
    def _on_finished(self, result: ApplyResult) -> None:
        self._flush_output()
        self._result = result
        for item in self.step_items.values():
            if item.text(1) == _tr(WAITING):
                item.setText(1, _tr(NOT_RUN))
                item.setIcon(1, self.style().standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self._show_verdict(result)
        self.cancel_run_button.hide()
        assert self.runner is not None
        self.retry_button.setVisible(self.runner.can_retry_start and not self._restored)
        self.restore_button.setVisible(result.backup is not None and not result.ok and not self._restored)
        self.close_button.show()
        for button in (self.retry_button, self.close_button):
            if button.isVisible():
                button.setFocus()
                break

    def _set_verdict(self, heading: str, detail: str = "") -> None:
        self.verdict_label.setText(heading)
        self.verdict_detail.setText(detail)
        self.verdict_detail.setVisible(bool(detail))

    def _show_verdict(self, result: ApplyResult, extra: str = "") -> None:
        lines = [result.message]
        if not result.ok and result.backup is not None and self.change is not None:
            lines.append(
                self.tr("docker.env now has {key}={new}; the file as it was is kept as {backup}.").format(
                    key=TELEMETRY_KEY, new=self.change.new_value, backup=result.backup.name
                )
            )
        if extra:
            lines.append(extra)
        lines.extend(result.warnings)
        self._set_verdict(_tr(_VERDICT_HEADINGS[result.outcome]), "\n".join(lines))
        pixmap = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if result.ok
            else QStyle.StandardPixmap.SP_MessageBoxWarning
            if result.outcome is Outcome.CANCELLED
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        size = self._small_icon_size()
        self.verdict_icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))

    def _small_icon_size(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)

    @Slot()
    def _retry_start(self) -> None:
        if self.runner is None or not self.runner.can_retry_start:
            return
        for step in (Step.START, Step.HEALTH, Step.VERIFY):
            self._mark_waiting(self.step_items[step])
        self._set_verdict(self.tr("Starting Appsmith again…"))
        self.verdict_icon.clear()
        for button in (self.retry_button, self.restore_button, self.close_button):
            button.hide()
        self.cancel_run_button.setText(self.tr("Cancel"))
        self.cancel_run_button.setEnabled(True)
        self.cancel_run_button.show()
        self.cancel_run_button.setFocus()
        self._flush_output()
        self.log_view.appendPlainText("")
        self.runner.retry_start()

    @Slot()
    def _restore(self) -> None:
        result = self._result
        if result is None or result.backup is None:
            return
        env_file = self.deployment.env_file
        if not type(self).confirm_restore(self, result.backup, env_file):
            return
        try:
            restored = restore_and_record(env_file, find_backup(env_file, result.backup.name))
        except (OSError, RuntimeError) as error:
            log.error("restoring %s failed: %s", result.backup, error)
            self._show_verdict(result, self.tr("Restoring the backup failed: {error}").format(error=error))
            return
        safety = restored.safety
        self._restored = True
        self.restore_button.hide()
        self.retry_button.hide()
        if result.appsmith_down and self.plan is not None:
            start = self.tr(
                "Appsmith is still down: start it with the restored file by running: {command}"
            ).format(command=self.plan.start.shell_line())
        else:
            start = self.tr("Appsmith was not restarted; it reads the restored file at its next recreate.")
        self._set_verdict(
            self.tr("Restored: docker.env is back as it was before this change."),
            "\n".join(
                [
                    self.tr(
                        "{file} has its previous content again; what was there is kept as {name}."
                    ).format(file=env_file, name=safety.name)
                    if safety is not None
                    else self.tr("{file} had been deleted; it has its previous content again.").format(
                        file=env_file
                    ),
                    start,
                    *([restored.audit_warning] if restored.audit_warning else []),
                ]
            ),
        )
        self.verdict_icon.setPixmap(
            self.style()
            .standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            .pixmap(self._small_icon_size(), self._small_icon_size())
        )
        self.close_button.setFocus()

    # -- closing
    # ------------------------------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape, the window's close button and Cancel: while applying, cancel safely and stay open."""
        if self.runner is not None and self.runner.running:
            self._cancel_run()
            return
        if self.pages.currentIndex() == Page.PROGRESS:
            self.accept()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner is not None and self.runner.running:
            self._cancel_run()
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
            self.focusWidget(), QPushButton
        ):
            event.ignore()  # no default button: Enter never applies
            return
        super().keyPressEvent(event)
