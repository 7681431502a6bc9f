"""A simulated docker engine for the demo and the tests: the docker and compose calls the panel makes,
answered the way docker answers them, with real processes behind the containers that serve HTTP.

Run as `docker` and as `docker-compose` through the wrappers `install_wrappers` writes (they run
`python -m panel.demo.simulated_docker`). State lives in the folder named by `SIMULATED_DOCKER_STATE`; faults
come from `SIMULATED_DOCKER_FAULTS` (see `faults`).

It reads compose files, env files and the telemetry switch with its own code, written from docker's and
Appsmith's documented behaviour, and imports nothing from `panel.core`: a test that drives the panel against
it then checks the panel, instead of the panel agreeing with itself. Every docker call is a fresh Python
process, so the heavier imports (yaml, dotenv, socket, subprocess, hashlib) wait until a call needs them.

One module per concept: `faults` (which faults, what docker says), `state` (the state folder, its lock,
calls.log), `processes` (the server processes: spawn, stop, liveness), `launchers` (the wrapper scripts and
the server's command line), `clock`, `templates` (Go templates for `--format`), `describe` (`ps` rows and
`inspect` documents), `interpolation` and `compose` (a compose file as compose reads it), `containers` (a
service's container created, started, stopped), `compose_cli` and `cli` (the command lines), `console`
(stdout, and failures as docker reports them).
"""

from __future__ import annotations

from panel.demo.simulated_docker.cli import main, run
from panel.demo.simulated_docker.console import SimulationError
from panel.demo.simulated_docker.describe import inspect_document
from panel.demo.simulated_docker.faults import FAULTS_ENV, parse_faults
from panel.demo.simulated_docker.launchers import install_wrappers, server_command, wrapper_text
from panel.demo.simulated_docker.processes import free_port
from panel.demo.simulated_docker.state import STATE_ENV, State, read_calls, stop_all
from panel.demo.simulated_docker.templates import render_template

_free_port = free_port  # the name tests/demo/test_simulated_docker.py has always used

__all__ = [
    "FAULTS_ENV",
    "STATE_ENV",
    "SimulationError",
    "State",
    "free_port",
    "inspect_document",
    "install_wrappers",
    "main",
    "parse_faults",
    "read_calls",
    "render_template",
    "run",
    "server_command",
    "stop_all",
    "wrapper_text",
]
