"""The diff view sets added and removed lines apart by weight as well as colour, in light and dark
palettes."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtWidgets import QPlainTextEdit

from panel.gui.diff_view import DARK_DIFF, LIGHT_DIFF, DiffView
from panel.gui.text_widgets import monospace_font

DIFF = (
    "--- docker.env\n+++ docker.env\n@@ -1,2 +1,2 @@\n"
    "-APPSMITH_DISABLE_TELEMETRY=false\n+APPSMITH_DISABLE_TELEMETRY=true\n KEEP=1"
)


def line_format(view: DiffView, number: int) -> QTextCharFormat:
    block = view.document().findBlockByNumber(number)
    ranges = block.layout().formats()
    if not ranges:
        return QTextCharFormat()
    first = ranges[0]
    return QTextCharFormat(first.format)


def palette(base: str, text: str) -> QPalette:
    colours = QPalette()
    colours.setColor(QPalette.ColorRole.Base, QColor(base))
    colours.setColor(QPalette.ColorRole.Text, QColor(text))
    return colours


@pytest.fixture
def view(qtbot) -> DiffView:
    widget = DiffView(name="Difference", text=DIFF)
    qtbot.addWidget(widget)
    return widget


def test_added_and_removed_lines_are_bold_and_coloured_apart(view) -> None:
    removed, added = line_format(view, 3), line_format(view, 4)
    assert removed.fontWeight() == QFont.Weight.Bold and added.fontWeight() == QFont.Weight.Bold
    assert removed.foreground().color() != added.foreground().color()
    for plain in (0, 1, 2, 5):  # file names, hunk header, unchanged line
        assert line_format(view, plain).fontWeight() != QFont.Weight.Bold, plain


def test_colours_follow_a_switch_between_light_and_dark(view) -> None:
    view.setPalette(palette("#ffffff", "#000000"))
    assert view.highlighter.colors == LIGHT_DIFF
    assert line_format(view, 4).foreground().color() == QColor(LIGHT_DIFF.added)
    view.setPalette(palette("#1e1e1e", "#e6e6e6"))
    assert view.highlighter.colors == DARK_DIFF
    assert line_format(view, 4).foreground().color() == QColor(DARK_DIFF.added)
    assert line_format(view, 3).foreground().color() == QColor(DARK_DIFF.removed)


def contrast(one: QColor, other: QColor) -> float:
    def luminance(colour: QColor) -> float:
        channels = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (colour.redF(), colour.greenF(), colour.blueF())
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("colours", "bases"), [(LIGHT_DIFF, ["#ffffff", "#f0f0f0"]), (DARK_DIFF, ["#1e1e1e", "#353535"])]
)
def test_colours_are_readable_on_their_base(colours, bases) -> None:
    for base in bases:
        for colour in (colours.added, colours.removed):
            assert contrast(QColor(colour), QColor(base)) >= 4.5, (colour, base)


def test_it_is_read_only_monospace_and_keyboard_reachable(view) -> None:
    assert view.isReadOnly() and view.tabChangesFocus()
    assert view.accessibleName() == "Difference"
    assert view.font().family() == monospace_font().family()
    assert view.lineWrapMode() is QPlainTextEdit.LineWrapMode.NoWrap
