"""What a container start sends by itself: the "Instance Start" event of Appsmith's start-up script.

Applying a change recreates the container, and since v1.9.14 the image's start-up script posts one event to
Segment on every start, whatever APPSMITH_DISABLE_TELEMETRY says. The consent dialog and the CLI's plan say so
before anyone agrees to a restart; this module decides the sentence from the image's version, and says "may"
when the version is unknown rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from panel.core.payloads import Citation, load_catalog

FIRST_VERSION_WITH_INSTANCE_START: tuple[int, ...] = (1, 9, 14)
"""The first release whose image carries the start-up event (the commit 6d65f4a7f1, 2023-03-21)."""

CITATION_ID = "entrypoint-21620"
"""The catalog citation for the start-up event; the notice cites the same source as the catalog."""

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$")


class StartSends(StrEnum):
    """Whether starting the container sends Instance Start."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


@dataclass(frozen=True)
class RestartNotice:
    """A plain sentence for people, the verdict for code, and where the claim comes from."""

    sends: StartSends
    sentence: str
    version: str | None
    citation: Citation


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """Appsmith's release numbers ("v1.9.14", "1.50", "v1.9.3.1") as a tuple; None for tags such as
    "latest", "release" or a digest, which do not say which code is inside."""
    if not text:
        return None
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def image_tag(image: str | None) -> str | None:
    """The tag of an image reference ("appsmith/appsmith-ce:v1.50" -> "v1.50"); None without one."""
    if not image or "@" in image:
        return None
    name = image.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else None


def restart_notice(image: str | None, running_version: str | None = None) -> RestartNotice:
    """Whether (re)starting this deployment's container sends Instance Start, as a sentence with its source.

    The running instance's own version wins over the image tag (a tag such as "latest" says nothing); with
    neither, the answer is "may send".
    """
    citation = load_catalog().citations[CITATION_ID]
    version = running_version if parse_version(running_version) else image_tag(image)
    parsed = parse_version(version)
    block = "Blocking api.segment.io stops it."
    if parsed is None:
        known = f"the image tag {version!r}" if version else "the image"
        return RestartNotice(
            StartSends.MAYBE,
            "Starting the container may send one usage event, “Instance Start”, to Segment from this "
            "server's address, whatever the switch says: Appsmith v1.9.14 and later send it on every start, "
            f"and {known} does not say which version runs. {block}",
            version,
            citation,
        )
    if parsed < FIRST_VERSION_WITH_INSTANCE_START:
        return RestartNotice(
            StartSends.NO,
            f"Starting the container sends no event of its own: Appsmith {version} predates the start-up "
            "event (v1.9.14 and later send “Instance Start” on every start).",
            version,
            citation,
        )
    return RestartNotice(
        StartSends.YES,
        "Starting the container sends one usage event, “Instance Start”, to Segment from this server's "
        f"address, whatever the switch says: Appsmith {version} sends it on every start when the image "
        f"carries Appsmith's Segment key, as release images do. {block}",
        version,
        citation,
    )
