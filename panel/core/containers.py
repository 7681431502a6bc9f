"""What docker says about a deployment's containers: found by compose's working-dir label, read by inspect.

Light to import (the deployment and env-file modules load only when a container is read), so that a caller can
start `docker ps` before PyYAML and the rest have loaded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from panel.core import docker
from panel.core.docker import CommandResult, DockerError, DockerProblem, Started, classify_failure

WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
SERVICE_LABEL = "com.docker.compose.service"
LOOPBACK_BINDINGS = frozenset({"", "0.0.0.0", "127.0.0.1", "::", "::1", "localhost"})

PS_ARGV = (
    "docker",
    "ps",
    "-a",
    "--no-trunc",
    "--filter",
    f"label={WORKING_DIR_LABEL}",
    "--format",
    '{{.ID}}\t{{.Label "' + WORKING_DIR_LABEL + '"}}\t{{.Label "' + SERVICE_LABEL + '"}}\t{{.Image}}',
)


@dataclass(frozen=True)
class ComposeContainer:
    """One line of `docker ps`: a container that compose started, and the folder it started it from."""

    id: str
    working_dir: str
    service: str
    image: str


def parse_ps(result: CommandResult) -> list[ComposeContainer]:
    if not result.ok:
        raise classify_failure(result)
    found = []
    for line in result.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0]:
            found.append(ComposeContainer(*parts))
    return found


def same_folder(a: str | Path, b: str | Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b) or os.path.abspath(a) == os.path.abspath(b)


def ids_for(containers: list[ComposeContainer], folder: Path, services: tuple[str, ...]) -> list[str]:
    return [c.id for c in containers if c.service in services and same_folder(c.working_dir, folder)]


def inspect_argv(ids: list[str]) -> tuple[str, ...]:
    return ("docker", "inspect", "--type", "container", *ids)


def parse_docker_time(text: str | None) -> datetime | None:
    """Docker's RFC 3339 times carry nanoseconds, and `0001-01-01T00:00:00Z` means never."""
    if not text or text.startswith("0001-"):
        return None
    main, _, rest = text.partition(".")
    if rest:
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        zone = rest[len(digits) :]
        text = f"{main}.{digits[:6]}{zone}"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class ContainerState:
    id: str
    name: str
    service: str
    status: str
    running: bool
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None
    restarting: bool
    image: str
    health: str | None
    http_port: int | None
    http_binding: str | None
    telemetry_env: str | None
    """The switch as the container's own environment holds it; other variables are never kept (secrets)."""

    @property
    def edition(self) -> str | None:
        from panel.core.deployment import edition_of_image

        return edition_of_image(self.image)

    @property
    def short_id(self) -> str:
        return self.id[:12]

    def describe(self) -> str:
        if self.restarting:
            return f"crashing and restarting in a loop (last exit code {self.exit_code})"
        if self.running:
            since = f" since {self.started_at:%Y-%m-%d %H:%M:%S} UTC" if self.started_at else ""
            return f"running{since}"
        code = f" (exit code {self.exit_code})" if self.exit_code is not None else ""
        return f"{self.status}{code}"


def _http_port(raw: dict[str, Any]) -> tuple[int | None, str | None]:
    ports = (raw.get("NetworkSettings") or {}).get("Ports") or {}
    bindings = ports.get("80/tcp") or []
    for binding in bindings:
        host_ip = binding.get("HostIp", "")
        if host_ip in LOOPBACK_BINDINGS and binding.get("HostPort"):
            return int(binding["HostPort"]), host_ip
    if bindings:
        return None, bindings[0].get("HostIp")
    return None, None


def _env_value(env: list[str], key: str) -> str | None:
    value = None
    for item in env:
        name, sep, found = item.partition("=")
        if name == key and sep:
            value = found
    return value


def parse_inspect(result: CommandResult) -> list[ContainerState]:
    from panel.core.envfile import TELEMETRY_KEY

    if not result.ok and not result.stdout.strip().startswith("["):
        raise classify_failure(result)
    try:
        documents = json.loads(result.stdout or "[]")
    except json.JSONDecodeError as error:
        raise DockerError(
            DockerProblem.FAILED, "docker inspect answered something that is not JSON.", str(error)
        ) from error
    states = []
    for raw in documents:
        state = raw.get("State") or {}
        config = raw.get("Config") or {}
        telemetry_env = _env_value(config.get("Env") or [], TELEMETRY_KEY)
        port, binding = _http_port(raw)
        states.append(
            ContainerState(
                id=raw.get("Id", ""),
                name=str(raw.get("Name", "")).lstrip("/"),
                service=(config.get("Labels") or {}).get(SERVICE_LABEL, ""),
                status=state.get("Status", "unknown"),
                running=bool(state.get("Running")),
                started_at=parse_docker_time(state.get("StartedAt")),
                finished_at=parse_docker_time(state.get("FinishedAt")),
                exit_code=state.get("ExitCode"),
                restarting=bool(state.get("Restarting")),
                image=config.get("Image", ""),
                health=(state.get("Health") or {}).get("Status"),
                http_port=port,
                http_binding=binding,
                telemetry_env=telemetry_env,
            )
        )
    return states


@dataclass(frozen=True)
class InspectedAhead:
    """Containers inspected before the compose file was read: `ids` were asked, `states` is what docker
    said."""

    ids: frozenset[str]
    states: tuple[ContainerState, ...]


def inspect_ahead(ps: Started, path: Path) -> InspectedAhead | None:
    """As soon as `ps` answers, inspect every container started from `path` or from one of the folders above
    it that `load_deployment` may pick, so that `inspect` need not wait for the compose file to be read and
    parsed.

    Returns None when there is nothing to inspect or docker failed; `status.query_containers` then asks (or
    reports) in the usual way.
    """
    try:
        found = parse_ps(ps.result())
    except DockerError:
        return None
    start = path.absolute()
    places = [start, *list(start.parents)[:4]]
    ids = [c.id for c in found if any(same_folder(c.working_dir, place) for place in places)]
    if not ids:
        return None
    try:
        return InspectedAhead(frozenset(ids), tuple(parse_inspect(docker.run(inspect_argv(ids)))))
    except DockerError:
        return None


SERVER_PROCESS_MARK = "server.jar"
"""Every Appsmith image's backend ends in `java … -jar server.jar` (supervisord's backend.conf, through
run-with-env.sh, start-backend.sh or run-java.sh, which exec it)."""


def top_argv(container_id: str) -> tuple[str, ...]:
    """`docker top` runs ps on the host for the container's processes: no exec into the image, so it works on
    every Appsmith version, whatever tools the image carries."""
    return ("docker", "top", container_id, "-o", "pid,etimes,args")


def parse_server_start(result: CommandResult, now: datetime) -> datetime | None:
    """When the server process started (now minus its elapsed seconds, one more to round down: a change
    written in the same second counts as not read yet); None when docker could not say or no server process
    runs (still starting, or between a supervisorctl stop and start)."""
    if not result.ok:
        return None
    started = None
    for line in result.stdout.splitlines()[1:]:
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1].isdigit() and SERVER_PROCESS_MARK in parts[2]:
            moment = now - timedelta(seconds=int(parts[1]) + 1)
            started = moment if started is None or moment > started else started
    return started
