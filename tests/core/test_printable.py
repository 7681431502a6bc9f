"""Tests for escaping control characters in what reaches a terminal or a window."""

from __future__ import annotations

import io
import json

from panel.core.printable import PrintableStream, printable, printable_lines


def test_a_name_keeps_no_control_character() -> None:
    assert printable("app\x1b[2Jsmith\n\t\u202e") == "app\\u001b[2Jsmith\\u000a\\u0009\\u202e"
    assert printable("plain — ünïcode") == "plain — ünïcode"


def test_lines_keep_their_breaks_and_tabs_only() -> None:
    assert printable_lines("a\tb\r\nc\nd\re\x9b\x7f") == "a\tb\r\nc\nd\\u000de\\u009b\\u007f"


def test_the_stream_escapes_whatever_is_printed_and_json_stays_valid() -> None:
    out = io.StringIO()
    stream = PrintableStream(out)
    print(json.dumps({"name": "a\x1b\x9b\u202eb"}, ensure_ascii=False), file=stream)  # type: ignore[arg-type]
    assert json.loads(out.getvalue()) == {"name": "a\x1b\x9b\u202eb"}
    assert "\x9b" not in out.getvalue() and "\u202e" not in out.getvalue()
