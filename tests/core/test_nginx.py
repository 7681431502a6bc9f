"""Tests for the legacy nginx template: the telemetry sub_filter line in both `location /` blocks, and its
fix."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from panel.core.backups import list_backups
from panel.core.change import RefusedError
from panel.core.deployment import load_deployment
from panel.core.nginx import SUB_FILTER_LINE, check_template, fix_template
from panel.core.nginx_fix import prepare_nginx_fix, write_nginx_fix
from tests.conftest import LEGACY_NGINX_TEMPLATE

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
    assert not check.ok
    assert check.missing == ("HTTP", "HTTPS")
    assert "missing from the HTTP and HTTPS 'location /' block" in str(check)


@pytest.mark.parametrize(
    ("blocks", "missing"), [((0, 1), ()), ((0,), ("HTTPS",)), ((1,), ("HTTP",)), ((), ("HTTP", "HTTPS"))]
)
def test_line_in_one_or_both_blocks(blocks: tuple[int, ...], missing: tuple[str, ...]) -> None:
    check = check_template(_with_line(blocks))
    assert check.missing == missing
    assert check.ok is (missing == ())


def test_ok_text() -> None:
    assert (
        str(check_template(_with_line((0, 1))))
        == "The sub_filter line is present in the HTTP and HTTPS 'location /' block."
    )


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
    assert check.ok


def test_no_server_block() -> None:
    check = check_template("events {}\n# server { location / { } }\n")
    assert check.servers == () and not check.ok
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
    assert check_template(template).ok


# --- fix_template
# ---------------------------------------------------------------------------------------------


def test_fix_adds_the_line_after_the_last_sub_filter_of_each_block() -> None:
    fixed = fix_template(LEGACY_NGINX_TEMPLATE)
    assert fixed == _with_line((0, 1))
    assert check_template(fixed).ok


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
    assert check_template(fixed).ok
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
    assert check_template(fixed).ok


def test_fix_a_location_on_one_line() -> None:
    template = "server {\n    listen 80;\n    location / { try_files $uri /index.html =404; }\n}\n"
    fixed = fix_template(template)
    assert check_template(fixed).ok
    assert fix_template(fixed) == fixed


def test_fix_without_a_final_newline() -> None:
    template = LEGACY_NGINX_TEMPLATE.rstrip("\n")
    fixed = fix_template(template)
    assert check_template(fixed).ok
    assert fixed == _with_line((0, 1)).rstrip("\n")


# --- nginx_fix: the write, with the same care as docker.env
# ------------------------------------------------------


def test_prepare_and_write_the_fix(legacy_deployment: Path) -> None:
    deployment = load_deployment(legacy_deployment)
    fix = prepare_nginx_fix(deployment)
    assert fix.changes_file
    added = [line for line in fix.diff().splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+" + LINE.rstrip("\n")] * 2
    backup = write_nginx_fix(fix)
    assert backup is not None and backup.read_text() == LEGACY_NGINX_TEMPLATE
    assert deployment.nginx_template is not None
    assert check_template(deployment.nginx_template.read_text()).ok
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
