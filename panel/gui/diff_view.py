"""A unified diff a person can read at a glance: added lines green, removed lines red, both bold.

Colour only eases reading: the leading "+" / "-" says which is which, and weight sets both apart from the
unchanged lines, so nothing is lost on a monochrome screen or to colour blindness. The colours follow the
palette, so they stay readable on a dark theme too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QTextCharFormat,
)
from PySide6.QtWidgets import QWidget

from panel.gui.json_highlighter import is_dark
from panel.gui.palette_highlighter import PaletteHighlighter
from panel.gui.text_widgets import MonospaceView


@dataclass(frozen=True)
class DiffColors:
    added: str
    removed: str


# Contrast above 4.5:1 against a white base and against dark bases (#1e1e1e .. #353535).
LIGHT_DIFF = DiffColors(added="#116329", removed="#a40e26")
DARK_DIFF = DiffColors(added="#7ee787", removed="#ff9492")


def diff_colors_for(palette: QPalette) -> DiffColors:
    return DARK_DIFF if is_dark(palette) else LIGHT_DIFF


class DiffHighlighter(PaletteHighlighter):
    """Marks the added and removed lines of a unified diff; the "+++" / "---" file names stay plain."""

    @property
    def colors(self) -> DiffColors:
        return diff_colors_for(self._palette)

    def _build_formats(self) -> None:
        colors = self.colors
        self.added, self.removed = QTextCharFormat(), QTextCharFormat()
        for fmt, color in ((self.added, colors.added), (self.removed, colors.removed)):
            fmt.setForeground(QColor(color))
            fmt.setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")):
            return
        if text.startswith("+"):
            self.setFormat(0, len(text), self.added)
        elif text.startswith("-"):
            self.setFormat(0, len(text), self.removed)


class DiffView(MonospaceView):
    """A read-only monospace view of a unified diff (or of a sentence standing in for one), highlighted."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        name: str,
        text: str = "",
        lines: int | None = None,
        fixed: bool = False,
    ) -> None:
        super().__init__(parent, name=name, lines=lines, fixed=fixed)
        self.highlighter = DiffHighlighter(self.document(), self.palette())
        if text:
            self.setPlainText(text)

    def changeEvent(self, event: QEvent) -> None:
        """Recolour when the palette changes (a switch between light and dark themes)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.palette())
