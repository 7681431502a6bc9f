"""The fault matrix against the real engine: the stand-in crashes on start, the window's run ends with
"Appsmith is down", and its Retry start works once the cause is fixed (the command line's variant is in
test_cli_restart.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from panel.core.apply_sequence import Outcome
from panel.core.deployment import load_deployment
from panel.core.status import gather
from panel.gui.consent_dialog import ConsentDialog
from tests.e2e.conftest import DeploymentFactory

pytestmark = pytest.mark.e2e

RUN_MS = 240_000


def test_row_standin_crashes_on_start_window_says_down_and_retry_works(
    qtbot: QtBot, appsmith_deployment: DeploymentFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = appsmith_deployment("false", environment={"STANDIN_CRASH": "1"}, restart="no")
    deployment.started = True  # the run below starts it; the fixture takes it down
    monkeypatch.setattr(ConsentDialog, "health_interval", 0.5)
    dialog = ConsentDialog(gather(load_deployment(deployment.path)), False, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.restart_now_button.isEnabled, timeout=60_000)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.DOWN, result
    assert dialog.verdict_label.text() == "Failed: Appsmith is down."
    assert "APPSMITH IS DOWN" in dialog.verdict_detail.text() and "up -d" in dialog.verdict_detail.text()
    assert "exited" in dialog.verdict_detail.text()
    assert dialog.retry_button.isVisible() and dialog.restore_button.isVisible()
    assert "APPSMITH_DISABLE_TELEMETRY=true" in deployment.env_file.read_text()

    deployment.compose_file.write_text(
        deployment.compose_file.read_text().replace("STANDIN_CRASH", "STANDIN_FINE")
    )
    qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.apply_result is not None and dialog.apply_result is not result, timeout=RUN_MS
    )
    retried = dialog.apply_result
    assert retried is not None and retried.outcome is Outcome.VERIFIED, retried
    assert dialog.verdict_label.text() == "Done: the new setting is in effect."
    assert deployment.get_json("/api/v1/users/me")["data"]["enableTelemetry"] is False
    dialog.close()
