"""Drive every path of the window that reads or writes docker.env, with a big docker.env, and time the GUI
thread.

    python benchmarks/env_paths.py SIZE   → JSON: per path, the largest gap between ticks of a 10 ms timer

On the demo (its simulated docker; docker.env padded to SIZE bytes, its own lines kept), in this order, each
as a person would do it (buttons clicked, dialogs answered when they appear): the consent dialog (review, then
"Apply and restart now"), the first-run wizard (its pages up to the review, then Apply with a restart), the
backups view (listing, the newest backup's preview), a restore (its review, Restore, the message), and the
change as administrator (review, then Run, through a fake pkexec that runs the panel's own command line).
Each path ends when the window's status after it is on screen. Run as a child by `bench_responsiveness.py`,
with the checkout on PYTHONPATH and QT_QPA_PLATFORM=offscreen.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from deployments import filler_lines
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QPushButton,
    QWidget,
    QWizard,
)
from window_driver import Ticks, verified_and_idle, wait_until

from panel.core import invocation
from panel.core.apply_sequence import ApplyResult
from panel.demo import start_demo
from panel.gui.app import make_application
from panel.gui.backups_view import RestoredDialog, RestoreDialog
from panel.gui.consent_dialog import ConsentDialog
from panel.gui.elevated_dialog import ElevatedChangeDialog
from panel.gui.main_window import MainWindow
from panel.gui.wizard import FirstRunWizard

POLL_MS = 20
NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
FINISH = QWizard.WizardButton.FinishButton
PATH_TIMEOUT = 300.0


def pad_env(text: str, size: int) -> str:
    """`text` with settings added around its middle line until it is `size` bytes: every line it had stays."""
    filler = filler_lines(len(text.encode()), size)
    half = len(filler) // 2
    return "".join(filler[:half]) + text + "".join(filler[half:])


def visible(kind: type[QWidget]) -> QWidget | None:
    """The visible top-level window of `kind`, if one is open."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


@dataclass
class Step:
    """When `ready()` holds, `act()` runs once and the script goes on to the next step."""

    what: str
    ready: Callable[[], bool]
    act: Callable[[], object] = lambda: None


@dataclass
class Script:
    """Steps checked every 20 ms from a timer, which also fires inside a dialog's own event loop (`exec`):
    dialogs are answered as a person would, while the code path that opened them waits as it does for real."""

    steps: list[Step]
    done: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)

    @property
    def finished(self) -> bool:
        return len(self.done) == len(self.steps)

    @property
    def waiting_for(self) -> str:
        return "finished" if self.finished else self.steps[len(self.done)].what

    def _poll(self) -> None:
        if self.finished:
            self.timer.stop()
            return
        step = self.steps[len(self.done)]
        if step.ready():
            self.done.append(step.what)
            print(f"{time.perf_counter() - self.started:7.2f} s  {step.what}", file=sys.stderr, flush=True)
            step.act()

    def run(self, trigger: Callable[[], object]) -> None:
        self.started = time.perf_counter()
        self.timer.start(POLL_MS)
        QTimer.singleShot(0, trigger)
        try:
            wait_until(lambda: self.finished, PATH_TIMEOUT, "the path")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; waiting for: {self.waiting_for}") from None
        finally:
            self.timer.stop()


def then(*actions: Callable[[], object]) -> Callable[[], None]:
    """One step's actions, in order."""

    def run() -> None:
        for action in actions:
            action()

    return run


def button_named(widget: QWidget, text: str) -> QPushButton:
    for button in widget.findChildren(QPushButton):
        if button.text().replace("&", "") == text:
            return button
    raise LookupError(f"no button {text!r} in {type(widget).__name__}")


def install_fake_pkexec(bin_dir: Path) -> None:
    """A root-only stand-in for the system-wide program, and a pkexec on PATH that runs the panel's command
    line with the arguments pkexec was given (the password prompt is polkit's, not the panel's)."""
    system = Path(tempfile.mkdtemp(prefix="panel-system-"))
    system.chmod(0o755)
    program = system / "appsmith-telemetry-panel"
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    invocation.SYSTEM_PROGRAM = program
    pkexec = bin_dir / "pkexec"
    pkexec.write_text(
        f'#!/bin/sh\nshift\nexec {shlex.quote(sys.executable)} -m panel "$@"\n', encoding="utf-8"
    )
    pkexec.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


def measure(size: int) -> dict[str, dict[str, float | str]]:
    app = make_application()
    demo = start_demo(boot_delay=0.5)
    bin_dir = Path(tempfile.mkdtemp(prefix="panel-bin-"))
    install_fake_pkexec(bin_dir)
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    results: dict[str, dict[str, float | str]] = {}
    outcomes: dict[str, str] = {}
    """How an apply ended, per path that applies (a path whose apply failed measured something else)."""
    try:
        env_file = demo.folder / "stacks" / "configuration" / "docker.env"
        env_file.write_text(pad_env(env_file.read_text(encoding="utf-8"), size), encoding="utf-8")
        window = MainWindow(demo_note="benchmark", remember=False)
        window.open_deployment(demo.folder)
        window.show()

        wait_until(lambda: verified_and_idle(window), 120, "the first verified status")

        def telemetry_on() -> bool:
            status = window.status
            assert status is not None and status.configured is not None
            return bool(status.configured.telemetry_on)

        def shown_again(before: object) -> Callable[[], bool]:
            """The window's status after the path: a newer one than `before`, no refresh running."""
            return lambda: window.status is not before and not window.refresher.busy

        ticks = Ticks()
        ticks.start()  # the floor: the same timer in the idle window, under the machine's load of the moment
        idle_until = time.perf_counter() + 3.0
        wait_until(lambda: time.perf_counter() >= idle_until, 10, "idle ticks")
        results["idle"] = {"worst_ms": max(gap for gap, _ in ticks.stop())}

        def note_outcome(path: str, result: ApplyResult | None) -> None:
            outcomes[path] = result.outcome.value if result is not None else "none"

        def timed(name: str, steps: Callable[[object], list[Step]], trigger: Callable[[], object]) -> None:
            started = time.perf_counter()
            ticks.start()
            print(name, file=sys.stderr, flush=True)
            Script(steps(window.status)).run(trigger)
            gaps = ticks.stop()
            worst, cpu = max(gaps)
            results[name] = {
                "worst_ms": worst,
                "cpu_ms": cpu,
                "seconds": time.perf_counter() - started,
                "over_50": sum(1 for gap, _ in gaps if gap > 50),
                "outcome": outcomes.get(name, ""),
            }

        # -- the consent dialog: review, then apply with a restart
        def consent(since: object) -> list[Step]:
            def dialog() -> ConsentDialog:
                found = visible(ConsentDialog)
                assert isinstance(found, ConsentDialog)
                return found

            def close_after_verdict() -> None:
                note_outcome("consent dialog", dialog().apply_result)
                dialog().close_button.click()

            return [
                Step(
                    "the consent dialog, ready to restart",
                    lambda: visible(ConsentDialog) is not None and dialog().restart_now_button.isEnabled(),
                    lambda: dialog().restart_now_button.click(),
                ),
                Step(
                    "the apply's verdict",
                    lambda: dialog().apply_result is not None,
                    close_after_verdict,
                ),
                Step("the status after the apply", shown_again(since)),
            ]

        timed("consent dialog", consent, lambda: window.change_telemetry(not telemetry_on()))

        # -- the wizard: up to the review, then Apply with a restart, then Finish
        def wizard_steps(since: object) -> list[Step]:
            def wizard() -> FirstRunWizard:
                found = visible(FirstRunWizard)
                assert isinstance(found, FirstRunWizard)
                return found

            def on_page(page: FirstRunWizard.Page) -> Callable[[], bool]:
                return lambda: visible(FirstRunWizard) is not None and wizard().currentId() == page

            def choose() -> None:
                page = wizard().choice_page
                (page.do_not_share if telemetry_on() else page.share).click()
                button(NEXT).click()

            def button(which: QWizard.WizardButton) -> QAbstractButton:
                found = wizard().button(which)
                assert found is not None
                return found

            def pressable(page: FirstRunWizard.Page, which: QWizard.WizardButton) -> Callable[[], bool]:
                """On `page`, with its button enabled (a person cannot press a disabled Next)."""
                return lambda: on_page(page)() and button(which).isVisible() and button(which).isEnabled()

            def press(which: QWizard.WizardButton) -> Callable[[], None]:
                return lambda: button(which).click()

            def note_and_go_on() -> None:
                note_outcome("wizard (review and apply)", wizard().apply_result)
                button(COMMIT).click()  # the apply page is a commit page too: what was done stays done

            return [
                Step("the wizard", pressable(FirstRunWizard.Page.WELCOME, NEXT), press(NEXT)),
                Step("the folder checked", pressable(FirstRunWizard.Page.DEPLOYMENT, NEXT), press(NEXT)),
                Step("what is collected", pressable(FirstRunWizard.Page.COLLECTED, NEXT), press(NEXT)),
                Step("the choice", on_page(FirstRunWizard.Page.CHOICE), choose),
                Step(
                    "the review, restart offered",
                    lambda: (
                        on_page(FirstRunWizard.Page.REVIEW)()
                        and wizard().review_page.restart_now.isVisible()
                        and wizard().review_page.restart_now.isEnabled()
                    ),
                    lambda: wizard().review_page.restart_now.click(),
                ),
                Step("Apply enabled", pressable(FirstRunWizard.Page.REVIEW, COMMIT), press(COMMIT)),
                Step(
                    "the apply's verdict",
                    lambda: (
                        pressable(FirstRunWizard.Page.APPLY, COMMIT)() and wizard().apply_result is not None
                    ),
                    note_and_go_on,
                ),
                Step(
                    "the state on the last page",
                    lambda: pressable(FirstRunWizard.Page.DONE, FINISH)() and wizard().status is not None,
                    press(FINISH),
                ),
                Step("the window's status after the wizard", shown_again(since)),
            ]

        timed("wizard (review and apply)", wizard_steps, window.run_wizard)

        # -- the backups view: listing and the preview of the newest backup
        def backups_steps(since: object) -> list[Step]:
            view = window.backups
            return [
                Step("the backups listed", lambda: view.list.count() > 0, lambda: view.list.setCurrentRow(0)),
                Step(
                    "the preview",
                    lambda: (
                        view.list.currentItem() is not None
                        and not view.diff.toPlainText().startswith("Reading ")
                    ),
                ),
            ]

        timed(
            "backups view (list, preview)",
            backups_steps,
            lambda: window.tabs.setCurrentWidget(window.backups_page),
        )

        # -- restore the newest backup: its review, Restore, the message
        def restore_steps(since: object) -> list[Step]:
            def answer_message() -> None:
                found = visible(RestoredDialog)
                assert isinstance(found, RestoredDialog)
                found.later_button.click()  # what it offers next (a restart) is the consent dialog's path

            def restore_button() -> QPushButton:
                dialog = visible(RestoreDialog)
                assert dialog is not None
                box = dialog.findChild(QDialogButtonBox)
                assert box is not None
                return button_named(box, "Restore")

            return [
                Step(
                    "the restore's review",
                    lambda: visible(RestoreDialog) is not None,
                    lambda: restore_button().click(),
                ),
                Step(
                    "the message that it is back", lambda: visible(RestoredDialog) is not None, answer_message
                ),
                Step("the status after the restore", shown_again(since)),
            ]

        def restore() -> None:
            backup = window.backups._selected()
            assert backup is not None
            window.restore_backup(backup)

        timed("restore", restore_steps, restore)

        # -- the change as administrator, through the fake pkexec
        def elevated_steps(since: object) -> list[Step]:
            def dialog() -> ElevatedChangeDialog:
                found = visible(ElevatedChangeDialog)
                assert isinstance(found, ElevatedChangeDialog)
                return found

            def choose() -> None:
                (dialog().disable_choice if telemetry_on() else dialog().enable_choice).click()

            return [
                Step("the dialog", lambda: visible(ElevatedChangeDialog) is not None, choose),
                Step(
                    "the review",
                    lambda: dialog().run_button.isEnabled(),
                    lambda: dialog().run_button.click(),
                ),
                Step(
                    "the command's end",
                    lambda: dialog().result_code is not None,
                    lambda: dialog().close_button.click(),
                ),
                Step("the status after the change", shown_again(since)),
            ]

        timed("change as administrator", elevated_steps, window.change_as_administrator)
        window.close()
        app.processEvents()
    finally:
        demo.close()
    return results


def _fail(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """An error in a slot (a step's action, the window's own) ends the run with its traceback."""
    traceback.print_exception(kind, error, tb, file=sys.stderr)
    os._exit(3)


def main(argv: list[str]) -> int:
    sys.excepthook = _fail
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(measure(int(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
