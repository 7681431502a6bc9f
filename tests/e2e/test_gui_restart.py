"""The desktop app against the real engine: apply with restart from the consent dialog, then the main window's
header reads the new, verified state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from panel.core.apply_sequence import Outcome
from panel.core.status import Verdict
from panel.gui.consent_dialog import ConsentDialog
from panel.gui.main_window import MainWindow
from tests.e2e.conftest import DeploymentFactory

pytestmark = pytest.mark.e2e

RUN_MS = 240_000


def test_apply_and_restart_from_the_window_is_verified(
    qtbot: QtBot, appsmith_deployment: DeploymentFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = appsmith_deployment("false")
    deployment.up()
    deployment.wait_healthy()
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_deployment(deployment.path)
    qtbot.waitUntil(lambda: window.status is not None and window.status.verified, timeout=60_000)
    assert window.status is not None and window.status.verdict is Verdict.ENABLED
    assert window.header.title.text().startswith("Telemetry is ON")
    assert window.disable_button.isVisible()

    monkeypatch.setattr(ConsentDialog, "health_interval", 0.5)
    dialog = ConsentDialog(window.status, False, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.restart_now_button.isEnabled, timeout=30_000)
    assert (
        "docker-compose" in dialog.commands_view.toPlainText()
        or "docker compose" in dialog.commands_view.toPlainText()
    )
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.VERIFIED, result
    dialog.close()

    assert deployment.get_json("/api/v1/users/me")["data"]["enableTelemetry"] is False
    window.refresh()
    qtbot.waitUntil(
        lambda: (
            window.status is not None and window.status.verdict is Verdict.DISABLED and window.status.verified
        ),
        timeout=60_000,
    )
    assert window.header.title.text().startswith("Telemetry is OFF")
    assert "Confirmed by the running instance" in window.header.verified.text()
    assert window.enable_button.isVisible() and not window.disable_button.isVisible()
    window.close()
