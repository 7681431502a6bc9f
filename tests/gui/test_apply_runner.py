"""ApplyRunner against the simulated docker: the same steps and verdicts as the CLI, with a safe cancel."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from panel.core import audit
from panel.core.apply_sequence import ApplyResult, Outcome, Step, StepState
from panel.core.backups import list_backups
from panel.core.change import prepare_change
from panel.core.envfile import EnvText, SwitchState
from panel.core.restart import ComposeTool, plan_restart
from panel.gui.apply_runner import ApplyRunner
from tests.conftest import live_processes_in_group
from tests.gui.conftest import DemoFixture

RUN_MS = 60000
HEALTH_INTERVAL = 0.2


class Run:
    """What a runner reported, in order."""

    def __init__(self, runner: ApplyRunner) -> None:
        self.runner = runner
        self.steps: list[tuple[Step, StepState, str]] = []
        self.lines: list[str] = []
        self.results: list[ApplyResult] = []
        runner.step_changed.connect(lambda step, state, detail: self.steps.append((step, state, detail)))
        runner.output.connect(self.lines.append)
        runner.finished.connect(self.results.append)

    def final_states(self) -> dict[Step, StepState]:
        return {step: state for step, state, _ in self.steps}

    def wait(self, qtbot: QtBot, count: int = 1) -> ApplyResult:
        qtbot.waitUntil(lambda: len(self.results) >= count, timeout=RUN_MS)
        return self.results[-1]


def runner_for(
    demo: DemoFixture, telemetry_on: bool = False, restart: bool = True, health_timeout: float = 600.0
) -> ApplyRunner:
    change = prepare_change(demo.deployment, telemetry_on)
    plan = plan_restart(demo.deployment, ComposeTool.V2) if restart else None
    return ApplyRunner(change, plan, health_timeout=health_timeout, health_interval=HEALTH_INTERVAL)


def file_state(demo: DemoFixture) -> SwitchState:
    return EnvText.parse(demo.env_file.read_bytes()).reading().state


def compose_calls(demo: DemoFixture) -> list[list[str]]:
    return [call["argv"] for call in demo.calls() if call["argv"][:2] == ["docker", "compose"]]


def test_apply_and_restart_is_verified_by_the_server(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    runner = runner_for(demo_deployment)
    run = Run(runner)
    before = len(compose_calls(demo_deployment))
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.VERIFIED, result.message
    assert result.message == "Verified: the server reports telemetry off."
    assert run.final_states() == {step: StepState.DONE for step in Step}
    order = [step for step, state, _ in run.steps if state is StepState.DONE]
    assert order == [Step.BACKUP, Step.WRITE, Step.REMOVE, Step.START, Step.HEALTH, Step.VERIFY]
    assert file_state(demo_deployment) is SwitchState.DISABLED
    assert result.backup is not None and result.backup == list_backups(demo_deployment.env_file)[0].path
    assert [argv[4:] for argv in compose_calls(demo_deployment)[before:]] == [
        ["rm", "-fsv", "--", "appsmith"],
        ["up", "-d"],
    ]
    assert run.lines, "compose output is streamed"
    entries = audit.read_entries()
    assert len(entries) == 1
    assert (entries[0].action, entries[0].old, entries[0].new) == ("disable", "false", "true")
    assert entries[0].outcome.startswith("verified: ")
    assert not runner.running and runner.result is result and not runner.can_retry_start


def test_restart_later_writes_the_file_only(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    runner = runner_for(demo_deployment, restart=False)
    run = Run(runner)
    before = len(demo_deployment.calls())
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.WRITTEN
    assert file_state(demo_deployment) is SwitchState.DISABLED
    assert len(demo_deployment.calls()) == before
    assert set(run.final_states()) == {Step.BACKUP, Step.WRITE}
    assert audit.read_entries()[-1].outcome == "written-restart-later: restart later"


def test_nothing_to_do_writes_and_audits_nothing(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    runner = runner_for(demo_deployment, telemetry_on=True, restart=False)
    run = Run(runner)
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.NOTHING_TO_DO
    assert run.final_states() == {Step.BACKUP: StepState.SKIPPED, Step.WRITE: StepState.SKIPPED}
    assert list_backups(demo_deployment.env_file) == []
    assert audit.read_entries() == []


def test_a_file_changed_since_it_was_read_is_refused(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    runner = runner_for(demo_deployment)
    demo_deployment.env_file.write_bytes(demo_deployment.env_file.read_bytes() + b"# edited meanwhile\n")
    run = Run(runner)
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.REFUSED and result.failed_step is Step.WRITE
    assert result.message.startswith("Nothing was changed: ")
    assert file_state(demo_deployment) is SwitchState.ENABLED
    assert run.final_states()[Step.BACKUP] is StepState.FAILED
    assert Step.REMOVE not in run.final_states()


def test_start_fails_then_appsmith_is_down_and_retry_start_brings_it_back(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    demo = demo_deployment_factory(faults="up-fails")
    runner = runner_for(demo)
    run = Run(runner)
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.DOWN and result.appsmith_down
    assert result.failed_step is Step.START
    assert result.message.startswith("APPSMITH IS DOWN: its container was removed but did not start again")
    assert "exit code" in result.message
    assert run.final_states()[Step.REMOVE] is StepState.DONE
    assert run.final_states()[Step.START] is StepState.FAILED
    assert any("Cannot start service appsmith" in line for line in run.lines)
    assert runner.can_retry_start

    demo.set_faults("")
    calls_before = len(compose_calls(demo))
    runner.retry_start()
    result = run.wait(qtbot, 2)
    assert result.outcome is Outcome.VERIFIED, result.message
    assert [argv[4:] for argv in compose_calls(demo)[calls_before:]] == [["up", "-d"]]
    assert not runner.can_retry_start
    outcomes = [entry.outcome for entry in audit.read_entries()]
    assert outcomes[0].startswith("appsmith-down: start failed")
    assert outcomes[1].startswith("verified: retry start: ")


def test_cancel_while_compose_up_hangs_leaves_no_process(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    demo = demo_deployment_factory(faults="up-hangs")
    runner = runner_for(demo)
    run = Run(runner)
    with qtbot.waitSignal(
        runner.output, timeout=RUN_MS, check_params_cb=lambda line: line.startswith("Creating ")
    ):
        runner.start()
    up = [call for call in demo.calls() if call["argv"][4:] == ["up", "-d"]][-1]
    assert live_processes_in_group(up["pgid"]), "the hanging compose and its child run"
    assert runner.cancel_leaves_down, "while the container is created again, a cancel leaves Appsmith down"
    runner.cancel()
    assert not runner.cancel_leaves_down, "asked once: the cancel is under way"
    result = run.wait(qtbot)
    assert result.outcome is Outcome.DOWN and result.failed_step is Step.START
    assert "(cancelled)" in result.message
    assert run.final_states()[Step.START] is StepState.CANCELLED
    assert live_processes_in_group(up["pgid"]) == []
    assert runner.can_retry_start
    assert audit.read_entries()[-1].outcome == "appsmith-down: cancelled"


def test_cancel_while_removing_says_the_container_may_be_half_removed(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    demo = demo_deployment_factory(faults="rm-hangs")
    runner = runner_for(demo)
    run = Run(runner)
    with qtbot.waitSignal(
        runner.output, timeout=RUN_MS, check_params_cb=lambda line: line.startswith("Stopping ")
    ):
        runner.start()
    rm = [call for call in demo.calls() if call["argv"][4:5] == ["rm"]][-1]
    assert runner.cancel_leaves_down
    runner.cancel()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.CANCELLED and result.failed_step is Step.REMOVE
    assert "half removed" in result.message and "Appsmith may be down" in result.message
    assert live_processes_in_group(rm["pgid"]) == []
    assert runner.can_retry_start
    assert file_state(demo) is SwitchState.DISABLED


def test_cancel_while_writing_stops_before_anything_is_removed(
    qtbot: QtBot, demo_deployment: DemoFixture
) -> None:
    runner = runner_for(demo_deployment)
    run = Run(runner)
    before = len(compose_calls(demo_deployment))
    runner.start()
    assert not runner.cancel_leaves_down, "before the removal a cancel is immediate"
    runner.cancel()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.CANCELLED
    assert "keeps running with the old value" in result.message
    assert compose_calls(demo_deployment)[before:] == []
    assert not runner.can_retry_start


def test_cancel_while_waiting_for_health(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    demo = demo_deployment_factory()
    demo.set_faults("boot-delay=60")
    runner = runner_for(demo)
    run = Run(runner)
    with qtbot.waitSignal(
        runner.step_changed, timeout=RUN_MS, check_params_cb=lambda step, state, detail: step is Step.HEALTH
    ):
        runner.start()
    assert not runner.cancel_leaves_down, "the container exists again: stopping the wait leaves it starting"
    runner.cancel()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.CANCELLED and result.failed_step is Step.HEALTH
    assert result.message.startswith("Stopped waiting; the containers were recreated")
    qtbot.wait(500)
    assert len(run.results) == 1


def test_not_healthy_in_time(qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]) -> None:
    demo = demo_deployment_factory()
    demo.set_faults("boot-delay=60")
    runner = runner_for(demo, health_timeout=0.5)
    run = Run(runner)
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.UNHEALTHY
    assert "not healthy after 0 s" in result.message or "not healthy after 1 s" in result.message
    assert run.final_states()[Step.HEALTH] is StepState.FAILED


def test_a_crash_on_start_leaves_appsmith_down(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    demo = demo_deployment_factory()
    demo.set_faults("crash-on-start")
    runner = runner_for(demo)
    run = Run(runner)
    runner.start()
    result = run.wait(qtbot)
    assert result.outcome is Outcome.DOWN and result.failed_step is Step.HEALTH
    assert runner.can_retry_start


@pytest.mark.parametrize("count", [5000])
def test_streamed_output_is_all_delivered(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture], count: int
) -> None:
    demo = demo_deployment_factory()
    demo.set_faults(f"stream={count},stream-delay=0")
    runner = runner_for(demo)
    run = Run(runner)
    runner.start()
    result = run.wait(qtbot)
    assert result.ok, result.message
    pulled = [line for line in run.lines if "Pulling fs layer" in line]
    assert pulled == [f"appsmith Pulling fs layer {n}/{count}" for n in range(1, count + 1)]
