"""Text from files, folder names and service names as it may reach a terminal or a window: every control
character escaped.

An escape code in a compose service name or a folder name could otherwise move the cursor, repaint the diff
above "Apply this change?", or set the terminal's title; a bidi override could reverse what is read.
Escaped as `\\u001b`, which reads the same in a terminal line and stays valid inside a JSON string.
"""

from __future__ import annotations

import re
from typing import TextIO

_FORMAT = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
"""DEL, the C1 controls (U+009B is a CSI of its own), bidi marks and overrides, and Unicode's line breaks."""
_ANY_CONTROL = re.compile(f"[\x00-\x1f{_FORMAT}]")
_LINE_CONTROL = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_FORMAT}]")


def _escape(match: re.Match[str]) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in match.group(0))


def printable(text: str) -> str:
    """A name or a value on one line: every control character escaped, line breaks and tabs included."""
    return _ANY_CONTROL.sub(_escape, text)


def printable_lines(text: str) -> str:
    """Lines of text (a diff, a message): line breaks (LF, CRLF) and tabs kept, every other control character
    escaped, a CR that ends no line too (it would return the cursor and let the next text overwrite this)."""
    return _LINE_CONTROL.sub(_escape, text)


class PrintableStream:
    """A text stream that escapes, as `printable_lines` does, whatever is written to it: every line the
    command line prints passes here, whichever code printed it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable_lines(text))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
