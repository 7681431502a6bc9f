"""The child process that works on a big docker.env: same answers as in-process, errors raised as they were,
a child that dies reported in words, and small files kept in the calling process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from panel.core import offload
from panel.core.change import RefusedError, prepare_change, prepare_review
from panel.core.deployment import load_deployment
from panel.core.status import read_file_state
from tests.conftest import assert_no_secret


def padded(env_file: Path, size: int) -> None:
    """`env_file` grown to `size` bytes with harmless settings before its own lines."""
    text = env_file.read_text(encoding="utf-8")
    filler = []
    number = 0
    while sum(map(len, filler)) + len(text) < size:
        filler.append(f"APPSMITH_CUSTOM_SETTING_{number:06d}=value-{number:06d}\n")
        number += 1
    env_file.write_text("".join(filler) + text, encoding="utf-8")


def test_a_review_prepared_in_a_child_is_the_one_prepared_here(single_deployment: Path) -> None:
    deployment = load_deployment(single_deployment)
    padded(deployment.env_file, 300_000)
    here = prepare_review(deployment, telemetry_on=False)
    there = offload.in_child(prepare_review, deployment, telemetry_on=False)
    assert there == here
    assert there.change is not None and here.change is not None
    assert there.change.new_data == here.change.new_data
    assert there.change.old_value == "false"
    assert "+APPSMITH_DISABLE_TELEMETRY=true" in there.diff
    assert_no_secret(there.diff)


def test_an_error_in_the_child_is_raised_here_with_its_type_and_words(tmp_path: Path) -> None:
    folder = tmp_path / "appsmith"
    (folder / "stacks" / "configuration").mkdir(parents=True)
    (folder / "docker-compose.yml").write_text(
        "services:\n  appsmith:\n    image: appsmith/appsmith-ce\n", encoding="utf-8"
    )
    deployment = load_deployment(folder)
    with pytest.raises(RefusedError, match="does not exist"):
        offload.in_child(prepare_change, deployment, False)


def test_an_os_error_keeps_its_number_and_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as raised:
        offload.in_child(os.stat, missing)
    assert raised.value.filename == str(missing)


def test_a_child_killed_before_answering_is_reported_in_words() -> None:
    with pytest.raises(offload.OffloadError, match="ended by signal 6 before answering"):
        offload.in_child(os.abort)


def test_an_answer_that_cannot_be_sent_back_becomes_an_error() -> None:
    with pytest.raises(RuntimeError, match="could not be sent"):
        offload.in_child(threading.Lock)


def test_what_the_work_prints_does_not_spoil_the_answer() -> None:
    assert offload.in_child(print, "a line on stdout") is None


def test_a_small_file_stays_in_this_process_and_a_big_one_goes_to_a_child(tmp_path: Path) -> None:
    small, big = tmp_path / "small.env", tmp_path / "big.env"
    small.write_bytes(b"A=1\n")
    big.write_bytes(b"A=1\n" * (offload.BIG_FILE_BYTES // 4))
    assert offload.for_file(small, os.getpid) == os.getpid()
    assert offload.for_file(big, os.getpid) != os.getpid()
    assert offload.for_file(tmp_path / "missing.env", os.getpid) == os.getpid()


def test_the_file_state_read_in_a_child_is_the_one_read_here(single_deployment: Path) -> None:
    env_file = single_deployment / "stacks" / "configuration" / "docker.env"
    padded(env_file, offload.BIG_FILE_BYTES + 1)
    assert offload.for_file(env_file, read_file_state, env_file) == read_file_state(env_file)


def test_the_child_runs_at_a_lower_priority_than_the_caller() -> None:
    assert offload.in_child(os.nice, 0) == os.nice(0) + offload.CHILD_NICENESS


def test_every_piece_of_work_the_window_hands_over_crosses_both_ways(
    single_deployment: Path, legacy_deployment: Path
) -> None:
    """What the window runs in a child for a big file (the backups' descriptions, a restore's review, the
    restore itself, the nginx fix) takes and gives back the same as in this process."""
    from panel.core.backups import describe_backups, list_backups, restore_and_record, review_restore
    from panel.core.change import write_change
    from panel.core.nginx_fix import prepare_nginx_fix

    deployment = load_deployment(single_deployment)
    env_file = deployment.env_file
    before = env_file.read_bytes()
    write_change(prepare_change(deployment, telemetry_on=False))
    [backup] = list_backups(env_file)
    assert offload.in_child(describe_backups, env_file) == describe_backups(env_file)
    review = offload.in_child(review_restore, env_file, backup)
    assert review == review_restore(env_file, backup)
    assert "-APPSMITH_DISABLE_TELEMETRY=true" in review.preview
    restored = offload.in_child(restore_and_record, env_file, backup)
    assert restored.backup == backup and restored.safety is not None
    assert env_file.read_bytes() == before

    legacy = load_deployment(legacy_deployment)
    assert offload.in_child(prepare_nginx_fix, legacy) == prepare_nginx_fix(legacy)


def test_the_child_never_imports_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A panel run as root from a folder a user controls: that user's `json.py` or `pickle.py` there must not
    run as root in the child."""
    marker = tmp_path / "imported"
    for name in ("json", "pickle", "subprocess", "dotenv"):
        (tmp_path / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'a').write({name!r})\nraise SystemExit(9)\n", encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as `python -m panel` started from there would have it
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert offload.in_child(os.getcwd) == str(tmp_path)
    assert not marker.exists()
