"""Tests for the status: reading the env file safely, and the verdict from file, override and running
instance."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from panel.core import containers, docker
from panel.core.containers import ContainerState
from panel.core.deployment import Deployment, Layout, Override, load_deployment
from panel.core.docker import DockerError, DockerProblem
from panel.core.envfile import EnvText, SwitchState
from panel.core.instance import Health, ServerReport
from panel.core.nginx import check_template
from panel.core.status import (
    FileState,
    RunningState,
    Status,
    Verdict,
    assemble,
    gather,
    query_containers,
    query_running,
    read_file_state,
    start_command,
    with_file_read_again,
)
from tests.conftest import (
    DAEMON_DOWN,
    LEGACY_NGINX_TEMPLATE,
    SECRET_VALUES,
    STATUS_JSON_KEYS,
    Answer,
    FakeBin,
    assert_no_secret,
    inspect_document,
)

MTIME = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)


def _deployment(
    layout: Layout = Layout.SINGLE,
    override: str | None = None,
    folder: Path = Path("/srv/appsmith"),
    warnings: tuple[str, ...] = (),
    image: str | None = None,
) -> Deployment:
    legacy = layout is Layout.LEGACY
    server = "appsmith-internal-server" if legacy else "appsmith"
    overrides = () if override is None else (Override(server, "docker-compose.yml (environment:)", override),)
    return Deployment(
        folder=folder,
        compose_file=folder / "docker-compose.yml",
        layout=layout,
        env_file=folder / ("docker.env" if legacy else "stacks/configuration/docker.env"),
        server_service=server,
        services_to_recreate=("appsmith-internal-server", "nginx") if legacy else ("appsmith",),
        image=image or ("appsmith/appsmith-server" if legacy else "index.docker.io/appsmith/appsmith-ee"),
        container_name=None if legacy else "appsmith",
        overrides=overrides,
        nginx_template=folder / "data/nginx/app.conf.template" if legacy else None,
        warnings=warnings,
    )


MISSING = object()


def _file(
    content: bytes | object, path: Path = Path("/srv/appsmith/stacks/configuration/docker.env")
) -> FileState:
    """A FileState as read_file_state makes it: `MISSING` for no file, else the file's bytes."""
    if content is MISSING:
        return FileState(path, False, False, False, None, None, error=f"{path} does not exist yet.")
    assert isinstance(content, bytes)
    parsed = EnvText.parse(content)
    return FileState(path, True, True, True, parsed.reading(), MTIME, decodable=parsed.decodable)


def _container(
    service: str = "appsmith",
    running: bool = True,
    started: datetime | None = MTIME + timedelta(hours=1),
    telemetry_env: str | None = None,
    http_port: int | None = 80,
) -> ContainerState:
    return ContainerState(
        id="c" * 64,
        name=service,
        service=service,
        status="running" if running else "exited",
        running=running,
        started_at=started,
        finished_at=None,
        exit_code=0 if running else 137,
        restarting=False,
        image="index.docker.io/appsmith/appsmith-ee",
        health="healthy" if running else None,
        http_port=http_port,
        http_binding="0.0.0.0",
        telemetry_env=telemetry_env,
    )


def _server(enable: bool | None, version: str | None = "v1.9.57") -> ServerReport:
    return ServerReport(Health.UP, "All systems are up", version, enable, "")


V1_9, V1_6_8, V1_6_9 = (
    f"index.docker.io/appsmith/appsmith-ce:{tag}" for tag in ("v1.9.57", "v1.6.8", "v1.6.9")
)


DAEMON_ERROR = DockerError(DockerProblem.DAEMON_DOWN, "The Docker daemon is not running.", DAEMON_DOWN)
BEFORE, AFTER = MTIME - timedelta(hours=1), MTIME + timedelta(hours=1)


@dataclass(frozen=True)
class Case:
    file: bytes | object
    running: RunningState
    verdict: Verdict
    effective_on: bool | None
    verified: bool
    winner: str = "file"
    override: str | None = None
    layout: Layout = Layout.SINGLE
    image: str | None = None
    """The compose `image:`; untagged (so 'latest', version unknown) unless given."""


def _running(
    container: ContainerState | None = None,
    server: ServerReport | None = None,
    error: DockerError | None = None,
) -> RunningState:
    return RunningState(() if container is None else (container,), server, error)


OFF, ON, UNSET, INVALID = (
    b"APPSMITH_DISABLE_TELEMETRY=true\n",
    b"APPSMITH_DISABLE_TELEMETRY=false\n",
    b"A=1\n",
    b"APPSMITH_DISABLE_TELEMETRY=maybe\n",
)

CASES = {
    # file only: nothing runs
    "on, nothing runs": Case(ON, _running(), Verdict.DOWN, True, False),
    "off, nothing runs": Case(OFF, _running(), Verdict.DOWN, False, False),
    "unset is the server default, off": Case(
        UNSET, _running(error=DAEMON_ERROR), Verdict.DISABLED, False, False
    ),
    "invalid": Case(INVALID, _running(error=DAEMON_ERROR), Verdict.INVALID, None, False),
    "empty value is invalid": Case(
        b"APPSMITH_DISABLE_TELEMETRY=\n", _running(error=DAEMON_ERROR), Verdict.INVALID, None, False
    ),
    "bare key is invalid": Case(
        b"APPSMITH_DISABLE_TELEMETRY\n", _running(error=DAEMON_ERROR), Verdict.INVALID, None, False
    ),
    "file missing": Case(MISSING, _running(), Verdict.DOWN, None, False),
    "container stopped": Case(OFF, _running(_container(running=False)), Verdict.DOWN, False, False),
    "docker error": Case(OFF, _running(error=DAEMON_ERROR), Verdict.DISABLED, False, False),
    # Appsmith is not running: said first, whatever the switch says
    "crash loop": Case(ON, _running(replace(_container(), restarting=True)), Verdict.DOWN, True, False),
    "invalid and exited": Case(INVALID, _running(_container(running=False)), Verdict.DOWN, None, False),
    # container running, the server does not report the value: start time against the file's
    "started after the change": Case(
        OFF, _running(_container(started=AFTER)), Verdict.DISABLED, False, False
    ),
    "started at the change": Case(OFF, _running(_container(started=MTIME)), Verdict.DISABLED, False, False),
    "started before the change (off)": Case(
        OFF, _running(_container(started=BEFORE)), Verdict.PENDING_RESTART, None, False
    ),
    "started before the change (on)": Case(
        ON, _running(_container(started=BEFORE)), Verdict.PENDING_RESTART, None, False
    ),
    "old server without the field, after": Case(
        ON, _running(_container(started=AFTER), _server(None)), Verdict.ENABLED, True, False
    ),
    "old server without the field, before": Case(
        ON, _running(_container(started=BEFORE), _server(None)), Verdict.PENDING_RESTART, None, False
    ),
    # the server reports its own value
    "server confirms off": Case(
        OFF, _running(_container(started=BEFORE), _server(False)), Verdict.DISABLED, False, True
    ),
    "server confirms on": Case(ON, _running(_container(), _server(True)), Verdict.ENABLED, True, True),
    "server confirms the unset default": Case(
        UNSET, _running(_container(), _server(False)), Verdict.DISABLED, False, True
    ),
    "server still on": Case(
        OFF,
        _running(_container(started=AFTER), _server(True)),
        Verdict.PENDING_RESTART,
        True,
        False,
        "running instance",
    ),
    "server still off": Case(
        ON, _running(_container(), _server(False)), Verdict.PENDING_RESTART, False, False, "running instance"
    ),
    "unset but server on": Case(
        UNSET, _running(_container(), _server(True)), Verdict.PENDING_RESTART, True, False, "running instance"
    ),
    "invalid, server says on": Case(
        INVALID, _running(_container(), _server(True)), Verdict.INVALID, True, False
    ),
    "file missing, server says on": Case(
        MISSING, _running(_container(), _server(True)), Verdict.UNKNOWN, True, False, "running instance"
    ),
    "file missing, docker error": Case(MISSING, _running(error=DAEMON_ERROR), Verdict.UNKNOWN, None, False),
    # compose overrides docker.env
    "override off": Case(
        ON, _running(error=DAEMON_ERROR), Verdict.OVERRIDDEN, False, False, "override", "true", image=V1_9
    ),
    "override on": Case(OFF, _running(), Verdict.DOWN, True, False, "override", "false", image=V1_9),
    # which of compose and docker.env wins depends on the version (e85b34d, first in v1.6.9)
    "v1.6.8: docker.env wins over compose": Case(
        ON, _running(error=DAEMON_ERROR), Verdict.ENABLED, True, False, "file", "true", image=V1_6_8
    ),
    "v1.6.8: docker.env wins, and the server confirms": Case(
        OFF,
        _running(_container(), _server(False, None)),
        Verdict.DISABLED,
        False,
        True,
        "file",
        "false",
        image=V1_6_8,
    ),
    "v1.6.8, docker.env does not set it: compose applies": Case(
        UNSET,
        _running(error=DAEMON_ERROR),
        Verdict.OVERRIDDEN,
        False,
        False,
        "override",
        "true",
        image=V1_6_8,
    ),
    "v1.6.9: compose wins": Case(
        ON, _running(error=DAEMON_ERROR), Verdict.OVERRIDDEN, False, False, "override", "true", image=V1_6_9
    ),
    "version unknown, values differ: both said, nothing guessed": Case(
        ON, _running(error=DAEMON_ERROR), Verdict.UNKNOWN, None, False, "override", "true"
    ),
    "version unknown, values differ, Appsmith down": Case(
        OFF, _running(), Verdict.DOWN, None, False, "override", "false"
    ),
    "version unknown, the server's report tells docker.env won": Case(
        ON, _running(_container(), _server(True, None)), Verdict.ENABLED, True, True, "file", "true"
    ),
    "version unknown, the server's report tells compose won": Case(
        ON, _running(_container(), _server(False, None)), Verdict.OVERRIDDEN, False, True, "override", "true"
    ),
    "version unknown, values agree": Case(
        OFF, _running(error=DAEMON_ERROR), Verdict.OVERRIDDEN, False, False, "override", "true"
    ),
    "/info names the version when the tag does not": Case(
        ON,
        _running(_container(), _server(False, "v1.6.5")),
        Verdict.PENDING_RESTART,
        False,
        False,
        "running instance",
        "true",
    ),
    "override confirmed": Case(
        ON, _running(_container(), _server(False)), Verdict.OVERRIDDEN, False, True, "override", "true"
    ),
    "override not applied yet": Case(
        ON, _running(_container(), _server(True)), Verdict.PENDING_RESTART, True, False, "override", "true"
    ),
    "override invalid": Case(OFF, _running(), Verdict.DOWN, None, False, "override", "maybe"),
    "override with file missing": Case(
        MISSING, _running(error=DAEMON_ERROR), Verdict.OVERRIDDEN, False, False, "override", "yes"
    ),
    "override, docker error": Case(
        ON, _running(error=DAEMON_ERROR), Verdict.OVERRIDDEN, False, False, "override", "1", image=V1_9
    ),
    # legacy: the server container's environment is evidence
    "legacy env agrees": Case(
        ON,
        _running(_container("appsmith-internal-server", telemetry_env="false")),
        Verdict.ENABLED,
        True,
        True,
        layout=Layout.LEGACY,
    ),
    "legacy env differs": Case(
        ON,
        _running(_container("appsmith-internal-server", telemetry_env="true")),
        Verdict.PENDING_RESTART,
        False,
        False,
        "running instance",
        layout=Layout.LEGACY,
    ),
    "legacy env lacks the key (server default off)": Case(
        ON,
        _running(_container("appsmith-internal-server", telemetry_env=None)),
        Verdict.PENDING_RESTART,
        False,
        False,
        "running instance",
        layout=Layout.LEGACY,
    ),
    "legacy container stopped": Case(
        OFF,
        _running(_container("appsmith-internal-server", running=False, telemetry_env="false")),
        Verdict.DOWN,
        False,
        False,
        layout=Layout.LEGACY,
    ),
    "legacy nginx only": Case(
        OFF,
        _running(_container("nginx", telemetry_env="false")),
        Verdict.DOWN,
        False,
        False,
        layout=Layout.LEGACY,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_assemble(case: Case) -> None:
    deployment = _deployment(case.layout, case.override, image=case.image)
    status = assemble(deployment, _file(case.file, deployment.env_file), case.running)
    assert (status.verdict, status.effective_on, status.verified, status.winner) == (
        case.verdict,
        case.effective_on,
        case.verified,
        case.winner,
    )
    assert status.pending_restart is (case.verdict is Verdict.PENDING_RESTART)
    assert status.reason
    # a state that asks something of the operator says what; a healthy one says nothing
    assert status.advice or status.verdict in (Verdict.ENABLED, Verdict.DISABLED)
    assert "Nothing to do" not in status.advice
    assert assemble(deployment, _file(case.file, deployment.env_file), case.running) == status  # pure


def test_configured_is_the_winning_layer() -> None:
    status = assemble(_deployment(override="true"), _file(ON), _running())
    assert status.configured is SwitchState.DISABLED
    assert status.override == status.deployment.overrides[-1]


@pytest.mark.parametrize(
    ("override", "image", "decides"),
    [
        (None, V1_9, True),
        ("true", V1_6_8, True),
        ("true", V1_6_9, False),
        ("true", None, False),
    ],
    ids=["no override", "v1.6.8: docker.env wins", "v1.6.9: compose wins", "version unknown"],
)
def test_file_decides_follows_the_precedence_not_the_override_alone(
    override: str | None, image: str | None, decides: bool
) -> None:
    status = assemble(_deployment(override=override, image=image), _file(ON), _running(error=DAEMON_ERROR))
    assert status.file_decides is decides


def test_reasons_name_what_decides() -> None:
    pending = assemble(_deployment(), _file(OFF), _running(_container(started=BEFORE)))
    assert "changed after the container started" in pending.reason
    assert "Recreate" in pending.advice
    overridden = assemble(_deployment(override="true", image=V1_9), _file(ON), _running(error=DAEMON_ERROR))
    assert (
        "docker-compose.yml (environment:)" in overridden.reason
        and "docker.env is ignored" in overridden.reason
    )
    docker_down = assemble(_deployment(), _file(OFF), _running(error=DAEMON_ERROR))
    assert DAEMON_ERROR.message in docker_down.reason
    invalid = assemble(_deployment(), _file(INVALID), _running(error=DAEMON_ERROR))
    assert "maybe" not in invalid.reason and "cannot read as true or false" in invalid.reason
    assert "Enable or Disable" in invalid.advice
    assert invalid.to_json()["file"]["value"] == "invalid (hidden)"
    unset = assemble(_deployment(), _file(UNSET), _running(error=DAEMON_ERROR))
    assert "server default is disabled" in unset.reason


def test_appsmith_down_is_said_first_with_how_to_start_it() -> None:
    """Issue 13: docker answered and no server container runs: the verdict says Appsmith is down, what the
    switch will be at its next start, and the command that starts it; never "Nothing to do"."""
    down = assemble(_deployment(), _file(OFF), _running(_container(running=False)))
    assert down.verdict is Verdict.DOWN and down.effective_on is False and not down.verified
    assert down.reason.startswith("Its container appsmith is exited (exit code 137).")
    assert down.verdict.label == "Appsmith is not running"
    assert "When it starts it reads telemetry off from docker.env." in down.reason
    assert (
        down.advice.startswith("Start it with: cd ")
        and "docker compose -f docker-compose.yml up -d" in down.advice
    )
    assert "Nothing to do" not in down.advice
    assert down.to_json()["verdict"] == "appsmith-down"
    never_started = assemble(_deployment(), _file(ON), _running())
    assert "No Appsmith container from this folder exists." in never_started.reason
    crash_loop = assemble(_deployment(), _file(ON), _running(replace(_container(), restarting=True)))
    assert "crashing and restarting in a loop" in crash_loop.reason
    invalid = assemble(_deployment(), _file(INVALID), _running(_container(running=False)))
    assert invalid.verdict is Verdict.DOWN and "cannot read (not shown)" in invalid.reason
    assert "maybe" not in invalid.reason


def test_the_start_command_keeps_the_override_and_its_block(single_deployment: Path) -> None:
    """Issue 15: `-f docker-compose.yml` alone would drop the override, and a block with it; the command
    names the same files as the panel's own recreate."""
    from panel.core.egress_block import DEFAULT_OVERRIDE, prepare_block, write_block
    from panel.core.restart import ComposeTool, plan_restart

    deployment = load_deployment(single_deployment)
    assert start_command(deployment).endswith("&& docker compose -f docker-compose.yml up -d")
    write_block(prepare_block(deployment))
    command = start_command(deployment)
    assert command.endswith(f"&& docker compose -f docker-compose.yml -f {DEFAULT_OVERRIDE} up -d")
    recreate = plan_restart(deployment, ComposeTool.V2).start.argv
    assert " ".join(recreate) in command
    down = assemble(deployment, read_file_state(deployment.env_file), _running())
    assert f"-f {DEFAULT_OVERRIDE} up -d" in down.advice


def test_invalid_override_advice_points_at_the_compose_file() -> None:
    """Writing docker.env cannot fix a value that compose overrides: the advice must say where to fix it."""
    status = assemble(_deployment(override="maybe"), _file(ON), _running(_container(), _server(None)))
    assert status.verdict is Verdict.INVALID
    assert "docker-compose.yml" in status.advice


def test_warnings_collect_deployment_duplicates_unparsed_and_nginx() -> None:
    deployment = _deployment(Layout.LEGACY, warnings=("Several compose files here.",))
    file = replace(
        _file(ON),
        duplicates=("APPSMITH_DISABLE_TELEMETRY appears on lines 1, 5; the last one wins.",),
        unparsed_lines=(3,),
    )
    nginx = check_template(LEGACY_NGINX_TEMPLATE)
    status = assemble(deployment, file, _running(), nginx)
    assert status.warnings[0] == "Several compose files here."
    assert "lines 1, 5" in status.warnings[1]
    assert "Lines 3 of docker.env could not be parsed." in status.warnings[2]
    assert "missing from the HTTP and HTTPS" in status.warnings[3]
    assert "does not do what the server does" in status.warnings[3], "browser off on old builds, server on"
    off = assemble(deployment, replace(file, reading=_file(OFF).reading), _running(), nginx)
    assert not any("sub_filter" in warning for warning in off.warnings), "no line, telemetry off: they agree"
    assert off.nginx is not None and off.nginx.ok and not off.nginx.has_line


# --- to_json
# -----------------------------------------------------------------------------------------------------


def _full_status() -> Status:
    deployment = _deployment(Layout.LEGACY, override="true")
    running = RunningState((_container("appsmith-internal-server"),), _server(False), None)
    return assemble(
        deployment, _file(OFF, deployment.env_file), running, check_template(LEGACY_NGINX_TEMPLATE)
    )


def test_to_json_has_the_documented_keys() -> None:
    document = _full_status().to_json()
    assert set(document) == STATUS_JSON_KEYS
    assert set(document["file"]) == {
        "exists",
        "writable",
        "value",
        "state",
        "line",
        "duplicates",
        "modified",
        "error",
    }
    assert set(document["override"]) == {"service", "source", "value", "state"}
    assert set(document["container"]) == {
        "name",
        "status",
        "running",
        "started_at",
        "image",
        "edition",
        "http_port",
    }
    assert set(document["server"]) == {"health", "detail", "version", "enable_telemetry"}
    assert set(document["nginx"]) == {"ok", "missing", "has_line", "client_build", "line_needed"}
    json.dumps(document)


def test_to_json_values() -> None:
    document = _full_status().to_json()
    assert document["layout"] == "multi-container"
    assert document["file"] == {
        "exists": True,
        "writable": True,
        "value": "true",
        "state": "disabled",
        "line": 1,
        "duplicates": [],
        "modified": "2024-05-01T10:00:00Z",
        "error": None,
    }
    assert document["override"] == {
        "service": "appsmith-internal-server",
        "source": "docker-compose.yml (environment:)",
        "value": "true",
        "state": "disabled",
    }
    assert document["container"]["started_at"] == "2024-05-01T11:00:00Z"
    assert document["container"]["edition"] == "EE"
    assert document["server"]["enable_telemetry"] is False
    assert document["nginx"] == {
        "ok": True,  # no line and telemetry off: the browser sends nothing, as the server
        "missing": ["HTTP", "HTTPS"],
        "has_line": False,
        "client_build": "unknown",
        "line_needed": True,
    }
    assert document["verdict"] == "overridden"
    assert document["telemetry_on"] is False
    assert document["verified"] is True
    assert document["pending_restart"] is False
    assert document["winner"] == "override"


def test_to_json_with_nothing_known() -> None:
    deployment = _deployment()
    document = assemble(
        deployment, _file(MISSING, deployment.env_file), _running(error=DAEMON_ERROR)
    ).to_json()
    assert set(document) == STATUS_JSON_KEYS
    assert document["file"]["exists"] is False and document["file"]["state"] is None
    assert document["file"]["line"] is None and document["file"]["modified"] is None
    assert document["override"] is None and document["container"] is None and document["server"] is None
    assert document["nginx"] is None
    assert document["docker_error"] == {"problem": "daemon-down", "message": DAEMON_ERROR.message}
    assert document["verdict"] == "unknown" and document["telemetry_on"] is None


# --- read_file_state
# -------------------------------------------------------------------------------------------


def test_read_file_state(single_deployment: Path) -> None:
    path = single_deployment / "stacks" / "configuration" / "docker.env"
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    state = read_file_state(path)
    assert state.exists and state.readable and state.writable and state.decodable
    assert state.state is SwitchState.ENABLED
    assert state.raw == "false"
    assert state.modified == MTIME
    assert state.error is None
    assert state.duplicates == ()
    assert state.symlink_target is None
    assert_no_secret(repr(state))


def test_read_file_state_missing(tmp_path: Path) -> None:
    state = read_file_state(tmp_path / "docker.env")
    assert (state.exists, state.readable, state.writable, state.reading, state.modified) == (
        False,
        False,
        False,
        None,
        None,
    )
    assert state.state is None
    assert (
        state.error is not None
        and "does not exist yet" in state.error
        and "docker-compose up -d" in state.error
    )


def test_read_file_state_reports_duplicates_and_unparsed_lines(tmp_path: Path) -> None:
    path = tmp_path / "docker.env"
    path.write_bytes(
        b"APPSMITH_DISABLE_TELEMETRY=true\nthis is not valid\nAPPSMITH_DISABLE_TELEMETRY=false\n"
    )
    state = read_file_state(path)
    assert state.duplicates == (
        "APPSMITH_DISABLE_TELEMETRY appears on lines 1, 3; the last one (line 3) wins.",
    )
    assert state.unparsed_lines == (2,)
    assert state.state is SwitchState.ENABLED


def test_read_file_state_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "docker.env"
    path.write_bytes(b"APPSMITH_MAIL_FROM=caf\xe9\nAPPSMITH_DISABLE_TELEMETRY=true\n")
    state = read_file_state(path)
    assert state.readable and not state.decodable
    assert state.state is SwitchState.DISABLED
    assert state.error is not None and "not valid UTF-8" in state.error


def test_read_file_state_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real" / "docker.env"
    target.parent.mkdir()
    target.write_bytes(b"APPSMITH_DISABLE_TELEMETRY=true\n")
    link = tmp_path / "docker.env"
    link.symlink_to(target)
    state = read_file_state(link)
    assert state.symlink_target == target
    assert state.path == link
    assert state.state is SwitchState.DISABLED


def test_read_file_state_directory(tmp_path: Path) -> None:
    state = read_file_state(tmp_path)
    assert not state.readable
    assert state.error is not None and "cannot be read" in state.error


def test_read_file_state_unreadable_as_another_user(world_tmp: Path, as_nobody) -> None:  # type: ignore[no-untyped-def]
    path = world_tmp / "docker.env"
    path.write_bytes(b"APPSMITH_DISABLE_TELEMETRY=true\n")
    path.chmod(0o000)
    state = as_nobody(read_file_state, path)
    assert (state.exists, state.readable, state.writable, state.reading) == (True, False, False, None)
    assert "cannot be read by user nobody" in state.error
    assert "holds Appsmith's secrets, so keep it private" in state.error
    assert "chmod o+r" not in state.error  # never advise making the secrets readable to everyone


def test_read_file_state_readable_but_not_writable(world_tmp: Path, as_nobody) -> None:  # type: ignore[no-untyped-def]
    path = world_tmp / "docker.env"
    path.write_bytes(b"APPSMITH_DISABLE_TELEMETRY=true\n")
    path.chmod(0o644)
    state = as_nobody(read_file_state, path)
    assert state.readable and not state.writable
    assert state.state is SwitchState.DISABLED


def test_read_file_state_in_a_folder_others_cannot_enter(world_tmp: Path, as_nobody) -> None:  # type: ignore[no-untyped-def]
    """Appsmith creates stacks/configuration as root inside the container; it may be 0700."""
    folder = world_tmp / "configuration"
    folder.mkdir()
    (folder / "docker.env").write_bytes(b"APPSMITH_DISABLE_TELEMETRY=true\n")
    folder.chmod(0o700)
    state = as_nobody(read_file_state, folder / "docker.env")
    assert not state.readable
    assert state.error is not None and "nobody" in state.error


# --- gather: the whole status with a fake docker
# ------------------------------------------------------------------


def _docker_answers(
    folder: Path, document: dict[str, object], server_elapsed: int | None = None
) -> tuple[Answer, ...]:
    """ps and inspect; `docker top` too when `server_elapsed` (the server process's age in seconds) is given,
    in the shape docker prints for `-o pid,etimes,args`."""
    ps_line = f"{document['Id']}\t{folder}\tappsmith\tindex.docker.io/appsmith/appsmith-ee\n"
    answers = [
        Answer(("ps",), stdout=ps_line + "ffff\t/elsewhere\tappsmith\tappsmith/appsmith-ce\n"),
        Answer(("inspect",), stdout=json.dumps([document])),
    ]
    if server_elapsed is not None:
        top = (
            "PID                 ELAPSED             COMMAND\n"
            "4242                999999              /usr/bin/python3 /usr/bin/supervisord -n\n"
            f"4301                {server_elapsed:<20}java -Dserver.port=8080 -jar server.jar\n"
        )
        answers.append(Answer(("top",), stdout=top))
    return tuple(answers)


def _not_changed_since_start(deployment: Path) -> None:
    """docker.env older than the container start in `inspect_document`, so no third docker call is needed."""
    env_file = deployment / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (MTIME.timestamp() - 60, MTIME.timestamp() - 60))


def test_gather_with_a_fake_docker(single_deployment: Path, fake_bin: FakeBin) -> None:
    env_file = single_deployment / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (MTIME.timestamp(), MTIME.timestamp()))
    document = inspect_document()
    document["State"]["StartedAt"] = "2024-05-01T09:00:00.5Z"  # before the file changed
    server_age = int((datetime.now(UTC) - MTIME).total_seconds()) + 600  # started before the file changed
    fake_bin.add("docker", *_docker_answers(single_deployment, document, server_age))
    status = gather(load_deployment(single_deployment), with_http=False)
    assert status.verdict is Verdict.PENDING_RESTART
    assert status.container is not None and status.container.name == "appsmith"
    ps_call, inspect_call, top_call = fake_bin.calls("docker")
    assert ps_call[1:3] == ["ps", "-a"]
    assert inspect_call == ["docker", "inspect", "--type", "container", document["Id"]]
    assert top_call == ["docker", "top", document["Id"], "-o", "pid,etimes,args"]
    assert_no_secret(json.dumps(status.to_json()) + repr(status))


def test_a_server_restarted_inside_the_container_has_read_the_change(
    single_deployment: Path, fake_bin: FakeBin
) -> None:
    """Admin Settings' Save & Restart writes docker.env and runs supervisorctl restart: the container keeps
    its start time, the server process is younger than the file, so the change is applied, not pending."""
    env_file = single_deployment / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (MTIME.timestamp(), MTIME.timestamp()))
    document = inspect_document()
    document["State"]["StartedAt"] = "2024-05-01T09:00:00.5Z"  # before the file changed
    server_age = int((datetime.now(UTC) - MTIME).total_seconds()) - 600  # started 10 min after the change
    fake_bin.add("docker", *_docker_answers(single_deployment, document, server_age))
    status = gather(load_deployment(single_deployment), with_http=False)
    assert status.verdict is Verdict.ENABLED, status.reason
    assert "server process" in status.reason
    assert status.running.server_started_at is not None and status.running.server_start_asked


def test_no_server_process_leaves_the_change_pending(single_deployment: Path, fake_bin: FakeBin) -> None:
    """docker top without a server.jar process (still starting, or docker cannot tell): the container's start
    decides, as before."""
    env_file = single_deployment / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (MTIME.timestamp(), MTIME.timestamp()))
    document = inspect_document()
    document["State"]["StartedAt"] = "2024-05-01T09:00:00.5Z"
    answers = _docker_answers(single_deployment, document)
    fake_bin.add("docker", *answers, Answer(("top",), stderr="Error response from daemon\n", exit_code=1))
    status = gather(load_deployment(single_deployment), with_http=False)
    assert status.verdict is Verdict.PENDING_RESTART
    assert status.running.server_start_asked and status.running.server_started_at is None


def test_gather_uses_the_early_inspect_and_asks_docker_each_question_once(
    single_deployment: Path, fake_bin: FakeBin
) -> None:
    document = inspect_document()
    _not_changed_since_start(single_deployment)
    fake_bin.add("docker", *_docker_answers(single_deployment, document))
    ps = docker.start(containers.PS_ARGV)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(containers.inspect_ahead, ps, single_deployment)
        status = gather(load_deployment(single_deployment), with_http=False, ps=ps, ahead=ahead)
    assert status.container is not None and status.container.id == document["Id"]
    assert [call[1] for call in fake_bin.calls("docker")] == ["ps", "inspect"]


def test_query_containers_asks_again_when_the_early_inspect_missed_a_container(
    single_deployment: Path, fake_bin: FakeBin
) -> None:
    document = inspect_document()
    fake_bin.add("docker", *_docker_answers(single_deployment, document))
    ps = docker.start(containers.PS_ARGV)
    missed: Future[containers.InspectedAhead | None] = Future()
    missed.set_result(containers.InspectedAhead(frozenset({"some-other-id"}), ()))
    found = query_containers(load_deployment(single_deployment), ps, missed)
    assert [state.id for state in found] == [document["Id"]]
    assert [call[1] for call in fake_bin.calls("docker")] == ["ps", "inspect"]


def test_gather_skips_inspect_when_no_container_belongs_to_the_folder(
    single_deployment: Path, fake_bin: FakeBin
) -> None:
    fake_bin.add("docker", Answer(("ps",), stdout="ffff\t/elsewhere\tappsmith\tappsmith/appsmith-ce\n"))
    status = gather(load_deployment(single_deployment), with_http=False)
    assert status.container is None and status.running.docker_error is None
    assert [call[1] for call in fake_bin.calls("docker")] == ["ps"]
    assert status.verdict is Verdict.DOWN, "docker answered and no container of this folder runs"


def test_query_running_with_the_daemon_down(single_deployment: Path, fake_bin: FakeBin) -> None:
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    running = query_running(load_deployment(single_deployment))
    assert running.docker_error is not None and running.docker_error.problem is DockerProblem.DAEMON_DOWN
    assert running.containers == ()


def test_query_running_without_docker(
    single_deployment: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    running = query_running(load_deployment(single_deployment))
    assert running.docker_error is not None and running.docker_error.problem is DockerProblem.MISSING


def test_gather_legacy_checks_nginx(legacy_deployment: Path, fake_bin: FakeBin) -> None:
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    status = gather(load_deployment(legacy_deployment), with_http=False)
    assert status.nginx is not None and status.nginx.missing == ("HTTP", "HTTPS")
    assert any("sub_filter" in warning for warning in status.warnings)
    for secret in SECRET_VALUES:
        assert secret not in json.dumps(status.to_json())


def test_json_names_the_version_and_the_precedence_rule() -> None:
    old = assemble(_deployment(override="true", image=V1_6_8), _file(ON), _running(error=DAEMON_ERROR))
    document = old.to_json()
    assert document["version"] == {
        "text": "v1.6.8",
        "release": "v1.6.8",
        "source": f"tag of the compose image {V1_6_8}",
    }
    assert document["precedence"]["rule"] == "docker.env-wins"
    assert document["override"] is not None, "what compose sets is still shown"
    assert any("docker.env's own value wins" in warning for warning in old.warnings)
    unknown = assemble(_deployment(override="true"), _file(ON), _running(error=DAEMON_ERROR)).to_json()
    assert unknown["version"]["release"] is None and unknown["precedence"]["rule"] == "unknown"
    assert "up to v1.6.8 docker.env wins (telemetry on)" in unknown["reason"]
    assert "from v1.6.9 on the compose value wins (telemetry off)" in unknown["reason"]


def test_a_server_too_old_to_report_cannot_confirm() -> None:
    from panel.core.status import cannot_confirm_on_version

    old = assemble(
        _deployment(image="appsmith/appsmith-ce:v1.6.2"),
        _file(ON),
        _running(_container(), _server(None, None)),
    )
    assert old.verdict is Verdict.ENABLED and not old.verified
    assert "cannot confirm on this version" in old.reason and cannot_confirm_on_version(old)
    new = assemble(_deployment(), _file(ON), _running(_container(), _server(None)))
    assert "does not report it itself" in new.reason and not cannot_confirm_on_version(new)


def test_with_file_read_again_decides_anew_from_the_file_and_keeps_what_docker_said(
    single_deployment: Path,
) -> None:
    deployment = load_deployment(single_deployment)
    running = _running(_container(started=datetime.now(UTC) - timedelta(hours=1)), _server(True))
    before = assemble(deployment, read_file_state(deployment.env_file), running)
    assert before.verdict is Verdict.ENABLED
    text = deployment.env_file.read_text(encoding="utf-8")
    deployment.env_file.write_text(
        text.replace("APPSMITH_DISABLE_TELEMETRY=false", "APPSMITH_DISABLE_TELEMETRY=true"), encoding="utf-8"
    )
    after = with_file_read_again(before)
    assert after.file.state is SwitchState.DISABLED and after.running is before.running
    assert after.verdict is Verdict.PENDING_RESTART, "the running instance still has it on"
