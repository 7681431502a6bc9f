"""Prepare and write a change of the switch: the exact new bytes, the masked diff, then backup and replace."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from panel.core.backups import backup_while_locked
from panel.core.deployment import Deployment
from panel.core.envfile import TELEMETRY_KEY, EnvEncodingError, EnvText, SwitchReading, masked_diff
from panel.core.rootguard import root_refusal
from panel.core.safewrite import Snapshot, ensure_unchanged, locked, replace_while_locked, resolve
from panel.core.status import current_user, user_name


class RefusedError(RuntimeError):
    """A change the panel will not make; the message says why and what to do. Nothing was written."""


def canonical(telemetry_on: bool) -> str:
    """The only values the panel writes: `APPSMITH_DISABLE_TELEMETRY` is true when telemetry is off."""
    return "false" if telemetry_on else "true"


@dataclass(frozen=True)
class EnvChange:
    """A change prepared from one read of the file. It keeps what it says about the file, not the parse:
    preparing a big file happens in a child process, and the change crosses back small."""

    deployment: Deployment
    snapshot: Snapshot
    new_data: bytes
    new_value: str
    old_reading: SwitchReading
    """What the file as read says about the switch."""
    masked_diff: str
    """The unified diff with secret values masked, from the same parse."""

    @property
    def telemetry_on(self) -> bool:
        return self.new_value == "false"

    @property
    def changes_file(self) -> bool:
        return self.new_data != self.snapshot.data

    @property
    def old_value(self) -> str | None:
        return self.old_reading.raw

    def diff(self) -> str:
        """The unified diff with secret values masked: safe to show and to print."""
        return self.masked_diff


@dataclass(frozen=True)
class Review:
    """What a person is shown before a change: the change and its masked diff, or why it is refused. Every
    front end prepares it with `prepare_review`; windows run that off the GUI thread (a big file takes
    seconds to read, parse and mask)."""

    change: EnvChange | None
    refusal: str | None

    @property
    def diff(self) -> str:
        """The change's masked diff; empty when refused."""
        return self.change.diff() if self.change is not None else ""


def prepare_review(deployment: Deployment, telemetry_on: bool, by_this_user: bool = True) -> Review:
    """The review of setting telemetry on or off; `by_this_user` False when another user (root) will write,
    so this user's right to write is not asked."""
    try:
        change = prepare_change(deployment, telemetry_on)
        if by_this_user and change.changes_file:
            check_writable(deployment.env_file, deployment.folder)
    except RefusedError as error:
        return Review(None, str(error))
    return Review(change, None)


def prepare_change(deployment: Deployment, telemetry_on: bool) -> EnvChange:
    """Read docker.env and compute the new bytes, or refuse with a reason and the next step."""
    path = deployment.env_file
    refusal = root_refusal(deployment.folder, deployment.compose_file, path)
    if refusal is not None:
        raise RefusedError(refusal)
    try:
        snapshot = Snapshot.read(path)
    except FileNotFoundError as error:
        raise RefusedError(
            f"{path} does not exist. Appsmith writes it, with your encryption keys, on its first start; "
            f"start "
            "Appsmith once (docker-compose up -d), then change the setting."
        ) from error
    except PermissionError as error:
        # Also when a folder on the way may not be entered: `exists()` would then wrongly say "does not
        # exist".
        raise RefusedError(
            f"{path} cannot be read by user {current_user()}{_owned_by(path)}; nothing was written. "
            f"{elevation_hint(deployment.folder)}"
        ) from error
    except OSError as error:
        raise RefusedError(f"{path} cannot be read: {error.strerror}. Nothing was written.") from error
    parsed = EnvText.parse(snapshot.data)
    value = canonical(telemetry_on)
    try:
        new_data = parsed.with_value(TELEMETRY_KEY, value)
    except EnvEncodingError as error:
        raise RefusedError(
            f"{path} contains bytes that are not UTF-8, so the panel will not rewrite it (it could corrupt "
            f"them). Edit the line {TELEMETRY_KEY}={value} by hand, or fix the file's encoding first."
        ) from error
    diff = masked_diff(parsed, new_data, path.name) if new_data != snapshot.data else ""
    return EnvChange(deployment, snapshot, new_data, value, parsed.reading(TELEMETRY_KEY), diff)


def elevation_hint(folder: Path) -> str:
    """The exact commands an administrator can run when this user may not write the file."""
    from panel.core.invocation import admin_commands, install_note

    note = install_note()
    return (
        (f"{note} " if note else "")
        + "An administrator can run one of: "
        + "  |  ".join(admin_commands(folder))
    )


def _owned_by(path: Path) -> str:
    """` (it belongs to root, mode 0600)`, or nothing when even that cannot be seen."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    return f" (it belongs to {user_name(info.st_uid)}, mode {info.st_mode & 0o7777:04o})"


def check_writable(path: Path, folder: Path) -> None:
    """Refuse, saying who owns what and the exact commands an administrator can run, when this user may not
    write the file or create the backup and the new copy beside it."""
    target = resolve(path)
    if _read_only_filesystem(target.parent):
        raise RefusedError(
            f"{target.parent} is on a read-only filesystem, so nobody can change {target.name} there, not "
            f"even an administrator; nothing was written. Remount it read-write (or change the file where "
            f"it is kept writable), then try again."
        )
    if not os.access(target, os.W_OK):
        raise RefusedError(
            f"{path} is not writable by user {current_user()}{_owned_by(target)}; nothing was written. "
            f"{elevation_hint(folder)}"
        )
    if not os.access(target.parent, os.W_OK):
        raise RefusedError(
            f"User {current_user()} may not create files in {target.parent}{_owned_by(target.parent)}, where "
            f"the backup and the new copy of {target.name} are written; nothing was written. "
            f"{elevation_hint(folder)}"
        )


def _read_only_filesystem(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def write_change(change: EnvChange) -> Path | None:
    """Back up the file as read, then replace it atomically. Returns the backup, or None when nothing
    changes."""
    if not change.changes_file:
        return None
    check_writable(change.deployment.env_file, change.deployment.folder)
    return write_with_backup(change.snapshot, change.new_data)


def write_with_backup(snapshot: Snapshot, new_data: bytes) -> Path:
    """Keep the file as read in a backup, then replace it, under one lock: a panel that finds the file changed
    since it read it writes nothing at all, not even a backup."""
    with locked(snapshot.target, snapshot.folder_id) as folder:
        info = ensure_unchanged(snapshot, folder)
        backup = backup_while_locked(folder, snapshot.data, info)
        replace_while_locked(folder, new_data, info)
    return backup
