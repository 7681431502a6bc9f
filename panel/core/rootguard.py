"""What code running as root may trust, on sudoedit's rule: a path that a user other than root can change (a
folder on the way that they own or may write, a link they could swap, the file itself) is hostile.

Root still changes docker.env in a folder a user owns, but only through file descriptors (`safewrite`): no
link or `..` is followed where a user could have put it, the file it writes is the one reviewed, a file it
could read only as root is never read for that user, and it never runs compose on a file that user could
change. It says why when it refuses, and what to do instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import shlex
import stat
from pathlib import Path

from panel.core.envfile import TELEMETRY_KEY
from panel.core.limits import MAX_ENV_BYTES, read_descriptor, read_regular


def running_as_root() -> bool:
    return os.geteuid() == 0


def _who(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"user {uid}"


def _entry_changer(path: Path, parent: os.stat_result, entry: os.stat_result | None) -> str | None:
    """Who other than root may replace the entry `path` in its folder (rename, delete, or create it)."""
    if parent.st_uid != 0:
        return f"{_who(parent.st_uid)} owns {path.parent}"
    if parent.st_mode & 0o022:
        sticky = bool(parent.st_mode & stat.S_ISVTX)
        if not sticky or entry is None or entry.st_uid != 0:
            return f"{path.parent} may be written by others (mode {parent.st_mode & 0o7777:04o})"
    return None


def changer(path: Path) -> str | None:
    """Who other than root could change what `path` leads to: a folder on the way as written or as resolved,
    a link on it, or the file itself (`"user alice owns /home/alice/appsmith"`); None when only root can."""
    given = Path(path).absolute()
    chains = [given]
    real = Path(os.path.realpath(given))
    if real != given:
        chains.append(real)
    for chain in chains:
        for prefix in [*reversed(chain.parents[:-1]), chain]:
            try:
                parent = os.stat(prefix.parent)  # the folder itself; a link to it is an entry checked before
            except (FileNotFoundError, NotADirectoryError):
                break
            try:
                entry: os.stat_result | None = os.lstat(prefix)
            except (FileNotFoundError, NotADirectoryError):
                entry = None
            reason = _entry_changer(prefix, parent, entry)
            if reason is not None:
                return reason
            if entry is None:
                break
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(real)
        if info.st_uid != 0:
            return f"{_who(info.st_uid)} owns {real}"
        if not stat.S_ISDIR(info.st_mode) and info.st_mode & 0o022:
            return f"{real} may be written by others (mode {info.st_mode & 0o7777:04o})"
    return None


def users_behind(folder: Path) -> set[int]:
    """The users root is acting for: the one who asked (pkexec's `PKEXEC_UID`, sudo's `SUDO_UID`) and the
    owner of the deployment folder when that is not root."""
    uids = {int(value) for key in ("PKEXEC_UID", "SUDO_UID") if (value := os.environ.get(key, "")).isdigit()}
    with contextlib.suppress(OSError):
        uids.add(os.stat(folder).st_uid)
    uids.discard(0)
    return uids


def _may(uid: int, info: os.stat_result, bits: int) -> bool:
    """Whether `uid` has `bits` (a mask of the owner's r/w/x: 4, 2, 1) on a file of this status."""
    if info.st_uid == uid:
        return bool(info.st_mode & (bits << 6))
    try:
        entry = pwd.getpwuid(uid)
        groups = set(os.getgrouplist(entry.pw_name, entry.pw_gid))
    except KeyError:
        groups = set()
    if info.st_gid in groups:
        return bool(info.st_mode & (bits << 3))
    return bool(info.st_mode & bits)


def read_for_users(path: Path, folder: Path) -> str | None:
    """The text of a file that root reads on behalf of the users behind it (`.env`, an `env_file:`), or None
    when it is missing, or when running as root and it is a link, not a regular file, or one of those users
    could not read it themselves: its values must not reach them through root. Not root, or a file only root
    can change (an administrator's own): read as usual."""
    if not running_as_root() or changer(path) is None:
        if not path.exists():
            return None
        return read_regular(path, MAX_ENV_BYTES).decode("utf-8", "replace")
    users = users_behind(folder)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR, errno.EISDIR):
            return None
        raise
    with os.fdopen(fd, "rb"):  # closes the descriptor whatever happens below
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        real = Path(os.path.realpath(path))
        for uid in users:
            if not _may(uid, info, 4):
                return None
            for folder_on_the_way in real.parents:
                with contextlib.suppress(OSError):
                    if not _may(uid, os.stat(folder_on_the_way), 1):
                        return None
        return read_descriptor(fd, path, MAX_ENV_BYTES).decode("utf-8", "replace")


def _inside(path: Path, folder: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip("/") + "/")


def root_refusal(folder: Path, compose_file: Path, env_file: Path) -> str | None:
    """Why root will not touch this deployment's docker.env (the sentence a user reads, with the next step),
    or None: always None when not running as root."""
    if not running_as_root():
        return None
    next_step = (
        "Nothing was written. Run the panel as that user (who may change the file without an administrator), "
        "or have an administrator replace the link or '..' with the real path."
    )
    env_changer = changer(env_file)
    compose_changer = changer(compose_file)
    for path, who in ((compose_file, compose_changer), (env_file, env_changer)):
        if who is None:
            continue
        if ".." in Path(path).parts:
            return f"{path} goes through '..', and {who}: as root the panel does not follow it. {next_step}"
        if os.path.realpath(path) != str(Path(path).absolute()):
            return (
                f"{path} is reached through a symbolic link, and {who}: as root the panel follows no link "
                f"that another user could change (sudoedit's rule). {next_step}"
            )
    if compose_changer is not None and not _inside(env_file, folder):
        return (
            f"{env_file} is outside {folder}, named by {compose_file}, which another user can change "
            f"({compose_changer}): as root the panel does not follow it into another folder. {next_step}"
        )
    return None


def restart_refusal(folder: Path, compose_file: Path) -> str | None:
    """Why root will not run compose on this deployment, with who must restart it, or None. Compose runs as
    root what the compose file says (`privileged: true`, `/:/host`), and reads `.env` beside it: when another
    user can change either, root writes docker.env and leaves the restart to them."""
    if not running_as_root():
        return None
    for path in (compose_file, folder / ".env"):
        who = changer(path)
        if who is not None:
            owner = _folder_owner(folder)
            return (
                f"Not restarted: {who}, so {path.name} could say anything, and root does not run docker "
                f"compose on a file another user can change. {owner} (or an administrator, after reading "
                f"{compose_file}) must recreate the container: cd {shlex.quote(str(folder))} && "
                f"docker compose up -d"
            )
    return None


def _folder_owner(folder: Path) -> str:
    try:
        uid = os.stat(folder).st_uid
    except OSError:
        return "The folder's owner"
    return "The folder's owner" if uid == 0 else _who(uid).capitalize()


def telemetry_lines_only(diff: str) -> str:
    """A masked diff cut to the lines of the switch: what root sends back to a user's window is the telemetry
    line and nothing else of a file it read as root."""
    kept = [
        line
        for line in diff.splitlines()
        if line.startswith(("--- ", "+++ ")) or (line[:1] in "+-" and TELEMETRY_KEY in line)
    ]
    return "\n".join(kept) + "\n" if any(line[:1] in "+-" and TELEMETRY_KEY in line for line in kept) else ""
