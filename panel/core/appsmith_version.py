"""Which Appsmith release a deployment runs, read from an image tag or the instance's `/info`, and the
behaviours that changed between releases (checked against appsmithorg/appsmith's history).

A tag such as `latest`, `release`, `nightly` or `sha-…` names no release: the version is then unknown, and a
caller says what each possibility means instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from panel.core.deployment import Layout

Release = tuple[int, ...]

COMPOSE_WINS_SINCE: Release = (1, 6, 9)
"""First release whose entrypoint and run-with-env.sh re-apply the container's own APPSMITH_* variables after
docker.env (`pre-define.env`): appsmithorg/appsmith e85b34d (2022-01-31, #10157), first in v1.6.9
(2022-02-08). Up to v1.6.8, run-with-env.sh sourced docker.env last, so docker.env won."""

REPORTS_TELEMETRY_SINCE: Release = (1, 6, 3)
"""First release whose `/api/v1/users/me` carries `enableTelemetry`: appsmithorg/appsmith 77caf4c
(2021-12-03, #9535, UserProfileDTO), first in v1.6.3 (2021-12-14). The same commit made the browser client
follow that field instead of nginx's sub_filter value."""

_RELEASE = re.compile(r"[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-[A-Za-z0-9.]+)?")
"""A release number, with an optional suffix after a dash (`v1.9.2-ee`, `v1.50-standin`) that is ignored."""


def parse_release(text: str | None) -> Release | None:
    """`v1.6.7`, `1.9`, `V1.22`, `v1.9.2-ee` → numbers; a moving or unnamed tag (`latest`, `release`,
    `nightly`, `sha-…`, a digest) → None."""
    if not text:
        return None
    match = _RELEASE.fullmatch(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def image_tag(image: str | None) -> str | None:
    """The tag of an image reference (`registry:5000/appsmith/appsmith-ce:v1.6.7@sha256:…` → `v1.6.7`);
    None when it has none (docker then pulls `latest`)."""
    if not image:
        return None
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else None


def show_release(release: Release) -> str:
    return "v" + ".".join(map(str, release))


@dataclass(frozen=True)
class AppsmithVersion:
    """A version as read, where it was read, and the release numbers when it names one."""

    text: str | None
    source: str
    release: Release | None

    @property
    def known(self) -> bool:
        return self.release is not None

    def at_least(self, release: Release) -> bool | None:
        """Whether this is `release` or later; None when the version is unknown."""
        return None if self.release is None else self.release >= release

    def __str__(self) -> str:
        if self.release is not None:
            return f"{show_release(self.release)} ({self.source})"
        if self.text:
            return f"unknown: '{self.text}' names no release ({self.source})"
        return f"unknown ({self.source})"

    def to_json(self) -> dict[str, str | None]:
        return {
            "text": self.text,
            "release": show_release(self.release) if self.release else None,
            "source": self.source,
        }


def read_version(
    info_version: str | None, running_image: str | None, configured_image: str | None
) -> AppsmithVersion:
    """The best evidence first: what the instance says (`/info`), the running container's image tag
    (docker inspect's Config.Image), then the compose file's `image:`."""
    candidates = (
        (info_version, "/info of the running instance"),
        (image_tag(running_image), f"tag of the running image {running_image}"),
        (image_tag(configured_image), f"tag of the compose image {configured_image}"),
    )
    for text, source in candidates:
        release = parse_release(text)
        if release is not None:
            return AppsmithVersion(text, source, release)
    for text, source in candidates:
        if text:
            return AppsmithVersion(text, source, None)
    image = running_image or configured_image
    if image:
        return AppsmithVersion(None, f"{image} has no tag, so docker runs 'latest'", None)
    return AppsmithVersion(None, "no image or /info to read it from", None)


class Precedence(StrEnum):
    """Which value the single container's server gets when compose and docker.env both set the switch."""

    COMPOSE_WINS = "compose-wins"
    ENV_FILE_WINS = "docker.env-wins"
    UNKNOWN = "unknown"

    @property
    def explanation(self) -> str:
        return {
            Precedence.COMPOSE_WINS: (
                f"from {show_release(COMPOSE_WINS_SINCE)} on Appsmith re-applies the container's own "
                "variables after docker.env, so the compose value wins"
            ),
            Precedence.ENV_FILE_WINS: (
                "up to v1.6.8 Appsmith reads docker.env after the container's own variables, so a value in "
                "docker.env wins over compose"
            ),
            Precedence.UNKNOWN: (
                "the image version is not known: up to v1.6.8 docker.env's value wins, from v1.6.9 on the "
                "compose value wins"
            ),
        }[self]

    @property
    def source(self) -> str:
        """Where the rule comes from, for details views and --json (never inside a sentence)."""
        return "appsmithorg/appsmith e85b34d (2022-01-31, first in v1.6.9): entrypoint and run-with-env.sh"


def precedence(layout: Layout, version: AppsmithVersion) -> Precedence:
    """The legacy layout passes everything through compose (`environment:` beats `env_file:`); the single
    container's order changed in v1.6.9."""
    if layout is Layout.LEGACY:
        return Precedence.COMPOSE_WINS
    newer = version.at_least(COMPOSE_WINS_SINCE)
    if newer is None:
        return Precedence.UNKNOWN
    return Precedence.COMPOSE_WINS if newer else Precedence.ENV_FILE_WINS
