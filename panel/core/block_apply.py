"""Apply a block or unblock: write the override (backup and audit entry), recreate the containers with the
panel's commands (which name the override), then read the container's `/etc/hosts` to see the pins in effect
or gone. Blocking: the command line calls it directly, the window in a worker thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from panel.core import audit
from panel.core.apply import run_streaming
from panel.core.apply_sequence import down_message, failure_reason, not_written_message
from panel.core.change import RefusedError
from panel.core.egress_block import (
    BLOCK_ADDRESS,
    BlockChange,
    BlockRefusedError,
    BlockState,
    audit_text,
    read_block_state,
    write_block,
)
from panel.core.restart import RestartPlan, plan_restart, restart_tool
from panel.core.safewrite import FileChangedError

CHECK_ATTEMPTS = 20
CHECK_INTERVAL = 0.5
"""How long the recreated container is given to run before its `/etc/hosts` is read (10 s)."""


class BlockOutcome(StrEnum):
    VERIFIED = "verified"
    WRITTEN = "written"
    """Written, not recreated: it applies at the next recreate."""
    NOTHING_TO_DO = "nothing-to-do"
    NOT_VERIFIED = "not-verified"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class BlockResult:
    outcome: BlockOutcome
    message: str
    backup: Path | None = None
    file_written: bool = False
    in_effect: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome in (BlockOutcome.VERIFIED, BlockOutcome.WRITTEN, BlockOutcome.NOTHING_TO_DO)

    def __str__(self) -> str:
        return self.message


def plan_block_restart(change: BlockChange) -> RestartPlan:
    """The recreate commands for a block, asked live: a `DockerError` when docker cannot run them, a refusal
    when root may not run compose here or the server service has no container (nothing to recreate, no
    /etc/hosts to check)."""
    from panel.core.restart import ComposeTool
    from panel.core.rootguard import restart_refusal
    from panel.core.status import query_running

    deployment = change.deployment
    not_as_root = restart_refusal(deployment.folder, deployment.compose_file)
    if not_as_root is not None:
        raise BlockRefusedError(not_as_root)
    tool = restart_tool()
    running = query_running(deployment, with_http=False)
    if running.docker_error is not None:
        raise running.docker_error
    if running.server_container(deployment) is None:
        raise BlockRefusedError(
            f"Service {deployment.server_service} has no container from {deployment.folder}, so there is "
            f"nothing to recreate and no /etc/hosts to check. Start Appsmith first "
            f"({plan_restart(deployment, ComposeTool.V2).start.shell_line()}), or write the change without "
            "recreating: it then applies at the next start. Nothing was written."
        )
    return plan_restart(deployment, tool, change.override_after)


def _ignore(line: str) -> None:
    return None


def apply_block(
    change: BlockChange,
    plan: RestartPlan | None,
    on_output: Callable[[str], None] = _ignore,
    cancel: threading.Event | None = None,
) -> BlockResult:
    """Write, recreate (when `plan`), verify; every outcome in words, with what to do next."""
    cancel = cancel or threading.Event()
    verb = "block" if change.block else "unblock"
    if not change.changes_file and plan is None:
        return BlockResult(
            BlockOutcome.NOTHING_TO_DO, f"Nothing to {verb}: {change.path.name} stays as it is."
        )
    backup, warnings = None, []
    if change.changes_file:
        try:
            backup = write_block(change)
        except (FileChangedError, RefusedError, OSError) as error:
            return BlockResult(BlockOutcome.FAILED, not_written_message(error, change.path))
        warning = audit.record_or_warn(
            verb, change.path, None, audit_text(change), backup, "written; recreate to apply"
        )
        warnings += [warning] if warning else []
    written = change.changes_file
    if plan is None:
        return BlockResult(
            BlockOutcome.WRITTEN,
            f"Written: {change.summary()} in {change.path.name}. It applies when the containers are next "
            f"recreated (docker compose up -d recreates them, as does --restart).",
            backup,
            written,
            warnings=tuple(warnings),
        )
    for command in plan.commands:
        if cancel.is_set():
            return BlockResult(BlockOutcome.CANCELLED, f"Cancelled before: {command}", backup, written)
        on_output(f"$ {command}")
        outcome = run_streaming(command, on_output, cancel)
        if not outcome.ok:
            reason = failure_reason(command, outcome)
            message = (
                down_message(plan, reason)
                if command is plan.start
                else f"The containers were not recreated ({reason}); the change is written and applies at "
                f"the next recreate: {plan.start.shell_line()}"
            )
            return BlockResult(BlockOutcome.FAILED, message, backup, written, warnings=tuple(warnings))
    state = _state_after(change, cancel)
    return _verified(change, state, backup, written, tuple(warnings))


def _state_after(change: BlockChange, cancel: threading.Event) -> BlockState:
    """The block as the recreated container has it, read once it runs (a few seconds at most)."""
    from panel.core.status import query_running

    deployment = change.deployment
    state = read_block_state(deployment, None, False)
    for _ in range(CHECK_ATTEMPTS):
        container = query_running(deployment, with_http=False).server_container(deployment)
        if container is not None:
            state = read_block_state(deployment, container.id, container.running)
            if state.in_effect is not None:
                return state
        if cancel.wait(CHECK_INTERVAL):
            break
    return state


def _verified(
    change: BlockChange, state: BlockState, backup: Path | None, written: bool, warnings: tuple[str, ...]
) -> BlockResult:
    if state.in_effect is None:
        return BlockResult(
            BlockOutcome.NOT_VERIFIED,
            f"Written and recreated, but the container's /etc/hosts could not be read ({state.error}); run "
            "`status` to check.",
            backup,
            written,
            None,
            warnings,
        )
    pinned = set(state.in_effect)
    wanted = set(change.hosts)
    if change.block and not wanted <= pinned:
        missing = ", ".join(sorted(wanted - pinned))
        return BlockResult(
            BlockOutcome.NOT_VERIFIED,
            f"Recreated, but the container's /etc/hosts does not pin {missing}: check that nothing else "
            "overrides extra_hosts, then recreate again.",
            backup,
            written,
            state.in_effect,
            warnings,
        )
    if not change.block and wanted & pinned:
        left = ", ".join(sorted(wanted & pinned))
        return BlockResult(
            BlockOutcome.NOT_VERIFIED,
            f"Recreated, but the container's /etc/hosts still pins {left}: another compose file pins it too.",
            backup,
            written,
            state.in_effect,
            warnings,
        )
    hosts = ", ".join(change.hosts) or "nothing new"
    said = f"pins {hosts} to {BLOCK_ADDRESS}" if change.block else f"no longer pins {hosts}"
    return BlockResult(
        BlockOutcome.VERIFIED,
        f"Verified: the recreated container's /etc/hosts {said}.",
        backup,
        written,
        state.in_effect,
        warnings,
    )
