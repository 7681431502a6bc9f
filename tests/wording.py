"""What user-facing sentences must not say: words that mislead ("anonymous"), and development history that
belongs in a details view (API paths, command-line flags, file names of ours, class names, PR numbers)."""

from __future__ import annotations

import re

FORBIDDEN = {
    "anonymous": re.compile(r"\banonymous\b", re.IGNORECASE),
    "an API path": re.compile(r"/api/"),
    "a command-line flag": re.compile(r"(?<![\w-])--\w"),
    "a notes file": re.compile(r"APPSMITH\.md"),
    "a class name": re.compile(r"\b[A-Z][a-z]+(?:[A-Z]+[a-z]+)+\b"),  # PingScheduledTaskCEImpl too
    "a PR number": re.compile(r"\bPR ?#?\d+|#\d{3,}"),
    "nested brackets": re.compile(r"\([^()]*\("),
    '"Nothing to do"': re.compile(r"Nothing to do"),
}


def wording_problems(text: str) -> list[str]:
    """Each problem as `what: the words around it`; empty when the text is clean."""
    problems = []
    for what, pattern in FORBIDDEN.items():
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            problems.append(f"{what}: …{text[start : match.end() + 40]}…")
    return problems
