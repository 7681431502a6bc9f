"""Where a catalog claim comes from, as a details list under the payload: file, commit, date, versions, link.

The catalog's sentences stay plain; the evidence behind them (Appsmith's files at named commits, or a docs
page) lives here, folded away until someone asks for it. The list shows the event's sources and, when a field
is picked in the table, that field's own.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from panel.core.payloads import Citation

LINK_ROLE = Qt.ItemDataRole.UserRole
"""Where each source row keeps its web address."""


def sources_html(citations: Sequence[Citation], heading: str = "Sources") -> str:
    """A small line of links (file @ commit, date, versions) for rich-text lists like the always-sent box."""
    links = []
    for citation in citations:
        name = (
            f"{citation.path.rsplit('/', 1)[-1]} @ {citation.commit}" if citation.path else str(citation.url)
        )
        links.append(
            f'<a href="{html.escape(citation.link, quote=True)}">{html.escape(name)}</a> '
            f"({html.escape(citation.date)}; {html.escape(citation.versions)})"
        )
    return f"<br><small>{html.escape(heading)}: {' · '.join(links)}</small>" if links else ""


class SourceColumn(IntEnum):
    FILE = 0
    COMMIT = 1
    DATE = 2
    VERSIONS = 3


class SourcesView(QWidget):
    """A folded "Sources" section: one row per citation, grouped by what it supports; Enter, a double-click
    or "Open source" opens the file at its commit (or the docs page) in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcesView")
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("sourcesToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip(self.tr("The Appsmith files and commits this event's description comes from"))
        self.toggle.toggled.connect(self._on_toggled)

        tree = QTreeWidget(self)
        tree.setObjectName("sourcesList")
        tree.setAccessibleName(self.tr("Sources"))
        tree.setHeaderLabels(
            [self.tr("File or page"), self.tr("Commit"), self.tr("Date"), self.tr("Versions")]
        )
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setWordWrap(True)
        tree.setUniformRowHeights(False)
        header = tree.header()
        for column in (SourceColumn.FILE, SourceColumn.COMMIT, SourceColumn.DATE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SourceColumn.VERSIONS, QHeaderView.ResizeMode.Stretch)
        tree.itemActivated.connect(self._on_activated)
        tree.currentItemChanged.connect(self._on_current_changed)
        self.tree = tree

        self.open_button = QPushButton(self.tr("Open source"), self)
        self.open_button.setObjectName("openSource")
        self.open_button.setToolTip(
            self.tr("Open the selected file at its commit, or the page, in your browser")
        )
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_current)

        self.body = QWidget(self)
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(tree)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        body_layout.addLayout(buttons)
        self.body.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self._shown: tuple[Citation, ...] = ()
        self.show_citations(())

    # --- what is shown
    # -------------------------------------------------------------------------------------------

    def show_citations(
        self,
        event_citations: Sequence[Citation],
        field_path: str | None = None,
        field_citations: Sequence[Citation] = (),
    ) -> None:
        """The event's sources and, when a field is picked, that field's, each group under its own heading."""
        self.tree.clear()
        groups: list[tuple[str, Sequence[Citation]]] = [(self.tr("This event"), event_citations)]
        if field_path is not None:
            groups.append((self.tr("Field {path}").format(path=field_path), field_citations))
        shown: dict[str, Citation] = {}
        for heading, citations in groups:
            if not citations:
                continue
            group = QTreeWidgetItem(self.tree, [heading])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFirstColumnSpanned(True)
            for citation in citations:
                self._add_row(group, citation)
                shown.setdefault(citation.id, citation)
            group.setExpanded(True)
        self._shown = tuple(shown.values())
        self.toggle.setText(self.tr("Sources ({count})").format(count=len(self._shown)))
        self.open_button.setEnabled(False)

    def citations_shown(self) -> tuple[Citation, ...]:
        """Every distinct citation now listed, in the order first shown."""
        return self._shown

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)

    def is_expanded(self) -> bool:
        return self.toggle.isChecked()

    def _add_row(self, group: QTreeWidgetItem, citation: Citation) -> None:
        if citation.path:
            name = citation.path.rsplit("/", 1)[-1]
            where = f"{citation.repo} {citation.path}"
            commit = citation.commit or ""
        else:
            name = str(citation.url)
            where = name
            commit = self.tr("(docs page)")
        item = QTreeWidgetItem(group, [name, commit, citation.date, citation.versions])
        tip = where if not citation.note else f"{where}\n\n{citation.note}"
        for column in SourceColumn:
            item.setToolTip(column, tip)
        item.setData(SourceColumn.FILE, LINK_ROLE, citation.link)
        item.setData(SourceColumn.FILE, Qt.ItemDataRole.AccessibleDescriptionRole, citation.label)

    # --- behaviour
    # -----------------------------------------------------------------------------------------------

    @Slot(bool)
    def _on_toggled(self, expanded: bool) -> None:
        self.body.setVisible(expanded)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        self.open_button.setEnabled(current is not None and bool(current.data(SourceColumn.FILE, LINK_ROLE)))

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self._open(item)

    def _open_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, item: QTreeWidgetItem) -> None:
        link = item.data(SourceColumn.FILE, LINK_ROLE)
        if link:
            QDesktopServices.openUrl(QUrl(str(link)))
