"""Run blocking Python (HTTP probes, compose detection, file writes) off the GUI thread.

The result comes back as a call on the GUI thread, and only while `parent` is alive: a window closed while its
probe still waits on a socket must not receive the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot

log = logging.getLogger("panel.gui.worker")

T = TypeVar("T")


_pending: set[_Carrier] = set()
"""Carriers whose result is not delivered yet; held here so Python cannot collect them under the worker."""


class _Carrier(QObject):
    """Lives on the GUI thread; the worker emits through it, so delivery is a queued call on the GUI
    thread."""

    done = Signal(object)
    error = Signal(object)

    def __init__(
        self,
        parent: QObject,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        super().__init__()  # no Qt parent: it must outlive a parent deleted while the worker runs
        self._parent = parent
        self._on_done = on_done
        self._on_error = on_error
        self.done.connect(self._deliver_done)
        self.error.connect(self._deliver_error)

    def _release(self) -> bool:
        """Forget this carrier; True when the parent still exists and should hear the answer."""
        _pending.discard(self)
        self.deleteLater()
        return shiboken6.isValid(self._parent)

    @Slot(object)
    def _deliver_done(self, value: Any) -> None:
        if self._release():
            self._on_done(value)

    @Slot(object)
    def _deliver_error(self, error: BaseException) -> None:
        if not self._release():
            log.debug("dropped an error for a deleted parent: %r", error)
            return
        if self._on_error is None:
            raise error  # reaches sys.excepthook on the GUI thread: never swallowed
        self._on_error(error)


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], carrier: _Carrier) -> None:
        super().__init__()
        self._fn = fn
        self._args = args
        self._carrier = carrier

    def run(self) -> None:
        try:
            value = self._fn(*self._args)
        except BaseException as error:
            log.debug(
                "%s failed in a worker thread", getattr(self._fn, "__qualname__", self._fn), exc_info=True
            )
            self._deliver(self._carrier.error, error)
            return
        self._deliver(self._carrier.done, value)

    def _deliver(self, signal: SignalInstance, value: object) -> None:
        # The program may be ending under this thread (the carrier is deleted with the module): nobody waits
        # now.
        if not shiboken6.isValid(self._carrier):
            log.debug("dropped a result: the program is ending")
            return
        try:
            signal.emit(value)
        except RuntimeError:
            log.debug("dropped a result: the program is ending", exc_info=True)


def run_in_thread(
    fn: Callable[..., T],
    *args: object,
    parent: QObject,
    on_done: Callable[[T], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    """Call `fn(*args)` on the global thread pool; `on_done(value)` or `on_error(exception)` runs on the GUI
    thread.

    Without `on_error`, an exception is raised again on the GUI thread so the excepthook shows it.
    Nothing is delivered once `parent` has been deleted.
    """
    carrier = _Carrier(parent, on_done, on_error)
    _pending.add(carrier)
    QThreadPool.globalInstance().start(_Task(fn, args, carrier))
