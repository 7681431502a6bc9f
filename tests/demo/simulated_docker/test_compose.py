"""The simulator reads a compose file as compose does: `.env` beside it, the shell's environment on top, every
value interpolated, and a required variable without a value refused before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.demo.simulated_docker.compose import Project
from panel.demo.simulated_docker.console import SimulationError

COMPOSE = """\
services:
  appsmith:
    image: index.docker.io/appsmith/appsmith-ce:${TAG:-${FALLBACK_TAG}}
    container_name: ${NAME-unused}
    ports: ["${HTTP_PORT:-80}:80"]
    environment:
      APPSMITH_DISABLE_TELEMETRY: ${SWITCH:?set SWITCH in .env}
      LITERAL: "$${NOT_A_VARIABLE}"
"""


def write(folder: Path, dot_env: str) -> Path:
    (folder / ".env").write_text(dot_env, encoding="utf-8")
    compose_file = folder / "docker-compose.yml"
    compose_file.write_text(COMPOSE, encoding="utf-8")
    return compose_file


def test_values_come_from_dot_env_then_the_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAG", raising=False)
    monkeypatch.setenv("HTTP_PORT", "8080")
    monkeypatch.setenv("SWITCH", " off")
    project = Project(write(tmp_path, "FALLBACK_TAG=v1.9\nNAME=\nSWITCH=true\nHTTP_PORT=9\n"), None)
    service = project.services["appsmith"]
    assert service["image"] == "index.docker.io/appsmith/appsmith-ce:v1.9"
    assert project.container_name("appsmith") == f"{project.name}_appsmith_1"  # NAME is set, but empty
    assert project.port_bindings("appsmith") == {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
    assert project.environment("appsmith") == {
        "APPSMITH_DISABLE_TELEMETRY": " off",
        "LITERAL": "${NOT_A_VARIABLE}",
    }


def test_a_required_variable_without_a_value_stops_compose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWITCH", raising=False)
    with pytest.raises(SimulationError) as raised:
        Project(write(tmp_path, "SWITCH=\n"), None)
    assert raised.value.message == (
        "error while interpolating services.appsmith.environment.APPSMITH_DISABLE_TELEMETRY: "
        "required variable SWITCH is missing a value: set SWITCH in .env"
    )
