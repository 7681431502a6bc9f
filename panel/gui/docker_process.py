"""One docker (or docker-compose) command run by QProcess, with its output streamed line by line.

The command runs in a session of its own, so cancelling or timing out stops compose *and* everything compose
started: the whole process group gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import logging
import os
import shutil
import signal
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, Signal, SignalInstance, Slot

from panel.core.docker import (
    TERMINATE_GRACE,
    CommandResult,
    DockerError,
    DockerProblem,
    group_alive,
    missing_docker_error,
)
from panel.gui import worker  # noqa: F401 - installs the PySide6 emit workaround before the first emit

log = logging.getLogger("panel.gui.docker")


class _Stop(enum.Enum):
    CANCEL = "cancel"
    TIMEOUT = "timeout"


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Signal every process in the group; False when the group is already empty.

    Never the panel's own group: `killpg(0)` means "my group", and Qt's `processId()` is 0 once a quick
    command has ended before its `started` was handled; signalling that would kill the panel itself.
    """
    if pgid <= 1 or pgid == os.getpgrp():
        log.debug("not signalling process group %d: it is not the command's", pgid)
        return False
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        log.warning("not allowed to send %s to process group %d", sig.name, pgid)
        return False
    return True


def _kill_group_on_destroy(pgid: int, *_: object) -> None:
    """The owner was deleted while the command ran: nothing of it may outlive the window."""
    _signal_group(pgid, signal.SIGKILL)


class DockerProcess(QObject):
    """Run `argv` (a list, never a shell string) and end with exactly one of `finished` or `failed`.

    `finished(CommandResult)`: the program ran and exited, whatever its exit code.
    `failed(DockerError)`: it is not on PATH, could not be started, timed out, or was cancelled
    (problem CANCELLED).
    """

    output = Signal(str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        argv: Sequence[str],
        cwd: Path | None = None,
        timeout: float | None = None,
        parent: QObject | None = None,
        merge_output: bool = False,
    ) -> None:
        super().__init__(parent)
        if not argv:
            raise ValueError("argv must name a program")
        self.argv: tuple[str, ...] = tuple(argv)
        self.cwd = cwd
        self.timeout = timeout
        self.merge_output = merge_output
        self.grace = TERMINATE_GRACE
        """Seconds between SIGTERM and SIGKILL when stopping; tests shorten it."""
        self._process: QProcess | None = None
        self._pgid: int | None = None
        self._stopping: _Stop | None = None
        self._concluded = False
        self._started = False
        self._stdout = bytearray()
        self._stderr = bytearray()
        self._partial = {
            QProcess.ProcessChannel.StandardOutput: b"",
            QProcess.ProcessChannel.StandardError: b"",
        }
        self._timeout_timer = QTimer(self)
        self._timeout_timer.setSingleShot(True)
        self._timeout_timer.timeout.connect(self._on_timeout)
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._on_grace_over)
        self._destroy_guard: functools.partial[None] | None = None

    # -- public
    # -------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._started and not self._concluded

    @property
    def pid(self) -> int | None:
        """The process id of the command, which is also its process group id; None before it starts."""
        return self._pgid

    def start(self) -> None:
        if self._started:
            raise RuntimeError("a DockerProcess runs once; create a new one")
        self._started = True
        program = shutil.which(self.argv[0])
        if program is None:
            self._fail_soon(missing_docker_error(self.argv[0]))
            return
        process = QProcess(self)
        self._process = process
        process.setProgram(program)
        process.setArguments(list(self.argv[1:]))
        if self.cwd is not None:
            process.setWorkingDirectory(str(self.cwd))
        process.setStandardInputFile(QProcess.nullDevice())
        process.setProcessChannelMode(
            QProcess.ProcessChannelMode.MergedChannels
            if self.merge_output
            else QProcess.ProcessChannelMode.SeparateChannels
        )
        process.setUnixProcessParameters(
            QProcess.UnixProcessFlag.CreateNewSession | QProcess.UnixProcessFlag.IgnoreSigPipe
        )
        process.readyReadStandardOutput.connect(self._read_stdout)
        if not self.merge_output:
            process.readyReadStandardError.connect(self._read_stderr)
        process.errorOccurred.connect(self._on_error)
        process.finished.connect(self._on_finished)
        process.started.connect(self._on_started)
        log.debug("starting %s in %s", self.argv, self.cwd)
        process.start()

    def cancel(self) -> None:
        """Stop the command (SIGTERM to its group, SIGKILL after the grace period); `failed` says
        "cancelled"."""
        if self._concluded:
            return
        self._started = True
        if self._process is None or self._pgid is None:
            self._stopping = _Stop.CANCEL  # still starting: stopped as soon as it has a process id
            if self._process is None:
                self._fail_soon(DockerError(DockerProblem.CANCELLED, "cancelled"))
            return
        self._stop(_Stop.CANCEL)

    def kill_now(self) -> None:
        """At shutdown only: SIGKILL the group and reap it at once, so nothing outlives the window."""
        if self._pgid is not None:
            _signal_group(self._pgid, signal.SIGKILL)
        if self._process is not None and self._process.state() is not QProcess.ProcessState.NotRunning:
            self._process.kill()
            self._process.waitForFinished(1000)  # SIGKILL is immediate; this only reaps

    # -- process events
    # -----------------------------------------------------------------------------------------

    @Slot()
    def _on_started(self) -> None:
        assert self._process is not None
        pid = self._process.processId()
        if pid <= 0:
            return  # it has ended already (Qt says 0 then): its `finished` follows, there is nothing to guard
        self._pgid = pid
        self._destroy_guard = functools.partial(_kill_group_on_destroy, pid)
        self.destroyed.connect(self._destroy_guard)
        if self._stopping is _Stop.CANCEL:
            self._stop(_Stop.CANCEL)
        elif self.timeout is not None:
            self._timeout_timer.start(max(0, int(self.timeout * 1000)))

    @Slot()
    def _read_stdout(self) -> None:
        assert self._process is not None
        self._take(
            QProcess.ProcessChannel.StandardOutput, bytes(self._process.readAllStandardOutput().data())
        )

    @Slot()
    def _read_stderr(self) -> None:
        assert self._process is not None
        if self.merge_output:
            return
        self._take(QProcess.ProcessChannel.StandardError, bytes(self._process.readAllStandardError().data()))

    def _take(self, channel: QProcess.ProcessChannel, data: bytes) -> None:
        if not data:
            return
        (self._stdout if channel is QProcess.ProcessChannel.StandardOutput else self._stderr).extend(data)
        *lines, rest = (self._partial[channel] + data).split(b"\n")
        self._partial[channel] = rest
        for line in lines:
            self.output.emit(line.rstrip(b"\r").decode("utf-8", "replace"))

    def _flush_partial(self) -> None:
        for channel, rest in self._partial.items():
            if rest:
                self._partial[channel] = b""
                self.output.emit(rest.rstrip(b"\r").decode("utf-8", "replace"))

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error is not QProcess.ProcessError.FailedToStart:
            log.debug("%s: %s", self.argv[:3], error)  # Crashed, ReadError…: `finished` still follows
            return
        assert self._process is not None
        if self._stopping is _Stop.CANCEL:
            self._conclude_failed(DockerError(DockerProblem.CANCELLED, "cancelled"))
            return
        self._conclude_failed(
            DockerError(
                DockerProblem.FAILED,
                f"{' '.join(self.argv[:3])} could not be started: {self._process.errorString()}",
                self._process.errorString(),
            )
        )

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        assert self._process is not None
        self._timeout_timer.stop()
        self._read_stdout()
        self._read_stderr()
        self._flush_partial()
        if self._stopping is not None:
            # Compose's children may outlive it: give them the rest of the grace period, then SIGKILL.
            if self._pgid is not None and self._kill_timer.isActive() and group_alive(self._pgid):
                return
            self._kill_timer.stop()
            self._conclude_stopped()
            return
        returncode = code if status is QProcess.ExitStatus.NormalExit else -1
        result = CommandResult(
            self.argv,
            returncode,
            self._stdout.decode("utf-8", "replace"),
            self._stderr.decode("utf-8", "replace"),
        )
        self._conclude(self.finished, result)

    # -- stopping
    # -----------------------------------------------------------------------------------------------

    def _stop(self, why: _Stop) -> None:
        if self._stopping is not None and self._kill_timer.isActive():
            return
        self._stopping = why
        self._timeout_timer.stop()
        assert self._pgid is not None
        log.debug("stopping %s (%s): SIGTERM to group %d", self.argv[:3], why.value, self._pgid)
        _signal_group(self._pgid, signal.SIGTERM)
        self._kill_timer.start(max(0, int(self.grace * 1000)))

    @Slot()
    def _on_timeout(self) -> None:
        self._stop(_Stop.TIMEOUT)

    @Slot()
    def _on_grace_over(self) -> None:
        assert self._pgid is not None and self._process is not None
        log.debug("grace period over: SIGKILL to group %d", self._pgid)
        _signal_group(self._pgid, signal.SIGKILL)
        if self._process.state() is QProcess.ProcessState.NotRunning:
            self._conclude_stopped()  # the leader had gone already; its group is now killed too
        else:
            self._process.kill()  # `finished` follows and concludes

    def _conclude_stopped(self) -> None:
        if self._stopping is _Stop.TIMEOUT:
            seconds = self.timeout or 0
            self._conclude_failed(
                DockerError(
                    DockerProblem.TIMEOUT, f"{' '.join(self.argv[:3])} did not answer within {seconds:.0f} s."
                )
            )
        else:
            self._conclude_failed(DockerError(DockerProblem.CANCELLED, "cancelled"))

    # -- the one ending
    # -----------------------------------------------------------------------------------------

    def _fail_soon(self, error: DockerError) -> None:
        """Fail after start() returns, so callers see the same order of events as for a real run."""
        QTimer.singleShot(0, self, lambda: self._conclude_failed(error))

    def _conclude_failed(self, error: DockerError) -> None:
        self._conclude(self.failed, error)

    def _conclude(self, signal_: SignalInstance, value: object) -> None:
        if self._concluded:
            return
        self._concluded = True
        self._timeout_timer.stop()
        self._kill_timer.stop()
        if self._destroy_guard is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self.destroyed.disconnect(self._destroy_guard)
            self._destroy_guard = None
        if self._process is not None:
            self._process.deleteLater()
        signal_.emit(value)
