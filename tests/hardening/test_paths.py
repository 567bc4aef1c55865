"""No relpath leaves its store: every built-in's full_path refuses an escape.

The rule lives in ``adapters/_paths.py`` (``check_relpath``), called by the base
``StorageAdapter.full_path`` (file, memory) and by ``bucket_path`` (s3, gcs, azure).
``check_filepath`` adds the ``filepath_prefix`` namespace for ``<filepath@>`` paths.
"""

from __future__ import annotations

import posixpath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import datajoint_storage as dj
from datajoint_storage.adapters._paths import check_filepath, check_relpath

from ._support import FIGURES, FUZZ

#: A spec each built-in accepts, and the root its paths must stay under.
SPECS: dict[str, tuple[dict[str, Any], str]] = {
    "file": ({"protocol": "file", "location": "/data/project"}, "/data/project"),
    "memory": ({"protocol": "memory", "location": "area"}, "area"),
    "s3": (
        {"protocol": "s3", "endpoint": "e", "bucket": "bkt", "location": "raw"},
        "bkt/raw",
    ),
    "gcs": ({"protocol": "gcs", "bucket": "bkt", "location": "raw"}, "bkt/raw"),
    "azure": ({"protocol": "azure", "container": "ctr", "location": "raw"}, "ctr/raw"),
}

ESCAPES = [
    "..",
    "../x",
    "a/../../x",
    "a/b/../../../x",
    "a/..",
    "/etc/passwd",
    "//server/share",
    "\\etc\\passwd",
    "\\\\server\\share\\x",
    "..\\x",
    "a\\..\\..\\x",
    "C:\\Windows\\x",
    "c:/windows/x",
    "a\x00b",
    "a/b\x00/../c",
]

SAFE = ["a", "a/b.dat", "a..b", "..a/b", "a/..b", "a/b..", "./a", "a/./b", "ünï/cødé", "a b/c"]


@pytest.mark.parametrize("protocol", sorted(SPECS))
@pytest.mark.parametrize("relpath", ESCAPES)
def test_full_path_refuses_an_escape(protocol: str, relpath: str) -> None:
    spec, _ = SPECS[protocol]
    with pytest.raises(dj.DataJointError):
        dj.get_storage_adapter(protocol).full_path(dict(spec), relpath)


@pytest.mark.parametrize("protocol", sorted(SPECS))
@pytest.mark.parametrize("relpath", [None, 5, b"a/b", ["a"]])
def test_full_path_refuses_what_is_not_a_string(protocol: str, relpath: Any) -> None:
    spec, _ = SPECS[protocol]
    with pytest.raises(dj.DataJointError, match="must be a string"):
        dj.get_storage_adapter(protocol).full_path(dict(spec), relpath)


@pytest.mark.parametrize("protocol", sorted(SPECS))
@pytest.mark.parametrize("relpath", SAFE)
def test_full_path_keeps_a_safe_relpath_under_the_location(protocol: str, relpath: str) -> None:
    spec, root = SPECS[protocol]
    path = dj.get_storage_adapter(protocol).full_path(dict(spec), relpath)
    assert path.startswith(root + "/")
    assert path.endswith(relpath)


@pytest.mark.parametrize("protocol", ["file", "memory"])
def test_empty_location_still_refuses_absolute_paths(protocol: str) -> None:
    adapter = dj.get_storage_adapter(protocol)
    assert adapter.full_path({"location": ""}, "a/b") == "a/b"  # DataJoint's rule, unchanged
    with pytest.raises(dj.DataJointError, match="absolute"):
        adapter.full_path({"location": ""}, "/etc/passwd")


def test_the_store_object_refuses_too(tmp_path: Any) -> None:
    dj.config["stores"]["main"] = {"protocol": "file", "location": str(tmp_path)}
    store = dj.get_store("main")
    assert store.full_path("a/b") == f"{tmp_path.as_posix()}/a/b"
    with pytest.raises(dj.DataJointError, match=r"'\.\.' segment"):
        store.full_path("../outside")
    with pytest.raises(dj.DataJointError):
        store.get_url("../outside")


def test_the_message_quotes_a_long_path_only_in_part() -> None:
    with pytest.raises(dj.DataJointError) as caught:
        check_relpath("../" + "x" * 10_000)
    assert len(str(caught.value)) < 300


# -- filepath_prefix --------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "ok"),
    [
        ("recordings/a.dat", True),
        ("recordings/sub/a.dat", True),
        ("./recordings//a.dat", True),
        ("recordings", False),  # the prefix itself is not a file inside it
        ("recordings2/a.dat", False),
        ("other/a.dat", False),
        ("recordings/../other/a.dat", False),
        ("/recordings/a.dat", False),
    ],
)
def test_check_filepath_keeps_paths_inside_filepath_prefix(relpath: str, ok: bool) -> None:
    spec = {"location": "raw", "filepath_prefix": "recordings/"}
    if ok:
        assert check_filepath(spec, relpath) == relpath
    else:
        with pytest.raises(dj.DataJointError):
            check_filepath(spec, relpath)


def test_check_filepath_without_prefix_only_applies_the_relpath_rule() -> None:
    assert check_filepath({"filepath_prefix": None}, "any/where.dat") == "any/where.dat"
    with pytest.raises(dj.DataJointError):
        check_filepath({}, "../x")


@pytest.mark.parametrize("prefix", ["../up", "/abs", "a/../../b", "C:\\x", "a\x00"])
def test_a_configured_prefix_that_leaves_the_location_is_refused(prefix: str) -> None:
    """The prefix itself is checked, and so is every path built from it by full_path."""
    spec, _ = SPECS["s3"]
    spec = {**spec, "filepath_prefix": prefix}
    with pytest.raises(dj.DataJointError):
        check_filepath(spec, f"{prefix}/a.dat")
    with pytest.raises(dj.DataJointError):
        dj.get_storage_adapter("s3").full_path(spec, f"{prefix}/a.dat")


# -- property: whatever the relpath, the result stays under the root ------------------


def _under(path: str, root: str) -> bool:
    normal = posixpath.normpath(path.replace("\\", "/"))
    return normal == posixpath.normpath(root) or normal.startswith(root + "/")


@FUZZ
@given(
    protocol=st.sampled_from(sorted(SPECS)),
    relpath=st.lists(
        st.one_of(
            st.sampled_from(["..", ".", "", "a", "\\", "/", "..\\", "C:", "\x00", "~"]),
            st.text(max_size=6),
        ),
        max_size=6,
    ).map("/".join),
)
def test_no_relpath_ever_leaves_the_root(protocol: str, relpath: str) -> None:
    FIGURES["fuzz examples: full_path relpaths"] += 1
    spec, root = SPECS[protocol]
    try:
        path = dj.get_storage_adapter(protocol).full_path(dict(spec), relpath)
    except dj.DataJointError:
        return
    assert "\x00" not in path
    assert _under(path, root), (relpath, path)
