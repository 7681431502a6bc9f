"""Replace a file so that it is always either the old or the new version, never partial or lost.

The new bytes go to a temporary file in the same folder, are flushed to disk, take the original's mode and
owner, and are renamed over the original; the folder is synced afterwards. A symlink is kept: its target is
what gets replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class FileChangedError(RuntimeError):
    """The file on disk is no longer what was read: writing now would throw away someone's change."""


@dataclass(frozen=True)
class Snapshot:
    """The exact bytes of a file as read, with what is needed to write it back faithfully."""

    path: Path
    target: Path
    data: bytes
    mode: int
    uid: int
    gid: int
    mtime_ns: int

    @classmethod
    def read(cls, path: Path) -> Snapshot:
        target = Path(os.path.realpath(path))
        with open(target, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
        return cls(path, target, data, info.st_mode & 0o7777, info.st_uid, info.st_gid, info.st_mtime_ns)


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """An advisory lock on the file's folder, and then on the file, so two panels never interleave check,
    backup and replace on one deployment. The folder too: a replace gives the file a new inode, and a panel
    that locked the old one would not keep out a panel that opens the new one. Not re-entrant: hold it
    once."""
    with contextlib.ExitStack() as stack:
        for path, flags in ((target.parent, os.O_RDONLY | os.O_DIRECTORY), (target, os.O_RDONLY)):
            try:
                fd = os.open(path, flags)
            except FileNotFoundError:
                if path == target:
                    continue  # restoring a deleted file: the folder's lock is enough
                raise
            stack.callback(os.close, fd)  # closing releases the lock
            fcntl.flock(fd, fcntl.LOCK_EX)
        remove_leftovers(target)
        yield


def temporary_prefix(target: Path) -> str:
    return f".{target.name}."


def remove_leftovers(target: Path) -> list[Path]:
    """Delete the temporary copies of `target` that a killed write left beside it (each a whole or partial
    copy of the file, secrets included). Called with the lock held, when no write of a panel can be under way;
    only names exactly of `write_new_file`'s shape are touched."""
    pattern = re.compile(re.escape(temporary_prefix(target)) + r"[a-z0-9_]{8}\.tmp")
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def ensure_unchanged(snapshot: Snapshot) -> None:
    if snapshot.target.read_bytes() != snapshot.data:
        raise FileChangedError(
            f"{snapshot.path} changed on disk since it was read; nothing was written. Reload it and try "
            f"again."
        )


def write_new_file(folder: Path, prefix: str, data: bytes, mode: int, uid: int, gid: int) -> Path:
    """Write `data` to a new temporary file in `folder` with the given mode and owner, synced to disk."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode & 0o7777)
            if (uid, gid) != (os.geteuid(), os.getegid()):
                os.fchown(handle.fileno(), uid, gid)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(snapshot: Snapshot, new_data: bytes) -> None:
    """Replace the snapshot's file with `new_data`, refusing if it changed since it was read."""
    with locked(snapshot.target):
        ensure_unchanged(snapshot)
        replace_while_locked(snapshot, new_data)


def replace_while_locked(snapshot: Snapshot, new_data: bytes) -> None:
    """The replace itself, for a caller that holds `locked(snapshot.target)` and has checked the file."""
    target = snapshot.target
    temporary = write_new_file(
        target.parent, temporary_prefix(target), new_data, snapshot.mode, snapshot.uid, snapshot.gid
    )
    try:
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    sync_folder(target.parent)
