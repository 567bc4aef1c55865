"""Redaction of secret values from text that a library outside ours produced.

Our own messages never format a secret in the first place; this is the second line of
defence for text we did not write (a plugin's exception, a cloud SDK's error).
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "**********"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret value in ``text`` with the mask."""
    # Longest first, so a secret that contains another one is masked whole.
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
