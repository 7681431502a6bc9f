"""What the instance probe says in each answer it can get, in words a window may show: the endpoints it asks
stay out of the sentences (issue 13)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from panel.core.instance import Health, ServerReport, probe
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
        status, body = {
            "/api/v1/health": self.health,
            "/info": (200, b'{"version": "v1.9.57"}'),
            "/api/v1/users/me": self.me,
        }.get(self.path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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


def probe_answers(
    health: tuple[int, bytes] = _Answers.health, me: tuple[int, bytes] = _Answers.me
) -> ServerReport:
    server = serve(health, me)
    try:
        return probe(server.server_address[1], timeout=5.0)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (bound, then closed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    port = server.server_address[1]
    server.server_close()
    yield port


@pytest.mark.parametrize("answer", list(ME_ANSWERS), ids=list(ME_ANSWERS))
def test_what_the_server_says_of_its_telemetry_is_in_plain_words(answer: str) -> None:
    report = probe_answers(me=ME_ANSWERS[answer])
    assert report.health is Health.UP and report.version == "v1.9.57"
    assert report.enable_telemetry is (True if answer == "reports it" else None)
    assert bool(report.telemetry_detail) is (answer != "reports it"), "a reported value needs no note"
    assert wording_problems(report.telemetry_detail) == []


def test_a_failing_health_check_is_in_plain_words() -> None:
    report = probe_answers(health=(500, b""))
    assert report.health is Health.ERROR
    assert report.health_detail == "the health check answered HTTP 500"


def test_a_closed_port_is_in_plain_words(closed_port: int) -> None:
    report = probe(closed_port, timeout=2.0)
    assert report.health is Health.UNREACHABLE
    assert report.health_detail == f"nothing answers on port {closed_port}"
    assert wording_problems(report.health_detail) == []
