"""Keep a deployment's Status fresh without blocking the window.

One refresh asks docker twice at most (`ps`, then `inspect` of this folder's containers, each in a QProcess),
the instance once over HTTP (in a worker thread), reads the env file and the nginx template (in a worker
thread, while docker answers: a big file must not freeze the window), and hands everything to the core's
`assemble`. Refreshes are triggered by a timer, by the env file changing on disk, and on request; requests
made while one runs are folded into exactly one more. While the instance is starting (its container runs but
it does not answer yet) the timer looks again every `STARTING_INTERVAL` seconds, so the verdict the instance
confirms is on screen a moment after it answers, not up to a whole interval later.

After the verdict is out, the fourth layer (hosts pinned out of reach) is read in a worker thread: the compose
files, and the container's /etc/hosts once per container start (`docker exec … cat`); `block_read` then
carries the same Status with it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

from panel.core import containers, docker, instance, offload
from panel.core.containers import ContainerState
from panel.core.deployment import Deployment
from panel.core.docker import CommandResult, DockerError
from panel.core.early_look import EarlyLook
from panel.core.instance import Health, ServerReport
from panel.core.nginx import NginxCheck
from panel.core.status import (
    FileState,
    RunningState,
    Status,
    assemble,
    nginx_check,
    read_file_state,
    server_start_needed,
    with_server_start,
)
from panel.gui.docker_process import DockerProcess
from panel.gui.worker import run_in_thread

if TYPE_CHECKING:  # the block reader loads in the worker that first reads it, not before the verdict
    from panel.core.egress_block import BlockState

log = logging.getLogger("panel.gui.status")

DEFAULT_INTERVAL = 15.0
STARTING_INTERVAL = 1.0
"""Seconds between looks while the instance is starting: its answer is expected within seconds."""
WATCH_DEBOUNCE_MS = 200


class RunningQuery(QObject):
    """One look at what runs: `docker ps` → `docker inspect` (only if this folder has containers) → HTTP
    probe.

    Emits `done(RunningState)` exactly once, unless cancelled first. Docker failures become
    `RunningState(docker_error=…)`.
    """

    done = Signal(object)

    def __init__(
        self,
        deployment: Deployment,
        with_http: bool = True,
        parent: QObject | None = None,
        timeout: float = docker.QUERY_TIMEOUT,
        early: EarlyLook | None = None,
    ) -> None:
        super().__init__(parent)
        self.deployment = deployment
        self.with_http = with_http
        self.timeout = timeout
        self._early = early
        self._ahead: containers.InspectedAhead | None = None
        self._reports: dict[int, ServerReport | Exception] = {}
        self._process: DockerProcess | None = None
        self._cancelled = False
        self._done = False

    def start(self) -> None:
        """Ask docker; with an early look, take its answers (asked while the window was built) instead."""
        if self._early is not None:
            run_in_thread(self._early.wait, parent=self, on_done=self._on_early, on_error=self._early_failed)
            return
        self._run(containers.PS_ARGV, self._on_ps)

    @Slot(object)
    def _early_failed(self, error: BaseException) -> None:
        log.warning("the early look at docker failed, asking again: %r", error)
        if not self._cancelled:
            self._run(containers.PS_ARGV, self._on_ps)

    @Slot(object)
    def _on_early(self, early: EarlyLook) -> None:
        if self._cancelled:
            return
        self._ahead, self._reports = early.ahead, dict(early.reports)
        assert early.ps is not None
        try:
            result = early.ps.result()
        except DockerError as error:
            self._finish(RunningState(docker_error=error))
            return
        self._on_ps(result)

    def cancel(self) -> None:
        """Stop asking; `done` will not be emitted. The query deletes itself once its docker call has
        ended."""
        if self._cancelled:
            return
        self._cancelled = True
        if self._process is not None:
            self._process.cancel()
        else:
            self.deleteLater()

    def kill_now(self) -> None:
        if self._process is not None:
            self._process.kill_now()

    def _run(self, argv: tuple[str, ...], then: object) -> None:
        process = DockerProcess(argv, timeout=self.timeout, parent=self)
        self._process = process
        process.finished.connect(then)
        process.failed.connect(self._on_failed)
        process.start()

    def _release_process(self) -> None:
        if self._process is not None:
            self._process.deleteLater()
            self._process = None
        if self._cancelled:
            self.deleteLater()

    @Slot(object)
    def _on_failed(self, error: DockerError) -> None:
        self._release_process()
        self._finish(RunningState(docker_error=error))

    @Slot(object)
    def _on_ps(self, result: CommandResult) -> None:
        self._release_process()
        if self._cancelled:
            return
        try:
            found = containers.parse_ps(result)
        except DockerError as error:
            self._finish(RunningState(docker_error=error))
            return
        deployment = self.deployment
        ids = containers.ids_for(
            found, deployment.folder, deployment.services_to_recreate + (deployment.server_service,)
        )
        if not ids:
            self._finish(RunningState())
            return
        ahead = self._ahead
        if ahead is not None and ahead.ids.issuperset(ids):
            self._probe(tuple(state for state in ahead.states if state.id in ids))
            return
        self._run(containers.inspect_argv(ids), self._on_inspect)

    @Slot(object)
    def _on_inspect(self, result: CommandResult) -> None:
        self._release_process()
        if self._cancelled:
            return
        try:
            found = tuple(containers.parse_inspect(result))
        except DockerError as error:
            self._finish(RunningState(docker_error=error))
            return
        self._probe(found)

    def _probe(self, found: tuple[ContainerState, ...]) -> None:
        running = RunningState(found)
        web = running.web_container(self.deployment)
        if not self.with_http or web is None or not web.running or web.http_port is None:
            self._finish(running)
            return

        def probed(report: ServerReport) -> None:
            self._finish(RunningState(found, report))

        def not_probed(error: BaseException) -> None:
            log.warning("probing port %s failed: %r", web.http_port, error)
            self._finish(running)

        early = self._reports.pop(web.http_port, None)
        if isinstance(early, ServerReport):
            probed(early)
            return
        if early is not None:
            not_probed(early)
            return
        run_in_thread(instance.probe, web.http_port, parent=self, on_done=probed, on_error=not_probed)

    def _finish(self, running: RunningState) -> None:
        if self._cancelled or self._done:
            return
        self._done = True
        self.done.emit(running)


_Signature = tuple[int, int, int, int, int]
_ContainerStart = tuple[str, datetime | None]
"""A container and when it started: its /etc/hosts, written when docker creates it, stays as read."""
_Read = tuple[_Signature | None, FileState, NginxCheck | None]


def _read_files(deployment: Deployment, last: _Read | None = None) -> _Read:
    """The file layers of one refresh; the signature is taken first, so a write during the read is seen
    later. docker.env is parsed again only when its signature changed since the `last` read: a big file takes
    seconds to parse, and while the instance starts the panel looks every second."""
    signature = _signature(deployment.env_file)
    if last is not None and signature is not None and last[0] == signature and last[1].readable:
        path = deployment.env_file
        writable = os.access(path, os.W_OK) and os.access(Path(os.path.realpath(path)).parent, os.W_OK)
        file = replace(last[1], writable=writable)  # the folder's permissions are not in the signature
    else:
        file = offload.for_file(deployment.env_file, read_file_state, deployment.env_file)
    return signature, file, nginx_check(deployment)


class FileRead(QObject):
    """Reads docker.env and the nginx template in a worker thread: `done((signature, FileState, NginxCheck))`
    once, or `failed(exception)`. Deleting it drops the answer (the worker's result goes nowhere)."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, deployment: Deployment, parent: QObject, last: _Read | None = None) -> None:
        super().__init__(parent)
        run_in_thread(
            _read_files, deployment, last, parent=self, on_done=self.done.emit, on_error=self.failed.emit
        )


def _signature(path: Path) -> _Signature | None:
    """What identifies one version of the file: an atomic replace changes the inode, an edit the
    size/mtime, a chmod or chown the ctime."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode


def instance_starting(status: Status) -> bool:
    """True while the deployment's web container runs but the instance does not answer yet."""
    web = status.running.web_container(status.deployment)
    server = status.running.server
    return (
        web is not None
        and web.running
        and server is not None
        and server.health in (Health.STARTING, Health.UNREACHABLE)
    )


class StatusRefresher(QObject):
    """The Status of one deployment, refreshed on a timer, when docker.env changes on disk, and on request."""

    refreshed = Signal(object)
    busy_changed = Signal(bool)
    block_read = Signal(object)
    """The last refreshed Status again, with `egress_block` read (after `refreshed`, never before it)."""

    def __init__(
        self, parent: QObject | None = None, interval: float = DEFAULT_INTERVAL, with_http: bool = True
    ) -> None:
        super().__init__(parent)
        self.with_http = with_http
        self._deployment: Deployment | None = None
        self._last: Status | None = None
        self._query: RunningQuery | None = None
        self._file_read: FileRead | None = None
        self._running: RunningState | None = None
        self._read: _Read | None = None
        self._again = False
        self._interval = interval
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(WATCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_file_settled)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_path_changed)
        self._watcher.directoryChanged.connect(self._on_path_changed)
        self._seen: _Signature | None = None
        self._last_read: _Read | None = None
        self._early: EarlyLook | None = None
        self._block_reading = False
        self._block_again = False
        self._hosts_seen: tuple[_ContainerStart, tuple[str, ...]] | None = None

    # -- public
    # -------------------------------------------------------------------------------------------------

    @property
    def deployment(self) -> Deployment | None:
        return self._deployment

    @property
    def last_status(self) -> Status | None:
        return self._last

    @property
    def busy(self) -> bool:
        return self._query is not None

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def starting(self) -> bool:
        """The last status found the instance starting: the next look comes after `STARTING_INTERVAL`."""
        return self._last is not None and instance_starting(self._last)

    @property
    def next_interval(self) -> float:
        """Seconds from the end of the last refresh to the next one the timer starts."""
        return min(self._interval, STARTING_INTERVAL) if self.starting else self._interval

    def set_interval(self, seconds: float) -> None:
        """Seconds between the end of one refresh and the start of the next."""
        self._interval = seconds
        if self._timer.isActive():
            self._timer.start(self._interval_ms())

    def set_deployment(self, deployment: Deployment | None, early: EarlyLook | None = None) -> None:
        """Watch this deployment instead (None: stop everything); a refresh of the old one is dropped.

        `early`: a look at what runs started before (while the window was built); the first refresh uses it.
        """
        self._drop_file_read()
        self._drop_query()
        self._again = False
        self._timer.stop()
        self._debounce.stop()
        self._last = None
        self._block_again = False
        self._hosts_seen = None
        self._deployment = deployment
        self._early = early if deployment is not None else None
        self._watch()
        if deployment is not None:
            self.refresh()

    def shutdown(self) -> None:
        """The window is closing: end any docker call now, then stop watching."""
        if self._query is not None:
            self._query.kill_now()
        self.set_deployment(None)

    @Slot()
    def refresh(self) -> None:
        """Refresh now; if one is running, exactly one more follows it."""
        if self._deployment is None:
            return
        if self._query is not None:
            self._again = True
            return
        self._timer.stop()
        self._running = self._read = None
        early, self._early = self._early, None
        query = RunningQuery(self._deployment, self.with_http, parent=self, early=early)
        self._query = query
        query.done.connect(self._on_running)
        self.busy_changed.emit(True)
        query.start()
        self._file_read = FileRead(self._deployment, parent=self, last=self._last_read)
        self._file_read.done.connect(self._on_read)
        self._file_read.failed.connect(self._read_failed)

    # -- a refresh
    # ----------------------------------------------------------------------------------------------

    @Slot(object)
    def _on_running(self, running: RunningState) -> None:
        self._running = running
        self._complete()

    @Slot(object)
    def _on_read(self, read: _Read) -> None:
        self._drop_file_read()
        self._read = read
        self._complete()

    @Slot(object)
    def _read_failed(self, error: BaseException) -> None:
        """Reading never raises by design; if it did, the refresh ends here and the error reaches the
        excepthook."""
        self._drop_file_read()
        self._drop_query()
        raise error

    def _drop_query(self) -> None:
        """Stop the docker query under way, if any; its answer is not wanted."""
        if self._query is not None:
            self._query.done.disconnect(self._on_running)
            self._query.cancel()
            self._query = None
            self.busy_changed.emit(False)

    def _drop_file_read(self) -> None:
        if self._file_read is not None:
            self._file_read.done.disconnect(self._on_read)
            self._file_read.failed.disconnect(self._read_failed)
            self._file_read.deleteLater()
            self._file_read = None

    def _complete(self) -> None:
        """Once docker has answered and the files are read (in either order), assemble and tell."""
        running, read = self._running, self._read
        if running is None or read is None:
            return
        deployment = self._deployment
        container_id = None if deployment is None else server_start_needed(deployment, read[1], running)
        if deployment is not None and container_id is not None:
            self._ask_server_start(deployment, running, container_id)
            return
        self._running = self._read = None
        query, self._query = self._query, None
        if query is not None:
            query.deleteLater()
        deployment = self._deployment
        if deployment is None:
            return
        self._last_read = read
        self._seen, file, nginx = read
        status = assemble(deployment, file, running, nginx)
        self._last = status
        self.busy_changed.emit(False)
        self.refreshed.emit(status)
        self._read_block()
        if self._query is not None:
            return  # a slot connected to `refreshed` has already asked again
        if self._again:
            self._again = False
            self.refresh()
        elif self._deployment is not None:
            self._timer.start(self._interval_ms())

    def _ask_server_start(self, deployment: Deployment, running: RunningState, container_id: str) -> None:
        """One more docker call before the verdict: when the server process restarted inside the container
        (Admin Settings' Save & Restart), docker.env may be applied although the container is older."""
        self._running = None

        def asked(found: RunningState) -> None:
            if self._deployment is deployment:
                self._on_running(found)

        def failed(error: BaseException) -> None:
            log.warning("asking docker top failed: %r", error)
            asked(replace(running, server_start_asked=True))

        run_in_thread(with_server_start, running, container_id, parent=self, on_done=asked, on_error=failed)

    def _read_block(self) -> None:
        """The fourth layer of the last status, off the GUI thread; one read at a time, the latest wins."""
        status = self._last
        if status is None:
            return
        if self._block_reading:
            self._block_again = True
            return
        self._block_reading, self._block_again = True, False
        container = status.container
        running = container is not None and container.running and not container.restarting
        start = None if container is None else (container.id, container.started_at)
        seen = self._hosts_seen
        known = seen[1] if seen is not None and running and seen[0] == start else None
        deployment = status.deployment

        def read() -> BlockState:
            from panel.core.egress_block import read_block_state

            return read_block_state(deployment, container.id if container else None, running, known)

        def done(state: BlockState) -> None:
            self._block_reading = False
            last = self._last
            if last is not None and last.deployment == deployment:
                if start is not None and state.in_effect is not None:
                    self._hosts_seen = (start, state.in_effect)
                self._last = replace(last, egress_block=state)
                self.block_read.emit(self._last)
            if self._block_again:
                self._read_block()

        def failed(error: BaseException) -> None:
            log.warning("reading the block failed: %r", error)
            self._block_reading = False
            if self._block_again:
                self._read_block()

        run_in_thread(read, parent=self, on_done=done, on_error=failed)

    def _interval_ms(self) -> int:
        return max(0, int(self.next_interval * 1000))

    # -- watching docker.env
    # ------------------------------------------------------------------------------------

    def _watch(self) -> None:
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)
        self._seen = None
        self._last_read = None
        if self._deployment is None:
            return
        self._add_watches()

    def _add_watches(self) -> None:
        assert self._deployment is not None
        env_file = self._deployment.env_file
        wanted = [path for path in (env_file, env_file.parent, self._deployment.folder) if path.exists()]
        present = set(self._watcher.files() + self._watcher.directories())
        missing = [str(path) for path in wanted if str(path) not in present]
        if missing:
            self._watcher.addPaths(missing)

    @Slot(str)
    def _on_path_changed(self, _path: str) -> None:
        if self._deployment is None:
            return
        # An atomic replace drops the watch on the old inode: watch the new file (and a folder created since).
        self._add_watches()
        self._debounce.start()

    @Slot()
    def _on_file_settled(self) -> None:
        if self._deployment is None:
            return
        if _signature(self._deployment.env_file) != self._seen:
            self.refresh()
