"""The relpath rule (``paths.py``) against every disguise of ``..``, root, home and URL.

Each escape is tried through every built-in, through a plugin that overrides
``full_path`` (called directly, as DataJoint calls it), and through ``Store``; the
paths DataJoint builds itself must still pass.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import datajoint_storage as dj
from datajoint_storage.paths import check_relpath, path_forms

from ._support import FIGURES, FUZZ

#: Spellings of ``..`` that some layer turns back into ``..``.
DOTDOTS = [
    "..",
    "%2e%2e",
    "%2E%2E",
    "%2e.",
    ".%2E",
    "%252e%252e",
    "%25252e%25252e",
    "\uff0e\uff0e",  # fullwidth full stops
    "\u2024\u2024",  # one-dot leaders
    "\ufe52\ufe52",  # small full stops
    "\u2025",  # two-dot leader
    "%EF%BC%8E%EF%BC%8E",  # fullwidth, percent-encoded UTF-8
]
#: Separators around it.
SEPARATORS = ["/", "\\", "%2f", "%2F", "%5c", "%5C", "%252f", "\uff0f", "\uff3c", "\u2215"]
#: Starts that leave the location whatever follows.
ROOTS = [
    "/etc/passwd",
    "%2fetc/passwd",
    "\\\\server\\share",
    "~/x",
    "~root/x",
    "%7e/x",
    "file:///etc/passwd",
    "FILE://etc/passwd",
    "file:/etc/passwd",
    "s3://other-bucket/x",
    "memory://x",
    "simplecache::s3://b/x",
    "C:\\x",
    "c:/x",
    "%00x",
    "a%00b",
    "a\nb",
]

ESCAPES = sorted(
    {f"{d}{s}storeB/victim.dat" for d in DOTDOTS for s in SEPARATORS}
    | {f"a{s}{d}{s}{d}{s}x" for d in DOTDOTS for s in SEPARATORS}
    | {f"a{s}{d}" for d in DOTDOTS for s in SEPARATORS}
    | set(ROOTS)
)

#: What DataJoint itself passes: hash paths, schema paths with encoded key values.
DATAJOINT_PATHS = [
    "_hash/lab/ab/cd/abcdefghijklmnopqrstuvwxyz",
    "_schema/lab/recording/rec_id=1/raw_AbCd1234.bin",
    "_schema/lab/recording/name=a%2Fb/raw_AbCd1234.bin",
    "_schema/lab/recording/when=2024-01-01T10-00-00/trace_x.npy",
    "subject_id=3/lab/t/f_tok",
    "acquisition/rec1.bin",
    "a..b/c",
    "%zz/x",
    "100%/x",
    "ünï/cødé",
    "datajoint_store.json",
]


class Overriding(dj.StorageAdapter):
    """A plugin that builds its own paths and checks nothing itself."""

    protocol = "overriding-paths"

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        return None

    def full_path(self, spec: dict[str, Any], relpath: str) -> str:
        return f"{spec.get('location', '')}/{relpath}"


SPECS: dict[str, dict[str, Any]] = {
    "file": {"protocol": "file", "location": "/"},
    "memory": {"protocol": "memory", "location": ""},
    "s3": {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": ""},
    "gcs": {"protocol": "gcs", "bucket": "b", "location": "/"},
    "azure": {"protocol": "azure", "container": "c", "location": ""},
}


def _adapters() -> list[tuple[Any, dict[str, Any]]]:
    found = [(dj.get_storage_adapter(p), spec) for p, spec in SPECS.items()]
    return [*found, (Overriding(), {"protocol": "overriding-paths", "location": ""})]


@pytest.mark.parametrize("relpath", ESCAPES)
def test_every_disguised_escape_is_refused_by_every_adapter(relpath: str) -> None:
    for adapter, spec in _adapters():
        FIGURES["path disguises tried"] += 1
        with pytest.raises(dj.DataJointError):
            adapter.full_path(dict(spec), relpath)
        FIGURES["path disguises held"] += 1


@pytest.mark.parametrize("relpath", DATAJOINT_PATHS)
def test_paths_datajoint_builds_still_pass(relpath: str) -> None:
    for adapter, spec in _adapters():
        assert adapter.full_path(dict(spec), relpath).endswith(relpath)


def test_the_override_is_held_through_store_and_directly(fresh_registry: None) -> None:
    dj.register_adapter(Overriding)
    dj.config["stores"]["o"] = {"protocol": "overriding-paths", "location": "/"}
    store = dj.get_store("o")
    for relpath in ("%2e%2e/x", "~/x", "file:///etc/passwd"):
        with pytest.raises(dj.DataJointError):
            store.full_path(relpath)
        with pytest.raises(dj.DataJointError):
            store.adapter.full_path({"location": "/"}, relpath)


def test_a_subclass_of_a_subclass_is_wrapped_too() -> None:
    class Deeper(Overriding):
        protocol = "deeper-paths"

        def full_path(self, spec: dict[str, Any], relpath: str) -> str:
            return "x/" + relpath

    with pytest.raises(dj.DataJointError):
        Deeper().full_path({}, "..\\x")
    with pytest.raises(dj.DataJointError):
        Deeper().full_path({}, relpath="%2e%2e/x")  # by keyword too


# -- properties -------------------------------------------------------------------------

_dot = st.sampled_from([".", "%2e", "%2E", "%252e", "\uff0e", "\u2024", "\ufe52"])
_sep = st.sampled_from(SEPARATORS)
_word = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=5)


@FUZZ
@given(
    before=st.lists(_word, max_size=3),
    dots=st.tuples(_dot, _dot),
    after=st.lists(_word, max_size=3),
    sep=_sep,
)
def test_any_spelling_of_dot_dot_between_separators_is_refused(
    before: list[str], dots: tuple[str, str], after: list[str], sep: str
) -> None:
    FIGURES["fuzz examples: disguised '..'"] += 1
    relpath = sep.join([*before, "".join(dots), *after])
    with pytest.raises(dj.DataJointError):
        check_relpath(relpath)


@FUZZ
@given(st.text(max_size=30))
def test_whatever_passes_has_no_form_that_climbs(relpath: str) -> None:
    FIGURES["fuzz examples: any text"] += 1
    try:
        check_relpath(relpath)
    except dj.DataJointError:
        return
    for form in path_forms(relpath):
        folded = unicodedata.normalize("NFKC", form).replace("\\", "/")
        assert ".." not in folded.split("/")
        assert not folded.startswith(("/", "~"))
        assert "\x00" not in folded


@FUZZ
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=8))
def test_a_percent_encoded_datajoint_key_value_passes_unless_it_hides_dot_dot(
    value: str,
) -> None:
    """DataJoint percent-encodes key values holding ``/``: ``pk=<quoted>`` segments."""
    relpath = f"_schema/s/t/pk={quote(value, safe='')}/f_tok"
    forms = [unicodedata.normalize("NFKC", f).replace("\\", "/") for f in path_forms(relpath)]
    climbs = any(".." in f.split("/") for f in forms) or any(
        ch in f for f in forms for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\r\x1f\x7f"
    )
    if climbs:
        with pytest.raises(dj.DataJointError):
            check_relpath(relpath)
    else:
        try:
            check_relpath(relpath)
        except dj.DataJointError as exc:  # only a control character or a look-alike slash
            assert any(c in value for c in "\u2215\u2044\u29f8\u29f9\ufe68") or any(
                ord(c) < 32 or ord(c) == 127 for c in value
            ), exc
