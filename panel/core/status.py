"""The telemetry state of a deployment, told as three layers (file, override, running instance) and a verdict
that says which layer wins and what to do.

`read_file_state` and `assemble` are pure; `gather` runs docker and HTTP for the CLI, while the GUI runs the
same queries asynchronously and calls `assemble` itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel.core import containers, docker
from panel.core.appsmith_version import (
    REPORTS_TELEMETRY_SINCE,
    AppsmithVersion,
    Precedence,
    precedence,
    read_version,
)
from panel.core.containers import ContainerState
from panel.core.deployment import Deployment, Layout, Override
from panel.core.docker import DockerError, Started
from panel.core.envfile import TELEMETRY_KEY, EnvText, SwitchReading, SwitchState, classify
from panel.core.instance import Health, ServerReport
from panel.core.limits import MAX_ENV_BYTES, InputRefused, read_regular
from panel.core.nginx import NginxCheck, check_template, client_build

if TYPE_CHECKING:  # egress_block reads change.py, which reads this module
    from panel.core.egress_block import BlockState


class Verdict(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    PENDING_RESTART = "pending-restart"
    OVERRIDDEN = "overridden"
    INVALID = "invalid"
    UNKNOWN = "unknown"
    DOWN = "appsmith-down"
    """Docker answered and Appsmith's server container is missing, stopped or crash-looping."""

    @property
    def label(self) -> str:
        return {
            Verdict.DOWN: "Appsmith is not running",
            Verdict.ENABLED: "Telemetry is enabled",
            Verdict.DISABLED: "Telemetry is disabled",
            Verdict.PENDING_RESTART: "Change pending a restart",
            Verdict.OVERRIDDEN: "Overridden by compose",
            Verdict.INVALID: "Invalid value",
            Verdict.UNKNOWN: "State unknown",
        }[self]


IDENTIFYING_FIELDS = "this server's public IP address, the instance id and hashed email addresses"
"""What makes Appsmith's usage data pseudonymous, not anonymous: said wherever telemetry ON is."""

STILL_SENT_WHEN_OFF = (
    'With telemetry off, the server still sends "Instance Start" at every container start and asks Appsmith '
    "for update checks, feature flags and plugins with the instance id, version and edition."
)
"""What contacts Appsmith whatever the switch says, for every place that says OFF."""


@dataclass(frozen=True)
class FileState:
    path: Path
    exists: bool
    readable: bool
    writable: bool
    reading: SwitchReading | None
    modified: datetime | None
    decodable: bool = True
    error: str | None = None
    duplicates: tuple[str, ...] = ()
    unparsed_lines: tuple[int, ...] = ()
    symlink_target: Path | None = None

    @property
    def state(self) -> SwitchState | None:
        return self.reading.state if self.reading else None

    @property
    def raw(self) -> str | None:
        """The value as written: never shown (an invalid one may have swallowed a secret); see `shown`."""
        return self.reading.raw if self.reading else None

    @property
    def shown(self) -> str | None:
        return self.reading.shown if self.reading else None


def read_file_state(path: Path) -> FileState:
    """What the env file says, or why it cannot be read. Never raises for a missing or unreadable file."""
    try:
        link = Path(os.path.realpath(path)) if path.is_symlink() else None
        data = read_regular(path, MAX_ENV_BYTES)
        info = path.stat()
    except InputRefused as error:
        return FileState(path, True, False, False, None, None, error=str(error))
    except FileNotFoundError:
        return FileState(
            path,
            False,
            False,
            False,
            None,
            None,
            error=(
                f"{path} does not exist yet. Appsmith creates it on its first start: start Appsmith once "
                "(docker-compose up -d) and refresh."
            ),
        )
    except PermissionError:
        # Never suggest making it readable to all: it holds the encryption password and database credentials.
        return FileState(
            path,
            True,
            False,
            False,
            None,
            None,
            error=(
                f"{path} cannot be read by user {current_user()}. It holds Appsmith's secrets, so keep it "
                f"private: "
                "run the panel as the file's owner or with sudo, or let an administrator change the setting "
                "(see below)."
            ),
        )
    except OSError as error:
        return FileState(
            path, path.exists(), False, False, None, None, error=f"{path} cannot be read: {error.strerror}."
        )
    parsed = EnvText.parse(data)
    writable = os.access(path, os.W_OK) and os.access(Path(os.path.realpath(path)).parent, os.W_OK)
    duplicates = tuple(
        f"{key} appears on lines {', '.join(map(str, lines))}; the last one (line {lines[-1]}) wins."
        for key, lines in parsed.duplicates().items()
    )
    return FileState(
        path=path,
        exists=True,
        readable=True,
        writable=writable,
        reading=parsed.reading(TELEMETRY_KEY),
        modified=datetime.fromtimestamp(info.st_mtime, UTC),
        decodable=parsed.decodable,
        error=None if parsed.decodable else f"{path} is not valid UTF-8; the panel will not write it.",
        duplicates=duplicates,
        unparsed_lines=tuple(parsed.unparsed_lines()),
        symlink_target=link,
    )


def current_user() -> str:
    return user_name(os.geteuid())


def user_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@dataclass(frozen=True)
class RunningState:
    """What docker and the instance said; `docker_error` when docker could not be asked."""

    containers: tuple[ContainerState, ...] = ()
    server: ServerReport | None = None
    docker_error: DockerError | None = None
    server_started_at: datetime | None = None
    """When the server process inside the container last started (`docker top`): Admin Settings' "Save &
    Restart" restarts it with supervisorctl, which re-reads docker.env without restarting the container."""
    server_start_asked: bool = False
    """Whether docker was asked for `server_started_at` (it may not have known)."""

    def server_container(self, deployment: Deployment) -> ContainerState | None:
        matches = [c for c in self.containers if c.service == deployment.server_service]
        return matches[0] if matches else None

    def web_container(self, deployment: Deployment) -> ContainerState | None:
        service = "nginx" if deployment.layout is Layout.LEGACY else deployment.server_service
        matches = [c for c in self.containers if c.service == service]
        return matches[0] if matches else None


class Layer(StrEnum):
    """The layer whose value decides: docker.env, a compose override, or what the running instance reports."""

    FILE = "file"
    OVERRIDE = "override"
    RUNNING = "running instance"


@dataclass(frozen=True)
class Status:
    deployment: Deployment
    file: FileState
    running: RunningState
    nginx: NginxCheck | None
    verdict: Verdict
    configured: SwitchState | None
    """What the winning configuration layer says."""
    effective_on: bool | None
    """Whether telemetry is on, from the best evidence; None when it cannot be known."""
    verified: bool
    """True when the running instance itself confirms the configured value."""
    winner: Layer
    reason: str
    advice: str
    warnings: tuple[str, ...] = field(default=())
    version: AppsmithVersion | None = None
    """The Appsmith version the verdict was decided for (`/info`, else the image tag)."""
    precedence: Precedence = Precedence.COMPOSE_WINS
    """Which of compose and docker.env wins, for this layout and version."""
    egress_block: BlockState | None = None
    """The fourth layer, told apart from the switch: hosts pinned out of reach (configured in compose, in
    effect in the container's /etc/hosts); None when it was not read."""

    @property
    def still_leaves(self) -> str | None:
        """With telemetry off and nothing blocked, the sentence of what the server still sends."""
        from panel.core.egress_block import still_leaves

        return still_leaves(self.effective_on, self.egress_block)

    @property
    def server_analytics_blocked(self) -> bool:
        """The running container cannot reach the host the server's usage data goes to (its /etc/hosts pins
        it out of reach): with telemetry ON, the server's reports fail to send; browsers still send theirs."""
        from panel.core.egress_block import ANALYTICS_HOST

        in_effect = self.egress_block.in_effect if self.egress_block is not None else None
        return in_effect is not None and ANALYTICS_HOST in in_effect

    @property
    def override(self) -> Override | None:
        return self.deployment.overrides[-1] if self.deployment.overrides else None

    @property
    def file_decides(self) -> bool:
        """Whether writing docker.env sets the switch: no compose override, or a version (up to v1.6.8) where
        docker.env's own value wins over it."""
        return self.override is None or self.precedence is Precedence.ENV_FILE_WINS

    @property
    def container(self) -> ContainerState | None:
        return self.running.server_container(self.deployment)

    @property
    def pending_restart(self) -> bool:
        return self.verdict is Verdict.PENDING_RESTART

    def to_json(self) -> dict[str, Any]:
        """The stable `--json` shape documented in the README."""
        container = self.container
        server = self.running.server
        override = self.override
        return {
            "deployment": str(self.deployment.folder),
            "layout": self.deployment.layout.value,
            "compose_file": str(self.deployment.compose_file),
            "env_file": str(self.file.path),
            "file": {
                "exists": self.file.exists,
                "writable": self.file.writable,
                "value": self.file.shown,
                "state": self.file.state.value if self.file.state else None,
                "line": self.file.reading.line if self.file.reading else None,
                "duplicates": list(self.file.duplicates),
                "modified": _iso(self.file.modified),
                "error": self.file.error,
            },
            "override": None
            if override is None
            else {
                "service": override.service,
                "source": override.source,
                "value": override.shown,
                "state": override.state.value,
            },
            "container": None
            if container is None
            else {
                "name": container.name,
                "status": container.status,
                "running": container.running,
                "started_at": _iso(container.started_at),
                "image": container.image,
                "edition": container.edition,
                "http_port": container.http_port,
            },
            "docker_error": None
            if self.running.docker_error is None
            else {
                "problem": self.running.docker_error.problem.value,
                "message": self.running.docker_error.message,
            },
            "server": None
            if server is None
            else {
                "health": server.health.value,
                "detail": server.health_detail,
                "version": server.version,
                "enable_telemetry": server.enable_telemetry,
            },
            "nginx": None
            if self.nginx is None
            else {
                "ok": self.nginx.ok,
                "missing": list(self.nginx.missing),
                "has_line": self.nginx.has_line,
                "client_build": self.nginx.build.value,
                "line_needed": self.nginx.line_needed,
            },
            "verdict": self.verdict.value,
            "telemetry_on": self.effective_on,
            "verified": self.verified,
            "pending_restart": self.pending_restart,
            "winner": self.winner.value,
            "reason": self.reason,
            "advice": self.advice,
            "warnings": list(self.warnings),
            "version": None if self.version is None else self.version.to_json(),
            "precedence": {
                "rule": self.precedence.value,
                "why": self.precedence.explanation,
                "source": self.precedence.source,
            },
            "egress_block": None
            if self.egress_block is None
            else self.egress_block.to_json(self.effective_on),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _on_off(on: bool | None) -> str:
    return {True: "on", False: "off", None: "unknown"}[on]


def _running_on(deployment: Deployment, running: RunningState) -> tuple[bool | None, str]:
    """What the running instance does, from the best evidence there is, and where that evidence came from."""
    server = running.server
    if server is not None and server.enable_telemetry is not None:
        return server.enable_telemetry, "the server reports it itself"
    container = running.server_container(deployment)
    if deployment.layout is Layout.LEGACY and container is not None and container.running:
        return classify(container.telemetry_env).telemetry_on, "read from the container's environment"
    return None, ""


def assemble(
    deployment: Deployment, file: FileState, running: RunningState, nginx: NginxCheck | None = None
) -> Status:
    """Decide the verdict from the three layers. Pure: the same inputs always give the same answer."""
    warnings = list(deployment.warnings) + list(file.duplicates)
    if file.unparsed_lines:
        warnings.append(
            f"Lines {', '.join(map(str, file.unparsed_lines))} of {file.path.name} could not be parsed."
        )
    if nginx is not None:
        nginx = _nginx_in_context(nginx, deployment, file, running)
        if not nginx.ok:
            warnings.append(str(nginx))
    container = running.server_container(deployment)
    version = read_version(
        running.server.version if running.server else None,
        container.image if container else None,
        deployment.image,
    )
    rule = precedence(deployment.layout, version)
    override = deployment.overrides[-1] if deployment.overrides else None
    file_sets_it = file.state is not None and file.state is not SwitchState.UNSET
    ambiguous: Override | None = None
    if override is not None and file_sets_it and rule is not Precedence.COMPOSE_WINS:
        if rule is Precedence.ENV_FILE_WINS:
            warnings.append(f"{override}, but on {version} docker.env's own value wins: {rule.explanation}.")
            override = None
        elif file.state is not override.state:
            ambiguous = override
    if override is not None:
        configured: SwitchState | None = override.state
        winner = Layer.OVERRIDE
    else:
        configured = file.state
        winner = Layer.FILE
    running_on, evidence = _running_on(deployment, running)
    configured_on = configured.telemetry_on if configured is not None else None

    def status(
        verdict: Verdict,
        effective: bool | None,
        verified: bool,
        reason: str,
        advice: str,
        who: Layer = winner,
    ) -> Status:
        return Status(
            deployment,
            file,
            running,
            nginx,
            verdict,
            configured,
            effective,
            verified,
            who,
            reason,
            advice,
            tuple(warnings),
            version,
            rule,
        )

    undecided = None if ambiguous is None or file.state is None else _both(ambiguous, file.state, version)
    if running.docker_error is None and (container is None or not container.running or container.restarting):
        return _down(deployment, container, configured, configured_on, override, status, undecided)
    if undecided is not None and ambiguous is not None:
        return _either(undecided, ambiguous, running_on, evidence, status)
    if configured is None:
        if running_on is not None:
            return status(
                Verdict.UNKNOWN,
                running_on,
                False,
                f"{file.error} The running instance has telemetry {_on_off(running_on)}: {evidence}.",
                "Fix access to the file to see or change it.",
                Layer.RUNNING,
            )
        return status(
            Verdict.UNKNOWN,
            None,
            False,
            file.error or "The env file could not be read.",
            "Fix the problem above, then refresh.",
        )
    if configured is SwitchState.INVALID:
        where = str(override.source) if override is not None else file.path.name
        return status(
            Verdict.INVALID,
            running_on,
            False,
            f"{where} sets {TELEMETRY_KEY} to a value Appsmith's server cannot read as true or false, "
            "not shown as it may hold the lines after it, secrets included. Appsmith may refuse to start or "
            "behave unexpectedly.",
            f"Set it to true or false in {deployment.compose_file.name}, then recreate the containers."
            if override is not None
            else "Choose Enable or Disable to write a valid value.",
        )
    if override is not None:
        if rule is Precedence.UNKNOWN and file_sets_it:
            detail = (
                f"{override}; docker.env sets the same, so it is the same whichever wins "
                f"({rule.explanation})."
            )
        else:
            detail = f"{override}; docker.env is ignored for this variable."
        if running_on is not None and running_on != configured_on:
            return status(
                Verdict.PENDING_RESTART,
                running_on,
                False,
                f"{detail} The running instance still has telemetry {_on_off(running_on)}: {evidence}.",
                "Recreate the containers to apply the compose value; the next reboot or upgrade applies it "
                "too.",
            )
        return status(
            Verdict.OVERRIDDEN,
            configured_on,
            running_on is not None,
            f"{detail} Telemetry is {_on_off(configured_on)}.",
            f"To change it, edit or remove that line in {deployment.compose_file.name}, then recreate the "
            f"containers.",
        )
    default_note = (
        ", as it is not set and Appsmith's server default is disabled"
        if configured is SwitchState.UNSET
        else ""
    )
    verdict = Verdict.ENABLED if configured_on else Verdict.DISABLED
    if running_on is not None:
        if running_on != configured_on:
            return status(
                Verdict.PENDING_RESTART,
                running_on,
                False,
                f"docker.env says telemetry {_on_off(configured_on)}{default_note}, but the running instance "
                f"still has it {_on_off(running_on)}: {evidence}.",
                f"Recreate the containers so Appsmith reads it. Until then telemetry stays "
                f"{_on_off(running_on)}; the next reboot, upgrade or recreate of the containers turns it "
                f"{_on_off(configured_on)}.",
                Layer.RUNNING,
            )
        return status(
            verdict,
            running_on,
            True,
            f"docker.env says telemetry {_on_off(configured_on)}{default_note}, and the running instance "
            f"confirms it: {evidence}.",
            "",
        )
    if container is not None and container.running and not container.restarting:
        started, what_started = _last_start(container, running.server_started_at)
        if started is not None and file.modified is not None and file.modified > started:
            return status(
                Verdict.PENDING_RESTART,
                None,
                False,
                f"docker.env says telemetry {_on_off(configured_on)}{default_note}, but it changed after the "
                f"{what_started} started at {started:%Y-%m-%d %H:%M} UTC, so Appsmith has not read it yet.",
                f"Recreate the containers so Appsmith reads it. Until then the running instance keeps the "
                f"value it started with; the next reboot, upgrade or recreate of the containers turns "
                f"telemetry {_on_off(configured_on)}.",
            )
        return status(
            verdict,
            configured_on,
            False,
            f"docker.env says telemetry {_on_off(configured_on)}{default_note}; the {what_started} was "
            f"started after the last change, so it uses this value; {_unconfirmed(running, version)}.",
            "",
        )
    if running.docker_error is not None:
        why = running.docker_error.message
    elif container is None:
        why = "No Appsmith container from this folder exists."
    else:
        why = f"The Appsmith container is {container.describe()}."
    return status(
        verdict,
        configured_on,
        False,
        f"docker.env says telemetry {_on_off(configured_on)}{default_note}. {why} It applies at the next "
        f"start.",
        "Make docker reachable, then refresh to see whether Appsmith runs and uses this value."
        if running.docker_error is not None
        else "Refresh once Appsmith runs to see whether it uses this value.",
    )


def _last_start(container: ContainerState, server_started: datetime | None) -> tuple[datetime | None, str]:
    """The later of the container's start and its server process's start (a supervisorctl restart by Admin
    Settings' "Save & Restart" re-reads docker.env inside a container that keeps running)."""
    started = container.started_at
    if server_started is not None and (started is None or server_started > started):
        return server_started, "server process (restarted inside the container)"
    return started, "container"


def _unconfirmed(running: RunningState, version: AppsmithVersion) -> str:
    """Why the instance does not confirm the value: not answering yet, or too old to say."""
    server = running.server
    if server is not None and server.health is not Health.UP:
        return f"the server is not answering yet, {server.health.value}: {server.health_detail}"
    if version.at_least(REPORTS_TELEMETRY_SINCE) is False:
        return (
            f"the running instance cannot confirm on this version: {version.text} does not report it, "
            "servers since v1.6.3 do"
        )
    if server is None:
        return "the server was not asked"
    return "the server does not report it itself"


def cannot_confirm_on_version(status: Status) -> bool:
    """True when the instance is too old to report enableTelemetry, so 'not confirmed' is all it can be."""
    return status.version is not None and status.version.at_least(REPORTS_TELEMETRY_SINCE) is False


def _both(override: Override, file_state: SwitchState, version: AppsmithVersion) -> str:
    """Compose and docker.env disagree and the version that decides between them is unknown: what each
    possibility means."""

    def says(state: SwitchState) -> str:
        if state is SwitchState.INVALID:
            return "a value the server cannot read (not shown)"
        return f"telemetry {_on_off(state.telemetry_on)}"

    return (
        f"{override}, and docker.env sets {says(file_state)}. Which wins depends on the Appsmith version, "
        f"and it is {version}: up to v1.6.8 docker.env wins ({says(file_state)}); from v1.6.9 on the compose "
        f"value wins ({says(override.state)})."
    )


def _either(
    both: str,
    override: Override,
    running_on: bool | None,
    evidence: str,
    status: Callable[..., Status],
) -> Status:
    """`both` possibilities said; the running instance's own report, when there is one, tells which applies
    now."""
    compose_on = override.state.telemetry_on
    advice = (
        "Set the same value in both places (or remove the compose line), then recreate the containers; or "
        "pin the image to a release tag so the panel can tell."
    )
    if running_on is not None:
        who = Layer.OVERRIDE if running_on == compose_on else Layer.FILE
        return status(
            Verdict.OVERRIDDEN
            if who is Layer.OVERRIDE
            else (Verdict.ENABLED if running_on else Verdict.DISABLED),
            running_on,
            True,
            f"{both} The running instance has telemetry {_on_off(running_on)} ({evidence}).",
            advice,
            who,
        )
    return status(Verdict.UNKNOWN, None, False, both, advice, Layer.OVERRIDE)


def start_command(deployment: Deployment) -> str:
    """How an operator starts the deployment again, safe to paste (compose v2; v1 reads the same), with the
    same `-f` options as the panel's own recreate: `-f` alone would drop the override, and a block with it."""
    import shlex

    from panel.core.restart import compose_files  # restart reads egress_block, which reads this module

    folder = shlex.quote(str(deployment.folder))
    return f"cd {folder} && {shlex.join(('docker', 'compose', *compose_files(deployment), 'up', '-d'))}"


def _down(
    deployment: Deployment,
    container: ContainerState | None,
    configured: SwitchState | None,
    configured_on: bool | None,
    override: Override | None,
    status: Callable[[Verdict, bool | None, bool, str, str], Status],
    undecided: str | None = None,
) -> Status:
    """Appsmith is not running: said first, whatever the switch says, with how to start it again.
    `undecided` says what each possibility means when the version that decides between layers is unknown."""
    if container is None:
        why = "No Appsmith container from this folder exists"
    else:
        why = f"Its container {container.name} is {container.describe()}"
    where = f"the compose file ({override.source})" if override is not None else deployment.env_file.name
    if undecided is not None:
        configured_on, then = None, f"When it starts: {undecided}"
    elif configured is None:
        then = "What it will read when it starts is not known: the env file could not be read."
    elif configured is SwitchState.INVALID:
        then = (
            f"{where} holds a value of {TELEMETRY_KEY} its server cannot read (not shown), which can keep "
            "it from starting."
        )
    else:
        then = f"When it starts it reads telemetry {_on_off(configured_on)} from {where}."
    return status(
        Verdict.DOWN,
        None if configured is SwitchState.INVALID else configured_on,
        False,
        f"{why}. {then}",
        f"Start it with: {start_command(deployment)}. If the last change stopped it, restore the backup from "
        "before that change first.",
    )


def _nginx_in_context(
    nginx: NginxCheck, deployment: Deployment, file: FileState, running: RunningState
) -> NginxCheck:
    """The template's check, told what the browser client build and docker.env make of it: the editor image
    serves the page (its tag, else the server image's: they are released together)."""
    web = running.web_container(deployment)
    server = running.server_container(deployment)
    image = web.image if web is not None else server.image if server is not None else None
    version = read_version(None, image, deployment.image)
    readable = file.reading is not None
    return nginx.with_context(
        client_build(version.release), str(version), readable, file.raw if readable else None
    )


def nginx_check(deployment: Deployment) -> NginxCheck | None:
    template = deployment.nginx_template
    if template is None or not template.is_file():
        return None
    try:
        return check_template(template.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def query_containers(
    deployment: Deployment,
    ps: Started | None = None,
    ahead: Future[containers.InspectedAhead | None] | None = None,
) -> tuple[ContainerState, ...]:
    """Two docker calls: `ps` finds the compose containers of this folder, `inspect` reads them.

    `ps` is a `docker ps` already under way, when the caller could start it sooner (it needs no deployment);
    `ahead` is a `containers.inspect_ahead` of it, used when it covers this deployment's containers.
    """
    found = containers.parse_ps(ps.result() if ps is not None else docker.run(containers.PS_ARGV))
    ids = containers.ids_for(
        found, deployment.folder, deployment.services_to_recreate + (deployment.server_service,)
    )
    if not ids:
        return ()
    inspected = ahead.result() if ahead is not None else None
    if inspected is not None and inspected.ids.issuperset(ids):
        return tuple(state for state in inspected.states if state.id in ids)
    return tuple(containers.parse_inspect(docker.run(containers.inspect_argv(ids))))


def probe_running(
    deployment: Deployment, found: tuple[ContainerState, ...], with_http: bool = True
) -> RunningState:
    running = RunningState(found)
    web = running.web_container(deployment)
    if not with_http or web is None or not web.running or web.http_port is None:
        return running
    from panel.core.instance import probe

    return RunningState(found, probe(web.http_port))


def query_running(
    deployment: Deployment,
    with_http: bool = True,
    ps: Started | None = None,
    ahead: Future[containers.InspectedAhead | None] | None = None,
) -> RunningState:
    try:
        found = query_containers(deployment, ps, ahead)
    except DockerError as error:
        return RunningState(docker_error=error)
    return probe_running(deployment, found, with_http)


def gather(
    deployment: Deployment,
    with_http: bool = True,
    ps: Started | None = None,
    ahead: Future[containers.InspectedAhead | None] | None = None,
) -> Status:
    """The whole status: file and nginx are read while docker answers; `ps` and `ahead` as for
    `query_containers`."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        running_future = pool.submit(query_running, deployment, with_http, ps, ahead)
        file = read_file_state(deployment.env_file)
        nginx = nginx_check(deployment)
        if with_http:
            from panel.core.instance import load_client

            load_client()  # while docker answers, not after it
        running = running_future.result()
    container_id = server_start_needed(deployment, file, running)
    if container_id is not None:
        running = with_server_start(running, container_id)
    return assemble(deployment, file, running, nginx)


def server_start_needed(deployment: Deployment, file: FileState, running: RunningState) -> str | None:
    """The server container's id when only its server process's start time can tell whether docker.env was
    read: the single container, running, changed after the container started, and no report from the
    server itself. One more docker call, asked only then."""
    container = running.server_container(deployment)
    if (
        deployment.layout is not Layout.SINGLE
        or container is None
        or not container.running
        or container.started_at is None
        or file.modified is None
        or file.modified <= container.started_at
        or running.server_start_asked
        or (running.server is not None and running.server.enable_telemetry is not None)
    ):
        return None
    return container.id


def with_server_start(running: RunningState, container_id: str) -> RunningState:
    """`running` with the server process's start time, when docker can tell it."""
    try:
        result = docker.run(containers.top_argv(container_id))
    except DockerError:
        return replace(running, server_start_asked=True)
    started = containers.parse_server_start(result, datetime.now(UTC))
    return replace(running, server_started_at=started, server_start_asked=True)


def with_file_read_again(status: Status, file: FileState | None = None) -> Status:
    """`status` after docker.env changed under it (a restore): the file read again (or `file`, read already
    off the GUI thread) and the verdict decided anew, with docker's answers kept, as writing the file does not
    touch the containers."""
    deployment = status.deployment
    if file is None:
        file = read_file_state(deployment.env_file)
    fresh = assemble(deployment, file, status.running, nginx_check(deployment))
    return replace(fresh, egress_block=status.egress_block)


def with_block_state(status: Status) -> Status:
    """The status with its fourth layer read: the compose files, and the running container's /etc/hosts (one
    more docker call, so only where it is shown: `status` on the command line)."""
    from panel.core.egress_block import read_block_state

    container = status.container
    running = container is not None and container.running and not container.restarting
    state = read_block_state(status.deployment, container.id if container else None, running)
    return replace(status, egress_block=state)


def health_of(running: RunningState) -> Health | None:
    return running.server.health if running.server else None
