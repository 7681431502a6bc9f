"""Version, license, and where the panel's knowledge of Appsmith comes from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from panel import APP_NAME, __version__
from panel.core.paths import audit_log_path
from panel.gui.icons import app_icon


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About {}").format(APP_NAME))
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(64, 64))
        self.text = text = QLabel(self)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setOpenExternalLinks(True)
        text.setText(
            self.tr(
                "<h3>{name} {version}</h3><p>See, decide and apply what a self-hosted Appsmith instance "
                "tells the outside world.</p><p>License: MIT. The panel sends no telemetry of its own and "
                "talks only to docker and to your deployment on this machine's loopback "
                "address.</p><p><b>Where the data comes from:</b> Appsmith's telemetry documentation (2020 "
                "and later versions, with their sample payloads) and Appsmith's public source code: the "
                "server's settings, its daily ping and analytics, the docker.env template and the installer. "
                "Each event's files and commits are listed under Sources on the What is sent tab. Samples "
                "not documented by Appsmith are marked as derived or reconstructed.</p><p>Audit log: "
                "{audit}</p>"
            ).format(name=APP_NAME, version=__version__, audit=audit_log_path())
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.resize(520, 360)
