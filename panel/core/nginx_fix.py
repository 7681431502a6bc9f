"""Add the missing `sub_filter` lines to a legacy deployment's nginx template, with the same care as
docker.env."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from panel.core.change import RefusedError, check_writable, write_with_backup
from panel.core.deployment import Deployment
from panel.core.nginx import fix_template
from panel.core.safewrite import Snapshot


@dataclass(frozen=True)
class NginxFix:
    path: Path
    snapshot: Snapshot
    new_data: bytes

    @property
    def changes_file(self) -> bool:
        return self.new_data != self.snapshot.data

    def diff(self) -> str:
        old = self.snapshot.data.decode("utf-8").splitlines(keepends=True)
        new = self.new_data.decode("utf-8").splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, f"{self.path.name} (now)", f"{self.path.name} (after)"))


def prepare_nginx_fix(deployment: Deployment) -> NginxFix:
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
    return NginxFix(path, snapshot, fix_template(text).encode("utf-8"))


def write_nginx_fix(fix: NginxFix) -> Path | None:
    if not fix.changes_file:
        return None
    check_writable(fix.path, fix.path.parent)
    return write_with_backup(fix.snapshot, fix.new_data)
