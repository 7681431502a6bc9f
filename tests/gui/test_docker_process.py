"""DockerProcess: one QProcess, exactly one ending, and nothing left behind when it is stopped."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from panel.core.docker import CommandResult, DockerError, DockerProblem
from panel.gui.docker_process import DockerProcess
from tests.conftest import live_processes_in_group


class Recorder:
    """Everything a DockerProcess said, to check that exactly one ending came."""

    def __init__(self, process: DockerProcess) -> None:
        self.lines: list[str] = []
        self.endings: list[tuple[str, object]] = []
        process.output.connect(self.lines.append)
        process.finished.connect(lambda result: self.endings.append(("finished", result)))
        process.failed.connect(lambda error: self.endings.append(("failed", error)))


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def run(qtbot: QtBot, process: DockerProcess, timeout: int = 15000) -> Recorder:
    recorder = Recorder(process)
    process.start()
    qtbot.waitUntil(lambda: bool(recorder.endings), timeout=timeout)
    qtbot.wait(50)  # a second ending, if one were coming, would arrive now
    assert len(recorder.endings) == 1, recorder.endings
    return recorder


def test_finished_keeps_stdout_and_stderr_apart(qtbot: QtBot) -> None:
    process = DockerProcess(
        python("""
        import sys
        print("out one")
        print("err one", file=sys.stderr)
        print("out two")
        sys.exit(3)
    """)
    )
    recorder = run(qtbot, process)
    kind, result = recorder.endings[0]
    assert kind == "finished"
    assert isinstance(result, CommandResult)
    assert result.returncode == 3 and not result.ok
    assert result.stdout == "out one\nout two\n"
    assert result.stderr == "err one\n"
    assert result.argv == tuple(process.argv)
    assert sorted(recorder.lines) == ["err one", "out one", "out two"]


def test_merged_output_streams_lines_decodes_and_flushes_the_last_partial_line(
    qtbot: QtBot, tmp_path: Path
) -> None:
    process = DockerProcess(
        python(r"""
        import sys
        sys.stdout.buffer.write(b"caf\xc3\xa9\r\n")
        sys.stdout.flush()
        sys.stderr.buffer.write(b"bad \xff byte\n")
        sys.stderr.flush()
        sys.stdout.buffer.write(b"no newline at the end")
    """),
        cwd=tmp_path,
        merge_output=True,
    )
    recorder = run(qtbot, process)
    kind, result = recorder.endings[0]
    assert kind == "finished" and isinstance(result, CommandResult) and result.ok
    assert recorder.lines == ["café", "bad \ufffd byte", "no newline at the end"]
    assert result.stderr == ""
    assert "bad \ufffd byte" in result.stdout


def test_runs_in_the_given_folder(qtbot: QtBot, tmp_path: Path) -> None:
    process = DockerProcess(python("import os; print(os.getcwd())"), cwd=tmp_path)
    recorder = run(qtbot, process)
    _, result = recorder.endings[0]
    assert isinstance(result, CommandResult)
    assert Path(result.stdout.strip()).resolve() == tmp_path.resolve()


def test_many_lines_all_arrive(qtbot: QtBot) -> None:
    process = DockerProcess(
        python("""
        for number in range(20000):
            print(f"line {number}")
    """),
        merge_output=True,
    )
    recorder = run(qtbot, process)
    assert recorder.lines == [f"line {number}" for number in range(20000)]


def test_a_program_not_on_path_fails_with_the_missing_docker_message(qtbot: QtBot) -> None:
    process = DockerProcess(["no-such-docker-program-here", "ps"])
    recorder = run(qtbot, process)
    kind, error = recorder.endings[0]
    assert kind == "failed"
    assert isinstance(error, DockerError)
    assert error.problem is DockerProblem.MISSING
    assert "no-such-docker-program-here was not found on PATH" in error.message


def test_a_program_that_cannot_be_executed_fails_without_finished(qtbot: QtBot, tmp_path: Path) -> None:
    broken = tmp_path / "docker"
    broken.write_text("#!/nonexistent/interpreter\n", encoding="utf-8")
    broken.chmod(0o755)
    process = DockerProcess([str(broken), "ps"])
    recorder = run(qtbot, process)
    kind, error = recorder.endings[0]
    assert kind == "failed"
    assert isinstance(error, DockerError)
    assert error.problem is DockerProblem.FAILED
    assert "could not be started" in error.message


def test_timeout_stops_the_command(qtbot: QtBot) -> None:
    process = DockerProcess(python("import time; time.sleep(60)"), timeout=0.3)
    recorder = run(qtbot, process)
    kind, error = recorder.endings[0]
    assert kind == "failed"
    assert isinstance(error, DockerError)
    assert error.problem is DockerProblem.TIMEOUT
    assert "did not answer within" in error.message
    assert process.pid is not None
    assert live_processes_in_group(process.pid) == []


CHILD_AND_WAIT = """\
import signal, subprocess, sys, time
ignore = {ignore}
child = subprocess.Popen([sys.executable, "-c", "\\n".join([
    "import signal, time",
    "if {ignore}: signal.signal(signal.SIGTERM, signal.SIG_IGN)",
    "time.sleep(60)",
])])
if ignore:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(0.3)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("ignore_sigterm", [False, True], ids=["polite", "stubborn"])
def test_cancel_stops_the_whole_process_group(qtbot: QtBot, ignore_sigterm: bool) -> None:
    process = DockerProcess(python(CHILD_AND_WAIT.format(ignore=ignore_sigterm)), merge_output=True)
    process.grace = 0.5
    recorder = Recorder(process)
    with qtbot.waitSignal(process.output, check_params_cb=lambda line: line == "ready", timeout=15000):
        process.start()
    pgid = process.pid
    assert pgid is not None
    assert len(live_processes_in_group(pgid)) == 2  # compose and its child
    with qtbot.waitSignal(process.failed, timeout=15000):
        process.cancel()
    qtbot.wait(50)
    assert len(recorder.endings) == 1
    kind, error = recorder.endings[0]
    assert kind == "failed" and isinstance(error, DockerError)
    assert error.problem is DockerProblem.CANCELLED
    assert live_processes_in_group(pgid) == []


def test_cancel_before_it_has_a_pid_still_ends_once(qtbot: QtBot) -> None:
    process = DockerProcess(python("import time; time.sleep(60)"))
    recorder = Recorder(process)
    with qtbot.waitSignal(process.failed, timeout=15000):
        process.start()
        process.cancel()
    qtbot.wait(50)
    assert [kind for kind, _ in recorder.endings] == ["failed"]
    if process.pid is not None:
        assert live_processes_in_group(process.pid) == []


@pytest.mark.qt_log_ignore("QProcess: Destroyed while process")
def test_deleting_the_owner_kills_the_group(qtbot: QtBot) -> None:
    owner = QObject()
    process = DockerProcess(python(CHILD_AND_WAIT.format(ignore=False)), parent=owner, merge_output=True)
    with qtbot.waitSignal(process.output, check_params_cb=lambda line: line == "ready", timeout=15000):
        process.start()
    pgid = process.pid
    assert pgid is not None
    with qtbot.waitSignal(owner.destroyed, timeout=5000):
        owner.deleteLater()
    qtbot.waitUntil(lambda: live_processes_in_group(pgid) == [], timeout=5000)


def test_a_process_runs_once(qtbot: QtBot) -> None:
    process = DockerProcess(python("pass"))
    run(qtbot, process)
    with pytest.raises(RuntimeError):
        process.start()


def test_the_panels_own_process_group_is_never_signalled() -> None:
    """Qt's processId() is 0 for a command that ended before its `started` was handled, and killpg(0, …)
    signals the caller's own group: the whole panel (in the tests: pytest, killed at random)."""
    import os
    import signal

    from panel.gui.docker_process import _signal_group

    received: list[int] = []
    previous = signal.signal(signal.SIGWINCH, lambda signum, frame: received.append(signum))
    try:
        assert _signal_group(0, signal.SIGWINCH) is False
        assert _signal_group(os.getpgrp(), signal.SIGWINCH) is False
        assert _signal_group(1, signal.SIGWINCH) is False
        os.kill(os.getpid(), signal.SIGWINCH)  # the handler works: a signal that did arrive is seen
    finally:
        signal.signal(signal.SIGWINCH, previous)
    assert received == [signal.SIGWINCH]
