"""The fault matrix, root side: the panel run as root (as pkexec or sudo run it for "Change as administrator")
on a deployment folder that the unprivileged user `nobody` owns, and that user acting against it.

Root treats every path that user can change as hostile (sudoedit's rule): it writes only through file
descriptors, follows no link or `..` the user could have put there, reads no file for the user that the user
could not read, runs no compose on the user's compose file, and sends back no line of a file but the switch's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from panel.core.backups import list_backups
from tests.conftest import NOBODY, SINGLE_COMPOSE, SINGLE_DOCKER_ENV, write_single_deployment
from tests.reliability.conftest import (
    CLI_TIMEOUT,
    Cli,
    SimDeployment,
    env_file_of,
    need_root,
    run_cli,
    run_cli_as_nobody,
)

KEY = "APPSMITH_DISABLE_TELEMETRY"
ROOT_ONLY = "only-root-may-read-this-9f3a"
"""A value in a file only root may read: it must never reach the user."""
PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


@pytest.fixture(autouse=True)
def as_root() -> None:
    need_root("running the panel as root against another user's folder")


def give_to_nobody(top: Path) -> None:
    for path in [top, *top.rglob("*")]:
        os.lchown(path, NOBODY, NOBODY)


def users_deployment(
    parent: Path, docker_env: str = SINGLE_DOCKER_ENV, compose: str = SINGLE_COMPOSE
) -> Path:
    """A deployment whose every folder and file belongs to nobody."""
    folder = write_single_deployment(parent / "appsmith", docker_env=docker_env, compose=compose)
    env_file_of(folder).chmod(0o640)
    give_to_nobody(folder)
    return folder


def root_only_file(folder: Path, name: str, text: str, mode: int = 0o600) -> Path:
    """A file of root's in a folder of root's (0755): nobody may not change it, and (0600) not read it."""
    folder.mkdir(mode=0o755, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def owner_and_bytes(path: Path) -> tuple[int, int, bytes]:
    info = os.lstat(path)
    return info.st_uid, info.st_mode & 0o7777, path.read_bytes()


def no_file_line_but_the_switch(output: str, data: str) -> None:
    """Nothing of the file root read reaches the user but the line of the switch."""
    for line in data.splitlines():
        if line.strip() and not line.startswith("#") and KEY not in line and len(line) > 12:
            assert line not in output, f"root printed a line of the file: {line!r}"


@contextlib.contextmanager
def forked_as_nobody(steps: Callable[[Callable[[], None]], None]) -> Iterator[Callable[[], None]]:
    """Run `steps(wait)` in a child as nobody; `wait()` there blocks until the parent calls the yielded
    `go()`. The child has said it is ready (its first step done) before this yields."""
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads (Python 3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

            def wait() -> None:
                os.write(ready_write, b"r")
                os.read(go_read, 1)

            steps(wait)
            code = 0
        finally:
            os._exit(code)
    os.close(ready_write)
    os.close(go_read)
    try:
        assert os.read(ready_read, 1) == b"r", "the user's side did not get ready"

        def go() -> None:
            os.write(go_write, b"g")

        yield go
    finally:
        with contextlib.suppress(OSError):
            os.write(go_write, b"g")
        _, status = os.waitpid(pid, 0)
        os.close(ready_read)
        os.close(go_write)
        assert os.waitstatus_to_exitcode(status) == 0, "the user's side failed"


def waits_for_lock(pid: int, folder: Path) -> bool:
    """Whether process `pid` waits for a flock on `folder` (a blocked request in /proc/locks)."""
    inode = os.stat(folder).st_ino
    for line in Path("/proc/locks").read_text(encoding="ascii").splitlines():
        if "->" in line and f":{inode} " in line and f" {pid} " in line:
            return True
    return False


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 60) -> None:
    import threading
    import time

    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert process.poll() is None, f"the panel ended early: {process.communicate()}"
        assert time.monotonic() < deadline, "the panel never reached the lock"
        pause.wait(0.01)


def start_root_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "panel", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
    )


def finish(process: subprocess.Popen[str]) -> Cli:
    stdout, stderr = process.communicate(timeout=CLI_TIMEOUT)
    return Cli(process.returncode, stdout, stderr)


# --- critical: a folder swapped on the path while root waits for the panel's lock
# ---------------------------------


def test_row_root_refuses_a_folder_swapped_while_it_waits_for_the_lock(
    offline: Path, world_tmp: Path
) -> None:
    victim = root_only_file(world_tmp / "etc-copy", "docker.env", PASSWD, mode=0o644)
    folder = users_deployment(world_tmp, docker_env=PASSWD)  # the user copied the file they want to own
    configuration = env_file_of(folder).parent

    def swap(wait: Callable[[], None]) -> None:
        fd = os.open(configuration, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(fd, fcntl.LOCK_EX)  # the panel's own lock: root waits for it
        wait()
        os.rename(configuration, configuration.with_name("configuration.old"))
        os.symlink(victim.parent, configuration)
        os.close(fd)

    with forked_as_nobody(swap) as go:
        process = start_root_cli("disable", str(folder), "--yes")
        wait_until(lambda: waits_for_lock(process.pid, configuration), process)
        go()
    result = finish(process)
    assert owner_and_bytes(victim) == (0, 0o644, PASSWD.encode()), "root replaced a file of root's"
    assert sorted(p.name for p in victim.parent.iterdir()) == ["docker.env"], "nothing was written beside it"
    assert result.code == 5, result.output
    assert (
        f"{configuration} is a link or not a folder" in result.stderr
        and "nothing was written" in result.stderr
    )
    moved = configuration.with_name("configuration.old") / "docker.env"
    assert owner_and_bytes(moved) == (NOBODY, 0o640, PASSWD.encode())


# --- the fd path: root changes a user's folder, through descriptors, and tells only the switch's line
# -----------


def test_row_root_changes_a_users_folder_through_descriptors_and_prints_only_the_switch(
    offline: Path, world_tmp: Path
) -> None:
    folder = users_deployment(world_tmp)
    env_file = env_file_of(folder)
    result = run_cli("disable", str(folder), "--yes")
    assert result.code == 0, result.output
    assert f"+{KEY}=true" in result.stdout and f"-{KEY}=false" in result.stdout
    no_file_line_but_the_switch(result.output, SINGLE_DOCKER_ENV)
    after = SINGLE_DOCKER_ENV.replace(f"{KEY}=false", f"{KEY}=true").encode()
    assert owner_and_bytes(env_file) == (NOBODY, 0o640, after), "the file keeps its owner and mode"
    [backup] = list_backups(env_file)
    assert owner_and_bytes(backup.path) == (NOBODY, 0o640, SINGLE_DOCKER_ENV.encode())
    assert sorted(p.name for p in env_file.parent.iterdir()) == ["docker.env", backup.path.name]


# --- high: links, '..', .env and compose
# ------------------------------------------------------------------


def test_row_root_refuses_a_docker_env_symlink_in_a_users_folder(offline: Path, world_tmp: Path) -> None:
    secret_text = f"ROOT_ONLY_NOTE={ROOT_ONLY}\n"
    secret = root_only_file(world_tmp / "root-only", "secret.env", secret_text)
    folder = users_deployment(world_tmp)
    env_file = env_file_of(folder)
    env_file.unlink()
    env_file.symlink_to(secret)
    os.lchown(env_file, NOBODY, NOBODY)
    result = run_cli("disable", str(folder), "--yes")
    assert ROOT_ONLY not in result.output, "root printed a file only root may read"
    assert owner_and_bytes(secret) == (0, 0o600, secret_text.encode()), "root appended to a file of root's"
    assert sorted(p.name for p in secret.parent.iterdir()) == ["secret.env"], "root copied it beside it"
    assert result.code == 5, result.output
    assert "is reached through a symbolic link, and user nobody owns" in result.stderr
    assert "Run the panel as that user" in result.stderr


def test_row_root_follows_no_link_swapped_in_after_its_first_look(world_tmp: Path) -> None:
    """The check of the path and its use are apart: a link put there in between is not followed either."""
    from panel.core.backups import Backup, restore_backup
    from panel.core.safewrite import FileChangedError, Snapshot

    secret = root_only_file(world_tmp / "root-only", "docker.env", f"ROOT_ONLY_NOTE={ROOT_ONLY}\n")
    folder = users_deployment(world_tmp)
    configuration = env_file_of(folder).parent
    configuration.rename(configuration.with_name("configuration.old"))
    configuration.symlink_to(secret.parent)
    os.lchown(configuration, NOBODY, NOBODY)
    with pytest.raises(FileChangedError, match="is a link or not a folder"):
        Snapshot.read(env_file_of(folder))
    fake = Backup(configuration / "docker.env.backup-20260101T000000.000000Z", datetime.now(UTC), 0)
    with pytest.raises(FileChangedError):
        restore_backup(env_file_of(folder), fake)
    assert owner_and_bytes(secret) == (0, 0o600, f"ROOT_ONLY_NOTE={ROOT_ONLY}\n".encode())
    assert sorted(p.name for p in secret.parent.iterdir()) == ["docker.env"]


def test_row_root_refuses_a_volume_path_that_leaves_the_deployment(offline: Path, world_tmp: Path) -> None:
    other = write_single_deployment(world_tmp / "other")  # root's own deployment
    before = env_file_of(other).read_bytes()
    folder = users_deployment(
        world_tmp / "user", compose=SINGLE_COMPOSE.replace("./stacks:", "../../other/stacks:")
    )
    world_tmp.joinpath("user").chmod(0o755)
    result = run_cli("disable", str(folder), "--yes")
    assert env_file_of(other).read_bytes() == before, "root changed another deployment's docker.env"
    assert list_backups(env_file_of(other)) == []
    assert result.code == 5, result.output
    assert "goes through '..', and user nobody owns" in result.stderr


def test_row_root_does_not_interpolate_a_dotenv_the_user_could_not_read(
    offline: Path, world_tmp: Path
) -> None:
    secret = root_only_file(world_tmp / "root-only", "root.env", f"ROOT_PASSWORD={ROOT_ONLY}\n")
    compose = SINGLE_COMPOSE.replace(
        "    restart: unless-stopped\n",
        f"    environment:\n      {KEY}: ${{ROOT_PASSWORD}}\n    restart: unless-stopped\n",
    )
    folder = users_deployment(world_tmp, compose=compose)
    (folder / ".env").symlink_to(secret)
    os.lchown(folder / ".env", NOBODY, NOBODY)
    for args in (("disable", str(folder), "--dry-run"), ("status", str(folder), "--json")):
        result = run_cli(*args)
        assert ROOT_ONLY not in result.output, f"{args[0]}: root printed a value only root may read"
        assert result.code == 0, result.output
    # Root read no `.env`, so `${ROOT_PASSWORD}` is empty: an invalid value, shown as such.
    assert f"sets {KEY}=invalid (hidden) for service" in run_cli("disable", str(folder), "--dry-run").stdout


def test_row_root_does_not_run_compose_on_a_users_compose_file(
    sim_deployment: Callable[..., SimDeployment],
) -> None:
    sim = sim_deployment()
    give_to_nobody(sim.folder)
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes")
    since = sim.calls()[sim.baseline :]
    assert [c for c in since if "compose" in c["argv"][:2]] == [], "root ran compose on a user's compose file"
    assert result.code == 0, result.output
    assert f"{KEY}=true" in sim.env_file.read_text(encoding="utf-8")
    assert "Not restarted: user nobody owns" in result.stdout
    assert "User nobody (or an administrator, after reading" in result.stdout
    assert f"cd {sim.folder} && docker compose up -d" in result.stdout


# --- medium: what pkexec and the hints run, a swapped backup, the audit log
# ------------------------------------------------


def _users_own_copy(world_tmp: Path) -> Path:
    """The panel installed as pipx or `pip --user` installs it: in a folder of the user's, on PATH."""
    folder = world_tmp / "home-bin"
    folder.mkdir()
    program = folder / "appsmith-telemetry-panel"
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    give_to_nobody(folder)
    return program


def test_row_pkexec_runs_only_a_root_owned_program(
    qtbot: QtBot, offline: Path, world_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.core import invocation
    from panel.core.status import gather
    from panel.gui.elevated_dialog import ElevatedChangeDialog
    from panel.gui.main_window import MainWindow

    users_copy = _users_own_copy(world_tmp)
    monkeypatch.setenv("PATH", f"{users_copy.parent}:{offline}")
    (offline / "pkexec").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (offline / "pkexec").chmod(0o755)
    monkeypatch.setattr(invocation, "SYSTEM_PROGRAM", users_copy, raising=False)  # a user's file there
    folder = write_single_deployment(world_tmp / "appsmith")
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_deployment(folder)
    qtbot.waitUntil(lambda: window.status is not None, timeout=30_000)
    status = gather(window.status.deployment) if window.status else None
    assert status is not None
    status = replace(status, file=replace(status.file, writable=False))
    window.show_status(status)
    banner = window.lock_banner.text.text()
    assert not window.elevate_button.isVisible(), "pkexec would run a program the user can change"
    assert "nobody owns" in banner and "install the panel system-wide" in banner
    assert " -m panel" not in banner
    dialog = ElevatedChangeDialog(status, None)
    qtbot.addWidget(dialog)
    dialog.disable_choice.click()
    shown = dialog.command_view.toPlainText()
    assert not dialog.run_button.isEnabled() and "pkexec" not in shown, "no command that runs the user's copy"
    assert "install the panel system-wide" in shown


def test_row_admin_hints_name_an_absolute_root_owned_program(
    offline: Path, world_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.core import invocation

    program = world_tmp / "system-bin" / "appsmith-telemetry-panel"
    program.parent.mkdir(mode=0o755)
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setattr(invocation, "SYSTEM_PROGRAM", program, raising=False)
    folder = write_single_deployment(world_tmp / "appsmith")  # root's: nobody may not change it
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5, result.output
    assert " -m panel" not in result.output, "`sudo python -m panel` imports ./panel from the admin's folder"
    commands = result.stderr.split("An administrator can run one of: ", 1)[1].strip().split("  |  ")
    assert [shlex.split(command)[:2] for command in commands] == [["sudo", str(program)]] * 2


def test_row_root_restore_refuses_a_backup_swapped_for_a_symlink(offline: Path, world_tmp: Path) -> None:
    from panel.core.backups import find_backup, restore_backup
    from panel.core.safewrite import FileChangedError

    secret_text = f"ROOT_ONLY_NOTE={ROOT_ONLY}\n"
    secret = root_only_file(world_tmp / "root-only", "secret.env", secret_text)
    folder = users_deployment(world_tmp)
    env_file = env_file_of(folder)
    assert run_cli("disable", str(folder), "--yes").code == 0
    [listed] = list_backups(env_file)
    backup = find_backup(env_file, listed.path.name)
    before = env_file.read_bytes()
    # found, then swapped by the folder's owner for a link to a file only root may read
    backup.path.unlink()
    backup.path.symlink_to(secret)
    os.lchown(backup.path, NOBODY, NOBODY)
    with pytest.raises(FileChangedError, match="is a symbolic link now"):
        restore_backup(env_file, backup)
    assert env_file.read_bytes() == before and ROOT_ONLY.encode() not in env_file.read_bytes()


def test_row_root_audit_log_does_not_follow_a_link_in_the_users_home(
    offline: Path, world_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = root_only_file(world_tmp / "root-only", "shadow", "root:$6$hash:19000:0:99999:7:::\n")
    state = world_tmp / "home" / ".local" / "state"
    log_folder = state / "appsmith-telemetry-panel"
    log_folder.mkdir(parents=True, mode=0o700)
    (log_folder / "audit.log").symlink_to(victim)
    give_to_nobody(world_tmp / "home")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))  # sudo keeping the user's HOME
    folder = users_deployment(world_tmp)
    result = run_cli("disable", str(folder), "--yes")
    assert victim.read_text(encoding="utf-8") == "root:$6$hash:19000:0:99999:7:::\n", "root appended to it"
    assert result.code == 0, result.output
    assert "not written to the audit log" in result.stderr
    assert f"{KEY}=true" in env_file_of(folder).read_text(encoding="utf-8")


# --- low: mode at write time, future-dated backups, a foreign audit folder, a read-only filesystem
# --------------


def test_row_a_mode_changed_while_the_review_waits_is_kept(world_tmp: Path) -> None:
    from panel.core.change import prepare_change, write_change
    from panel.core.deployment import load_deployment

    folder = users_deployment(world_tmp)
    env_file = env_file_of(folder)
    change = prepare_change(load_deployment(folder), telemetry_on=False)
    env_file.chmod(0o600)  # the owner narrows it while the dialog waits
    backup = write_change(change)
    assert env_file.stat().st_mode & 0o7777 == 0o600, "the chmod made meanwhile was undone"
    assert backup is not None and backup.stat().st_mode & 0o7777 == 0o600
    assert env_file.stat().st_uid == NOBODY


def test_row_future_dated_fake_backups_never_prune_the_real_ones(offline: Path, world_tmp: Path) -> None:
    folder = users_deployment(world_tmp)
    env_file = env_file_of(folder)
    fakes = [env_file.with_name(f"docker.env.backup-299912{10 + n}T000000.000000Z") for n in range(10)]
    for fake in fakes:
        fake.write_bytes(b"not a backup\n")
        os.chown(fake, NOBODY, NOBODY)
    result = run_cli("disable", str(folder), "--yes")
    assert result.code == 0, result.output
    real = [b for b in list_backups(env_file) if b.path not in fakes]
    assert [b.path.read_bytes() for b in real] == [SINGLE_DOCKER_ENV.encode()], "the real backup was pruned"
    assert all(fake.read_bytes() == b"not a backup\n" for fake in fakes), "someone else's files are kept"


def test_row_audit_log_in_a_folder_owned_by_another_user_is_refused_with_a_warning(
    offline: Path, world_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = world_tmp / "state"
    log_folder = state / "appsmith-telemetry-panel"
    log_folder.mkdir(parents=True, mode=0o700)
    give_to_nobody(state)
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    folder = write_single_deployment(world_tmp / "appsmith")
    result = run_cli("disable", str(folder), "--yes", "--json")
    assert not (log_folder / "audit.log").exists(), "root logged into a folder another user owns"
    assert result.code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "written-restart-later", (
        "the change is still reported as made"
    )
    assert f"{log_folder} belongs to user nobody" in result.stderr and "not written to the audit log" in (
        result.stderr
    )


_SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
MOUNT = shutil.which("mount", path=_SYSTEM_PATH) or "mount"
UMOUNT = shutil.which("umount", path=_SYSTEM_PATH) or "umount"


@pytest.fixture
def read_only_deployment(world_tmp: Path) -> Iterator[Path]:
    """A deployment on a tmpfs mounted read-only."""
    mount_point = world_tmp / "ro"
    mount_point.mkdir(mode=0o755)
    mounted = subprocess.run(
        [MOUNT, "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        folder = users_deployment(mount_point)
        subprocess.run([MOUNT, "-o", "remount,ro", str(mount_point)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run([UMOUNT, "-l", str(mount_point)], check=False)


def test_row_read_only_filesystem_says_so_instead_of_asking_an_administrator(
    offline: Path, read_only_deployment: Path
) -> None:
    before = env_file_of(read_only_deployment).read_bytes()
    for result in (
        run_cli_as_nobody("disable", str(read_only_deployment), "--yes"),
        run_cli("disable", str(read_only_deployment), "--yes"),
    ):
        assert result.code == 5, result.output
        assert "is on a read-only filesystem" in result.stderr and "Remount it read-write" in result.stderr
        assert "An administrator can run" not in result.stderr
    assert env_file_of(read_only_deployment).read_bytes() == before
