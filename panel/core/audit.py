"""A local, append-only record of every change the panel makes. Only the switch's values enter it, never
secrets."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from panel.core.paths import audit_log_path


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

    def __str__(self) -> str:
        change = f"{self.old!r} → {self.new!r}" if self.old != self.new else f"{self.new!r}"
        return f"{self.time}  {self.user}  {self.action}  {self.file}  {change}  {self.outcome}"


def record(
    action: str,
    file: Path,
    old: str | None,
    new: str | None,
    backup: Path | None,
    outcome: str,
    log_path: Path | None = None,
) -> AuditEntry:
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
    )
    path = log_path or audit_log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        info = os.fstat(handle.fileno())
        if info.st_mode & 0o077 and info.st_uid == os.geteuid():
            # a log made wider by hand (or by an older version) is narrowed again
            os.fchmod(handle.fileno(), 0o600)
        size = info.st_size
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                line = "\n" + line  # a torn last line must not swallow this entry
        handle.write(line.encode("utf-8"))
    return entry


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
