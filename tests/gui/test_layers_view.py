"""The layers view says what a compose value does on the version that runs (the precedence rule), and the
hosts pinned out of reach: configured, in effect, pending, and what still leaves when nothing is."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel
from pytestqt.qtbot import QtBot

from panel.core.egress_block import DEFAULT_OVERRIDE, BlockState
from panel.core.status import Status, assemble
from panel.gui.layers_view import LayersView, _override_effect
from tests.core.test_instance import ME_ANSWERS, probe_answers
from tests.core.test_status import (
    DAEMON_ERROR,
    OFF,
    ON,
    UNSET,
    V1_6_8,
    V1_9,
    _container,
    _deployment,
    _file,
    _running,
)
from tests.wording import wording_problems


@pytest.mark.parametrize(
    ("image", "file", "effect"),
    [
        (V1_9, ON, "this wins over docker.env: editing docker.env changes nothing"),
        (V1_6_8, ON, "docker.env's own value wins on this version (up to v1.6.8), when it sets one"),
        (V1_6_8, UNSET, "applies: docker.env does not set the variable"),
        (None, ON, "which wins depends on the version, which is not known: "),
    ],
)
def test_override_effect_follows_the_version(image: str | None, file: bytes, effect: str) -> None:
    status = assemble(_deployment(override="true", image=image), _file(file), _running(error=DAEMON_ERROR))
    assert _override_effect(status).startswith(effect)


def _shown_words(view: LayersView) -> str:
    return "\n".join(label.text() for label in view.findChildren(QLabel) if label.isVisibleTo(view))


@pytest.mark.parametrize("answer", list(ME_ANSWERS), ids=list(ME_ANSWERS))
@pytest.mark.parametrize(
    ("image", "override"),
    [(V1_9, None), (V1_6_8, "true"), (V1_9, "true"), (None, "true")],
    ids=["no override", "v1.6.8 override", "v1.9 override", "version unknown"],
)
def test_the_layers_say_no_api_paths_class_names_or_nested_brackets(
    qtbot: QtBot, answer: str, image: str | None, override: str | None
) -> None:
    """Issue 13: "telemetry on (reported by the server (/api/v1/users/me))" was one of these rows."""
    server = replace(probe_answers(me=ME_ANSWERS[answer]), version=None)  # the image's tag decides
    status = assemble(_deployment(override=override, image=image), _file(ON), _running(_container(), server))
    view = LayersView()
    qtbot.addWidget(view)
    view.show_status(status)
    assert (
        status.precedence.value == {V1_6_8: "docker.env-wins", V1_9: "compose-wins", None: "unknown"}[image]
    )
    words = _shown_words(view)
    assert "Server says" in words and wording_problems(words) == []


def _rows(view: LayersView) -> str:
    """The block box as a reader sees it: one `name: value` line a row."""
    form = view.block_layer.form
    lines = []
    for row in range(form.rowCount()):
        name_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        value_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        assert name_item is not None and value_item is not None
        name, value = name_item.widget(), value_item.widget()
        assert isinstance(name, QLabel) and isinstance(value, QLabel)
        lines.append(f"{name.text()}: {value.text()}")
    return "\n".join(lines)


def _blocked(
    status: Status, configured: tuple[str, ...], in_effect: tuple[str, ...] | None, error: str | None = None
) -> Status:
    override = status.deployment.folder / DEFAULT_OVERRIDE if configured else None
    return replace(status, egress_block=BlockState("appsmith", override, configured, in_effect, error))


def test_the_block_box_says_configured_in_effect_and_pending(qtbot: QtBot) -> None:
    view = LayersView()
    qtbot.addWidget(view)
    off = assemble(_deployment(), _file(OFF), _running(error=DAEMON_ERROR))
    view.show_status(off)
    assert "reading the compose files and the container" in _rows(view)
    view.show_block(_blocked(off, ("api.segment.io",), ()))
    text = _rows(view)
    assert f"api.segment.io (pinned to 0.0.0.0 in {DEFAULT_OVERRIDE})" in text
    assert "In the container: nothing blocked" in text and "applies when the containers are recreated" in text
    assert "Still sent" not in text
    assert "Not blocked: still reached: cs.appsmith.com (Appsmith's cloud services)" in text
    assert "Browser: each user's browser sends its own analytics: the switch decides those" in text
    view.show_block(_blocked(off, ("api.segment.io",), ("api.segment.io",)))
    text = _rows(view)
    assert "In the container: api.segment.io" in text and "Pending" not in text
    view.show_block(
        _blocked(off, ("api.segment.io", "cs.appsmith.com"), ("api.segment.io", "cs.appsmith.com"))
    )
    assert "Not blocked" not in _rows(view)


def test_telemetry_off_and_nothing_blocked_says_what_still_leaves_in_the_windows_words(qtbot: QtBot) -> None:
    view = LayersView()
    qtbot.addWidget(view)
    off = assemble(_deployment(), _file(OFF), _running(error=DAEMON_ERROR))
    view.show_status(_blocked(off, (), None, "no running container of appsmith"))
    text = _rows(view)
    assert "In compose: nothing blocked" in text and "not known: no running container of appsmith" in text
    assert '"Instance Start" to api.segment.io' in text and "What is sent" in text and "`" not in text
    assert "Browser" not in text  # nothing blocked: nothing to tell apart
    on = assemble(_deployment(), _file(ON), _running(error=DAEMON_ERROR))
    view.show_status(_blocked(on, (), ()))
    assert "Still sent" not in _rows(view)


def test_a_compose_model_the_panel_cannot_follow_is_a_problem_not_nothing(qtbot: QtBot) -> None:
    view = LayersView()
    qtbot.addWidget(view)
    off = assemble(_deployment(), _file(OFF), _running(error=DAEMON_ERROR))
    refused = BlockState("appsmith", None, (), None, "several override files", compose_refused=True)
    view.show_status(replace(off, egress_block=refused))
    text = _rows(view)
    assert "Problem: several override files" in text and "In compose" not in text


def test_the_last_block_stays_until_the_next_is_read_and_another_deployments_is_dropped(
    qtbot: QtBot, tmp_path: Path
) -> None:
    view = LayersView()
    qtbot.addWidget(view)
    off = assemble(_deployment(), _file(OFF), _running(error=DAEMON_ERROR))
    view.show_block(_blocked(off, ("api.segment.io",), ()))  # before any status: taken as this deployment's
    view.show_status(off)
    assert "In compose: api.segment.io" in _rows(view)
    other = replace(off, deployment=replace(off.deployment, folder=tmp_path / "other"))
    view.show_block(_blocked(other, ("cs.appsmith.com",), ()))
    assert "In compose: cs.appsmith.com" not in _rows(view)
    view.show_status(other)
    assert "reading the compose files" in _rows(view)
