"""BlockDialog: the review says what each host carries and what stops, shows the masked diff, changes
nothing until asked; a refusal writes nothing; written and removed, the folder is as it was."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from panel.core.block_apply import BlockOutcome
from panel.core.deployment import load_deployment
from panel.core.egress_block import DEFAULT_OVERRIDE
from panel.gui.block_dialog import BlockDialog, Page, prepare
from tests.conftest import assert_no_secret, write_legacy_deployment
from tests.gui.conftest import DEMO_SECRETS, DemoFixture, all_widget_text

RUN_MS = 30000


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _dialog(qtbot: QtBot, folder: Path, hosts: tuple[str, ...], block: bool) -> BlockDialog:
    deployment = load_deployment(folder)
    dialog = BlockDialog(deployment, block, prepare(deployment, hosts, block), None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_review_then_write_only_then_unblock(qtbot: QtBot, single_deployment: Path) -> None:
    before = _files(single_deployment)
    dialog = _dialog(qtbot, single_deployment, ("api.segment.io", "cs.appsmith.com"), True)
    assert dialog.pages.currentIndex() == Page.REVIEW
    text = all_widget_text(dialog)
    assert "Enterprise Edition licensing breaks" in text and "browser's own analytics" in text
    assert '+      - "cs.appsmith.com:0.0.0.0"' in dialog.diff_view.toPlainText()
    # no container from this folder (or no docker): recreating is not offered, writing is
    qtbot.waitUntil(dialog.button_note.isVisible, timeout=RUN_MS)
    assert not dialog.apply_now_button.isEnabled()
    assert _files(single_deployment) == before
    dialog.apply_later_button.click()
    qtbot.waitUntil(lambda: dialog.block_result is not None, timeout=RUN_MS)
    assert dialog.block_result is not None and dialog.block_result.outcome is BlockOutcome.WRITTEN
    assert dialog.result_label.text().startswith("Written: pin api.segment.io, cs.appsmith.com")
    assert "cs.appsmith.com:0.0.0.0" in (single_deployment / DEFAULT_OVERRIDE).read_text()
    dialog.close_button.click()

    undo = _dialog(qtbot, single_deployment, (), False)
    assert "This deletes" in all_widget_text(undo)
    undo.apply_later_button.click()
    qtbot.waitUntil(lambda: undo.block_result is not None, timeout=RUN_MS)
    after = {name: data for name, data in _files(single_deployment).items() if ".backup-" not in name}
    assert after == before


def test_the_legacy_layout_pins_the_server_service_and_unblocks_to_the_same_files(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = write_legacy_deployment(tmp_path / "legacy")
    before = _files(folder)
    dialog = _dialog(qtbot, folder, ("api.segment.io",), True)
    assert dialog.pages.currentIndex() == Page.REVIEW
    assert "appsmith-internal-server:" in dialog.diff_view.toPlainText()
    qtbot.waitUntil(dialog.button_note.isVisible, timeout=RUN_MS)
    dialog.apply_later_button.click()
    qtbot.waitUntil(lambda: dialog.block_result is not None, timeout=RUN_MS)
    assert dialog.block_result is not None and dialog.block_result.outcome is BlockOutcome.WRITTEN
    override = (folder / DEFAULT_OVERRIDE).read_text()
    assert "appsmith-internal-server:" in override and "api.segment.io:0.0.0.0" in override
    dialog.close_button.click()

    undo = _dialog(qtbot, folder, (), False)
    undo.apply_later_button.click()
    qtbot.waitUntil(lambda: undo.block_result is not None, timeout=RUN_MS)
    assert {name: data for name, data in _files(folder).items() if ".backup-" not in name} == before


def test_a_refusal_is_shown_and_writes_nothing(qtbot: QtBot, single_deployment: Path) -> None:
    override = single_deployment / DEFAULT_OVERRIDE
    override.write_text(
        "services:\n  appsmith:\n    environment:\n      APPSMITH_MAIL_PASSWORD: hunter2-s3cret\n"
        "    extra_hosts: {api.segment.io: 10.0.0.1}\n"
    )
    before = _files(single_deployment)
    dialog = _dialog(qtbot, single_deployment, ("api.segment.io",), True)
    assert dialog.pages.currentIndex() == Page.REFUSED
    assert "conflicts with a block" in dialog.refused_label.text()
    assert "hunter2" not in all_widget_text(dialog)
    assert_no_secret(all_widget_text(dialog))
    assert _files(single_deployment) == before


def test_apply_and_recreate_now_on_the_demo_is_verified(qtbot: QtBot, demo_deployment: DemoFixture) -> None:
    deployment = demo_deployment.deployment
    dialog = BlockDialog(deployment, True, prepare(deployment, ("cs.appsmith.com",), True), None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.apply_now_button.isEnabled, timeout=RUN_MS)
    assert "-f docker-compose.override.yml up -d" in dialog.commands_view.toPlainText()
    dialog.apply_now_button.click()
    assert dialog.pages.currentIndex() == Page.PROGRESS
    qtbot.waitUntil(lambda: dialog.block_result is not None, timeout=RUN_MS)
    assert dialog.block_result is not None and dialog.block_result.outcome is BlockOutcome.VERIFIED
    assert dialog.progress_label.text() == "Done: in effect in the container."
    qtbot.waitUntil(lambda: "docker-compose.override.yml up -d" in dialog.output.toPlainText())
    assert_no_secret(all_widget_text(dialog))
    for secret in DEMO_SECRETS:
        assert secret not in all_widget_text(dialog)
