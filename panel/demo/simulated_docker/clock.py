"""Time as docker writes it: Go's RFC 3339 timestamps in `inspect`, human durations in `ps`."""

from __future__ import annotations

import time

NEVER = "0001-01-01T00:00:00Z"
"""Go's zero time: what `inspect` shows for a container that never started or never finished."""


def rfc3339(ns: int) -> str:
    """Go's RFC3339Nano, as docker prints it: nanoseconds with trailing zeros trimmed."""
    seconds, nanos = divmod(ns, 1_000_000_000)
    fraction = f"{nanos:09d}".rstrip("0")
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + (f".{fraction}" if fraction else "") + "Z"
    )


def human(seconds: float) -> str:
    """docker's units.HumanDuration."""
    if seconds < 1:
        return "Less than a second"
    if seconds < 2:
        return "1 second"
    if seconds < 60:
        return f"{int(seconds)} seconds"
    minutes = seconds / 60
    if minutes < 2:
        return "About a minute"
    if minutes < 60:
        return f"{int(minutes)} minutes"
    hours = minutes / 60
    if hours < 2:
        return "About an hour"
    if hours < 48:
        return f"{int(hours)} hours"
    return f"{int(hours / 24)} days"
