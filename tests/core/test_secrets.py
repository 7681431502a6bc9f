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
