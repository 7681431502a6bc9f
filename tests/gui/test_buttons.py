"""Buttons of changing dialogs: no default, and Enter presses only the focused button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout
from pytestqt.qtbot import QtBot

from panel.gui.buttons import clear_default_buttons, enter_presses_focused, plain_button


class ChangingDialog(QDialog):
    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit(self)
        self.apply = plain_button("&Apply", "Apply", self)
        self.cancel = plain_button("&Cancel", "Cancel", self)
        self.pressed: list[str] = []
        self.apply.clicked.connect(lambda: self.pressed.append("apply"))
        self.cancel.clicked.connect(lambda: self.pressed.append("cancel"))
        layout = QVBoxLayout(self)
        for widget in (self.field, self.apply, self.cancel):
            layout.addWidget(widget)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if enter_presses_focused(self, event):
            return
        super().keyPressEvent(event)


def test_enter_in_a_field_presses_nothing_and_on_a_button_presses_that_one(qtbot: QtBot) -> None:
    dialog = ChangingDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not any(button.isDefault() or button.autoDefault() for button in (dialog.apply, dialog.cancel))
    dialog.field.setFocus()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert dialog.pressed == []
    dialog.cancel.setFocus()
    qtbot.keyClick(dialog.cancel, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: dialog.pressed == ["cancel"], timeout=2000)


def test_clear_default_buttons_takes_the_default_away(qtbot: QtBot) -> None:
    dialog = ChangingDialog()
    qtbot.addWidget(dialog)
    dialog.apply.setAutoDefault(True)
    dialog.apply.setDefault(True)
    clear_default_buttons(dialog)
    assert not dialog.apply.isDefault() and not dialog.apply.autoDefault()
