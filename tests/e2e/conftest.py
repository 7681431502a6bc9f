"""Fixtures for the end-to-end tests: a real Docker engine, the Appsmith stand-in image, deployments.

The stand-in (``tests/e2e/standin``) is built ``FROM scratch`` around the host's static busybox and
behaves like Appsmith's single container where the panel cares: it reads
``stacks/configuration/docker.env`` at every start (container environment wins), converts
``APPSMITH_DISABLE_TELEMETRY`` with Spring's boolean rules and answers ``/api/v1/health``,
``/api/v1/users/me`` and ``/info`` on port 80.

Fixtures may sleep while polling; tests must not (they call ``wait_healthy`` / ``wait_state``).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import struct
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

import pytest

STANDIN_SOURCE = Path(__file__).parent / "standin"
STANDIN_FILES = ("Dockerfile", "entrypoint.sh", "backend.sh", "supervisorctl")
"""The build context's files from STANDIN_SOURCE (with the host's busybox added at build time)."""


def _standin_tag() -> str:
    """`appsmith-standin:test-<digest of its sources>`: worktrees with different stand-ins sharing one Docker
    engine never run each other's image."""
    digest = hashlib.sha256()
    for name in STANDIN_FILES:
        digest.update(name.encode() + b"\0" + (STANDIN_SOURCE / name).read_bytes())
    return f"appsmith-standin:test-{digest.hexdigest()[:12]}"


STANDIN_IMAGE = _standin_tag()
BUSYBOX = Path("/bin/busybox")
SERVICE = "appsmith"
COMMAND_TIMEOUT = 180.0
POLL_INTERVAL = 0.2

# Loopback only, and no proxy: HTTP_PROXY in the environment must not catch 127.0.0.1.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _unavailable(reason: str) -> NoReturn:
    """Missing machinery fails the run in CI (it must be there) and skips it elsewhere."""
    if _in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _child_env() -> dict[str, str]:
    """The user's COMPOSE_* settings (project name, file list…) must not leak into the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    # FROM scratch needs no BuildKit; the legacy builder works with docker.io 20.10 and newer CLIs
    # alike, while BuildKit on a newer CLI needs the buildx plugin, which Debian's docker.io lacks.
    env["DOCKER_BUILDKIT"] = "0"
    return env


def _run(
    args: Sequence[str], *, cwd: Path | None = None, check: bool = True, timeout: float = COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            list(args),
            check=False,
            cwd=cwd,
            env=_child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)} did not finish within {timeout:.0f}s (in {cwd})")
    if check and proc.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed with exit status {proc.returncode} (in {cwd})\n"
            f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
        )
    return proc


T = TypeVar("T")


def _poll(probe: Callable[[], T | None], timeout: float, what: str, detail: Callable[[], str]) -> T:
    """Call ``probe`` until it returns something other than None, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not reached within {timeout:g}s\n{detail()}")
        time.sleep(POLL_INTERVAL)


def _is_static_elf(path: Path) -> bool:
    """True if ``path`` is an ELF executable without a program interpreter (statically linked)."""
    with path.open("rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF":
            return False
        is_64 = header[4] == 2
        order = "<" if header[5] == 1 else ">"
        if is_64:
            (phoff,) = struct.unpack_from(order + "Q", header, 0x20)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 0x36)
        else:
            (phoff,) = struct.unpack_from(order + "I", header, 0x1C)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 0x2A)
        for index in range(phnum):
            f.seek(phoff + index * phentsize)
            (p_type,) = struct.unpack(order + "I", f.read(4))
            if p_type == 3:  # PT_INTERP
                return False
    return True


@dataclass(frozen=True)
class DockerEngine:
    server_version: str
    compose: tuple[str, ...]
    """Command prefix for compose: ``("docker-compose",)`` (v1) or ``("docker", "compose")`` (v2)."""


@pytest.fixture(scope="session")
def docker_engine() -> DockerEngine:
    """A Docker engine that answers, and a compose program to drive it."""
    if shutil.which("docker") is None:
        _unavailable("docker was not found on PATH: install docker.io (Debian) or Docker Engine")
    try:
        info = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            check=False,
            env=_child_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        _unavailable("no Docker engine answers (docker info timed out): start one with sudo .ci/start-docker")
    if info.returncode != 0 or not info.stdout.strip():
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        _unavailable(f"no Docker engine answers: start one with sudo .ci/start-docker ({reason})")

    if shutil.which("docker-compose") is not None:
        compose: tuple[str, ...] = ("docker-compose",)
    elif _run(["docker", "compose", "version"], check=False, timeout=30).returncode == 0:
        compose = ("docker", "compose")
    else:
        _unavailable("neither docker-compose (v1) nor the docker compose plugin (v2) is installed")
    return DockerEngine(server_version=info.stdout.strip(), compose=compose)


@pytest.fixture(scope="session")
def standin_image(docker_engine: DockerEngine, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the stand-in (``STANDIN_IMAGE``) once per session; returns the image reference."""
    if not BUSYBOX.is_file():
        _unavailable(f"{BUSYBOX} is missing: install Debian's busybox-static package")
    if not _is_static_elf(BUSYBOX):
        _unavailable(f"{BUSYBOX} is not statically linked: install busybox-static instead of busybox")
    context = tmp_path_factory.mktemp("standin-context")
    for name in STANDIN_FILES:
        shutil.copy2(STANDIN_SOURCE / name, context / name)
    shutil.copy2(BUSYBOX, context / "busybox")
    _run(["docker", "build", "--network", "none", "--tag", STANDIN_IMAGE, str(context)])
    return STANDIN_IMAGE


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar that compose takes literally (``$`` escaped as ``$$``)."""
    return json.dumps(value.replace("$", "$$"))


def compose_text(
    image: str,
    *,
    environment: Mapping[str, str] | None = None,
    container_name: str | None = None,
    restart: str = "unless-stopped",
) -> str:
    """Appsmith's single-container docker-compose.yml, with the port on a random loopback port."""
    lines = [
        'version: "3"',
        "",
        "services:",
        f"  {SERVICE}:",
        f"    image: {image}",
    ]
    if container_name is not None:
        lines.append(f"    container_name: {_yaml_string(container_name)}")
    lines += [
        "    ports:",
        '      - "127.0.0.1::80"',
        "    volumes:",
        "      - ./stacks:/appsmith-stacks",
    ]
    if environment:
        lines.append("    environment:")
        lines += [f"      {_yaml_string(key)}: {_yaml_string(value)}" for key, value in environment.items()]
    lines.append(f"    restart: {_yaml_string(restart)}")  # quoted: a bare `no` is YAML's false
    return "\n".join(lines) + "\n"


def docker_env_text(telemetry: str | None) -> str:
    """A docker.env like the one Appsmith's first boot writes (templates/docker.env.sh), with secrets."""
    telemetry_line = "" if telemetry is None else f"APPSMITH_DISABLE_TELEMETRY={telemetry}\n"
    return (
        "# Sentry\n"
        "APPSMITH_SENTRY_DSN=\n"
        "\n"
        "# Google OAuth\n"
        "APPSMITH_OAUTH2_GOOGLE_CLIENT_ID=\n"
        "APPSMITH_OAUTH2_GOOGLE_CLIENT_SECRET=gsecret-do-not-show\n"
        "\n"
        "# Form Login/Signup\n"
        "APPSMITH_FORM_LOGIN_DISABLED=\n"
        "APPSMITH_SIGNUP_DISABLED=\n"
        "\n"
        "# Email server\n"
        "APPSMITH_MAIL_ENABLED=false\n"
        "APPSMITH_MAIL_HOST=\n"
        "APPSMITH_MAIL_PASSWORD=\n"
        "APPSMITH_MAIL_PORT=\n"
        "APPSMITH_MAIL_USERNAME=\n"
        "\n"
        "# Disable all telemetry\n"
        "# Note: This only takes effect in self-hosted scenarios.\n"
        "# Please visit: https://docs.appsmith.com/product/telemetry to read more about anonymized data"
        " collected by Appsmith\n"
        f"{telemetry_line}"
        "\n"
        "# Google Recaptcha Config\n"
        "APPSMITH_RECAPTCHA_SITE_KEY=\n"
        "APPSMITH_RECAPTCHA_SECRET_KEY=\n"
        "APPSMITH_RECAPTCHA_ENABLED=\n"
        "\n"
        "APPSMITH_DB_URL=mongodb://appsmith:s3cret@localhost/appsmith\n"
        "APPSMITH_REDIS_URL=redis://127.0.0.1:6379\n"
        "APPSMITH_ENCRYPTION_PASSWORD=Xq7kP2vN9mR4t\n"
        "APPSMITH_ENCRYPTION_SALT=Lw3jH8cB5nZ1y\n"
        "APPSMITH_CUSTOM_DOMAIN=\n"
        "APPSMITH_SUPERVISOR_USER=appsmith\n"
        "APPSMITH_SUPERVISOR_PASSWORD=Qa9sD2fG6hJ4k\n"
    )


@dataclass
class Deployment:
    """A single-container Appsmith deployment folder driven by compose, running the stand-in."""

    path: Path
    env_file: Path
    compose_file: Path
    compose_cmd: tuple[str, ...] = field(repr=False)
    started: bool = field(default=False, repr=False)

    # -- compose -------------------------------------------------------------------------------
    def compose(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a compose command in the deployment folder (the way a user would)."""
        return _run([*self.compose_cmd, *args], cwd=self.path, check=check)

    def up(self) -> None:
        """``docker-compose up -d``; returns once the container is started, not once it is healthy."""
        self.started = True
        self.compose("up", "-d")

    def down(self) -> None:
        """``docker-compose down -v --remove-orphans``."""
        self.compose("down", "-v", "--remove-orphans")
        self.started = False

    def recreate(self) -> None:
        """Appsmith's documented way to apply a docker.env change: ``rm -fsv appsmith && up -d``."""
        self.compose("rm", "-fsv", SERVICE)
        self.up()

    def logs(self) -> str:
        """The container's log (``docker logs``: quicker than compose's, same text without prefixes)."""
        container = self.container_id()
        if not container:
            return f"(no {SERVICE} container, so no log)"
        proc = _run(["docker", "logs", container], check=False)
        return proc.stdout + proc.stderr

    # -- docker inspect ------------------------------------------------------------------------
    @property
    def project(self) -> str:
        """The compose project name, derived from the folder name as compose does (v1 and v2)."""
        return re.sub(r"[^-_a-z0-9]", "", self.path.name.lower())

    def container_id(self) -> str:
        """The service's container id, '' when there is none (stopped ones count).

        Looked up by compose's labels: as fast as docker itself, unlike ``docker-compose ps``.
        """
        lines = _run(
            [
                "docker",
                "ps",
                "--all",
                "--quiet",
                "--filter",
                f"label=com.docker.compose.project={self.project}",
                "--filter",
                f"label=com.docker.compose.service={SERVICE}",
                "--filter",
                "label=com.docker.compose.oneoff=False",
            ]
        ).stdout.split()
        return lines[0] if lines else ""

    def inspect(self) -> dict[str, Any]:
        """``docker inspect`` of the service's container."""
        container = self.container_id()
        if not container:
            pytest.fail(f"no {SERVICE} container for compose project {self.project!r} in {self.path}")
        data: list[dict[str, Any]] = json.loads(_run(["docker", "inspect", container]).stdout)
        return data[0]

    def host_port(self) -> int:
        """The loopback port published for container port 80 (it changes when the container is recreated)."""
        port = _published_port(self.inspect())
        if port is None:
            pytest.fail(f"port 80 of {SERVICE} is not published (is the container running?)\n{self.logs()}")
        return port

    def wait_state(
        self, condition: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        """Poll ``docker inspect``'s ``State`` until ``condition(state)``; returns that state."""

        def probe() -> dict[str, Any] | None:
            state: dict[str, Any] = self.inspect()["State"]
            return state if condition(state) else None

        return _poll(probe, timeout, f"container state in {self.path}", self.logs)

    # -- HTTP ------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.host_port()}{path}"

    def http_get(self, path: str, timeout: float = 5.0, *, port: int | None = None) -> tuple[int, str]:
        """GET a path on the instance: (status, body). Connection errors propagate as OSError."""
        url = self.url(path) if port is None else f"http://127.0.0.1:{port}{path}"
        try:
            with _HTTP.open(url, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(errors="replace")

    def get_json(self, path: str) -> Any:
        status, body = self.http_get(path)
        assert status == 200, f"GET {path} answered {status}: {body}"
        return json.loads(body)

    def wait_http(self, path: str, timeout: float = 30.0) -> tuple[int, str]:
        """Poll until the instance answers ``path`` at all (any status); returns (status, body)."""

        def probe() -> tuple[int, str] | None:
            port = _published_port(self.inspect())
            if port is None:
                return None
            try:
                return self.http_get(path, timeout=2.0, port=port)
            except (OSError, http.client.HTTPException):
                return None

        return _poll(probe, timeout, f"an answer to GET {path}", self.logs)

    def wait_healthy(self, timeout: float = 30.0) -> int:
        """Poll ``/api/v1/health`` until it says the instance is up; returns the host port.

        Fails at once, with the container log, when the container has exited or is restarting.
        """
        last_error = "no answer yet"

        def probe() -> int | None:
            nonlocal last_error
            data = self.inspect()
            state = data["State"]
            if state["Status"] in ("exited", "dead") or state["Restarting"]:
                pytest.fail(
                    f"{SERVICE} container in {self.path} is {state['Status']} "
                    f"(exit code {state['ExitCode']}), it will not become healthy\n{self.logs()}"
                )
            port = _published_port(data)
            if port is None:
                last_error = "port 80 not published yet"
                return None
            try:
                status, body = self.http_get("/api/v1/health", timeout=2.0, port=port)
            except (OSError, http.client.HTTPException) as error:
                last_error = f"{type(error).__name__}: {error}"
                return None
            if status == 200 and json.loads(body).get("data") == "All systems are up":
                return port
            last_error = f"HTTP {status}: {body[:200]}"
            return None

        return _poll(
            probe, timeout, f"health of {self.path}", lambda: f"last answer: {last_error}\n{self.logs()}"
        )


def _published_port(inspected: dict[str, Any]) -> int | None:
    for binding in (inspected["NetworkSettings"]["Ports"] or {}).get("80/tcp") or []:
        if binding.get("HostPort"):
            return int(binding["HostPort"])
    return None


class DeploymentFactory(Protocol):
    def __call__(
        self,
        telemetry: str | None = "false",
        *,
        environment: Mapping[str, str] | None = None,
        container_name: str | None = None,
        restart: str = "unless-stopped",
        write_env_file: bool = True,
    ) -> Deployment: ...


@pytest.fixture
def appsmith_deployment(
    tmp_path_factory: pytest.TempPathFactory, docker_engine: DockerEngine, standin_image: str
) -> Iterator[DeploymentFactory]:
    """Factory for single-container Appsmith deployment folders running the stand-in.

    ``telemetry`` is the APPSMITH_DISABLE_TELEMETRY value written to docker.env (None: no such line);
    ``environment`` goes into the service's ``environment:`` block (overrides docker.env; also the
    stand-in's knobs STANDIN_CRASH and STANDIN_BOOT_DELAY); ``container_name`` defaults to none so
    that several deployments can run at once (real Appsmith sets ``container_name: appsmith``);
    ``write_env_file=False`` leaves docker.env for the container's first boot to create.

    The folder name has spaces, quotes and ``$(…)`` in it, as the panel must cope with such paths;
    compose v1 derives the project name from it (lowercased, only ``[a-z0-9_-]`` kept), so a random
    suffix keeps projects of concurrent or leaked runs apart. Every deployment is taken down at the end.
    """
    created: list[Deployment] = []

    def make(
        telemetry: str | None = "false",
        *,
        environment: Mapping[str, str] | None = None,
        container_name: str | None = None,
        restart: str = "unless-stopped",
        write_env_file: bool = True,
    ) -> Deployment:
        folder = tmp_path_factory.mktemp("appsmith") / f'my "apps" $(x) {secrets.token_hex(3)}'
        configuration = folder / "stacks" / "configuration"
        configuration.mkdir(parents=True)
        compose_file = folder / "docker-compose.yml"
        compose_file.write_text(
            compose_text(
                standin_image, environment=environment, container_name=container_name, restart=restart
            )
        )
        env_file = configuration / "docker.env"
        if write_env_file:
            env_file.write_text(docker_env_text(telemetry))
        deployment = Deployment(
            path=folder, env_file=env_file, compose_file=compose_file, compose_cmd=docker_engine.compose
        )
        created.append(deployment)
        return deployment

    yield make

    def take_down(deployment: Deployment) -> str | None:
        failure = None
        if deployment.started:
            proc = deployment.compose("down", "-v", "--remove-orphans", check=False)
            if proc.returncode != 0:
                failure = f"{deployment.path}: {proc.stderr}"
        _give_back(deployment.path / "stacks", standin_image)
        return failure

    with ThreadPoolExecutor() as pool:  # several deployments in one test come down side by side
        failures = [failure for failure in pool.map(take_down, created) if failure]
    if failures:
        pytest.fail("could not take down deployments:\n" + "\n".join(failures))


def _give_back(stacks: Path, image: str) -> None:
    """Files the container created in the bind mount belong to root, as with Appsmith; hand them back
    to the test user so that pytest can clean its temporary folders."""
    uid, gid = os.getuid(), os.getgid()
    if uid == 0 or all(p.stat().st_uid == uid for p in [stacks, *stacks.rglob("*")]):
        return
    _run(
        [
            "docker",
            "run",
            "--rm",
            "--network",
            "none",
            "--entrypoint",
            "/bin/chown",
            "--volume",
            f"{stacks}:/appsmith-stacks",
            image,
            "-R",
            f"{uid}:{gid}",
            "/appsmith-stacks",
        ],
        check=False,
    )
