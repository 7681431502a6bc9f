"""The `docker` and `docker-compose` command lines: global options, then version, info, ps, inspect, logs
and compose, each answering as docker does; `main` turns a `SimulationError` into docker's stderr and exit
code."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from panel.demo.simulated_docker.compose_cli import cmd_compose, take_value
from panel.demo.simulated_docker.console import SimulationError, out
from panel.demo.simulated_docker.describe import inspect_document, ps_context, ps_table
from panel.demo.simulated_docker.faults import DAEMON_DOWN, NO_COMPOSE_V2, current_faults, require_daemon
from panel.demo.simulated_docker.state import STATE_ENV, State, log_call, running, state_dir_from_env
from panel.demo.simulated_docker.templates import render_template

DOCKER_VERSION = "24.0.7-sim"
API_VERSION = "1.43"


def cmd_version(faults: dict[str, str]) -> int:
    out("Client:")
    out(f" Version:           {DOCKER_VERSION}")
    out(f" API version:       {API_VERSION}")
    out(
        " Go version:        go1.21.3\n Git commit:        simulated\n OS/Arch:           linux/amd64\n "
        "Context:           default"
    )
    out()
    require_daemon(faults)
    out("Server: Docker Engine - Simulated (Appsmith Telemetry Panel demo)")
    out(
        f" Engine:\n  Version:          {DOCKER_VERSION}\n  API version:      {API_VERSION} (minimum version "
        f"1.12)"
    )
    return 0


def cmd_info(faults: dict[str, str], state_dir: Path) -> int:
    out(f"Client: Docker Engine - Simulated\n Version:    {DOCKER_VERSION}\n Context:    default\n")
    require_daemon(faults)
    with State(state_dir) as state:
        state.refresh()
        count = sum(1 for r in state.containers if running(r))
        total = len(state.containers)
    out(f"Server:\n Containers: {total}\n  Running: {count}\n  Paused: 0\n  Stopped: {total - count}")
    out(
        f" Server Version: {DOCKER_VERSION}\n Storage Driver: overlay2\n Operating System: Simulated docker "
        f"(state in {state_dir})"
    )
    return 0


def _matches_filter(record: dict[str, Any], spec: str) -> bool:
    kind, _, value = spec.partition("=")
    if kind == "label":
        key, sep, wanted = value.partition("=")
        return key in record["labels"] and (not sep or record["labels"][key] == wanted)
    if kind == "name":
        return value in record["name"]
    if kind == "id":
        return record["id"].startswith(value)
    if kind == "status":
        return record.get("status") == value
    raise SimulationError(f"Error response from daemon: invalid filter '{kind}'")


def cmd_ps(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    show_all = no_trunc = quiet = False
    filters: list[str] = []
    template: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-a", "--all"):
            show_all, index = True, index + 1
        elif arg == "--no-trunc":
            no_trunc, index = True, index + 1
        elif arg in ("-q", "--quiet"):
            quiet, index = True, index + 1
        elif arg in ("-f", "--filter") or arg.startswith("--filter="):
            value, index = take_value(args, index, "--filter")
            filters.append(value)
        elif arg == "--format" or arg.startswith("--format="):
            template, index = take_value(args, index, "--format")
        elif re.fullmatch(r"-[aq]+", arg):
            show_all = show_all or "a" in arg
            quiet = quiet or "q" in arg
            index += 1
        else:
            raise SimulationError(f"unknown flag: {arg}\nSee 'docker ps --help'.", 125)
    require_daemon(faults)
    with State(state_dir) as state:
        state.refresh()
        records = [
            r
            for r in reversed(state.containers)
            if (show_all or running(r)) and all(_matches_filter(r, f) for f in filters)
        ]
    if quiet:
        for record in records:
            out(record["id"] if no_trunc else record["id"][:12])
        return 0
    if template is None or template.startswith("table"):
        for line in ps_table(template, records, no_trunc):
            out(line)
        return 0
    for record in records:
        out(render_template(template.strip(), ps_context(record, no_trunc)))
    return 0


def cmd_inspect(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    kind = "container"
    template: str | None = None
    references: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--type" or arg.startswith("--type="):
            kind, index = take_value(args, index, "--type")
        elif arg in ("-f", "--format") or arg.startswith("--format="):
            template, index = take_value(args, index, "--format")
        elif arg in ("-s", "--size"):
            index += 1
        elif arg.startswith("-") and arg != "-":
            raise SimulationError(f"unknown flag: {arg}\nSee 'docker inspect --help'.", 125)
        else:
            references.append(arg)
            index += 1
    if not references:
        raise SimulationError('"docker inspect" requires at least 1 argument.', 1)
    require_daemon(faults)
    if kind != "container":
        for reference in references:
            print(f"Error: No such {kind}: {reference}", file=sys.stderr)
        out("[]")
        return 1
    documents, missing = [], []
    with State(state_dir) as state:
        state.refresh()
        for reference in references:
            record = state.find(reference)
            if record is None:
                missing.append(reference)
            else:
                documents.append(inspect_document(record))
    if template is not None:
        for document in documents:
            out(render_template(template, document))
    else:
        out(json.dumps(documents, indent=4))
    for reference in missing:
        print(f"Error: No such container: {reference}", file=sys.stderr, flush=True)
    return 1 if missing else 0


def cmd_exec(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    """`docker exec CONTAINER cat /etc/hosts`, the one command the panel runs in a container: docker's
    lines, then the container's `extra_hosts`, as docker writes them."""
    if len(args) < 2:
        raise SimulationError('"docker exec" requires at least 2 arguments.', 1)
    reference, command = args[0], args[1:]
    require_daemon(faults)
    with State(state_dir) as state:
        state.refresh()
        record = state.find(reference)
    if record is None:
        raise SimulationError(f"Error response from daemon: No such container: {reference}", 1)
    if record["status"] != "running":
        raise SimulationError(f"Error response from daemon: container {record['id']} is not running", 1)
    if command != ["cat", "/etc/hosts"]:
        raise SimulationError(f"simulated docker: exec runs only `cat /etc/hosts`, not {command!r}", 126)
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    for entry in record.get("extra_hosts", []):
        host, _, address = entry.partition("=" if "=" in entry else ":")
        lines.append(f"{address}\t{host}")
    lines.append(f"172.18.0.2\t{record['id'][:12]}")
    out("\n".join(lines))
    return 0


def cmd_logs(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    references = [a for a in args if not a.startswith("-")]
    if len(references) != 1:
        raise SimulationError('"docker logs" requires exactly 1 argument.')
    require_daemon(faults)
    with State(state_dir) as state:
        record = state.find(references[0])
    if record is None:
        raise SimulationError(f"Error response from daemon: No such container: {references[0]}")
    log = Path(record.get("log", ""))
    if log.is_file():
        sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
        sys.stdout.flush()
    return 0


def run(argv: list[str]) -> int:
    """One call: argv is [program, *arguments]; logged to calls.log before anything else happens."""
    program = os.path.basename(argv[0]) if argv else "docker"
    args = list(argv[1:])
    faults = current_faults()
    state_dir = state_dir_from_env()
    log_call(state_dir, [program, *args])
    if program == "docker-compose":
        if "no-compose-v1" in faults:
            raise SimulationError("sh: 1: docker-compose: not found", 127)
        return cmd_compose(args, faults, state_dir, v1=True)
    while args and args[0] in ("-D", "--debug", "-l", "--log-level", "--context", "-c", "-H", "--host"):
        args = args[1:] if args[0] in ("-D", "--debug") else args[2:]
    if not args:
        out("Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers (simulated)")
        return 0
    command, rest = args[0], args[1:]
    if command in ("--version", "-v"):
        out(f"Docker version {DOCKER_VERSION}, build simulated")
        return 0
    if command == "version":
        return cmd_version(faults)
    if command == "info":
        return cmd_info(faults, state_dir)
    if command == "compose":
        if "no-compose-v2" in faults:
            raise SimulationError(NO_COMPOSE_V2)
        return cmd_compose(rest, faults, state_dir, v1=False)
    if command == "container" and rest and rest[0] in ("ls", "list", "ps", "inspect", "logs"):
        command, rest = {"ls": "ps", "list": "ps"}.get(rest[0], rest[0]), rest[1:]
    if command == "ps":
        return cmd_ps(rest, faults, state_dir)
    if command == "inspect":
        return cmd_inspect(rest, faults, state_dir)
    if command == "logs":
        return cmd_logs(rest, faults, state_dir)
    if command == "exec":
        return cmd_exec(rest, faults, state_dir)
    raise SimulationError(f"docker: '{command}' is not a docker command.\nSee 'docker --help'")


def main(argv: list[str]) -> int:
    """Entry point: argv is [program, *arguments], program being `docker` or `docker-compose`."""
    try:
        return run(argv)
    except FileNotFoundError:
        state = os.environ.get(STATE_ENV)
        if state and not Path(state).is_dir():  # the demo closed while this call ran
            print(DAEMON_DOWN, file=sys.stderr, flush=True)
            return 1
        raise
    except SimulationError as error:
        sys.stdout.flush()
        print(error.message, file=sys.stderr, flush=True)
        return error.code
    except BrokenPipeError:
        return 1
