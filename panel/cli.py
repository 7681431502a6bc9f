"""The command line: the same engine as the desktop app, for headless servers and scripts.

With no subcommand it opens the desktop app. Exit codes are documented in the README and in `ExitCode`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel import __version__

if TYPE_CHECKING:  # `status` starts docker before these load: the types cost nothing at run time
    from panel.core.apply_sequence import Step, StepState
    from panel.core.deployment import Deployment, Override
    from panel.core.docker import Started
    from panel.core.status import Status

COMMANDS = (
    "status",
    "enable",
    "disable",
    "block",
    "unblock",
    "payloads",
    "backups",
    "restore",
    "discover",
    "fix-nginx",
    "log",
)


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_A_DEPLOYMENT = 3
    DOCKER = 4
    REFUSED = 5
    APPSMITH_DOWN = 6
    CANCELLED = 130


@contextlib.contextmanager
def _printable_output() -> Iterator[None]:
    """Every line the commands print has its control characters escaped, whoever prints it: file contents,
    folder and service names could otherwise move the cursor or repaint the diff above "Apply this change?".
    """
    from typing import TextIO, cast

    from panel.core.printable import PrintableStream

    saved = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, PrintableStream(sys.stdout))
    sys.stderr = cast(TextIO, PrintableStream(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _print_json(document: object) -> None:
    import json  # only the commands' --json needs it, never the window

    print(json.dumps(document, indent=2, ensure_ascii=False))


def _error(message: str) -> None:
    print(f"appsmith-telemetry-panel: {message}", file=sys.stderr)


def _mistyped_command(word: str) -> bool:
    """A bare word that names no folder or file here is a mistyped command, never a folder to open: say so."""
    if os.sep in word or word in (".", "..") or os.path.lexists(word):
        return False
    import difflib

    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    folder = (
        f" To open a folder of that name, give its path: {shlex.quote('./' + word)}"
        if word.isprintable()
        else ""
    )
    _error(f"unknown command {word!r}.{hint} Commands: {', '.join(COMMANDS)}.{folder}")
    return True


def _load(path: str | None, ps: Started | None = None) -> Deployment:
    """The deployment at `path`, or the only one found; `ps` is a `docker ps` under way for discovery to
    reuse."""
    from panel.core.deployment import load_deployment
    from panel.core.discover import discover

    if path:
        return load_deployment(Path(path))
    found, _ = discover(ps=ps)
    if len(found) == 1:
        return found[0].deployment
    from panel.core.deployment import NotADeploymentError

    if not found:
        raise NotADeploymentError(
            "No Appsmith deployment was found (asked docker for running Appsmith containers, and looked in "
            "~/appsmith, /opt/appsmith and the current folder). Give the folder: appsmith-telemetry-panel "
            "status PATH"
        )
    listed = "\n  ".join(str(item.deployment.folder) for item in found)
    raise NotADeploymentError(f"Several Appsmith deployments were found; choose one:\n  {listed}")


def _format_status(status: Status) -> str:
    from panel.core.envfile import TELEMETRY_KEY
    from panel.core.status import IDENTIFYING_FIELDS, STILL_SENT_WHEN_OFF, Verdict, cannot_confirm_on_version

    deployment, file = status.deployment, status.file
    if status.verified:
        mark = "verified by the running instance"
    elif cannot_confirm_on_version(status):
        mark = "the running instance cannot confirm on this version"
    else:
        mark = "not confirmed by the running instance"
    headline = f"  {status.verdict.label.upper()}"
    if status.verdict is not Verdict.DOWN:  # nothing runs that could confirm anything
        headline += f"  ({mark})"
    lines = [
        f"Appsmith deployment  {deployment.folder}",
        f"Layout               {deployment.layout.label} ({deployment.compose_file.name})",
        "",
        headline,
    ]
    if status.verdict is not Verdict.DOWN and status.effective_on is True:
        lines.append(f"  Usage data identifies this instance: it carries {IDENTIFYING_FIELDS}.")
    elif status.verdict is not Verdict.DOWN and status.effective_on is False:
        lines.append(f"  {STILL_SENT_WHEN_OFF}")
    lines.append(f"  {status.reason}")
    if status.advice:  # a healthy state asks nothing
        lines.append(f"  What to do: {status.advice}")
    lines.append("")
    if file.reading is not None:
        value = (
            "not set"
            if not file.reading.occurrences
            else f"{TELEMETRY_KEY}={file.shown} (line {file.reading.line})"
        )
        lines.append(f"File      {file.path}: {value} → {file.state.value if file.state else '?'}")
    else:
        lines.append(f"File      {file.path}: {file.error}")
    override = status.override
    lines.append(f"Override  {override} → {override.state.value}" if override else "Override  none")
    running = status.running
    container = status.container
    if running.docker_error is not None:
        lines.append(f"Running   unknown: {running.docker_error.message}")
    elif container is None:
        lines.append("Running   no Appsmith container from this folder")
    else:
        edition = f" ({container.edition})" if container.edition else ""
        lines.append(f"Running   {container.name}: {container.describe()}, image {container.image}{edition}")
        server = running.server
        if server is not None:
            reported = {True: "on", False: "off", None: "not reported"}[server.enable_telemetry]
            version = f", version {server.version}" if server.version else ""
            lines.append(
                f"          health {server.health.value} ({server.health_detail}){version}; server "
                f"telemetry: {reported}"
            )
    if status.nginx is not None:
        lines.append(f"Nginx     {status.nginx}")
    if status.version is not None:
        lines.append(f"Version   {status.version}")
    if override is not None:
        lines.append(f"Order     {status.precedence.value}: {status.precedence.explanation}")
        lines.append(f"Source    {status.precedence.source}")
    if status.egress_block is not None:
        lines.append(f"Block     {status.egress_block}")
    if status.still_leaves:
        lines.append(f"Note      {status.still_leaves}")
    lines.append(f"Winner    {status.winner}")
    lines += [f"Warning   {warning}" for warning in status.warnings]
    return "\n".join(lines)


def _override_note(deployment: Deployment, override: Override) -> str:
    """What a compose value does to this change, on the version the compose file names (e85b34d, v1.6.9)."""
    from panel.core.appsmith_version import Precedence, precedence, read_version

    version = read_version(None, None, deployment.image)
    rule = precedence(deployment.layout, version)
    if rule is Precedence.ENV_FILE_WINS:
        return f"{override} — on {version} docker.env's own value wins over it, so this change applies."
    if rule is Precedence.UNKNOWN:
        return (
            f"{override} — whether it wins depends on the Appsmith version ({version}): from v1.6.9 it does "
            "and this change has no effect until it is removed; up to v1.6.8 docker.env's value wins."
        )
    return f"{override} — it wins over docker.env, so this change has no effect until it is removed."


def start_ps() -> Started:
    """`docker ps`, started before anything else loads: it needs nothing from the deployment."""
    from panel.core import containers, docker

    return docker.start(containers.PS_ARGV)


def cmd_status(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from panel.core import containers

    ps = args.ps or start_ps()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # `inspect` of the containers started from the folder given needs only ps: it runs while the rest of
        # Python loads and the compose file is read. Discovery and the status use ps's one answer; the status
        # uses the early inspect when it covers the deployment.
        ahead = pool.submit(containers.inspect_ahead, ps, Path(args.path)) if args.path else None
        from panel.core.status import gather, with_block_state

        status = with_block_state(gather(_load(args.path, ps), ps=ps, ahead=ahead))
    if args.json:
        _print_json(status.to_json())
    else:
        print(_format_status(status))
    return ExitCode.OK


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        _error(
            "refusing to change anything without confirmation: no terminal to ask on. Add --yes to confirm."
        )
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


class _PrintReporter:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def step(self, step: Step, state: StepState, detail: str = "") -> None:
        if not self.quiet:
            print(
                f"[{state.value:>9}] {step.label}{': ' + detail if detail else ''}",
                file=sys.stderr,
                flush=True,
            )

    def output(self, line: str) -> None:
        if not self.quiet:
            print(f"    | {line}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _signals_cancel(cancel: threading.Event) -> Iterator[None]:
    """Ctrl+C (SIGINT) and SIGTERM cancel the run at its safest point instead of killing it: compose runs in a
    session of its own, so an abrupt exit would leave it running, and the result must still say what state
    Appsmith is in (and be audited)."""

    def handler(signum: int, frame: object) -> None:
        cancel.set()

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def cmd_switch(args: argparse.Namespace) -> int:
    from panel.core.apply import apply_change
    from panel.core.apply_sequence import Outcome
    from panel.core.change import RefusedError, check_writable, prepare_review
    from panel.core.envfile import shown_value
    from panel.core.restart import detect_compose_tool, plan_restart
    from panel.core.restart_notice import restart_notice
    from panel.core.rootguard import restart_refusal, running_as_root, telemetry_lines_only

    telemetry_on = args.command == "enable"
    deployment = _load(args.path)
    # The right to write is asked after the diff is shown: the review says what would change in any case.
    review = prepare_review(deployment, telemetry_on, by_this_user=False)
    if review.change is None:
        raise RefusedError(review.refusal)
    change = review.change
    not_restarted = restart_refusal(deployment.folder, deployment.compose_file) if args.restart else None
    plan = plan_restart(deployment, detect_compose_tool()) if args.restart and not not_restarted else None
    diff = review.diff
    if running_as_root():
        diff = telemetry_lines_only(diff)  # root sends back the switch's line, nothing else of the file
    report: dict[str, Any] = {
        "deployment": str(deployment.folder),
        "env_file": str(deployment.env_file),
        "old_value": shown_value(change.old_value),
        "new_value": change.new_value,
        "changes_file": change.changes_file,
        "diff": diff,
        "commands": [str(c) for c in plan.commands] if plan else [],
        "dry_run": args.dry_run,
    }
    notes = [_override_note(deployment, override) for override in deployment.overrides]
    if not_restarted:
        notes.append(not_restarted)
    report["warnings"] = notes
    if not args.json:
        print(f"{'Enable' if telemetry_on else 'Disable'} telemetry for {deployment.folder}")
        print(diff or f"docker.env already says {change.new_value}; the file stays as it is.")
        for note in notes:
            print(f"Warning: {note}")
        if plan:
            print("Then run:\n  " + plan.shell_text().replace("\n", "\n  "))
            notice = restart_notice(deployment.image)
            print(f"Note: {notice.sentence}\n  Source: {notice.citation.label}")
    stop = _before_applying(
        args,
        report,
        change.changes_file,
        plan is not None,
        Outcome.NOTHING_TO_DO.value,
        lambda: check_writable(deployment.env_file, deployment.folder),
    )
    if stop is not None:
        return stop
    cancel = threading.Event()
    with _signals_cancel(cancel):
        result = apply_change(change, plan, _PrintReporter(args.json), cancel)
    if args.json:
        _print_json(
            report
            | {
                "outcome": result.outcome.value,
                "message": result.message,
                "backup": str(result.backup) if result.backup else None,
                "file_written": result.file_written,
                "warnings": [*notes, *result.warnings],
            }
        )
    else:
        print(result.message)
        for warning in result.warnings:
            _error(warning)
        if not_restarted and result.ok:
            print(not_restarted)
    if result.ok:
        return ExitCode.OK
    if result.appsmith_down:
        return ExitCode.APPSMITH_DOWN
    if result.outcome is Outcome.REFUSED:
        return ExitCode.REFUSED
    return ExitCode.CANCELLED if result.outcome is Outcome.CANCELLED else ExitCode.FAILED


def cmd_block(args: argparse.Namespace) -> int:
    """`block` / `unblock`: the same review (consequences, masked diff, exact commands), confirmation and
    result as `disable`, for the override that pins the hosts."""
    from panel.core.block_apply import BlockOutcome, apply_block, plan_block_restart
    from panel.core.egress_block import (
        BROWSER_NOTE,
        DEFAULT_HOSTS,
        DEFAULT_OVERRIDE,
        BlockRefusedError,
        check_block_writable,
        host_info,
        prepare_block,
        prepare_unblock,
    )
    from panel.core.rootguard import restart_refusal, root_refusal

    block = args.command == "block"
    deployment = _load(args.path)
    refusal = root_refusal(deployment.folder, deployment.compose_file, deployment.folder / DEFAULT_OVERRIDE)
    if refusal is not None:
        raise BlockRefusedError(refusal)
    change = (
        prepare_block(deployment, args.host or DEFAULT_HOSTS)
        if block
        else prepare_unblock(deployment, args.host or None)
    )
    not_restarted = restart_refusal(deployment.folder, deployment.compose_file) if args.restart else None
    plan = plan_block_restart(change) if args.restart and not not_restarted else None
    hosts = [host_info(name) for name in change.hosts]
    notes = [*change.notes, *([not_restarted] if not_restarted else [])]
    report: dict[str, Any] = {
        "deployment": str(deployment.folder),
        "service": deployment.server_service,
        "override_file": str(change.path),
        "hosts": [
            {"name": h.name, "carries": h.carries, "consequences": h.consequences, "source": h.source}
            for h in hosts
        ],
        "browser_note": BROWSER_NOTE,
        "changes_file": change.changes_file,
        "creates_file": change.creates_file,
        "deletes_file": change.deletes_file,
        "diff": change.diff(),
        "commands": [str(c) for c in plan.commands] if plan else [],
        "dry_run": args.dry_run,
        "warnings": notes,
    }
    if not args.json:
        print(f"{'Block' if block else 'Unblock'} for {deployment.folder}: {change.summary()}")
        for host in hosts:
            print(f"  {host.name}: carries {host.carries}.")
            if block:
                print(f"    When blocked: {host.consequences}")
        if block:
            print(BROWSER_NOTE)
        print(report["diff"] or f"{change.path.name} stays as it is.")
        for note in notes:
            print(f"Note: {note}")
        if plan:
            print("Then run:\n  " + plan.shell_text().replace("\n", "\n  "))
    stop = _before_applying(
        args,
        report,
        change.changes_file,
        plan is not None,
        BlockOutcome.NOTHING_TO_DO.value,
        lambda: check_block_writable(change),
    )
    if stop is not None:
        return stop
    cancel = threading.Event()

    def show(line: str) -> None:
        if not args.json:
            print(f"    | {line}", file=sys.stderr, flush=True)

    with _signals_cancel(cancel):
        result = apply_block(change, plan, show, cancel)
    if args.json:
        _print_json(
            report
            | {
                "outcome": result.outcome.value,
                "message": result.message,
                "backup": str(result.backup) if result.backup else None,
                "file_written": result.file_written,
                "in_effect": None if result.in_effect is None else list(result.in_effect),
                "warnings": [*notes, *result.warnings],
            }
        )
    else:
        print(result.message)
        for warning in result.warnings:
            _error(warning)
    if result.ok:
        return ExitCode.OK
    return ExitCode.CANCELLED if result.outcome is BlockOutcome.CANCELLED else ExitCode.FAILED


def cmd_payloads(args: argparse.Namespace) -> int:
    from panel.core.payloads import LocalFacts, fill_sample, load_catalog, to_json_text

    catalog = load_catalog()
    facts = LocalFacts(email=args.email) if args.email else LocalFacts()
    if args.json:
        _print_json(
            {
                "payloads": [
                    {
                        "id": s.id,
                        "event": s.event,
                        "source": s.source.value,
                        "sender": s.sender,
                        "when": s.when,
                        "stopped_by_switch": s.stopped_by_switch,
                        "switch_note": s.switch_note,
                        "sample_origin": s.sample_origin,
                        "payload": fill_sample(s, facts).payload,
                        "fields": [{"path": f.path, "note": f.note, "hashed": f.hashed} for f in s.fields],
                    }
                    for s in catalog.samples
                ],
                "always_sent": [
                    {"name": a.name, "sender": a.sender, "when": a.when, "note": a.note}
                    for a in catalog.always_sent
                ],
            }
        )
        return ExitCode.OK
    for source in dict.fromkeys(sample.source for sample in catalog.samples):
        print(f"== {source.label} ==")
        for sample in catalog.by_source(source):
            stops = "stopped by the switch" if sample.stopped_by_switch else "SENT WHATEVER THE SWITCH SAYS"
            print(f"\n{sample.event}  ({sample.when}; {stops})\n  {sample.switch_note}")
            if args.verbose:
                print("  " + to_json_text(fill_sample(sample, facts).payload).replace("\n", "\n  "))
        print()
    print("== Sent whatever the switch says ==")
    for item in catalog.always_sent:
        print(f"- {item.name} ({item.sender}, {item.when}): {item.note}")
    if not args.verbose:
        print("\nAdd --verbose to see each sample payload in full.")
    return ExitCode.OK


def cmd_backups(args: argparse.Namespace) -> int:
    from panel.core.backups import KEEP_BACKUPS, list_backups

    deployment = _load(args.path)
    backups = list_backups(deployment.env_file)
    if args.json:
        _print_json(
            [{"path": str(b.path), "created": b.created.isoformat(), "size": b.size} for b in backups]
        )
        return ExitCode.OK
    if not backups:
        print(
            f"No backups of {deployment.env_file} yet (one is taken before every change; the newest "
            f"{KEEP_BACKUPS} are kept)."
        )
    for backup in backups:
        print(backup)
    return ExitCode.OK


def cmd_restore(args: argparse.Namespace) -> int:
    from panel.core.backups import find_backup, restore_and_record, restore_preview
    from panel.core.change import RefusedError
    from panel.core.rootguard import root_refusal, running_as_root, telemetry_lines_only

    deployment = _load(args.path)
    refusal = root_refusal(deployment.folder, deployment.compose_file, deployment.env_file)
    if refusal is not None:
        raise RefusedError(refusal)
    backup = find_backup(deployment.env_file, args.backup)
    preview = restore_preview(deployment.env_file, backup)
    if running_as_root() and preview.startswith("--- "):
        preview = telemetry_lines_only(preview) or (
            "The backup differs from the current file in lines other than the switch, which are not shown "
            "when the panel runs as root."
        )
    print(preview)
    if not _confirm(f"Restore {backup.path.name} over {deployment.env_file}?", args.yes):
        return ExitCode.REFUSED
    restored = restore_and_record(deployment.env_file, backup)
    kept = f" What was there before is kept as {restored.safety.name}." if restored.safety else ""
    print(f"Restored.{kept} Recreate the containers to apply it.")
    if restored.audit_warning:
        _error(restored.audit_warning)
    return ExitCode.OK


def cmd_discover(args: argparse.Namespace) -> int:
    from panel.core.discover import discover

    found, docker_error = discover()
    if args.json:
        _print_json(
            {
                "deployments": [
                    {
                        "path": str(f.deployment.folder),
                        "layout": f.deployment.layout.value,
                        "reason": f.reason,
                    }
                    for f in found
                ],
                "docker_error": docker_error,
            }
        )
        return ExitCode.OK
    for item in found:
        print(f"{item.deployment.folder}  ({item.deployment.layout.label}; {item.reason})")
    if not found:
        print(
            "No Appsmith deployment found in ~/appsmith, /opt/appsmith, the current folder or running "
            "containers."
        )
    if docker_error:
        print(f"Note: {docker_error}")
    return ExitCode.OK


def cmd_fix_nginx(args: argparse.Namespace) -> int:
    from panel.core.change import RefusedError
    from panel.core.envfile import TELEMETRY_KEY
    from panel.core.nginx_fix import prepare_nginx_fix, record_nginx_fix, write_nginx_fix
    from panel.core.rootguard import root_refusal

    deployment = _load(args.path)
    if deployment.nginx_template is not None:
        refusal = root_refusal(deployment.folder, deployment.compose_file, deployment.nginx_template)
        if refusal is not None:
            raise RefusedError(refusal)
    fix = prepare_nginx_fix(deployment)
    print(str(fix.check))
    print(
        fix.diff()
        or "The nginx template already has the sub_filter line in every 'location /' block, and docker.env "
        "sets an explicit value."
    )
    if args.dry_run or not fix.changes_file:
        return ExitCode.OK
    question = (
        "Add the missing lines and the explicit value?"
        if fix.env_change is not None and fix.changes_template
        else "Write the explicit value to docker.env?"
        if fix.env_change is not None
        else "Add the missing lines?"
    )
    if not _confirm(question, args.yes):
        return ExitCode.REFUSED
    written = write_nginx_fix(fix)
    warnings = []
    if written is not None:
        if fix.env_change is not None:
            print(f"docker.env: {TELEMETRY_KEY}=true written (backup {_name(written.env_backup)}).")
        if fix.changes_template:
            print(f"{fix.path.name}: sub_filter added (backup {_name(written.template_backup)}).")
        warnings = record_nginx_fix(fix, written)
    print("Recreate the containers to apply it.")
    for warning in warnings:
        _error(warning)
    return ExitCode.OK


def _before_applying(
    args: argparse.Namespace,
    report: dict[str, Any],
    changes_file: bool,
    restarts: bool,
    nothing_to_do: str,
    check_write: Callable[[], None],
) -> ExitCode | None:
    """What disable/enable and block/unblock do between the review and the change: stop after a dry run or
    when there is nothing to do, check docker and the right to write, ask. None: go on and apply."""
    from panel.core.restart import check_engine

    if args.dry_run:
        if args.json:
            _print_json(report)
        return ExitCode.OK
    if not changes_file and not restarts:
        if args.json:
            _print_json(report | {"outcome": nothing_to_do, "message": "nothing to do"})
        return ExitCode.OK
    if restarts:
        check_engine()
    if changes_file:
        check_write()
    if not _confirm("Apply this change?", args.yes):
        return ExitCode.REFUSED
    return None


def _name(path: Path | None) -> str:
    return path.name if path is not None else "-"


def cmd_log(args: argparse.Namespace) -> int:
    from panel.core.audit import read_entries
    from panel.core.paths import audit_log_path

    entries = read_entries()
    if args.json:
        _print_json([entry.to_json() for entry in entries])
        return ExitCode.OK
    elif not entries:
        print(f"The panel has made no change yet (audit log: {audit_log_path()}).")
    for entry in entries:
        print(entry)
    return ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appsmith-telemetry-panel",
        description="See and decide what a self-hosted Appsmith instance sends. Without a command, "
        "opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--debug", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def with_path(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "path", nargs="?", help="the deployment folder (or a file in it); found automatically if omitted"
        )
        return p

    status = with_path(
        sub.add_parser("status", help="show the telemetry state: file, override, running instance")
    )
    status.add_argument("--json", action="store_true", help="stable machine-readable output")
    status.set_defaults(run=cmd_status)
    for name, verb in (("disable", "Disable"), ("enable", "Enable")):
        switch = with_path(sub.add_parser(name, help=f"{verb} telemetry in docker.env"))
        switch.add_argument(
            "--dry-run", action="store_true", help="show the diff and the commands; change nothing"
        )
        switch.add_argument(
            "--restart", action="store_true", help="recreate the containers so the change applies"
        )
        switch.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        switch.add_argument("--json", action="store_true", help="machine-readable result on stdout")
        switch.set_defaults(run=cmd_switch)
    for name, verb in (("block", "Pin"), ("unblock", "Release")):
        blocker = with_path(
            sub.add_parser(
                name,
                help=f"{verb} the hosts of Appsmith's server-side telemetry and cloud services "
                + ("out of reach (compose extra_hosts in the override file)" if name == "block" else "again"),
            )
        )
        blocker.add_argument(
            "--host",
            action="append",
            metavar="NAME",
            help="a host to "
            + (
                "block (default: api.segment.io); repeat for more: api.segment.io, cs.appsmith.com"
                if name == "block"
                else "release (default: every host the panel pinned)"
            ),
        )
        blocker.add_argument(
            "--dry-run", action="store_true", help="show the diff and the commands; change nothing"
        )
        blocker.add_argument(
            "--restart", action="store_true", help="recreate the containers and check /etc/hosts"
        )
        blocker.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        blocker.add_argument("--json", action="store_true", help="machine-readable result on stdout")
        blocker.set_defaults(run=cmd_block)
    payloads = sub.add_parser("payloads", help="what Appsmith sends, event by event")
    payloads.add_argument("--json", action="store_true")
    payloads.add_argument("--verbose", action="store_true", help="print each sample payload")
    payloads.add_argument("--email", help="fill the hashed fields with the SHA-256 of this email")
    payloads.set_defaults(run=cmd_payloads)
    backups = with_path(sub.add_parser("backups", help="list the backups of docker.env"))
    backups.add_argument("--json", action="store_true")
    backups.set_defaults(run=cmd_backups)
    restore = sub.add_parser("restore", help="put a backup of docker.env back")
    restore.add_argument("path", help="the deployment folder")
    restore.add_argument("backup", help="the backup's file name (see: backups PATH)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(run=cmd_restore)
    found = sub.add_parser("discover", help="list the Appsmith deployments found on this machine")
    found.add_argument("--json", action="store_true")
    found.set_defaults(run=cmd_discover)
    nginx = with_path(sub.add_parser("fix-nginx", help="legacy layout: add the missing sub_filter lines"))
    nginx.add_argument("--dry-run", action="store_true")
    nginx.add_argument("--yes", action="store_true")
    nginx.set_defaults(run=cmd_fix_nginx)
    log_cmd = sub.add_parser("log", help="show the audit log of changes the panel made")
    log_cmd.add_argument("--json", action="store_true")
    log_cmd.set_defaults(run=cmd_log)
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appsmith-telemetry-panel",
        description="Open the desktop app. Commands for scripts: "
        + ", ".join(COMMANDS)
        + " (see COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("path", nargs="?", help="the deployment folder; the last one used when omitted")
    parser.add_argument(
        "--demo", action="store_true", help="open a bundled sample deployment with a simulated docker"
    )
    parser.add_argument(
        "--read-only", action="store_true", help="show the state; offer no action that changes anything"
    )
    parser.add_argument("--wizard", action="store_true", help="open the first-run wizard")
    parser.add_argument(
        "--smoke", action="store_true", help="paint the main window once, print seconds to first paint, exit"
    )
    parser.add_argument("-v", "--debug", action="store_true", help="log details to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--simulated-docker"]:
        from panel.demo.simulated_docker import main as simulated_docker

        return simulated_docker(argv[1:])
    if argv[:1] == ["--simulated-appsmith"]:
        from panel.demo.simulated_appsmith import main as simulated_appsmith

        return simulated_appsmith(argv[1:])
    from panel.core import netguard

    netguard.install()
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    if first is not None and first not in COMMANDS and _mistyped_command(first):
        return ExitCode.USAGE
    if first not in COMMANDS:
        if any(arg in ("-h", "--help") for arg in argv):
            build_gui_parser().print_help()
            print()
            build_parser().print_help()
            return ExitCode.OK
        gui_args = build_gui_parser().parse_args(argv)
        logging.basicConfig(level=logging.DEBUG if gui_args.debug else logging.WARNING)
        try:
            from panel.gui.app import run_gui
        except ImportError as error:
            _error(f"the desktop app cannot start: {error}. The commands still work: {', '.join(COMMANDS)}.")
            return ExitCode.USAGE
        return run_gui(gui_args)
    ps = None
    if first == "status" and not {"-h", "--help"} & set(argv):
        with contextlib.suppress(OSError):  # cmd_status starts it again, and says what went wrong
            ps = start_ps()
    with _printable_output():
        return _run_command(argv, ps)


def _run_command(argv: list[str], ps: Started | None) -> int:
    args = build_parser().parse_args(argv)
    args.ps = ps
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        _error("cancelled")
        return ExitCode.CANCELLED
    except Exception as error:
        return _refusal(error)


def _refusal(error: Exception) -> ExitCode:
    """Say what went wrong and return its exit code; anything unforeseen is raised again.

    The error classes are imported here, when one is raised: `status` starts docker before the modules that
    define them have loaded.
    """
    from panel.core.change import RefusedError
    from panel.core.deployment import NotADeploymentError
    from panel.core.docker import DockerError
    from panel.core.safewrite import FileChangedError

    if isinstance(error, NotADeploymentError):
        _error(str(error))
        return ExitCode.NOT_A_DEPLOYMENT
    if isinstance(error, DockerError):
        _error(error.message)
        return ExitCode.DOCKER
    if isinstance(error, (RefusedError, FileChangedError, FileNotFoundError, PermissionError)):
        _error(str(error))
        return ExitCode.REFUSED
    # a full disk, an I/O error: every write is atomic, so the file is as it was
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        _error(f"{error.strerror or error}{where}. Nothing was changed; the file is as it was.")
        return ExitCode.REFUSED
    raise error
