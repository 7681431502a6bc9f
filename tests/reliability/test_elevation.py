"""The row "file owned by root while the panel runs as a normal user", in the window: the lock banner says who
owns docker.env, shows the exact commands, and — where pkexec is installed — offers "Change as
administrator…", which runs the panel's own command line through pkexec after a review (a fake pkexec on PATH
records what it was given).
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from panel.core.status import Status, gather
from panel.gui.elevated_dialog import ElevatedChangeDialog
from panel.gui.main_window import MainWindow
from tests.conftest import DAEMON_DOWN, assert_no_secret, write_single_deployment


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(f"#!/bin/sh\nprintf '%s' '{DAEMON_DOWN}' >&2\nexit 1\n", encoding="utf-8")
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return folder


def fake_pkexec(bin_dir: Path, exit_code: int = 0, lines: tuple[str, ...] = ("[     done] Verify",)) -> Path:
    """A pkexec that records its arguments, one per line, prints `lines` and exits with `exit_code`."""
    record = bin_dir / "pkexec-args"
    printed = "".join(f"echo {shlex.quote(line)}\n" for line in lines)
    program = bin_dir / "pkexec"
    program.write_text(
        f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > {shlex.quote(str(record))}\n'
        f"{printed}exit {exit_code}\n",
        encoding="utf-8",
    )
    program.chmod(0o755)
    return record


def not_writable(folder: Path) -> Status:
    from panel.core.deployment import load_deployment

    status = gather(load_deployment(folder))
    return replace(status, file=replace(status.file, writable=False))


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    made = MainWindow(remember=False)
    qtbot.addWidget(made)
    made.show()
    return made


def test_row_root_owned_file_banner_offers_pkexec_where_installed(
    qtbot: QtBot,
    window: MainWindow,
    bin_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    system_program: Path,
) -> None:
    folder = write_single_deployment(tmp_path / "my apps")
    assert window.open_deployment(folder)
    qtbot.waitUntil(lambda: window.status is not None, timeout=30_000)
    status = not_writable(folder)
    window.show_status(status)
    assert window.read_only and not window.elevate_button.isVisible(), "no pkexec installed: no button"
    banner = window.lock_banner.text.text()
    assert "docker.env may not be changed by user" in banner and "(it belongs to root)" in banner
    assert f"sudo {system_program} disable {shlex.quote(str(folder))} --restart" in banner
    assert not window.disable_button.isVisible() and not window.enable_button.isVisible()

    fake_pkexec(bin_dir)
    window.show_status(status)
    assert window.elevate_button.isVisible()
    assert window.elevate_button.text() == "Change as &administrator…"
    assert window.elevate_button.accessibleName()
    assert (
        f"pkexec {system_program} enable {shlex.quote(str(folder))} --restart"
        in window.lock_banner.text.text()
    )
    asked: list[Status] = []
    monkeypatch.setattr(
        ElevatedChangeDialog, "ask", classmethod(lambda cls, parent, shown: asked.append(shown))
    )
    window.elevate_button.click()
    assert asked == [status]


def test_row_forced_read_only_offers_no_elevation(
    qtbot: QtBot, bin_dir: Path, tmp_path: Path, system_program: Path
) -> None:
    fake_pkexec(bin_dir)
    folder = write_single_deployment(tmp_path / "appsmith")
    window = MainWindow(read_only=True, remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_deployment(folder)
    qtbot.waitUntil(lambda: window.status is not None, timeout=30_000)
    window.show_status(not_writable(folder))
    assert window.read_only and not window.elevate_button.isVisible()


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (0, "Done: the change was made as administrator."),
        (6, "APPSMITH IS DOWN"),
        (126, "the administrator password was not given"),
    ],
    ids=["done", "appsmith-down", "password-dismissed"],
)
def test_row_change_as_administrator_runs_pkexec_after_review(
    qtbot: QtBot, bin_dir: Path, tmp_path: Path, code: int, words: str, system_program: Path
) -> None:
    record = fake_pkexec(
        bin_dir, code, ("[  running] Remove the container", "    | Stopping appsmith ... done")
    )
    folder = write_single_deployment(tmp_path / 'it\'s "my" $(apps)')
    dialog = ElevatedChangeDialog(not_writable(folder), None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.telemetry_on is None and not dialog.run_button.isEnabled(), (
        "nothing is chosen for the operator"
    )
    dialog.disable_choice.click()
    assert dialog.run_button.isEnabled()
    assert not any(
        button.isDefault() or button.autoDefault() for button in (dialog.run_button, dialog.close_button)
    )
    assert dialog.what_label.text() == (
        "This turns telemetry OFF and recreates the appsmith container (about a minute of downtime)."
    )
    assert "+APPSMITH_DISABLE_TELEMETRY=true" in dialog.diff_view.toPlainText()
    expected = [str(bin_dir / "pkexec"), str(system_program), "disable", str(folder), "--restart", "--yes"]
    assert shlex.split(dialog.command_view.toPlainText()) == expected
    dialog.run_button.click()
    assert not dialog.close_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result_code is not None, timeout=30_000)
    assert dialog.result_code == code
    assert record.read_text(encoding="utf-8").splitlines() == expected[1:]
    assert "Stopping appsmith ... done" in dialog.output_view.toPlainText()
    assert words in dialog.verdict.text()
    assert dialog.close_button.isEnabled()
    from tests.reliability.test_security import screen_text

    assert_no_secret(screen_text(dialog))


def test_row_change_as_administrator_cannot_be_closed_while_root_runs(
    qtbot: QtBot, bin_dir: Path, tmp_path: Path, system_program: Path
) -> None:
    program = bin_dir / "pkexec"
    program.write_text("#!/bin/sh\nexec sleep 2\n", encoding="utf-8")
    program.chmod(0o755)
    (bin_dir / "sleep").symlink_to("/bin/sleep")
    folder = write_single_deployment(tmp_path / "appsmith")
    dialog = ElevatedChangeDialog(not_writable(folder), None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.enable_choice.click()
    dialog.run()
    dialog.reject()
    assert dialog.isVisible(), "a command running as root cannot be stopped by this user: the dialog stays"
    qtbot.waitUntil(lambda: dialog.result_code is not None, timeout=30_000)
    dialog.reject()
    assert not dialog.isVisible()


def test_row_change_as_administrator_on_an_unreadable_file(
    qtbot: QtBot, bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_program: Path
) -> None:
    from panel.core import change
    from panel.core.change import RefusedError

    fake_pkexec(bin_dir)
    folder = write_single_deployment(tmp_path / "appsmith")
    status = not_writable(folder)

    def unreadable(*_: object) -> None:
        raise RefusedError("cannot be read by user nobody")

    monkeypatch.setattr(change, "prepare_change", unreadable)  # the review reads as this user; root may not
    dialog = ElevatedChangeDialog(status, None)
    qtbot.addWidget(dialog)
    dialog.enable_choice.click()
    assert "cannot be read by this user" in dialog.diff_view.toPlainText()
    assert "APPSMITH_DISABLE_TELEMETRY=false" in dialog.diff_view.toPlainText()


def test_row_change_as_administrator_says_when_root_did_not_restart(
    qtbot: QtBot, bin_dir: Path, tmp_path: Path, system_program: Path
) -> None:
    fake_pkexec(bin_dir, 0, ("Written.", "Not restarted: user alice owns /srv/appsmith, so ..."))
    folder = write_single_deployment(tmp_path / "appsmith")
    dialog = ElevatedChangeDialog(not_writable(folder), None)
    qtbot.addWidget(dialog)
    dialog.disable_choice.click()
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.result_code is not None, timeout=30_000)
    assert "but not restarted" in dialog.verdict.text() and "Done:" not in dialog.verdict.text()
