"""Ask the running instance about itself over HTTP, on loopback only, with short timeouts.

`requests` is imported lazily: the first window does not need it.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger("panel.instance")

PROBE_TIMEOUT = 3.0
LOOPBACK_HOST = "127.0.0.1"


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


def _session() -> Any:
    import requests

    session = requests.Session()
    session.trust_env = False  # no proxy from the environment may route a loopback probe elsewhere
    session.headers["User-Agent"] = "appsmith-telemetry-panel"
    return session


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def probe_health(port: int, timeout: float = PROBE_TIMEOUT, session: Any = None) -> tuple[Health, str]:
    import requests

    session = session or _session()
    try:
        response = session.get(f"{base_url(port)}/api/v1/health", timeout=timeout)
    except requests.Timeout:
        return Health.STARTING, f"no answer within {timeout:.0f} s"
    except requests.RequestException as error:
        return Health.UNREACHABLE, f"nothing answers on port {port} ({type(error).__name__})"
    if response.status_code == 200:
        body = _json(response)
        data = body.get("data") if isinstance(body, dict) else None
        return Health.UP, str(data or "healthy")
    if response.status_code in (502, 503, 504, 404):
        return Health.STARTING, f"HTTP {response.status_code}: still starting"
    return Health.ERROR, f"HTTP {response.status_code} from /api/v1/health"


def probe(port: int, timeout: float = PROBE_TIMEOUT) -> ServerReport:
    """Health, version and the server's own `enableTelemetry`, each asked once."""
    import requests

    session = _session()
    with session:
        health, detail = probe_health(port, timeout, session)
        if health is not Health.UP:
            return ServerReport(health, detail)
        version = None
        try:
            info = _json(session.get(f"{base_url(port)}/info", timeout=timeout))
            if isinstance(info, dict) and info.get("version"):
                version = str(info["version"])
        except requests.RequestException as error:
            log.debug("/info: %s", error)
        enable, note = None, ""
        try:
            response = session.get(f"{base_url(port)}/api/v1/users/me", timeout=timeout)
            body = _json(response)
            data = body.get("data") if isinstance(body, dict) else None
            if isinstance(data, dict) and isinstance(data.get("enableTelemetry"), bool):
                enable = data["enableTelemetry"]
                note = "reported by the server (/api/v1/users/me)"
            elif body is None:
                note = f"/api/v1/users/me answered HTTP {response.status_code} with something that is not JSON"
            else:
                note = "this Appsmith version does not report enableTelemetry (/api/v1/users/me)"
        except requests.RequestException as error:
            note = f"/api/v1/users/me did not answer ({type(error).__name__})"
        return ServerReport(health, detail, version, enable, note)
