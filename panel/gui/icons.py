"""Icons from the bundled SVGs, rendered once per size; they work from a wheel or a frozen bundle alike."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from panel.core.status import Verdict
from panel.resources_path import resource_root

_VERDICT_ICONS = {
    Verdict.ENABLED: "enabled",
    Verdict.DISABLED: "disabled",
    Verdict.PENDING_RESTART: "pending",
    Verdict.OVERRIDDEN: "overridden",
    Verdict.INVALID: "invalid",
    Verdict.UNKNOWN: "unknown",
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
