"""The fault matrix, the write itself: a full disk and a killed process never cost a byte of docker.env.

The disk rows mount a small tmpfs (root only; they may not skip in CI). The kill rows run the write in a child
process and kill it: once at every line the panel's write code executes (exhaustive, deterministic), and many
times at random moments (between and inside system calls).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import panel
from panel.core.backups import list_backups
from tests.conftest import SINGLE_DOCKER_ENV, write_single_deployment
from tests.reliability.conftest import need_root, run_cli

KEY = "APPSMITH_DISABLE_TELEMETRY"
PAGE = 4096


def env_file_of(folder: Path) -> Path:
    return folder / "stacks" / "configuration" / "docker.env"


def temporary_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


# --- the disk fills during the write
# -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs mounted where docker.env lives (stacks/configuration of a fresh deployment)."""
    need_root("mounting a small tmpfs")
    folder = write_single_deployment(tmp_path / "appsmith")
    configuration = env_file_of(folder).parent
    for child in configuration.iterdir():
        child.unlink()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(configuration)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        need_root(f"mounting a tmpfs ({mounted.stderr.strip()})")
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(configuration)], check=False)


def _fill(folder: Path, leave_pages: int) -> None:
    """Fill the disk, then give back exactly `leave_pages` pages."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * PAGE)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    size = filler.stat().st_size // PAGE * PAGE
    os.truncate(filler, max(0, size - leave_pages * PAGE))
    assert os.statvfs(folder).f_bavail == leave_pages


def _four_page_env() -> bytes:
    text = SINGLE_DOCKER_ENV + "".join(
        f"# padding line {n:04d} so the file fills whole pages of the disk\n" for n in range(200)
    )
    data = text.encode()[: 4 * PAGE - 100]
    return data[: data.rindex(b"\n") + 1]


@pytest.mark.parametrize(
    ("leave_pages", "what"),
    [(0, "no room for the backup"), (4, "room for the backup, not for the new copy")],
    ids=["backup-cannot-be-written", "new-copy-cannot-be-written"],
)
def test_row_disk_fills_during_the_write(small_disk: Path, leave_pages: int, what: str) -> None:
    env_file = env_file_of(small_disk)
    before = _four_page_env()
    env_file.write_bytes(before)
    env_file.chmod(0o640)
    _fill(env_file.parent, leave_pages)
    result = run_cli("disable", str(small_disk), "--yes", "--json")
    assert result.code == 5, result.output
    report = json.loads(result.stdout)
    assert report["outcome"] == "refused"
    assert "the disk that holds" in report["message"] and "is full" in report["message"], what
    assert "No space left on device" in report["message"]
    assert env_file.read_bytes() == before and env_file.stat().st_mode & 0o777 == 0o640
    assert temporary_files(env_file.parent) == []
    for backup in list_backups(env_file):
        assert backup.path.read_bytes() == before
    assert len(list_backups(env_file)) == (1 if leave_pages else 0)


def test_row_disk_full_during_a_restore(small_disk: Path) -> None:
    env_file = env_file_of(small_disk)
    env_file.write_bytes(_four_page_env())
    assert run_cli("disable", str(small_disk), "--yes").code == 0
    [backup] = list_backups(env_file)
    current = env_file.read_bytes()
    _fill(env_file.parent, 0)
    result = run_cli("restore", str(small_disk), backup.path.name, "--yes")
    assert result.code == 5, result.output
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert env_file.read_bytes() == current and temporary_files(env_file.parent) == []


# --- the process is killed during the write
# --------------------------------------------------------------------------

_DRIVER = textwrap.dedent(r"""
    # Reads "<mode>\t<folder>\t<argument>" lines; for each, reads the folder's docker.env (as the panel does
    # before it writes), forks a writer and answers one line. Forking from this small single-threaded process
    # keeps each kill cheap, so that hundreds of them take seconds.
    import os, signal, sys, time
    from pathlib import Path
    from panel.core.change import prepare_change, write_change
    from panel.core.deployment import load_deployment

    core = sys.argv[1]

    def traced_write(change, kill_at):
        lines = 0

        def trace(frame, event, arg):
            nonlocal lines
            if not frame.f_code.co_filename.startswith(core):
                return None
            if event == "line":
                lines += 1
                if lines == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return trace

        sys.settrace(trace)
        write_change(change)
        sys.settrace(None)
        return lines

    for request in sys.stdin:
        mode, folder, argument = request.rstrip("\n").split("\t")
        change = prepare_change(load_deployment(Path(folder)), False)
        if mode == "count":
            print(traced_write(change, 0), flush=True)
            continue
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            if mode == "line":
                traced_write(change, int(argument))
            else:
                write_change(change)
            os._exit(0)
        if mode == "kill-after":
            time.sleep(float(argument))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        print(f"{os.waitstatus_to_exitcode(status)}\t{time.perf_counter() - started}", flush=True)
""")


class Driver:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _DRIVER, CORE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, mode: str, folder: Path, argument: object = "") -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{mode}\t{folder}\t{argument}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the driver died"
        return answer.strip()

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


@pytest.fixture
def driver() -> Iterator[Driver]:
    started = Driver()
    yield started
    started.close()


CORE = str(Path(panel.__file__).parent / "core") + os.sep


def _deployment(base: Path, data: bytes) -> Path:
    folder = write_single_deployment(base, docker_env=data)
    env_file_of(folder).chmod(0o640)
    if os.geteuid() == 0:
        os.chown(env_file_of(folder), 1234, 2345)
    return folder


def _check_whole(folder: Path, old: bytes, new: bytes) -> str:
    """The invariant after any kill: docker.env is the old or the new version, whole, with its mode and owner;
    every backup is the old version, whole. Returns which version the file is."""
    env_file = env_file_of(folder)
    data = env_file.read_bytes()
    assert data in (old, new), f"partial docker.env ({len(data)} bytes)"
    info = env_file.stat()
    assert info.st_mode & 0o777 == 0o640
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (1234, 2345)
    for backup in list_backups(env_file):
        assert backup.path.read_bytes() == old, f"partial backup {backup.path.name}"
    # a killed writer cannot clean up; nothing wider than the file
    for name in temporary_files(env_file.parent):
        assert (env_file.parent / name).stat().st_mode & 0o777 in (0o600, 0o640)
    return "new" if data == new else "old"


def _versions(size: int) -> tuple[bytes, bytes]:
    padding = "".join(
        f"# filler {n:07d}: a long comment line so that writing the file takes a while\n"
        for n in range(size // 80)
    )
    old = (SINGLE_DOCKER_ENV + padding).encode()
    return old, old.replace(f"{KEY}=false\n".encode(), f"{KEY}=true\n".encode(), 1)


def test_row_process_killed_at_every_line_of_the_write(tmp_path: Path, driver: Driver) -> None:
    old, new = _versions(64 * 1024)
    total = int(driver.ask("count", _deployment(tmp_path / "count", old)))
    assert total > 30, "the write's lines were not traced"
    seen = []
    for line in range(1, total + 1):
        folder = _deployment(tmp_path / f"line-{line}", old)
        code, _ = driver.ask("line", folder, line).split("\t")
        assert int(code) == -signal.SIGKILL
        seen.append(_check_whole(folder, old, new))
        shutil.rmtree(folder)
    assert seen[0] == "old" and seen[-1] == "new"
    assert seen == sorted(seen, key=["old", "new"].index), "once new, the file never goes back to old"
    KILLS["every line"] = total


def test_row_process_killed_at_random_moments_of_the_write(tmp_path: Path, driver: Driver) -> None:
    old, new = _versions(256 * 1024)
    durations = []
    for attempt in range(3):
        folder = _deployment(tmp_path / f"calibrate-{attempt}", old)
        code, seconds = driver.ask("write", folder).split("\t")
        assert int(code) == 0 and env_file_of(folder).read_bytes() == new
        durations.append(float(seconds))
    window = max(durations) * 1.2
    rng = random.Random(20261123)
    seen = []
    for run in range(RANDOM_KILLS):
        folder = _deployment(tmp_path / f"run-{run}", old)
        driver.ask("kill-after", folder, rng.uniform(0, window))
        seen.append(_check_whole(folder, old, new))
        shutil.rmtree(folder)
    assert {"old", "new"} <= set(seen), f"the kills missed the write window ({window * 1000:.0f} ms)"
    KILLS["random moments"] = RANDOM_KILLS


RANDOM_KILLS = 300
KILLS: dict[str, int] = {}
"""How many kills each row made (read by the report)."""


def test_row_leftovers_of_a_killed_write_are_removed_by_the_next_one(tmp_path: Path) -> None:
    old, new = _versions(64 * 1024)
    folder = _deployment(tmp_path / "appsmith", old)
    # Killed inside the first write (after the backup's temporary file was written, before it was linked): a
    # partial copy of docker.env, secrets included, under write_new_file's name.
    env_file = env_file_of(folder)
    (env_file.parent / ".docker.env.k1ll3d_x.tmp").write_bytes(old[:1000])
    (env_file.parent / ".docker.env.notes.tmp").write_bytes(b"not the panel's: a name of another shape")
    result = run_cli("disable", str(folder), "--yes")
    assert result.code == 0, result.output
    assert env_file.read_bytes() == new
    [backup] = list_backups(env_file)
    assert backup.path.read_bytes() == old
    assert temporary_files(env_file.parent) == [".docker.env.notes.tmp"], "only the panel's own leftovers go"
