"""Tests for what root may trust: who could change a path, what root reads for a user, what it sends back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from panel.core.rootguard import changer, read_for_users, telemetry_lines_only
from tests.conftest import NOBODY

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")


@pytest.fixture
def roots_folder(world_tmp: Path) -> Path:
    folder = world_tmp / "opt" / "appsmith"
    folder.mkdir(parents=True, mode=0o755)
    return folder


@needs_root
def test_a_path_only_root_can_change(roots_folder: Path) -> None:
    (roots_folder / "docker.env").write_text("A=1\n", encoding="utf-8")
    assert changer(roots_folder / "docker.env") is None
    assert changer(Path("/bin/sh")) is None, "a link of root's (/bin -> usr/bin) in a folder of root's"


@needs_root
def test_a_folder_on_the_way_owned_by_a_user(roots_folder: Path) -> None:
    inner = roots_folder / "stacks"
    inner.mkdir()
    (inner / "docker.env").write_text("A=1\n", encoding="utf-8")
    os.chown(roots_folder, NOBODY, NOBODY)
    assert changer(inner / "docker.env") == f"user nobody owns {roots_folder}"


@needs_root
def test_a_file_owned_by_a_user_or_writable_by_others(roots_folder: Path) -> None:
    path = roots_folder / "docker.env"
    path.write_text("A=1\n", encoding="utf-8")
    path.chmod(0o666)
    assert changer(path) == f"{path} may be written by others (mode 0666)"
    path.chmod(0o644)
    os.chown(path, NOBODY, NOBODY)
    assert changer(path) == f"user nobody owns {path}"


@needs_root
def test_a_link_leading_through_a_users_folder(roots_folder: Path, world_tmp: Path) -> None:
    users = world_tmp / "home"
    users.mkdir(mode=0o755)
    (users / "docker.env").write_text("A=1\n", encoding="utf-8")
    os.chown(users, NOBODY, NOBODY)
    (roots_folder / "docker.env").symlink_to(users / "docker.env")
    assert changer(roots_folder / "docker.env") == f"user nobody owns {users}"


@needs_root
def test_root_reads_for_a_user_only_what_that_user_could_read(
    roots_folder: Path, world_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = world_tmp / "home"
    users.mkdir(mode=0o755)
    os.chown(users, NOBODY, NOBODY)
    secret = roots_folder / "root.env"
    secret.write_text("PASSWORD=x\n", encoding="utf-8")
    secret.chmod(0o600)
    (users / ".env").symlink_to(secret)
    assert read_for_users(users / ".env", users) is None, "a link in a user's folder is not followed"
    (users / ".env").unlink()
    (users / ".env").write_text("PORT=80\n", encoding="utf-8")
    os.chown(users / ".env", NOBODY, NOBODY)
    assert read_for_users(users / ".env", users) == "PORT=80\n"
    monkeypatch.setenv("PKEXEC_UID", "1234")  # someone else asked: they may not read nobody's 0600 file
    (users / ".env").chmod(0o600)
    assert read_for_users(users / ".env", users) is None
    assert read_for_users(secret, roots_folder) == "PASSWORD=x\n", "root's own file, for root"


def test_only_the_switchs_lines_of_a_diff() -> None:
    diff = (
        "--- docker.env (now)\n+++ docker.env (after)\n@@ -1,3 +1,3 @@\n APPSMITH_MAIL_HOST=smtp.example\n"
        "-APPSMITH_DISABLE_TELEMETRY=false\n+APPSMITH_DISABLE_TELEMETRY=true\n APPSMITH_MAIL_PORT=587\n"
    )
    assert telemetry_lines_only(diff) == (
        "--- docker.env (now)\n+++ docker.env (after)\n"
        "-APPSMITH_DISABLE_TELEMETRY=false\n+APPSMITH_DISABLE_TELEMETRY=true\n"
    )
    assert telemetry_lines_only("") == ""
