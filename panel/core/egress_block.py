"""Block what the switch cannot stop: pin the hostnames of Appsmith's server-side telemetry and cloud services
to an address that fails at once inside the container (compose `extra_hosts`), with consent, and undo it.

The pins live in the compose override file (`docker-compose.override.yml`), which compose v1 and v2 both
read by default beside the compose file: the user's compose file is never touched, the block survives the
operator's own `docker compose up -d`, and the panel's own commands name the override with `-f`
(`restart.py`). In an override that already exists, only whole lines are added, each ending with `MARK`, so
unblock removes exactly those lines and the file is byte for byte what it was; an override the panel created
is deleted again.

Why `0.0.0.0`: Linux takes a connection to 0.0.0.0 as one to the machine itself, so it never leaves the
container, and it fails at once ("connection refused": nothing in Appsmith's container listens on 443 unless a
custom domain is set, and then Caddy answers with a certificate for another name, so TLS fails before any byte
of a request is sent). It is what hosts-file blockers write for "nowhere", which reads right in `/etc/hosts`.
An address on the network (a TEST-NET address) would make each attempt wait for a time-out instead; an IPv6
address alone would let an IPv4 lookup fall through to DNS.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from panel.core.change import RefusedError
from panel.core.deployment import Deployment, _BoundedLoader
from panel.core.limits import MAX_COMPOSE_BYTES, InputRefused, read_regular
from panel.core.printable import printable_lines
from panel.core.safewrite import (
    Snapshot,
    ensure_unchanged,
    locked,
    replace_while_locked,
    resolve,
    sync_folder,
    write_new_file,
)
from panel.core.secrets import MASK, mentions_secret

BLOCK_ADDRESS = "0.0.0.0"
BLOCKING_ADDRESSES = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1"})
"""Addresses that keep a name inside the machine: a pin to any of them counts as a block."""

OVERRIDE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
"""The override files compose reads by default beside the compose file (v2's order; v1 reads the same four
and refuses to start when more than one exists)."""
DEFAULT_OVERRIDE = "docker-compose.override.yml"
MARK = "# appsmith-telemetry-panel block"
"""Ends every line the panel adds; unblock removes exactly these lines."""
CREATED_LINE = MARK + ": the panel created this file to pin hosts out of reach; `unblock` deletes it."


def _ours(line: str) -> bool:
    text = line.rstrip("\r\n")
    return text.endswith(MARK) or text == CREATED_LINE


APPSMITH_COMMIT = "e6ffbae9f2b7e049cd77b8291010452f8197fb55"
"""The commit of appsmithorg/appsmith (public mirror daoutech-mozylee/appsmith, 2025-11-26) the hosts were
read from."""


@dataclass(frozen=True)
class BlockableHost:
    name: str
    carries: str
    """What the server sends to it."""
    consequences: str
    """What stops working when it is blocked."""
    default: bool
    source: str
    """Where in Appsmith's code the host is named: file and line @ commit."""


HOSTS = (
    BlockableHost(
        "api.segment.io",
        'server analytics events, and the entrypoint\'s "Instance Start" at every container start '
        "(sent whatever the switch says)",
        "nothing Appsmith needs: the server's analytics and Instance Start fail to send.",
        True,
        f"deploy/docker/fs/opt/appsmith/entrypoint.sh:147 @ {APPSMITH_COMMIT[:10]}",
    ),
    BlockableHost(
        "cs.appsmith.com",
        "Appsmith's cloud services: release notes and update checks every 2 hours, feature flags hourly and "
        "per user, remote plugins, and the Enterprise Edition's licence checks (with the instance id)",
        "no feature flags (flagged features keep their defaults), no update checks or release notes, no "
        "remote plugins, and Enterprise Edition licensing breaks.",
        False,
        "app/server/appsmith-server/src/main/java/com/appsmith/server/configurations/ce/"
        f"CloudServicesConfigCE.java:17 @ {APPSMITH_COMMIT[:10]} (the default when "
        "APPSMITH_CLOUD_SERVICES_BASE_URL is empty)",
    ),
)
HOST_NAMES = tuple(host.name for host in HOSTS)
ANALYTICS_HOST = HOSTS[0].name
"""Where the server's usage data goes (and Instance Start)."""
DEFAULT_HOSTS = tuple(host.name for host in HOSTS if host.default)
BROWSER_NOTE = (
    "The browser's own analytics are not affected: each user's browser sends them itself, and they follow "
    "the server's enableTelemetry (the switch)."
)


class BlockRefusedError(RefusedError):
    """A block or unblock the panel will not write; the message says why and what to do. Nothing was
    written."""


def host_info(name: str) -> BlockableHost:
    for host in HOSTS:
        if host.name == name:
            return host
    raise BlockRefusedError(
        f"{name!r} is not a host the panel blocks; choose from: {', '.join(HOST_NAMES)}. Nothing was written."
    )


def find_override(folder: Path) -> Path | None:
    """The override compose reads by default in `folder`, or None; refused when several exist (compose v1
    stops with an error then, and v2 reads only the first)."""
    found = [folder / name for name in OVERRIDE_NAMES if (folder / name).exists()]
    if len(found) > 1:
        raise BlockRefusedError(
            f"{folder} holds several override files ({', '.join(p.name for p in found)}); docker-compose v1 "
            "refuses to start with more than one and v2 reads only the first. Merge them into one, then try "
            "again. Nothing was written."
        )
    return found[0] if found else None


def override_in_use(folder: Path) -> Path | None:
    """The override compose reads, for commands that must name it with `-f`; None when there is none or the
    choice is ambiguous (compose itself then says so)."""
    try:
        return find_override(folder)
    except BlockRefusedError:
        return None


# -- reading pins --------------------------------------------------------------------------------------


def _entries(extra_hosts: object) -> list[tuple[str, str]]:
    """(host, address) pairs of a compose `extra_hosts` in either form (`host:addr` / `host=addr` items, or a
    mapping)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(extra_hosts, Mapping):
        for host, address in extra_hosts.items():
            values = address if isinstance(address, list) else [address]
            pairs += [(str(host), str(value)) for value in values]
    elif isinstance(extra_hosts, list):
        for item in extra_hosts:
            text = str(item)
            separator = "=" if "=" in text else ":"
            host, _, address = text.partition(separator)
            pairs.append((host.strip(), address.strip().strip("[]")))
    return pairs


def _service_pins(document: object, service: str) -> list[tuple[str, str]]:
    if not isinstance(document, dict):
        return []
    services = document.get("services")
    if not isinstance(services, dict):
        return []
    definition = services.get(service)
    if not isinstance(definition, dict):
        return []
    return _entries(definition.get("extra_hosts"))


def _load_yaml(data: bytes, path: Path) -> object:
    try:
        return yaml.load(data.decode("utf-8"), Loader=_BoundedLoader)
    except UnicodeDecodeError:
        raise BlockRefusedError(
            f"{path} is not valid UTF-8, so the panel cannot round-trip it. Nothing was written."
        ) from None
    except (yaml.YAMLError, ValueError, RecursionError):
        raise BlockRefusedError(
            f"{path} cannot be read as YAML, so the panel cannot round-trip it. Fix it (docker compose "
            "config says where), then try again. Nothing was written."
        ) from None


def _read_document(path: Path) -> object:
    try:
        data = read_regular(path, MAX_COMPOSE_BYTES)
    except InputRefused as error:
        raise BlockRefusedError(f"{error} Nothing was written.") from None
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BlockRefusedError(f"{path} cannot be read: {error.strerror}. Nothing was written.") from None
    return _load_yaml(data, path)


def blocking(address: str) -> bool:
    return address in BLOCKING_ADDRESSES or address.startswith("127.")


def configured_blocks(deployment: Deployment) -> tuple[str, ...]:
    """The panel's hosts that the compose model (compose file and override) pins out of reach for the server
    service."""
    pins = _service_pins(_read_document(deployment.compose_file), deployment.server_service)
    override = find_override(deployment.folder)
    if override is not None:
        pins += _service_pins(_read_document(override), deployment.server_service)
    pinned = {host.lower() for host, address in pins if blocking(address)}
    return tuple(name for name in HOST_NAMES if name in pinned)


def blocks_in_hosts_file(text: str) -> tuple[str, ...]:
    """The panel's hosts that an `/etc/hosts` text sends to a blocking address (the first line naming a host
    decides, as the resolver does)."""
    decided: dict[str, str] = {}
    for line in text.splitlines():
        words = line.partition("#")[0].split()
        for name in words[1:]:
            decided.setdefault(name.lower(), words[0])
    return tuple(name for name in HOST_NAMES if name in decided and blocking(decided[name]))


# -- planning a change -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockChange:
    """A block or unblock, ready for review: the override's bytes now and after (None: no file)."""

    deployment: Deployment
    block: bool
    hosts: tuple[str, ...]
    """The hosts this change pins (block) or releases (unblock)."""
    path: Path
    snapshot: Snapshot | None
    new_data: bytes | None
    notes: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        return self.deployment.server_service

    @property
    def old_data(self) -> bytes | None:
        return self.snapshot.data if self.snapshot is not None else None

    @property
    def changes_file(self) -> bool:
        return self.new_data != self.old_data

    @property
    def creates_file(self) -> bool:
        return self.snapshot is None and self.new_data is not None

    @property
    def deletes_file(self) -> bool:
        return self.snapshot is not None and self.new_data is None

    @property
    def override_after(self) -> Path | None:
        """The override compose reads once this is written (the commands name it)."""
        return self.path if self.new_data is not None else None

    def diff(self) -> str:
        """The unified diff, any context line that may hold a secret masked: safe to show and to print."""
        return masked_yaml_diff(self.old_data, self.new_data, self.path.name)

    def summary(self) -> str:
        if not self.hosts:
            return "nothing to change"
        verb = "pin" if self.block else "release"
        target = f" to {BLOCK_ADDRESS}" if self.block else ""
        return f"{verb} {', '.join(self.hosts)}{target} for service {self.service}"


def _mask_line(line: str) -> str:
    if not mentions_secret(line):
        return line
    match = re.match(r"(\s*-?\s*[^:=]*[:=])", line)
    kept = match.group(1) if match else ""
    return f"{kept} {MASK}\n" if kept else f"{MASK}\n"


def masked_yaml_diff(old: bytes | None, new: bytes | None, label: str) -> str:
    old_lines = [] if old is None else old.decode("utf-8").splitlines(keepends=True)
    new_lines = [] if new is None else new.decode("utf-8").splitlines(keepends=True)
    before = f"{label} (now)" if old is not None else "/dev/null (no file now)"
    after = f"{label} (after)" if new is not None else "/dev/null (file deleted)"
    shown = []
    for line in difflib.unified_diff(old_lines, new_lines, before, after):
        if line[:1] in (" ", "-", "+") and not line.startswith(("---", "+++")):
            body = line[1:]
            if not _ours(body):
                line = line[0] + _mask_line(body)
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        shown.append(printable_lines(line.replace("\r\n", "\n")))
    return "".join(shown)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _key_line(line: str, key: str) -> bool:
    return re.fullmatch(rf"{re.escape(key)}\s*:\s*(#.*)?", line.strip()) is not None


def _block_end(lines: list[str], start: int, parent_indent: int, sequence_at_parent: bool = False) -> int:
    """The index after the last content line of the block under `lines[start]` (its children are indented
    more than `parent_indent`; a sequence may sit at the parent's indent)."""
    last = start
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if not _content(line):
            continue
        indent = _indent(line)
        if indent > parent_indent or (
            sequence_at_parent and indent == parent_indent and line.lstrip().startswith("- ")
        ):
            last = index
            continue
        break
    return last + 1


def _child_indent(lines: list[str], start: int, end: int) -> int | None:
    for index in range(start + 1, end):
        if _content(lines[index]):
            return _indent(lines[index])
    return None


def _insert_pins(text: str, service: str, entries: list[str]) -> str:
    """`text` with lines added so that the service's `extra_hosts` gains `entries`; structure the file lacks
    is added too, every added line marked."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if any("\t" in line[: _indent(line) + 1] for line in lines if _content(line)):
        raise _CannotRoundTrip("it indents with tabs")

    def marked(indent: int, body: str) -> str:
        return f"{' ' * indent}{body}  {MARK}{newline}"

    def items(indent: int) -> list[str]:
        return [marked(indent, f'- "{entry}"') for entry in entries]

    def insert_at(index: int, added: list[str]) -> str:
        if index > 0 and not lines[index - 1].endswith("\n"):
            raise _CannotRoundTrip("its last line has no line break")
        return "".join(lines[:index] + added + lines[index:])

    services = next(
        (i for i, line in enumerate(lines) if _indent(line) == 0 and _key_line(line, "services")), None
    )
    if services is None:
        added = [marked(0, "services:"), marked(2, f"{service}:"), marked(4, "extra_hosts:"), *items(6)]
        return insert_at(len(lines), added)
    services_end = _block_end(lines, services, 0)
    unit = _child_indent(lines, services, services_end) or 2
    found = next(
        (
            i
            for i in range(services + 1, services_end)
            if _content(lines[i]) and _indent(lines[i]) == unit and _key_line(lines[i], service)
        ),
        None,
    )
    if found is None:
        added = [marked(unit, f"{service}:"), marked(unit * 2, "extra_hosts:"), *items(unit * 3)]
        return insert_at(services_end, added)
    service_end = _block_end(lines, found, unit)
    field_indent = _child_indent(lines, found, service_end) or unit * 2
    extra = next(
        (
            i
            for i in range(found + 1, service_end)
            if _content(lines[i]) and _indent(lines[i]) == field_indent and _key_line(lines[i], "extra_hosts")
        ),
        None,
    )
    if extra is None:
        return insert_at(found + 1, [marked(field_indent, "extra_hosts:"), *items(field_indent + unit)])
    extra_end = _block_end(lines, extra, field_indent, sequence_at_parent=True)
    item_indent = _child_indent(lines, extra, extra_end)
    return insert_at(extra_end, items(field_indent + unit if item_indent is None else item_indent))


class _CannotRoundTrip(ValueError):
    pass


def _with_pins(document: object, service: str, entries: list[str]) -> object:
    expected: dict[str, Any] = copy.deepcopy(document) if isinstance(document, dict) else {}
    services = expected.get("services") or {}
    expected["services"] = services
    definition = services.get(service) or {}
    services[service] = definition
    definition["extra_hosts"] = list(definition.get("extra_hosts") or []) + entries
    return expected


def _without_pins(document: object, service: str, entries: set[str], dropped: set[str]) -> object:
    """What the document must read as once the pins `entries` are gone, and with them the keys whose lines
    the panel added (`dropped`: "services", "service", "extra_hosts"); a key left empty reads as null."""
    expected: Any = copy.deepcopy(document)
    definition = expected["services"][service]
    definition["extra_hosts"] = [item for item in definition["extra_hosts"] if str(item) not in entries]
    if "extra_hosts" in dropped:
        del definition["extra_hosts"]
        if not definition:
            expected["services"][service] = None
    if "service" in dropped:
        del expected["services"][service]
        if not expected["services"]:
            expected["services"] = None
    if "services" in dropped:
        del expected["services"]
    return expected or None


def _read_override(path: Path) -> Snapshot | None:
    try:
        return Snapshot.read(path)
    except FileNotFoundError:
        return None
    except PermissionError as error:
        raise BlockRefusedError(f"{path} cannot be read by this user; nothing was written.") from error


def _pin(host: str) -> str:
    return f"{host}:{BLOCK_ADDRESS}"


def prepare_block(deployment: Deployment, hosts: Iterable[str] = DEFAULT_HOSTS) -> BlockChange:
    """The override with the hosts pinned for the server service, or a refusal that names the problem and
    the next step. Reads only; writes nothing."""
    wanted = tuple(dict.fromkeys(host_info(name).name for name in hosts))
    service = deployment.server_service
    override = find_override(deployment.folder)
    path = override or deployment.folder / DEFAULT_OVERRIDE
    snapshot = _read_override(path) if override is not None else None
    old_text = ""
    document: object = None
    if snapshot is not None:
        document = _load_yaml(snapshot.data, path)
        old_text = snapshot.data.decode("utf-8")
        if document is not None and not isinstance(document, dict):
            raise BlockRefusedError(f"{path} is not a compose mapping; nothing was written. Fix it first.")
    existing = [
        (host, address, where)
        for where, found in (
            (deployment.compose_file.name, _read_document(deployment.compose_file)),
            (path.name, document),
        )
        for host, address in _service_pins(found, service)
    ]
    to_add: list[str] = []
    notes: list[str] = []
    for host in wanted:
        pins = [(address, where) for name, address, where in existing if name.lower() == host]
        conflicting = [f"{host}:{address} in {where}" for address, where in pins if not blocking(address)]
        if conflicting:
            raise BlockRefusedError(
                f"Service {service} already pins {'; '.join(conflicting)} (extra_hosts), which conflicts "
                f"with a block. Remove that entry (or unblock by hand), then try again. Nothing was written."
            )
        if pins:
            notes.append(f"{host} is already pinned out of reach in {pins[0][1]}; nothing to add for it.")
        else:
            to_add.append(host)
    notes += _compose_file_note(deployment.folder, path.name)
    if not to_add:
        return BlockChange(
            deployment, True, (), path, snapshot, snapshot.data if snapshot else None, tuple(notes)
        )
    entries = [_pin(host) for host in to_add]
    if document is not None:
        definition = ((document.get("services") or {}) if isinstance(document, dict) else {}).get(service)
        if isinstance(definition, dict) and isinstance(definition.get("extra_hosts"), Mapping):
            raise BlockRefusedError(
                f"{path} gives {service}'s extra_hosts as a mapping; the panel adds list items only and "
                'cannot round-trip that form. Write it as a list (- "host:address"), then try again. Nothing '
                "was written."
            )
    try:
        new_text = _insert_pins(old_text, service, entries)
        if snapshot is None:
            new_text = CREATED_LINE + "\n" + new_text
        if _load_yaml(new_text.encode("utf-8"), path) != _with_pins(document, service, entries):
            raise _CannotRoundTrip("adding lines would not give the same file plus the pins")
    except (_CannotRoundTrip, BlockRefusedError) as error:
        why = (
            str(error)
            if isinstance(error, _CannotRoundTrip)
            else "its layout is not one the panel can follow"
        )
        raise BlockRefusedError(
            f"The panel cannot round-trip {path} ({why}), so it will not add lines to it. Add these lines "
            f"under services: {service}: extra_hosts: by hand: {', '.join(entries)}; or rewrite the file in "
            "block style. Nothing was written."
        ) from None
    return BlockChange(
        deployment, True, tuple(to_add), path, snapshot, new_text.encode("utf-8"), tuple(notes)
    )


def _compose_file_note(folder: Path, override: str) -> list[str]:
    """A `.env` that sets COMPOSE_FILE makes compose read only the files it names: then the operator's own
    `docker compose up -d` would drop the block (the panel's commands name the override with -f)."""
    from panel.core.deployment import _read_env_values

    variables = _read_env_values(folder / ".env", folder)
    value = variables.get("COMPOSE_FILE")
    if not value:
        return []
    separator = variables.get("COMPOSE_PATH_SEPARATOR") or ":"
    if override in [Path(name).name for name in value.split(separator)]:
        return []
    return [
        f".env sets COMPOSE_FILE={value}, so a plain `docker compose up -d` reads only those files and would "
        f"drop the block: add {override} to it (the panel's own commands name it with -f)."
    ]


def _pin_host(line: str) -> str | None:
    match = re.match(r'\s*-\s*"([^":]+):', line)
    return match.group(1) if match else None


def _structure_key(line: str, service: str) -> str:
    key = line.strip().partition(":")[0]
    return {"services": "services", service: "service", "extra_hosts": "extra_hosts"}.get(key, "created")


def prepare_unblock(deployment: Deployment, hosts: Iterable[str] | None = None) -> BlockChange:
    """The override without the panel's lines (for `hosts`, or all of them): the file as it was before the
    block, byte for byte, or no file when the panel created it."""
    wanted = None if hosts is None else {host_info(name).name for name in hosts}
    override = find_override(deployment.folder)
    path = override or deployment.folder / DEFAULT_OVERRIDE
    snapshot = _read_override(path) if override is not None else None
    if snapshot is None:
        return BlockChange(
            deployment, False, (), path, None, None, ("No override file: nothing is blocked.",)
        )
    document = _load_yaml(snapshot.data, path)
    lines = snapshot.data.decode("utf-8").splitlines(keepends=True)
    ours = [i for i, line in enumerate(lines) if _ours(line)]
    pins = {i: _pin_host(lines[i]) for i in ours if _pin_host(lines[i]) is not None}
    releasing = {i for i, host in pins.items() if wanted is None or host in wanted}
    if not releasing:
        return BlockChange(
            deployment,
            False,
            (),
            path,
            snapshot,
            snapshot.data,
            ("The panel has pinned none of these hosts.",),
        )
    structure_too = len(releasing) == len(pins)
    removed = releasing | ({i for i in ours if i not in pins} if structure_too else set())
    kept = [line for i, line in enumerate(lines) if i not in removed]
    created = structure_too and any(lines[i].rstrip("\r\n") == CREATED_LINE for i in removed)
    new_data = None if created and not "".join(kept).strip() else "".join(kept).encode("utf-8")
    released = tuple(str(pins[i]) for i in sorted(releasing))
    dropped = {_structure_key(lines[i], deployment.server_service) for i in removed if i not in pins}
    expected = _without_pins(document, deployment.server_service, {_pin(host) for host in released}, dropped)
    try:
        matches = (None if new_data is None else _load_yaml(new_data, path)) == expected
    except (KeyError, TypeError, BlockRefusedError):
        matches = False
    if not matches:
        raise BlockRefusedError(
            f"{path} was edited around the panel's lines, so removing them would change more than the block. "
            f"Remove the lines ending with '{MARK}' by hand. Nothing was written."
        )
    return BlockChange(deployment, False, released, path, snapshot, new_data)


# -- writing -----------------------------------------------------------------------------------------


def check_block_writable(change: BlockChange) -> None:
    """Refuse, saying who may, when this user cannot write the override (or create it)."""
    from panel.core.change import check_writable

    if change.snapshot is not None:
        check_writable(change.path, change.deployment.folder)
    elif not os.access(change.path.parent, os.W_OK):
        raise BlockRefusedError(
            f"This user may not create {change.path.name} in {change.path.parent}; nothing was written. Run "
            "the panel as the folder's owner."
        )


def write_block(change: BlockChange) -> Path | None:
    """Write the change: a backup of the override as read, then the new bytes (or the file created, or
    deleted), all under one lock; a file changed since it was read makes it write nothing. Returns the
    backup, or None when there was no file before."""
    from panel.core.backups import backup_while_locked

    if not change.changes_file:
        return None
    check_block_writable(change)
    target = resolve(change.path)
    if change.snapshot is None:
        assert change.new_data is not None
        model = os.stat(change.deployment.compose_file)
        with locked(target) as folder:
            temporary = write_new_file(
                folder, change.new_data, model.st_mode & 0o666, model.st_uid, model.st_gid
            )
            try:  # fails rather than overwrite an override created meanwhile
                os.link(
                    temporary, folder.name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd, follow_symlinks=False
                )
            except FileExistsError:
                from panel.core.safewrite import FileChangedError

                raise FileChangedError(
                    f"{change.path} was created by someone else since it was read; nothing was written. "
                    "Try again."
                ) from None
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=folder.fd)
            sync_folder(folder)
        return None
    with locked(change.snapshot.target, change.snapshot.folder_id) as folder:
        info = ensure_unchanged(change.snapshot, folder)
        backup = backup_while_locked(folder, change.snapshot.data, info)
        if change.new_data is None:
            os.unlink(folder.name, dir_fd=folder.fd)
            sync_folder(folder)
        else:
            replace_while_locked(folder, change.new_data, info)
    return backup


def audit_text(change: BlockChange) -> str:
    return ", ".join(f"{host}→{BLOCK_ADDRESS}" for host in change.hosts)


# -- in effect ---------------------------------------------------------------------------------------


def read_hosts_file(container_id: str) -> str:
    """The running container's `/etc/hosts`, read through docker (`docker exec … cat`); DockerError when it
    cannot be read."""
    from panel.core import docker

    return docker.run_checked(("docker", "exec", container_id, "cat", "/etc/hosts")).stdout


@dataclass(frozen=True)
class BlockState:
    """The fourth layer: which hosts the compose model blocks, and which the running container's
    `/etc/hosts` does (None: not known, `error` says why)."""

    service: str
    override_file: Path | None
    configured: tuple[str, ...]
    in_effect: tuple[str, ...] | None
    error: str | None = None
    compose_refused: bool = False
    """The compose files could not be followed (`error` says why): `configured` is not known either."""

    @property
    def pending_restart(self) -> bool:
        return self.in_effect is not None and set(self.in_effect) != set(self.configured)

    def to_json(self, telemetry_on: bool | None) -> dict[str, object]:
        return {
            "service": self.service,
            "override_file": str(self.override_file) if self.override_file else None,
            "address": BLOCK_ADDRESS,
            "configured": list(self.configured),
            "in_effect": None if self.in_effect is None else list(self.in_effect),
            "pending_restart": self.pending_restart,
            "error": self.error,
            "still_leaves": still_leaves(telemetry_on, self),
        }

    def __str__(self) -> str:
        configured = ", ".join(self.configured) or "nothing"
        effect = "unknown" if self.in_effect is None else ", ".join(self.in_effect) or "nothing"
        tail = f" ({self.error})" if self.error else ""
        return f"configured: {configured}; in effect in the container: {effect}{tail}"


def still_leaves(telemetry_on: bool | None, state: BlockState | None) -> str | None:
    """With telemetry off and nothing blocked, the one sentence of what the server still sends."""
    if telemetry_on is not False or (state is not None and (state.configured or state.in_effect)):
        return None
    return (
        'Even with telemetry off, the server still sends "Instance Start" to api.segment.io at every '
        "container start and asks cs.appsmith.com for update checks, feature flags and plugins with the "
        "instance id; `block` pins those hosts out of reach."
    )


def read_block_state(
    deployment: Deployment,
    container_id: str | None,
    running: bool,
    known_in_effect: tuple[str, ...] | None = None,
) -> BlockState:
    """Configured from the compose files, in effect from the container (only when it runs).

    `known_in_effect`: the pins already read from this same container since it started (docker writes its
    /etc/hosts when it creates it), so a caller that looks every few seconds asks docker only once."""
    from panel.core.docker import DockerError

    service = deployment.server_service
    try:
        override = find_override(deployment.folder)
        configured = configured_blocks(deployment)
    except BlockRefusedError as error:
        return BlockState(service, None, (), None, str(error).replace(" Nothing was written.", ""), True)
    if container_id is None or not running:
        return BlockState(service, override, configured, None, f"no running container of {service}")
    if known_in_effect is not None:
        return BlockState(service, override, configured, known_in_effect)
    try:
        in_effect = blocks_in_hosts_file(read_hosts_file(container_id))
    except DockerError as error:
        return BlockState(service, override, configured, None, f"/etc/hosts not read: {error.message}")
    return BlockState(service, override, configured, in_effect)
