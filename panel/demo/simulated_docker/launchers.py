"""How the stand-ins are started: the `docker` and `docker-compose` wrapper scripts put first on PATH, and the
command that starts simulated_appsmith for a container, from source or from a frozen bundle alike."""

from __future__ import annotations

import contextlib
import shlex
import sys
from pathlib import Path

from panel.demo.simulated_docker.faults import current_faults

# The folder that holds the `panel` package (panel/demo/simulated_docker/launchers.py is four levels down),
# so that `-m` works from any deployment folder without an install.
_SOURCE_ROOT = Path(__file__).resolve().parents[3]


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def wrapper_text(program: str) -> str:
    """The shell script that runs the simulator as `program` (docker or docker-compose)."""
    executable = shlex.quote(sys.executable)
    if _frozen():
        return f'#!/bin/sh\nexec {executable} --simulated-docker {program} "$@"\n'
    root = shlex.quote(str(_SOURCE_ROOT))
    return (
        "#!/bin/sh\n"
        f"PYTHONPATH={root}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {executable} -m panel.demo.simulated_docker {program} "$@"\n'
    )


def install_wrappers(bin_dir: Path) -> None:
    """Write `docker` and `docker-compose` into bin_dir (no `docker-compose` with the fault no-compose-v1)."""
    bin_dir = Path(bin_dir)
    bin_dir.mkdir(parents=True, exist_ok=True)
    faults = current_faults()
    for program in ("docker", "docker-compose"):
        path = bin_dir / program
        if program == "docker-compose" and "no-compose-v1" in faults:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        path.write_text(wrapper_text(program), encoding="utf-8")
        path.chmod(0o755)


def server_command(args: list[str]) -> list[str]:
    """How to start simulated_appsmith with these arguments, from source or from a frozen bundle."""
    if _frozen():
        return [sys.executable, "--simulated-appsmith", *args]
    return [sys.executable, "-m", "panel.demo.simulated_appsmith", *args]
