"""What docker says about a container record: its `ps` row (the fields `--format` can name, the default
table) and its `inspect` document."""

from __future__ import annotations

import time
from typing import Any

from panel.demo.simulated_docker.clock import NEVER, human, rfc3339
from panel.demo.simulated_docker.state import running
from panel.demo.simulated_docker.templates import LABELS, render_template

DEFAULT_PS_TABLE = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
PS_HEADER: dict[str, Any] = {
    "ID": "CONTAINER ID",
    "Image": "IMAGE",
    "Command": "COMMAND",
    "RunningFor": "CREATED",
    "Status": "STATUS",
    "Ports": "PORTS",
    "Names": "NAMES",
    "State": "STATE",
    "Labels": "LABELS",
    "CreatedAt": "CREATED AT",
    LABELS: {},
}


def status_text(record: dict[str, Any]) -> str:
    now = time.time_ns()
    if running(record):
        return f"Up {human((now - record['started_ns']) / 1e9)}"
    if record.get("status") == "exited":
        return f"Exited ({record.get('exit_code', 0)}) {human((now - record['finished_ns']) / 1e9)} ago"
    return "Created"


def ports_text(record: dict[str, Any]) -> str:
    if not running(record):
        return ""
    return ", ".join(
        f"{b['HostIp']}:{b['HostPort']}->{port}"
        for port, bindings in record["ports"].items()
        for b in bindings or []
    )


def ps_context(record: dict[str, Any], no_trunc: bool) -> dict[str, Any]:
    """The fields a `docker ps --format` template can name, for one container."""
    labels = record["labels"]
    return {
        "ID": record["id"] if no_trunc else record["id"][:12],
        "Image": record["image"],
        "Names": record["name"],
        "Status": status_text(record),
        "State": record.get("status", "created"),
        "Command": '"/opt/appsmith/entrypoint.sh /usr/bin/supervisord -n"'
        if no_trunc
        else '"/opt/appsmith/entr…"',
        "CreatedAt": time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC", time.gmtime(record["created_ns"] / 1e9)),
        "RunningFor": f"{human((time.time_ns() - record['created_ns']) / 1e9)} ago",
        "Ports": ports_text(record),
        "Labels": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
        "Mounts": "",
        "Networks": f"{labels.get('com.docker.compose.project', '')}_default",
        "Size": "0B",
        LABELS: labels,
    }


def ps_table(template: str | None, records: list[dict[str, Any]], no_trunc: bool) -> list[str]:
    """`docker ps` as a table (no `--format`, or `--format "table …"`): a header, then aligned columns."""
    body = (template or "table").removeprefix("table").strip() or DEFAULT_PS_TABLE
    rows = [render_template(body, PS_HEADER).split("\t")]
    rows += [render_template(body, ps_context(r, no_trunc)).split("\t") for r in records]
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    return ["   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def inspect_document(record: dict[str, Any]) -> dict[str, Any]:
    """`docker inspect` of one container: the parts of Docker's document that anyone reads."""
    import hashlib

    is_running = running(record)
    status = record.get("status", "created")
    pid = record.get("pid") if is_running else 0
    return {
        "Id": record["id"],
        "Created": rfc3339(record["created_ns"]),
        "Path": "/opt/appsmith/entrypoint.sh",
        "Args": ["/usr/bin/supervisord", "-n"],
        "State": {
            "Status": status,
            "Running": is_running,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": False,
            "Pid": pid or 0,
            "ExitCode": 0 if is_running or status == "created" else record.get("exit_code", 0),
            "Error": "",
            "StartedAt": record.get("started_at") or NEVER,
            "FinishedAt": NEVER if is_running else (record.get("finished_at") or NEVER),
        },
        "Image": "sha256:" + hashlib.sha256(record["image"].encode()).hexdigest(),
        "ResolvConfPath": "",
        "HostnamePath": "",
        "LogPath": record.get("log", ""),
        "Name": "/" + record["name"],
        "RestartCount": 0,
        "Driver": "overlay2",
        "Platform": "linux",
        "HostConfig": {
            "RestartPolicy": {"Name": record.get("restart", "no"), "MaximumRetryCount": 0},
            "PortBindings": record.get("port_bindings", {}),
            "NetworkMode": f"{record['labels'].get('com.docker.compose.project', '')}_default",
        },
        "Mounts": record.get("mounts", []),
        "Config": {
            "Hostname": record["id"][:12],
            "Image": record["image"],
            "Env": list(record["env"]),
            "Labels": dict(record["labels"]),
            "ExposedPorts": {port: {} for port in record.get("port_bindings", {})},
            "Entrypoint": ["/opt/appsmith/entrypoint.sh"],
            "Cmd": ["/usr/bin/supervisord", "-n"],
        },
        "NetworkSettings": {
            "Ports": record["ports"] if is_running else {},
        },
    }
