"""The demo's stand-ins (the simulated docker, the simulated Appsmith) never import the panel's core: they
read compose files, env files and the telemetry switch with their own code, so a test that drives the core
against them checks the core instead of the core agreeing with itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import panel.demo

DEMO = Path(panel.demo.__file__).resolve().parent
MODULES = sorted(DEMO.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = ("panel", *path.relative_to(DEMO.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, package: str) -> set[str]:
    """Every module `source` imports, at any depth in the file; relative imports resolved from `package`
    (the package the module sits in, or the package itself for an __init__)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _core(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m == "panel.core" or m.startswith("panel.core."))


def test_every_demo_module_is_checked() -> None:
    names = {module_name(path) for path in MODULES}
    assert {"panel.demo", "panel.demo.simulated_appsmith", "panel.demo.simulated_docker.compose"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(DEMO)))
def test_no_demo_module_imports_the_core(path: Path) -> None:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    core = _core(imported_modules(path.read_text(encoding="utf-8"), package))
    assert not core, f"{path.relative_to(DEMO.parent)} imports {', '.join(core)}"


@pytest.mark.parametrize(
    "source",
    [
        "import panel.core.envfile",
        "import panel.core as c",
        "from panel.core.deployment import interpolate",
        "from panel import core",
        "def lazily():\n    from ...core.envfile import classify",
        "from ... import core",
    ],
)
def test_the_check_sees_every_spelling(source: str) -> None:
    assert _core(imported_modules(source, "panel.demo.simulated_docker"))
    assert not _core(imported_modules("from panel.demo import copy_demo_deployment\nimport panel.cored", "x"))
