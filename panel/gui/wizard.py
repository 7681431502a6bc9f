"""The first-run wizard: find the deployment, see what Appsmith collects, decide, review, apply, see the
result.

Nothing is written before the operator presses Apply on the review page (the commit page): leaving at any
earlier page, by Cancel, Escape or closing the window, changes nothing. The caller decides what "first run
done" means.
"""

from __future__ import annotations

import functools
import logging
from enum import IntEnum, StrEnum
from importlib import import_module
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from panel.core import offload
from panel.core.apply_sequence import HEALTH_INTERVAL, HEALTH_TIMEOUT, ApplyResult, Outcome, Step
from panel.core.change import EnvChange, Review, prepare_review
from panel.core.deployment import Deployment, NotADeploymentError, load_deployment
from panel.core.discover import Found, discover
from panel.core.docker import DockerError
from panel.core.envfile import TELEMETRY_KEY, SwitchState, shown_value
from panel.core.restart import ComposeTool, RestartPlan, plan_restart, restart_tool
from panel.core.status import FileState, Status, read_file_state
from panel.gui.apply_runner import ApplyRunner
from panel.gui.background import prepare_with_progress
from panel.gui.buttons import clear_default_buttons, enter_presses_focused
from panel.gui.diff_view import DiffView
from panel.gui.status_header import StatusHeader
from panel.gui.status_refresher import StatusRefresher
from panel.gui.step_list import ApplyProgress
from panel.gui.stop_question import StopQuestion
from panel.gui.text_widgets import SELECT_WITH_MOUSE, MonospaceView, bold, wrapping_label
from panel.gui.worker import run_in_thread

log = logging.getLogger("panel.gui.wizard")

VALIDATE_DELAY_MS = 250
"""How long typing must pause before the folder is checked."""

FOLDER_ROLE = Qt.ItemDataRole.UserRole
PAYLOADS_VIEW = "panel.gui.payloads_view"


class Choice(StrEnum):
    SHARE = "share"
    DO_NOT_SHARE = "do-not-share"
    LATER = "later"

    @property
    def telemetry_on(self) -> bool | None:
        return {Choice.SHARE: True, Choice.DO_NOT_SHARE: False}.get(self)


def _on_off(on: bool | None) -> str:
    return {True: "on", False: "off", None: "unknown"}[on]


class _Page(QWizardPage):
    """A page that knows its wizard (set before `setPage`, so it works in `__init__` too)."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.owner = owner


# ----- welcome
# ----------------------------------------------------------------------------------------------------


class WelcomePage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Welcome"))
        self.setSubTitle(
            self.tr(
                "Decide whether your self-hosted Appsmith shares usage data with Appsmith, and check that "
                "the decision is in effect."
            )
        )
        body = wrapping_label(
            self.tr(
                "This wizard will:\n  1. find your Appsmith deployment folder (where you run "
                "docker-compose);\n  2. show what Appsmith collects, and what it sends whatever you "
                "decide;\n  3. ask for your decision — share, do not share, or decide later;\n  4. show "
                "exactly what will change in docker.env and which commands restart Appsmith;\n  5. apply it, "
                "if you say so, and check that the running instance uses it.\n\nNothing changes until you "
                "press Apply on the review page. You can leave at any page before that with Cancel or Esc, "
                "and nothing will have been written."
            ),
            self,
            name=self.tr("About this wizard"),
            select=SELECT_WITH_MOUSE,
        )
        self.found_title = QLabel(self.tr("What was found:"), self)
        self.found_label = wrapping_label(
            self.tr("Looking for Appsmith deployments on this machine…"),
            self,
            name=self.tr("What was found"),
            select=SELECT_WITH_MOUSE,
        )
        self.header = StatusHeader(self)
        self.header.hide()
        self.refresher: StatusRefresher | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addSpacing(8)
        layout.addWidget(self.found_title)
        layout.addWidget(self.found_label)
        layout.addWidget(self.header)
        layout.addStretch(1)

    def initializePage(self) -> None:
        """Say what was found and its state before asking anything: the deployment given, or the search."""
        finder = self.owner.deployment_page
        if finder.deployment is not None:
            self._show_found(finder.deployment)
            return
        finder.searched.connect(self._searched)
        finder.search_once()

    def _searched(self) -> None:
        finder = self.owner.deployment_page
        if finder.deployment is not None:
            self._show_found(finder.deployment)
        elif finder.found_folders:
            self.found_label.setText(
                self.tr("Found {count} deployments; choose one on the next page:\n{folders}").format(
                    count=len(finder.found_folders),
                    folders="\n".join(str(folder) for folder in finder.found_folders),
                )
            )
        else:
            self.found_label.setText(
                self.tr("No Appsmith deployment found yet; on the next page you give its folder.")
            )

    def _show_found(self, deployment: Deployment) -> None:
        self.found_label.setText(
            self.tr("The deployment in {folder}; its state now:").format(folder=deployment.folder)
        )
        self.header.show()
        if self.refresher is None:
            self.refresher = StatusRefresher(self)
            self.refresher.refreshed.connect(self.header.show_status)
        self.refresher.set_deployment(deployment)

    def validatePage(self) -> bool:
        self.stop()
        return True

    def stop(self) -> None:
        if self.refresher is not None:
            self.refresher.set_deployment(None)


# ----- the deployment
# ---------------------------------------------------------------------------------------------


class DeploymentPage(_Page):
    searched = Signal()
    """The search for deployments ended: `found_folders` holds what it found."""

    def __init__(self, owner: FirstRunWizard, initial: Path | None) -> None:
        super().__init__(owner)
        self.found_folders: list[Path] = []
        self.setTitle(self.tr("Find the deployment"))
        self.setSubTitle(self.tr("Choose the folder that holds Appsmith's docker-compose.yml."))
        self.deployment: Deployment | None = None
        self._validated_text: str | None = None
        self._searching = False
        self._searched = False

        found_title = QLabel(self.tr("Deployments found on this &machine:"), self)
        self.found_list = QListWidget(self)
        self.found_list.setAccessibleName(self.tr("Deployments found on this machine"))
        self.found_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.found_list.setMaximumHeight(self.found_list.fontMetrics().lineSpacing() * 5 + 12)
        self.found_list.currentItemChanged.connect(self._picked)
        found_title.setBuddy(self.found_list)
        self.search_label = wrapping_label(
            parent=self, name=self.tr("Search for deployments"), select=SELECT_WITH_MOUSE
        )

        folder_title = QLabel(self.tr("&Folder:"), self)
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName(self.tr("Deployment folder"))
        self.path_edit.setPlaceholderText(self.tr("/home/you/appsmith"))
        self.path_edit.setClearButtonEnabled(True)
        folder_title.setBuddy(self.path_edit)
        self.browse_button = QPushButton(self.tr("&Browse…"), self)
        self.browse_button.setAccessibleName(self.tr("Browse for the deployment folder"))
        self.browse_button.clicked.connect(self.browse)
        self.validation_label = wrapping_label(
            parent=self, name=self.tr("Folder check"), select=SELECT_WITH_MOUSE
        )

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(VALIDATE_DELAY_MS)
        self._debounce.timeout.connect(self.validate)
        self.path_edit.textChanged.connect(self._text_changed)
        self.registerField("deploymentFolder*", self.path_edit)

        row = QHBoxLayout()
        row.addWidget(folder_title)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(found_title)
        layout.addWidget(self.found_list)
        layout.addWidget(self.search_label)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addWidget(self.validation_label)
        layout.addStretch(1)
        if initial is not None:
            self.path_edit.setText(str(initial))
            self.validate()
        else:
            self._show_validation("")

    # -- searching

    def initializePage(self) -> None:
        self.search_once()

    def search_once(self) -> None:
        if not self._searched and not self._searching:
            self.search()

    def search(self) -> None:
        self._searching = True
        self.search_label.setText(self.tr("Looking for Appsmith deployments…"))
        run_in_thread(discover, parent=self, on_done=self._found, on_error=self._search_failed)

    def _found(self, answer: tuple[list[Found], str | None]) -> None:
        self._searching = False
        self._searched = True
        found, docker_error = answer
        self.found_list.clear()
        for item in found:
            deployment = item.deployment
            text = self.tr("{folder}  —  {layout}; {reason}").format(
                folder=deployment.folder, layout=self.tr(deployment.layout.label), reason=self.tr(item.reason)
            )
            entry = QListWidgetItem(text, self.found_list)
            entry.setData(FOLDER_ROLE, str(deployment.folder))
            entry.setToolTip(str(deployment.compose_file))
        if found:
            words = self.tr("Found {count}. Pick one, or give another folder below.").format(count=len(found))
        else:
            words = self.tr(
                "None found in the usual places or among running containers. Give the folder below."
            )
        if docker_error:
            words += "\n" + self.tr("Docker could not be asked: {error}").format(error=docker_error)
        self.search_label.setText(words)
        self.found_list.setVisible(bool(found))
        self.found_folders = [item.deployment.folder for item in found]
        if len(found) == 1 and not self.path_edit.text().strip():
            self.found_list.setCurrentRow(0)
        self.searched.emit()

    def _search_failed(self, error: BaseException) -> None:
        self._searching = False
        self._searched = True
        log.warning("looking for deployments failed: %r", error)
        self.search_label.setText(
            self.tr("Looking for deployments failed: {error}. Give the folder below.").format(error=error)
        )
        self.searched.emit()

    def _picked(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        folder = current.data(FOLDER_ROLE)
        if folder and folder != self.path_edit.text():
            self.path_edit.setText(folder)
            self.validate()

    def browse(self) -> None:
        start = self.path_edit.text().strip() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the Appsmith deployment folder"), start
        )
        if folder:
            self.path_edit.setText(folder)
            self.validate()

    # -- checking the folder

    def _text_changed(self, text: str) -> None:
        current = self.found_list.currentItem()
        if current is not None and current.data(FOLDER_ROLE) != text:
            self.found_list.setCurrentRow(-1)  # the list must not claim a folder the field no longer names
        if self.deployment is not None or self._validated_text is not None:
            self.deployment = None
            self._validated_text = None
            self.completeChanged.emit()
        self._debounce.start()

    def validate(self) -> None:
        """Check the folder now (typing waits VALIDATE_DELAY_MS first) and say why it is not a deployment."""
        self._debounce.stop()
        text = self.path_edit.text().strip()
        deployment: Deployment | None = None
        error: str | None = None
        if text:
            try:
                deployment = load_deployment(Path(text))
            except NotADeploymentError as problem:
                error = str(problem)
            except OSError as problem:
                error = self.tr("{path} cannot be read: {why}.").format(
                    path=text, why=problem.strerror or problem
                )
        self.deployment = deployment
        self._validated_text = self.path_edit.text()
        self._show_validation(text, error)
        self.completeChanged.emit()

    def _show_validation(self, text: str, error: str | None = None) -> None:
        deployment = self.deployment
        if not text:
            self.validation_label.setText(self.tr("Pick a deployment above, type a folder, or use Browse…"))
        elif deployment is None:
            self.validation_label.setText(self.tr("✘ {reason}").format(reason=error))
        else:
            lines = [
                self.tr("✔ {layout} deployment, docker.env at {env_file}").format(
                    layout=self.tr(deployment.layout.label), env_file=deployment.env_file
                )
            ]
            if not deployment.env_file.exists():
                lines.append(
                    self.tr(
                        "⚠ docker.env does not exist yet: Appsmith writes it on its first start. Start "
                        "Appsmith once before changing the setting."
                    )
                )
            for override in deployment.overrides:
                lines.append(self.tr("⚠ {override}; it wins over docker.env.").format(override=override))
            lines += [self.tr("⚠ {warning}").format(warning=warning) for warning in deployment.warnings]
            self.validation_label.setText("\n".join(lines))
        self.validation_label.setAccessibleDescription(self.validation_label.text())

    def isComplete(self) -> bool:
        # Not super(): QWizard calls a mandatory field filled only when it differs from its value at
        # registration, which is the `initial` folder itself when one was given.
        return (
            bool(self.path_edit.text().strip())
            and self.deployment is not None
            and self._validated_text == self.path_edit.text()
        )


# ----- what Appsmith collects
# -------------------------------------------------------------------------------------


class CollectedPage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("What Appsmith collects"))
        self.setSubTitle(self.tr("The events Appsmith may send, grouped by the part that sends them."))
        self.view: QWidget | None = None
        self._loading = False
        self.summary = wrapping_label(
            self.tr(
                "Turning telemetry off stops the events marked “Stops it”: the server's keep-alive, usage "
                "statistics and event reports, and the browser's page events. Those marked “Sent anyway”, "
                "and everything under “Sent whatever the switch says” (such as the update check), go out "
                "either way."
            ),
            self,
            name=self.tr("What the switch stops"),
            select=SELECT_WITH_MOUSE,
        )
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.summary)
        self._layout.addSpacing(8)

    def load_ahead(self) -> None:
        """Import the view's module in a worker thread while the person reads the page before, then build the
        view: both on Next held the GUI thread for 40-50 ms of CPU, while the folder's docker.env was read."""
        if self.view is None and not self._loading:
            self._loading = True
            run_in_thread(
                import_module, PAYLOADS_VIEW, parent=self, on_done=lambda _module: self._build_view()
            )

    def initializePage(self) -> None:
        self._build_view()

    def _build_view(self) -> None:
        if self.view is None:  # the catalog is read when first needed, not when the wizard opens
            from panel.gui.payloads_view import PayloadsList

            self.view = PayloadsList(self)
            self._layout.addWidget(self.view, 1)


# ----- the choice
# -------------------------------------------------------------------------------------------------


class ChoicePage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Your decision"))
        self.setSubTitle(
            self.tr(
                "Should this Appsmith share usage data with Appsmith? It carries the server's public IP, the "
                "instance id and hashed email addresses. Nothing is chosen for you."
            )
        )
        self.current_label = wrapping_label(
            parent=self, name=self.tr("Current setting"), select=SELECT_WITH_MOUSE
        )
        self.share = QRadioButton(self.tr("&Share usage data with Appsmith"), self)
        self.do_not_share = QRadioButton(self.tr("&Do not share usage data"), self)
        self.later = QRadioButton(self.tr("Decide &later (change nothing)"), self)
        descriptions = {
            self.share: self.tr(
                "Writes {key}=false. The server sends its daily usage statistics and event reports, and "
                "browsers send page events, to Appsmith."
            ).format(key=TELEMETRY_KEY),
            self.do_not_share: self.tr(
                "Writes {key}=true. Those reports stop. The update check, and whatever else the previous "
                "page lists as sent anyway, still go out."
            ).format(key=TELEMETRY_KEY),
            self.later: self.tr(
                "Leaves docker.env as it is and ends the wizard. You can decide any time from the main "
                "window."
            ),
        }
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current_label)
        layout.addSpacing(6)
        for number, (button, text) in enumerate(descriptions.items()):
            button.setChecked(False)
            button.setAccessibleName(button.text().replace("&", ""))
            button.setAccessibleDescription(text)
            self.group.addButton(button, number)
            description = wrapping_label(
                text,
                self,
                name=self.tr("About: {choice}").format(choice=button.accessibleName()),
            )
            description.setContentsMargins(24, 0, 0, 8)
            layout.addWidget(button)
            layout.addWidget(description)
        layout.addStretch(1)
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        self.registerField("share", self.share)
        self.registerField("doNotShare", self.do_not_share)
        self.registerField("decideLater", self.later)

    @property
    def choice(self) -> Choice | None:
        checked = self.group.checkedButton()
        if checked is self.share:
            return Choice.SHARE
        if checked is self.do_not_share:
            return Choice.DO_NOT_SHARE
        if checked is self.later:
            return Choice.LATER
        return None

    def initializePage(self) -> None:
        deployment = self.owner.deployment
        if deployment is None:
            self.current_label.clear()
            return
        # A big docker.env takes seconds to parse: read it off the GUI thread; an answer for a folder that is
        # no longer the chosen one is dropped.
        self.current_label.setText(self.tr("Reading {file}…").format(file=deployment.env_file))
        run_in_thread(
            offload.for_file,
            deployment.env_file,
            read_file_state,
            deployment.env_file,
            parent=self,
            on_done=functools.partial(self._show_current, deployment),
        )

    def _show_current(self, deployment: Deployment, file: FileState) -> None:
        if self.owner.deployment is not deployment:
            return
        state = file.state
        if state is None:
            text = self.tr("docker.env cannot be read now: {error}").format(error=file.error)
        elif state is SwitchState.UNSET:
            text = self.tr(
                "docker.env does not set {key} now, so the server's default applies: telemetry off."
            ).format(key=TELEMETRY_KEY)
        elif state is SwitchState.INVALID:
            text = self.tr(
                "docker.env now says {key}={raw}: Appsmith cannot read the value as true or false."
            ).format(key=TELEMETRY_KEY, raw=file.shown)
        else:
            text = self.tr("docker.env now says {key}={raw} (telemetry {on_off}).").format(
                key=TELEMETRY_KEY, raw=file.shown, on_off=self.tr(_on_off(state.telemetry_on))
            )
        if deployment.overrides:
            text += "\n" + self.tr("⚠ {override}; it wins over docker.env.").format(
                override=deployment.overrides[-1]
            )
        self.current_label.setText(text)

    def isComplete(self) -> bool:
        return self.choice is not None

    def nextId(self) -> int:
        return FirstRunWizard.Page.DONE if self.choice is Choice.LATER else FirstRunWizard.Page.REVIEW


# ----- review
# -----------------------------------------------------------------------------------------------------


class ReviewPage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Review the change"))
        self.setSubTitle(self.tr("This is exactly what Apply will do. Nothing has been written yet."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Apply"))
        self.change: EnvChange | None = None
        self.refusal: str | None = None

        self.summary = bold(
            wrapping_label(parent=self, name=self.tr("What will change"), select=SELECT_WITH_MOUSE)
        )
        self.override_label = wrapping_label(
            parent=self, name=self.tr("Override warning"), select=SELECT_WITH_MOUSE
        )
        self.diff_title = QLabel(self.tr("Changes to docker.env (secret values masked):"), self)
        self.diff_view = DiffView(self, name=self.tr("Changes to docker.env"), lines=6)
        self.diff_title.setBuddy(self.diff_view)
        self.commands_title = QLabel(self)
        self.commands_view = MonospaceView(
            self, name=self.tr("Commands that recreate the container"), lines=3, fixed=True
        )
        self.commands_title.setBuddy(self.commands_view)

        self.when_title = QLabel(self.tr("When should Appsmith use the new value?"), self)
        self.restart_now = QRadioButton(
            self.tr(
                "Apply and &restart now — Appsmith is unavailable for a minute or more while it starts again"
            ),
            self,
        )
        self.restart_later = QRadioButton(
            self.tr(
                "Apply now, restart la&ter — Appsmith keeps the old value until the container is recreated"
            ),
            self,
        )
        self.restart_now.setAccessibleName(self.tr("Apply and restart now"))
        self.restart_later.setAccessibleName(self.tr("Apply now, restart later"))
        self.when = QButtonGroup(self)
        self.when.setExclusive(True)
        self.when.addButton(self.restart_now)
        self.when.addButton(self.restart_later)
        self.when.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        self.when.buttonToggled.connect(lambda *_: self._say_what_apply_does())
        self.apply_words = bold(
            wrapping_label(parent=self, name=self.tr("What Apply does"), select=SELECT_WITH_MOUSE)
        )
        self.registerField("restartNow", self.restart_now)
        self.registerField("restartLater", self.restart_later)
        self.compose_note = wrapping_label(
            parent=self, name=self.tr("Restart note"), select=SELECT_WITH_MOUSE
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.override_label)
        layout.addWidget(self.diff_title)
        layout.addWidget(self.diff_view, 1)
        layout.addSpacing(6)
        layout.addWidget(self.commands_title)
        layout.addWidget(self.commands_view)
        layout.addSpacing(6)
        layout.addWidget(self.when_title)
        layout.addWidget(self.restart_now)
        layout.addWidget(self.restart_later)
        layout.addWidget(self.compose_note)
        layout.addWidget(self.apply_words)
        layout.addStretch(0)
        self._details = (
            self.diff_title,
            self.diff_view,
            self.commands_title,
            self.commands_view,
            self.when_title,
            self.restart_now,
            self.restart_later,
            self.compose_note,
        )
        owner.compose_known.connect(self._compose_known)

    def initializePage(self) -> None:
        owner = self.owner
        deployment = owner.deployment
        choice = owner.choice
        assert deployment is not None and choice is not None and choice.telemetry_on is not None
        self._clear_when()
        review = prepare_with_progress(
            self,
            self.tr("Review"),
            self.tr("Reading {file} and preparing the change…").format(file=deployment.env_file),
            functools.partial(
                offload.for_file, deployment.env_file, prepare_review, deployment, choice.telemetry_on
            ),
        )
        if review is None:
            review = Review(None, self.tr("Preparing the change was cancelled. Go back to try again."))
        self.change, self.refusal = review.change, review.refusal
        if self.change is None:
            self.setSubTitle(self.tr("This change cannot be made. Nothing has been written."))
            self.summary.setText(
                self.tr("✘ The panel will not make this change: {reason}").format(reason=self.refusal)
            )
            self.override_label.hide()
            for widget in self._details:
                widget.hide()
            self.completeChanged.emit()
            return
        self.setSubTitle(self.tr("This is exactly what Apply will do. Nothing has been written yet."))
        for widget in self._details:
            widget.show()
        change = self.change
        wanted = self.tr(_on_off(change.telemetry_on))
        if change.changes_file:
            old = shown_value(change.old_value) if change.old_value is not None else self.tr("(not set)")
            self.summary.setText(
                self.tr("docker.env: {key} {old} → {new}, so telemetry will be {on_off}.").format(
                    key=TELEMETRY_KEY, old=old, new=change.new_value, on_off=wanted
                )
            )
            self.diff_view.setPlainText(review.diff)
        else:
            self.summary.setText(
                self.tr(
                    "docker.env already says {key}={value} (telemetry {on_off}); nothing to write. "
                    "Restarting now makes sure the running instance uses it."
                ).format(key=TELEMETRY_KEY, value=change.new_value, on_off=wanted)
            )
            self.diff_view.setPlainText(self.tr("(no change: the file already has this value)"))
        if deployment.overrides:
            self.override_label.setText(
                self.tr(
                    "⚠ {override}. The compose file wins over docker.env, so applying this changes nothing "
                    "until that line is removed from {compose} (then recreate the container)."
                ).format(override=deployment.overrides[-1], compose=deployment.compose_file.name)
            )
            self.override_label.show()
        else:
            self.override_label.hide()
        self.commands_title.setText(
            self.tr(
                "Commands that recreate the container, as Appsmith documents (a fresh container starts from "
                "the new docker.env):"
            )
        )
        self._show_commands()
        self._say_what_apply_does()
        self.owner.find_compose_tool()

    def cleanupPage(self) -> None:
        self._clear_when()
        self.change = None
        self.refusal = None

    def _clear_when(self) -> None:
        self.when.setExclusive(False)
        self.restart_now.setChecked(False)
        self.restart_later.setChecked(False)
        self.when.setExclusive(True)

    def _compose_known(self) -> None:
        if self.change is not None:
            self._show_commands()
        self.completeChanged.emit()

    def _show_commands(self) -> None:
        plan = self.owner.plan
        error = self.owner.compose_error
        if plan is not None:
            self.commands_view.setPlainText(plan.shell_text())
            self.restart_now.setEnabled(True)
            self.compose_note.setText(self.tr("Either way docker.env is backed up first, beside the file."))
        elif error is not None:
            self.commands_view.setPlainText(self.tr("(docker compose cannot be run here)"))
            self.restart_now.setEnabled(False)
            self.restart_now.setChecked(False)
            self.compose_note.setText(
                self.tr(
                    "✘ Restarting here is not possible: {error} You can still apply now and restart later."
                ).format(error=error)
            )
        else:
            self.commands_view.setPlainText(self.tr("Finding docker compose…"))
            self.compose_note.setText(self.tr("Either way docker.env is backed up first, beside the file."))

    def _say_what_apply_does(self) -> None:
        """Apply is no default button: the line above it says what pressing it does, downtime included."""
        change = self.change
        if change is None:
            self.apply_words.setText("")
            return
        on_off = self.tr("ON") if change.telemetry_on else self.tr("OFF")
        service = change.deployment.server_service
        if self.restart_now.isChecked():
            words = self.tr(
                "Apply turns telemetry {on_off} and recreates the {service} container (about a minute of "
                "downtime)."
            ).format(on_off=on_off, service=service)
        elif self.restart_later.isChecked():
            words = self.tr(
                "Apply writes telemetry {on_off} in docker.env only; Appsmith reads it when the container is "
                "next recreated."
            ).format(on_off=on_off)
        else:
            words = self.tr("Choose when Appsmith uses the new value; Apply waits for that choice.")
        self.apply_words.setText(words)

    @property
    def wants_restart(self) -> bool:
        return self.restart_now.isChecked()

    def isComplete(self) -> bool:
        if self.change is None:
            return False
        if self.restart_now.isChecked():
            return self.owner.plan is not None
        return self.restart_later.isChecked()


# ----- applying
# ---------------------------------------------------------------------------------------------------


class ApplyPage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Applying"))
        self.setCommitPage(True)  # what was done cannot be undone by going back
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Next >"))
        self.runner: ApplyRunner | None = None
        self.progress = ApplyProgress(self)
        self.result_label = bold(
            wrapping_label(parent=self, name=self.tr("Result"), select=SELECT_WITH_MOUSE)
        )
        self.retry_button = QPushButton(self.tr("Retry &start"), self)
        self.retry_button.setAccessibleName(self.tr("Start Appsmith again"))
        self.retry_button.clicked.connect(self.retry_start)
        self.retry_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.result_label, 1)
        row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress, 1)
        layout.addLayout(row)

    @property
    def started(self) -> bool:
        return self.runner is not None

    @property
    def running(self) -> bool:
        return self.runner is not None and self.runner.running

    @property
    def result(self) -> ApplyResult | None:
        return self.runner.result if self.runner is not None and not self.runner.running else None

    def initializePage(self) -> None:
        if self.runner is not None:
            return
        owner = self.owner
        change = owner.change
        assert change is not None
        plan = owner.plan if owner.restart_now else None
        on_off = self.tr(_on_off(change.telemetry_on))
        self.setSubTitle(
            self.tr("Telemetry {on_off}: writing docker.env{restart}.").format(
                on_off=on_off, restart=self.tr(" and recreating the container") if plan else ""
            )
        )
        steps = [Step.BACKUP, Step.WRITE] + (
            [Step.REMOVE, Step.START, Step.HEALTH, Step.VERIFY] if plan else []
        )
        self.progress.set_steps(steps)
        runner = ApplyRunner(
            change,
            plan,
            parent=self,
            health_timeout=owner.health_timeout,
            health_interval=owner.health_interval,
        )
        self.progress.follow(runner)
        runner.finished.connect(self._finished)
        self.runner = runner
        self.result_label.setText(
            self.tr("Working… Cancel (Esc) stops as safely as the current step allows.")
        )
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("&Stop"))
        runner.start()

    def stop(self) -> None:
        if self.runner is not None and self.runner.running:
            self.result_label.setText(self.tr("Stopping…"))
            self.runner.cancel()

    def retry_start(self) -> None:
        if self.runner is None or not self.runner.can_retry_start:
            return
        self.retry_button.hide()
        self.result_label.setText(self.tr("Starting Appsmith again…"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("&Stop"))
        self.progress.retry((Step.START, Step.HEALTH, Step.VERIFY))
        self.runner.retry_start()
        self.completeChanged.emit()

    def _finished(self, result: ApplyResult) -> None:
        self.progress.finish()
        mark = "✔" if result.ok else "✘"
        text = "\n".join([result.message, *result.warnings])
        self.result_label.setText(f"{mark} {text}")
        self.result_label.setAccessibleDescription(text)
        self.retry_button.setVisible(self.runner is not None and self.runner.can_retry_start)
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("&Close"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.result is not None

    def nextId(self) -> int:
        return FirstRunWizard.Page.DONE


# ----- done
# -------------------------------------------------------------------------------------------------------


class DonePage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Done"))
        self.outcome_label = bold(
            wrapping_label(parent=self, name=self.tr("What was done"), select=SELECT_WITH_MOUSE)
        )
        self.commands_title = QLabel(self.tr("To apply it later, run:"), self)
        self.commands_view = MonospaceView(self, name=self.tr("Commands to run later"), lines=3, fixed=True)
        self.commands_title.setBuddy(self.commands_view)
        self.state_title = QLabel(self.tr("The state now:"), self)
        self.header = StatusHeader(self)
        self.header.setFrameShape(QFrame.Shape.StyledPanel)
        self.next_label = wrapping_label(
            self.tr(
                "Finish opens this deployment in the panel's main window, where you can change the setting "
                "again, see backups and what was done."
            ),
            self,
            name=self.tr("What happens next"),
            select=SELECT_WITH_MOUSE,
        )
        self.refresher: StatusRefresher | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.commands_title)
        layout.addWidget(self.commands_view)
        layout.addSpacing(6)
        layout.addWidget(self.state_title)
        layout.addWidget(self.header)
        layout.addStretch(1)
        layout.addWidget(self.next_label)

    def initializePage(self) -> None:
        owner = self.owner
        result = owner.apply_result
        self.commands_title.hide()
        self.commands_view.hide()
        if owner.choice is Choice.LATER or result is None:
            self.setSubTitle(self.tr("You chose to decide later."))
            self.outcome_label.setText(self.tr("Nothing was changed."))
        else:
            self.setSubTitle(self.tr("What was done, and the state Appsmith is in now."))
            mark = "✔" if result.ok else "✘"
            self.outcome_label.setText(f"{mark} " + "\n".join([result.message, *result.warnings]))
            if result.outcome is Outcome.WRITTEN and owner.plan is not None:
                self.commands_view.setPlainText(owner.plan.shell_text())
                self.commands_title.show()
                self.commands_view.show()
        self.outcome_label.setAccessibleDescription(self.outcome_label.text())
        self.header.show_message(self.tr("Checking…"), self.tr("Reading docker.env and asking docker."), None)
        deployment = owner.deployment
        if deployment is None:
            return
        if self.refresher is None:
            self.refresher = StatusRefresher(self)
            self.refresher.refreshed.connect(self._refreshed)
        self.refresher.set_deployment(deployment)

    def cleanupPage(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self.refresher is not None:
            self.refresher.set_deployment(None)

    def _refreshed(self, status: Status) -> None:
        self.owner.status = status
        self.header.show_status(status)


# ----- the wizard
# -------------------------------------------------------------------------------------------------


class FirstRunWizard(QWizard):
    """Welcome → deployment → what is collected → decision → review → apply → done; "decide later" skips to
    done.

    `ask()` returns the chosen deployment folder when the wizard was finished (also after "decide later"), and
    None when it was left; leaving before Apply writes nothing.
    """

    compose_known = Signal()
    """Compose detection ended: `compose_tool` or `compose_error` is set."""

    class Page(IntEnum):
        WELCOME = 0
        DEPLOYMENT = 1
        COLLECTED = 2
        CHOICE = 3
        REVIEW = 4
        APPLY = 5
        DONE = 6

    def __init__(
        self,
        parent: QWidget | None = None,
        initial: Path | None = None,
        health_interval: float = HEALTH_INTERVAL,
        health_timeout: float = HEALTH_TIMEOUT,
    ) -> None:
        super().__init__(parent)
        self.health_interval = health_interval
        self.health_timeout = health_timeout
        self.status: Status | None = None
        self.compose_tool: ComposeTool | None = None
        self.compose_error: str | None = None
        self._detecting = False
        self.setWindowTitle(self.tr("First run — Appsmith Telemetry Panel"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)

        self.welcome_page = WelcomePage(self)
        self.deployment_page = DeploymentPage(self, initial)
        self.collected_page = CollectedPage(self)
        self.choice_page = ChoicePage(self)
        self.review_page = ReviewPage(self)
        self.apply_page = ApplyPage(self)
        self.done_page = DonePage(self)
        for page_id, page in (
            (self.Page.WELCOME, self.welcome_page),
            (self.Page.DEPLOYMENT, self.deployment_page),
            (self.Page.COLLECTED, self.collected_page),
            (self.Page.CHOICE, self.choice_page),
            (self.Page.REVIEW, self.review_page),
            (self.Page.APPLY, self.apply_page),
            (self.Page.DONE, self.done_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(self.Page.WELCOME)
        for which, name in (
            (QWizard.WizardButton.BackButton, "Back"),
            (QWizard.WizardButton.NextButton, "Next"),
            (QWizard.WizardButton.CommitButton, "Apply"),
            (QWizard.WizardButton.FinishButton, "Finish"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
        ):
            button = self.button(which)
            if button is not None:
                button.setAccessibleName(self.tr(name))
        self.currentIdChanged.connect(self._no_default_button)
        self.currentIdChanged.connect(self._load_ahead)
        for page in (self.deployment_page, self.choice_page, self.review_page, self.apply_page):
            page.completeChanged.connect(self._no_default_button)
        self._no_default_button()
        self.resize(900, 640)

    def _load_ahead(self, page_id: int) -> None:
        if page_id == self.Page.DEPLOYMENT:
            self.collected_page.load_ahead()

    # -- what was chosen

    @property
    def deployment(self) -> Deployment | None:
        return self.deployment_page.deployment

    @property
    def choice(self) -> Choice | None:
        return self.choice_page.choice

    @property
    def change(self) -> EnvChange | None:
        return self.review_page.change

    @property
    def restart_now(self) -> bool:
        return self.review_page.wants_restart

    @property
    def plan(self) -> RestartPlan | None:
        if self.compose_tool is None or self.deployment is None:
            return None
        return plan_restart(self.deployment, self.compose_tool)

    @property
    def apply_result(self) -> ApplyResult | None:
        """The verdict of the apply, once it ran (None before, or after "decide later")."""
        return self.apply_page.result

    @property
    def changed_anything(self) -> bool:
        """True once Apply was pressed: from then on leaving is finishing, the deployment is what it is."""
        return self.apply_page.started

    def chosen_folder(self) -> Path | None:
        deployment = self.deployment
        return deployment.folder if deployment is not None else None

    # -- compose detection, once per wizard

    def find_compose_tool(self) -> None:
        if self.compose_tool is not None or self.compose_error is not None or self._detecting:
            return
        self._detecting = True
        run_in_thread(restart_tool, parent=self, on_done=self._compose_found, on_error=self._compose_failed)

    def _compose_found(self, tool: ComposeTool) -> None:
        self._detecting = False
        self.compose_tool = tool
        self.compose_known.emit()

    def _compose_failed(self, error: BaseException) -> None:
        self._detecting = False
        self.compose_error = error.message if isinstance(error, DockerError) else str(error)
        self.compose_known.emit()

    # -- leaving

    @classmethod
    def confirm_stop(cls, parent: QWidget) -> bool:
        """Ask before a stop that leaves Appsmith down; True to stop (patched in tests)."""
        return StopQuestion.ask(parent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter goes to the next page where nothing changes; on the review page, whose Apply changes the
        deployment, it presses only the focused button."""
        if self.currentId() == self.Page.REVIEW and enter_presses_focused(self, event):
            return
        super().keyPressEvent(event)

    def _no_default_button(self) -> None:
        """QWizard makes Next, Apply or Finish the default after each page change and each completeChanged;
        on the review page no button is (checked once Qt has made its own choice)."""
        QTimer.singleShot(0, self, self._clear_default_on_review)

    def _clear_default_on_review(self) -> None:
        if self.currentId() == self.Page.REVIEW:
            clear_default_buttons(self)

    def reject(self) -> None:
        """Cancel, Esc and closing: stop a running apply (and stay, to show what state things are in), asking
        first once the container is removed; after Apply or on the last page, leaving is finishing; before
        Apply it leaves with nothing written."""
        if self.apply_page.running:
            runner = self.apply_page.runner
            if runner is not None and runner.cancel_leaves_down and not type(self).confirm_stop(self):
                return  # keep waiting
            self.apply_page.stop()
            return
        if self.changed_anything or self.currentId() == self.Page.DONE:
            self.accept()
            return
        super().reject()

    def done(self, result: int) -> None:
        self.welcome_page.stop()
        self.done_page.stop()
        super().done(result)

    @classmethod
    def ask(cls, parent: QWidget | None, initial: Path | None = None) -> Path | None:
        """Run the wizard; the deployment folder when it was finished, None when it was left."""
        wizard = cls(parent, initial)
        try:
            accepted = wizard.exec() == QDialog.DialogCode.Accepted
            return wizard.chosen_folder() if accepted else None
        finally:
            wizard.deleteLater()
