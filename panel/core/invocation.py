"""How to run this program again from a shell: for the exact commands shown to an administrator."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def self_argv() -> list[str]:
    """The program that starts this program: the installed script when on PATH, else the interpreter."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    installed = shutil.which("appsmith-telemetry-panel")
    if installed:
        return [installed]
    return [sys.executable, "-m", "panel"]


def self_command() -> str:
    return shlex.join(self_argv())


def elevated_argv(telemetry_on: bool, folder: Path) -> list[str]:
    """The change as root through pkexec (polkit asks for the password): an argument list, never a shell
    line."""
    pkexec = shutil.which("pkexec") or "pkexec"
    return [pkexec, *self_argv(), "enable" if telemetry_on else "disable", str(folder), "--restart", "--yes"]


def admin_commands(folder: Path) -> list[str]:
    """What an administrator can run to make the change this user may not make (with pkexec too, when
    installed)."""
    quoted = shlex.quote(str(folder))
    commands = [f"sudo {self_command()} {verb} {quoted} --restart" for verb in ("disable", "enable")]
    if shutil.which("pkexec"):
        commands += [f"pkexec {self_command()} {verb} {quoted} --restart" for verb in ("disable", "enable")]
    return commands


def pkexec_available() -> bool:
    return shutil.which("pkexec") is not None and bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
