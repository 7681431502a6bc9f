"""The apply steps show a mark and a word for every state, and the output arrives in batches."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.core.apply_sequence import Step, StepState
from panel.gui.step_list import STATE_WORDS, ApplyProgress, StepList


@pytest.fixture
def steps(qtbot) -> StepList:
    widget = StepList(folder=Path("/srv/appsmith"))
    qtbot.addWidget(widget)
    widget.set_steps(Step)
    return widget


def test_every_step_starts_waiting_and_the_list_fits_them(steps) -> None:
    assert [steps.state_text(step) for step in Step] == ["Waiting"] * len(Step)
    assert steps.topLevelItemCount() == len(Step)
    rows = sum(steps.sizeHintForRow(row) for row in range(len(Step)))
    assert steps.height() >= rows + steps.header().sizeHint().height()


@pytest.mark.parametrize("state", list(StepState))
def test_every_state_has_a_mark_and_a_word(steps, state) -> None:
    steps.show_state(Step.START, state, "detail")
    item = steps.items[Step.START]
    assert item.text(StepList.Column.STATE) == STATE_WORDS[state]
    assert not item.icon(StepList.Column.STATE).isNull()


def test_marks_differ_between_states(steps) -> None:
    keys = set()
    for state in StepState:
        steps.show_state(Step.START, state, "")
        keys.add(steps.items[Step.START].icon(StepList.Column.STATE).cacheKey())
    words = {STATE_WORDS[state] for state in StepState}
    assert len(words) == len(StepState)
    assert len(keys) >= len(StepState) - 1  # "Skipped" and a step not run may share the skip mark


def test_the_folder_shown_elsewhere_is_cut_from_details_but_kept_in_the_tip(steps) -> None:
    steps.show_state(Step.BACKUP, StepState.DONE, "/srv/appsmith/stacks/docker.env.bak")
    item = steps.items[Step.BACKUP]
    assert item.text(StepList.Column.DETAIL) == "stacks/docker.env.bak"
    assert item.toolTip(StepList.Column.DETAIL) == "/srv/appsmith/stacks/docker.env.bak"


def test_steps_not_reached_are_marked_not_run(steps) -> None:
    steps.show_state(Step.BACKUP, StepState.DONE, "")
    steps.mark_not_run()
    assert steps.state_text(Step.BACKUP) == "Done"
    assert steps.state_text(Step.VERIFY) == "Not run"
    assert not steps.items[Step.VERIFY].icon(StepList.Column.STATE).isNull()


def test_output_is_batched_then_flushed_at_the_end(qtbot) -> None:
    progress = ApplyProgress()
    qtbot.addWidget(progress)
    progress.set_steps([Step.BACKUP, Step.WRITE])
    for number in range(3):
        progress.log.queue(f"line {number}")
    assert progress.log.toPlainText() == "", "nothing drawn before the batch is due"
    qtbot.waitUntil(lambda: progress.log.toPlainText() == "line 0\nline 1\nline 2")
    progress.log.queue("last")
    progress.finish()
    assert progress.log.toPlainText().endswith("last")
    assert progress.state_text(Step.WRITE) == "Not run"


def test_a_retry_puts_its_steps_back_to_waiting(qtbot) -> None:
    progress = ApplyProgress()
    qtbot.addWidget(progress)
    progress.set_steps(Step)
    progress.steps.show_state(Step.START, StepState.FAILED, "exit 1")
    progress.retry([Step.START])
    assert progress.state_text(Step.START) == "Waiting"
    assert progress.steps.items[Step.START].text(StepList.Column.DETAIL) == ""
