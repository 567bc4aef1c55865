"""``DJ_STORES``: a whole stores block as JSON in one environment variable."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...datajoint_rules import dj_stores_is_unset
from ...errors import ConfigSourceError
from ..layer import Layer

VARIABLE = "DJ_STORES"


class DjStoresSource:
    """Parses ``DJ_STORES``; when set, it replaces the file's stores block wholesale."""

    def __init__(self, environ: Mapping[str, str], dotenv: Path | None = None) -> None:
        self._text = environ.get(VARIABLE)
        #: The ``.env`` file the variable was read from, when not the real environment:
        #: its values are then attributed to that file, not to ``DJ_STORES``.
        self.dotenv = dotenv
        self._where = VARIABLE if dotenv is None else f"{VARIABLE} (from {dotenv})"

    def __call__(self) -> Layer | None:
        if dj_stores_is_unset(self._text):
            return None
        assert self._text is not None
        if not self._text.strip():
            raise ConfigSourceError(
                f"{self._where} is blank: unset it, or give a JSON object "
                "(DataJoint 2.3.5 fails to build its configuration with a blank value)",
                source=self._where,
            )
        try:
            block = json.loads(self._text)
        except json.JSONDecodeError as exc:
            # The decoder's own message quotes no input; the variable's text is never shown.
            raise ConfigSourceError(
                f"{self._where} contains invalid JSON: {exc.msg} "
                f"at line {exc.lineno} column {exc.colno}",
                source=self._where,
            ) from None
        except RecursionError:
            raise ConfigSourceError(
                f"{self._where} is nested too deeply", source=self._where
            ) from None
        if not isinstance(block, dict):
            raise ConfigSourceError(
                f"{self._where} must be a JSON object shaped like the stores block, "
                f"not a JSON {_json_type(block)}",
                source=self._where,
            )
        return Layer(str(self.dotenv or VARIABLE), "block", block)

    def describe(self) -> dict[str, Any]:
        """This source as data: set or not, and the ``.env`` it came from."""
        return {
            "kind": "env",
            "name": VARIABLE,
            "set": bool(self._text and self._text.strip()),
            "path": str(self.dotenv) if self.dotenv else None,
        }

    def __repr__(self) -> str:
        return f"DjStoresSource(set={self._text is not None})"


def _json_type(value: object) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
