"""``DJ_*`` variables from the process environment and, unless files are off, ``.env``."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

from ...datajoint_rules import ignore_config_file
from .read_once import read_text

PREFIX = "DJ_"
#: A ``.env`` larger than this is refused.
MAX_DOTENV_BYTES = 4 * 2**20


class Environment(dict):  # type: ignore[type-arg]
    """The ``DJ_*`` variables in force; ``from_dotenv`` names those ``.env`` supplied."""

    from_dotenv: frozenset[str] = frozenset()


def dotenv_file(cwd: Path, env: Mapping[str, str]) -> Path | None:
    """The ``.env`` that is read with the real ``DJ_*`` variables ``env``, if any."""
    if ignore_config_file(env):
        return None
    path = cwd / ".env"
    return path if path.is_file() else None


def read_environment(cwd: Path, environ: Mapping[str, str] | None = None) -> Environment:
    """The ``DJ_*`` variables in force: real environment variables win over ``.env``.

    Names are kept in any case (DataJoint reads ``DJ_IGNORE_CONFIG_FILE`` in any case).
    With ``DJ_IGNORE_CONFIG_FILE`` true in the real environment, ``.env`` is not
    opened at all: env-only deployments are promised that no file contributes.
    """
    source = os.environ if environ is None else environ
    # Keys first: os.environ decodes every value it yields, and few of them are DJ_*.
    env = Environment({k: source[k] for k in source if k[:3].upper() == PREFIX})
    if ignore_config_file(env):
        return env
    dotenv_path = cwd / ".env"
    if not dotenv_path.is_file():
        return env
    from dotenv import dotenv_values  # never load_dotenv: it would write os.environ

    # Read through one descriptor: a non-UTF-8 .env is an error naming it, not its text.
    text = read_text(dotenv_path, limit=MAX_DOTENV_BYTES)
    from_file = {
        k: v
        for k, v in dotenv_values(stream=io.StringIO(text)).items()
        if k.startswith(PREFIX) and v is not None and k not in env
    }
    merged = Environment({**from_file, **env})
    merged.from_dotenv = frozenset(from_file)
    return merged
