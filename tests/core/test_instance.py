"""What the instance probe says in each answer it can get, in words a window may show: the endpoints it asks
stay out of the sentences (issue 13)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from panel.core.instance import (
    MAX_BODY,
    Client,
    Health,
    ProbeFailed,
    ProbeTimedOut,
    RequestsClient,
    ServerReport,
    StdlibClient,
    probe,
)
from tests.wording import wording_problems

ME_ANSWERS = {
    "reports it": (200, b'{"data": {"enableTelemetry": true}}'),
    "lacks the field": (200, b'{"data": {"email": "anonymousUser"}}'),
    "not JSON": (500, b"<html>Internal Server Error</html>"),
}


class _Answers(BaseHTTPRequestHandler):
    health: tuple[int, bytes] = (200, b'{"data": "All systems are up"}')
    me: tuple[int, bytes] = ME_ANSWERS["reports it"]

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/api/v1/health")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.0)
        status, body = {
            "/api/v1/health": self.health,
            "/info": (200, b'{"version": "v1.9.57"}'),
            "/api/v1/users/me": self.me,
            "/big": (200, b"x" * (MAX_BODY + 10)),
        }.get(self.path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # a client that read up to its limit (or timed out) has hung up

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the probe's report, not the server's log."""


def serve(
    health: tuple[int, bytes] = _Answers.health, me: tuple[int, bytes] = _Answers.me
) -> ThreadingHTTPServer:
    """A loopback HTTP server answering the three questions the probe asks, as given."""
    handler = type("Answers", (_Answers,), {"health": health, "me": me})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


CLIENTS: dict[str, Callable[[], Client]] = {"requests": RequestsClient, "http.client": StdlibClient}
"""The panel's client, and the standard library's that the window's first probe uses: they must agree."""


@pytest.fixture(params=list(CLIENTS))
def client(request: pytest.FixtureRequest) -> Callable[[], Client]:
    return CLIENTS[request.param]


def probe_answers(
    health: tuple[int, bytes] = _Answers.health,
    me: tuple[int, bytes] = _Answers.me,
    client: Callable[[], Client] = RequestsClient,
) -> ServerReport:
    server = serve(health, me)
    try:
        return probe(server.server_address[1], timeout=5.0, client=client())
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    running = serve()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (bound, then closed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    port = server.server_address[1]
    server.server_close()
    yield port


@pytest.mark.parametrize("answer", list(ME_ANSWERS), ids=list(ME_ANSWERS))
def test_what_the_server_says_of_its_telemetry_is_in_plain_words(
    answer: str, client: Callable[[], Client]
) -> None:
    report = probe_answers(me=ME_ANSWERS[answer], client=client)
    assert report.health is Health.UP and report.version == "v1.9.57"
    assert report.enable_telemetry is (True if answer == "reports it" else None)
    assert bool(report.telemetry_detail) is (answer != "reports it"), "a reported value needs no note"
    assert wording_problems(report.telemetry_detail) == []


def test_a_failing_health_check_is_in_plain_words(client: Callable[[], Client]) -> None:
    report = probe_answers(health=(500, b""), client=client)
    assert report.health is Health.ERROR
    assert report.health_detail == "the health check answered HTTP 500"


def test_a_closed_port_is_in_plain_words(closed_port: int, client: Callable[[], Client]) -> None:
    report = probe(closed_port, timeout=2.0, client=client())
    assert report.health is Health.UNREACHABLE
    assert report.health_detail == f"nothing answers on port {closed_port}"
    assert wording_problems(report.health_detail) == []


def test_a_redirect_is_not_followed(server: ThreadingHTTPServer, client: Callable[[], Client]) -> None:
    asking = client()
    try:
        assert asking.get(server.server_address[1], "/redirect", 5.0) == (302, b"")
    finally:
        asking.close()


def test_an_answer_is_read_up_to_the_limit_and_the_next_one_still_comes(
    server: ThreadingHTTPServer, client: Callable[[], Client]
) -> None:
    asking = client()
    port = server.server_address[1]
    try:
        status, body = asking.get(port, "/big", 5.0)
        assert (status, len(body)) == (200, MAX_BODY)
        assert asking.get(port, "/info", 5.0) == (200, b'{"version": "v1.9.57"}')
    finally:
        asking.close()


def test_a_slow_answer_times_out_as_such(server: ThreadingHTTPServer, client: Callable[[], Client]) -> None:
    asking = client()
    try:
        with pytest.raises(ProbeTimedOut):
            asking.get(server.server_address[1], "/slow", 0.2)
    finally:
        asking.close()


def test_a_closed_port_fails_as_no_answer(closed_port: int, client: Callable[[], Client]) -> None:
    asking = client()
    try:
        with pytest.raises(ProbeFailed) as raised:
            asking.get(closed_port, "/api/v1/health", 2.0)
        assert not isinstance(raised.value, ProbeTimedOut)
    finally:
        asking.close()


class _DropsKeptAlive(_Answers):
    """Says HTTP/1.1 (the connection stays open) but hangs up after each answer without saying so, as a
    server restarting its workers may."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        super().do_GET()
        self.close_connection = True


def test_a_kept_alive_connection_the_server_dropped_is_opened_again(client: Callable[[], Client]) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DropsKeptAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = probe(server.server_address[1], timeout=5.0, client=client())
    finally:
        server.shutdown()
        server.server_close()
    assert report.health is Health.UP
    assert report.version == "v1.9.57" and report.enable_telemetry is True
