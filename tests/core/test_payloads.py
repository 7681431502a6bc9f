"""Tests for the payload catalog: the bundled data is complete and true to the sources, and nobody can change
it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panel.core.payloads import (
    LOCAL_NAMES,
    Catalog,
    FieldNote,
    LocalFacts,
    PayloadSample,
    Source,
    fill_sample,
    leaf_paths,
    load_catalog,
    normalize_email,
    parse_catalog,
    sha256_hex,
    to_json_text,
)
from panel.resources_path import resource_text

OPS_HASH = hashlib.sha256(b"ops@example.com").hexdigest()

# The documented samples exactly as the seed documents print them. The execute sample keeps the seed's
# trailing comma: the test removes it the one way the catalog is allowed to, and then every value must match.
SEED_INSTALLATION_STARTED = """{
  "anonymousId": "anonymoustId",
  "context": {"library": {"name": "unknown", "version": "unknown"}},
  "event": "Installation Started",
  "integrations": {},
  "messageId": "api-1joj5LZSzuVCI9KshnaX059JYKo",
  "properties": {"os": "ubuntu"},
  "receivedAt": "2020-11-04T08:05:52.726Z",
  "timestamp": "2020-11-04T08:05:52.726Z",
  "type": "track",
  "userId": "111.65.255.130"
}"""

SEED_INSTANCE_ACTIVE = """{
  "context": {"ip": "203.192.213.46", "library": {"name": "unknown", "version": "unknown"}},
  "event": "Instance Active",
  "integrations": {},
  "messageId": "api-1jokIBOkNv8nEmu2fGeNb01G1RC",
  "properties": {"instanceId": "<uuid>"},
  "receivedAt": "2020-11-04T08:15:49.537Z",
  "timestamp": "2020-11-04T08:15:49.537Z",
  "type": "track",
  "userId": "203.192.213.46"
}"""

SEED_APPLICATIONS_PAGE_LOAD = """{
  "anonymousId": "0b62ab60-02ad-4f69-a181-d9c5eb2f97fa",
  "context": {
    "ip": "49.207.192.209",
    "library": {"name": "analytics.js", "version": "4.0.4"},
    "locale": "en-US",
    "page": {
      "path": "/applications",
      "referrer": "https://dev.appsmith.com/applications",
      "search": "",
      "title": "Editor | Appsmith",
      "url": "https://dev.appsmith.com/applications"
    },
    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.111 Safari/537.36"
  },
  "event": "APPLICATIONS_PAGE_LOAD",
  "integrations": {},
  "messageId": "ajs-9176c8f5ebc607524746206ea6aa7502",
  "originalTimestamp": "2020-11-04T10:52:14.616Z",
  "properties": {},
  "receivedAt": "2020-11-04T10:52:14.750Z",
  "sentAt": "2020-11-04T10:52:14.618Z",
  "timestamp": "2020-11-04T10:52:14.748Z",
  "type": "track",
  "userId": "a3d8b23b9b0cac986af79f4826d009463f8dfc372f188934710115491b7665a1"
}"""  # noqa: E501 - the seed document as Appsmith published it

SEED_EXECUTE_WITH_TRAILING_COMMA = """{
"context": {
"library": {
"name": "analytics-java",
"version": "2.1.1"
}
},
"event": "execute_ACTION_TRIGGERED",
"integrations": {},
"messageId": "0f6b07ee-0717-413-808c-c25b09c0468",
"originalTimestamp": "2021-08-24T07:23:35.610Z",
"properties": {
"appId": "612465f87b2230debedfc6",
"appMode": "edit",
"appName": "APP1",
"datasource": {
"name": "Test App"
},
"instanceId": "612460418944011a10fa5b",
"isExampleApp": false,
"isSuccessfulExecution": true,
"name": "Test",
"orgId": "612464f7f230debedfc4",
"originService": "appsmith-server",
"pageId": "612465802230debedfc8",
"pageName": "Page1",
"pluginName": "PostgreSQL",
"statusCode": "",
"timeElapsed": 8,
"type": "DB",
"username": "70280e5d07e61e5e915e5d26ac8704bbd68d3f75ebad67ba439f4c354d7"
},
"receivedAt": "2021-08-24T07:23:39.996Z",
"sentAt": "2021-08-24T07:23:39.885Z",
"timestamp": "2021-08-24T07:23:35.721Z",
"type": "track",
"userId": "70280e5dd9e61e5e91526ac8704bbd68d3f75ebad67ba439f4c354d7",
}"""

INSTALLER_IDS = (
    "installation-started",
    "installation-success",
    "installation-errors",
    "installation-support",
)


def _leaves(node: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """An independent leaf walker, so the catalog is not checked only against the module's own idea of a
    leaf."""
    for key, value in node.items():
        if isinstance(value, Mapping) and len(value) > 0:
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def _get(payload: Mapping[str, Any], path: str) -> Any:
    node: Any = payload
    for key in path.split("."):
        node = node[key]
    return node


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _sample(catalog: Catalog, sample_id: str) -> PayloadSample:
    sample = catalog.get(sample_id)
    assert sample is not None, f"catalog lacks {sample_id}"
    return sample


def _raw_catalog() -> dict[str, Any]:
    data = json.loads(resource_text("catalog.json"))
    assert isinstance(data, dict)
    return data


# --- the bundled data
# --------------------------------------------------------------------------------------------


def test_catalog_has_every_expected_entry(catalog: Catalog) -> None:
    assert [sample.id for sample in catalog.samples] == [
        *INSTALLER_IDS,
        "instance-active",
        "instance-stats",
        "execute-action-triggered",
        "applications-page-load",
    ]
    assert {sample.event for sample in catalog.samples} >= {
        "Installation Started",
        "Installation Success",
        "Installation Errors",
        "Installation Support",
        "Instance Active",
        "instance_stats",
        "execute_ACTION_TRIGGERED",
        "APPLICATIONS_PAGE_LOAD",
    }


def test_every_source_is_present(catalog: Catalog) -> None:
    for source in Source:
        assert catalog.by_source(source), f"no sample from {source}"
    assert {sample.id for sample in catalog.by_source(Source.INSTALLER)} == set(INSTALLER_IDS)
    assert [sample.id for sample in catalog.by_source(Source.CLIENT)] == ["applications-page-load"]
    assert Source.SERVER.label == "Appsmith server"
    assert Source.CLIENT.label == "Browser client"
    assert Source.INSTALLER.label == "Installer"


def test_every_leaf_has_a_note_and_every_note_has_a_leaf(catalog: Catalog) -> None:
    for sample in catalog.samples:
        leaves = list(_leaves(sample.sample))
        noted = [note.path for note in sample.fields]
        assert sorted(noted) == sorted(leaves), sample.id
        assert len(set(noted)) == len(noted), f"{sample.id} notes a path twice"
        for note in sample.fields:
            assert note.note.strip(), f"{sample.id}:{note.path} has an empty note"


def test_raw_json_has_notes_for_every_leaf_too() -> None:
    """The same check on the file itself, so a loader bug that drops fields cannot hide a gap in the data."""
    for entry in _raw_catalog()["samples"]:
        assert sorted(field["path"] for field in entry["fields"]) == sorted(_leaves(entry["sample"])), entry[
            "id"
        ]


def test_local_names_are_only_the_known_ones(catalog: Catalog) -> None:
    used = {note.local for sample in catalog.samples for note in sample.fields if note.local is not None}
    assert used <= LOCAL_NAMES
    assert used == LOCAL_NAMES, "every local value the panel can know should fill at least one field"


@pytest.mark.parametrize(
    ("sample_id", "stopped"),
    [
        ("installation-started", False),
        ("installation-success", False),
        ("installation-errors", False),
        ("installation-support", False),
        ("instance-active", True),
        ("instance-stats", True),
        ("execute-action-triggered", True),
        ("applications-page-load", True),
    ],
)
def test_stopped_by_switch_matches_the_domain(catalog: Catalog, sample_id: str, stopped: bool) -> None:
    assert _sample(catalog, sample_id).stopped_by_switch is stopped


def test_switch_notes_say_the_important_part(catalog: Catalog) -> None:
    for sample_id in INSTALLER_IDS:
        assert "whatever you answer" in _sample(catalog, sample_id).switch_note
    assert "#1776" in _sample(catalog, "instance-active").switch_note


def test_documented_samples_keep_every_seed_value(catalog: Catalog) -> None:
    fixed = SEED_EXECUTE_WITH_TRAILING_COMMA.replace('",\n}', '"\n}')
    assert fixed != SEED_EXECUTE_WITH_TRAILING_COMMA
    with pytest.raises(json.JSONDecodeError):
        json.loads(SEED_EXECUTE_WITH_TRAILING_COMMA)
    expected = {
        "installation-started": json.loads(SEED_INSTALLATION_STARTED),
        "instance-active": json.loads(SEED_INSTANCE_ACTIVE),
        "applications-page-load": json.loads(SEED_APPLICATIONS_PAGE_LOAD),
        "execute-action-triggered": json.loads(fixed),
    }
    for sample_id, seed in expected.items():
        sample = _sample(catalog, sample_id)
        assert sample.sample_dict() == seed, sample_id
        assert sample.origin_kind == "documented"


def test_derived_installer_samples_share_the_documented_shape(catalog: Catalog) -> None:
    started = _sample(catalog, "installation-started").sample_dict()
    for sample_id in INSTALLER_IDS[1:]:
        sample = _sample(catalog, sample_id)
        assert sample.origin_kind == "derived"
        derived = sample.sample_dict()
        assert derived["event"] == sample.event
        for key in started:
            if key not in ("event", "properties"):
                assert derived[key] == started[key], f"{sample_id}.{key}"
        assert derived["properties"]["os"] == started["properties"]["os"]


def test_support_carries_the_typed_email_in_plain_text(catalog: Catalog) -> None:
    support = _sample(catalog, "installation-support")
    email = support.field("properties.email")
    assert email is not None
    assert email.hashed is False
    assert email.local == "email_plain"
    assert "plain text" in email.note
    others = [s for s in catalog.by_source(Source.INSTALLER) if s.id != "installation-support"]
    assert all(s.field("properties.email") is None for s in others)


def test_instance_stats_is_marked_reconstructed(catalog: Catalog) -> None:
    stats = _sample(catalog, "instance-stats")
    assert stats.origin_kind == "reconstructed"
    assert "reconstructed from Appsmith's source, not a documented sample" in stats.sample_origin
    properties = stats.sample["properties"]
    for key in ("instanceId", "numOrgs", "numApps", "numPages", "numActions", "numDatasources", "numUsers"):
        assert key in properties
    assert stats.sample["edition"] and stats.sample["version"]
    for path in ("edition", "version"):
        note = stats.field(path)
        assert isinstance(note, FieldNote)
        assert (note.local, note.hashed) == (path, False)


def test_execute_event_username_and_user_id_are_hashed(catalog: Catalog) -> None:
    execute = _sample(catalog, "execute-action-triggered")
    for path in ("properties.username", "userId"):
        note = execute.field(path)
        assert note is not None
        assert note.hashed is True
        assert note.local == "email_sha256"
    plain = execute.field("properties.appName")
    assert plain is not None and plain.hashed is False


def test_client_user_id_is_the_hash_of_the_username(catalog: Catalog) -> None:
    note = _sample(catalog, "applications-page-load").field("userId")
    assert note is not None and note.hashed and note.local == "email_sha256"


def test_always_sent_is_honest_and_complete(catalog: Catalog) -> None:
    assert len(catalog.always_sent) >= 4
    text = " ".join(
        f"{item.name} {item.sender} {item.when} {item.note}" for item in catalog.always_sent
    ).lower()
    assert "install" in text
    assert "release notes" in text
    assert "paying" in text
    assert "instance active" in text and "#1776" in text
    for item in catalog.always_sent:
        assert item.name and item.sender and item.when and item.note
    assert "third-party" not in text, (
        "browser third-party assets are not in the sources; the catalog must not claim them"
    )


def test_sources_name_both_seed_documents(catalog: Catalog) -> None:
    wheres = " ".join(source.where for source in catalog.sources)
    assert "000_40ec5943e80a32e1.txt" in wheres
    assert "001_2b8cc23a4dd807ba.txt" in wheres
    assert any("APPSMITH.md" in source.where for source in catalog.sources)


def test_get_and_by_source(catalog: Catalog) -> None:
    assert catalog.get("no-such-event") is None
    active = _sample(catalog, "instance-active")
    assert active in catalog.by_source(Source.SERVER)
    assert active not in catalog.by_source(Source.CLIENT)
    assert active.field("no.such.path") is None
    assert catalog.by_source(Source("server")) == catalog.by_source(Source.SERVER)
    assert len({hash(sample) for sample in catalog.samples}) == len(catalog.samples), (
        "samples work as dict keys"
    )


def test_load_catalog_is_cached() -> None:
    assert load_catalog() is load_catalog()


# --- read-only
# ---------------------------------------------------------------------------------------------------


def test_catalog_cannot_be_mutated_through_a_loaded_sample(catalog: Catalog) -> None:
    stats = _sample(catalog, "instance-stats")
    before = stats.sample_dict()
    with pytest.raises(TypeError):
        stats.sample["event"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        stats.sample["properties"]["numApps"] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        stats.sample["properties"]["emailDomainHashes"].append("x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.event = "changed"  # type: ignore[misc]

    copy = stats.sample_dict()
    copy["properties"]["numApps"] = -1
    copy["properties"]["emailDomainHashes"].append("x")
    filled = fill_sample(stats, LocalFacts(instance_id="mine"))
    filled.payload["properties"]["numUsers"] = -1

    assert load_catalog().get("instance-stats") is stats
    assert stats.sample_dict() == before
    assert stats.sample["properties"]["instanceId"] != "mine"


# --- filling in this deployment's values
# --------------------------------------------------------------------------


def test_fill_sample_with_an_email_puts_its_hash_in_the_hashed_paths(catalog: Catalog) -> None:
    execute = _sample(catalog, "execute-action-triggered")
    result = fill_sample(execute, LocalFacts(email="ops@example.com"))
    assert result.payload["properties"]["username"] == OPS_HASH
    assert result.payload["userId"] == OPS_HASH
    assert result.filled == frozenset({"properties.username", "userId"})

    original = execute.sample_dict()
    all_leaves = set(_leaves(original))
    assert result.examples == all_leaves - {"properties.username", "userId"}
    for path in result.examples:
        assert _get(result.payload, path) == _get(original, path), path


def test_fill_sample_normalizes_what_a_person_types(catalog: Catalog) -> None:
    client = _sample(catalog, "applications-page-load")
    result = fill_sample(client, LocalFacts(email="  Ops@Example.COM \n"))
    assert result.payload["userId"] == OPS_HASH
    support = fill_sample(_sample(catalog, "installation-support"), LocalFacts(email=" Ops@Example.com"))
    assert support.payload["properties"]["email"] == "ops@example.com"
    assert support.filled == frozenset({"properties.email"})


def test_fill_sample_uses_every_known_fact(catalog: Catalog) -> None:
    stats = _sample(catalog, "instance-stats")
    facts = LocalFacts(edition="EE", version="v1.40", instance_id="65f0c0ffee", email="ops@example.com")
    result = fill_sample(stats, facts)
    assert result.payload["edition"] == "EE"
    assert result.payload["version"] == "v1.40"
    assert result.payload["properties"]["instanceId"] == "65f0c0ffee"
    assert {"edition", "version", "properties.instanceId"} <= result.filled
    assert "properties.emailDomainHashes" in result.examples, "hashed, but no local value can fill it"
    assert result.filled.isdisjoint(result.examples)
    assert result.filled | result.examples == set(_leaves(stats.sample))


def test_fill_sample_without_facts_changes_nothing(catalog: Catalog) -> None:
    for sample in catalog.samples:
        result = fill_sample(sample, LocalFacts(email="   "))
        assert result.filled == frozenset()
        assert result.payload == sample.sample_dict()
        assert result.examples == frozenset(leaf_paths(sample.sample))


def test_to_json_text_keeps_sample_order_and_unicode(catalog: Catalog) -> None:
    client = _sample(catalog, "applications-page-load")
    text = to_json_text(client.sample)
    assert json.loads(text) == client.sample_dict()
    assert text.index('"anonymousId"') < text.index('"context"') < text.index('"userId"')
    assert text.startswith('{\n  "anonymousId"')
    unordered = {"zeta": "é", "alpha": [1, {"b": 2, "a": 1}]}
    assert (
        to_json_text(unordered)
        == '{\n  "zeta": "é",\n  "alpha": [\n    1,\n    {\n      "b": 2,\n      "a": 1\n    }\n  ]\n}'
    )


# --- hashing
# ------------------------------------------------------------------------------------------------------


def test_sha256_hex_does_not_normalize() -> None:
    assert sha256_hex("ops@example.com") == OPS_HASH
    assert sha256_hex("Ops@example.com") != OPS_HASH
    assert sha256_hex(" ops@example.com") != OPS_HASH
    assert sha256_hex(normalize_email(" Ops@Example.com ")) == OPS_HASH
    assert sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@settings(database=None)
@given(st.text())
def test_sha256_hex_matches_hashlib(text: str) -> None:
    digest = sha256_hex(text)
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert len(digest) == 64 and digest == digest.lower()


# --- validation of a broken catalog
# -------------------------------------------------------------------------------


def _broken(mutate: Any) -> str:
    data = _raw_catalog()
    mutate(data)
    return json.dumps(data)


def test_validation_names_the_entry_with_an_unknown_local_name() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["samples"][4]["fields"][0]["local"] = "hostname"

    with pytest.raises(ValueError, match=r"'instance-active'.*unknown local value 'hostname'"):
        parse_catalog(_broken(mutate))


def test_validation_names_the_entry_with_a_missing_note() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["samples"][6]["fields"] = [
            f for f in data["samples"][6]["fields"] if f["path"] != "properties.pageName"
        ]

    with pytest.raises(
        ValueError, match=r"'execute-action-triggered'.*no field note for properties\.pageName"
    ):
        parse_catalog(_broken(mutate))


def test_validation_rejects_a_note_for_a_missing_path() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["samples"][0]["fields"].append({"path": "properties.ghost", "note": "x", "hashed": False})

    with pytest.raises(ValueError, match=r"'installation-started'.*not in the sample: properties\.ghost"):
        parse_catalog(_broken(mutate))


def test_validation_rejects_an_unknown_source_and_origin() -> None:
    def bad_source(data: dict[str, Any]) -> None:
        data["samples"][7]["source"] = "mobile"

    def bad_origin(data: dict[str, Any]) -> None:
        data["samples"][5]["sample_origin"] = "guessed: trust me"

    with pytest.raises(ValueError, match=r"'applications-page-load'.*unknown source 'mobile'"):
        parse_catalog(_broken(bad_source))
    with pytest.raises(ValueError, match=r"'instance-stats'.*sample_origin"):
        parse_catalog(_broken(bad_origin))
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_catalog("{")
