"""Text a person reads but does not edit: monospace views of commands and output, and labels that wrap.

Every dialog shows the same kinds of text (a command, a file's lines, a sentence that names a folder); built
here once, they select, scroll and take the keyboard alike everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSizePolicy, QWidget

from panel.core.printable import printable_lines

SELECT_WITH_MOUSE = Qt.TextInteractionFlag.TextSelectableByMouse
SELECT_WITH_ANY = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class MonospaceView(QPlainTextEdit):
    """Read-only monospace text without wrapping, selectable by mouse and keyboard; Tab leaves it.

    `lines` makes room for that many lines; `fixed` also stops it growing past them (a scroll bar shows the
    rest), for short texts such as commands that sit between other controls.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        name: str,
        text: str = "",
        lines: int | None = None,
        fixed: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTextInteractionFlags(SELECT_WITH_ANY)
        self.setAccessibleName(name)
        self.setTabChangesFocus(True)
        if text:
            self.setPlainText(text)
        if lines is not None:
            self.set_visible_lines(lines, fixed)

    def set_visible_lines(self, lines: int, fixed: bool = False) -> None:
        margin = int(self.document().documentMargin())
        height = self.fontMetrics().lineSpacing() * lines + 2 * (self.frameWidth() + margin) + 4
        self.setMinimumHeight(height)
        if fixed:
            self.setMaximumHeight(height + self.horizontalScrollBar().sizeHint().height())


def wrapping_label(
    text: str = "",
    parent: QWidget | None = None,
    *,
    name: str = "",
    select: Qt.TextInteractionFlag = Qt.TextInteractionFlag.NoTextInteraction,
    rich: bool = False,
) -> QLabel:
    """A label that wraps at the width it is given and stays as tall as its text, aligned to the top.

    Plain text unless `rich` (sentences carry folder and service names; their control characters are
    escaped); `select` is SELECT_WITH_MOUSE, SELECT_WITH_ANY or none.
    """
    label = QLabel(text if rich else printable_lines(text), parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextInteractionFlags(select)
    if name:
        label.setAccessibleName(name)
    return label


def bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = label.font()
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label
