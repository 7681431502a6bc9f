"""Compose's variable interpolation, written from the Compose specification (not from the panel's reading):

`$VAR` and `${VAR}` the value, or empty when unset; `${VAR:-default}` the default when unset or empty,
`${VAR-default}` only when unset; `${VAR:?error}` fails when unset or empty, `${VAR?error}` only when unset;
`${VAR:+other}` other when set and not empty, `${VAR+other}` other when set; `$$` a literal `$`.
Defaults, alternatives and error texts are interpolated themselves, so `${A:-${B}}` nests; a `$` before
anything else stays as written, and `${` without a valid expression and its closing brace is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?])(?P<arg>.*))?")


class InterpolationError(ValueError):
    """A value compose refuses: an invalid `${…}`, or a required variable without a value."""


def _closing_brace(text: str, start: int) -> int:
    """The index of the `}` that closes the `${` at `start`, or -1. Only `${` opens a nested level: a bare
    `{` in a default is text (`${A:-{x}}` is the default `{x` followed by `}`)."""
    depth = 0
    index = start
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _braced(expression: str, variables: Mapping[str, str], template: str) -> str:
    match = _BRACED.fullmatch(expression)
    if match is None:
        raise InterpolationError(f"Invalid template: {template!r}")
    name, op, arg = match.group("name"), match.group("op"), match.group("arg")
    value = variables.get(name)
    if op is None:
        return value or ""
    empty_counts = op.startswith(":")
    missing = value is None or (empty_counts and value == "")
    kind = op[-1]
    if kind == "-":
        return interpolate(arg, variables) if missing else str(value)
    if kind == "+":
        return "" if missing else interpolate(arg, variables)
    if missing:
        reason = interpolate(arg, variables)
        raise InterpolationError(
            f"required variable {name} is missing a value" + (f": {reason}" if reason else "")
        )
    return str(value)


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """`text` with every variable reference replaced from `variables`, as compose resolves a value."""
    parts: list[str] = []
    index = 0
    while index < len(text):
        dollar = text.find("$", index)
        if dollar < 0:
            parts.append(text[index:])
            break
        parts.append(text[index:dollar])
        following = text[dollar + 1 : dollar + 2]
        if following == "$":
            parts.append("$")
            index = dollar + 2
        elif following == "{":
            close = _closing_brace(text, dollar)
            if close < 0:
                raise InterpolationError(f"Invalid template: {text!r}")
            parts.append(_braced(text[dollar + 2 : close], variables, text))
            index = close + 1
        elif name := _NAME.match(text, dollar + 1):
            parts.append(variables.get(name.group(), ""))
            index = name.end()
        else:
            parts.append("$")
            index = dollar + 1
    return "".join(parts)
