"""The demo: a bundled sample deployment run by a simulated docker, so the panel can be tried without Docker.

`start_demo` copies `resources/demo` into a fresh temporary folder (`prepare_demo`), puts the simulated
`docker` and `docker-compose` first on PATH (for subprocess and QProcess alike) and starts the sample instance
once (`DemoSession.start`).
`DemoSession.close()` stops every simulated process and removes the folder.
While it runs, the panel's audit log is the demo's own (`audit.log` in the demo's folder, every entry marked
"demo"), so trying the demo never writes into the user's real log.

The simulator modules are imported lazily: `python -m panel.demo.simulated_docker` imports this package first.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Self

log = logging.getLogger("panel.demo")

ROOT_PREFIX = "appsmith-panel-demo-"
DEMO_FOLDER_NAME = "appsmith-demo"
MARKER = ".appsmith-panel-demo"
"""A file in the demo's root folder: `is_demo_path` trusts a folder only when it carries it."""

STATE_ENV = "SIMULATED_DOCKER_STATE"
FAULTS_ENV = "SIMULATED_DOCKER_FAULTS"
FIRST_UP_TIMEOUT = 60.0
AUDIT_LOG_ENV = "APPSMITH_PANEL_AUDIT_LOG"
AUDIT_MARK_ENV = "APPSMITH_PANEL_AUDIT_MARK"
"""The names `panel.core.paths` reads (the demo does not import the core; a test keeps them equal)."""
AUDIT_MARK = "demo"

# Faults meant for the user's own restart, not for the demo's first start: without them removed the demo
# would open with nothing running (or hang).
_NOT_FOR_FIRST_START = ("up-fails", "up-hangs", "stream", "stream-delay", "compose-rejects", "crash-on-start")


@dataclass
class DemoSession:
    folder: Path
    """The sample deployment folder (holds docker-compose.yml): open this one."""
    bin_dir: Path
    state_dir: Path
    root: Path
    """The temporary folder that holds all of the above; removed by `close()`."""
    _saved_env: dict[str, str | None] = field(default_factory=dict, repr=False)
    _closed: bool = field(default=False, repr=False)
    _first_start: threading.Thread | None = field(default=None, repr=False)
    _started: bool = field(default=False, repr=False)

    @property
    def audit_log(self) -> Path:
        """The demo's own audit log, removed with the folder."""
        return self.root / "audit.log"

    def start(self, boot_delay: float = 2.0, faults: str = "", wait: bool = True) -> None:
        """Put the simulated `docker` and `docker-compose` first on PATH and start the sample instance once.

        `faults` are the simulated docker's (see panel/demo/simulated_docker/faults.py); they stay in effect
        for every docker call of this process until `close()`. `boot_delay` is how long the instance answers
        503 after a start. With `wait=False` the first `compose up -d` runs in a thread (a simulated docker is
        a Python process that takes a few hundred milliseconds): the window goes on meanwhile;
        `wait_started()` says when it is done.
        """
        from panel.demo.simulated_docker import install_wrappers, parse_faults

        if self._started:
            raise RuntimeError("the demo is started already")
        self._started = True
        self.state_dir.mkdir()
        all_faults = faults.strip(", ")
        if "boot-delay" not in parse_faults(all_faults):
            all_faults = ",".join(filter(None, [all_faults, f"boot-delay={boot_delay:g}"]))
        self._saved_env = {
            key: os.environ.get(key) for key in ("PATH", STATE_ENV, FAULTS_ENV, AUDIT_LOG_ENV, AUDIT_MARK_ENV)
        }
        os.environ[STATE_ENV] = str(self.state_dir)
        os.environ[AUDIT_LOG_ENV] = str(self.audit_log)
        os.environ[AUDIT_MARK_ENV] = AUDIT_MARK
        os.environ[FAULTS_ENV] = all_faults
        install_wrappers(self.bin_dir)
        os.environ["PATH"] = os.pathsep.join(filter(None, [str(self.bin_dir), self._saved_env["PATH"]]))
        if wait:
            _first_start(self, all_faults)
        else:
            self._first_start = threading.Thread(
                target=_first_start, args=(self, all_faults), name="demo-first-start", daemon=True
            )
            self._first_start.start()

    def wait_started(self, timeout: float | None = None) -> bool:
        """Wait for the first `compose up -d`; True once it has ended (False before `start`)."""
        if not self._started:
            return False
        if self._first_start is not None:
            self._first_start.join(timeout)
            return not self._first_start.is_alive()
        return True

    def close(self) -> None:
        """Stop every simulated process, put the environment back and remove the temporary folder."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._started:
                # The first start's server must be stopped too, not left to come up after stop_all.
                self.wait_started(FIRST_UP_TIMEOUT)
                from panel.demo.simulated_docker import stop_all

                stop_all(self.state_dir)
        finally:
            for key, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def copy_demo_deployment(target: Path) -> Path:
    """Copy the bundled sample deployment to `target` (read_bytes: the resources may sit in a zip)."""
    from panel.resources_path import resource_root

    def copy(node: Traversable, destination: Path) -> None:
        destination.mkdir(parents=True, exist_ok=True)
        for child in node.iterdir():
            if child.is_dir():
                copy(child, destination / child.name)
            elif child.is_file():
                (destination / child.name).write_bytes(child.read_bytes())

    copy(resource_root() / "demo", target)
    return target


def _first_start_faults(faults: str) -> str:
    kept = [
        item.strip()
        for item in faults.split(",")
        if item.strip() and item.strip().partition("=")[0] not in _NOT_FOR_FIRST_START
    ]
    return ",".join(kept)


def prepare_demo() -> DemoSession:
    """Copy the sample deployment into a fresh temporary folder; nothing runs until `DemoSession.start`.

    The window shows the folder at once and starts the demo just after its first paint.
    """
    root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
    (root / MARKER).write_text(
        "Appsmith Telemetry Panel demo; removed when the demo closes.\n", encoding="utf-8"
    )
    try:
        folder = copy_demo_deployment(root / DEMO_FOLDER_NAME)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return DemoSession(folder, root / "bin", root / "state", root)


def start_demo(boot_delay: float = 2.0, faults: str = "", wait: bool = True) -> DemoSession:
    """Set up the demo and start its instance once (not waiting for it to be healthy: the panel shows that).

    `faults`, `boot_delay` and `wait` as for `DemoSession.start`.
    """
    session = prepare_demo()
    try:
        session.start(boot_delay, faults, wait)
    except BaseException:
        session.close()
        raise
    return session


def _first_start(session: DemoSession, faults: str) -> None:
    no_v2 = "no-compose-v2" in faults
    argv = [str(session.bin_dir / ("docker-compose" if no_v2 else "docker"))] + ([] if no_v2 else ["compose"])
    argv += ["-f", "docker-compose.yml", "up", "-d"]
    env = dict(os.environ, **{FAULTS_ENV: _first_start_faults(faults)})
    try:
        completed = subprocess.run(
            argv,
            cwd=session.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=FIRST_UP_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("the demo's first start failed: %s", error)
        return
    if completed.returncode != 0:
        log.warning(
            "the demo's first start failed (exit %s): %s", completed.returncode, completed.stderr.strip()
        )


def is_demo_path(path: Path | str) -> bool:
    """True for a path inside a folder `start_demo` made (so the UI can label it and skip remembering it)."""
    try:
        candidate = Path(path).expanduser().absolute()
    except (OSError, RuntimeError):
        return False
    for folder in (candidate, *candidate.parents):
        if folder.name.startswith(ROOT_PREFIX) and (folder / MARKER).is_file():
            return True
    return False
