"""The header's words: telemetry ON is not "Appsmith receives usage data" while the container cannot reach
the server's analytics host."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from panel.core.egress_block import ANALYTICS_HOST, DEFAULT_OVERRIDE, BlockState
from panel.core.status import Status, Verdict, assemble
from panel.gui.status_header import StatusHeader
from tests.core.test_status import AFTER, ON, _container, _deployment, _file, _running, _server


def _on() -> Status:
    status = assemble(_deployment(), _file(ON), _running(_container(started=AFTER), _server(True)))
    assert status.verdict is Verdict.ENABLED and status.verified
    return status


def _with_block(status: Status, in_effect: tuple[str, ...] | None) -> Status:
    override = status.deployment.folder / DEFAULT_OVERRIDE
    return replace(status, egress_block=BlockState("appsmith", override, (ANALYTICS_HOST,), in_effect))


def test_on_with_the_analytics_host_blocked_in_the_container_says_the_server_data_cannot_leave(
    qtbot: QtBot,
) -> None:
    header = StatusHeader()
    qtbot.addWidget(header)
    header.show_status(_on())
    assert header.title.text() == "Telemetry is ON — Appsmith receives usage data from this instance"
    header.show_status(_with_block(_on(), (ANALYTICS_HOST,)))
    assert "the server's usage data is blocked here; browsers still send theirs" in header.title.text()
    assert "Blocked hosts" in header.detail.text() and "browser" in header.detail.text()
    assert header.verified.text() == "✔ Confirmed by the running instance"


def test_a_block_not_in_effect_yet_changes_nothing_in_the_header(qtbot: QtBot) -> None:
    """Configured in compose but not in the running container (it applies at the next recreate): the server
    still reaches the host."""
    header = StatusHeader()
    qtbot.addWidget(header)
    for in_effect in ((), None):
        header.show_status(_with_block(_on(), in_effect))
        assert header.title.text() == "Telemetry is ON — Appsmith receives usage data from this instance"
