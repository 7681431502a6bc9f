"""Tests for reading docker's answers (`docker ps`, `docker inspect`) and for running docker and naming its
failures.

The inspect documents follow the shape docker 20.10 prints (captured from a real engine, then trimmed by
hand).
"""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from panel.core import docker
from panel.core.containers import (
    PS_ARGV,
    SERVICE_LABEL,
    WORKING_DIR_LABEL,
    ComposeContainer,
    ids_for,
    inspect_ahead,
    inspect_argv,
    parse_docker_time,
    parse_inspect,
    parse_ps,
    same_folder,
)
from panel.core.docker import CommandResult, DockerError, DockerProblem, classify_failure
from tests.conftest import (
    DAEMON_DOWN,
    ENCRYPTION_PASSWORD,
    MAIL_PASSWORD,
    MONGO_PASSWORD,
    SERVER_ID,
    SUPERVISOR_PASSWORD,
    Answer,
    FakeBin,
    inspect_document,
)

NGINX_ID = "9f1c2a7d55e0b8e4a1d3c6f7e8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b"


def _ok(stdout: str, argv: tuple[str, ...] = ("docker", "ps")) -> CommandResult:
    return CommandResult(argv, 0, stdout, "")


def _state(**changes: Any) -> dict[str, Any]:
    state = copy.deepcopy(inspect_document()["State"])
    state.update(changes)
    return state


def _inspect(*documents: dict[str, Any]) -> CommandResult:
    return _ok(json.dumps(list(documents), indent=4), ("docker", "inspect", "--type", "container"))


# --- docker ps
# ------------------------------------------------------------------------------------------------


def test_ps_argv_asks_for_compose_containers_with_their_folder() -> None:
    assert PS_ARGV[:4] == ("docker", "ps", "-a", "--no-trunc")
    assert f"label={WORKING_DIR_LABEL}" in PS_ARGV
    format_string = PS_ARGV[PS_ARGV.index("--format") + 1]
    assert format_string == (
        '{{.ID}}\t{{.Label "com.docker.compose.project.working_dir"}}\t'
        '{{.Label "com.docker.compose.service"}}\t{{.Image}}'
    )


def test_parse_ps() -> None:
    stdout = (
        f"{SERVER_ID}\t/srv/appsmith\tappsmith\tindex.docker.io/appsmith/appsmith-ee\n"
        f"{NGINX_ID}\t/home/ops/my apps/legacy\tnginx\tindex.docker.io/appsmith/appsmith-editor\n"
        "\ngarbage line without tabs\naaaa\t/x\t\tredis\n"
    )
    assert parse_ps(_ok(stdout)) == [
        ComposeContainer(SERVER_ID, "/srv/appsmith", "appsmith", "index.docker.io/appsmith/appsmith-ee"),
        ComposeContainer(
            NGINX_ID, "/home/ops/my apps/legacy", "nginx", "index.docker.io/appsmith/appsmith-editor"
        ),
        ComposeContainer("aaaa", "/x", "", "redis"),
    ]


def test_parse_ps_empty() -> None:
    assert parse_ps(_ok("")) == []


def test_parse_ps_failure_is_classified() -> None:
    with pytest.raises(DockerError) as raised:
        parse_ps(CommandResult(PS_ARGV, 1, "", DAEMON_DOWN))
    assert raised.value.problem is DockerProblem.DAEMON_DOWN


def test_ids_for_matches_service_and_folder(tmp_path: Path) -> None:
    folder = tmp_path / "appsmith"
    folder.mkdir()
    link = tmp_path / "link-to-appsmith"
    link.symlink_to(folder)
    found = [
        ComposeContainer("a", str(folder), "appsmith", "appsmith/appsmith-ce"),
        ComposeContainer("b", str(link), "appsmith", "appsmith/appsmith-ce"),
        ComposeContainer("c", str(folder) + "/", "nginx", "appsmith/appsmith-editor"),
        ComposeContainer("d", str(tmp_path / "other"), "appsmith", "appsmith/appsmith-ce"),
        ComposeContainer("e", str(folder), "mongo", "mongo"),
    ]
    assert ids_for(found, folder, ("appsmith", "nginx")) == ["a", "b", "c"]
    assert ids_for(found, folder, ("appsmith",)) == ["a", "b"]


def test_same_folder() -> None:
    assert same_folder("/srv/appsmith", Path("/srv/appsmith/"))
    assert same_folder("/srv/./appsmith", "/srv/appsmith")
    assert not same_folder("/srv/appsmith", "/srv/appsmith2")


def test_inspect_argv() -> None:
    assert inspect_argv(["a", "b"]) == ("docker", "inspect", "--type", "container", "a", "b")


# --- docker times
# -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00.1Z", datetime(2024, 5, 1, 10, 0, 0, 100000, tzinfo=UTC)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)),
        ("2024-05-01T12:00:00.987654321+02:00", datetime(2024, 5, 1, 10, 0, 0, 987654, tzinfo=UTC)),
        ("2024-05-01T05:30:00.5-04:30", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_docker_time(text: str | None, expected: datetime | None) -> None:
    parsed = parse_docker_time(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None, "a naive time cannot be compared with the file's modification time"


# --- docker inspect
# ---------------------------------------------------------------------------------------------


def test_parse_inspect_running_container() -> None:
    [state] = parse_inspect(_inspect(inspect_document()))
    assert state.id == SERVER_ID
    assert state.short_id == SERVER_ID[:12]
    assert state.name == "appsmith"
    assert state.service == "appsmith"
    assert state.status == "running"
    assert state.running is True
    assert state.restarting is False
    assert state.started_at == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert state.finished_at is None
    assert state.exit_code == 0
    assert state.image == "index.docker.io/appsmith/appsmith-ee"
    assert state.edition == "EE"
    assert state.health == "healthy"
    assert state.http_port == 80
    assert state.http_binding == "0.0.0.0"
    assert state.telemetry_env == "true"
    assert state.describe() == "running since 2024-05-01 10:00:00 UTC"


def test_parse_inspect_exited_container() -> None:
    document = inspect_document(
        State=_state(Status="exited", Running=False, Pid=0, ExitCode=137, FinishedAt="2024-05-02T08:00:00.5Z")
    )
    document["State"].pop("Health")
    document["NetworkSettings"]["Ports"] = {}
    [state] = parse_inspect(_inspect(document))
    assert state.running is False
    assert state.exit_code == 137
    assert state.health is None
    assert state.finished_at == datetime(2024, 5, 2, 8, 0, 0, 500000, tzinfo=UTC)
    assert state.http_port is None and state.http_binding is None
    assert state.describe() == "exited (exit code 137)"


def test_parse_inspect_created_but_never_started() -> None:
    document = inspect_document(
        State=_state(Status="created", Running=False, Pid=0, StartedAt="0001-01-01T00:00:00Z")
    )
    [state] = parse_inspect(_inspect(document))
    assert state.started_at is None
    assert state.describe() == "created (exit code 0)"


def test_parse_inspect_restarting() -> None:
    [state] = parse_inspect(_inspect(inspect_document(State=_state(Status="restarting", Restarting=True))))
    assert state.restarting is True


@pytest.mark.parametrize(
    ("bindings", "port", "binding"),
    [
        ([{"HostIp": "127.0.0.1", "HostPort": "8080"}], 8080, "127.0.0.1"),
        ([{"HostIp": "0.0.0.0", "HostPort": "80"}, {"HostIp": "::", "HostPort": "80"}], 80, "0.0.0.0"),
        ([{"HostIp": "::", "HostPort": "8081"}], 8081, "::"),
        ([{"HostIp": "", "HostPort": "8082"}], 8082, ""),
        ([{"HostIp": "192.168.10.5", "HostPort": "80"}], None, "192.168.10.5"),
        (
            [{"HostIp": "192.168.10.5", "HostPort": "80"}, {"HostIp": "127.0.0.1", "HostPort": "18080"}],
            18080,
            "127.0.0.1",
        ),
        ([{"HostIp": "127.0.0.1", "HostPort": ""}], None, "127.0.0.1"),
        (None, None, None),
        ([], None, None),
    ],
)
def test_http_port_is_only_a_loopback_reachable_binding(
    bindings: list[dict[str, str]] | None, port: int | None, binding: str | None
) -> None:
    document = inspect_document()
    document["NetworkSettings"]["Ports"]["80/tcp"] = bindings
    [state] = parse_inspect(_inspect(document))
    assert (state.http_port, state.http_binding) == (port, binding)


def test_http_port_ignores_other_container_ports() -> None:
    document = inspect_document()
    document["NetworkSettings"]["Ports"] = {"443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "443"}]}
    [state] = parse_inspect(_inspect(document))
    assert state.http_port is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (["APPSMITH_DISABLE_TELEMETRY=false"], "false"),
        (["APPSMITH_DISABLE_TELEMETRY=true", "APPSMITH_DISABLE_TELEMETRY=false"], "false"),
        (["APPSMITH_DISABLE_TELEMETRY="], ""),
        (["APPSMITH_DISABLE_TELEMETRY"], None),
        (["APPSMITH_DISABLE_TELEMETRY_X=true", "XAPPSMITH_DISABLE_TELEMETRY=true"], None),
        (["APPSMITH_DISABLE_TELEMETRY=a=b"], "a=b"),
        ([], None),
        (None, None),
    ],
)
def test_env_lookup_keeps_only_the_switch(env: list[str] | None, expected: str | None) -> None:
    document = inspect_document()
    document["Config"]["Env"] = env
    [state] = parse_inspect(_inspect(document))
    assert state.telemetry_env == expected


def test_no_secret_from_the_container_environment_is_kept() -> None:
    [state] = parse_inspect(_inspect(inspect_document()))
    kept = repr(state) + str(vars(state))
    for secret in (ENCRYPTION_PASSWORD, MONGO_PASSWORD, MAIL_PASSWORD, SUPERVISOR_PASSWORD):
        assert secret not in kept
    assert "APPSMITH_ENCRYPTION_PASSWORD" not in kept


def test_parse_inspect_several_containers_keeps_order() -> None:
    nginx = inspect_document(Id=NGINX_ID, Name="/appsmith_nginx_1")
    nginx["Config"] = copy.deepcopy(nginx["Config"])
    nginx["Config"]["Labels"][SERVICE_LABEL] = "nginx"
    states = parse_inspect(_inspect(inspect_document(), nginx))
    assert [(s.name, s.service) for s in states] == [("appsmith", "appsmith"), ("appsmith_nginx_1", "nginx")]


def test_parse_inspect_minimal_document() -> None:
    [state] = parse_inspect(_ok('[{"Id": "abc"}]'))
    assert state.id == "abc"
    assert state.status == "unknown"
    assert state.running is False
    assert state.telemetry_env is None


def test_parse_inspect_partial_answer_when_one_container_vanished() -> None:
    """`docker inspect a b` exits 1 when b is gone, but still prints a."""
    result = CommandResult(
        ("docker", "inspect"), 1, json.dumps([inspect_document()]), "Error: No such container: b\n"
    )
    assert [s.id for s in parse_inspect(result)] == [SERVER_ID]


def test_parse_inspect_failure_is_classified() -> None:
    with pytest.raises(DockerError) as raised:
        parse_inspect(CommandResult(("docker", "inspect"), 1, "", DAEMON_DOWN))
    assert raised.value.problem is DockerProblem.DAEMON_DOWN


def test_parse_inspect_not_json() -> None:
    with pytest.raises(DockerError) as raised:
        parse_inspect(_ok("this is not json"))
    assert raised.value.problem is DockerProblem.FAILED


# --- classify_failure
# --------------------------------------------------------------------------------------------

PERMISSION_DENIED = (
    "Got permission denied while trying to connect to the Docker daemon socket at "
    "unix:///var/run/docker.sock: "
    'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: '
    "connect: permission denied\n"
)


def test_classify_daemon_down() -> None:
    error = classify_failure(CommandResult(PS_ARGV, 1, "", DAEMON_DOWN))
    assert error.problem is DockerProblem.DAEMON_DOWN
    assert "not running" in error.message and "systemctl start docker" in error.message
    assert error.detail == DAEMON_DOWN.strip()


def test_classify_permission_denied() -> None:
    error = classify_failure(CommandResult(PS_ARGV, 1, "", PERMISSION_DENIED))
    assert error.problem is DockerProblem.PERMISSION
    assert "/var/run/docker.sock" in error.message
    assert "usermod -aG docker" in error.message


def test_permission_denied_elsewhere_is_not_the_socket() -> None:
    error = classify_failure(
        CommandResult(("docker", "compose", "up"), 1, "", "open /srv/appsmith/stacks/x: permission denied\n")
    )
    assert error.problem is DockerProblem.FAILED


def test_classify_other_failure_quotes_the_first_line() -> None:
    error = classify_failure(
        CommandResult(
            ("docker", "inspect", "--type", "container", "abc"),
            1,
            "",
            "Error: No such container: abc\nmore detail\n",
        )
    )
    assert error.problem is DockerProblem.FAILED
    assert error.message == "docker inspect --type failed: Error: No such container: abc"
    assert "more detail" in error.detail


def test_classify_silent_failure_gives_the_exit_code() -> None:
    error = classify_failure(CommandResult(("docker", "ps"), 125, "", ""))
    assert error.problem is DockerProblem.FAILED
    assert "exit code 125" in error.message


def test_classify_uses_stdout_when_stderr_is_empty() -> None:
    error = classify_failure(CommandResult(("docker", "ps"), 1, DAEMON_DOWN, ""))
    assert error.problem is DockerProblem.DAEMON_DOWN


# --- docker.run
# -----------------------------------------------------------------------------------------------------


def test_run_with_a_missing_program(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DockerError) as raised:
        docker.run(("docker", "ps"))
    assert raised.value.problem is DockerProblem.MISSING
    assert "docker was not found on PATH" in raised.value.message


def test_run_passes_arguments_without_a_shell(fake_bin: FakeBin) -> None:
    fake_bin.add("docker", stdout="out\n", stderr="err\n", exit_code=3)
    result = docker.run(("docker", "ps", "--filter", "label=a b", "$(touch pwned)", "; echo x"))
    assert result == CommandResult(
        ("docker", "ps", "--filter", "label=a b", "$(touch pwned)", "; echo x"), 3, "out\n", "err\n"
    )
    assert not result.ok
    assert fake_bin.calls("docker") == [
        ["docker", "ps", "--filter", "label=a b", "$(touch pwned)", "; echo x"]
    ]


def test_run_checked_raises_the_classified_error(fake_bin: FakeBin) -> None:
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    with pytest.raises(DockerError) as raised:
        docker.run_checked(("docker", "ps"))
    assert raised.value.problem is DockerProblem.DAEMON_DOWN


def test_run_times_out(fake_bin: FakeBin) -> None:
    fake_bin.add_script("docker", "import time\ntime.sleep(30)\n")
    with pytest.raises(DockerError) as raised:
        docker.run(("docker", "ps"), timeout=0.5)
    assert raised.value.problem is DockerProblem.TIMEOUT


def test_run_does_not_inherit_a_terminal(fake_bin: FakeBin) -> None:
    fake_bin.add_script("docker", "print(sys.stdin.read() == '')\n")
    assert docker.run(("docker", "ps")).stdout == "True\n"


def test_run_replaces_undecodable_output(fake_bin: FakeBin) -> None:
    fake_bin.add_script("docker", "sys.stdout.buffer.write(b'caf\\xe9\\n')\n")
    assert docker.run(("docker", "ps")).stdout == "caf\ufffd\n"


def test_started_command_runs_while_the_caller_works_and_answers_every_reader_the_same(
    fake_bin: FakeBin,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    fake_bin.add_script("docker", "import time\ntime.sleep(0.3)\nprint('ready')\n")
    started = docker.start(("docker", "ps"))
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: started.result(), range(3)))
    assert answers == [CommandResult(("docker", "ps"), 0, "ready\n", "")] * 3
    assert len(fake_bin.calls("docker")) == 1, "one process, however many readers"


def test_started_command_times_out_for_every_reader(fake_bin: FakeBin) -> None:
    fake_bin.add_script("docker", "import time\ntime.sleep(30)\n")
    started = docker.start(("docker", "ps"), timeout=0.3)
    for _ in range(2):
        with pytest.raises(DockerError) as raised:
            started.result()
        assert raised.value.problem is DockerProblem.TIMEOUT


def test_starting_a_missing_program_fails_when_the_answer_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    started = docker.start(("docker", "ps"))  # no exception yet: the caller decides when to hear it
    with pytest.raises(DockerError) as raised:
        started.result()
    assert raised.value.problem is DockerProblem.MISSING


# --- inspect_ahead: inspect before the compose file is read
# ---------------------------------------------------------


def _ps_lines(*rows: tuple[str, Path | str, str]) -> str:
    return "".join(f"{cid}\t{folder}\t{service}\tappsmith/appsmith-ce\n" for cid, folder, service in rows)


def test_inspect_ahead_inspects_the_containers_started_from_the_path_or_above_it(
    fake_bin: FakeBin, tmp_path: Path
) -> None:
    folder = tmp_path / "appsmith"
    (folder / "stacks" / "configuration").mkdir(parents=True)
    ps = _ps_lines(
        ("aaaa", folder, "appsmith"), ("bbbb", tmp_path / "other", "appsmith"), ("cccc", folder, "mongo")
    )
    fake_bin.add("docker", Answer(("ps",), stdout=ps), Answer(("inspect",), stdout=json.dumps([])))
    ahead = inspect_ahead(docker.start(PS_ARGV), folder / "stacks" / "configuration")
    assert ahead is not None and ahead.ids == {"aaaa", "cccc"} and ahead.states == ()
    assert fake_bin.calls("docker")[-1] == ["docker", "inspect", "--type", "container", "aaaa", "cccc"]


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        ((Answer(("ps",), stderr=DAEMON_DOWN, exit_code=1),), "ps failed"),
        (
            (Answer(("ps",), stdout=_ps_lines(("bbbb", "/elsewhere", "appsmith"))),),
            "nothing from this folder",
        ),
        (
            (
                Answer(("ps",), stdout="{ps}"),
                Answer(("inspect",), stderr="Error: No such container", exit_code=1),
            ),
            "inspect failed",
        ),
    ],
)
def test_inspect_ahead_gives_up_quietly_so_the_usual_path_asks_or_reports(
    fake_bin: FakeBin, tmp_path: Path, answers: tuple[Answer, ...], why: str
) -> None:
    answers = tuple(
        Answer(
            a.args, a.stdout.replace("{ps}", _ps_lines(("aaaa", tmp_path, "appsmith"))), a.stderr, a.exit_code
        )
        for a in answers
    )
    fake_bin.add("docker", *answers)
    assert inspect_ahead(docker.start(PS_ARGV), tmp_path) is None, why


def test_fake_bin_is_first_on_path(fake_bin: FakeBin) -> None:
    assert os.environ["PATH"].split(os.pathsep)[0] == str(fake_bin.folder)


# --- the server process's start, by docker top
# --------------------------------------------------------------------


def test_server_start_is_now_minus_the_server_process_age() -> None:
    from datetime import UTC, datetime, timedelta

    from panel.core.containers import parse_server_start, top_argv

    assert top_argv("abc") == ("docker", "top", "abc", "-o", "pid,etimes,args")
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    stdout = (
        "PID                 ELAPSED             COMMAND\n"
        "4242                86400               /usr/bin/python3 /usr/bin/supervisord -n\n"
        "4301                125                 java -Dserver.port=8080 -jar server.jar\n"
        "4400                90                  node server.js\n"
    )
    assert parse_server_start(_result(stdout), now) == now - timedelta(seconds=126), "rounded to the earlier"
    assert parse_server_start(_result(stdout.splitlines()[0] + "\n"), now) is None, "no server yet"
    assert parse_server_start(_result("", ok=False), now) is None, "docker could not say"


def _result(stdout: str, ok: bool = True) -> CommandResult:
    return CommandResult(
        ("docker", "top"), 0 if ok else 1, stdout, "" if ok else "Error response from daemon"
    )
