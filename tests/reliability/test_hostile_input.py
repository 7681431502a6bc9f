"""The fault matrix, hostile input: whatever a docker.env, a compose file, a folder or a service name holds,
no secret reaches an output, no input hangs the panel or eats its memory, no escape code reaches a terminal
raw, and no name becomes an option of a command.

Each row was found by an adversarial review, and failed before the change that made it pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from panel.core.envfile import EnvText
from panel.core.limits import MAX_ENV_BYTES
from panel.core.paths import audit_log_path
from tests.conftest import SINGLE_DOCKER_ENV, assert_no_secret, write_single_deployment
from tests.reliability.conftest import Cli, SimDeployment, run_cli

KEY = "APPSMITH_DISABLE_TELEMETRY"
PROMPT = 5.0
"""Seconds within which every refusal comes (the child process's own start-up included)."""


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds only a `docker` with the compose plugin whose daemon is down: no engine is asked."""
    folder = tmp_path / "offline-bin"
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(
        '#!/bin/sh\n[ "$1 $2" = "compose version" ] && echo "Docker Compose version v2.29.1" && exit 0\n'
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2\nexit 1\n",
        encoding="utf-8",
    )
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return folder


def env_file_of(folder: Path) -> Path:
    return folder / "stacks" / "configuration" / "docker.env"


def every_output(folder: Path) -> Iterator[tuple[str, str]]:
    """What the command line shows of a deployment: status (text and JSON), the diff of a change, the change
    itself, and the audit line it leaves."""
    for args in (
        ("status", str(folder)),
        ("status", str(folder), "--json"),
        ("disable", str(folder), "--dry-run"),
        ("disable", str(folder), "--dry-run", "--json"),
        ("disable", str(folder), "--yes"),
        ("log",),
    ):
        result = run_cli(*args)
        assert result.code == 0, (args, result.output)
        yield " ".join(args[:1] + args[2:]), result.output
    yield "audit log", audit_log_path().read_text(encoding="utf-8")


def timed_cli(*args: str) -> tuple[Cli, float]:
    """The command line, which must answer within PROMPT seconds (given three times that before it is
    stopped, so that a hang fails the row instead of the run)."""
    started = time.monotonic()
    try:
        result = run_cli(*args, timeout=3 * PROMPT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(args)}` did not answer within {3 * PROMPT:g} s")
    return result, time.monotonic() - started


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


# --- the switch's own line
# ---------------------------------------------------------------------------------------------

GLUED_SECRET = "Glu3dMailPassw0rd"
SPILLED_SECRET = "Sp1lledEncrypt10nPw"
SWALLOWING_LINES = {
    "glued": f"{KEY}=false APPSMITH_MAIL_PASSWORD={GLUED_SECRET}\n",
    "unterminated quote": f'{KEY}="false\nAPPSMITH_ENCRYPTION_PASSWORD={SPILLED_SECRET}\nNOTE=see above"\n',
}


@pytest.mark.parametrize("shape", list(SWALLOWING_LINES))
def test_row_an_invalid_switch_line_never_shows_what_it_swallowed(
    offline: Path, tmp_path: Path, shape: str
) -> None:
    """Before: status, `status --json`, the diff and the audit log showed the line's raw value, with the next
    secret in it; now the switch's value shows only when it is valid, else as "invalid (hidden)"."""
    env = SINGLE_DOCKER_ENV.replace(f"{KEY}=false\n", SWALLOWING_LINES[shape])
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=env)
    seen = dict(every_output(folder))
    for name, text in seen.items():
        assert GLUED_SECRET not in text and SPILLED_SECRET not in text, name
        assert_no_secret(text)
    assert json.loads(run_cli("status", str(folder), "--json").stdout)["file"]["value"] == "true"
    assert "invalid (hidden)" in seen["disable --dry-run"]
    [entry] = [json.loads(line) for line in audit_log_path().read_text(encoding="utf-8").splitlines()]
    assert entry["old"] == "invalid (hidden)"


def test_row_an_invalid_switch_line_never_shows_what_it_swallowed_in_the_window(
    qtbot: QtBot, offline: Path, tmp_path: Path
) -> None:
    from panel.gui.main_window import MainWindow
    from tests.reliability.test_security import screen_text

    env = SINGLE_DOCKER_ENV.replace(f"{KEY}=false\n", SWALLOWING_LINES["glued"])
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=env)
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_deployment(folder)
    qtbot.waitUntil(lambda: window.status is not None, timeout=30_000)
    text = screen_text(window)
    assert "invalid (hidden)" in text
    assert GLUED_SECRET not in text
    window.close()


# --- secrets by name, by shape, by reuse
# -------------------------------------------------------------------------------

SHAPED = {
    "name *_PWD": ("SMTP_RELAY_PWD=Rel4yPwdValue", "Rel4yPwdValue"),
    "name *PASS*": ("LDAP_BIND_PASSPHRASE=B1ndPassphrase", "B1ndPassphrase"),
    "name *CREDENTIAL*": ("GCP_CREDENTIALS_JSON=Cr3dJsonBlob", "Cr3dJsonBlob"),
    "URL password with @ and /": ("# webhook: https://bot:p@ss/w0rdHook@hooks.example.com/x", "w0rdHook"),
    "Bearer token": ("API_HEADER=Authorization: Bearer eyJBearerT0ken.x.y", "eyJBearerT0ken"),
    "DSN key": ("APPSMITH_SENTRY_DSN=https://0a1b2cD5nKey9f@o1.ingest.sentry.io/42", "0a1b2cD5nKey9f"),
    "-D…password= in JAVA_ARGS": (
        "APPSMITH_JAVA_ARGS=-Xmx1g -Djavax.net.ssl.trustStorePassword=Tru5tSt0rePw",
        "Tru5tSt0rePw",
    ),
    "PEM block": (
        "# -----BEGIN PRIVATE KEY-----\n# MIIEvQIBADANPemB0dy\n# -----END PRIVATE KEY-----",
        "MIIEvQIBADANPemB0dy",
    ),
    "a secret's value elsewhere": ("NOTES=the mail login is Xq7mZp2LwR9tK", "Xq7mZp2LwR9tK"),
    "a secret's value in a comment": ("# old mail password: M4ilP4ssw0rdZ", "M4ilP4ssw0rdZ"),
}


@pytest.mark.parametrize("shape", list(SHAPED))
def test_row_secrets_are_known_by_name_shape_and_reuse(offline: Path, tmp_path: Path, shape: str) -> None:
    """Before: these values showed in the diff (a password with `@`, a Bearer token, a Sentry DSN's key, a
    trust store password in JAVA_ARGS, a PEM key, a secret repeated under another name); now each is
    masked."""
    line, secret = SHAPED[shape]
    env = SINGLE_DOCKER_ENV.replace(f"{KEY}=false\n", f"{line}\n{KEY}=false\n")
    masked = EnvText.parse(env.encode()).masked_text()
    assert secret not in masked
    assert f"\n{KEY}=false\n" in masked
    folder = write_single_deployment(tmp_path / "appsmith", docker_env=env)
    result = run_cli("disable", str(folder), "--dry-run")
    assert result.code == 0, result.output
    assert f"+{KEY}=true" in result.stdout
    assert secret not in result.output
    assert_no_secret(result.output)


# --- masking in linear time
# --------------------------------------------------------------------------------------------

HOSTILE_TEXTS = {
    "a plain value": ("x", 'APPSMITH_X="{}"\n# {}\n'),
    "URL schemes": ("a://", 'APPSMITH_X="{}"\n# {}\n'),
    "escaped quotes": ('\\" #', 'APPSMITH_X="{}"\n# {}\n'),
    "options": ("-Dpassword=", 'APPSMITH_X="{}"\n# {}\n'),
    "many short lines": ("A=1\nB_TOKEN=t0ken-value\n# c\n", "{}"),
}
SIZES = {"many short lines": (100_000, 1_000_000)}
"""Text sizes masked, ten times apart: a 200 KB and a 2 MB value; python-dotenv itself reads many short lines
more slowly, so they are half as long."""


def _masking_seconds(unit: str, template: str, size: int) -> float:
    text = unit * (size // len(unit))
    parsed = EnvText.parse((f"{KEY}=false\n" + template.format(text, text)).encode())
    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        parsed.masked_text()
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("shape", list(HOSTILE_TEXTS))
def test_row_masking_time_grows_linearly(shape: str) -> None:
    """Before: a 200 KB value took 139 s to mask (a URL pattern and a quoted-value search, each quadratic);
    now ten times the text takes about ten times as long (the CPU time of this process, so other load does
    not count): a quadratic cost would take a hundred times."""
    small_size, large_size = SIZES.get(shape, (200_000, 2_000_000))
    small = _masking_seconds(*HOSTILE_TEXTS[shape], small_size)
    large = _masking_seconds(*HOSTILE_TEXTS[shape], large_size)
    assert large < 30 * max(small, 0.005), (small, large)


# --- files that are not files
# ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _not_a_file(env_file: Path, kind: str) -> Iterator[None]:
    env_file.unlink()
    if kind == "a named pipe (FIFO)":
        os.mkfifo(env_file)
    elif kind == "a character device":
        env_file.symlink_to("/dev/zero")
    with contextlib.ExitStack() as stack:
        if kind == "a socket":
            server = stack.enter_context(socket.socket(socket.AF_UNIX))
            server.bind(str(env_file))
        yield


@pytest.mark.parametrize("kind", ["a named pipe (FIFO)", "a character device", "a socket"])
def test_row_docker_env_that_is_not_a_regular_file_is_refused_at_once(
    offline: Path, tmp_path: Path, kind: str
) -> None:
    """Before: a FIFO hung status and a change for ever; linked to /dev/zero, docker.env was read until the
    memory ran out. Now each is refused within seconds, saying what is there and what to do."""
    folder = write_single_deployment(tmp_path / "appsmith")
    with _not_a_file(env_file_of(folder), kind):
        for args in (
            ("status", str(folder)),
            ("status", str(folder), "--json"),
            ("disable", str(folder), "--yes"),
        ):
            result, seconds = timed_cli(*args)
            assert seconds < PROMPT, (args, seconds)
            assert result.code == 3, (args, result.output)
            assert f"is {kind}, not a regular file" in result.stderr and "Put the real file" in result.stderr


def test_row_docker_env_over_the_stated_size_is_refused_at_once(offline: Path, tmp_path: Path) -> None:
    """docker.env is read up to MAX_ENV_BYTES (16 MB, the README says); a bigger one is refused unread."""
    folder = write_single_deployment(tmp_path / "appsmith")
    with env_file_of(folder).open("r+b") as handle:
        handle.truncate(MAX_ENV_BYTES + 1)  # sparse: no disk is used
    result, seconds = timed_cli("status", str(folder))
    assert seconds < PROMPT and result.code == 3, (seconds, result.output)
    assert "more than 16.0 MB" in result.stderr and "Check that it is the right file" in result.stderr


def test_row_a_compose_file_that_is_a_fifo_is_not_read(offline: Path, tmp_path: Path) -> None:
    folder = write_single_deployment(tmp_path / "appsmith")
    compose = folder / "docker-compose.yml"
    compose.unlink()
    os.mkfifo(compose)
    result, seconds = timed_cli("status", str(folder))
    assert seconds < PROMPT and result.code == 3, (seconds, result.output)
    assert "has no compose file" in result.stderr


# --- YAML that expands without end
# -------------------------------------------------------------------------------------

ALIAS_BOMB = """\
services:
  appsmith:
    image: appsmith/appsmith-ce
    environment: &a ["l", "l", "l", "l", "l", "l", "l", "l", "l"]
    labels: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    dns: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    dns_search: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    tmpfs: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    volumes: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    command: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    entrypoint: [*g, *g, *g, *g, *g, *g, *g, *g, *g]
"""


@pytest.mark.parametrize(
    ("name", "compose", "says"),
    [
        ("alias bomb", ALIAS_BOMB, "more than 100,000 nodes once its aliases are expanded"),
        ("alias of itself", "services: &s\n  appsmith: *s\n", "an alias that refers to itself"),
        ("deep nesting", "services:\n  appsmith: " + "[" * 500 + "]" * 500 + "\n", "nested"),
    ],
)
def test_row_a_compose_file_that_expands_without_end_is_refused_at_once(
    offline: Path, tmp_path: Path, name: str, compose: str, says: str
) -> None:
    """Before: 443 bytes of nested aliases took 50 s and 3 GB; now the composed document is measured (an alias
    counts as the nodes it stands for) before anything is built from it, and refused past MAX_YAML_NODES."""
    folder = write_single_deployment(tmp_path / "appsmith", compose=compose)
    assert len(ALIAS_BOMB) < 600
    result, seconds = timed_cli("status", str(folder))
    assert seconds < PROMPT and result.code == 3, (name, seconds, result.output)
    assert str(folder / "docker-compose.yml") in result.stderr and says in result.stderr
    assert "then try again" in result.stderr


# --- escape codes in names and in the file
# ----------------------------------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def test_row_escape_codes_in_names_and_the_file_never_reach_the_terminal(
    offline: Path, tmp_path: Path
) -> None:
    """Before: a folder, a compose service or a line of docker.env holding `ESC[2J` (clear the screen), an
    OSC title or a C1 CSI was printed raw, and could repaint the diff above "Apply this change?"; now every
    control character is escaped in every line the command line prints."""
    folder = tmp_path / "apps\x1b[2J\x1b[Hmith\u202e"
    compose = (
        'services:\n  "app\\e]0;pwned\\asmith\\x9b2J":\n    image: appsmith/appsmith-ce\n'
        "    volumes:\n      - ./stacks:/appsmith-stacks\n"
    )
    # The switch's own line carries codes too: as root only that line of the diff is printed.
    env = SINGLE_DOCKER_ENV.replace(
        f"{KEY}=false\n", f"# \x1b[1A\x1b[2K\r{KEY}=true\n{KEY}=false # \x1b[1A\x1b[2K\n"
    )
    write_single_deployment(folder, docker_env=env, compose=compose)
    outputs = {
        " ".join(args[:1] + args[2:]): run_cli(*args)
        for args in (
            ("status", str(folder)),
            ("status", str(folder), "--json"),
            ("disable", str(folder), "--dry-run", "--restart"),
            ("disable", str(folder), "--dry-run", "--restart", "--json"),
        )
    }
    for name, result in outputs.items():
        assert result.code == 0, (name, result.output)
        assert not CONTROL.search(result.output.replace("\t", "")), (name, result.output)
    assert "\\u001b[2J" in outputs["status"].stdout
    assert "\\u001b[1A" in outputs["disable --dry-run --restart"].stdout
    document = json.loads(outputs["status --json"].stdout)
    assert document["deployment"] == str(folder)


def test_row_escape_codes_in_names_never_reach_the_window(
    qtbot: QtBot, offline: Path, tmp_path: Path
) -> None:
    """Before: the window title, the deployment picker and the status sentences held a folder's and a
    service's control characters raw (a bidi override reverses what is read); now they are escaped, and
    sentences are plain text, never markup."""
    from panel.gui.main_window import MainWindow

    folder = tmp_path / "apps\x1b[2Jmith\u202e<b>"
    compose = (
        'services:\n  "app\\e[2Jsmith\\u202e":\n    image: appsmith/appsmith-ce\n'
        "    environment:\n      APPSMITH_DISABLE_TELEMETRY: 'true'\n"
        "    volumes:\n      - ./stacks:/appsmith-stacks\n"
    )
    write_single_deployment(folder, compose=compose)
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_deployment(folder)
    qtbot.waitUntil(lambda: window.status is not None, timeout=30_000)
    texts = {
        "title": window.windowTitle(),
        "picker": window.picker.currentText(),
        "reason": window.header.reason.text(),
        "advice": window.header.advice.text(),
        "layers": "\n".join(label.text() for label in window.layers.findChildren(QLabel)),
    }
    assert "\\u001b[2J" in texts["title"] and "\\u001b[2J" in texts["reason"], texts
    for name, text in texts.items():
        assert not CONTROL.search(text.replace("\t", "")), (name, text)
    assert window.header.reason.textFormat() == Qt.TextFormat.PlainText
    window.close()
