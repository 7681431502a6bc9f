"""Where the panel keeps its own files: the audit log and settings live in the user's XDG folders."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR_NAME = "appsmith-telemetry-panel"


def state_dir() -> Path:
    """`$XDG_STATE_HOME/appsmith-telemetry-panel` (default `~/.local/state/...`): the audit log lives here."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / APP_DIR_NAME


def audit_log_path() -> Path:
    return state_dir() / "audit.log"
