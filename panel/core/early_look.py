"""The window's first look at what runs, started as the window is shown, before the deployment is opened.

Everything runs in a thread of its own, imports included (subprocess, json and the rest take ~20 ms on the GUI
thread, which delayed the first paint when done there): `docker ps`, then `inspect` of the containers started
from the folder (before the compose file is read: `containers.inspect_ahead`), then the instance is probed on
their published port. The probe's HTTP client loads once `allow_probe()` is called (the window calls it after
its first paint: loading it earlier would delay that paint), while `ps` runs; `inspect` follows. The verdict
waits for that probe, so it goes through the standard library's `http.client` (`instance.StdlibClient`:
12-18 ms to load) rather than `requests` (~60-80 ms). The first refresh takes these answers instead of asking
again.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from panel.core.containers import InspectedAhead
    from panel.core.docker import Started
    from panel.core.instance import ServerReport

log = logging.getLogger("panel.early")

PROBE_WAIT = 30.0
"""Seconds the look waits for `allow_probe()`; a window closed before its first paint never calls it."""


class EarlyLook:
    """ps → inspect → probe in a thread of its own; `wait()` (from any thread) gives the look once done."""

    def __init__(self, path: Path, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = timeout
        self.ps: Started | None = None
        """`docker ps` under way; None only when it could not be started (`wait()` then says why)."""
        self.ahead: InspectedAhead | None = None
        self.reports: dict[int, ServerReport | Exception] = {}
        """What each running container's published port said, or why it could not be asked."""
        self._may_probe = threading.Event()
        self._done = threading.Event()
        self._error: Exception | None = None
        threading.Thread(target=self._run, name="early-look", daemon=True).start()

    def allow_probe(self) -> None:
        self._may_probe.set()

    def wait(self) -> EarlyLook:
        """The look, once done; raises what prevented starting `docker ps` (the refresh then asks itself)."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        try:
            from panel.core import containers, docker, instance

            timeout = docker.QUERY_TIMEOUT if self.timeout is None else self.timeout
            self.ps = docker.start(containers.PS_ARGV, timeout)
            if self._may_probe.wait(PROBE_WAIT):
                instance.load_stdlib_client()  # after the paint, while ps runs
            self.ahead = containers.inspect_ahead(self.ps, self.path)
            if self.ahead is None:
                return
            ports = sorted({s.http_port for s in self.ahead.states if s.running and s.http_port is not None})
            if not ports or not self._may_probe.is_set():
                return
            for port in ports:
                try:
                    self.reports[port] = instance.probe(port, client=instance.StdlibClient())
                except Exception as error:  # handed to the refresh, which logs it as a failed probe
                    self.reports[port] = error
        except Exception as error:  # handed to the refresh by `wait()`
            self._error = error
        finally:
            self._done.set()
