"""Ask the running instance about itself over HTTP, on loopback only, with short timeouts.

HTTP goes through `requests` (the dependency the product's owner named), with what it would take from the
environment switched off (no proxy, no .netrc) and no redirect followed. It is imported when the first probe
runs, on a worker thread or while docker is asked: the first window paints without it. The window's very first
probe, which its first verdict waits for, asks the same through the standard library's `http.client`
(`StdlibClient`), which loads in a quarter of the time; both clients load when first used.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

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


def load_client() -> None:
    """Import the HTTP client now (it takes ~80 ms), for a caller with time to spare while docker answers."""
    import requests  # noqa: F401


def load_stdlib_client() -> None:
    """Import `StdlibClient`'s `http.client` now (~15 ms), for a caller waiting for docker anyway."""
    import http.client  # noqa: F401


class ProbeFailed(Exception):
    """A GET got no answer: refused, reset, or not HTTP (either client's error, in one type)."""


class ProbeTimedOut(ProbeFailed):
    """A GET got no answer within its timeout (to connect, or between two reads)."""


class Client(Protocol):
    """One kept-alive connection to the instance on loopback; `get` raises only `ProbeFailed`."""

    def get(self, port: int, path: str, timeout: float) -> tuple[int, bytes]: ...

    def close(self) -> None: ...


class RequestsClient:
    """The panel's HTTP client: `requests`, `trust_env` off (no proxies, no .netrc from the environment)."""

    def __init__(self) -> None:
        import requests

        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def get(self, port: int, path: str, timeout: float) -> tuple[int, bytes]:
        """One GET: the status and at most MAX_BODY bytes of the answer; no redirect followed. A connection
        lost before the answer (a kept-alive one the server closed between two GETs) is asked once more."""
        import requests

        url = base_url(port) + path  # refuses anything but loopback
        try:
            try:
                return self._get(url, timeout)
            except requests.ConnectionError as error:
                if isinstance(error, requests.Timeout):  # ConnectTimeout is both: no second wait
                    raise
                return self._get(url, timeout)
        except requests.Timeout as error:
            raise ProbeTimedOut(str(error)) from error
        except requests.RequestException as error:
            raise ProbeFailed(str(error)) from error

    def _get(self, url: str, timeout: float) -> tuple[int, bytes]:
        with self.session.get(url, timeout=timeout, allow_redirects=False, stream=True) as response:
            return response.status_code, response.raw.read(MAX_BODY, decode_content=True) or b""

    def close(self) -> None:
        self.session.close()


class StdlibClient:
    """The same GETs through the standard library's `http.client`, for the window's first probe only.

    Importing `requests` takes ~60-80 ms of the interpreter, `http.client` ~12-18 ms; the first verdict waits
    for that probe. Same requests as `RequestsClient`: timeout to connect and per read, no proxy, no redirect
    followed (http.client follows none), the same headers and body limit. It asks for no compression
    (`Accept-Encoding: identity`) instead of decoding gzip, so the bytes handed to the parsing are the same.
    """

    def __init__(self) -> None:
        import http.client  # noqa: F401  (loaded here, as `requests` is in RequestsClient)

        self.connection: http.client.HTTPConnection | None = None
        self.port: int | None = None

    def get(self, port: int, path: str, timeout: float) -> tuple[int, bytes]:
        """One GET on a kept-alive connection: the status and at most MAX_BODY bytes of the answer."""
        import http.client

        base_url(port)  # refuses anything but loopback
        if self.connection is None or self.port != port:
            self.close()
            self.connection = http.client.HTTPConnection(LOOPBACK_HOST, port, timeout=timeout)
            self.port = port
        connection = self.connection
        connection.timeout = timeout
        reused = connection.sock is not None
        if reused:
            connection.sock.settimeout(timeout)
        try:
            try:
                return self._ask(connection, path)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not reused:
                    raise
                # The server closed the kept-alive connection between two GETs: ask once more on a new one,
                # as RequestsClient does.
                connection.close()
                return self._ask(connection, path)
        except TimeoutError as error:
            connection.close()
            raise ProbeTimedOut(str(error) or "timed out") from error
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise ProbeFailed(str(error) or type(error).__name__) from error

    @staticmethod
    def _ask(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"}
        connection.request("GET", path, headers=headers)
        with connection.getresponse() as response:
            body = response.read(MAX_BODY)
            if not response.isclosed():
                connection.close()  # an answer longer than MAX_BODY: the next GET opens a new connection
            return response.status, body

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


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
    port: int, timeout: float = PROBE_TIMEOUT, client: Client | None = None
) -> tuple[Health, str]:
    asking = client or RequestsClient()
    try:
        status, body = asking.get(port, "/api/v1/health", timeout)
    except ProbeTimedOut:
        return Health.STARTING, f"no answer within {timeout:.0f} s"
    except ProbeFailed as error:
        log.debug("/api/v1/health on port %s: %s", port, error)
        return Health.UNREACHABLE, f"nothing answers on port {port}"
    finally:
        if client is None:
            asking.close()
    if status == 200:
        return Health.UP, str(_data(body)[1] or "healthy")
    if status in (502, 503, 504, 404):
        return Health.STARTING, f"HTTP {status}: still starting"
    return Health.ERROR, f"the health check answered HTTP {status}"


def probe(port: int, timeout: float = PROBE_TIMEOUT, client: Client | None = None) -> ServerReport:
    """Health, version and the server's own `enableTelemetry`, each asked once, on one connection.

    `client`: how to ask (`RequestsClient` when not given); it is closed at the end.
    """
    client = client or RequestsClient()
    try:
        health, detail = probe_health(port, timeout, client)
        if health is not Health.UP:
            return ServerReport(health, detail)
        version = None
        try:
            info = _json(client.get(port, "/info", timeout)[1])
            if isinstance(info, dict) and info.get("version"):
                version = str(info["version"])
        except ProbeFailed as error:
            log.debug("/info: %s", error)
        enable, note = None, ""
        try:
            status, body = client.get(port, "/api/v1/users/me", timeout)
            document, data = _data(body)
            if isinstance(data, dict) and isinstance(data.get("enableTelemetry"), bool):
                enable = data["enableTelemetry"]
                note = ""  # the row already says the server says it
            elif document is None:
                note = f"asked for its settings, the server answered HTTP {status} with what is not JSON"
            else:
                note = "this Appsmith version does not report its telemetry setting"
        except ProbeFailed as error:
            log.debug("/api/v1/users/me: %s", error)
            note = "the server did not answer when asked for its telemetry setting"
        return ServerReport(health, detail, version, enable, note)
    finally:
        client.close()
