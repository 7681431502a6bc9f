"""Tests for the Sources details list: the event's and the picked field's citations, folded until asked for,
each opening its file at its commit."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from panel.core.payloads import Citation, load_catalog
from panel.gui.payloads_view import PayloadsView
from panel.gui.sources_view import LINK_ROLE, SourceColumn, SourcesView, sources_html

CATALOG = load_catalog()


def rows(view: SourcesView) -> dict[str, list[list[str]]]:
    """Group heading -> the rows under it, as the cells' text."""
    grouped: dict[str, list[list[str]]] = {}
    for index in range(view.tree.topLevelItemCount()):
        group = view.tree.topLevelItem(index)
        assert group is not None
        grouped[group.text(0)] = [
            [group.child(row).text(column) for column in SourceColumn] for row in range(group.childCount())
        ]
    return grouped


def first_row(view: SourcesView) -> QTreeWidgetItem:
    group = view.tree.topLevelItem(0)
    assert group is not None and group.childCount()
    child = group.child(0)
    assert child is not None
    return child


@pytest.fixture
def sources(qtbot: QtBot) -> SourcesView:
    widget = SourcesView()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def payloads(qtbot: QtBot) -> PayloadsView:
    widget = PayloadsView()
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    return widget


def test_folded_until_asked_and_counts_what_it_holds(sources: SourcesView) -> None:
    stats = CATALOG.get("instance-stats")
    assert stats is not None
    sources.show_citations(stats.citations)
    assert not sources.is_expanded() and not sources.tree.isVisible()
    assert sources.toggle.text() == f"Sources ({len(stats.citations)})"
    sources.toggle.click()
    assert sources.is_expanded() and sources.tree.isVisible()
    assert sources.toggle.arrowType() == Qt.ArrowType.DownArrow
    sources.set_expanded(False)
    assert not sources.tree.isVisible()


def test_each_row_names_file_commit_date_and_versions(sources: SourcesView) -> None:
    sample = CATALOG.get("installation-started")
    assert sample is not None
    sources.show_citations(sample.citations)
    listed = rows(sources)
    assert list(listed) == ["This event"]
    expected = [
        [c.path.rsplit("/", 1)[-1] if c.path else str(c.url), c.commit or "", c.date, c.versions]
        for c in sample.citations
    ]
    assert listed["This event"] == expected
    assert ["install.sh", "8edb278b75", "2021-08-11"] == listed["This event"][0][:3]
    item = first_row(sources)
    assert "appsmithorg/appsmith deploy/install.sh" in item.toolTip(SourceColumn.FILE)
    assert item.data(SourceColumn.FILE, LINK_ROLE) == (
        "https://github.com/appsmithorg/appsmith/blob/8edb278b75/deploy/install.sh"
    )


def test_a_docs_page_shows_its_address(sources: SourcesView) -> None:
    page = Citation("p", None, None, None, "2020-11-04", "v1.2", url="https://docs.appsmith.com/x")
    sources.show_citations((page,))
    assert rows(sources)["This event"] == [
        ["https://docs.appsmith.com/x", "(docs page)", "2020-11-04", "v1.2"]
    ]


def test_field_sources_get_their_own_group_and_shared_ones_count_once(sources: SourcesView) -> None:
    stats = CATALOG.get("instance-stats")
    assert stats is not None
    note = stats.field("properties.version")
    assert note is not None
    sources.show_citations(stats.citations, note.path, note.citations)
    listed = rows(sources)
    assert list(listed) == ["This event", "Field properties.version"]
    assert [row[1] for row in listed["Field properties.version"]] == ["3f0c8dccdf"]
    assert sources.citations_shown() == tuple(dict.fromkeys([*stats.citations, *note.citations]))


def test_enter_and_the_button_open_the_link(
    sources: SourcesView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url).toString()))
    sample = CATALOG.get("instance-active")
    assert sample is not None
    sources.show_citations(sample.citations)
    sources.set_expanded(True)
    assert not sources.open_button.isEnabled(), "nothing picked yet"
    item = first_row(sources)
    sources.tree.setCurrentItem(item)
    assert sources.open_button.isEnabled()
    sources.open_button.click()
    sources.tree.setFocus()
    qtbot.keyClick(sources.tree, Qt.Key.Key_Return)
    assert opened == [sample.citations[0].link] * 2


def test_the_payload_detail_lists_the_event_then_the_picked_field(payloads: PayloadsView) -> None:
    payloads.select_sample("installation-setup-complete")
    detail_sources = payloads.detail.sources_view
    sample = CATALOG.get("installation-setup-complete")
    assert sample is not None
    assert detail_sources.citations_shown() == sample.citations
    row = [note.path for note in sample.fields].index("properties.email")
    payloads.detail.fields_table.setCurrentCell(row, 0)
    email_note = sample.fields[row]
    assert list(rows(detail_sources)) == ["This event", "Field properties.email"]
    assert any(c.commit == "bf5d73a020" for c in detail_sources.citations_shown())
    assert set(detail_sources.citations_shown()) == set(sample.citations) | set(email_note.citations)
    payloads.select_sample("telemetry-disabled")
    assert list(rows(detail_sources)) == ["This event"]


def test_sources_html_links_each_citation_escaped() -> None:
    file_cite = CATALOG.citations["entrypoint-21620"]
    page = Citation("p", None, None, None, "2024", "docs <2024>", url="https://docs.appsmith.com/a?b=1&c=2")
    text = sources_html((file_cite, page), "Sources")
    assert text.startswith("<br><small>Sources: ")
    assert (
        '<a href="https://github.com/appsmithorg/appsmith/blob/6d65f4a7f1/deploy/docker/entrypoint.sh">'
        "entrypoint.sh @ 6d65f4a7f1</a> (2023-03-21; v1.9.14 onward)"
    ) in text
    assert 'href="https://docs.appsmith.com/a?b=1&amp;c=2"' in text and "docs &lt;2024&gt;" in text
    assert sources_html(()) == ""


def test_the_always_sent_box_links_every_entry_to_its_sources(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    # Patched before the view exists, so the box's link handler is the recording one.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url).toString()))
    view = PayloadsView()
    qtbot.addWidget(view)
    box = view.always_sent
    anchors = set(re.findall(r'href="([^"]+)"', box.toHtml()))
    expected = {c.link for entry in CATALOG.always_sent for c in entry.citations}
    assert expected <= anchors
    box.anchorClicked.emit(QUrl(sorted(expected)[0]))
    assert opened == [sorted(expected)[0]]
