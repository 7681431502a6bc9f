"""Tests for recognising a deployment folder: compose file, layout, env file, and what overrides
docker.env."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from panel.core.deployment import (
    COMPOSE_NAMES,
    InterpolationError,
    Layout,
    NotADeploymentError,
    Override,
    edition_of_image,
    interpolate,
    load_deployment,
)
from panel.core.envfile import TELEMETRY_KEY, SwitchState
from tests.conftest import (
    DAEMON_DOWN,
    LEGACY_NGINX_TEMPLATE,
    SINGLE_COMPOSE,
    Answer,
    FakeBin,
    dedent,
    write_single_deployment,
)


def _compose(folder: Path, text: str, name: str = "docker-compose.yml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(dedent(text), encoding="utf-8")
    return folder


def _appsmith_with(extra: str) -> str:
    """A single-container compose file whose `appsmith` service has `extra` (indented 4) added."""
    return SINGLE_COMPOSE + "".join(f"    {line}\n" for line in dedent(extra).splitlines())


# --- Finding the folder and its compose file
# ----------------------------------------------------------------------


@pytest.mark.parametrize("name", COMPOSE_NAMES)
def test_each_compose_file_name_is_recognised(tmp_path: Path, name: str) -> None:
    folder = _compose(tmp_path / "d", SINGLE_COMPOSE, name)
    deployment = load_deployment(folder)
    assert deployment.compose_file == folder / name
    assert deployment.layout is Layout.SINGLE
    assert deployment.warnings == ()


def test_several_compose_files_warn_and_the_preferred_one_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    for name in ("docker-compose.yml", "compose.yaml", "docker-compose.yaml"):
        _compose(folder, SINGLE_COMPOSE, name)
    deployment = load_deployment(folder)
    assert deployment.compose_file.name == "compose.yaml"
    assert len(deployment.warnings) == 1
    warning = deployment.warnings[0]
    assert "compose.yaml" in warning and "docker-compose.yaml" in warning and "docker-compose.yml" in warning


def test_single_container_layout(single_deployment: Path) -> None:
    deployment = load_deployment(single_deployment)
    assert deployment.folder == single_deployment
    assert deployment.layout is Layout.SINGLE
    assert deployment.compose_file == single_deployment / "docker-compose.yml"
    assert deployment.env_file == single_deployment / "stacks" / "configuration" / "docker.env"
    assert deployment.server_service == "appsmith"
    assert deployment.services_to_recreate == ("appsmith",)
    assert deployment.image == "index.docker.io/appsmith/appsmith-ee"
    assert deployment.edition == "EE"
    assert deployment.container_name == "appsmith"
    assert deployment.overrides == ()
    assert deployment.nginx_template is None
    assert deployment.warnings == ()


def test_legacy_layout(legacy_deployment: Path) -> None:
    deployment = load_deployment(legacy_deployment)
    assert deployment.layout is Layout.LEGACY
    assert deployment.env_file == legacy_deployment / "docker.env"
    assert deployment.server_service == "appsmith-internal-server"
    assert deployment.services_to_recreate == ("appsmith-internal-server", "nginx")
    assert deployment.nginx_template == legacy_deployment / "data" / "nginx" / "app.conf.template"
    assert deployment.image == "index.docker.io/appsmith/appsmith-server:latest"
    # docker.env and encryption.env are the server's env_file entries; neither sets the switch
    assert deployment.overrides == ()
    assert deployment.warnings == ()


def test_legacy_layout_without_its_nginx_template_warns(legacy_deployment: Path) -> None:
    (legacy_deployment / "data" / "nginx" / "app.conf.template").unlink()
    deployment = load_deployment(legacy_deployment)
    assert any("app.conf.template" in warning for warning in deployment.warnings)


@pytest.mark.parametrize("inside", ["stacks/configuration/docker.env", "docker-compose.yml"])
def test_a_path_inside_the_folder_finds_the_folder(single_deployment: Path, inside: str) -> None:
    deployment = load_deployment(single_deployment / inside)
    assert deployment.folder == single_deployment


def test_legacy_docker_env_finds_its_folder(legacy_deployment: Path) -> None:
    assert load_deployment(legacy_deployment / "docker.env").folder == legacy_deployment
    assert (
        load_deployment(legacy_deployment / "data" / "nginx" / "app.conf.template").folder
        == legacy_deployment
    )


def test_relative_paths_are_made_absolute(single_deployment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(single_deployment.parent)
    deployment = load_deployment(Path(single_deployment.name))
    assert deployment.folder == single_deployment
    assert deployment.env_file.is_absolute()


@pytest.mark.parametrize(
    "name",
    [
        "my apps",
        'it\'s "quoted"',
        "$(rm -rf ~)",
        "`id`; echo pwned",
        "Ünïcødé 日本",
        "-starts-with-dash",
        "back\\slash",
    ],
)
def test_folder_names_are_just_names(tmp_path: Path, name: str) -> None:
    folder = write_single_deployment(tmp_path / name)
    deployment = load_deployment(folder)
    assert deployment.folder == folder
    assert deployment.env_file == folder / "stacks" / "configuration" / "docker.env"
    assert load_deployment(deployment.env_file).folder == folder


# --- Not a deployment: say what was looked for
# ----------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(NotADeploymentError, match="does not exist"):
        load_deployment(tmp_path / "nowhere")


def test_folder_without_compose_file_names_the_files_looked_for(tmp_path: Path) -> None:
    with pytest.raises(NotADeploymentError) as raised:
        load_deployment(tmp_path)
    for name in COMPOSE_NAMES:
        assert name in str(raised.value)


def test_file_with_no_compose_file_above(tmp_path: Path) -> None:
    stray = tmp_path / "a" / "b" / "docker.env"
    stray.parent.mkdir(parents=True)
    stray.write_text("A=1\n")
    with pytest.raises(NotADeploymentError, match="No compose file"):
        load_deployment(stray)


def test_no_appsmith_service_names_what_was_looked_for(tmp_path: Path) -> None:
    folder = _compose(
        tmp_path / "d",
        """\
        services:
          web:
            image: nginx:latest
          editor:
            image: appsmith/appsmith-editor
        """,
    )
    with pytest.raises(NotADeploymentError) as raised:
        load_deployment(folder)
    message = str(raised.value)
    for looked_for in (
        "'appsmith'",
        "appsmith/appsmith-ce",
        "appsmith/appsmith-ee",
        "appsmith-internal-server",
    ):
        assert looked_for in message


@pytest.mark.parametrize(
    "text", ["services: [unclosed\n", "services:\n  appsmith:\n    image: 'x\n", "\tservices: {}\n"]
)
def test_invalid_yaml(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "docker-compose.yml").write_text(text)
    with pytest.raises(NotADeploymentError, match="not valid YAML"):
        load_deployment(folder)


@pytest.mark.parametrize("text", ["", "just a string\n", "version: '3'\n", "services: [a, b]\n"])
def test_yaml_without_services(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "docker-compose.yml").write_text(text)
    with pytest.raises(NotADeploymentError, match="services"):
        load_deployment(folder)


def test_compose_file_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "docker-compose.yml").write_bytes(b"services:\n  appsmith:\n    image: caf\xe9\n")
    with pytest.raises(NotADeploymentError, match="Cannot read"):
        load_deployment(folder)


# --- Which service is Appsmith ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        "appsmith/appsmith-ce",
        "appsmith/appsmith-ee:v1.9.57",
        "index.docker.io/appsmith/appsmith-ee",
        "docker.io/appsmith/appsmith-ce@sha256:" + "a" * 64,
        "registry.local:5000/appsmith/appsmith-ce:latest",
    ],
)
def test_appsmith_service_found_by_image_under_another_name(tmp_path: Path, image: str) -> None:
    folder = _compose(
        tmp_path / "d",
        f"""\
        services:
          db:
            image: mongo:5
          my-low-code:
            image: {image}
            volumes:
              - ./stacks:/appsmith-stacks
        """,
    )
    deployment = load_deployment(folder)
    assert deployment.server_service == "my-low-code"
    assert deployment.services_to_recreate == ("my-low-code",)


@pytest.mark.parametrize(
    ("image", "edition"),
    [
        ("appsmith/appsmith-ee", "EE"),
        ("index.docker.io/appsmith/appsmith-ce:v1.9", "CE"),
        ("appsmith/appsmith-ee@sha256:abc", "EE"),
        ("appsmith/appsmith-server:latest", None),
        (None, None),
        ("", None),
    ],
)
def test_edition_of_image(image: str | None, edition: str | None) -> None:
    assert edition_of_image(image) == edition


def test_service_named_appsmith_is_preferred(tmp_path: Path) -> None:
    folder = _compose(
        tmp_path / "d",
        """\
        services:
          backup:
            image: appsmith/appsmith-ce
          appsmith:
            image: appsmith/appsmith-ee
        """,
    )
    assert load_deployment(folder).server_service == "appsmith"


def test_empty_service_definition(tmp_path: Path) -> None:
    folder = _compose(tmp_path / "d", "services:\n  appsmith:\n")
    deployment = load_deployment(folder)
    assert deployment.server_service == "appsmith"
    assert deployment.image is None
    assert deployment.env_file == folder / "stacks" / "configuration" / "docker.env"


# --- Where the stacks folder is
# --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volume", "stacks"),
    [
        ("- ./stacks:/appsmith-stacks", "stacks"),
        ("- ./data/appsmith:/appsmith-stacks", "data/appsmith"),
        ("- ./custom:/appsmith-stacks:rw", "custom"),
        ("- ./custom:/appsmith-stacks/", "custom"),
        ("- type: bind\n  source: ./long-syntax\n  target: /appsmith-stacks", "long-syntax"),
        (
            "- type: bind\n  source: ./long-syntax\n  target: /appsmith-stacks/\n  read_only: false",
            "long-syntax",
        ),
    ],
)
def test_stacks_bind_mount(tmp_path: Path, volume: str, stacks: str) -> None:
    folder = _compose(
        tmp_path / "d",
        f"""\
services:
  appsmith:
    image: appsmith/appsmith-ce
    volumes:
      - ./other:/somewhere-else
{"".join(f"      {line}{chr(10)}" for line in volume.splitlines())}""",
    )
    deployment = load_deployment(folder)
    assert deployment.env_file == folder / stacks / "configuration" / "docker.env"


def test_stacks_bind_mount_with_an_absolute_path(tmp_path: Path) -> None:
    elsewhere = tmp_path / "srv" / "appsmith stacks"
    folder = _compose(
        tmp_path / "d",
        f"""\
        services:
          appsmith:
            image: appsmith/appsmith-ce
            volumes:
              - "{elsewhere}:/appsmith-stacks"
        """,
    )
    assert load_deployment(folder).env_file == elsewhere / "configuration" / "docker.env"


@pytest.mark.parametrize(
    ("source", "dotenv", "stacks"),
    [
        ("${STACKS_DIR}", "STACKS_DIR=./data/stacks\n", "data/stacks"),
        ("$STACKS_DIR", "STACKS_DIR=./data/stacks\n", "data/stacks"),
        ("${STACKS_DIR:-./elsewhere}", "", "elsewhere"),
    ],
)
def test_stacks_bind_mount_source_is_interpolated_like_compose(
    tmp_path: Path, source: str, dotenv: str, stacks: str
) -> None:
    """Compose interpolates the whole file: `${STACKS_DIR}` set to `./data/stacks` is a bind mount, not a
    volume."""
    folder = _compose(
        tmp_path / "d",
        f"""\
        services:
          appsmith:
            image: appsmith/appsmith-ce
            volumes:
              - "{source}:/appsmith-stacks"
        """,
    )
    (folder / ".env").write_text(dotenv)
    assert load_deployment(folder).env_file == folder / stacks / "configuration" / "docker.env"


def test_long_syntax_bind_with_a_relative_source_is_a_folder(tmp_path: Path) -> None:
    """With `type: bind`, compose resolves a relative source against the project folder, even without `./`."""
    folder = _compose(
        tmp_path / "d",
        """\
        services:
          appsmith:
            image: appsmith/appsmith-ce
            volumes:
              - type: bind
                source: stacks
                target: /appsmith-stacks
        """,
    )
    assert load_deployment(folder).env_file == folder / "stacks" / "configuration" / "docker.env"


NAMED_VOLUMES = [
    "- appsmith-stacks:/appsmith-stacks",
    "- type: volume\n  source: appsmith-stacks\n  target: /appsmith-stacks",
]


def _named_volume_compose(folder: Path, volume: str, top: str = "volumes:\n  appsmith-stacks:\n") -> Path:
    return _compose(
        folder,
        "services:\n  appsmith:\n    image: appsmith/appsmith-ce\n    volumes:\n"
        + "".join(f"      {line}\n" for line in volume.splitlines())
        + top,
    )


def _volume_answer(name: str, mountpoint: Path) -> Answer:
    """`docker volume inspect` as docker 24 prints it for one found volume (exit 1 when another was not)."""
    document = [{"Driver": "local", "Mountpoint": str(mountpoint), "Name": name, "Scope": "local"}]
    return Answer(("volume", "inspect"), stdout=json.dumps(document), stderr="no such volume\n", exit_code=1)


@pytest.mark.parametrize("volume", NAMED_VOLUMES)
def test_named_volume_is_found_through_docker(tmp_path: Path, fake_bin: FakeBin, volume: str) -> None:
    folder = _named_volume_compose(tmp_path / "My-Appsmith", volume)
    mountpoint = tmp_path / "var-lib-docker" / "my-appsmith_appsmith-stacks" / "_data"
    (mountpoint / "configuration").mkdir(parents=True)
    (mountpoint / "configuration" / "docker.env").write_text("APPSMITH_DISABLE_TELEMETRY=true\n")
    fake_bin.add("docker", _volume_answer("my-appsmith_appsmith-stacks", mountpoint))
    deployment = load_deployment(folder)
    assert deployment.env_file == mountpoint / "configuration" / "docker.env"
    assert fake_bin.calls("docker") == [
        ["docker", "volume", "inspect", "my-appsmith_appsmith-stacks", "myappsmith_appsmith-stacks"]
    ]
    assert any("named volume 'my-appsmith_appsmith-stacks'" in warning for warning in deployment.warnings)
    from panel.core.status import read_file_state

    assert read_file_state(deployment.env_file).state is SwitchState.DISABLED


def test_named_volume_root_only_says_what_to_do(
    tmp_path: Path, fake_bin: FakeBin, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _named_volume_compose(tmp_path / "appsmith", NAMED_VOLUMES[0])
    fake_bin.add(
        "docker", _volume_answer("appsmith_appsmith-stacks", Path("/var/lib/docker/volumes/x/_data"))
    )
    monkeypatch.setattr("panel.core.named_volume.can_enter", lambda folder: False)
    warnings = load_deployment(folder).warnings
    assert any("not readable by this user" in warning and "sudo" in warning for warning in warnings)


def test_named_volume_not_created_yet(tmp_path: Path, fake_bin: FakeBin) -> None:
    folder = _named_volume_compose(tmp_path / "appsmith", NAMED_VOLUMES[0])
    fake_bin.add(
        "docker", Answer(("volume", "inspect"), stdout="[]\n", stderr="no such volume\n", exit_code=1)
    )
    with pytest.raises(NotADeploymentError, match="first start") as raised:
        load_deployment(folder)
    assert "'appsmith_appsmith-stacks'" in str(raised.value)


def test_named_volume_without_docker(tmp_path: Path, fake_bin: FakeBin) -> None:
    folder = _named_volume_compose(tmp_path / "appsmith", NAMED_VOLUMES[0])
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    with pytest.raises(NotADeploymentError, match="docker could not be asked") as raised:
        load_deployment(folder)
    assert "named volume 'appsmith-stacks'" in str(raised.value)


@pytest.mark.parametrize(
    ("top", "folder_name", "environment", "names"),
    [
        (
            "volumes:\n  appsmith-stacks:\n",
            "my_App.1",
            {},
            ["my_app1_appsmith-stacks", "myapp1_appsmith-stacks"],
        ),
        (
            "name: prod\nvolumes:\n  appsmith-stacks:\n",
            "x",
            {},
            ["prod_appsmith-stacks", "x_appsmith-stacks"],
        ),
        (
            "volumes:\n  appsmith-stacks:\n",
            "x",
            {"COMPOSE_PROJECT_NAME": "Ops"},
            ["ops_appsmith-stacks", "x_appsmith-stacks"],
        ),
        ("volumes:\n  appsmith-stacks:\n    name: shared-stacks\n", "x", {}, ["shared-stacks"]),
        ("volumes:\n  appsmith-stacks:\n    external: true\n", "x", {}, ["appsmith-stacks"]),
        ("volumes:\n  appsmith-stacks:\n    external:\n      name: old-stacks\n", "x", {}, ["old-stacks"]),
    ],
)
def test_the_volume_names_compose_gives(
    tmp_path: Path, top: str, folder_name: str, environment: dict[str, str], names: list[str]
) -> None:
    import yaml

    from panel.core.named_volume import candidate_names

    folder = tmp_path / folder_name
    document = yaml.safe_load(top)
    assert candidate_names(folder, "appsmith-stacks", document, environment) == names


# --- Overrides: compose values that win over docker.env
# -----------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "raw", "state"),
    [
        ("environment:\n  - APPSMITH_DISABLE_TELEMETRY=true", "true", SwitchState.DISABLED),
        (
            "environment:\n  - APPSMITH_DISABLE_TELEMETRY=false\n  - APPSMITH_MAIL_ENABLED=false",
            "false",
            SwitchState.ENABLED,
        ),
        (
            "environment:\n  - APPSMITH_DISABLE_TELEMETRY=false\n  - APPSMITH_DISABLE_TELEMETRY=true",
            "true",
            SwitchState.DISABLED,
        ),
        ("environment:\n  APPSMITH_DISABLE_TELEMETRY: 'false'", "false", SwitchState.ENABLED),
        ('environment:\n  APPSMITH_DISABLE_TELEMETRY: "yes"', "yes", SwitchState.DISABLED),
        ("environment:\n  APPSMITH_DISABLE_TELEMETRY: true", "true", SwitchState.DISABLED),
        ("environment:\n  APPSMITH_DISABLE_TELEMETRY: false", "false", SwitchState.ENABLED),
        ("environment:\n  APPSMITH_DISABLE_TELEMETRY: 1", "1", SwitchState.DISABLED),
        ("environment:\n  APPSMITH_DISABLE_TELEMETRY: ''", "", SwitchState.INVALID),
        ("environment:\n  APPSMITH_DISABLE_TELEMETRY: maybe", "maybe", SwitchState.INVALID),
    ],
)
def test_environment_override(tmp_path: Path, environment: str, raw: str, state: SwitchState) -> None:
    folder = write_single_deployment(tmp_path / "d", compose=_appsmith_with(environment))
    deployment = load_deployment(folder)
    assert len(deployment.overrides) == 1
    override = deployment.overrides[0]
    assert override == Override("appsmith", "docker-compose.yml (environment:)", raw)
    assert override.state is state
    assert TELEMETRY_KEY in str(override) and "'appsmith'" in str(override)


def test_yaml_boolean_is_read_as_a_python_bool_and_written_as_compose_does(tmp_path: Path) -> None:
    import yaml

    assert yaml.safe_load("APPSMITH_DISABLE_TELEMETRY: true")["APPSMITH_DISABLE_TELEMETRY"] is True
    folder = write_single_deployment(
        tmp_path / "d", compose=_appsmith_with("environment:\n  APPSMITH_DISABLE_TELEMETRY: True")
    )
    assert load_deployment(folder).overrides[0].raw == "true"


def test_other_environment_values_are_no_override(tmp_path: Path) -> None:
    folder = write_single_deployment(
        tmp_path / "d",
        compose=_appsmith_with(
            "environment:\n  - APPSMITH_MAIL_ENABLED=false\n  - APPSMITH_DISABLE_TELEMETRY_X=true"
        ),
    )
    assert load_deployment(folder).overrides == ()


def test_override_on_another_service_does_not_count(tmp_path: Path) -> None:
    folder = write_single_deployment(
        tmp_path / "d",
        compose=SINGLE_COMPOSE
        + dedent("""\
          mongo:
            image: mongo
            environment:
              - APPSMITH_DISABLE_TELEMETRY=true
        """),
    )
    assert load_deployment(folder).overrides == ()


@pytest.mark.parametrize(
    ("value", "dotenv", "raw"),
    [
        ("${TELEMETRY_OFF}", "TELEMETRY_OFF=true\n", "true"),
        ("$TELEMETRY_OFF", "TELEMETRY_OFF=false\n", "false"),
        ("${TELEMETRY_OFF:-false}", "", "false"),
        ("${TELEMETRY_OFF:-false}", "TELEMETRY_OFF=\n", "false"),
        ("${TELEMETRY_OFF-false}", "TELEMETRY_OFF=\n", ""),
        ("${TELEMETRY_OFF-false}", "", "false"),
        ("${TELEMETRY_OFF}", "", ""),
        ("$$literal", "", "$literal"),
    ],
)
def test_environment_override_is_interpolated_from_dot_env(
    tmp_path: Path, value: str, dotenv: str, raw: str
) -> None:
    folder = write_single_deployment(
        tmp_path / "d", compose=_appsmith_with(f'environment:\n  APPSMITH_DISABLE_TELEMETRY: "{value}"')
    )
    if dotenv:
        (folder / ".env").write_text(dotenv)
    assert load_deployment(folder).overrides[0].raw == raw


def test_list_form_is_interpolated_too(tmp_path: Path) -> None:
    folder = write_single_deployment(
        tmp_path / "d", compose=_appsmith_with("environment:\n  - APPSMITH_DISABLE_TELEMETRY=${OFF}")
    )
    (folder / ".env").write_text("OFF=yes\n")
    assert load_deployment(folder).overrides[0].state is SwitchState.DISABLED


def test_shell_environment_wins_over_dot_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_single_deployment(
        tmp_path / "d",
        compose=_appsmith_with("environment:\n  - APPSMITH_DISABLE_TELEMETRY=${TELEMETRY_OFF}"),
    )
    (folder / ".env").write_text("TELEMETRY_OFF=false\n")
    monkeypatch.setenv("TELEMETRY_OFF", "true")
    assert load_deployment(folder).overrides[0].raw == "true"


@pytest.mark.parametrize(
    "environment",
    ["environment:\n  - APPSMITH_DISABLE_TELEMETRY", "environment:\n  APPSMITH_DISABLE_TELEMETRY:"],
)
def test_value_taken_from_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    folder = write_single_deployment(tmp_path / "d", compose=_appsmith_with(environment))
    monkeypatch.setenv(TELEMETRY_KEY, "on")
    override = load_deployment(folder).overrides[0]
    assert override.raw == "on"
    assert override.state is SwitchState.DISABLED


@pytest.mark.parametrize(
    "environment",
    ["environment:\n  - APPSMITH_DISABLE_TELEMETRY", "environment:\n  APPSMITH_DISABLE_TELEMETRY:"],
)
def test_value_from_an_empty_shell_is_no_override(tmp_path: Path, environment: str) -> None:
    """`- KEY` with KEY unset in the shell and in .env: compose passes nothing, so docker.env still
    decides."""
    folder = write_single_deployment(tmp_path / "d", compose=_appsmith_with(environment))
    assert load_deployment(folder).overrides == ()


@pytest.mark.parametrize(
    "env_file",
    [
        "env_file: ./telemetry.env",
        "env_file:\n  - ./telemetry.env",
        "env_file:\n  - path: ./telemetry.env\n    required: false",
    ],
)
def test_env_file_override(tmp_path: Path, env_file: str) -> None:
    folder = write_single_deployment(tmp_path / "d", compose=_appsmith_with(env_file))
    (folder / "telemetry.env").write_text("# ops\nAPPSMITH_DISABLE_TELEMETRY=true\n")
    overrides = load_deployment(folder).overrides
    assert overrides == (Override("appsmith", "./telemetry.env (env_file: in compose)", "true"),)


def test_env_file_without_the_key_or_missing_is_no_override(tmp_path: Path) -> None:
    folder = write_single_deployment(
        tmp_path / "d", compose=_appsmith_with("env_file:\n  - ./other.env\n  - ./missing.env")
    )
    (folder / "other.env").write_text("APPSMITH_MAIL_ENABLED=false\n")
    assert load_deployment(folder).overrides == ()


def test_env_file_pointing_at_docker_env_itself_is_no_override(tmp_path: Path) -> None:
    folder = write_single_deployment(
        tmp_path / "d", compose=_appsmith_with("env_file: ./stacks/configuration/docker.env")
    )
    assert load_deployment(folder).overrides == ()


def test_environment_wins_over_env_file_and_is_listed_last(tmp_path: Path) -> None:
    folder = write_single_deployment(
        tmp_path / "d",
        compose=_appsmith_with(
            "env_file: ./telemetry.env\nenvironment:\n  APPSMITH_DISABLE_TELEMETRY: 'false'"
        ),
    )
    (folder / "telemetry.env").write_text("APPSMITH_DISABLE_TELEMETRY=true\n")
    overrides = load_deployment(folder).overrides
    assert [o.raw for o in overrides] == ["true", "false"]
    assert overrides[-1].source == "docker-compose.yml (environment:)"


def test_legacy_env_file_other_than_docker_env_overrides(legacy_deployment: Path) -> None:
    with (legacy_deployment / "encryption.env").open("a") as handle:
        handle.write("APPSMITH_DISABLE_TELEMETRY=true\n")
    overrides = load_deployment(legacy_deployment).overrides
    assert overrides == (
        Override("appsmith-internal-server", "./encryption.env (env_file: in compose)", "true"),
    )


def test_the_legacy_template_fixture_is_used(legacy_deployment: Path) -> None:
    template = load_deployment(legacy_deployment).nginx_template
    assert template is not None and template.read_text() == LEGACY_NGINX_TEMPLATE


# --- interpolate() on its own
# -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "1"),
        ("$A", "1"),
        ("x${A}y", "x1y"),
        ("${MISSING}", ""),
        ("${MISSING:-d}", "d"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${MISSING-d}", "d"),
        ("$$A", "$A"),
        ("$${A}", "${A}"),
        ("no vars", "no vars"),
        ("${A:?must be set}", "1"),
        ("${A:-${MISSING}}", "1"),
        ("${MISSING:-${A}}", "1"),
        ("${MISSING:-${NONE:-deep}}", "deep"),
        ("${A:+set}", "set"),
        ("${EMPTY:+set}", ""),
        ("${EMPTY+set}", "set"),
        ("${A:-{x}}", "1}"),
        ("${A:-x}}", "1}"),
        ("${A:?${MISSING:?not needed, A is set}}", "1"),
        ("a$", "a$"),
        ("$-x", "$-x"),
    ],
)
def test_interpolate(text: str, expected: str) -> None:
    assert interpolate(text, {"A": "1", "EMPTY": ""}) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("${MISSING:?set it in .env}", "required variable MISSING has no value (set it in .env)"),
        ("${EMPTY:?}", "required variable EMPTY has no value"),
        ("${MISSING?}", "required variable MISSING"),
        ("${A", "invalid variable reference"),
        ("${A:-${B}", "without its closing brace"),
        ("${1A}", "invalid variable reference"),
        ("${A B}", "invalid variable reference"),
    ],
)
def test_interpolate_refuses_what_compose_refuses(text: str, says: str) -> None:
    with pytest.raises(InterpolationError, match=re.escape(says)):
        interpolate(text, {"A": "1", "EMPTY": ""})


def test_a_required_variable_without_a_value_is_said_with_the_file_and_the_fix(tmp_path: Path) -> None:
    compose = SINGLE_COMPOSE.replace(
        "    restart: unless-stopped\n",
        f"    environment:\n      {TELEMETRY_KEY}: ${{TELEMETRY:?set TELEMETRY}}\n"
        "    restart: unless-stopped\n",
    )
    folder = write_single_deployment(tmp_path / "appsmith", compose=compose)
    with pytest.raises(NotADeploymentError) as raised:
        load_deployment(folder)
    message = str(raised.value)
    assert str(folder / "docker-compose.yml") in message and "TELEMETRY has no value" in message
    assert str(folder / ".env") in message
    (folder / ".env").write_text("TELEMETRY=true\n")
    assert load_deployment(folder).overrides[-1].raw == "true"


def test_anchors_and_merge_keys_of_an_ordinary_compose_file_still_load(tmp_path: Path) -> None:
    """The alias limit counts expanded nodes: the anchors people use (a shared `x-` block merged in) pass."""
    compose = (
        "x-common: &common\n  restart: unless-stopped\n  logging: &log {driver: json-file}\n"
        "services:\n  appsmith:\n    <<: *common\n    image: appsmith/appsmith-ce\n    labels: [*log, *log]\n"
        "    volumes:\n      - ./stacks:/appsmith-stacks\n"
    )
    folder = write_single_deployment(tmp_path / "d", compose=compose)
    assert load_deployment(folder).server_service == "appsmith"


def test_a_compose_file_past_the_node_limit_is_refused_with_the_next_step(tmp_path: Path) -> None:
    from panel.core.limits import MAX_YAML_NODES

    items = ", ".join(["1"] * (MAX_YAML_NODES + 1))
    folder = write_single_deployment(
        tmp_path / "d", compose=f"services:\n  appsmith: {{image: x, a: [{items}]}}\n"
    )
    with pytest.raises(NotADeploymentError, match="more than 100,000 nodes.*then try again"):
        load_deployment(folder)
