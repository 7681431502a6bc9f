"""The engine's memory, shared by every call: the state folder (`SIMULATED_DOCKER_STATE`) with state.json
(containers, networks, hanging calls), changed only under an exclusive flock, and calls.log, every call's
argv appended as it starts."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any, Self

from panel.demo.simulated_docker.clock import rfc3339
from panel.demo.simulated_docker.console import SimulationError
from panel.demo.simulated_docker.faults import DAEMON_DOWN
from panel.demo.simulated_docker.processes import alive, reap, stop_process

STATE_ENV = "SIMULATED_DOCKER_STATE"


def state_dir_from_env() -> Path:
    """The state folder this call works in (made when missing, but never once the demo has removed it)."""
    value = os.environ.get(STATE_ENV)
    if not value:
        raise SimulationError(
            f"simulated docker: {STATE_ENV} is not set; it names the folder that holds the state."
        )
    path = Path(value)
    try:
        path.mkdir(exist_ok=True)
    except FileNotFoundError:
        # The demo that owned this engine has closed and removed its folder: nothing answers any more, and a
        # late call (a refresh already under way) must not create the folder again.
        raise SimulationError(DAEMON_DOWN) from None
    return path


def running(record: dict[str, Any]) -> bool:
    return record.get("status") == "running"


def mark_exited(record: dict[str, Any], code: int | None) -> None:
    """The container's process has ended: record its exit code (the server's own exit file knows best)."""
    exit_file = Path(record["exit_file"]) if record.get("exit_file") else None
    finished_ns = time.time_ns()
    if exit_file is not None and exit_file.is_file():
        with contextlib.suppress(OSError, ValueError):
            code = int(exit_file.read_text(encoding="ascii").strip())
            finished_ns = exit_file.stat().st_mtime_ns
    record["status"] = "exited"
    record["exit_code"] = 1 if code is None else code
    record["finished_at"] = rfc3339(finished_ns)
    record["finished_ns"] = finished_ns
    record["pid"] = None


class State:
    """state.json, read and written under an exclusive flock held for the whole `with` block."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir)
        self.path = self.dir / "state.json"
        self.containers: list[dict[str, Any]] = []
        self.hangs: list[dict[str, Any]] = []
        self.networks: list[str] = []
        self._lock_fd: int | None = None

    def __enter__(self) -> Self:
        try:
            self._lock_fd = os.open(self.dir / "state.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:
            raise SimulationError(DAEMON_DOWN) from None
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            document = json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
        except ValueError:
            document = {}
        self.containers = list(document.get("containers", []))
        self.hangs = list(document.get("hangs", []))
        self.networks = list(document.get("networks", []))
        return self

    def save(self) -> None:
        temp = self.path.with_name(f"state.json.{os.getpid()}.tmp")
        temp.write_text(
            json.dumps(
                {"containers": self.containers, "hangs": self.hangs, "networks": self.networks}, indent=2
            ),
            encoding="utf-8",
        )
        os.replace(temp, self.path)

    def __exit__(self, *exc: object) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def refresh(self) -> None:
        """Notice containers whose process has ended: they are exited from now on, with their exit code."""
        changed = False
        for record in self.containers:
            pid = record.get("pid")
            if running(record) and pid is not None and not alive(pid, record.get("pid_start")):
                mark_exited(record, reap(pid))
                changed = True
        if changed:
            self.save()

    def find(self, reference: str) -> dict[str, Any] | None:
        """By full id, unique id prefix, or name (docker's lookup order)."""
        for record in self.containers:
            if record["id"] == reference:
                return record
        for record in self.containers:
            if record["name"] == reference.lstrip("/"):
                return record
        matches = [r for r in self.containers if reference and r["id"].startswith(reference)]
        return matches[0] if len(matches) == 1 else None


def stop_all(state_dir: Path) -> None:
    """Stop every simulated container process and every hanging call left behind (demo exit, test
    teardown)."""
    state_dir = Path(state_dir)
    if not state_dir.is_dir():
        return
    with State(state_dir) as state:
        for hang in state.hangs:
            stop_process(hang["pid"], hang.get("start"), timeout=2.0)
        state.hangs = []
        for record in state.containers:
            if running(record) and record.get("pid") is not None:
                mark_exited(record, stop_process(record["pid"], record.get("pid_start"), timeout=5.0))
        state.save()


def log_call(state_dir: Path, argv: list[str]) -> None:
    """Append this call to calls.log (one write of one line: concurrent calls never interleave)."""
    entry = {
        "argv": argv,
        "cwd": os.getcwd(),
        "pid": os.getpid(),
        "pgid": os.getpgid(0),
        "time": rfc3339(time.time_ns()),
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(state_dir / "calls.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_calls(state_dir: Path) -> list[dict[str, Any]]:
    """Every recorded call, oldest first: {"argv", "cwd", "pid", "pgid", "time"}."""
    path = Path(state_dir) / "calls.log"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
