"""The layers view says what a compose value does on the version that runs (the precedence rule)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from panel.core.status import assemble
from panel.gui.layers_view import LayersView, _override_effect
from tests.core.test_instance import ME_ANSWERS, probe_answers
from tests.core.test_status import (
    DAEMON_ERROR,
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
