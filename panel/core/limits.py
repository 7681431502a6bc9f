"""What the panel agrees to read: regular files of a stated size, YAML of a stated number of nodes.

docker.env and the compose file are in a folder anyone with access to it may have prepared. A FIFO would hang
the read (and a plain `open` of one waits for a writer), `/dev/zero` would fill the memory, and a few hundred
bytes of YAML aliases expand to billions of nodes. Each is refused at once, saying what the file is and what
to do, so that every answer comes within seconds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_ENV_BYTES = 16 * 1024 * 1024
"""docker.env (and any env file compose names) the panel reads: Appsmith writes a few kilobytes."""
MAX_COMPOSE_BYTES = 4 * 1024 * 1024
"""A compose file the panel reads: Appsmith's is under two kilobytes."""
MAX_YAML_NODES = 100_000
"""Nodes a compose file may hold, an alias counted as the nodes it stands for: Appsmith's has about fifty."""
MAX_YAML_DEPTH = 100
"""How deeply a compose file's collections may nest: compose itself needs about six levels."""

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class InputRefused(ValueError):
    """A file the panel will not read: not a regular file, or too big. The message says what it is and what
    to do."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _refuse_unless_regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise InputRefused(
            f"{path} cannot be read: it is {_kind(mode)}, not a regular file, and the panel reads only "
            "regular files. Put the real file in its place (`ls -l` shows what is there now), then try "
            "again."
        )


def _refuse_if_too_big(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise InputRefused(
            f"{path} is more than {_megabytes(limit)}, the most the panel reads for it ({_megabytes(size)} "
            f"found). Check that it is the right file, or shorten it, then try again."
        )


def check_regular(path: Path, limit: int) -> None:
    """Refuse a file that exists and is not a regular file of at most `limit` bytes (following symlinks);
    a missing file is left to the reader to report."""
    try:
        info = os.stat(path)
    except OSError:
        return
    _refuse_unless_regular(path, info.st_mode)
    _refuse_if_too_big(path, info.st_size, limit)


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `InputRefused` for anything else.

    Opened with O_NONBLOCK, so that a FIFO put in the file's place cannot hang the open, and checked on the
    open descriptor, so that what is read is what was checked; never more than `limit` bytes are read, even
    from a file that grows or lies about its size (`/proc`).
    """
    check_regular(path, limit)  # a socket cannot even be opened: say what it is first
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        return read_descriptor(fd, path, limit)
    finally:
        os.close(fd)


def read_descriptor(fd: int, path: Path, limit: int) -> bytes:
    """The bytes behind an open descriptor of `path`, checked on the descriptor to be a regular file of at
    most `limit` bytes; never more than `limit` bytes are read."""
    info = os.fstat(fd)
    _refuse_unless_regular(path, info.st_mode)
    _refuse_if_too_big(path, info.st_size, limit)
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(1024 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    _refuse_if_too_big(path, total, limit)
    return b"".join(chunks)
