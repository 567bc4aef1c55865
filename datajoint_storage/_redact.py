"""Redaction of secret values from text that a library outside ours produced.

Our own messages never format a secret in the first place; this is the second line of
defence for text we did not write (a plugin's exception, a cloud SDK's error).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MASK = "**********"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret value in ``text`` with the mask."""
    # Longest first, so a secret that contains another one is masked whole.
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


class _MaskedRepr:
    """Mixin: the value prints as the mask; it compares, hashes and serialises as itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)


class MaskedStr(_MaskedRepr, str):
    """A secret read back from the configuration: equal to the secret, masked in repr.

    DataJoint code that passes the value on (``spec["secret_key"]``, f-strings, SDK
    calls) keeps working; printing a store, a ``dict(...)`` copy, ``.items()`` or a log
    line of them shows the mask, because containers print their items' ``repr``.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type[MaskedStr], tuple[str]]:
        return (MaskedStr, (str.__str__(self),))

    def __copy__(self) -> MaskedStr:
        return self

    def __deepcopy__(self, memo: object) -> MaskedStr:
        return self


class MaskedInt(_MaskedRepr, int):
    """A number under a secret key (not a valid secret, still never printed)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[MaskedInt], tuple[int]]:
        return (MaskedInt, (int(self),))


class MaskedFloat(_MaskedRepr, float):
    """A float under a secret key (not a valid secret, still never printed)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[MaskedFloat], tuple[float]]:
        return (MaskedFloat, (float(self),))


class MaskedList(_MaskedRepr, list):  # type: ignore[type-arg]
    """A list under a secret key: printed as the mask."""


class MaskedDict(_MaskedRepr, dict):  # type: ignore[type-arg]
    """A mapping under a secret key (a service-account document): printed as the mask."""


def masked(value: Any) -> Any:
    """``value`` with a masked ``repr`` (same type family, equal value); None, bools as is."""
    if is_masked(value) or value is None or isinstance(value, bool):
        return value
    for base, wrapper in _WRAPPERS:
        if isinstance(value, base):
            return wrapper(value)
    return value


def is_masked(value: Any) -> bool:
    """Whether ``value`` was read back as a secret (and so must stay one)."""
    return isinstance(value, _MaskedRepr)


_WRAPPERS: tuple[tuple[type, type], ...] = (
    (str, MaskedStr),
    (int, MaskedInt),
    (float, MaskedFloat),
    (list, MaskedList),
    (tuple, MaskedList),
    (dict, MaskedDict),
)
