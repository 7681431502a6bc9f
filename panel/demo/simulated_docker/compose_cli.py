"""`docker compose …` and `docker-compose …`: the global options, and the commands up, rm, down, restart and
ps with the lines and errors compose prints (and the faults that make them fail or hang)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from panel.demo.simulated_docker.compose import (
    COMPOSE_V1_VERSION,
    COMPOSE_V2_VERSION,
    Project,
    find_compose_file,
    override_files,
)
from panel.demo.simulated_docker.console import SimulationError, out
from panel.demo.simulated_docker.containers import create, project_containers, start, stop
from panel.demo.simulated_docker.describe import ports_text
from panel.demo.simulated_docker.faults import COMPOSE_REJECTS, UP_FAILS, require_daemon, stream
from panel.demo.simulated_docker.processes import process_start, start_hang_child
from panel.demo.simulated_docker.state import State, running

Command = Callable[[Project, list[str], dict[str, str], Path], int]


def take_value(args: list[str], index: int, flag: str) -> tuple[str, int]:
    """The value of the option at `index` (`--flag=value` or `--flag value`) and the index after it."""
    if "=" in args[index] and args[index].startswith("--"):
        return args[index].split("=", 1)[1], index + 1
    if index + 1 >= len(args):
        raise SimulationError(f"flag needs an argument: {flag}", 125)
    return args[index + 1], index + 2


def _hang(state_dir: Path, line: str) -> int:
    """Print `line`, then wait on a child in this process group until killed (a compose that never returns,
    like the v2 plugin under the docker CLI). Whoever cancels must kill the whole group; the child gives up
    a few seconds after an orphaning only so that a failed test leaves nothing behind for long."""
    out(line)
    child = start_hang_child()
    with State(state_dir) as state:
        state.hangs.append({"pid": os.getpid(), "start": process_start(os.getpid())})
        state.hangs.append({"pid": child.pid, "start": process_start(child.pid)})
        state.save()
    try:
        return child.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.wait()


def compose_up(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    force_recreate = "--force-recreate" in args
    wanted = [a for a in args if not a.startswith("-")]
    unknown = [s for s in wanted if s not in project.services]
    if unknown:
        raise SimulationError(f"ERROR: No such service: {unknown[0]}")
    if "up-fails" in faults:
        raise SimulationError(UP_FAILS)
    if "up-hangs" in faults:
        return _hang(
            state_dir,
            f"Creating {project.container_name(wanted[0] if wanted else next(iter(project.services)))} ...",
        )
    stream(faults)
    services = wanted or list(project.services)
    with State(state_dir) as state:
        state.refresh()
        if f"{project.name}_default" not in state.networks:
            state.networks.append(f"{project.name}_default")
            out(f'Creating network "{project.name}_default" with the default driver')
        for service in services:
            name = project.container_name(service)
            existing = next(iter(project_containers(state, project, [service])), None)
            clash = next((r for r in state.containers if r["name"] == name and r is not existing), None)
            if clash is not None:
                state.save()
                raise SimulationError(
                    f"ERROR: for {name}  Cannot create container for service {service}: Conflict. The "
                    f"container name "
                    f'"/{name}" is already in use by container "{clash["id"]}". You have to remove '
                    f"(or rename) that "
                    "container to be able to reuse that name."
                )
            if (
                existing is not None
                and not force_recreate
                and existing["labels"].get("com.docker.compose.config-hash") == project.config_hash(service)
            ):
                if running(existing):
                    out(f"{name} is up-to-date")
                else:
                    start(project, existing, faults)
                    out(f"Starting {name} ... done")
                state.save()
                continue
            verb = "Creating"
            if existing is not None:
                verb = "Recreating"
                stop(existing)
                state.containers.remove(existing)
            record = create(project, service, state_dir)
            state.containers.append(record)
            start(project, record, faults)
            state.save()
            out(f"{verb} {name} ... done")
    return 0


def _rm_flags(args: list[str]) -> tuple[bool, bool, list[str]]:
    force = stop_first = False
    services = []
    for index, arg in enumerate(args):
        if arg == "--":  # what follows are service names, whatever they look like
            services += args[index + 1 :]
            break
        if arg in ("--force",):
            force = True
        elif arg in ("--stop",):
            stop_first = True
        elif arg in ("--volumes",):
            pass
        elif re.fullmatch(r"-[fsv]+", arg):
            force = force or "f" in arg
            stop_first = stop_first or "s" in arg
        elif arg.startswith("-"):
            raise SimulationError(f"unknown flag: {arg}")
        else:
            services.append(arg)
    return force, stop_first, services


def compose_rm(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    force, stop_first, services = _rm_flags(args)
    unknown = [s for s in services if s not in project.services]
    if unknown:
        raise SimulationError(f"ERROR: No such service: {unknown[0]}")
    if "rm-hangs" in faults:
        return _hang(
            state_dir, f"Stopping {project.container_name(services[0] if services else 'appsmith')} ..."
        )
    with State(state_dir) as state:
        state.refresh()
        targets = project_containers(state, project, services)
        if "rm-fails" in faults:
            for record in targets:
                out(f"Stopping {record['name']} ... error")
            raise SimulationError(
                f"ERROR: for {targets[0]['name'] if targets else 'appsmith'}  Error response from "
                "daemon: cannot stop container: tried to kill container, but did not receive an exit event"
            )
        if stop_first:
            for record in targets:
                if running(record):
                    stop(record)
                    state.save()
                    out(f"Stopping {record['name']} ... done")
        removable = [r for r in targets if not running(r)]
        if not removable:
            out("No stopped containers")
            return 0
        if not force:
            out("Going to remove " + ", ".join(r["name"] for r in removable))
            answer = sys.stdin.readline() if sys.stdin and sys.stdin.isatty() else ""
            if answer.strip().lower() not in ("y", "yes"):
                return 0
        for record in removable:
            state.containers.remove(record)
            state.save()
            out(f"Removing {record['name']} ... done")
    return 0


def compose_down(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    with State(state_dir) as state:
        state.refresh()
        for record in project_containers(state, project):
            if running(record):
                stop(record)
                out(f"Stopping {record['name']} ... done")
            state.containers.remove(record)
            state.save()
            out(f"Removing {record['name']} ... done")
        if f"{project.name}_default" in state.networks:
            state.networks.remove(f"{project.name}_default")
            state.save()
            out(f"Removing network {project.name}_default")
    return 0


def compose_restart(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    """Stop and start the same containers: compose-level env is not re-read (the single container re-reads
    docker.env itself, as Appsmith's entrypoint does)."""
    services = [a for a in args if not a.startswith("-")]
    with State(state_dir) as state:
        state.refresh()
        for record in project_containers(state, project, services):
            stop(record)
            start(project, record, faults)
            state.save()
            out(f"Restarting {record['name']} ... done")
    return 0


def compose_ps(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    with State(state_dir) as state:
        state.refresh()
        records = project_containers(state, project)
    out(f"{'Name':<30}{'State':<12}Ports")
    out("-" * 60)
    for record in records:
        out(
            f"{record['name']:<30}"
            f"{'Up' if running(record) else 'Exit ' + str(record.get('exit_code'))!s:<12}"
            f"{ports_text(record)}"
        )
    return 0


_COMMANDS: dict[str, Command] = {
    "up": compose_up,
    "rm": compose_rm,
    "down": compose_down,
    "restart": compose_restart,
    "ps": compose_ps,
}
_VALUE_OPTIONS = (
    "--env-file",
    "--ansi",
    "--progress",
    "--profile",
    "--project-directory",
    "--context",
    "-H",
    "--host",
    "--log-level",
    "-c",
)


def cmd_compose(args: list[str], faults: dict[str, str], state_dir: Path, v1: bool) -> int:
    """Compose's global options, then the command: `v1` answers as docker-compose 1.x, else as the v2
    plugin."""
    files: list[str] = []
    project_name: str | None = None
    project_dir: str | None = None
    index = 0
    while index < len(args) and args[index].startswith("-"):
        arg = args[index]
        if arg in ("-f", "--file") or arg.startswith("--file="):
            value, index = take_value(args, index, "--file")
            files.append(value)
        elif arg in ("-p", "--project-name") or arg.startswith("--project-name="):
            project_name, index = take_value(args, index, "--project-name")
        elif arg in _VALUE_OPTIONS or any(arg.startswith(o + "=") for o in _VALUE_OPTIONS):
            value, index = take_value(args, index, arg.split("=")[0])
            if arg.startswith("--project-directory"):
                project_dir = value
        elif arg in ("-v", "--version"):
            args, index = ["version"], 0
            break
        else:
            index += 1
    rest = args[index:]
    if not rest:
        out(
            "Usage:  docker compose [OPTIONS] COMMAND"
            if not v1
            else "Usage:\n  docker-compose [-f <arg>...] COMMAND"
        )
        return 0 if not v1 else 1
    command, command_args = rest[0], rest[1:]
    if command == "version":
        out(
            f"docker-compose version {COMPOSE_V1_VERSION}, build simulated"
            if v1
            else f"Docker Compose version {COMPOSE_V2_VERSION}"
        )
        return 0
    if "compose-rejects" in faults:
        raise SimulationError(COMPOSE_REJECTS)
    handler = _COMMANDS.get(command)
    if handler is None:
        raise SimulationError(
            f"No such command: {command}" if v1 else f'unknown docker command: "compose {command}"'
        )
    if project_dir:
        os.chdir(project_dir)
    project = Project(find_compose_file(files, v1), project_name, override_files(files))
    require_daemon(faults)
    return handler(project, command_args, faults, state_dir)
