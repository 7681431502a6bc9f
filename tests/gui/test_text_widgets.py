"""The shared text helpers: read-only monospace views and labels that wrap."""

from __future__ import annotations

from PySide6.QtCore import Qt

from panel.gui.text_widgets import SELECT_WITH_ANY, MonospaceView, bold, wrapping_label


def test_a_fixed_view_keeps_its_lines_and_a_free_one_may_grow(qtbot) -> None:
    fixed = MonospaceView(name="Commands", text="docker compose up -d", lines=3, fixed=True)
    free = MonospaceView(name="Output", lines=3)
    for view in (fixed, free):
        qtbot.addWidget(view)
        assert view.isReadOnly() and view.tabChangesFocus()
        assert view.minimumHeight() >= 3 * view.fontMetrics().lineSpacing()
        assert view.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert fixed.maximumHeight() < 10 * fixed.fontMetrics().lineSpacing()
    assert free.maximumHeight() > 1000
    assert fixed.toPlainText() == "docker compose up -d"


def test_a_wrapping_label_shows_control_characters_escaped(qtbot) -> None:
    label = wrapping_label("folder\x1b[31m red", name="Folder", select=SELECT_WITH_ANY)
    qtbot.addWidget(label)
    assert label.wordWrap() and label.textFormat() is Qt.TextFormat.PlainText
    assert "\x1b" not in label.text()
    assert label.accessibleName() == "Folder"
    assert label.textInteractionFlags() == SELECT_WITH_ANY


def test_a_rich_label_keeps_its_markup_and_bold_scales(qtbot) -> None:
    label = bold(wrapping_label("<b>Stops it.</b>", rich=True), 1.5)
    qtbot.addWidget(label)
    assert label.textFormat() is Qt.TextFormat.RichText and label.text() == "<b>Stops it.</b>"
    assert label.font().bold()
