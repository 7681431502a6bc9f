"""The fault matrix, env file and folder: whatever shape docker.env is in, whoever owns it, wherever it lives,
the panel says what it sees, writes only the value, and refuses (writing nothing) when it cannot do that
safely.

Changes go through the command line in a child process, as an operator runs it. Rows about another user run
the command line forked as `nobody` (uid 65534) against files prepared as root.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from panel.core.backups import list_backups
from panel.core.change import prepare_change, write_change
from panel.core.envfile import BOM
from panel.core.safewrite import FileChangedError
from tests.conftest import NOBODY, SINGLE_DOCKER_ENV, assert_no_secret, write_single_deployment
from tests.reliability.conftest import Cli, SimDeployment, env_file_of, run_cli, run_cli_as_nobody

KEY = "APPSMITH_DISABLE_TELEMETRY"


def cli(*args: str) -> Cli:
    result = run_cli(*args)
    assert_no_secret(result.output)
    return result


def status_of(folder: Path, as_nobody: bool = False) -> dict:
    result = (
        run_cli_as_nobody("status", str(folder), "--json")
        if as_nobody
        else cli("status", str(folder), "--json")
    )
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write may have left beside docker.env."""
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


# --- missing, empty
# ----------------------------------------------------------------------------------------------


def test_row_missing_file_is_refused_and_nothing_is_created(offline: Path, tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = env_file_of(folder)
    env_file.unlink()
    document = status_of(folder)
    assert document["file"]["exists"] is False and "does not exist yet" in document["file"]["error"]
    assert document["verdict"] == "unknown"
    result = cli("disable", str(folder), "--yes")
    assert result.code == 5
    assert "does not exist" in result.stderr and "first start" in result.stderr
    assert not env_file.exists() and list(env_file.parent.iterdir()) == []


def test_row_missing_file_or_a_folder_nobody_may_enter(offline: Path, world_tmp: Path) -> None:
    """Found by this row: a folder the user may not enter gave Python's bare "[Errno 13] Permission denied"
    (and an unexpected-error dialog in the window), with no owner and no command to run."""
    folder = write_single_deployment(world_tmp / "appsmith")
    env_file_of(folder).parent.chmod(0o700)
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5, result.output
    assert "cannot be read by user nobody" in result.stderr
    assert "does not exist" not in result.stderr


def test_row_empty_file_gets_the_line(offline: Path, tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=b"")
    before = status_of(folder)
    assert (before["file"]["state"], before["verdict"], before["telemetry_on"]) == (
        "unset",
        "disabled",
        False,
    )
    result = cli("disable", str(folder), "--yes")
    assert result.code == 0, result.output
    assert env_file_of(folder).read_bytes() == f"{KEY}=true\n".encode()
    [backup] = list_backups(env_file_of(folder))
    assert backup.path.read_bytes() == b""


# --- another user: unreadable, read-only, owned by root
# ------------------------------------------------------------


def test_row_unreadable_file_as_a_normal_user(offline: Path, world_tmp: Path) -> None:
    folder = write_single_deployment(world_tmp / "appsmith")
    env_file = env_file_of(folder)
    env_file.chmod(0o600)
    before = env_file.read_bytes()
    document = status_of(folder, as_nobody=True)
    assert document["file"]["exists"] is True and document["file"]["writable"] is False
    error = document["file"]["error"]
    assert "cannot be read by user nobody" in error
    # Found by this row: the advice was `sudo chmod o+r docker.env`, which hands the encryption password and
    # the database credentials to every user of the machine.
    assert "chmod" not in error and "keep it private" in error
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5, result.output
    assert "cannot be read by user nobody (it belongs to root, mode 0600)" in result.stderr
    assert "sudo " in result.stderr
    assert env_file.read_bytes() == before and list_backups(env_file) == []


def test_row_read_only_file(offline: Path, world_tmp: Path) -> None:
    folder = write_single_deployment(world_tmp / "appsmith")
    env_file = env_file_of(folder)
    for path in (env_file.parent, env_file):
        os.chown(path, NOBODY, NOBODY)
    env_file.chmod(0o444)
    before = env_file.read_bytes()
    assert status_of(folder, as_nobody=True)["file"]["writable"] is False
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5, result.output
    assert (
        "is not writable by user nobody (it belongs to nobody, mode 0444); nothing was written"
        in result.stderr
    )
    assert env_file.read_bytes() == before and env_file.stat().st_mode & 0o777 == 0o444
    assert list_backups(env_file) == [] and leftovers(env_file.parent) == []


def test_row_file_owned_by_root_while_the_panel_runs_as_a_normal_user(offline: Path, world_tmp: Path) -> None:
    folder = write_single_deployment(world_tmp / 'my "apps" $(id) é')
    env_file = env_file_of(folder)
    before = env_file.read_bytes()
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5, result.output
    message = result.stderr
    assert "is not writable by user nobody (it belongs to root, mode 0644); nothing was written" in message
    commands = message.split("An administrator can run one of: ", 1)[1].strip().split("  |  ")
    assert [shlex.split(command)[0] for command in commands] == ["sudo", "sudo"]
    # The exact command, pasted into a shell, names this very folder (spaces, quotes and $(…) included).
    assert [shlex.split(command)[-3:] for command in commands] == [
        ["disable", str(folder), "--restart"],
        ["enable", str(folder), "--restart"],
    ]
    assert env_file.read_bytes() == before and list_backups(env_file) == []


def test_row_file_owned_by_root_offers_pkexec_where_installed(
    offline: Path, world_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panel.core import invocation

    pkexec = offline / "pkexec"
    pkexec.write_text("#!/bin/sh\nexit 126\n", encoding="utf-8")
    pkexec.chmod(0o755)
    program = world_tmp / "system-bin" / "appsmith-telemetry-panel"  # root's, and nobody can stat it
    program.parent.mkdir(mode=0o755)
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setattr(invocation, "SYSTEM_PROGRAM", program)
    folder = write_single_deployment(world_tmp / "appsmith")
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5
    commands = result.stderr.split("An administrator can run one of: ", 1)[1].strip().split("  |  ")
    assert [shlex.split(command)[:2] for command in commands] == [
        ["sudo", str(program)],
        ["sudo", str(program)],
        ["pkexec", str(program)],
        ["pkexec", str(program)],
    ]
    assert shlex.split(commands[2])[-3:] == ["disable", str(folder), "--restart"]


def test_row_folder_of_the_file_not_writable(offline: Path, world_tmp: Path) -> None:
    folder = write_single_deployment(world_tmp / "appsmith")
    env_file = env_file_of(folder)
    os.chown(env_file, NOBODY, NOBODY)
    before = env_file.read_bytes()
    result = run_cli_as_nobody("disable", str(folder), "--yes")
    assert result.code == 5, result.output
    assert f"User nobody may not create files in {env_file.parent} (it belongs to root" in result.stderr
    assert env_file.read_bytes() == before


# --- symlink, folder names
# ---------------------------------------------------------------------------------------


def test_row_symlinked_file_edits_the_target_and_keeps_the_link(offline: Path, tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith")
    link = env_file_of(folder)
    real = tmp_path / "secrets" / "docker.env"
    real.parent.mkdir()
    real.write_bytes(link.read_bytes())
    real.chmod(0o640)
    link.unlink()
    relative = os.path.relpath(real, link.parent)
    link.symlink_to(relative)
    before = real.read_bytes()
    result = cli("disable", str(folder), "--yes")
    assert result.code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == relative
    assert real.read_bytes() == before.replace(f"{KEY}=false\n".encode(), f"{KEY}=true\n".encode())
    assert real.stat().st_mode & 0o777 == 0o640
    [backup] = list_backups(link)
    assert backup.path.parent == real.parent and backup.path.read_bytes() == before
    assert status_of(folder)["file"]["state"] == "disabled"


INJECTING_NAMES = {
    "spaces": "my apps folder",
    "quotes": 'it\'s "quoted"',
    "command-substitution": "$(touch INJECTED)",
    "backticks-and-semicolons": "`touch INJECTED`; touch INJECTED2 &&",
    "non-ascii": "Appsmith · données – 日本",
}


@pytest.mark.parametrize("name", list(INJECTING_NAMES.values()), ids=list(INJECTING_NAMES))
def test_row_folder_names_with_spaces_quotes_substitutions_and_non_ascii(
    sim_deployment: Callable[..., SimDeployment], tmp_path: Path, name: str
) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    sim = sim_deployment(name=name, parent=parent)
    result = run_cli("disable", str(sim.folder), "--restart", "--yes", "--json")
    assert result.code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outcome"] == "verified" and report["deployment"] == str(sim.folder)
    status = json.loads(run_cli("status", str(sim.folder), "--json").stdout)
    assert status["verdict"] == "disabled" and status["verified"] is True
    human = run_cli("disable", str(sim.folder), "--restart", "--dry-run")
    shown = human.stdout.split("Then run:\n", 1)[1].splitlines()[0].strip()
    assert shlex.split(shown) == ["cd", str(sim.folder)]
    for place in (parent, sim.folder, Path.cwd(), sim.state_dir):
        assert not list(place.glob("INJECTED*")), "a folder name was run by a shell"


# --- the text itself
# -----------------------------------------------------------------------------------------------

SHAPES: dict[str, tuple[bytes, str, bytes]] = {
    # name: (docker.env before, its state, docker.env after `disable`)
    "crlf": (
        b"A=1\r\nAPPSMITH_DISABLE_TELEMETRY=false\r\nB=2\r\n",
        "enabled",
        b"A=1\r\nAPPSMITH_DISABLE_TELEMETRY=true\r\nB=2\r\n",
    ),
    "crlf-key-absent": (b"A=1\r\nB=2\r\n", "unset", b"A=1\r\nB=2\r\nAPPSMITH_DISABLE_TELEMETRY=true\r\n"),
    "bom": (
        BOM + b"APPSMITH_DISABLE_TELEMETRY=false\nX=1\n",
        "enabled",
        BOM + b"APPSMITH_DISABLE_TELEMETRY=true\nX=1\n",
    ),
    "no-final-newline": (
        b"A=1\nAPPSMITH_DISABLE_TELEMETRY=false",
        "enabled",
        b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true",
    ),
    "no-final-newline-key-absent": (b"# c\nA=1", "unset", b"# c\nA=1\nAPPSMITH_DISABLE_TELEMETRY=true\n"),
    "export-prefix": (
        b"export APPSMITH_DISABLE_TELEMETRY=false\nexport A=1\n",
        "enabled",
        b"export APPSMITH_DISABLE_TELEMETRY=true\nexport A=1\n",
    ),
    "double-quoted": (
        b'APPSMITH_DISABLE_TELEMETRY="false"\n',
        "enabled",
        b"APPSMITH_DISABLE_TELEMETRY=true\n",
    ),
    "single-quoted-with-comment": (
        b"APPSMITH_DISABLE_TELEMETRY='FALSE'  # ops, 2021\n",
        "enabled",
        b"APPSMITH_DISABLE_TELEMETRY=true  # ops, 2021\n",
    ),
    "comment-touching-a-quoted-value": (
        b'APPSMITH_DISABLE_TELEMETRY="false"# ops\n',
        "enabled",
        b"APPSMITH_DISABLE_TELEMETRY=true # ops\n",
    ),
    "inline-comment": (
        b"APPSMITH_DISABLE_TELEMETRY=false # set by ops\nB=x#y\n",
        "enabled",
        b"APPSMITH_DISABLE_TELEMETRY=true # set by ops\nB=x#y\n",
    ),
    "duplicate-keys": (
        b"APPSMITH_DISABLE_TELEMETRY=true\nA=1\nAPPSMITH_DISABLE_TELEMETRY=false\n",
        "enabled",
        b"APPSMITH_DISABLE_TELEMETRY=true\nA=1\nAPPSMITH_DISABLE_TELEMETRY=true\n",
    ),
    "empty-value": (
        b"A=1\nAPPSMITH_DISABLE_TELEMETRY=\nB=2\n",
        "invalid",
        b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true\nB=2\n",
    ),
    "bare-key": (b"APPSMITH_DISABLE_TELEMETRY\n", "invalid", b"APPSMITH_DISABLE_TELEMETRY=true\n"),
    "invalid-value": (b"APPSMITH_DISABLE_TELEMETRY=maybe\n", "invalid", b"APPSMITH_DISABLE_TELEMETRY=true\n"),
    "spring-boolean-word": (
        b"APPSMITH_DISABLE_TELEMETRY=No\n",
        "enabled",
        b"APPSMITH_DISABLE_TELEMETRY=true\n",
    ),
    "multiline-quoted-neighbour": (
        b'CERT="line1\nAPPSMITH_DISABLE_TELEMETRY=false\nline3"\nAPPSMITH_DISABLE_TELEMETRY=0\n',
        "enabled",
        (b'CERT="line1\nAPPSMITH_DISABLE_TELEMETRY=false\nline3"\nAPPSMITH_DISABLE_TELEMETRY=true\n'),
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_row_text_shapes_survive_byte_for_byte(offline: Path, tmp_path: Path, shape: str) -> None:
    before, state, after = SHAPES[shape]
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=before)
    document = status_of(folder)
    assert document["file"]["state"] == state
    if shape == "duplicate-keys":
        assert document["file"]["duplicates"] == [f"{KEY} appears on lines 1, 3; the last one (line 3) wins."]
    if state == "invalid":
        assert document["verdict"] == "invalid" and "cannot read as true or false" in document["reason"]
    result = cli("disable", str(folder), "--yes")
    assert result.code == 0, result.output
    assert env_file_of(folder).read_bytes() == after
    [backup] = list_backups(env_file_of(folder))
    assert backup.path.read_bytes() == before
    assert status_of(folder)["file"]["state"] == "disabled"


def test_row_bytes_that_are_not_utf8_are_never_written(offline: Path, tmp_path: Path) -> None:
    before = b"APPSMITH_MAIL_FROM=caf\xe9@example.com\n" + f"{KEY}=false\n".encode() + b"NOTE=\xff\xfe\n"
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=before)
    document = status_of(folder)
    assert document["file"]["state"] == "enabled" and "not valid UTF-8" in document["file"]["error"]
    result = cli("disable", str(folder), "--yes")
    assert result.code == 5
    assert "not UTF-8" in result.stderr and "will not rewrite it" in result.stderr
    assert env_file_of(folder).read_bytes() == before
    assert list_backups(env_file_of(folder)) == [] and leftovers(env_file_of(folder).parent) == []


def test_row_bytes_that_are_not_utf8_in_the_window(qtbot: QtBot, offline: Path, tmp_path: Path) -> None:
    from panel.core.deployment import load_deployment
    from panel.core.status import gather
    from panel.gui.consent_dialog import ConsentDialog, Page

    folder = write_single_deployment(
        tmp_path / "appsmith", docker_env=f"{KEY}=false\n".encode() + b"X=\xff\n"
    )
    status = gather(load_deployment(folder))
    dialog = ConsentDialog(status, False, None)
    qtbot.addWidget(dialog)
    assert dialog.pages.currentIndex() == Page.REFUSED
    assert "not UTF-8" in dialog.refused_label.text()


def _ten_megabytes() -> bytes:
    lines = [SINGLE_DOCKER_ENV]
    size, number = len(SINGLE_DOCKER_ENV), 0
    while size < 10 * 1024 * 1024:
        block = (
            f"# generated setting {number}: padding so the file is large, as a runaway script might make "
            f"it\nEXTRA_SETTING_{number}=value-{number}-abcdefghijklmnopqrstuvwxyz\n"
        )
        lines.append(block)
        size += len(block)
        number += 1
    return "".join(lines).encode("utf-8")


def test_row_a_ten_megabyte_file(offline: Path, tmp_path: Path) -> None:
    """Found by this row: reading 10 MB took ~9 s (python-dotenv's reader, once per read), and the diff twice
    that; the window read the file on its own thread at every refresh."""
    before = _ten_megabytes()
    assert len(before) >= 10 * 1024 * 1024
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=before)
    started = time.monotonic()
    document = status_of(folder)
    status_seconds = time.monotonic() - started
    assert document["file"]["state"] == "enabled"
    started = time.monotonic()
    result = cli("disable", str(folder), "--yes")
    write_seconds = time.monotonic() - started
    assert result.code == 0, result.output
    assert env_file_of(folder).read_bytes() == before.replace(
        f"{KEY}=false\n".encode(), f"{KEY}=true\n".encode(), 1
    )
    assert list_backups(env_file_of(folder))[0].path.read_bytes() == before
    assert f"-{KEY}=false" in result.stdout and f"+{KEY}=true" in result.stdout
    assert status_seconds < 20 and write_seconds < 40, (status_seconds, write_seconds)


# --- the file changes under the panel
# ------------------------------------------------------------------------------


def test_row_file_changes_between_read_and_write(tmp_path: Path) -> None:
    from panel.core.deployment import load_deployment

    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = env_file_of(folder)
    change = prepare_change(load_deployment(folder), False)
    edited = env_file.read_bytes() + b"APPSMITH_CUSTOM_DOMAIN=apps.example.com\n"
    env_file.write_bytes(edited)  # someone else's editor saves in between
    with pytest.raises(FileChangedError, match="changed on disk since it was read; nothing was written"):
        write_change(change)
    assert env_file.read_bytes() == edited
    assert list_backups(env_file) == [] and leftovers(env_file.parent) == []


def test_row_file_changes_between_read_and_write_in_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    from panel.core.apply_sequence import Outcome
    from panel.core.deployment import load_deployment
    from panel.gui.apply_runner import ApplyRunner

    folder = write_single_deployment(tmp_path / "appsmith")
    env_file = env_file_of(folder)
    runner = ApplyRunner(prepare_change(load_deployment(folder), False), None)
    edited = env_file.read_bytes().replace(b"APPSMITH_MAIL_PORT=587", b"APPSMITH_MAIL_PORT=465")
    env_file.write_bytes(edited)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start()
    result = finished.args[0]
    assert result.outcome is Outcome.REFUSED
    assert "changed on disk since it was read" in result.message and result.message.startswith(
        "Nothing was changed"
    )
    assert env_file.read_bytes() == edited and list_backups(env_file) == []


_RACER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from panel.core.change import prepare_change, write_change
    from panel.core.deployment import load_deployment
    from panel.core.safewrite import FileChangedError
    folder, go, telemetry_on = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "on"
    change = prepare_change(load_deployment(folder), telemetry_on)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    try:
        write_change(change)
    except FileChangedError:
        print("refused", flush=True)
    else:
        print("written", flush=True)
""")


@pytest.mark.parametrize(
    "choices",
    [("off", "off"), ("off", "on"), ("on", "off", "off", "on")],
    ids=["two-panels-same-choice", "two-panels-opposite-choices", "four-panels"],
)
def test_row_two_panels_on_one_deployment(tmp_path: Path, choices: tuple[str, ...]) -> None:
    folder = write_single_deployment(
        tmp_path / "appsmith", docker_env=SINGLE_DOCKER_ENV.replace(f"{KEY}=false", f"{KEY}=maybe")
    )
    env_file = env_file_of(folder)
    before = env_file.read_bytes()
    go = tmp_path / "go"
    panels = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(folder), str(go), choice],
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for choice in choices
    ]
    for panel in panels:
        assert panel.stdout is not None and panel.stdout.readline().strip() == "ready"
    go.touch()
    outcomes = [panel.communicate(timeout=60)[0].strip() for panel in panels]
    assert sorted(outcomes) == ["refused"] * (len(choices) - 1) + ["written"], outcomes
    winner = choices[outcomes.index("written")]
    assert env_file.read_bytes() == before.replace(
        f"{KEY}=maybe".encode(), f"{KEY}={'false' if winner == 'on' else 'true'}".encode()
    )
    [backup] = list_backups(env_file)
    assert backup.path.read_bytes() == before and leftovers(env_file.parent) == []
