"""Appsmith Telemetry Panel: see, decide and apply what a self-hosted Appsmith tells the outside world."""

__version__ = "0.1.0"
APP_ID = "io.github.appsmith_telemetry_panel.Panel"
APP_NAME = "Appsmith Telemetry Panel"
ORGANIZATION = "appsmith-telemetry-panel"
