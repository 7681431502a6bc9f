"""Real deployments for the benchmarks that need a Docker engine: the end-to-end tests' stand-in image and
folders.

The image, the compose file and docker.env come from `tests/e2e/conftest.py` (loaded from its file, so the
benchmarks and the end-to-end tests always run the same stand-in); this module only builds, starts and stops.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from harness import ROOT, BenchmarkError, Settings

E2E_FIXTURES = ROOT / "tests" / "e2e" / "conftest.py"
SERVICE = "appsmith"
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _fixtures() -> ModuleType:
    """The end-to-end fixtures module (it imports pytest, which the test extra installs)."""
    name = "_panel_e2e_fixtures"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, E2E_FIXTURES)
    if spec is None or spec.loader is None:
        raise BenchmarkError(f"cannot load {E2E_FIXTURES}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _run(
    argv: list[str], cwd: Path | None = None, timeout: float = 180.0
) -> subprocess.CompletedProcess[str]:
    env = _fixtures()._child_env()
    completed = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if completed.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr.strip()[-1500:]}"
        )
    return completed


def engine_version() -> str | None:
    """The engine's version when one answers `docker info`, else None (the Docker rows are then skipped)."""
    if shutil.which("docker") is None:
        return None
    try:
        completed = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() or None if completed.returncode == 0 else None


def compose_command() -> tuple[str, ...]:
    if shutil.which("docker-compose"):
        return ("docker-compose",)
    if subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0:
        return ("docker", "compose")
    raise BenchmarkError("neither docker-compose (v1) nor the docker compose plugin (v2) is installed")


def build_standin(work: Path) -> str:
    """Build `appsmith-standin:test` the way the end-to-end tests do (legacy builder, the host's static
    busybox)."""
    fixtures = _fixtures()
    busybox = Path(fixtures.BUSYBOX)
    if not busybox.is_file() or not fixtures._is_static_elf(busybox):
        raise BenchmarkError(f"{busybox} is missing or not static: install Debian's busybox-static")
    context = work / "standin-context"
    context.mkdir(parents=True, exist_ok=True)
    for name in fixtures.STANDIN_FILES:
        shutil.copy2(Path(fixtures.STANDIN_SOURCE) / name, context / name)
    shutil.copy2(busybox, context / "busybox")
    _run(["docker", "build", "--network", "none", "--tag", fixtures.STANDIN_IMAGE, str(context)])
    return str(fixtures.STANDIN_IMAGE)


@dataclass
class Deployment:
    """A single-container deployment folder running the stand-in, driven by compose as a user would."""

    folder: Path
    image: str
    compose_cmd: tuple[str, ...]
    started: bool = False

    @property
    def env_file(self) -> Path:
        return self.folder / "stacks" / "configuration" / "docker.env"

    @property
    def project(self) -> str:
        return "".join(c for c in self.folder.name.lower() if c.isalnum() or c in "-_")

    def compose(self, *args: str) -> None:
        _run([*self.compose_cmd, *args], cwd=self.folder)

    def up(self) -> None:
        self.started = True
        self.compose("up", "-d")

    def down(self) -> None:
        if self.started:
            self.compose("down", "-v", "--remove-orphans")
            self.started = False
        _fixtures()._give_back(self.folder / "stacks", self.image)

    def container_id(self) -> str:
        ids = _run(
            [
                "docker",
                "ps",
                "-a",
                "-q",
                "--no-trunc",
                "--filter",
                f"label=com.docker.compose.project={self.project}",
                "--filter",
                f"label=com.docker.compose.service={SERVICE}",
            ]
        ).stdout.split()
        if not ids:
            raise BenchmarkError(f"no {SERVICE} container for {self.folder}")
        return ids[0]

    def inspect(self) -> dict[str, Any]:
        document: list[dict[str, Any]] = json.loads(_run(["docker", "inspect", self.container_id()]).stdout)
        return document[0]

    def port(self) -> int | None:
        for binding in (self.inspect()["NetworkSettings"]["Ports"] or {}).get("80/tcp") or []:
            if binding.get("HostPort"):
                return int(binding["HostPort"])
        return None

    def wait_healthy(self, timeout: float = 60.0, poll: float = 0.02) -> float:
        """Poll `/api/v1/health` every `poll` seconds until it says the instance is up; returns when it
        did."""
        deadline = time.monotonic() + timeout
        port = None
        while time.monotonic() < deadline:
            port = port or self.port()
            if port is not None and healthy(port):
                return time.perf_counter()
            time.sleep(poll)
        raise BenchmarkError(f"{self.folder} did not become healthy within {timeout:.0f} s")


def healthy(port: int) -> bool:
    try:
        with _HTTP.open(f"http://127.0.0.1:{port}/api/v1/health", timeout=2.0) as response:
            return response.status == 200 and json.loads(response.read()).get("data") == "All systems are up"
    except (OSError, ValueError):
        return False


def make_deployment(
    parent: Path,
    image: str,
    compose_cmd: tuple[str, ...],
    telemetry: str | None = "false",
    compose_text: str | None = None,
    env_text: str | None = None,
) -> Deployment:
    """A deployment folder as Appsmith's installer leaves it (compose file and docker.env), not started."""
    fixtures = _fixtures()
    folder = parent / f"bench-{secrets.token_hex(3)}"
    (folder / "stacks" / "configuration").mkdir(parents=True)
    (folder / "docker-compose.yml").write_text(compose_text or fixtures.compose_text(image), encoding="utf-8")
    deployment = Deployment(folder, image, compose_cmd)
    deployment.env_file.write_text(
        env_text if env_text is not None else fixtures.docker_env_text(telemetry), encoding="utf-8"
    )
    return deployment


def compose_with_services(image: str, count: int) -> str:
    """A compose file with Appsmith and `count - 1` other services, each with a few keys, as big setups
    have."""
    text = _fixtures().compose_text(image)
    lines = [text.rstrip("\n")]
    for number in range(1, count):
        lines += [
            f"  worker-{number:03d}:",
            "    image: busybox:latest",
            f'    command: ["sh", "-c", "echo worker {number} && sleep infinity"]',
            "    environment:",
            f'      WORKER_ID: "{number}"',
            f'      WORKER_QUEUE: "queue-{number % 7}"',
            "    volumes:",
            f"      - ./workers/{number:03d}:/data",
            '    restart: "unless-stopped"',
        ]
    return "\n".join(lines) + "\n"


def filler_lines(already: int, size: int) -> list[str]:
    """Harmless settings (`APPSMITH_CUSTOM_SETTING_…`) that grow a text of `already` bytes to `size`."""
    filler: list[str] = []
    total = already
    number = 0
    while total < size:
        line = f"APPSMITH_CUSTOM_SETTING_{number:07d}=value-{number:07d}-abcdefghijklmnopqrstuvwxyz\n"
        filler.append(line)
        total += len(line)
        number += 1
    return filler


def env_text_of_size(size: int, telemetry: str = "false") -> str:
    """docker.env as the installer writes it, padded with settings to `size` bytes; the switch sits in the
    middle."""
    head = _fixtures().docker_env_text(telemetry)
    head_lines = [
        line for line in head.splitlines(keepends=True) if not line.startswith("APPSMITH_DISABLE_TELEMETRY")
    ]
    filler = filler_lines(len(head.encode()), size)
    middle = len(filler) // 2
    return "".join(
        head_lines + filler[:middle] + [f"APPSMITH_DISABLE_TELEMETRY={telemetry}\n"] + filler[middle:]
    )


@dataclass
class Engine:
    """The Docker engine for this run: the stand-in image built once, and every deployment made, taken down at
    the end."""

    version: str
    image: str
    compose_cmd: tuple[str, ...]
    work: Path
    made: list[Deployment]

    def deployment(self, telemetry: str | None = "false", start: bool = True, **texts: str) -> Deployment:
        deployment = make_deployment(self.work, self.image, self.compose_cmd, telemetry, **texts)
        self.made.append(deployment)
        if start:
            deployment.up()
            deployment.wait_healthy()
        return deployment

    def close(self) -> None:
        for deployment in self.made:
            try:
                deployment.down()
            except BenchmarkError as error:
                print(f"warning: could not take down {deployment.folder}: {error}", file=sys.stderr)


def start_engine(work: Path) -> Engine | str:
    """The engine, or the reason there is none (its rows then say "skipped: no Docker engine")."""
    version = engine_version()
    if version is None:
        return "no Docker engine"
    try:
        return Engine(version, build_standin(work), compose_command(), work, [])
    except BenchmarkError as error:
        return str(error)


@dataclass
class Context:
    """What the benchmarks share: settings, the engine (or why there is none), and one sample deployment."""

    settings: Settings
    engine: Engine | None
    no_engine: str
    sample: Deployment
    """Running the stand-in when there is an engine; otherwise only its folder (docker then answers
    nothing)."""

    @classmethod
    def open(cls, settings: Settings) -> Context:
        engine = start_engine(settings.work)
        if isinstance(engine, Engine):
            return cls(settings, engine, "", engine.deployment())
        sample = make_deployment(settings.work, "appsmith/appsmith-ce", ("docker-compose",))
        return cls(settings, None, engine, sample)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
