"""The simulated docker answers the exact calls the core makes, and each fault reaches the core as docker's
would.

Every test drives the real core (status.gather, restart.plan_restart, apply.apply_change) against the
simulator put first on PATH; the simulator's calls.log shows what the core ran.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from panel.core import containers, docker
from panel.core.apply import apply_change
from panel.core.apply_sequence import ApplyResult, Outcome, Step, StepState
from panel.core.change import prepare_change
from panel.core.containers import ContainerState
from panel.core.deployment import Deployment, load_deployment
from panel.core.docker import DockerError, DockerProblem
from panel.core.instance import Health, ServerReport
from panel.core.restart import ComposeTool, detect_compose_tool, plan_restart
from panel.core.status import Status, Verdict, gather, query_running
from panel.demo import copy_demo_deployment
from panel.demo import simulated_docker as sd

TELEMETRY = "APPSMITH_DISABLE_TELEMETRY"
ENV_IN_STACKS = Path("stacks/configuration/docker.env")
_TICK = threading.Event()


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll until `predicate()` is truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        _TICK.wait(0.05)


def server_of(status: Status) -> ServerReport:
    assert status.running.server is not None, status.reason
    return status.running.server


def container_of(status: Status) -> ContainerState:
    assert status.container is not None, status.reason
    return status.container


def server_container(deployment: Deployment) -> ContainerState:
    found = query_running(deployment).server_container(deployment)
    assert found is not None
    return found


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is `pgid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@dataclass
class Reporter:
    steps: list[tuple[Step, StepState, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def step(self, step: Step, state: StepState, detail: str = "") -> None:
        self.steps.append((step, state, detail))

    def output(self, line: str) -> None:
        self.lines.append(line)


@dataclass
class Sim:
    """One simulated engine with one deployment folder; faults are set through the environment."""

    folder: Path
    state_dir: Path
    bin_dir: Path
    monkeypatch: pytest.MonkeyPatch

    def faults(self, text: str) -> None:
        self.monkeypatch.setenv(sd.FAULTS_ENV, text)

    def docker(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args],
            cwd=cwd or self.folder,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    def up(self) -> subprocess.CompletedProcess[str]:
        return self.docker("compose", "-f", "docker-compose.yml", "up", "-d")

    def deployment(self) -> Deployment:
        return load_deployment(self.folder)

    def calls(self) -> list[list[str]]:
        return [entry["argv"] for entry in sd.read_calls(self.state_dir)]

    def wait_healthy(self) -> None:
        deployment = self.deployment()

        def healthy() -> bool:
            running = query_running(deployment)
            return running.server is not None and running.server.health is Health.UP

        wait_for(healthy, what="the simulated Appsmith to answer healthy")

    def apply(
        self,
        telemetry_on: bool = False,
        health_timeout: float = 20.0,
        cancel: threading.Event | None = None,
        reporter: Reporter | None = None,
    ) -> ApplyResult:
        deployment = self.deployment()
        plan = plan_restart(deployment, detect_compose_tool())
        return apply_change(
            prepare_change(deployment, telemetry_on),
            plan,
            reporter or Reporter(),
            cancel,
            health_timeout=health_timeout,
            health_interval=0.05,
        )


def make_sim(base: Path, monkeypatch: pytest.MonkeyPatch, folder_name: str = "appsmith-demo") -> Sim:
    folder = base / folder_name
    if not folder.is_dir():
        copy_demo_deployment(folder)
    state_dir, bin_dir = base / "state", base / "bin"
    monkeypatch.setenv(sd.STATE_ENV, str(state_dir))
    monkeypatch.setenv(sd.FAULTS_ENV, "")
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "xdg-state"))  # the audit log
    monkeypatch.delenv("COMPOSE_PROJECT_NAME", raising=False)
    sd.install_wrappers(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return Sim(folder, state_dir, bin_dir, monkeypatch)


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sim]:
    """A deployment with nothing started yet."""
    simulation = make_sim(tmp_path, monkeypatch)
    try:
        yield simulation
    finally:
        sd.stop_all(simulation.state_dir)


@pytest.fixture(scope="module")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One started deployment for the tests that only read (ps, inspect, status): saves a start per test."""
    base = tmp_path_factory.mktemp("shared")
    try:
        with pytest.MonkeyPatch.context() as patch:  # the environment is set per test, by `shared`
            simulation = make_sim(base, patch)
            assert simulation.up().returncode == 0
            simulation.wait_healthy()
        yield base
    finally:
        sd.stop_all(base / "state")


@pytest.fixture
def shared(shared_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Sim:
    """The shared deployment with this test's environment pointing at it. Tests using it must not change
    it."""
    simulation = make_sim(shared_folder, monkeypatch)
    assert simulation.folder.is_dir()
    return simulation


@pytest.fixture
def started(sim: Sim) -> Sim:
    """The deployment started (`up -d`), not yet waited for."""
    result = sim.up()
    assert result.returncode == 0, result.stderr
    return sim


@pytest.fixture
def running(started: Sim) -> Sim:
    """The deployment started and healthy."""
    started.wait_healthy()
    return started


# -- what the core asks
# -------------------------------------------------------------------------------------------


def test_ps_and_inspect_answer_the_core_argv(shared: Sim) -> None:
    listed = containers.parse_ps(docker.run(containers.PS_ARGV))
    assert len(listed) == 1
    (found,) = listed
    assert re.fullmatch(r"[0-9a-f]{64}", found.id)
    assert found.service == "appsmith" and containers.same_folder(found.working_dir, shared.folder)
    assert found.image == "index.docker.io/appsmith/appsmith-ce:v1.50"

    result = docker.run(containers.inspect_argv([found.id, "no-such-id"]))
    assert result.returncode == 1 and "Error: No such container: no-such-id" in result.stderr
    raw = json.loads(result.stdout)
    assert [doc["Id"] for doc in raw] == [found.id]
    state = raw[0]["State"]
    assert state["Status"] == "running" and state["Running"] is True and "Health" not in state
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", state["StartedAt"])
    assert state["FinishedAt"] == "0001-01-01T00:00:00Z"
    assert raw[0]["Name"] == "/appsmith"
    labels = raw[0]["Config"]["Labels"]
    assert labels["com.docker.compose.project"] == "appsmithdemo"
    assert labels["com.docker.compose.project.working_dir"] == str(shared.folder)
    assert not any(item.startswith(TELEMETRY) for item in raw[0]["Config"]["Env"]), (
        "single: docker never sees docker.env"
    )

    (parsed,) = containers.parse_inspect(result)
    assert parsed.running and parsed.name == "appsmith" and parsed.http_binding == "127.0.0.1"
    assert parsed.http_port is not None and parsed.started_at is not None
    assert shared.calls()[-2:] == [
        list(containers.PS_ARGV),
        list(containers.inspect_argv([found.id, "no-such-id"])),
    ]


def test_ps_templates_take_real_tabs_and_escaped_ones(shared: Sim) -> None:
    escaped = shared.docker(
        "ps", "--format", r'{{.Names}}\t{{ .Status }}\t{{.Label "com.docker.compose.service"}}'
    )
    assert escaped.stdout.startswith("appsmith\tUp ") and escaped.stdout.rstrip().endswith("\tappsmith")
    real_tab = shared.docker("ps", "-a", "--format", "{{.ID}}\t{{json .Names}}")
    container_id, name = real_tab.stdout.strip().split("\t")
    assert len(container_id) == 12 and name == '"appsmith"'
    unknown = shared.docker("ps", "--format", "{{.Nope}}")
    assert unknown.returncode != 0 and "can't evaluate field Nope" in unknown.stderr


def test_gather_sees_a_running_instance_with_telemetry_on(shared: Sim) -> None:
    status = gather(shared.deployment())
    assert status.verdict is Verdict.ENABLED and status.verified
    assert status.container is not None and status.container.running
    assert status.running.server is not None and status.running.server.version == "v1.50-demo"


def test_disable_end_to_end_is_verified_and_never_uses_restart(started: Sim) -> None:
    deployment = started.deployment()
    plan = plan_restart(deployment, detect_compose_tool())
    before = len(started.calls())
    result = started.apply(telemetry_on=False)
    assert result.outcome is Outcome.VERIFIED, result.message
    calls = started.calls()[before:]
    assert list(plan.remove.argv) in calls and list(plan.start.argv) in calls
    assert plan.remove.argv == (
        "docker",
        "compose",
        "-f",
        "docker-compose.yml",
        "rm",
        "-fsv",
        "--",
        "appsmith",
    )
    assert not any("restart" in argv for argv in started.calls())
    status = gather(started.deployment())
    assert (
        status.verdict is Verdict.DISABLED and status.verified and server_of(status).enable_telemetry is False
    )
    assert b"APPSMITH_DISABLE_TELEMETRY=true\n" in (started.folder / ENV_IN_STACKS).read_bytes()


def test_a_block_is_recreated_with_the_override_and_read_back_from_etc_hosts(started: Sim) -> None:
    from panel.core.block_apply import BlockOutcome, apply_block, plan_block_restart
    from panel.core.egress_block import prepare_block, prepare_unblock

    change = prepare_block(started.deployment(), ["api.segment.io"])
    result = apply_block(change, plan_block_restart(change))
    assert (result.outcome, result.in_effect) == (BlockOutcome.VERIFIED, ("api.segment.io",)), result.message
    hosts = started.docker("exec", server_container(started.deployment()).id, "cat", "/etc/hosts").stdout
    assert "0.0.0.0\tapi.segment.io" in hosts.splitlines()
    up = started.docker("compose", "up", "-d")  # no -f: the default override is read, as compose does
    assert up.returncode == 0, up.stderr
    change = prepare_unblock(started.deployment())
    result = apply_block(change, plan_block_restart(change))
    assert (result.outcome, result.in_effect) == (BlockOutcome.VERIFIED, ()), result.message
    assert started.docker("exec", "nope", "cat", "/etc/hosts").returncode == 1


def test_compose_v1_is_used_when_the_plugin_is_missing(started: Sim) -> None:
    started.faults("no-compose-v2")
    assert detect_compose_tool() is ComposeTool.V1
    result = started.apply(telemetry_on=False)
    assert result.outcome is Outcome.VERIFIED, result.message
    assert ["docker-compose", "-f", "docker-compose.yml", "up", "-d"] in started.calls()


def test_neither_compose_is_a_missing_docker_error(sim: Sim) -> None:
    sim.faults("no-compose-v2,no-compose-v1")
    with pytest.raises(DockerError) as caught:
        detect_compose_tool()
    assert caught.value.problem is DockerProblem.MISSING


def test_editing_docker_env_then_up_alone_leaves_the_change_pending(running: Sim) -> None:
    """Docker never sees the single container's docker.env: `up -d` keeps the container (the classic
    pitfall)."""
    env = running.folder / ENV_IN_STACKS
    env.write_bytes(env.read_bytes().replace(b"TELEMETRY=false", b"TELEMETRY=true"))
    assert "appsmith is up-to-date" in running.up().stdout
    status = gather(running.deployment())
    assert status.verdict is Verdict.PENDING_RESTART and server_of(status).enable_telemetry is True


# -- faults
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "problem"),
    [("daemon-down", DockerProblem.DAEMON_DOWN), ("permission-denied", DockerProblem.PERMISSION)],
)
def test_daemon_faults_reach_the_core_as_docker_errors(
    started: Sim, fault: str, problem: DockerProblem
) -> None:
    started.faults(fault)
    status = gather(started.deployment())
    assert status.running.docker_error is not None and status.running.docker_error.problem is problem
    version = started.docker("version")
    assert version.returncode == 1 and "Client:" in version.stdout and "Server:" not in version.stdout
    assert detect_compose_tool() is ComposeTool.V2, "`docker compose version` does not ask the daemon"
    if problem is DockerProblem.DAEMON_DOWN:
        result = started.apply(telemetry_on=False)
        assert result.outcome is Outcome.RESTART_FAILED and result.failed_step is Step.REMOVE


def test_up_fails_after_rm_leaves_appsmith_down(started: Sim) -> None:
    started.faults("up-fails")
    reporter = Reporter()
    result = started.apply(telemetry_on=False, reporter=reporter)
    assert result.outcome is Outcome.DOWN and result.failed_step is Step.START
    assert any("driver failed programming external connectivity" in line for line in reporter.lines)
    assert containers.parse_ps(docker.run(containers.PS_ARGV)) == []


def test_up_hangs_and_cancel_kills_its_whole_process_group(started: Sim) -> None:
    started.faults("up-hangs")
    cancel = threading.Event()
    outcome: list[ApplyResult] = []
    before = len(sd.read_calls(started.state_dir))
    worker = threading.Thread(target=lambda: outcome.append(started.apply(cancel=cancel)))
    worker.start()
    try:

        def hanging_group() -> int | None:
            for entry in sd.read_calls(started.state_dir)[before:]:
                if entry["argv"][-2:] == ["up", "-d"] and len(group_members(entry["pgid"])) >= 2:
                    return int(entry["pgid"])
            return None

        pgid = wait_for(hanging_group, what="the hanging `up` and its child")
    finally:
        cancel.set()
        worker.join(timeout=30)
    assert outcome and outcome[0].outcome is Outcome.DOWN and outcome[0].failed_step is Step.START
    assert pgid != os.getpgid(0) and group_members(pgid) == []


def test_rm_hangs_and_cancel_keeps_the_old_container(running: Sim) -> None:
    running.faults("rm-hangs")
    cancel = threading.Event()
    outcome: list[ApplyResult] = []
    worker = threading.Thread(target=lambda: outcome.append(running.apply(cancel=cancel)))
    worker.start()
    try:
        wait_for(
            lambda: (
                any("rm" in argv for argv in running.calls())
                and json.loads((running.state_dir / "state.json").read_text()).get("hangs")
            ),
            what="the hanging rm",
        )
    finally:
        cancel.set()
        worker.join(timeout=30)
    assert outcome and outcome[0].outcome is Outcome.CANCELLED
    running.faults("")
    assert container_of(gather(running.deployment())).running


def test_rm_fails_keeps_the_container(running: Sim) -> None:
    running.faults("rm-fails")
    result = running.apply(telemetry_on=False)
    assert result.outcome is Outcome.RESTART_FAILED and result.failed_step is Step.REMOVE
    running.faults("")
    status = gather(running.deployment())
    assert container_of(status).running and status.verdict is Verdict.PENDING_RESTART


def test_compose_rejects_the_file(started: Sim) -> None:
    started.faults("compose-rejects")
    reporter = Reporter()
    result = started.apply(telemetry_on=False, reporter=reporter)
    assert result.outcome is Outcome.RESTART_FAILED
    assert any("services.appsmith.ports is invalid" in line for line in reporter.lines)


def test_crash_on_start_ends_down_with_the_exit_code(started: Sim) -> None:
    started.faults("crash-on-start")
    result = started.apply(telemetry_on=False)
    assert result.outcome is Outcome.DOWN and result.failed_step is Step.HEALTH
    assert "exit code 1" in result.message
    raw = json.loads(started.docker("inspect", "--type", "container", "appsmith").stdout)[0]
    assert raw["State"]["Status"] == "exited" and raw["State"]["ExitCode"] == 1
    assert raw["State"]["FinishedAt"] != "0001-01-01T00:00:00Z" and raw["NetworkSettings"]["Ports"] == {}
    assert started.docker("ps", "-a", "--format", "{{.Status}}").stdout.startswith("Exited (1) ")


def test_health_500_ends_unhealthy(started: Sim) -> None:
    started.faults("health-500")
    result = started.apply(telemetry_on=False, health_timeout=1.0)
    assert result.outcome is Outcome.UNHEALTHY, result.message


def test_a_server_that_does_not_report_the_value_is_applied_unconfirmed(started: Sim) -> None:
    started.faults("no-enable-telemetry")
    result = started.apply(telemetry_on=False)
    assert result.outcome is Outcome.APPLIED_UNCONFIRMED, result.message
    assert "started after the change" in result.message


def test_users_me_answering_html_is_no_evidence(sim: Sim) -> None:
    sim.faults("users-me-not-json")
    assert sim.up().returncode == 0
    sim.wait_healthy()
    server = server_of(gather(sim.deployment()))
    assert server.enable_telemetry is None and "not JSON" in server.telemetry_detail


def test_stream_prints_numbered_lines_in_order(started: Sim) -> None:
    started.faults("stream=40,stream-delay=0")
    reporter = Reporter()
    result = started.apply(telemetry_on=False, reporter=reporter)
    assert result.outcome is Outcome.VERIFIED
    numbered = [line for line in reporter.lines if "Pulling fs layer" in line]
    assert numbered == [f"appsmith Pulling fs layer {n}/40" for n in range(1, 41)]


def test_an_invalid_value_stops_the_server_at_start(sim: Sim) -> None:
    env = sim.folder / ENV_IN_STACKS
    env.write_bytes(env.read_bytes().replace(b"TELEMETRY=false", b"TELEMETRY=maybe"))
    assert sim.up().returncode == 0, "compose starts the container; the server inside fails"
    deployment = sim.deployment()
    wait_for(
        lambda: (c := query_running(deployment).server_container(deployment)) and c.status == "exited",
        what="the container to exit",
    )
    status = gather(deployment)
    # Issue 13: an invalid value whose container exited is called down, with the value's fault named.
    assert status.verdict is Verdict.DOWN and container_of(status).exit_code == 1
    assert "its server cannot read" in status.reason


def test_a_compose_environment_value_overrides_docker_env(sim: Sim) -> None:
    compose = sim.folder / "docker-compose.yml"
    compose.write_text(compose.read_text() + '    environment:\n      APPSMITH_DISABLE_TELEMETRY: "true"\n')
    assert sim.up().returncode == 0
    sim.wait_healthy()
    status = gather(sim.deployment())
    assert status.verdict is Verdict.OVERRIDDEN and server_of(status).enable_telemetry is False
    raw = json.loads(sim.docker("inspect", "--type", "container", "appsmith").stdout)[0]
    assert f"{TELEMETRY}=true" in raw["Config"]["Env"]


LEGACY_COMPOSE = """\
version: "3.7"

services:
  nginx:
    image: index.docker.io/appsmith/appsmith-editor
    env_file: ./docker.env
    ports:
      - "80:80"
      - "443:443"
    volumes:
      - ./data/nginx/app.conf.template:/nginx.conf.template
    depends_on:
      - appsmith-internal-server
  appsmith-internal-server:
    image: index.docker.io/appsmith/appsmith-server:latest
    env_file:
      - ./docker.env
      - ./encryption.env
    expose:
      - "8080"
  mongo:
    image: mongo
    environment:
      - MONGO_INITDB_DATABASE=appsmith
  redis:
    image: redis
"""


def test_legacy_layout_env_reaches_the_server_container(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulation = make_sim(tmp_path, monkeypatch, "appsmith")
    try:
        folder = simulation.folder
        (folder / "docker-compose.yml").write_text(LEGACY_COMPOSE)
        (folder / "docker.env").write_text(
            "APPSMITH_MONGODB_URI=mongodb://u:p@mongo/appsmith\nAPPSMITH_DISABLE_TELEMETRY=false\n"
        )
        (folder / "encryption.env").write_text("APPSMITH_ENCRYPTION_PASSWORD=demo-not-a-secret\n")
        up = simulation.up()
        assert up.returncode == 0, up.stderr
        names = simulation.docker("ps", "--format", "{{.Names}}").stdout.split()
        assert sorted(names) == [
            "appsmith_appsmith-internal-server_1",
            "appsmith_mongo_1",
            "appsmith_nginx_1",
            "appsmith_redis_1",
        ]
        simulation.wait_healthy()
        deployment = simulation.deployment()
        assert server_container(deployment).telemetry_env == "false"
        result = simulation.apply(telemetry_on=False)
        assert result.outcome is Outcome.VERIFIED, result.message
        assert server_container(deployment).telemetry_env == "true"
        assert [
            "docker",
            "compose",
            "-f",
            "docker-compose.yml",
            "rm",
            "-fsv",
            "--",
            "appsmith-internal-server",
            "nginx",
        ] in simulation.calls()
    finally:
        sd.stop_all(simulation.state_dir)


def test_shell_metacharacters_in_the_folder_are_never_interpreted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = 'my "apps" $(touch pwned) `touch pwned2`; rm -rf x'
    simulation = make_sim(tmp_path, monkeypatch, name)
    try:
        assert simulation.up().returncode == 0
        simulation.wait_healthy()
        result = simulation.apply(telemetry_on=False)
        assert result.outcome is Outcome.VERIFIED, result.message
        entries = sd.read_calls(simulation.state_dir)
        compose_calls = [e for e in entries if "compose" in e["argv"]]
        assert all(e["cwd"] == str(simulation.folder) for e in compose_calls if e["argv"][-1] != "version")
        assert not list(tmp_path.rglob("pwned*")) and not (Path.cwd() / "pwned").exists()
        found = containers.parse_ps(docker.run(containers.PS_ARGV))
        assert [c.working_dir for c in found] == [str(simulation.folder)]
    finally:
        sd.stop_all(simulation.state_dir)


# -- the pieces
# ------------------------------------------------------------------------------------------------


def test_install_wrappers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sd.FAULTS_ENV, "no-compose-v1")
    sd.install_wrappers(tmp_path / "bin")
    assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["docker"]
    script = (tmp_path / "bin" / "docker").read_text()
    assert script.startswith("#!/bin/sh\n") and script.rstrip().endswith(
        f'exec {shlex.quote(sys.executable)} -m panel.demo.simulated_docker docker "$@"'
    )
    assert (tmp_path / "bin" / "docker").stat().st_mode & 0o777 == 0o755
    monkeypatch.setenv(sd.FAULTS_ENV, "")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    sd.install_wrappers(tmp_path / "frozen")
    assert (tmp_path / "frozen" / "docker-compose").read_text() == (
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} --simulated-docker docker-compose "$@"\n'
    )


def test_render_template_subset() -> None:
    context = {"ID": "abc", "__labels__": {"k": "v"}, "State": {"Running": True}}
    assert sd.render_template(r'{{.ID}}\t{{.Label "k"}}|{{.Label "x"}}', context) == "abc\tv|"
    assert sd.render_template("{{json .State}} {{.State.Running}}", context) == '{"Running":true} true'


def test_stop_all_leaves_no_container_process(running: Sim) -> None:
    pid = json.loads(running.docker("inspect", "--type", "container", "appsmith").stdout)[0]["State"]["Pid"]
    assert pid and group_members(pid) == [pid]
    sd.stop_all(running.state_dir)
    assert group_members(pid) == []
    assert running.docker("ps", "-q").stdout == ""


def test_simulated_appsmith_boots_then_answers(tmp_path: Path) -> None:
    env_file = tmp_path / "docker.env"
    env_file.write_text("APPSMITH_DISABLE_TELEMETRY=false\n")
    port = sd._free_port()
    exit_file = tmp_path / "exit.code"
    argv = sd.server_command(
        [
            "--env-file",
            str(env_file),
            "--port",
            str(port),
            "--boot-delay",
            "0.6",
            "--override",
            "yes",
            "--faults",
            "",
            "--exit-file",
            str(exit_file),
        ]
    )
    base = f"http://127.0.0.1:{port}"
    with (
        requests.Session() as session,
        subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as server,
    ):
        session.trust_env = False

        def try_get(path: str) -> requests.Response | None:
            try:
                return session.get(base + path, timeout=2)
            except requests.ConnectionError:
                return None

        def get(path: str) -> requests.Response:
            response = try_get(path)
            assert response is not None
            return response

        try:
            (first,) = wait_for(
                lambda: [r] if (r := try_get("/api/v1/health")) is not None else None,
                what="the server to listen",
            )
            assert first.status_code == 503
            assert get("/info").json()["version"] == "v1.50-demo"
            wait_for(lambda: get("/api/v1/health").status_code == 200, what="the boot delay to pass")
            assert get("/api/v1/health").json()["data"] == "All systems are up"
            me = get("/api/v1/users/me").json()
            assert me["data"] == {
                "email": "anonymousUser",
                "username": "anonymousUser",
                "isAnonymous": True,
                "enableTelemetry": False,
            }, "--override yes (disabled) wins over the file"
        finally:
            server.terminate()
            assert server.wait(timeout=10) == 143
    assert exit_file.read_text() == "143"
