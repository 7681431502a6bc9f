"""Icons from the bundled SVGs, drawn by Qt's SVG icon engine at whatever size each use asks for; they work
from a wheel or a frozen bundle alike (the bundle keeps the engine's plugin)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon

from panel.resources_path import resource_root

if TYPE_CHECKING:
    from panel.core.status import Verdict

_VERDICT_ICONS = {
    # Keyed by the verdicts' values (a StrEnum member looks itself up as its value), so that painting the
    # first window does not load the status model.
    "enabled": "enabled",
    "disabled": "disabled",
    "pending-restart": "pending",
    "overridden": "overridden",
    "invalid": "invalid",
    "unknown": "unknown",
    "appsmith-down": "down",
}


@cache
def named_icon(folder: str, name: str) -> QIcon:
    path = resource_root() / folder / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"icon {path} is missing")
    return QIcon(str(path))


def status_icon(name: str) -> QIcon:
    return named_icon("status", name)


def verdict_icon(verdict: Verdict | None) -> QIcon:
    return status_icon(_VERDICT_ICONS[verdict] if verdict else "checking")


def app_icon() -> QIcon:
    try:
        return named_icon("icons", "app")
    except OSError:
        return QIcon()
