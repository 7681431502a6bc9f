"""Shared fixtures for the GUI tests: the simulated demo deployment and process-group checks.

The audit log is already isolated by the autouse ``isolated_state`` in tests/conftest.py.

Every fixture here is named for what it gives; the demo's docker is a real program on PATH (panel/demo).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from panel.core.deployment import Deployment, load_deployment
from panel.gui.app import make_application
from tests.conftest import DAEMON_DOWN, FakeBin

DEMO_SECRETS = (
    "demo-not-a-secret-mail-password",
    "demo-not-a-secret-db-password",
    "demo-not-a-secret-encryption-password",
    "demo-not-a-secret-encryption-salt",
    "demo-not-a-secret-supervisor-password",
)
"""Secret values in the bundled demo docker.env: none may ever reach a widget."""


class DemoFixture:
    """A running demo deployment; faults can be changed between calls (the simulator reads them per call)."""

    def __init__(self, boot_delay: float, faults: str) -> None:
        from panel.demo import start_demo

        self.session = start_demo(boot_delay=boot_delay, faults=faults)
        self.deployment: Deployment = load_deployment(self.session.folder)

    @property
    def env_file(self) -> Path:
        return self.deployment.env_file

    @property
    def state_dir(self) -> Path:
        return self.session.state_dir

    def set_faults(self, faults: str) -> None:
        """Faults for every docker call from now on; `close()` puts the environment back."""
        from panel.demo import FAULTS_ENV

        os.environ[FAULTS_ENV] = faults

    def calls(self) -> list[dict[str, Any]]:
        """Every simulated docker call so far: {"argv", "cwd", "pid", "pgid", "time"}, oldest first."""
        from panel.demo.simulated_docker import read_calls

        return read_calls(self.state_dir)

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def demo_deployment_factory() -> Iterator[Callable[..., DemoFixture]]:
    """Start demos with `factory(boot_delay=0.3, faults="")`; all are closed at the end of the test."""
    started: list[DemoFixture] = []

    def factory(boot_delay: float = 0.3, faults: str = "") -> DemoFixture:
        demo = DemoFixture(boot_delay, faults)
        started.append(demo)
        return demo

    yield factory
    for demo in reversed(started):
        demo.close()


@pytest.fixture
def demo_deployment(demo_deployment_factory: Callable[..., DemoFixture]) -> DemoFixture:
    """The bundled demo deployment, started with a short boot delay and no faults."""
    return demo_deployment_factory()


def all_widget_text(widget: object) -> str:
    """Every piece of text a user could see or a screen reader could read in `widget` and its children."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QGroupBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
        QTreeWidget,
        QWidget,
    )

    assert isinstance(widget, QWidget)
    parts = [widget.windowTitle()]
    for child in [widget, *widget.findChildren(QWidget)]:
        parts += [child.toolTip(), child.accessibleName(), child.accessibleDescription()]
        if isinstance(child, (QLabel, QAbstractButton, QLineEdit)):
            parts.append(child.text())
        elif isinstance(child, QGroupBox):
            parts.append(child.title())
        elif isinstance(child, (QPlainTextEdit, QTextEdit)):
            parts.append(child.toPlainText())
        elif isinstance(child, QTreeWidget):
            for index in range(child.topLevelItemCount()):
                item = child.topLevelItem(index)
                if item is not None:
                    parts += [item.text(column) for column in range(child.columnCount())]
    return "\n".join(parts)


@pytest.fixture
def app_settings(qapp: QApplication) -> Iterator[Path]:
    """The application named as the app names it, with QSettings in this test's own XDG_CONFIG_HOME.

    WORKAROUND: Qt reads XDG_CONFIG_HOME once per process for QSettings' user scope, so the per-test folder of
    the autouse `isolated_state` would be ignored after the first test; `setPath` points it at this test's.
    """
    config = Path(os.environ["XDG_CONFIG_HOME"])
    saved = (
        qapp.organizationName(),
        qapp.applicationName(),
        qapp.applicationDisplayName(),
        qapp.applicationVersion(),
        qapp.desktopFileName(),
    )
    make_application()
    for scope_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(scope_format, QSettings.Scope.UserScope, str(config))
    yield config
    qapp.setOrganizationName(saved[0])
    qapp.setApplicationName(saved[1])
    qapp.setApplicationDisplayName(saved[2])
    qapp.setApplicationVersion(saved[3])
    qapp.setDesktopFileName(saved[4])


@pytest.fixture
def docker_down(fake_bin: FakeBin) -> FakeBin:
    """A `docker` first on PATH that answers like a stopped daemon: no real engine is asked."""
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    fake_bin.add("docker-compose", stderr=DAEMON_DOWN, exit_code=1)
    return fake_bin


@pytest.fixture(autouse=True)
def collect_qt_objects_on_this_thread() -> Iterator[None]:
    """Objects a test made without a Qt parent (a refresher, a query) are freed here, on the GUI thread.

    Left to Python's cycle collector, they could be freed on whichever thread allocates next, a worker's
    included; a QFileSystemWatcher or QProcess freed there leaves its socket notifier registered with the GUI
    thread's event loop, which then crashes in QSocketNotifier::setEnabled (seen in the status refresher
    tests: SIGSEGV or SIGABRT at random).
    """
    import gc

    gc.collect()
    yield
    gc.collect()
