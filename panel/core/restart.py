"""The commands that apply a change: remove and recreate the containers, the restart Appsmith documents
(`compose restart` keeps the old container and does not re-read compose's env files or overrides), for compose
v2 (`docker compose`) or v1 (`docker-compose`), whichever is installed."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from panel.core.deployment import Deployment
from panel.core.docker import DockerError, DockerProblem, missing_docker_error

REMOVE_TIMEOUT = 180.0
START_TIMEOUT = 600.0


class ComposeTool(StrEnum):
    V2 = "docker compose"
    V1 = "docker-compose"

    @property
    def argv(self) -> tuple[str, ...]:
        return tuple(self.value.split())


def _answers(argv: list[str]) -> bool:
    program = shutil.which(argv[0])
    if program is None:
        return False
    try:
        completed = subprocess.run(
            [program, *argv[1:]], capture_output=True, timeout=15, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


def detect_compose_tool() -> ComposeTool:
    """Compose v2 when the docker CLI has the plugin, else v1; a clear error when neither is installed."""
    if _answers(["docker", "compose", "version"]):
        return ComposeTool.V2
    if _answers(["docker-compose", "version"]):
        return ComposeTool.V1
    if shutil.which("docker") is None and shutil.which("docker-compose") is None:
        raise missing_docker_error("docker (with compose)")
    raise DockerError(
        DockerProblem.MISSING,
        "Neither `docker compose` (v2 plugin) nor `docker-compose` (v1) is installed. Install one "
        "(Debian/Ubuntu: sudo apt install docker-compose) and try again.",
    )


def check_engine() -> None:
    """Ask the Docker engine once before anything is written: with the daemon down, or a socket this user may
    not use, the removal would fail only after docker.env had changed. Compose v1 without the docker CLI is
    not asked here (it talks to the socket itself, and its own error says what failed)."""
    if shutil.which("docker") is None:
        return
    from panel.core.docker import classify_failure, run

    result = run(("docker", "version", "--format", "{{.Server.Version}}"))
    if not result.ok:
        error = classify_failure(result)
        if error.problem in (DockerProblem.DAEMON_DOWN, DockerProblem.PERMISSION):
            raise error


def restart_tool() -> ComposeTool:
    """Whether the containers can be recreated now, asked live every time it matters: the compose that will
    do it, or the `DockerError` that says why not (with the daemon down, or its socket closed to this user,
    the removal would fail only after docker.env had changed, so no front end offers restarting then)."""
    check_engine()
    return detect_compose_tool()


@dataclass(frozen=True)
class PlannedCommand:
    argv: tuple[str, ...]
    cwd: Path
    timeout: float
    purpose: str

    def __str__(self) -> str:
        return shlex.join(self.argv)

    def shell_line(self) -> str:
        """`cd <folder> && <command>`, quoted so that pasting it into a shell runs exactly this, whatever the
        folder is called (spaces, quotes, `$(…)`)."""
        return f"cd {shlex.quote(str(self.cwd))} && {self}"


@dataclass(frozen=True)
class RestartPlan:
    remove: PlannedCommand
    start: PlannedCommand

    @property
    def commands(self) -> tuple[PlannedCommand, PlannedCommand]:
        return self.remove, self.start

    def shell_text(self) -> str:
        """The commands as an operator would type them, to show before anything runs."""
        return f"cd {shlex.quote(str(self.remove.cwd))}\n{self.remove}\n{self.start}"


def compose_files(deployment: Deployment, override: Path | None | bool = True) -> tuple[str, ...]:
    """The `-f` options: the compose file, and the override compose reads by default beside it (`-f` alone
    would drop it, and with it a block of the panel's). `override` True: the one on disk now; a path: that
    one (a block about to create it); None: none (an unblock about to delete it)."""
    from panel.core.egress_block import override_in_use

    chosen = override_in_use(deployment.folder) if override is True else override or None
    files = ("-f", deployment.compose_file.name)
    return files if chosen is None else (*files, "-f", chosen.name)


def plan_restart(
    deployment: Deployment, tool: ComposeTool, override: Path | None | bool = True
) -> RestartPlan:
    base = (*tool.argv, *compose_files(deployment, override))
    return RestartPlan(
        remove=PlannedCommand(
            # `--`: a service named `--help` or `-v` is a name, not an option. Compose v2 (cobra) and v1
            # (docopt, `rm [options] [--] [SERVICE...]` since 1.2x, 1.29.2 included) both take it.
            (*base, "rm", "-fsv", "--", *deployment.services_to_recreate),
            deployment.folder,
            REMOVE_TIMEOUT,
            "Stop and remove the Appsmith container"
            + ("s" if len(deployment.services_to_recreate) > 1 else ""),
        ),
        start=PlannedCommand(
            (*base, "up", "-d"), deployment.folder, START_TIMEOUT, "Create and start it again"
        ),
    )
