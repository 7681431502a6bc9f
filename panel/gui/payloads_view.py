"""The "What is sent" view: every event Appsmith may send, as JSON a person can read, with a note on each
field.

The view only shows the catalog (`panel.core.payloads`); what is true about an event lives there, so the
desktop app, the first-run wizard and the CLI can never disagree. Values this deployment is known to send (its
edition, version, instance id, the hash of an email the operator types) replace the examples, and are marked
in words and by weight.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from panel.core.payloads import (
    Catalog,
    FilledPayload,
    LocalFacts,
    PayloadSample,
    Source,
    fill_sample,
    load_catalog,
    normalize_email,
    sha256_hex,
    to_json_text,
)
from panel.gui.json_highlighter import JsonHighlighter
from panel.gui.sources_view import SourcesView, sources_html
from panel.gui.text_widgets import SELECT_WITH_MOUSE, MonospaceView, monospace_font, wrapping_label

SAMPLE_ID_ROLE = Qt.ItemDataRole.UserRole
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1


class TreeColumn:
    EVENT = 0
    WHEN = 1
    SWITCH = 2


class FieldColumn:
    PATH = 0
    NOTE = 1
    HASHED = 2
    VALUE = 3


_EMAIL_LOCALS = frozenset({"email_sha256", "email_plain"})

SOURCE_ORDER = (Source.SERVER, Source.CLIENT, Source.INSTALLER)
"""What this instance sends first; the 2020-21 installer's events last (and collapsed): they left once, when
a legacy deployment was installed, if ever."""
COLLAPSED_SOURCES = frozenset({Source.INSTALLER})
WHEN_MIN_CHARS = 10
"""The When column never gets narrower than this many average characters (it was one character wide)."""


def preferred_sample(catalog: Catalog) -> PayloadSample | None:
    """The event shown first: the server's own first event (its keep-alive), the one every running instance
    sends; else the first in the catalog."""
    server = catalog.by_source(Source.SERVER)
    if server:
        return server[0]
    return catalog.samples[0] if catalog.samples else None


def json_leaf_lines(payload: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """First and last line (0-based) of each leaf in `to_json_text(payload)`, keyed by dotted path.

    Follows `json.dumps(indent=2)`: a non-empty object opens on its key's line and closes on a line of its
    own; any other value (a list included) starts on its key's line and takes as many lines as it prints in.
    """
    lines: dict[str, tuple[int, int]] = {}
    line = 0  # the opening brace

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        nonlocal line
        for key, value in node.items():
            line += 1
            path = f"{prefix}{key}"
            if isinstance(value, Mapping) and value:
                walk(value, f"{path}.")
                line += 1
            else:
                height = _json_height(value)
                lines[path] = (line, line + height - 1)
                line += height - 1

    walk(payload, "")
    return lines


def how_often(when: str) -> str:
    """The head of a catalog `when` sentence ("Every 6 hours"), short enough for a column; the rest goes in a
    tip."""
    cut = len(when)
    for separator in (", ", ": ", " (", "; "):
        index = when.find(separator)
        if 0 < index < cut:
            cut = index
    return when[:cut].rstrip(" .")


def _json_height(value: Any) -> int:
    return json.dumps(value, indent=2, ensure_ascii=False).count("\n") + 1


class _WrappingDelegate(QStyledItemDelegate):
    """Lets a tree column wrap its text onto more lines instead of eliding it.

    QTreeView asks for row heights with an option rect of no height, and the styles only wrap within a valid
    rect, so `setWordWrap(True)` alone never makes a row taller; this hands the style the column's real width.
    A column squeezed below a few words keeps one line (elided, the whole sentence in the tip) rather than
    stacking a letter or two per line.
    """

    MIN_WRAP_CHARS = 24

    def __init__(self, view: QTreeWidget) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = self._view.header().sectionSize(index.column())
        if width < self._view.fontMetrics().averageCharWidth() * self.MIN_WRAP_CHARS:
            return super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect.setWidth(width)
        opt.rect.setHeight(1 << 16)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        return self._view.style().sizeFromContents(
            QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self._view
        )


class PayloadsList(QWidget):
    """The payload catalog grouped by sender, over what is sent whatever the switch says.

    The first-run wizard shows only this; the "What is sent" tab puts a `PayloadDetail` beside it.
    """

    selection_changed = Signal(str)
    """The catalog id of the event now selected."""

    def __init__(self, parent: QWidget | None = None, catalog: Catalog | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog if catalog is not None else load_catalog()
        self._current: PayloadSample | None = None
        self.setObjectName("payloadsList")
        self.setAccessibleName(self.tr("What is sent"))
        self._items: dict[str, QTreeWidgetItem] = {}
        self.tree = self._build_tree()
        self.always_sent = self._build_always_sent()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        events_title = QLabel(self.tr("<b>What Appsmith sends</b>, grouped by the part that sends it"), self)
        events_title.setBuddy(self.tree)
        layout.addWidget(events_title)
        layout.addWidget(self.tree)
        always_title = QLabel(self.tr("<b>Sent whatever the switch says</b>"), self)
        always_title.setBuddy(self.always_sent)
        layout.addWidget(always_title)
        layout.addWidget(self.always_sent, 1)

        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self._select_first()

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def current_sample(self) -> PayloadSample | None:
        return self._current

    def current_sample_id(self) -> str | None:
        return self._current.id if self._current is not None else None

    def select_sample(self, sample_id: str) -> bool:
        """Select an event by catalog id; False (and nothing changes) when the catalog has no such event."""
        item = self._items.get(sample_id)
        if item is None:
            return False
        group = item.parent()
        if group is not None:
            group.setExpanded(True)  # a collapsed group (the installer's) opens to show it
        self.tree.setCurrentItem(item)
        return True

    def _build_tree(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName("payloadsTree")
        tree.setAccessibleName(self.tr("Events Appsmith sends, by sender"))
        tree.setAccessibleDescription(
            self.tr("Each event with when it is sent and whether turning telemetry off stops it.")
        )
        tree.setColumnCount(3)
        tree.setHeaderLabels([self.tr("Event"), self.tr("When"), self.tr("Telemetry off?")])
        header_item = tree.headerItem()
        header_item.setToolTip(
            TreeColumn.SWITCH, self.tr("Whether setting APPSMITH_DISABLE_TELEMETRY=true stops this event")
        )
        # As tall as its rows, so the space left goes to what is sent regardless of the switch; in a small
        # window it may shrink, but never below a few rows (see _fit_tree_minimums).
        tree.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        tree.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        tree.setRootIsDecorated(True)
        tree.setUniformRowHeights(False)
        tree.setWordWrap(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(tree.fontMetrics().averageCharWidth() * WHEN_MIN_CHARS)
        header.setSectionResizeMode(TreeColumn.EVENT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TreeColumn.WHEN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TreeColumn.SWITCH, QHeaderView.ResizeMode.ResizeToContents)
        tree.setItemDelegateForColumn(TreeColumn.WHEN, _WrappingDelegate(tree))
        header.sectionResized.connect(lambda *_: tree.doItemsLayout())

        stops_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        anyway_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        group_font = QFont(tree.font())
        group_font.setBold(True)
        for source in (*SOURCE_ORDER, *(source for source in Source if source not in SOURCE_ORDER)):
            samples = self._catalog.by_source(source)
            if not samples:
                continue
            group = QTreeWidgetItem(tree, [self._source_label(source)])
            group.setData(TreeColumn.EVENT, SOURCE_ROLE, source.value)
            group.setFont(TreeColumn.EVENT, group_font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFirstColumnSpanned(True)
            for sample in samples:
                item = QTreeWidgetItem(group)
                item.setText(TreeColumn.EVENT, sample.event)
                item.setData(TreeColumn.EVENT, SAMPLE_ID_ROLE, sample.id)
                self._items[sample.id] = item
                item.setText(TreeColumn.WHEN, how_often(sample.when))
                item.setToolTip(TreeColumn.WHEN, sample.when)
                item.setToolTip(TreeColumn.EVENT, self.tr("Sent by {sender}").format(sender=sample.sender))
                if sample.stopped_by_switch:
                    item.setText(TreeColumn.SWITCH, self.tr("Stops it"))
                    item.setIcon(TreeColumn.SWITCH, stops_icon)
                else:
                    item.setText(TreeColumn.SWITCH, self.tr("Sent anyway"))
                    item.setIcon(TreeColumn.SWITCH, anyway_icon)
                item.setToolTip(TreeColumn.SWITCH, sample.switch_note)
            group.setExpanded(source not in COLLAPSED_SOURCES)
        self._fit_tree_minimums(tree)
        return tree

    def _fit_tree_minimums(self, tree: QTreeWidget) -> None:
        """Wide enough for every event name, a readable When column and the switch column; tall enough for a
        few rows. Measured from the texts: before the tree is shown its columns have no size yet."""
        metrics = tree.fontMetrics()
        icon = tree.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        padding = 2 * tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 6
        event_width = max(
            [metrics.horizontalAdvance(item.text(TreeColumn.EVENT)) for item in self._items.values()]
            + [metrics.horizontalAdvance(tree.headerItem().text(TreeColumn.EVENT))]
        )
        switch_width = max(
            metrics.horizontalAdvance(text)
            for text in (
                self.tr("Stops it"),
                self.tr("Sent anyway"),
                tree.headerItem().text(TreeColumn.SWITCH),
            )
        )
        when_width = metrics.averageCharWidth() * WHEN_MIN_CHARS
        scroll_bar = tree.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        tree.setMinimumWidth(
            tree.indentation()
            + event_width
            + padding
            + when_width
            + switch_width
            + icon
            + 2 * padding
            + scroll_bar
            + 2 * tree.frameWidth()
        )
        row = max(metrics.lineSpacing(), icon) + 4
        tree.setMinimumHeight(tree.header().sizeHint().height() + 4 * row + 2 * tree.frameWidth())

    def _build_always_sent(self) -> QTextBrowser:
        browser = QTextBrowser(self)
        browser.setObjectName("alwaysSent")
        browser.setAccessibleName(self.tr("Sent whatever the switch says"))
        browser.setOpenLinks(False)
        browser.anchorClicked.connect(QDesktopServices.openUrl)  # the sources' links, in the user's browser
        browser.setTabChangesFocus(True)
        browser.setMinimumHeight(4 * browser.fontMetrics().lineSpacing())
        parts = [
            "<p>"
            + html.escape(
                self.tr(
                    "Turning telemetry off does not make Appsmith silent. These still leave, or may, "
                    "whatever APPSMITH_DISABLE_TELEMETRY says:"
                )
            )
            + "</p>"
        ]
        for entry in self._catalog.always_sent:
            parts.append(
                f"<p><b>{html.escape(entry.name)}</b><br>"
                + html.escape(self.tr("Sent by: {sender}").format(sender=entry.sender))
                + "<br>"
                + html.escape(self.tr("When: {when}").format(when=entry.when))
                + "<br>"
                + html.escape(entry.note)
                + sources_html(entry.citations, self.tr("Sources"))
                + "</p>"
            )
        browser.setHtml("".join(parts))
        return browser

    def _source_label(self, source: Source) -> str:
        labels = {
            Source.INSTALLER: self.tr("Installer"),
            Source.SERVER: self.tr("Appsmith server"),
            Source.CLIENT: self.tr("Browser client"),
        }
        return labels.get(source, source.label)

    def _select_first(self) -> None:
        preferred = preferred_sample(self._catalog)
        if preferred is not None and preferred.id in self._items:
            self.tree.setCurrentItem(self._items[preferred.id])

    def _on_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if current is None:
            return
        sample_id = current.data(TreeColumn.EVENT, SAMPLE_ID_ROLE)
        if sample_id is None:
            return  # a group heading: keep showing the last event
        sample = self._catalog.get(str(sample_id))
        if sample is None:
            return
        self._current = sample
        self.selection_changed.emit(sample.id)


class PayloadDetail(QWidget):
    """One event in detail: what it is, its JSON with this deployment's own values filled in, a note on each
    field, and what would leave for an email typed here.

    Sections stack in `sections` (a vertical layout): a further section is appended there. "Show raw data"
    swaps the readable view (marked JSON beside a note on each field) for the exact JSON, monospace and
    copyable (as KDE's KUserFeedback does); "Open large preview" shows the event in a big window (as
    GitLab's Service Ping payload preview does).
    """

    def __init__(self, parent: QWidget | None = None, preview_button: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("payloadDetail")
        self._facts = LocalFacts()
        self._current: PayloadSample | None = None
        self._filled: FilledPayload | None = None
        self._lines: dict[str, tuple[int, int]] = {}
        self.title_label = QLabel(self)
        self.title_label.setObjectName("payloadTitle")
        self.title_label.setAccessibleName(self.tr("Selected event"))
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        # A check box, as KUserFeedback's: its text stays and its state says which view is shown.
        self.raw_button = QCheckBox(self.tr("Show raw &JSON"), self)
        self.raw_button.setObjectName("showRawButton")
        self.raw_button.setToolTip(self.tr("The exact JSON that would leave, to read or copy"))
        self.raw_button.toggled.connect(self._show_raw)
        self.preview_button = QPushButton(self.tr("Open &large preview…"), self)
        self.preview_button.setObjectName("previewButton")
        self.preview_button.setToolTip(self.tr("This event in a large window"))
        self.preview_button.clicked.connect(self.open_preview)
        self.preview_button.setVisible(preview_button)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.raw_button)
        title_row.addWidget(self.preview_button)
        self.sender_label = wrapping_label(parent=self, name=self.tr("Sent by"), select=SELECT_WITH_MOUSE)
        self.when_label = wrapping_label(
            parent=self, name=self.tr("When it is sent"), select=SELECT_WITH_MOUSE
        )
        self.switch_label = wrapping_label(
            parent=self, name=self.tr("What turning telemetry off does"), select=SELECT_WITH_MOUSE, rich=True
        )
        self.origin_label = wrapping_label(
            parent=self, name=self.tr("Where this sample comes from"), select=SELECT_WITH_MOUSE, rich=True
        )
        for label, name in (
            (self.sender_label, "payloadSender"),
            (self.when_label, "payloadWhen"),
            (self.switch_label, "payloadSwitch"),
            (self.origin_label, "payloadOrigin"),
        ):
            label.setObjectName(name)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Sent by:"), self.sender_label)
        form.addRow(self.tr("When:"), self.when_label)
        form.addRow(self.tr("Telemetry off:"), self.switch_label)
        form.addRow(self.tr("This sample:"), self.origin_label)

        json_view = MonospaceView(self, name=self.tr("The event as JSON"))
        json_view.setObjectName("payloadJson")
        json_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.json_view = json_view
        self.highlighter = JsonHighlighter(json_view.document(), json_view.palette())
        json_view.installEventFilter(self)
        self.values_legend = wrapping_label(
            parent=self,
            name=self.tr("Which values are this deployment's own"),
            select=SELECT_WITH_MOUSE,
            rich=True,
        )
        self.values_legend.setObjectName("valuesLegend")

        table = QTableWidget(0, 4, self)
        table.setObjectName("payloadFields")
        table.setAccessibleName(self.tr("What each field means"))
        headings = {
            FieldColumn.PATH: (self.tr("Field"), self.tr("Where the value sits in the JSON")),
            FieldColumn.NOTE: (self.tr("What it is"), ""),
            FieldColumn.HASHED: (self.tr("Hashed"), self.tr("Whether the value leaves as a SHA-256 digest")),
            FieldColumn.VALUE: (
                self.tr("Value shown"),
                self.tr(
                    '"this deployment": the value this deployment sends, known locally; "example": '
                    "a sample value"
                ),
            ),
        }
        for column, (heading, tip) in headings.items():
            heading_item = QTableWidgetItem(heading)
            heading_item.setToolTip(tip)
            table.setHorizontalHeaderItem(column, heading_item)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setTabKeyNavigation(False)
        table.setWordWrap(True)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = table.horizontalHeader()
        header.setSectionResizeMode(FieldColumn.PATH, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FieldColumn.NOTE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FieldColumn.HASHED, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FieldColumn.VALUE, QHeaderView.ResizeMode.ResizeToContents)
        table.currentCellChanged.connect(self._on_field_row_changed)
        self.fields_table = table
        # In a small window the detail scrolls (see PayloadsView) rather than crushing these to a line or two.
        json_view.set_visible_lines(8)
        table.setMinimumHeight(
            table.horizontalHeader().sizeHint().height()
            + 3 * table.verticalHeader().defaultSectionSize()
            + 2 * table.frameWidth()
        )

        payload_split = QSplitter(Qt.Orientation.Vertical, self)
        payload_split.setObjectName("payloadSplitter")
        payload_split.setChildrenCollapsible(False)
        json_box = QWidget(payload_split)
        json_layout = QVBoxLayout(json_box)
        json_layout.setContentsMargins(0, 0, 0, 0)
        json_layout.addWidget(json_view, 1)
        json_layout.addWidget(self.values_legend)
        payload_split.addWidget(json_box)
        payload_split.addWidget(table)
        payload_split.setStretchFactor(0, 3)
        payload_split.setStretchFactor(1, 2)
        self.payload_split = payload_split

        raw_page = QWidget(self)
        raw_page.setObjectName("rawPage")
        self.raw_view = MonospaceView(raw_page, name=self.tr("The exact JSON that would leave"))
        self.raw_view.setObjectName("rawJson")
        self.raw_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.raw_view.set_visible_lines(8)
        self.copy_button = QPushButton(self.tr("Copy te&xt"), raw_page)
        self.copy_button.setObjectName("copyRawButton")
        self.copy_button.setToolTip(self.tr("Copy the JSON to the clipboard"))
        self.copy_button.clicked.connect(self.copy_raw)
        raw_note = wrapping_label(
            self.tr("Exactly as it would leave, with this deployment's own values where they are known."),
            raw_page,
            name=self.tr("About the raw data"),
        )
        raw_bottom = QHBoxLayout()
        raw_bottom.addWidget(raw_note, 1)
        raw_bottom.addWidget(self.copy_button)
        raw_layout = QVBoxLayout(raw_page)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_layout.addWidget(self.raw_view, 1)
        raw_layout.addLayout(raw_bottom)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("payloadPages")
        self.pages.addWidget(payload_split)
        self.pages.addWidget(raw_page)

        email_box = QFrame(self)
        email_box.setFrameShape(QFrame.Shape.StyledPanel)
        email_prompt = QLabel(self.tr("Type an email to see what would leave for it:"), email_box)
        email = QLineEdit(email_box)
        email.setObjectName("emailInput")
        email.setAccessibleName(self.tr("Email to check"))
        email.setPlaceholderText(self.tr("e.g. you@example.com"))
        email.setClearButtonEnabled(True)
        email.textChanged.connect(self._on_email_changed)
        email_prompt.setBuddy(email)
        self.email_edit = email
        self.hash_label = QLabel(email_box)
        self.hash_label.setObjectName("emailHash")
        self.hash_label.setAccessibleName(self.tr("SHA-256 of the email"))
        self.hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hash_label.setFont(monospace_font())
        self.email_note = wrapping_label(
            parent=email_box, name=self.tr("What happens to the email"), select=SELECT_WITH_MOUSE
        )
        self.email_note.setObjectName("emailNote")
        email_prompt.setWordWrap(True)
        email_prompt.setAccessibleName(email_prompt.text())
        email_row = QHBoxLayout()
        email_row.addWidget(email_prompt, 1)
        email_row.addWidget(email, 1)
        email_layout = QVBoxLayout(email_box)
        email_layout.addLayout(email_row)
        email_layout.addWidget(self.hash_label)
        email_layout.addWidget(self.email_note)

        self.sections = QVBoxLayout(self)
        self.sections.setContentsMargins(0, 0, 0, 0)
        self.sections.addLayout(title_row)
        self.sections.addLayout(form)
        self.sections.addWidget(self.pages, 1)
        self.sections.addWidget(email_box)
        self.sources_view = SourcesView(self)
        self.sections.addWidget(self.sources_view)
        self._update_hash_label()

    # --- behaviour
    # -----------------------------------------------------------------------------------------------

    def facts(self) -> LocalFacts:
        """What the view fills in: the facts the window passed plus the email typed here, if any."""
        return dataclasses.replace(self._facts, email=self.email_edit.text() or None)

    def set_facts(self, facts: LocalFacts) -> None:
        """This deployment's known values (edition, version, instance id); an email in them goes into the
        email box."""
        self._facts = dataclasses.replace(facts, email=None)
        if facts.email is not None:
            self.email_edit.setText(facts.email)  # refreshes through textChanged
        self._refresh_detail()

    def show_sample(self, sample: PayloadSample | None) -> None:
        if sample is None:
            return
        self._current = sample
        self._show_header()
        self._refresh_detail(scroll_to_top=True)

    def filled_payload(self) -> FilledPayload | None:
        """What the JSON pane shows now (None before an event is shown)."""
        return self._filled

    def current_sample(self) -> PayloadSample | None:
        return self._current

    def raw_shown(self) -> bool:
        return self.pages.currentIndex() == 1

    def copy_raw(self) -> None:
        QGuiApplication.clipboard().setText(self.raw_view.toPlainText())

    def open_preview(self) -> None:
        """The event in a large window, with the same facts and email filled in."""
        if self._current is None:
            return
        PayloadPreviewDialog.show_for(self, self._current, self.facts())

    def _show_raw(self, raw: bool) -> None:
        self.pages.setCurrentIndex(1 if raw else 0)

    def _origin_words(self, sample: PayloadSample) -> str:
        """The catalog's origin, led by a plain verdict on whose sample it is (rich text)."""
        words = {
            "documented": self.tr("<b>Documented</b>: Appsmith's own sample."),
            "derived": self.tr("<b>Derived</b>: made for this panel, not published by Appsmith."),
            "reconstructed": self.tr("<b>Reconstructed</b>: made for this panel, not published by Appsmith."),
        }
        detail = sample.sample_origin.split(":", 1)[1].strip()
        return f"{words[sample.origin_kind]} {html.escape(detail[:1].upper() + detail[1:])}"

    def _on_email_changed(self, _text: str) -> None:
        self._update_hash_label()
        self._refresh_detail()

    def _show_header(self) -> None:
        sample = self._current
        if sample is None:
            return
        self.title_label.setText(sample.event)
        self.sender_label.setText(sample.sender)
        self.when_label.setText(sample.when)
        verdict = self.tr("Stops it.") if sample.stopped_by_switch else self.tr("Sent anyway.")
        self.switch_label.setText(f"<b>{html.escape(verdict)}</b> {html.escape(sample.switch_note)}")
        self.origin_label.setText(self._origin_words(sample))
        self.sources_view.show_citations(sample.citations)

    def _refresh_detail(self, scroll_to_top: bool = False) -> None:
        sample = self._current
        if sample is None:
            return
        filled = fill_sample(sample, self.facts())
        self._filled = filled
        self._lines = json_leaf_lines(filled.payload)
        scroll = self.json_view.verticalScrollBar().value()
        json_text = to_json_text(filled.payload)
        self.json_view.setPlainText(json_text)
        self.raw_view.setPlainText(json_text)
        marked: set[int] = set()
        for path in filled.filled:
            first, last = self._lines[path]
            marked.update(range(first, last + 1))
        self.highlighter.set_marked_lines(marked)
        self.json_view.verticalScrollBar().setValue(0 if scroll_to_top else scroll)
        self._fill_table(sample, filled)
        self._update_legend(sample, filled)
        self._update_email_note(sample)

    def _fill_table(self, sample: PayloadSample, filled: FilledPayload) -> None:
        table = self.fields_table
        current_row = table.currentRow()
        with QSignalBlocker(table):
            table.clearContents()
            table.setRowCount(len(sample.fields))
            bold = QFont(table.font())
            bold.setBold(True)
            for row, note in enumerate(sample.fields):
                own = note.path in filled.filled
                cells = {
                    FieldColumn.PATH: note.path,
                    FieldColumn.NOTE: note.note,
                    FieldColumn.HASHED: self.tr("Yes") if note.hashed else self.tr("No"),
                    FieldColumn.VALUE: self.tr("this deployment") if own else self.tr("example"),
                }
                for column, text in cells.items():
                    item = QTableWidgetItem(text)
                    item.setToolTip(note.note if column == FieldColumn.NOTE else text)
                    if own:
                        item.setFont(bold)
                    table.setItem(row, column, item)
            if 0 <= current_row < table.rowCount():
                table.setCurrentCell(current_row, table.currentColumn())
        table.resizeRowsToContents()

    def _update_legend(self, sample: PayloadSample, filled: FilledPayload) -> None:
        if filled.filled:
            text = self.tr(
                "<b><u>Bold, underlined</u></b> values are this deployment's own ({count}); every other "
                "value is an example."
            ).format(count=len(filled.filled))
        elif any(note.local in _EMAIL_LOCALS for note in sample.fields):
            text = self.tr(
                "All values are examples. Type an email below to see the value that would leave for it."
            )
        elif any(note.local for note in sample.fields):
            text = self.tr(
                "All values are examples: this deployment's own values for this event are not known yet."
            )
        else:
            text = self.tr("All values are examples.")
        self.values_legend.setText(text)

    def _update_hash_label(self) -> None:
        email = normalize_email(self.email_edit.text())
        if email:
            self.hash_label.setText(self.tr("SHA-256: {digest}").format(digest=sha256_hex(email)))
            self.hash_label.setToolTip(
                self.tr('SHA-256 of "{email}", lowercased and trimmed as Appsmith stores it').format(
                    email=email
                )
            )
        else:
            self.hash_label.setText(self.tr("SHA-256: (no email typed)"))
            self.hash_label.setToolTip("")

    def _update_email_note(self, sample: PayloadSample) -> None:
        def paths(local: str) -> str:
            return ", ".join(note.path for note in sample.fields if note.local == local)

        general = self.tr(
            "The hash is one-way: it cannot be turned back into the address. But the same email always gives "
            "the same hash, so anyone who already knows an address can recognise it: pseudonymous, not "
            "anonymous."
        )
        if paths("email_plain"):
            specific = self.tr(
                "This event sends the email itself, in plain text, not hashed ({paths})."
            ).format(paths=paths("email_plain"))
        elif paths("email_sha256"):
            specific = self.tr(
                "This event sends the SHA-256 of the user's email in place of it ({paths})."
            ).format(paths=paths("email_sha256"))
        else:
            specific = self.tr("This event carries neither the email nor its hash.")
            others = [note.path for note in sample.fields if note.hashed]
            if others:
                specific += " " + self.tr("Its hashed fields ({paths}) hash other values.").format(
                    paths=", ".join(others)
                )
        self.email_note.setText(f"{specific} {general}")

    def _on_field_row_changed(self, row: int, _column: int, _prev_row: int, _prev_column: int) -> None:
        """Scroll the JSON to the field picked in the table, so the note and the value can be read
        together."""
        if self._current is None or not 0 <= row < len(self._current.fields):
            return
        note = self._current.fields[row]
        self.sources_view.show_citations(self._current.citations, note.path, note.citations)
        span = self._lines.get(self._current.fields[row].path)
        if span is None:
            return
        block = self.json_view.document().findBlockByNumber(span[0])
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self.json_view.setTextCursor(cursor)
        self.json_view.ensureCursorVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Recolour the JSON when its widget's palette changes (a theme switch), once the new palette is in
        place."""
        if watched is self.json_view and event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.json_view.palette())
        return super().eventFilter(watched, event)


class PayloadPreviewDialog(QDialog):
    """One event in a large window (most of the screen), for reading a long payload at full size."""

    def __init__(self, sample: PayloadSample, facts: LocalFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payloadPreview")
        self.setWindowTitle(self.tr("What is sent: {event}").format(event=sample.event))
        self.detail = PayloadDetail(self, preview_button=False)
        self.detail.set_facts(facts)
        self.detail.show_sample(sample)
        self.detail.json_view.set_visible_lines(20)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        scroll = QScrollArea(self)
        scroll.setWidget(self.detail)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        self.resize(int(available.width() * 0.85), int(available.height() * 0.85))

    @classmethod
    def show_for(
        cls, parent: QWidget | None, sample: PayloadSample, facts: LocalFacts
    ) -> PayloadPreviewDialog:
        """Open it without blocking (it only shows): the window stays usable beside it."""
        dialog = cls(sample, facts, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


class PayloadsView(QWidget):
    """The "What is sent" tab: the grouped list beside the selected event in detail."""

    selection_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, catalog: Catalog | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payloadsView")
        self.setAccessibleName(self.tr("What is sent"))
        self.list = PayloadsList(self, catalog)
        self.detail = PayloadDetail(self)
        self.tree = self.list.tree
        self.always_sent = self.list.always_sent
        self.json_view = self.detail.json_view
        self.fields_table = self.detail.fields_table
        self.email_edit = self.detail.email_edit
        self.highlighter = self.detail.highlighter

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("payloadsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list)
        self.detail_scroll = QScrollArea(self)
        self.detail_scroll.setObjectName("payloadDetailScroll")
        self.detail_scroll.setWidget(self.detail)
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to the JSON
        self.splitter.addWidget(self.detail_scroll)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([490, 610])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        from panel.gui.block_section import BlockSection

        # Below the events: the hosts the switch cannot stop, and the way to block them.
        self.block_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.block_splitter.setChildrenCollapsible(False)
        self.block_splitter.addWidget(self.splitter)
        self.block_section = BlockSection(self.block_splitter)
        self.block_splitter.addWidget(self.block_section)
        self.block_splitter.setStretchFactor(0, 3)
        self.block_splitter.setSizes([600, 170])  # the events first; the section scrolls, or is dragged up
        layout.addWidget(self.block_splitter)
        QWidget.setTabOrder(self.tree, self.detail.raw_button)
        QWidget.setTabOrder(self.detail.raw_button, self.detail.preview_button)
        QWidget.setTabOrder(self.detail.preview_button, self.json_view)
        QWidget.setTabOrder(self.json_view, self.fields_table)
        QWidget.setTabOrder(self.fields_table, self.email_edit)
        QWidget.setTabOrder(self.email_edit, self.always_sent)

        self.list.selection_changed.connect(self._on_selection_changed)
        self.detail.show_sample(self.list.current_sample())

    @property
    def catalog(self) -> Catalog:
        return self.list.catalog

    def facts(self) -> LocalFacts:
        return self.detail.facts()

    def set_facts(self, facts: LocalFacts) -> None:
        self.detail.set_facts(facts)

    def current_sample_id(self) -> str | None:
        return self.list.current_sample_id()

    def select_sample(self, sample_id: str) -> bool:
        return self.list.select_sample(sample_id)

    def filled_payload(self) -> FilledPayload | None:
        return self.detail.filled_payload()

    def _on_selection_changed(self, sample_id: str) -> None:
        self.detail.show_sample(self.list.current_sample())
        self.selection_changed.emit(sample_id)
