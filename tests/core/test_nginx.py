"""Tests for the legacy nginx template: the telemetry sub_filter line in both `location /` blocks, and its
fix."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from panel.core.audit import read_entries
from panel.core.backups import list_backups
from panel.core.change import RefusedError
from panel.core.deployment import load_deployment
from panel.core.nginx import (
    SUB_FILTER_LINE,
    ClientBuild,
    browser_on,
    check_template,
    client_build,
    fix_template,
)
from panel.core.nginx_fix import prepare_nginx_fix, record_nginx_fix, write_nginx_fix
from tests.conftest import LEGACY_NGINX_TEMPLATE, write_legacy_deployment
from tests.wording import wording_problems

LINE = "        " + SUB_FILTER_LINE + "\n"
_LAST_SUB_FILTER = "        sub_filter __APPSMITH_MAIL_ENABLED__ '${APPSMITH_MAIL_ENABLED}';\n"


def _with_line(blocks: tuple[int, ...], template: str = LEGACY_NGINX_TEMPLATE) -> str:
    """The template with the telemetry line added after the last sub_filter of the given `location /`
    blocks."""
    parts = template.split(_LAST_SUB_FILTER)
    assert len(parts) == 3
    out = parts[0]
    for index, rest in enumerate(parts[1:]):
        out += _LAST_SUB_FILTER + (LINE if index in blocks else "") + rest
    return out


def test_realistic_template_lacks_the_line_in_both_blocks() -> None:
    check = check_template(LEGACY_NGINX_TEMPLATE)
    assert [(s.kind, s.has_location, s.has_sub_filter) for s in check.servers] == [
        ("HTTP", True, False),
        ("HTTPS", True, False),
    ]
    assert not check.has_line
    assert check.missing == ("HTTP", "HTTPS")
    assert "missing from the HTTP and HTTPS 'location /' block" in str(check)


@pytest.mark.parametrize(
    ("blocks", "missing"), [((0, 1), ()), ((0,), ("HTTPS",)), ((1,), ("HTTP",)), ((), ("HTTP", "HTTPS"))]
)
def test_line_in_one_or_both_blocks(blocks: tuple[int, ...], missing: tuple[str, ...]) -> None:
    check = check_template(_with_line(blocks))
    assert check.missing == missing
    assert check.has_line is (missing == ())


def test_present_line_text_says_what_it_does_for_which_builds() -> None:
    text = str(check_template(_with_line((0, 1))))
    assert text.startswith("The sub_filter line is present.")
    assert "from v1.6.3 (2021-12-03) the browser follows the server" in text
    assert "keeps sending" not in text, "the old, wrong claim"


@pytest.mark.parametrize(
    "comment",
    [
        "        # " + SUB_FILTER_LINE + "\n",
        "        #" + SUB_FILTER_LINE + "\n",
        "        ### Set this line to disable telemetry: __APPSMITH_DISABLE_TELEMETRY__\n",
        "        sub_filter __APPSMITH_X__ '${APPSMITH_X}'; # __APPSMITH_DISABLE_TELEMETRY__\n",
    ],
)
def test_comments_containing_the_marker_do_not_count(comment: str) -> None:
    template = LEGACY_NGINX_TEMPLATE.replace(_LAST_SUB_FILTER, _LAST_SUB_FILTER + comment)
    assert check_template(template).missing == ("HTTP", "HTTPS")


def test_marker_outside_the_root_location_does_not_count() -> None:
    template = LEGACY_NGINX_TEMPLATE.replace(
        "    location /api {\n        proxy_pass http://appsmith-internal-server:8080;\n",
        "    location /api {\n        proxy_pass http://appsmith-internal-server:8080;\n" + LINE,
    )
    template = template.replace("    gzip on;\n", "    gzip on;\n    " + SUB_FILTER_LINE + "\n")
    assert check_template(template).missing == ("HTTP", "HTTPS")


def test_commented_out_https_server_is_not_a_server() -> None:
    """install.sh comments the HTTPS block out (`$NGINX_SSL_CMNT` = `#`) when there is no custom domain."""
    http_only, https = _with_line((0,)).split("\n server {", 1)
    commented = "\n".join("#" + line for line in (" server {" + https).splitlines()) + "\n"
    template = http_only + "\n" + commented
    check = check_template(template)
    assert [s.kind for s in check.servers] == ["HTTP"]
    assert check.has_line


def test_no_server_block() -> None:
    check = check_template("events {}\n# server { location / { } }\n")
    assert check.servers == () and not check.has_line
    assert str(check) == "No server block with 'location /' was found in the nginx template."


@pytest.mark.parametrize(
    ("listen", "kind"),
    [
        ("listen 80;", "HTTP"),
        ("listen 443 ssl;", "HTTPS"),
        ("listen [::]:443 ssl http2;", "HTTPS"),
        ("listen 8443 ssl;", "HTTPS"),
        ("listen 8080;", "HTTP"),
    ],
)
def test_server_kind(listen: str, kind: str) -> None:
    template = f"server {{\n    {listen}\n    location / {{\n        {SUB_FILTER_LINE}\n    }}\n}}\n"
    [server] = check_template(template).servers
    assert server.kind == kind and server.has_sub_filter


def test_braces_and_quotes_inside_strings_and_comments_do_not_confuse_the_scanner() -> None:
    template = (
        "server {\n    listen 80;\n    # a comment with a brace }\n    add_header X-Note 'curly } in a "
        "string';\n"
        '    location / {\n        return 200 "{ not a block }";\n'
        f"        {SUB_FILTER_LINE}\n    }}\n}}\n"
    )
    assert check_template(template).has_line


# --- fix_template
# ---------------------------------------------------------------------------------------------


def test_fix_adds_the_line_after_the_last_sub_filter_of_each_block() -> None:
    fixed = fix_template(LEGACY_NGINX_TEMPLATE)
    assert fixed == _with_line((0, 1))
    assert check_template(fixed).has_line


def test_fix_changes_nothing_else() -> None:
    fixed = fix_template(LEGACY_NGINX_TEMPLATE)
    diff = [
        line
        for line in difflib.ndiff(LEGACY_NGINX_TEMPLATE.splitlines(), fixed.splitlines())
        if line[:1] in "+-"
    ]
    assert diff == ["+ " + LINE.rstrip("\n")] * 2


@pytest.mark.parametrize("blocks", [(0,), (1,)])
def test_fix_adds_only_the_missing_one(blocks: tuple[int, ...]) -> None:
    assert fix_template(_with_line(blocks)) == _with_line((0, 1))


def test_fix_is_idempotent() -> None:
    once = fix_template(LEGACY_NGINX_TEMPLATE)
    assert fix_template(once) == once
    assert fix_template(_with_line((0, 1))) == _with_line((0, 1))


def test_fix_keeps_crlf_without_mixing_line_endings() -> None:
    crlf = LEGACY_NGINX_TEMPLATE.replace("\n", "\r\n")
    fixed = fix_template(crlf)
    assert fixed.count("\n") == fixed.count("\r\n")
    assert fixed == _with_line((0, 1)).replace("\n", "\r\n")
    assert check_template(fixed).has_line
    assert fix_template(fixed) == fixed


def test_fix_a_location_without_any_sub_filter() -> None:
    template = (
        "server {\n    listen 80;\n    location / {\n      try_files $uri /index.html =404;\n    }\n}\n"
    )
    fixed = fix_template(template)
    assert fixed == (
        "server {\n    listen 80;\n    location / {\n      try_files $uri /index.html =404;\n"
        f"      {SUB_FILTER_LINE}\n    }}\n}}\n"
    )
    assert check_template(fixed).has_line


def test_fix_a_location_on_one_line() -> None:
    template = "server {\n    listen 80;\n    location / { try_files $uri /index.html =404; }\n}\n"
    fixed = fix_template(template)
    assert check_template(fixed).has_line
    assert fix_template(fixed) == fixed


def test_fix_without_a_final_newline() -> None:
    template = LEGACY_NGINX_TEMPLATE.rstrip("\n")
    fixed = fix_template(template)
    assert check_template(fixed).has_line
    assert fixed == _with_line((0, 1)).rstrip("\n")


# --- nginx_fix: the write, with the same care as docker.env
# ------------------------------------------------------


def test_prepare_and_write_the_fix(legacy_deployment: Path) -> None:
    deployment = load_deployment(legacy_deployment)
    fix = prepare_nginx_fix(deployment)
    assert fix.changes_file
    added = [line for line in fix.diff().splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+" + LINE.rstrip("\n")] * 2
    assert fix.env_change is None, "docker.env already sets an explicit value"
    written = write_nginx_fix(fix)
    assert written is not None and written.env_backup is None
    backup = written.template_backup
    assert backup is not None and backup.read_text() == LEGACY_NGINX_TEMPLATE
    assert deployment.nginx_template is not None
    assert check_template(deployment.nginx_template.read_text()).has_line
    assert [b.path for b in list_backups(deployment.nginx_template)] == [backup]
    again = prepare_nginx_fix(deployment)
    assert not again.changes_file and again.diff() == ""
    assert write_nginx_fix(again) is None


def test_fix_refused_for_the_single_layout(single_deployment: Path) -> None:
    with pytest.raises(RefusedError, match="single-container"):
        prepare_nginx_fix(load_deployment(single_deployment))


def test_fix_refused_without_the_template(legacy_deployment: Path) -> None:
    (legacy_deployment / "data" / "nginx" / "app.conf.template").unlink()
    with pytest.raises(RefusedError, match="does not exist"):
        prepare_nginx_fix(load_deployment(legacy_deployment))


def test_fix_refused_for_a_template_that_is_not_utf8(legacy_deployment: Path) -> None:
    template = legacy_deployment / "data" / "nginx" / "app.conf.template"
    template.write_bytes(LEGACY_NGINX_TEMPLATE.encode() + b"# caf\xe9\n")
    with pytest.raises(RefusedError, match="UTF-8"):
        prepare_nginx_fix(load_deployment(legacy_deployment))
    assert template.read_bytes().endswith(b"# caf\xe9\n")


# --- what the line does, against Appsmith's own templates (tests/fixtures/appsmith, made by running them) ---

FIXTURES = Path(__file__).parent.parent / "fixtures" / "appsmith"


def _template(commit: str) -> str:
    return (FIXTURES / "nginx" / f"app.conf.template.{commit}").read_text(encoding="utf-8")


def _legacy_env(commit: str) -> str:
    return (FIXTURES / "legacy-docker-env" / f"docker.env.{commit}").read_text(encoding="utf-8")


def test_fixtures_name_their_source() -> None:
    for fixture in sorted(FIXTURES.glob("*/*.*")):
        first = fixture.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Fixture: appsmithorg/appsmith deploy/template/"), fixture
        assert " @ " in first and "(" in first, fixture


@pytest.mark.parametrize(
    ("commit", "has_line", "final"),
    [
        ("868757155a", False, False),  # 2020-09: before the line existed
        ("e411df0a64", True, False),  # 2020-11-11: added
        ("4938371566", True, False),
        ("bb4ca19179", True, False),  # 2023-02-07: the last with it
        ("12cf30687f", False, True),  # 2023-02-15: removed (#20624)
        ("7558df366e", False, True),  # 2023-04-30: the last template
    ],
)
def test_appsmith_templates(commit: str, has_line: bool, final: bool) -> None:
    check = check_template(_template(commit))
    assert [server.kind for server in check.servers] == ["HTTP", "HTTPS"]
    assert (check.has_line, check.final_template) == (has_line, final)
    if final:
        assert not check.line_needed and check.ok
        assert "removed the line" in str(check)
        assert wording_problems(str(check)) == [], "the layers view shows it: no PR number or API path"


@pytest.mark.parametrize(
    ("build", "line", "value", "on"),
    [
        # no line: the placeholder stays in the page, which every modelled build reads as disabled
        (ClientBuild.EMPTY_IS_DISABLED, False, "false", False),
        (ClientBuild.EMPTY_IS_ENABLED, False, "false", False),
        (ClientBuild.EMPTY_IS_ENABLED, False, None, False),
        # v1.2.17 to v1.2.21 (e411df0): "" and "true" disable
        (ClientBuild.EMPTY_IS_DISABLED, True, None, False),
        (ClientBuild.EMPTY_IS_DISABLED, True, "true", False),
        (ClientBuild.EMPTY_IS_DISABLED, True, "false", True),
        # v1.2.22 to v1.6.2 (6a3b3c7): "" and "false" enable; "true" or other text disables
        (ClientBuild.EMPTY_IS_ENABLED, True, None, True),
        (ClientBuild.EMPTY_IS_ENABLED, True, "false", True),
        (ClientBuild.EMPTY_IS_ENABLED, True, " FALSE ", True),
        (ClientBuild.EMPTY_IS_ENABLED, True, "true", False),
        (ClientBuild.EMPTY_IS_ENABLED, True, "off", False),
        # v1.6.3 on (77caf4c): the page's value is not read
        (ClientBuild.FOLLOWS_SERVER, True, None, None),
        (ClientBuild.FOLLOWS_SERVER, False, "false", None),
    ],
)
def test_browser_reads_the_page_as_its_build_does(
    build: ClientBuild, line: bool, value: str | None, on: bool | None
) -> None:
    assert browser_on(build, line, value) is on


@pytest.mark.parametrize(
    ("tag", "build"),
    [
        ((1, 2, 21), ClientBuild.EMPTY_IS_DISABLED),
        ((1, 2, 22), ClientBuild.EMPTY_IS_ENABLED),
        ((1, 6, 2), ClientBuild.EMPTY_IS_ENABLED),
        ((1, 6, 3), ClientBuild.FOLLOWS_SERVER),
        ((1, 2, 16), ClientBuild.EARLY),
        (None, ClientBuild.UNKNOWN),
    ],
)
def test_client_build_by_release(tag: tuple[int, ...] | None, build: ClientBuild) -> None:
    assert client_build(tag) is build


def test_the_line_without_the_variable_turns_the_browser_on() -> None:
    """A 2020 install (no variable in docker.env) that added the line as the 2020 docs asked: builds v1.2.22
    to v1.6.2 read the empty substitution as enabled, while the server's default is off."""
    check = check_template(_template("e411df0a64")).with_context(ClientBuild.UNKNOWN, "no tag", True, None)
    assert not check.ok
    assert check.disagreeing_builds() == (ClientBuild.EMPTY_IS_ENABLED,)
    assert "substitutes an empty string" in str(check) and "explicit value" in str(check)
    explicit = check.with_context(ClientBuild.UNKNOWN, "no tag", True, "true")
    assert explicit.ok


def test_no_line_is_not_a_leak() -> None:
    """Without the line the browser sends nothing on builds that read it; with telemetry off that is what the
    server does too, so there is nothing to fix."""
    check = check_template(_template("868757155a")).with_context(ClientBuild.UNKNOWN, "no tag", True, "true")
    assert check.ok and not check.has_line
    enabled = check.with_context(ClientBuild.EMPTY_IS_ENABLED, "v1.5", True, "false")
    assert not enabled.ok and "sends nothing" in str(enabled)


def test_a_build_that_follows_the_server_makes_the_line_unnecessary() -> None:
    check = check_template(_template("868757155a")).with_context(
        ClientBuild.FOLLOWS_SERVER, "v1.9", True, None
    )
    assert check.ok and not check.line_needed
    assert "unnecessary" in str(check) and wording_problems(str(check)) == []


def _legacy_from_templates(tmp_path: Path, template: str, env: str, image: str | None = None) -> Path:
    folder = write_legacy_deployment(tmp_path / "legacy", docker_env=env, nginx_template=template)
    if image is not None:
        compose = folder / "docker-compose.yml"
        compose.write_text(
            compose.read_text().replace("index.docker.io/appsmith/appsmith-server:latest", image)
        )
    return folder


def test_fix_writes_an_explicit_value_with_the_line(tmp_path: Path) -> None:
    """A 2020-09 install: no line, no variable. The line is never added without an explicit value."""
    env = _legacy_env("868757155a")
    folder = _legacy_from_templates(tmp_path, _template("868757155a"), env)
    deployment = load_deployment(folder)
    fix = prepare_nginx_fix(deployment)
    assert fix.changes_template and fix.env_change is not None
    diff = fix.diff()
    assert diff.count("+        " + SUB_FILTER_LINE) == 2 and "+APPSMITH_DISABLE_TELEMETRY=true" in diff
    written = write_nginx_fix(fix)
    assert written is not None and written.env_backup is not None and written.template_backup is not None
    after = (folder / "docker.env").read_text()
    assert after.startswith(env) and after[len(env) :].strip() == "APPSMITH_DISABLE_TELEMETRY=true"
    assert written.env_backup.read_text() == env
    assert check_template((folder / "data/nginx/app.conf.template").read_text()).has_line


def test_a_written_fix_is_recorded_once_for_both_faces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI and the window record a fix through one function: the value and the line, each with its
    backup; a log that cannot be written comes back as warnings, the files stay written."""
    folder = _legacy_from_templates(tmp_path, _template("868757155a"), _legacy_env("868757155a"))
    fix = prepare_nginx_fix(load_deployment(folder))
    written = write_nginx_fix(fix)
    assert written is not None
    log = tmp_path / "audit.log"
    monkeypatch.setenv("APPSMITH_PANEL_AUDIT_LOG", str(log))
    assert record_nginx_fix(fix, written) == []
    entries = read_entries(log)
    assert [(entry.action, Path(entry.file).name, entry.new) for entry in entries] == [
        ("fix-nginx", "docker.env", "true"),
        ("fix-nginx", "app.conf.template", "sub_filter added"),
    ]
    assert [entry.backup for entry in entries] == [str(written.env_backup), str(written.template_backup)]
    monkeypatch.setenv("APPSMITH_PANEL_AUDIT_LOG", str(tmp_path / "missing-folder" / "x" / "audit.log"))
    (tmp_path / "missing-folder").write_text("a file where the log's folder should be")
    assert len(record_nginx_fix(fix, written)) == 2


def test_fix_with_the_line_and_no_variable_writes_only_the_value(tmp_path: Path) -> None:
    folder = _legacy_from_templates(tmp_path, _template("e411df0a64"), _legacy_env("868757155a"))
    fix = prepare_nginx_fix(load_deployment(folder))
    assert not fix.changes_template and fix.env_change is not None and fix.changes_file


def test_fix_never_re_adds_the_line_to_the_final_template(tmp_path: Path) -> None:
    template = _template("7558df366e")
    folder = _legacy_from_templates(tmp_path, template, _legacy_env("7558df366e"))
    with pytest.raises(RefusedError, match="removed the sub_filter line on 2023-02-15") as refusal:
        prepare_nginx_fix(load_deployment(folder))
    assert wording_problems(str(refusal.value)) == []
    assert (folder / "data/nginx/app.conf.template").read_text() == template


def test_fix_refused_when_the_build_follows_the_server(tmp_path: Path) -> None:
    folder = _legacy_from_templates(
        tmp_path, _template("868757155a"), _legacy_env("868757155a"), "appsmith/appsmith-server:v1.6.3"
    )
    with pytest.raises(RefusedError, match="unnecessary"):
        prepare_nginx_fix(load_deployment(folder))


def test_fix_refused_for_an_invalid_value(tmp_path: Path) -> None:
    env = _legacy_env("e411df0a64").replace(
        "APPSMITH_DISABLE_TELEMETRY=true", "APPSMITH_DISABLE_TELEMETRY=maybe"
    )
    folder = _legacy_from_templates(tmp_path, _template("868757155a"), env)
    with pytest.raises(RefusedError, match="Enable or Disable"):
        prepare_nginx_fix(load_deployment(folder))


def test_a_comment_above_a_server_block_does_not_hide_it() -> None:
    """Found with Appsmith's own templates behind a header comment: the comment became part of the block's
    header, so the HTTP server was not seen at all."""
    template = "# written by install.sh\n# HTTP\n" + _with_line((0, 1))
    assert [server.kind for server in check_template(template).servers] == ["HTTP", "HTTPS"]
