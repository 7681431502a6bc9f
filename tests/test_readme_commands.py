"""The README's two commands are the ones that work: CI runs the test command as written (after the system
set-up that the README's own line runs through sudo), and the run command installs into a venv."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _two_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_the_readme_gives_exactly_two_commands() -> None:
    assert len(_two_commands()) == 2


def test_the_run_command_installs_into_a_virtual_environment_and_opens_the_demo() -> None:
    run = _two_commands()[0]
    assert "python3 -m venv .venv" in run
    assert ".venv/bin/pip install . " in run
    assert run.endswith(".venv/bin/appsmith-telemetry-panel --demo")
    assert "pip install --user" not in run and "--break-system-packages" not in run


def test_ci_runs_the_readme_test_command_as_written() -> None:
    test = _two_commands()[1]
    setup = "sudo .ci/setup-machine && "
    assert test.startswith(setup)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test.removeprefix(setup) in ci, "the README's test command is not a line of .ci/run"
    assert "bash .ci/setup-machine" in ci
    assert (ROOT / ".ci" / "setup-machine").stat().st_mode & 0o111, ".ci/setup-machine must be executable"
