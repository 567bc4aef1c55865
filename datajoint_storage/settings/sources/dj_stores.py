"""``DJ_STORES``: a whole stores block as JSON in one environment variable."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ...errors import ConfigSourceError
from ..layer import Layer

VARIABLE = "DJ_STORES"


class DjStoresSource:
    """Parses ``DJ_STORES``; when set, it replaces the file's stores block wholesale."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._text = environ.get(VARIABLE)

    def __call__(self) -> Layer | None:
        if self._text is None or not self._text.strip():
            return None
        try:
            block = json.loads(self._text)
        except json.JSONDecodeError as exc:
            # The decoder's own message quotes no input; the variable's text is never shown.
            raise ConfigSourceError(
                f"{VARIABLE} contains invalid JSON: {exc.msg} "
                f"at line {exc.lineno} column {exc.colno}",
                source=VARIABLE,
            ) from None
        except RecursionError:
            raise ConfigSourceError(f"{VARIABLE} is nested too deeply", source=VARIABLE) from None
        if not isinstance(block, dict):
            raise ConfigSourceError(
                f"{VARIABLE} must be a JSON object shaped like the stores block, "
                f"not a JSON {_json_type(block)}",
                source=VARIABLE,
            )
        return Layer(VARIABLE, "block", block)

    def __repr__(self) -> str:
        return f"DjStoresSource(set={self._text is not None})"


def _json_type(value: object) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
