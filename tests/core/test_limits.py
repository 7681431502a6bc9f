"""Tests for what the panel agrees to read: regular files of a stated size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from panel.core.limits import InputRefused, check_regular, read_regular


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "docker.env"
    path.write_bytes(b"A=1\n")
    assert read_regular(path, 4) == b"A=1\n"


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "docker.env"
    path.write_bytes(b"A=12\n")
    with pytest.raises(InputRefused, match="Check that it is the right file"):
        read_regular(path, 4)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "docker.env"
    os.mkfifo(path)
    with pytest.raises(InputRefused, match=r"a named pipe \(FIFO\), not a regular file"):
        read_regular(path, 1024)


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "docker.env"
    path.symlink_to("/dev/zero")
    with pytest.raises(InputRefused, match="a character device"):
        check_regular(path, 1024)


def test_a_missing_file_is_left_to_the_reader(tmp_path: Path) -> None:
    check_regular(tmp_path / "missing", 10)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 10)
