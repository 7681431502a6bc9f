"""The simulator's own compose interpolation, checked against the Compose specification's rules, including
the inputs a one-regex reading gets wrong (nested defaults, `$$` before a brace, set-but-empty)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panel.demo.simulated_docker.interpolation import InterpolationError, interpolate

VARIABLES = {"A": "1", "B": "b", "EMPTY": "", "Ay": "long"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$A and ${A}", "1 and 1"),
        ("${UNSET}|$UNSET", "|"),
        ("$Ay", "long"),  # the longest name, not $A followed by "y"
        ("${UNSET:-d} ${EMPTY:-d} ${A:-d}", "d d 1"),
        ("${UNSET-d} ${EMPTY-d}", "d "),  # without the colon an empty value counts as set
        ("${A:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}", "alt||alt|"),
        ("${A:-${B}}", "1"),  # the default ends at its own brace, not at the first one
        ("${UNSET:-${B}}", "b"),
        ("${UNSET:-${NONE:-deep}}", "deep"),
        ("${UNSET:-{x}}", "{x}"),  # a bare brace opens nothing: the default is "{x"
        ("$${A} $$A", "${A} $A"),  # escaped before anything is substituted
        ("$${!}", "${!}"),
        ("cost $5, a lone $", "cost $5, a lone $"),
        ("${A:?must be set} ${EMPTY?only when unset}", "1 "),
    ],
)
def test_interpolates_as_compose_does(text: str, expected: str) -> None:
    assert interpolate(text, VARIABLES) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${UNSET:?say ${B}}", "required variable UNSET is missing a value: say b"),
        ("${EMPTY:?}", "required variable EMPTY is missing a value"),
        ("${UNSET?gone}", "required variable UNSET is missing a value: gone"),
        ("${A", "Invalid template"),
        ("${}", "Invalid template"),
        ("${1A}", "Invalid template"),
        ("${A B}", "Invalid template"),
    ],
)
def test_refuses_what_compose_refuses(text: str, message: str) -> None:
    with pytest.raises(InterpolationError, match=message.replace("$", r"\$").replace("{", r"\{")):
        interpolate(text, VARIABLES)


@given(st.text())
def test_escaped_text_comes_back_as_written(text: str) -> None:
    assert interpolate(text.replace("$", "$$"), VARIABLES) == text
