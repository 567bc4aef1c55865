"""Hypothesis strategies for hostile store configuration.

Values are drawn so that most examples look almost right (a store with a known
protocol and known keys, one of which holds the wrong type), because that is where
validation code has branches; the rest are arbitrary JSON.
"""

from __future__ import annotations

import threading
from pathlib import PurePosixPath
from typing import Any

from hypothesis import strategies as st

from datajoint_storage.spec import COMMON_KEYS, SECRET_KEYS

PROTOCOLS = ("file", "memory", "s3", "gcs", "azure")
KNOWN_KEYS = sorted(
    {
        *COMMON_KEYS,
        *SECRET_KEYS,
        "endpoint",
        "bucket",
        "container",
        "secure",
        "proxy_server",
        "project",
        "account_name",
        "bukcet",  # a typo, for the did-you-mean branch
    }
)

#: Store names operators really write, and ones nobody should.
ODD_NAMES = (
    "main",
    "default",
    "filepath_default",
    "a.b",
    "a/b",
    "../x",
    "with space",
    " ",
    "",
    "ünï.cødé",
    "名前",
    "\u202etxt",
    "a\x00b",
    "stores",
    "__class__",
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)

store_names = st.one_of(st.sampled_from(ODD_NAMES), st.text(min_size=0, max_size=12))

protocols = st.one_of(
    st.sampled_from(PROTOCOLS), st.sampled_from(("s4", "S3", "", "file ")), json_values
)


@st.composite
def store_like(draw: Any) -> dict[str, Any]:
    """A store with a protocol, plausible keys, and arbitrary values under them."""
    store: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        store["protocol"] = draw(protocols)
    for key in draw(st.lists(st.sampled_from(KNOWN_KEYS), max_size=6, unique=True)):
        store[key] = draw(st.one_of(st.text(max_size=12), json_values))
    for key in draw(st.lists(st.text(max_size=8), max_size=2)):
        store[key] = draw(json_values)
    return store


store_values = st.one_of(store_like(), store_like(), json_values)

#: What code (not JSON) can put in a runtime store: bytes, paths, sets, a lock...
python_values = st.one_of(
    json_values,
    st.binary(max_size=8),
    st.builds(PurePosixPath, st.text(max_size=8)),
    st.frozensets(st.integers(), max_size=3),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.decimals(allow_nan=True),
    st.complex_numbers(),
    st.datetimes(),
    st.builds(threading.Lock),
    st.builds(object),
)


@st.composite
def runtime_stores(draw: Any) -> Any:
    """A store as code assigns it: plausible keys holding Python values of any type."""
    store = draw(store_like())
    for key in draw(st.lists(st.sampled_from(KNOWN_KEYS), max_size=3, unique=True)):
        store[key] = draw(python_values)
    return draw(st.one_of(st.just(store), python_values))


#: Names code may use for a store: any hashable (only strings are accepted).
runtime_names = st.one_of(
    store_names, st.integers(), st.none(), st.tuples(st.text(max_size=2)), st.binary(max_size=3)
)

stores_blocks = st.dictionaries(
    store_names,
    st.one_of(store_values, store_names),  # a string entry is a name (default / filepath_default)
    max_size=5,
)


@st.composite
def datajoint_documents(draw: Any) -> Any:
    """A datajoint.json document: nested block, flat dot keys, both, or anything at all."""
    kind = draw(st.integers(0, 3))
    if kind == 3:
        return draw(json_values)
    document: dict[str, Any] = {}
    if kind in (0, 2):
        document["stores"] = draw(st.one_of(stores_blocks, stores_blocks, json_values))
    if kind in (1, 2):
        for name in draw(st.lists(store_names, max_size=3)):
            key = draw(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=6)))
            document[f"stores.{name}.{key}" if key else f"stores.{name}"] = draw(json_values)
    if draw(st.booleans()):
        document["database.host"] = draw(json_values)  # other top-level keys are left alone
    return document


#: Text an environment variable can hold: no NUL, no lone surrogates.
env_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=200
)

#: File names the secrets directory may hold; a file system refuses "/" and NUL.
secret_file_names = st.one_of(
    st.builds(
        "stores.{}.{}".format,
        st.sampled_from(("main", "s", "a b", "ü", "x-y")),
        st.sampled_from((*KNOWN_KEYS, "api_token")),
    ),
    st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"),
        min_size=1,
        max_size=30,
    ).filter(lambda n: n not in (".", "..") and len(n.encode("utf-8")) < 200),
)

secret_contents = st.one_of(
    st.binary(max_size=200),  # NUL, non-UTF-8, anything
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from((b"", b"\n", b"  \r\n\t", b"\xff\xfe\x00", b"null", b"[1, 2]", b'{"a": 1}')),
)
