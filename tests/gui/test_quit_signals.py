"""SIGTERM, Ctrl+C and closing the window all end `--demo` the same way: its simulated processes stopped, its
folder removed, no dialog or traceback, and an exit status that says what ended it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gui.test_app import ROOT, SMOKE_TIMEOUT, assert_left_nothing, processes_mentioning

# Closes the main window (as the title bar's close button does) once the demo's instance is running.
CLOSE_WHEN_RUNNING = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from panel.cli import main
    from panel.gui.main_window import MainWindow

    def close_when_running():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        status = windows[0].status if windows else None
        if status is not None and status.container is not None and status.container.running:
            windows[0].close()
        else:
            QTimer.singleShot(100, close_when_running)

    shown = MainWindow.show

    def show_then_watch(self):
        shown(self)
        QTimer.singleShot(100, close_when_running)

    MainWindow.show = show_then_watch
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.fixture(autouse=True)
def stop_what_a_failed_run_left(tmp_path: Path) -> Iterator[None]:
    """A run that failed (the app killed after a timeout, or ended by a signal it did not handle) leaves the
    demo's simulated server running: stop it, so one failing test leaves nothing to the next ones."""
    yield
    tmpdir = str(tmp_path / "tmpdir")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if tmpdir in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


def start_demo_app(tmp: Path, code: str | None = None) -> subprocess.Popen[str]:
    tmpdir = tmp / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TMPDIR=str(tmpdir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.pop("SIMULATED_DOCKER_STATE", None)
    env.pop("SIMULATED_DOCKER_FAULTS", None)
    command = [sys.executable, *(["-c", code] if code else ["-m", "panel"]), "--demo"]
    return subprocess.Popen(
        command,
        cwd=tmp,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def wait_for_demo_server(process: subprocess.Popen[str], tmp: Path) -> None:
    """Until the demo's folder exists and a simulated process runs from it (its instance was started)."""
    tmpdir = tmp / "tmpdir"
    deadline = time.monotonic() + SMOKE_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        folders = [entry for entry in tmpdir.iterdir() if entry.name.startswith("appsmith-panel-demo-")]
        if folders and processes_mentioning(str(tmpdir)):
            return
        time.sleep(0.1)  # polling another process: there is no Qt signal to wait on here
    process.kill()
    pytest.fail(f"the demo did not start within {SMOKE_TIMEOUT:.0f} s: {process.communicate()}")


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=SMOKE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"the app did not quit within {SMOKE_TIMEOUT:.0f} s: {process.communicate()}")
    return process.returncode, stderr


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=lambda number: number.name)
def test_a_signal_quits_the_demo_cleanly(tmp_path: Path, number: signal.Signals) -> None:
    process = start_demo_app(tmp_path)
    wait_for_demo_server(process, tmp_path)
    process.send_signal(number)
    code, stderr = finish(process)
    assert code == 128 + number, stderr
    assert "Traceback" not in stderr and "Unexpected error" not in stderr
    assert_left_nothing(tmp_path)


def test_closing_the_window_quits_the_demo_cleanly(tmp_path: Path) -> None:
    process = start_demo_app(tmp_path, CLOSE_WHEN_RUNNING)
    wait_for_demo_server(process, tmp_path)
    code, stderr = finish(process)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert_left_nothing(tmp_path)


def test_a_keyboard_interrupt_that_reaches_the_excepthook_quits_without_a_dialog(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before QuitOnSignals takes SIGINT over (or after it lets go), Ctrl+C raises KeyboardInterrupt in
    whatever Python code runs: it quits with 130 instead of the empty "Unexpected error" dialog."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from panel.gui.app import install_excepthook

    exits: list[int] = []
    shown: list[object] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(exits.append))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook()
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert exits == [130] and shown == []
    sys.excepthook(RuntimeError, RuntimeError("boom"), None)
    assert len(shown) == 1, "other errors are still shown"


def test_quit_on_signals_puts_back_what_was_there(qapp: object) -> None:
    from panel.gui.quit_signals import QuitOnSignals

    before = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    wakeup_before = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup_before)
    quitter = QuitOnSignals()
    assert signal.getsignal(signal.SIGTERM) != before[signal.SIGTERM]
    assert quitter.exit_code is None
    quitter.uninstall()
    assert {number: signal.getsignal(number) for number in before} == before
    wakeup_after = signal.set_wakeup_fd(wakeup_before)
    assert wakeup_after == wakeup_before, "no wakeup socket left behind"
