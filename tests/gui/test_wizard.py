"""The first-run wizard, walked by keyboard against the demo deployment (simulated docker, real files).

Set PANEL_SCREENSHOTS=/some/folder to save every page as wizard_<page>.png (light and dark palettes).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QWidget, QWizard

from panel.core.apply_sequence import Outcome, Step
from panel.core.backups import list_backups
from panel.core.paths import audit_log_path
from panel.core.status import Verdict
from panel.demo import DemoSession
from panel.gui.wizard import Choice, FirstRunWizard
from tests.gui.conftest import DEMO_SECRETS, DemoFixture, all_widget_text

Page = FirstRunWizard.Page
TELEMETRY_LINE = "APPSMITH_DISABLE_TELEMETRY"
APPLY_TIMEOUT_MS = 60_000
SHOTS = os.environ.get("PANEL_SCREENSHOTS")


# ----- fixtures
# ---------------------------------------------------------------------------------------------------


@pytest.fixture()
def demo(demo_deployment_factory: Callable[..., DemoFixture]) -> DemoSession:
    """The demo deployment, healthy at once; the audit log is per test (tests/conftest.py's
    isolated_state)."""
    return demo_deployment_factory(boot_delay=0).session


@pytest.fixture()
def env_file(demo: DemoSession) -> Path:
    return demo.folder / "stacks" / "configuration" / "docker.env"


@pytest.fixture()
def make_wizard(qtbot):  # type: ignore[no-untyped-def]
    def make(initial: Path | None = None, dark: bool = False) -> FirstRunWizard:
        wizard = FirstRunWizard(None, initial, health_interval=0.05, health_timeout=30.0)
        qtbot.addWidget(wizard)
        if dark:
            wizard.setPalette(dark_palette())
        wizard.resize(900, 640)
        wizard.show()
        qtbot.waitExposed(wizard)
        return wizard

    return make


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#333333"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.Button, "#3a3a3a"),
        (QPalette.ColorRole.ButtonText, "#e8e8e8"),
        (QPalette.ColorRole.Highlight, "#3d6fb4"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#3a3a3a"),
        (QPalette.ColorRole.ToolTipText, "#e8e8e8"),
        (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
        (QPalette.ColorRole.Light, "#4a4a4a"),
        (QPalette.ColorRole.Midlight, "#404040"),
        (QPalette.ColorRole.Mid, "#303030"),
        (QPalette.ColorRole.Dark, "#202020"),
        (QPalette.ColorRole.Shadow, "#000000"),
        (QPalette.ColorRole.Link, "#8ab4f8"),
    ):
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#8a8a8a"))
    return palette


# ----- helpers
# ----------------------------------------------------------------------------------------------------


def shoot(wizard: FirstRunWizard, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert wizard.grab().save(str(Path(SHOTS) / f"wizard_{name}.png"))


def press(qtbot, widget: QWidget, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(widget, key)


def press_next(qtbot, wizard: FirstRunWizard) -> None:  # type: ignore[no-untyped-def]
    """Enter, as a keyboard user would: the wizard's default button (Next, Apply or Finish)."""
    qtbot.keyClick(wizard.focusWidget() or wizard.currentPage(), Qt.Key.Key_Return)


def press_apply(qtbot, wizard: FirstRunWizard) -> None:  # type: ignore[no-untyped-def]
    """Tab to Apply and press Enter: on the review page Enter presses only the focused button."""
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    commit.setFocus()
    qtbot.keyClick(commit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentId() != Page.REVIEW, timeout=5_000)


def snapshot(env_file: Path) -> tuple[bytes, list[Path]]:
    return env_file.read_bytes(), [backup.path for backup in list_backups(env_file)]


def choose_folder_by_typing(qtbot, wizard: FirstRunWizard, folder: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.deployment_page
    page.path_edit.clear()
    page.path_edit.setFocus()
    qtbot.keyClicks(page.path_edit, str(folder))
    qtbot.waitUntil(page.isComplete, timeout=5_000)


def walk_to(
    qtbot,
    wizard: FirstRunWizard,
    target: Page,
    folder: Path,  # type: ignore[no-untyped-def]
    choice: Choice = Choice.DO_NOT_SHARE,
    restart_now: bool | None = None,
    shots: str = "",
) -> None:
    """From the welcome page to `target`, by keyboard; screenshots named after the pages on the way."""
    assert wizard.currentId() == Page.WELCOME
    if target == Page.WELCOME:
        return
    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.DEPLOYMENT
    page = wizard.deployment_page
    qtbot.waitUntil(lambda: page.search_label.text().startswith("Found"), timeout=15_000)
    choose_folder_by_typing(qtbot, wizard, folder)
    shoot(wizard, f"deployment{shots}")
    if target == Page.DEPLOYMENT:
        return
    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.COLLECTED
    shoot(wizard, f"collected{shots}")
    if target == Page.COLLECTED:
        return
    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.CHOICE
    shoot(wizard, f"choice{shots}")
    if target == Page.CHOICE:
        return
    radio = {
        Choice.SHARE: wizard.choice_page.share,
        Choice.DO_NOT_SHARE: wizard.choice_page.do_not_share,
        Choice.LATER: wizard.choice_page.later,
    }[choice]
    radio.setFocus()
    press(qtbot, radio, Qt.Key.Key_Space)
    assert wizard.choice is choice
    press_next(qtbot, wizard)
    if choice is Choice.LATER:
        assert wizard.currentId() == Page.DONE
        return
    assert wizard.currentId() == Page.REVIEW
    review = wizard.review_page
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=15_000)
    if restart_now is not None:
        button = review.restart_now if restart_now else review.restart_later
        button.setFocus()
        press(qtbot, button, Qt.Key.Key_Space)
        assert button.isChecked()
    shoot(wizard, f"review{shots}")
    if target == Page.REVIEW:
        return
    assert restart_now is not None, "choose when to restart before applying"
    press_apply(qtbot, wizard)


# ----- the whole way
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_do_not_share_writes_true_restarts_and_verifies(qtbot, make_wizard, demo, env_file, dark) -> None:
    shots = "_dark" if dark else ""
    before = env_file.read_bytes()
    assert f"{TELEMETRY_LINE}=false".encode() in before
    wizard = make_wizard(dark=dark)
    shoot(wizard, f"welcome{shots}")
    walk_to(qtbot, wizard, Page.REVIEW, demo.folder, Choice.DO_NOT_SHARE, restart_now=True, shots=shots)
    review = wizard.review_page
    assert "false → true" in review.summary.text()
    assert f"+{TELEMETRY_LINE}=true" in review.diff_view.toPlainText()
    assert not any(secret in all_widget_text(wizard) for secret in DEMO_SECRETS)
    assert "rm -fsv -- appsmith" in review.commands_view.toPlainText()
    assert "up -d" in review.commands_view.toPlainText()
    assert env_file.read_bytes() == before, "the review page writes nothing"

    press_apply(qtbot, wizard)
    assert wizard.currentId() == Page.APPLY
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    apply_page = wizard.apply_page
    qtbot.waitUntil(apply_page.isComplete, timeout=APPLY_TIMEOUT_MS)
    shoot(wizard, f"apply{shots}")
    result = wizard.apply_result
    assert result is not None and result.outcome is Outcome.VERIFIED, result
    assert apply_page.progress.state_text(Step.VERIFY).endswith("Done")
    assert f"\n{TELEMETRY_LINE}=true\n".encode() in env_file.read_bytes()
    assert len(list_backups(env_file)) == 1
    assert apply_page.progress.log.toPlainText(), "the commands' output is shown"

    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.DONE
    done = wizard.done_page
    assert done.outcome_label.text().startswith("✔ Verified")
    qtbot.waitUntil(
        lambda: wizard.status is not None and wizard.status.verdict is Verdict.DISABLED, timeout=15_000
    )
    assert "Telemetry is OFF" in done.header.title.text()
    assert "Confirmed by the running instance" in done.header.verified.text()
    shoot(wizard, f"done{shots}")
    assert not any(secret in all_widget_text(wizard) for secret in DEMO_SECRETS)
    press_next(qtbot, wizard)  # Finish
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert wizard.chosen_folder() == demo.folder


def test_share_when_the_file_already_says_so_writes_nothing_and_restarts(
    qtbot, make_wizard, demo, env_file
) -> None:
    before = snapshot(env_file)
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.REVIEW, demo.folder, Choice.SHARE, restart_now=True)
    review = wizard.review_page
    assert f"docker.env already says {TELEMETRY_LINE}=false" in review.summary.text()
    assert "nothing to write" in review.summary.text()
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled(), "restarting still makes sure"
    press_apply(qtbot, wizard)
    qtbot.waitUntil(wizard.apply_page.isComplete, timeout=APPLY_TIMEOUT_MS)
    assert wizard.apply_result is not None and wizard.apply_result.outcome is Outcome.VERIFIED, (
        wizard.apply_result
    )
    assert wizard.apply_page.progress.state_text(Step.WRITE).endswith("Skipped")
    assert snapshot(env_file) == before
    press_next(qtbot, wizard)
    qtbot.waitUntil(
        lambda: wizard.status is not None and wizard.status.verdict is Verdict.ENABLED, timeout=15_000
    )
    assert "Telemetry is ON" in wizard.done_page.header.title.text()


def test_restart_later_writes_and_shows_the_commands(qtbot, make_wizard, demo, env_file) -> None:
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.APPLY, demo.folder, Choice.DO_NOT_SHARE, restart_now=False)
    qtbot.waitUntil(wizard.apply_page.isComplete, timeout=APPLY_TIMEOUT_MS)
    assert wizard.apply_result is not None and wizard.apply_result.outcome is Outcome.WRITTEN
    assert f"\n{TELEMETRY_LINE}=true\n".encode() in env_file.read_bytes()
    assert wizard.apply_page.progress.steps.topLevelItemCount() == 2, "no restart steps when restarting later"
    press_next(qtbot, wizard)
    done = wizard.done_page
    assert done.commands_view.isVisible()
    assert "rm -fsv -- appsmith" in done.commands_view.toPlainText()
    qtbot.waitUntil(lambda: wizard.status is not None, timeout=15_000)
    assert wizard.status.verdict is Verdict.PENDING_RESTART
    shoot(wizard, "done_restart_later")


def test_the_review_is_prepared_off_the_gui_thread(
    qtbot, make_wizard, demo, env_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: reading and masking docker.env runs in a worker thread for the wizard too (a 13 MB file froze
    the window for seconds), and the page shows the core's own review."""
    from panel.gui import wizard as wizard_module

    threads: list[threading.Thread] = []
    real = wizard_module.prepare_review

    def recorded(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(wizard_module, "prepare_review", recorded)
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.REVIEW, demo.folder, Choice.DO_NOT_SHARE, restart_now=False)
    assert threads and all(thread is not threading.main_thread() for thread in threads)
    assert f"+{TELEMETRY_LINE}=true" in wizard.review_page.diff_view.toPlainText()


def test_decide_later_goes_to_done_and_writes_nothing(qtbot, make_wizard, demo, env_file) -> None:
    before = snapshot(env_file)
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.DONE, demo.folder, Choice.LATER)
    assert wizard.currentId() == Page.DONE
    assert wizard.done_page.outcome_label.text() == "Nothing was changed."
    qtbot.waitUntil(lambda: wizard.status is not None, timeout=15_000)
    assert wizard.status.verdict is Verdict.ENABLED
    shoot(wizard, "done_decide_later")
    press_next(qtbot, wizard)  # Finish
    assert wizard.result() == QDialog.DialogCode.Accepted
    assert wizard.chosen_folder() == demo.folder
    assert snapshot(env_file) == before
    assert not audit_log_path().exists()


# ----- leaving
# ----------------------------------------------------------------------------------------------------


def _leave(qtbot, wizard: FirstRunWizard, how: str) -> None:  # type: ignore[no-untyped-def]
    if how == "escape":
        qtbot.keyClick(wizard.focusWidget() or wizard.currentPage(), Qt.Key.Key_Escape)
    elif how == "cancel":
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    else:
        wizard.close()


@pytest.mark.parametrize("how", ["escape", "cancel", "close"])
@pytest.mark.parametrize(
    "page",
    [Page.WELCOME, Page.DEPLOYMENT, Page.COLLECTED, Page.CHOICE, Page.REVIEW],
    ids=lambda page: page.name.lower(),
)
def test_leaving_before_apply_writes_nothing(qtbot, make_wizard, demo, env_file, page, how) -> None:
    before = snapshot(env_file)
    wizard = make_wizard()
    walk_to(qtbot, wizard, page, demo.folder, Choice.DO_NOT_SHARE, restart_now=True)
    assert wizard.currentId() == page
    _leave(qtbot, wizard, how)
    assert not wizard.isVisible()
    assert wizard.result() == QDialog.DialogCode.Rejected
    assert snapshot(env_file) == before
    assert not audit_log_path().exists()


def test_escape_while_applying_stops_safely_and_stays_open(
    qtbot, make_wizard, demo, env_file, monkeypatch
) -> None:
    monkeypatch.setenv("SIMULATED_DOCKER_FAULTS", os.environ["SIMULATED_DOCKER_FAULTS"] + ",rm-hangs")
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.APPLY, demo.folder, Choice.DO_NOT_SHARE, restart_now=True)
    apply_page = wizard.apply_page
    qtbot.waitUntil(lambda: apply_page.progress.state_text(Step.REMOVE) == "Running…", timeout=15_000)
    assert wizard.button(QWizard.WizardButton.CancelButton).text() == "&Stop"
    answers = [False, True]  # keep waiting first, then stop
    asked: list[bool] = []

    def confirm(cls: type[FirstRunWizard], parent: object) -> bool:
        asked.append(True)
        return answers[len(asked) - 1]

    monkeypatch.setattr(FirstRunWizard, "confirm_stop", classmethod(confirm))
    _leave(qtbot, wizard, "escape")
    assert asked == [True] and apply_page.running, "Keep waiting: the removal goes on"
    _leave(qtbot, wizard, "escape")
    assert asked == [True, True]
    assert wizard.isVisible(), "Escape while applying stops the run, it does not walk away from it"
    qtbot.waitUntil(apply_page.isComplete, timeout=APPLY_TIMEOUT_MS)
    assert wizard.apply_result is not None and wizard.apply_result.outcome is Outcome.CANCELLED
    assert apply_page.result_label.text().startswith("✘ Cancelled")
    _leave(qtbot, wizard, "escape")  # after Apply, leaving is finishing: the caller shows the deployment
    assert wizard.result() == QDialog.DialogCode.Accepted


# ----- single pages
# -----------------------------------------------------------------------------------------------


def test_invalid_folder_shows_the_reason_and_blocks_next(qtbot, make_wizard, demo, tmp_path) -> None:
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.DEPLOYMENT, demo.folder)
    page = wizard.deployment_page
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert next_button.isEnabled()

    empty = tmp_path / "empty"
    empty.mkdir()
    page.path_edit.clear()
    qtbot.keyClicks(page.path_edit, str(empty))
    assert not next_button.isEnabled(), "Next waits for the check"
    # A slow machine may check a half-typed path first: wait for the check of the whole one.
    qtbot.waitUntil(lambda: "has no compose file" in page.validation_label.text(), timeout=5_000)
    assert page.validation_label.text().startswith(f"✘ {empty} has no compose file")
    assert not page.isComplete() and not next_button.isEnabled()
    shoot(wizard, "deployment_invalid")
    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.DEPLOYMENT

    (empty / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    page.path_edit.setText(str(empty) + "/")
    qtbot.waitUntil(lambda: "defines no Appsmith service" in page.validation_label.text(), timeout=5_000)
    assert not next_button.isEnabled()

    page.path_edit.setText(str(tmp_path / "missing"))
    qtbot.waitUntil(lambda: "does not exist" in page.validation_label.text(), timeout=5_000)
    assert not next_button.isEnabled()

    choose_folder_by_typing(qtbot, wizard, demo.folder)
    assert page.validation_label.text().startswith("✔ Single container deployment, docker.env at ")
    assert next_button.isEnabled()


def test_discovered_deployment_is_offered_and_picked_by_keyboard(qtbot, make_wizard, demo) -> None:
    wizard = make_wizard()
    press_next(qtbot, wizard)
    page = wizard.deployment_page
    qtbot.waitUntil(lambda: page.found_list.count() > 0, timeout=15_000)
    folders = [
        page.found_list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(page.found_list.count())
    ]
    assert str(demo.folder) in folders
    page.path_edit.clear()
    page.found_list.setFocus()
    page.found_list.setCurrentRow(-1)
    press(qtbot, page.found_list, Qt.Key.Key_Down)
    assert page.path_edit.text() in folders
    assert page.isComplete()


def test_initial_folder_is_checked_at_once(qtbot, make_wizard, demo) -> None:
    wizard = make_wizard(initial=demo.folder)
    assert wizard.deployment is not None and wizard.deployment.folder == demo.folder
    assert wizard.deployment_page.isComplete()


def test_choice_page_has_no_default(qtbot, make_wizard, demo) -> None:
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.CHOICE, demo.folder)
    page = wizard.choice_page
    assert not any(button.isChecked() for button in (page.share, page.do_not_share, page.later))
    assert wizard.choice is None and not page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.CHOICE, "Enter does not pick anything for the user"
    qtbot.waitUntil(lambda: f"{TELEMETRY_LINE}=false (telemetry on)" in page.current_label.text())

    page.later.setFocus()
    press(qtbot, page.later, Qt.Key.Key_Space)
    assert wizard.choice is Choice.LATER and page.nextId() == Page.DONE
    page.share.setFocus()
    press(qtbot, page.share, Qt.Key.Key_Space)
    assert wizard.choice is Choice.SHARE and page.nextId() == Page.REVIEW
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_enter_on_the_review_page_presses_no_unfocused_apply(qtbot, make_wizard, demo, env_file) -> None:
    before = snapshot(env_file)
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.REVIEW, demo.folder, Choice.DO_NOT_SHARE, restart_now=False)
    qtbot.wait(50)  # the wizard's own default choice, then ours
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.isEnabled()
    assert not any(button.isDefault() for button in wizard.findChildren(QPushButton))
    review = wizard.review_page
    assert review.restart_later.hasFocus() or wizard.focusWidget() is review.restart_later
    qtbot.keyClick(review.restart_later, Qt.Key.Key_Return)
    qtbot.wait(100)
    assert wizard.currentId() == Page.REVIEW and snapshot(env_file) == before
    assert review.apply_words.text().startswith("Apply writes telemetry OFF in docker.env only")
    review.restart_now.click()
    assert review.apply_words.text() == (
        "Apply turns telemetry OFF and recreates the appsmith container (about a minute of downtime)."
    )


def test_the_first_page_says_what_was_found_and_its_state(qtbot, make_wizard, demo) -> None:
    wizard = make_wizard(initial=demo.folder)
    page = wizard.welcome_page
    assert str(demo.folder) in page.found_label.text()
    qtbot.waitUntil(lambda: page.header.title.text().startswith("Telemetry is"), timeout=15_000)
    assert page.header.isVisibleTo(wizard)


def test_review_is_the_commit_page_and_needs_a_restart_choice(qtbot, make_wizard, demo, env_file) -> None:
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.REVIEW, demo.folder, Choice.DO_NOT_SHARE)
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert wizard.review_page.isCommitPage()
    assert commit.isVisible() and commit.text() == "&Apply"
    assert not wizard.button(QWizard.WizardButton.NextButton).isVisible()
    assert not commit.isEnabled(), "no default for when to restart"
    review = wizard.review_page
    assert not review.restart_now.isChecked() and not review.restart_later.isChecked()
    review.restart_later.setFocus()
    press(qtbot, review.restart_later, Qt.Key.Key_Space)
    assert commit.isEnabled()

    # Back and forth: the restart choice is asked again, the diff follows the new decision.
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == Page.CHOICE
    wizard.choice_page.share.click()
    press_next(qtbot, wizard)
    assert "already says" in review.summary.text()
    assert not review.restart_later.isChecked() and not commit.isEnabled()


def test_review_offers_no_restart_while_the_docker_daemon_is_down(
    qtbot, make_wizard, demo, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The removal would fail only after docker.env had changed: only writing the file is offered."""
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.CHOICE, demo.folder)
    monkeypatch.setenv("SIMULATED_DOCKER_FAULTS", "daemon-down")  # before the review asks docker
    wizard.choice_page.do_not_share.click()
    press_next(qtbot, wizard)
    review = wizard.review_page
    qtbot.waitUntil(lambda: wizard.compose_error is not None, timeout=15_000)
    assert not review.restart_now.isEnabled()
    assert "Docker daemon is not running" in review.compose_note.text()
    review.restart_later.setFocus()
    press(qtbot, review.restart_later, Qt.Key.Key_Space)
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()


def _deployment(folder: Path, environment: str = "", env_text: str | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "docker-compose.yml").write_text(
        "services:\n  appsmith:\n    image: index.docker.io/appsmith/appsmith-ce\n    volumes:\n      - "
        "./stacks:/appsmith-stacks\n" + environment,
        encoding="utf-8",
    )
    if env_text is not None:
        (folder / "stacks" / "configuration").mkdir(parents=True)
        (folder / "stacks" / "configuration" / "docker.env").write_text(env_text, encoding="utf-8")
    return folder


def test_refused_change_shows_the_reason_and_blocks_apply(qtbot, make_wizard, demo, tmp_path) -> None:
    folder = _deployment(tmp_path / "fresh")  # never started: no docker.env yet
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.DEPLOYMENT, folder)
    assert "docker.env does not exist yet" in wizard.deployment_page.validation_label.text()
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    wizard.choice_page.do_not_share.click()
    press_next(qtbot, wizard)
    review = wizard.review_page
    assert review.summary.text().startswith("✘ The panel will not make this change:")
    assert "does not exist" in review.summary.text()
    assert not review.restart_now.isVisible()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    shoot(wizard, "review_refused")


def test_override_is_warned_about_on_review(qtbot, make_wizard, demo, tmp_path) -> None:
    folder = _deployment(
        tmp_path / "overridden",
        '    environment:\n      APPSMITH_DISABLE_TELEMETRY: "false"\n',
        f"{TELEMETRY_LINE}=false\n",
    )
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.REVIEW, folder, Choice.DO_NOT_SHARE)
    label = wizard.review_page.override_label
    assert label.isVisible()
    assert "changes nothing until that line is removed from docker-compose.yml" in label.text()
    shoot(wizard, "review_override")


def test_every_control_has_an_accessible_name(qtbot, make_wizard, demo) -> None:
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.REVIEW, demo.folder, Choice.DO_NOT_SHARE)
    for page_id in wizard.pageIds():
        page = wizard.page(page_id)
        for widget in page.findChildren(QWidget):
            if isinstance(widget, QLabel) or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                continue
            if widget.parent() is not None and widget.parent().inherits("QAbstractScrollArea"):
                continue  # a view's viewport or scroll bar: the view carries the name
            assert widget.accessibleName(), f"{type(widget).__name__} on {Page(page_id).name} has no name"


def test_ask_returns_none_when_left_and_the_folder_when_finished(qtbot, demo, monkeypatch) -> None:
    def leave_soon() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstRunWizard)
        dialog.reject()

    QTimer.singleShot(0, leave_soon)
    assert FirstRunWizard.ask(None, demo.folder) is None

    def finish(self: FirstRunWizard) -> int:
        self.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(FirstRunWizard, "exec", finish)
    assert FirstRunWizard.ask(None, demo.folder) == demo.folder


def test_choice_page_reads_docker_env_off_the_gui_thread(qtbot, make_wizard, demo, monkeypatch) -> None:
    """A big docker.env takes seconds to parse: the GUI thread never parses it."""
    from panel.gui import wizard as wizard_module

    readers: list[threading.Thread] = []
    real_read = wizard_module.read_file_state

    def recording_read(path: Path) -> object:
        readers.append(threading.current_thread())
        return real_read(path)

    monkeypatch.setattr(wizard_module, "read_file_state", recording_read)
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.CHOICE, demo.folder)
    page = wizard.choice_page
    qtbot.waitUntil(lambda: f"{TELEMETRY_LINE}=false" in page.current_label.text())
    assert readers and threading.main_thread() not in readers


def test_what_is_collected_is_loaded_while_the_folder_page_shows(
    qtbot, make_wizard, demo, monkeypatch
) -> None:
    """Importing and building the payload view when Next is pressed held the GUI thread 40-50 ms: it is
    imported in a worker while the person reads the page before, and built once imported."""
    from panel.gui import wizard as wizard_module

    imported: list[tuple[str, threading.Thread]] = []
    real_import = wizard_module.import_module

    def recording_import(name: str) -> object:
        imported.append((name, threading.current_thread()))
        return real_import(name)

    monkeypatch.setattr(wizard_module, "import_module", recording_import)
    wizard = make_wizard()
    walk_to(qtbot, wizard, Page.DEPLOYMENT, demo.folder)
    qtbot.waitUntil(lambda: len(imported) == 1)
    [(name, thread)] = imported
    assert name == wizard_module.PAYLOADS_VIEW and thread is not threading.main_thread()
    qtbot.waitUntil(lambda: wizard.collected_page.view is not None)  # built before Next, too
    press_next(qtbot, wizard)
    assert wizard.currentId() == Page.COLLECTED
    assert wizard.collected_page.view is not None
    assert len(imported) == 1, "loaded once"
