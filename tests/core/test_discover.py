"""Tests for finding deployments: folders of running Appsmith containers, remembered ones, and the usual
places."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.core import discover as discover_module
from panel.core.discover import common_places, discover, folders_from_docker
from panel.core.docker import DockerError, DockerProblem
from tests.conftest import DAEMON_DOWN, Answer, FakeBin, write_legacy_deployment, write_single_deployment


@pytest.fixture
def no_usual_places(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover_module, "common_places", list)


def _ps(*rows: tuple[str, str, str, str]) -> Answer:
    return Answer(("ps",), stdout="".join("\t".join(row) + "\n" for row in rows))


def test_common_places(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert common_places() == [tmp_path / "home" / "appsmith", Path("/opt/appsmith"), tmp_path]


def test_folders_from_docker_keeps_appsmith_containers_once(fake_bin: FakeBin) -> None:
    fake_bin.add(
        "docker",
        _ps(
            ("a1", "/srv/appsmith", "appsmith", "index.docker.io/appsmith/appsmith-ee"),
            ("a2", "/srv/appsmith", "mongo", "mongo:5"),
            ("b1", "/srv/legacy", "appsmith-internal-server", "appsmith/appsmith-server:latest"),
            ("b2", "/srv/legacy", "nginx", "appsmith/appsmith-editor"),
            ("c1", "/srv/custom", "lowcode", "registry.local/Appsmith/appsmith-ce:v1.9"),
            ("d1", "/srv/wordpress", "web", "wordpress:6"),
        ),
    )
    assert folders_from_docker() == [Path("/srv/appsmith"), Path("/srv/legacy"), Path("/srv/custom")]


def test_folders_from_docker_raises_the_classified_error(fake_bin: FakeBin) -> None:
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    with pytest.raises(DockerError) as raised:
        folders_from_docker()
    assert raised.value.problem is DockerProblem.DAEMON_DOWN


def test_discover_from_docker_and_remembered(
    tmp_path: Path, fake_bin: FakeBin, no_usual_places: None
) -> None:
    single = write_single_deployment(tmp_path / "single")
    legacy = write_legacy_deployment(tmp_path / "legacy")
    not_one = tmp_path / "not-a-deployment"
    not_one.mkdir()
    fake_bin.add(
        "docker",
        _ps(
            ("a1", str(single), "appsmith", "appsmith/appsmith-ee"),
            ("b1", str(legacy), "appsmith-internal-server", "appsmith/appsmith-server"),
            ("x1", str(tmp_path / "gone"), "appsmith", "appsmith/appsmith-ce"),
        ),
    )
    found, error = discover(extra=[single / "docker-compose.yml", not_one])
    assert error is None
    assert [(f.deployment.folder, f.reason) for f in found] == [
        (single, "remembered"),
        (legacy, "a running Appsmith container uses it"),
    ]


def test_discover_deduplicates_symlinked_folders(tmp_path: Path, no_usual_places: None) -> None:
    single = write_single_deployment(tmp_path / "single")
    link = tmp_path / "link"
    link.symlink_to(single)
    found, _ = discover(extra=[link, single], ask_docker=False)
    assert len(found) == 1


def test_discover_reports_docker_errors_and_still_looks_elsewhere(
    tmp_path: Path, fake_bin: FakeBin, monkeypatch: pytest.MonkeyPatch
) -> None:
    home_deployment = write_single_deployment(tmp_path / "home" / "appsmith")
    monkeypatch.setattr(discover_module, "common_places", lambda: [home_deployment, tmp_path / "missing"])
    fake_bin.add("docker", stderr=DAEMON_DOWN, exit_code=1)
    found, error = discover()
    assert error is not None and "not running" in error
    assert [(f.deployment.folder, f.reason) for f in found] == [(home_deployment, "a usual place")]


def test_discover_without_docker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_usual_places: None
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    found, error = discover()
    assert found == []
    assert error is not None and "not found on PATH" in error


def test_discover_skips_broken_compose_files(tmp_path: Path, no_usual_places: None) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "docker-compose.yml").write_text("services: [unclosed\n")
    found, _ = discover(extra=[broken], ask_docker=False)
    assert found == []
