"""The legacy layout's nginx template: the browser client learns the switch only through a `sub_filter` line,
which must be in the `location /` block of both the HTTP and the HTTPS server."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
            stack.append((text[statement_start:index].strip(), index + 1))
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


@dataclass(frozen=True)
class NginxCheck:
    servers: tuple[ServerCheck, ...]

    @property
    def ok(self) -> bool:
        return bool(self.servers) and all(server.has_sub_filter for server in self.servers)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(server.kind for server in self.servers if not server.has_sub_filter)

    def __str__(self) -> str:
        if not self.servers:
            return "No server block with 'location /' was found in the nginx template."
        if self.ok:
            kinds = " and ".join(server.kind for server in self.servers)
            return f"The sub_filter line is present in the {kinds} 'location /' block."
        return (
            f"The sub_filter line is missing from the {' and '.join(self.missing)} 'location /' block: the "
            f"browser "
            "client does not learn the switch and keeps sending its events. Add it with the fix action."
        )


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
    return NginxCheck(tuple(sorted(servers, key=lambda server: server.kind != "HTTP")))


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
