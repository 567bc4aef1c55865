"""``DJ_*`` variables from the process environment and, unless files are off, ``.env``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PREFIX = "DJ_"
_TRUE = frozenset({"true", "1", "yes", "on"})


def truthy(value: str | None) -> bool:
    """``true``, ``1``, ``yes``, ``on`` in any case; anything else is false."""
    return value is not None and value.strip().lower() in _TRUE


def dotenv_file(cwd: Path, env: Mapping[str, str]) -> Path | None:
    """The ``.env`` that is read with the real ``DJ_*`` variables ``env``, if any."""
    if truthy(env.get("DJ_IGNORE_CONFIG_FILE")):
        return None
    path = cwd / ".env"
    return path if path.is_file() else None


def read_environment(cwd: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``DJ_*`` variables in force: real environment variables win over ``.env``.

    With ``DJ_IGNORE_CONFIG_FILE`` true in the real environment, ``.env`` is not
    opened at all: env-only deployments are promised that no file contributes.
    """
    source = os.environ if environ is None else environ
    # Keys first: os.environ decodes every value it yields, and few of them are DJ_*.
    env = {k: source[k] for k in source if k.startswith(PREFIX)}
    dotenv_path = dotenv_file(cwd, env)
    if dotenv_path is None:
        return env
    from dotenv import dotenv_values  # never load_dotenv: it would write os.environ

    from_file = {
        k: v
        for k, v in dotenv_values(dotenv_path, encoding="utf-8").items()
        if k.startswith(PREFIX) and v is not None
    }
    return {**from_file, **env}
