"""A service's container through its life: created from the compose project (the record `ps` and `inspect`
describe), started (the web service gets a real simulated_appsmith process on a loopback port; the others
only a status), stopped."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

from panel.demo.simulated_docker.clock import rfc3339
from panel.demo.simulated_docker.compose import COMPOSE_V1_VERSION, Project
from panel.demo.simulated_docker.faults import FAULTS_ENV, number
from panel.demo.simulated_docker.launchers import server_command
from panel.demo.simulated_docker.processes import (
    free_port,
    process_start,
    reap,
    spawn_detached,
    stop_process,
    wait_listening,
)
from panel.demo.simulated_docker.state import State, mark_exited, running

TELEMETRY_KEY = "APPSMITH_DISABLE_TELEMETRY"
IMAGE_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8")


def project_containers(
    state: State, project: Project, services: list[str] | None = None
) -> list[dict[str, Any]]:
    """The project's containers (by compose's labels), of `services` when given."""
    return [
        r
        for r in state.containers
        if r["labels"].get("com.docker.compose.project.working_dir") == str(project.folder)
        and r["labels"].get("com.docker.compose.project") == project.name
        and (not services or r["service"] in services)
    ]


def create(project: Project, service: str, state_dir: Path) -> dict[str, Any]:
    """A new container record for `service`, not started."""
    definition = project.services[service]
    container_id = os.urandom(32).hex()
    name = project.container_name(service)
    env = project.environment(service)
    web = project.web_service() == service
    bindings = project.port_bindings(service)
    ports: dict[str, list[dict[str, str]]] = {}
    if web:
        host_ip = next((b["HostIp"] for b in bindings.get("80/tcp", []) if b["HostIp"]), "127.0.0.1")
        ports["80/tcp"] = [{"HostIp": host_ip, "HostPort": ""}] if "80/tcp" in bindings else []
    now = time.time_ns()
    (state_dir / "logs").mkdir(exist_ok=True)
    (state_dir / "exit").mkdir(exist_ok=True)
    mounts = []
    for volume in definition.get("volumes") or []:
        if isinstance(volume, str) and ":" in volume:
            source, target = volume.split(":")[:2]
            mounts.append(
                {
                    "Type": "bind",
                    "Source": str((project.folder / source).absolute()),
                    "Destination": target,
                    "Mode": "",
                    "RW": True,
                    "Propagation": "rprivate",
                }
            )
    restart = definition.get("restart", "no")
    record: dict[str, Any] = {
        "id": container_id,
        "name": name,
        "service": service,
        "image": str(definition.get("image", f"{project.name}_{service}")),
        "env": [f"{k}={v}" for k, v in env.items()] + [e for e in IMAGE_ENV if e.split("=")[0] not in env],
        "labels": {
            "com.docker.compose.config-hash": project.config_hash(service),
            "com.docker.compose.container-number": "1",
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": project.name,
            "com.docker.compose.project.config_files": str(project.compose_file.absolute()),
            "com.docker.compose.project.working_dir": str(project.folder),
            "com.docker.compose.service": service,
            "com.docker.compose.version": COMPOSE_V1_VERSION,
        },
        "ports": ports,
        "port_bindings": bindings,
        "extra_hosts": project.extra_hosts(service),
        "mounts": mounts,
        "restart": str(restart).split(":")[0] if restart else "no",
        "created_ns": now,
        "status": "created",
        "pid": None,
        "log": str(state_dir / "logs" / f"{name}-{container_id[:12]}.log"),
        "exit_file": str(state_dir / "exit" / f"{container_id}.code"),
    }
    return record


def _mark_running(record: dict[str, Any], pid: int | None) -> None:
    now = time.time_ns()
    record.update(
        status="running",
        pid=pid,
        started_at=rfc3339(now),
        started_ns=now,
        finished_at=None,
        exit_code=None,
    )
    if pid is not None:
        record["pid_start"] = process_start(pid)


def _spawn_server(project: Project, service: str, record: dict[str, Any], faults: dict[str, str]) -> None:
    """Start the simulated Appsmith for a container: detached, in its own session, logging to the state
    folder. Like Appsmith's container it reads docker.env itself; the container's own value of the switch
    (from compose's environment) is handed over as `--override`."""
    port = free_port()
    server = project.server_service() or service
    arguments = [
        "--env-file",
        str(project.env_file_for_server()),
        "--port",
        str(port),
        "--boot-delay",
        str(number(faults, "boot-delay", 0.0)),
        "--faults",
        os.environ.get(FAULTS_ENV, ""),
        "--exit-file",
        record["exit_file"],
    ]
    server_env = project.environment(server)
    if TELEMETRY_KEY in server_env:
        arguments += ["--override", server_env[TELEMETRY_KEY]]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(record["exit_file"])
    pid = spawn_detached(server_command(arguments), record["log"])
    _mark_running(record, pid)
    for bindings in record["ports"].values():
        for binding in bindings:
            binding["HostPort"] = str(port)
    if not wait_listening(pid, record.get("pid_start"), port):
        mark_exited(record, reap(pid))


def start(project: Project, record: dict[str, Any], faults: dict[str, str]) -> None:
    if project.web_service() == record["service"]:
        _spawn_server(project, record["service"], record, faults)
    else:
        _mark_running(record, None)


def stop(record: dict[str, Any]) -> None:
    if running(record):
        if record.get("pid") is not None:
            mark_exited(record, stop_process(record["pid"], record.get("pid_start")))
        else:
            mark_exited(record, 0)
