"""Which env values are secret, and how to show a line without its secret.

docker.env holds the instance's encryption password and database credentials: no value of a secret key
may reach a label, a diff, a log line or the audit log.
"""

from __future__ import annotations

import re

MASK = "••••••"
_SECRET_WORDS = ("PASSWORD", "SECRET", "SALT", "TOKEN", "KEY", "PASS", "CREDENTIAL", "PRIVATE")
_SECRET_KEYS = frozenset(
    {"APPSMITH_DB_URL", "APPSMITH_MONGODB_URI", "APPSMITH_REDIS_URL", "APPSMITH_POSTGRES_DB_URL"}
)
_URL_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@")


def is_secret(key: str, value: str | None = None) -> bool:
    """True for keys Appsmith uses for secrets, and for any value that carries `user:pass@` credentials."""
    upper = key.upper()
    if upper in _SECRET_KEYS or any(word in upper for word in _SECRET_WORDS):
        return True
    return value is not None and bool(_URL_CREDENTIALS.search(value))


def mask_value(key: str, value: str | None) -> str | None:
    """The value as it may be shown: masked when secret, unchanged otherwise."""
    if value is None or value == "":
        return value
    return MASK if is_secret(key, value) else value


def mask_credentials(text: str) -> str:
    """Every `scheme://user:pass@` in the text, with the credentials masked."""
    return _URL_CREDENTIALS.sub(r"\1" + MASK + "@", text)


def mentions_secret(text: str) -> bool:
    """Whether a text that is not a plain assignment (a line python-dotenv cannot read, lines it swallowed
    into a quoted key or value) may hold a secret: a secret word or key name anywhere in it, or credentials in
    a URL."""
    upper = text.upper()
    return is_secret(text, text) or any(key in upper for key in _SECRET_KEYS)
