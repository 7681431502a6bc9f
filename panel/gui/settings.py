"""What the app remembers between runs, in the QSettings that app.py configures (organisation and app
name)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


def recent_deployments() -> list[Path]:
    value = QSettings().value("deployments/recent", [])
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    return [Path(item) for item in items if item]


def remember_deployment(folder: Path) -> None:
    settings = QSettings()
    recent = [str(folder)] + [str(p) for p in recent_deployments() if p != folder]
    settings.setValue("deployments/recent", recent[:MAX_RECENT])
    settings.setValue("deployments/last", str(folder))


def last_deployment() -> Path | None:
    value = QSettings().value("deployments/last", "")
    return Path(str(value)) if value else None


def first_run_done() -> bool:
    return str(QSettings().value("firstRun/done", "false")).lower() == "true"


def set_first_run_done() -> None:
    QSettings().setValue("firstRun/done", "true")


def window_geometry() -> QByteArray | None:
    value = QSettings().value("window/geometry")
    return value if isinstance(value, QByteArray) else None


def save_window_geometry(geometry: QByteArray) -> None:
    QSettings().setValue("window/geometry", geometry)
