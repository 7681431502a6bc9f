"""`block` and `unblock` on the command line, run as a user runs them (a child process, fake docker on PATH):
the review, the override written and removed byte for byte, the commands that name it, and each refusal
writing nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from panel.core.audit import read_entries
from panel.core.egress_block import DEFAULT_OVERRIDE, MARK
from tests.conftest import Answer, inspect_document, write_legacy_deployment
from tests.test_cli import Cli, cli  # noqa: F401  (the fixture, used through `shell`)


@pytest.fixture
def shell(cli: Cli) -> Cli:  # noqa: F811
    """test_cli's command line: a child process with fake programs only on its PATH."""
    return cli


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _running_docker(
    shell: Cli, folder: Path, hosts_file: str, service: str = "appsmith"
) -> dict[str, object]:
    document = inspect_document()
    document["Config"]["Labels"]["com.docker.compose.service"] = service
    shell.bin.add(
        "docker",
        Answer(("version",), stdout="27.0.0\n"),
        Answer(("compose", "version"), stdout="Docker Compose version v2.29.0\n"),
        Answer(("compose",), stdout=""),
        Answer(("ps",), stdout=f"{document['Id']}\t{folder}\t{service}\tappsmith/appsmith-ee\n"),
        Answer(("inspect",), stdout=json.dumps([document])),
        Answer(("exec",), stdout=hosts_file),
    )
    return document


def test_dry_run_shows_consequences_diff_and_writes_nothing(shell: Cli, single_deployment: Path) -> None:
    before = _files(single_deployment)
    out = shell("block", str(single_deployment), "--host", "cs.appsmith.com", "--dry-run").stdout
    assert "cs.appsmith.com: carries Appsmith's cloud services" in out
    assert "Enterprise Edition licensing breaks" in out
    assert "browser's own analytics are not affected" in out
    assert f'+      - "cs.appsmith.com:0.0.0.0"  {MARK}' in out
    assert _files(single_deployment) == before


def test_block_and_unblock_without_restart_round_trip(shell: Cli, single_deployment: Path) -> None:
    before = _files(single_deployment)
    report = json.loads(shell("block", str(single_deployment), "--yes", "--json").stdout)
    assert report["outcome"] == "written" and report["creates_file"] is True
    assert [host["name"] for host in report["hosts"]] == ["api.segment.io"]
    assert "api.segment.io:0.0.0.0" in (single_deployment / DEFAULT_OVERRIDE).read_text()
    entries = read_entries(shell.state / "appsmith-telemetry-panel" / "audit.log")
    assert [(entry.action, entry.new) for entry in entries] == [("block", "api.segment.io→0.0.0.0")]
    again = json.loads(shell("block", str(single_deployment), "--yes", "--json").stdout)
    assert again["outcome"] == "nothing-to-do"
    report = json.loads(shell("unblock", str(single_deployment), "--yes", "--json").stdout)
    assert report["outcome"] == "written" and report["deletes_file"] is True
    after = {name: data for name, data in _files(single_deployment).items() if ".backup-" not in name}
    assert after == before


def test_block_with_restart_recreates_with_the_override_and_verifies(
    shell: Cli, single_deployment: Path
) -> None:
    _running_docker(shell, single_deployment, "127.0.0.1\tlocalhost\n0.0.0.0\tapi.segment.io\n")
    report = json.loads(shell("block", str(single_deployment), "--restart", "--yes", "--json").stdout)
    assert report["outcome"] == "verified", report
    assert report["in_effect"] == ["api.segment.io"]
    compose_calls = [
        call for call in shell.bin.calls("docker") if call[1:2] == ["compose"] and "version" not in call
    ]
    assert [call[6] for call in compose_calls] == ["rm", "up"]
    for call in compose_calls:
        assert call[2:6] == ["-f", "docker-compose.yml", "-f", DEFAULT_OVERRIDE]
    assert (
        report["commands"][1] == "docker compose -f docker-compose.yml -f docker-compose.override.yml up -d"
    )


def test_block_that_does_not_take_effect_is_not_verified(shell: Cli, single_deployment: Path) -> None:
    _running_docker(shell, single_deployment, "127.0.0.1\tlocalhost\n")
    result = shell("block", str(single_deployment), "--restart", "--yes", "--json", code=1)
    report = json.loads(result.stdout)
    assert report["outcome"] == "not-verified" and "does not pin api.segment.io" in report["message"]


def test_legacy_layout_blocks_the_server_service(shell: Cli, tmp_path: Path) -> None:
    folder = write_legacy_deployment(tmp_path / "legacy")
    _running_docker(shell, folder, "0.0.0.0 api.segment.io\n", service="appsmith-internal-server")
    report = json.loads(shell("block", str(folder), "--restart", "--yes", "--json").stdout)
    assert report["service"] == "appsmith-internal-server" and report["outcome"] == "verified", report
    assert "appsmith-internal-server:" in (folder / DEFAULT_OVERRIDE).read_text()
    assert report["commands"][0].endswith("rm -fsv -- appsmith-internal-server nginx")


def test_refusals_exit_5_and_write_nothing(shell: Cli, single_deployment: Path) -> None:
    override = single_deployment / DEFAULT_OVERRIDE
    override.write_text("services:\n  appsmith:\n    extra_hosts:\n      - api.segment.io:10.9.9.9\n")
    before = _files(single_deployment)
    conflict = shell("block", str(single_deployment), "--yes", code=5).stderr
    assert "conflicts with a block" in conflict and "Nothing was written" in conflict
    override.write_text("{services: {appsmith: {}}}\n")
    before = _files(single_deployment)
    flow = shell("block", str(single_deployment), "--yes", code=5).stderr
    assert "cannot round-trip" in flow
    unknown = shell("block", str(single_deployment), "--host", "example.com", "--yes", code=5).stderr
    assert "choose from: api.segment.io, cs.appsmith.com" in unknown
    assert _files(single_deployment) == before


def test_restart_without_a_container_is_refused(shell: Cli, single_deployment: Path) -> None:
    shell.bin.add(
        "docker",
        Answer(("ps",), stdout=""),
        Answer(("version",), stdout="27.0.0\n"),
        Answer(("compose", "version"), stdout="v2\n"),
    )
    before = _files(single_deployment)
    refused = shell("block", str(single_deployment), "--restart", "--yes", code=5).stderr
    assert "has no container" in refused and "Start Appsmith first" in refused
    assert "without recreating" in refused
    assert _files(single_deployment) == before


def test_status_shows_the_block_layer_and_what_still_leaves(shell: Cli, tmp_path: Path) -> None:
    from tests.conftest import SINGLE_DOCKER_ENV, write_single_deployment

    folder = write_single_deployment(
        tmp_path / "off",
        SINGLE_DOCKER_ENV.replace("APPSMITH_DISABLE_TELEMETRY=false", "APPSMITH_DISABLE_TELEMETRY=true"),
    )
    env_file = folder / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (946684800, 946684800))  # written long before the container started: in effect
    _running_docker(shell, folder, "127.0.0.1 localhost\n")
    out = shell("status", str(folder)).stdout
    assert "Block     configured: nothing; in effect in the container: nothing" in out
    assert (
        'Note      Even with telemetry off, the server still sends "Instance Start" to api.segment.io' in out
    )
    shell("block", str(folder), "--yes")
    out = shell("status", str(folder)).stdout
    assert "Block     configured: api.segment.io; in effect in the container: nothing" in out
    assert "Even with telemetry off" not in out
