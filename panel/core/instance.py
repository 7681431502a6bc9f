"""Ask the running instance about itself over HTTP, on loopback only, with short timeouts.

The standard library's `http.client` is enough for three GETs to 127.0.0.1 (no proxy, no TLS, no redirects to
follow), and it loads in a fraction of the time `requests` takes, which a `status` or a refresh would wait
for. It is imported when the first probe runs (it brings `ssl` along): the first window needs neither.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import http.client

log = logging.getLogger("panel.instance")

PROBE_TIMEOUT = 3.0
LOOPBACK_HOST = "127.0.0.1"
USER_AGENT = "appsmith-telemetry-panel"
MAX_BODY = 1 << 20
"""Bytes read of one answer: the three the panel asks for are small JSON documents."""


class Health(StrEnum):
    UP = "up"
    STARTING = "starting"
    ERROR = "error"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class ServerReport:
    """What the instance said about itself. Every field is optional evidence: older versions lack some."""

    health: Health
    health_detail: str
    version: str | None = None
    enable_telemetry: bool | None = None
    telemetry_detail: str = ""


class NotLoopbackError(ValueError):
    """The panel only ever talks to the deployment on this machine's loopback address."""


def base_url(port: int, host: str = LOOPBACK_HOST) -> str:
    if not ipaddress.ip_address(host).is_loopback:
        raise NotLoopbackError(f"{host} is not a loopback address; the panel asks only this machine.")
    return f"http://{host}:{port}"


def _connect(port: int, timeout: float, host: str = LOOPBACK_HOST) -> http.client.HTTPConnection:
    import http.client

    base_url(port, host)  # refuses anything but loopback
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    """One GET on the (kept-alive) connection: the status and at most MAX_BODY bytes of the answer."""
    connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    response = connection.getresponse()
    body = response.read(MAX_BODY)
    if not response.isclosed():
        connection.close()  # an answer larger than asked for: the next GET opens a fresh connection
    return response.status, body


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def probe_health(
    port: int, timeout: float = PROBE_TIMEOUT, connection: http.client.HTTPConnection | None = None
) -> tuple[Health, str]:
    import http.client

    connection = connection or _connect(port, timeout)
    try:
        status, body = _get(connection, "/api/v1/health")
    except TimeoutError:
        return Health.STARTING, f"no answer within {timeout:.0f} s"
    except (OSError, http.client.HTTPException) as error:
        return Health.UNREACHABLE, f"nothing answers on port {port} ({type(error).__name__})"
    if status == 200:
        document = _json(body)
        data = document.get("data") if isinstance(document, dict) else None
        return Health.UP, str(data or "healthy")
    if status in (502, 503, 504, 404):
        return Health.STARTING, f"HTTP {status}: still starting"
    return Health.ERROR, f"HTTP {status} from /api/v1/health"


def probe(port: int, timeout: float = PROBE_TIMEOUT) -> ServerReport:
    """Health, version and the server's own `enableTelemetry`, each asked once, on one connection."""
    import http.client

    connection = _connect(port, timeout)
    try:
        health, detail = probe_health(port, timeout, connection)
        if health is not Health.UP:
            return ServerReport(health, detail)
        version = None
        try:
            info = _json(_get(connection, "/info")[1])
            if isinstance(info, dict) and info.get("version"):
                version = str(info["version"])
        except (OSError, http.client.HTTPException) as error:
            log.debug("/info: %s", error)
        enable, note = None, ""
        try:
            status, body = _get(connection, "/api/v1/users/me")
            document = _json(body)
            data = document.get("data") if isinstance(document, dict) else None
            if isinstance(data, dict) and isinstance(data.get("enableTelemetry"), bool):
                enable = data["enableTelemetry"]
                note = "reported by the server (/api/v1/users/me)"
            elif document is None:
                note = f"/api/v1/users/me answered HTTP {status} with something that is not JSON"
            else:
                note = "this Appsmith version does not report enableTelemetry (/api/v1/users/me)"
        except (OSError, http.client.HTTPException) as error:
            note = f"/api/v1/users/me did not answer ({type(error).__name__})"
        return ServerReport(health, detail, version, enable, note)
    finally:
        connection.close()
