"""Where the bundled data lives: inside the installed package, or `resources/` in a source checkout."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def resource_root() -> Traversable:
    """The `resources/` tree, the same whether run from a wheel, an editable install or a frozen bundle."""
    try:
        return resources.files("panel.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def resource_text(*parts: str) -> str:
    node = resource_root()
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")
