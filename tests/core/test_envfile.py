"""Tests for env-file reading and editing: Spring's boolean rules, and edits that keep every other byte."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panel.core.envfile import (
    BOM,
    TELEMETRY_KEY,
    EnvEncodingError,
    EnvText,
    SwitchState,
    classify,
    masked_diff,
)
from panel.core.secrets import MASK
from tests.conftest import SECRET_VALUES, SINGLE_DOCKER_ENV, assert_no_secret

K = TELEMETRY_KEY


# --- Classification, as Spring's StringToBooleanConverter binds `disable.telemetry`
# ---------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "true",
        "TRUE",
        "True",
        "on",
        "ON",
        "yes",
        "Yes",
        "YES",
        "1",
        " true",
        "true ",
        "\ttrue\t",
        " On ",
        "\n1\n",
        " yes\r",
    ],
)
def test_spring_true_words_mean_disabled(raw: str) -> None:
    assert classify(raw) is SwitchState.DISABLED
    assert classify(raw).telemetry_on is False


@pytest.mark.parametrize(
    "raw", ["false", "FALSE", "False", "off", "OFF", "no", "No", "0", " false ", "\tOff", "NO\n"]
)
def test_spring_false_words_mean_enabled(raw: str) -> None:
    assert classify(raw) is SwitchState.ENABLED
    assert classify(raw).telemetry_on is True


def test_unset_means_the_server_default_which_is_disabled() -> None:
    assert classify(None) is SwitchState.UNSET
    assert SwitchState.UNSET.telemetry_on is False


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "\t",
        "2",
        "-1",
        "01",
        "+1",
        "y",
        "n",
        "t",
        "f",
        "tru",
        "truee",
        "true false",
        "enabled",
        "disabled",
        "disable",
        "'true'",
        '"false"',
        "none",
        "null",
        "yes!",
        "o n",
    ],
)
def test_anything_else_is_invalid_and_never_guessed(raw: str) -> None:
    assert classify(raw) is SwitchState.INVALID
    assert classify(raw).telemetry_on is None


@pytest.mark.parametrize("raw", ["\u00a0true", "true\u00a0", "\u2003false", "false\u3000", "\u2028yes"])
def test_only_java_trim_whitespace_is_trimmed(raw: str) -> None:
    """Java's String.trim() removes only characters up to U+0020: a no-break space makes the value
    unbindable."""
    assert classify(raw) is SwitchState.INVALID


@pytest.mark.parametrize("raw", ["\x1ftrue", "false\x0b", "\x0cno\x1c"])
def test_control_characters_that_java_trims_are_trimmed(raw: str) -> None:
    assert classify(raw) is not SwitchState.INVALID


@pytest.mark.parametrize(
    ("text", "state", "raw"),
    [
        (b"APPSMITH_DISABLE_TELEMETRY=true\n", SwitchState.DISABLED, "true"),
        (b"APPSMITH_DISABLE_TELEMETRY=false\n", SwitchState.ENABLED, "false"),
        (b"APPSMITH_DISABLE_TELEMETRY=\n", SwitchState.INVALID, ""),
        (b"APPSMITH_DISABLE_TELEMETRY\n", SwitchState.INVALID, None),
        (b"APPSMITH_DISABLE_TELEMETRY # bare key, no '='\n", SwitchState.INVALID, None),
        (b"A=1\n", SwitchState.UNSET, None),
        (b"", SwitchState.UNSET, None),
        (b"#APPSMITH_DISABLE_TELEMETRY=true\n", SwitchState.UNSET, None),
        (b"APPSMITH_DISABLE_TELEMETRY_X=true\n", SwitchState.UNSET, None),
        (b"appsmith_disable_telemetry=true\n", SwitchState.UNSET, None),
        (b"export APPSMITH_DISABLE_TELEMETRY='On' # ops\n", SwitchState.DISABLED, "On"),
        (b'APPSMITH_DISABLE_TELEMETRY=" no "\n', SwitchState.ENABLED, " no "),
        (b"APPSMITH_DISABLE_TELEMETRY=maybe\n", SwitchState.INVALID, "maybe"),
    ],
)
def test_reading_from_a_file(text: bytes, state: SwitchState, raw: str | None) -> None:
    reading = EnvText.parse(text).reading()
    assert reading.state is state
    assert reading.raw == raw


def test_bare_key_is_an_occurrence_with_no_value() -> None:
    reading = EnvText.parse(b"A=1\nAPPSMITH_DISABLE_TELEMETRY\n").reading()
    assert [(o.line, o.raw) for o in reading.occurrences] == [(2, None)]
    assert reading.state is SwitchState.INVALID


# --- Duplicates: the last one wins
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_duplicates_report_every_line_and_the_last_wins(newline: str) -> None:
    text = newline.join(
        [
            "# header",
            "A=1",
            f"{K}=true",
            "",
            "# again:",
            'NOTE="two',
            'lines"',
            f"{K}=false",
            "B=2",
            "",
        ]
    )
    parsed = EnvText.parse(text.encode())
    reading = parsed.reading()
    assert [(o.line, o.raw) for o in reading.occurrences] == [(3, "true"), (8, "false")]
    assert reading.duplicated
    assert reading.line == 8
    assert reading.raw == "false"
    assert reading.state is SwitchState.ENABLED
    assert parsed.duplicates() == {K: [3, 8]}


def test_duplicate_where_the_last_is_invalid_is_invalid() -> None:
    reading = EnvText.parse(f"{K}=true\n{K}=\n".encode()).reading()
    assert reading.state is SwitchState.INVALID


def test_no_duplicates_reported_for_distinct_keys() -> None:
    assert EnvText.parse(SINGLE_DOCKER_ENV.encode()).duplicates() == {}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_after_an_unparsable_line(newline: str) -> None:
    """python-dotenv resumes after a bad line at the `\\r` of a CRLF; the numbering must not drift."""
    text = newline.join(["not a valid line", f"{K}=false", "this is bad too", f"{K}=true", ""])
    parsed = EnvText.parse(text.encode())
    assert parsed.unparsed_lines() == [1, 3]
    assert [o.line for o in parsed.reading().occurrences] == [2, 4]


# --- with_value: every other byte survives
# -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            b"A=1\nAPPSMITH_DISABLE_TELEMETRY=false\nB=2\n",
            b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true\nB=2\n",
            id="lf",
        ),
        pytest.param(
            b"A=1\r\nAPPSMITH_DISABLE_TELEMETRY=false\r\nB=2\r\n",
            b"A=1\r\nAPPSMITH_DISABLE_TELEMETRY=true\r\nB=2\r\n",
            id="crlf",
        ),
        pytest.param(
            b"A=1\rAPPSMITH_DISABLE_TELEMETRY=false\rB=2\r",
            b"A=1\rAPPSMITH_DISABLE_TELEMETRY=true\rB=2\r",
            id="cr-only",
        ),
        pytest.param(
            BOM + b"APPSMITH_DISABLE_TELEMETRY=false\nB=2\n",
            BOM + b"APPSMITH_DISABLE_TELEMETRY=true\nB=2\n",
            id="bom",
        ),
        pytest.param(
            b"A=1\nAPPSMITH_DISABLE_TELEMETRY=false",
            b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true",
            id="no-final-newline",
        ),
        pytest.param(
            b"export APPSMITH_DISABLE_TELEMETRY=false\n",
            b"export APPSMITH_DISABLE_TELEMETRY=true\n",
            id="export",
        ),
        pytest.param(
            b"APPSMITH_DISABLE_TELEMETRY='false'\n", b"APPSMITH_DISABLE_TELEMETRY=true\n", id="single-quoted"
        ),
        pytest.param(
            b'APPSMITH_DISABLE_TELEMETRY="false"\n', b"APPSMITH_DISABLE_TELEMETRY=true\n", id="double-quoted"
        ),
        pytest.param(
            b"APPSMITH_DISABLE_TELEMETRY=false # set by ops, ticket 42\n",
            b"APPSMITH_DISABLE_TELEMETRY=true # set by ops, ticket 42\n",
            id="inline-comment",
        ),
        pytest.param(
            b"APPSMITH_DISABLE_TELEMETRY='false'  # quoted, then a comment\n",
            b"APPSMITH_DISABLE_TELEMETRY=true  # quoted, then a comment\n",
            id="quoted-inline-comment",
        ),
        pytest.param(
            b"APPSMITH_DISABLE_TELEMETRY=\n", b"APPSMITH_DISABLE_TELEMETRY=true\n", id="empty-value"
        ),
        pytest.param(
            b"A=1\nAPPSMITH_DISABLE_TELEMETRY\nB=2\n",
            b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true\nB=2\n",
            id="bare-key",
        ),
        pytest.param(
            b"APPSMITH_DISABLE_TELEMETRY   # no value yet\n",
            b"APPSMITH_DISABLE_TELEMETRY=true   # no value yet\n",
            id="bare-key-comment",
        ),
        pytest.param(
            b"export APPSMITH_DISABLE_TELEMETRY",
            b"export APPSMITH_DISABLE_TELEMETRY=true",
            id="bare-export-no-newline",
        ),
        pytest.param(
            b"  APPSMITH_DISABLE_TELEMETRY = false  \n",
            b"  APPSMITH_DISABLE_TELEMETRY =true  \n",
            id="spaces",
        ),
        pytest.param(
            b'APPSMITH_DISABLE_TELEMETRY=no\n#x\nAPPSMITH_DISABLE_TELEMETRY="0"\n',
            b"APPSMITH_DISABLE_TELEMETRY=true\n#x\nAPPSMITH_DISABLE_TELEMETRY=true\n",
            id="duplicates",
        ),
        pytest.param(b"A=1\n", b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true\n", id="absent-lf"),
        pytest.param(b"A=1\r\n", b"A=1\r\nAPPSMITH_DISABLE_TELEMETRY=true\r\n", id="absent-crlf"),
        pytest.param(b"A=1\r", b"A=1\rAPPSMITH_DISABLE_TELEMETRY=true\r", id="absent-cr"),
        pytest.param(b"A=1", b"A=1\nAPPSMITH_DISABLE_TELEMETRY=true\n", id="absent-no-final-newline"),
        pytest.param(
            b"A=1\r\nB=2",
            b"A=1\r\nB=2\r\nAPPSMITH_DISABLE_TELEMETRY=true\r\n",
            id="absent-crlf-no-final-newline",
        ),
        pytest.param(
            b"A=1\rB=2", b"A=1\rB=2\rAPPSMITH_DISABLE_TELEMETRY=true\r", id="absent-cr-no-final-newline"
        ),
        pytest.param(b"", b"APPSMITH_DISABLE_TELEMETRY=true\n", id="empty-file"),
        pytest.param(BOM, BOM + b"APPSMITH_DISABLE_TELEMETRY=true\n", id="bom-only"),
        pytest.param(
            BOM + b"A=1\r\n", BOM + b"A=1\r\nAPPSMITH_DISABLE_TELEMETRY=true\r\n", id="absent-bom-crlf"
        ),
        pytest.param(
            b"APPSMITH_DISABLE_TELEMETRY_OLD=false\nXAPPSMITH_DISABLE_TELEMETRY=false\n"
            b"#APPSMITH_DISABLE_TELEMETRY=false\n",
            b"APPSMITH_DISABLE_TELEMETRY_OLD=false\nXAPPSMITH_DISABLE_TELEMETRY=false\n"
            b"#APPSMITH_DISABLE_TELEMETRY=false\nAPPSMITH_DISABLE_TELEMETRY=true\n",
            id="near-miss-keys",
        ),
        pytest.param(
            b'NOTE="first\nAPPSMITH_DISABLE_TELEMETRY=false\n"\n',
            b'NOTE="first\nAPPSMITH_DISABLE_TELEMETRY=false\n"\nAPPSMITH_DISABLE_TELEMETRY=true\n',
            id="key-inside-another-value",
        ),
        pytest.param(
            "CAFÉ=crème brûlée\nAPPSMITH_DISABLE_TELEMETRY=false\n".encode(),
            "CAFÉ=crème brûlée\nAPPSMITH_DISABLE_TELEMETRY=true\n".encode(),
            id="non-ascii",
        ),
    ],
)
def test_with_value_changes_only_the_value(before: bytes, after: bytes) -> None:
    assert EnvText.parse(before).with_value(K, "true") == after


def test_with_value_writes_the_canonical_unquoted_value() -> None:
    new = EnvText.parse(b"APPSMITH_DISABLE_TELEMETRY='yes'\n").with_value(K, "false")
    assert new == b"APPSMITH_DISABLE_TELEMETRY=false\n"
    assert EnvText.parse(new).reading().state is SwitchState.ENABLED


def test_with_value_on_the_realistic_file_changes_exactly_one_line() -> None:
    old = SINGLE_DOCKER_ENV.encode()
    new = EnvText.parse(old).with_value(K, "true")
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert changed == [(b"APPSMITH_DISABLE_TELEMETRY=false\n", b"APPSMITH_DISABLE_TELEMETRY=true\n")]


def test_text_round_trips_exactly() -> None:
    data = BOM + b"# c\r\n\r\nexport A='x'  # y\r\nB=\"multi\r\nline\"\r\nnot valid\r\nC"
    parsed = EnvText.parse(data)
    assert parsed.bom
    assert BOM + parsed.text.encode() == data


def test_newline_style_is_the_files_first() -> None:
    assert EnvText.parse(b"A=1\r\nB=2\n").newline == "\r\n"
    assert EnvText.parse(b"A=1\rB=2\r").newline == "\r"
    assert EnvText.parse(b"A=1").newline == "\n"


# --- Encoding
# -------------------------------------------------------------------------------------------------


def test_non_utf8_is_read_but_never_written() -> None:
    data = b"APPSMITH_MAIL_FROM=caf\xe9@example.com\nAPPSMITH_DISABLE_TELEMETRY=false\n"
    parsed = EnvText.parse(data)
    assert not parsed.decodable
    assert parsed.reading().state is SwitchState.ENABLED
    with pytest.raises(EnvEncodingError):
        parsed.with_value(K, "true")


def test_env_encoding_error_is_a_value_error() -> None:
    assert issubclass(EnvEncodingError, ValueError)


# --- Masking
# ----------------------------------------------------------------------------------------------------

_SECRET_KEYS_IN_FIXTURE = (
    "APPSMITH_OAUTH2_GOOGLE_CLIENT_SECRET",
    "APPSMITH_MAIL_PASSWORD",
    "APPSMITH_RECAPTCHA_SECRET_KEY",
    "APPSMITH_DB_URL",
    "APPSMITH_MONGODB_PASSWORD",
    "APPSMITH_REDIS_URL",
    "APPSMITH_ENCRYPTION_PASSWORD",
    "APPSMITH_ENCRYPTION_SALT",
    "APPSMITH_SUPERVISOR_PASSWORD",
    "APPSMITH_MCP_INTERNAL_SECRET",
    "HTTP_PROXY",
    "APPSMITH_RECAPTCHA_SITE_KEY",  # public by design, but any KEY is treated as secret
)


def test_masked_text_masks_every_secret_binding_and_nothing_else() -> None:
    masked = EnvText.parse(SINGLE_DOCKER_ENV.encode()).masked_text()
    masked_lines = masked.splitlines()
    original_lines = SINGLE_DOCKER_ENV.splitlines()
    assert len(masked_lines) == len(original_lines)
    for before, after in zip(original_lines, masked_lines, strict=True):
        key = before.partition("=")[0]
        if key in _SECRET_KEYS_IN_FIXTURE:
            assert after == f"{key}={MASK}", key
        elif not before.startswith("#"):
            assert after == before
    for line in (
        "APPSMITH_MAIL_HOST=smtp.example.com",
        "APPSMITH_DISABLE_TELEMETRY=false",
        "APPSMITH_MONGODB_USER=appsmith",
        "APPSMITH_ALLOWED_FRAME_ANCESTORS=\"'self' *\"",
    ):
        assert line in masked_lines


def test_masked_text_hides_secrets_in_commented_out_lines() -> None:
    """Appsmith's own template has `#APPSMITH_DB_URL=postgresql://appsmith:<generated password>@...`."""
    masked = EnvText.parse(SINGLE_DOCKER_ENV.encode()).masked_text()
    assert_no_secret(masked)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("APPSMITH_ENCRYPTION_PASSWORD='quoted secret value'", "quoted secret value"),
        ('APPSMITH_ENCRYPTION_SALT="double quoted salt"  # comment', "double quoted salt"),
        ("export APPSMITH_MAIL_PASSWORD=exported-secret", "exported-secret"),
        ("APPSMITH_MONGODB_URI=mongodb+srv://root:hunter2@cluster0.example.net/appsmith", "hunter2"),
        ("SOME_WEBHOOK=https://bot:webhookpass@hooks.example.com/x", "webhookpass"),
        ("APPSMITH_SOMETHING_TOKEN=tok-123", "tok-123"),
        ("APPSMITH_LICENSE_KEY=lic-456", "lic-456"),
        ("APPSMITH_CUSTOM_SECRET='multi\nline secret'", "line secret"),
        ("APPSMITH_OAUTH2_OIDC_CLIENT_SECRET=oidc-789", "oidc-789"),
    ],
)
def test_masked_text_hides_each_kind_of_secret(line: str, secret: str) -> None:
    masked = EnvText.parse(f"A=1\n{line}\nB=2\n".encode()).masked_text()
    assert secret not in masked
    assert MASK in masked
    assert masked.startswith("A=1\n") and masked.endswith("\nB=2\n")


def test_unparsable_line_that_looks_secret_is_hidden_whole() -> None:
    masked = EnvText.parse(b"A=1\nAPPSMITH_ENCRYPTION_PASSWORD='unterminated s3cret\nB=2\n").masked_text()
    assert "s3cret" not in masked
    assert masked.startswith("A=1\n") and masked.endswith("B=2\n")


def test_masked_diff_shows_only_the_telemetry_lines_and_no_secret() -> None:
    old = SINGLE_DOCKER_ENV.encode()
    new = EnvText.parse(old).with_value(K, "true")
    diff = masked_diff(old, new, "docker.env")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [f"-{K}=false", f"+{K}=true"]
    assert "docker.env (now)" in diff and "docker.env (after)" in diff
    assert_no_secret(diff)


def test_masked_diff_masks_secrets_in_the_context_lines() -> None:
    old = (
        f"APPSMITH_ENCRYPTION_PASSWORD={SECRET_VALUES[1]}\n{K}=false\n"
        f"APPSMITH_DB_URL=mongodb://appsmith:{SECRET_VALUES[0]}@localhost/appsmith\n"
    ).encode()
    diff = masked_diff(old, EnvText.parse(old).with_value(K, "true"), "docker.env")
    assert f" APPSMITH_ENCRYPTION_PASSWORD={MASK}\n" in diff
    assert f" APPSMITH_DB_URL={MASK}\n" in diff
    assert_no_secret(diff)


def test_masked_diff_marks_a_missing_final_newline() -> None:
    old = f"A=1\n{K}=false".encode()
    diff = masked_diff(old, EnvText.parse(old).with_value(K, "true"), "docker.env")
    assert diff.endswith(
        f"-{K}=false\n\\ No newline at end of file\n+{K}=true\n\\ No newline at end of file\n"
    )


def test_masked_diff_of_identical_files_is_empty() -> None:
    data = SINGLE_DOCKER_ENV.encode()
    assert masked_diff(data, data, "docker.env") == ""


# --- Property tests: with_value on generated files
# -------------------------------------------------------------

SPRING_WORDS = ["true", "false", "TRUE", "False", "on", "off", "yes", "no", "1", "0", "On"]
_VALUE_CHARS = st.sampled_from(list("abcxyzABCXYZ0189 _-.,:;/@=+%&*!?()[]{}<>~#$éü日€"))
_KEY_START = st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcxyz"))
_KEY_REST = st.text(st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789abc")), max_size=14)


@dataclass(frozen=True)
class Chunk:
    """One generated logical line (a multi-line quoted value spans several physical lines)."""

    text: str
    """Without its line break."""
    telemetry: bool = False
    edited_template: str = ""
    """For a telemetry line: the expected text after the edit, with `{v}` where the new value goes."""


def _unquoted(draw: st.DrawFn) -> str:
    text = draw(st.text(_VALUE_CHARS, max_size=12)).strip()
    text = re.sub(r"\s+#", "#", text)  # ` #` would start an inline comment
    return text.lstrip("'\"")


@st.composite
def other_binding(draw: st.DrawFn, newline: str) -> Chunk:
    key = draw(
        st.builds(str.__add__, _KEY_START, _KEY_REST)
        | st.sampled_from([K + "_OLD", "X" + K, K.lower(), "APPSMITH_ENCRYPTION_PASSWORD", "APPSMITH_DB_URL"])
    )
    if key == K:
        key = key + "2"
    kind = draw(st.sampled_from(["unquoted", "single", "double", "multiline", "bare", "empty"]))
    lead = draw(st.sampled_from(["", "", "  ", "export "]))
    if kind == "bare":
        return Chunk(f"{lead}{key}")
    if kind == "empty":
        return Chunk(f"{lead}{key}=")
    if kind == "unquoted":
        value = _unquoted(draw) or "x"
    else:
        inner = draw(st.text(_VALUE_CHARS, max_size=12)).replace("'", "").replace('"', "").replace("\\", "")
        if kind == "multiline":
            hidden = draw(st.sampled_from([f"{K}=false", f"export {K}=true", "X=1", ""]))
            value = f'"{inner}{newline}{hidden}{newline}end"'
        else:
            quote = "'" if kind == "single" else '"'
            value = f"{quote}{inner}{quote}"
    comment = draw(st.sampled_from(["", "", " # a comment", "  #another"]))
    return Chunk(f"{lead}{key}={value}{comment}")


@st.composite
def telemetry_binding(draw: st.DrawFn) -> Chunk:
    lead = draw(st.sampled_from(["", "", " ", "\t"]))
    export = draw(st.sampled_from(["", "", "export "]))
    comment = draw(st.sampled_from(["", "", " # set by ops", "\t# why", "   "]))
    if draw(st.integers(0, 9)) == 0:  # a bare key
        gap = draw(st.sampled_from(["", " "]))
        return Chunk(f"{lead}{export}{K}{gap}{comment}", True, f"{lead}{export}{K}={{v}}{gap}{comment}")
    before_eq = draw(st.sampled_from(["", "", " "]))
    after_eq = draw(st.sampled_from(["", "", " ", "  "]))
    raw = draw(st.sampled_from(SPRING_WORDS) | st.sampled_from(["", "maybe", "tr ue", "yes!"]))
    quoting = draw(st.sampled_from(["", "", "'", '"']))
    if raw == "" and not quoting:
        comment = ""  # `KEY= # c`: python-dotenv reads "# c" as the value
    value = f"{quoting}{raw}{quoting}"
    head = f"{lead}{export}{K}{before_eq}="
    # the spaces after `=` go: a shell (Appsmith's entrypoint sources docker.env) would end the assignment
    # there
    return Chunk(f"{head}{after_eq}{value}{comment}", True, f"{head}{{v}}{comment}")


Generated = tuple[bytes, list[tuple[Chunk, str]], bool]
"""A generated env file: its bytes, each chunk with the line break after it, and whether it starts with a
BOM."""


@st.composite
def env_line(draw: st.DrawFn, style: str) -> tuple[Chunk, str]:
    """One generated line and the line break after it (its own when the file mixes styles)."""
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"])) if style == "mixed" else style
    kind = draw(st.sampled_from(["comment", "blank", "other", "other", "other", "telemetry", "invalid"]))
    if kind == "comment":
        chunk = Chunk("#" + draw(st.sampled_from(["", " note", f" {K}=true", " secrets below"])))
    elif kind == "blank":
        chunk = Chunk(draw(st.sampled_from(["", "   ", "\t"])))
    elif kind == "invalid":
        # (no unterminated quote: python-dotenv pairs it with the next quote, lines later)
        chunk = Chunk(draw(st.sampled_from(["not a valid line", "=novalue", "a b c=d"])))
    elif kind == "telemetry":
        chunk = draw(telemetry_binding())
    else:
        chunk = draw(other_binding(newline))
    return chunk, newline


@st.composite
def env_files(draw: st.DrawFn) -> Generated:
    style = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    pairs = draw(st.lists(env_line(style), max_size=12))
    no_final_newline = draw(st.booleans())
    if pairs and no_final_newline:
        pairs[-1] = (pairs[-1][0], "")
    bom = draw(st.booleans())
    text = "".join(chunk.text + newline for chunk, newline in pairs)
    return (BOM if bom else b"") + text.encode("utf-8"), pairs, bom


def _values(data: bytes) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(data.decode("utf-8-sig")), interpolate=False))


def _physical_lines(data: bytes) -> list[str]:
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", data.decode("utf-8-sig"))


def _first_newline(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return match.group() if match else "\n"


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""The normal run; the long 10,000-example run is marked `slow` elsewhere."""
LIGHT_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=100)


@PROPERTY_SETTINGS
@given(env_files(), st.sampled_from(["true", "false"]))
def test_with_value_property(generated: Generated, value: str) -> None:
    data, pairs, bom = generated
    new = EnvText.parse(data).with_value(K, value)
    prefix = BOM if bom else b""

    # (1) the key now has the value, for the panel's parser and for python-dotenv
    assert EnvText.parse(new).reading().raw == value
    assert _values(new)[K] == value

    # (2) every other key keeps its value
    before, after = _values(data), _values(new)
    assert {k: v for k, v in after.items() if k != K} == {k: v for k, v in before.items() if k != K}

    # (3) bytes outside the edited lines are identical
    assert new.startswith(prefix)
    if any(chunk.telemetry for chunk, _ in pairs):
        old_lines, new_lines = _physical_lines(data), _physical_lines(new)
        assert len(new_lines) == len(old_lines)
        for old_line, new_line in zip(old_lines, new_lines, strict=True):
            if old_line != new_line:
                assert K in old_line and K in new_line, (old_line, new_line)
        expected = "".join(
            (chunk.edited_template.replace("{v}", value) if chunk.telemetry else chunk.text) + newline
            for chunk, newline in pairs
        )
        assert new == prefix + expected.encode()
    else:
        text = data[len(prefix) :].decode()
        newline = _first_newline(text)
        tail = newline if text and not text.endswith(("\n", "\r")) else ""
        assert new == prefix + f"{text}{tail}{K}={value}{newline}".encode()

    # (4) applying it twice changes nothing more
    assert EnvText.parse(new).with_value(K, value) == new


@LIGHT_SETTINGS
@given(env_files())
def test_parse_round_trips_and_switching_back_and_forth_converges(generated: Generated) -> None:
    data, *_ = generated
    parsed = EnvText.parse(data)
    assert (BOM if parsed.bom else b"") + parsed.text.encode() == data
    once = parsed.with_value(K, "true")
    there_and_back = EnvText.parse(EnvText.parse(once).with_value(K, "false")).with_value(K, "true")
    assert there_and_back == once


@LIGHT_SETTINGS
@given(env_files())
def test_masked_text_never_shows_a_secret_binding_value(generated: Generated) -> None:
    data, *_ = generated
    secret = "Zz9SecretValueQq"
    data = (
        data
        + f"\nAPPSMITH_ENCRYPTION_PASSWORD={secret}\nAPPSMITH_DB_URL='mongodb://u:{secret}@h/db'\n".encode()
    )
    masked = EnvText.parse(data).masked_text()
    assert secret not in masked


_GRAMMAR_TEXT = st.lists(
    st.sampled_from([*"AK_=#'\"\\ \t\n\r$x1é", "export ", "\u00a0", "\x0b", "\u2028", "\r\n"]), max_size=40
).map("".join)
"""Text made of what the env-file grammar treats specially, so most draws are odd lines, not assignments."""


@PROPERTY_SETTINGS
@given(_GRAMMAR_TEXT)
def test_the_reader_agrees_with_dotenv_values_on_any_text(text: str) -> None:
    """Issue 11: the panel reads exactly what the installed python-dotenv reads (CI runs this on the newest
    and the lowest version allowed), and its pieces join back to the same bytes."""
    data = text.encode("utf-8")
    parsed = EnvText.parse(data)
    assert parsed.values() == dict(dotenv_values(stream=io.StringIO(text), interpolate=False))
    assert parsed.text == text
