"""Kept for imports written before :mod:`.redaction` owned masking; use that module."""

from .redaction import (  # noqa: F401
    MASK,
    MaskedDict,
    MaskedFloat,
    MaskedInt,
    MaskedList,
    MaskedStr,
    _MaskedRepr,
    is_masked,
    masked,
)
