"""The processes behind the simulation: container servers started detached in their own session, stopped as
`docker stop` stops them (SIGTERM to the group, SIGKILL after a grace period), and told apart from a newer
process that reused their pid."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

STOP_TIMEOUT = 10.0
HANG_LIMIT = 900.0
"""A hanging call gives up after this long, so a forgotten one does not live for ever."""

_HANG_CHILD = """
import os, sys, time
parent, limit = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while os.getppid() == parent and time.monotonic() < limit:
    time.sleep(2)
"""


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) from /proc, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


def process_start(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, it names one process for good."""
    stat = _proc_stat(pid)
    return stat[1] if stat else None


def reap(pid: int) -> int | None:
    """The exit code of `pid` if it is a finished child of this process (and reap it)."""
    try:
        found, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    if found == 0:
        return None
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def alive(pid: int | None, start: int | None) -> bool:
    """True while the process runs: not gone, not a zombie, and not a newer process that reused the pid."""
    if pid is None:
        return False
    if Path("/proc/self/stat").exists():
        stat = _proc_stat(pid)
        if stat is None or stat[0] in ("Z", "X", "x"):
            return False
        return start is None or stat[1] == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _wait_gone(pid: int, start: int | None, timeout: float) -> int | None:
    """Wait until the process is gone; its exit code when it was this process's child."""
    deadline = time.monotonic() + timeout
    code = None
    while True:
        reaped = reap(pid)
        if reaped is not None:
            code = reaped
        if not alive(pid, start):
            return code
        if time.monotonic() > deadline:
            return code
        time.sleep(0.02)


def stop_process(pid: int, start: int | None, timeout: float = STOP_TIMEOUT) -> int | None:
    """docker stop: SIGTERM to the group, SIGKILL after `timeout`; returns the exit code when it is known."""
    if not alive(pid, start):
        return reap(pid)
    _signal_group(pid, signal.SIGTERM)
    code = _wait_gone(pid, start, timeout)
    if alive(pid, start):
        _signal_group(pid, signal.SIGKILL)
        code = _wait_gone(pid, start, 5.0)
        if code is None:
            code = 137
    return code


def free_port() -> int:
    """A loopback port nobody listens on now: the host port a container publishes."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn_detached(argv: list[str], log: str) -> int:
    """Start `argv` in a session of its own, stdin from /dev/null, stdout and stderr appended to `log`."""
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    try:
        # Signals this process ignores (SIGPIPE: Python) would stay ignored across exec; a container starts
        # clean.
        return os.posix_spawn(
            argv[0],
            argv,
            dict(os.environ),
            setsid=True,
            setsigdef=(signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGHUP),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, null_fd, 0),
                (os.POSIX_SPAWN_DUP2, log_fd, 1),
                (os.POSIX_SPAWN_DUP2, log_fd, 2),
            ],
        )
    finally:
        os.close(log_fd)
        os.close(null_fd)


def wait_listening(pid: int, start: int | None, port: int, timeout: float = 10.0) -> bool:
    """Wait until the process accepts connections on `port`; False when it died first. Health checks then see
    the boot delay and the faults, not Python's start-up time."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid, start):
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.02)
    return True


def start_hang_child() -> subprocess.Popen[bytes]:
    """A child in this process group that lives until killed, or until this process is gone (then it gives up
    within seconds) or HANG_LIMIT passes: what keeps a hanging call hanging."""
    import subprocess

    return subprocess.Popen(
        [sys.executable, "-c", _HANG_CHILD, str(os.getpid()), str(HANG_LIMIT)], stdin=subprocess.DEVNULL
    )
