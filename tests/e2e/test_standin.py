"""The Appsmith stand-in behaves like Appsmith's single container where the panel relies on it.

If these fail, the other end-to-end tests prove nothing about the panel.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import STANDIN_IMAGE, Deployment, DeploymentFactory

pytestmark = pytest.mark.e2e


def _enable_telemetry(me: dict[str, Any]) -> bool:
    assert me["responseMeta"] == {"status": 200, "success": True}
    value = me["data"]["enableTelemetry"]
    assert isinstance(value, bool)
    return value


# Spring's boolean words, case-insensitive; APPSMITH_DISABLE_TELEMETRY=<word> -> enableTelemetry.
SPRING_WORDS = {
    "true": False,
    "TRUE": False,
    "On": False,
    "yes": False,
    "1": False,
    "false": True,
    "Off": True,
    "NO": True,
    "0": True,
}


def test_users_me_reports_docker_env_value(appsmith_deployment: DeploymentFactory) -> None:
    deployments = {word: appsmith_deployment(word) for word in SPRING_WORDS}
    with ThreadPoolExecutor() as pool:  # one deployment per word, started side by side: faster
        list(pool.map(Deployment.up, deployments.values()))
    for deployment in deployments.values():
        deployment.wait_healthy()

    reported = {
        word: _enable_telemetry(deployment.get_json("/api/v1/users/me"))
        for word, deployment in deployments.items()
    }
    assert reported == SPRING_WORDS


def test_health_and_info_answer_like_appsmith(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment()
    deployment.up()
    deployment.wait_healthy()

    assert deployment.get_json("/api/v1/health") == {
        "responseMeta": {"status": 200, "success": True},
        "data": "All systems are up",
    }
    assert deployment.get_json("/info") == {
        "version": "v1.50-standin",
        "commitSha": "0000000",
        "imageBuiltAt": "2026-11-01T00:00:00Z",
    }
    me = deployment.get_json("/api/v1/users/me")
    assert me["data"]["email"] == "anonymousUser"


def test_unset_means_disabled(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment(None)
    assert "APPSMITH_DISABLE_TELEMETRY" not in deployment.env_file.read_text()
    deployment.up()
    deployment.wait_healthy()

    assert _enable_telemetry(deployment.get_json("/api/v1/users/me")) is False


def test_container_environment_overrides_docker_env(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment("false", environment={"APPSMITH_DISABLE_TELEMETRY": "true"})
    deployment.up()
    deployment.wait_healthy()

    assert _enable_telemetry(deployment.get_json("/api/v1/users/me")) is False
    env = deployment.inspect()["Config"]["Env"]
    assert "APPSMITH_DISABLE_TELEMETRY=true" in env
    # docker.env is read by the entrypoint, not passed by compose: docker inspect does not show it.
    assert not any(entry.startswith("APPSMITH_DB_URL=") for entry in env)


def test_first_boot_creates_docker_env(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment(write_env_file=False)
    assert not deployment.env_file.exists()
    deployment.up()
    deployment.wait_healthy()

    assert "APPSMITH_DISABLE_TELEMETRY=false\n" in deployment.env_file.read_text()
    assert _enable_telemetry(deployment.get_json("/api/v1/users/me")) is True


def test_recreate_applies_an_edited_docker_env(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment("false")
    deployment.up()
    deployment.wait_healthy()
    assert _enable_telemetry(deployment.get_json("/api/v1/users/me")) is True
    before = deployment.container_id()

    text = deployment.env_file.read_text()
    deployment.env_file.write_text(
        text.replace("APPSMITH_DISABLE_TELEMETRY=false", "APPSMITH_DISABLE_TELEMETRY=true")
    )
    deployment.recreate()  # docker-compose rm -fsv appsmith && docker-compose up -d
    deployment.wait_healthy()

    assert deployment.container_id() != before
    assert _enable_telemetry(deployment.get_json("/api/v1/users/me")) is False


def test_invalid_value_stops_the_server(appsmith_deployment: DeploymentFactory) -> None:
    """Not a Spring boolean, whether in docker.env or in the container environment: the server fails."""
    cases = {
        "APPSMITH_DISABLE_TELEMETRY='maybe'": appsmith_deployment("maybe", restart="no"),
        "APPSMITH_DISABLE_TELEMETRY=''": appsmith_deployment("", restart="no"),
        "APPSMITH_DISABLE_TELEMETRY='enabled'": appsmith_deployment(
            "true", environment={"APPSMITH_DISABLE_TELEMETRY": "enabled"}, restart="no"
        ),
    }
    with ThreadPoolExecutor() as pool:
        list(pool.map(Deployment.up, cases.values()))

    for message, deployment in cases.items():
        state = deployment.wait_state(lambda s: s["Status"] == "exited")
        assert state["ExitCode"] == 1
        assert f"{message} is not a boolean" in deployment.logs()


def test_value_is_trimmed_like_spring(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment("false", environment={"APPSMITH_DISABLE_TELEMETRY": " Yes\t"})
    deployment.up()
    deployment.wait_healthy()

    assert _enable_telemetry(deployment.get_json("/api/v1/users/me")) is False


def test_crash_on_start_leaves_container_exited(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment(environment={"STANDIN_CRASH": "1"}, restart="no")
    deployment.up()

    state = deployment.wait_state(lambda s: s["Status"] == "exited")
    assert state["ExitCode"] == 1
    assert state["Running"] is False
    assert "STANDIN_CRASH=1" in deployment.logs()


def test_crash_on_start_with_restart_policy_keeps_restarting(appsmith_deployment: DeploymentFactory) -> None:
    """With Appsmith's `restart: unless-stopped`, a crashing container is never healthy and never
    stays "exited": docker reports it restarting, with Running true, and no published port."""
    deployment = appsmith_deployment(environment={"STANDIN_CRASH": "1"})
    deployment.up()

    state = deployment.wait_state(lambda s: s["Restarting"] and s["ExitCode"] == 1)
    assert state["Status"] == "restarting"
    assert deployment.inspect()["RestartCount"] >= 1


def test_boot_delay_serves_info_before_health(appsmith_deployment: DeploymentFactory) -> None:
    deployment = appsmith_deployment(environment={"STANDIN_BOOT_DELAY": "3"})
    deployment.up()

    status, _ = deployment.wait_http("/info", timeout=10)
    assert status == 200
    status, _ = deployment.http_get("/api/v1/health")
    assert status == 404
    assert deployment.inspect()["State"]["Health"]["Status"] == "starting"
    deployment.wait_healthy(timeout=20)
    assert deployment.wait_state(lambda s: s["Health"]["Status"] == "healthy", timeout=10)


def test_deployments_run_side_by_side(appsmith_deployment: DeploymentFactory) -> None:
    first = appsmith_deployment("true")
    second = appsmith_deployment("false")
    first.up()
    second.up()
    first_port = first.wait_healthy()
    second_port = second.wait_healthy()

    assert first_port != second_port
    assert first.project != second.project
    assert _enable_telemetry(first.get_json("/api/v1/users/me")) is False
    assert _enable_telemetry(second.get_json("/api/v1/users/me")) is True


def test_container_name_and_image_as_docker_reports_them(appsmith_deployment: DeploymentFactory) -> None:
    name = f"appsmith-e2e-{secrets.token_hex(3)}"  # not "appsmith": a real one may run on this machine
    deployment = appsmith_deployment(container_name=name)
    deployment.up()
    deployment.wait_healthy()

    inspected = deployment.inspect()
    assert inspected["Config"]["Image"] == STANDIN_IMAGE
    assert inspected["Name"] == f"/{name}"
    assert inspected["Config"]["Labels"]["com.docker.compose.project.working_dir"] == str(deployment.path)
    mounts = {m["Destination"]: m["Source"] for m in inspected["Mounts"]}
    assert mounts["/appsmith-stacks"] == str(deployment.path / "stacks")
