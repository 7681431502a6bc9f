"""How an administrator runs this program as root: the exact commands shown, and what pkexec is given.

Root must run a program only root can change: the system-wide entry point `SYSTEM_PROGRAM` (the path the
polkit action in `packaging/` names), root-owned down from `/`, its interpreter too. A copy on the user's PATH
(pipx, `pip --user`) or `python -m panel` (which imports `./panel` from the current folder first) would let
that user run anything as root, so neither is ever offered: the window and the hints say how to install it
system-wide.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
from pathlib import Path

SYSTEM_PROGRAM = Path("/usr/local/bin/appsmith-telemetry-panel")
"""Where a system-wide install puts the entry point (`sudo pip install`, no virtualenv); the polkit action
`packaging/io.github.appsmith_telemetry_panel.Panel.policy` allows pkexec to run exactly this path."""

INSTALL_SYSTEM_WIDE = (
    f"install the panel system-wide so that root runs a copy only root can change: as an administrator, "
    f"`pip install appsmith-telemetry-panel` outside any virtualenv (it puts {SYSTEM_PROGRAM} in place), "
    f"then copy packaging/io.github.appsmith_telemetry_panel.Panel.policy to /usr/share/polkit-1/actions/"
)


def _changeable_by_others(path: Path) -> str | None:
    """Why someone other than root could change `path` (the file, a folder on its way, a link on it), or
    None."""
    from panel.core.rootguard import changer

    return changer(path)


def _interpreter(program: Path) -> Path | None:
    """The interpreter a script names on its `#!` line (the program itself runs it), or None for a binary."""
    try:
        with open(program, "rb") as handle:
            first = handle.readline(512)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return Path(words[0]) if words else None


def untrusted_reason(program: Path) -> str | None:
    """Why root must not run `program` (missing, or a user could change it or its interpreter), or None."""
    if not program.is_absolute():
        return f"{program} is not an absolute path"
    try:
        info = os.stat(program)
    except OSError:
        return f"{program} is not installed"
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o111:
        return f"{program} is not a program"
    for path in (program, _interpreter(program)):
        if path is None:
            continue
        reason = _changeable_by_others(path)
        if reason is not None:
            return f"{reason}, so root must not run {program}"
    return None


def system_program() -> Path | None:
    """The entry point root may run, or None when it is not installed system-wide (or a user could change
    it)."""
    return SYSTEM_PROGRAM if untrusted_reason(SYSTEM_PROGRAM) is None else None


def _pkexec() -> str | None:
    return shutil.which("pkexec")


def elevated_argv(telemetry_on: bool, folder: Path) -> list[str]:
    """The change as root through pkexec (polkit asks for the password): an argument list, never a shell
    line, naming only the system-wide entry point (call `pkexec_available()` first)."""
    program = system_program()
    if program is None:
        raise RuntimeError(f"No program root may run: {INSTALL_SYSTEM_WIDE}.")
    pkexec = _pkexec() or "pkexec"
    return [pkexec, str(program), "enable" if telemetry_on else "disable", str(folder), "--restart", "--yes"]


def admin_commands(folder: Path) -> list[str]:
    """What an administrator can run to make the change this user may not make (with pkexec too, when
    installed): the absolute path of the system-wide entry point only (see `install_note` when it is not in
    place), never `python -m`."""
    quoted = shlex.quote(str(folder))
    commands = [f"sudo {SYSTEM_PROGRAM} {verb} {quoted} --restart" for verb in ("disable", "enable")]
    if _pkexec() and system_program() is not None:
        commands += [f"pkexec {SYSTEM_PROGRAM} {verb} {quoted} --restart" for verb in ("disable", "enable")]
    return commands


def install_note() -> str | None:
    """What must be done before those commands can run, when the system-wide entry point is missing or a user
    could change it; None when it is in place."""
    why = untrusted_reason(SYSTEM_PROGRAM)
    if why is None:
        return None
    return f"{why[0].upper()}{why[1:]}: first {INSTALL_SYSTEM_WIDE}."


def elevation_offered() -> bool:
    """ "Change as administrator" can be offered: pkexec is installed, and the program it would run as root is
    the system-wide entry point that only root can change."""
    return _pkexec() is not None and system_program() is not None


def pkexec_available() -> bool:
    """As `elevation_offered`, with a desktop for pkexec's password prompt."""
    return elevation_offered() and bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
