"""A syntax highlighter whose colours follow a palette: light or dark, and again when the palette changes."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette, QSyntaxHighlighter, QTextDocument


class PaletteHighlighter(QSyntaxHighlighter):
    """Subclasses build their text formats from `self._palette` in `_build_formats`."""

    def __init__(self, parent: QTextDocument, palette: QPalette | None = None) -> None:
        super().__init__(parent)
        self._palette = QPalette(palette if palette is not None else QGuiApplication.palette())
        self._build_formats()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = QPalette(palette)
        self._build_formats()
        self.rehighlight()

    def _build_formats(self) -> None:
        raise NotImplementedError
