"""The command line, run as a user runs it: `python -m panel ...` in a child process, with its own state
folder and a PATH holding only fake programs (a docker whose daemon is down, unless a test says otherwise).
Every command's stdout and stderr are checked for the fixture's secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from panel.core.backups import list_backups
from tests.conftest import (
    DAEMON_DOWN,
    ENCRYPTION_PASSWORD,
    LEGACY_NGINX_TEMPLATE,
    SINGLE_COMPOSE,
    SINGLE_DOCKER_ENV,
    STATUS_JSON_KEYS,
    Answer,
    FakeBin,
    assert_no_secret,
    inspect_document,
    write_legacy_deployment,
    write_single_deployment,
)
from tests.wording import wording_problems

ENV_PATH = Path("stacks/configuration/docker.env")
TELEMETRY_LINE = SINGLE_DOCKER_ENV.splitlines().index("APPSMITH_DISABLE_TELEMETRY=false") + 1


@dataclass
class Cli:
    """Runs the command line in a child process; `bin` holds the only programs on its PATH."""

    cwd: Path
    home: Path
    state: Path
    bin: FakeBin
    outputs: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        keep = {
            k: v
            for k, v in os.environ.items()
            if k in ("LANG", "LC_ALL", "SYSTEMROOT", "PYTHONHASHSEED", "TMPDIR")
        }
        return keep | {
            "PATH": str(self.bin.folder),
            "HOME": str(self.home),
            "XDG_STATE_HOME": str(self.state),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
        }

    def __call__(self, *args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "panel", *args],
            cwd=self.cwd,
            env=self.env(),
            check=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.outputs += [result.stdout, result.stderr]
        assert_no_secret(result.stdout + result.stderr)
        if code is not None:
            assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
        return result


@pytest.fixture
def cli(tmp_path: Path, isolated_state: Path) -> Cli:
    """A command line whose docker reports the daemon down; no docker-compose; HOME and cwd hold no
    deployment."""
    folder = tmp_path / "cli-bin"
    folder.mkdir()
    fakes = FakeBin(folder)
    docker = folder / "docker"  # a shell script: it answers every status, and sh starts faster than Python
    docker.write_text(f"#!/bin/sh\nprintf '%s' '{DAEMON_DOWN}' >&2\nexit 1\n")
    docker.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    return Cli(work, home, isolated_state, fakes)


@pytest.fixture
def no_docker(cli: Cli) -> Cli:
    (cli.bin.folder / "docker").unlink()
    return cli


def _env_file(folder: Path) -> Path:
    return folder / ENV_PATH


def _audit(cli: Cli) -> list[dict[str, object]]:
    log = cli.state / "appsmith-telemetry-panel" / "audit.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


# --- status
# ---------------------------------------------------------------------------------------------------------


def test_status_human(cli: Cli, single_deployment: Path) -> None:
    out = cli("status", str(single_deployment)).stdout
    assert f"Appsmith deployment  {single_deployment}" in out
    assert "Single container (docker-compose.yml)" in out
    assert "TELEMETRY IS ENABLED  (not confirmed by the running instance)" in out
    assert (
        f"{_env_file(single_deployment)}: APPSMITH_DISABLE_TELEMETRY=false (line {TELEMETRY_LINE}) → enabled"
        in out
    )
    assert "Override  none" in out
    assert "Running   unknown: The Docker daemon is not running" in out
    assert "Winner    file" in out


def test_status_json(cli: Cli, single_deployment: Path) -> None:
    document = json.loads(cli("status", str(single_deployment), "--json").stdout)
    assert set(document) == STATUS_JSON_KEYS
    assert document["layout"] == "single-container"
    assert document["env_file"] == str(_env_file(single_deployment))
    assert set(document["file"]) == {
        "exists",
        "writable",
        "value",
        "state",
        "line",
        "duplicates",
        "modified",
        "error",
    }
    assert (document["file"]["value"], document["file"]["state"], document["file"]["line"]) == (
        "false",
        "enabled",
        TELEMETRY_LINE,
    )
    assert document["docker_error"]["problem"] == "daemon-down"
    assert (document["verdict"], document["telemetry_on"], document["verified"], document["winner"]) == (
        "enabled",
        True,
        False,
        "file",
    )


def test_status_asks_docker_each_question_once(cli: Cli, single_deployment: Path) -> None:
    document = inspect_document()
    env_file = single_deployment / "stacks" / "configuration" / "docker.env"
    os.utime(env_file, (0, 0))  # older than the container: no need to ask when its server process started
    ps_line = f"{document['Id']}\t{single_deployment}\tappsmith\tappsmith/appsmith-ee\n"
    cli.bin.add(
        "docker",
        Answer(("ps",), stdout=ps_line + "ffff\t/elsewhere\tappsmith\tappsmith/appsmith-ce\n"),
        Answer(("inspect",), stdout=json.dumps([document])),
        Answer(("exec",), stdout="127.0.0.1\tlocalhost\n0.0.0.0\tapi.segment.io\n"),
    )
    status = json.loads(cli("status", str(single_deployment / "stacks"), "--json").stdout)
    assert status["container"]["name"] == "appsmith"
    calls = cli.bin.calls("docker")
    assert [call[1] for call in calls] == ["ps", "inspect", "exec"], (
        "ps started first, inspect of this folder's only, then its /etc/hosts (the block's layer)"
    )
    assert calls[1][-1] == document["Id"]
    assert calls[2][1:] == ["exec", document["Id"], "cat", "/etc/hosts"]
    assert status["egress_block"]["in_effect"] == ["api.segment.io"]
    assert status["egress_block"]["configured"] == [] and status["egress_block"]["pending_restart"] is True


def test_status_says_appsmith_is_not_running_when_its_container_exited(
    cli: Cli, single_deployment: Path
) -> None:
    """Issue 13: docker answers and the server container exited: the status leads with it, never "Nothing to
    do", and gives the command that starts it."""
    document = inspect_document()
    document["State"] |= {"Status": "exited", "Running": False, "ExitCode": 1}
    ps_line = f"{document['Id']}\t{single_deployment}\tappsmith\tappsmith/appsmith-ee\n"
    cli.bin.add(
        "docker", Answer(("ps",), stdout=ps_line), Answer(("inspect",), stdout=json.dumps([document]))
    )
    out = cli("status", str(single_deployment)).stdout
    assert "APPSMITH IS NOT RUNNING" in out and "exit code 1" in out
    assert "docker compose -f docker-compose.yml up -d" in out and "Nothing to do" not in out
    status = json.loads(cli("status", str(single_deployment), "--json").stdout)
    assert status["verdict"] == "appsmith-down" and status["telemetry_on"] is True


def test_status_json_without_docker(no_docker: Cli, single_deployment: Path) -> None:
    document = json.loads(no_docker("status", str(single_deployment), "--json").stdout)
    assert document["docker_error"]["problem"] == "docker-missing"


def test_status_legacy_json(cli: Cli, legacy_deployment: Path) -> None:
    document = json.loads(cli("status", str(legacy_deployment / "docker.env"), "--json").stdout)
    assert document["layout"] == "multi-container"
    assert document["deployment"] == str(legacy_deployment)
    assert document["nginx"] == {
        "ok": False,  # docker.env enables telemetry; builds before v1.6.3 would not send without the line
        "missing": ["HTTP", "HTTPS"],
        "has_line": False,
        "client_build": "unknown",
        "line_needed": True,
    }


def test_status_finds_the_deployment_in_the_current_folder(cli: Cli, single_deployment: Path) -> None:
    cli.cwd = single_deployment
    assert json.loads(cli("status", "--json").stdout)["deployment"] == str(single_deployment)


def test_status_with_no_deployment_anywhere(cli: Cli) -> None:
    result = cli("status", code=3)
    assert "No Appsmith deployment was found" in result.stderr


def test_not_a_deployment(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("status", str(empty), code=3)
    assert "docker-compose.yml" in result.stderr and "compose.yaml" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["status", "--bogus"], ["restore"], ["backups", "a", "b"]])
def test_usage_errors(cli: Cli, args: list[str]) -> None:
    result = cli(*args, code=2)
    assert "usage:" in result.stderr


def test_version(cli: Cli) -> None:
    from panel import __version__

    assert cli("--version").stdout.strip() == f"appsmith-telemetry-panel {__version__}"


# --- disable / enable
# ---------------------------------------------------------------------------------------------


def test_disable_dry_run_changes_nothing_and_shows_the_masked_diff(cli: Cli, single_deployment: Path) -> None:
    env_file = _env_file(single_deployment)
    before = env_file.read_bytes()
    out = cli("disable", str(single_deployment), "--dry-run").stdout
    assert "-APPSMITH_DISABLE_TELEMETRY=false\n+APPSMITH_DISABLE_TELEMETRY=true\n" in out
    assert "docker.env (now)" in out and "docker.env (after)" in out
    assert env_file.read_bytes() == before
    assert list_backups(env_file) == []
    assert _audit(cli) == []


@pytest.mark.parametrize(
    ("tag", "note"),
    [
        (":v1.9.57", "it wins over docker.env, so this change has no effect until it is removed"),
        (":v1.6.8", "on v1.6.8 (tag of the compose image"),
        ("", "whether it wins depends on the Appsmith version"),
    ],
)
def test_a_compose_override_is_told_for_the_version(cli: Cli, tmp_path: Path, tag: str, note: str) -> None:
    compose = SINGLE_COMPOSE.replace(
        "image: index.docker.io/appsmith/appsmith-ee",
        f"image: index.docker.io/appsmith/appsmith-ee{tag}\n"
        "    environment:\n      - APPSMITH_DISABLE_TELEMETRY=false",
    )
    folder = write_single_deployment(tmp_path / "appsmith", compose=compose)
    document = json.loads(cli("disable", str(folder), "--dry-run", "--json").stdout)
    assert len(document["warnings"]) == 1 and note in document["warnings"][0]


def test_disable_dry_run_json(cli: Cli, single_deployment: Path) -> None:
    document = json.loads(cli("disable", str(single_deployment), "--dry-run", "--json").stdout)
    assert set(document) == {
        "deployment",
        "env_file",
        "old_value",
        "new_value",
        "changes_file",
        "diff",
        "commands",
        "dry_run",
        "warnings",
    }
    assert (document["old_value"], document["new_value"], document["changes_file"], document["dry_run"]) == (
        "false",
        "true",
        True,
        True,
    )
    assert document["commands"] == []


def test_disable_dry_run_with_restart_shows_the_commands(cli: Cli, single_deployment: Path) -> None:
    cli.bin.add("docker-compose", Answer(("version",), stdout="docker-compose version 1.29.2\n"))
    out = cli("disable", str(single_deployment), "--dry-run", "--restart").stdout
    assert "docker-compose -f docker-compose.yml rm -fsv -- appsmith" in out
    assert "docker-compose -f docker-compose.yml up -d" in out
    assert ["docker-compose", "version"] in cli.bin.calls()
    assert not any("rm" in call or "up" in call for call in cli.bin.calls())
    # The single-container fixture's image has no tag: the plan says the start may send Instance Start.
    assert "Note: Starting the container may send one usage event, “Instance Start”" in out
    assert "Blocking api.segment.io stops it." in out
    assert "Source: appsmithorg/appsmith deploy/docker/entrypoint.sh @ 6d65f4a7f1 (2023-03-21; v1.9.14" in out


def test_disable_dry_run_without_restart_says_nothing_about_a_start(
    cli: Cli, single_deployment: Path
) -> None:
    out = cli("disable", str(single_deployment), "--dry-run").stdout
    assert "Instance Start" not in out


def test_disable_yes_writes_with_a_backup_and_an_audit_line(cli: Cli, single_deployment: Path) -> None:
    env_file = _env_file(single_deployment)
    before = env_file.read_bytes()
    env_file.chmod(0o640)
    out = cli("disable", str(single_deployment), "--yes").stdout
    assert "Written." in out
    after = env_file.read_bytes()
    assert after == before.replace(
        b"APPSMITH_DISABLE_TELEMETRY=false\n", b"APPSMITH_DISABLE_TELEMETRY=true\n"
    )
    assert env_file.stat().st_mode & 0o777 == 0o640
    [backup] = list_backups(env_file)
    assert backup.path.read_bytes() == before
    [entry] = _audit(cli)
    assert (entry["action"], entry["old"], entry["new"], entry["file"], entry["backup"]) == (
        "disable",
        "false",
        "true",
        str(env_file),
        str(backup.path),
    )
    assert (cli.state / "appsmith-telemetry-panel" / "audit.log").stat().st_mode & 0o777 == 0o600


def test_enable_when_already_enabled_writes_nothing(cli: Cli, single_deployment: Path) -> None:
    out = cli("enable", str(single_deployment), "--yes").stdout
    assert "already says false" in out
    assert list_backups(_env_file(single_deployment)) == []


def test_disable_json_result(cli: Cli, single_deployment: Path) -> None:
    document = json.loads(cli("disable", str(single_deployment), "--yes", "--json").stdout)
    assert document["outcome"] == "written-restart-later"
    assert document["backup"] == str(list_backups(_env_file(single_deployment))[0].path)


@pytest.mark.parametrize("as_json", [False, True])
def test_an_audit_log_that_cannot_be_written_is_a_warning_beside_the_true_result(
    cli: Cli, single_deployment: Path, as_json: bool
) -> None:
    """Issue 11: the change was made, so it is reported as made (exit 0, backup named), with a warning that
    its audit entry is missing; never "Nothing was changed"."""
    (cli.state / "appsmith-telemetry-panel").write_text("a file where the log's folder should be")
    result = cli("disable", str(single_deployment), "--yes", *(["--json"] if as_json else []), code=0)
    assert b"APPSMITH_DISABLE_TELEMETRY=true" in _env_file(single_deployment).read_bytes()
    [backup] = list_backups(_env_file(single_deployment))
    assert "Nothing was changed" not in result.stdout + result.stderr
    if as_json:
        document = json.loads(result.stdout)
        assert document["outcome"] == "written-restart-later" and document["file_written"] is True
        assert document["backup"] == str(backup.path)
        assert any("not written to the audit log" in warning for warning in document["warnings"])
    else:
        assert "Written." in result.stdout
        assert "The change was not written to the audit log" in result.stderr


def test_disable_warns_about_an_override(cli: Cli, tmp_path: Path) -> None:
    from tests.conftest import SINGLE_COMPOSE

    folder = write_single_deployment(
        tmp_path / "d",
        compose=SINGLE_COMPOSE + "    environment:\n      - APPSMITH_DISABLE_TELEMETRY=false\n",
    )
    out = cli("disable", str(folder), "--dry-run").stdout
    assert "Warning: docker-compose.yml (environment:) sets APPSMITH_DISABLE_TELEMETRY=false" in out


def test_disable_restart_without_compose_is_a_docker_failure(cli: Cli, single_deployment: Path) -> None:
    before = _env_file(single_deployment).read_bytes()
    result = cli("disable", str(single_deployment), "--restart", "--yes", code=4)
    assert "docker compose" in result.stderr and "docker-compose" in result.stderr
    assert _env_file(single_deployment).read_bytes() == before
    assert list_backups(_env_file(single_deployment)) == []
    assert _audit(cli) == []


def test_disable_restart_without_docker_at_all(no_docker: Cli, single_deployment: Path) -> None:
    result = no_docker("disable", str(single_deployment), "--restart", "--yes", code=4)
    assert "not found on PATH" in result.stderr
    assert list_backups(_env_file(single_deployment)) == []


def test_refused_without_a_terminal(cli: Cli, single_deployment: Path) -> None:
    before = _env_file(single_deployment).read_bytes()
    result = cli("disable", str(single_deployment), code=5)
    assert "no terminal" in result.stderr and "--yes" in result.stderr
    assert _env_file(single_deployment).read_bytes() == before
    assert list_backups(_env_file(single_deployment)) == []


def test_refused_when_the_file_is_missing(cli: Cli, single_deployment: Path) -> None:
    _env_file(single_deployment).unlink()
    result = cli("disable", str(single_deployment), "--yes", code=5)
    assert "does not exist" in result.stderr and "first start" in result.stderr
    assert not _env_file(single_deployment).exists()


def test_refused_when_the_file_is_not_utf8(cli: Cli, tmp_path: Path) -> None:
    data = SINGLE_DOCKER_ENV.encode().replace(b"smtp.example.com", b"smtp.caf\xe9.example")
    folder = write_single_deployment(tmp_path / "d", docker_env=data)
    result = cli("disable", str(folder), "--yes", code=5)
    assert "not UTF-8" in result.stderr
    assert _env_file(folder).read_bytes() == data
    assert list_backups(_env_file(folder)) == []


def test_status_of_a_non_utf8_file_still_reads_the_switch(cli: Cli, tmp_path: Path) -> None:
    data = SINGLE_DOCKER_ENV.encode().replace(b"smtp.example.com", b"smtp.caf\xe9.example")
    folder = write_single_deployment(tmp_path / "d", docker_env=data)
    document = json.loads(cli("status", str(folder), "--json").stdout)
    assert document["file"]["state"] == "enabled"
    assert "not valid UTF-8" in document["file"]["error"]


# --- backups and restore
# -------------------------------------------------------------------------------------------


def test_backups_and_restore_round_trip(cli: Cli, tmp_path: Path) -> None:
    original = SINGLE_DOCKER_ENV.replace("\n", "\r\n").encode()  # CRLF, to see that every byte comes back
    folder = write_single_deployment(tmp_path / "d", docker_env=original)
    assert "No backups of" in cli("backups", str(folder)).stdout
    cli("disable", str(folder), "--yes")
    changed = _env_file(folder).read_bytes()
    assert changed != original
    [listed] = json.loads(cli("backups", str(folder), "--json").stdout)
    assert set(listed) == {"path", "created", "size"} and listed["size"] == len(original)
    name = Path(listed["path"]).name
    assert name in cli("backups", str(folder)).stdout
    out = cli("restore", str(folder), name, "--yes").stdout  # (read with universal newlines)
    assert "-APPSMITH_DISABLE_TELEMETRY=true\n+APPSMITH_DISABLE_TELEMETRY=false\n" in out
    assert "Restored." in out
    assert _env_file(folder).read_bytes() == original
    backups = list_backups(_env_file(folder))
    assert len(backups) == 2 and backups[0].path.read_bytes() == changed
    assert [entry["action"] for entry in _audit(cli)] == ["disable", "restore"]


def test_restore_without_confirmation_is_refused(cli: Cli, single_deployment: Path) -> None:
    cli("disable", str(single_deployment), "--yes")
    [backup] = list_backups(_env_file(single_deployment))
    changed = _env_file(single_deployment).read_bytes()
    cli("restore", str(single_deployment), backup.path.name, code=5)
    assert _env_file(single_deployment).read_bytes() == changed


def test_restore_of_an_unknown_backup(cli: Cli, single_deployment: Path) -> None:
    result = cli("restore", str(single_deployment), "docker.env.backup-nope", "--yes", code=5)
    assert "No backup named 'docker.env.backup-nope'" in result.stderr


def test_restore_brings_back_a_deleted_docker_env(cli: Cli, single_deployment: Path) -> None:
    """The backups outlive the file they were taken from; losing docker.env is when a restore matters most."""
    env_file = _env_file(single_deployment)
    original = env_file.read_bytes()
    cli("disable", str(single_deployment), "--yes")
    [backup] = list_backups(env_file)
    env_file.unlink()
    cli("restore", str(single_deployment), backup.path.name, "--yes")
    assert env_file.read_bytes() == original


def test_restore_diff_does_not_call_a_backup_identical_when_only_a_secret_differs(
    cli: Cli, single_deployment: Path
) -> None:
    env_file = _env_file(single_deployment)
    backup = env_file.parent / "docker.env.backup-20240101T000000.000000Z"
    backup.write_bytes(
        env_file.read_bytes().replace(ENCRYPTION_PASSWORD.encode(), b"an-older-encryption-password")
    )
    out = cli("restore", str(single_deployment), backup.name, code=5).stdout
    assert "identical" not in out


# --- payloads, log, discover, fix-nginx
# -------------------------------------------------------------------------


def test_payloads_json(cli: Cli) -> None:
    document = json.loads(cli("payloads", "--json").stdout)
    assert set(document) == {"payloads", "always_sent"}
    assert document["payloads"] and document["always_sent"]
    for payload in document["payloads"]:
        assert set(payload) == {
            "id",
            "event",
            "source",
            "sender",
            "when",
            "stopped_by_switch",
            "switch_note",
            "sample_origin",
            "payload",
            "fields",
        }
        assert isinstance(payload["stopped_by_switch"], bool) and isinstance(payload["payload"], dict)
        for note in payload["fields"]:
            assert set(note) == {"path", "note", "hashed"}
    for item in document["always_sent"]:
        assert set(item) == {"name", "sender", "when", "note"}
    events = {payload["event"] for payload in document["payloads"]}
    assert {"Installation Started", "Instance Active", "instance_stats"} <= events


def test_payloads_human(cli: Cli) -> None:
    out = cli("payloads").stdout
    assert "== Sent whatever the switch says ==" in out
    assert "Add --verbose" in out


def test_log(cli: Cli, single_deployment: Path) -> None:
    assert "no change yet" in cli("log").stdout
    cli("disable", str(single_deployment), "--yes")
    [entry] = json.loads(cli("log", "--json").stdout)
    assert (entry["action"], entry["old"], entry["new"]) == ("disable", "false", "true")
    assert "'false' → 'true'" in cli("log").stdout


def test_discover_json(cli: Cli, single_deployment: Path) -> None:
    cli.cwd = single_deployment
    document = json.loads(cli("discover", "--json").stdout)
    assert document["deployments"] == [
        {"path": str(single_deployment), "layout": "single-container", "reason": "a usual place"}
    ]
    assert "not running" in document["docker_error"]


def test_fix_nginx(cli: Cli, legacy_deployment: Path) -> None:
    template = legacy_deployment / "data" / "nginx" / "app.conf.template"
    out = cli("fix-nginx", str(legacy_deployment), "--dry-run").stdout
    assert out.count("+        sub_filter __APPSMITH_DISABLE_TELEMETRY__") == 2
    assert template.read_text() == LEGACY_NGINX_TEMPLATE
    cli("fix-nginx", str(legacy_deployment), code=5)  # no terminal, no --yes
    assert template.read_text() == LEGACY_NGINX_TEMPLATE
    written = cli("fix-nginx", str(legacy_deployment), "--yes").stdout
    assert "sub_filter added (backup app.conf.template.backup-" in written
    assert "docker.env:" not in written, "docker.env already sets an explicit value"
    assert template.read_text().count("__APPSMITH_DISABLE_TELEMETRY__") == 2
    assert "already has the sub_filter line" in cli("fix-nginx", str(legacy_deployment), "--yes").stdout
    assert [entry["action"] for entry in _audit(cli)] == ["fix-nginx"]


def test_fix_nginx_writes_the_explicit_value_with_the_line(cli: Cli, tmp_path: Path) -> None:
    """A 2020-09 install, from Appsmith's own templates: no line, no variable. Both are written, each backed
    up and recorded; the final 2023 template is never given the line back."""
    fixtures = Path(__file__).parent / "fixtures" / "appsmith"
    old_env = (fixtures / "legacy-docker-env" / "docker.env.868757155a").read_text()
    folder = write_legacy_deployment(
        tmp_path / "legacy",
        docker_env=old_env,
        nginx_template=(fixtures / "nginx" / "app.conf.template.868757155a").read_text(),
    )
    out = cli("fix-nginx", str(folder), "--yes").stdout
    assert "docker.env: APPSMITH_DISABLE_TELEMETRY=true written (backup docker.env.backup-" in out
    assert "+APPSMITH_DISABLE_TELEMETRY=true" in out
    assert (folder / "docker.env").read_text() == old_env + "APPSMITH_DISABLE_TELEMETRY=true\n"
    assert [(entry["action"], Path(str(entry["file"])).name) for entry in _audit(cli)] == [
        ("fix-nginx", "docker.env"),
        ("fix-nginx", "app.conf.template"),
    ]
    final = fixtures / "nginx" / "app.conf.template.7558df366e"
    (folder / "data" / "nginx" / "app.conf.template").write_text(final.read_text())
    refusal = cli("fix-nginx", str(folder), "--yes", code=5).stderr
    assert "removed the sub_filter line on 2023-02-15" in refusal and wording_problems(refusal) == []


def test_fix_nginx_on_the_single_layout_is_refused(cli: Cli, single_deployment: Path) -> None:
    assert "single-container" in cli("fix-nginx", str(single_deployment), code=5).stderr


def test_folder_with_shell_characters(cli: Cli, tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / 'my "apps" $(touch pwned) `id`')
    cli("disable", str(folder), "--yes")
    assert json.loads(cli("status", str(folder), "--json").stdout)["file"]["value"] == "true"
    assert not any(p.name == "pwned" for p in tmp_path.rglob("pwned"))


def test_no_secret_in_any_output(cli: Cli, single_deployment: Path, legacy_deployment: Path) -> None:
    """Every run above checks its own output; these are the remaining surfaces: debug logging and the legacy
    file."""
    cli("-v", "status", str(single_deployment))
    cli("enable", str(legacy_deployment), "--dry-run")
    cli("disable", str(legacy_deployment), "--yes", "--json")
    assert len(cli.outputs) == 6
    for text in cli.outputs:
        assert_no_secret(text)


# --- a mistyped command
# ---------------------------------------------------------------------------------------------------------


def test_a_mistyped_command_is_named_with_the_list_and_never_opened_as_a_folder(cli: Cli) -> None:
    result = cli("stauts", code=2)
    assert "unknown command 'stauts'" in result.stderr
    assert "Did you mean 'status'?" in result.stderr
    assert "status, enable, disable" in result.stderr
    assert "./stauts" in result.stderr, "says how to open a folder of that name"
    assert not result.stdout


def test_a_word_that_names_a_folder_here_is_not_a_mistyped_command(cli: Cli) -> None:
    """`stauts` that exists in the current folder is a folder to open: the desktop app is asked for it (and,
    with no display in this child, says it cannot start rather than calling it an unknown command)."""
    (cli.cwd / "stauts").mkdir()
    result = cli("stauts", "--smoke", code=2)
    assert "the desktop app cannot start: no graphical display" in result.stderr
    assert "unknown command" not in result.stderr


def _sentences(status_text: str) -> str:
    """The verdict, why and what to do: the block between the layout line and the detail rows (which quote
    docker and the files as they are, a details view with its sources)."""
    return status_text.split("\n\n")[1]


def test_status_words_are_plain_in_every_state(cli: Cli, single_deployment: Path) -> None:
    """Issue 13: no "anonymous", API paths, flags, file names of ours, class names or "Nothing to do" in the
    sentences `status` prints, whether docker is down, the container exited, or it runs."""

    daemon_down = cli("status", str(single_deployment)).stdout
    document = inspect_document()
    ps_line = f"{document['Id']}\t{single_deployment}\tappsmith\tappsmith/appsmith-ee\n"
    answers = (Answer(("ps",), stdout=ps_line), Answer(("inspect",), stdout=json.dumps([document])))
    cli.bin.add("docker", *answers)
    pending = cli("status", str(single_deployment)).stdout
    document["State"] |= {"Status": "exited", "Running": False, "ExitCode": 1}
    cli.bin.add(
        "docker", Answer(("ps",), stdout=ps_line), Answer(("inspect",), stdout=json.dumps([document]))
    )
    exited = cli("status", str(single_deployment)).stdout
    assert "APPSMITH IS NOT RUNNING" in exited and "CHANGE PENDING A RESTART" in pending
    assert "the next reboot, upgrade or recreate of the containers turns telemetry on" in pending
    for out in (daemon_down, pending, exited):
        sentences = _sentences(out)
        assert "What to do:" in sentences and wording_problems(sentences) == [], out
