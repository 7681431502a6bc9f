"""Tests for the audit log: append-only JSON lines, private to the user, never a secret, robust to a torn
write."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from panel.core import audit
from panel.core.apply import apply_change
from panel.core.audit import AuditEntry, read_entries, record
from panel.core.change import prepare_change
from panel.core.deployment import load_deployment
from panel.core.paths import APP_DIR_NAME, AUDIT_LOG_ENV, AUDIT_MARK_ENV, audit_log_path, state_dir
from panel.core.status import current_user
from tests.conftest import assert_no_secret


class _SilentReporter:
    def step(self, *_: object, **__: object) -> None:
        pass

    def output(self, _: str) -> None:
        pass


def test_the_log_lives_in_the_isolated_state_folder(isolated_state: Path) -> None:
    assert state_dir() == isolated_state / APP_DIR_NAME
    assert audit_log_path() == isolated_state / APP_DIR_NAME / "audit.log"


def test_record_appends_a_json_line_with_mode_0600(isolated_state: Path, tmp_path: Path) -> None:
    backup = tmp_path / "docker.env.backup-20240501T100000.000000Z"
    first = record(
        "disable", tmp_path / "docker.env", "false", "true", backup, "written-restart-later: restart later"
    )
    second = record("enable", tmp_path / "my apps" / "docker.env", "true", "false", None, "verified: ok")
    path = audit_log_path()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    document = json.loads(lines[0])
    assert document == {
        "time": first.time,
        "user": current_user(),
        "action": "disable",
        "file": str(tmp_path / "docker.env"),
        "old": "false",
        "new": "true",
        "backup": str(backup),
        "outcome": "written-restart-later: restart later",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first.time)
    assert json.loads(lines[1])["backup"] is None
    assert read_entries() == [first, second]


def test_record_to_an_explicit_path(tmp_path: Path) -> None:
    log = tmp_path / "deep" / "audit.log"
    entry = record(
        "restore", tmp_path / "docker.env", None, "docker.env.backup-x", None, "restored", log_path=log
    )
    assert read_entries(log) == [entry]
    assert not audit_log_path().exists()


def test_entry_text() -> None:
    entry = AuditEntry(
        "2024-05-01T10:00:00Z",
        "ops",
        "disable",
        "/srv/appsmith/docker.env",
        "false",
        "true",
        None,
        "verified",
    )
    assert (
        str(entry)
        == "2024-05-01T10:00:00Z  ops  disable  /srv/appsmith/docker.env  'false' → 'true'  verified"
    )
    same = AuditEntry("t", "ops", "disable", "f", "true", "true", None, "nothing")
    assert "'true'" in str(same) and "→" not in str(same)


def test_a_chosen_log_path_and_mark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session that is not real work (the demo) chooses its own log, and its entries carry its mark."""
    chosen = tmp_path / "sample" / "audit.log"
    monkeypatch.setenv(AUDIT_LOG_ENV, str(chosen))
    monkeypatch.setenv(AUDIT_MARK_ENV, "demo")
    entry = record("disable", tmp_path / "docker.env", "false", "true", None, "ok")
    assert audit_log_path() == chosen
    assert json.loads(chosen.read_text(encoding="utf-8"))["mark"] == "demo"
    assert read_entries() == [entry] and entry.mark == "demo"
    assert str(entry).startswith("[demo]  ")
    monkeypatch.delenv(AUDIT_LOG_ENV)
    monkeypatch.delenv(AUDIT_MARK_ENV)
    assert audit_log_path() == state_dir() / "audit.log" and read_entries() == []
    unmarked = record("enable", tmp_path / "docker.env", "true", "false", None, "ok")
    assert "mark" not in json.loads(audit_log_path().read_text(encoding="utf-8")) and unmarked.mark is None


def test_no_log_yet() -> None:
    assert read_entries() == []


def test_torn_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    first = record("disable", tmp_path / "docker.env", "false", "true", None, "ok")
    with audit_log_path().open("a", encoding="utf-8") as handle:
        handle.write('["not", "an", "entry"]\nnull\n{"time": "x"}\n\n')
        handle.write('{"time": "2024-05-01T10:00:00Z", "user": "ops", "act')  # torn: the writer died here
    assert read_entries() == [first]


def test_an_entry_after_a_torn_line_is_not_lost(tmp_path: Path) -> None:
    record("disable", tmp_path / "docker.env", "false", "true", None, "ok")
    with audit_log_path().open("a", encoding="utf-8") as handle:
        handle.write('{"time": "2024-05-01T10:00:00Z", "user": "ops", "act')
    after = record("enable", tmp_path / "docker.env", "true", "false", None, "ok")
    assert read_entries()[-1] == after


def test_invalid_utf8_in_the_log_does_not_break_reading(tmp_path: Path) -> None:
    first = record("disable", tmp_path / "docker.env", "false", "true", None, "ok")
    with audit_log_path().open("ab") as handle:
        handle.write(b"\xff\xfe garbage\n")
    assert read_entries() == [first]


def test_a_real_change_logs_the_switch_and_no_secret(single_deployment: Path) -> None:
    deployment = load_deployment(single_deployment)
    result = apply_change(prepare_change(deployment, telemetry_on=False), None, _SilentReporter())
    assert result.ok
    [entry] = read_entries()
    assert (entry.action, entry.old, entry.new) == ("disable", "false", "true")
    assert entry.file == str(deployment.env_file)
    assert entry.backup is not None and Path(entry.backup).is_file()
    assert_no_secret(audit_log_path().read_bytes())


def test_module_uses_the_xdg_state_home(isolated_state: Path) -> None:
    assert str(audit.audit_log_path()).startswith(str(isolated_state))
