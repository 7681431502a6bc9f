"""Tests for the atomic replace: old or new bytes, never partial; mode, owner and symlinks kept; no lost
update."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from panel.core import safewrite
from panel.core.safewrite import FileChangedError, Snapshot, locked, replace_atomically
from tests.conftest import SINGLE_DOCKER_ENV

OLD = SINGLE_DOCKER_ENV.encode()
NEW = OLD.replace(b"APPSMITH_DISABLE_TELEMETRY=false", b"APPSMITH_DISABLE_TELEMETRY=true")


def _leftovers(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".tmp"))


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / "configuration" / "docker.env"
    path.parent.mkdir()
    path.write_bytes(OLD)
    return path


def test_snapshot_read(env_file: Path) -> None:
    env_file.chmod(0o640)
    snapshot = Snapshot.read(env_file)
    info = env_file.stat()
    assert snapshot.data == OLD
    assert (snapshot.path, snapshot.target) == (env_file, env_file)
    assert snapshot.mode == 0o640
    assert (snapshot.uid, snapshot.gid, snapshot.mtime_ns) == (info.st_uid, info.st_gid, info.st_mtime_ns)


def test_replace_writes_the_new_bytes_and_leaves_nothing_behind(env_file: Path) -> None:
    replace_atomically(Snapshot.read(env_file), NEW)
    assert env_file.read_bytes() == NEW
    assert _leftovers(env_file.parent) == []
    assert sorted(p.name for p in env_file.parent.iterdir()) == ["docker.env"]


def test_replace_is_a_new_inode_not_an_in_place_write(env_file: Path) -> None:
    before = env_file.stat().st_ino
    replace_atomically(Snapshot.read(env_file), NEW)
    assert env_file.stat().st_ino != before


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o660, 0o400])
def test_replace_keeps_the_mode(env_file: Path, mode: int) -> None:
    env_file.chmod(mode)
    replace_atomically(Snapshot.read(env_file), NEW)
    assert env_file.stat().st_mode & 0o7777 == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_replace_keeps_the_owner(env_file: Path) -> None:
    os.chown(env_file, 1234, 5678)
    env_file.chmod(0o600)
    replace_atomically(Snapshot.read(env_file), NEW)
    info = env_file.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (1234, 5678, 0o600)


def test_replace_through_a_symlink_edits_the_target_and_keeps_the_link(
    tmp_path: Path, env_file: Path
) -> None:
    link = tmp_path / "docker.env"
    link.symlink_to(env_file)
    snapshot = Snapshot.read(link)
    assert snapshot.target == env_file
    replace_atomically(snapshot, NEW)
    assert link.is_symlink() and os.readlink(link) == str(env_file)
    assert env_file.read_bytes() == NEW
    assert _leftovers(tmp_path) == [] and _leftovers(env_file.parent) == []


def test_replace_through_a_relative_symlink_chain(tmp_path: Path, env_file: Path) -> None:
    first = tmp_path / "a.env"
    second = tmp_path / "b.env"
    second.symlink_to(os.path.relpath(env_file, tmp_path))
    first.symlink_to("b.env")
    replace_atomically(Snapshot.read(first), NEW)
    assert first.is_symlink() and second.is_symlink()
    assert env_file.read_bytes() == NEW


def test_refuses_when_the_file_changed_after_the_snapshot(env_file: Path) -> None:
    snapshot = Snapshot.read(env_file)
    someone_else = OLD + b"APPSMITH_MAIL_ENABLED=false\n"
    env_file.write_bytes(someone_else)
    with pytest.raises(FileChangedError, match="changed on disk"):
        replace_atomically(snapshot, NEW)
    assert env_file.read_bytes() == someone_else
    assert _leftovers(env_file.parent) == []


def test_refuses_when_the_file_was_replaced_by_other_bytes_of_the_same_size(env_file: Path) -> None:
    snapshot = Snapshot.read(env_file)
    swapped = OLD.replace(b"APPSMITH_MAIL_PORT=587", b"APPSMITH_MAIL_PORT=465")
    assert len(swapped) == len(OLD)
    env_file.write_bytes(swapped)
    with pytest.raises(FileChangedError):
        replace_atomically(snapshot, NEW)
    assert env_file.read_bytes() == swapped


def test_a_failed_rename_leaves_the_original_and_no_temporary(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safewrite.os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        replace_atomically(Snapshot.read(env_file), NEW)
    assert env_file.read_bytes() == OLD
    assert _leftovers(env_file.parent) == []


def test_a_failed_write_leaves_no_temporary(env_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(safewrite.os, "fsync", refuse)
    with pytest.raises(OSError, match="Input/output"):
        replace_atomically(Snapshot.read(env_file), NEW)
    assert env_file.read_bytes() == OLD
    assert _leftovers(env_file.parent) == []


def test_unwritable_folder_as_another_user(world_tmp: Path, as_nobody) -> None:  # type: ignore[no-untyped-def]
    """The file itself is writable by everyone but its folder is not: the temporary file cannot be made."""
    path = world_tmp / "docker.env"
    path.write_bytes(OLD)
    path.chmod(0o666)

    def attempt() -> str:
        try:
            replace_atomically(Snapshot.read(path), NEW)
        except PermissionError:
            return "refused"
        return "written"

    assert as_nobody(attempt) == "refused"
    assert path.read_bytes() == OLD
    assert _leftovers(world_tmp) == []


def test_locked_holds_an_exclusive_lock(env_file: Path) -> None:
    with locked(env_file), open(env_file, "rb") as other, pytest.raises(BlockingIOError):
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(env_file, "rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # released afterwards


def test_replace_keeps_the_exact_bytes(env_file: Path) -> None:
    data = b"\xef\xbb\xbfA=1\r\nB='x'\rC=\"\xe6\x97\xa5\"\n\x00tail-without-newline"
    replace_atomically(Snapshot.read(env_file), data)
    assert env_file.read_bytes() == data


def test_taking_the_lock_removes_only_the_leftovers_of_killed_writes(tmp_path: Path) -> None:
    target = tmp_path / "docker.env"
    target.write_bytes(b"KEY=1\n")
    leftover = tmp_path / ".docker.env.a1b2c3d_.tmp"
    leftover.write_bytes(b"KEY=")
    kept = [
        tmp_path / ".docker.env.short.tmp",
        tmp_path / ".other.env.a1b2c3d_.tmp",
        tmp_path / "docker.env.tmp",
    ]
    for path in kept:
        path.write_bytes(b"someone else's")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"a link's target stays")
    (tmp_path / ".docker.env.linkxxxx.tmp").symlink_to(elsewhere)
    with locked(target):
        assert not leftover.exists()
    assert all(path.read_bytes() == b"someone else's" for path in kept)
    assert (tmp_path / ".docker.env.linkxxxx.tmp").is_symlink() and elsewhere.exists()
    assert target.read_bytes() == b"KEY=1\n"
