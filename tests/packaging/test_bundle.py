"""The PyInstaller one-folder bundle: `packaging/build-bundle` builds it, then it runs from the built folder.

The size is printed (`pytest -s` shows it) and held under a ceiling, so a dependency that drags in QtQml or
QtNetwork again shows up as a failure rather than as a download nobody measured.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from panel import APP_ID, __version__
from tests.conftest import FakeBin
from tests.packaging import (
    COMMAND,
    PACKAGING,
    check_smoke,
    check_status_json,
    child_env,
    docker_down,
    run,
    unavailable,
)

pytestmark = pytest.mark.slow

SIZE_CEILING = 140 * 1024 * 1024
"""About 115 MB today (PySide6 6.12 on Debian 12); mostly ICU and Qt's own libraries."""
EXCLUDED_QT = (
    "Qml",
    "Quick",
    "Designer",
    "UiTools",
    "Help",
    "Sql",
    "Test",
    "OpenGL",
    "PrintSupport",
    "Concurrent",
    "LabsStyleKit",
    "Pdf",
    "Network",
    "Xml",
    "WebEngine",
    "Multimedia",
    "3D",
    "Charts",
)
PLUGIN_TYPES = {
    "platforms",
    "imageformats",
    "iconengines",
    "platforminputcontexts",
    "platformthemes",
    "xcbglintegrations",
    "wayland-shell-integration",
    "wayland-decoration-client",
}


@dataclass(frozen=True)
class Bundle:
    folder: Path
    executable: Path
    size: int


def _size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    if importlib.util.find_spec("PyInstaller") is None:
        unavailable(f"PyInstaller is not installed for {sys.executable}: pip install '.[bundle]'")
    work = tmp_path_factory.mktemp("bundle")
    start = time.monotonic()
    run(
        [
            PACKAGING / "build-bundle",
            "--dist",
            work / "dist",
            "--work",
            work / "build",
            "--python",
            sys.executable,
        ],
        cwd=work,
        timeout=900,
    )
    folder = work / "dist" / COMMAND
    size = _size(folder)
    files = sum(1 for path in folder.rglob("*") if path.is_file())
    print(
        f"\nbundle: {folder} is {size / 2**20:.1f} MiB in {files} files, built in "
        f"{time.monotonic() - start:.0f} s"
    )
    return Bundle(folder, folder / COMMAND, size)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def test_bundle_holds_the_resources_and_the_desktop_files(bundle: Bundle) -> None:
    resources = bundle.folder / "_internal" / "panel" / "resources"
    for name in (
        "__init__.py",
        "catalog.json",
        "demo/docker-compose.yml",
        "icons/app.svg",
        f"icons/hicolor/256x256/apps/{APP_ID}.png",
    ):
        assert (resources / name).is_file(), f"{name} is missing from the bundle"
    for name in (f"{APP_ID}.desktop", f"{APP_ID}.metainfo.xml", "install-desktop-entry"):
        assert (bundle.folder / name).is_file(), f"{name} is not next to the executable"


def test_bundle_leaves_out_unused_qt(bundle: Bundle) -> None:
    pyside = bundle.folder / "_internal" / "PySide6"
    names = [path.name for path in pyside.rglob("*")]
    unwanted = sorted(
        {
            name
            for name in names
            for module in EXCLUDED_QT
            if name.startswith((f"Qt{module}", f"libQt6{module}"))
        }
    )
    assert not unwanted, f"Qt modules that the app does not use were bundled: {unwanted}"
    assert not (pyside / "Qt" / "translations").exists()
    assert not (pyside / "Qt" / "qml").exists()
    plugin_types = {path.name for path in (pyside / "Qt" / "plugins").iterdir()}
    assert plugin_types <= PLUGIN_TYPES, f"unexpected Qt plugins: {sorted(plugin_types - PLUGIN_TYPES)}"
    for needed in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (pyside / "Qt" / "plugins" / needed).is_file(), f"the {needed} plugin is missing"
    dangling = [str(path) for path in bundle.folder.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling, f"dangling links in the bundle: {dangling}"


def test_bundle_size(bundle: Bundle) -> None:
    assert bundle.size < SIZE_CEILING, (
        f"the bundle grew to {bundle.size / 2**20:.0f} MiB (ceiling {SIZE_CEILING / 2**20:.0f} MiB): "
        "see what packaging/appsmith-telemetry-panel.spec lets in"
    )


def test_version(bundle: Bundle, outside: Path) -> None:
    assert run([bundle.executable, "--version"], cwd=outside).stdout.strip() == f"{COMMAND} {__version__}"


def test_status_json_on_a_sample_deployment(
    bundle: Bundle, outside: Path, single_deployment: Path, fake_bin: FakeBin
) -> None:
    docker_down(fake_bin)
    check_status_json(
        run([bundle.executable, "status", "--json", single_deployment], cwd=outside), single_deployment
    )


def test_demo_smoke_offscreen(bundle: Bundle, outside: Path) -> None:
    check_smoke(run([bundle.executable, "--demo", "--smoke"], cwd=outside, timeout=60))


def test_demo_stand_ins_run_through_the_bundle_executable(bundle: Bundle, outside: Path) -> None:
    """In a bundle there is no `python -m`: the demo's wrappers start the executable itself with these
    flags."""
    state = outside / "docker-state"
    state.mkdir()
    env = child_env(SIMULATED_DOCKER_STATE=str(state))
    docker = run([bundle.executable, "--simulated-docker", "docker", "version"], cwd=outside, env=env)
    assert "Simulated" in docker.stdout
    appsmith = run([bundle.executable, "--simulated-appsmith", "--help"], cwd=outside, env=env)
    assert "--env-file" in appsmith.stdout
