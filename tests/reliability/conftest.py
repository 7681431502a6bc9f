"""Fixtures for the fault matrix: deployments run by the simulated docker in any folder, the command line as a
child process (as root, or forked as the unprivileged user `nobody`), and process-group checks.

``sim_deployment(name=..., faults=..., docker_env=...)`` copies the bundled demo deployment into a folder
called ``name`` (spaces, quotes, ``$(…)`` and non-ASCII welcome), with a simulated docker of its own first on
PATH, and starts it once. Its docker.env holds the secrets of ``tests.conftest.SINGLE_DOCKER_ENV`` unless told
otherwise.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from panel.core.deployment import Deployment, load_deployment
from tests.conftest import DAEMON_DOWN, NOBODY, SINGLE_DOCKER_ENV

FAULTS_ENV = "SIMULATED_DOCKER_FAULTS"
STATE_ENV = "SIMULATED_DOCKER_STATE"
CLI_TIMEOUT = 180.0


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def need_root(what: str) -> None:
    """Rows that need root (tmpfs mounts, other users) skip elsewhere, but may not skip in CI."""
    if os.geteuid() != 0:
        if in_ci():
            pytest.fail(f"CI=true but not root: {what} needs root", pytrace=False)
        pytest.skip(f"{what} needs root")


@dataclass
class Cli:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class SimDeployment:
    folder: Path
    bin_dir: Path
    state_dir: Path
    monkeypatch: pytest.MonkeyPatch
    baseline: int = 0
    """How many docker calls the fixture itself made (the first `up`): the panel's calls come after."""

    @property
    def env_file(self) -> Path:
        return self.folder / "stacks" / "configuration" / "docker.env"

    @property
    def deployment(self) -> Deployment:
        return load_deployment(self.folder)

    def set_faults(self, faults: str) -> None:
        """Faults for every docker call from now on, in this process and in the command lines it starts."""
        self.monkeypatch.setenv(FAULTS_ENV, faults)

    def calls(self) -> list[dict[str, Any]]:
        from panel.demo.simulated_docker import read_calls

        return read_calls(self.state_dir)

    def compose_calls(self) -> list[dict[str, Any]]:
        return [
            call
            for call in self.calls()
            if call["argv"][:2] == ["docker", "compose"] or call["argv"][:1] == ["docker-compose"]
        ]

    def up(self) -> None:
        """`docker compose up -d` as an operator would run it (no faults of the docker side)."""
        from panel.demo.simulated_docker import parse_faults

        faults = parse_faults(os.environ.get(FAULTS_ENV))
        kept = ",".join(
            f"{k}={v}" if v else k
            for k, v in faults.items()
            if k in ("boot-delay", "health-500", "health-slow", "no-enable-telemetry", "users-me-not-json")
        )
        subprocess.run(
            [str(self.bin_dir / "docker"), "compose", "-f", "docker-compose.yml", "up", "-d"],
            cwd=self.folder,
            env=dict(os.environ, **{FAULTS_ENV: kept}),
            check=True,
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def cli(self, *args: str, timeout: float = CLI_TIMEOUT) -> Cli:
        """The command line in a child process, as root, with this deployment's docker on PATH."""
        return run_cli(*args, timeout=timeout)


def run_cli(*args: str, timeout: float = CLI_TIMEOUT, env: dict[str, str] | None = None) -> Cli:
    completed = subprocess.run(
        [sys.executable, "-m", "panel", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Cli(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def sim_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., SimDeployment]]:
    """Factory: `sim_deployment(name="appsmith", faults="", docker_env=SINGLE_DOCKER_ENV, start=True)`."""
    from panel.demo import copy_demo_deployment
    from panel.demo.simulated_docker import install_wrappers, stop_all

    made: list[SimDeployment] = []

    def make(
        name: str = "appsmith",
        faults: str = "",
        docker_env: str | bytes | None = SINGLE_DOCKER_ENV,
        start: bool = True,
        boot_delay: float = 0.2,
        parent: Path | None = None,
    ) -> SimDeployment:
        root = Path(tempfile.mkdtemp(prefix="sim-", dir=tmp_path))
        folder = copy_demo_deployment((parent or root) / name)
        if docker_env is not None:
            env_file = folder / "stacks" / "configuration" / "docker.env"
            env_file.write_bytes(docker_env if isinstance(docker_env, bytes) else docker_env.encode("utf-8"))
        bin_dir, state_dir = root / "bin", root / "state"
        state_dir.mkdir()
        monkeypatch.setenv(STATE_ENV, str(state_dir))
        all_faults = ",".join(filter(None, [faults, f"boot-delay={boot_delay:g}"]))
        monkeypatch.setenv(FAULTS_ENV, all_faults)
        install_wrappers(bin_dir)
        # Only the simulated docker: a real docker or docker-compose must never be reached by these rows.
        monkeypatch.setenv("PATH", str(bin_dir))
        sim = SimDeployment(folder, bin_dir, state_dir, monkeypatch)
        made.append(sim)
        if start:
            sim.up()
            sim.baseline = len(sim.calls())
        return sim

    yield make
    for sim in made:
        stop_all(sim.state_dir)


# --- the command line as another user
# -------------------------------------------------------------------------


def _preload() -> None:
    """Import everything the command line may import lazily: a forked child running as nobody may not be able
    to read the interpreter's own folders (pyenv under /root), only modules already loaded work there."""
    import argparse  # noqa: F401
    import concurrent.futures  # noqa: F401
    import http.client  # noqa: F401
    import json  # noqa: F401
    import pwd  # noqa: F401
    import shlex  # noqa: F401

    import requests  # noqa: F401

    import panel.cli
    import panel.core.apply
    import panel.core.audit
    import panel.core.backups
    import panel.core.change
    import panel.core.discover
    import panel.core.instance
    import panel.core.invocation
    import panel.core.netguard
    import panel.core.nginx_fix
    import panel.core.restart
    import panel.core.status  # noqa: F401


def run_cli_as_nobody(*args: str, env: dict[str, str] | None = None) -> Cli:
    """`panel.cli.main(args)` in a forked child running as uid/gid 65534, its stdout and stderr captured."""
    need_root("running the panel as another user")
    _preload()
    import panel.cli

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads (Python 3.12+)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 70
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                # pytest replaced sys.stdout and sys.stderr: print() must reach the redirected descriptors.
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
                if env is not None:
                    os.environ.update(env)
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                code = panel.cli.main(list(args))
            except BaseException as error:
                with contextlib.suppress(BaseException):
                    os.write(2, f"child failed: {error!r}\n".encode())
            finally:
                with contextlib.suppress(BaseException):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return Cli(
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


@pytest.fixture
def offline(world_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds only a `docker` (a shell script any user can run) whose daemon is down: no real engine is
    asked."""
    folder = world_tmp / "offline-bin"
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(f"#!/bin/sh\nprintf '%s' '{DAEMON_DOWN}' >&2\nexit 1\n", encoding="utf-8")
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return folder


def env_file_of(folder: Path) -> Path:
    return folder / "stacks" / "configuration" / "docker.env"
