"""Tests for reading Appsmith's version from tags and /info, and the precedence rule it decides."""

from __future__ import annotations

import pytest

from panel.core.appsmith_version import (
    COMPOSE_WINS_SINCE,
    REPORTS_TELEMETRY_SINCE,
    Precedence,
    image_tag,
    parse_release,
    precedence,
    read_version,
)
from panel.core.deployment import Layout


@pytest.mark.parametrize(
    ("text", "release"),
    [
        ("v1.6.7", (1, 6, 7)),
        ("1.9", (1, 9)),
        ("V1.22", (1, 22)),
        ("v1.9.37.1", (1, 9, 37, 1)),
        (" v1.50 ", (1, 50)),
        ("latest", None),
        ("release", None),
        ("nightly", None),
        ("sha-0123abc", None),
        ("v1.6.7-beta", (1, 6, 7)),
        ("v1.50-standin", (1, 50)),
        ("1.6.7-", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_release(text: str | None, release: tuple[int, ...] | None) -> None:
    assert parse_release(text) == release


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("appsmith/appsmith-ce:v1.6.7", "v1.6.7"),
        ("index.docker.io/appsmith/appsmith-ee", None),
        ("registry.local:5000/appsmith/appsmith-ce:release", "release"),
        ("registry.local:5000/appsmith/appsmith-ce", None),
        ("appsmith/appsmith-ce:v1.9@sha256:" + "a" * 64, "v1.9"),
        ("appsmith/appsmith-ce@sha256:" + "a" * 64, None),
        (None, None),
    ],
)
def test_image_tag(image: str | None, tag: str | None) -> None:
    assert image_tag(image) == tag


def test_releases_compare_by_number_not_text() -> None:
    assert parse_release("v1.6.10") > parse_release("v1.6.9") > parse_release("v1.6.8")  # type: ignore[operator]
    assert read_version(None, None, "a/appsmith-ce:v1.6.8").at_least(COMPOSE_WINS_SINCE) is False
    assert read_version(None, None, "a/appsmith-ce:v1.6.10").at_least(COMPOSE_WINS_SINCE) is True
    assert read_version(None, None, "a/appsmith-ce:v1.6.2").at_least(REPORTS_TELEMETRY_SINCE) is False


def test_the_running_instance_is_the_best_evidence() -> None:
    version = read_version("v1.6.5", "appsmith/appsmith-ce:v1.9", "appsmith/appsmith-ce:v1.40")
    assert (version.release, version.source) == ((1, 6, 5), "/info of the running instance")
    running = read_version(None, "appsmith/appsmith-ce:v1.9", "appsmith/appsmith-ce:v1.40")
    assert running.release == (1, 9) and "running image" in running.source
    configured = read_version("not-a-version", "appsmith/appsmith-ce", "appsmith/appsmith-ce:v1.40")
    assert configured.release == (1, 40) and "compose image" in configured.source


def test_an_unknown_version_says_why() -> None:
    moving = read_version(None, "appsmith/appsmith-ce:release", None)
    assert not moving.known and moving.at_least(COMPOSE_WINS_SINCE) is None
    assert "'release' names no release" in str(moving)
    untagged = read_version(None, None, "index.docker.io/appsmith/appsmith-ee")
    assert "no tag" in str(untagged) and "latest" in str(untagged)
    assert str(read_version(None, None, None)).startswith("unknown")


@pytest.mark.parametrize(
    ("layout", "image", "rule"),
    [
        (Layout.SINGLE, "appsmith/appsmith-ce:v1.6.8", Precedence.ENV_FILE_WINS),
        (Layout.SINGLE, "appsmith/appsmith-ce:v1.5.3", Precedence.ENV_FILE_WINS),
        (Layout.SINGLE, "appsmith/appsmith-ce:v1.6.9", Precedence.COMPOSE_WINS),
        (Layout.SINGLE, "appsmith/appsmith-ee:v1.40", Precedence.COMPOSE_WINS),
        (Layout.SINGLE, "appsmith/appsmith-ee:latest", Precedence.UNKNOWN),
        (Layout.LEGACY, "appsmith/appsmith-server", Precedence.COMPOSE_WINS),
    ],
)
def test_precedence_by_layout_and_version(layout: Layout, image: str, rule: Precedence) -> None:
    assert precedence(layout, read_version(None, image, None)) is rule
    assert "v1.6.8" in rule.explanation or "v1.6.9" in rule.explanation
