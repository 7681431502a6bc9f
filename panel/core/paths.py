"""Where the panel keeps its own files: the audit log and settings live in the user's XDG folders."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR_NAME = "appsmith-telemetry-panel"


def state_dir() -> Path:
    """`$XDG_STATE_HOME/appsmith-telemetry-panel` (default `~/.local/state/...`): the audit log lives here."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / APP_DIR_NAME


AUDIT_LOG_ENV = "APPSMITH_PANEL_AUDIT_LOG"
"""When set, the audit log's path: a session that is not the user's real work (the demo) keeps its own log."""
AUDIT_MARK_ENV = "APPSMITH_PANEL_AUDIT_MARK"
"""When set (e.g. "demo"), every audit entry written carries it, so such entries are never taken for real
changes."""


def audit_log_path() -> Path:
    chosen = os.environ.get(AUDIT_LOG_ENV)
    return Path(chosen) if chosen else state_dir() / "audit.log"


def audit_mark() -> str | None:
    return os.environ.get(AUDIT_MARK_ENV) or None
