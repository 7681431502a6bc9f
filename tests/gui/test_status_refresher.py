"""StatusRefresher against the simulated docker: the three layers arrive without blocking, and stay fresh.

The last tests cover `run_in_thread`, which the refresher uses for the HTTP probe.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread, QThreadPool
from pytestqt.qtbot import QtBot

from panel.core.change import prepare_change, write_change
from panel.core.deployment import load_deployment
from panel.core.docker import DockerProblem
from panel.core.envfile import SwitchState
from panel.core.instance import Health
from panel.core.status import Status, Verdict
from panel.gui.status_refresher import RunningQuery, StatusRefresher
from panel.gui.worker import run_in_thread
from tests.conftest import Answer, FakeBin, inspect_document
from tests.gui.conftest import DemoFixture

WAIT_MS = 20000


def docker_calls(demo: DemoFixture) -> list[list[str]]:
    return [call["argv"] for call in demo.calls()]


def test_emits_the_status_of_the_demo_deployment(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    refresher = StatusRefresher(interval=0.2)
    busy: list[bool] = []
    refresher.busy_changed.connect(busy.append)
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS) as blocker:
        refresher.set_deployment(demo_deployment.deployment)
    status = blocker.args[0]
    assert isinstance(status, Status)
    assert status.deployment == demo_deployment.deployment
    assert status.file.state is SwitchState.ENABLED
    assert status.container is not None and status.container.running
    assert status.running.docker_error is None
    assert busy[:2] == [True, False]
    assert refresher.last_status is status
    # The timer keeps refreshing until the instance has booted and confirms the value itself.
    qtbot.waitUntil(
        lambda: refresher.last_status is not None and refresher.last_status.verified, timeout=WAIT_MS
    )
    final = refresher.last_status
    assert final is not None
    assert final.verdict is Verdict.ENABLED
    assert final.running.server is not None and final.running.server.health is Health.UP
    refresher.set_deployment(None)


def test_one_refresh_asks_docker_once_for_ps_and_once_for_inspect(
    qtbot: QtBot, demo_deployment: DemoFixture
) -> None:
    refresher = StatusRefresher(interval=3600)
    before = len(docker_calls(demo_deployment))
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS):
        refresher.set_deployment(demo_deployment.deployment)
    calls = docker_calls(demo_deployment)[before:]
    assert [argv[:2] for argv in calls] == [["docker", "ps"], ["docker", "inspect"]]
    refresher.set_deployment(None)


def test_requests_during_a_refresh_fold_into_exactly_one_more(
    qtbot: QtBot, demo_deployment: DemoFixture
) -> None:
    refresher = StatusRefresher(interval=3600, with_http=False)
    statuses: list[Status] = []
    refresher.refreshed.connect(statuses.append)
    refresher.set_deployment(demo_deployment.deployment)
    assert refresher.busy
    for _ in range(5):
        refresher.refresh()
    qtbot.waitUntil(lambda: len(statuses) == 2 and not refresher.busy, timeout=WAIT_MS)
    qtbot.wait(300)
    assert len(statuses) == 2
    refresher.set_deployment(None)


def test_a_change_of_docker_env_on_disk_is_shown(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    refresher = StatusRefresher(interval=3600, with_http=False)
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS):
        refresher.set_deployment(demo_deployment.deployment)
    deployment = demo_deployment.deployment

    # The panel's own write replaces the file (a new inode): the watch must follow it, twice in a row.
    for telemetry_on, state in ((False, SwitchState.DISABLED), (True, SwitchState.ENABLED)):
        with qtbot.waitSignal(
            refresher.refreshed,
            timeout=WAIT_MS,
            check_params_cb=lambda status, state=state: status.file.state is state,
        ):
            write_change(prepare_change(deployment, telemetry_on))
    last = refresher.last_status
    assert last is not None and last.file.state is SwitchState.ENABLED

    # An edit in place (same inode) is seen too.
    text = deployment.env_file.read_text(encoding="utf-8")
    with qtbot.waitSignal(
        refresher.refreshed,
        timeout=WAIT_MS,
        check_params_cb=lambda status: status.file.state is SwitchState.DISABLED,
    ):
        deployment.env_file.write_text(
            text.replace("APPSMITH_DISABLE_TELEMETRY=false", "APPSMITH_DISABLE_TELEMETRY=true"),
            encoding="utf-8",
        )
    refresher.set_deployment(None)


def test_an_unchanged_docker_env_is_not_parsed_again(
    qtbot: QtBot, demo_deployment: DemoFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big docker.env takes seconds to parse, and while the instance starts the panel looks every second: it
    parses the file again only when the file changed (its content, or its mode or owner)."""
    from panel.gui import status_refresher

    parsed: list[Path] = []
    real_read = status_refresher.read_file_state

    def counting_read(path: Path) -> object:
        parsed.append(path)
        return real_read(path)

    monkeypatch.setattr(status_refresher, "read_file_state", counting_read)
    refresher = StatusRefresher(interval=3600, with_http=False)
    deployment = demo_deployment.deployment
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS):
        refresher.set_deployment(deployment)
    for _ in range(2):
        with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS) as unchanged:
            refresher.refresh()
    assert parsed == [deployment.env_file], "parsed once"
    assert unchanged.args[0].file.state is SwitchState.ENABLED

    deployment.env_file.chmod(0o400)
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS):
        refresher.refresh()
    assert len(parsed) == 2, "a chmod is a change: read again"
    deployment.env_file.chmod(0o600)

    write_change(prepare_change(deployment, False))
    qtbot.waitUntil(lambda: len(parsed) >= 3, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: (
            refresher.last_status is not None and refresher.last_status.file.state is SwitchState.DISABLED
        ),
        timeout=WAIT_MS,
    )
    refresher.set_deployment(None)


@pytest.mark.parametrize(
    ("fault", "problem", "words"),
    [
        ("daemon-down", DockerProblem.DAEMON_DOWN, "not running"),
        ("permission-denied", DockerProblem.PERMISSION, "Permission denied"),
    ],
)
def test_docker_errors_are_shown_with_the_file_state(
    qtbot: QtBot, demo_deployment: DemoFixture, fault: str, problem: DockerProblem, words: str
) -> None:
    demo_deployment.set_faults(fault)
    refresher = StatusRefresher(interval=3600)
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS) as blocker:
        refresher.set_deployment(demo_deployment.deployment)
    status: Status = blocker.args[0]
    error = status.running.docker_error
    assert error is not None and error.problem is problem
    assert words in error.message
    assert status.file.state is SwitchState.ENABLED
    assert status.verdict is Verdict.ENABLED
    assert error.message in status.reason
    # docker was asked once (ps failed), never inspect.
    assert [argv[:2] for argv in docker_calls(demo_deployment)][-1] == ["docker", "ps"]
    refresher.set_deployment(None)


def test_docker_missing_from_path(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from panel.demo import copy_demo_deployment

    folder = copy_demo_deployment(tmp_path / "appsmith")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    refresher = StatusRefresher(interval=3600)
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS) as blocker:
        refresher.set_deployment(load_deployment(folder))
    status: Status = blocker.args[0]
    assert status.running.docker_error is not None
    assert status.running.docker_error.problem is DockerProblem.MISSING
    assert "not found on PATH" in status.reason
    assert status.file.state is SwitchState.ENABLED
    refresher.set_deployment(None)


def test_switching_deployment_drops_the_old_refresh(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    refresher = StatusRefresher(interval=3600)
    statuses: list[Status] = []
    refresher.refreshed.connect(statuses.append)
    refresher.set_deployment(demo_deployment.deployment)
    refresher.set_deployment(None)
    assert not refresher.busy
    qtbot.wait(1500)
    assert statuses == []
    assert refresher.last_status is None


def test_running_query_alone_gives_the_running_state(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    query = RunningQuery(demo_deployment.deployment, with_http=False)
    with qtbot.waitSignal(query.done, timeout=WAIT_MS) as blocker:
        query.start()
    running = blocker.args[0]
    assert running.server is None
    assert running.server_container(demo_deployment.deployment) is not None


# -- run_in_thread
# ------------------------------------------------------------------------------------------------


def test_run_in_thread_delivers_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    gui_thread = QThread.currentThread()
    seen: dict[str, object] = {}

    def work(a: int, b: int) -> int:
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        return a + b

    def done(value: int) -> None:
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is gui_thread

    run_in_thread(work, 2, 3, parent=owner, on_done=done)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen == {"worker": True, "value": 5, "gui": True}


def test_run_in_thread_hands_errors_to_on_error(qtbot: QtBot) -> None:
    owner = QObject()
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("nope")

    run_in_thread(boom, parent=owner, on_done=lambda _: None, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "nope"


def test_run_in_thread_says_nothing_to_a_deleted_parent(qtbot: QtBot) -> None:
    owner = QObject()
    release = threading.Event()
    called: list[object] = []
    finished = threading.Event()

    def slow() -> int:
        release.wait(5)
        finished.set()
        return 1

    run_in_thread(slow, parent=owner, on_done=called.append)
    with qtbot.waitSignal(owner.destroyed, timeout=2000):
        owner.deleteLater()
    release.set()
    qtbot.waitUntil(finished.is_set, timeout=5000)
    qtbot.wait(100)
    assert called == []


def test_while_the_instance_starts_it_looks_again_every_second_then_at_the_normal_interval(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    """Issue 16: a starting instance is looked at again within 1–2 s, so its confirmed verdict is not an hour
    (here: the whole interval) late; once it answers the refresher goes back to its interval."""
    demo = demo_deployment_factory(boot_delay=3.0)
    refresher = StatusRefresher(interval=3600)
    seen: list[Status] = []
    refresher.refreshed.connect(seen.append)
    refresher.set_deployment(demo.deployment)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    first = seen[0]
    assert first.running.server is not None and first.running.server.health is Health.STARTING, first
    assert refresher.starting
    assert 1.0 <= refresher.next_interval <= 2.0
    assert refresher._timer.isActive() and 1000 <= refresher._timer.interval() <= 2000
    qtbot.waitUntil(lambda: seen[-1].verified, timeout=WAIT_MS)
    assert not refresher.starting
    assert refresher.next_interval == 3600
    assert refresher._timer.interval() == 3600 * 1000
    refresher.set_deployment(None)


def test_a_change_older_than_the_server_process_is_not_pending(
    qtbot: QtBot, single_deployment: Path, fake_bin: FakeBin
) -> None:
    """Admin Settings' Save & Restart restarted the server inside the container after docker.env changed:
    the window asks `docker top` once more, off the GUI thread, and does not call the change pending."""
    changed = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    env_file = single_deployment / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (changed.timestamp(), changed.timestamp()))
    document = inspect_document()
    document["State"]["StartedAt"] = "2024-05-01T09:00:00Z"  # the container is older than the change
    server_age = int((datetime.now(UTC) - changed).total_seconds()) - 600  # the server is younger
    ps_line = f"{document['Id']}\t{single_deployment}\tappsmith\tindex.docker.io/appsmith/appsmith-ee\n"
    top = f"PID ELAPSED COMMAND\n4301 {server_age} java -Dserver.port=8080 -jar server.jar\n"
    fake_bin.add(
        "docker",
        Answer(("ps",), stdout=ps_line),
        Answer(("inspect",), stdout=json.dumps([document])),
        Answer(("top",), stdout=top),
    )
    refresher = StatusRefresher(interval=3600, with_http=False)
    with qtbot.waitSignal(refresher.refreshed, timeout=WAIT_MS) as blocker:
        refresher.set_deployment(load_deployment(single_deployment))
    status: Status = blocker.args[0]
    assert status.verdict is Verdict.ENABLED, status.reason
    assert "server process" in status.reason
    assert [call[1] for call in fake_bin.calls("docker")] == ["ps", "inspect", "top"]
    refresher.set_deployment(None)


def test_the_block_is_read_after_the_verdict_and_the_hosts_file_once_per_container(
    qtbot: QtBot, demo_deployment: DemoFixture
) -> None:
    """Issue 15's fourth layer in the window: the verdict never waits for it; `docker exec … cat /etc/hosts`
    is asked once per container, so a block written is configured at once and in effect after a recreate."""
    from panel.core.egress_block import prepare_block, write_block
    from panel.core.restart import detect_compose_tool, plan_restart

    deployment = demo_deployment.deployment
    refresher = StatusRefresher(interval=3600, with_http=False)
    order: list[str] = []
    refresher.refreshed.connect(lambda status: order.append(f"verdict, block read: {status.egress_block}"))
    refresher.block_read.connect(lambda status: order.append("block"))

    def exec_calls() -> list[list[str]]:
        return [argv for argv in docker_calls(demo_deployment) if argv[:2] == ["docker", "exec"]]

    def look() -> Status:
        with qtbot.waitSignal(refresher.block_read, timeout=WAIT_MS) as blocker:
            if refresher.deployment is None:
                refresher.set_deployment(deployment)
            else:
                refresher.refresh()
        status = blocker.args[0]
        assert isinstance(status, Status) and status.egress_block is not None
        assert refresher.last_status is status
        return status

    try:
        first = look()
        assert order == ["verdict, block read: None", "block"]
        assert first.egress_block is not None
        assert (first.egress_block.configured, first.egress_block.in_effect) == ((), ())
        assert first.still_leaves is None  # telemetry is on in the demo
        assert len(exec_calls()) == 1
        write_block(prepare_block(deployment))
        written = look().egress_block
        assert written is not None and len(exec_calls()) == 1
        assert (written.configured, written.in_effect, written.pending_restart) == (
            ("api.segment.io",),
            (),
            True,
        )
        for command in plan_restart(deployment, detect_compose_tool()).commands:
            ran = subprocess.run(command.argv, cwd=command.cwd, capture_output=True, check=False)
            assert ran.returncode == 0, ran.stderr
        recreated = look().egress_block
        for _ in range(20):  # under load the new container may not run yet at the first look
            if recreated is not None and recreated.in_effect is not None:
                break
            qtbot.wait(200)
            recreated = look().egress_block
        assert recreated is not None and len(exec_calls()) == 2
        assert (recreated.in_effect, recreated.pending_restart) == (("api.segment.io",), False)
    finally:
        refresher.set_deployment(None)
        QThreadPool.globalInstance().waitForDone(WAIT_MS)  # no read left running under the demo's teardown
