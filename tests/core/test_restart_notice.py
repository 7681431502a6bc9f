"""Tests for the restart's own event: which versions send Instance Start on a container start, in words."""

from __future__ import annotations

import pytest

from panel.core.payloads import load_catalog
from panel.core.restart_notice import (
    CITATION_ID,
    FIRST_VERSION_WITH_INSTANCE_START,
    StartSends,
    image_tag,
    parse_version,
    restart_notice,
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("v1.9.14", (1, 9, 14)),
        ("1.9.14", (1, 9, 14)),
        ("v1.50", (1, 50)),
        ("v1.9.3.1", (1, 9, 3, 1)),
        ("v1.9.20-SNAPSHOT", (1, 9, 20)),
        ("latest", None),
        ("release", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_version_reads_appsmith_release_numbers(
    text: str | None, parsed: tuple[int, ...] | None
) -> None:
    assert parse_version(text) == parsed


def test_release_numbering_orders_as_appsmith_released() -> None:
    """v1.9.61 was followed by v1.10: tuples order them the way the releases came out."""
    in_release_order = ["v1.6.12", "v1.9.13", "v1.9.14", "v1.9.61", "v1.10", "v1.23", "v1.91"]
    parsed = [parse_version(text) for text in in_release_order]
    assert parsed == sorted(parsed)  # type: ignore[type-var]
    assert parse_version("v1.9.13") < FIRST_VERSION_WITH_INSTANCE_START <= parse_version("v1.10")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("appsmith/appsmith-ce:v1.50", "v1.50"),
        ("index.docker.io/appsmith/appsmith-ee:release", "release"),
        ("registry.example.com:5000/appsmith/appsmith-ce", None),
        ("appsmith/appsmith-ce@sha256:0123abcd", None),
        (None, None),
    ],
)
def test_image_tag(image: str | None, tag: str | None) -> None:
    assert image_tag(image) == tag


@pytest.mark.parametrize(
    ("image", "running", "sends"),
    [
        ("appsmith/appsmith-ce:v1.9.14", None, StartSends.YES),
        ("appsmith/appsmith-ce:v1.91", None, StartSends.YES),
        ("appsmith/appsmith-ce:v1.9.13", None, StartSends.NO),
        ("appsmith/appsmith-ce:v1.6.7", None, StartSends.NO),
        ("appsmith/appsmith-ce", None, StartSends.MAYBE),
        ("appsmith/appsmith-ce:latest", None, StartSends.MAYBE),
        (None, None, StartSends.MAYBE),
        ("appsmith/appsmith-ce:latest", "v1.40", StartSends.YES),
        ("appsmith/appsmith-ce:v1.91", "v1.9.2", StartSends.NO),
        ("appsmith/appsmith-ce:v1.91", "unknown", StartSends.YES),
    ],
)
def test_restart_notice_follows_the_version(
    image: str | None, running: str | None, sends: StartSends
) -> None:
    notice = restart_notice(image, running)
    assert notice.sends is sends
    assert "Instance Start" in notice.sentence
    if sends is StartSends.NO:
        assert "sends no event" in notice.sentence
    else:
        assert "whatever the switch says" in notice.sentence
        assert notice.sentence.endswith("Blocking api.segment.io stops it.")
        assert ("may send" in notice.sentence) is (sends is StartSends.MAYBE)


def test_the_running_version_is_named_in_the_sentence() -> None:
    notice = restart_notice("appsmith/appsmith-ce:latest", "v1.40")
    assert notice.version == "v1.40"
    assert "Appsmith v1.40 sends it on every start" in notice.sentence
    unknown = restart_notice("appsmith/appsmith-ce:latest")
    assert "the image tag 'latest' does not say which version runs" in unknown.sentence


def test_the_notice_cites_the_commit_that_added_the_event() -> None:
    notice = restart_notice("appsmith/appsmith-ce:v1.50")
    assert notice.citation is load_catalog().citations[CITATION_ID]
    assert notice.citation.commit == "6d65f4a7f1"
    assert notice.citation.date == "2023-03-21"
    assert notice.citation.versions.startswith("v1.9.14")
    for word in ("#21620", "entrypoint", ".sh", "anonymous"):
        assert word not in notice.sentence
