"""Replace a file so that it is always either the old or the new version, never partial or lost.

Every step works through file descriptors, as sudoedit does: the folder is opened one component at a time
from `/` with no link followed, and checked to be the folder that was read; the file is opened in it without
following a link and checked to be a regular file with the bytes that were read; the temporary copy is created
in that folder (`O_EXCL`), flushed to disk, given the mode and owner the file has at that moment, and renamed
over the file in that folder; the folder is synced afterwards. Someone who swaps a folder or the file for a
link or another one while the panel waits makes the write refuse, never land elsewhere. A symlink given as the
path is resolved once, when the file is read (root refuses one another user could change): its target is what
gets replaced.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_WALK_FLAGS = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


class FileChangedError(RuntimeError):
    """The file on disk is no longer what was read: writing now would throw away someone's change."""


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def open_folder(folder: Path, readable: bool = True) -> int:
    """`folder` (absolute, no link in it) opened one component at a time from `/`, following no link: a
    descriptor that keeps naming this folder whatever is later renamed or swapped on its path. Not
    `readable`: only looked up (`O_PATH`, enough to open a file in it), so a folder this user may enter but
    not list works too."""
    if not folder.is_absolute() or any(part in (".", "..") for part in folder.parts):
        raise FileChangedError(f"{folder} is not a plain absolute path; nothing was written.")
    fd = os.open("/", _WALK_FLAGS)
    try:
        parts = folder.parts[1:]
        for number, part in enumerate(parts):
            flags = _FOLDER_FLAGS if readable and number == len(parts) - 1 else _WALK_FLAGS
            try:
                child = os.open(part, flags, dir_fd=fd)
            except OSError as error:
                if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                where = Path("/", *parts[: number + 1])
                raise FileChangedError(
                    f"{where} is a link or not a folder (it was a folder when the file was read, or it is a "
                    f"link the panel does not follow here); nothing was written. Check who changed it, then "
                    f"give the real folder."
                ) from error
            os.close(fd)
            fd = child
        if not parts:
            os.close(fd)
            fd = os.open("/", _FOLDER_FLAGS if readable else _WALK_FLAGS)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_file(folder_fd: int, name: str, where: Path) -> int:
    """`name` in the opened folder, no link followed, checked to be a regular file."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder_fd)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        raise FileChangedError(
            f"{where} is a symbolic link now; the panel does not follow it here. Nothing was written."
        ) from error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileChangedError(f"{where} is not a regular file; nothing was written.")
    return fd


def read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def resolve(path: Path) -> Path:
    """The real path of the file to act on. As root, a path that another user could change is not resolved
    (the link could be swapped between the look and the use): it is taken as written, and `open_folder` then
    refuses any link or `..` on it."""
    if os.geteuid() == 0:
        from panel.core.rootguard import changer

        if changer(path) is not None:
            return Path(path).absolute()
    return Path(os.path.realpath(path))


@dataclass(frozen=True)
class Snapshot:
    """The exact bytes of a file as read, with its mode and owner then, and which folder it was read in."""

    path: Path
    target: Path
    data: bytes
    mode: int
    uid: int
    gid: int
    mtime_ns: int
    folder_id: tuple[int, int] = (0, 0)

    @classmethod
    def read(cls, path: Path) -> Snapshot:
        target = resolve(path)
        folder_fd = open_folder(target.parent, readable=False)
        try:
            fd = open_file(folder_fd, target.name, target)
            try:
                info = os.fstat(fd)
                data = read_all(fd)
            finally:
                os.close(fd)
            folder_id = _identity(os.fstat(folder_fd))
        finally:
            os.close(folder_fd)
        return cls(
            path, target, data, info.st_mode & 0o7777, info.st_uid, info.st_gid, info.st_mtime_ns, folder_id
        )


@dataclass(frozen=True)
class Folder:
    """A folder held open (and locked) for a write: every name is looked up in it, never by path."""

    fd: int
    path: Path
    name: str
    """The file's name in the folder."""

    @property
    def target(self) -> Path:
        return self.path / self.name


@contextlib.contextmanager
def locked(target: Path, folder_id: tuple[int, int] | None = None) -> Iterator[Folder]:
    """An advisory lock on the file's folder, and then on the file, so two panels never interleave check,
    backup and replace on one deployment. The folder too: a replace gives the file a new inode, and a panel
    that locked the old one would not keep out a panel that opens the new one. Not re-entrant: hold it once.

    The folder is opened without following links; once the lock is held, the path is walked again and must
    still lead to the folder locked (and to `folder_id`, the folder the file was read in, when given)."""
    with contextlib.ExitStack() as stack:
        folder_fd = open_folder(target.parent)
        stack.callback(os.close, folder_fd)  # closing releases the lock
        fcntl.flock(folder_fd, fcntl.LOCK_EX)
        held = _identity(os.fstat(folder_fd))
        again = open_folder(target.parent, readable=False)
        try:
            now = _identity(os.fstat(again))
        finally:
            os.close(again)
        if now != held or (folder_id not in (None, (0, 0)) and held != folder_id):
            raise FileChangedError(
                f"{target.parent} was replaced by another folder since {target.name} was read; nothing was "
                f"written. Check who changed it, then try again."
            )
        with contextlib.suppress(FileNotFoundError):  # restoring a deleted file: the folder's lock is enough
            file_fd = open_file(folder_fd, target.name, target)
            stack.callback(os.close, file_fd)
            fcntl.flock(file_fd, fcntl.LOCK_EX)
        folder = Folder(folder_fd, target.parent, target.name)
        remove_leftovers(folder)
        yield folder


def temporary_prefix(name: str) -> str:
    return f".{name}."


def _leftover_pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(temporary_prefix(name)) + r"[a-z0-9_]{8}\.tmp")


def remove_leftovers(folder: Folder) -> list[Path]:
    """Delete the temporary copies of the file that a killed write left beside it (each a whole or partial
    copy of the file, secrets included). Called with the lock held, when no write of a panel can be under way;
    only regular files with names exactly of `write_new_file`'s shape are touched."""
    pattern = _leftover_pattern(folder.name)
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder.fd):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.name, dir_fd=folder.fd)
                    removed.append(folder.path / entry.name)
    return removed


def current_state(folder: Folder) -> tuple[bytes, os.stat_result]:
    """The file's bytes and status now, read through the locked folder without following a link."""
    fd = open_file(folder.fd, folder.name, folder.target)
    try:
        return read_all(fd), os.fstat(fd)
    finally:
        os.close(fd)


def ensure_unchanged(snapshot: Snapshot, folder: Folder) -> os.stat_result:
    """Refuse unless the file in the locked folder still has the bytes read; its status now (mode and owner
    are taken from it at write time, so a chmod made while the review waited is kept)."""
    data, info = current_state(folder)
    if data != snapshot.data:
        raise FileChangedError(
            f"{snapshot.path} changed on disk since it was read; nothing was written. Reload it and try "
            f"again."
        )
    return info


def write_new_file(folder: Folder, data: bytes, mode: int, uid: int, gid: int) -> str:
    """Write `data` to a new temporary file in the folder (created there, never an existing name or link),
    with the given mode and owner, synced to disk. Returns its name in the folder."""
    while True:
        name = temporary_prefix(folder.name) + "".join(secrets.choice(_NAME_CHARACTERS) for _ in range(8))
        name += ".tmp"
        try:
            fd = os.open(
                name,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=folder.fd,
            )
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode & 0o7777)
            if (uid, gid) != (os.geteuid(), os.getegid()):
                os.fchown(handle.fileno(), uid, gid)
                os.fchmod(handle.fileno(), mode & 0o7777)  # chown clears set-id bits
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder.fd)
        raise
    return name


def sync_folder(folder: Folder) -> None:
    os.fsync(folder.fd)


def replace_atomically(snapshot: Snapshot, new_data: bytes) -> None:
    """Replace the snapshot's file with `new_data`, refusing if it changed since it was read."""
    with locked(snapshot.target, snapshot.folder_id) as folder:
        info = ensure_unchanged(snapshot, folder)
        replace_while_locked(folder, new_data, info)


def replace_while_locked(folder: Folder, new_data: bytes, info: os.stat_result) -> None:
    """The replace itself, for a caller that holds `locked(...)` and has checked the file (`info` is its
    status then: the new file takes its mode and owner)."""
    temporary = write_new_file(folder, new_data, info.st_mode, info.st_uid, info.st_gid)
    try:
        os.replace(temporary, folder.name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder.fd)
        raise
    sync_folder(folder)
