"""The window's first look at what runs, started before the window is built.

`docker ps` starts at once, the containers started from the folder are inspected as soon as it answers (before
the compose file is read: `containers.inspect_ahead`), and the instance is probed on their published port once
`allow_probe()` is called (the window calls it after its first paint: loading the HTTP client while the window
is built would delay that paint). The first refresh then takes these answers instead of asking again.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from panel.core import containers, docker
from panel.core.containers import InspectedAhead
from panel.core.instance import ServerReport

log = logging.getLogger("panel.early")

PROBE_WAIT = 30.0
"""Seconds the look waits for `allow_probe()`; a window closed before its first paint never calls it."""


class EarlyLook:
    """ps → inspect → probe in a thread of its own; `wait()` (from any thread) gives the look once done."""

    def __init__(self, path: Path, timeout: float = docker.QUERY_TIMEOUT) -> None:
        self.path = path
        self.ps = docker.start(containers.PS_ARGV, timeout)
        self.ahead: InspectedAhead | None = None
        self.reports: dict[int, ServerReport | Exception] = {}
        """What each running container's published port said, or why it could not be asked."""
        self._may_probe = threading.Event()
        self._done = threading.Event()
        threading.Thread(target=self._run, name="early-look", daemon=True).start()

    def allow_probe(self) -> None:
        self._may_probe.set()

    def wait(self) -> EarlyLook:
        self._done.wait()
        return self

    def _run(self) -> None:
        from panel.core import instance

        try:
            self.ahead = containers.inspect_ahead(self.ps, self.path)
            if self.ahead is None:
                return
            ports = sorted({s.http_port for s in self.ahead.states if s.running and s.http_port is not None})
            if not ports or not self._may_probe.wait(PROBE_WAIT):
                return
            for port in ports:
                try:
                    self.reports[port] = instance.probe(port)
                except Exception as error:  # handed to the refresh, which logs it as a failed probe
                    self.reports[port] = error
        finally:
            self._done.set()
