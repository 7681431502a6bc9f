"""Injected faults: which ones are asked for (`SIMULATED_DOCKER_FAULTS`, read at each call) and what docker
says when each one strikes.

docker side: daemon-down, permission-denied, no-compose-v2, no-compose-v1, rm-fails, rm-hangs, up-fails,
up-hangs, stream=N, stream-delay=MS, compose-rejects, boot-delay=S;
server side (passed on to simulated_appsmith): crash-on-start, health-500, health-slow=S, no-enable-telemetry,
users-me-not-json.
"""

from __future__ import annotations

import os
import time

from panel.demo.simulated_docker.console import SimulationError, out

FAULTS_ENV = "SIMULATED_DOCKER_FAULTS"

DAEMON_DOWN = (
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
)
PERMISSION_DENIED = (
    "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: "
    'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: '
    "connect: permission denied"
)
NO_COMPOSE_V2 = "docker: 'compose' is not a docker command.\nSee 'docker --help'"
UP_FAILS = (
    "ERROR: for appsmith  Cannot start service appsmith: driver failed programming external connectivity"
)
COMPOSE_REJECTS = (
    "ERROR: The Compose file './docker-compose.yml' is invalid because: services.appsmith.ports is invalid"
)


def parse_faults(text: str | None) -> dict[str, str]:
    """`a,b=1` → {"a": "", "b": "1"}; blanks are ignored."""
    faults: dict[str, str] = {}
    for item in (text or "").split(","):
        name, _, value = item.strip().partition("=")
        if name:
            faults[name] = value.strip()
    return faults


def current_faults() -> dict[str, str]:
    """The faults in effect for this call."""
    return parse_faults(os.environ.get(FAULTS_ENV))


def number(faults: dict[str, str], name: str, default: float) -> float:
    """A fault's numeric value (`stream=3`), or `default` when it has none or not a number."""
    try:
        return float(faults[name]) if faults.get(name) else default
    except ValueError:
        return default


def require_daemon(faults: dict[str, str]) -> None:
    """Fail as the docker CLI does when it cannot reach the daemon (down, or the socket not ours)."""
    if "daemon-down" in faults:
        raise SimulationError(DAEMON_DOWN)
    if "permission-denied" in faults:
        raise SimulationError(PERMISSION_DENIED)


def stream(faults: dict[str, str]) -> None:
    """`stream=N`, `stream-delay=MS`: N progress lines, MS apart, before `up` does its work (a slow pull)."""
    count = int(number(faults, "stream", 0))
    delay = number(faults, "stream-delay", 1.0) / 1000
    for index in range(1, count + 1):
        out(f"appsmith Pulling fs layer {index}/{count}")
        if delay and index < count:
            time.sleep(delay)
