"""Talking to the docker CLI: run it without a shell, and turn its failures into sentences a person can act
on."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger("panel.docker")

QUERY_TIMEOUT = 20.0
TERMINATE_GRACE = 5.0
"""Seconds between SIGTERM and SIGKILL when a docker or compose command is stopped."""


class DockerProblem(StrEnum):
    MISSING = "docker-missing"
    DAEMON_DOWN = "daemon-down"
    PERMISSION = "permission-denied"
    TIMEOUT = "timeout"
    FAILED = "failed"
    CANCELLED = "cancelled"
    """Stopped because it was asked to: not a fault of docker."""


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class DockerError(RuntimeError):
    """A docker failure, with the sentence to show and the raw detail for the log."""

    def __init__(self, problem: DockerProblem, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message
        self.detail = detail

    def __reduce__(self) -> tuple[type[DockerError], tuple[DockerProblem, str, str]]:
        """Pickled whole (a status computed in another process carries it)."""
        return DockerError, (self.problem, self.message, self.detail)


def missing_docker_error(program: str = "docker") -> DockerError:
    return DockerError(
        DockerProblem.MISSING,
        f"{program} was not found on PATH. Install Docker (Debian/Ubuntu: sudo apt install docker.io "
        "docker-compose) or add its folder to PATH.",
    )


def classify_failure(result: CommandResult) -> DockerError:
    """The plain message for a failed docker call: daemon down and socket permissions each get their own."""
    text = (result.stderr or result.stdout).strip()
    lowered = text.lower()
    if "permission denied" in lowered and ("docker.sock" in lowered or "docker daemon" in lowered):
        return DockerError(
            DockerProblem.PERMISSION,
            "Permission denied on the Docker socket (/var/run/docker.sock). Add your user to the docker "
            "group (sudo usermod -aG docker $USER) and log in again, or run the panel with sudo.",
            text,
        )
    if "cannot connect to the docker daemon" in lowered or "is the docker daemon running" in lowered:
        return DockerError(
            DockerProblem.DAEMON_DOWN,
            "The Docker daemon is not running. Start it (sudo systemctl start docker), then refresh.",
            text,
        )
    first_line = text.splitlines()[0] if text else f"exit code {result.returncode}"
    return DockerError(DockerProblem.FAILED, f"{' '.join(result.argv[:3])} failed: {first_line}", text)


class Started:
    """A docker command under way (argument list, never a shell); `result()` waits for what it said.

    Started at once, so that a caller can do other work (load modules, read files) while docker answers;
    `result()` may be called from any thread and more than once, and always gives the same answer or error.
    """

    def __init__(self, argv: Sequence[str], timeout: float = QUERY_TIMEOUT, cwd: Path | None = None) -> None:
        self.argv = tuple(argv)
        self.timeout = timeout
        self._deadline = time.monotonic() + timeout
        self._lock = threading.Lock()
        self._result: CommandResult | None = None
        self._error: DockerError | None = None
        self._process: subprocess.Popen[str] | None = None
        program = shutil.which(argv[0])
        if program is None:
            self._error = missing_docker_error(argv[0])
            return
        log.debug("running %s", argv)
        self._process = subprocess.Popen(
            [program, *argv[1:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            errors="replace",
        )

    def result(self) -> CommandResult:
        with self._lock:
            if self._result is None and self._error is None:
                self._result = self._wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def _wait(self) -> CommandResult | None:
        assert self._process is not None
        try:
            stdout, stderr = self._process.communicate(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            self._error = DockerError(
                DockerProblem.TIMEOUT,
                f"{' '.join(self.argv[:3])} did not answer within {self.timeout:.0f} s.",
            )
            return None
        return CommandResult(self.argv, self._process.returncode, stdout, stderr)


def start(argv: Sequence[str], timeout: float = QUERY_TIMEOUT, cwd: Path | None = None) -> Started:
    """Start a docker command now and return it; its `result()` is what `run` would have returned or
    raised."""
    return Started(argv, timeout, cwd)


def run(argv: Sequence[str], timeout: float = QUERY_TIMEOUT, cwd: Path | None = None) -> CommandResult:
    """Run a docker command to completion (argument list, never a shell) and return what it said."""
    return start(argv, timeout, cwd).result()


def run_checked(argv: Sequence[str], timeout: float = QUERY_TIMEOUT) -> CommandResult:
    result = run(argv, timeout)
    if not result.ok:
        raise classify_failure(result)
    return result


def group_alive(pgid: int) -> bool:
    """True while a process of the group still runs; zombies waiting for a reaper do not count."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False
