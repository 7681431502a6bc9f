"""Tests of what users install: the wheel and sdist, the PyInstaller bundle, the desktop entry and icons.

Shared helpers live here (there is no conftest.py in this folder): every test runs the installed program as
a child process, from a folder outside the source tree, and reads what it prints.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.conftest import DAEMON_DOWN, FakeBin, assert_no_secret

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
COMMAND = "appsmith-telemetry-panel"
SMOKE_LINE = re.compile(r"^first paint: \d+\.\d{3} s$", re.MULTILINE)
"""What `--smoke` prints when the main window has painted once."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Missing tools fail the run in CI (it must have them) and skip it elsewhere, saying what is missing."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def child_env(**extra: str) -> dict[str, str]:
    """The test's environment without anything that would let the child import the source tree."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def run(
    command: Sequence[str | Path],
    cwd: Path,
    timeout: float = 180,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a program; on an unexpected exit status fail with everything it printed."""
    shown = " ".join(map(str, command))
    try:
        result = subprocess.run(
            [str(part) for part in command],
            cwd=cwd,
            env=env or child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(
            f"{shown} did not finish in {timeout:.0f} s\n--- stdout ---\n{_text(error.stdout)}\n--- stderr "
            f"---\n{_text(error.stderr)}",
            pytrace=False,
        )
    if check and result.returncode != 0:
        pytest.fail(
            f"{shown} exited {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr "
            f"---\n{result.stderr}",
            pytrace=False,
        )
    return result


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def docker_down(fake_bin: FakeBin) -> None:
    """A docker on PATH whose daemon does not answer: status must still read the files and say so."""
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)


def check_status_json(result: subprocess.CompletedProcess[str], folder: Path) -> dict[str, Any]:
    """`status --json` on a single-container deployment with telemetry on, docker unreachable."""
    document = json.loads(result.stdout)
    assert document["deployment"] == str(folder)
    assert document["layout"] == "single-container"
    assert document["env_file"] == str(folder / "stacks" / "configuration" / "docker.env")
    assert document["file"]["exists"] is True
    assert document["file"]["state"] == "enabled"
    assert document["container"] is None
    assert document["docker_error"]["problem"] == "daemon-down"
    assert_no_secret(result.stdout + result.stderr)
    return document


def check_smoke(result: subprocess.CompletedProcess[str]) -> None:
    assert SMOKE_LINE.search(result.stdout), (
        f"no 'first paint: N.NNN s' line\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
