"""The "Block these hosts too" section of What is sent: the hosts the switch cannot stop, what each carries
and what stops working when it is blocked, which the compose files block now, and the way into the block's
consent dialog. Nothing is ticked: blocking is always asked for."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from panel.core.apply_sequence import ApplyResult
from panel.core.block_apply import BlockResult
from panel.core.deployment import Deployment
from panel.core.egress_block import BROWSER_NOTE, DEFAULT_HOSTS, HOSTS, configured_blocks
from panel.gui.text_widgets import SELECT_WITH_ANY, wrapping_label
from panel.gui.worker import run_in_thread


def _read_configured(deployment: Deployment) -> tuple[str, ...] | str:
    """The hosts the compose files block, or why they cannot be read (worker thread)."""
    from panel.core.change import RefusedError

    try:
        return configured_blocks(deployment)
    except RefusedError as error:
        return str(error).replace(" Nothing was written.", "")


class BlockSection(QScrollArea):
    """The section in a scroll area of its own: in a small window it shrinks, its text never clipped."""

    changed = Signal()
    """A block or unblock was applied (or written)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blockSection")
        self.setAccessibleName(self.tr("Block these hosts too"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.deployment: Deployment | None = None
        self.configured: tuple[str, ...] = ()
        self._window_followed = False
        self.box = QGroupBox(self.tr("Block these hosts too"))
        layout = QVBoxLayout(self.box)
        intro = wrapping_label(
            self.tr(
                "The switch does not stop these: the server contacts them whatever it says. Blocking pins "
                "a host to 0.0.0.0 inside Appsmith's server container (compose extra_hosts, in the override "
                "file)."
            ),
            select=SELECT_WITH_ANY,
        )
        intro.setAccessibleName(self.tr("What blocking does"))
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for host in HOSTS:
            box = QCheckBox(host.name, self.box)
            box.setAccessibleName(self.tr("Block {host}").format(host=host.name))
            box.setToolTip(host.source)
            box.toggled.connect(self._update_buttons)
            self.boxes[host.name] = box
            layout.addWidget(box)
            detail = wrapping_label(
                self.tr("Carries {carries}. When blocked: {consequences}").format(
                    carries=host.carries, consequences=host.consequences
                ),
                select=SELECT_WITH_ANY,
            )
            detail.setContentsMargins(24, 0, 0, 0)
            detail.setAccessibleName(self.tr("What blocking {host} means").format(host=host.name))
            layout.addWidget(detail)
        browser = wrapping_label(BROWSER_NOTE, select=SELECT_WITH_ANY)
        browser.setAccessibleName(self.tr("The browser's analytics"))
        layout.addWidget(browser)
        self.state_label = wrapping_label(
            self.tr("Open a deployment to see what it blocks."), select=SELECT_WITH_ANY
        )
        self.state_label.setAccessibleName(self.tr("What is blocked now"))
        layout.addWidget(self.state_label)
        row = QHBoxLayout()
        self.block_button = QPushButton(self.tr("Block the ticked hosts…"), self.box)
        self.unblock_button = QPushButton(self.tr("Unblock…"), self.box)
        self.block_button.clicked.connect(lambda: self.request(True))
        self.unblock_button.clicked.connect(lambda: self.request(False))
        row.addWidget(self.block_button)
        row.addWidget(self.unblock_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.setWidget(self.box)
        self._update_buttons()

    # -- the deployment ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Follow the window's deployment, whichever window this section is shown in."""
        super().showEvent(event)
        if self._window_followed:
            return
        window = self.window()
        signal = getattr(window, "deployment_changed", None)
        if isinstance(signal, SignalInstance):
            self._window_followed = True
            signal.connect(self.set_deployment)
            if self.deployment is None and isinstance(getattr(window, "deployment", None), Deployment):
                self.set_deployment(window.deployment)  # type: ignore[attr-defined]

    def set_deployment(self, deployment: Deployment | None) -> None:
        self.deployment = deployment
        self.configured = ()
        self._update_buttons()
        if deployment is None:
            return
        self.state_label.setText(self.tr("Reading the compose files…"))
        run_in_thread(_read_configured, deployment, parent=self, on_done=self._show_configured)

    def _show_configured(self, found: tuple[str, ...] | str) -> None:
        if isinstance(found, str):
            self.configured = ()
            self.state_label.setText(found)
        else:
            self.configured = found
            self.state_label.setText(
                self.tr(
                    "Blocked now in the compose files: {hosts}. Status shows whether the running container "
                    "has it."
                ).format(hosts=", ".join(found))
                if found
                else self.tr("Nothing is blocked: the server can reach every host above.")
            )
        self._update_buttons()

    # -- acting -----------------------------------------------------------------------------------

    def ticked(self) -> tuple[str, ...]:
        return tuple(name for name, box in self.boxes.items() if box.isChecked())

    def _read_only(self) -> bool:
        window: QObject = self.window()
        return bool(getattr(window, "read_only", False))

    def _update_buttons(self) -> None:
        usable = self.deployment is not None and not self._read_only()
        self.block_button.setEnabled(usable and bool(self.ticked()))
        self.unblock_button.setEnabled(usable and bool(self.configured))

    def request(self, block: bool) -> None:
        """Open the block's consent dialog for the ticked hosts (unblock: every host the panel pinned)."""
        from panel.gui.block_dialog import BlockDialog

        if self.deployment is None:
            return
        result = BlockDialog.ask(self.window(), self.deployment, self.ticked() if block else (), block)
        if result is not None and result.file_written:
            self.changed.emit()
        if result is not None:  # the window's Status shows the block: look again now, not at the next tick
            refresh = getattr(self.window(), "refresh", None)
            if callable(refresh):
                refresh()
        self.set_deployment(self.deployment)


def block_offer(parent: QWidget) -> QCheckBox:
    """The consent dialog's "Block these hosts too" choice when telemetry is turned off: never ticked; ticked,
    the block's own review follows the change (`follow_block_offer`)."""
    names = ", ".join(DEFAULT_HOSTS)
    box = QCheckBox(
        QCoreApplication.translate(
            "BlockSection", "Block these hosts too: {hosts} (its own review follows)"
        ).format(hosts=names),
        parent,
    )
    box.setToolTip(
        QCoreApplication.translate(
            "BlockSection",
            'With telemetry off, {hosts} still receives "Instance Start" at every container start.',
        ).format(hosts=names)
    )
    box.setObjectName("blockOffer")
    box.setAccessibleName(QCoreApplication.translate("BlockSection", "Block these hosts too"))
    return box


def follow_block_offer(
    parent: QWidget | None, deployment: Deployment, offer: QCheckBox | None, applied: ApplyResult | None
) -> BlockResult | None:
    """After the switch's change: the block's review, when its offer was ticked and the change went
    through."""
    from panel.gui.block_dialog import BlockDialog

    if offer is None or not offer.isChecked() or applied is None or not applied.ok:
        return None
    return BlockDialog.ask(parent, deployment, DEFAULT_HOSTS, True)
