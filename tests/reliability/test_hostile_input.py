"""The fault matrix, hostile input: whatever a docker.env, a compose file, a folder or a service name holds, no
secret reaches an output, no input hangs the panel or eats its memory, no escape code reaches a terminal
raw, and no name becomes an option of a command.

Each row was found by an adversarial review, and failed before the change that made it pass.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.reliability.conftest import SimDeployment, run_cli


# --- names that look like options
# --------------------------------------------------------------------------------------


def test_row_a_service_named_like_an_option_reaches_compose_as_a_name(
    sim_deployment: Callable[..., SimDeployment],
) -> None:
    """Before: `compose rm -fsv --help` (compose prints its help and removes nothing, or takes the name for a
    flag); now the names follow `--`, which compose v2 and v1 (1.29.2: `rm [options] [--] [SERVICE...]`) read
    as names."""
    sim = sim_deployment(start=False)
    compose = sim.folder / "docker-compose.yml"
    compose.write_text(compose.read_text(encoding="utf-8").replace("  appsmith:\n", "  --help:\n"))
    sim.up()
    result = run_cli("disable", str(sim.folder), "--restart", "--yes")
    assert result.code == 0, result.output
    [remove] = [call["argv"] for call in sim.compose_calls() if "rm" in call["argv"]]
    assert remove[-3:] == ["-fsv", "--", "--help"]
