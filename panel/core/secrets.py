"""Which env values are secret, and how to show a text without its secrets.

docker.env holds the instance's encryption password and database credentials: no value of a secret key may
reach a label, a diff, a log line or the audit log. Secrets are recognised three ways: by the key's name, by
the shape of a value (credentials in a URL, `Bearer …`, `-D…password=…`, a PEM block), and by a secret value
appearing anywhere else in the same text.

Every function here runs in time linear in the text: a hostile file must not stall the panel (patterns are
literal-led or bounded, and many secrets are looked for in one pass).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable

MASK = "••••••"
MIN_REUSED_SECRET = 6
"""Secret values at least this long are also hidden wherever else they appear in a text; shorter ones would
hide ordinary words (and are guessed anyway)."""

_SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "SALT", "TOKEN", "KEY", "PASS", "CREDENTIAL", "PRIVATE")
_SECRET_KEYS = frozenset(
    {"APPSMITH_DB_URL", "APPSMITH_MONGODB_URI", "APPSMITH_REDIS_URL", "APPSMITH_POSTGRES_DB_URL"}
)
_PWD = re.compile(r"(?:^|_)PWD(?:_|$)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}://")
_AUTH_HEADER = re.compile(r"\b(?:Bearer|Basic)[ \t]+(?P<secret>[^\s\"'<>]+)", re.IGNORECASE)
_OPTION = re.compile(r"(?<![\w-])-(?:D|-)(?P<name>[\w.-]{1,200})=(?P<secret>[^\s\"']*)")
_QUERY = re.compile(r"[?&;](?P<name>[\w.-]{1,64})=(?P<secret>[^\s&\"';#]*)")
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{1,64}-----")
_PEM_END = "-----END "


def is_secret_name(key: str) -> bool:
    """True for the keys Appsmith uses for secrets, and for any name that says it holds one."""
    upper = key.upper()
    return upper in _SECRET_KEYS or any(word in upper for word in _SECRET_WORDS) or bool(_PWD.search(upper))


def is_secret(key: str, value: str | None = None) -> bool:
    """True for a secret key's name, and for any value that carries a secret by its shape (`user:pass@` in a
    URL, `Bearer …`, `-D…password=…`, a PEM block); a `…DSN` key's URL hides its key in the user part."""
    if is_secret_name(key):
        return True
    if not value:
        return False
    if "DSN" in key.upper() and _url_userinfo(value, password_only=False):
        return True
    return bool(_shapes(value))


def mask_value(key: str, value: str | None) -> str | None:
    """The value as it may be shown: masked when secret, unchanged otherwise."""
    if value is None or value == "":
        return value
    return MASK if is_secret(key, value) else value


def mentions_secret(text: str) -> bool:
    """Whether a text that is not a plain assignment (a line python-dotenv cannot read, lines it swallowed
    into a quoted key or value) may hold a secret: a secret word or key name anywhere in it, or a value of a
    secret's shape."""
    upper = text.upper()
    return is_secret_name(text) or any(key in upper for key in _SECRET_KEYS) or bool(_shapes(text))


def _url_userinfo(text: str, password_only: bool = True) -> list[tuple[int, int]]:
    """Where `user:password` (or, with `password_only` false, any user part) of each URL in `text` is.

    The user part ends at the last `@` before the line's end or the next URL: a password may hold any
    character, `@` and `/` included. Each stretch of text is looked at once.
    """
    starts = [match.end() for match in _SCHEME.finditer(text)]
    spans = []
    for index, start in enumerate(starts):
        limit = starts[index + 1] if index + 1 < len(starts) else len(text)
        for newline in ("\n", "\r"):
            found = text.find(newline, start, limit)
            if found >= 0:
                limit = found
        at = text.rfind("@", start, limit)
        if at > start and (not password_only or text.find(":", start, at) >= 0):
            spans.append((start, at))
    return spans


def _shapes(text: str) -> list[tuple[int, int]]:
    """Where the secrets recognised by their shape are in `text`, in order, not overlapping."""
    spans = _url_userinfo(text)
    spans += [match.span("secret") for match in _AUTH_HEADER.finditer(text)]
    for pattern in (_OPTION, _QUERY):
        spans += [
            match.span("secret")
            for match in pattern.finditer(text)
            if match.group("secret") and is_secret_name(match.group("name"))
        ]
    position = 0
    while (begin := _PEM_BEGIN.search(text, position)) is not None:
        end = text.find(_PEM_END, begin.end())
        end = len(text) if end < 0 else end
        spans.append((begin.end(), end))
        position = end + len(_PEM_END)
    return _merged(spans)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replaced(text: str, spans: list[tuple[int, int]]) -> str:
    parts, position = [], 0
    for start, end in spans:
        parts += [text[position:start], MASK]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def mask_shapes(text: str) -> tuple[str, set[str]]:
    """The text with every secret recognised by its shape masked, and the secrets found (to be looked for
    elsewhere)."""
    spans = _shapes(text)
    found = {text[start:end] for start, end in spans}
    found |= {secret.partition(":")[2] for secret in found if ":" in secret}  # a URL's password alone
    return _replaced(text, spans), found


def mask_credentials(text: str) -> str:
    """The text with every secret recognised by its shape masked."""
    return mask_shapes(text)[0]


def reusable(secrets: Iterable[str]) -> frozenset[str]:
    """The secrets worth looking for elsewhere: long enough not to hide ordinary words."""
    return frozenset(secret for secret in secrets if len(secret) >= MIN_REUSED_SECRET and MASK not in secret)


_FEW = 64
"""Up to this many secrets, each is looked for with `str.replace` (C speed, once per secret); beyond, all at
once with Aho-Corasick, so that a file of thousands of secrets stays linear."""


def mask_occurrences(text: str, secrets: frozenset[str]) -> str:
    """The text with every occurrence of each secret masked."""
    if not secrets or not text:
        return text
    if len(secrets) <= _FEW:
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text
    return _replaced(text, _Matcher(secrets).spans(text))


class _Matcher:
    """Aho-Corasick: every occurrence of any of many strings, in one pass over the text."""

    def __init__(self, needles: Iterable[str]) -> None:
        self.goto: list[dict[str, int]] = [{}]
        self.fail = [0]
        self.longest = [0]
        for needle in needles:
            node = 0
            for char in needle:
                child = self.goto[node].get(char)
                if child is None:
                    child = len(self.goto)
                    self.goto.append({})
                    self.fail.append(0)
                    self.longest.append(0)
                    self.goto[node][char] = child
                node = child
            self.longest[node] = max(self.longest[node], len(needle))
        queue = deque(self.goto[0].values())
        while queue:
            node = queue.popleft()
            for char, child in self.goto[node].items():
                queue.append(child)
                fallback = self.fail[node]
                while fallback and char not in self.goto[fallback]:
                    fallback = self.fail[fallback]
                self.fail[child] = self.goto[fallback].get(char, 0)
                self.longest[child] = max(self.longest[child], self.longest[self.fail[child]])

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The stretches of `text` covered by occurrences, merged; only the longest occurrence ending at each
        character counts, so a text full of overlapping matches is still read once."""
        goto, fail, longest = self.goto, self.fail, self.longest
        spans: list[tuple[int, int]] = []
        node = 0
        for index, char in enumerate(text):
            while node and char not in goto[node]:
                node = fail[node]
            node = goto[node].get(char, 0)
            length = longest[node]
            if length:
                start, end = index + 1 - length, index + 1
                while spans and start <= spans[-1][1]:
                    start = min(start, spans.pop()[0])
                spans.append((start, end))
        return spans
