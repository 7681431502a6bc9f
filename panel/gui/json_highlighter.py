"""Colours for the sample payloads, so a person can tell names from values at a glance.

Colour only eases reading here; nothing depends on it. The one thing that carries meaning, which lines hold
this deployment's own values, is shown by weight and underline, so it survives a monochrome screen or colour
blindness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QTextCharFormat,
    QTextDocument,
)

from panel.gui.palette_highlighter import PaletteHighlighter


class Token(Enum):
    """What a piece of pretty-printed JSON is."""

    KEY = "key"
    STRING = "string"
    NUMBER = "number"
    LITERAL = "literal"  # true, false, null


@dataclass(frozen=True)
class JsonColors:
    key: str
    string: str
    number: str
    literal: str

    def of(self, token: Token) -> str:
        return str(getattr(self, token.value))


# Pairs chosen for contrast above 4.5:1 against a typical light (white) and dark (#1e1e1e .. #353535) base.
LIGHT_COLORS = JsonColors(key="#0451a5", string="#a31515", number="#116644", literal="#7a3e9d")
DARK_COLORS = JsonColors(key="#9cdcfe", string="#ce9178", number="#b5cea8", literal="#c586c0")

# One pass over a line: a string followed by a colon is a key; everything else is a value token.
_TOKENS = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")(?P<colon>\s*:)?'
    r"|(?P<number>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
)


def is_dark(palette: QPalette) -> bool:
    """Whether text is drawn on a dark background, judged from the palette's Base colour like the text widgets
    do."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def colors_for(palette: QPalette) -> JsonColors:
    return DARK_COLORS if is_dark(palette) else LIGHT_COLORS


class JsonHighlighter(PaletteHighlighter):
    """Highlights JSON as `json.dumps(..., indent=2)` prints it: one value per line, strings never spanning
    lines.

    Pass the palette of the widget showing the document, and call `set_palette` again when it changes, so the
    colours follow a switch between light and dark themes.
    """

    def __init__(self, parent: QTextDocument, palette: QPalette | None = None) -> None:
        super().__init__(parent, palette)
        self._marked: frozenset[int] = frozenset()

    @property
    def colors(self) -> JsonColors:
        return colors_for(self._palette)

    def marked_lines(self) -> frozenset[int]:
        return self._marked

    def set_marked_lines(self, lines: set[int] | frozenset[int]) -> None:
        """Lines (0-based block numbers) to show bold and underlined: those holding this deployment's own
        values."""
        marked = frozenset(lines)
        if marked != self._marked:
            self._marked = marked
            self.rehighlight()

    def format_for(self, token: Token, marked: bool = False) -> QTextCharFormat:
        fmt = QTextCharFormat(self._formats[token])
        if marked:
            _mark(fmt)
        return fmt

    def _build_formats(self) -> None:
        colors = self.colors
        self._formats = {}
        for token in Token:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colors.of(token)))
            self._formats[token] = fmt

    def highlightBlock(self, text: str) -> None:
        marked = self.currentBlock().blockNumber() in self._marked
        if marked:
            whole = QTextCharFormat()
            _mark(whole)
            indent = len(text) - len(text.lstrip())
            self.setFormat(indent, len(text) - indent, whole)
        for match in _TOKENS.finditer(text):
            if match.group("string") is not None:
                token = Token.KEY if match.group("colon") else Token.STRING
                start, end = match.span("string")
            elif match.group("number") is not None:
                token = Token.NUMBER
                start, end = match.span("number")
            else:
                token = Token.LITERAL
                start, end = match.span("literal")
            self.setFormat(start, end - start, self.format_for(token, marked))


def _mark(fmt: QTextCharFormat) -> None:
    fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontUnderline(True)
