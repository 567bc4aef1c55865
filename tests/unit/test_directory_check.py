"""``DirectoryCheck`` answers what ``os.path.isdir`` answers, listing or not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datajoint_storage.datajoint_rules import _LIST_AFTER, DirectoryCheck


def _layout(root: Path) -> list[str]:
    """Every kind of entry a location may name, and more siblings than the listing needs."""
    (root / "real").mkdir()
    (root / "plain-file").write_text("x")
    (root / "link-to-dir").symlink_to(root / "real")
    (root / "link-to-nothing").symlink_to(root / "gone")
    (root / "link-to-file").symlink_to(root / "plain-file")
    for i in range(_LIST_AFTER * 2):
        (root / f"s{i}").mkdir()
    names = ["real", "plain-file", "link-to-dir", "link-to-nothing", "link-to-file"]
    names += [f"s{i}" for i in range(_LIST_AFTER * 2)] + ["absent", "REAL", "real/", "."]
    return [str(root / name) for name in names]


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_missing_is_not_isdir_for_every_kind_of_entry(tmp_path: Path, order: str) -> None:
    locations = _layout(tmp_path)
    if order == "reversed":
        locations.reverse()
    check = DirectoryCheck(None)
    answers = {location: check.missing(location) for location in locations}
    assert answers == {location: not os.path.isdir(location) for location in locations}
    assert check._listings, "the parent of many locations is listed, not stat-ed each"


def test_relative_locations_are_taken_from_the_config_directory(tmp_path: Path) -> None:
    _layout(tmp_path)
    check = DirectoryCheck(tmp_path)
    names = [f"s{i}" for i in range(_LIST_AFTER * 2)] + ["absent", "plain-file"]
    assert [check.missing(n) for n in names] == [False] * (_LIST_AFTER * 2) + [True, True]


def test_an_unlistable_parent_falls_back_to_asking_each_path(tmp_path: Path) -> None:
    _layout(tmp_path)
    check = DirectoryCheck(None)
    check._listings[str(tmp_path)] = None  # as if scandir had failed
    for i in range(_LIST_AFTER * 2):
        check._asked[str(tmp_path)] = _LIST_AFTER * 2
        assert check.missing(str(tmp_path / f"s{i}")) is False
    assert check.missing(str(tmp_path / "absent")) is True


def test_no_location_and_non_strings_are_not_missing() -> None:
    check = DirectoryCheck(None)
    assert [check.missing(v) for v in ("", None, 3)] == [False, False, False]
