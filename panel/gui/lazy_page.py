"""A tab page whose view is built the first time it is shown or asked for, so the window paints without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

View = TypeVar("View", bound=QWidget)


class LazyPage(QWidget, Generic[View]):
    def __init__(
        self, build: Callable[[QWidget], View], parent: QWidget | None = None, scrolls: bool = False
    ) -> None:
        """`scrolls`: the view sits in a frameless scroll area, so its own minimum size does not become the
        window's (a window of 800×500 scrolls the page rather than growing past the screen)."""
        super().__init__(parent)
        self._build = build
        self._scrolls = scrolls
        self._view: View | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> View | None:
        """The view if it exists already, else None: what to update without building it."""
        return self._view

    def view(self) -> View:
        if self._view is None:
            self._view = self._build(self)
            if self._scrolls:
                scroll = QScrollArea(self)
                scroll.setFrameShape(QFrame.Shape.NoFrame)
                scroll.setWidgetResizable(True)
                scroll.setWidget(self._view)
                self._layout.addWidget(scroll)
                scroll.show()
            else:
                self._layout.addWidget(self._view)
            # now, with its page: a layout would show it only on the next turn of the event loop
            self._view.show()
        return self._view
