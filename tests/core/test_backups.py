"""Tests for the backups taken before every change: exact bytes, same mode and owner, newest first, pruned."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from panel.core.audit import AuditEntry
from panel.core.backups import (
    KEEP_BACKUPS,
    backup_folder,
    create_backup,
    describe_backups,
    find_backup,
    list_backups,
    prune_backups,
    restore_backup,
)
from panel.core.envfile import SwitchState
from panel.core.safewrite import FileChangedError, Snapshot, replace_atomically

VERSION_A = (
    b"\xef\xbb\xbf# version A\r\nAPPSMITH_DISABLE_TELEMETRY=false\r\nAPPSMITH_ENCRYPTION_PASSWORD=x\r\n"
)
VERSION_B = b"# version B\nAPPSMITH_DISABLE_TELEMETRY=true\n"


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / "docker.env"
    path.write_bytes(VERSION_A)
    return path


def _backup_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".backup-" in p.name)


def _write(path: Path, data: bytes) -> None:
    replace_atomically(Snapshot.read(path), data)


def test_backup_has_the_exact_bytes_beside_the_file(env_file: Path) -> None:
    backup = create_backup(Snapshot.read(env_file))
    assert backup.parent == env_file.parent
    assert re.fullmatch(r"docker\.env\.backup-\d{8}T\d{6}\.\d{6}Z", backup.name)
    assert backup.read_bytes() == VERSION_A
    assert env_file.read_bytes() == VERSION_A
    assert [p.name for p in env_file.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_backup_keeps_mode(env_file: Path) -> None:
    env_file.chmod(0o600)
    backup = create_backup(Snapshot.read(env_file))
    assert backup.stat().st_mode & 0o7777 == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_backup_keeps_owner(env_file: Path) -> None:
    os.chown(env_file, 1234, 5678)
    backup = create_backup(Snapshot.read(env_file))
    assert (backup.stat().st_uid, backup.stat().st_gid) == (1234, 5678)


def test_backup_refuses_when_the_file_changed(env_file: Path) -> None:
    snapshot = Snapshot.read(env_file)
    env_file.write_bytes(VERSION_B)
    with pytest.raises(FileChangedError):
        create_backup(snapshot)
    assert _backup_names(env_file.parent) == []
    assert [p.name for p in env_file.parent.iterdir()] == ["docker.env"]


def test_list_backups_newest_first(env_file: Path) -> None:
    made = []
    for index in range(4):
        _write(env_file, f"version {index}\n".encode())
        made.append(create_backup(Snapshot.read(env_file)))
    listed = list_backups(env_file)
    assert [b.path for b in listed] == list(reversed(made))
    assert [b.created for b in listed] == sorted((b.created for b in listed), reverse=True)
    assert [b.size for b in listed] == [
        len(b"version 3\n"),
        len(b"version 2\n"),
        len(b"version 1\n"),
        len(b"version 0\n"),
    ]
    assert listed[0].path.name in str(listed[0]) and "10 bytes" in str(listed[0])


def test_list_backups_ignores_what_is_not_a_backup(env_file: Path) -> None:
    real = create_backup(Snapshot.read(env_file))
    folder = env_file.parent
    (folder / "docker.env.backup-garbage").write_text("x")
    (folder / "docker.env.bak").write_text("x")
    (folder / "other.env.backup-20240101T000000.000000Z").write_text("x")
    (folder / "docker.env.backup-20240101T000000.000000Z.tmp").write_text("x")
    (folder / "docker.env.backup-20240102T000000.000000Z").mkdir()
    (folder / "docker.env.backup-20240103T000000.000000Z").symlink_to(real)
    assert [b.path for b in list_backups(env_file)] == [real]


def test_list_backups_of_a_file_in_a_missing_folder(tmp_path: Path) -> None:
    assert list_backups(tmp_path / "nowhere" / "docker.env") == []


def test_backups_of_a_symlink_live_beside_its_target(tmp_path: Path) -> None:
    target = tmp_path / "stacks" / "docker.env"
    target.parent.mkdir()
    target.write_bytes(VERSION_A)
    link = tmp_path / "docker.env"
    link.symlink_to(target)
    assert backup_folder(link) == target.parent
    backup = create_backup(Snapshot.read(link))
    assert backup.parent == target.parent
    assert [b.path for b in list_backups(link)] == [backup]


def test_pruning_keeps_the_newest(env_file: Path) -> None:
    made = [create_backup(Snapshot.read(env_file), keep=3) for _ in range(5)]
    assert [b.path for b in list_backups(env_file)] == list(reversed(made[-3:]))
    assert all(not path.exists() for path in made[:2])


def test_default_limit(env_file: Path) -> None:
    assert KEEP_BACKUPS == 10
    made = [create_backup(Snapshot.read(env_file)) for _ in range(KEEP_BACKUPS + 2)]
    assert len(list_backups(env_file)) == KEEP_BACKUPS
    assert not made[0].exists() and not made[1].exists() and made[2].exists()


def test_prune_backups_returns_what_it_removed(env_file: Path) -> None:
    made = [create_backup(Snapshot.read(env_file)) for _ in range(3)]
    assert prune_backups(env_file, keep=1) == [made[1], made[0]]
    assert [b.path for b in list_backups(env_file)] == [made[2]]


def test_restore_puts_back_the_exact_bytes(env_file: Path) -> None:
    env_file.chmod(0o640)
    backup_of_a = create_backup(Snapshot.read(env_file))
    _write(env_file, VERSION_B)
    [listed] = list_backups(env_file)
    safety = restore_backup(env_file, listed)
    assert env_file.read_bytes() == VERSION_A
    assert env_file.stat().st_mode & 0o7777 == 0o640
    assert safety.read_bytes() == VERSION_B
    assert backup_of_a.read_bytes() == VERSION_A


def test_restore_of_the_oldest_backup_at_the_limit(env_file: Path) -> None:
    for index in range(KEEP_BACKUPS):
        _write(env_file, f"version {index}\n".encode())
        create_backup(Snapshot.read(env_file))
    _write(env_file, b"current\n")
    backups = list_backups(env_file)
    assert len(backups) == KEEP_BACKUPS
    oldest = backups[-1]
    assert oldest.path.read_bytes() == b"version 0\n"
    safety = restore_backup(env_file, oldest)
    assert env_file.read_bytes() == b"version 0\n"
    assert safety.read_bytes() == b"current\n"
    assert len(list_backups(env_file)) == KEEP_BACKUPS


def test_restore_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "stacks" / "docker.env"
    target.parent.mkdir()
    target.write_bytes(VERSION_A)
    link = tmp_path / "docker.env"
    link.symlink_to(target)
    create_backup(Snapshot.read(link))
    _write(link, VERSION_B)
    restore_backup(link, list_backups(link)[-1])
    assert link.is_symlink()
    assert target.read_bytes() == VERSION_A


def test_find_backup_by_name_or_path(env_file: Path) -> None:
    backup = create_backup(Snapshot.read(env_file))
    assert find_backup(env_file, backup.name).path == backup
    assert find_backup(env_file, str(backup)).path == backup


def test_find_backup_names_the_choices(env_file: Path) -> None:
    backup = create_backup(Snapshot.read(env_file))
    with pytest.raises(FileNotFoundError) as raised:
        find_backup(env_file, "docker.env.backup-nope")
    assert "docker.env.backup-nope" in str(raised.value) and backup.name in str(raised.value)


def test_find_backup_when_there_is_none(env_file: Path) -> None:
    with pytest.raises(FileNotFoundError, match="none yet"):
        find_backup(env_file, "x")


def test_describe_backups_says_what_each_holds_and_what_it_was_taken_before(env_file: Path) -> None:
    first = create_backup(Snapshot.read(env_file))  # holds VERSION_A: telemetry on
    _write(env_file, VERSION_B)
    second = create_backup(Snapshot.read(env_file))  # holds VERSION_B: telemetry off
    _write(env_file, b"APPSMITH_DISABLE_TELEMETRY=maybe\n")
    third = create_backup(Snapshot.read(env_file))
    _write(env_file, b"# nothing set\n")
    fourth = create_backup(Snapshot.read(env_file))
    entries = [
        AuditEntry("t", "ops", "disable", str(env_file), "false", "true", str(first), "ok"),
        AuditEntry("t", "ops", "enable", str(env_file), "true", "false", str(second), "ok"),
        AuditEntry(
            "t", "ops", "disable", "/elsewhere/docker.env", "false", "true", f"/elsewhere/{third.name}", "ok"
        ),
    ]
    described = describe_backups(env_file, entries)
    assert [(item.backup.path, item.state, item.saved_before, item.error) for item in described] == [
        (fourth, SwitchState.UNSET, None, None),
        (third, SwitchState.INVALID, None, None),
        (second, SwitchState.DISABLED, "enable", None),
        (first, SwitchState.ENABLED, "disable", None),
    ]


def test_describe_backups_reads_the_audit_log_by_default(env_file: Path) -> None:
    from panel.core import audit

    backup = create_backup(Snapshot.read(env_file))
    audit.record("disable", env_file, "false", "true", backup, "ok")
    [item] = describe_backups(env_file)
    assert (item.state, item.saved_before) == (SwitchState.ENABLED, "disable")
    backup.unlink()
    backup.symlink_to(env_file)
    assert describe_backups(env_file) == [], "a link where a backup was is not a backup"
