"""The file adapter's paths and URLs on Windows, checked on any platform with ``ntpath``."""

from __future__ import annotations

import ntpath
from pathlib import PurePosixPath, PureWindowsPath

import pytest

from datajoint_storage.adapters.file import FileAdapter


class WindowsFileAdapter(FileAdapter):
    pathmod = ntpath


@pytest.mark.parametrize("path", [r"C:\data\x", r"C:\data\sub dir\x.dat", "D:/mixed\\x"])
def test_get_url_of_a_drive_path_has_three_slashes(path: str) -> None:
    url = WindowsFileAdapter().get_url({}, path)
    assert url.startswith("file:///C:/") or url.startswith("file:///D:/")
    assert url == "file:///" + PureWindowsPath(path).as_posix()
    assert "\\" not in url


def test_get_url_of_c_data_x() -> None:
    assert WindowsFileAdapter().get_url({}, r"C:\data\x") == "file:///C:/data/x"


def test_full_path_uses_forward_slashes_on_windows() -> None:
    adapter = WindowsFileAdapter()
    spec = {"location": r"C:\data\blobs"}
    assert adapter.full_path(spec, "schema/ab/cd/hash") == "C:/data/blobs/schema/ab/cd/hash"
    assert adapter.full_path(spec, r"schema\ab") == "C:/data/blobs/schema/ab"
    assert adapter.full_path({"location": ""}, "schema/x") == "schema/x"


def test_posix_urls_are_unchanged() -> None:
    adapter = FileAdapter()
    assert adapter.get_url({}, "/data/x") == "file:///data/x"
    assert adapter.get_url({}, "/data/x") == PurePosixPath("/data/x").as_uri()
    assert adapter.full_path({"location": "/data/"}, "a/b") == "/data/a/b"
