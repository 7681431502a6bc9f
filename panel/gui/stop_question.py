"""The question before a cancel that leaves Appsmith down: once the container is removed, stopping means
Appsmith stays down until someone starts it, so Cancel and Esc ask first, and waiting is the answer Enter and
Esc give."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

_CONTEXT = "StopQuestion"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


class StopQuestion(QMessageBox):
    """ "Stop now?" with Keep waiting as the default and escape button, Stop now one deliberate press away."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(_tr("Stop now?"))
        self.setText(_tr("Stop now? Appsmith stays down until it is started."))
        self.setInformativeText(
            _tr(
                "The Appsmith container has been removed. If you stop now, nobody can use Appsmith until it "
                "is started again (with Start Appsmith in the main window). If you keep waiting, the panel "
                "starts it and checks it."
            )
        )
        self.keep_waiting: QPushButton = self.addButton(
            _tr("&Keep waiting"), QMessageBox.ButtonRole.RejectRole
        )
        self.stop_now: QPushButton = self.addButton(
            _tr("&Stop now, leave Appsmith down"), QMessageBox.ButtonRole.DestructiveRole
        )
        self.keep_waiting.setAccessibleName(_tr("Keep waiting"))
        self.stop_now.setAccessibleName(_tr("Stop now and leave Appsmith down"))
        self.stop_now.setAutoDefault(False)
        self.setDefaultButton(self.keep_waiting)
        self.setEscapeButton(self.keep_waiting)

    def stopped(self) -> bool:
        return self.clickedButton() is self.stop_now

    @classmethod
    def ask(cls, parent: QWidget | None) -> bool:
        """True when the user chose to stop and leave Appsmith down."""
        question = cls(parent)
        try:
            question.exec()
            return question.stopped()
        finally:
            question.deleteLater()
