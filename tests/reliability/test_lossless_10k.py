"""The lossless edit, on ten thousand generated env files (marked slow; CI runs it).

Each file mixes what real ones hold and what hand edits leave: comments, blank lines, `export`, quoted and
multi-line values, inline comments, duplicates, bare keys, empty values, lines python-dotenv cannot parse,
CRLF, CR, odd whitespace, non-ASCII, a BOM, no final newline. For both values the panel writes, the edit must:

- change only the value token of every APPSMITH_DISABLE_TELEMETRY binding (or append one line when there is
  none), keeping every other byte, binding and value;
- be read back, by the panel and by python-dotenv itself, as the new value; and be idempotent;
- parse exactly as python-dotenv parses (the panel's fast reader must agree with it binding by binding);
- never let a secret value through the masked diff shown before the change.
"""

from __future__ import annotations

import io
import random

import pytest
from dotenv import parser as dotenv_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panel.core.envfile import BOM, TELEMETRY_KEY, EnvText, SwitchState, _bindings, masked_diff

SECRET_MARK = "§"
"""Only secret values carry it: if it shows in a masked diff, a secret leaked."""

_ALPHABET = "aZ0_-.:/@=#'\"\\$`{} \té日\u00a0\x0b\x0c\x1c\x85\u2028"
"""Letters, digits and every character the grammar treats specially (quotes, escapes, `#`, `=`, whitespace of
all kinds, non-ASCII); never a line break (lines are joined by the generator) nor the secret mark."""
_ODD_SPACES = [" ", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u00a0", "", "", ""]
_KEYS = [
    TELEMETRY_KEY,
    TELEMETRY_KEY,
    TELEMETRY_KEY,
    "A",
    "APPSMITH_MAIL_HOST",
    "export",
    "KEY.WITH.DOTS",
    "é_KEY",
]
_SECRET_KEYS = [
    "APPSMITH_ENCRYPTION_PASSWORD",
    "APPSMITH_MAIL_PASSWORD",
    "APPSMITH_DB_URL",
    "APPSMITH_OAUTH2_GOOGLE_CLIENT_SECRET",
    "APPSMITH_ENCRYPTION_SALT",
]
_WORDS = ["true", "false", "TRUE", "Off", "1", "0", "yes", "maybe", ""]
_FIXED = [
    f"#{TELEMETRY_KEY}=false",
    f"# {TELEMETRY_KEY}=true",
    TELEMETRY_KEY,
    f"{TELEMETRY_KEY}=",
    f"  {TELEMETRY_KEY} = false  ",
    "'unclosed",
    '"unclosed',
    "=novalue",
    "   ",
    "",
]
KINDS = ("assignment", "assignment", "assignment", "secret", "comment", "fixed", "garbage")


def _text(rng: random.Random, most: int = 10) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, most)))


def _value(rng: random.Random) -> str:
    shape = rng.randrange(5)
    if shape == 0:
        return rng.choice(_WORDS)
    if shape == 1:
        return _text(rng).lstrip("'\"")
    if shape == 2:
        return "'" + _text(rng).replace("'", "") + "'"
    if shape == 3:
        return '"' + "\n".join(_text(rng, 5).replace('"', "") for _ in range(rng.randint(1, 3))) + '"'
    return rng.choice(_WORDS) + rng.choice(_ODD_SPACES) + "#" + _text(rng, 4)


def _line(kind: str, rng: random.Random) -> str:
    if kind in ("assignment", "secret"):
        secret = kind == "secret"
        key = rng.choice(_SECRET_KEYS if secret else _KEYS)
        value = (
            SECRET_MARK + "".join(rng.choice("0123456789abcdef") for _ in range(rng.randint(3, 10)))
            if secret
            else _value(rng)
        )
        if secret and rng.random() < 0.4:
            value = f'"{value}"'
        comment = rng.choice(["", "", " # " + _text(rng, 6)])
        export = rng.choice(["", "", "export "])
        return f"{export}{key}{rng.choice(_ODD_SPACES)}={rng.choice(_ODD_SPACES)}{value}{comment}"
    if kind == "comment":
        return "#" + _text(rng)
    if kind == "fixed":
        return rng.choice(_FIXED)
    return _text(rng)


@st.composite
def env_files(draw: st.DrawFn) -> bytes:
    """The shape (how many lines, line endings, BOM, final newline) is drawn by hypothesis, so it shrinks; the
    lines come from a generator it seeds, so that ten thousand files take a minute, not ten."""
    count = draw(st.integers(0, 10))
    rng = draw(st.randoms(use_true_random=True))
    kinds = [rng.choice(KINDS) for _ in range(count)]
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "mixed"]))
    text = "".join(
        _line(kind, rng) + (rng.choice(["\n", "\r\n", "\r"]) if ending == "mixed" else ending)
        for kind in kinds
    )
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return (BOM if draw(st.integers(0, 9)) == 0 else b"") + text.encode("utf-8")


def _dotenv(text: str) -> list[tuple[str, str | None, str | None, bool]]:
    return [
        (b.original.string, b.key, b.value, b.error)
        for b in dotenv_parser.parse_stream(io.StringIO(text, newline=""))
    ]


def check_lossless(data: bytes) -> None:
    old = EnvText.parse(data)
    text = old.text
    assert [piece[:4] for piece in _bindings(text)] == _dotenv(text), (
        "the fast reader disagrees with python-dotenv"
    )
    assert "".join(piece.text for piece in old.pieces) == text
    for value in ("true", "false"):
        new_data = old.with_value(TELEMETRY_KEY, value)
        new = EnvText.parse(new_data)
        if value == "true":
            assert [piece[:4] for piece in _bindings(new.text)] == _dotenv(new.text)
            assert SECRET_MARK not in masked_diff(data, new_data, "docker.env"), "a secret reached the diff"
        reading = new.reading(TELEMETRY_KEY)
        assert reading.occurrences and all(o.raw == value for o in reading.occurrences)
        assert reading.state is (SwitchState.DISABLED if value == "true" else SwitchState.ENABLED)
        assert new.with_value(TELEMETRY_KEY, value) == new_data, "not idempotent"
        assert new.bom == old.bom
        others_old = {k: v for k, v in old.values().items() if k != TELEMETRY_KEY}
        others_new = {k: v for k, v in new.values().items() if k != TELEMETRY_KEY}
        assert others_new == others_old
        read_back = [binding[2] for binding in _dotenv(new.text) if binding[1] == TELEMETRY_KEY]
        assert read_back[-1] == value, "python-dotenv reads another value"
        keyed = [piece for piece in old.pieces if piece.key == TELEMETRY_KEY and piece.value_span is not None]
        if not keyed:
            newline = old.newline
            joiner = newline if text and not text.endswith(("\n", "\r")) else ""
            expected = text + joiner + f"{TELEMETRY_KEY}={value}{newline}"
            assert new_data == (BOM if old.bom else b"") + expected.encode("utf-8")
            continue
        assert len(new.pieces) == len(old.pieces)
        for before, after in zip(old.pieces, new.pieces, strict=True):
            if before.key != TELEMETRY_KEY or before.value_span is None:
                assert after.text == before.text, "a line other than the switch changed"
                continue
            span = before.value_span
            head = before.text[: span.start]
            head = head[: head.rfind("=") + 1] if "=" in head else head
            assert after.text.startswith(head), "the key or what precedes it changed"
            follows = before.text[span.end :]
            assert after.text.endswith(follows), "what follows the value changed"
            # a comment that touched a quoted value keeps one space from the new one
            if follows.startswith("#"):
                assert after.text.endswith(" " + follows)
            assert after.key == TELEMETRY_KEY and after.value == value


@pytest.mark.slow
@settings(max_examples=10_050, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(env_files())
def test_lossless_edit_of_ten_thousand_generated_env_files(data: bytes) -> None:
    check_lossless(data)


@settings(max_examples=300, deadline=None)
@given(env_files())
def test_lossless_edit_quick(data: bytes) -> None:
    """The same property on a few hundred files, for every run (the slow test above is the full run)."""
    check_lossless(data)
