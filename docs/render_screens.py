"""Render the main screens to PNG so a person can look at them: `python docs/render_screens.py [OUT]`.

Each state is produced for real on the demo deployment (simulated docker): the file is edited, the compose
file gets an override, docker is made to fail, the container is removed. The states of issue 13 (down with
Start and Restore, the cancel question, restart pending, the wizard's first page, the empty state, the
read-only banner) are shot at full size and at 800×500. The main window's picture also goes to
docs/screenshot-main.png.

Offscreen by default. In a real X window with a window manager (what an operator sees, decorations and
focus included), run it as:

    xvfb-run -a -s "-screen 0 1600x1000x24" sh -c \
        'openbox & sleep 1; QT_QPA_PLATFORM=xcb python docs/render_screens.py /tmp/shots'

Under X each shot is also taken of the whole screen with ImageMagick's `import -window root`, as
`NAME.screen.png`, when `import` is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="screens-config-")
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="screens-state-")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from panel.demo import start_demo
from panel.gui.app import make_application
from panel.gui.main_window import MainWindow

SIZE = (1180, 800)
SMALL = (800, 500)


def wait_for(condition: Callable[[], bool], timeout_ms: int = 20000) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    timer.start(50)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError("the window did not reach the expected state")


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(widget: QWidget, out: Path, name: str) -> Path:
    window = widget if isinstance(widget, MainWindow) else None
    if window is not None:
        wait_for(lambda: not window.refresher.busy)
    settle()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(path)
    if os.environ.get("QT_QPA_PLATFORM") == "xcb" and os.environ.get("DISPLAY") and shutil.which("import"):
        screen = out / f"{name}.screen.png"
        subprocess.run(["import", "-window", "root", str(screen)], check=False, capture_output=True)
        print(screen)
    return path


def shoot_both(widget: QWidget, out: Path, name: str, size: tuple[int, int] = SIZE) -> None:
    """At its usual size and at 800×500, the smallest screen the window is made for."""
    widget.resize(*size)
    shoot(widget, out, name)
    widget.resize(*SMALL)
    shoot(widget, out, f"{name}_800x500")
    widget.resize(*size)


def refreshed_to(window: MainWindow, verdict: str) -> None:
    window.refresh()
    wait_for(lambda: window.status is not None and window.status.verdict.value == verdict)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/shots")
    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    demo = start_demo(boot_delay=0)
    try:
        window = MainWindow(
            demo_note=QApplication.translate(
                "app",
                "DEMO — a sample Appsmith deployment in {} with a simulated docker. Nothing on this "
                "machine's real Appsmith or docker is touched; the folder is deleted when you quit.",
            ).format(demo.folder),
            remember=False,
        )
        window.resize(*SIZE)
        window.show()
        window.open_deployment(demo.folder)
        wait_for(lambda: window.status is not None and window.status.verified)
        main_shot = shoot(window, out, "main_enabled")
        Path(__file__).with_name("screenshot-main.png").write_bytes(main_shot.read_bytes())
        window.tabs.setCurrentIndex(1)
        shoot(window, out, "main_what_is_sent")
        window.tabs.setCurrentIndex(0)

        env_file = window.deployment.env_file
        original = env_file.read_bytes()
        env_file.write_bytes(
            original.replace(b"APPSMITH_DISABLE_TELEMETRY=false", b"APPSMITH_DISABLE_TELEMETRY=true")
        )
        refreshed_to(window, "pending-restart")
        shoot_both(window, out, "main_pending_restart")
        env_file.write_bytes(
            original.replace(b"APPSMITH_DISABLE_TELEMETRY=false", b"APPSMITH_DISABLE_TELEMETRY=maybe")
        )
        refreshed_to(window, "invalid")
        shoot(window, out, "main_invalid")
        env_file.write_bytes(original)

        compose = window.deployment.compose_file
        compose_text = compose.read_text()
        compose.write_text(
            compose_text.replace(
                "    restart: unless-stopped",
                '    restart: unless-stopped\n    environment:\n      APPSMITH_DISABLE_TELEMETRY: "true"',
            )
        )
        window.open_deployment(demo.folder)
        wait_for(lambda: window.status is not None and window.status.override is not None)
        shoot(window, out, "main_overridden")
        compose.write_text(compose_text)

        os.environ["SIMULATED_DOCKER_FAULTS"] = "daemon-down"
        window.open_deployment(demo.folder)
        wait_for(lambda: window.status is not None and window.status.running.docker_error is not None)
        shoot(window, out, "main_docker_down")
        os.environ["SIMULATED_DOCKER_FAULTS"] = ""

        compose_argv = ["docker", "compose", "-f", compose.name]
        subprocess.run([*compose_argv, "rm", "-fsv"], cwd=demo.folder, check=True, capture_output=True)
        window.open_deployment(demo.folder)
        refreshed_to(window, "appsmith-down")
        shoot_both(window, out, "main_appsmith_down")
        from panel.gui.start_dialog import StartDialog

        assert window.status is not None
        starting = StartDialog(window.status, window)
        starting.show()
        wait_for(starting.start_button.isEnabled)
        shoot(starting, out, "start_appsmith")
        starting.close()
        subprocess.run([*compose_argv, "up", "-d"], cwd=demo.folder, check=True, capture_output=True)
        window.open_deployment(demo.folder)
        wait_for(lambda: window.status is not None and window.status.verified)

        window.tabs.setCurrentIndex(2)
        shoot(window, out, "main_backups")
        window.tabs.setCurrentIndex(0)
        window.close()

        read_only = MainWindow(read_only=True, remember=False)
        read_only.resize(*SIZE)
        read_only.show()
        read_only.open_deployment(demo.folder)
        wait_for(lambda: read_only.status is not None and read_only.status.verified)
        shoot_both(read_only, out, "read_only")
        read_only.close()

        empty = MainWindow(remember=False)
        empty.show()
        empty.add_discovered([demo.folder])
        shoot_both(empty, out, "empty_state")
        empty.close()

        from panel.gui.wizard import FirstRunWizard

        wizard = FirstRunWizard(None, demo.folder)
        wizard.show()
        wait_for(lambda: wizard.welcome_page.header.title.text().startswith("Telemetry"))
        shoot_both(wizard, out, "wizard_first_page", (900, 640))
        wizard.welcome_page.stop()
        wizard.close()

        from panel.gui.consent_dialog import ConsentDialog

        window.open_deployment(demo.folder)
        wait_for(lambda: window.status is not None and window.status.verified)
        dialog = ConsentDialog(window.status, False, window)
        dialog.resize(900, 760)
        dialog.show()
        settle(1500)
        shoot_both(dialog, out, "consent_review", (900, 760))

        from panel.gui.stop_question import StopQuestion

        question = StopQuestion(dialog)
        question.show()
        shoot(question, out, "cancel_question")
        question.close()
        dialog.close()
    finally:
        demo.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
