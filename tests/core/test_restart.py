"""Tests for the restart plan (remove and recreate, never `compose restart`) and for finding compose v2 or
v1."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.core.deployment import load_deployment
from panel.core.docker import DockerError, DockerProblem
from panel.core.restart import REMOVE_TIMEOUT, START_TIMEOUT, ComposeTool, detect_compose_tool, plan_restart
from tests.conftest import SINGLE_COMPOSE, Answer, FakeBin, write_single_deployment


@pytest.mark.parametrize(
    ("tool", "prefix"), [(ComposeTool.V2, ("docker", "compose")), (ComposeTool.V1, ("docker-compose",))]
)
def test_plan_single(single_deployment: Path, tool: ComposeTool, prefix: tuple[str, ...]) -> None:
    plan = plan_restart(load_deployment(single_deployment), tool)
    assert plan.remove.argv == (*prefix, "-f", "docker-compose.yml", "rm", "-fsv", "--", "appsmith")
    assert plan.start.argv == (*prefix, "-f", "docker-compose.yml", "up", "-d")
    assert plan.commands == (plan.remove, plan.start)
    assert plan.remove.cwd == plan.start.cwd == single_deployment
    assert (plan.remove.timeout, plan.start.timeout) == (REMOVE_TIMEOUT, START_TIMEOUT)
    assert plan.remove.purpose == "Stop and remove the Appsmith container"


@pytest.mark.parametrize(
    ("tool", "prefix"), [(ComposeTool.V2, ("docker", "compose")), (ComposeTool.V1, ("docker-compose",))]
)
def test_plan_legacy(legacy_deployment: Path, tool: ComposeTool, prefix: tuple[str, ...]) -> None:
    plan = plan_restart(load_deployment(legacy_deployment), tool)
    assert plan.remove.argv == (
        *prefix,
        "-f",
        "docker-compose.yml",
        "rm",
        "-fsv",
        "--",
        "appsmith-internal-server",
        "nginx",
    )
    assert plan.start.argv == (*prefix, "-f", "docker-compose.yml", "up", "-d")
    assert plan.remove.purpose == "Stop and remove the Appsmith containers"


@pytest.mark.parametrize("name", ["compose.yaml", "docker-compose.yaml"])
def test_plan_names_the_compose_file_in_use(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / name).write_text(SINGLE_COMPOSE)
    plan = plan_restart(load_deployment(folder), ComposeTool.V2)
    assert plan.remove.argv[2:4] == ("-f", name)
    assert plan.start.argv[2:4] == ("-f", name)


@pytest.mark.parametrize("tool", list(ComposeTool))
def test_plan_never_uses_compose_restart(
    single_deployment: Path, legacy_deployment: Path, tool: ComposeTool
) -> None:
    for folder in (single_deployment, legacy_deployment):
        for command in plan_restart(load_deployment(folder), tool).commands:
            assert "restart" not in command.argv


def test_shell_text_quotes_the_folder(tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / 'my "apps" $(rm -rf ~)')
    plan = plan_restart(load_deployment(folder), ComposeTool.V1)
    text = plan.shell_text()
    assert text.splitlines() == [
        f"cd '{folder}'",
        "docker-compose -f docker-compose.yml rm -fsv -- appsmith",
        "docker-compose -f docker-compose.yml up -d",
    ]
    assert plan.remove.cwd == folder  # the folder is a cwd, never part of a command line
    assert str(plan.start) == "docker-compose -f docker-compose.yml up -d"


def test_compose_tool_argv() -> None:
    assert ComposeTool.V2.argv == ("docker", "compose")
    assert ComposeTool.V1.argv == ("docker-compose",)


# --- detect_compose_tool with fake programs on PATH
# ---------------------------------------------------------------


@pytest.fixture
def only_fakes(fake_bin: FakeBin, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    """PATH holds nothing but the fake programs, so the machine's own docker never answers."""
    monkeypatch.setenv("PATH", str(fake_bin.folder))
    return fake_bin


def test_detect_v2(only_fakes: FakeBin) -> None:
    only_fakes.add("docker", Answer(("compose", "version"), stdout="Docker Compose version v2.24.6\n"))
    only_fakes.add("docker-compose", stdout="docker-compose version 1.29.2\n")
    assert detect_compose_tool() is ComposeTool.V2
    assert only_fakes.calls() == [["docker", "compose", "version"]]


def test_detect_v1_when_the_plugin_is_missing(only_fakes: FakeBin) -> None:
    only_fakes.add(
        "docker", Answer(("compose",), stderr="docker: 'compose' is not a docker command.\n", exit_code=1)
    )
    only_fakes.add(
        "docker-compose", Answer(("version",), stdout="docker-compose version 1.29.2, build unknown\n")
    )
    assert detect_compose_tool() is ComposeTool.V1
    assert only_fakes.calls() == [["docker", "compose", "version"], ["docker-compose", "version"]]


def test_detect_v1_without_docker(only_fakes: FakeBin) -> None:
    only_fakes.add("docker-compose", stdout="docker-compose version 1.29.2\n")
    assert detect_compose_tool() is ComposeTool.V1


def test_detect_neither_installed(only_fakes: FakeBin) -> None:
    with pytest.raises(DockerError) as raised:
        detect_compose_tool()
    assert raised.value.problem is DockerProblem.MISSING
    assert "not found on PATH" in raised.value.message


def test_detect_docker_without_any_compose(only_fakes: FakeBin) -> None:
    only_fakes.add("docker", stderr="docker: 'compose' is not a docker command.\n", exit_code=1)
    with pytest.raises(DockerError) as raised:
        detect_compose_tool()
    assert raised.value.problem is DockerProblem.MISSING
    assert "docker compose" in raised.value.message and "docker-compose" in raised.value.message


def test_detect_a_hanging_plugin_falls_back(only_fakes: FakeBin, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from panel.core import restart

    real_run = subprocess.run

    def quick(*args: object, **kwargs: object) -> object:
        kwargs["timeout"] = 0.5
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(restart.subprocess, "run", quick)
    only_fakes.add_script("docker", "import time\ntime.sleep(30)\n")
    only_fakes.add("docker-compose", stdout="docker-compose version 1.29.2\n")
    assert detect_compose_tool() is ComposeTool.V1
