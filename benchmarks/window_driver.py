"""Drive the real main window in this process (offscreen), for the benchmarks that need more than `--smoke`.

    python benchmarks/window_driver.py responsiveness FAULTS RUNS   → JSON: tick gaps while applying, per run
    python benchmarks/window_driver.py status PATH                  → JSON: after the first status is shown
    python benchmarks/window_driver.py apply PATH                   → JSON: "Restart now" clicked to the
    verdict

Run by the benchmarks as a child, with the checkout on PYTHONPATH and QT_QPA_PLATFORM=offscreen.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, Qt, QTimer

from panel.core.status import Verdict
from panel.gui.app import make_application
from panel.gui.main_window import MainWindow

if TYPE_CHECKING:
    from panel.gui.consent_dialog import ConsentDialog

TICK_MS = 10


def verified_and_idle(window: MainWindow) -> bool:
    """The window shows ON or OFF as the running instance confirmed it, and no refresh runs."""
    status = window.status
    return (
        status is not None
        and not window.refresher.busy
        and status.verified
        and status.verdict in (Verdict.ENABLED, Verdict.DISABLED)
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Run the event loop until `condition()` holds (checked every 20 ms), or fail after `timeout` seconds."""
    loop = QEventLoop()

    def check() -> None:
        if condition():
            loop.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(20)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(timeout * 1000))
    if not condition():
        loop.exec()
    poll.stop()
    deadline.stop()
    if not condition():
        raise TimeoutError(f"{what}: not within {timeout:g} s")


class Ticks:
    """A 10 ms QTimer on the GUI thread: the gaps between its ticks are how long the window could not
    react."""

    def __init__(self) -> None:
        self.times: list[tuple[float, float]] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.times.append((time.perf_counter(), time.thread_time()))

    def start(self) -> None:
        self.times = []
        self._tick()
        self.timer.start()

    def stop(self) -> list[tuple[float, float]]:
        """Each gap in milliseconds, with the CPU time the GUI thread itself used in it (the rest is waiting
        for a CPU: other processes, or the panel's own worker threads holding the GIL)."""
        self.timer.stop()
        self._tick()
        return [
            (1000 * (later[0] - earlier[0]), 1000 * (later[1] - earlier[1]))
            for earlier, later in zip(self.times, self.times[1:], strict=False)
        ]


def _has_result(dialog: ConsentDialog) -> bool:
    return dialog.apply_result is not None


def responsiveness(faults: str, runs: int) -> dict[str, Any]:
    from panel.core.apply_sequence import Outcome
    from panel.demo import start_demo
    from panel.gui.consent_dialog import ConsentDialog

    app = make_application()
    demo = start_demo(boot_delay=0.5, faults=faults)
    result: dict[str, Any] = {"runs": []}
    try:
        window = MainWindow(demo_note="benchmark", remember=False)
        window.open_deployment(demo.folder)
        window.show()
        ticks = Ticks()

        wait_until(lambda: verified_and_idle(window), 60, "the first verified status")
        ticks.start()
        idle_until = time.perf_counter() + 2.0
        wait_until(lambda: time.perf_counter() >= idle_until, 5, "idle ticks")
        result["idle_gaps"] = ticks.stop()
        for _ in range(runs):
            status = window.status
            assert status is not None and status.configured is not None
            dialog = ConsentDialog(status, not status.configured.telemetry_on, window)
            dialog.show()
            wait_until(dialog.restart_now_button.isEnabled, 60, "the consent dialog's commands")
            ticks.start()
            started = time.perf_counter()
            dialog.restart_now_button.click()
            wait_until(functools.partial(_has_result, dialog), 300, "the apply's verdict")
            elapsed = time.perf_counter() - started
            gaps = ticks.stop()
            outcome = dialog.apply_result.outcome if dialog.apply_result else None
            result["runs"].append(
                {
                    "gaps": gaps,
                    "seconds": elapsed,
                    "lines": dialog.progress.log.blockCount(),
                    "outcome": outcome.value if outcome else None,
                    "verified": outcome is Outcome.VERIFIED,
                }
            )
            dialog.accept()
            dialog.deleteLater()
            window.refresh()
            wait_until(lambda: verified_and_idle(window), 60, "the status after the apply")
        window.close()
        app.processEvents()
    finally:
        demo.close()
    return result


def apply_once(folder: str) -> dict[str, Any]:
    """Open the window on `folder`, flip telemetry with "Restart now", and time the click to the verdict."""
    from panel.gui.consent_dialog import ConsentDialog

    app = make_application()
    window = MainWindow(remember=False)
    window.open_deployment(Path(folder))
    window.show()
    wait_until(lambda: window.status is not None and not window.refresher.busy, 60, "the first status")
    status = window.status
    assert status is not None and status.configured is not None
    dialog = ConsentDialog(status, not status.configured.telemetry_on, window)
    dialog.show()
    wait_until(dialog.restart_now_button.isEnabled, 60, "the consent dialog's commands")
    started = time.perf_counter()
    dialog.restart_now_button.click()
    wait_until(functools.partial(_has_result, dialog), 300, "the apply's verdict")
    elapsed = time.perf_counter() - started
    result = dialog.apply_result
    assert result is not None
    dialog.accept()
    window.close()
    app.processEvents()
    return {"seconds": elapsed, "outcome": result.outcome.value, "message": result.message}


def status_shown(folder: str) -> dict[str, Any]:
    app = make_application()
    window = MainWindow(remember=False)
    window.open_deployment(Path(folder))
    window.show()
    wait_until(lambda: window.status is not None, 60, "the first status")
    shown_at = time.perf_counter()
    wait_until(lambda: time.perf_counter() > shown_at + 0.3, 5, "the status painted")
    status = window.status
    assert status is not None
    window.close()
    app.processEvents()
    return {"verdict": status.verdict.value, "server": status.running.server is not None}


def main(argv: list[str]) -> int:
    if argv[:1] == ["responsiveness"]:
        print(json.dumps(responsiveness(argv[1], int(argv[2]))))
    elif argv[:1] == ["status"]:
        print(json.dumps(status_shown(argv[1])))
    elif argv[:1] == ["apply"]:
        print(json.dumps(apply_once(argv[1])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
