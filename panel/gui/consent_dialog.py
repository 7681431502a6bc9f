"""The only way the window changes anything: say what will happen, in words, then do it in front of the user.

Page one states the choice and what it does in one line, then the masked, coloured diff of docker.env, the
exact commands, and (collapsed) the events it starts or stops and what goes out regardless. No button is the
default: Enter presses only the focused one. Page two runs the change with `ApplyRunner`: a live step list,
the compose output, a safe cancel (once the container is removed it asks first), and a verdict that says what
state Appsmith is in.
"""

from __future__ import annotations

import functools
import logging
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from panel.core import offload
from panel.core.apply_sequence import HEALTH_INTERVAL, HEALTH_TIMEOUT, ApplyResult, Outcome, Step
from panel.core.backups import find_backup, restore_and_record
from panel.core.change import EnvChange, Review, prepare_review
from panel.core.deployment import Deployment
from panel.core.docker import DockerError
from panel.core.envfile import TELEMETRY_KEY, shown_value
from panel.core.payloads import CatalogError, load_catalog
from panel.core.restart import ComposeTool, RestartPlan, plan_restart, restart_tool
from panel.core.restart_notice import restart_notice
from panel.core.status import STILL_SENT_WHEN_OFF, Status
from panel.gui.apply_runner import ApplyRunner
from panel.gui.background import prepare_with_progress, write_with_progress
from panel.gui.block_section import block_offer, follow_block_offer
from panel.gui.buttons import enter_presses_focused, plain_button
from panel.gui.collapsible import Collapsible
from panel.gui.diff_view import DiffView
from panel.gui.step_list import ApplyProgress
from panel.gui.stop_question import StopQuestion
from panel.gui.text_widgets import SELECT_WITH_ANY, MonospaceView, bold, wrapping_label
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui.consent")

_CONTEXT = "ConsentDialog"
PREPARE_NOTICE_MS = 400
"""A preparation that takes longer than this shows a progress dialog with Cancel."""


def _tr(text: object) -> str:
    """Translate in this dialog's context; takes QT_TRANSLATE_NOOP's marks (typed `object` by PySide)."""
    return QCoreApplication.translate(_CONTEXT, str(text))


class Page(IntEnum):
    REVIEW = 0
    REFUSED = 1
    PROGRESS = 2


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
        self.block_offer: QCheckBox | None = None
        self._result: ApplyResult | None = None
        self._restored = False
        self.setWindowTitle(self.tr("Turn telemetry ON") if telemetry_on else self.tr("Turn telemetry OFF"))
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
            follow_block_offer(parent, dialog.deployment, dialog.block_offer, dialog.apply_result)
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
            functools.partial(
                offload.for_file, deployment.env_file, prepare_review, deployment, telemetry_on
            ),
        )

    @classmethod
    def confirm_stop(cls, parent: QWidget) -> bool:
        """Ask before a cancel that leaves Appsmith down; True to stop (patched in tests)."""
        return StopQuestion.ask(parent)

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
        """A compose value wins over what this dialog writes (up to v1.6.8 docker.env's own value wins)."""
        return not self.status.file_decides

    def _choice_sentence(self) -> str:
        return (
            self.tr("Share usage data with Appsmith")
            if self.telemetry_on
            else self.tr("Stop sending usage data to Appsmith")
        )

    def _what_it_does(self) -> str:
        """The one line that says what pressing "Apply and restart now" does, downtime included."""
        on_off = self.tr("ON") if self.telemetry_on else self.tr("OFF")
        if self._overridden:
            return self.tr(
                "This writes telemetry {on_off} in docker.env only; the compose file's value still wins."
            ).format(on_off=on_off)
        service = self.deployment.server_service
        if self.change is not None and not self.change.changes_file:
            return self.tr(
                "This recreates the {service} container so it reads telemetry {on_off} "
                "(about a minute of downtime)."
            ).format(service=service, on_off=on_off)
        return self.tr(
            "This turns telemetry {on_off} and recreates the {service} container "
            "(about a minute of downtime)."
        ).format(on_off=on_off, service=service)

    def _headline(self) -> QLabel:
        label = bold(wrapping_label(self._choice_sentence()), 1.35)
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
        self.what_label = bold(wrapping_label(self._what_it_does(), select=SELECT_WITH_ANY))
        self.what_label.setAccessibleName(self.tr("What this does"))
        layout.addWidget(self.what_label)
        if self.telemetry_on:
            identifying = wrapping_label(
                self.tr(
                    "Usage data identifies this instance: it carries this server's public IP address, the "
                    "instance id and hashed email addresses of its users."
                ),
                select=SELECT_WITH_ANY,
            )
            identifying.setAccessibleName(self.tr("What identifies you"))
            layout.addWidget(identifying)
        else:
            still_sent = wrapping_label(self.tr(STILL_SENT_WHEN_OFF), select=SELECT_WITH_ANY)
            still_sent.setAccessibleName(self.tr("What still goes to Appsmith"))
            layout.addWidget(still_sent)

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
        self.summary_label = wrapping_label(summary, select=SELECT_WITH_ANY)
        layout.addWidget(self.summary_label)

        self.override_box: QFrame | None = None
        if self._overridden:
            layout.addWidget(self._build_override_warning())

        layout.addWidget(self._build_diff())
        layout.addWidget(self._build_commands())
        self.block_offer = None if self.telemetry_on else block_offer(body)  # what the switch cannot stop
        if self.block_offer is not None:
            layout.addWidget(self.block_offer)
        layout.addWidget(self._build_events())
        layout.addStretch(1)
        self.review_scroll.setWidget(body)
        outer.addWidget(self.review_scroll, 1)

        self.restart_now_button = plain_button(
            self.tr("Apply and &restart now"), self.tr("Apply and restart now")
        )
        self.restart_later_button = plain_button(
            self.tr("Apply, restart &later"), self.tr("Apply, restart later")
        )
        self.cancel_review_button = plain_button(
            self.tr("&Cancel"), self.tr("Cancel without changing anything")
        )
        self.restart_now_button.setEnabled(False)
        self.restart_now_button.clicked.connect(self._apply_now)
        self.restart_later_button.clicked.connect(self._apply_later)
        self.cancel_review_button.clicked.connect(self.reject)
        if self._overridden:
            self.restart_now_button.hide()
            self.restart_later_button.setText(self.tr("&Write the file only"))
            self.restart_later_button.setAccessibleName(self.tr("Write the file only"))
        if not change.changes_file:
            self.restart_later_button.setEnabled(False)
            self.restart_later_button.setToolTip(self.tr("The file already has this value."))
        self.button_note = wrapping_label()
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
        text = wrapping_label(
            self.tr(
                "Warning: writing docker.env changes nothing. {override}, and that wins over docker.env. To "
                "change the setting, edit or remove that line in {compose}, then recreate the containers. "
                "Only writing the file is offered here."
            ).format(override=override, compose=self.deployment.compose_file.name),
            select=SELECT_WITH_ANY,
        )
        font = text.font()
        font.setBold(True)
        text.setFont(font)
        row.addWidget(text, 1)
        self.override_box = box
        self.override_label = text
        return box

    def _build_events(self) -> QWidget:
        group = Collapsible(
            self.tr("Events this starts") if self.telemetry_on else self.tr("Events this stops"), self
        )
        self.events_section = group
        layout = group.body_layout
        try:
            catalog = load_catalog()
        except CatalogError as error:
            layout.addWidget(
                wrapping_label(
                    self.tr("The list of events could not be loaded: {error}").format(error=error),
                    select=SELECT_WITH_ANY,
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
        layout.addWidget(bold(wrapping_label(heading)))
        self.switched_label = wrapping_label("\n".join(lines), select=SELECT_WITH_ANY)
        self.switched_label.setAccessibleName(heading)
        layout.addWidget(self.switched_label)
        always_heading = self.tr("Sent whatever you choose (the switch does not stop these):")
        always = [
            self.tr("• {name} ({sender}): {when}").format(name=a.name, sender=a.sender, when=a.when)
            for a in catalog.always_sent
        ]
        layout.addSpacing(self.fontMetrics().lineSpacing() // 2)
        layout.addWidget(bold(wrapping_label(always_heading)))
        self.always_label = wrapping_label("\n".join(always), select=SELECT_WITH_ANY)
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
        layout.addWidget(wrapping_label(legend))
        text = diff.rstrip("\n") or self.tr("(no difference)")
        self.diff_view = DiffView(
            name=self.tr("Difference in {name}").format(name=self.deployment.env_file.name),
            text=text,
            lines=min(14, max(4, text.count("\n") + 1)),
            fixed=True,
        )
        layout.addWidget(self.diff_view)
        return group

    def _build_commands(self) -> QWidget:
        group = QGroupBox(self.tr("Commands that run for \u201cApply and restart now\u201d"))
        layout = QVBoxLayout(group)
        if self._overridden:
            layout.addWidget(
                wrapping_label(
                    self.tr("None: restarting cannot apply this change while the override is in place.")
                )
            )
            self.commands_view = MonospaceView(name=self.tr("Commands"), lines=3, fixed=True)
            self.commands_view.hide()
            return group
        layout.addWidget(
            wrapping_label(
                self.tr(
                    "They remove the Appsmith container and create it again, the restart Appsmith documents: "
                    "a fresh container starts from the new docker.env and compose settings. Appsmith is "
                    "unavailable until it is healthy again, usually one to several minutes. The -v of rm "
                    "removes only the container's anonymous volumes; your data lives in the folder mounted "
                    "from ./stacks, which stays."
                )
            )
        )
        self.commands_view = MonospaceView(
            name=self.tr("Commands"),
            text=self.tr("Checking which docker compose is installed…"),
            lines=3,
            fixed=True,
        )
        layout.addWidget(self.commands_view)
        server = self.status.running.server
        notice = restart_notice(self.deployment.image, server.version if server else None)
        self.restart_notice_label = wrapping_label(notice.sentence, name=self.tr("What the restart sends"))
        layout.addWidget(self.restart_notice_label)
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
        self.refused_label = wrapping_label(
            self.tr("This change cannot be made: {reason}").format(reason=self.refusal or ""),
            select=SELECT_WITH_ANY,
        )
        self.refused_label.setAccessibleName(self.tr("Why the change cannot be made"))
        row.addWidget(self.refused_label, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_refused_button = plain_button(self.tr("C&lose"), self.tr("Close"))
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
            wrapping_label(
                self.tr("Deployment: {folder}").format(folder=self.deployment.folder), select=SELECT_WITH_ANY
            )
        )
        self.progress = ApplyProgress(page, self.deployment.folder)  # the folder is shown above
        self.progress.set_steps(Step)
        layout.addWidget(self.progress, 1)

        verdict = QHBoxLayout()
        self.verdict_icon = QLabel()
        self.verdict_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        verdict.addWidget(self.verdict_icon)
        words = QVBoxLayout()
        self.verdict_label = bold(wrapping_label(self.tr("Working…"), select=SELECT_WITH_ANY))
        self.verdict_label.setAccessibleName(self.tr("Verdict"))
        self.verdict_detail = wrapping_label("", select=SELECT_WITH_ANY)
        self.verdict_detail.setAccessibleName(self.tr("What happened"))
        self.verdict_detail.hide()
        words.addWidget(self.verdict_label)
        words.addWidget(self.verdict_detail)
        verdict.addLayout(words, 1)
        layout.addLayout(verdict)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_run_button = plain_button(self.tr("&Cancel"), self.tr("Cancel applying"))
        self.retry_button = plain_button(self.tr("Retry &start"), self.tr("Retry starting Appsmith"))
        self.restore_button = plain_button(
            self.tr("R&estore backup…"), self.tr("Restore the backup of docker.env")
        )
        self.close_button = plain_button(self.tr("C&lose"), self.tr("Close"))
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
        self.progress.follow(runner)
        runner.finished.connect(self._on_finished)
        self.cancel_run_button.setFocus()
        runner.start()

    def _make_runner(self, change: EnvChange, plan: RestartPlan | None) -> ApplyRunner:
        return ApplyRunner(
            change,
            plan,
            parent=self,
            health_timeout=self.health_timeout,
            health_interval=self.health_interval,
        )

    @Slot()
    def _cancel_run(self) -> None:
        runner = self.runner
        if runner is not None and runner.cancel_leaves_down and not type(self).confirm_stop(self):
            return  # keep waiting
        if self.runner is not None and self.runner.running:
            self.cancel_run_button.setEnabled(False)
            self.cancel_run_button.setText(self.tr("Cancelling…"))
            self._set_verdict(self.tr("Cancelling: stopping at the safest point…"))
            self.runner.cancel()

    @Slot(object)
    def _on_finished(self, result: ApplyResult) -> None:
        self.progress.finish()
        self._result = result
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
        self.progress.retry((Step.START, Step.HEALTH, Step.VERIFY))
        self._set_verdict(self.tr("Starting Appsmith again…"))
        self.verdict_icon.clear()
        for button in (self.retry_button, self.restore_button, self.close_button):
            button.hide()
        self.cancel_run_button.setText(self.tr("&Cancel"))
        self.cancel_run_button.setEnabled(True)
        self.cancel_run_button.show()
        self.cancel_run_button.setFocus()
        self.runner.retry_start()

    @Slot()
    def _restore(self) -> None:
        result = self._result
        if result is None or result.backup is None:
            return
        env_file = self.deployment.env_file
        if not type(self).confirm_restore(self, result.backup, env_file):
            return
        try:  # two copies of a big file written and synced: off the GUI thread
            restored = write_with_progress(
                self,
                self.tr("Restore backup"),
                self.tr("Putting {name} back…").format(name=result.backup.name),
                functools.partial(
                    offload.for_file,
                    env_file,
                    restore_and_record,
                    env_file,
                    find_backup(env_file, result.backup.name),
                ),
            )
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
        if enter_presses_focused(self, event):  # no default button: Enter presses the focused button only
            return
        super().keyPressEvent(event)
