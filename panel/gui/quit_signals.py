"""SIGTERM and SIGINT (Ctrl+C) end the app the way closing its window does: the event loop ends, `run_gui`'s
clean-up runs (the demo's simulated processes stopped, its folder removed), no dialog appears, and the process
exits with 128 + the signal's number (143 for SIGTERM, 130 for SIGINT), as a shell reports a command a signal
ended.

Python runs a signal handler only between bytecodes, never while Qt's C++ event loop waits; so the signal's
number is also written to a socket Qt watches (`signal.set_wakeup_fd`), which wakes the loop, and the slot
that drains it is Python code: the handler runs then.
"""

from __future__ import annotations

import logging
import signal
import socket
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QTimer

log = logging.getLogger("panel.gui")

QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QuitOnSignals(QObject):
    """Installed once, on the GUI thread, after the QApplication exists; `uninstall()` after the clean-up."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.received: signal.Signals | None = None
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_wakeup_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous_handlers = {number: signal.signal(number, self._handle) for number in QUIT_SIGNALS}

    @property
    def exit_code(self) -> int | None:
        """128 + the first signal received, or None while none came."""
        return None if self.received is None else 128 + int(self.received)

    def uninstall(self) -> None:
        """Put back what was there before (a second Ctrl+C during a slow clean-up is ignored until then)."""
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        self._previous_handlers = {}
        signal.set_wakeup_fd(self._previous_wakeup_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()
        self.deleteLater()

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if self.received is not None:
            return
        self.received = signal.Signals(number)
        log.info("%s received: quitting", self.received.name)
        code = self.exit_code
        # A timer, not exit() here: it also ends a loop that has not started yet when the signal came.
        QTimer.singleShot(0, lambda: QCoreApplication.exit(code if code is not None else 0))

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except (BlockingIOError, OSError):
            pass
