"""The demo session: the bundled deployment, started under the simulated docker, and cleaned up without a
trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from panel import demo
from panel.core import paths
from panel.core.apply import apply_change
from panel.core.apply_sequence import Outcome
from panel.core.audit import read_entries
from panel.core.change import prepare_change
from panel.core.deployment import Layout, load_deployment
from panel.core.envfile import EnvText, SwitchState
from panel.core.instance import Health
from panel.core.restart import detect_compose_tool, plan_restart
from panel.core.secrets import is_secret
from panel.core.status import Verdict, gather
from panel.demo import DemoSession, copy_demo_deployment, is_demo_path, prepare_demo, start_demo
from panel.demo import simulated_docker as sd

_TICK = threading.Event()
_ENV_KEYS = ("PATH", sd.STATE_ENV, sd.FAULTS_ENV, demo.AUDIT_LOG_ENV, demo.AUDIT_MARK_ENV)


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        _TICK.wait(0.05)
    return value


def live_processes(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2 :].split()[0] not in ("Z", "X")


class _Quiet:
    def step(self, *args: object) -> None:
        pass

    def output(self, line: str) -> None:
        pass


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Whatever the demo does to the environment is undone even if close() is never reached."""
    for key in _ENV_KEYS:
        if key in os.environ:
            monkeypatch.setenv(key, os.environ[key])
        else:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


def _healthy_status(session: DemoSession) -> Any:
    deployment = load_deployment(session.folder)

    def up() -> Any:
        status = gather(deployment)
        server = status.running.server
        return status if server is not None and server.health is Health.UP else None

    return wait_for(up, what="the demo instance to be healthy")


def test_demo_opens_running_with_telemetry_on_and_close_leaves_nothing(clean_env: None) -> None:
    before = {key: os.environ.get(key) for key in _ENV_KEYS}
    session = start_demo(boot_delay=0)
    try:
        assert session.folder.name == "appsmith-demo" and session.root.name.startswith("appsmith-panel-demo-")
        assert os.environ["PATH"].split(os.pathsep)[0] == str(session.bin_dir)
        assert os.environ[sd.STATE_ENV] == str(session.state_dir)
        assert is_demo_path(session.folder) and is_demo_path(session.folder / "stacks" / "configuration")
        status = _healthy_status(session)
        assert status.verdict is Verdict.ENABLED and status.verified
        assert status.running.server.enable_telemetry is True
        assert status.container is not None and status.container.running and status.container.edition == "CE"
        pid = json.loads((session.state_dir / "state.json").read_text())["containers"][0]["pid"]
        assert live_processes(pid)
    finally:
        session.close()
    assert not live_processes(pid)
    assert not session.root.exists()
    late = subprocess.run(
        [sys.executable, "-m", "panel.demo.simulated_docker", "docker", "ps"],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, **{sd.STATE_ENV: str(session.state_dir)}),
    )
    assert late.returncode == 1 and "Cannot connect to the Docker daemon" in late.stderr, (
        "a refresh still under way when the demo closed finds no engine"
    )
    assert not session.root.exists(), "and does not create the folder again"
    assert {key: os.environ.get(key) for key in _ENV_KEYS} == before
    session.close()  # a second close is harmless


def test_a_prepared_demo_runs_nothing_until_started(clean_env: None) -> None:
    """The window shows the demo's folder first and starts it after its first paint."""
    before = {key: os.environ.get(key) for key in _ENV_KEYS}
    session = prepare_demo()
    try:
        assert (session.folder / "docker-compose.yml").is_file() and is_demo_path(session.folder)
        assert {key: os.environ.get(key) for key in _ENV_KEYS} == before, "PATH is the user's until start()"
        assert not session.bin_dir.exists() and not session.wait_started(0)
        session.start(boot_delay=0, wait=False)
        assert session.wait_started(30)
        assert os.environ["PATH"].split(os.pathsep)[0] == str(session.bin_dir)
        with pytest.raises(RuntimeError):
            session.start()
    finally:
        session.close()
    assert not session.root.exists()
    assert {key: os.environ.get(key) for key in _ENV_KEYS} == before


def test_the_demo_keeps_its_own_audit_log_marked_demo(clean_env: None, tmp_path: Path) -> None:
    """A change made in the demo never reaches the user's real log; its entries say they are the demo's."""
    assert (demo.AUDIT_LOG_ENV, demo.AUDIT_MARK_ENV) == (paths.AUDIT_LOG_ENV, paths.AUDIT_MARK_ENV)
    real_log = paths.audit_log_path()
    session = start_demo(boot_delay=0)
    try:
        assert paths.audit_log_path() == session.audit_log
        assert session.audit_log.parent == session.root
        deployment = load_deployment(session.folder)
        apply_change(prepare_change(deployment, telemetry_on=False), None, _Quiet())
        entries = read_entries()
        assert [(entry.action, entry.mark) for entry in entries] == [("disable", "demo")]
        assert str(entries[0]).startswith("[demo]  ")
    finally:
        session.close()
    assert paths.audit_log_path() == real_log and not real_log.exists()
    assert not session.audit_log.exists()


def test_a_demo_closed_before_it_started_leaves_nothing(clean_env: None) -> None:
    session = prepare_demo()
    session.close()
    assert not session.root.exists()


def test_demo_faults_apply_to_the_users_restart_not_the_first_start(clean_env: None) -> None:
    with start_demo(boot_delay=0, faults="up-fails") as session:
        assert os.environ[sd.FAULTS_ENV] == "up-fails,boot-delay=0"
        status = _healthy_status(session)
        assert status.container.running
        deployment = status.deployment
        result = apply_change(
            prepare_change(deployment, False),
            plan_restart(deployment, detect_compose_tool()),
            _Quiet(),
            health_timeout=10,
            health_interval=0.05,
        )
        assert result.outcome is Outcome.DOWN
    assert not session.root.exists()


def test_the_bundled_deployment_is_a_realistic_single_container(tmp_path: Path) -> None:
    folder = copy_demo_deployment(tmp_path / "appsmith-demo")
    deployment = load_deployment(folder)
    assert deployment.layout is Layout.SINGLE and deployment.overrides == () and deployment.warnings == ()
    assert (
        deployment.image == "index.docker.io/appsmith/appsmith-ce:v1.50"
        and deployment.container_name == "appsmith"
    )
    data = deployment.env_file.read_bytes()
    parsed = EnvText.parse(data)
    assert (
        parsed.reading().state is SwitchState.ENABLED
        and parsed.unparsed_lines() == []
        and not parsed.duplicates()
    )
    assert b"\nexport " not in data and b"\n\n" in data and data.startswith(b"#")
    values = parsed.values()
    for key in (
        "APPSMITH_ENCRYPTION_PASSWORD",
        "APPSMITH_ENCRYPTION_SALT",
        "APPSMITH_DB_URL",
        "APPSMITH_MAIL_PASSWORD",
        "APPSMITH_REDIS_URL",
    ):
        assert key in values and is_secret(key, values[key])
    filled_secrets = {k: v for k, v in values.items() if v and is_secret(k, v) and k != "APPSMITH_REDIS_URL"}
    assert filled_secrets and all("demo-not-a-secret" in value for value in filled_secrets.values())
    assert "@" in (values["APPSMITH_DB_URL"] or ""), "credentials in the URL, as Appsmith writes it"


def test_is_demo_path_needs_the_marker(tmp_path: Path) -> None:
    impostor = tmp_path / "appsmith-panel-demo-x" / "appsmith-demo"
    impostor.mkdir(parents=True)
    assert not is_demo_path(impostor)
    (impostor.parent / ".appsmith-panel-demo").write_text("")
    assert is_demo_path(impostor) and not is_demo_path(tmp_path)
