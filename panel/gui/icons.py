"""Icons from the bundled SVGs, rendered once per size; they work from a wheel or a frozen bundle alike."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from panel.resources_path import resource_root

if TYPE_CHECKING:
    from panel.core.status import Verdict

_VERDICT_ICONS = {
    # Keyed by the verdicts' values (a StrEnum member looks itself up as its value), so that painting the first
    # window does not load the status model.
    "enabled": "enabled",
    "disabled": "disabled",
    "pending-restart": "pending",
    "overridden": "overridden",
    "invalid": "invalid",
    "unknown": "unknown",
}


def svg_pixmap(data: bytes, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(data))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return pixmap


@cache
def named_icon(folder: str, name: str) -> QIcon:
    data = (resource_root() / folder / f"{name}.svg").read_bytes()
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 96):
        icon.addPixmap(svg_pixmap(data, size))
    return icon


def status_icon(name: str) -> QIcon:
    return named_icon("status", name)


def verdict_icon(verdict: Verdict | None) -> QIcon:
    return status_icon(_VERDICT_ICONS[verdict] if verdict else "checking")


def app_icon() -> QIcon:
    try:
        return named_icon("icons", "app")
    except (FileNotFoundError, OSError):
        return QIcon()
