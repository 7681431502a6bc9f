"""docker.env on a named volume: some deployments mount `/appsmith-stacks` from a docker volume
(`appsmith-stacks:/appsmith-stacks`) instead of a folder, so docker.env lives under the volume's Mountpoint,
which only docker can name and which is usually readable by root alone.

The volume's real name is the one compose gives it: `<project>_<key>`, unless the compose file names it
(`name:`) or declares it `external:`. The project is COMPOSE_PROJECT_NAME, the file's top-level `name:`, or
the folder's name, normalised as compose v2 does (v1 also dropped `-` and `_`; both are asked).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panel.core.docker import DockerError, classify_failure
from panel.core.printable import printable


@dataclass(frozen=True)
class StacksVolume:
    """The named volume mounted at /appsmith-stacks, as docker reports it."""

    key: str
    """The volume as the compose file names it."""
    name: str
    """The volume as docker names it."""
    mountpoint: Path
    readable: bool

    @property
    def note(self) -> str:
        """The sentence shown with the deployment: where docker.env is, and the rights it takes."""
        where = (
            f"/appsmith-stacks is docker's named volume '{printable(self.name)}'; docker.env is read from "
            f"its Mountpoint {printable(str(self.mountpoint))}."
        )
        if self.readable:
            return f"{where} Changing it needs write access to that folder."
        return (
            f"{where} That folder is not readable by this user (docker keeps volumes root-only): run the "
            "panel with sudo, or let an administrator make the change (the panel shows the command)."
        )


def _compose_v2_project(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return cleaned.lstrip("_-")


def _compose_v1_project(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def candidate_names(folder: Path, key: str, document: dict[str, Any], variables: dict[str, str]) -> list[str]:
    """The names docker may know the volume by, most likely first."""
    volumes = document.get("volumes")
    spec = volumes.get(key) if isinstance(volumes, dict) else None
    if isinstance(spec, dict):
        external = spec.get("external")
        if spec.get("name"):
            from panel.core.deployment import interpolate

            return [interpolate(str(spec["name"]), variables)]
        if isinstance(external, dict) and external.get("name"):
            return [str(external["name"])]
        if external:
            return [key]
    explicit = variables.get("COMPOSE_PROJECT_NAME") or (
        str(document["name"]) if isinstance(document.get("name"), str) else ""
    )
    projects = [_compose_v2_project(explicit)] if explicit else []
    projects += [_compose_v2_project(folder.name), _compose_v1_project(folder.name)]
    names: list[str] = []
    for project in projects:
        name = f"{project}_{key}"
        if project and name not in names:
            names.append(name)
    return names


def can_enter(folder: Path) -> bool:
    """Whether this user may list and read the volume's folder (docker keeps it root-only)."""
    return os.access(folder, os.R_OK | os.X_OK)


def inspect_argv(names: list[str]) -> tuple[str, ...]:
    return ("docker", "volume", "inspect", *names)


def find_stacks_volume(
    folder: Path, key: str, document: dict[str, Any], variables: dict[str, str]
) -> StacksVolume:
    """Ask docker where the volume is; NotADeploymentError (with the next step) when it cannot say."""
    from panel.core import docker
    from panel.core.deployment import NotADeploymentError

    names = candidate_names(folder, key, document, variables)
    shown = " or ".join(f"'{printable(name)}'" for name in names)
    try:
        result = docker.run(inspect_argv(names))
        if not result.ok and not result.stdout.strip().startswith("["):
            raise classify_failure(result)
        found = json.loads(result.stdout or "[]")
    except DockerError as error:
        raise NotADeploymentError(
            f"/appsmith-stacks is the named volume '{printable(key)}', so docker.env is inside docker's "
            f"volume {shown}, and docker could not be asked where it is: {error.message}"
        ) from None
    except json.JSONDecodeError:
        found = []
    volumes = [item for item in found if isinstance(item, dict) and item.get("Mountpoint")]
    if not volumes:
        raise NotADeploymentError(
            f"/appsmith-stacks is the named volume '{printable(key)}', and docker has no volume {shown} yet: "
            "Appsmith writes docker.env into it on its first start. Start Appsmith once (docker compose up "
            "-d), then try again."
        )
    volume = volumes[0]
    mountpoint = Path(str(volume["Mountpoint"]))
    readable = can_enter(mountpoint)
    return StacksVolume(key, str(volume.get("Name", names[0])), mountpoint, readable)
