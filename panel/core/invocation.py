"""How to run this program again from a shell: for the exact commands shown to an administrator."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def self_command() -> str:
    """The command that starts this program: the installed script when on PATH, else the interpreter."""
    if getattr(sys, "frozen", False):
        return shlex.quote(sys.executable)
    installed = shutil.which("appsmith-telemetry-panel")
    if installed:
        return shlex.quote(installed)
    return f"{shlex.quote(sys.executable)} -m panel"


def admin_commands(folder: Path) -> list[str]:
    """What an administrator can run to make the change this user may not make."""
    quoted = shlex.quote(str(folder))
    commands = [f"sudo {self_command()} {verb} {quoted} --restart" for verb in ("disable", "enable")]
    return commands


def pkexec_available() -> bool:
    return shutil.which("pkexec") is not None and bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
