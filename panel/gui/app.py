"""Build the QApplication once, then open the wizard, the main window, the demo or the smoke run."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from panel import APP_ID, APP_NAME, ORGANIZATION, __version__
from panel.gui import settings
from panel.gui.icons import app_icon
from panel.gui.main_window import MainWindow

if TYPE_CHECKING:
    from panel.core.status import Status
    from panel.demo import DemoSession

log = logging.getLogger("panel.gui")


def process_start_time() -> float:
    """When this process started (epoch seconds), from /proc, so start-up is measured from exec, not import.

    The start is counted in clock ticks since boot, so its age is read on that same clock (CLOCK_BOOTTIME)
    rather than added to /proc/stat's `btime`, which is rounded to the second and drifts from the wall clock.
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return time.time() - age
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()


def peak_rss_kib() -> int | None:
    """This process's peak resident set size so far (VmHWM), or None where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


VERDICT_WAIT = 30.0
"""Seconds a smoke run waits after the first paint for a verdict the running instance confirms."""


class FirstPaint(QObject):
    """Prints the seconds from process start to the window's first paint and the peak memory then (for
    `--smoke`); then quits, unless `wait_for_verdict` has been called (a deployment is being opened)."""

    def __init__(self, started: float, parent: QObject) -> None:
        super().__init__(parent)
        self.started = started
        self.seen = False
        self.verdict: VerdictShown | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            print(f"first paint: {time.time() - self.started:.3f} s", flush=True)
            peak = peak_rss_kib()
            if peak is not None:
                print(f"peak RSS at first paint: {peak} KiB", flush=True)
            if self.verdict is None:
                QTimer.singleShot(0, QApplication.quit)
            else:
                self.verdict.start_waiting()
        return False


class VerdictShown(QObject):
    """For `--smoke PATH` and `--demo --smoke`: prints when the first verdict is on screen, then quits.

    It waits (at most `VERDICT_WAIT` after the first paint) for one the running instance confirms while one
    can still come: another look is under way or due soon (the instance is starting, the demo's instance is
    being started). Otherwise the verdict shown is reported as not confirmed.
    """

    def __init__(self, started: float, window: MainWindow, still_coming: Callable[[], bool]) -> None:
        super().__init__(window)
        self.started = started
        self.window = window
        self.still_coming = still_coming
        self.first_shown: float | None = None
        self.reported = False
        window.status_shown.connect(self._shown)

    def start_waiting(self) -> None:
        QTimer.singleShot(int(VERDICT_WAIT * 1000), self._give_up)

    def _shown(self, status: Status) -> None:
        if self.first_shown is None:
            self.first_shown = time.time()
        if status.verified:
            self._report(time.time(), "confirmed by the running instance")
        else:
            # After the refresher has decided whether another look follows (it does so after its signal).
            QTimer.singleShot(0, self._decide)

    def _decide(self) -> None:
        refresher = self.window.refresher
        if not (refresher.busy or refresher.starting or self.still_coming()):
            assert self.first_shown is not None
            self._report(self.first_shown, "not confirmed")

    def _give_up(self) -> None:
        if self.first_shown is not None:
            self._report(self.first_shown, "not confirmed")
        elif not self.reported:
            self.reported = True
            print(f"verdict shown: none within {VERDICT_WAIT:.0f} s", file=sys.stderr, flush=True)
            QApplication.exit(1)

    def _report(self, when: float, how: str) -> None:
        if self.reported:
            return
        self.reported = True
        print(f"verdict shown: {when - self.started:.3f} s ({how})", flush=True)
        QTimer.singleShot(0, QApplication.quit)


def install_excepthook(smoke: bool = False) -> list[BaseException]:
    """Unexpected errors are logged and shown in a dialog, never swallowed. A smoke run prints the error and
    ends its event loop instead, so that `run_gui` still cleans up (the demo's folder and processes) and exits
    with 1; the list returned collects a smoke run's errors."""
    errors: list[BaseException] = []

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            # Ctrl+C before QuitOnSignals took SIGINT over (or after it let go): quit, never an empty dialog.
            QApplication.exit(130)
            return
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("unexpected error\n%s", details)
        if smoke:
            print(details, file=sys.stderr, flush=True)
            errors.append(error)
            QApplication.exit(1)  # nothing to end before exec(): run_gui checks `errors` as well
            return
        if QApplication.instance() is not None:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, f"Unexpected error: {error}")
            box.setDetailedText(details)
            box.exec()

    sys.excepthook = hook
    return errors


GIL_SWITCH_SECONDS = 0.001
"""How long a worker thread parsing a big docker.env may keep the interpreter before the GUI thread gets it;
Python's default of 5 ms, with two or three busy workers and a loaded CPU, let the window go unpainted for
over 100 ms."""


def make_application() -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName("appsmith-telemetry-panel")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def discover_into(window: MainWindow, open_single: bool) -> None:
    """Ask docker (in a QProcess) for running Appsmith deployments and offer them in the picker."""
    from panel.core import containers
    from panel.core.discover import discover
    from panel.core.docker import CommandResult, DockerError
    from panel.gui.docker_process import DockerProcess

    process = DockerProcess(containers.PS_ARGV, parent=window)

    def found(result: CommandResult) -> None:
        try:
            folders = [
                Path(c.working_dir)
                for c in containers.parse_ps(result)
                if "appsmith" in c.image.lower() or c.service in ("appsmith", "appsmith-internal-server")
            ]
        except DockerError:
            folders = []
        deployments, _ = discover(extra=folders, ask_docker=False)
        window.add_discovered([item.deployment.folder for item in deployments])
        if open_single and window.deployment is None and len(deployments) == 1:
            window.set_deployment(deployments[0].deployment)
        process.deleteLater()

    process.finished.connect(found)
    process.failed.connect(lambda error: found(CommandResult((), 1, "", "")))
    process.start()


def display_problem() -> str | None:
    """Why Qt could not open a window here, said before Qt aborts with a less helpful message."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set). Run the app in a desktop session "
        "(or with `ssh -X`, or `xvfb-run appsmith-telemetry-panel --demo`), or use the command line: "
        "appsmith-telemetry-panel status"
    )


def refresh_when_started(window: MainWindow, demo: DemoSession) -> Callable[[], bool]:
    """The demo's instance starts just after the first paint; look again once its container exists.

    Returns a question: is that look still to come?
    """
    timer = QTimer(window)
    timer.setInterval(100)
    waiting = [True]

    def check() -> None:
        if demo.wait_started(0):
            timer.stop()
            timer.deleteLater()
            waiting[0] = False
            window.refresh()

    timer.timeout.connect(check)
    timer.start()
    return lambda: waiting[0]


def run_gui(args: argparse.Namespace) -> int:
    started = process_start_time()
    problem = display_problem()
    if problem:
        print(f"appsmith-telemetry-panel: the desktop app cannot start: {problem}", file=sys.stderr)
        return 2
    app = make_application()
    errors = install_excepthook(smoke=args.smoke)
    from panel.gui.quit_signals import QuitOnSignals

    quit_signals = QuitOnSignals(QApplication.instance())
    demo = None
    window: MainWindow | None = None
    try:
        path: Path | None = Path(args.path) if args.path else None
        demo_note = None
        if args.demo:
            from panel.demo import prepare_demo

            demo = prepare_demo()  # started just after the first paint, before the window opens the folder
            path = demo.folder
            demo_note = QApplication.translate(
                "app",
                "DEMO — a sample Appsmith deployment in {} with a simulated docker. Nothing on this "
                "machine's real Appsmith or docker is touched; the folder is deleted when you quit.",
            ).format(demo.folder)
        if path is None and not args.smoke:
            path = settings.last_deployment()
            if path is not None and not path.exists():
                path = None
        window = MainWindow(read_only=args.read_only, demo_note=demo_note, remember=demo is None)
        first_paint = None
        if args.smoke:
            # Installed before the window's own after-paint opening: Qt runs the filter installed last first,
            # so the deployment opens (and is thus checked too) before the smoke run quits.
            first_paint = FirstPaint(started, window)
            window.installEventFilter(first_paint)
        if (
            not args.smoke
            and not args.read_only
            and (args.wizard or (path is None and not settings.first_run_done()))
        ):
            from panel.gui.wizard import FirstRunWizard

            chosen = FirstRunWizard.ask(None)
            if quit_signals.exit_code is not None:
                return quit_signals.exit_code  # the signal ended the wizard's loop, not the user
            settings.set_first_run_done()
            path = chosen or path
        early = None
        if path is not None and demo is None:
            # Docker is asked while the window is shown and painted, in a thread that does its own imports:
            # started before the window was built, it delayed the first paint by ~15 ms on 2 CPUs.
            from panel.core.early_look import EarlyLook

            early = EarlyLook(path)
        if path is not None:
            window.open_when_shown(
                path,
                before=(lambda: demo.start(wait=False)) if demo is not None else None,
                early=early,
            )
        demo_look_coming: Callable[[], bool] = lambda: False  # noqa: E731
        if demo is not None:
            demo_look_coming = refresh_when_started(window, demo)
        if first_paint is not None and path is not None:
            first_paint.verdict = VerdictShown(started, window, demo_look_coming)
        if not args.smoke:
            discover_into(window, open_single=path is None)
        window.show()
        code = app.exec()
        if quit_signals.exit_code is not None:
            return quit_signals.exit_code
        return 1 if errors else code
    finally:
        # Also when something failed or a signal came: the demo's folder and simulated processes never
        # outlive the app.
        try:
            if window is not None:
                window.close()
            if demo is not None:
                demo.close()
        finally:
            quit_signals.uninstall()
