"""Shared fixtures: realistic Appsmith deployment folders, fake programs on PATH, and an isolated state
folder.

Every test gets its own ``XDG_STATE_HOME`` and ``XDG_CONFIG_HOME`` (autouse ``isolated_state``), so nothing
writes the real audit log or the user's settings, and ``APPSMITH_DISABLE_TELEMETRY`` is removed from the
environment so compose interpolation in the tests never sees the developer's shell.

The deployments hold a docker.env written the way Appsmith writes it, with secrets whose values are listed in
``SECRET_VALUES``: a test asserts that none of them reaches an output with ``assert_no_secret(text)``.

Fixtures:
    ``isolated_state``   (autouse) the temporary ``XDG_STATE_HOME``; the audit log is under it.
    ``single_deployment`` a current single-container deployment folder (``docker-compose.yml`` and
                         ``stacks/configuration/docker.env``, telemetry enabled as the template writes it).
    ``legacy_deployment`` a 2020-21 multi-container folder written by install.sh (``docker.env``,
                         ``encryption.env``, ``data/nginx/app.conf.template`` with HTTP and HTTPS blocks).
    ``fake_bin``         a folder first on PATH where ``fake_bin.add(name, ...)`` writes a program that
                         answers like docker would and records its arguments (``fake_bin.calls(name)``).
    ``as_nobody``        runs a function in a forked child as uid/gid 65534 and returns what it returned;
                         skips when the tests do not run as root (root ignores file permissions).
    ``world_tmp``        a temporary folder other users can traverse (pytest's own tmp is 0700 for root).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import stat
import sys
import tempfile
import textwrap
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt renders offscreen in every test run

# --- Secrets: each value appears exactly once in the fixture files and must never be printed.
# -----------------

MONGO_PASSWORD = "Xq7mZp2LwR9tK"
ENCRYPTION_PASSWORD = "Hf3kLs9QwE2rT"
ENCRYPTION_SALT = "Bn8vCx4ZaS1dF"
SUPERVISOR_PASSWORD = "Jk5lMn7OpQ3rS"
MAIL_PASSWORD = "M4ilP4ssw0rdZ"
GOOGLE_CLIENT_SECRET = "GOCSPX-gS3cr3tV4lu3q"
RECAPTCHA_SECRET = "6LcRecaptchaS3cretK3y"
MCP_SECRET = "McpInt3rnalS3cr3tW"
REDIS_PASSWORD = "R3disPw0rdY"
PROXY_PASSWORD = "Pr0xyPw9V"
POSTGRES_PASSWORD = "PgCommentedPw8U"
LEGACY_MONGO_ROOT_PASSWORD = "LegacyRootPw6T"

SECRET_VALUES: tuple[str, ...] = (
    MONGO_PASSWORD,
    ENCRYPTION_PASSWORD,
    ENCRYPTION_SALT,
    SUPERVISOR_PASSWORD,
    MAIL_PASSWORD,
    GOOGLE_CLIENT_SECRET,
    RECAPTCHA_SECRET,
    MCP_SECRET,
    REDIS_PASSWORD,
    PROXY_PASSWORD,
    POSTGRES_PASSWORD,
    LEGACY_MONGO_ROOT_PASSWORD,
)
"""Every secret value in the fixture deployments (docker.env, encryption.env, compose files)."""

# Appsmith's docker.env as `deploy/docker/fs/opt/appsmith/templates/docker.env.sh` writes it, with the
# optional services an operator typically fills in (mail, Google OAuth, reCAPTCHA, a proxy). The commented
# postgres URL is the template's own: it carries the generated database password.
SINGLE_DOCKER_ENV = f"""\
# Sentry
APPSMITH_SENTRY_DSN=

# Smart look
APPSMITH_SMART_LOOK_ID=

# Google OAuth
APPSMITH_OAUTH2_GOOGLE_CLIENT_ID=1234567890-abcdefg.apps.googleusercontent.com
APPSMITH_OAUTH2_GOOGLE_CLIENT_SECRET={GOOGLE_CLIENT_SECRET}

# Github OAuth
APPSMITH_OAUTH2_GITHUB_CLIENT_ID=
APPSMITH_OAUTH2_GITHUB_CLIENT_SECRET=

# Email server
APPSMITH_MAIL_ENABLED=true
APPSMITH_MAIL_HOST=smtp.example.com
APPSMITH_MAIL_PORT=587
APPSMITH_MAIL_USERNAME=appsmith@example.com
APPSMITH_MAIL_PASSWORD={MAIL_PASSWORD}
APPSMITH_MAIL_FROM=appsmith@example.com
APPSMITH_REPLY_TO=appsmith@example.com
APPSMITH_MAIL_SMTP_AUTH=true
APPSMITH_MAIL_SMTP_TLS_ENABLED=true

# Disable all telemetry
# Note: This only takes effect in self-hosted scenarios.
# Please visit: https://docs.appsmith.com/telemetry to read more about anonymized data collected by Appsmith
APPSMITH_DISABLE_TELEMETRY=false
#APPSMITH_SENTRY_DSN=
#APPSMITH_SENTRY_ENVIRONMENT=

# Google Recaptcha Config
APPSMITH_RECAPTCHA_SITE_KEY=6LcSiteKeyIsPublicByDesign
APPSMITH_RECAPTCHA_SECRET_KEY={RECAPTCHA_SECRET}
APPSMITH_RECAPTCHA_ENABLED=true

APPSMITH_DB_URL=mongodb://appsmith:{MONGO_PASSWORD}@localhost:27017/appsmith
#APPSMITH_DB_URL=postgresql://appsmith:{POSTGRES_PASSWORD}@localhost:5432/postgres
APPSMITH_MONGODB_USER=appsmith
APPSMITH_MONGODB_PASSWORD={MONGO_PASSWORD}
APPSMITH_API_BASE_URL=http://localhost:8080/api/v1

APPSMITH_REDIS_URL=redis://:{REDIS_PASSWORD}@127.0.0.1:6379

APPSMITH_ENCRYPTION_PASSWORD={ENCRYPTION_PASSWORD}
APPSMITH_ENCRYPTION_SALT={ENCRYPTION_SALT}

APPSMITH_CUSTOM_DOMAIN=

# Java command line arguments, as space-delimited string. Ex: "-Xms800M -Xmx800M"
APPSMITH_JAVA_ARGS=

APPSMITH_SUPERVISOR_USER=appsmith
APPSMITH_SUPERVISOR_PASSWORD={SUPERVISOR_PASSWORD}

APPSMITH_MCP_INTERNAL_SECRET={MCP_SECRET}
HTTP_PROXY=http://proxyuser:{PROXY_PASSWORD}@proxy.internal:3128

# Default value, if commented or not set, is "'none'", which disables embedding completely.
APPSMITH_ALLOWED_FRAME_ANCESTORS="'self' *"

APPSMITH_DISABLE_IFRAME_WIDGET_SANDBOX=false
"""

SINGLE_COMPOSE = """\
version: "3"

services:
  appsmith:
    image: index.docker.io/appsmith/appsmith-ee
    container_name: appsmith
    ports:
      - "80:80"
      - "443:443"
    volumes:
      - ./stacks:/appsmith-stacks
    restart: unless-stopped
"""

# `deploy/template/docker.env.sh` as install.sh rendered it (2020-21).
LEGACY_DOCKER_ENV = f"""\
#!/bin/sh

# Read our documentation on how to configure these features
# https://docs.appsmith.com/v/v1.3/setup/docker#enabling-services-for-self-hosting

# ***** Email **********
APPSMITH_MAIL_ENABLED=false
# APPSMITH_MAIL_FROM=YOUR_VERIFIED_EMAIL_ID
# APPSMITH_REPLY_TO=YOUR_VERIFIED_EMAIL_ID
# APPSMITH_MAIL_HOST=
# APPSMITH_MAIL_PASSWORD=
# APPSMITH_MAIL_PORT=
# ******************************

# ******** Google OAuth ********
# APPSMITH_OAUTH2_GOOGLE_CLIENT_ID=
# APPSMITH_OAUTH2_GOOGLE_CLIENT_SECRET=
# ******************************

# ******** Database *************
APPSMITH_REDIS_URL=redis://redis:6379
APPSMITH_MONGODB_URI=mongodb://appsmith-root:{LEGACY_MONGO_ROOT_PASSWORD}@mongo/appsmith?retryWrites=true&authSource=admin
# *******************************

# *** EE Specific Config ********
APPSMITH_DISABLE_TELEMETRY=false
# *******************************
"""

LEGACY_ENCRYPTION_ENV = f"""\
APPSMITH_ENCRYPTION_PASSWORD={ENCRYPTION_PASSWORD}
APPSMITH_ENCRYPTION_SALT={ENCRYPTION_SALT}
"""

LEGACY_COMPOSE = f"""\
version: "3.7"

services:
  nginx:
    image: index.docker.io/appsmith/appsmith-editor
    env_file: ./docker.env
    ports:
      - "80:80"
      - "443:443"
    volumes:
      - ./data/nginx/app.conf.template:/nginx.conf.template
      - ./data/certbot/conf:/etc/letsencrypt
      - ./data/certbot/www:/var/www/certbot
    command: "/bin/sh -c 'while :; do sleep 6h & wait $${{!}}; nginx -s reload; done & /start-nginx.sh'"
    depends_on:
      - appsmith-internal-server
    labels:
      com.centurylinklabs.watchtower.enable: "true"
    networks:
      - appsmith

  certbot:
    image: certbot/certbot
    volumes:
      - ./data/certbot/conf:/etc/letsencrypt
      - ./data/certbot/www:/var/www/certbot
    entrypoint: "/bin/sh -c 'trap exit TERM; while :; do certbot renew; sleep 12h & wait $${{!}}; done;'"
    networks:
      - appsmith

  appsmith-internal-server:
    image: index.docker.io/appsmith/appsmith-server:latest
    env_file:
      - ./docker.env
      - ./encryption.env
    expose:
      - "8080"
    links:
      - mongo
    depends_on:
      - mongo
    labels:
      com.centurylinklabs.watchtower.enable: "true"
    networks:
      - appsmith

  mongo:
    image: mongo:4.4.6
    expose:
      - "27017"
    environment:
      - MONGO_INITDB_DATABASE=appsmith
      - MONGO_INITDB_ROOT_USERNAME=appsmith-root
      - MONGO_INITDB_ROOT_PASSWORD={LEGACY_MONGO_ROOT_PASSWORD}
    volumes:
      - ./data/mongo/db:/data/db
      - ./data/mongo/init.js:/docker-entrypoint-initdb.d/init.js:ro
    networks:
      - appsmith

  redis:
    image: redis
    expose:
      - "6379"
    networks:
      - appsmith

  watchtower:
    image: containrrr/watchtower
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
    command: --interval 300 --label-enable --cleanup
    networks:
      - appsmith

networks:
  appsmith:
    driver: bridge
"""

_SUB_FILTERS = """\
        sub_filter __APPSMITH_SENTRY_DSN__ '${APPSMITH_SENTRY_DSN}';
        sub_filter __APPSMITH_SMART_LOOK_ID__ '${APPSMITH_SMART_LOOK_ID}';
        sub_filter __APPSMITH_OAUTH2_GOOGLE_CLIENT_ID__ '${APPSMITH_OAUTH2_GOOGLE_CLIENT_ID}';
        sub_filter __APPSMITH_OAUTH2_GITHUB_CLIENT_ID__ '${APPSMITH_OAUTH2_GITHUB_CLIENT_ID}';
        sub_filter __APPSMITH_MARKETPLACE_ENABLED__ '${APPSMITH_MARKETPLACE_ENABLED}';
        sub_filter __APPSMITH_SEGMENT_KEY__ '${APPSMITH_SEGMENT_KEY}';
        sub_filter __APPSMITH_ALGOLIA_API_ID__ '${APPSMITH_ALGOLIA_API_ID}';
        sub_filter __APPSMITH_ALGOLIA_SEARCH_INDEX_NAME__ '${APPSMITH_ALGOLIA_SEARCH_INDEX_NAME}';
        sub_filter __APPSMITH_ALGOLIA_API_KEY__ '${APPSMITH_ALGOLIA_API_KEY}';
        sub_filter __APPSMITH_CLIENT_LOG_LEVEL__ '${APPSMITH_CLIENT_LOG_LEVEL}';
        sub_filter __APPSMITH_GOOGLE_MAPS_API_KEY__ '${APPSMITH_GOOGLE_MAPS_API_KEY}';
        sub_filter __APPSMITH_TNC_PP__ '${APPSMITH_TNC_PP}';
        sub_filter __APPSMITH_VERSION_ID__ '${APPSMITH_VERSION_ID}';
        sub_filter __APPSMITH_VERSION_RELEASE_DATE__ '${APPSMITH_VERSION_RELEASE_DATE}';
        sub_filter __APPSMITH_INTERCOM_APP_ID__ '${APPSMITH_INTERCOM_APP_ID}';
        sub_filter __APPSMITH_MAIL_ENABLED__ '${APPSMITH_MAIL_ENABLED}';
"""

# `deploy/template/nginx_app.conf.sh` as install.sh rendered it for a custom domain with HTTPS, before the
# telemetry sub_filter line existed: both `location /` blocks lack it, which is what existing installs had.
LEGACY_NGINX_TEMPLATE = f"""\
map $http_x_forwarded_proto $origin_scheme {{
  default $http_x_forwarded_proto;
  '' $scheme;
}}

server {{
    listen 80;
    server_name appsmith.example.com ;
    client_max_body_size 100m;

    gzip on;

    root /var/www/appsmith;
    index index.html index.htm;

    location /.well-known/acme-challenge/ {{
        root /var/www/certbot;
    }}

    proxy_set_header X-Forwarded-Proto $origin_scheme;
    proxy_set_header X-Forwarded-Host $host;

    location / {{
        try_files $uri /index.html =404;

{_SUB_FILTERS}    }}

    location /f {{
       proxy_pass https://cdn.optimizely.com/;
    }}

    location /api {{
        proxy_pass http://appsmith-internal-server:8080;
    }}

    location /oauth2 {{
        proxy_pass http://appsmith-internal-server:8080;
    }}

    location /login {{
        proxy_pass http://appsmith-internal-server:8080;
    }}
}}

 server {{
    listen 443 ssl;
    server_name appsmith.example.com;
    client_max_body_size 100m;

    ssl_certificate /etc/letsencrypt/live/appsmith.example.com/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/appsmith.example.com/privkey.pem;

    include /etc/letsencrypt/options-ssl-nginx.conf;
    ssl_dhparam /etc/letsencrypt/ssl-dhparams.pem;

    proxy_set_header X-Forwarded-Proto $origin_scheme;
    proxy_set_header X-Forwarded-Host $host;

    root /var/www/appsmith;
    index index.html index.htm;

    location / {{
        try_files $uri /index.html =404;

{_SUB_FILTERS}    }}

    location /f {{
       proxy_pass https://cdn.optimizely.com/;
    }}

    location /api {{
        proxy_pass http://appsmith-internal-server:8080;
    }}

    location /oauth2 {{
        proxy_pass http://appsmith-internal-server:8080;
    }}

    location /login {{
        proxy_pass http://appsmith-internal-server:8080;
    }}

 }}
"""


def assert_no_secret(text: str | bytes) -> None:
    """Fail, naming the secret (not its value), when any fixture secret appears in `text`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    leaked = [index for index, value in enumerate(SECRET_VALUES) if value in text]
    assert not leaked, f"secret(s) #{leaked} of SECRET_VALUES appear in the output"


# --- Hypothesis failure reports ----------------------------------------------------------------------------


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """WORKAROUND: when a hypothesis test fails, its pytest plugin imports `hypothesis.extra._patching`, which
    imports black, whose mypy_extensions import raises a DeprecationWarning that `filterwarnings = error`
    turns into an INTERNALERROR hiding the falsifying example. Import it first, with that warning ignored."""
    if call.excinfo is not None and getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        with warnings.catch_warnings(), contextlib.suppress(ImportError):
            warnings.simplefilter("ignore", DeprecationWarning)
            import hypothesis.extra._patching  # noqa: F401


# --- Environment isolation ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh XDG_STATE_HOME (audit log) and XDG_CONFIG_HOME (settings) for every test."""
    base = tmp_path_factory.mktemp("xdg")
    state, config = base / "state", base / "config"
    state.mkdir()
    config.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("APPSMITH_DISABLE_TELEMETRY", raising=False)
    monkeypatch.delenv("APPSMITH_PANEL_AUDIT_LOG", raising=False)
    monkeypatch.delenv("APPSMITH_PANEL_AUDIT_MARK", raising=False)
    return state


# --- Deployments --------------------------------------------------------------------------------------------


def write_single_deployment(
    folder: Path, docker_env: str | bytes = SINGLE_DOCKER_ENV, compose: str = SINGLE_COMPOSE
) -> Path:
    """Write a single-container deployment into `folder` (created if needed) and return the folder."""
    env_file = folder / "stacks" / "configuration" / "docker.env"
    env_file.parent.mkdir(parents=True, exist_ok=True)
    (folder / "docker-compose.yml").write_text(compose, encoding="utf-8")
    env_file.write_bytes(docker_env if isinstance(docker_env, bytes) else docker_env.encode("utf-8"))
    return folder


def write_legacy_deployment(
    folder: Path,
    docker_env: str | bytes = LEGACY_DOCKER_ENV,
    nginx_template: str | None = LEGACY_NGINX_TEMPLATE,
) -> Path:
    """Write a 2020-21 multi-container deployment into `folder`; `nginx_template=None` leaves it out."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docker-compose.yml").write_text(LEGACY_COMPOSE, encoding="utf-8")
    (folder / "docker.env").write_bytes(
        docker_env if isinstance(docker_env, bytes) else docker_env.encode("utf-8")
    )
    (folder / "encryption.env").write_text(LEGACY_ENCRYPTION_ENV, encoding="utf-8")
    if nginx_template is not None:
        template = folder / "data" / "nginx" / "app.conf.template"
        template.parent.mkdir(parents=True, exist_ok=True)
        template.write_text(nginx_template, encoding="utf-8")
    return folder


@pytest.fixture
def single_deployment(tmp_path: Path) -> Path:
    """A single-container deployment folder; docker.env is `stacks/configuration/docker.env` (telemetry
    on)."""
    return write_single_deployment(tmp_path / "appsmith")


@pytest.fixture
def legacy_deployment(tmp_path: Path) -> Path:
    """A legacy multi-container deployment folder: docker.env at the top, nginx template without
    sub_filter."""
    return write_legacy_deployment(tmp_path / "appsmith-legacy")


# --- Fake programs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What a fake program prints and returns for calls whose arguments start with `args`."""

    args: tuple[str, ...] = ()
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


_FAKE_PROGRAM = """\
#!{python}
import json, sys
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps([{name!r}, *sys.argv[1:]]) + "\\n")
answers = json.loads({answers!r})
best = None
for answer in answers:
    prefix = answer["args"]
    if sys.argv[1 : 1 + len(prefix)] == prefix and (best is None or len(prefix) > len(best["args"])):
        best = answer
if best is None:
    sys.stderr.write({name!r} + ": unexpected arguments " + " ".join(sys.argv[1:]) + "\\n")
    sys.exit(125)
sys.stdout.write(best["stdout"])
sys.stderr.write(best["stderr"])
sys.exit(best["exit_code"])
"""


class FakeBin:
    """A folder of fake programs. Each answers by the longest matching argument prefix and logs its argv."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = folder / "calls.jsonl"

    def add(
        self, name: str, *answers: Answer, stdout: str = "", stderr: str = "", exit_code: int = 0
    ) -> Path:
        """Write program `name`. Without `answers` it always prints `stdout`/`stderr` and exits
        `exit_code`."""
        chosen = list(answers) or [Answer((), stdout, stderr, exit_code)]
        program = self.folder / name
        program.write_text(
            _FAKE_PROGRAM.format(
                python=sys.executable,
                log=str(self.log),
                name=name,
                answers=json.dumps(
                    [
                        {
                            "args": list(a.args),
                            "stdout": a.stdout,
                            "stderr": a.stderr,
                            "exit_code": a.exit_code,
                        }
                        for a in chosen
                    ]
                ),
            ),
            encoding="utf-8",
        )
        program.chmod(0o755)
        return program

    def add_script(self, name: str, body: str) -> Path:
        """Write program `name` running the Python `body` (after logging its call like `add` does)."""
        program = self.folder / name
        program.write_text(
            f"#!{sys.executable}\nimport json, sys\nwith open({str(self.log)!r}, 'a', encoding='utf-8') as "
            f"log:\n    log.write(json.dumps([{name!r}, *sys.argv[1:]]) + '\\n')\n{dedent(body)}",
            encoding="utf-8",
        )
        program.chmod(0o755)
        return program

    def calls(self, name: str | None = None) -> list[list[str]]:
        """Every recorded call as [program, *args], oldest first; only `name`'s when given."""
        if not self.log.is_file():
            return []
        calls = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [call for call in calls if name is None or call[0] == name]


def live_processes_in_group(pgid: int) -> list[int]:
    """Pids of the group's processes that still run (zombies awaiting their reaper do not count).

    The tests' own reading of /proc, kept apart from the panel's `docker.group_alive` that it checks.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


DAEMON_DOWN = (
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"
)


@pytest.fixture
def fake_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    """An empty folder put first on PATH; add programs with `fake_bin.add(...)`."""
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return FakeBin(folder)


# --- Docker's answers
# -------------------------------------------------------------------------------------------

SERVER_ID = "3b49deb970016e664f713252c1891afccfd41c6967923f58c6184940a6dcf635"
"""The container id in `inspect_document`."""


def inspect_document(**changes: Any) -> dict[str, Any]:
    """One `docker inspect` entry, in docker 20.10's shape, of a running single-container Appsmith that
    compose started from /srv/appsmith, with secrets in Config.Env. `changes` replace top-level parts; a fresh
    copy each call."""
    document: dict[str, Any] = {
        "Id": SERVER_ID,
        "Created": "2024-05-01T09:59:58.118046718Z",
        "Path": "/opt/appsmith/entrypoint.sh",
        "State": {
            "Status": "running",
            "Running": True,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": False,
            "Pid": 4242,
            "ExitCode": 0,
            "Error": "",
            "StartedAt": "2024-05-01T10:00:00.123456789Z",
            "FinishedAt": "0001-01-01T00:00:00Z",
            "Health": {"Status": "healthy", "FailingStreak": 0, "Log": []},
        },
        "Name": "/appsmith",
        "RestartCount": 0,
        "Config": {
            "Hostname": "3b49deb97001",
            "ExposedPorts": {"443/tcp": {}, "80/tcp": {}},
            "Env": [
                f"APPSMITH_ENCRYPTION_PASSWORD={ENCRYPTION_PASSWORD}",
                f"APPSMITH_DB_URL=mongodb://appsmith:{MONGO_PASSWORD}@localhost/appsmith",
                f"APPSMITH_MAIL_PASSWORD={MAIL_PASSWORD}",
                "APPSMITH_DISABLE_TELEMETRY=true",
                f"APPSMITH_SUPERVISOR_PASSWORD={SUPERVISOR_PASSWORD}",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ],
            "Image": "index.docker.io/appsmith/appsmith-ee",
            "Labels": {
                "com.docker.compose.config-hash": "5d41402abc4b2a76b9719d911017c592",
                "com.docker.compose.container-number": "1",
                "com.docker.compose.oneoff": "False",
                "com.docker.compose.project": "appsmith",
                "com.docker.compose.project.config_files": "docker-compose.yml",
                "com.docker.compose.project.working_dir": "/srv/appsmith",
                "com.docker.compose.service": "appsmith",
                "com.docker.compose.version": "1.29.2",
            },
        },
        "NetworkSettings": {
            "Ports": {
                "443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "443"}, {"HostIp": "::", "HostPort": "443"}],
                "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "80"}, {"HostIp": "::", "HostPort": "80"}],
                "8091/tcp": None,
            },
        },
    }
    for key, value in changes.items():
        document[key] = value
    return document


# --- Other users
# ----------------------------------------------------------------------------------------------

NOBODY = 65534


@pytest.fixture
def world_tmp() -> Iterator[Path]:
    """A temporary folder (mode 0755) that an unprivileged user can traverse, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="panel-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for child in folder.rglob("*"):
            if child.is_dir() and not child.is_symlink():
                child.chmod(stat.S_IRWXU)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def as_nobody() -> Callable[..., Any]:
    """Call `function(*args)` in a forked child running as uid/gid 65534; return its result or re-raise its
    error.

    Forked, so the child needs no access to the interpreter or the source tree. Skips unless running as root.
    """
    if os.geteuid() != 0:
        pytest.skip("needs root to drop privileges to nobody (as another user the permission cases differ)")

    def run(function: Callable[..., Any], *args: Any) -> Any:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read_end)
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                try:
                    payload = ("ok", function(*args))
                except BaseException as error:
                    payload = ("error", (type(error), str(error), traceback.format_exc()))
                data = pickle.dumps(payload)
            except BaseException as error:
                data = pickle.dumps(("error", (RuntimeError, f"child failed: {error!r}", "")))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        kind, value = pickle.loads(data)
        if kind == "error":
            error_type, message, trace = value
            try:
                raised = error_type(f"{message}\n--- in the child (as nobody) ---\n{trace}")
            except TypeError:
                raised = RuntimeError(f"{error_type.__name__}: {message}\n{trace}")
            raise raised
        return value

    return run


@pytest.fixture
def system_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root-owned stand-in for the system-wide entry point that pkexec may run, in folders only root may
    change (`panel.core.invocation.SYSTEM_PROGRAM` points at it). Skips unless running as root."""
    if os.geteuid() != 0:
        pytest.skip("needs root: only a program that root owns may be run as root")
    from panel.core import invocation

    folder = tmp_path / "system-bin"
    folder.mkdir(mode=0o755)
    program = folder / "appsmith-telemetry-panel"
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setattr(invocation, "SYSTEM_PROGRAM", program)
    return program


def dedent(text: str) -> str:
    """textwrap.dedent, re-exported so tests writing compose files inline read naturally."""
    return textwrap.dedent(text)


STATUS_JSON_KEYS = {
    "deployment",
    "layout",
    "compose_file",
    "env_file",
    "file",
    "override",
    "container",
    "docker_error",
    "server",
    "nginx",
    "verdict",
    "telemetry_on",
    "verified",
    "pending_restart",
    "winner",
    "reason",
    "advice",
    "warnings",
    "version",
    "precedence",
    "egress_block",
}
"""The keys of `status --json`, as the README documents them: a stable contract."""
