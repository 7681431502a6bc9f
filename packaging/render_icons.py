"""Render the app icon's PNG sizes from resources/icons/app.svg with QtSvg, into the hicolor tree.

The PNGs are committed: desktops that cannot read SVG icons (and the 16 px tray/taskbar sizes, where a
hand-checked raster beats on-the-fly scaling) need them. Run it again after changing the SVG:

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py [--preview FILE]

``--preview`` also writes one strip with every size at 1:1 and magnified, for looking at the icon.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent


def _app_id() -> str:
    """APP_ID from panel/__init__.py, read without importing the package (it need not be installed)."""
    tree = ast.parse((ROOT / "panel" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "APP_ID" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise SystemExit("render_icons: APP_ID not found in panel/__init__.py")


APP_ID = _app_id()
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / "app.svg"
SIZES = (16, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def preview(images: dict[int, QImage], target: Path) -> None:
    """Each size at 1:1 on light and dark, then 16 and 32 magnified 8× and 4× (nearest pixel)."""
    gap = 12
    width = sum(SIZES) + gap * (len(SIZES) + 1) + 2 * (128 + gap)
    height = 2 * (256 + gap) + gap
    strip = QImage(width, height, QImage.Format.Format_ARGB32)
    painter = QPainter(strip)
    for row, background in enumerate(("#f4f4f4", "#2b2b2b")):
        top = gap + row * (256 + gap)
        painter.fillRect(0, top - gap // 2, width, 256 + gap, QColor(background))
        x = gap
        for size in SIZES:
            painter.drawImage(x, top, images[size])
            x += size + gap
        for size, factor in ((16, 8), (32, 4)):
            painter.drawImage(
                QRectF(x, top, 128, 128),
                images[size].scaled(
                    size * factor,
                    size * factor,
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                ),
            )
            x += 128 + gap
    painter.end()
    strip.save(str(target))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preview", type=Path, help="also write a strip of every size to this PNG")
    args = parser.parse_args()
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"render_icons: {SOURCE} is not a valid SVG for QtSvg", file=sys.stderr)
        return 1
    images = {}
    for size in SIZES:
        images[size] = render(renderer, size)
        target = png_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not images[size].save(str(target)):
            print(f"render_icons: could not write {target}", file=sys.stderr)
            return 1
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    if args.preview:
        preview(images, args.preview)
    print(f"rendered {', '.join(map(str, SIZES))} px and {scalable.relative_to(ROOT)}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
