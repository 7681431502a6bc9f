"""A local, append-only record of every change the panel makes. Only the switch's values enter it, never
secrets."""

from __future__ import annotations

import errno
import json
import logging
import os
import pwd
import stat
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from panel.core.paths import audit_log_path, audit_mark

log = logging.getLogger("panel.audit")


@dataclass(frozen=True)
class AuditEntry:
    time: str
    user: str
    action: str
    file: str
    old: str | None
    new: str | None
    backup: str | None
    outcome: str
    mark: str | None = None
    """E.g. "demo": the entry records a change to a sample deployment, not a real one."""

    def __str__(self) -> str:
        change = f"{self.old!r} → {self.new!r}" if self.old != self.new else f"{self.new!r}"
        marked = f"[{self.mark}]  " if self.mark else ""
        return f"{marked}{self.time}  {self.user}  {self.action}  {self.file}  {change}  {self.outcome}"

    def to_json(self) -> dict[str, str | None]:
        """The entry as logged: `mark` only when there is one, so unmarked lines stay as they always were."""
        data = asdict(self)
        if self.mark is None:
            del data["mark"]
        return data


def record(
    action: str,
    file: Path,
    old: str | None,
    new: str | None,
    backup: Path | None,
    outcome: str,
    log_path: Path | None = None,
) -> AuditEntry:
    """Append one entry; `AuditError` when it cannot be written (the change it records happened all the same,
    so callers say so beside the result: `record_or_warn`)."""
    from panel.core.status import current_user

    entry = AuditEntry(
        time=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        user=current_user(),
        action=action,
        file=str(file),
        old=old,
        new=new,
        backup=str(backup) if backup else None,
        outcome=outcome,
        mark=audit_mark(),
    )
    path = log_path or audit_log_path()
    line = json.dumps(entry.to_json(), ensure_ascii=False) + "\n"
    try:
        _append(path, line)
    except UntrustedLogError as error:
        raise AuditError(str(error)) from error
    except OSError as error:
        raise AuditError(f"{error.strerror or error} ({path})") from error
    return entry


class AuditError(RuntimeError):
    """The audit entry could not be written. The change it records happened: this is said beside the result,
    never instead of it."""

    @property
    def warning(self) -> str:
        return f"The change was not written to the audit log: {self}. The result above is what happened."


def record_or_warn(
    action: str, file: Path, old: str | None, new: str | None, backup: Path | None, outcome: str
) -> str | None:
    """Record the entry; None when it was written, else the warning to show beside the result."""
    try:
        record(action, file, old, new, backup, outcome)
    except AuditError as error:
        log.warning("%s", error.warning)
        return error.warning
    return None


class UntrustedLogError(RuntimeError):
    """The audit log's folder or file is not this user's alone: appending there could write into someone
    else's file (a link planted by another user when root runs with that user's HOME)."""


def _append(path: Path, line: str) -> None:
    """Append `line` to the log in a folder that must belong to this user and not be writable by others, the
    file opened in it without following a link."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        folder = os.fstat(folder_fd)
        if folder.st_uid != os.geteuid() or folder.st_mode & 0o022:
            raise UntrustedLogError(
                f"{path.parent} belongs to {_owner(folder.st_uid)} (mode {folder.st_mode & 0o7777:04o}), "
                f"not to this user alone. Remove it, or set XDG_STATE_HOME to a folder of this user."
            )
        fd = os.open(
            path.name,
            os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
            0o600,
            dir_fd=folder_fd,
        )
    except OSError as error:
        os.close(folder_fd)
        if error.errno == errno.ELOOP:
            raise UntrustedLogError(f"{path} is a symbolic link; the panel does not follow it.") from error
        raise
    except BaseException:
        os.close(folder_fd)
        raise
    os.close(folder_fd)
    with os.fdopen(fd, "r+b") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise UntrustedLogError(f"{path} is not a regular file of this user; nothing was appended.")
        if info.st_mode & 0o077:
            # a log made wider by hand (or by an older version) is narrowed again
            os.fchmod(handle.fileno(), 0o600)
        size = info.st_size
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                line = "\n" + line  # a torn last line must not swallow this entry
        handle.write(line.encode("utf-8"))


def _owner(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"user {uid}"


def read_entries(log_path: Path | None = None) -> list[AuditEntry]:
    """All entries, newest last; lines that are not entries (a torn write) are skipped."""
    path = log_path or audit_log_path()
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entries.append(AuditEntry(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return entries
