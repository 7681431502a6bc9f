"""The fault matrix, Docker and the instance: every fault ends with a sentence that says what state Appsmith
and docker.env are in, nothing written when the change could not be applied, and no process left behind.

Rows run against the simulated docker (panel/demo), through the command line in a child process, through the
engine the command line uses (`apply_change`), and through the window's `ApplyRunner`.
"""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from panel.core import audit
from panel.core.apply import apply_change
from panel.core.apply_sequence import ApplyResult, Outcome, Step, StepState
from panel.core.backups import list_backups
from panel.core.change import prepare_change
from panel.core.envfile import EnvText, SwitchState
from panel.core.restart import ComposeTool, RestartPlan, plan_restart
from tests.conftest import live_processes_in_group
from tests.reliability.conftest import SimDeployment

RUN_MS = 90_000


class Recorder:
    """A reporter for `apply_change` that can cancel the run at a chosen moment: when a step reports
    (`cancel_on`), or on the first output line of the command of `cancel_on_output_of`."""

    def __init__(
        self,
        cancel: threading.Event,
        cancel_on: Callable[[Step, StepState, str], bool] | None = None,
        cancel_on_output_of: Step | None = None,
    ) -> None:
        self.cancel = cancel
        self.cancel_on = cancel_on
        self.cancel_on_output_of = cancel_on_output_of
        self.steps: list[tuple[Step, StepState, str]] = []
        self.lines: list[str] = []
        self.current: Step | None = None

    def step(self, step: Step, state: StepState, detail: str = "") -> None:
        self.steps.append((step, state, detail))
        self.current = step
        if self.cancel_on is not None and self.cancel_on(step, state, detail):
            self.cancel.set()

    def output(self, line: str) -> None:
        self.lines.append(line)
        if self.cancel_on_output_of is not None and self.current is self.cancel_on_output_of:
            self.cancel.set()

    def states(self) -> dict[Step, StepState]:
        return {step: state for step, state, _ in self.steps}


def file_state(sim: SimDeployment) -> SwitchState:
    return EnvText.parse(sim.env_file.read_bytes()).reading().state


def no_orphans(sim: SimDeployment, since: int | None = None) -> None:
    """Every compose command the panel started (each leads a process group of its own) has ended, with
    everything it started. Short docker queries run in the caller's group and are waited for."""
    calls = sim.calls()[sim.baseline if since is None else since :]
    changing = [call for call in calls if call["argv"][-2:] == ["up", "-d"] or "rm" in call["argv"]]
    assert all(call["pgid"] == call["pid"] for call in changing), "compose runs in a process group of its own"
    for call in changing:
        assert live_processes_in_group(call["pgid"]) == [], f"left running: {call['argv']}"


def short_plan(
    sim: SimDeployment, tool: ComposeTool = ComposeTool.V2, timeout: float | None = None
) -> RestartPlan:
    plan = plan_restart(sim.deployment, tool)
    if timeout is not None:
        plan = replace(
            plan, remove=replace(plan.remove, timeout=timeout), start=replace(plan.start, timeout=timeout)
        )
    return plan


def run_core(
    sim: SimDeployment,
    *,
    timeout: float | None = None,
    health_timeout: float = 60.0,
    recorder: Recorder | None = None,
) -> tuple[ApplyResult, Recorder]:
    cancel = threading.Event()
    recorder = recorder or Recorder(cancel)
    recorder.cancel = cancel
    change = prepare_change(sim.deployment, False)
    result = apply_change(
        change,
        short_plan(sim, timeout=timeout),
        recorder,
        cancel,
        health_timeout=health_timeout,
        health_interval=0.2,
    )
    return result, recorder


# --- docker missing, daemon down, socket permission
# ----------------------------------------------------------


def test_row_docker_missing(
    sim_deployment: Callable[..., SimDeployment], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = sim_deployment(start=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    before = sim.env_file.read_bytes()
    status = sim.cli("status", str(sim.folder), "--json")
    assert status.code == 0, status.output
    document = json.loads(status.stdout)
    assert document["docker_error"]["problem"] == "docker-missing"
    assert "not found on PATH" in document["docker_error"]["message"]
    assert document["verdict"] == "enabled" and document["verified"] is False
    change = sim.cli("disable", str(sim.folder), "--restart", "--yes")
    assert change.code == 4, change.output
    assert "not found on PATH" in change.stderr
    assert sim.env_file.read_bytes() == before and list_backups(sim.env_file) == []


@pytest.mark.parametrize(
    ("fault", "problem", "words"),
    [
        ("daemon-down", "daemon-down", "The Docker daemon is not running"),
        ("permission-denied", "permission-denied", "Permission denied on the Docker socket"),
    ],
    ids=["daemon-not-running", "socket-permission-denied"],
)
def test_row_docker_engine_unreachable(
    sim_deployment: Callable[..., SimDeployment], fault: str, problem: str, words: str
) -> None:
    sim = sim_deployment()
    sim.set_faults(fault)
    before = sim.env_file.read_bytes()
    status = sim.cli("status", str(sim.folder), "--json")
    assert status.code == 0, status.output
    document = json.loads(status.stdout)
    assert document["docker_error"]["problem"] == problem
    assert words in document["docker_error"]["message"]
    # With --restart, the engine is asked before anything is written (found by this row: the file used to be
    # written, and the removal then failed with the daemon's raw error).
    change = sim.cli("disable", str(sim.folder), "--restart", "--yes")
    assert change.code == 4, change.output
    assert words in change.stderr
    assert sim.env_file.read_bytes() == before and list_backups(sim.env_file) == []
    assert not any(call["argv"][2:3] == ["rm"] or "rm" in call["argv"] for call in sim.compose_calls())
    assert audit.read_entries() == []
    # Without --restart the file alone is written, as asked: docker is not needed for that.
    written = sim.cli("disable", str(sim.folder), "--yes")
    assert written.code == 0 and file_state(sim) is SwitchState.DISABLED


def test_row_docker_engine_unreachable_in_the_window(
    qtbot: QtBot, sim_deployment: Callable[..., SimDeployment], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.core.status import gather
    from panel.gui.consent_dialog import ConsentDialog

    sim = sim_deployment()
    sim.set_faults("daemon-down")
    status = gather(sim.deployment)
    dialog = ConsentDialog(status, False, None)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.button_note.isVisibleTo(dialog), timeout=30_000)
    assert not dialog.restart_now_button.isEnabled()
    assert "The Docker daemon is not running" in dialog.button_note.text()
    assert dialog.restart_later_button.isEnabled()


# --- compose v1, v2, both; a compose file docker rejects
# ---------------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "program"),
    [
        ("no-compose-v1", ["docker", "compose"]),
        ("no-compose-v2", ["docker-compose"]),
        ("", ["docker", "compose"]),
    ],
    ids=["compose-v2-only", "compose-v1-only", "compose-both-prefers-v2"],
)
def test_row_compose_versions(
    sim_deployment: Callable[..., SimDeployment], faults: str, program: list[str]
) -> None:
    sim = sim_deployment(faults=faults)
    before = len(sim.calls())
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes", "--json")
    assert result.code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outcome"] == "verified"
    assert report["commands"] == [
        shlex.join([*program, "-f", "docker-compose.yml", "rm", "-fsv", "--", "appsmith"]),
        shlex.join([*program, "-f", "docker-compose.yml", "up", "-d"]),
    ]
    ran = [
        call["argv"]
        for call in sim.calls()[before:]
        if call["argv"][-2:] == ["up", "-d"] or "rm" in call["argv"]
    ]
    assert ran == [
        [*program, "-f", "docker-compose.yml", "rm", "-fsv", "--", "appsmith"],
        [*program, "-f", "docker-compose.yml", "up", "-d"],
    ]


def test_row_compose_missing_both(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment(faults="no-compose-v1,no-compose-v2")
    before = sim.env_file.read_bytes()
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes")
    assert result.code == 4
    assert "docker compose" in result.stderr and "docker-compose" in result.stderr
    assert sim.env_file.read_bytes() == before


def test_row_compose_file_rejected(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment()
    sim.set_faults("compose-rejects")
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes", "--json")
    assert result.code == 1, result.output
    report = json.loads(result.stdout)
    assert report["outcome"] == "restart-failed"
    # The message carries compose's own reason (found by this row: it said only "exit code 1").
    assert "services.appsmith.ports is invalid" in report["message"]
    assert "old container may still run" in report["message"]
    assert file_state(sim) is SwitchState.DISABLED and report["backup"]
    status = json.loads(sim.cli("status", str(sim.folder), "--json").stdout)
    assert status["container"]["running"] is True, "compose refused before touching the container"


# --- rm then up fails, up hangs, cancel at each step
# -------------------------------------------------------------


def test_row_rm_succeeds_up_fails(sim_deployment: Callable[..., SimDeployment]) -> None:
    """Found by this row: the retry command in the message was `cd <folder> && …` unquoted, so pasting it for
    a folder with spaces, quotes or `$(…)` in its name ran something else."""
    sim = sim_deployment(name='my "apps" $(echo x)')
    sim.set_faults("up-fails")
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes", "--json")
    assert result.code == 6, result.output
    report = json.loads(result.stdout)
    assert report["outcome"] == "appsmith-down"
    assert report["message"].startswith("APPSMITH IS DOWN")
    assert "driver failed programming external connectivity" in report["message"]
    retry = report["message"].split("Start it again with: ", 1)[1].split("  — ", 1)[0]
    assert retry == f"cd {shlex.quote(str(sim.folder))} && docker compose -f docker-compose.yml up -d"
    [entry] = audit.read_entries()
    assert entry.outcome.startswith("appsmith-down")
    no_orphans(sim)
    # The retry the message gives works, as typed into a shell.
    sim.set_faults("boot-delay=0.2")
    subprocess.run(["/bin/sh", "-c", retry], check=True, capture_output=True, timeout=60)
    status = json.loads(sim.cli("status", str(sim.folder), "--json").stdout)
    assert status["container"]["running"] is True


def test_row_up_hangs_past_its_timeout(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment()
    sim.set_faults("up-hangs")
    result, recorder = run_core(sim, timeout=2.0)
    assert result.outcome is Outcome.DOWN, result.message
    assert "timed out after 2 s" in result.message
    assert recorder.states()[Step.START] is StepState.FAILED
    no_orphans(sim)


def test_row_up_hangs_past_its_timeout_in_the_window(
    qtbot: QtBot, sim_deployment: Callable[..., SimDeployment]
) -> None:
    from panel.gui.apply_runner import ApplyRunner

    sim = sim_deployment()
    sim.set_faults("up-hangs")
    runner = ApplyRunner(
        prepare_change(sim.deployment, False), short_plan(sim, timeout=2.0), health_interval=0.2
    )
    with qtbot.waitSignal(runner.finished, timeout=RUN_MS) as finished:
        runner.start()
    result: ApplyResult = finished.args[0]
    assert result.outcome is Outcome.DOWN and "timed out after 2 s" in result.message
    assert runner.can_retry_start
    no_orphans(sim)


CANCEL_POINTS = {
    # step: (faults, how the test cancels, the outcome, words the message must say)
    "write": ("", "step", Outcome.CANCELLED, "keeps running with the old value"),
    "remove": ("rm-hangs", Step.REMOVE, Outcome.CANCELLED, "may be down"),
    "start": ("up-hangs", Step.START, Outcome.DOWN, "APPSMITH IS DOWN"),
    "health": ("boot-delay=600", "health", Outcome.CANCELLED, "keep starting"),
}


def _cancel_rule(how: str) -> Callable[[Step, StepState, str], bool] | None:
    if how == "step":
        return lambda step, state, _: step is Step.BACKUP and state is StepState.RUNNING
    if how == "health":
        return lambda step, state, _: step is Step.HEALTH and state is StepState.RUNNING
    return None


@pytest.mark.parametrize("point", list(CANCEL_POINTS))
def test_row_cancel_during_each_step(sim_deployment: Callable[..., SimDeployment], point: str) -> None:
    faults, how, outcome, words = CANCEL_POINTS[point]
    sim = sim_deployment()
    sim.set_faults(faults or "boot-delay=0.2")
    calls_before = len(sim.calls())
    cancel = threading.Event()
    recorder = Recorder(cancel, _cancel_rule(how), how if isinstance(how, Step) else None)
    result, _ = run_core(sim, recorder=recorder)
    assert result.outcome is outcome, result.message
    assert words in result.message
    assert file_state(sim) is SwitchState.DISABLED, "the write is atomic: it completes, then the run stops"
    if point == "write":
        # Found by this row: a cancel during the write used to start `rm` anyway and kill it 0.1 s later.
        assert not any("rm" in call["argv"] for call in sim.calls()[calls_before:])
    assert audit.read_entries()[-1].outcome.startswith(outcome.value)
    no_orphans(sim, calls_before)


@pytest.mark.parametrize("point", list(CANCEL_POINTS))
def test_row_cancel_during_each_step_in_the_window(
    qtbot: QtBot, sim_deployment: Callable[..., SimDeployment], point: str
) -> None:
    from panel.gui.apply_runner import ApplyRunner

    faults, how, outcome, words = CANCEL_POINTS[point]
    sim = sim_deployment()
    sim.set_faults(faults or "boot-delay=0.2")
    calls_before = len(sim.calls())
    runner = ApplyRunner(prepare_change(sim.deployment, False), short_plan(sim), health_interval=0.2)
    rule = _cancel_rule(how)
    current: list[Step] = []

    def stepped(step: Step, state: StepState, detail: str) -> None:
        current.append(step)
        if rule is not None and rule(step, state, detail):
            runner.cancel()

    runner.step_changed.connect(stepped)
    runner.output.connect(lambda _line: runner.cancel() if current and current[-1] is how else None)
    with qtbot.waitSignal(runner.finished, timeout=RUN_MS) as finished:
        runner.start()
    result: ApplyResult = finished.args[0]
    assert result.outcome is outcome, result.message
    assert words.lower() in result.message.lower()
    assert file_state(sim) is SwitchState.DISABLED
    no_orphans(sim, calls_before)


@pytest.mark.parametrize(
    ("signum", "faults", "code", "words"),
    [
        (signal.SIGINT, "up-hangs", 6, "APPSMITH IS DOWN"),
        (signal.SIGTERM, "rm-hangs", 130, "may be down"),
    ],
    ids=["ctrl-c-during-start", "sigterm-during-remove"],
)
def test_row_cancel_the_command_line_with_a_signal(
    sim_deployment: Callable[..., SimDeployment], signum: int, faults: str, code: int, words: str
) -> None:
    """Found by this row: Ctrl+C used to end the command line with a bare "cancelled" (Appsmith's state
    untold, no audit line), and SIGTERM killed it outright, leaving compose running in its own session."""
    sim = sim_deployment()
    sim.set_faults(faults)
    process = subprocess.Popen(
        [sys.executable, "-m", "panel", "disable", str(sim.folder), "--restart", "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert process.stderr is not None
    step = "Start it again" if faults == "up-hangs" else "Remove the container"
    seen_step = False
    for line in process.stderr:
        seen_step = seen_step or (line.startswith("[  running]") and step in line)
        # the hanging command has started and printed its first line
        if seen_step and line.startswith("    | "):
            break
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stdout + stderr
    assert words in stdout
    assert audit.read_entries()[-1].outcome.split(":", 1)[0] in ("appsmith-down", "cancelled")
    no_orphans(sim)


# --- health and the instance's answers
# --------------------------------------------------------------------------


def test_row_health_never_turns_up(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment()
    sim.set_faults("boot-delay=600")
    result, recorder = run_core(sim, health_timeout=3.0)
    assert result.outcome is Outcome.UNHEALTHY
    assert "not healthy after 3 s" in result.message and "HTTP 503" in result.message
    assert recorder.states()[Step.HEALTH] is StepState.FAILED
    no_orphans(sim)


def test_row_health_answers_500(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment()
    sim.set_faults("health-500,boot-delay=0.2")
    result, _ = run_core(sim, health_timeout=3.0)
    assert result.outcome is Outcome.UNHEALTHY
    assert "health check answered HTTP 500" in result.message
    status = json.loads(sim.cli("status", str(sim.folder), "--json").stdout)
    assert status["server"]["health"] == "error" and "HTTP 500" in status["server"]["detail"]


def test_row_instance_answers_slowly(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment(faults="health-slow=1")
    result, _ = run_core(sim)
    assert result.outcome is Outcome.VERIFIED, result.message
    slower = sim_deployment(faults="health-slow=8")  # the server takes its faults when it starts
    status = slower.cli("status", str(slower.folder), "--json", timeout=30)
    assert status.code == 0
    document = json.loads(status.stdout)
    assert document["server"]["health"] == "starting"
    assert "no answer within 3 s" in document["server"]["detail"]
    assert document["verified"] is False


@pytest.mark.parametrize(
    ("fault", "note"),
    [
        ("no-enable-telemetry", "does not report its telemetry setting"),
        ("users-me-not-json", "not JSON"),
    ],
    ids=["users-me-lacks-the-field", "users-me-not-json"],
)
def test_row_users_me_answers(sim_deployment: Callable[..., SimDeployment], fault: str, note: str) -> None:
    sim = sim_deployment()
    sim.set_faults(f"{fault},boot-delay=0.2")
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes", "--json")
    assert result.code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outcome"] == "applied-unconfirmed"
    assert "started after the change" in report["message"]
    status = json.loads(sim.cli("status", str(sim.folder), "--json").stdout)
    assert status["server"]["enable_telemetry"] is None and status["server"]["health"] == "up"
    assert status["verdict"] == "disabled" and status["verified"] is False

    from panel.core.instance import probe

    port = status["container"]["http_port"]
    assert note in probe(port).telemetry_detail


def test_row_missing_file_with_restart_runs_nothing(sim_deployment: Callable[..., SimDeployment]) -> None:
    sim = sim_deployment(start=False)
    sim.env_file.unlink()
    result = sim.cli("disable", str(sim.folder), "--restart", "--yes")
    assert result.code == 5 and "first start" in result.stderr
    assert not sim.env_file.exists() and not any(call["argv"][-2:] == ["up", "-d"] for call in sim.calls())
