"""The stand-in server binds APPSMITH_DISABLE_TELEMETRY as Spring's StringToBooleanConverter does, with Java's
idea of trimming (only characters up to U+0020), which Python's str.strip() does not share."""

from __future__ import annotations

import pytest

from panel.demo.simulated_appsmith import spring_boolean, telemetry_enabled


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        (" TRUE\t", True),
        ("On", True),
        ("yes\r\n", True),
        ("1", True),
        ("\x01true\x1f", True),  # controls are below U+0020: Java trims them, str.strip() keeps \x01
        ("False", False),
        ("off", False),
        (" no ", False),
        ("0", False),
        ("", None),
        (" \t", None),
    ],
)
def test_spring_boolean(raw: str, expected: bool | None) -> None:
    assert spring_boolean(raw) is expected


@pytest.mark.parametrize("raw", ["\xa0true", "true\u2003", "y", "t", "2", "disabled", "tru e", "'true'"])
def test_spring_boolean_refuses(raw: str) -> None:
    """No-break and em spaces are above U+0020: Java keeps them (str.strip() would not); no short forms."""
    with pytest.raises(ValueError, match="Invalid boolean value"):
        spring_boolean(raw)


def test_telemetry_enabled_reads_the_switch_the_servers_way() -> None:
    assert telemetry_enabled(None) is False  # unset: the server's default disables telemetry
    assert telemetry_enabled("false") is True
    assert telemetry_enabled(" YES ") is False
    for unbindable in ("", "  ", "maybe"):  # empty is Spring's null, which no primitive boolean takes
        with pytest.raises(ValueError):
            telemetry_enabled(unbindable)
