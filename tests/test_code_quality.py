"""The code holds to the checks pyproject.toml states: ruff's rules and format, mypy on panel/, and
`mypy --strict` on panel/core (the core is typed all the way down; the GUI where Qt's stubs allow).

They run as tests so that the README's one test command is the whole gate, in CI and on a laptop.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECKS = {
    "ruff check": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check", "."],
    "mypy": ["mypy"],
    "mypy --strict panel/core": ["mypy", "--strict", "panel/core"],
}


@pytest.mark.parametrize("check", CHECKS)
def test_code_passes(check: str) -> None:
    tool, *arguments = CHECKS[check]
    result = subprocess.run(
        [sys.executable, "-m", tool, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, f"{check} found problems:\n{result.stdout}{result.stderr}"
