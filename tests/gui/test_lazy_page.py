"""LazyPage: a tab's view is built once, when first asked for, and is shown with its page at once."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from panel.gui.lazy_page import LazyPage


def test_the_view_is_built_once_when_first_asked_for(qtbot: QtBot) -> None:
    builds: list[QWidget] = []

    def build(page: QWidget) -> QLabel:
        builds.append(page)
        return QLabel("built", page)

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("first"), "First")
    page: LazyPage[QLabel] = LazyPage(build)
    tabs.addTab(page, "Lazy")
    tabs.show()
    assert page.built is None and builds == []
    tabs.setCurrentWidget(page)
    view = page.view()
    assert page.view() is view and page.built is view
    assert builds == [page], "built once, inside its page"
    assert view.isVisible(), "shown with its page, not on the next turn of the event loop"


def test_a_scrolling_page_does_not_pass_its_views_minimum_on_to_the_window(qtbot: QtBot) -> None:
    def build(page: QWidget) -> QLabel:
        label = QLabel("tall", page)
        label.setMinimumSize(300, 2000)
        return label

    plain: LazyPage[QLabel] = LazyPage(build)
    scrolling: LazyPage[QLabel] = LazyPage(build, scrolls=True)
    for page in (plain, scrolling):
        qtbot.addWidget(page)
        page.show()
        assert page.view().isVisible(), "shown with its page, not on the next turn of the event loop"
    assert plain.minimumSizeHint().height() >= 2000
    assert scrolling.minimumSizeHint().height() < 500
