"""ConsentDialog: says what will happen, changes nothing until asked, then applies in front of the user."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from panel.core import audit
from panel.core.apply_sequence import Outcome, Step
from panel.core.deployment import load_deployment
from panel.core.envfile import EnvText, SwitchState
from panel.core.payloads import load_catalog
from panel.core.restart import ComposeTool, plan_restart
from panel.core.status import RunningState, Status, assemble, gather, read_file_state
from panel.gui.consent_dialog import ConsentDialog, Page
from tests.conftest import live_processes_in_group
from tests.gui.conftest import DEMO_SECRETS, DemoFixture, all_widget_text

RUN_MS = 60000


@pytest.fixture(autouse=True)
def fast_health(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConsentDialog, "health_interval", 0.2)


def open_dialog(qtbot: QtBot, status: Status, telemetry_on: bool = False) -> ConsentDialog:
    dialog = ConsentDialog(status, telemetry_on, None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def offline_status(folder: Path) -> Status:
    """The status of a deployment without asking docker: enough for the review page."""
    deployment = load_deployment(folder)
    return assemble(deployment, read_file_state(deployment.env_file), RunningState())


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """The demo deployment's files, not started: for what needs no docker."""
    from panel.demo import copy_demo_deployment

    return copy_demo_deployment(tmp_path / "appsmith")


def wait_for_commands(qtbot: QtBot, dialog: ConsentDialog) -> None:
    qtbot.waitUntil(lambda: dialog.restart_now_button.isEnabled(), timeout=RUN_MS)


def file_state(path: Path) -> SwitchState:
    return EnvText.parse(path.read_bytes()).reading().state


def assert_no_secret(dialog: ConsentDialog) -> None:
    text = all_widget_text(dialog)
    for secret in DEMO_SECRETS:
        assert secret not in text


def test_no_button_is_default_and_enter_applies_nothing(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    dialog = open_dialog(qtbot, gather(demo_deployment.deployment))
    wait_for_commands(qtbot, dialog)
    for button in dialog.findChildren(QPushButton):
        assert not button.isDefault() and not button.autoDefault(), button.text()
    assert not isinstance(dialog.focusWidget(), QPushButton)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        qtbot.keyClick(dialog, key)
        qtbot.keyClick(dialog.focusWidget(), key)
    qtbot.wait(200)
    assert dialog.isVisible() and dialog.pages.currentIndex() == Page.REVIEW
    assert dialog.runner is None
    assert file_state(demo_deployment.env_file) is SwitchState.ENABLED
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.apply_result is None


def test_enter_on_a_focused_button_presses_that_button(qtbot: QtBot, demo_copy: Path) -> None:
    dialog = open_dialog(qtbot, offline_status(demo_copy))
    dialog.cancel_review_button.setFocus()
    qtbot.keyClick(dialog.cancel_review_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert dialog.result() == ConsentDialog.DialogCode.Rejected and dialog.runner is None


def test_review_says_what_it_does_then_the_diff_and_commands_with_the_events_collapsed(
    qtbot: QtBot, demo_copy: Path
) -> None:
    dialog = open_dialog(qtbot, offline_status(demo_copy), telemetry_on=False)
    assert dialog.windowTitle() == "Turn telemetry OFF"
    assert dialog.what_label.text() == (
        "This turns telemetry OFF and recreates the appsmith container (about a minute of downtime)."
    )
    body = dialog.review_scroll.widget()
    assert body is not None
    tops = {
        name: widget.mapTo(body, widget.rect().topLeft()).y()
        for name, widget in (
            ("what", dialog.what_label),
            ("diff", dialog.diff_view),
            ("commands", dialog.commands_view),
            ("events", dialog.events_section),
        )
    }
    assert tops["what"] < tops["diff"] < tops["commands"] < tops["events"]
    assert not dialog.events_section.expanded and not dialog.switched_label.isVisible()
    dialog.events_section.toggle.click()
    assert dialog.switched_label.isVisible()
    commands_text = all_widget_text(dialog)
    assert "anonymous volumes" in commands_text and "./stacks" in commands_text
    assert "asks Appsmith for update checks, feature flags and plugins with the instance id" in commands_text


def test_turning_it_on_names_what_identifies_the_instance(qtbot: QtBot, demo_copy: Path) -> None:
    status = offline_status(demo_copy)
    dialog = open_dialog(qtbot, status, telemetry_on=True)
    text = all_widget_text(dialog)
    assert "public IP" in text and "instance id" in text and "hashed email" in text
    assert "anonymous usage" not in text


def test_review_states_the_choice_the_events_the_masked_diff_and_the_commands(
    qtbot: QtBot, demo_deployment: DemoFixture
) -> None:
    dialog = open_dialog(qtbot, gather(demo_deployment.deployment), telemetry_on=False)
    wait_for_commands(qtbot, dialog)
    text = all_widget_text(dialog)
    assert "Stop sending usage data to Appsmith" in text
    catalog = load_catalog()
    stopped = [sample.event for sample in catalog.samples if sample.stopped_by_switch]
    assert stopped and all(event in dialog.switched_label.text() for event in stopped)
    assert "These events will stop:" in text
    assert all(item.name in dialog.always_label.text() for item in catalog.always_sent)
    assert "Sent whatever you choose" in text
    diff = dialog.diff_view.toPlainText()
    assert "-APPSMITH_DISABLE_TELEMETRY=false" in diff.splitlines()
    assert "+APPSMITH_DISABLE_TELEMETRY=true" in diff.splitlines()
    assert 'Lines starting with "-" are removed' in text
    plan = plan_restart(demo_deployment.deployment, ComposeTool.V2)
    assert dialog.commands_view.toPlainText() == plan.shell_text()
    assert_no_secret(dialog)


def test_the_other_way_says_share(qtbot: QtBot, demo_copy: Path) -> None:
    env_file = demo_copy / "stacks/configuration/docker.env"
    env_file.write_text(env_file.read_text().replace("TELEMETRY=false", "TELEMETRY=true"))
    dialog = open_dialog(qtbot, offline_status(demo_copy), telemetry_on=True)
    assert dialog.pages.currentIndex() == Page.REVIEW
    assert "Share usage data with Appsmith" in all_widget_text(dialog)
    assert "These events will start being sent:" in all_widget_text(dialog)
    assert "+APPSMITH_DISABLE_TELEMETRY=false" in dialog.diff_view.toPlainText()


@pytest.mark.parametrize(
    ("tag", "said"),
    [
        ("v1.50", "Starting the container sends one usage event, “Instance Start”"),
        ("v1.9.2", "Starting the container sends no event of its own"),
        ("latest", "Starting the container may send one usage event"),
    ],
)
def test_the_commands_say_what_the_start_itself_sends(
    qtbot: QtBot, demo_copy: Path, tag: str, said: str
) -> None:
    compose = demo_copy / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("appsmith-ce:v1.50", f"appsmith-ce:{tag}"))
    dialog = open_dialog(qtbot, offline_status(demo_copy), telemetry_on=False)
    text = dialog.restart_notice_label.text()
    assert text.startswith(said)
    assert ("Blocking api.segment.io stops it." in text) is (tag != "v1.9.2")
    assert dialog.restart_notice_label.parent() is dialog.commands_view.parent(), "beside the commands"


def test_secrets_in_the_diff_context_are_masked(qtbot: QtBot, demo_copy: Path) -> None:
    env_file = demo_copy / "stacks/configuration/docker.env"
    text = env_file.read_text()
    # Put a secret right next to the switch, so it is part of the diff's context lines.
    env_file.write_text(
        text.replace(
            "APPSMITH_DISABLE_TELEMETRY=false",
            "APPSMITH_ENCRYPTION_PASSWORD=demo-not-a-secret-encryption-password\n"
            "APPSMITH_DISABLE_TELEMETRY=false",
        )
    )
    dialog = open_dialog(qtbot, offline_status(demo_copy))
    assert " APPSMITH_ENCRYPTION_PASSWORD=••••••" in dialog.diff_view.toPlainText().splitlines()
    assert_no_secret(dialog)


def test_without_compose_only_restart_now_is_disabled(
    qtbot: QtBot, demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    dialog = open_dialog(qtbot, offline_status(demo_copy))
    assert dialog.commands_view.toPlainText() == "Checking which docker compose is installed…"
    qtbot.waitUntil(lambda: "not found on PATH" in dialog.commands_view.toPlainText(), timeout=RUN_MS)
    assert not dialog.restart_now_button.isEnabled()
    assert dialog.restart_later_button.isEnabled()
    assert dialog.button_note.isVisible() and "Restarting is not possible" in dialog.button_note.text()


def test_apply_later_writes_the_file_only(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    dialog = open_dialog(qtbot, gather(demo_deployment.deployment))
    calls = len(demo_deployment.calls())
    qtbot.mouseClick(dialog.restart_later_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == Page.PROGRESS
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.WRITTEN
    assert file_state(demo_deployment.env_file) is SwitchState.DISABLED
    # Only what finds docker compose (still running when the button was pressed), never a compose command.
    detection = (["docker", "version", "--format"], ["docker", "compose", "version"])
    assert all(call["argv"][:3] in detection for call in demo_deployment.calls()[calls:])
    states = {step: dialog.progress.state_text(step) for step in Step}
    assert states[Step.BACKUP] == "Done" and states[Step.WRITE] == "Done"
    assert {states[step] for step in (Step.REMOVE, Step.START, Step.HEALTH, Step.VERIFY)} == {"Not run"}
    assert dialog.verdict_label.text() == "Written: docker.env has the new value."
    assert "takes effect when the containers are recreated" in dialog.verdict_detail.text()
    assert dialog.close_button.isVisible() and not dialog.retry_button.isVisible()
    assert_no_secret(dialog)


def test_apply_now_runs_to_a_verified_verdict(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    dialog = open_dialog(qtbot, gather(demo_deployment.deployment))
    wait_for_commands(qtbot, dialog)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_run_button.isVisible()
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.VERIFIED
    assert {dialog.progress.state_text(step) for step in Step} == {"Done"}
    assert dialog.verdict_label.text() == "Done: the new setting is in effect."
    assert "Verified: the server reports telemetry off." in dialog.verdict_detail.text()
    assert "Removing appsmith" in dialog.progress.log.toPlainText()
    assert not dialog.cancel_run_button.isVisible() and dialog.close_button.isVisible()
    assert_no_secret(dialog)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_refused_change_shows_the_reason_and_only_close(qtbot: QtBot, demo_copy: Path) -> None:
    env_file = demo_copy / "stacks/configuration/docker.env"
    status = offline_status(demo_copy)
    env_file.unlink()
    dialog = open_dialog(qtbot, status)
    assert dialog.pages.currentIndex() == Page.REFUSED
    assert "does not exist" in dialog.refused_label.text()
    visible = [
        button.text().replace("&", "") for button in dialog.findChildren(QPushButton) if button.isVisible()
    ]
    assert visible == ["Close"]
    qtbot.mouseClick(dialog.close_refused_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.apply_result is None


def test_an_override_is_said_first_and_only_writing_is_offered(qtbot: QtBot, demo_copy: Path) -> None:
    compose = demo_copy / "docker-compose.yml"
    compose.write_text(
        compose.read_text().replace(
            "    image:", '    environment:\n      APPSMITH_DISABLE_TELEMETRY: "false"\n    image:', 1
        )
    )
    status = offline_status(demo_copy)
    assert status.override is not None
    dialog = open_dialog(qtbot, status)
    assert dialog.override_box is not None and dialog.override_box.isVisible()
    assert "writing docker.env changes nothing" in dialog.override_label.text()
    assert not dialog.restart_now_button.isVisible()
    assert dialog.restart_later_button.text() == "&Write the file only"
    qtbot.mouseClick(dialog.restart_later_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    assert dialog.apply_result is not None and dialog.apply_result.outcome is Outcome.WRITTEN


def test_up_to_v1_6_8_an_override_does_not_stop_the_change_as_docker_env_wins(
    qtbot: QtBot, demo_copy: Path
) -> None:
    compose = demo_copy / "docker-compose.yml"
    compose.write_text(
        re.sub(
            r"(?m)^    image: .*$",
            '    environment:\n      APPSMITH_DISABLE_TELEMETRY: "false"\n'
            "    image: index.docker.io/appsmith/appsmith-ce:v1.6.8",
            compose.read_text(),
            count=1,
        )
    )
    status = offline_status(demo_copy)
    assert status.override is not None and status.file_decides
    dialog = open_dialog(qtbot, status)
    assert dialog.override_box is None
    assert (
        dialog.restart_now_button.isVisible() and dialog.restart_later_button.text() != "&Write the file only"
    )
    assert "still wins" not in all_widget_text(dialog)


def test_a_failed_start_offers_retry_and_restore(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_deployment_factory(faults="up-fails")
    original = demo.env_file.read_bytes()
    dialog = open_dialog(qtbot, gather(demo.deployment))
    wait_for_commands(qtbot, dialog)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.DOWN
    assert dialog.verdict_label.text() == "Failed: Appsmith is down."
    assert "APPSMITH IS DOWN" in dialog.verdict_detail.text()
    assert "Cannot start service appsmith" in dialog.progress.log.toPlainText()
    assert dialog.progress.state_text(Step.START) == "Failed"
    assert dialog.retry_button.isVisible() and dialog.restore_button.isVisible()

    asked: list[tuple[Path, Path]] = []

    def confirm(cls: type[ConsentDialog], parent: object, backup: Path, env_file: Path) -> bool:
        asked.append((backup, env_file))
        return True

    monkeypatch.setattr(ConsentDialog, "confirm_restore", classmethod(confirm))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert asked == [(result.backup, demo.env_file)]
    assert demo.env_file.read_bytes() == original
    assert dialog.verdict_label.text() == "Restored: docker.env is back as it was before this change."
    assert "Appsmith is still down" in dialog.verdict_detail.text()
    assert not dialog.restore_button.isVisible() and not dialog.retry_button.isVisible()
    assert audit.read_entries()[-1].action == "restore"


def test_restore_asks_first_and_does_nothing_when_declined(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_deployment_factory(faults="up-fails")
    dialog = open_dialog(qtbot, gather(demo.deployment))
    wait_for_commands(qtbot, dialog)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    monkeypatch.setattr(
        ConsentDialog, "confirm_restore", classmethod(lambda cls, parent, backup, env_file: False)
    )
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert file_state(demo.env_file) is SwitchState.DISABLED
    assert dialog.restore_button.isVisible()


def test_retry_start_from_the_dialog(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture]
) -> None:
    demo = demo_deployment_factory(faults="up-fails")
    dialog = open_dialog(qtbot, gather(demo.deployment))
    wait_for_commands(qtbot, dialog)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    demo.set_faults("")
    qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert dialog.progress.state_text(Step.START) in ("Waiting", "Running…")
    assert dialog.cancel_run_button.isVisible() and not dialog.close_button.isVisible()
    qtbot.waitUntil(
        lambda: dialog.apply_result is not None and dialog.apply_result.outcome is Outcome.VERIFIED,
        timeout=RUN_MS,
    )
    assert {dialog.progress.state_text(step) for step in Step} == {"Done"}
    assert not dialog.retry_button.isVisible()


def answer_stop_question(monkeypatch: pytest.MonkeyPatch, stop: bool) -> list[bool]:
    """Answer "Stop now?" with `stop`; the list records each time it was asked."""
    asked: list[bool] = []

    def confirm(_parent: object) -> bool:
        asked.append(True)
        return stop

    monkeypatch.setattr(ConsentDialog, "confirm_stop", classmethod(lambda cls, parent: confirm(parent)))
    return asked


def test_cancel_while_compose_hangs_asks_and_escape_does_not_close(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_deployment_factory(faults="up-hangs")
    dialog = open_dialog(qtbot, gather(demo.deployment))
    wait_for_commands(qtbot, dialog)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Creating appsmith" in dialog.progress.log.toPlainText(), timeout=RUN_MS)
    up = [call for call in demo.calls() if call["argv"][4:] == ["up", "-d"]][-1]
    # while the container is being created again, Escape asks first; keeping on waiting changes nothing
    asked = answer_stop_question(monkeypatch, False)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == [True] and dialog.runner is not None and dialog.runner.running
    assert dialog.cancel_run_button.isEnabled()
    # stopping is the second, deliberate answer; the dialog stays open to say what state Appsmith is in
    answer_stop_question(monkeypatch, True)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    assert dialog.isVisible()
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.DOWN
    assert dialog.progress.state_text(Step.START) == "Cancelled"
    assert live_processes_in_group(up["pgid"]) == []
    assert dialog.retry_button.isVisible()


def test_cancel_during_removal_asks_then_stops_when_told(
    qtbot: QtBot, demo_deployment_factory: Callable[..., DemoFixture], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_deployment_factory(faults="rm-hangs")
    dialog = open_dialog(qtbot, gather(demo.deployment))
    wait_for_commands(qtbot, dialog)
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Stopping appsmith" in dialog.progress.log.toPlainText(), timeout=RUN_MS)
    asked = answer_stop_question(monkeypatch, True)
    qtbot.mouseClick(dialog.cancel_run_button, Qt.MouseButton.LeftButton)
    assert asked == [True]
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    result = dialog.apply_result
    assert result is not None and result.outcome is Outcome.CANCELLED
    assert dialog.verdict_label.text() == "Cancelled."
    assert "half removed" in dialog.verdict_detail.text()
    assert dialog.retry_button.isVisible()


def when_the_dialog_is_up(then: Callable[[ConsentDialog], None], timeout: float = 30.0) -> None:
    """Call `then(dialog)` once `ask` has prepared the change and shown the dialog (polled, never waited for
    in a nested event loop, which would hold up the preparation's own loop)."""
    import time

    deadline = time.monotonic() + timeout

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ConsentDialog):
            then(dialog)
        elif time.monotonic() < deadline:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)


def test_ask_returns_none_when_cancelled(qtbot: QtBot, demo_copy: Path) -> None:
    when_the_dialog_is_up(lambda dialog: dialog.cancel_review_button.click())
    assert ConsentDialog.ask(None, offline_status(demo_copy), False) is None


def test_a_slow_preparation_keeps_the_window_live_and_can_be_cancelled(
    qtbot: QtBot, demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading and masking a big docker.env takes seconds: it runs off the GUI thread, with a Cancel."""
    import time

    from panel.gui import consent_dialog

    real = consent_dialog.prepare_review

    def slow(*args: object) -> object:
        time.sleep(1.5)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(consent_dialog, "prepare_review", slow)
    env_file = demo_copy / "stacks" / "configuration" / "docker.env"
    before = env_file.read_bytes()
    ticks: list[float] = []
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start(20)
    seen: list[str] = []

    def cancel_the_progress() -> None:
        shown = QApplication.activeModalWidget()
        assert isinstance(shown, QProgressDialog), f"no progress dialog: {shown!r}"
        seen.append(shown.labelText())
        [cancel] = shown.findChildren(QPushButton)
        cancel.click()

    QTimer.singleShot(900, cancel_the_progress)

    def close_a_review_that_should_not_be_there() -> None:  # so that a failure cannot hang the run
        shown = QApplication.activeModalWidget()
        if isinstance(shown, ConsentDialog):
            shown.reject()

    QTimer.singleShot(5000, close_a_review_that_should_not_be_there)
    started = time.monotonic()
    assert ConsentDialog.ask(None, offline_status(demo_copy), False) is None
    ticker.stop()
    assert time.monotonic() - started < 1.4, "cancel answers at once, not when the reading ends"
    assert seen and "preparing the change" in seen[0]
    assert len([t for t in ticks if t < started + 0.85]) >= 20, "the event loop kept running while preparing"
    assert env_file.read_bytes() == before


def test_ask_returns_the_result(qtbot: QtBot, demo_copy: Path) -> None:
    def write_then_close(dialog: ConsentDialog) -> None:
        dialog.restart_later_button.click()

        def close_when_done() -> None:
            if dialog.apply_result is None:
                QTimer.singleShot(50, close_when_done)
            else:
                dialog.close_button.click()

        close_when_done()

    when_the_dialog_is_up(write_then_close)
    result = ConsentDialog.ask(None, offline_status(demo_copy), False)
    assert result is not None and result.outcome is Outcome.WRITTEN


def test_both_pages_render(qtbot: QtBot, demo_deployment: DemoFixture, tmp_path: Path) -> None:
    """Grabs both pages; set PANEL_SHOTS_DIR to keep the PNGs for a look."""
    folder = Path(os.environ.get("PANEL_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    dialog = open_dialog(qtbot, gather(demo_deployment.deployment))
    dialog.resize(780, 760)
    wait_for_commands(qtbot, dialog)
    review = dialog.grab()
    assert not review.isNull() and review.save(str(folder / "consent_review.png"))
    qtbot.mouseClick(dialog.restart_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.apply_result is not None, timeout=RUN_MS)
    progress = dialog.grab()
    assert not progress.isNull() and progress.save(str(folder / "consent_progress.png"))


def test_a_big_docker_env_is_prepared_in_a_child_process(
    qtbot: QtBot, demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing megabytes in a thread still stalls the GUI thread (the interpreter lock): a big file's review
    is prepared in a child process, and the dialog shows the same diff."""
    from panel.core import offload
    from tests.core.test_offload import padded

    env_file = demo_copy / "stacks" / "configuration" / "docker.env"
    padded(env_file, offload.BIG_FILE_BYTES + 1)
    routed: list[str] = []
    real = offload.in_child

    def recording(work: Callable[..., object], *args: object, **kwargs: object) -> object:
        routed.append(work.__name__)
        return real(work, *args, **kwargs)

    monkeypatch.setattr(offload, "in_child", recording)
    review = ConsentDialog.prepare_in_background(None, load_deployment(demo_copy), False)
    assert routed == ["prepare_review"]
    assert review is not None and review.change is not None
    assert "+APPSMITH_DISABLE_TELEMETRY=true" in review.diff
    dialog = ConsentDialog(offline_status(demo_copy), False, None, review)
    qtbot.addWidget(dialog)
    assert "+APPSMITH_DISABLE_TELEMETRY=true" in all_widget_text(dialog)
    for secret in DEMO_SECRETS:
        assert secret not in review.diff
