"""What a simulated call leaves behind: lines on stdout as it goes, and a failure docker would report as a
message on stderr with an exit code (`SimulationError`, turned into both by `cli.main`)."""

from __future__ import annotations


class SimulationError(Exception):
    """A failure docker would report: the message goes to stderr, the call exits with `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def out(text: str = "") -> None:
    """One line on stdout, flushed at once: a reader of a streaming call sees it when docker would."""
    print(text, flush=True)
