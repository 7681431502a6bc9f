"""Layouts against a real engine and the stand-in: a change applied by Appsmith's own `supervisorctl restart`
(Admin Settings' "Save & Restart") is not "pending", and a stacks folder on a named volume is read and changed
through docker."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from panel.core.containers import parse_docker_time
from tests.e2e.conftest import DeploymentFactory
from tests.e2e.test_cli_restart import run_cli, status_json

pytestmark = pytest.mark.e2e


def _started(docker_time: str) -> datetime:
    started = parse_docker_time(docker_time)
    assert started is not None
    return started


def _age(docker_time: str) -> float:
    return (datetime.now(UTC) - _started(docker_time)).total_seconds()


def test_a_supervisorctl_restart_applies_docker_env_without_recreating(
    appsmith_deployment: DeploymentFactory, tmp_path: Path
) -> None:
    """A server too old to report enableTelemetry (v1.6.2): only the server process's start tells that the
    change was read."""
    deployment = appsmith_deployment(
        "false", environment={"STANDIN_NO_TELEMETRY_FIELD": "1", "STANDIN_VERSION": "v1.6.2"}
    )
    deployment.up()
    deployment.wait_healthy()
    before = status_json(deployment, tmp_path)
    assert (before["verdict"], before["verified"]) == ("enabled", False)
    assert before["version"]["release"] == "v1.6.2" and "cannot confirm on this version" in before["reason"]

    result = run_cli("disable", str(deployment.path), "--yes", state=tmp_path)
    assert result.returncode == 0, result.stderr
    # The change is dated half a second after the container started, and the restart comes at least three
    # seconds after that start: docker top counts whole seconds, which the panel rounds to the earlier one.
    state = deployment.wait_state(lambda state: _age(state["StartedAt"]) >= 3)
    written = _started(state["StartedAt"]).timestamp() + 0.5
    os.utime(deployment.env_file, (written, written))
    assert status_json(deployment, tmp_path)["verdict"] == "pending-restart"

    container = deployment.container_id()
    restart = subprocess.run(
        ["docker", "exec", container, "supervisorctl", "restart", "backend"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert restart.returncode == 0, restart.stderr
    deployment.wait_healthy()
    after = status_json(deployment, tmp_path)
    assert (after["verdict"], after["telemetry_on"]) == ("disabled", False), after["reason"]
    assert "server process" in after["reason"]
    assert deployment.container_id() == container
    assert after["container"]["started_at"] == before["container"]["started_at"], "not recreated"


def test_a_named_volume_stacks_is_read_and_changed_through_docker(
    appsmith_deployment: DeploymentFactory, tmp_path: Path
) -> None:
    deployment = appsmith_deployment(write_env_file=False)
    compose = deployment.compose_file.read_text()
    assert "./stacks:/appsmith-stacks" in compose
    deployment.compose_file.write_text(
        compose.replace("./stacks:/appsmith-stacks", "appsmith-stacks:/appsmith-stacks")
        + "volumes:\n  appsmith-stacks:\n"
    )
    deployment.up()
    deployment.wait_healthy()  # its first boot wrote docker.env into the volume
    before = status_json(deployment, tmp_path)
    assert before["env_file"].endswith("/_data/configuration/docker.env"), before["env_file"]
    assert (before["file"]["state"], before["verdict"], before["verified"]) == ("enabled", "enabled", True)
    assert any("named volume" in warning for warning in before["warnings"])

    result = run_cli("disable", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["outcome"] == "verified"
    assert "APPSMITH_DISABLE_TELEMETRY=true" in Path(before["env_file"]).read_text()
    assert not (deployment.path / "stacks" / "configuration" / "docker.env").exists()
