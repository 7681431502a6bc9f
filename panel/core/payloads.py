"""The payload catalog: what Appsmith sends, who sends it, when, and whether the switch stops it.

The samples live in `resources/catalog.json` as data so they can be corrected without touching code.
Everything handed out here is read-only: the GUI and the CLI show the same catalog, and one of them changing a
sample by accident would make the other lie.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, cast

from panel.resources_path import resource_text

CATALOG_FILE = "catalog.json"

LOCAL_NAMES: frozenset[str] = frozenset({"edition", "version", "email_sha256", "email_plain", "instance_id"})
"""The only locally known values a field may name; `fill_sample` knows how to produce each of them."""

OriginKind = Literal["documented", "derived", "reconstructed"]
_ORIGIN_KINDS: tuple[OriginKind, ...] = ("documented", "derived", "reconstructed")


class Source(StrEnum):
    """Which part of an Appsmith deployment sends the event; the GUI groups the catalog by it."""

    INSTALLER = "installer"
    SERVER = "server"
    CLIENT = "client"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS: dict[Source, str] = {
    Source.INSTALLER: "Installer",
    Source.SERVER: "Appsmith server",
    Source.CLIENT: "Browser client",
}


class CatalogError(ValueError):
    """The bundled catalog is malformed; the message names the entry, so whoever edits the JSON can find
    it."""


@dataclass(frozen=True)
class Citation:
    """Where a claim comes from: an upstream file at a commit (or a documentation page) and the Appsmith
    versions it holds for, so a reader can check it and knows when it stops being true."""

    id: str
    repo: str | None
    path: str | None
    commit: str | None
    date: str
    versions: str
    url: str | None = None
    note: str | None = None

    @property
    def link(self) -> str:
        """A web address for the cited text: the docs page, or the file at its commit on GitHub."""
        if self.url:
            return self.url
        return f"https://github.com/{self.repo}/blob/{self.commit}/{self.path}"

    @property
    def label(self) -> str:
        """One line naming the source, as the sources view and the CLI print it."""
        where = f"{self.repo} {self.path} @ {self.commit}" if self.path else str(self.url)
        return f"{where} ({self.date}; {self.versions})"


@dataclass(frozen=True)
class FieldNote:
    """One line about one leaf of a sample, so nobody has to guess what a value means."""

    path: str
    note: str
    hashed: bool
    local: str | None
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class PayloadSample:
    """One event as Appsmith sends it, with enough context to judge it.

    `sample` is a read-only view (nested mappings are read-only too, lists are tuples): callers that want to
    edit a payload take `sample_dict()` or `fill_sample()`, which hand out copies.
    """

    id: str
    event: str
    source: Source
    sender: str
    when: str
    stopped_by_switch: bool
    switch_note: str
    sample_origin: str
    sample: Mapping[str, Any] = dataclasses.field(hash=False)
    fields: tuple[FieldNote, ...]
    citations: tuple[Citation, ...] = ()

    @property
    def origin_kind(self) -> OriginKind:
        """Whether the sample is Appsmith's own ("documented") or built by us ("derived", "reconstructed")."""
        kind = self.sample_origin.split(":", 1)[0]
        return cast(OriginKind, kind)

    def field(self, path: str) -> FieldNote | None:
        for note in self.fields:
            if note.path == path:
                return note
        return None

    def sample_dict(self) -> dict[str, Any]:
        """A fresh, mutable deep copy of the sample; changing it never reaches the catalog."""
        return cast(dict[str, Any], _thaw(self.sample))


@dataclass(frozen=True)
class AlwaysSent:
    """Something that leaves the deployment whatever APPSMITH_DISABLE_TELEMETRY says.

    Kept beside the samples so the panel never promises a silence the sources do not support.
    """

    name: str
    sender: str
    when: str
    note: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Catalog:
    samples: tuple[PayloadSample, ...]
    always_sent: tuple[AlwaysSent, ...]
    citations: Mapping[str, Citation] = dataclasses.field(default_factory=lambda: MappingProxyType({}))

    def by_source(self, source: Source) -> tuple[PayloadSample, ...]:
        return tuple(sample for sample in self.samples if sample.source == source)

    def get(self, sample_id: str) -> PayloadSample | None:
        """The sample with this id, or None (like `dict.get`), so callers can show "unknown event"
        themselves."""
        for sample in self.samples:
            if sample.id == sample_id:
                return sample
        return None


@functools.cache
def load_catalog() -> Catalog:
    """The bundled catalog, parsed and validated once: a broken catalog must fail loudly, not show half a
    payload."""
    return parse_catalog(resource_text(CATALOG_FILE))


def parse_catalog(text: str) -> Catalog:
    """Parse and validate catalog JSON; raises CatalogError (a ValueError) naming the entry at fault."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"catalog is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogError("catalog must be a JSON object")

    citations = _parse_citations(data.get("citations"))
    samples: list[PayloadSample] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(_require_list(data, "samples", "catalog")):
        sample = _parse_sample(raw, index, citations)
        if sample.id in seen_ids:
            raise CatalogError(f"catalog entry {sample.id!r}: duplicate id")
        seen_ids.add(sample.id)
        samples.append(sample)

    always_sent = tuple(
        AlwaysSent(
            **_require_strings(raw, ("name", "sender", "when", "note"), f"always_sent[{index}]"),
            citations=_cited(raw, f"always_sent[{index}]", citations),
        )
        for index, raw in enumerate(_require_list(data, "always_sent", "catalog"))
    )
    return Catalog(
        samples=tuple(samples), always_sent=always_sent, citations=MappingProxyType(dict(citations))
    )


def leaf_paths(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Dotted paths of every leaf, in payload order.

    A leaf is any value that is not a non-empty object: an empty object such as `"integrations": {}` is a leaf
    (it is sent, so it deserves a note), and a list counts as one leaf.
    """
    return tuple(_walk(payload, ""))


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 bytes, as lowercase hex: what self-hosted Appsmith sends in place of user ids.

    The server uses `DigestUtils.sha256Hex(username)` and the browser `sha256(username)`, both on the username
    exactly as stored, so this function hashes its input exactly as given: it neither strips nor lowercases.
    Use `normalize_email` first when starting from what a person typed.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    """Strip and lowercase an email address the way Appsmith stores it.

    Appsmith's signup stores emails lowercased and uses them as usernames, so the hash it sends is of the
    lowercased address. The GUI asks a person for their email and they may type "Ops@Example.com ";
    normalizing first makes the panel show the same digest Appsmith would send for that account. Nothing is
    checked: this is not a validator.
    """
    return email.strip().lower()


@dataclass(frozen=True)
class LocalFacts:
    """What the panel knows about this deployment; None (or empty) means unknown, and the example value
    stays."""

    edition: str | None = None
    version: str | None = None
    instance_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class FilledPayload:
    """A sample with this deployment's own values where we know them.

    `filled` and `examples` split the leaf paths between them, so the GUI can mark which values are real and
    which are still Appsmith's documented examples.
    """

    payload: dict[str, Any]
    filled: frozenset[str]
    examples: frozenset[str]


def fill_sample(sample: PayloadSample, facts: LocalFacts) -> FilledPayload:
    """A deep copy of the sample with every field whose local value is known replaced by it."""
    values = _local_values(facts)
    payload = sample.sample_dict()
    filled: set[str] = set()
    for note in sample.fields:
        if note.local is not None and note.local in values:
            _set_path(payload, note.path, values[note.local])
            filled.add(note.path)
    examples = frozenset(leaf_paths(payload)) - filled
    return FilledPayload(payload=payload, filled=frozenset(filled), examples=examples)


def to_json_text(payload: Mapping[str, Any]) -> str:
    """The payload as people read it: indented, non-ASCII kept, keys in the sample's own order (never
    sorted)."""
    return json.dumps(_thaw(payload), indent=2, ensure_ascii=False)


# --- internals
# ---------------------------------------------------------------------------------------------------


def _local_values(facts: LocalFacts) -> dict[str, str]:
    values: dict[str, str] = {}
    if facts.edition:
        values["edition"] = facts.edition
    if facts.version:
        values["version"] = facts.version
    if facts.instance_id:
        values["instance_id"] = facts.instance_id
    if facts.email is not None:
        email = normalize_email(facts.email)
        if email:
            values["email_plain"] = email
            values["email_sha256"] = sha256_hex(email)
    return values


_CITATION_TEXT_KEYS = ("date", "versions")
_CITATION_FILE_KEYS = ("repo", "path", "commit")


def _parse_citations(raw: Any) -> dict[str, Citation]:
    """The catalog's citations by id; each names a file at a commit, or a documentation page."""
    if not isinstance(raw, dict) or not raw:
        raise CatalogError("catalog: 'citations' must be a non-empty object of id -> citation")
    citations: dict[str, Citation] = {}
    for cite_id, entry in raw.items():
        where = f"citation {cite_id!r}"
        strings = _require_strings(entry, _CITATION_TEXT_KEYS, where)
        optional: dict[str, str | None] = {}
        for key in (*_CITATION_FILE_KEYS, "url", "note"):
            value = entry.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise CatalogError(f"catalog entry {where}: {key!r} must be a non-empty string when present")
            optional[key] = value
        has_file = all(optional[key] for key in _CITATION_FILE_KEYS)
        if not has_file and any(optional[key] for key in _CITATION_FILE_KEYS):
            raise CatalogError(f"catalog entry {where}: a file citation needs repo, path and commit together")
        if not has_file and not optional["url"]:
            raise CatalogError(f"catalog entry {where}: needs repo, path and commit, or a url")
        citations[cite_id] = Citation(
            id=cite_id,
            repo=optional["repo"],
            path=optional["path"],
            commit=optional["commit"],
            date=strings["date"],
            versions=strings["versions"],
            url=optional["url"],
            note=optional["note"],
        )
    return citations


def _cited(raw: Any, where: str, citations: Mapping[str, Citation]) -> tuple[Citation, ...]:
    """The citations an entry names in `cite`: at least one, each known, so no claim goes unsourced."""
    ids = raw.get("cite") if isinstance(raw, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(item, str) for item in ids):
        raise CatalogError(
            f"catalog entry {where}: 'cite' must list at least one citation id (no claim without a source)"
        )
    unknown = [item for item in ids if item not in citations]
    if unknown:
        raise CatalogError(f"catalog entry {where}: unknown citation {', '.join(map(repr, unknown))}")
    return tuple(citations[item] for item in dict.fromkeys(ids))


def _parse_sample(raw: Any, index: int, citations: Mapping[str, Citation]) -> PayloadSample:
    where = f"samples[{index}]"
    if not isinstance(raw, dict):
        raise CatalogError(f"catalog entry {where}: must be an object")
    if isinstance(raw.get("id"), str):
        where = repr(raw["id"])
    strings = _require_strings(raw, ("id", "event", "sender", "when", "switch_note", "sample_origin"), where)
    raw_source = raw.get("source")
    if not isinstance(raw_source, str) or raw_source not in {member.value for member in Source}:
        raise CatalogError(f"catalog entry {where}: unknown source {raw_source!r}")
    source = Source(raw_source)
    stopped = raw.get("stopped_by_switch")
    if not isinstance(stopped, bool):
        raise CatalogError(f"catalog entry {where}: stopped_by_switch must be true or false")
    kind = strings["sample_origin"].split(":", 1)[0]
    if kind not in _ORIGIN_KINDS or ":" not in strings["sample_origin"]:
        raise CatalogError(
            f"catalog entry {where}: sample_origin must start with one of {', '.join(_ORIGIN_KINDS)} and a "
            f"colon"
        )
    payload = raw.get("sample")
    if not isinstance(payload, dict):
        raise CatalogError(f"catalog entry {where}: sample must be an object")
    if payload.get("event") != strings["event"]:
        raise CatalogError(
            f"catalog entry {where}: sample's event {payload.get('event')!r} differs from its entry"
        )
    _check_keys(payload, where)

    sample_citations = _cited(raw, where, citations)
    notes = {
        note.path: note
        for note in (_parse_field(item, where, citations) for item in _require_list(raw, "fields", where))
    }
    if len(notes) != len(raw["fields"]):
        raise CatalogError(f"catalog entry {where}: a field path is listed twice")
    leaves = leaf_paths(payload)
    missing = [path for path in leaves if path not in notes]
    if missing:
        raise CatalogError(f"catalog entry {where}: no field note for {', '.join(missing)}")
    dangling = sorted(set(notes) - set(leaves))
    if dangling:
        raise CatalogError(
            f"catalog entry {where}: field notes for paths not in the sample: {', '.join(dangling)}"
        )

    return PayloadSample(
        id=strings["id"],
        event=strings["event"],
        source=source,
        sender=strings["sender"],
        when=strings["when"],
        stopped_by_switch=stopped,
        switch_note=strings["switch_note"],
        sample_origin=strings["sample_origin"],
        sample=cast(Mapping[str, Any], _freeze(payload)),
        fields=tuple(notes[path] for path in leaves),
        citations=sample_citations,
    )


def _parse_field(raw: Any, where: str, citations: Mapping[str, Citation]) -> FieldNote:
    if not isinstance(raw, dict):
        raise CatalogError(f"catalog entry {where}: each field must be an object")
    strings = _require_strings(raw, ("path", "note"), where)
    hashed = raw.get("hashed")
    if not isinstance(hashed, bool):
        raise CatalogError(f"catalog entry {where}: field {strings['path']!r} needs hashed: true or false")
    local = raw.get("local")
    if local is not None and local not in LOCAL_NAMES:
        raise CatalogError(
            f"catalog entry {where}: field {strings['path']!r} names unknown local value {local!r} (known: "
            f"{', '.join(sorted(LOCAL_NAMES))})"
        )
    cited = _cited(raw, f"{where} field {strings['path']!r}", citations)
    return FieldNote(path=strings["path"], note=strings["note"], hashed=hashed, local=local, citations=cited)


def _require_list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise CatalogError(f"{where}: {key!r} must be a list")
    return value


def _require_strings(raw: Any, keys: Sequence[str], where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise CatalogError(f"catalog entry {where}: must be an object")
    values: dict[str, str] = {}
    for key in keys:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise CatalogError(f"catalog entry {where}: {key!r} must be a non-empty string")
        values[key] = value
    return values


def _check_keys(payload: Mapping[str, Any], where: str) -> None:
    """Dotted paths would be ambiguous if a key held a dot, so refuse such samples outright."""
    for key, value in payload.items():
        if "." in key or not key:
            raise CatalogError(
                f"catalog entry {where}: sample key {key!r} cannot be addressed by a dotted path"
            )
        if isinstance(value, Mapping):
            _check_keys(value, where)


def _walk(node: Mapping[str, Any], prefix: str) -> Iterator[str]:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _walk(value, f"{path}.")
        else:
            yield path


def _set_path(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = payload
    for key in parents:
        node = node[key]
    node[last] = value


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(item) for item in value]
    return value
