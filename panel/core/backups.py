"""Timestamped copies of a file taken before every change, kept beside it so they share its disk and owner."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from panel.core.safewrite import (
    FileChangedError,
    Folder,
    Snapshot,
    current_state,
    ensure_unchanged,
    locked,
    open_file,
    open_folder,
    read_all,
    replace_while_locked,
    resolve,
    sync_folder,
    write_new_file,
)

if TYPE_CHECKING:
    from panel.core.audit import AuditEntry
    from panel.core.envfile import SwitchState

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
    return resolve(file).parent


def list_backups(file: Path) -> list[Backup]:
    """The backups of `file`, newest first."""
    target = resolve(file)
    found: list[Backup] = []
    if not target.parent.is_dir():
        return found
    for entry in target.parent.iterdir():
        created = _stamp_of(entry.name, target.name)
        if created is not None and entry.is_file() and not entry.is_symlink():
            found.append(Backup(entry, created, entry.stat().st_size))
    return sorted(found, key=lambda backup: backup.created, reverse=True)


def create_backup(snapshot: Snapshot, keep: int = KEEP_BACKUPS) -> Path:
    """Copy the snapshot's bytes (checked to still be the file's) beside it, with its mode and owner."""
    with locked(snapshot.target, snapshot.folder_id) as folder:
        info = ensure_unchanged(snapshot, folder)
        return backup_while_locked(folder, snapshot.data, info, keep)


def backup_while_locked(folder: Folder, data: bytes, info: os.stat_result, keep: int = KEEP_BACKUPS) -> Path:
    """The backup itself, for a caller that holds `locked(...)`: `data` written whole under a temporary name
    in the locked folder, with the mode and owner of `info` (the file's status now), then linked to its own
    name, so a backup is never partial; then older ones beyond `keep` are pruned (never this one)."""
    temporary = write_new_file(folder, data, info.st_mode, info.st_uid, info.st_gid)
    try:
        while True:
            name = f"{folder.name}.backup-{datetime.now(UTC).strftime(_STAMP_FORMAT)}"
            try:
                os.link(temporary, name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd, follow_symlinks=False)
                break
            except FileExistsError:
                continue
    finally:
        os.unlink(temporary, dir_fd=folder.fd)
    sync_folder(folder)
    prune_while_locked(folder, keep, taken=name)
    return folder.path / name


def _stamp_of(name: str, file_name: str) -> datetime | None:
    if not name.startswith(file_name + ".backup-"):
        return None
    match = _SUFFIX.search(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def prune_while_locked(folder: Folder, keep: int = KEEP_BACKUPS, taken: str | None = None) -> list[Path]:
    """Remove the oldest backups beyond `keep`, looked up in the locked folder. Never the backup just `taken`,
    and never a name dated in the future: no backup the panel took can be, so it is someone else's file, and
    counting it would push the real ones out."""
    now = datetime.now(UTC)
    found: list[tuple[datetime, str]] = []
    for entry in os.scandir(folder.fd):
        created = _stamp_of(entry.name, folder.name)
        if created is None or created > now or not entry.is_file(follow_symlinks=False):
            continue
        found.append((created, entry.name))
    found.sort(reverse=True)
    removed = []
    for _, name in found[keep:]:
        if name == taken:
            continue
        try:
            os.unlink(name, dir_fd=folder.fd)
        except FileNotFoundError:
            continue
        removed.append(folder.path / name)
    return removed


def prune_backups(file: Path, keep: int = KEEP_BACKUPS) -> list[Path]:
    with locked(resolve(file)) as folder:
        return prune_while_locked(folder, keep)


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


def read_backup(file: Path, backup: Backup) -> bytes:
    """The backup's bytes, opened in the file's folder without following a link: a name swapped for a link
    since it was listed is refused, not followed."""
    target = resolve(file)
    _check_beside(target, backup)
    folder_fd = open_folder(target.parent, readable=False)
    try:
        fd = open_file(folder_fd, backup.path.name, backup.path)
        try:
            return read_all(fd)
        finally:
            os.close(fd)
    finally:
        os.close(folder_fd)


def _check_beside(target: Path, backup: Backup) -> None:
    if backup.path.parent != target.parent or _stamp_of(backup.path.name, target.name) is None:
        raise FileChangedError(f"{backup.path} is not a backup of {target}; nothing was restored.")


def restore_backup(file: Path, backup: Backup) -> Path | None:
    """Put the backup's exact bytes back, after backing up what is there now (returned; None when the file was
    deleted, in which case it comes back with the backup's own mode and owner). Everything is looked up in the
    locked folder, without following a link."""
    target = resolve(file)
    _check_beside(target, backup)
    with locked(target) as folder:
        fd = open_file(folder.fd, backup.path.name, backup.path)
        try:
            restored, backup_info = read_all(fd), os.fstat(fd)
        finally:
            os.close(fd)
        try:
            current, info = current_state(folder)
        except FileNotFoundError:
            temporary = write_new_file(
                folder, restored, backup_info.st_mode, backup_info.st_uid, backup_info.st_gid
            )
            try:  # fails rather than overwrite a file created meanwhile
                os.link(
                    temporary, folder.name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd, follow_symlinks=False
                )
            finally:
                os.unlink(temporary, dir_fd=folder.fd)
            sync_folder(folder)
            return None
        safety = backup_while_locked(folder, current, info)
        replace_while_locked(folder, restored, info)
    return safety


def restore_preview(file: Path, backup: Backup) -> str:
    """What restoring would change, secrets masked, in words when the masked diff alone would mislead."""
    return review_restore(file, backup).preview


@dataclass(frozen=True)
class RestoreReview:
    """What a restore would do, for the person deciding: the masked diff, the switch before and after."""

    preview: str
    restores: SwitchState | None
    """The switch as the backup sets it (None: the backup could not be read; `preview` says why)."""
    now: SwitchState | None
    """The switch as docker.env sets it now (None: the file does not exist)."""


def review_restore(file: Path, backup: Backup) -> RestoreReview:
    """The masked diff of restoring and the two switch states, each version read and parsed once; slow on a
    big file: off a GUI thread."""
    from panel.core.envfile import EnvText, masked_diff

    restored = read_backup(file, backup)
    restored_text = EnvText.parse(restored)
    restores = restored_text.reading().state
    try:
        current = Snapshot.read(file).data
    except FileNotFoundError:
        missing = f"{file.name} does not exist now; restoring brings it back whole ({len(restored)} bytes)."
        return RestoreReview(missing, restores, None)
    current_text = EnvText.parse(current)
    now = current_text.reading().state
    if current == restored:
        return RestoreReview("The backup is identical to the current file.", restores, now)
    preview = masked_diff(current_text, restored_text, file.name) or (
        "The backup differs from the current file only in secret values, which are not shown."
    )
    return RestoreReview(preview, restores, now)


@dataclass(frozen=True)
class Restored:
    """A restore that happened: what was put back, where the replaced content is kept, and a warning when the
    audit entry could not be written (the restore itself stands)."""

    backup: Backup
    safety: Path | None
    audit_warning: str | None
    state: SwitchState | None = None
    """The switch as the restored file sets it."""


def restore_and_record(file: Path, backup: Backup) -> Restored:
    """The restore every front end runs: back up what is there, put the backup's bytes back, record it."""
    from panel.core import audit

    safety = restore_backup(file, backup)
    warning = audit.record_or_warn(
        "restore", file, None, backup.path.name, safety, "restored; restart to apply"
    )
    try:
        state: SwitchState | None = switch_state_of(Snapshot.read(file).data)
    except OSError:
        state = None
    return Restored(backup, safety, warning, state)


@dataclass(frozen=True)
class BackupContents:
    """What a backup holds, so a person can choose one by meaning ("telemetry ON, saved before Disable")
    rather than by a time and a byte count."""

    backup: Backup
    state: SwitchState | None
    """The switch as the backup sets it; None when the backup could not be read (`error` says why)."""
    saved_before: str | None
    """The audit log's action that took this backup ("disable", "enable", "restore", ...), when it says."""
    error: str | None = None


def switch_state_of(data: bytes) -> SwitchState:
    from panel.core.envfile import EnvText

    return EnvText.parse(data).reading().state


def describe_backups(file: Path, entries: list[AuditEntry] | None = None) -> list[BackupContents]:
    """Every backup of `file`, newest first, with the switch it sets and the change it was taken before.

    Reads every backup (up to `KEEP_BACKUPS` files): call it off a GUI thread. `entries` defaults to the audit
    log's."""
    from panel.core.audit import read_entries

    target = resolve(file)
    taken_by = {}
    for entry in read_entries() if entries is None else entries:
        if entry.backup:
            taken = Path(entry.backup)
            if taken.parent == target.parent or taken.parent == file.parent:
                taken_by[taken.name] = entry.action
    described = []
    for backup in list_backups(file):
        saved_before = taken_by.get(backup.path.name)
        try:
            state: SwitchState | None = switch_state_of(read_backup(file, backup))
            error = None
        except OSError as problem:
            state, error = None, problem.strerror or str(problem)
        except FileChangedError as problem:
            state, error = None, str(problem)
        described.append(BackupContents(backup, state, saved_before, error))
    return described
