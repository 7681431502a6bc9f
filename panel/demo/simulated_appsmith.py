"""A stand-in Appsmith server for the demo and the tests: the three HTTP answers the panel reads, on loopback.

Like Appsmith's single container it reads docker.env once at start (the container's own value of the switch,
`--override`, wins) and binds the switch with Spring's boolean rules: an invalid value stops it at start, as
a server that fails to bind its configuration would. Those rules are written here from Spring's
StringToBooleanConverter, not taken from the panel (`panel.core`), so the demo checks the panel's reading.

Faults (comma-separated, from `--faults` or `SIMULATED_DOCKER_FAULTS`, shared with the simulated docker):
`crash-on-start`, `health-500`, `health-slow=S`, `no-enable-telemetry`, `users-me-not-json`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from panel.demo.simulated_docker.faults import FAULTS_ENV, number, parse_faults

TELEMETRY_KEY = "APPSMITH_DISABLE_TELEMETRY"
VERSION = "v1.50-demo"
INFO = {"version": VERSION, "commitSha": "demo", "imageBuiltAt": "2026-11-01T00:00:00Z"}
_META_OK = {"status": 200, "success": True}

_SPRING_TRUE = frozenset({"true", "on", "yes", "1"})
_SPRING_FALSE = frozenset({"false", "off", "no", "0"})
_JAVA_TRIMMED = "".join(map(chr, range(0x21)))
"""What Java's String.trim() removes: every character up to U+0020 (controls too), and nothing above it."""


def spring_boolean(text: str) -> bool | None:
    """Spring's StringToBooleanConverter: trimmed as Java trims, then case-insensitively true/on/yes/1 or
    false/off/no/0; None for an empty value (the converter's null). Anything else raises ValueError."""
    value = text.strip(_JAVA_TRIMMED)
    if not value:
        return None
    if value.lower() in _SPRING_TRUE:
        return True
    if value.lower() in _SPRING_FALSE:
        return False
    raise ValueError(f"Invalid boolean value '{text}'")


def telemetry_enabled(raw: str | None) -> bool:
    """Whether the server sends telemetry for this value of APPSMITH_DISABLE_TELEMETRY. Unset: no (the
    server's default disables it). A value that binds to no boolean, empty included (null cannot become a
    primitive boolean), raises ValueError: the server does not start."""
    if raw is None:
        return False
    disabled = spring_boolean(raw)
    if disabled is None:
        raise ValueError("A null value cannot be assigned to a primitive type")
    return not disabled


class _Config:
    def __init__(self, enable_telemetry: bool, boot_delay: float, faults: dict[str, str]) -> None:
        self.enable_telemetry = enable_telemetry
        self.booted_at = time.monotonic() + boot_delay
        self.faults = faults

    @property
    def booted(self) -> bool:
        return time.monotonic() >= self.booted_at


class _Handler(BaseHTTPRequestHandler):
    server_version = "simulated-appsmith"
    protocol_version = "HTTP/1.1"
    config: _Config

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, code: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, code: int, document: Any) -> None:
        self._send(code, json.dumps(document).encode("utf-8"))

    def _starting(self) -> None:
        self._send(
            503,
            b"<html><body><h1>503 Service Unavailable</h1>Appsmith is starting.</body></html>",
            "text/html",
        )

    def do_GET(self) -> None:
        config = self.config
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/info":
            self._json(200, INFO)
        elif path == "/api/v1/health":
            delay = number(config.faults, "health-slow", 0.0)
            if delay:
                time.sleep(delay)
            if "health-500" in config.faults:
                self._json(
                    500,
                    {
                        "responseMeta": {
                            "status": 500,
                            "success": False,
                            "error": {"message": "Internal server error"},
                        }
                    },
                )
            elif not config.booted:
                self._starting()
            else:
                self._json(200, {"responseMeta": _META_OK, "data": "All systems are up"})
        elif path == "/api/v1/users/me":
            if not config.booted:
                self._starting()
            elif "users-me-not-json" in config.faults:
                self._send(
                    200, b"<html><head><title>Appsmith</title></head><body></body></html>", "text/html"
                )
            else:
                data: dict[str, Any] = {
                    "email": "anonymousUser",
                    "username": "anonymousUser",
                    "isAnonymous": True,
                }
                if "no-enable-telemetry" not in config.faults:
                    data["enableTelemetry"] = config.enable_telemetry
                self._json(200, {"responseMeta": _META_OK, "data": data})
        else:
            self._json(404, {"responseMeta": {"status": 404, "success": False}, "data": None})

    do_HEAD = do_GET


def _write_exit(path: Path | None, code: int) -> None:
    if path is None:
        return
    try:
        temp = path.with_name(path.name + ".tmp")
        temp.write_text(str(code), encoding="ascii")
        os.replace(temp, path)
    except OSError:
        pass


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simulated-appsmith", description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", required=True, type=Path, help="docker.env, read once at start")
    parser.add_argument("--port", required=True, type=int, help="the loopback port to answer on")
    parser.add_argument("--boot-delay", type=float, default=0.0, help="seconds /api/v1/health answers 503")
    parser.add_argument(
        "--override",
        default=None,
        help="APPSMITH_DISABLE_TELEMETRY from the container's own environment; wins over the file",
    )
    parser.add_argument("--faults", default=None, help=f"comma-separated faults (default: ${FAULTS_ENV})")
    parser.add_argument(
        "--exit-file", type=Path, default=None, help="where to write the exit code when stopping"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the server until SIGTERM/SIGINT; the return value is the process's exit code."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    faults = parse_faults(args.faults if args.faults is not None else os.environ.get(FAULTS_ENV))
    exit_file: Path | None = args.exit_file
    if "crash-on-start" in faults:
        print("appsmith: crash-on-start: the server exits at once, as asked", file=sys.stderr, flush=True)
        _write_exit(exit_file, 1)
        return 1
    from panel.demo.dotenv_reader import read_env

    try:
        values = read_env(args.env_file) if args.env_file.is_file() else {}
    except OSError as error:
        print(f"appsmith: cannot read {args.env_file}: {error}", file=sys.stderr, flush=True)
        values = {}
    raw = args.override if args.override is not None else values.get(TELEMETRY_KEY)
    if TELEMETRY_KEY in values and values[TELEMETRY_KEY] is None and args.override is None:
        raw = ""  # a bare `APPSMITH_DISABLE_TELEMETRY` line: set, but to no boolean
    try:
        enable_telemetry = telemetry_enabled(raw)
    except ValueError:
        print(
            f"appsmith: Failed to bind properties under 'disable.telemetry' to boolean: "
            f"{TELEMETRY_KEY}={raw!r} "
            "is not true/false/on/off/yes/no/1/0. APPLICATION FAILED TO START",
            file=sys.stderr,
            flush=True,
        )
        _write_exit(exit_file, 1)
        return 1
    config = _Config(enable_telemetry, args.boot_delay, faults)
    handler = type("Handler", (_Handler,), {"config": config})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    except OSError as error:
        print(f"appsmith: cannot listen on 127.0.0.1:{args.port}: {error}", file=sys.stderr, flush=True)
        _write_exit(exit_file, 1)
        return 1
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, _on_sigterm)
    print(
        f"appsmith: listening on 127.0.0.1:{args.port}, telemetry "
        f"{'enabled' if config.enable_telemetry else 'disabled'} (pid {os.getpid()})",
        file=sys.stderr,
        flush=True,
    )
    code = 0
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except KeyboardInterrupt:
        code = 130
    finally:
        server.server_close()
        _write_exit(exit_file, code)
    return code


if __name__ == "__main__":
    sys.exit(main())
