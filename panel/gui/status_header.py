"""The answer to "is my Appsmith sending telemetry?": a verdict in words and icon, why, and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from panel.core.printable import printable_lines
from panel.gui.icons import verdict_icon

if TYPE_CHECKING:  # the header paints "Checking…" before the status model has loaded
    from panel.core.status import Status, Verdict

ICON_SIZE = 56


def verdict_title(status: Status) -> str:
    """The headline: the verdict, plus whether the running instance confirmed it."""
    from panel.core.status import Layer, Verdict, cannot_confirm_on_version

    on_off = {True: "on", False: "off", None: ""}[status.effective_on]
    if not status.verified and status.verdict in (Verdict.ENABLED, Verdict.DISABLED):
        where = "the compose file" if status.winner is Layer.OVERRIDE else "docker.env"
        if cannot_confirm_on_version(status):
            return f"Telemetry is set {on_off.upper()} in {where} — this version cannot confirm it"
        return f"Telemetry is set {on_off.upper()} in {where} — not confirmed by the running instance"
    if status.verdict is Verdict.ENABLED and status.server_analytics_blocked:
        return "Telemetry is ON — but the server's usage data is blocked here; browsers still send theirs"
    titles = {
        Verdict.ENABLED: "Telemetry is ON — Appsmith receives usage data from this instance",
        Verdict.DISABLED: "Telemetry is OFF — some contacts remain: see Blocked hosts",
        Verdict.PENDING_RESTART: pending_title(status),
        Verdict.OVERRIDDEN: f"Overridden by the compose file — telemetry is {on_off or 'set there'}",
        Verdict.INVALID: "Invalid value — Appsmith cannot read the setting",
        Verdict.UNKNOWN: "State unknown",
        Verdict.DOWN: "Appsmith is not running"
        + (f" — telemetry is set {on_off.upper()} for its next start" if on_off else ""),
    }
    return titles[status.verdict]


def pending_title(status: Status) -> str:
    """What is in effect now and what the next start does, in one line."""
    configured = status.configured.telemetry_on if status.configured is not None else None
    next_start = {True: "ON", False: "OFF", None: "the new value"}[configured]
    if status.effective_on is None:
        return f"Restart pending — the next start turns telemetry {next_start}"
    now = "ON" if status.effective_on else "OFF"
    return f"Restart pending — telemetry is {now} now, {next_start} after the next start"


def verdict_detail(status: Status) -> str:
    """The line under the title that says what the title leaves out: what identifies the instance when usage
    data goes out, and what still contacts Appsmith when it does not."""
    from panel.core.status import IDENTIFYING_FIELDS, STILL_SENT_WHEN_OFF, Verdict

    if status.verdict is Verdict.DOWN:
        return ""
    if status.effective_on is True and status.server_analytics_blocked:
        return (
            "The container cannot reach the server's analytics host (see Blocked hosts), so its reports fail "
            "to send. Each user's browser still sends its own page events to Appsmith directly: a block in "
            "the container does not reach browsers."
        )
    if status.effective_on is True:
        return f"Usage data identifies this instance: it carries {IDENTIFYING_FIELDS}."
    if status.effective_on is False:
        return STILL_SENT_WHEN_OFF
    return ""


class StatusHeader(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("statusHeader")
        self.icon = QLabel(self)
        self.icon.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verified = QLabel(self)
        self.verified.setWordWrap(True)
        # The evidence sits in the row of the action buttons and keeps its place when hidden: the header, and
        # the buttons beside it, never move when "Confirmed" appears, and no blank line stands in for it.
        keep_place = self.verified.sizePolicy()
        keep_place.setRetainSizeWhenHidden(True)
        self.verified.setSizePolicy(keep_place)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice = QLabel(self)
        self.advice.setWordWrap(True)
        self.action_row = QHBoxLayout()
        # The evidence takes the room the buttons leave: one line, not a narrow column of two.
        self.action_row.addWidget(self.verified, 1)
        for label, name in (
            (self.title, "Telemetry state"),
            (self.reason, "Why"),
            (self.advice, "What to do"),
            (self.verified, "Evidence"),
            (self.detail, "What goes to Appsmith"),
        ):
            label.setAccessibleName(self.tr(name))

        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.detail)
        text.addWidget(self.reason)
        text.addWidget(self.advice)
        text.addLayout(self.action_row)
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        self.show_message(self.tr("Checking…"), self.tr("Reading docker.env and asking docker."), None)

    def show_message(self, title: str, reason: str, verdict: Verdict | None, advice: str = "") -> None:
        self.icon.setPixmap(verdict_icon(verdict).pixmap(ICON_SIZE, ICON_SIZE))
        # The icon's shape and colour say the verdict; these words say it to a screen reader and on hover.
        words = self.tr(verdict.label) if verdict is not None else self.tr("Checking")
        self.icon.setAccessibleName(words)
        self.icon.setToolTip(words)
        # Sentences about the deployment carry its folder's and services' names: plain text, controls escaped.
        for label, text in ((self.title, title), (self.reason, reason), (self.advice, advice)):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setText(printable_lines(text))
        self.advice.setVisible(bool(advice))
        self.verified.setVisible(False)
        self.detail.setVisible(False)

    def show_status(self, status: Status, advice: str | None = None) -> None:
        """`advice`: what to do in words of this window (its buttons), instead of the status's own."""
        from panel.core.status import Verdict

        advice = status.advice if advice is None else advice
        self.show_message(
            self.tr(verdict_title(status)),
            status.reason,
            status.verdict,
            self.tr("What to do: ") + advice if advice else "",
        )
        detail = verdict_detail(status)
        self.detail.setText(self.tr(detail))
        self.detail.setVisible(bool(detail))
        server = status.running.server
        reported = server.enable_telemetry if server is not None else None
        if status.verified:
            self.verified.setText(self.tr("✔ Confirmed by the running instance"))
        elif status.verdict is Verdict.PENDING_RESTART and reported is not None:
            # what is in effect now is confirmed; only the file's value waits for the next start
            self.verified.setText(
                self.tr("✔ The running instance reports telemetry {} now").format("ON" if reported else "OFF")
            )
        else:
            self.verified.setText(
                self.tr("Not confirmed by the running instance — this is what the configuration says")
            )
        # An unconfirmed ON or OFF says "not confirmed" in its title already; once is enough.
        said_in_title = not status.verified and status.verdict in (Verdict.ENABLED, Verdict.DISABLED)
        self.verified.setVisible(
            status.verdict not in (Verdict.UNKNOWN, Verdict.INVALID, Verdict.DOWN) and not said_in_title
        )
