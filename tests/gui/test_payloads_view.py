"""The "What is sent" view shows the catalog truthfully: every event, its JSON, each field, the hash that
would leave."""

from __future__ import annotations

import hashlib
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from panel.core.payloads import (
    LocalFacts,
    PayloadSample,
    Source,
    fill_sample,
    leaf_paths,
    load_catalog,
    to_json_text,
)
from panel.gui.json_highlighter import DARK_COLORS, LIGHT_COLORS
from panel.gui.payloads_view import (
    SAMPLE_ID_ROLE,
    WHEN_MIN_CHARS,
    FieldColumn,
    PayloadPreviewDialog,
    PayloadsList,
    PayloadsView,
    TreeColumn,
    how_often,
    json_leaf_lines,
)

CATALOG = load_catalog()
SAMPLE_IDS = [sample.id for sample in CATALOG.samples]
OPS_HASH = hashlib.sha256(b"ops@example.com").hexdigest()


def sample_of(sample_id: str) -> PayloadSample:
    sample = CATALOG.get(sample_id)
    assert sample is not None, sample_id
    return sample


SOURCE_LABELS = {
    Source.INSTALLER: "Installer",
    Source.SERVER: "Appsmith server",
    Source.CLIENT: "Browser client",
}


@pytest.fixture
def view(qtbot) -> PayloadsView:
    widget = PayloadsView()
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    return widget


@pytest.fixture
def list_view(qtbot) -> PayloadsList:
    widget = PayloadsList()
    qtbot.addWidget(widget)
    return widget


def shown_json(view: PayloadsView) -> dict:
    assert view.json_view is not None
    return json.loads(view.json_view.toPlainText())


def table_rows(view: PayloadsView) -> dict[str, dict[int, str]]:
    table = view.fields_table
    assert table is not None
    rows: dict[str, dict[int, str]] = {}
    for row in range(table.rowCount()):
        cells = {}
        for column in range(table.columnCount()):
            item = table.item(row, column)
            assert item is not None, (row, column)
            cells[column] = item.text()
        rows[cells[FieldColumn.PATH]] = cells
    return rows


def event_items(tree: QTreeWidget) -> dict[str, tuple[str, QTreeWidgetItem]]:
    """Sample id -> (group heading text, item)."""
    items = {}
    for group in top_level_items(tree):
        for child_index in range(group.childCount()):
            child = group.child(child_index)
            assert child is not None
            items[str(child.data(TreeColumn.EVENT, SAMPLE_ID_ROLE))] = (group.text(TreeColumn.EVENT), child)
    return items


def top_level_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = [tree.topLevelItem(index) for index in range(tree.topLevelItemCount())]
    return [item for item in items if item is not None]


# --- the grouped list
# -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [PayloadsView, PayloadsList], ids=["full", "list"])
def test_every_event_is_listed_under_its_sender_with_what_the_switch_does(qtbot, kind) -> None:
    widget = kind()
    qtbot.addWidget(widget)
    tree = widget.tree
    groups = [group.text(TreeColumn.EVENT) for group in top_level_items(tree)]
    assert groups == ["Appsmith server", "Browser client", "Installer"], "what this instance sends first"
    expanded = {group.text(TreeColumn.EVENT): group.isExpanded() for group in top_level_items(tree)}
    assert expanded == {"Appsmith server": True, "Browser client": True, "Installer": False}

    items = event_items(tree)
    assert sorted(items) == sorted(SAMPLE_IDS)
    for sample in CATALOG.samples:
        group, item = items[sample.id]
        assert group == SOURCE_LABELS[sample.source]
        assert item.text(TreeColumn.EVENT) == sample.event
        assert item.text(TreeColumn.WHEN) and sample.when.startswith(item.text(TreeColumn.WHEN))
        assert item.toolTip(TreeColumn.WHEN) == sample.when
        expected = "Stops it" if sample.stopped_by_switch else "Sent anyway"
        assert item.text(TreeColumn.SWITCH) == expected
        assert not item.icon(TreeColumn.SWITCH).isNull(), "state in words and icon, never colour alone"
        assert item.toolTip(TreeColumn.SWITCH) == sample.switch_note


def test_installer_events_are_sent_anyway_and_later_ones_stopped() -> None:
    # The catalog's own claim, checked here so the view's wording test above cannot pass on an all-"Stops it"
    # list.
    assert {s.stopped_by_switch for s in CATALOG.by_source(Source.INSTALLER)} == {False}
    later = {s.id: s.stopped_by_switch for s in CATALOG.samples if s.source != Source.INSTALLER}
    # TELEMETRY_DISABLED is the admin's browser reporting the switch itself, so the switch cannot stop it.
    assert {sample_id for sample_id, stopped in later.items() if not stopped} == {"telemetry-disabled"}


def test_how_often_keeps_the_head_of_the_sentence() -> None:
    assert (
        how_often("Every 6 hours while the server runs, the first about two minutes after it starts.")
        == "Every 6 hours while the server runs"
    )
    assert how_often("When it exits with an error: it asks for an email.") == "When it exits with an error"
    assert how_often("Once.") == "Once"


def test_the_servers_keep_alive_is_selected_at_start(view) -> None:
    first = CATALOG.by_source(Source.SERVER)[0]
    assert first.id == "instance-active" and first.when.startswith("Every 6 hours")
    assert view.current_sample_id() == first.id
    assert view.tree.currentItem().text(TreeColumn.EVENT) == first.event
    assert shown_json(view) == fill_sample(first, LocalFacts()).payload


@pytest.mark.parametrize("kind", [PayloadsView, PayloadsList], ids=["full", "list"])
def test_what_is_sent_anyway_is_listed_in_plain_words(qtbot, kind) -> None:
    widget = kind()
    qtbot.addWidget(widget)
    text = widget.always_sent.toPlainText()
    assert "Turning telemetry off does not make Appsmith silent" in text
    for entry in CATALOG.always_sent:
        for part in (entry.name, entry.sender, entry.when, entry.note):
            assert part in text


# --- one event in detail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_selecting_an_event_shows_its_json_header_and_fields(view, qtbot, sample_id) -> None:
    sample = sample_of(sample_id)
    _, item = event_items(view.tree)[sample_id]
    if view.current_sample_id() == sample_id:
        view.select_sample(SAMPLE_IDS[-1] if sample_id == SAMPLE_IDS[0] else SAMPLE_IDS[0])
    with qtbot.waitSignal(view.selection_changed, check_params_cb=lambda value: value == sample_id):
        view.tree.setCurrentItem(item)

    assert shown_json(view) == fill_sample(sample, LocalFacts()).payload
    assert view.json_view.toPlainText() == to_json_text(sample.sample), (
        "indented, in the sample's own key order"
    )
    assert view.detail.title_label.text() == sample.event
    assert view.detail.sender_label.text() == sample.sender
    assert view.detail.when_label.text() == sample.when
    assert ("Stops it." if sample.stopped_by_switch else "Sent anyway.") in view.detail.switch_label.text()
    origin_word = {"documented": "Documented", "derived": "Derived", "reconstructed": "Reconstructed"}
    assert f"<b>{origin_word[sample.origin_kind]}</b>" in view.detail.origin_label.text()

    rows = table_rows(view)
    assert list(rows) == [note.path for note in sample.fields]
    for note in sample.fields:
        assert rows[note.path][FieldColumn.NOTE] == note.note
        assert rows[note.path][FieldColumn.HASHED] == ("Yes" if note.hashed else "No")
        assert rows[note.path][FieldColumn.VALUE] == "example"
    assert view.highlighter.marked_lines() == frozenset()


def test_selecting_a_group_heading_keeps_the_event_shown(view, qtbot) -> None:
    view.select_sample("instance-stats")
    with qtbot.assertNotEmitted(view.selection_changed):
        view.tree.setCurrentItem(view.tree.topLevelItem(0))
    assert view.current_sample_id() == "instance-stats"
    assert shown_json(view)["event"] == "instance_stats"


def test_select_sample_refuses_unknown_ids(view) -> None:
    before = view.current_sample_id()
    assert view.select_sample("no-such-event") is False
    assert view.current_sample_id() == before


def test_picking_a_field_row_moves_the_json_cursor_to_its_line(view) -> None:
    view.select_sample("execute-action-triggered")
    table = view.fields_table
    row = next(
        index
        for index in range(table.rowCount())
        if table.item(index, FieldColumn.PATH).text() == "properties.pluginName"
    )
    table.setCurrentCell(row, FieldColumn.PATH)
    assert '"pluginName": "PostgreSQL"' in view.json_view.textCursor().block().text()


# --- this deployment's values
# ---------------------------------------------------------------------------------------


def test_typing_an_email_shows_the_exact_hash_that_would_leave(view, qtbot) -> None:
    view.select_sample("execute-action-triggered")
    sample = sample_of("execute-action-triggered")
    hashed_paths = [note.path for note in sample.fields if note.local == "email_sha256"]
    assert hashed_paths == ["properties.username", "userId"]

    view.email_edit.setFocus()
    qtbot.keyClicks(view.email_edit, "Ops@Example.com ")

    assert view.detail.hash_label.text() == f"SHA-256: {OPS_HASH}"
    payload = shown_json(view)
    assert payload["properties"]["username"] == OPS_HASH
    assert payload["userId"] == OPS_HASH
    assert payload == fill_sample(sample, LocalFacts(email="Ops@Example.com ")).payload
    rows = table_rows(view)
    for path in hashed_paths:
        assert rows[path][FieldColumn.VALUE] == "this deployment"
        assert rows[path][FieldColumn.HASHED] == "Yes"
    assert rows["properties.appName"][FieldColumn.VALUE] == "example"
    assert "pseudonymous, not anonymous" in view.detail.email_note.text()
    assert "in place of it (properties.username, userId)" in view.detail.email_note.text()
    assert "Bold, underlined" in view.detail.values_legend.text()

    lines = view.json_view.toPlainText().splitlines()
    marked = view.highlighter.marked_lines()
    assert {index for index, line in enumerate(lines) if OPS_HASH in line} == marked


def test_the_email_follows_the_selection_and_clearing_it_restores_the_example(view, qtbot) -> None:
    view.email_edit.setText("Ops@Example.com")
    view.select_sample("applications-page-load")
    assert shown_json(view)["userId"] == OPS_HASH
    view.email_edit.clear()
    assert shown_json(view)["userId"] == sample_of("applications-page-load").sample["userId"]
    assert view.detail.hash_label.text() == "SHA-256: (no email typed)"
    assert "Type an email below" in view.detail.values_legend.text()
    assert view.highlighter.marked_lines() == frozenset()


def test_installation_support_says_the_email_leaves_in_plain_text(view) -> None:
    view.select_sample("installation-support")
    view.email_edit.setText("Ops@Example.com ")
    assert shown_json(view)["data"]["email"] == "ops@example.com"
    assert "in plain text, not hashed (data.email)" in view.detail.email_note.text()


def test_an_event_without_the_email_says_so(view) -> None:
    view.select_sample("instance-stats")
    view.email_edit.setText("ops@example.com")
    assert OPS_HASH not in view.json_view.toPlainText()
    assert "neither the email nor its hash" in view.detail.email_note.text()
    assert "properties.adminEmailDomainHash" in view.detail.email_note.text()


def test_set_facts_fills_what_the_catalog_marks_local_and_calls_the_rest_examples(view) -> None:
    view.select_sample("instance-stats")
    sample = sample_of("instance-stats")
    view.set_facts(LocalFacts(edition="EE", version="v1.40.0"))

    payload = shown_json(view)
    assert payload["properties"]["edition"] == "EE"
    assert payload["properties"]["version"] == "v1.40.0"
    assert payload == fill_sample(sample, LocalFacts(edition="EE", version="v1.40.0")).payload
    rows = table_rows(view)
    for note in sample.fields:
        expected = "this deployment" if note.local in {"edition", "version"} else "example"
        assert rows[note.path][FieldColumn.VALUE] == expected, note.path
    assert rows["properties.instanceId"][FieldColumn.VALUE] == "example", "instance id is unknown here"
    own_row = list(rows).index("properties.edition")
    assert view.fields_table.item(own_row, FieldColumn.VALUE).font().bold(), (
        "marked by weight as well as words"
    )

    lines = view.json_view.toPlainText().splitlines()
    marked = {
        index for index, line in enumerate(lines) if line.strip().startswith(('"edition"', '"version"'))
    }
    assert view.highlighter.marked_lines() == marked
    assert "(2)" in view.detail.values_legend.text()


def test_set_facts_with_an_instance_id_and_email_fills_those_too(view) -> None:
    view.select_sample("execute-action-triggered")
    view.set_facts(LocalFacts(instance_id="65f1c0ffee", email="Ops@Example.com"))
    payload = shown_json(view)
    assert payload["properties"]["instanceId"] == "65f1c0ffee"
    assert payload["userId"] == OPS_HASH
    assert view.email_edit.text() == "Ops@Example.com"
    assert view.facts() == LocalFacts(instance_id="65f1c0ffee", email="Ops@Example.com")


def test_facts_stay_when_another_event_is_picked(view) -> None:
    view.set_facts(LocalFacts(edition="CE", version="v1.9.56", instance_id="abc"))
    view.select_sample("instance-active")
    assert shown_json(view)["properties"]["instanceId"] == "abc"
    view.select_sample("instance-stats")
    assert shown_json(view)["userId"] == "abc"


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_json_leaf_lines_point_at_each_leaf(sample_id) -> None:
    sample = sample_of(sample_id)
    payload = fill_sample(
        sample, LocalFacts(edition="EE", version="v1", instance_id="i", email="a@b.c")
    ).payload
    lines = to_json_text(payload).splitlines()
    spans = json_leaf_lines(payload)
    assert list(spans) == list(leaf_paths(payload))
    for path, (first, last) in spans.items():
        key = path.rsplit(".", 1)[-1]
        assert lines[first].lstrip().startswith(f'"{key}":'), (path, lines[first])
        assert first <= last
        if last > first:
            assert lines[last].strip().rstrip(",") in {"]", "}"}


def test_json_leaf_lines_handle_lists_and_empty_objects() -> None:
    payload = {"a": {"b": [1, 2], "c": {}}, "d": []}
    assert json_leaf_lines(payload) == {"a.b": (2, 5), "a.c": (6, 6), "d": (8, 8)}


# --- the list alone, accessibility, palette
# --------------------------------------------------------------------------------


def test_the_list_alone_has_no_json_pane(list_view, qtbot) -> None:
    assert list_view.findChildren(QPlainTextEdit) == []
    assert list_view.findChildren(QTableWidget) == []
    assert list_view.findChildren(QLineEdit) == []
    assert list_view.current_sample_id() == "instance-active"
    with qtbot.waitSignal(
        list_view.selection_changed, check_params_cb=lambda value: value == "instance-stats"
    ):
        assert list_view.select_sample("instance-stats")
    assert list_view.current_sample_id() == "instance-stats"
    assert not list_view.select_sample("no-such-event")


@pytest.mark.parametrize("kind", [PayloadsView, PayloadsList], ids=["full", "list"])
def test_every_control_has_an_accessible_name(qtbot, kind) -> None:
    widget = kind()
    qtbot.addWidget(widget)
    controls = [
        child
        for child in widget.findChildren(QWidget)
        if isinstance(child, QTreeWidget | QPlainTextEdit | QTableWidget | QLineEdit | QTextBrowser)
    ]
    assert len(controls) == (2 if kind is PayloadsList else 7)  # the raw view and the Sources list
    for control in controls:
        assert control.accessibleName(), control.objectName()
    labels = [label for label in widget.findChildren(QLabel) if label.wordWrap()]
    for label in labels:
        assert label.accessibleName(), label.text()


# The offscreen platform warns that it cannot pass size hints to a window manager when a top-level window
# shows.
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_tab_walks_tree_json_table_email(view, qtbot) -> None:
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.tree.setFocus()
    qtbot.waitUntil(lambda: view.tree.hasFocus())
    order = [
        view.detail.raw_button,
        view.detail.preview_button,
        view.json_view,
        view.fields_table,
        view.email_edit,
        view.always_sent,
    ]
    for expected in order:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda expected=expected: QApplication.focusWidget() is expected)


def test_a_palette_change_recolours_the_json(view) -> None:
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    light = QPalette(view.palette())
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))

    view.setPalette(light)
    assert view.highlighter.colors == LIGHT_COLORS
    view.setPalette(dark)
    assert view.highlighter.colors == DARK_COLORS
    block = view.json_view.document().findBlockByNumber(1)
    first_range = block.layout().formats()[0]
    assert first_range.format.foreground().color().name() == DARK_COLORS.key


def test_at_its_narrowest_the_when_column_stays_readable_and_rows_one_line_tall(list_view, qtbot) -> None:
    list_view.resize(200, 500)  # narrower than it may be: it keeps its minimum
    list_view.show()
    qtbot.waitExposed(list_view)
    tree = list_view.tree
    assert list_view.width() >= tree.minimumWidth() > 200
    chars = tree.fontMetrics().averageCharWidth()
    assert tree.header().sectionSize(TreeColumn.WHEN) >= WHEN_MIN_CHARS * chars, "not one character wide"
    assert tree.header().length() <= tree.viewport().width(), "every column fits: no sideways scrolling"
    for _, item in event_items(tree).values():
        if not item.isHidden() and item.parent().isExpanded():
            assert tree.visualItemRect(item).height() < 2 * tree.fontMetrics().lineSpacing(), item.text(0)


def test_selecting_an_installer_event_opens_its_collapsed_group(view) -> None:
    installer = CATALOG.by_source(Source.INSTALLER)[0]
    assert view.select_sample(installer.id)
    assert view.tree.currentItem().parent().isExpanded()
    assert shown_json(view) == fill_sample(installer, LocalFacts()).payload


# --- raw data, the large preview, room to read
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_show_raw_data_is_the_exact_json_monospace_and_copyable(view, sample_id) -> None:
    view.set_facts(LocalFacts(edition="EE", version="v1.9", email="ops@example.com"))
    assert view.select_sample(sample_id)
    detail = view.detail
    assert not detail.raw_shown()
    detail.raw_button.click()
    assert detail.raw_shown() and detail.pages.currentWidget().isAncestorOf(detail.raw_view)
    expected = fill_sample(sample_of(sample_id), view.facts()).payload
    assert detail.raw_view.toPlainText() == to_json_text(expected)
    assert json.loads(detail.raw_view.toPlainText()) == expected
    assert detail.raw_view.font().fixedPitch() or detail.raw_view.fontInfo().fixedPitch()
    assert detail.raw_view.isReadOnly()
    detail.copy_button.click()
    assert QApplication.clipboard().text() == to_json_text(expected)
    detail.raw_button.click()
    assert not detail.raw_shown()


def test_the_raw_data_follows_the_selection_and_the_email(view) -> None:
    view.detail.raw_button.click()
    assert view.select_sample("execute-action-triggered")
    view.email_edit.setText("Ops@Example.com")
    assert json.loads(view.detail.raw_view.toPlainText())["userId"] == OPS_HASH


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_large_preview_shows_the_same_event_big(view, qtbot) -> None:
    view.set_facts(LocalFacts(edition="CE", version="v1.50"))
    assert view.select_sample("instance-stats")
    view.show()
    qtbot.waitExposed(view)
    view.detail.preview_button.click()
    [dialog] = [
        widget for widget in QApplication.topLevelWidgets() if isinstance(widget, PayloadPreviewDialog)
    ]
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.detail.current_sample().id == "instance-stats"
    assert dialog.detail.filled_payload() == view.filled_payload()
    assert not dialog.detail.preview_button.isVisibleTo(dialog), "no preview inside the preview"
    screen = dialog.screen().availableGeometry()
    assert dialog.width() >= 0.8 * screen.width() and dialog.height() >= 0.8 * screen.height()
    dialog.close()


def test_the_detail_stacks_sections_a_new_one_can_join(view) -> None:
    sections = view.detail.sections
    assert sections.direction() == QBoxLayout.Direction.TopToBottom
    extra = QLabel("another section")
    sections.addWidget(extra)
    assert view.detail.isAncestorOf(extra)


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("size", [(780, 240), (1380, 640)], ids=["800x500 window", "1400x900 window"])
def test_the_view_fits_a_small_and_a_large_window(qtbot, size) -> None:
    """The tab's own size in an 800x500 and a 1400x900 main window: nothing scrolls sideways, the JSON has
    room for at least 8 lines, and at the larger size the list shows every expanded event."""
    widget = PayloadsView()
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.width() == size[0], "its minimum fits the small window"
    sideways = widget.detail_scroll.horizontalScrollBar()
    qtbot.waitUntil(lambda: not sideways.isVisible() and sideways.maximum() == 0, timeout=3000)
    assert widget.json_view.height() >= 8 * widget.json_view.fontMetrics().lineSpacing()
    tree = widget.tree
    assert (
        tree.header().sectionSize(TreeColumn.WHEN) >= WHEN_MIN_CHARS * tree.fontMetrics().averageCharWidth()
    )
    if size[0] > 1000:
        assert not tree.verticalScrollBar().isVisible(), "every expanded row shows"
