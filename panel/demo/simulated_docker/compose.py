"""A compose file read as compose reads it: which file, the project name, the services with their variables
interpolated (`.env` beside the file, then the shell's environment), env_file and environment, published
ports, and where the Appsmith server finds its docker.env."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from panel.demo.simulated_docker.console import SimulationError
from panel.demo.simulated_docker.interpolation import InterpolationError, interpolate
from panel.demo.simulated_docker.state import STATE_ENV

COMPOSE_V2_VERSION = "v2.24.6-sim"
COMPOSE_V1_VERSION = "1.29.2"
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

_LEGACY_SERVER = "appsmith-internal-server"
_APPSMITH_IMAGE = re.compile(r"(^|/)appsmith/appsmith(-ce|-ee)?(:|@|$)")


def _dotenv(path: Path) -> dict[str, str | None]:
    from panel.demo.dotenv_reader import read_env

    return read_env(path)


class Project:
    """A compose file as compose reads it: the folder, the project name, the services (interpolated)."""

    def __init__(self, compose_file: Path, name: str | None, overrides: tuple[Path, ...] = ()) -> None:
        import yaml

        self.compose_file = compose_file
        self.overrides = overrides
        """Further compose files (`-f`, or the default override): only their `extra_hosts` are simulated."""
        self.folder = Path(os.path.abspath(compose_file.parent))
        self.variables = self._variables()
        try:
            document = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
        except OSError as error:
            raise SimulationError(
                f"ERROR: .IOError: [Errno {error.errno}] {error.strerror}: '{compose_file}'"
            ) from error
        except yaml.YAMLError as error:
            raise SimulationError(f"ERROR: yaml.scanner.ScannerError: {error}") from error
        if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
            raise SimulationError(
                f"ERROR: The Compose file '{compose_file}' is invalid because:\n"
                "Additional properties are not allowed, or 'services' is missing"
            )
        self.services: dict[str, dict[str, Any]] = {
            str(key): self._resolve(service or {}, f"services.{key}")
            for key, service in document["services"].items()
        }
        raw_name = name or os.environ.get("COMPOSE_PROJECT_NAME") or document.get("name") or self.folder.name
        self.name = re.sub(r"[^a-z0-9]", "", str(raw_name).lower()) or "default"

    def extra_hosts(self, service: str) -> list[str]:
        """`host:address` entries of the service, from the compose file and its overrides, as compose merges
        them (appended)."""
        import yaml

        entries = list(self.services[service].get("extra_hosts") or [])
        for path in self.overrides:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            definition = (document.get("services") or {}).get(service) or {}
            entries += list(definition.get("extra_hosts") or [])
        return [str(entry) for entry in entries]

    def _variables(self) -> dict[str, str]:
        dot_env = self.folder / ".env"
        variables = {k: v or "" for k, v in _dotenv(dot_env).items()} if dot_env.is_file() else {}
        variables.update(os.environ)
        return variables

    def _resolve(self, value: Any, where: str) -> Any:
        """Every string value interpolated (keys are not), as compose does before anything reads them."""
        if isinstance(value, str):
            try:
                return interpolate(value, self.variables)
            except InterpolationError as error:
                raise SimulationError(f"error while interpolating {where}: {error}") from None
        if isinstance(value, list):
            return [self._resolve(item, f"{where}.[]") for item in value]
        if isinstance(value, dict):
            return {key: self._resolve(item, f"{where}.{key}") for key, item in value.items()}
        return value

    @property
    def legacy(self) -> bool:
        return _LEGACY_SERVER in self.services

    def container_name(self, service: str) -> str:
        explicit = self.services[service].get("container_name")
        return str(explicit) if explicit else f"{self.name}_{service}_1"

    def environment(self, service: str) -> dict[str, str]:
        """env_file: values, then environment: on top (what `docker inspect` shows as Config.Env)."""
        definition = self.services[service]
        env: dict[str, str] = {}
        entries = definition.get("env_file") or []
        for entry in [entries] if isinstance(entries, (str, dict)) else entries:
            path_text = entry.get("path") if isinstance(entry, dict) else entry
            required = entry.get("required", True) if isinstance(entry, dict) else True
            path = (self.folder / str(path_text)).absolute()
            if not path.is_file():
                if required:
                    raise SimulationError(f"ERROR: Couldn't find env file: {path}")
                continue
            env.update({k: v for k, v in _dotenv(path).items() if v is not None})
        environment = definition.get("environment") or {}
        if isinstance(environment, dict):
            items = list(environment.items())
        else:
            items = []
            for item in environment:
                key, sep, value = str(item).partition("=")
                items.append((key, value if sep else None))
        for key, value in items:
            if value is None:
                if key in os.environ:
                    env[str(key)] = os.environ[key]
                continue
            env[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
        return env

    def port_bindings(self, service: str) -> dict[str, list[dict[str, str]]]:
        """Published ports as docker's HostConfig.PortBindings: {"80/tcp": [{"HostIp", "HostPort"}]}."""
        bindings: dict[str, list[dict[str, str]]] = {}
        for entry in self.services[service].get("ports") or []:
            if isinstance(entry, dict):
                target = str(entry.get("target", ""))
                host_ip, published, protocol = (
                    str(entry.get("host_ip", "")),
                    str(entry.get("published", "")),
                    str(entry.get("protocol", "tcp")),
                )
            else:
                text, _, protocol = str(entry).partition("/")
                protocol = protocol or "tcp"
                parts = text.rsplit(":", 2)
                if len(parts) == 3:
                    host_ip, published, target = parts
                elif len(parts) == 2:
                    host_ip, (published, target) = "", parts
                else:
                    host_ip, published, target = "", "", parts[0]
            bindings.setdefault(f"{target}/{protocol}", []).append(
                {"HostIp": host_ip.strip("[]"), "HostPort": published}
            )
        return bindings

    def web_service(self) -> str | None:
        """The service that publishes container port 80 (single: appsmith; legacy: nginx): it gets a
        process."""
        for service in self.services:
            if "80/tcp" in self.port_bindings(service):
                return service
        for service, definition in self.services.items():
            if service == "appsmith" or _APPSMITH_IMAGE.search(str(definition.get("image", ""))):
                return service
        return None

    def server_service(self) -> str | None:
        if self.legacy:
            return _LEGACY_SERVER
        return self.web_service()

    def env_file_for_server(self) -> Path:
        """The docker.env Appsmith reads: legacy at the top; single inside the /appsmith-stacks volume."""
        if self.legacy:
            return self.folder / "docker.env"
        service = self.server_service()
        for volume in self.services.get(service or "", {}).get("volumes") or []:
            if isinstance(volume, dict):
                source, target = volume.get("source"), volume.get("target")
            else:
                parts = str(volume).split(":")
                source, target = (parts[0], parts[1]) if len(parts) >= 2 else (None, parts[0])
            if str(target).rstrip("/") != "/appsmith-stacks":
                continue
            if source and str(source).startswith((".", "/", "~")):
                return (
                    (self.folder / Path(str(source)).expanduser()).absolute() / "configuration" / "docker.env"
                )
            volume_name = f"{self.name}_{source or 'anonymous'}"
            return Path(os.environ[STATE_ENV]) / "volumes" / volume_name / "configuration" / "docker.env"
        return self.folder / "stacks" / "configuration" / "docker.env"

    def config_hash(self, service: str) -> str:
        """What compose compares to decide whether `up` must recreate a service's container."""
        import hashlib

        document = json.dumps(
            [self.services[service], self.environment(service)], sort_keys=True, default=str
        )
        return hashlib.sha256(document.encode()).hexdigest()


OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


def override_files(files: list[str]) -> tuple[Path, ...]:
    """The files after the first `-f`; without `-f`, the override compose reads by default."""
    if files:
        return tuple(Path(name) for name in files[1:])
    return tuple(Path(name) for name in OVERRIDE_NAMES if Path(name).is_file())[:1]


def find_compose_file(files: list[str], v1: bool) -> Path:
    """The file `-f` names, else the first of compose's default names in the working folder."""
    if files:
        path = Path(files[0])
        if not path.is_file():
            if v1:
                raise SimulationError(f"ERROR: .IOError: [Errno 2] No such file or directory: '{files[0]}'")
            raise SimulationError(f"open {path.absolute()}: no such file or directory")
        return path
    for name in COMPOSE_NAMES:
        if Path(name).is_file():
            return Path(name)
    if v1:
        raise SimulationError(
            "ERROR: \n        Can't find a suitable configuration file in this directory or any\n        "
            "parent. Are you in the right directory?\n\n        Supported filenames: docker-compose.yml, "
            "docker-compose.yaml, compose.yml, compose.yaml"
        )
    raise SimulationError("no configuration file provided: not found")
