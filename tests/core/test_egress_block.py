"""The block: pins added as whole marked lines to the override compose reads, removed byte for byte, and a
refusal that writes nothing for every input the panel cannot follow."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from panel.core.deployment import load_deployment
from panel.core.egress_block import (
    BLOCK_ADDRESS,
    CREATED_LINE,
    DEFAULT_OVERRIDE,
    HOSTS,
    MARK,
    BlockRefusedError,
    BlockState,
    blocks_in_hosts_file,
    configured_blocks,
    find_override,
    prepare_block,
    prepare_unblock,
    read_block_state,
    still_leaves,
    write_block,
)
from panel.core.restart import ComposeTool, plan_restart
from tests.conftest import Answer, FakeBin, dedent


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def _pins(path: Path, service: str) -> list[str]:
    return list(yaml.safe_load(path.read_text())["services"][service]["extra_hosts"])


def test_hosts_name_their_source_in_appsmiths_code() -> None:
    names = {host.name: host for host in HOSTS}
    assert set(names) == {"api.segment.io", "cs.appsmith.com"}
    assert names["api.segment.io"].default and not names["cs.appsmith.com"].default
    assert "CloudServicesConfigCE.java:17 @ e6ffbae9f2" in names["cs.appsmith.com"].source
    assert "licens" in names["cs.appsmith.com"].consequences


def test_block_creates_the_override_and_unblock_deletes_it(single_deployment: Path) -> None:
    before = _files(single_deployment)
    deployment = load_deployment(single_deployment)
    change = prepare_block(deployment)
    assert change.creates_file and change.hosts == ("api.segment.io",)
    assert "+services:" in change.diff() and f"api.segment.io:{BLOCK_ADDRESS}" in change.diff()
    assert write_block(change) is None
    override = single_deployment / DEFAULT_OVERRIDE
    assert override.read_text().startswith(CREATED_LINE)
    assert _pins(override, "appsmith") == ["api.segment.io:0.0.0.0"]
    assert configured_blocks(deployment) == ("api.segment.io",)
    assert (single_deployment / "docker-compose.yml").read_bytes() == before["docker-compose.yml"]

    unblock = prepare_unblock(deployment)
    assert unblock.deletes_file and unblock.hosts == ("api.segment.io",)
    backup = write_block(unblock)
    assert backup is not None and backup.read_bytes() == override.with_name(backup.name).read_bytes()
    assert not override.exists()
    assert {
        name: data for name, data in _files(single_deployment).items() if ".backup-" not in name
    } == before


EXISTING = dedent(
    """\
    # my own override: keep every byte
    services:
      appsmith:   # the server
        environment:
          APPSMITH_MAIL_PASSWORD: "hunter2-secret"
        extra_hosts:
          - "mail.internal:10.0.0.5"   # my mail relay

        labels: {a: b}
      other:
        image: busybox
    """
)


def test_block_adds_only_marked_lines_to_an_existing_override(single_deployment: Path) -> None:
    override = single_deployment / DEFAULT_OVERRIDE
    override.write_text(EXISTING)
    deployment = load_deployment(single_deployment)
    change = prepare_block(deployment, ["api.segment.io", "cs.appsmith.com"])
    assert "hunter2" not in change.diff()
    write_block(change)
    text = override.read_text()
    added = [line for line in text.splitlines() if line not in EXISTING.splitlines()]
    assert added and all(line.endswith(MARK) for line in added)
    assert _pins(override, "appsmith") == [
        "mail.internal:10.0.0.5",
        "api.segment.io:0.0.0.0",
        "cs.appsmith.com:0.0.0.0",
    ]
    # a second block of the same host adds nothing
    again = prepare_block(load_deployment(single_deployment), ["cs.appsmith.com"])
    assert not again.changes_file and again.notes

    write_block(prepare_unblock(load_deployment(single_deployment), ["cs.appsmith.com"]))
    assert _pins(override, "appsmith") == ["mail.internal:10.0.0.5", "api.segment.io:0.0.0.0"]
    write_block(prepare_unblock(load_deployment(single_deployment)))
    assert override.read_text() == EXISTING


@pytest.mark.parametrize(
    "existing",
    [
        "services:\n  appsmith:\n    image: x\n",
        "services:\n    other:\n        image: busybox\n",
        "# only a comment\n",
        "",
        'services:\r\n  appsmith:\r\n    extra_hosts:\r\n    - "a.b:1.2.3.4"\r\n',
        "x-anchor: &a\n  image: busybox\nservices:\n  appsmith:\n    restart: always\n",
    ],
)
def test_block_then_unblock_is_byte_identical(single_deployment: Path, existing: str) -> None:
    override = single_deployment / DEFAULT_OVERRIDE
    override.write_bytes(existing.encode())
    deployment = load_deployment(single_deployment)
    write_block(prepare_block(deployment, ["api.segment.io", "cs.appsmith.com"]))
    assert "api.segment.io:0.0.0.0" in _pins(override, "appsmith")
    write_block(prepare_unblock(deployment))
    assert override.read_bytes() == existing.encode()


@settings(max_examples=40, deadline=None)
@given(
    comments=st.lists(st.sampled_from(["# c\n", "\n", "  # indented\n"]), max_size=3),
    other=st.sampled_from(["", "  web:\n    image: nginx\n", "  web:\n    ports:\n      - 80:80\n"]),
    fields=st.sampled_from(["", "    restart: always\n", '    extra_hosts:\n      - "x.y:9.9.9.9"\n']),
)
def test_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory, comments: list[str], other: str, fields: str
) -> None:
    from tests.conftest import write_single_deployment

    folder = write_single_deployment(tmp_path_factory.mktemp("prop"))
    text = "".join(comments) + "services:\n" + other + "  appsmith:\n" + fields + "".join(comments)
    (folder / DEFAULT_OVERRIDE).write_text(text)
    deployment = load_deployment(folder)
    write_block(prepare_block(deployment))
    assert _pins(folder / DEFAULT_OVERRIDE, "appsmith")[-1] == "api.segment.io:0.0.0.0"
    write_block(prepare_unblock(deployment))
    assert (folder / DEFAULT_OVERRIDE).read_text() == text


@pytest.mark.parametrize(
    ("existing", "words"),
    [
        ("{services: {appsmith: {extra_hosts: []}}}\n", "cannot round-trip"),
        ("services:\n  appsmith: {image: x}\n", "cannot round-trip"),
        ("services:\n  appsmith:\n    extra_hosts:\n      mail.internal: 10.0.0.5\n", "mapping"),
        ('services:\n  appsmith:\n    extra_hosts:\n      - "api.segment.io:52.1.2.3"\n', "conflicts"),
        ("services: [\n", "cannot be read as YAML"),
        ("- a list\n", "not a compose mapping"),
    ],
)
def test_refusals_write_nothing(single_deployment: Path, existing: str, words: str) -> None:
    (single_deployment / DEFAULT_OVERRIDE).write_text(existing)
    before = _files(single_deployment)
    with pytest.raises(BlockRefusedError, match=words) as refused:
        prepare_block(load_deployment(single_deployment))
    assert "Nothing was written" in str(refused.value) or "nothing was written" in str(refused.value)
    assert _files(single_deployment) == before


def test_conflict_in_the_compose_file_itself_is_refused(tmp_path: Path) -> None:
    from tests.conftest import SINGLE_COMPOSE, write_single_deployment

    compose = SINGLE_COMPOSE.replace(
        "  appsmith:\n", "  appsmith:\n    extra_hosts:\n      - cs.appsmith.com=10.1.1.1\n", 1
    )
    folder = write_single_deployment(tmp_path / "a", compose=compose)
    with pytest.raises(BlockRefusedError, match="cs.appsmith.com:10.1.1.1 in docker-compose.yml"):
        prepare_block(load_deployment(folder), ["cs.appsmith.com"])
    assert not (folder / DEFAULT_OVERRIDE).exists()


def test_several_overrides_and_unknown_hosts_are_refused(single_deployment: Path) -> None:
    with pytest.raises(BlockRefusedError, match="choose from: api.segment.io, cs.appsmith.com"):
        prepare_block(load_deployment(single_deployment), ["example.com"])
    (single_deployment / "compose.override.yml").write_text("services: {}\n")
    (single_deployment / DEFAULT_OVERRIDE).write_text("services: {}\n")
    with pytest.raises(BlockRefusedError, match="several override files"):
        find_override(single_deployment)


def test_legacy_layout_blocks_the_server_service(legacy_deployment: Path) -> None:
    deployment = load_deployment(legacy_deployment)
    change = prepare_block(deployment)
    assert change.service == "appsmith-internal-server"
    write_block(change)
    assert _pins(legacy_deployment / DEFAULT_OVERRIDE, "appsmith-internal-server") == [
        "api.segment.io:0.0.0.0"
    ]


def test_unblock_refuses_lines_edited_around(single_deployment: Path) -> None:
    deployment = load_deployment(single_deployment)
    write_block(prepare_block(deployment))
    override = single_deployment / DEFAULT_OVERRIDE
    override.write_text(override.read_text() + '      - "mine.example:10.0.0.1"\n')
    edited = override.read_bytes()
    with pytest.raises(BlockRefusedError, match="edited around"):
        prepare_unblock(deployment)
    assert override.read_bytes() == edited


def test_restart_commands_name_the_override(single_deployment: Path) -> None:
    deployment = load_deployment(single_deployment)
    assert "-f" not in plan_restart(deployment, ComposeTool.V1).start.argv[3:]
    write_block(prepare_block(deployment))
    argv = plan_restart(deployment, ComposeTool.V1).start.argv
    assert argv[:5] == ("docker-compose", "-f", "docker-compose.yml", "-f", DEFAULT_OVERRIDE)


def test_hosts_file_reading() -> None:
    text = (
        "127.0.0.1\tlocalhost\n0.0.0.0\tapi.segment.io\n10.0.0.1 cs.appsmith.com\n0.0.0.0 cs.appsmith.com\n"
    )
    assert blocks_in_hosts_file(text) == ("api.segment.io",)
    assert blocks_in_hosts_file("# 0.0.0.0 api.segment.io\n") == ()


def test_still_leaves_only_when_off_and_nothing_blocked(single_deployment: Path) -> None:
    deployment = load_deployment(single_deployment)
    state = read_block_state(deployment, None, False)
    assert state.configured == () and state.in_effect is None and state.error
    sentence = still_leaves(False, state)
    assert sentence is not None and "api.segment.io" in sentence and sentence.count(". ") == 0
    assert still_leaves(True, state) is None
    assert still_leaves(False, BlockState("appsmith", None, ("api.segment.io",), None)) is None


def test_block_state_reads_the_containers_hosts_file_through_docker(
    single_deployment: Path, fake_bin: FakeBin
) -> None:
    fake_bin.add("docker", Answer(("exec",), stdout="127.0.0.1 localhost\n0.0.0.0 cs.appsmith.com\n"))
    deployment = load_deployment(single_deployment)
    state = read_block_state(deployment, "abc123", True)
    assert fake_bin.calls("docker") == [["docker", "exec", "abc123", "cat", "/etc/hosts"]]
    assert (state.configured, state.in_effect, state.pending_restart) == ((), ("cs.appsmith.com",), True)
    document = state.to_json(False)
    assert document["in_effect"] == ["cs.appsmith.com"] and document["still_leaves"] is None
    assert "in effect in the container: cs.appsmith.com" in str(state)


def test_block_state_already_read_from_the_same_container_asks_docker_nothing(
    single_deployment: Path, fake_bin: FakeBin
) -> None:
    fake_bin.add("docker", Answer(("exec",), stdout="0.0.0.0 cs.appsmith.com\n"))
    deployment = load_deployment(single_deployment)
    write_block(prepare_block(deployment))
    state = read_block_state(deployment, "abc123", True, known_in_effect=("api.segment.io",))
    assert fake_bin.calls("docker") == []
    assert (state.configured, state.in_effect, state.error) == (
        ("api.segment.io",),
        ("api.segment.io",),
        None,
    )
    stopped = read_block_state(deployment, "abc123", False, known_in_effect=("api.segment.io",))
    assert stopped.in_effect is None and stopped.error == "no running container of appsmith"


def test_block_state_says_why_the_container_was_not_read(single_deployment: Path, fake_bin: FakeBin) -> None:
    fake_bin.add("docker", Answer(("exec",), stderr="Error: No such container: abc123", exit_code=1))
    state = read_block_state(load_deployment(single_deployment), "abc123", True)
    assert (
        state.in_effect is None and state.error is not None and state.error.startswith("/etc/hosts not read")
    )


def test_a_compose_file_list_in_dotenv_that_leaves_the_override_out_is_said(single_deployment: Path) -> None:
    (single_deployment / ".env").write_text("COMPOSE_FILE=docker-compose.yml\n")
    change = prepare_block(load_deployment(single_deployment))
    assert any(
        "COMPOSE_FILE=docker-compose.yml" in note and DEFAULT_OVERRIDE in note for note in change.notes
    )
    (single_deployment / ".env").write_text(f"COMPOSE_FILE=docker-compose.yml:{DEFAULT_OVERRIDE}\n")
    assert prepare_block(load_deployment(single_deployment)).notes == ()
