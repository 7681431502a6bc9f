"""The three layers side by side: what docker.env says, what compose overrides, what the running instance
uses; below them the hosts pinned out of reach, which the switch does not decide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from panel.core.printable import printable, printable_lines

if TYPE_CHECKING:  # the layers are built empty before the status model has loaded
    from pathlib import Path

    from panel.core.egress_block import BlockState
    from panel.core.status import Status

_STATE_WORDS = {
    # Keyed by SwitchState's values (a StrEnum member looks itself up as its value).
    "enabled": "telemetry on",
    "disabled": "telemetry off",
    "unset": "not set: Appsmith's default, telemetry off",
    "invalid": "not a valid true/false value",
}
_EDITIONS = {"CE": "Community Edition", "EE": "Business/Enterprise Edition"}


def _label(text: str = "") -> QLabel:
    """A value read from the deployment: plain text (a name like `<img src=…>` is not markup), control
    characters escaped."""
    label = QLabel(printable_lines(text))
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _Layer(QGroupBox):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base_title = title
        self.setTitle(title)
        self.setAccessibleName(title)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

    def set_rows(self, rows: list[tuple[str, str]], decides: bool) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        for name, value in rows:
            field = _label(value)
            field.setAccessibleName(f"{self.base_title}: {name}")
            self.form.addRow(self.tr(name), field)
        self.setTitle(self.base_title + (self.tr("  ◀ decides") if decides else ""))


class LayersView(QWidget):
    fix_nginx_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_layer = _Layer(self.tr("1 · docker.env (the file)"), self)
        self.override_layer = _Layer(self.tr("2 · Compose override"), self)
        self.running_layer = _Layer(self.tr("3 · Running instance"), self)
        row = QHBoxLayout()
        for layer in (self.file_layer, self.override_layer, self.running_layer):
            row.addWidget(
                layer,
                1,
            )
            layer.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.order_note = _label(
            self.tr(
                "A compose override wins over docker.env from Appsmith v1.6.9 on (up to v1.6.8 docker.env's "
                "own value won). Appsmith reads docker.env when its container starts; the panel applies a "
                "change the way Appsmith documents it: remove the container and create it again."
            )
        )
        self.order_note.setAccessibleName(self.tr("Which layer wins"))
        self.block_layer = _Layer(self.tr("Blocked hosts (what the switch cannot stop)"), self)
        self.block_layer.set_rows([("Blocked", "not read yet")], False)
        self._shown_folder: Path | None = None
        self.warnings = _label()
        self.warnings.setAccessibleName(self.tr("Warnings"))
        self.nginx_box = QGroupBox(self.tr("Browser client (legacy nginx template)"), self)
        self.nginx_text = _label()
        self.fix_nginx = QPushButton(self.tr("Fix nginx template…"), self.nginx_box)
        self.fix_nginx.setAccessibleName(self.tr("Fix nginx template"))
        self.fix_nginx.clicked.connect(self.fix_nginx_requested)
        nginx_layout = QHBoxLayout(self.nginx_box)
        nginx_layout.addWidget(self.nginx_text, 1)
        nginx_layout.addWidget(self.fix_nginx)
        self.nginx_box.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.order_note)
        layout.addWidget(self.block_layer)
        layout.addWidget(self.nginx_box)
        layout.addWidget(self.warnings)
        layout.addStretch(1)

    def set_empty(self, empty: bool) -> None:
        """No deployment chosen: the boxes and notes, which speak of one, are hidden until a status comes."""
        for widget in (
            self.file_layer,
            self.override_layer,
            self.running_layer,
            self.order_note,
            self.block_layer,
        ):
            widget.setVisible(not empty)

    def set_read_only(self, read_only: bool) -> None:
        self.fix_nginx.setVisible(not read_only)

    def show_status(self, status: Status) -> None:
        from panel.core.status import Layer  # loaded with the status model, after the first paint

        self.set_empty(False)
        self.file_layer.set_rows(self._file_rows(status), status.winner is Layer.FILE)
        self.override_layer.set_rows(self._override_rows(status), status.winner is Layer.OVERRIDE)
        self.running_layer.set_rows(self._running_rows(status), status.winner is Layer.RUNNING)
        if status.egress_block is not None:
            self.show_block(status)
        elif status.deployment.folder != self._shown_folder:
            # Read after the verdict (`StatusRefresher.block_read`); until then the last one read stays.
            self.block_layer.set_rows([("Blocked", "reading the compose files and the container…")], False)
        self._shown_folder = status.deployment.folder
        warnings = list(status.warnings)
        self.warnings.setText(printable_lines("\n".join(f"⚠ {w}" for w in warnings)))
        self.warnings.setVisible(bool(warnings))
        nginx = status.nginx
        self.nginx_box.setVisible(nginx is not None)
        if nginx is not None:
            self.nginx_text.setText(("✔ " if nginx.ok else "⚠ ") + str(nginx))
            self.fix_nginx.setEnabled(not nginx.ok)

    def show_block(self, status: Status) -> None:
        """The fourth layer, once read: a status of another deployment than the one shown is dropped."""
        state = status.egress_block
        if state is None or (
            self._shown_folder is not None and status.deployment.folder != self._shown_folder
        ):
            return
        self._shown_folder = status.deployment.folder
        self.block_layer.set_rows(_block_rows(state, status.still_leaves), False)

    def _file_rows(self, status: Status) -> list[tuple[str, str]]:
        from panel.core.envfile import TELEMETRY_KEY

        file = status.file
        rows = [("Path", str(file.path))]
        if file.symlink_target:
            rows.append(("Link to", str(file.symlink_target)))
        if file.reading is None:
            rows.append(("Problem", file.error or "cannot be read"))
            return rows
        if file.reading.occurrences:
            rows.append(
                (
                    "Value",
                    f"{TELEMETRY_KEY}={file.shown or ''} (line {file.reading.line})",
                )
            )
        else:
            rows.append(("Value", f"{TELEMETRY_KEY} is not in the file"))
        if file.state is not None:
            rows.append(("Means", _STATE_WORDS[file.state]))
        if file.modified:
            rows.append(("Last change", f"{file.modified:%Y-%m-%d %H:%M:%S} UTC"))
        rows.append(("Writable", "yes" if file.writable else "no, not by this user"))
        if file.error:
            rows.append(("Problem", file.error))
        return rows

    def _override_rows(self, status: Status) -> list[tuple[str, str]]:
        from panel.core.envfile import TELEMETRY_KEY

        if not status.deployment.overrides:
            return [
                (
                    "Override",
                    f"none — {status.deployment.compose_file.name} does not set {TELEMETRY_KEY}, "
                    "so docker.env decides",
                )
            ]
        rows = []
        for override in status.deployment.overrides:
            rows.append(("Set by", printable(override.source)))
            rows.append(("Value", f"{TELEMETRY_KEY}={override.shown} → {_STATE_WORDS[override.state]}"))
        rows.append(("Effect", _override_effect(status)))
        if status.version is not None:
            rows.append(("Version", str(status.version)))
        return rows

    def _running_rows(self, status: Status) -> list[tuple[str, str]]:
        running = status.running
        if running.docker_error is not None:
            return [("Docker", running.docker_error.message)]
        container = status.container
        if container is None:
            return [("Container", "none from this folder (not created, or removed)")]
        edition = _EDITIONS.get(container.edition or "", "edition unknown")
        rows = [
            ("Container", f"{container.name} — {container.describe()}"),
            ("Image", f"{container.image} ({edition})"),
        ]
        server = running.server
        if server is None:
            rows.append(("Health", "not asked (not running, or no port on this machine)"))
            return rows
        rows.append(("Health", f"{server.health.value} — {server.health_detail}"))
        if server.version:
            rows.append(("Version", server.version))
        reported = {True: "telemetry on", False: "telemetry off", None: "not reported"}[
            server.enable_telemetry
        ]
        rows.append(
            (
                "Server says",
                f"{reported}" + (f" ({server.telemetry_detail})" if server.telemetry_detail else ""),
            )
        )
        return rows


def _override_effect(status: Status) -> str:
    """What the compose value does on this version (`Status.precedence`)."""
    from panel.core.appsmith_version import Precedence
    from panel.core.status import Layer

    if status.precedence is Precedence.COMPOSE_WINS:
        return "this wins over docker.env: editing docker.env changes nothing"
    if status.precedence is Precedence.ENV_FILE_WINS:
        return (
            "docker.env's own value wins on this version (up to v1.6.8), when it sets one"
            if status.winner is not Layer.OVERRIDE
            else "applies: docker.env does not set the variable"
        )
    return "which wins depends on the version, which is not known: " + status.precedence.explanation


def _hosts(hosts: tuple[str, ...]) -> str:
    return ", ".join(hosts) if hosts else "nothing blocked"


def _block_rows(state: BlockState, still_leaves: str | None) -> list[tuple[str, str]]:
    """Configured (compose), in effect (the container's /etc/hosts), and what a first look would miss: a
    block not applied yet, or the hosts still reached with telemetry off."""
    from panel.core.egress_block import BLOCK_ADDRESS, HOSTS

    if state.compose_refused:
        return [("Problem", state.error or "the compose files cannot be read")]
    where = f" (pinned to {BLOCK_ADDRESS} in {state.override_file.name})" if state.override_file else ""
    rows = [("In compose", _hosts(state.configured) + (where if state.configured else ""))]
    if state.in_effect is None:
        rows.append(("In the container", f"not known: {state.error or 'not read'}"))
    else:
        rows.append(("In the container", _hosts(state.in_effect)))
    if state.pending_restart:
        rows.append(
            (
                "Pending",
                "the running container does not match compose yet: it applies when the containers are "
                "recreated",
            )
        )
    blocked = set(state.configured) | set(state.in_effect or ())
    if blocked:  # a partial block must not read as a complete one
        left = [
            f"{host.name} ({host.carries.split(':')[0].split(',')[0]})"
            for host in HOSTS
            if host.name not in blocked
        ]
        if left:
            rows.append(("Not blocked", "still reached: " + "; ".join(left)))
        # A block is the server's: it must not read as "everything stopped" (BROWSER_NOTE, said short).
        rows.append(
            (
                "Browser",
                "each user's browser sends its own analytics: the switch decides those, not the block",
            )
        )
    if still_leaves:
        # The command-line word, said the window's way.
        rows.append(
            ("Still sent", still_leaves.replace("`block`", "“Block these hosts too” on What is sent"))
        )
    return rows
