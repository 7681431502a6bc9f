"""The window's early look: docker's two answers, then the instance asked through the standard library's
client once the window allows it; the report is the one the panel's `requests` probe gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

import panel.core.instance
from panel.core.early_look import EarlyLook
from panel.core.instance import Health, ServerReport, probe
from tests.conftest import Answer, FakeBin, inspect_document
from tests.core.test_instance import serve


@pytest.fixture
def instance() -> Iterator[ThreadingHTTPServer]:
    server = serve()
    yield server
    server.shutdown()
    server.server_close()


def no_requests() -> panel.core.instance.Client:
    raise AssertionError("the early look asked through requests")


def answer_as_docker(fake_bin: FakeBin, folder: Path, port: int) -> None:
    """`docker ps` and `inspect`: one running Appsmith container started from `folder`, published on
    `port`."""
    document = inspect_document()
    document["Config"]["Labels"]["com.docker.compose.project.working_dir"] = str(folder)
    document["NetworkSettings"]["Ports"]["80/tcp"] = [{"HostIp": "0.0.0.0", "HostPort": str(port)}]
    ps_line = f"{document['Id']}\t{folder}\tappsmith\tindex.docker.io/appsmith/appsmith-ee\n"
    fake_bin.add(
        "docker", Answer(("ps",), stdout=ps_line), Answer(("inspect",), stdout=json.dumps([document]))
    )


def test_the_early_probe_reports_what_the_panels_probe_reports(
    single_deployment: Path, fake_bin: FakeBin, instance: ThreadingHTTPServer
) -> None:
    """…without `requests`: loading it would cost the first verdict ~60 ms more."""
    port = instance.server_address[1]
    answer_as_docker(fake_bin, single_deployment, port)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(panel.core.instance, "RequestsClient", no_requests)
        look = EarlyLook(single_deployment, timeout=10.0)
        look.allow_probe()
        look.wait()
    assert look.ahead is not None and [state.http_port for state in look.ahead.states] == [port]
    report = look.reports[port]
    assert isinstance(report, ServerReport) and report.health is Health.UP, report
    assert report == probe(port, timeout=5.0)
    assert [call[1] for call in fake_bin.calls("docker")] == ["ps", "inspect"]
