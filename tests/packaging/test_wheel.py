"""The sdist and the wheel, built as a user or a publisher would, installed into a fresh virtual environment.

`python -m build` makes the sdist from a copy of the checkout and the wheel from that sdist (so a file the
sdist forgets is missing from the wheel too). The wheel goes into a virtual environment without the system's
site-packages, with its dependencies from the package index, and runs from a folder outside the source tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from panel import APP_ID, __version__
from tests.conftest import FakeBin
from tests.packaging import COMMAND, ROOT, check_smoke, check_status_json, docker_down, run

pytestmark = pytest.mark.slow

ICON_FILES = [f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png" for size in (16, 32, 48, 64, 128, 256)] + [
    f"icons/hicolor/scalable/apps/{APP_ID}.svg",
    "icons/app.svg",
]
RESOURCE_FILES = [
    "__init__.py",
    "catalog.json",
    "demo/docker-compose.yml",
    "demo/stacks/configuration/docker.env",
    *ICON_FILES,
]
_IGNORED = shutil.ignore_patterns(
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".benchmarks",
    ".venv",
    ".mypy_cache",
    ".ruff_cache",
    "shots",
)


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Installed:
    python: Path
    command: Path
    venv: Path


def _copy_checkout(target: Path) -> None:
    """The files git would commit (tracked, or new and not ignored), so leftovers of old builds stay out."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist): copy all but the usual debris
        shutil.copytree(ROOT, target, ignore=_IGNORED)
        return
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    _copy_checkout(source)
    run([sys.executable, "-m", "venv", work / "buildenv"], cwd=work)
    python = work / "buildenv" / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", "build"], cwd=work, timeout=300)
    run([python, "-m", "build", "--outdir", work / "dist", source], cwd=work, timeout=600)
    (sdist,) = (work / "dist").glob("*.tar.gz")
    (wheel,) = (work / "dist").glob("*.whl")
    return Built(sdist, wheel)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel and its dependencies in a fresh virtual environment (no system site-packages)."""
    work = tmp_path_factory.mktemp("wheel-venv")
    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=work)
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", built.wheel], cwd=work, timeout=600)
    return Installed(python, venv / "bin" / COMMAND, venv)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working folder outside the source tree, so `import panel` cannot find the checkout."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def test_wheel_and_sdist_carry_the_resources(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        in_wheel = set(wheel.namelist())
        entry_points = next(
            wheel.read(name).decode() for name in in_wheel if name.endswith(".dist-info/entry_points.txt")
        )
    missing = [name for name in RESOURCE_FILES if f"panel/resources/{name}" not in in_wheel]
    assert not missing, f"the wheel lacks {missing}"
    assert f"{COMMAND} = panel.cli:main" in entry_points
    packages = sorted(str(init.parent.relative_to(ROOT)) for init in (ROOT / "panel").rglob("__init__.py"))
    missing_packages = [package for package in packages if f"{package}/__init__.py" not in in_wheel]
    assert not missing_packages, (
        f"the wheel lacks the packages {missing_packages}: add them to [tool.setuptools] packages in "
        f"pyproject.toml"
    )

    with tarfile.open(built.sdist) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    missing = [name for name in RESOURCE_FILES if f"resources/{name}" not in in_sdist]
    assert not missing, f"the sdist lacks {missing}"
    assert built.wheel.name == f"appsmith_telemetry_panel-{__version__}-py3-none-any.whl"


def test_the_installed_package_is_the_one_imported(installed: Installed, outside: Path) -> None:
    program = "import panel, panel.resources_path as r; print(panel.__file__); print(r.resource_root())"
    result = run([installed.python, "-c", program], cwd=outside)
    module, resources = (Path(line) for line in result.stdout.splitlines())
    assert module.is_relative_to(installed.venv), (
        f"panel was imported from {module}, not the virtual environment"
    )
    assert resources.is_relative_to(installed.venv) and (resources / "catalog.json").is_file()
    assert "include-system-site-packages = false" in (installed.venv / "pyvenv.cfg").read_text(
        encoding="utf-8"
    )


def test_version(installed: Installed, outside: Path) -> None:
    assert run([installed.command, "--version"], cwd=outside).stdout.strip() == f"{COMMAND} {__version__}"


def test_status_json_on_a_sample_deployment(
    installed: Installed, outside: Path, single_deployment: Path, fake_bin: FakeBin
) -> None:
    docker_down(fake_bin)
    check_status_json(
        run([installed.command, "status", "--json", single_deployment], cwd=outside), single_deployment
    )


def test_demo_smoke_offscreen(installed: Installed, outside: Path) -> None:
    check_smoke(run([installed.command, "--demo", "--smoke"], cwd=outside, timeout=60))
