"""Ask the running instance about itself over HTTP, on loopback only, with short timeouts.

HTTP goes through `requests` (the dependency the product's owner named), with what it would take from the
environment switched off (no proxy, no .netrc) and no redirect followed. It is imported when the first probe
runs, on a worker thread or while docker is asked: the first window paints without it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

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


def load_client() -> None:
    """Import the HTTP client now (it takes ~80 ms), for a caller with time to spare while docker answers."""
    import requests  # noqa: F401


def _session() -> requests.Session:
    """A session that asks only what it is told to: `trust_env` off keeps proxies and .netrc out of it."""
    import requests

    session = requests.Session()
    session.trust_env = False
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    return session


def _get(session: requests.Session, port: int, path: str, timeout: float) -> tuple[int, bytes]:
    """One GET on the kept-alive session: the status and at most MAX_BODY bytes of the answer."""
    url = base_url(port) + path  # refuses anything but loopback
    with session.get(url, timeout=timeout, allow_redirects=False, stream=True) as response:
        return response.status_code, response.raw.read(MAX_BODY, decode_content=True) or b""


def _json(body: bytes) -> object:
    try:
        parsed: object = json.loads(body)
    except ValueError:
        return None
    return parsed


def _data(body: bytes) -> tuple[object, object]:
    """The document and its `data` member (Appsmith wraps every answer in one), None where absent."""
    document = _json(body)
    return document, document.get("data") if isinstance(document, dict) else None


def probe_health(
    port: int, timeout: float = PROBE_TIMEOUT, session: requests.Session | None = None
) -> tuple[Health, str]:
    import requests

    try:
        status, body = _get(session or _session(), port, "/api/v1/health", timeout)
    except requests.Timeout:
        return Health.STARTING, f"no answer within {timeout:.0f} s"
    except requests.RequestException as error:
        log.debug("/api/v1/health on port %s: %s", port, error)
        return Health.UNREACHABLE, f"nothing answers on port {port}"
    if status == 200:
        return Health.UP, str(_data(body)[1] or "healthy")
    if status in (502, 503, 504, 404):
        return Health.STARTING, f"HTTP {status}: still starting"
    return Health.ERROR, f"the health check answered HTTP {status}"


def probe(port: int, timeout: float = PROBE_TIMEOUT) -> ServerReport:
    """Health, version and the server's own `enableTelemetry`, each asked once, on one connection."""
    import requests

    with _session() as session:
        health, detail = probe_health(port, timeout, session)
        if health is not Health.UP:
            return ServerReport(health, detail)
        version = None
        try:
            info = _json(_get(session, port, "/info", timeout)[1])
            if isinstance(info, dict) and info.get("version"):
                version = str(info["version"])
        except requests.RequestException as error:
            log.debug("/info: %s", error)
        enable, note = None, ""
        try:
            status, body = _get(session, port, "/api/v1/users/me", timeout)
            document, data = _data(body)
            if isinstance(data, dict) and isinstance(data.get("enableTelemetry"), bool):
                enable = data["enableTelemetry"]
                note = ""  # the row already says the server says it
            elif document is None:
                note = f"asked for its settings, the server answered HTTP {status} with what is not JSON"
            else:
                note = "this Appsmith version does not report its telemetry setting"
        except requests.RequestException as error:
            log.debug("/api/v1/users/me: %s", error)
            note = "the server did not answer when asked for its telemetry setting"
        return ServerReport(health, detail, version, enable, note)
