"""The layers view says what a compose value does on the version that runs (the precedence rule)."""

from __future__ import annotations

import pytest

from panel.core.status import assemble
from panel.gui.layers_view import _override_effect
from tests.core.test_status import DAEMON_ERROR, ON, UNSET, V1_6_8, V1_9, _deployment, _file, _running


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
