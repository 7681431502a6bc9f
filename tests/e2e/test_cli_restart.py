"""The real CLI flips a real container both ways: file written, container recreated, server reports the
value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Deployment, DeploymentFactory

pytestmark = pytest.mark.e2e

SECRET_MARKERS = ("s3cret",)


def run_cli(*args: str, state: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env["XDG_STATE_HOME"] = str(state)
    return subprocess.run(
        [sys.executable, "-m", "panel", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def status_json(deployment: Deployment, state: Path) -> dict:
    result = run_cli("status", str(deployment.path), "--json", state=state)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_disable_then_enable_recreates_and_verifies(
    appsmith_deployment: DeploymentFactory, tmp_path: Path
) -> None:
    deployment = appsmith_deployment("false")
    deployment.up()
    deployment.wait_healthy()
    before = status_json(deployment, tmp_path)
    assert before["verdict"] == "enabled" and before["verified"] is True
    assert before["server"]["enable_telemetry"] is True

    result = run_cli("disable", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["outcome"] == "verified", report
    assert "APPSMITH_DISABLE_TELEMETRY=true" in deployment.env_file.read_text()
    assert deployment.get_json("/api/v1/users/me")["data"]["enableTelemetry"] is False
    after = status_json(deployment, tmp_path)
    assert (after["verdict"], after["verified"], after["telemetry_on"]) == ("disabled", True, False)
    assert after["container"]["started_at"] > before["container"]["started_at"]

    result = run_cli("enable", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["outcome"] == "verified"
    assert deployment.get_json("/api/v1/users/me")["data"]["enableTelemetry"] is True
    for marker in SECRET_MARKERS:
        assert marker not in result.stdout + result.stderr
    audit = (tmp_path / "appsmith-telemetry-panel" / "audit.log").read_text()
    assert audit.count('"outcome": "verified') == 2


def test_pending_restart_is_detected_after_a_plain_write(
    appsmith_deployment: DeploymentFactory, tmp_path: Path
) -> None:
    deployment = appsmith_deployment("false")
    deployment.up()
    deployment.wait_healthy()
    result = run_cli("disable", str(deployment.path), "--yes", state=tmp_path)
    assert result.returncode == 0, result.stderr
    status = status_json(deployment, tmp_path)
    assert status["verdict"] == "pending-restart"
    assert status["server"]["enable_telemetry"] is True


def test_compose_override_wins_and_is_reported(
    appsmith_deployment: DeploymentFactory, tmp_path: Path
) -> None:
    deployment = appsmith_deployment("false", environment={"APPSMITH_DISABLE_TELEMETRY": "true"})
    deployment.up()
    deployment.wait_healthy()
    status = status_json(deployment, tmp_path)
    assert status["verdict"] == "overridden"
    assert status["override"]["state"] == "disabled"
    assert status["server"]["enable_telemetry"] is False
    assert status["telemetry_on"] is False


def test_crash_on_start_ends_with_appsmith_down_and_retry_works(
    appsmith_deployment: DeploymentFactory, tmp_path: Path
) -> None:
    deployment = appsmith_deployment("false", environment={"STANDIN_CRASH": "1"}, restart="no")
    result = run_cli("disable", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    deployment.started = True
    assert result.returncode == 6, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["outcome"] == "appsmith-down"
    assert "APPSMITH IS DOWN" in report["message"]
    assert "up -d" in report["message"]
    compose = deployment.compose_file.read_text().replace("STANDIN_CRASH", "STANDIN_FINE")
    deployment.compose_file.write_text(compose)
    retry = run_cli("disable", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    assert retry.returncode == 0, retry.stdout + retry.stderr
    assert json.loads(retry.stdout)["outcome"] == "verified"
