"""The "Block these hosts too" section: nothing ticked, each host's consequences in words, what the compose
files block now, and the consent dialog opened for exactly the ticked hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from panel.core.block_apply import BlockOutcome, BlockResult
from panel.core.deployment import load_deployment
from panel.core.egress_block import DEFAULT_OVERRIDE, HOSTS
from panel.gui.block_dialog import BlockDialog
from panel.gui.block_section import BlockSection
from panel.gui.payloads_view import PayloadsView
from tests.gui.conftest import all_widget_text


def test_nothing_is_ticked_and_every_consequence_is_said(qtbot: QtBot) -> None:
    section = BlockSection()
    qtbot.addWidget(section)
    assert section.ticked() == ()
    assert not section.block_button.isEnabled() and not section.unblock_button.isEnabled()
    text = all_widget_text(section)
    for host in HOSTS:
        assert host.name in text and host.consequences in text
    assert "browser's own analytics are not affected" in text


def test_what_is_sent_shows_the_section(qtbot: QtBot) -> None:
    view = PayloadsView()
    qtbot.addWidget(view)
    assert isinstance(view.block_section, BlockSection)
    assert view.block_section.parent() is view.block_splitter


def test_the_dialog_opens_for_the_ticked_hosts(
    qtbot: QtBot, single_deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Path, tuple[str, ...], bool]] = []
    monkeypatch.setattr(
        BlockDialog,
        "ask",
        classmethod(lambda cls, parent, d, hosts, block: asked.append((d.folder, tuple(hosts), block))),
    )
    section = BlockSection()
    qtbot.addWidget(section)
    section.set_deployment(load_deployment(single_deployment))
    qtbot.waitUntil(lambda: "Nothing is blocked" in section.state_label.text())
    section.boxes["cs.appsmith.com"].setChecked(True)
    assert section.block_button.isEnabled()
    section.block_button.click()
    assert asked == [(single_deployment, ("cs.appsmith.com",), True)]


def test_the_section_reads_what_the_compose_files_block(qtbot: QtBot, single_deployment: Path) -> None:
    (single_deployment / DEFAULT_OVERRIDE).write_text(
        'services:\n  appsmith:\n    extra_hosts:\n      - "api.segment.io:0.0.0.0"\n'
    )
    section = BlockSection()
    qtbot.addWidget(section)
    section.set_deployment(load_deployment(single_deployment))
    qtbot.waitUntil(lambda: section.configured == ("api.segment.io",))
    assert "api.segment.io" in section.state_label.text() and section.unblock_button.isEnabled()


def test_the_consent_dialog_offers_the_block_unticked_when_turning_off(
    qtbot: QtBot, single_deployment: Path
) -> None:
    from panel.gui.consent_dialog import ConsentDialog
    from tests.gui.test_consent_dialog import offline_status

    status = offline_status(single_deployment)
    turning_off = ConsentDialog(status, False, None)
    qtbot.addWidget(turning_off)
    assert turning_off.block_offer is not None and not turning_off.block_offer.isChecked()
    assert "api.segment.io" in turning_off.block_offer.text()
    turning_on = ConsentDialog(status, True, None)
    qtbot.addWidget(turning_on)
    assert turning_on.block_offer is None


def test_a_ticked_offer_opens_the_block_review_after_a_change_that_went_through(
    qtbot: QtBot, single_deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.core.apply_sequence import ApplyResult, Outcome
    from panel.gui.block_section import block_offer, follow_block_offer

    asked: list[tuple[tuple[str, ...], bool]] = []
    monkeypatch.setattr(
        BlockDialog,
        "ask",
        classmethod(lambda cls, parent, d, hosts, block: asked.append((tuple(hosts), block))),
    )
    section = BlockSection()
    qtbot.addWidget(section)
    offer = block_offer(section)
    deployment = load_deployment(single_deployment)
    done = ApplyResult(Outcome.VERIFIED, "done")
    follow_block_offer(None, deployment, offer, done)
    assert asked == []  # not ticked
    offer.setChecked(True)
    follow_block_offer(None, deployment, offer, ApplyResult(Outcome.CANCELLED, "cancelled"))
    follow_block_offer(None, deployment, offer, None)
    assert asked == []  # the change did not go through
    follow_block_offer(None, deployment, offer, done)
    assert asked == [(("api.segment.io",), True)]


class _Window(QWidget):
    """A window that looks again on request, as the main window's `refresh` does."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshes = 0

    def refresh(self) -> None:
        self.refreshes += 1


@pytest.mark.parametrize(
    ("result", "refreshes"), [(None, 0), (BlockResult(BlockOutcome.WRITTEN, "x", None, True), 1)]
)
def test_after_the_dialog_the_window_looks_again_so_status_shows_the_block(
    qtbot: QtBot,
    single_deployment: Path,
    monkeypatch: pytest.MonkeyPatch,
    result: BlockResult | None,
    refreshes: int,
) -> None:
    monkeypatch.setattr(BlockDialog, "ask", classmethod(lambda cls, parent, d, hosts, block: result))
    window = _Window()
    qtbot.addWidget(window)
    section = BlockSection(window)
    section.set_deployment(load_deployment(single_deployment))
    section.request(True)
    assert window.refreshes == refreshes
