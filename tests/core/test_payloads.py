"""Tests for the payload catalog: the bundled data is complete and true to the sources, and nobody can change
it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panel.core.payloads import (
    LOCAL_NAMES,
    Catalog,
    Citation,
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
    "installation-error",
    "installation-support",
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "appsmith"
"""Appsmith's own files, fetched at the commits the catalog cites (each file's first line names it)."""


def _appsmith_file(name: str) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    assert "Fetched from appsmithorg/appsmith" in header and name.split("@")[1] in header, name
    return body


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
        "installation-setup-complete",
        "applications-page-load",
        "telemetry-disabled",
    ]
    assert {sample.event for sample in catalog.samples} == {
        "Installation Started",
        "Installation Success",
        "Installation Error",
        "Installation Support",
        "Instance Active",
        "instance_stats",
        "execute_ACTION_TRIGGERED",
        "Installation Setup Complete",
        "APPLICATIONS_PAGE_LOAD",
        "TELEMETRY_DISABLED",
    }


def test_every_source_is_present(catalog: Catalog) -> None:
    for source in Source:
        assert catalog.by_source(source), f"no sample from {source}"
    assert {sample.id for sample in catalog.by_source(Source.INSTALLER)} == set(INSTALLER_IDS)
    assert [sample.id for sample in catalog.by_source(Source.CLIENT)] == [
        "applications-page-load",
        "telemetry-disabled",
    ]
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
        ("installation-error", False),
        ("installation-support", False),
        ("instance-active", True),
        ("instance-stats", True),
        ("execute-action-triggered", True),
        ("installation-setup-complete", True),
        ("applications-page-load", True),
        ("telemetry-disabled", False),
    ],
)
def test_stopped_by_switch_matches_the_domain(catalog: Catalog, sample_id: str, stopped: bool) -> None:
    assert _sample(catalog, sample_id).stopped_by_switch is stopped


def test_switch_notes_say_the_important_part(catalog: Catalog) -> None:
    for sample_id in INSTALLER_IDS:
        assert "whatever you answer" in _sample(catalog, sample_id).switch_note
        assert "hook.integromat.com" in _sample(catalog, sample_id).switch_note
    assert "2020-11-19" in _sample(catalog, "instance-active").switch_note
    assert "sent even if the admin unticks" in _sample(catalog, "installation-setup-complete").switch_note


def test_documented_samples_keep_every_seed_value(catalog: Catalog) -> None:
    fixed = SEED_EXECUTE_WITH_TRAILING_COMMA.replace('",\n}', '"\n}')
    assert fixed != SEED_EXECUTE_WITH_TRAILING_COMMA
    with pytest.raises(json.JSONDecodeError):
        json.loads(SEED_EXECUTE_WITH_TRAILING_COMMA)
    expected = {
        "applications-page-load": json.loads(SEED_APPLICATIONS_PAGE_LOAD),
        "execute-action-triggered": json.loads(fixed),
    }
    for sample_id, seed in expected.items():
        sample = _sample(catalog, sample_id)
        assert sample.sample_dict() == seed, sample_id
        assert sample.origin_kind == "documented"


def test_installer_samples_are_the_request_bodies_install_sh_posts(catalog: Catalog) -> None:
    """Each installer sample has the shape of the last install.sh's curl body and only keys it sends."""
    script = _appsmith_file("install.sh@8edb278b75")
    assert "hook.integromat.com" in script and "api.segment.io" not in script
    assert '"Installation Errors"' not in script
    bodies: dict[str, set[str]] = {}
    for body in re.findall(r"--data '(\{.*?\n\s*\})'", script, flags=re.DOTALL):
        event = re.search(r'"event": "([^"]+)"', body)
        assert event is not None
        data_keys = set(re.findall(r'^\s+"([\w-]+)": ', body.partition('"data"')[2], flags=re.MULTILINE))
        bodies.setdefault(event.group(1), set()).update(data_keys)
    for sample in catalog.by_source(Source.INSTALLER):
        assert sample.origin_kind == "reconstructed"
        payload = sample.sample_dict()
        assert list(payload) == ["userId", "event", "data"], sample.id
        assert set(payload["data"]) <= bodies[sample.event], sample.id
    assert _sample(catalog, "installation-started").sample["data"]["platform"] == "docker"


def test_support_carries_the_typed_email_in_plain_text(catalog: Catalog) -> None:
    support = _sample(catalog, "installation-support")
    email = support.field("data.email")
    assert email is not None
    assert email.hashed is False
    assert email.local == "email_plain"
    assert "plain text" in email.note
    others = [s for s in catalog.by_source(Source.INSTALLER) if s.id != "installation-support"]
    assert all(s.field("data.email") is None for s in others)


def test_instance_stats_has_exactly_the_keys_the_current_server_sends(catalog: Catalog) -> None:
    code = _appsmith_file("ScheduledTaskCEImpl.java@39636498ce")
    constants = {"ADMIN_EMAIL_DOMAIN_HASH": "adminEmailDomainHash", "EMAIL_DOMAIN_HASH": "emailDomainHash"}
    keys = set(re.findall(r'entry\("(\w+)"', code))
    keys |= {constants[name] for name in re.findall(r"entry\((\w+_HASH),", code)}
    keys |= set(
        re.search(r"enum UserTrackingType \{\s*([\w,\s]+)\}", code).group(1).replace(",", " ").split()
    )  # type: ignore[union-attr]
    stats = _sample(catalog, "instance-stats")
    assert stats.origin_kind == "reconstructed"
    assert set(stats.sample["properties"]) == keys
    assert "emailDomainHashes" not in stats.sample["properties"]
    assert set(stats.sample) == {"userId", "context", "properties", "event"}, "version and edition sit inside"
    for path in ("properties.edition", "properties.version"):
        note = stats.field(path)
        assert isinstance(note, FieldNote)
        assert (note.local, note.hashed) == (path.split(".")[1], False)
        assert any(citation.commit == "3f0c8dccdf" for citation in note.citations)


def test_instance_active_carries_the_organization_id(catalog: Catalog) -> None:
    code = _appsmith_file("ScheduledTaskCEImpl.java@39636498ce")
    assert 'Map.of("instanceId", instanceId, "organizationId", organizationId)' in code
    assert "fixedRate = 6 * 60 * 60 * 1000" in code
    active = _sample(catalog, "instance-active")
    assert set(active.sample["properties"]) == {"instanceId", "organizationId"}
    assert "Every 6 hours" in active.when


def test_setup_complete_shows_every_property_a_current_server_event_carries(catalog: Catalog) -> None:
    service = _appsmith_file("AnalyticsServiceCEImpl.java@481988daf1")
    send_event = service[
        service.index(
            "public Mono<Void> sendEvent(String event, String userId, Map<String, ?> properties, boolean"
        ) :
    ]
    send_event = send_event[: send_event.index("public <T extends BaseDomain>")]
    added = set(re.findall(r'analyticsProperties\.put\(\s*"(\w+)"', send_event))
    assert added >= {"originService", "instanceId", "version", "edition", "cloudProvider", "hostname"}
    assert 'Map.of("userAgent", userAgent)' in send_event
    setup = _sample(catalog, "installation-setup-complete")
    properties = set(setup.sample["properties"])
    assert added | {"emailDomainHash", "adminEmailDomainHash"} <= properties
    signup = _appsmith_file("UserSignupCEImpl.java@998f890fbb")
    assert "analyticsProps.put(EMAIL, newsletterSignedUpUserEmail)" in signup
    assert {"disable-telemetry", "subscribe-marketing", "email", "ip", "ipAddress", "name"} <= properties
    email = setup.field("properties.email")
    assert email is not None and not email.hashed and "plain text" in email.note


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
    assert len(catalog.always_sent) >= 6
    text = " ".join(
        f"{item.name} {item.sender} {item.when} {item.note}" for item in catalog.always_sent
    ).lower()
    for needed in (
        "instance start",
        "blocking api.segment.io stops it",
        "release notes",
        "every 2 hours",
        "feature",
        "plugin",
        "paying",
        "instance active",
        "hook.integromat.com",
    ):
        assert needed in text, needed
    assert "every 6 hours; appsmith's 2024" not in text
    for item in catalog.always_sent:
        assert item.name and item.sender and item.when and item.note
    assert "third-party" not in text, (
        "browser third-party assets are not in the sources; the catalog must not claim them"
    )


def test_instance_start_is_what_the_entrypoint_posts() -> None:
    current = _appsmith_file("entrypoint.sh@ea7bfd09d7")
    first = _appsmith_file("entrypoint.sh@6d65f4a7f1")
    for script in (current, first):
        block = script[script.index("if [[ -n ${APPSMITH_SEGMENT_CE_KEY-} ]]; then") :]
        block = block[: block.index("\nfi\n")]
        assert '"event":"Instance Start"' in block and "https://api.segment.io/v1/track" in block
        assert "DISABLE_TELEMETRY" not in block, "the start-up event never reads the switch"
    assert '"event":"RedisCompile"' in current


# --- every claim has a source
# -------------------------------------------------------------------------------------


def _every_cited_entry(catalog: Catalog) -> Iterator[tuple[str, tuple[Citation, ...]]]:
    for sample in catalog.samples:
        yield sample.id, sample.citations
        for note in sample.fields:
            yield f"{sample.id}:{note.path}", note.citations
    for item in catalog.always_sent:
        yield item.name, item.citations


def test_every_sample_field_and_always_sent_entry_cites_a_source(catalog: Catalog) -> None:
    entries = list(_every_cited_entry(catalog))
    assert len(entries) > 130
    for where, citations in entries:
        assert citations, f"{where} has no source"
        for citation in citations:
            assert citation.date and citation.versions, where
            assert citation.url or (citation.repo and citation.path and citation.commit), where


def test_citations_name_upstream_files_at_commits_not_local_notes(catalog: Catalog) -> None:
    for citation in catalog.citations.values():
        if citation.url is None:
            assert citation.repo == "appsmithorg/appsmith", citation.id
            assert re.fullmatch(r"[0-9a-f]{10}", citation.commit or ""), citation.id
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", citation.date), citation.id
            assert (
                citation.link
                == f"https://github.com/appsmithorg/appsmith/blob/{citation.commit}/{citation.path}"
            )
        else:
            assert citation.url.startswith("https://docs.appsmith.com/"), citation.id
        for text in (citation.path or "", citation.url or ""):
            assert "APPSMITH.md" not in text and "seed" not in text, citation.id
    raw = json.dumps(_raw_catalog())
    assert "APPSMITH.md" not in raw


@pytest.mark.parametrize("where", ["sample", "field", "always_sent"])
def test_an_entry_without_a_source_is_refused(where: str) -> None:
    def mutate(data: dict[str, Any]) -> None:
        target = {
            "sample": data["samples"][0],
            "field": data["samples"][0]["fields"][0],
            "always_sent": data["always_sent"][0],
        }[where]
        del target["cite"]

    with pytest.raises(ValueError, match="no claim without a source"):
        parse_catalog(_broken(mutate))


def test_a_citation_must_name_a_file_at_a_commit_or_a_page() -> None:
    def unknown_id(data: dict[str, Any]) -> None:
        data["samples"][1]["cite"] = ["APPSMITH.md section 3"]

    def no_commit(data: dict[str, Any]) -> None:
        del data["citations"]["install-last"]["commit"]

    def no_versions(data: dict[str, Any]) -> None:
        del data["citations"]["docs-2020"]["versions"]

    with pytest.raises(ValueError, match="unknown citation 'APPSMITH.md section 3'"):
        parse_catalog(_broken(unknown_id))
    with pytest.raises(ValueError, match="'install-last'.*repo, path and commit together"):
        parse_catalog(_broken(no_commit))
    with pytest.raises(ValueError, match="'docs-2020'.*'versions' must be a non-empty string"):
        parse_catalog(_broken(no_versions))


_NOT_FOR_SENTENCES = re.compile(
    r"/api/|\.(java|tsx?|sh|properties|md|txt)\b|#\d|\bPR\b|[A-Z][a-z]+[A-Z]\w*(Impl|Service|Config|Util\w*)\b"
    r"|\banonymous\b|\bseed\b",
)


def test_sentences_shown_to_people_leave_paths_classes_and_pr_numbers_to_citations(catalog: Catalog) -> None:
    sentences: list[tuple[str, str]] = []
    for sample in catalog.samples:
        for text in (sample.sender, sample.when, sample.switch_note, sample.sample_origin):
            sentences.append((sample.id, text))
        sentences.extend((f"{sample.id}:{note.path}", note.note) for note in sample.fields)
    for item in catalog.always_sent:
        sentences.extend((item.name, text) for text in (item.name, item.sender, item.when, item.note))
    offending = [(where, text) for where, text in sentences if _NOT_FOR_SENTENCES.search(text)]
    assert offending == []
    assert _NOT_FOR_SENTENCES.search("see PingScheduledTaskCEImpl") and _NOT_FOR_SENTENCES.search("PR #1776")
    assert _NOT_FOR_SENTENCES.search("usage data is anonymous")


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
    with pytest.raises(TypeError):
        stats.sample["context"]["ip"] = "changed"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.event = "changed"  # type: ignore[misc]

    copy = stats.sample_dict()
    copy["properties"]["numApps"] = -1
    copy["context"]["ip"] = "changed"
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
    assert support.payload["data"]["email"] == "ops@example.com"
    assert support.filled == frozenset({"data.email"})


def test_fill_sample_uses_every_known_fact(catalog: Catalog) -> None:
    stats = _sample(catalog, "instance-stats")
    facts = LocalFacts(edition="EE", version="v1.40", instance_id="65f0c0ffee", email="ops@example.com")
    result = fill_sample(stats, facts)
    assert result.payload["properties"]["edition"] == "EE"
    assert result.payload["properties"]["version"] == "v1.40"
    assert result.payload["properties"]["instanceId"] == "65f0c0ffee"
    assert result.payload["userId"] == "65f0c0ffee"
    assert {"properties.edition", "properties.version", "properties.instanceId", "userId"} <= result.filled
    assert "properties.adminEmailDomainHash" in result.examples, "hashed, but no local value can fill it"
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
        data["samples"][0]["fields"].append(
            {"path": "properties.ghost", "note": "x", "hashed": False, "cite": ["install-last"]}
        )

    with pytest.raises(ValueError, match=r"'installation-started'.*not in the sample: properties\.ghost"):
        parse_catalog(_broken(mutate))


def test_validation_rejects_an_unknown_source_and_origin() -> None:
    def bad_source(data: dict[str, Any]) -> None:
        data["samples"][8]["source"] = "mobile"

    def bad_origin(data: dict[str, Any]) -> None:
        data["samples"][5]["sample_origin"] = "guessed: trust me"

    with pytest.raises(ValueError, match=r"'applications-page-load'.*unknown source 'mobile'"):
        parse_catalog(_broken(bad_source))
    with pytest.raises(ValueError, match=r"'instance-stats'.*sample_origin"):
        parse_catalog(_broken(bad_origin))
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_catalog("{")
