"""Read and edit an env file without losing a byte.

python-dotenv's parser splits the text into bindings whose `original` strings concatenate back to the exact
text. An edit rewrites only the value token of the bindings of one key, so comments, order, blank lines,
quoting, `export` prefixes, line endings, a BOM and a missing final newline all survive.
"""

from __future__ import annotations

import difflib
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from dotenv import parser as dotenv_parser

from panel.core.printable import printable, printable_lines
from panel.core.secrets import MASK, is_secret, mask_occurrences, mask_shapes, mentions_secret, reusable

TELEMETRY_KEY = "APPSMITH_DISABLE_TELEMETRY"
BOM = b"\xef\xbb\xbf"
INVALID_SHOWN = "invalid (hidden)"
"""What is shown for an invalid value of the switch: it may be a glued line (`…=false OTHER_PASSWORD=…`) or
an unterminated quote that swallowed the next lines, secrets included."""
HIDDEN_LINE = "# (unparsable line hidden: it may hold a secret)"

# Spring's StringToBooleanConverter: trimmed, case-insensitive; anything else fails to bind.
_SPRING_TRUE = frozenset({"true", "on", "yes", "1"})
_SPRING_FALSE = frozenset({"false", "off", "no", "0"})


class SwitchState(StrEnum):
    DISABLED = "disabled"
    ENABLED = "enabled"
    UNSET = "unset"
    INVALID = "invalid"

    @property
    def telemetry_on(self) -> bool | None:
        """What the server does: unset means disabled (`${APPSMITH_DISABLE_TELEMETRY:true}`); invalid is
        unknown."""
        return {SwitchState.ENABLED: True, SwitchState.DISABLED: False, SwitchState.UNSET: False}.get(self)


def classify(raw: str | None) -> SwitchState:
    """Classify a value of APPSMITH_DISABLE_TELEMETRY exactly as Appsmith's server binds it."""
    if raw is None:
        return SwitchState.UNSET
    value = raw.strip("".join(map(chr, range(0x21)))).lower()  # Java's String.trim(): only chars <= U+0020
    if value in _SPRING_TRUE:
        return SwitchState.DISABLED
    if value in _SPRING_FALSE:
        return SwitchState.ENABLED
    return SwitchState.INVALID


def shown_value(raw: str | None) -> str | None:
    """A value of the switch as it may be shown anywhere (status, JSON, the diff, the audit log, the window):
    a valid one with its control characters escaped, anything else as "invalid (hidden)"."""
    if raw is None:
        return None
    return INVALID_SHOWN if classify(raw) is SwitchState.INVALID else printable(raw)


@dataclass(frozen=True)
class Occurrence:
    line: int
    raw: str | None


@dataclass(frozen=True)
class SwitchReading:
    """What an env file says about one key: every occurrence, and the last one, which wins."""

    occurrences: tuple[Occurrence, ...]

    @property
    def raw(self) -> str | None:
        return self.occurrences[-1].raw if self.occurrences else None

    @property
    def shown(self) -> str | None:
        """The winning value as it may be shown: see `shown_value`."""
        return shown_value(self.raw)

    @property
    def line(self) -> int | None:
        return self.occurrences[-1].line if self.occurrences else None

    @property
    def state(self) -> SwitchState:
        if not self.occurrences:
            return SwitchState.UNSET
        if self.raw is None:
            return SwitchState.INVALID
        return classify(self.raw)

    @property
    def duplicated(self) -> bool:
        return len(self.occurrences) > 1


class EnvEncodingError(ValueError):
    """The file is not valid UTF-8: writing it back could corrupt it, so it is never written."""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


@dataclass(frozen=True)
class _Piece:
    text: str
    key: str | None
    value: str | None
    line: int
    error: bool
    value_span: _Span | None
    """Where the value token (quotes included) sits in `text`; for a bare `KEY`, an empty span after the
    key."""


_NEWLINE = re.compile(r"\r\n|\n|\r")
_LEADING_EXPORT = re.compile(r"export[^\S\r\n]+")
_BLANKS = re.compile(r"[^\S\r\n]*")


def _after_blanks(text: str, position: int) -> int:
    """Where the spaces and tabs (not line breaks) that start at `position` end."""
    match = _BLANKS.match(text, position)
    return match.end() if match else position


def _closing_quotes(original: str, start: int) -> Iterator[int]:
    """Where a quoted value that opens at `start` may end: a quote of the same kind that only blanks, a
    comment or the line's end follow (python-dotenv reads nothing else after a quoted value)."""
    quote = re.escape(original[start])
    for match in re.finditer(quote + r"(?=[^\S\r\n]*(?:#|\r|\n|$))", original[start + 1 :]):
        yield start + 1 + match.end()


_QUOTED_TOKEN = {
    quote: re.compile(f"{quote}(?:\\\\.|[^{quote}\\\\])*{quote}", re.DOTALL) for quote in ("'", '"')
}
"""How python-dotenv 1.x reads a quoted value (a backslash takes the next character along): the first end
tried, so that a value full of escaped quotes is read once, not once per quote."""


def _parsed_value(token: str) -> tuple[str | None, bool]:
    """How python-dotenv reads `token` alone as a value: the value and whether it was an error."""
    binding = next(dotenv_parser.parse_stream(io.StringIO("K=" + token, newline="")))
    return binding.value, binding.error


def _value_span(original: str, key: str, value: str | None) -> _Span | None:
    """Where the value token of a binding python-dotenv read as (`key`, `value`) sits in its original text.

    Only the parser's public results are used: the key and an unquoted value stand in the text as they were
    read, and a quoted token is the shortest one that python-dotenv reads back as the same value.
    """
    position = len(original) - len(original.lstrip())
    export = _LEADING_EXPORT.match(original, position)
    if export and original.startswith((key, f"'{key}'"), export.end()):
        position = export.end()
    token = f"'{key}'" if original.startswith("'", position) else key
    if not original.startswith(token, position):
        return None
    key_end = position + len(token)
    equals = _after_blanks(original, key_end)
    if original[equals : equals + 1] != "=":
        return _Span(key_end, key_end) if value is None else None
    start = _after_blanks(original, equals + 1)
    if value is None:
        return None
    if original[start : start + 1] in ("'", '"'):
        guess = _QUOTED_TOKEN[original[start]].match(original, start)
        ends = _closing_quotes(original, start)
        for end in itertools.chain([guess.end()] if guess else [], ends):
            if _parsed_value(original[start:end]) == (value, False):
                return _Span(start, end)
        if value:
            return None
    if original.startswith(value, start):
        return _Span(start, start + len(value))
    return None


def _bindings(text: str) -> Iterator[tuple[str, str | None, str | None, bool, _Span | None]]:
    """python-dotenv's bindings of `text` (original, key, value, error), each with its value's span.

    Read with the parser's public `parse_stream`, so the panel reads exactly what the installed python-dotenv
    reads. Any text the parser skips (newer versions drop a leading U+FEFF) is kept as a piece of its own, so
    the pieces always join back to `text`.
    """
    offset = 0
    for binding in dotenv_parser.parse_stream(io.StringIO(text, newline="")):
        original = binding.original.string
        if not text.startswith(original, offset):
            found = text.find(original, offset)
            if found < 0:
                raise ValueError("python-dotenv read text that is not in the file")
            yield text[offset:found], None, None, False, None
            offset = found
        span = (
            None
            if binding.error or binding.key is None
            else _value_span(original, binding.key, binding.value)
        )
        yield original, binding.key, binding.value, binding.error, span
        offset += len(original)
    if offset < len(text):
        yield text[offset:], None, None, False, None


_COMMENTED_ASSIGNMENT = re.compile(
    r"^(?P<head>[^\S\r\n]*#[^\S\r\n]*(?:export[^\S\r\n]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)[^\S\r\n]*=[^\S\r\n]*)"
    r"(?P<value>[^\r\n]*)",
    re.MULTILINE,
)


def _commented_secret(match: re.Match[str]) -> str | None:
    """The value of `#APPSMITH_DB_URL=postgresql://user:pw@…` (Appsmith's own template writes such lines) when
    it is a secret's."""
    value = match.group("value").strip()
    return value if value and is_secret(match.group("key"), value) else None


def _multiline(text: str) -> bool:
    return len(text.splitlines()) > 1


def _count_newlines(text: str) -> int:
    return len(_NEWLINE.findall(text))


def _newline_of(text: str) -> str:
    for index, char in enumerate(text):
        if char == "\r":
            return "\r\n" if text[index + 1 : index + 2] == "\n" else "\r"
        if char == "\n":
            return "\n"
    return "\n"


@dataclass(frozen=True)
class EnvText:
    """An env file's bytes, decoded and split into pieces that join back to the same bytes."""

    data: bytes
    bom: bool
    decodable: bool
    pieces: tuple[_Piece, ...]

    @classmethod
    def parse(cls, data: bytes) -> EnvText:
        bom = data.startswith(BOM)
        body = data[len(BOM) :] if bom else data
        try:
            text = body.decode("utf-8")
            decodable = True
        except UnicodeDecodeError:
            text = body.decode("utf-8", errors="surrogateescape")
            decodable = False
        pieces = []
        newlines_before, previous_cr = 0, False
        for original, key, value, error, span in _bindings(text):
            leading = len(original) - len(original.lstrip())
            # Count lines ourselves: after an unparsable line python-dotenv resumes between the CR and LF of a
            # CRLF, and its own line numbers then count that line ending twice.
            split_crlf = 1 if previous_cr and original.startswith("\n") else 0
            line = newlines_before + _count_newlines(original[:leading]) - split_crlf + 1
            pieces.append(_Piece(original, key, value, line, error, span))
            newlines_before += _count_newlines(original) - split_crlf
            previous_cr = original.endswith("\r")
        return cls(data, bom, decodable, tuple(pieces))

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    @property
    def newline(self) -> str:
        return _newline_of(self.text)

    def values(self) -> dict[str, str | None]:
        """Every key's value; the last occurrence wins, as with docker compose and a shell."""
        return {piece.key: piece.value for piece in self.pieces if piece.key is not None}

    def reading(self, key: str = TELEMETRY_KEY) -> SwitchReading:
        return SwitchReading(
            tuple(Occurrence(piece.line, piece.value) for piece in self.pieces if piece.key == key)
        )

    def duplicates(self) -> dict[str, list[int]]:
        lines: dict[str, list[int]] = {}
        for piece in self.pieces:
            if piece.key is not None:
                lines.setdefault(piece.key, []).append(piece.line)
        return {key: found for key, found in lines.items() if len(found) > 1}

    def unparsed_lines(self) -> list[int]:
        return [piece.line for piece in self.pieces if piece.error]

    def with_value(self, key: str, value: str) -> bytes:
        """The same bytes with every occurrence of `key` set to `value`; appended when absent."""
        if not self.decodable:
            raise EnvEncodingError("the file is not valid UTF-8")
        parts = []
        found = False
        for piece in self.pieces:
            if piece.key == key and piece.value_span is not None:
                found = True
                span = piece.value_span
                rest = piece.text[span.end :]
                if rest.startswith("#"):
                    # `KEY="false"# note`: after a quoted value the comment may touch it; after the unquoted
                    # new value it would become part of the value (`true#` is not a boolean), so it keeps one
                    # space.
                    rest = " " + rest
                equals = piece.text.rfind("=", 0, span.start)
                if equals >= 0 and not piece.text[equals + 1 : span.start].strip():
                    # `KEY=  false`: a shell (Appsmith's entrypoint sources the file) reads the spaces as the
                    # end of the assignment, so the new value goes right after `=`.
                    parts.append(piece.text[: equals + 1] + value + rest)
                else:
                    parts.append(piece.text[: span.start] + "=" + value + rest)
            else:
                parts.append(piece.text)
        text = "".join(parts)
        if not found:
            newline = self.newline
            if text and not text.endswith(("\n", "\r")):
                text += newline
            text += f"{key}={value}{newline}"
        return (BOM if self.bom else b"") + text.encode("utf-8")

    def masked_text(self) -> str:
        """The text with every secret hidden: values of secret keys (also in commented-out assignments and
        lines python-dotenv swallowed into a quoted value), values of a secret's shape anywhere, and each
        secret value wherever else it appears; unparsable lines that look secret are hidden whole, and the
        switch's own value shows only when it is valid (`shown_value`). Linear in the file's size."""
        segments: list[tuple[str, bool]] = []
        secrets: set[str] = set()
        for piece in self.pieces:
            segments += _masked_piece(piece, secrets)
        runs: list[tuple[list[str], bool]] = []
        for text, open_ in segments:
            if open_ and runs and runs[-1][1]:
                runs[-1][0].append(text)
            else:
                runs.append(([text], open_))
        shaped = []
        for parts, open_ in runs:
            text = "".join(parts)
            if open_:
                text, found = mask_shapes(text)
                secrets |= found
            shaped.append((text, open_))
        wanted = reusable(secrets)
        return "".join(mask_occurrences(text, wanted) if open_ else text for text, open_ in shaped)


def _masked_piece(piece: _Piece, secrets: set[str]) -> list[tuple[str, bool]]:
    """A piece as it may be shown, in segments: (text, open), where an open segment may still hold a secret
    recognised by its shape or by its value; the secrets seen are added to `secrets`."""
    newline = piece.text[len(piece.text.rstrip("\r\n")) :]
    if piece.key is None and not piece.error:

        def commented(match: re.Match[str]) -> str:
            value = _commented_secret(match)
            if value is None:
                return match.group(0)
            secrets.add(value)
            return match.group("head") + MASK

        return [(_COMMENTED_ASSIGNMENT.sub(commented, piece.text), True)]
    # A stray quote at the start of a line makes the following lines one quoted key: hide it whole before
    # anything else, since the key itself may hold a secret's line.
    malformed = piece.error or (piece.key is not None and _multiline(piece.key))
    if malformed:
        if mentions_secret(piece.text) or TELEMETRY_KEY in piece.text:
            return [(HIDDEN_LINE + newline, False)]
        return [(piece.text, True)]
    assert piece.key is not None
    span = piece.value_span
    if piece.key == TELEMETRY_KEY:
        shown = shown_value(piece.value)
        if span is None:
            return [(f"{TELEMETRY_KEY}={shown or ''}{newline}", False)]
        token = piece.text[span.start : span.end]
        if shown != INVALID_SHOWN:
            shown = printable(token)
        return [(piece.text[: span.start] + (shown or ""), False), (piece.text[span.end :], True)]
    secret = is_secret(piece.key, piece.value)
    if secret and piece.value:
        secrets.add(piece.value)
        secrets |= mask_shapes(piece.value)[1]
    if span is None or span.start == span.end:
        if secret and piece.value:
            return [(HIDDEN_LINE + newline, False)]
        return [(piece.text, True)]
    token = piece.text[span.start : span.end]
    # A stray quote makes python-dotenv read the following lines into one value: they may be assignments of
    # secrets that any other reader (a shell, docker) would see as such.
    if secret or (_multiline(token) and mentions_secret(token)):
        return [(piece.text[: span.start], True), (MASK, False), (piece.text[span.end :], True)]
    return [(piece.text, True)]


def masked_diff(old: bytes | EnvText, new: bytes | EnvText, label: str) -> str:
    """A unified diff of two versions of an env file with every secret value masked; either may come parsed
    already (a change or a restore has read it), so a big file is not parsed again."""
    old_text = old if isinstance(old, EnvText) else EnvText.parse(old)
    new_text = new if isinstance(new, EnvText) else EnvText.parse(new)
    old_lines = old_text.masked_text().splitlines(keepends=True)
    new_lines = new_text.masked_text().splitlines(keepends=True)
    lines = difflib.unified_diff(old_lines, new_lines, f"{label} (now)", f"{label} (after)")
    shown = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1] + "\n"  # a CR alone would let the next line overwrite this one in a terminal
        elif not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        shown.append(printable_lines(line))
    return "".join(shown)
