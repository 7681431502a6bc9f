"""The JSON colours read on light and dark themes, and "this deployment's value" is marked by more than
colour."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtWidgets import QPlainTextEdit

from panel.gui.json_highlighter import DARK_COLORS, LIGHT_COLORS, JsonHighlighter, Token, is_dark

TEXT = '{\n  "name": "analytics-java",\n  "count": 8,\n  "ok": true,\n  "gone": null\n}'


def palette(base: str, text: str) -> QPalette:
    result = QPalette()
    result.setColor(QPalette.ColorRole.Base, QColor(base))
    result.setColor(QPalette.ColorRole.Text, QColor(text))
    return result


LIGHT = ("#ffffff", "#000000")
DARK = ("#1e1e1e", "#e6e6e6")


def highlighted(qtbot, colors: tuple[str, str]) -> tuple[QPlainTextEdit, JsonHighlighter]:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setPalette(palette(*colors))
    highlighter = JsonHighlighter(edit.document(), edit.palette())
    edit.setPlainText(TEXT)
    return edit, highlighter


def formats_of_line(edit: QPlainTextEdit, line: int) -> list[tuple[str, QTextCharFormat]]:
    block = edit.document().findBlockByNumber(line)
    pieces = []
    for format_range in block.layout().formats():
        # Copy the format: the range owns it and goes away with the list.
        pieces.append(
            (
                block.text()[format_range.start : format_range.start + format_range.length],
                QTextCharFormat(format_range.format),
            )
        )
    return pieces


def color_of(edit: QPlainTextEdit, line: int, piece: str) -> str:
    for text, fmt in formats_of_line(edit, line):
        if text == piece:
            return fmt.foreground().color().name()
    raise AssertionError(f"{piece!r} not formatted on line {line}: {formats_of_line(edit, line)}")


@pytest.mark.parametrize(
    "colors, expected", [(LIGHT, LIGHT_COLORS), (DARK, DARK_COLORS)], ids=["light", "dark"]
)
def test_every_token_kind_gets_the_palette_colour(qtbot, colors, expected) -> None:
    edit, highlighter = highlighted(qtbot, colors)
    assert edit.document().firstBlock().next().layout().formats(), "a key line must carry formats"
    assert color_of(edit, 1, '"name"') == expected.key
    assert color_of(edit, 1, '"analytics-java"') == expected.string
    assert color_of(edit, 2, "8") == expected.number
    assert color_of(edit, 3, "true") == expected.literal
    assert color_of(edit, 4, "null") == expected.literal
    assert highlighter.colors == expected


def test_light_and_dark_palettes_give_different_colours(qtbot) -> None:
    light, _ = highlighted(qtbot, LIGHT)
    dark, _ = highlighted(qtbot, DARK)
    assert color_of(light, 1, '"name"') != color_of(dark, 1, '"name"')
    assert color_of(light, 1, '"analytics-java"') != color_of(dark, 1, '"analytics-java"')
    assert is_dark(palette(*DARK)) and not is_dark(palette(*LIGHT))


def test_set_palette_switches_colours_without_new_text(qtbot) -> None:
    edit, highlighter = highlighted(qtbot, LIGHT)
    highlighter.set_palette(palette(*DARK))
    assert color_of(edit, 1, '"name"') == DARK_COLORS.key


def test_colours_contrast_with_their_base() -> None:
    def luminance(name: str) -> float:
        color = QColor(name)
        channels = []
        for value in (color.redF(), color.greenF(), color.blueF()):
            channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for colors, base in ((LIGHT_COLORS, "#ffffff"), (DARK_COLORS, "#2b2b2b")):
        for token in Token:
            assert contrast(colors.of(token), base) >= 4.5, (token, colors.of(token), base)


def test_marked_lines_are_bold_and_underlined_not_just_coloured(qtbot) -> None:
    edit, highlighter = highlighted(qtbot, LIGHT)
    highlighter.set_marked_lines({2})
    assert highlighter.marked_lines() == {2}
    for text, fmt in formats_of_line(edit, 2):
        if text.strip():
            assert fmt.fontUnderline() and fmt.fontWeight() == QFont.Weight.Bold, text
    assert not any(text.isspace() and fmt.fontUnderline() for text, fmt in formats_of_line(edit, 2)), (
        "the indentation is not underlined"
    )
    for text, fmt in formats_of_line(edit, 1):
        assert not fmt.fontUnderline() and fmt.fontWeight() != QFont.Weight.Bold, text
    assert color_of(edit, 2, "8") == LIGHT_COLORS.number, "the mark keeps the token colour"

    highlighter.set_marked_lines(set())
    assert all(not fmt.fontUnderline() for _, fmt in formats_of_line(edit, 2))


def test_digits_and_words_inside_strings_stay_strings(qtbot) -> None:
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setPalette(palette(*LIGHT))
    JsonHighlighter(edit.document(), edit.palette())
    edit.setPlainText('  "version": "v1.9 true null \\"quoted\\"",')
    pieces = formats_of_line(edit, 0)
    assert [text for text, _ in pieces] == ['"version"', '"v1.9 true null \\"quoted\\""']
    assert pieces[1][1].foreground().color().name() == LIGHT_COLORS.string
