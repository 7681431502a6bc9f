"""The fault matrix, backups: a restore brings back the exact bytes; backups keep the original's mode and
owner; old ones are pruned to the count the README documents."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from panel.core.backups import KEEP_BACKUPS, list_backups
from panel.core.envfile import BOM
from tests.conftest import SINGLE_DOCKER_ENV, assert_no_secret, write_single_deployment
from tests.reliability.conftest import Cli, env_file_of, run_cli

README = Path(__file__).resolve().parents[2] / "README.md"


pytestmark = pytest.mark.usefixtures("offline")


def cli(*args: str, code: int = 0) -> Cli:
    result = run_cli(*args)
    assert_no_secret(result.output)
    assert result.code == code, result.output
    return result


def test_row_restore_brings_back_the_exact_bytes(tmp_path: Path) -> None:
    original = BOM + SINGLE_DOCKER_ENV.replace("\n", "\r\n").encode() + b"TRAILING=  spaces kept  "
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=original)
    env_file = env_file_of(folder)
    cli("disable", str(folder), "--yes")
    cli("enable", str(folder), "--yes")
    oldest = list_backups(env_file)[-1]
    assert oldest.path.read_bytes() == original
    out = cli("restore", str(folder), oldest.path.name, "--yes").stdout
    assert "Restored." in out
    assert env_file.read_bytes() == original
    entries = json.loads(cli("log", "--json").stdout)
    assert [entry["action"] for entry in entries] == ["disable", "enable", "restore"]


def test_row_restore_of_a_deleted_file(tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = env_file_of(folder)
    env_file.chmod(0o600)
    cli("disable", str(folder), "--yes")
    [backup] = list_backups(env_file)
    env_file.unlink()
    cli("restore", str(folder), backup.path.name, "--yes")
    assert env_file.read_text(encoding="utf-8") == SINGLE_DOCKER_ENV
    assert env_file.stat().st_mode & 0o777 == 0o600


def test_row_backups_keep_the_originals_mode_and_owner(tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = env_file_of(folder)
    env_file.chmod(0o640)
    owner = (1234, 2345) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
    if os.geteuid() == 0:
        os.chown(env_file, *owner)
    cli("disable", str(folder), "--yes")
    [backup] = list_backups(env_file)
    for path in (backup.path, env_file):
        info = path.stat()
        assert (info.st_mode & 0o7777, info.st_uid, info.st_gid) == (0o640, *owner), path.name
    cli("restore", str(folder), backup.path.name, "--yes")
    for backup in list_backups(env_file):
        info = backup.path.stat()
        assert (info.st_mode & 0o7777, info.st_uid, info.st_gid) == (0o640, *owner)


def test_row_old_backups_are_pruned_to_the_documented_count(tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = env_file_of(folder)
    versions = [env_file.read_bytes()]
    for number in range(KEEP_BACKUPS + 3):
        cli("enable" if number % 2 else "disable", str(folder), "--yes")
        versions.append(env_file.read_bytes())
    backups = list_backups(env_file)
    assert len(backups) == KEEP_BACKUPS == 10
    # Newest first: the backup before the last change holds the version before it, and so on.
    assert [backup.path.read_bytes() for backup in backups] == list(
        reversed(versions[-KEEP_BACKUPS - 1 : -1])
    )
    listed = json.loads(cli("backups", str(folder), "--json").stdout)
    assert [Path(item["path"]) for item in listed] == [backup.path for backup in backups]
    assert f"the newest {KEEP_BACKUPS} are kept" in README.read_text(encoding="utf-8")
