"""The operator's window for one deployment: the verdict, the three layers, what is sent, backups,
activity."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from panel.core.printable import printable, printable_lines
from panel.gui import settings
from panel.gui.icons import status_icon
from panel.gui.layers_view import LayersView
from panel.gui.lazy_page import LazyPage
from panel.gui.status_header import StatusHeader

if TYPE_CHECKING:
    # The window paints before these load (see `open_when_shown`): the compose parser, the status model and
    # the refresher come in with the first deployment, a moment after the first frame.
    from panel.core.backups import Backup
    from panel.core.deployment import Deployment
    from panel.core.early_look import EarlyLook
    from panel.core.payloads import LocalFacts
    from panel.core.status import Status
    from panel.gui.activity_view import ActivityView
    from panel.gui.backups_view import BackupsView
    from panel.gui.payloads_view import PayloadsView
    from panel.gui.status_refresher import StatusRefresher

log = logging.getLogger("panel.gui")


def _owner_words(path: Path) -> str:
    """` (it belongs to root)`, or nothing when that cannot be seen."""
    from panel.core.status import user_name

    try:
        return f" (it belongs to {user_name(path.stat().st_uid)})"
    except OSError:
        return ""


class Banner(QFrame):
    """A strip across the window for a standing condition (demo, read-only), with an icon and words."""

    def __init__(self, icon_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.backgroundRole().AlternateBase)
        icon = QLabel(self)
        icon.setPixmap(status_icon(icon_name).pixmap(28, 28))
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.row = QHBoxLayout(self)
        self.row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.row.addWidget(self.text, 1)
        self.hide()

    def show_text(self, text: str) -> None:
        text = printable_lines(text)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.show()


class _AfterFirstPaint(QObject):
    """Runs `then` once, just after the watched window's first paint event."""

    def __init__(self, window: QWidget, then: Callable[[], object]) -> None:
        super().__init__(window)
        self.then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
            self.deleteLater()
        return False


class MainWindow(QMainWindow):
    deployment_changed = Signal(object)
    status_shown = Signal(object)
    """A Status is on screen (the header, the layers and the buttons show it)."""

    def __init__(
        self,
        read_only: bool = False,
        demo_note: str | None = None,
        remember: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.remember = remember
        self.setWindowTitle(self.tr("Appsmith Telemetry Panel"))
        self.forced_read_only = read_only
        self._read_only = read_only
        self.read_only_reason: str | None = self.tr("opened read-only") if read_only else None
        self.deployment: Deployment | None = None
        self.status: Status | None = None
        self._refresher: StatusRefresher | None = None

        self.picker = QComboBox(self)
        self.picker.setAccessibleName(self.tr("Deployment"))
        self.picker.setMinimumContentsLength(40)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.activated.connect(self._picked)
        self.browse_button = QPushButton(self.tr("&Open folder…"), self)
        self.browse_button.setAccessibleName(self.tr("Open a deployment folder"))
        self.browse_button.clicked.connect(self.browse)
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setAccessibleName(self.tr("Refresh the status"))
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        picker_label = QLabel(self.tr("&Deployment:"), self)
        picker_label.setBuddy(self.picker)
        top.addWidget(picker_label)
        top.addWidget(self.picker, 1)
        top.addWidget(self.browse_button)
        top.addWidget(self.refresh_button)

        self.demo_banner = Banner("checking", self)
        if demo_note:
            self.demo_banner.show_text(demo_note)
        self.lock_banner = Banner("lock", self)
        self.elevate_button = QPushButton(self.tr("Change as &administrator…"), self.lock_banner)
        self.elevate_button.setAccessibleName(self.tr("Change as administrator (pkexec)"))
        self.elevate_button.hide()
        self.elevate_button.clicked.connect(self.change_as_administrator)
        self.lock_banner.row.addWidget(self.elevate_button, 0, Qt.AlignmentFlag.AlignTop)
        self.copy_commands_button = QPushButton(self.tr("&Copy command"), self.lock_banner)
        self.copy_commands_button.setAccessibleName(self.tr("Copy the administrator's command"))
        self.copy_commands_button.clicked.connect(self.copy_admin_command)
        self.lock_banner.row.addWidget(self.copy_commands_button, 0, Qt.AlignmentFlag.AlignTop)
        self.admin_command = ""
        self.header = StatusHeader(self)
        # Mnemonics: each letter once among the buttons shown together (Start and Restart to apply never are).
        self.start_button = QPushButton(self.tr("Start A&ppsmith…"), self)
        self.restore_button = QPushButton(self.tr("Restore bac&kup…"), self)
        self.restart_button = QPushButton(self.tr("Restart to a&pply…"), self)
        self.revert_button = QPushButton(self.tr("Rever&t…"), self)
        self.disable_button = QPushButton(self.tr("D&isable telemetry…"), self)
        self.enable_button = QPushButton(self.tr("&Enable telemetry…"), self)
        self.empty_open_button = QPushButton(self.tr("Ope&n folder…"), self)
        for button, name in (
            (self.start_button, "Start Appsmith"),
            (self.restore_button, "Restore a backup of docker.env"),
            (self.restart_button, "Recreate the containers to apply the file's value"),
            (self.revert_button, "Write back the value the running instance uses"),
            (self.disable_button, "Disable telemetry"),
            (self.enable_button, "Enable telemetry"),
            (self.empty_open_button, "Open a deployment folder"),
        ):
            button.setAccessibleName(self.tr(name))
            button.hide()
            self.header.action_row.addWidget(button)
        self.disable_button.clicked.connect(lambda: self.change_telemetry(False))
        self.enable_button.clicked.connect(lambda: self.change_telemetry(True))
        self.restart_button.clicked.connect(self.restart_to_apply)
        self.revert_button.clicked.connect(self.revert_pending)
        self.start_button.clicked.connect(self.start_appsmith)
        self.restore_button.clicked.connect(self.restore_latest_backup)
        self.empty_open_button.clicked.connect(self.browse)
        self.found_folders: list[Path] = []

        self.layers = LayersView(self)
        self.layers.fix_nginx_requested.connect(self.fix_nginx)
        # The other tabs are built when first shown or needed (the backups and the log with the first status).
        self.payloads_page: LazyPage[PayloadsView] = LazyPage(self._build_payloads, self, scrolls=True)
        self.backups_page: LazyPage[BackupsView] = LazyPage(self._build_backups, self, scrolls=True)
        self.activity_page: LazyPage[ActivityView] = LazyPage(self._build_activity, self, scrolls=True)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Sections"))
        # Scrolls rather than squeezes: at 800×500 the layers' wrapped rows need more height than is left.
        self.status_page = QScrollArea(self)
        self.status_page.setFrameShape(QFrame.Shape.NoFrame)
        self.status_page.setWidgetResizable(True)
        self.status_page.setWidget(self.layers)
        self.tabs.addTab(self.status_page, self.tr("&Status"))
        self.tabs.addTab(self.payloads_page, self.tr("&What is sent"))
        self.tabs.addTab(self.backups_page, self.tr("&Backups"))
        self.tabs.addTab(self.activity_page, self.tr("Activit&y"))
        self.tabs.currentChanged.connect(self._tab_changed)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.lock_banner)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.checked_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.checked_label)
        self._build_menus()
        self.show_empty_state()
        self._apply_read_only()
        geometry = settings.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(QSize(1120, 760))
        self._fill_picker()

    # ----- menus and picker

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        open_action = QAction(self.tr("&Open deployment folder…"), self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.browse)
        file_menu.addAction(open_action)
        self.wizard_action = QAction(self.tr("First-run &wizard…"), self)
        self.wizard_action.triggered.connect(self.run_wizard)
        file_menu.addAction(self.wizard_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        telemetry_menu = self.menuBar().addMenu(self.tr("Tele&metry"))
        self.telemetry_actions: list[tuple[QAction, QPushButton]] = []
        for button, text, keys in (
            (self.disable_button, self.tr("&Disable telemetry…"), "Ctrl+Shift+D"),
            (self.enable_button, self.tr("&Enable telemetry…"), "Ctrl+Shift+E"),
            (self.restart_button, self.tr("&Restart to apply…"), "Ctrl+Shift+R"),
            (self.revert_button, self.tr("Re&vert…"), "Ctrl+Shift+Z"),
            (self.start_button, self.tr("&Start Appsmith…"), "Ctrl+Shift+S"),
            (self.restore_button, self.tr("Restore &backup…"), "Ctrl+Shift+B"),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(button.click)
            action.setEnabled(False)
            telemetry_menu.addAction(action)
            self.telemetry_actions.append((action, button))
        self.no_telemetry_action = QAction(self.tr("Nothing can be changed in this state"), self)
        self.no_telemetry_action.setEnabled(False)
        telemetry_menu.addAction(self.no_telemetry_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        refresh_action = QAction(self.tr("&Refresh"), self)
        refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh_action.triggered.connect(self.refresh)
        view_menu.addAction(refresh_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about_action = QAction(self.tr("&About Appsmith Telemetry Panel"), self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    def _fill_picker(self) -> None:
        current = self.deployment.folder if self.deployment else None
        self.picker.blockSignals(True)
        self.picker.clear()
        paths = ([current] if current else []) + [p for p in settings.recent_deployments() if p != current]
        for path in paths:
            self.picker.addItem(printable(str(path)), str(path))
        if not paths:
            self.picker.addItem(self.tr("No deployment chosen — open a folder"), "")
        self.picker.setCurrentIndex(0)
        self.picker.blockSignals(False)

    def add_discovered(self, folders: list[Path]) -> None:
        """Offer deployments found on this machine, once each, after the remembered ones."""
        known = {self.picker.itemData(i) for i in range(self.picker.count())}
        for folder in folders:
            if folder not in self.found_folders:
                self.found_folders.append(folder)
            if str(folder) not in known:
                self.picker.addItem(self.tr("{}, found running").format(printable(str(folder))), str(folder))
        if self.deployment is None:
            self.show_empty_state()

    def show_empty_state(self) -> None:
        """No deployment chosen: say so, offer Open folder and the deployments found, never "Checking…"."""
        if self.deployment is not None:
            return
        if self.found_folders:
            found = "\n".join(printable(str(folder)) for folder in self.found_folders)
            reason = self.tr("Found on this machine, to pick in the Deployment list above:\n{}").format(found)
        else:
            reason = self.tr(
                "None was found running on this machine. Open the folder that holds Appsmith's "
                "docker-compose.yml."
            )
        self.header.show_message(self.tr("No deployment chosen"), reason, None)
        self.empty_open_button.show()
        self.layers.set_empty(True)  # boxes and notes about no deployment would only puzzle

    def _picked(self, index: int) -> None:
        data = self.picker.itemData(index)
        if data and (self.deployment is None or str(self.deployment.folder) != data):
            self.open_deployment(Path(data))

    def browse(self) -> None:
        start = str(self.deployment.folder) if self.deployment else str(Path.home())
        # here: each dialog class builds its Qt enums when first imported
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the Appsmith deployment folder"), start
        )
        if folder:
            self.open_deployment(Path(folder))

    # ----- deployment and status

    @property
    def refresher(self) -> StatusRefresher:
        if self._refresher is None:
            from panel.gui.status_refresher import StatusRefresher

            self._refresher = StatusRefresher(self)
            self._refresher.refreshed.connect(self.show_status)
            self._refresher.block_read.connect(self._show_block)
            self._refresher.busy_changed.connect(self._busy_changed)
        return self._refresher

    def open_when_shown(
        self, path: Path, before: Callable[[], object] | None = None, early: EarlyLook | None = None
    ) -> None:
        """Open `path` right after the window's first paint (calling `before` first, if given).

        `early`: docker's answers about `path`, asked while the window was built; the instance is probed (and
        the HTTP client loaded) only once the window is on screen.

        The first frame already names the folder and says "Checking…", as it would after opening it (the
        status always arrives later); reading the compose file and loading the status model wait until the
        window is on screen, so the window appears sooner.
        """
        self.picker.insertItem(0, str(path), str(path))
        self.picker.setCurrentIndex(0)
        self.empty_open_button.hide()
        self.header.show_message(
            self.tr("Checking…"), self.tr("Reading docker.env and asking docker about {}.").format(path), None
        )

        def open_now() -> None:
            if self.isVisible():  # not when the window was closed before it painted
                if before is not None:
                    before()
                if early is not None:
                    early.allow_probe()
                self.open_deployment(path, early)

        self.installEventFilter(_AfterFirstPaint(self, open_now))

    def open_deployment(self, path: Path, early: EarlyLook | None = None) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from panel.core.deployment import NotADeploymentError, load_deployment

        try:
            deployment = load_deployment(path)
        except (NotADeploymentError, OSError) as error:
            QMessageBox.warning(self, self.tr("Not an Appsmith deployment"), str(error))
            self._fill_picker()
            return False
        self.set_deployment(deployment, early)
        return True

    def set_deployment(self, deployment: Deployment, early: EarlyLook | None = None) -> None:
        self.deployment = deployment
        self.empty_open_button.hide()
        self.status = None
        if self.remember:
            settings.remember_deployment(deployment.folder)
        self._fill_picker()
        self.setWindowTitle(
            self.tr("{} — Appsmith Telemetry Panel").format(printable(deployment.folder.name))
        )
        self.header.show_message(
            self.tr("Checking…"),
            self.tr("Reading docker.env and asking docker about {}.").format(deployment.folder),
            None,
        )
        if self.backups_page.built:
            self.backups_page.built.set_env_file(deployment.env_file)
        self.refresher.set_deployment(deployment, early)
        self.deployment_changed.emit(deployment)

    def refresh(self) -> None:
        if self.deployment is not None:
            self.refresher.refresh()

    def _show_block(self, status: Status) -> None:
        """The fourth layer, read after the verdict: the header may say less once it is known (blocked hosts
        stop the server's usage data even with telemetry ON)."""
        if self.deployment is None or status.deployment.folder != self.deployment.folder:
            return
        if self.status is not None and self.status.verdict is status.verdict:
            self.status = status
            self.header.show_status(status, self._advice(status))
        self.layers.show_block(status)

    def show_status(self, status: Status) -> None:
        if self.deployment is None or status.deployment.folder != self.deployment.folder:
            return
        self.status = status
        self.header.show_status(status, self._advice(status))
        self.layers.show_status(status)
        self._reload_history()
        if self.payloads_page.built:
            self.payloads_page.built.set_facts(self._facts())
        self.checked_label.setText(self.tr("Last checked {}").format(time.strftime("%H:%M:%S")))
        self._apply_read_only()
        self.status_shown.emit(status)

    def _advice(self, status: Status) -> str | None:
        """What to do, in the words of this window's buttons where it has them (None: the status's own)."""
        from panel.core.status import Verdict

        if self.read_only:
            return None
        if status.verdict is Verdict.DOWN:
            return self.tr(
                "Start Appsmith. If the last change stopped it, Restore backup first to put back the file "
                "from before that change."
            )
        if status.pending_restart and status.file_decides:
            return self.tr(
                "Restart to apply makes the running instance read the new value now; Revert writes back the "
                "value in effect. Otherwise the next reboot, upgrade or recreate of the containers applies "
                "it."
            )
        return None

    def _reload_history(self) -> None:
        """The backups and the audit log, where they are built already (a tab built later reads them then)."""
        if self.backups_page.built:
            self.backups_page.built.reload()
        if self.activity_page.built:
            self.activity_page.built.reload()

    def _busy_changed(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.statusBar().showMessage(self.tr("Checking…") if busy else "", 0)

    def _apply_read_only(self) -> None:
        status = self.status
        reason = self.read_only_reason
        elevate = False
        if (
            not self.forced_read_only
            and status is not None
            and status.file.exists
            and not status.file.writable
        ):
            from panel.core.status import current_user

            reason = self.tr("{file} may not be changed by user {user}{owner}").format(
                file=status.file.path.name, user=current_user(), owner=_owner_words(status.file.path)
            )
            from panel.core.invocation import elevation_offered

            elevate = elevation_offered()
        elif not self.forced_read_only:
            reason = None
        self.elevate_button.setVisible(elevate)
        read_only = reason is not None
        self._read_only = read_only
        if read_only and self.deployment is not None:
            from panel.core.invocation import admin_commands, install_note

            commands = admin_commands(self.deployment.folder)
            self.admin_command = "\n".join(commands)
            shown = self.admin_command
            note = install_note()
            if note:
                shown = f"{shown}\n{note}"
            self.lock_banner.show_text(
                self.tr(
                    "Read-only: {}. Nothing here can change the deployment. An administrator can turn "
                    "telemetry off or on with:\n{}"
                ).format(reason, shown)
            )
            self.copy_commands_button.setVisible(bool(commands))
        elif read_only:
            self.lock_banner.show_text(self.tr("Read-only: {}.").format(reason))
            self.copy_commands_button.hide()
        else:
            self.lock_banner.hide()
        self.layers.set_read_only(read_only)
        if self.backups_page.built:
            self.backups_page.built.set_read_only(read_only)
        self.wizard_action.setVisible(not read_only)
        configured_on = status.configured.telemetry_on if status and status.configured else None
        # Where compose wins over docker.env the switch would write a value that changes nothing.
        can_change = not read_only and status is not None and status.file.exists and status.file_decides
        self.disable_button.setVisible(can_change and configured_on is not False)
        self.enable_button.setVisible(can_change and configured_on is not True)
        pending = (
            not read_only
            and status is not None
            and status.pending_restart
            and status.configured is not None
            and configured_on is not None
        )
        self.restart_button.setVisible(pending)
        self.revert_button.setVisible(
            pending and status is not None and status.file_decides and status.effective_on is not None
        )
        down = False
        if not read_only and status is not None:  # the status model loads with the first status, not before
            from panel.core.status import Verdict

            down = status.verdict is Verdict.DOWN
        self.start_button.setVisible(down)
        self.restore_button.setVisible(down and status is not None and status.file.exists)
        for action, button in self.telemetry_actions:  # the menu offers what the buttons offer, no more
            action.setVisible(not button.isHidden())
            action.setEnabled(not button.isHidden())
        self.no_telemetry_action.setVisible(all(button.isHidden() for _, button in self.telemetry_actions))

    @property
    def read_only(self) -> bool:
        # Not the banner's isVisible(): that is False while the window itself is not shown.
        return self._read_only or self.forced_read_only

    def _facts(self) -> LocalFacts:
        from panel.core.payloads import LocalFacts

        status = self.status
        container = status.container if status else None
        server = status.running.server if status else None
        return LocalFacts(
            edition=container.edition if container else None, version=server.version if server else None
        )

    @property
    def backups(self) -> BackupsView:
        return self.backups_page.view()

    @property
    def activity(self) -> ActivityView:
        return self.activity_page.view()

    def _build_payloads(self, page: QWidget) -> PayloadsView:
        from panel.gui.payloads_view import PayloadsView

        view = PayloadsView(page)
        view.set_facts(self._facts())
        return view

    def _build_backups(self, page: QWidget) -> BackupsView:
        from panel.gui.backups_view import BackupsView

        view = BackupsView(page)
        view.restore_requested.connect(self.restore_backup)
        view.set_read_only(self.read_only)
        view.set_env_file(self.deployment.env_file if self.deployment else None)
        return view

    def _build_activity(self, page: QWidget) -> ActivityView:
        from panel.gui.activity_view import ActivityView

        view = ActivityView(page)
        view.reload()
        return view

    def _tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if isinstance(page, LazyPage):
            page.view()

    # ----- changes (only through consent)

    def change_telemetry(self, telemetry_on: bool) -> None:
        if self.read_only or self.status is None:
            return
        from panel.gui.consent_dialog import ConsentDialog

        if ConsentDialog.ask(self, self.status, telemetry_on) is not None:
            self._reload_history()
        self.refresh()

    def change_as_administrator(self) -> None:
        """For a docker.env this user may not write: the change through pkexec, after its own review."""
        if self.status is None or self.forced_read_only:
            return
        from panel.gui.elevated_dialog import ElevatedChangeDialog

        ElevatedChangeDialog.ask(self, self.status)
        self.refresh()

    def restart_to_apply(self) -> None:
        if self.status is None or self.status.configured is None:
            return
        self.change_telemetry(bool(self.status.configured.telemetry_on))

    def revert_pending(self) -> None:
        """Write back the value the running instance uses, so the next start changes nothing."""
        status = self.status
        if status is None or status.effective_on is None:
            return
        self.change_telemetry(status.effective_on)

    def start_appsmith(self) -> None:
        if self.read_only or self.status is None:
            return
        from panel.gui.start_dialog import StartDialog

        if StartDialog.ask(self, self.status) is not None:
            self._reload_history()
        self.refresh()

    def restore_latest_backup(self) -> None:
        """The restore flow for the newest backup; the Backups tab lists the others."""
        if self.read_only or self.deployment is None:
            return
        from PySide6.QtWidgets import QMessageBox

        from panel.core.backups import list_backups

        self.tabs.setCurrentWidget(self.backups_page)
        backups = list_backups(self.deployment.env_file)
        if not backups:
            QMessageBox.information(
                self,
                self.tr("No backup"),
                self.tr("There is no backup of {} yet: the panel makes one before each change.").format(
                    self.deployment.env_file.name
                ),
            )
            return
        self.restore_backup(backups[0])

    def copy_admin_command(self) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.clipboard().setText(self.admin_command)
        self.statusBar().showMessage(self.tr("Copied the command."), 4000)

    def restore_backup(self, backup: Backup) -> None:
        if self.read_only or self.deployment is None:
            return
        from PySide6.QtWidgets import QMessageBox

        from panel.gui.backups_view import RestoredDialog, RestoreDialog

        if not RestoreDialog.ask(self, self.deployment.env_file, backup):
            return
        from panel.core import offload
        from panel.core.backups import restore_and_record
        from panel.gui.background import write_with_progress

        env_file = self.deployment.env_file
        try:  # two copies of a big file written and synced: off the GUI thread
            restored = write_with_progress(
                self,
                self.tr("Restore a backup of docker.env"),
                self.tr("Putting {name} back…").format(name=backup.path.name),
                functools.partial(offload.for_file, env_file, restore_and_record, env_file, backup),
            )
        except (OSError, RuntimeError) as error:
            QMessageBox.critical(
                self, self.tr("Restore failed"), self.tr("Nothing was changed: {}").format(error)
            )
            return
        self.refresh()
        if RestoredDialog.ask(self, restored) and restored.state is not None:
            if self.status is not None:
                # The refresh may not be back yet: the consent dialog must describe the restored file.
                from panel.core.status import read_file_state, with_file_read_again
                from panel.gui.background import prepare_with_progress

                file = prepare_with_progress(
                    self,
                    self.tr("Restore a backup of docker.env"),
                    self.tr("Reading {file}…").format(file=env_file),
                    functools.partial(offload.for_file, env_file, read_file_state, env_file),
                )
                if file is None:
                    return
                self.show_status(with_file_read_again(self.status, file))
            self.change_telemetry(bool(restored.state.telemetry_on))  # the usual consent, then the restart

    def fix_nginx(self) -> None:
        if self.read_only or self.deployment is None:
            return
        from panel.gui.nginx_dialog import NginxFixDialog

        NginxFixDialog.ask(self, self.deployment)
        self.refresh()

    def run_wizard(self) -> None:
        from panel.gui.wizard import FirstRunWizard

        folder = FirstRunWizard.ask(self, self.deployment.folder if self.deployment else None)
        if folder is not None:
            self.open_deployment(folder)

    def show_about(self) -> None:
        from panel.gui.about_dialog import AboutDialog

        AboutDialog(self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.save_window_geometry(self.saveGeometry())
        if self._refresher is not None:
            self._refresher.shutdown()
        super().closeEvent(event)

    def first_refresh_later(self) -> None:
        QTimer.singleShot(0, self.refresh)
