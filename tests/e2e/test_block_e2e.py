"""The block on a real engine: `block --restart` pins api.segment.io in the recreated container's /etc/hosts,
a request to it from inside fails at once while one to a second stand-in on the compose network still works,
the pin survives the operator's own `up -d`, and `unblock --restart` takes it away with the files as they
were. Nothing leaves the machine: the blocked name resolves to 0.0.0.0 and the test host is a local
container."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Deployment, DeploymentFactory, _run
from tests.e2e.test_cli_restart import run_cli

pytestmark = pytest.mark.e2e

OVERRIDE = "docker-compose.override.yml"


def _exec(deployment: Deployment, *command: str) -> subprocess.CompletedProcess[str]:
    return _run(["docker", "exec", deployment.container_id(), *command], check=False, timeout=30)


def _hosts_file(deployment: Deployment) -> str:
    result = _exec(deployment, "cat", "/etc/hosts")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _pinned(deployment: Deployment) -> bool:
    return any(
        line.split()[:2] == ["0.0.0.0", "api.segment.io"] for line in _hosts_file(deployment).splitlines()
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_block_pins_the_host_in_the_container_and_unblock_removes_it(
    appsmith_deployment: DeploymentFactory, standin_image: str, tmp_path: Path
) -> None:
    deployment = appsmith_deployment("true")
    with deployment.compose_file.open("a") as compose:
        compose.write(f"  testhost:\n    image: {standin_image}\n")
    before = _files(deployment.path)
    deployment.up()
    deployment.wait_healthy()
    assert not _pinned(deployment)

    status = json.loads(run_cli("status", str(deployment.path), "--json", state=tmp_path).stdout)
    assert status["egress_block"]["configured"] == [] and status["egress_block"]["in_effect"] == []
    assert "api.segment.io" in status["egress_block"]["still_leaves"]

    result = run_cli("block", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["outcome"] == "verified" and report["in_effect"] == ["api.segment.io"], report
    assert any(f"-f {OVERRIDE}" in command for command in report["commands"])
    deployment.wait_healthy()
    assert _pinned(deployment)

    started = time.monotonic()
    # nc, not wget: busybox's static wget crashes (SIGSEGV) on a compose network whatever it fetches
    blocked = _exec(deployment, "nc", "-w", "5", "api.segment.io", "443")
    took = time.monotonic() - started
    assert blocked.returncode != 0, blocked.stdout
    assert "(0.0.0.0): Connection refused" in blocked.stderr, blocked.stderr
    assert took < 4, f"the blocked request took {took:.1f} s: it should fail at once"
    # The test host's name through compose's DNS (busybox's own resolver: its static build cannot use
    # glibc's for DNS), then a request to it: other names and the network still work.
    lookup = _exec(deployment, "nslookup", "testhost")
    addresses = re.findall(r"^Address:\s*(\d+\.\d+\.\d+\.\d+)\s*$", lookup.stdout, re.MULTILINE)
    assert addresses, lookup.stdout + lookup.stderr
    request = f"printf 'GET /info HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {addresses[0]} 80"
    reached = _exec(deployment, "sh", "-c", request)
    assert reached.returncode == 0 and "v1.50-standin" in reached.stdout, reached.stderr

    status = json.loads(run_cli("status", str(deployment.path), "--json", state=tmp_path).stdout)
    block = status["egress_block"]
    assert (block["configured"], block["in_effect"], block["still_leaves"]) == (
        ["api.segment.io"],
        ["api.segment.io"],
        None,
    )

    deployment.recreate()  # the operator's own `rm` and `up -d`, without -f: compose reads the override
    deployment.wait_healthy()
    assert _pinned(deployment)

    result = run_cli("unblock", str(deployment.path), "--restart", "--yes", "--json", state=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["outcome"] == "verified" and report["deletes_file"] is True, report
    deployment.wait_healthy()
    assert not _pinned(deployment)
    after = {name: data for name, data in _files(deployment.path).items() if ".backup-" not in name}
    assert after == before
