"""A simulated docker engine for the demo and the tests: the docker and compose calls the panel makes,
answered the way docker answers them, with real processes behind the containers that serve HTTP.

Run as `docker` and as `docker-compose` through the wrappers `install_wrappers` writes. State lives in the
folder named by `SIMULATED_DOCKER_STATE` (state.json, changed under an flock); every call's argv is appended
to calls.log there. Faults come from `SIMULATED_DOCKER_FAULTS` (comma-separated, read at each call):

docker side: daemon-down, permission-denied, no-compose-v2, no-compose-v1, rm-fails, rm-hangs, up-fails,
up-hangs, stream=N, stream-delay=MS, compose-rejects, boot-delay=S;
server side (passed on to simulated_appsmith): crash-on-start, health-500, health-slow=S, no-enable-telemetry,
users-me-not-json.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import Any, Self

STATE_ENV = "SIMULATED_DOCKER_STATE"
FAULTS_ENV = "SIMULATED_DOCKER_FAULTS"

DAEMON_DOWN = (
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
)
PERMISSION_DENIED = (
    "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: "
    'Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: '
    "connect: permission denied"
)
NO_COMPOSE_V2 = "docker: 'compose' is not a docker command.\nSee 'docker --help'"
UP_FAILS = (
    "ERROR: for appsmith  Cannot start service appsmith: driver failed programming external connectivity"
)
COMPOSE_REJECTS = (
    "ERROR: The Compose file './docker-compose.yml' is invalid because: services.appsmith.ports is invalid"
)

DOCKER_VERSION = "24.0.7-sim"
COMPOSE_V2_VERSION = "v2.24.6-sim"
COMPOSE_V1_VERSION = "1.29.2"
API_VERSION = "1.43"

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
TELEMETRY_KEY = "APPSMITH_DISABLE_TELEMETRY"
NEVER = "0001-01-01T00:00:00Z"
IMAGE_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8")
STOP_TIMEOUT = 10.0
HANG_LIMIT = 900.0
"""A hanging call gives up after this long, so a forgotten one does not live for ever."""

_LEGACY_SERVER = "appsmith-internal-server"
_APPSMITH_IMAGE = re.compile(r"(^|/)appsmith/appsmith(-ce|-ee)?(:|@|$)")


# -- faults, wrappers, the call log ------------------------------------------------------------------------


def parse_faults(text: str | None) -> dict[str, str]:
    """`a,b=1` → {"a": "", "b": "1"}."""
    faults: dict[str, str] = {}
    for item in (text or "").split(","):
        name, _, value = item.strip().partition("=")
        if name:
            faults[name] = value.strip()
    return faults


def _number(faults: dict[str, str], name: str, default: float) -> float:
    try:
        return float(faults[name]) if faults.get(name) else default
    except ValueError:
        return default


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def wrapper_text(program: str) -> str:
    """The shell script that runs this module as `program` (docker or docker-compose)."""
    executable = shlex.quote(sys.executable)
    if _frozen():
        return f'#!/bin/sh\nexec {executable} --simulated-docker {program} "$@"\n'
    # The package's parent folder, so that `-m` works from any deployment folder without an install.
    root = shlex.quote(str(Path(__file__).resolve().parent.parent.parent))
    return (
        "#!/bin/sh\n"
        f"PYTHONPATH={root}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {executable} -m panel.demo.simulated_docker {program} "$@"\n'
    )


def install_wrappers(bin_dir: Path) -> None:
    """Write `docker` and `docker-compose` into bin_dir (no `docker-compose` with the fault no-compose-v1)."""
    bin_dir = Path(bin_dir)
    bin_dir.mkdir(parents=True, exist_ok=True)
    faults = parse_faults(os.environ.get(FAULTS_ENV))
    for program in ("docker", "docker-compose"):
        path = bin_dir / program
        if program == "docker-compose" and "no-compose-v1" in faults:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        path.write_text(wrapper_text(program), encoding="utf-8")
        path.chmod(0o755)


def server_command(args: list[str]) -> list[str]:
    """How to start simulated_appsmith with these arguments, from source or from a frozen bundle."""
    if _frozen():
        return [sys.executable, "--simulated-appsmith", *args]
    return [sys.executable, "-m", "panel.demo.simulated_appsmith", *args]


def _log_call(state_dir: Path, argv: list[str]) -> None:
    entry = {
        "argv": argv,
        "cwd": os.getcwd(),
        "pid": os.getpid(),
        "pgid": os.getpgid(0),
        "time": _rfc3339(time.time_ns()),
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(state_dir / "calls.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_calls(state_dir: Path) -> list[dict[str, Any]]:
    """Every recorded call, oldest first: {"argv", "cwd", "pid", "pgid", "time"}."""
    path = Path(state_dir) / "calls.log"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- time
# -----------------------------------------------------------------------------------------------------


def _rfc3339(ns: int) -> str:
    """Go's RFC3339Nano, as docker prints it: nanoseconds with trailing zeros trimmed."""
    seconds, nanos = divmod(ns, 1_000_000_000)
    fraction = f"{nanos:09d}".rstrip("0")
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + (f".{fraction}" if fraction else "") + "Z"
    )


def _human(seconds: float) -> str:
    """docker's units.HumanDuration."""
    if seconds < 1:
        return "Less than a second"
    if seconds < 2:
        return "1 second"
    if seconds < 60:
        return f"{int(seconds)} seconds"
    minutes = seconds / 60
    if minutes < 2:
        return "About a minute"
    if minutes < 60:
        return f"{int(minutes)} minutes"
    hours = minutes / 60
    if hours < 2:
        return "About an hour"
    if hours < 48:
        return f"{int(hours)} hours"
    return f"{int(hours / 24)} days"


# -- processes
# --------------------------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) from /proc, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


def _process_start(pid: int) -> int | None:
    stat = _proc_stat(pid)
    return stat[1] if stat else None


def _reap(pid: int) -> int | None:
    """The exit code of `pid` if it is a finished child of this process (and reap it)."""
    try:
        found, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    if found == 0:
        return None
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def _alive(pid: int | None, start: int | None) -> bool:
    """True while the process runs: not gone, not a zombie, and not a newer process that reused the pid."""
    if pid is None:
        return False
    if Path("/proc/self/stat").exists():
        stat = _proc_stat(pid)
        if stat is None or stat[0] in ("Z", "X", "x"):
            return False
        return start is None or stat[1] == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _wait_gone(pid: int, start: int | None, timeout: float) -> int | None:
    """Wait until the process is gone; its exit code when it was this process's child."""
    deadline = time.monotonic() + timeout
    code = None
    while True:
        reaped = _reap(pid)
        if reaped is not None:
            code = reaped
        if not _alive(pid, start):
            return code
        if time.monotonic() > deadline:
            return code
        time.sleep(0.02)


def _stop_process(pid: int, start: int | None, timeout: float = STOP_TIMEOUT) -> int | None:
    """docker stop: SIGTERM to the group, SIGKILL after `timeout`; returns the exit code when it is known."""
    if not _alive(pid, start):
        return _reap(pid)
    _signal_group(pid, signal.SIGTERM)
    code = _wait_gone(pid, start, timeout)
    if _alive(pid, start):
        _signal_group(pid, signal.SIGKILL)
        code = _wait_gone(pid, start, 5.0)
        if code is None:
            code = 137
    return code


def _sha256(data: bytes) -> Any:
    import hashlib

    return hashlib.sha256(data)


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- state
# ------------------------------------------------------------------------------------------------------


class SimulationError(Exception):
    """A failure docker would report: the message goes to stderr, the call exits with `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _state_dir_from_env() -> Path:
    value = os.environ.get(STATE_ENV)
    if not value:
        raise SimulationError(
            f"simulated docker: {STATE_ENV} is not set; it names the folder that holds the state."
        )
    path = Path(value)
    try:
        path.mkdir(exist_ok=True)
    except FileNotFoundError:
        # The demo that owned this engine has closed and removed its folder: nothing answers any more, and a
        # late call (a refresh already under way) must not create the folder again.
        raise SimulationError(DAEMON_DOWN) from None
    return path


class State:
    """state.json, read and written under an exclusive flock held for the whole `with` block."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir)
        self.path = self.dir / "state.json"
        self.containers: list[dict[str, Any]] = []
        self.hangs: list[dict[str, Any]] = []
        self.networks: list[str] = []
        self._lock_fd: int | None = None

    def __enter__(self) -> Self:
        try:
            self._lock_fd = os.open(self.dir / "state.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:
            raise SimulationError(DAEMON_DOWN) from None
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            document = json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
        except ValueError:
            document = {}
        self.containers = list(document.get("containers", []))
        self.hangs = list(document.get("hangs", []))
        self.networks = list(document.get("networks", []))
        return self

    def save(self) -> None:
        temp = self.path.with_name(f"state.json.{os.getpid()}.tmp")
        temp.write_text(
            json.dumps(
                {"containers": self.containers, "hangs": self.hangs, "networks": self.networks}, indent=2
            ),
            encoding="utf-8",
        )
        os.replace(temp, self.path)

    def __exit__(self, *exc: object) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def refresh(self) -> None:
        """Notice containers whose process has ended: they are exited from now on, with their exit code."""
        changed = False
        for record in self.containers:
            pid = record.get("pid")
            if (
                record.get("status") == "running"
                and pid is not None
                and not _alive(pid, record.get("pid_start"))
            ):
                _mark_exited(record, _reap(pid))
                changed = True
        if changed:
            self.save()

    def find(self, reference: str) -> dict[str, Any] | None:
        """By full id, unique id prefix, or name (docker's lookup order)."""
        for record in self.containers:
            if record["id"] == reference:
                return record
        for record in self.containers:
            if record["name"] == reference.lstrip("/"):
                return record
        matches = [r for r in self.containers if reference and r["id"].startswith(reference)]
        return matches[0] if len(matches) == 1 else None


def _mark_exited(record: dict[str, Any], code: int | None) -> None:
    exit_file = Path(record["exit_file"]) if record.get("exit_file") else None
    finished_ns = time.time_ns()
    if exit_file is not None and exit_file.is_file():
        with contextlib.suppress(OSError, ValueError):
            code = int(exit_file.read_text(encoding="ascii").strip())
            finished_ns = exit_file.stat().st_mtime_ns
    record["status"] = "exited"
    record["exit_code"] = 1 if code is None else code
    record["finished_at"] = _rfc3339(finished_ns)
    record["finished_ns"] = finished_ns
    record["pid"] = None


def stop_all(state_dir: Path) -> None:
    """Stop every simulated container process and every hanging call left behind (demo exit, test
    teardown)."""
    state_dir = Path(state_dir)
    if not state_dir.is_dir():
        return
    with State(state_dir) as state:
        for hang in state.hangs:
            _stop_process(hang["pid"], hang.get("start"), timeout=2.0)
        state.hangs = []
        for record in state.containers:
            if record.get("status") == "running" and record.get("pid") is not None:
                _mark_exited(record, _stop_process(record["pid"], record.get("pid_start"), timeout=5.0))
        state.save()


# -- rendering: ps, inspect, templates
# ------------------------------------------------------------------------


def _running(record: dict[str, Any]) -> bool:
    return record.get("status") == "running"


def _status_text(record: dict[str, Any]) -> str:
    now = time.time_ns()
    if _running(record):
        return f"Up {_human((now - record['started_ns']) / 1e9)}"
    if record.get("status") == "exited":
        return f"Exited ({record.get('exit_code', 0)}) {_human((now - record['finished_ns']) / 1e9)} ago"
    return "Created"


def _ports_text(record: dict[str, Any]) -> str:
    if not _running(record):
        return ""
    return ", ".join(
        f"{b['HostIp']}:{b['HostPort']}->{port}"
        for port, bindings in record["ports"].items()
        for b in bindings or []
    )


def _ps_context(record: dict[str, Any], no_trunc: bool) -> dict[str, Any]:
    labels = record["labels"]
    return {
        "ID": record["id"] if no_trunc else record["id"][:12],
        "Image": record["image"],
        "Names": record["name"],
        "Status": _status_text(record),
        "State": record.get("status", "created"),
        "Command": '"/opt/appsmith/entrypoint.sh /usr/bin/supervisord -n"'
        if no_trunc
        else '"/opt/appsmith/entr…"',
        "CreatedAt": time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC", time.gmtime(record["created_ns"] / 1e9)),
        "RunningFor": f"{_human((time.time_ns() - record['created_ns']) / 1e9)} ago",
        "Ports": _ports_text(record),
        "Labels": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
        "Mounts": "",
        "Networks": f"{labels.get('com.docker.compose.project', '')}_default",
        "Size": "0B",
        "__labels__": labels,
    }


_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


class TemplateError(SimulationError):
    pass


def _go_text(value: Any) -> str:
    """How Go's text/template prints a value."""
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_text(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_text(v) for v in value) + "]"
    return str(value)


def _field(context: Any, path: str, action: str) -> Any:
    if path == ".":
        return context
    value = context
    for name in path.strip(".").split("."):
        if isinstance(value, dict) and name in value and not name.startswith("__"):
            value = value[name]
        elif isinstance(value, dict) and "__labels__" in value:
            raise TemplateError(
                f'template: :1: executing "" at <{action}>: can\'t evaluate field {name} in type '
                "*formatter.ContainerContext"
            )
        else:
            return None
    return value


def _words(action: str) -> list[str]:
    return [
        m.group(1).encode().decode("unicode_escape") if m.group(1) is not None else m.group(2)
        for m in _ARGUMENT.finditer(action)
    ]


def render_template(template: str, context: dict[str, Any]) -> str:
    """The subset of Go templates docker users write: fields, `.Label "k"`, `json`, `index`,
    `upper`/`lower`."""

    def action(match: re.Match[str]) -> str:
        text = match.group(1)
        words = _words(text)
        if not words:
            raise TemplateError(
                f"template parsing error: template: :1: missing value for command in {match.group(0)}"
            )
        if words[0] == ".Label" and len(words) == 2 and "__labels__" in context:
            return str(context["__labels__"].get(words[1], ""))
        if words[0] == "json" and len(words) == 2:
            value = _field(context, words[1], text)
            if isinstance(value, dict):
                value = {k: v for k, v in value.items() if not k.startswith("__")}
            return json.dumps(value, separators=(",", ":"))
        if words[0] == "index" and len(words) == 3:
            value = _field(context, words[1], text)
            return _go_text(value.get(words[2]) if isinstance(value, dict) else None)
        if words[0] in ("upper", "lower") and len(words) == 2:
            value = _go_text(_field(context, words[1], text))
            return value.upper() if words[0] == "upper" else value.lower()
        if len(words) == 1 and words[0].startswith("."):
            return _go_text(_field(context, words[0], text))
        raise TemplateError(f'template parsing error: template: :1: function "{words[0]}" not defined')

    # docker's formatter turns the two-character sequences \t and \n into tab and newline first.
    template = template.replace("\\t", "\t").replace("\\n", "\n")
    return _ACTION.sub(action, template)


def inspect_document(record: dict[str, Any]) -> dict[str, Any]:
    running = _running(record)
    status = record.get("status", "created")
    pid = record.get("pid") if running else 0
    return {
        "Id": record["id"],
        "Created": _rfc3339(record["created_ns"]),
        "Path": "/opt/appsmith/entrypoint.sh",
        "Args": ["/usr/bin/supervisord", "-n"],
        "State": {
            "Status": status,
            "Running": running,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": False,
            "Pid": pid or 0,
            "ExitCode": 0 if running or status == "created" else record.get("exit_code", 0),
            "Error": "",
            "StartedAt": record.get("started_at") or NEVER,
            "FinishedAt": NEVER if running else (record.get("finished_at") or NEVER),
        },
        "Image": "sha256:" + _sha256(record["image"].encode()).hexdigest(),
        "ResolvConfPath": "",
        "HostnamePath": "",
        "LogPath": record.get("log", ""),
        "Name": "/" + record["name"],
        "RestartCount": 0,
        "Driver": "overlay2",
        "Platform": "linux",
        "HostConfig": {
            "RestartPolicy": {"Name": record.get("restart", "no"), "MaximumRetryCount": 0},
            "PortBindings": record.get("port_bindings", {}),
            "NetworkMode": f"{record['labels'].get('com.docker.compose.project', '')}_default",
        },
        "Mounts": record.get("mounts", []),
        "Config": {
            "Hostname": record["id"][:12],
            "Image": record["image"],
            "Env": list(record["env"]),
            "Labels": dict(record["labels"]),
            "ExposedPorts": {port: {} for port in record.get("port_bindings", {})},
            "Entrypoint": ["/opt/appsmith/entrypoint.sh"],
            "Cmd": ["/usr/bin/supervisord", "-n"],
        },
        "NetworkSettings": {
            "Ports": record["ports"] if running else {},
        },
    }


# -- the docker CLI
# -------------------------------------------------------------------------------------------


def _daemon_problem(faults: dict[str, str]) -> str | None:
    if "daemon-down" in faults:
        return DAEMON_DOWN
    if "permission-denied" in faults:
        return PERMISSION_DENIED
    return None


def _require_daemon(faults: dict[str, str]) -> None:
    problem = _daemon_problem(faults)
    if problem:
        raise SimulationError(problem)


def _out(text: str = "") -> None:
    print(text, flush=True)


def cmd_version(faults: dict[str, str]) -> int:
    _out("Client:")
    _out(f" Version:           {DOCKER_VERSION}")
    _out(f" API version:       {API_VERSION}")
    _out(
        " Go version:        go1.21.3\n Git commit:        simulated\n OS/Arch:           linux/amd64\n "
        "Context:           default"
    )
    _out()
    _require_daemon(faults)
    _out("Server: Docker Engine - Simulated (Appsmith Telemetry Panel demo)")
    _out(
        f" Engine:\n  Version:          {DOCKER_VERSION}\n  API version:      {API_VERSION} (minimum version "
        f"1.12)"
    )
    return 0


def cmd_info(faults: dict[str, str], state_dir: Path) -> int:
    _out(f"Client: Docker Engine - Simulated\n Version:    {DOCKER_VERSION}\n Context:    default\n")
    _require_daemon(faults)
    with State(state_dir) as state:
        state.refresh()
        running = sum(1 for r in state.containers if _running(r))
        total = len(state.containers)
    _out(f"Server:\n Containers: {total}\n  Running: {running}\n  Paused: 0\n  Stopped: {total - running}")
    _out(
        f" Server Version: {DOCKER_VERSION}\n Storage Driver: overlay2\n Operating System: Simulated docker "
        f"(state in {state_dir})"
    )
    return 0


def _take_value(args: list[str], index: int, flag: str) -> tuple[str, int]:
    if "=" in args[index] and args[index].startswith("--"):
        return args[index].split("=", 1)[1], index + 1
    if index + 1 >= len(args):
        raise SimulationError(f"flag needs an argument: {flag}", 125)
    return args[index + 1], index + 2


def _matches_filter(record: dict[str, Any], spec: str) -> bool:
    kind, _, value = spec.partition("=")
    if kind == "label":
        key, sep, wanted = value.partition("=")
        return key in record["labels"] and (not sep or record["labels"][key] == wanted)
    if kind == "name":
        return value in record["name"]
    if kind == "id":
        return record["id"].startswith(value)
    if kind == "status":
        return record.get("status") == value
    raise SimulationError(f"Error response from daemon: invalid filter '{kind}'")


def cmd_ps(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    show_all = no_trunc = quiet = False
    filters: list[str] = []
    template: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-a", "--all"):
            show_all, index = True, index + 1
        elif arg == "--no-trunc":
            no_trunc, index = True, index + 1
        elif arg in ("-q", "--quiet"):
            quiet, index = True, index + 1
        elif arg in ("-f", "--filter") or arg.startswith("--filter="):
            value, index = _take_value(args, index, "--filter")
            filters.append(value)
        elif arg == "--format" or arg.startswith("--format="):
            template, index = _take_value(args, index, "--format")
        elif re.fullmatch(r"-[aq]+", arg):
            show_all = show_all or "a" in arg
            quiet = quiet or "q" in arg
            index += 1
        else:
            raise SimulationError(f"unknown flag: {arg}\nSee 'docker ps --help'.", 125)
    _require_daemon(faults)
    with State(state_dir) as state:
        state.refresh()
        records = [
            r
            for r in reversed(state.containers)
            if (show_all or _running(r)) and all(_matches_filter(r, f) for f in filters)
        ]
    if quiet:
        for record in records:
            _out(record["id"] if no_trunc else record["id"][:12])
        return 0
    if template is None or template.startswith("table"):
        body = (template or "table").removeprefix("table").strip() or (
            "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
        )
        header = {
            "ID": "CONTAINER ID",
            "Image": "IMAGE",
            "Command": "COMMAND",
            "RunningFor": "CREATED",
            "Status": "STATUS",
            "Ports": "PORTS",
            "Names": "NAMES",
            "State": "STATE",
            "Labels": "LABELS",
            "CreatedAt": "CREATED AT",
            "__labels__": {},
        }
        rows = [render_template(body, header).split("\t")]
        rows += [render_template(body, _ps_context(r, no_trunc)).split("\t") for r in records]
        widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
        for row in rows:
            _out("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        return 0
    for record in records:
        _out(render_template(template.strip(), _ps_context(record, no_trunc)))
    return 0


def cmd_inspect(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    kind = "container"
    template: str | None = None
    references: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--type" or arg.startswith("--type="):
            kind, index = _take_value(args, index, "--type")
        elif arg in ("-f", "--format") or arg.startswith("--format="):
            template, index = _take_value(args, index, "--format")
        elif arg in ("-s", "--size"):
            index += 1
        elif arg.startswith("-") and arg != "-":
            raise SimulationError(f"unknown flag: {arg}\nSee 'docker inspect --help'.", 125)
        else:
            references.append(arg)
            index += 1
    if not references:
        raise SimulationError('"docker inspect" requires at least 1 argument.', 1)
    _require_daemon(faults)
    if kind != "container":
        for reference in references:
            print(f"Error: No such {kind}: {reference}", file=sys.stderr)
        _out("[]")
        return 1
    documents, missing = [], []
    with State(state_dir) as state:
        state.refresh()
        for reference in references:
            record = state.find(reference)
            if record is None:
                missing.append(reference)
            else:
                documents.append(inspect_document(record))
    if template is not None:
        for document in documents:
            _out(render_template(template, document))
    else:
        _out(json.dumps(documents, indent=4))
    for reference in missing:
        print(f"Error: No such container: {reference}", file=sys.stderr, flush=True)
    return 1 if missing else 0


def cmd_logs(args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    references = [a for a in args if not a.startswith("-")]
    if len(references) != 1:
        raise SimulationError('"docker logs" requires exactly 1 argument.')
    _require_daemon(faults)
    with State(state_dir) as state:
        record = state.find(references[0])
    if record is None:
        raise SimulationError(f"Error response from daemon: No such container: {references[0]}")
    log = Path(record.get("log", ""))
    if log.is_file():
        sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
        sys.stdout.flush()
    return 0


# -- compose
# ----------------------------------------------------------------------------------------------------


class Project:
    """A compose file as compose reads it: the folder, the project name, the services (interpolated)."""

    def __init__(self, compose_file: Path, name: str | None) -> None:
        import yaml

        from panel.core.deployment import interpolate

        self.compose_file = compose_file
        self.folder = Path(os.path.abspath(compose_file.parent))
        self.variables = self._variables()
        try:
            document = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
        except OSError as error:
            raise SimulationError(
                f"ERROR: .IOError: [Errno {error.errno}] {error.strerror}: '{compose_file}'"
            ) from error
        except yaml.YAMLError as error:
            raise SimulationError(f"ERROR: yaml.scanner.ScannerError: {error}") from error
        if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
            raise SimulationError(
                f"ERROR: The Compose file '{compose_file}' is invalid because:\n"
                "Additional properties are not allowed, or 'services' is missing"
            )

        def resolve(value: Any) -> Any:
            if isinstance(value, str):
                return interpolate(value, self.variables)
            if isinstance(value, list):
                return [resolve(item) for item in value]
            if isinstance(value, dict):
                return {key: resolve(item) for key, item in value.items()}
            return value

        self.services: dict[str, dict[str, Any]] = {
            str(key): resolve(service or {}) for key, service in document["services"].items()
        }
        raw_name = name or os.environ.get("COMPOSE_PROJECT_NAME") or document.get("name") or self.folder.name
        self.name = re.sub(r"[^a-z0-9]", "", str(raw_name).lower()) or "default"

    def _variables(self) -> dict[str, str]:
        from dotenv import dotenv_values

        dot_env = self.folder / ".env"
        variables = {k: v or "" for k, v in dotenv_values(dot_env).items()} if dot_env.is_file() else {}
        variables.update(os.environ)
        return variables

    @property
    def legacy(self) -> bool:
        return _LEGACY_SERVER in self.services

    def container_name(self, service: str) -> str:
        explicit = self.services[service].get("container_name")
        return str(explicit) if explicit else f"{self.name}_{service}_1"

    def environment(self, service: str) -> dict[str, str]:
        """env_file: values, then environment: on top (what `docker inspect` shows as Config.Env)."""
        from dotenv import dotenv_values

        definition = self.services[service]
        env: dict[str, str] = {}
        entries = definition.get("env_file") or []
        for entry in [entries] if isinstance(entries, (str, dict)) else entries:
            path_text = entry.get("path") if isinstance(entry, dict) else entry
            required = entry.get("required", True) if isinstance(entry, dict) else True
            path = (self.folder / str(path_text)).absolute()
            if not path.is_file():
                if required:
                    raise SimulationError(f"ERROR: Couldn't find env file: {path}")
                continue
            env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        environment = definition.get("environment") or {}
        if isinstance(environment, dict):
            items = list(environment.items())
        else:
            items = []
            for item in environment:
                key, sep, value = str(item).partition("=")
                items.append((key, value if sep else None))
        for key, value in items:
            if value is None:
                if key in os.environ:
                    env[str(key)] = os.environ[key]
                continue
            env[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
        return env

    def port_bindings(self, service: str) -> dict[str, list[dict[str, str]]]:
        """Published ports as docker's HostConfig.PortBindings: {"80/tcp": [{"HostIp", "HostPort"}]}."""
        bindings: dict[str, list[dict[str, str]]] = {}
        for entry in self.services[service].get("ports") or []:
            if isinstance(entry, dict):
                target = str(entry.get("target", ""))
                host_ip, published, protocol = (
                    str(entry.get("host_ip", "")),
                    str(entry.get("published", "")),
                    str(entry.get("protocol", "tcp")),
                )
            else:
                text, _, protocol = str(entry).partition("/")
                protocol = protocol or "tcp"
                parts = text.rsplit(":", 2)
                if len(parts) == 3:
                    host_ip, published, target = parts
                elif len(parts) == 2:
                    host_ip, (published, target) = "", parts
                else:
                    host_ip, published, target = "", "", parts[0]
            bindings.setdefault(f"{target}/{protocol}", []).append(
                {"HostIp": host_ip.strip("[]"), "HostPort": published}
            )
        return bindings

    def web_service(self) -> str | None:
        """The service that publishes container port 80 (single: appsmith; legacy: nginx): it gets a
        process."""
        for service in self.services:
            if "80/tcp" in self.port_bindings(service):
                return service
        for service, definition in self.services.items():
            if service == "appsmith" or _APPSMITH_IMAGE.search(str(definition.get("image", ""))):
                return service
        return None

    def server_service(self) -> str | None:
        if self.legacy:
            return _LEGACY_SERVER
        return self.web_service()

    def env_file_for_server(self) -> Path:
        """The docker.env Appsmith reads: legacy at the top; single inside the /appsmith-stacks volume."""
        if self.legacy:
            return self.folder / "docker.env"
        service = self.server_service()
        for volume in self.services.get(service or "", {}).get("volumes") or []:
            if isinstance(volume, dict):
                source, target = volume.get("source"), volume.get("target")
            else:
                parts = str(volume).split(":")
                source, target = (parts[0], parts[1]) if len(parts) >= 2 else (None, parts[0])
            if str(target).rstrip("/") != "/appsmith-stacks":
                continue
            if source and str(source).startswith((".", "/", "~")):
                return (
                    (self.folder / Path(str(source)).expanduser()).absolute() / "configuration" / "docker.env"
                )
            volume_name = f"{self.name}_{source or 'anonymous'}"
            return Path(os.environ[STATE_ENV]) / "volumes" / volume_name / "configuration" / "docker.env"
        return self.folder / "stacks" / "configuration" / "docker.env"

    def config_hash(self, service: str) -> str:
        document = json.dumps(
            [self.services[service], self.environment(service)], sort_keys=True, default=str
        )
        return _sha256(document.encode()).hexdigest()


def _find_compose_file(files: list[str], v1: bool) -> Path:
    if files:
        path = Path(files[0])
        if not path.is_file():
            if v1:
                raise SimulationError(f"ERROR: .IOError: [Errno 2] No such file or directory: '{files[0]}'")
            raise SimulationError(f"open {path.absolute()}: no such file or directory")
        return path
    for name in COMPOSE_NAMES:
        if Path(name).is_file():
            return Path(name)
    if v1:
        raise SimulationError(
            "ERROR: \n        Can't find a suitable configuration file in this directory or any\n        "
            "parent. Are you in the right directory?\n\n        Supported filenames: docker-compose.yml, "
            "docker-compose.yaml, compose.yml, compose.yaml"
        )
    raise SimulationError("no configuration file provided: not found")


_HANG_CHILD = """
import os, sys, time
parent, limit = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while os.getppid() == parent and time.monotonic() < limit:
    time.sleep(2)
"""


def _hang(state_dir: Path, line: str) -> int:
    """Print `line`, then wait on a child in this process group until killed (a compose that never returns,
    like the v2 plugin under the docker CLI). Whoever cancels must kill the whole group; the child gives up
    a few seconds after an orphaning only so that a failed test leaves nothing behind for long."""
    import subprocess

    _out(line)
    child = subprocess.Popen(
        [sys.executable, "-c", _HANG_CHILD, str(os.getpid()), str(HANG_LIMIT)], stdin=subprocess.DEVNULL
    )
    with State(state_dir) as state:
        state.hangs.append({"pid": os.getpid(), "start": _process_start(os.getpid())})
        state.hangs.append({"pid": child.pid, "start": _process_start(child.pid)})
        state.save()
    try:
        return child.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.wait()


def _stream(faults: dict[str, str]) -> None:
    count = int(_number(faults, "stream", 0))
    delay = _number(faults, "stream-delay", 1.0) / 1000
    for number in range(1, count + 1):
        _out(f"appsmith Pulling fs layer {number}/{count}")
        if delay and number < count:
            time.sleep(delay)


def _spawn_server(
    project: Project, service: str, record: dict[str, Any], faults: dict[str, str], state_dir: Path
) -> None:
    """Start the simulated Appsmith for a container: detached, in its own session, logging to the state
    folder."""
    port = _free_port()
    server = project.server_service() or service
    arguments = [
        "--env-file",
        str(project.env_file_for_server()),
        "--port",
        str(port),
        "--boot-delay",
        str(_number(faults, "boot-delay", 0.0)),
        "--faults",
        os.environ.get(FAULTS_ENV, ""),
        "--exit-file",
        record["exit_file"],
    ]
    server_env = project.environment(server)
    if TELEMETRY_KEY in server_env:
        arguments += ["--override", server_env[TELEMETRY_KEY]]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(record["exit_file"])
    argv = server_command(arguments)
    log_fd = os.open(record["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    try:
        # Signals this process ignores (SIGPIPE: Python) would stay ignored across exec; a container starts
        # clean.
        pid = os.posix_spawn(
            argv[0],
            argv,
            dict(os.environ),
            setsid=True,
            setsigdef=(signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGHUP),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, null_fd, 0),
                (os.POSIX_SPAWN_DUP2, log_fd, 1),
                (os.POSIX_SPAWN_DUP2, log_fd, 2),
            ],
        )
    finally:
        os.close(log_fd)
        os.close(null_fd)
    now = time.time_ns()
    record.update(
        status="running",
        pid=pid,
        pid_start=_process_start(pid),
        started_at=_rfc3339(now),
        started_ns=now,
        finished_at=None,
        exit_code=None,
    )
    for bindings in record["ports"].values():
        for binding in bindings:
            binding["HostPort"] = str(port)
    _wait_listening(record, port)


def _wait_listening(record: dict[str, Any], port: int, timeout: float = 10.0) -> None:
    """Return once the server accepts connections (or has died): health checks then see the boot delay and
    the faults, not Python's start-up time."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(record["pid"], record.get("pid_start")):
            _mark_exited(record, _reap(record["pid"]))
            return
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)


def _create(project: Project, service: str, faults: dict[str, str], state_dir: Path) -> dict[str, Any]:
    definition = project.services[service]
    container_id = os.urandom(32).hex()
    name = project.container_name(service)
    env = project.environment(service)
    web = project.web_service() == service
    bindings = project.port_bindings(service)
    ports: dict[str, list[dict[str, str]]] = {}
    if web:
        host_ip = next((b["HostIp"] for b in bindings.get("80/tcp", []) if b["HostIp"]), "127.0.0.1")
        ports["80/tcp"] = [{"HostIp": host_ip, "HostPort": ""}] if "80/tcp" in bindings else []
    now = time.time_ns()
    (state_dir / "logs").mkdir(exist_ok=True)
    (state_dir / "exit").mkdir(exist_ok=True)
    mounts = []
    for volume in definition.get("volumes") or []:
        if isinstance(volume, str) and ":" in volume:
            source, target = volume.split(":")[:2]
            mounts.append(
                {
                    "Type": "bind",
                    "Source": str((project.folder / source).absolute()),
                    "Destination": target,
                    "Mode": "",
                    "RW": True,
                    "Propagation": "rprivate",
                }
            )
    restart = definition.get("restart", "no")
    record: dict[str, Any] = {
        "id": container_id,
        "name": name,
        "service": service,
        "image": str(definition.get("image", f"{project.name}_{service}")),
        "env": [f"{k}={v}" for k, v in env.items()] + [e for e in IMAGE_ENV if e.split("=")[0] not in env],
        "labels": {
            "com.docker.compose.config-hash": project.config_hash(service),
            "com.docker.compose.container-number": "1",
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": project.name,
            "com.docker.compose.project.config_files": str(project.compose_file.absolute()),
            "com.docker.compose.project.working_dir": str(project.folder),
            "com.docker.compose.service": service,
            "com.docker.compose.version": COMPOSE_V1_VERSION,
        },
        "ports": ports,
        "port_bindings": bindings,
        "mounts": mounts,
        "restart": str(restart).split(":")[0] if restart else "no",
        "created_ns": now,
        "status": "created",
        "pid": None,
        "log": str(state_dir / "logs" / f"{name}-{container_id[:12]}.log"),
        "exit_file": str(state_dir / "exit" / f"{container_id}.code"),
    }
    return record


def _start(project: Project, record: dict[str, Any], faults: dict[str, str], state_dir: Path) -> None:
    if project.web_service() == record["service"]:
        _spawn_server(project, record["service"], record, faults, state_dir)
    else:
        now = time.time_ns()
        record.update(
            status="running",
            pid=None,
            started_at=_rfc3339(now),
            started_ns=now,
            finished_at=None,
            exit_code=None,
        )


def _stop(record: dict[str, Any]) -> None:
    if _running(record):
        if record.get("pid") is not None:
            _mark_exited(record, _stop_process(record["pid"], record.get("pid_start")))
        else:
            _mark_exited(record, 0)


def _project_containers(
    state: State, project: Project, services: list[str] | None = None
) -> list[dict[str, Any]]:
    return [
        r
        for r in state.containers
        if r["labels"].get("com.docker.compose.project.working_dir") == str(project.folder)
        and r["labels"].get("com.docker.compose.project") == project.name
        and (not services or r["service"] in services)
    ]


def compose_up(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    force_recreate = "--force-recreate" in args
    wanted = [a for a in args if not a.startswith("-")]
    unknown = [s for s in wanted if s not in project.services]
    if unknown:
        raise SimulationError(f"ERROR: No such service: {unknown[0]}")
    if "up-fails" in faults:
        raise SimulationError(UP_FAILS)
    if "up-hangs" in faults:
        return _hang(
            state_dir,
            f"Creating {project.container_name(wanted[0] if wanted else next(iter(project.services)))} ...",
        )
    _stream(faults)
    services = wanted or list(project.services)
    with State(state_dir) as state:
        state.refresh()
        if f"{project.name}_default" not in state.networks:
            state.networks.append(f"{project.name}_default")
            _out(f'Creating network "{project.name}_default" with the default driver')
        for service in services:
            name = project.container_name(service)
            existing = next(iter(_project_containers(state, project, [service])), None)
            clash = next((r for r in state.containers if r["name"] == name and r is not existing), None)
            if clash is not None:
                state.save()
                raise SimulationError(
                    f"ERROR: for {name}  Cannot create container for service {service}: Conflict. The "
                    f"container name "
                    f'"/{name}" is already in use by container "{clash["id"]}". You have to remove '
                    f"(or rename) that "
                    "container to be able to reuse that name."
                )
            if (
                existing is not None
                and not force_recreate
                and existing["labels"].get("com.docker.compose.config-hash") == project.config_hash(service)
            ):
                if _running(existing):
                    _out(f"{name} is up-to-date")
                else:
                    _start(project, existing, faults, state_dir)
                    _out(f"Starting {name} ... done")
                state.save()
                continue
            verb = "Creating"
            if existing is not None:
                verb = "Recreating"
                _stop(existing)
                state.containers.remove(existing)
            record = _create(project, service, faults, state_dir)
            state.containers.append(record)
            _start(project, record, faults, state_dir)
            state.save()
            _out(f"{verb} {name} ... done")
    return 0


def _rm_flags(args: list[str]) -> tuple[bool, bool, list[str]]:
    force = stop = False
    services = []
    for index, arg in enumerate(args):
        if arg == "--":  # what follows are service names, whatever they look like
            services += args[index + 1 :]
            break
        if arg in ("--force",):
            force = True
        elif arg in ("--stop",):
            stop = True
        elif arg in ("--volumes",):
            pass
        elif re.fullmatch(r"-[fsv]+", arg):
            force = force or "f" in arg
            stop = stop or "s" in arg
        elif arg.startswith("-"):
            raise SimulationError(f"unknown flag: {arg}")
        else:
            services.append(arg)
    return force, stop, services


def compose_rm(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    force, stop, services = _rm_flags(args)
    unknown = [s for s in services if s not in project.services]
    if unknown:
        raise SimulationError(f"ERROR: No such service: {unknown[0]}")
    if "rm-hangs" in faults:
        return _hang(
            state_dir, f"Stopping {project.container_name(services[0] if services else 'appsmith')} ..."
        )
    with State(state_dir) as state:
        state.refresh()
        targets = _project_containers(state, project, services)
        if "rm-fails" in faults:
            for record in targets:
                _out(f"Stopping {record['name']} ... error")
            raise SimulationError(
                f"ERROR: for {targets[0]['name'] if targets else 'appsmith'}  Error response from "
                "daemon: cannot stop container: tried to kill container, but did not receive an exit event"
            )
        if stop:
            for record in targets:
                if _running(record):
                    _stop(record)
                    state.save()
                    _out(f"Stopping {record['name']} ... done")
        removable = [r for r in targets if not _running(r)]
        if not removable:
            _out("No stopped containers")
            return 0
        if not force:
            _out("Going to remove " + ", ".join(r["name"] for r in removable))
            answer = sys.stdin.readline() if sys.stdin and sys.stdin.isatty() else ""
            if answer.strip().lower() not in ("y", "yes"):
                return 0
        for record in removable:
            state.containers.remove(record)
            state.save()
            _out(f"Removing {record['name']} ... done")
    return 0


def compose_down(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    with State(state_dir) as state:
        state.refresh()
        for record in _project_containers(state, project):
            if _running(record):
                _stop(record)
                _out(f"Stopping {record['name']} ... done")
            state.containers.remove(record)
            state.save()
            _out(f"Removing {record['name']} ... done")
        if f"{project.name}_default" in state.networks:
            state.networks.remove(f"{project.name}_default")
            state.save()
            _out(f"Removing network {project.name}_default")
    return 0


def compose_restart(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    """Stop and start the same containers: compose-level env is not re-read (the single container re-reads
    docker.env itself, as Appsmith's entrypoint does)."""
    services = [a for a in args if not a.startswith("-")]
    with State(state_dir) as state:
        state.refresh()
        for record in _project_containers(state, project, services):
            _stop(record)
            _start(project, record, faults, state_dir)
            state.save()
            _out(f"Restarting {record['name']} ... done")
    return 0


def compose_ps(project: Project, args: list[str], faults: dict[str, str], state_dir: Path) -> int:
    with State(state_dir) as state:
        state.refresh()
        records = _project_containers(state, project)
    _out(f"{'Name':<30}{'State':<12}Ports")
    _out("-" * 60)
    for record in records:
        _out(
            f"{record['name']:<30}"
            f"{'Up' if _running(record) else 'Exit ' + str(record.get('exit_code'))!s:<12}"
            f"{_ports_text(record)}"
        )
    return 0


_COMPOSE_COMMANDS = {
    "up": compose_up,
    "rm": compose_rm,
    "down": compose_down,
    "restart": compose_restart,
    "ps": compose_ps,
}
_COMPOSE_VALUE_OPTIONS = (
    "--env-file",
    "--ansi",
    "--progress",
    "--profile",
    "--project-directory",
    "--context",
    "-H",
    "--host",
    "--log-level",
    "-c",
)


def cmd_compose(args: list[str], faults: dict[str, str], state_dir: Path, v1: bool) -> int:
    files: list[str] = []
    project_name: str | None = None
    project_dir: str | None = None
    index = 0
    while index < len(args) and args[index].startswith("-"):
        arg = args[index]
        if arg in ("-f", "--file") or arg.startswith("--file="):
            value, index = _take_value(args, index, "--file")
            files.append(value)
        elif arg in ("-p", "--project-name") or arg.startswith("--project-name="):
            project_name, index = _take_value(args, index, "--project-name")
        elif arg in _COMPOSE_VALUE_OPTIONS or any(arg.startswith(o + "=") for o in _COMPOSE_VALUE_OPTIONS):
            value, index = _take_value(args, index, arg.split("=")[0])
            if arg.startswith("--project-directory"):
                project_dir = value
        elif arg in ("-v", "--version"):
            args, index = ["version"], 0
            break
        else:
            index += 1
    rest = args[index:]
    if not rest:
        _out(
            "Usage:  docker compose [OPTIONS] COMMAND"
            if not v1
            else "Usage:\n  docker-compose [-f <arg>...] COMMAND"
        )
        return 0 if not v1 else 1
    command, command_args = rest[0], rest[1:]
    if command == "version":
        _out(
            f"docker-compose version {COMPOSE_V1_VERSION}, build simulated"
            if v1
            else f"Docker Compose version {COMPOSE_V2_VERSION}"
        )
        return 0
    if "compose-rejects" in faults:
        raise SimulationError(COMPOSE_REJECTS)
    handler = _COMPOSE_COMMANDS.get(command)
    if handler is None:
        raise SimulationError(
            f"No such command: {command}" if v1 else f'unknown docker command: "compose {command}"'
        )
    if project_dir:
        os.chdir(project_dir)
    project = Project(_find_compose_file(files, v1), project_name)
    _require_daemon(faults)
    return handler(project, command_args, faults, state_dir)


def run(argv: list[str]) -> int:
    program = os.path.basename(argv[0]) if argv else "docker"
    args = list(argv[1:])
    faults = parse_faults(os.environ.get(FAULTS_ENV))
    state_dir = _state_dir_from_env()
    _log_call(state_dir, [program, *args])
    if program == "docker-compose":
        if "no-compose-v1" in faults:
            raise SimulationError("sh: 1: docker-compose: not found", 127)
        return cmd_compose(args, faults, state_dir, v1=True)
    while args and args[0] in ("-D", "--debug", "-l", "--log-level", "--context", "-c", "-H", "--host"):
        args = args[1:] if args[0] in ("-D", "--debug") else args[2:]
    if not args:
        _out("Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers (simulated)")
        return 0
    command, rest = args[0], args[1:]
    if command in ("--version", "-v"):
        _out(f"Docker version {DOCKER_VERSION}, build simulated")
        return 0
    if command == "version":
        return cmd_version(faults)
    if command == "info":
        return cmd_info(faults, state_dir)
    if command == "compose":
        if "no-compose-v2" in faults:
            raise SimulationError(NO_COMPOSE_V2)
        return cmd_compose(rest, faults, state_dir, v1=False)
    if command == "container" and rest and rest[0] in ("ls", "list", "ps", "inspect", "logs"):
        command, rest = {"ls": "ps", "list": "ps"}.get(rest[0], rest[0]), rest[1:]
    if command == "ps":
        return cmd_ps(rest, faults, state_dir)
    if command == "inspect":
        return cmd_inspect(rest, faults, state_dir)
    if command == "logs":
        return cmd_logs(rest, faults, state_dir)
    raise SimulationError(f"docker: '{command}' is not a docker command.\nSee 'docker --help'")


def main(argv: list[str]) -> int:
    """Entry point: argv is [program, *arguments], program being `docker` or `docker-compose`."""
    try:
        return run(argv)
    except FileNotFoundError:
        state = os.environ.get(STATE_ENV)
        if state and not Path(state).is_dir():  # the demo closed while this call ran
            print(DAEMON_DOWN, file=sys.stderr, flush=True)
            return 1
        raise
    except SimulationError as error:
        sys.stdout.flush()
        print(error.message, file=sys.stderr, flush=True)
        return error.code
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
