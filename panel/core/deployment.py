"""Recognise an Appsmith deployment folder: its compose file, its layout, its env file, and what overrides
it."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values

from panel.core.envfile import TELEMETRY_KEY, SwitchState, classify, shown_value
from panel.core.limits import (
    MAX_COMPOSE_BYTES,
    MAX_ENV_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    InputRefused,
    check_regular,
    read_regular,
)
from panel.core.printable import printable

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
"""The names docker compose looks for, in the order it prefers them."""

SINGLE_ENV_FILE = Path("stacks/configuration/docker.env")
NGINX_TEMPLATE = Path("data/nginx/app.conf.template")
_APPSMITH_IMAGE = re.compile(r"(^|/)appsmith/appsmith(-ce|-ee)?(:|@|$)")
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""safe_load's loader on libyaml when PyYAML has it: the same documents, read about ten times faster."""


class _ComposeTooLarge(ValueError):
    pass


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document that would expand to more than MAX_YAML_NODES nodes (an alias counts as the nodes it
    stands for: a few hundred bytes of nested aliases stand for billions), nests deeper than MAX_YAML_DEPTH,
    or refers to itself. Each node is looked at once, however often it is referred to."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, finished = stack.pop()
        key = id(node)
        if finished:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_NODES:
                raise _ComposeTooLarge(f"more than {MAX_YAML_NODES:,} nodes once its aliases are expanded")
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise _ComposeTooLarge("an alias that refers to itself")
        if depth > MAX_YAML_DEPTH:
            raise _ComposeTooLarge(f"collections nested more than {MAX_YAML_DEPTH} deep")
        in_progress.add(key)
        stack.append((node, depth, True))
        stack += [(child, depth + 1, False) for child in _children(node) if id(child) not in sizes]


class _BoundedLoader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, with the composed document checked (`_check_expansion`) before any object is built
    from it."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)


class Layout(StrEnum):
    SINGLE = "single-container"
    LEGACY = "multi-container"

    @property
    def label(self) -> str:
        return "Single container" if self is Layout.SINGLE else "Multi-container (legacy, 2020-21)"


class NotADeploymentError(ValueError):
    """The path is not an Appsmith deployment folder; the message says what was looked for."""


@dataclass(frozen=True)
class Override:
    """A value of the switch that the container gets from compose, which wins over docker.env."""

    service: str
    source: str
    raw: str | None

    @property
    def state(self) -> SwitchState:
        return classify(self.raw) if self.raw is not None else SwitchState.INVALID

    @property
    def shown(self) -> str | None:
        """The value as it may be shown: compose interpolates `${…}`, so an invalid one may hold a secret."""
        return shown_value(self.raw)

    def __str__(self) -> str:
        shown = "(taken from the shell's environment)" if self.raw is None else self.shown
        return (
            f"{printable(self.source)} sets {TELEMETRY_KEY}={shown} for service '{printable(self.service)}'"
        )


@dataclass(frozen=True)
class Deployment:
    folder: Path
    compose_file: Path
    layout: Layout
    env_file: Path
    server_service: str
    services_to_recreate: tuple[str, ...]
    image: str | None
    container_name: str | None
    overrides: tuple[Override, ...]
    nginx_template: Path | None
    warnings: tuple[str, ...]

    @property
    def edition(self) -> str | None:
        return edition_of_image(self.image)


def edition_of_image(image: str | None) -> str | None:
    if not image:
        return None
    name = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    if name.endswith("-ee"):
        return "EE"
    if name.endswith("-ce"):
        return "CE"
    return None


def find_compose_file(folder: Path) -> tuple[Path | None, list[Path]]:
    found = [folder / name for name in COMPOSE_NAMES if (folder / name).is_file()]
    return (found[0] if found else None), found


def _folder_for(path: Path) -> Path:
    """The deployment folder for a path: the folder itself, or the nearest folder above a file with a compose
    file."""
    path = path.expanduser().absolute()
    if path.is_dir():
        for folder in [path, *list(path.parents)[:3]]:
            if find_compose_file(folder)[0] is not None:
                return folder
        return path
    if not path.exists():
        raise NotADeploymentError(
            f"{path} does not exist. Give the folder that holds Appsmith's docker-compose.yml."
        )
    for folder in list(path.parents)[:4]:
        if find_compose_file(folder)[0] is not None:
            return folder
    raise NotADeploymentError(
        f"No compose file ({', '.join(COMPOSE_NAMES)}) was found next to {path} or in the three folders "
        f"above it. "
        "Give the folder that holds Appsmith's docker-compose.yml."
    )


def _read_compose(compose_file: Path) -> dict[str, Any]:
    try:
        document = yaml.load(
            read_regular(compose_file, MAX_COMPOSE_BYTES).decode("utf-8"), Loader=_BoundedLoader
        )
    except InputRefused as error:
        raise NotADeploymentError(str(error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise NotADeploymentError(
            f"Cannot read {compose_file}: {error}. Check the file's permissions."
        ) from error
    except (_ComposeTooLarge, RecursionError) as error:
        what = str(error) if isinstance(error, _ComposeTooLarge) else "collections nested too deeply"
        raise NotADeploymentError(
            f"{compose_file} has {what}; a compose file for Appsmith needs a few dozen. The panel does not "
            "read it. Check the file (an alias such as *name used inside what it names, or aliases that "
            "multiply each other), then try again."
        ) from None
    except yaml.YAMLError as error:
        # Not str(error): PyYAML quotes the offending line, which may hold a password
        # (MONGO_INITDB_ROOT_PASSWORD…).
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise NotADeploymentError(
            f"{compose_file} is not valid YAML ({problem}{where}). Fix it, then try again."
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
        raise NotADeploymentError(
            f"{compose_file} has no 'services:' section; it is not a compose file for Appsmith."
        )
    return document


def _is_appsmith_service(name: str, service: Any) -> bool:
    image = str(service.get("image", "")) if isinstance(service, dict) else ""
    return name == "appsmith" or bool(_APPSMITH_IMAGE.search(image))


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODIFIER = re.compile(r"(:?)([-+?])")


class InterpolationError(ValueError):
    """What compose itself would refuse in a value: an unclosed `${`, or a required variable left empty."""


def interpolate(value: str, variables: dict[str, str]) -> str:
    """`value` as compose resolves it: `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}` (default when
    unset or empty / only when unset), `${VAR:+other}` / `${VAR+other}`, `${VAR:?error}` / `${VAR?error}`
    (`InterpolationError` when missing), and `$$` for a `$`. Defaults and alternatives nest (`${A:-${B}}`)."""
    text, _ = _expand(value, 0, variables, inside=False, used=True)
    return text


def _expand(
    value: str, position: int, variables: dict[str, str], inside: bool, used: bool
) -> tuple[str, int]:
    """Expand from `position` to the end, or (`inside` a `${…}`) to its closing brace; the text and where it
    stopped. A text that is not `used` (the default of a set variable) only has to be well formed."""
    out: list[str] = []
    while position < len(value):
        char = value[position]
        if inside and char == "}":
            return "".join(out), position
        if char != "$":
            out.append(char)
            position += 1
            continue
        following = value[position + 1 : position + 2]
        if following == "$":
            out.append("$")
            position += 2
        elif following == "{":
            text, position = _braced(value, position + 2, variables, used)
            out.append(text)
        elif (name := _VARIABLE.match(value, position + 1)) is not None:
            out.append(variables.get(name.group(), ""))
            position = name.end()
        else:
            out.append("$")
            position += 1
    if inside:
        raise InterpolationError(f"a '${{' without its closing brace in {value!r}")
    return "".join(out), position


def _braced(value: str, position: int, variables: dict[str, str], used: bool) -> tuple[str, int]:
    """The `${…}` whose name starts at `position`: its value and the index just after its brace."""
    name = _VARIABLE.match(value, position)
    if name is None:
        raise InterpolationError(f"an invalid variable reference in {value!r}")
    found = variables.get(name.group())
    modifier = _MODIFIER.match(value, name.end())
    if modifier is None:
        if value[name.end() : name.end() + 1] != "}":
            raise InterpolationError(f"an invalid variable reference in {value!r}")
        return found or "", name.end() + 1
    missing = found is None or (modifier.group(1) == ":" and found == "")
    kind = modifier.group(2)
    needed = used and (missing if kind in "-?" else not missing)
    argument, close = _expand(value, modifier.end(), variables, inside=True, used=needed)
    if kind == "-":
        return (argument if missing else str(found)), close + 1
    if kind == "+":
        return ("" if missing else argument), close + 1
    if missing and used:
        raise InterpolationError(
            f"compose refuses it: the required variable {name.group()} has no value ({argument or 'no text'})"
        )
    return str(found), close + 1


def _read_env_values(path: Path, folder: Path) -> dict[str, str | None]:
    """An env file's values, read as `rootguard.read_for_users` allows: as root, never a file reached by a
    link or one the users behind root could not read themselves."""
    from panel.core.rootguard import read_for_users

    text = read_for_users(path, folder)
    return {} if text is None else dict(dotenv_values(stream=io.StringIO(text)))


def _compose_variables(folder: Path) -> dict[str, str]:
    variables = {key: value or "" for key, value in _read_env_values(folder / ".env", folder).items()}
    variables.update(os.environ)
    return variables


def _environment_override(
    name: str, service: dict[str, Any], variables: dict[str, str], compose_name: str
) -> Override | None:
    environment = service.get("environment")
    source = f"{compose_name} (environment:)"
    # A bare `KEY` takes the value from the shell that runs compose; when that shell has none, compose passes
    # nothing and docker.env decides.
    if isinstance(environment, dict) and TELEMETRY_KEY in environment:
        value = environment[TELEMETRY_KEY]
        if value is None:
            inherited = variables.get(TELEMETRY_KEY)
            return None if inherited is None else Override(name, source + " from the shell", inherited)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return Override(name, source, interpolate(text, variables))
    if isinstance(environment, list):
        for item in reversed(environment):
            key, sep, value = str(item).partition("=")
            if key.strip() == TELEMETRY_KEY:
                if sep:
                    return Override(name, source, interpolate(value, variables))
                inherited = variables.get(TELEMETRY_KEY)
                return None if inherited is None else Override(name, source + " from the shell", inherited)
    return None


def _env_files(service: dict[str, Any]) -> list[str]:
    entries = service.get("env_file") or []
    if isinstance(entries, str):
        entries = [entries]
    paths = []
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else entry
        if path:
            paths.append(str(path))
    return paths


def _env_file_override(name: str, service: dict[str, Any], folder: Path, env_file: Path) -> Override | None:
    """A compose `env_file:` other than docker.env that sets the switch: for the container it wins over
    docker.env."""
    winner = None
    for entry in _env_files(service):
        path = (folder / entry).absolute()
        if path == env_file or not path.is_file():
            continue
        values = _read_env_values(path, folder)
        if TELEMETRY_KEY in values:
            winner = Override(name, f"{entry} (env_file: in compose)", values[TELEMETRY_KEY])
    return winner


def _stacks_folder(
    folder: Path,
    service: dict[str, Any],
    variables: dict[str, str],
    document: dict[str, Any] | None = None,
    warnings: list[str] | None = None,
) -> Path:
    """The host folder mounted at /appsmith-stacks, resolved the way compose resolves it; for a named volume,
    its Mountpoint as docker reports it (`document` is the whole compose file, for the volume's name)."""
    for volume in service.get("volumes") or []:
        is_bind = False
        if isinstance(volume, str):
            parts = interpolate(volume, variables).split(":")
            source, target = (parts[0], parts[1]) if len(parts) >= 2 else (None, parts[0])
        elif isinstance(volume, dict):
            source = interpolate(str(volume["source"]), variables) if volume.get("source") else None
            target = str(volume.get("target", ""))
            is_bind = volume.get("type") == "bind"
        else:
            continue
        if str(target).rstrip("/") != "/appsmith-stacks":
            continue
        if not source:
            raise NotADeploymentError(
                "/appsmith-stacks is an anonymous docker volume, not a folder on this machine, so docker.env "
                "cannot be edited here. Use a bind mount such as ./stacks:/appsmith-stacks."
            )
        if not is_bind and not str(source).startswith((".", "/", "~")):
            from panel.core.named_volume import find_stacks_volume

            found = find_stacks_volume(folder, str(source), document or {}, variables)
            if warnings is not None:
                warnings.append(found.note)
            return found.mountpoint
        return (folder / Path(str(source)).expanduser()).absolute()
    return folder / "stacks"


def load_deployment(path: Path) -> Deployment:
    """Read the deployment at `path` (its folder, or any file inside it), or say exactly why it is not one."""
    folder = _folder_for(Path(path))
    compose_file, all_compose = find_compose_file(folder)
    if compose_file is None:
        raise NotADeploymentError(
            f"{folder} has no compose file (looked for {', '.join(COMPOSE_NAMES)}). "
            "Choose the folder where you run docker-compose for Appsmith."
        )
    warnings = []
    if len(all_compose) > 1:
        others = ", ".join(p.name for p in all_compose[1:])
        warnings.append(
            f"Several compose files here; docker compose uses {compose_file.name} and ignores {others}."
        )
    document = _read_compose(compose_file)
    services: dict[str, Any] = document["services"]
    try:
        variables = _compose_variables(folder)
        return _deployment(folder, compose_file, services, variables, warnings, document)
    except InputRefused as error:
        raise NotADeploymentError(str(error)) from None
    except InterpolationError as error:
        raise NotADeploymentError(
            f"{compose_file} cannot be read as compose reads it: {error}. Set the variable in "
            f"{folder / '.env'} or correct the value, then try again."
        ) from None


def _deployment(
    folder: Path,
    compose_file: Path,
    services: dict[str, Any],
    variables: dict[str, str],
    warnings: list[str],
    document: dict[str, Any] | None = None,
) -> Deployment:
    """The deployment a parsed compose file describes (interpolated with `variables`)."""
    if "appsmith-internal-server" in services:
        layout = Layout.LEGACY
        server_name = "appsmith-internal-server"
        server = services[server_name] or {}
        env_file = folder / "docker.env"
        recreate: tuple[str, ...] = tuple(
            name for name in ("appsmith-internal-server", "nginx") if name in services
        )
        template = folder / NGINX_TEMPLATE
        nginx_template: Path | None = template
        if not template.is_file():
            warnings.append(
                f"The nginx template {NGINX_TEMPLATE} is missing; the browser client cannot be checked."
            )
    else:
        matches = [name for name, service in services.items() if _is_appsmith_service(name, service)]
        if not matches:
            raise NotADeploymentError(
                f"{compose_file} defines no Appsmith service (looked for a service named 'appsmith', an "
                "image appsmith/appsmith-ce or appsmith/appsmith-ee, or the legacy "
                "'appsmith-internal-server')."
            )
        layout = Layout.SINGLE
        server_name = "appsmith" if "appsmith" in matches else matches[0]
        server = services[server_name] or {}
        env_file = (
            _stacks_folder(folder, server, variables, document, warnings) / "configuration" / "docker.env"
        )
        recreate = (server_name,)
        nginx_template = None

    if not isinstance(server, dict):
        server = {}
    # Refused here, before anything reads or writes it: a FIFO in its place would hang a read.
    check_regular(env_file, MAX_ENV_BYTES)
    overrides = [
        found
        for found in (
            _env_file_override(server_name, server, folder, env_file.absolute()),
            _environment_override(server_name, server, variables, compose_file.name),
        )
        if found is not None
    ]
    return Deployment(
        folder=folder,
        compose_file=compose_file,
        layout=layout,
        env_file=env_file,
        server_service=server_name,
        services_to_recreate=recreate,
        image=str(server["image"]) if server.get("image") else None,
        container_name=str(server["container_name"]) if server.get("container_name") else None,
        overrides=tuple(overrides),
        nginx_template=nginx_template,
        warnings=tuple(warnings),
    )
