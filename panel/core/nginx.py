"""The legacy layout's nginx template and what its telemetry `sub_filter` line does for the browser client.

What the line does depends on the appsmith-editor build (appsmithorg/appsmith `app/client/public/index.html`;
nginx fills `${APPSMITH_DISABLE_TELEMETRY}` from docker.env and an unset variable with an empty string,
`app/client/docker/start-nginx.sh`):
- without the line the page keeps the placeholder, which every build since v1.2.17 reads as *disabled*;
- v1.2.17 to v1.2.21 (e411df0, 2020-11-11): an empty value is disabled, `false` enabled;
- v1.2.22 to v1.6.2 (6a3b3c7, 2020-12-09, #2055): an empty value and `false` are *enabled*, `true` disabled;
- v1.6.3 on (77caf4c, 2021-12-03, #9535): the browser follows the server (`/api/v1/users/me`) and the line
  does nothing; Appsmith removed it from its template as "unused and misleading" (12cf306, 2023-02-15,
  #20624).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

SUB_FILTER_LINE = "sub_filter __APPSMITH_DISABLE_TELEMETRY__ '${APPSMITH_DISABLE_TELEMETRY}';"
_MARKER = "__APPSMITH_DISABLE_TELEMETRY__"


@dataclass(frozen=True)
class _Block:
    header: str
    start: int
    """Offset just after the opening brace."""
    end: int
    """Offset of the closing brace."""
    depth: int


def _blocks(text: str) -> list[_Block]:
    """Every `header { ... }` block, skipping comments and quoted strings."""
    blocks, stack = [], []
    statement_start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        if char in "'\"":
            close = text.find(char, index + 1)
            index = len(text) if close < 0 else close + 1
            continue
        if char == "{":
            # Comments before a block (`# HTTPS` above `server {`) are not part of its header.
            stack.append((re.sub(r"#[^\n]*", "", text[statement_start:index]).strip(), index + 1))
            statement_start = index + 1
        elif char == "}":
            if stack:
                header, start = stack.pop()
                blocks.append(_Block(header, start, index, len(stack)))
            statement_start = index + 1
        elif char == ";":
            statement_start = index + 1
        index += 1
    return blocks


def _active_lines(body: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in body.splitlines()]


def _has_sub_filter(body: str) -> bool:
    """Whether a statement (not a comment) of the block sets the marker; blocks may sit on one line."""
    statements = ";".join(_active_lines(body)).split(";")
    return any(part.strip().startswith("sub_filter") and _MARKER in part for part in statements)


@dataclass(frozen=True)
class ServerCheck:
    kind: str
    has_location: bool
    has_sub_filter: bool


class ClientBuild(StrEnum):
    """The appsmith-editor builds that differ in what they make of the sub_filter value."""

    EARLY = "before v1.2.17"
    EMPTY_IS_DISABLED = "v1.2.17 to v1.2.21"
    EMPTY_IS_ENABLED = "v1.2.22 to v1.6.2"
    FOLLOWS_SERVER = "v1.6.3 or later"
    UNKNOWN = "unknown"


READS_THE_LINE = (ClientBuild.EMPTY_IS_DISABLED, ClientBuild.EMPTY_IS_ENABLED)


def client_build(release: tuple[int, ...] | None) -> ClientBuild:
    if release is None:
        return ClientBuild.UNKNOWN
    if release >= (1, 6, 3):
        return ClientBuild.FOLLOWS_SERVER
    if release >= (1, 2, 22):
        return ClientBuild.EMPTY_IS_ENABLED
    if release >= (1, 2, 17):
        return ClientBuild.EMPTY_IS_DISABLED
    return ClientBuild.EARLY


def browser_on(build: ClientBuild, line: bool, value: str | None) -> bool | None:
    """Whether the browser client sends its events, as `index.html` of `build` parses the page; `value` is
    docker.env's APPSMITH_DISABLE_TELEMETRY (None: not set, which nginx substitutes as an empty string).
    None when the build does not read the line (it follows the server) or is not modelled."""
    if build not in READS_THE_LINE:
        return None
    page = (value or "") if line else _MARKER
    parsed = "" if page.startswith(("__", "$")) else page.strip()
    if build is ClientBuild.EMPTY_IS_DISABLED:
        return not (parsed == "" or parsed.lower() == "true")
    if not line:
        return False  # the placeholder: parseConfig returns "", and `"" === ""` disables
    if parsed == "" or parsed.lower() == "false":
        return True  # parseConfig returns false: `false === "" || false` is false, so not disabled
    return False  # "true", or any other text (truthy): disabled


def server_on(value: str | None) -> bool | None:
    """The server's reading (Spring; unset means disabled), or None for a value it cannot read."""
    from panel.core.envfile import classify

    return classify(value).telemetry_on if value is not None else False


@dataclass(frozen=True)
class NginxCheck:
    """The template's line, and once the context is known (`with_context`), what it does for the browser."""

    servers: tuple[ServerCheck, ...]
    build: ClientBuild = ClientBuild.UNKNOWN
    build_source: str = ""
    value_known: bool = False
    value: str | None = None
    """docker.env's APPSMITH_DISABLE_TELEMETRY as read (None: not set); never shown (it may be invalid)."""
    final_template: bool = False

    def with_context(
        self, build: ClientBuild, build_source: str, value_known: bool, value: str | None
    ) -> NginxCheck:
        return replace(self, build=build, build_source=build_source, value_known=value_known, value=value)

    @property
    def has_line(self) -> bool:
        return bool(self.servers) and all(server.has_sub_filter for server in self.servers)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(server.kind for server in self.servers if not server.has_sub_filter)

    @property
    def possible_builds(self) -> tuple[ClientBuild, ...]:
        if self.build is ClientBuild.UNKNOWN:
            return (*READS_THE_LINE, ClientBuild.FOLLOWS_SERVER)
        return (self.build,)

    def disagreeing_builds(self) -> tuple[ClientBuild, ...]:
        """The builds (of those that may run) whose browser would not do what the server does."""
        if not self.value_known or self.final_template:
            return ()
        server = server_on(self.value)
        if server is None:
            return ()
        return tuple(
            build
            for build in self.possible_builds
            if (seen := browser_on(build, self.has_line, self.value)) is not None and seen != server
        )

    @property
    def ok(self) -> bool:
        """Nothing to fix: on every build that may run, the browser does what the server does."""
        return not self.disagreeing_builds()

    @property
    def line_needed(self) -> bool:
        """Whether adding the line can matter: a build that reads it may run, and Appsmith's template is not
        the one it was removed from."""
        return not self.final_template and any(build in READS_THE_LINE for build in self.possible_builds)

    def __str__(self) -> str:
        if not self.servers:
            return "No server block with 'location /' was found in the nginx template."
        present = (
            "The sub_filter line is present"
            if self.has_line
            else f"The sub_filter line is missing from the {' and '.join(self.missing)} 'location /' block"
        )
        if self.final_template:
            return (
                f"{present}. This template comes from Appsmith's template of 2023-02 or later, from which "
                "Appsmith removed the line as unused and misleading: the browser follows the server's "
                "setting, so the line does not matter."
            )
        if self.build is ClientBuild.FOLLOWS_SERVER:
            return (
                f"{present}. The browser client ({self.build_source}) is v1.6.3 or later: it follows the "
                "server's setting and ignores the line, which is unnecessary; Appsmith removed it from its "
                "template in 2023."
            )
        parts = [f"{present}."]
        if self.build is ClientBuild.UNKNOWN:
            parts.append(
                "What it does depends on the browser client's build, which is not known "
                f"({self.build_source or 'no tag'}): from v1.6.3 (2021-12-03) the browser follows the server "
                "and ignores the line; v1.2.22 to v1.6.2 read an empty value as enabled; without the line, "
                "builds before v1.6.3 send nothing."
            )
        elif self.build is ClientBuild.EARLY:
            parts.append(
                f"This browser client ({self.build_source}) predates v1.2.17; the panel does not model it."
            )
        else:
            seen = browser_on(self.build, self.has_line, self.value) if self.value_known else None
            what = {True: "sends its events", False: "sends nothing", None: "depends on docker.env"}[seen]
            parts.append(
                f"This browser client ({self.build_source}, {self.build}) reads it: the browser {what}."
            )
        wrong = self.disagreeing_builds()
        if wrong and self.value is None and self.has_line:
            parts.append(
                "docker.env does not set APPSMITH_DISABLE_TELEMETRY, so nginx substitutes an empty string, "
                f"which builds {' and '.join(wrong)} read as enabled while the server's default is off. Fix: "
                "write an explicit value to docker.env."
            )
        elif wrong:
            parts.append(
                f"On builds {' and '.join(wrong)} the browser then does not do what the server does. Fix: "
                "add the line together with an explicit value in docker.env."
            )
        elif not self.value_known:
            parts.append("docker.env could not be read, so what it substitutes is not known.")
        return " ".join(parts)


def _server_kind(text: str, server: _Block) -> str:
    body = text[server.start : server.end]
    listens = [line for line in _active_lines(body) if line.startswith("listen")]
    return "HTTPS" if any("443" in line or " ssl" in line for line in listens) else "HTTP"


def _root_locations(text: str, blocks: list[_Block], server: _Block) -> list[_Block]:
    return [
        block
        for block in blocks
        if server.start <= block.start
        and block.end <= server.end
        and re.fullmatch(r"location\s+/", block.header)
    ]


def check_template(text: str) -> NginxCheck:
    blocks = _blocks(text)
    servers = []
    for server in (block for block in blocks if block.header == "server"):
        locations = _root_locations(text, blocks, server)
        has = any(_has_sub_filter(text[b.start : b.end]) for b in locations)
        servers.append(ServerCheck(_server_kind(text, server), bool(locations), has))
    ordered = tuple(sorted(servers, key=lambda server: server.kind != "HTTP"))
    return NginxCheck(ordered, final_template=is_final_template(text))


_MAPS_MARKER = "__APPSMITH_GOOGLE_MAPS_API_KEY__"


def is_final_template(text: str) -> bool:
    """Whether the template was written from Appsmith's template of 2023-02-15 or later, which lacks the line
    (#20624): its sub_filter lines no longer include the Maps key (removed 2023-02-07, bb4ca19), nor the
    telemetry one. A template the panel must not put the line back into."""
    return "sub_filter" in text and _MAPS_MARKER not in text and _MARKER not in text


def fix_template(text: str) -> str:
    """Add the sub_filter line to every root location that lacks it, after its last sub_filter line."""
    blocks = _blocks(text)
    insertions: list[tuple[int, str]] = []
    for server in (block for block in blocks if block.header == "server"):
        for location in _root_locations(text, blocks, server):
            body = text[location.start : location.end]
            if _has_sub_filter(body):
                continue
            newline = "\r\n" if "\r\n" in text else "\n"
            lines = body.splitlines(keepends=True)
            offset, anchor_end, indent = location.start, None, None
            for line in lines:
                stripped = line.strip()
                if stripped and not stripped.startswith("#") and indent is None:
                    indent = line[: len(line) - len(line.lstrip())]
                if stripped.startswith("sub_filter"):
                    anchor_end = offset + len(line)
                    indent = line[: len(line) - len(line.lstrip())]
                offset += len(line)
            indent = indent if indent is not None else "    "
            if anchor_end is not None and text[anchor_end - 1 : anchor_end] in "\n":
                insertions.append((anchor_end, f"{indent}{SUB_FILTER_LINE}{newline}"))
            else:
                closing_line_start = text.rfind("\n", 0, location.end) + 1
                if closing_line_start <= location.start:
                    insertions.append((location.end, f" {SUB_FILTER_LINE} "))  # a block on one line
                else:
                    insertions.append((closing_line_start, f"{indent}{SUB_FILTER_LINE}{newline}"))
    for position, line in sorted(insertions, reverse=True):
        text = text[:position] + line + text[position:]
    return text
