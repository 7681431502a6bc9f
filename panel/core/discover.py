"""Find Appsmith deployments on this machine: folders of running Appsmith containers, then the usual
places."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from panel.core import containers, docker
from panel.core.deployment import Deployment, NotADeploymentError, load_deployment
from panel.core.docker import DockerError, Started

_APPSMITH = re.compile(r"appsmith", re.IGNORECASE)


def common_places() -> list[Path]:
    return [Path.home() / "appsmith", Path("/opt/appsmith"), Path.cwd()]


@dataclass(frozen=True)
class Found:
    deployment: Deployment
    reason: str


def folders_from_docker(ps: Started | None = None) -> list[Path]:
    """Working folders of compose containers whose service or image is Appsmith's (`ps`: one already under
    way)."""
    listed = containers.parse_ps(ps.result() if ps is not None else docker.run(containers.PS_ARGV))
    folders: list[Path] = []
    for container in listed:
        if _APPSMITH.search(container.image) or container.service in ("appsmith", "appsmith-internal-server"):
            folder = Path(container.working_dir)
            if folder not in folders:
                folders.append(folder)
    return folders


def discover(
    extra: list[Path] | None = None, ask_docker: bool = True, ps: Started | None = None
) -> tuple[list[Found], str | None]:
    """Every deployment found, each once, with why it was offered; plus docker's error if it could not be
    asked.

    `ps` is a `docker ps` already under way, so that a caller that needs it again (the status) asks docker
    once.
    """
    candidates: list[tuple[Path, str]] = [(path, "remembered") for path in extra or []]
    docker_error = None
    if ask_docker:
        try:
            candidates += [(path, "a running Appsmith container uses it") for path in folders_from_docker(ps)]
        except DockerError as error:
            docker_error = error.message
    candidates += [(path, "a usual place") for path in common_places()]
    found: list[Found] = []
    seen: set[Path] = set()
    for path, reason in candidates:
        try:
            deployment = load_deployment(path)
        except (NotADeploymentError, OSError):
            continue
        key = deployment.folder.resolve()
        if key not in seen:
            seen.add(key)
            found.append(Found(deployment, reason))
    return found, docker_error
