"""The apply sequence alone: every path of a change, driven by hand with made-up events (no docker, no clock,
no threads), so each decision the command line and the window share is checked in milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from panel.core.apply_sequence import (
    ApplySequence,
    CommandEnded,
    Finish,
    Look,
    Looked,
    Next,
    Outcome,
    ProcessEnd,
    ProcessOutcome,
    Run,
    Step,
    StepState,
    Write,
    WriteFailed,
    Written,
)
from panel.core.change import prepare_change
from panel.core.containers import ContainerState
from panel.core.deployment import load_deployment
from panel.core.docker import DockerError, DockerProblem
from panel.core.instance import Health, ServerReport
from panel.core.restart import ComposeTool, plan_restart
from panel.core.status import RunningState
from tests.conftest import write_single_deployment

T0 = datetime(2026, 11, 30, 6, 0, 0, tzinfo=UTC)
OK = ProcessOutcome(ProcessEnd.EXITED, exit_status=0)
DOCKER_MISSING = DockerError(DockerProblem.MISSING, "docker is not installed")


def container(*, running: bool = True, restarting: bool = False, started: datetime = T0) -> ContainerState:
    return ContainerState(
        id="c" * 64,
        name="appsmith",
        service="appsmith",
        status="running" if running else "exited",
        running=running,
        started_at=started,
        finished_at=None,
        exit_code=None if running else 1,
        restarting=restarting,
        image="appsmith/appsmith-ce",
        health=None,
        http_port=8080,
        http_binding="0.0.0.0",
        telemetry_env=None,
    )


def up(enable_telemetry: bool | None) -> RunningState:
    return RunningState((container(),), ServerReport(Health.UP, "healthy", "v1.9", enable_telemetry))


STARTING = RunningState((container(),), ServerReport(Health.STARTING, "HTTP 502: still starting"))
EXITED = RunningState((container(running=False),))


@pytest.fixture
def sequence(tmp_path: Path) -> ApplySequence:
    """Disable telemetry (the sample says false) with a restart; a 60 s health time-out."""
    deployment = load_deployment(write_single_deployment(tmp_path / "deployment"))
    change = prepare_change(deployment, telemetry_on=False)
    return ApplySequence(change, plan_restart(deployment, ComposeTool.V2), health_timeout=60.0)


def states(*steps: Next) -> list[tuple[Step, StepState]]:
    return [(report.step, report.state) for step in steps for report in step.reports]


def finish(step: Next) -> Finish:
    assert isinstance(step.action, Finish), step.action
    return step.action


def through_start(sequence: ApplySequence) -> Next:
    """Write, remove and start succeed; returns the first look."""
    assert isinstance(sequence.start(T0).action, Write)
    assert isinstance(sequence.handle(Written(Path("/b/docker.env.backup"), T0)).action, Run)
    assert isinstance(sequence.handle(CommandEnded(OK)).action, Run)
    return sequence.handle(CommandEnded(OK))


# --- the whole way through ---------------------------------------------------------------------------------


def test_happy_path_hands_out_write_remove_start_look_and_finishes_verified(sequence: ApplySequence) -> None:
    first = sequence.start(T0)
    assert isinstance(first.action, Write) and first.action.change is sequence.change
    written = sequence.handle(Written(Path("/b/docker.env.backup"), T0))
    assert isinstance(written.action, Run) and written.action.step is Step.REMOVE
    assert written.action.command == sequence.plan.remove  # type: ignore[union-attr]
    removed = sequence.handle(CommandEnded(OK))
    assert isinstance(removed.action, Run) and removed.action.step is Step.START
    started = sequence.handle(CommandEnded(OK))
    assert started.action == Look(0.0)
    waiting = sequence.handle(Looked(STARTING, 1.0))
    assert waiting.action == Look(0.25)
    assert sequence.handle(Looked(STARTING, 2.0)).action == Look(0.5), "the wait doubles"
    done = sequence.handle(Looked(up(False), 3.0))
    end = finish(done)
    assert end.result.outcome is Outcome.VERIFIED and end.result.ok
    assert end.result.message == "Verified: the server reports telemetry off."
    assert end.result.backup == Path("/b/docker.env.backup") and end.result.file_written
    assert end.audit is not None and end.audit.action == "disable" and end.audit.new == "true"
    assert end.audit.outcome == "verified: Verified: the server reports telemetry off."
    assert states(first, written, removed, started, waiting, done) == [
        (Step.BACKUP, StepState.RUNNING),
        (Step.BACKUP, StepState.DONE),
        (Step.WRITE, StepState.DONE),
        (Step.REMOVE, StepState.RUNNING),
        (Step.REMOVE, StepState.DONE),
        (Step.START, StepState.RUNNING),
        (Step.START, StepState.DONE),
        (Step.HEALTH, StepState.RUNNING),
        (Step.HEALTH, StepState.RUNNING),
        (Step.HEALTH, StepState.DONE),
        (Step.VERIFY, StepState.DONE),
    ]
    assert not sequence.running and not sequence.can_retry_start


def test_without_a_plan_the_write_is_the_end(tmp_path: Path) -> None:
    deployment = load_deployment(write_single_deployment(tmp_path / "d"))
    sequence = ApplySequence(prepare_change(deployment, telemetry_on=False), None)
    sequence.start(T0)
    end = finish(sequence.handle(Written(Path("/b"), T0)))
    assert end.result.outcome is Outcome.WRITTEN and end.audit is not None
    assert end.audit.outcome == "written-restart-later: restart later"


def test_nothing_to_write_and_no_plan_is_nothing_to_do_and_not_audited(tmp_path: Path) -> None:
    deployment = load_deployment(write_single_deployment(tmp_path / "d"))
    sequence = ApplySequence(prepare_change(deployment, telemetry_on=True), None)  # the file says false
    step = sequence.start(T0)
    end = finish(step)
    assert end.result.outcome is Outcome.NOTHING_TO_DO and end.audit is None
    assert states(step) == [
        (Step.BACKUP, StepState.RUNNING),
        (Step.BACKUP, StepState.SKIPPED),
        (Step.WRITE, StepState.SKIPPED),
    ]


def test_nothing_to_write_with_a_plan_restarts_and_counts_from_the_start_time(tmp_path: Path) -> None:
    deployment = load_deployment(write_single_deployment(tmp_path / "d"))
    sequence = ApplySequence(
        prepare_change(deployment, telemetry_on=True), plan_restart(deployment, ComposeTool.V1)
    )
    first = sequence.start(T0)
    assert isinstance(first.action, Run) and first.action.step is Step.REMOVE
    assert states(first)[:3] == [
        (Step.BACKUP, StepState.RUNNING),
        (Step.BACKUP, StepState.SKIPPED),
        (Step.WRITE, StepState.SKIPPED),
    ]
    sequence.handle(CommandEnded(OK))
    sequence.handle(CommandEnded(OK))
    no_report = RunningState((container(started=T0 + timedelta(seconds=5)),), ServerReport(Health.UP, "ok"))
    end = finish(sequence.handle(Looked(no_report, 5.0)))
    assert end.result.outcome is Outcome.APPLIED_UNCONFIRMED
    assert "started after the change" in end.result.message


# --- each failure ------------------------------------------------------------------------------------------


def test_a_write_that_fails_changes_nothing_and_is_not_audited(sequence: ApplySequence) -> None:
    sequence.start(T0)
    end = finish(sequence.handle(WriteFailed(OSError(28, "No space left on device"))))
    assert end.result.outcome is Outcome.REFUSED and end.audit is None
    assert end.result.message.startswith("Nothing was changed: the disk that holds")
    assert not end.result.file_written


def test_remove_fails_old_container_may_still_run(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    end = finish(
        sequence.handle(CommandEnded(ProcessOutcome(ProcessEnd.EXITED, 1, output="boom\nno such service")))
    )
    assert end.result.outcome is Outcome.RESTART_FAILED and end.result.failed_step is Step.REMOVE
    assert "exit code 1: no such service" in end.result.message
    assert sequence.can_retry_start


def test_docker_missing_before_the_removal_is_a_failed_restart(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    end = finish(sequence.handle(CommandEnded(ProcessOutcome(ProcessEnd.NOT_STARTED, error=DOCKER_MISSING))))
    assert end.result.outcome is Outcome.RESTART_FAILED and end.result.message == "docker is not installed"
    assert end.audit is not None and end.audit.outcome.endswith("docker missing")


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        (
            ProcessOutcome(ProcessEnd.EXITED, 1, output="port is already allocated"),
            "port is already allocated",
        ),
        (ProcessOutcome(ProcessEnd.TIMED_OUT), "timed out after"),
        (ProcessOutcome(ProcessEnd.EXITED, signal=9), "ended by signal 9"),
        (ProcessOutcome(ProcessEnd.NOT_STARTED, error=DOCKER_MISSING), "docker is not installed"),
    ],
)
def test_a_start_that_fails_after_the_removal_says_appsmith_is_down(
    sequence: ApplySequence, outcome: ProcessOutcome, said: str
) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    sequence.handle(CommandEnded(OK))
    end = finish(sequence.handle(CommandEnded(outcome)))
    assert end.result.outcome is Outcome.DOWN and end.result.appsmith_down
    assert end.result.message.startswith("APPSMITH IS DOWN") and said in end.result.message
    assert "Start it again with: cd " in end.result.message
    assert sequence.can_retry_start


def test_a_container_that_exits_while_starting_is_down(sequence: ApplySequence) -> None:
    through_start(sequence)
    end = finish(sequence.handle(Looked(EXITED, 4.0)))
    assert end.result.outcome is Outcome.DOWN and end.result.failed_step is Step.HEALTH
    crash_loop = RunningState((container(restarting=True),))
    again = ApplySequence(sequence.change, sequence.plan)
    through_start(again)
    assert finish(again.handle(Looked(crash_loop, 4.0))).result.outcome is Outcome.DOWN


def test_health_that_never_comes_is_unhealthy_after_the_time_out(sequence: ApplySequence) -> None:
    through_start(sequence)
    assert isinstance(sequence.handle(Looked(STARTING, 59.0)).action, Look)
    end = finish(sequence.handle(Looked(STARTING, 61.0)))
    assert end.result.outcome is Outcome.UNHEALTHY
    assert "not healthy after 60 s (HTTP 502: still starting)" in end.result.message


def test_a_server_reporting_the_old_value_is_a_mismatch(sequence: ApplySequence) -> None:
    through_start(sequence)
    end = finish(sequence.handle(Looked(up(True), 3.0)))
    assert end.result.outcome is Outcome.MISMATCH and end.result.failed_step is Step.VERIFY


# --- cancel at each step -----------------------------------------------------------------------------------


def test_cancel_during_the_write_stops_before_the_removal(sequence: ApplySequence) -> None:
    sequence.start(T0)
    assert sequence.cancel() == Next(), "noted: the write is atomic and quick"
    end = finish(sequence.handle(Written(Path("/b"), T0)))
    assert end.result.outcome is Outcome.CANCELLED and end.result.failed_step is Step.REMOVE
    assert "Appsmith keeps running with the old value" in end.result.message
    assert not sequence.can_retry_start, "nothing was removed"


def test_cancel_during_the_removal_says_appsmith_may_be_down(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    assert sequence.cancel() == Next()
    step = sequence.handle(CommandEnded(ProcessOutcome(ProcessEnd.CANCELLED)))
    end = finish(step)
    assert end.result.outcome is Outcome.CANCELLED and "may be down" in end.result.message
    assert (Step.REMOVE, StepState.CANCELLED) in states(step)
    assert sequence.can_retry_start


def test_cancel_during_the_start_leaves_appsmith_down(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    sequence.handle(CommandEnded(OK))
    sequence.cancel()
    end = finish(sequence.handle(CommandEnded(ProcessOutcome(ProcessEnd.CANCELLED))))
    assert end.result.outcome is Outcome.DOWN and "cancelled" in end.result.message


def test_a_removal_that_ended_just_as_cancel_was_pressed_does_not_start(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    sequence.cancel()
    end = finish(sequence.handle(CommandEnded(OK)))
    assert end.result.outcome is Outcome.DOWN and end.result.failed_step is Step.START


def test_a_start_that_ended_just_as_cancel_was_pressed_stops_waiting(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    sequence.handle(CommandEnded(OK))
    sequence.cancel()
    end = finish(sequence.handle(CommandEnded(OK)))
    assert end.result.outcome is Outcome.CANCELLED and end.result.failed_step is Step.HEALTH


def test_cancel_while_waiting_for_health_ends_at_once(sequence: ApplySequence) -> None:
    through_start(sequence)
    sequence.handle(Looked(STARTING, 1.0))
    step = sequence.cancel()
    end = finish(step)
    assert end.result.outcome is Outcome.CANCELLED and "keep starting" in end.result.message
    assert states(step) == [(Step.HEALTH, StepState.CANCELLED)]
    assert sequence.handle(Looked(up(False), 2.0)) == Next(), "a look that arrives late changes nothing"
    assert sequence.cancel() == Next(), "a second cancel changes nothing"


# --- retry and audit ---------------------------------------------------------------------------------------


def test_retry_start_after_appsmith_went_down_runs_only_the_start(sequence: ApplySequence) -> None:
    sequence.start(T0)
    sequence.handle(Written(Path("/b"), T0))
    sequence.handle(CommandEnded(OK))
    finish(sequence.handle(CommandEnded(ProcessOutcome(ProcessEnd.EXITED, 1))))
    retry = sequence.retry_start(T0 + timedelta(minutes=1))
    assert isinstance(retry.action, Run) and retry.action.step is Step.START
    assert sequence.result is None and sequence.running
    assert sequence.handle(CommandEnded(OK)).action == Look(0.0)
    end = finish(sequence.handle(Looked(up(False), 2.0)))
    assert end.result.outcome is Outcome.VERIFIED
    assert end.audit is not None and end.audit.outcome.startswith("verified: retry start: ")


def test_retry_start_is_refused_while_running_or_after_success(sequence: ApplySequence) -> None:
    with pytest.raises(RuntimeError):
        sequence.retry_start(T0)
    through_start(sequence)
    finish(sequence.handle(Looked(up(False), 1.0)))
    with pytest.raises(RuntimeError):
        sequence.retry_start(T0)


def test_an_audit_that_failed_is_a_warning_beside_the_true_result(sequence: ApplySequence) -> None:
    through_start(sequence)
    end = finish(sequence.handle(Looked(up(False), 3.0)))
    result = sequence.audit_failed("The change was not written to the audit log: read-only.")
    assert result.outcome is end.result.outcome is Outcome.VERIFIED and result.message == end.result.message
    assert result.warnings == ("The change was not written to the audit log: read-only.",)
    assert result.backup == end.result.backup and result.file_written


# --- starting an Appsmith that is down ----------------------------------------------------------------------


def test_start_only_writes_nothing_starts_waits_verifies_and_audits_a_start(tmp_path: Path) -> None:
    deployment = load_deployment(write_single_deployment(tmp_path / "deployment"))
    change = prepare_change(deployment, telemetry_on=True)  # the sample says false: what it has now
    assert not change.changes_file
    sequence = ApplySequence(change, plan_restart(deployment, ComposeTool.V2), health_timeout=60.0)
    first = sequence.start_only(T0)
    assert isinstance(first.action, Run) and first.action.step is Step.START
    assert first.action.command == sequence.plan.start  # type: ignore[union-attr]
    assert sequence.removal_attempted, "a cancel now leaves it down, as it was: the window asks"
    started = sequence.handle(CommandEnded(OK))
    assert started.action == Look(0.0)
    end = finish(sequence.handle(Looked(up(True), 3.0)))
    assert end.result.outcome is Outcome.VERIFIED and not end.result.file_written
    assert end.audit is not None and end.audit.action == "start"
    assert states(first)[:3] == [
        (Step.BACKUP, StepState.SKIPPED),
        (Step.WRITE, StepState.SKIPPED),
        (Step.REMOVE, StepState.SKIPPED),
    ]


def test_start_only_that_fails_is_down_and_can_be_retried(tmp_path: Path) -> None:
    deployment = load_deployment(write_single_deployment(tmp_path / "deployment"))
    change = prepare_change(deployment, telemetry_on=True)
    sequence = ApplySequence(change, plan_restart(deployment, ComposeTool.V2))
    sequence.start_only(T0)
    end = finish(sequence.handle(CommandEnded(ProcessOutcome(ProcessEnd.EXITED, exit_status=1, output="no"))))
    assert end.result.outcome is Outcome.DOWN
    assert sequence.can_retry_start
