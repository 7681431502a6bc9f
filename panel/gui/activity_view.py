"""The audit log: every change the panel made on this machine, by whom, and how it ended."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from panel.core.audit import read_entries
from panel.core.paths import audit_log_path

_COLUMNS = ("When (UTC)", "Who", "Action", "File", "Old", "New", "Outcome")


class ActivityView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel(
            self.tr("Changes made by this panel, newest first. Log file: ") + str(audit_log_path())
        )
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in _COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName(self.tr("Audit log"))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        entries = list(reversed(read_entries()))
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (
                entry.time.replace("T", " ").rstrip("Z"),
                entry.user,
                entry.action,
                entry.file,
                entry.old or "",
                entry.new or "",
                entry.outcome,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        if not entries:
            self.table.setRowCount(1)
            self.table.setItem(0, 0, QTableWidgetItem(self.tr("No change made yet.")))
