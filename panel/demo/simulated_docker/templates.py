"""The subset of Go's text/template that people hand to `docker ps --format` and `docker inspect --format`:
fields, `.Label "k"`, `json`, `index`, `upper`/`lower`, printed and failing as Go and docker do."""

from __future__ import annotations

import json
import re
from typing import Any

from panel.demo.simulated_docker.console import SimulationError

LABELS = "__labels__"
"""The key of a `ps` row's labels: reachable through `.Label`, not as a field (docker's ContainerContext)."""

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


class TemplateError(SimulationError):
    pass


def _go_text(value: Any) -> str:
    """How Go's text/template prints a value."""
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_text(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_text(v) for v in value) + "]"
    return str(value)


def _field(context: Any, path: str, action: str) -> Any:
    if path == ".":
        return context
    value = context
    for name in path.strip(".").split("."):
        if isinstance(value, dict) and name in value and not name.startswith("__"):
            value = value[name]
        elif isinstance(value, dict) and LABELS in value:
            raise TemplateError(
                f'template: :1: executing "" at <{action}>: can\'t evaluate field {name} in type '
                "*formatter.ContainerContext"
            )
        else:
            return None
    return value


def _words(action: str) -> list[str]:
    return [
        m.group(1).encode().decode("unicode_escape") if m.group(1) is not None else m.group(2)
        for m in _ARGUMENT.finditer(action)
    ]


def render_template(template: str, context: dict[str, Any]) -> str:
    """`template` filled in from `context` (a `ps` row or an `inspect` document)."""

    def action(match: re.Match[str]) -> str:
        text = match.group(1)
        words = _words(text)
        if not words:
            raise TemplateError(
                f"template parsing error: template: :1: missing value for command in {match.group(0)}"
            )
        if words[0] == ".Label" and len(words) == 2 and LABELS in context:
            return str(context[LABELS].get(words[1], ""))
        if words[0] == "json" and len(words) == 2:
            value = _field(context, words[1], text)
            if isinstance(value, dict):
                value = {k: v for k, v in value.items() if not k.startswith("__")}
            return json.dumps(value, separators=(",", ":"))
        if words[0] == "index" and len(words) == 3:
            value = _field(context, words[1], text)
            return _go_text(value.get(words[2]) if isinstance(value, dict) else None)
        if words[0] in ("upper", "lower") and len(words) == 2:
            value = _go_text(_field(context, words[1], text))
            return value.upper() if words[0] == "upper" else value.lower()
        if len(words) == 1 and words[0].startswith("."):
            return _go_text(_field(context, words[0], text))
        raise TemplateError(f'template parsing error: template: :1: function "{words[0]}" not defined')

    # docker's formatter turns the two-character sequences \t and \n into tab and newline first.
    template = template.replace("\\t", "\t").replace("\\n", "\n")
    return _ACTION.sub(action, template)
