"""Timestamped copies of a file taken before every change, kept beside it so they share its disk and owner."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from panel.core.safewrite import (
    Snapshot,
    ensure_unchanged,
    locked,
    replace_while_locked,
    sync_folder,
    temporary_prefix,
    write_new_file,
)

KEEP_BACKUPS = 10
"""Older backups beyond this count are pruned after each new one."""

_STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
_SUFFIX = re.compile(r"\.backup-(\d{8}T\d{6}\.\d{6}Z)$")


@dataclass(frozen=True)
class Backup:
    path: Path
    created: datetime
    size: int

    def __str__(self) -> str:
        return f"{self.path.name}  ({self.created:%Y-%m-%d %H:%M:%S} UTC, {self.size} bytes)"


def backup_folder(file: Path) -> Path:
    return Path(os.path.realpath(file)).parent


def list_backups(file: Path) -> list[Backup]:
    """The backups of `file`, newest first."""
    target = Path(os.path.realpath(file))
    found: list[Backup] = []
    if not target.parent.is_dir():
        return found
    for entry in target.parent.iterdir():
        if not entry.name.startswith(target.name + ".backup-"):
            continue
        match = _SUFFIX.search(entry.name)
        if match and entry.is_file() and not entry.is_symlink():
            created = datetime.strptime(match.group(1), _STAMP_FORMAT).replace(tzinfo=UTC)
            found.append(Backup(entry, created, entry.stat().st_size))
    return sorted(found, key=lambda backup: backup.created, reverse=True)


def create_backup(snapshot: Snapshot, keep: int = KEEP_BACKUPS) -> Path:
    """Copy the snapshot's bytes (checked to still be the file's) beside it, with its mode and owner."""
    with locked(snapshot.target):
        ensure_unchanged(snapshot)
        return backup_while_locked(snapshot, keep)


def backup_while_locked(snapshot: Snapshot, keep: int = KEEP_BACKUPS) -> Path:
    """The backup itself, for a caller that holds `locked(snapshot.target)`: written whole under a temporary
    name, then linked to its own, so a backup is never partial; then older ones beyond `keep` are pruned."""
    target = snapshot.target
    temporary = write_new_file(
        target.parent, temporary_prefix(target), snapshot.data, snapshot.mode, snapshot.uid, snapshot.gid
    )
    try:
        while True:
            stamp = datetime.now(UTC).strftime(_STAMP_FORMAT)
            destination = target.parent / f"{target.name}.backup-{stamp}"
            try:
                os.link(temporary, destination)
                break
            except FileExistsError:
                continue
    finally:
        os.unlink(temporary)
    sync_folder(target.parent)
    prune_backups(target, keep)
    return destination


def prune_backups(file: Path, keep: int = KEEP_BACKUPS) -> list[Path]:
    removed = []
    for backup in list_backups(file)[keep:]:
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    return removed


def find_backup(file: Path, name: str) -> Backup:
    """The backup of `file` called `name` (a file name or path); a clear error naming the choices
    otherwise."""
    wanted = Path(name).name
    backups = list_backups(file)
    for backup in backups:
        if backup.path.name == wanted:
            return backup
    choices = ", ".join(backup.path.name for backup in backups[:5]) or "none yet"
    raise FileNotFoundError(f"No backup named {wanted!r} for {file}. Backups: {choices}.")


def restore_backup(file: Path, backup: Backup) -> Path | None:
    """Put the backup's exact bytes back, after backing up what is there now (returned; None when the file was
    deleted, in which case it comes back with the backup's own mode and owner)."""
    restored = backup.path.read_bytes()
    target = Path(os.path.realpath(file))
    if not target.exists():
        info = backup.path.stat()
        with locked(target):
            temporary = write_new_file(
                target.parent, temporary_prefix(target), restored, info.st_mode, info.st_uid, info.st_gid
            )
            try:
                os.link(temporary, target)  # fails rather than overwrite a file created meanwhile
            finally:
                os.unlink(temporary)
            sync_folder(target.parent)
        return None
    current = Snapshot.read(file)
    with locked(current.target):
        ensure_unchanged(current)
        safety = backup_while_locked(current)
        replace_while_locked(current, restored)
    return safety


def restore_preview(file: Path, backup: Backup) -> str:
    """What restoring would change, secrets masked, in words when the masked diff alone would mislead."""
    from panel.core.envfile import masked_diff

    restored = backup.path.read_bytes()
    try:
        current = file.read_bytes()
    except FileNotFoundError:
        return f"{file.name} does not exist now; restoring brings it back whole ({len(restored)} bytes)."
    if current == restored:
        return "The backup is identical to the current file."
    return masked_diff(current, restored, file.name) or (
        "The backup differs from the current file only in secret values, which are not shown."
    )
