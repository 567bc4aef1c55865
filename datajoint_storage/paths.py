"""What a relpath may be: one check for every adapter and every caller.

A ``relpath`` is joined under a store's ``location``, and the result reaches a
filesystem library, an HTTP server or an object store, each of which may decode it
further: a WebDAV server turns ``%2e%2e`` into ``..``, NFKC-folding software turns a
fullwidth ``\\uff0e\\uff0e`` into ``..``, Windows and some gateways read ``\\`` as a separator,
fsspec expands ``~`` and strips ``file://``. :func:`check_relpath` therefore looks at
every form the path may take on the way (as written, percent-decoded until nothing
changes, NFKC-normalised, with backslashes and slash look-alikes as separators) and
refuses it if any form:

- holds a NUL or another C0 control character (they truncate or split paths);
- is absolute: ``/x``, ``\\x``, ``C:\\x``, ``C:/x``;
- starts like a URL or fsspec chain: ``file://``, ``s3://``, ``memory::``, ``x:...``;
- starts with ``~`` (a home directory once expanded);
- has a ``..`` segment.

The check runs at the contract (``StorageAdapter`` wraps every ``full_path``, overrides
included) and in ``Store.full_path``, so it holds whoever calls the adapter, DataJoint
included. Paths DataJoint builds itself (``_hash/...``, ``_schema/.../pk=a%2Fb/...``)
pass: a percent-encoded ``/`` inside a segment is only refused when it hides a ``..``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from .errors import DataJointError

__all__ = ["check_filepath", "check_relpath", "path_forms"]

#: Separators once a path is decoded: slash, backslash and their look-alikes that some
#: systems map to them (division slash, fraction slash, big solidus, small reverse solidus).
_SEPARATORS = re.compile("[/\\\\\u2215\u2044\u29f8\u29f9\ufe68]")
#: ``C:``, ``file:``, ``s3:``... at the start: a drive or a URL scheme.
_SCHEME_OR_DRIVE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
#: Percent-decoding rounds before giving up: a path encoded deeper than this is refused.
_MAX_DECODES = 4
#: How much of an offending path a message quotes (paths are not secrets, but may be huge).
_QUOTE = 120


def _quoted(path: str) -> str:
    return repr(path if len(path) <= _QUOTE else path[:_QUOTE] + "...")


def path_forms(relpath: str) -> list[str]:
    """Every form ``relpath`` may take downstream: as written, decoded, NFKC-folded."""
    forms = [relpath]
    current = relpath
    for _ in range(_MAX_DECODES):
        decoded = unquote(current, errors="replace")
        if decoded == current:
            break
        forms.append(decoded)
        current = decoded
    else:
        if unquote(current, errors="replace") != current:
            forms.append("\x00")  # still encoded after every round: treat as unsafe
    forms += [unicodedata.normalize("NFKC", form) for form in list(forms)]
    return list(dict.fromkeys(forms))


def _problem(form: str) -> str | None:
    if _CONTROL.search(form):
        return "contains a NUL or control character"
    if _SEPARATORS.match(form):
        return "is absolute; paths in a store are relative to its location"
    if _SCHEME_OR_DRIVE.match(form) or "::" in form:
        return "starts with a drive, a URL scheme or an fsspec chain; it is not relative"
    if form.startswith("~"):
        return "starts with '~', a home directory once expanded"
    if ".." in _SEPARATORS.split(form):
        return "has a '..' segment; it would leave the store's location"
    return None


def check_relpath(relpath: Any, *, what: str = "relpath") -> str:
    """Return ``relpath`` unchanged when no form of it leaves the location it is joined to.

    Raises:
        DataJointError: ``relpath`` is not a string, or one of its forms is unsafe.
    """
    if not isinstance(relpath, str):
        raise DataJointError(f"{what} must be a string, not {type(relpath).__name__}")
    for form in path_forms(relpath):
        problem = _problem(form)
        if problem:
            raise DataJointError(f"{what} {_quoted(relpath)} {problem}")
    return relpath


def _segments(path: str) -> list[str]:
    return [part for part in _SEPARATORS.split(path) if part not in ("", ".")]


def check_filepath(spec: Mapping[str, Any], relpath: Any) -> str:
    """Return ``relpath`` when it is a safe ``<filepath@>`` path for the store ``spec``.

    Besides :func:`check_relpath`, a store with ``filepath_prefix`` set only takes
    paths strictly inside that prefix (``recordings/a.dat`` for ``recordings``, not
    ``recordings2/a.dat`` nor ``recordings`` itself). A prefix that would itself leave
    the location is refused too.

    Raises:
        DataJointError: the path, or the configured prefix, breaks one of these rules.
    """
    check_relpath(relpath)
    prefix = spec.get("filepath_prefix")
    if prefix is None:
        return relpath
    check_relpath(prefix, what="filepath_prefix")
    wanted = _segments(unicodedata.normalize("NFKC", unquote(prefix)))
    parts = _segments(unicodedata.normalize("NFKC", unquote(relpath)))
    if len(parts) <= len(wanted) or parts[: len(wanted)] != wanted:
        raise DataJointError(
            f"<filepath@> path {_quoted(relpath)} is outside the store's filepath_prefix "
            f"{_quoted(prefix)}"
        )
    return relpath
