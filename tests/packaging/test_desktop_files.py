"""The desktop entry, the AppStream metainfo and the icons: named after the desktop id, valid, complete.

The validators are Debian's desktop-file-utils and appstream; CI must have them, elsewhere a missing one skips
its test with the reason.
"""

from __future__ import annotations

import configparser
import shutil
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from panel import APP_ID, APP_NAME, __version__
from tests.packaging import COMMAND, PACKAGING, ROOT, child_env, run, unavailable

DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)
SCREENSHOT = (
    "https://raw.githubusercontent.com/appsmith-telemetry-panel/appsmith-telemetry-panel/main/"
    "docs/screenshot-main.png"
)


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (Debian package {package})")
    return found


def _entry(path: Path = DESKTOP) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_is_valid() -> None:
    result = run([_tool("desktop-file-validate", "desktop-file-utils"), DESKTOP], cwd=ROOT, check=False)
    errors = [line for line in result.stdout.splitlines() if "error:" in line or "warning:" in line]
    assert result.returncode == 0 and not errors, result.stdout + result.stderr


def test_metainfo_is_valid() -> None:
    result = run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", METAINFO], cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_names_the_app() -> None:
    entry = _entry()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert COMMAND in scripts
    assert entry["Icon"] == APP_ID
    assert entry["Name"] == APP_NAME
    assert entry["Exec"].split()[0] == COMMAND
    assert entry["TryExec"] == COMMAND
    assert entry["Categories"].split(";")[:2] == ["System", "Settings"]
    assert set(entry["Keywords"].strip(";").split(";")) >= {"appsmith", "telemetry", "privacy", "docker"}


def test_metainfo_matches_the_app() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("name") == APP_NAME
    assert component.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert component.findtext("metadata_license") == "CC0-1.0"
    assert component.findtext("project_license") == "MIT"
    assert component.findtext("icon[@type='stock']") == APP_ID
    assert component.findtext("provides/binary") == COMMAND
    assert [image.text for image in component.iterfind("screenshots/screenshot/image")] == [SCREENSHOT]
    assert component.find(f"releases/release[@version='{__version__}']") is not None, (
        f'add a <release version="{__version__}"> to {METAINFO.name}'
    )


@pytest.mark.parametrize("size", SIZES)
def test_png_icon_sizes(size: int, qapp: QApplication) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is missing or not a PNG"
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()


def test_scalable_icon_is_the_app_svg(qapp: QApplication) -> None:
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ICONS / "app.svg").read_bytes(), "run packaging/render_icons.py"
    assert QSvgRenderer(str(scalable)).isValid()


@pytest.mark.parametrize("size", (16, 64))
def test_pngs_are_rendered_from_the_current_svg(size: int, qapp: QApplication) -> None:
    """A changed app.svg without a new render leaves stale PNGs: compare within antialiasing noise."""
    rendered = QImage(size, size, QImage.Format.Format_ARGB32)
    rendered.fill(Qt.GlobalColor.transparent)
    painter = QPainter(rendered)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(ICONS / "app.svg")).render(painter, QRectF(0, 0, size, size))
    painter.end()
    stored = QImage(str(ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png")).convertToFormat(
        QImage.Format.Format_ARGB32
    )
    difference = sum(
        abs(getattr(rendered.pixelColor(x, y), channel)() - getattr(stored.pixelColor(x, y), channel)())
        for x in range(size)
        for y in range(size)
        for channel in ("red", "green", "blue", "alpha")
    ) / (size * size * 4)
    assert difference < 4, (
        f"the {size} px PNG differs from app.svg (mean {difference:.1f}/255): run packaging/render_icons.py"
    )


def test_install_desktop_entry_and_uninstall(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    program = tmp_path / "my apps" / f"{COMMAND} $HOME"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    script = PACKAGING / "install-desktop-entry"
    env = child_env(HOME=str(tmp_path / "home"))
    run([script, "--prefix", prefix, "--exec", program], cwd=tmp_path, env=env)

    share = prefix / "share"
    installed = [
        share / "applications" / DESKTOP.name,
        share / "metainfo" / METAINFO.name,
        share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        *(share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png" for size in SIZES),
    ]
    assert [path for path in installed if not path.is_file()] == []
    entry = _entry(installed[0])
    assert entry["Exec"] == f'"{program.parent}/{COMMAND} \\\\$HOME"'
    assert entry["TryExec"] == str(program)
    if shutil.which("desktop-file-validate"):
        result = run(["desktop-file-validate", installed[0]], cwd=tmp_path, check=False)
        assert result.returncode == 0 and "error:" not in result.stdout, result.stdout

    run([script, "--prefix", prefix, "--uninstall"], cwd=tmp_path, env=env)
    assert [path for path in installed if path.exists()] == []
    assert not (tmp_path / "home").exists(), "with --prefix nothing goes to the home folder"


def test_polkit_action_allows_only_the_system_wide_entry_point() -> None:
    """pkexec may run exactly the path the panel offers, and only after an administrator's password."""
    from panel.core.invocation import SYSTEM_PROGRAM

    action = ET.parse(PACKAGING / f"{APP_ID}.policy").getroot().find("action")
    assert action is not None and action.get("id", "").startswith(APP_ID)
    annotations = {item.get("key"): item.text for item in action.findall("annotate")}
    assert annotations["org.freedesktop.policykit.exec.path"] == str(SYSTEM_PROGRAM)
    defaults = action.find("defaults")
    assert defaults is not None
    assert {child.tag: child.text for child in defaults} == {
        "allow_any": "auth_admin",
        "allow_inactive": "auth_admin",
        "allow_active": "auth_admin",
    }
