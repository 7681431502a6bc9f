"""The README's "What the panel guarantees" names a test for each promise: every one it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_guarantee_names_tests_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the panel guarantees", 1)[1].split("\n## ", 1)[0]
    promises = section.split("\n- ")[1:]
    assert len(promises) >= 10
    named = 0
    for promise in promises:
        current: Path | None = None
        references = re.findall(r"`((?:R/|tests/)[\w/]+\.py)?(?:::(\w+))?`", promise.replace("\n  ", " "))
        assert references, f"a promise without its test: {promise[:60]}"
        for file, test in references:
            if file:
                current = ROOT / file.replace("R/", "tests/reliability/")
                assert current.is_file(), file
            if test:
                assert current is not None
                tree = ast.parse(current.read_text(encoding="utf-8"))
                names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
                assert test in names, f"{current.name}::{test} does not exist"
                named += 1
    assert named >= 20
