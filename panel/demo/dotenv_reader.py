"""docker.env as the simulators read it: python-dotenv's values and `${VAR}` interpolation, in linear time.

python-dotenv resolves each value against a fresh copy of the environment and every value before it, which is
quadratic: a 10 MB docker.env kept the simulated Appsmith and `docker inspect` busy for minutes. Here one
mapping grows as the values are resolved, which gives the same answers (the file's earlier values over the
environment, as `dotenv_values` does).
"""

from __future__ import annotations

import os
from pathlib import Path


def read_env(path: Path) -> dict[str, str | None]:
    """What `dotenv.dotenv_values(path)` answers."""
    from dotenv.main import DotEnv
    from dotenv.variables import parse_variables

    known: dict[str, str | None] = dict(os.environ)
    values: dict[str, str | None] = {}
    for name, value in DotEnv(path, interpolate=False, override=True).parse():
        result = None if value is None else "".join(atom.resolve(known) for atom in parse_variables(value))
        values[name] = known[name] = result
    return values
