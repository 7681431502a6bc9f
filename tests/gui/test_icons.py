"""The bundled SVG icons draw, at every size the window asks for, through Qt's SVG icon engine."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from panel.core.status import Verdict
from panel.gui.icons import app_icon, status_icon, verdict_icon
from panel.resources_path import resource_root


def drawn_share(image: QImage) -> float:
    """The share of pixels that are not fully transparent."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    pixels = [QColor(image.pixel(x, y)).alpha() for x in range(image.width()) for y in range(image.height())]
    return sum(1 for alpha in pixels if alpha > 0) / len(pixels)


@pytest.mark.parametrize("size", [16, 28, 56, 96])
@pytest.mark.parametrize("name", sorted(path.stem for path in (resource_root() / "status").glob("*.svg")))
def test_every_status_icon_draws_at_every_size(qapp: QApplication, name: str, size: int) -> None:
    pixmap = status_icon(name).pixmap(size, size)
    assert not pixmap.isNull() and pixmap.width() == size
    assert drawn_share(pixmap.toImage()) > 0.05, f"{name}.svg drew nothing at {size} px"


def test_every_verdict_has_its_own_icon(qapp: QApplication) -> None:
    images = [verdict_icon(verdict).pixmap(56, 56).toImage() for verdict in [*Verdict, None]]
    for number, image in enumerate(images):
        assert drawn_share(image) > 0.05
        assert all(image != other for other in images[:number]), "two verdicts look the same"


def test_the_app_icon_draws(qapp: QApplication) -> None:
    assert drawn_share(app_icon().pixmap(64, 64).toImage()) > 0.2
