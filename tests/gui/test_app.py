"""Start-up: the QApplication's names, the first-run wizard, the remembered deployment, and the app as a
program (`--demo --smoke`, `--read-only --smoke PATH`, `--version`, `-h`, an unexpected error during a smoke
run)."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import panel.gui.app as app_module
from panel import APP_ID, APP_NAME, ORGANIZATION, __version__
from panel.cli import COMMANDS, build_gui_parser, main
from panel.core.backups import list_backups
from panel.core.paths import audit_log_path
from panel.gui import settings
from panel.gui.app import make_application, run_gui
from panel.gui.main_window import MainWindow
from panel.gui.wizard import FirstRunWizard
from tests.conftest import FakeBin

pytestmark = pytest.mark.usefixtures("app_settings")

ROOT = Path(__file__).resolve().parents[2]
SMOKE_LINE = re.compile(r"^first paint: (\d+\.\d+) s$", re.MULTILINE)
SMOKE_TIMEOUT = 60.0
VERDICT_LINE = re.compile(
    r"^verdict shown: (\d+\.\d+) s \((confirmed by the running instance|not confirmed)\)$", re.MULTILINE
)


# --- the QApplication
# -------------------------------------------------------------------------------------------


def test_make_application_names_the_app_before_anything_reads_settings(qapp: QApplication) -> None:
    for setter in (qapp.setOrganizationName, qapp.setApplicationName, qapp.setDesktopFileName):
        setter("")
    app = make_application()
    assert app is qapp, "one QApplication per process"
    assert app.organizationName() == ORGANIZATION
    assert app.applicationName() == "appsmith-telemetry-panel"
    assert app.applicationDisplayName() == APP_NAME
    assert app.applicationVersion() == __version__
    assert app.desktopFileName() == APP_ID
    assert not app.windowIcon().isNull()


# --- run_gui in this process: which window opens on what
# ----------------------------------------------------------


class WithoutEventLoop:
    """The QApplication, except that `exec()` only processes what is pending (a few rounds) and returns 0.

    WORKAROUND: running `exec()` on pytest-qt's shared QApplication while a window is shown leaves the process
    unable to run event loops afterwards (every later QEventLoop returns at once), which breaks the tests
    after.
    """

    def __init__(self, app: QApplication) -> None:
        self._app = app

    def exec(self) -> int:
        # A few rounds: the window paints, and its deployment opens on a zero timer queued by that first
        # paint.
        for _ in range(5):
            QApplication.processEvents()
        return 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


@pytest.fixture
def launch(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """`launch(*argv, wizard_answer=None)`: run_gui as the app would, up to its event loop, which is not run.

    Returns what happened: the window, the wizard's calls, the discovery calls and the exit code. Discovery
    (which asks docker for running Appsmith containers) is recorded instead of run.
    """
    # run_gui installs its own; put the test's back after
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app_module, "make_application", lambda: WithoutEventLoop(make_application()))

    def run(*argv: str, wizard_answer: Path | None = None) -> dict[str, Any]:
        happened: dict[str, Any] = {"windows": [], "wizard": [], "discover": []}

        class RecordedWindow(MainWindow):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                happened["windows"].append(self)

        def ask(cls: type[FirstRunWizard], parent: Any, initial: Path | None = None) -> Path | None:
            happened["wizard"].append((parent, initial))
            return wizard_answer

        monkeypatch.setattr(app_module, "MainWindow", RecordedWindow)
        monkeypatch.setattr(FirstRunWizard, "ask", classmethod(ask))
        monkeypatch.setattr(
            app_module,
            "discover_into",
            lambda window, open_single: happened["discover"].append((window, open_single)),
        )
        args: argparse.Namespace = build_gui_parser().parse_args(list(argv))
        happened["exit"] = run_gui(args)
        assert len(happened["windows"]) == 1
        happened["window"] = happened["windows"][0]
        return happened

    return run


def test_first_launch_asks_the_wizard_and_opens_what_it_chose(
    launch: Callable[..., dict[str, Any]], single_deployment: Path, docker_down: FakeBin
) -> None:
    assert not settings.first_run_done()
    happened = launch(wizard_answer=single_deployment)
    assert happened["exit"] == 0
    assert happened["wizard"] == [(None, None)]
    window = happened["window"]
    assert window.deployment is not None and window.deployment.folder == single_deployment
    assert settings.first_run_done()
    assert settings.last_deployment() == single_deployment
    assert happened["discover"] == [(window, False)]
    assert not window.isVisible(), "closed when the event loop has ended"


def test_leaving_the_wizard_early_opens_the_window_on_nothing(
    launch: Callable[..., dict[str, Any]], docker_down: FakeBin
) -> None:
    happened = launch(wizard_answer=None)
    assert happened["exit"] == 0 and len(happened["wizard"]) == 1
    window = happened["window"]
    assert window.deployment is None
    assert window.picker.itemText(0) == "No deployment chosen — open a folder"
    assert settings.first_run_done(), "left once is enough: the wizard is in the File menu"
    assert happened["discover"] == [(window, True)], "a single deployment found running may be opened"


def test_the_next_launch_opens_the_last_deployment_without_the_wizard(
    launch: Callable[..., dict[str, Any]], single_deployment: Path, docker_down: FakeBin
) -> None:
    settings.set_first_run_done()
    settings.remember_deployment(single_deployment)
    happened = launch()
    assert happened["wizard"] == []
    assert happened["window"].deployment.folder == single_deployment
    assert happened["discover"] == [(happened["window"], False)]


def test_a_remembered_folder_that_is_gone_is_not_opened(
    launch: Callable[..., dict[str, Any]], tmp_path: Path, docker_down: FakeBin
) -> None:
    settings.set_first_run_done()
    settings.remember_deployment(tmp_path / "removed-since")
    happened = launch()
    assert happened["wizard"] == [] and happened["window"].deployment is None
    assert happened["discover"] == [(happened["window"], True)]


def test_wizard_flag_asks_again_and_keeps_the_folder_when_left(
    launch: Callable[..., dict[str, Any]], single_deployment: Path, docker_down: FakeBin
) -> None:
    settings.set_first_run_done()
    happened = launch("--wizard", str(single_deployment), wizard_answer=None)
    assert len(happened["wizard"]) == 1
    assert happened["window"].deployment.folder == single_deployment


def test_read_only_never_shows_the_wizard(
    launch: Callable[..., dict[str, Any]], single_deployment: Path, docker_down: FakeBin
) -> None:
    happened = launch("--read-only", "--wizard", str(single_deployment))
    assert happened["wizard"] == []
    window = happened["window"]
    assert window.forced_read_only and window.read_only_reason == "opened read-only"
    assert window.deployment.folder == single_deployment
    assert not settings.first_run_done()


# --- the program
# ------------------------------------------------------------------------------------------------


def run_app(*argv: str | Path, tmp: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m panel ARGV` (or `python -c CODE ARGV`) offscreen, with its own TMPDIR and this test's XDG
    dirs."""
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
    command = [sys.executable, *(["-c", code] if code else ["-m", "panel"]), *map(str, argv)]
    try:
        return subprocess.run(
            command,
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{command} did not finish in {SMOKE_TIMEOUT:.0f} s\n{error.stdout!r}\n{error.stderr!r}")


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text` (the demo's simulated docker and Appsmith do)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text(errors="replace").rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in cmdline and state not in ("Z", "X"):
            found.append(cmdline)
    return found


def assert_left_nothing(tmp: Path) -> None:
    tmpdir = tmp / "tmpdir"
    assert [entry.name for entry in tmpdir.iterdir() if entry.name.startswith("appsmith-panel-demo-")] == []
    assert processes_mentioning(str(tmpdir)) == []


def test_demo_smoke_paints_once_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = run_app("--demo", "--smoke", tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    match = SMOKE_LINE.search(result.stdout)
    assert match, result.stdout + result.stderr
    assert 0 < float(match.group(1)) < SMOKE_TIMEOUT
    verdict = VERDICT_LINE.search(result.stdout)
    assert verdict, result.stdout + result.stderr
    assert verdict.group(2) == "confirmed by the running instance", "the demo's instance boots in 2 s"
    assert float(match.group(1)) < float(verdict.group(1)) < float(match.group(1)) + 30
    assert result.stdout.index("first paint:") < result.stdout.index("verdict shown:")
    assert "Traceback" not in result.stderr
    assert_left_nothing(tmp_path)
    conf = Path(os.environ["XDG_CONFIG_HOME"]) / ORGANIZATION / "appsmith-telemetry-panel.conf"
    assert not conf.exists() or "appsmith-panel-demo-" not in conf.read_text(), (
        "the demo folder is not remembered"
    )


def test_read_only_smoke_on_a_folder_changes_nothing(tmp_path: Path, docker_down: FakeBin) -> None:
    from panel.demo import copy_demo_deployment

    folder = copy_demo_deployment(tmp_path / "appsmith")
    env_file = folder / "stacks/configuration/docker.env"
    before = env_file.read_bytes()
    result = run_app("--read-only", "--smoke", folder, tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert SMOKE_LINE.search(result.stdout), result.stdout + result.stderr
    verdict = VERDICT_LINE.search(result.stdout)
    assert verdict, result.stdout + result.stderr
    assert verdict.group(2) == "not confirmed", "docker is down: nothing can confirm, so no 30 s wait"
    assert float(verdict.group(1)) < 15
    assert env_file.read_bytes() == before
    assert list_backups(env_file) == []
    assert not audit_log_path().exists()
    conf = Path(os.environ["XDG_CONFIG_HOME"]) / ORGANIZATION / "appsmith-telemetry-panel.conf"
    assert str(folder) in conf.read_text(encoding="utf-8"), "settings live where the README says"


FIRST_PAINT_PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    from panel.gui import main_window

    LATER = ("yaml", "dotenv", "requests", "http.client", "panel.core.status", "panel.core.deployment",
             "panel.gui.status_refresher", "panel.gui.backups_view", "panel.gui.activity_view")

    class Probe(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not hasattr(self, "seen"):
                self.seen = True
                print("at first paint:", sorted(name for name in LATER if name in sys.modules))
                QTimer.singleShot(500, app.quit)
            return False

    app = QApplication([])
    window = main_window.MainWindow(remember=False)
    # Before open_when_shown: Qt runs the filter installed last first.
    window.installEventFilter(Probe(window))
    window.open_when_shown(__import__("pathlib").Path(sys.argv[1]))
    window.show()
    app.exec()
    print("opened:", window.deployment is not None and str(window.deployment.folder))
    print("tabs built:", window.backups_page.built is not None, window.activity_page.built is not None)
    window.close()
""")


def test_the_window_paints_before_the_deployment_and_the_status_model_load(
    tmp_path: Path, single_deployment: Path, docker_down: FakeBin
) -> None:
    """Issue 6: the first frame needs only the window; the compose parser, the status model and the tabs the
    user has not opened load after it, and the deployment is open right after."""
    result = run_app(single_deployment, tmp=tmp_path, code=FIRST_PAINT_PROBE)
    assert result.returncode == 0, result.stderr
    assert "at first paint: []" in result.stdout, result.stdout
    assert f"opened: {single_deployment}" in result.stdout
    assert "tabs built: False False" in result.stdout, "Backups and Activity wait until they are opened"


EARLY_LOOK_PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QEvent
    import panel.core.docker as docker
    import panel.gui.app as app

    LATER = ("yaml", "dotenv", "requests", "http.client", "panel.core.status", "panel.core.deployment",
             "panel.gui.status_refresher", "panel.gui.backups_view", "panel.gui.activity_view")
    events = []
    original_start = docker.start

    def start(argv, *args, **kwargs):
        events.append("docker " + " ".join(argv[1:2]))
        return original_start(argv, *args, **kwargs)

    docker.start = start
    original_filter = app.FirstPaint.eventFilter

    def paint_filter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.seen:
            events.append("first paint")
            print("at first paint:", sorted(name for name in LATER if name in sys.modules))
        return original_filter(self, watched, event)

    app.FirstPaint.eventFilter = paint_filter
    from panel.cli import main
    code = main(sys.argv[1:])
    print("events:", events)
    sys.exit(code)
""")


def test_docker_is_asked_as_the_window_is_shown_and_once(
    tmp_path: Path, single_deployment: Path, docker_down: FakeBin
) -> None:
    """Issue 16: `docker ps` is started by the early look begun as the window is shown (its answer serves the
    first refresh, so ps is asked once), while the compose parser, the status model and the HTTP client still
    wait until after the first paint. Whether ps starts before or just after the paint depends on the CPUs:
    the look does its imports in its own thread so that the paint never waits for them."""
    result = run_app("--smoke", single_deployment, tmp=tmp_path, code=EARLY_LOOK_PROBE)
    assert result.returncode == 0, result.stderr
    assert "at first paint: []" in result.stdout, result.stdout
    assert "events: ['docker ps', 'first paint']" in result.stdout or (
        "events: ['first paint', 'docker ps']" in result.stdout
    ), result.stdout
    verdict = VERDICT_LINE.search(result.stdout)
    assert verdict and verdict.group(2) == "not confirmed", result.stdout
    calls = [json.loads(line) for line in docker_down.log.read_text(encoding="utf-8").splitlines()]
    asked = [call[:2] for call in calls if call[0] == "docker"]
    assert asked == [["docker", "ps"]], "one refresh asks ps once: the early answer serves it"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"appsmith-telemetry-panel {__version__}\n"


def test_help_names_the_app_options_and_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-h"]) == 0
    out = capsys.readouterr().out
    for option in ("--demo", "--read-only", "--wizard", "--smoke", "--version"):
        assert option in out
    for command in COMMANDS:
        assert re.search(rf"^\s+{re.escape(command)}\s", out, re.MULTILINE), command
    assert out.index("--smoke") < out.index("fix-nginx"), "the app's options first, then the commands"


FAILING_SMOKE = textwrap.dedent("""\
    import sys
    from PySide6.QtCore import QEvent
    import panel.gui.app as app

    where = sys.argv.pop(1)
    if where == "paint":  # inside the event loop: the excepthook's case
        original = app.FirstPaint.eventFilter

        def failing(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                raise RuntimeError("injected failure during the first paint")
            return original(self, watched, event)

        app.FirstPaint.eventFilter = failing
    else:  # before the event loop, right after the demo started
        def failing(*args, **kwargs):
            raise RuntimeError("injected failure while building the window")

        app.MainWindow = failing
    from panel.cli import main
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("paint", "injected failure during the first paint"),
        ("window", "injected failure while building the window"),
    ],
)
def test_an_unexpected_error_during_a_smoke_run_exits_non_zero_and_leaves_nothing(
    tmp_path: Path, where: str, message: str
) -> None:
    """There is no switch to make the app fail, so a tiny wrapper around `main` raises: inside the event loop,
    where the excepthook takes it, and before it, where it propagates."""
    result = run_app(where, "--demo", "--smoke", tmp=tmp_path, code=FAILING_SMOKE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"RuntimeError: {message}" in result.stderr
    assert not SMOKE_LINE.search(result.stdout)
    assert_left_nothing(tmp_path)
