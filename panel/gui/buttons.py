"""Buttons of dialogs that change something: none is the default, and Enter presses only the focused one.

Qt's own rule (QPushButton's `default`/`autoDefault`) presses a dialog's default button, or the next
auto-default one in the focus chain, when Enter is pressed anywhere, a text field included: one keypress
away from a change. Here buttons are neither default nor auto-default, and the dialog hands Enter to the
focused button itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def plain_button(text: str, name: str, parent: QWidget | None = None) -> QPushButton:
    """A button that Enter presses only while it has the focus."""
    button = QPushButton(text, parent)
    button.setAutoDefault(False)
    button.setDefault(False)
    button.setAccessibleName(name)
    return button


def clear_default_buttons(dialog: QWidget) -> None:
    """No button of `dialog` is the default or auto-default (call again after Qt adds buttons)."""
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)


def enter_presses_focused(dialog: QWidget, event: QKeyEvent) -> bool:
    """For a dialog's keyPressEvent: Enter clicks the dialog's focused enabled button and nothing else.

    True when the event was Enter (handled: the caller must not pass it on); False for any other key.
    """
    if event.key() not in ENTER_KEYS:
        return False
    focused = dialog.focusWidget()
    if isinstance(focused, QPushButton) and focused.isEnabled() and focused.isVisible():
        focused.animateClick()
        event.accept()
    else:
        event.ignore()
    return True
