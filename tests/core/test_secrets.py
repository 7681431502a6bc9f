"""Tests for recognising secrets: the keys Appsmith uses, and any value carrying `user:pass@` credentials."""

from __future__ import annotations

import pytest

from panel.core.secrets import MASK, is_secret, mask_value

APPSMITH_SECRETS = (
    "APPSMITH_ENCRYPTION_PASSWORD",
    "APPSMITH_ENCRYPTION_SALT",
    "APPSMITH_DB_URL",
    "APPSMITH_MONGODB_URI",
    "APPSMITH_MONGODB_PASSWORD",
    "APPSMITH_MAIL_PASSWORD",
    "APPSMITH_OAUTH2_GOOGLE_CLIENT_SECRET",
    "APPSMITH_OAUTH2_GITHUB_CLIENT_SECRET",
    "APPSMITH_OAUTH2_OIDC_CLIENT_SECRET",
    "APPSMITH_RECAPTCHA_SECRET_KEY",
    "APPSMITH_SUPERVISOR_PASSWORD",
    "APPSMITH_REDIS_URL",
    "MONGO_INITDB_ROOT_PASSWORD",
    "APPSMITH_MCP_INTERNAL_SECRET",
)


@pytest.mark.parametrize("key", APPSMITH_SECRETS)
def test_appsmith_secret_keys_are_secret_whatever_the_value(key: str) -> None:
    assert is_secret(key)
    assert is_secret(key, "")
    assert is_secret(key, "plain-value")


@pytest.mark.parametrize("key", ["APPSMITH_DB_URL", "APPSMITH_REDIS_URL", "APPSMITH_MONGODB_URI"])
def test_url_keys_are_secret_even_without_credentials_in_the_value(key: str) -> None:
    assert is_secret(key, "redis://127.0.0.1:6379")


@pytest.mark.parametrize("key", ["appsmith_encryption_password", "Appsmith_Mail_Password", "appsmith_db_url"])
def test_key_case_does_not_matter(key: str) -> None:
    assert is_secret(key)


@pytest.mark.parametrize("word", ["PASSWORD", "SECRET", "SALT", "TOKEN", "KEY"])
def test_any_key_containing_a_secret_word_is_secret(word: str) -> None:
    assert is_secret(f"MY_CUSTOM_{word}_SETTING", "x")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("APPSMITH_DISABLE_TELEMETRY", "true"),
        ("APPSMITH_DISABLE_TELEMETRY", "false"),
        ("APPSMITH_MAIL_ENABLED", "true"),
        ("APPSMITH_MAIL_HOST", "smtp.example.com"),
        ("APPSMITH_MONGODB_USER", "appsmith"),
        ("APPSMITH_API_BASE_URL", "http://localhost:8080/api/v1"),
        ("APPSMITH_CUSTOM_DOMAIN", "https://appsmith.example.com"),
        ("APPSMITH_ALLOWED_FRAME_ANCESTORS", "'self' *"),
        ("APPSMITH_SENTRY_DSN", ""),
    ],
)
def test_ordinary_settings_are_not_secret(key: str, value: str) -> None:
    assert not is_secret(key, value)
    assert not is_secret(key)
    assert mask_value(key, value) == value


@pytest.mark.parametrize(
    "value",
    [
        "mongodb://appsmith:hunter2@localhost:27017/appsmith",
        "mongodb+srv://root:p%40ss@cluster0.example.net/appsmith?retryWrites=true",
        "postgresql://appsmith:pw@localhost:5432/postgres",
        "redis://:only-a-password@redis:6379",
        "http://proxyuser:proxypass@proxy.internal:3128",
    ],
)
def test_any_value_with_url_credentials_is_secret(value: str) -> None:
    assert is_secret("HTTP_PROXY", value)
    assert is_secret("UNRELATED_SETTING", value)


@pytest.mark.parametrize(
    "value",
    ["http://localhost:8080", "https://user@example.com/", "mailto:a@b.c", "ops@example.com", "a:b@c"],
)
def test_urls_without_a_password_are_not_secret(value: str) -> None:
    assert not is_secret("APPSMITH_SOME_URL", value)


def test_mask_value_hides_secrets_and_keeps_empty_or_missing_values() -> None:
    assert mask_value("APPSMITH_ENCRYPTION_PASSWORD", "s3cret") == MASK
    assert mask_value("APPSMITH_ENCRYPTION_PASSWORD", "") == ""
    assert mask_value("APPSMITH_ENCRYPTION_PASSWORD", None) is None
    assert mask_value("HTTP_PROXY", "http://u:p@proxy:3128") == MASK


def test_mask_reveals_nothing_about_the_value() -> None:
    assert mask_value("APPSMITH_MAIL_PASSWORD", "a") == mask_value("APPSMITH_MAIL_PASSWORD", "a" * 64)


def test_a_secret_key_named_anywhere_in_a_broken_line_counts() -> None:
    from panel.core.secrets import mentions_secret

    assert mentions_secret('APPSMITH_DB_URL="mongodb://host/db')
    assert not mentions_secret('APPSMITH_MAIL_HOST="smtp.example.com')


@pytest.mark.parametrize("key", ["SMTP_PWD", "DB_PWD_FILE", "LDAP_PASSPHRASE", "GCP_CREDENTIALS", "X_PASSWD"])
def test_more_secret_names(key: str) -> None:
    assert is_secret(key, "x")


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("https://bot:p@ss/w0rd@hooks.example.com/x", "p@ss/w0rd"),
        ("Authorization: Bearer eyJ0eXAi.abc.def", "eyJ0eXAi.abc.def"),
        ("-Xmx1g -Djavax.net.ssl.trustStorePassword=changeit -Dfile.encoding=UTF-8", "changeit"),
        ("--spring.datasource.password=hunter22", "hunter22"),
        ("jdbc:postgresql://db/app?user=u&password=hunter22", "hunter22"),
        ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", "MHcCAQEE"),
    ],
)
def test_secrets_known_by_their_shape(text: str, hidden: str) -> None:
    from panel.core.secrets import mask_shapes

    masked, found = mask_shapes(text)
    assert hidden not in masked and MASK in masked
    assert any(hidden in secret for secret in found)
    assert is_secret("UNRELATED", text)


def test_options_that_are_not_secret_stay() -> None:
    from panel.core.secrets import mask_credentials

    text = "-Xmx1g -Dfile.encoding=UTF-8 --server.port=8080"
    assert mask_credentials(text) == text


def test_a_dsn_key_is_secret_only_with_its_key() -> None:
    assert is_secret("APPSMITH_SENTRY_DSN", "https://0a1b2c@o1.ingest.sentry.io/42")
    assert not is_secret("APPSMITH_SENTRY_DSN", "")


@pytest.mark.parametrize("count", [3, 500])
def test_every_occurrence_of_every_secret_is_masked(count: int) -> None:
    """Few secrets are replaced one by one, many at once (Aho-Corasick): the same answer."""
    from panel.core.secrets import mask_occurrences

    secrets = frozenset(f"secret-{n:04d}" for n in range(count))
    text = " ".join(f"a secret-{n:04d} b secret-{n:04d}secret-0000" for n in range(count)) + " secret-"
    masked = mask_occurrences(text, secrets)
    assert "secret-0" not in masked and masked.endswith(" secret-")
    assert masked.count(MASK) >= 2 * count


def test_overlapping_secrets_are_masked_whole() -> None:
    from panel.core.secrets import _Matcher

    assert _Matcher(["abcdef", "cdefgh", "xyzxyz"]).spans("..abcdefgh..xyzxyzxyz") == [(2, 10), (12, 21)]
