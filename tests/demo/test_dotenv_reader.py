"""The simulators read docker.env as python-dotenv does, in linear time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dotenv import dotenv_values

from panel.demo.dotenv_reader import read_env

FILES = (
    "OFF=true\nAPPSMITH_DISABLE_TELEMETRY=${OFF}\n",
    "APPSMITH_DISABLE_TELEMETRY=${FROM_SHELL}\n",
    "FROM_SHELL=mine\nAPPSMITH_DISABLE_TELEMETRY=${FROM_SHELL}\n",
    "APPSMITH_DISABLE_TELEMETRY=${MISSING:-yes}\nOTHER=$OFF\nOFF=1\n",
    "A=1\nB=${A}\nA=2\nC=${A}-${B}\nA=${A}${A}\n",
    "APPSMITH_DISABLE_TELEMETRY\nNEXT=${APPSMITH_DISABLE_TELEMETRY:-unset}\n",
    "SINGLE='${A}'\nDOUBLE=\"${FROM_SHELL}\"\n# comment ${X}\nexport E=${FROM_SHELL:-x}\n",
)


@pytest.mark.parametrize("text", FILES)
def test_the_same_values_as_python_dotenv(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_SHELL", "false")
    env_file = tmp_path / "docker.env"
    env_file.write_text(text, encoding="utf-8")
    assert read_env(env_file) == dotenv_values(env_file)


def test_a_big_docker_env_is_read_in_moments(tmp_path: Path) -> None:
    """python-dotenv copies every earlier value for each one: 60,000 lines took over a minute."""
    env_file = tmp_path / "docker.env"
    lines = [f"APPSMITH_CUSTOM_SETTING_{number:07d}=value-{number}" for number in range(60_000)]
    env_file.write_text("\n".join([*lines, "APPSMITH_DISABLE_TELEMETRY=${APPSMITH_CUSTOM_SETTING_0000001}"]))
    started = time.perf_counter()
    assert read_env(env_file)["APPSMITH_DISABLE_TELEMETRY"] == "value-1"
    assert time.perf_counter() - started < 15
