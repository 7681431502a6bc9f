"""Make a legacy deployment's browser client do what its server does: add the missing `sub_filter` lines to
the nginx template, never without an explicit APPSMITH_DISABLE_TELEMETRY in docker.env, with the same care as
any docker.env change (consent, backup, atomic replace).

Why the value must be explicit: nginx substitutes an unset variable with an empty string, which browser builds
v1.2.22 to v1.6.2 read as *enabled* while the server's default is disabled (see `panel.core.nginx`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from panel.core import audit
from panel.core.appsmith_version import read_version
from panel.core.change import (
    EnvChange,
    RefusedError,
    check_writable,
    prepare_change,
    write_change,
    write_with_backup,
)
from panel.core.deployment import Deployment
from panel.core.envfile import TELEMETRY_KEY, EnvText, SwitchState
from panel.core.nginx import ClientBuild, NginxCheck, check_template, client_build, fix_template
from panel.core.safewrite import Snapshot


@dataclass(frozen=True)
class NginxFix:
    path: Path
    snapshot: Snapshot
    new_data: bytes
    check: NginxCheck
    """The template as it is now, in the context the fix was decided for."""
    env_change: EnvChange | None = None
    """The explicit value written to docker.env with the line (None when docker.env already sets one)."""

    @property
    def changes_template(self) -> bool:
        return self.new_data != self.snapshot.data

    @property
    def changes_file(self) -> bool:
        """Whether anything is written (the template, docker.env or both)."""
        return self.changes_template or (self.env_change is not None and self.env_change.changes_file)

    def diff(self) -> str:
        """The template's diff, then docker.env's (masked): what a person consents to."""
        old = self.snapshot.data.decode("utf-8").splitlines(keepends=True)
        new = self.new_data.decode("utf-8").splitlines(keepends=True)
        text = "".join(difflib.unified_diff(old, new, f"{self.path.name} (now)", f"{self.path.name} (after)"))
        if self.env_change is not None and self.env_change.changes_file:
            text += self.env_change.diff()
        return text


@dataclass(frozen=True)
class NginxFixWritten:
    """The backups made: of the template, and of docker.env when the explicit value was written."""

    template_backup: Path | None
    env_backup: Path | None


def prepare_nginx_fix(deployment: Deployment) -> NginxFix:
    """What the fix would write, or a refusal that says why and what to do instead."""
    path = deployment.nginx_template
    if path is None:
        raise RefusedError("This is a single-container deployment: it has no nginx template to fix.")
    if not path.is_file():
        raise RefusedError(f"{path} does not exist; the legacy installer writes it. Nothing to fix here.")
    snapshot = Snapshot.read(path)
    try:
        text = snapshot.data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RefusedError(f"{path} is not valid UTF-8; add the line by hand.") from error
    version = read_version(None, None, deployment.image)
    check = check_template(text)
    if check.final_template:
        raise RefusedError(
            f"{path.name} was written from Appsmith's template of 2023-02 or later, from which Appsmith "
            "removed the sub_filter line on 2023-02-15 as unused and misleading: the browser follows the "
            "server. The panel does not put it back; nothing was written."
        )
    build = client_build(version.release)
    if build is ClientBuild.FOLLOWS_SERVER:
        raise RefusedError(
            f"The browser client, {version}, is v1.6.3 or later: it follows what the server says and "
            "ignores the sub_filter line, so the line is unnecessary. Nothing was written."
        )
    env_change = _explicit_value(deployment)
    reading = env_change.old_reading if env_change else _read_env(deployment).reading(TELEMETRY_KEY)
    new_text = fix_template(text)
    context = check.with_context(build, str(version), True, reading.raw)  # as it is now: why the fix
    return NginxFix(path, snapshot, new_text.encode("utf-8"), context, env_change)


def _read_env(deployment: Deployment) -> EnvText:
    try:
        return EnvText.parse(Snapshot.read(deployment.env_file).data)
    except OSError as error:
        raise RefusedError(
            f"{deployment.env_file} cannot be read ({error.strerror}); the line is only added together with "
            f"an explicit {TELEMETRY_KEY} there. Nothing was written."
        ) from error


def _explicit_value(deployment: Deployment) -> EnvChange | None:
    """docker.env's change to an explicit `true` (the server's own default) when it does not set the switch;
    None when it sets a valid value. Refuses an invalid value: the line would hand it to the browser."""
    reading = _read_env(deployment).reading(TELEMETRY_KEY)
    if reading.raw is not None and reading.state is not SwitchState.INVALID:
        return None
    if reading.state is SwitchState.INVALID:
        raise RefusedError(
            f"{deployment.env_file.name} sets {TELEMETRY_KEY} to a value neither the server nor the browser "
            "reads reliably. Choose Enable or Disable first, then fix the template. Nothing was written."
        )
    return prepare_change(deployment, telemetry_on=False)


def write_nginx_fix(fix: NginxFix) -> NginxFixWritten | None:
    """docker.env's explicit value first, then the template: if the first write fails, the line is never
    added. None when nothing changes."""
    if not fix.changes_file:
        return None
    if fix.changes_template:
        check_writable(fix.path, fix.path.parent)
    env_backup = write_change(fix.env_change) if fix.env_change is not None else None
    template_backup = write_with_backup(fix.snapshot, fix.new_data) if fix.changes_template else None
    return NginxFixWritten(template_backup, env_backup)


def record_nginx_fix(fix: NginxFix, written: NginxFixWritten) -> list[str]:
    """Record in the audit log what the fix wrote (docker.env's explicit value, the template's line); the
    warnings of records that could not be written, for the face to show."""
    warnings = []
    if fix.env_change is not None:
        warnings.append(
            audit.record_or_warn(
                "fix-nginx",
                fix.env_change.deployment.env_file,
                fix.env_change.old_value,
                "true",
                written.env_backup,
                "explicit value for the nginx line; recreate to apply",
            )
        )
    if fix.changes_template:
        warnings.append(
            audit.record_or_warn(
                "fix-nginx",
                fix.path,
                None,
                "sub_filter added",
                written.template_backup,
                "written; recreate nginx to apply",
            )
        )
    return [warning for warning in warnings if warning]
