"""The secrets directory's descriptor-relative reading: every rule, at any size.

``SecretsDirSource`` opens the directory once and each entry relative to it without
following a link; links are resolved one name at a time beneath it, or followed and
verified. These tests would fail if that fast path broke a rule the by-path reading
keeps: no cap on entries, links inside followed, links outside refused, FIFOs and
devices never opened, an entry turned into a link after the listing still verified,
and the same values, origins, warnings and notes as the by-path reading.
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datajoint_storage.settings.sources import read_once
from datajoint_storage.settings.sources.read_once import AT_READS, DirectoryReader, FileRefused
from datajoint_storage.settings.sources.secrets_dir import (
    MAX_SECRET_BYTES,
    SecretsDirSource,
    SecretsWarning,
)

pytestmark = pytest.mark.skipif(not AT_READS, reason="no descriptor-relative opens here")

CANARY = "CANARY-scale-91d2"
OUTSIDE_WHY = "it links outside the secrets directory"


def _read(directory: Path) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = SecretsDirSource(directory)()
    return layer, [str(w.message) for w in caught if issubclass(w.category, SecretsWarning)]


def _read_by_path(directory: Path) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = SecretsDirSource(directory)._read_by_path()
    return layer, [str(w.message) for w in caught if issubclass(w.category, SecretsWarning)]


def _kubernetes(mount: Path, files: dict[str, str | bytes]) -> Path:
    """kubelet's layout: <mount>/..<stamp>/name, ..data -> ..<stamp>, name -> ..data/name."""
    stamp = mount / "..2026_12_01_00_00_00.000000001"
    stamp.mkdir(parents=True)
    for name, value in files.items():
        data = value.encode() if isinstance(value, str) else value
        (stamp / name).write_bytes(data)
        os.symlink(f"..data/{name}", mount / name)
    os.symlink(stamp.name, mount / "..data")
    return stamp


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    folder = tmp_path / "root" / ".secrets"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside-secret"
    path.write_text(CANARY)
    return path


# -- size ---------------------------------------------------------------------------------


def test_more_than_10000_entries_are_all_read(secrets: Path) -> None:
    """No cap (DataJoint reads them all): 12,000 secret files, every one a value."""
    count = 6_000
    for n in range(count):
        (secrets / f"stores.s{n}.access_key").write_text(f"AKIA{n:016d}\n")
        (secrets / f"stores.s{n}.secret_key").write_text(f"SECRET{n:034d}\n")
    layer, texts = _read(secrets)
    assert texts == [] and layer.notes == ()
    assert len(layer.entries) == count
    assert sum(len(attrs) for attrs in layer.entries.values()) == 2 * count
    for n in (0, 1, 4_999, count - 1):
        assert layer.entries[f"s{n}"] == {
            "access_key": f"AKIA{n:016d}",
            "secret_key": f"SECRET{n:034d}",
        }
    assert list(layer.entries) == sorted(layer.entries)  # read in sorted name order
    for store, attrs in layer.entries.items():
        for key in attrs:
            assert layer.origin(store, key) == str(secrets / f"stores.{store}.{key}")


def test_a_large_kubernetes_mount_is_all_read(secrets: Path) -> None:
    files = {f"stores.k{n}.token": f"t{n}\n" for n in range(10_500)}
    _kubernetes(secrets, files)
    layer, texts = _read(secrets)
    assert texts == []
    assert len(layer.entries) == 10_500
    assert layer.entries["k10499"] == {"token": "t10499"}


def test_plain_files_need_no_path_resolution(
    secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened beneath the directory's descriptor, a plain file needs no readlink or
    realpath; a mount of short links needs no realpath either."""
    for n in range(50):
        (secrets / f"stores.s{n}.token").write_text("x")
    calls: list[str] = []
    real_readlink, real_realpath = os.readlink, os.path.realpath

    def readlink(*args: Any, **kwargs: Any) -> Any:
        calls.append("readlink")
        return real_readlink(*args, **kwargs)

    def realpath(*args: Any, **kwargs: Any) -> Any:
        calls.append("realpath")
        return real_realpath(*args, **kwargs)

    monkeypatch.setattr(os, "readlink", readlink)
    monkeypatch.setattr(os.path, "realpath", realpath)
    layer, _ = _read(secrets)
    assert len(layer.entries) == 50 and calls == []
    mount = secrets.parent / "mount"
    _kubernetes(mount, {f"stores.m{n}.token": "y" for n in range(50)})
    layer, _ = _read(mount)
    assert len(layer.entries) == 50 and "realpath" not in calls


def test_links_that_need_verifying_resolve_the_directory_once(
    secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Absolute links are followed and verified; the directory's real path is computed
    once per read, not once per file."""
    target = secrets / "sub" / "deeper"
    target.mkdir(parents=True)
    for n in range(20):
        (target / f"v{n}").write_text(f"v{n}")
        os.symlink(target / f"v{n}", secrets / f"stores.s{n}.token")
    seen: list[str] = []
    real_realpath = os.path.realpath

    def realpath(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(os.fspath(path))
        return real_realpath(path, *args, **kwargs)

    monkeypatch.setattr(os.path, "realpath", realpath)
    layer, texts = _read(secrets)
    assert texts == [] and layer.entries["s7"] == {"token": "v7"}
    assert seen == [str(secrets)]


# -- links --------------------------------------------------------------------------------


def test_links_that_stay_inside_are_followed(secrets: Path) -> None:
    stamp = _kubernetes(secrets, {"stores.k.token": "k8s\n"})
    (secrets / "plain-target").write_text("sibling")
    os.symlink("plain-target", secrets / "stores.sib.token")  # one name, a sibling
    os.symlink(secrets / "plain-target", secrets / "stores.abs.token")  # absolute, inside
    (secrets / "sub" / "deeper").mkdir(parents=True)
    (secrets / "sub" / "deeper" / "f").write_text("deep")
    os.symlink("sub/deeper/f", secrets / "stores.deep.token")  # two levels: verified
    os.symlink(f"{stamp.name}/stores.k.token", secrets / "stores.stamp.token")
    layer, texts = _read(secrets)
    assert texts == []
    assert layer.entries == {
        "abs": {"token": "sibling"},
        "deep": {"token": "deep"},
        "k": {"token": "k8s"},
        "sib": {"token": "sibling"},
        "stamp": {"token": "k8s"},
    }
    assert layer.origin("k", "token") == str(secrets / "stores.k.token")


def _link_kinds(secrets: Path, outside: Path) -> dict[str, str]:
    """Every shape of link that leads out; returns name -> its store."""
    os.symlink(outside, secrets / "stores.abs.token")
    os.symlink(f"../../{outside.name}", secrets / "stores.rel.token")
    elsewhere = outside.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "stores.d.token").write_text(CANARY)
    os.symlink(elsewhere, secrets / "..data")  # ..data itself redirected (absolute)
    os.symlink("..data/stores.d.token", secrets / "stores.d.token")
    os.symlink("../../elsewhere", secrets / "..rel")  # a relative ..data that leaves
    os.symlink("..rel/stores.d.token", secrets / "stores.drel.token")
    (secrets / "sub").mkdir()
    os.symlink(outside, secrets / "sub" / "f")  # a real subdirectory, its file a link
    os.symlink("sub/f", secrets / "stores.sub.token")
    os.symlink("..", secrets / "..up")  # a sibling name that is the parent
    os.symlink(f"..up/../{outside.name}", secrets / "stores.up.token")
    return {"abs": "abs", "rel": "rel", "d": "d", "drel": "drel", "sub": "sub", "up": "up"}


def test_links_that_leave_are_refused(secrets: Path, outside: Path) -> None:
    stores = _link_kinds(secrets, outside)
    layer, texts = _read(secrets)
    assert layer.entries == {}
    assert sorted(texts) == sorted(
        f"Secret file {secrets / f'stores.{s}.token'} skipped: {OUTSIDE_WHY}"
        for s in stores.values()
    )
    assert all(CANARY not in text for text in texts)
    assert len(layer.notes) == len(stores)


def test_a_parent_sibling_link_is_not_taken_for_a_subdirectory(
    secrets: Path, outside: Path
) -> None:
    """``..up -> ..`` is one name but leads out: resolving it beneath must not escape."""
    (secrets.parent / "stores.x.token").write_text(CANARY)  # what ".." holds
    os.symlink("..", secrets / "..up")
    os.symlink("..up/stores.x.token", secrets / "stores.x.token")
    layer, texts = _read(secrets)
    assert layer.entries == {}
    assert texts == [f"Secret file {secrets / 'stores.x.token'} skipped: {OUTSIDE_WHY}"]


class _ListedAsFile:
    """A DirEntry the listing reported as a plain file (the entry changed since)."""

    def __init__(self, entry: os.DirEntry[str]) -> None:
        self._entry = entry
        self.name = entry.name

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return True

    def is_symlink(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entry, name)


def test_an_entry_turned_into_a_link_after_listing_is_still_verified(
    secrets: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing says "file", the entry is now a link: the open that refuses to follow
    sends it to the verified path, which refuses the link out and follows the link in."""
    os.symlink(outside, secrets / "stores.out.token")
    (secrets / "inside").write_text("in")
    os.symlink("inside", secrets / "stores.in.token")
    os.symlink(secrets / "inside", secrets / "stores.absin.token")
    real_scandir = os.scandir

    class Listing:
        def __init__(self, fd: Any) -> None:
            self._it = real_scandir(fd)

        def __enter__(self) -> Iterator[_ListedAsFile]:
            return (_ListedAsFile(entry) for entry in self._it.__enter__())

        def __exit__(self, *exc: object) -> None:
            self._it.__exit__(*exc)

    monkeypatch.setattr(os, "scandir", Listing)
    layer, texts = _read(secrets)
    assert layer.entries == {"absin": {"token": "in"}, "in": {"token": "in"}}
    assert texts == [f"Secret file {secrets / 'stores.out.token'} skipped: {OUTSIDE_WHY}"]


def test_the_reader_refuses_a_link_out_even_when_told_it_is_a_file(
    secrets: Path, outside: Path
) -> None:
    os.symlink(outside, secrets / "stores.s.token")
    (secrets / "t").write_text("inside")
    os.symlink("t", secrets / "stores.s.other")
    with DirectoryReader(secrets) as reader:
        for link in (False, True):
            with pytest.raises(FileRefused, match="links outside"):
                reader.read("stores.s.token", str(secrets / "stores.s.token"), limit=99, link=link)
            got = reader.read(
                "stores.s.other", str(secrets / "stores.s.other"), limit=99, link=link
            )
            assert got == b"inside"
    assert reader.fd == -1


def test_broken_links_and_loops_keep_their_words(secrets: Path) -> None:
    os.symlink("..data/missing", secrets / "stores.a.token")
    os.symlink("nowhere", secrets / "stores.b.token")
    os.symlink("stores.c.token", secrets / "stores.c.token")
    _, texts = _read(secrets)
    assert texts == [
        f"Secret file {secrets / f'stores.{s}.token'} skipped: it is a broken link" for s in "abc"
    ]


# -- what is never opened ------------------------------------------------------------------


def _spy_on_open(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path ``os.open`` is given from now on (the test's monkeypatch undoes it)."""
    opened: list[str] = []
    real_open = os.open

    def spy(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    return opened


@pytest.mark.timeout(20)  # opening a FIFO for reading without O_NONBLOCK would block
def test_fifos_are_never_opened_nor_block(secrets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(secrets / "stores.f.token")
    (secrets / "sub").mkdir()
    os.mkfifo(secrets / "sub" / "pipe")
    os.symlink("sub/pipe", secrets / "stores.g.token")  # a link to a FIFO inside
    _kubernetes(secrets, {})
    os.mkfifo(secrets / "..2026_12_01_00_00_00.000000001" / "stores.h.token")
    os.symlink("..data/stores.h.token", secrets / "stores.h.token")
    (secrets / "stores.s.token").write_text("ok")
    opened = _spy_on_open(monkeypatch)
    layer, texts = _read(secrets)
    assert layer.entries == {"s": {"token": "ok"}}
    assert texts == [
        f"Secret file {secrets / f'stores.{s}.token'} skipped: it is not a regular file"
        for s in "fgh"
    ]
    assert "stores.f.token" not in opened  # the listing said FIFO: not opened at all


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a device needs root")
def test_a_device_is_never_opened(secrets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mknod(secrets / "stores.dev.token", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    opened = _spy_on_open(monkeypatch)
    layer, texts = _read(secrets)
    assert layer.entries == {}
    assert texts == [
        f"Secret file {secrets / 'stores.dev.token'} skipped: it is not a regular file"
    ]
    assert "stores.dev.token" not in opened


def test_directories_are_refused_in_the_reference_words(secrets: Path) -> None:
    (secrets / "stores.d.token").mkdir()
    (secrets / "sub").mkdir()
    os.symlink("sub", secrets / "stores.l.token")
    _, texts = _read(secrets)
    assert texts == [
        f"Secret file {secrets / f'stores.{s}.token'} skipped: it is a directory, not a file"
        for s in "dl"
    ]


# -- sizes and contents ----------------------------------------------------------------------


def test_sizes_are_capped_whichever_way_the_file_is_reached(secrets: Path) -> None:
    stamp = _kubernetes(
        secrets,
        {"stores.k.big": b"x" * (MAX_SECRET_BYTES + 1), "stores.k.max": b"m" * MAX_SECRET_BYTES},
    )
    (secrets / "stores.p.big").write_bytes(b"x" * (MAX_SECRET_BYTES + 1))
    (secrets / "stores.p.max").write_bytes(b"m" * MAX_SECRET_BYTES)
    (secrets / "stores.p.empty").write_bytes(b"")
    os.symlink(stamp / "stores.k.big", secrets / "stores.a.big")  # absolute: verified
    layer, texts = _read(secrets)
    why = f"it is larger than {MAX_SECRET_BYTES} bytes"
    assert texts == [
        f"Secret file {secrets / f'stores.{s}.big'} skipped: {why}" for s in ("a", "k", "p")
    ]
    assert layer.entries == {
        "k": {"max": "m" * MAX_SECRET_BYTES},
        "p": {"empty": "", "max": "m" * MAX_SECRET_BYTES},
    }


def test_a_file_that_grows_past_the_cap_while_read_is_refused(
    secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fstat said small; the bytes say more: the cap holds on what is read."""
    (secrets / "stores.s.token").write_bytes(b"small")
    real_read = os.read

    def growing(fd: int, n: int) -> bytes:
        return b"y" * n if n > 1 else real_read(fd, n)

    monkeypatch.setattr(os, "read", growing)
    with DirectoryReader(secrets) as reader, pytest.raises(FileRefused, match="larger"):
        reader.read("stores.s.token", str(secrets / "stores.s.token"), limit=10)


def test_same_answer_as_the_by_path_reading(secrets: Path, outside: Path) -> None:
    """One directory with every kind of entry: values, origins, warnings and notes are
    exactly those of the by-path reading the module keeps for other platforms."""
    _kubernetes(secrets, {"stores.k.token": "k8s\r\n", "stores.k.bad": b"\xff\xfe"})
    (secrets / "stores.p.token").write_text("  plain \n")
    (secrets / "stores.p.empty").write_text("\n")
    (secrets / "stores.p.big").write_bytes(b"z" * (MAX_SECRET_BYTES + 1))
    (secrets / "stores.p.bom").write_bytes(b"\xef\xbb\xbfv")
    (secrets / "stores.dir.token").mkdir()
    os.mkfifo(secrets / "stores.fifo.token")
    os.symlink("missing", secrets / "stores.broken.token")
    os.symlink(outside, secrets / "stores.out.token")
    (secrets / "stores..token").write_text("empty store name")
    (secrets / "stores.x.").write_text("empty key")
    (secrets / ".stores.hidden.token").write_text(CANARY)
    (secrets / "stores.a.b.c").write_text("four parts")
    (secrets / "database.password").write_text("not a store secret")
    (secrets / "stores.z-9_ok.Key").write_text("odd but valid")
    fast, fast_texts = _read(secrets)
    slow, slow_texts = _read_by_path(secrets)
    assert fast.entries == slow.entries
    assert list(fast.entries) == list(slow.entries)
    assert fast_texts == slow_texts and len(fast_texts) == 6
    assert [str(n) for n in fast.notes] == [str(n) for n in slow.notes]
    assert (fast.source, fast.mode) == (slow.source, slow.mode)
    for store, attrs in fast.entries.items():
        for key in attrs:
            assert fast.origin(store, key) == slow.origin(store, key)
            assert fast.origin(store, key) == str(secrets / f"stores.{store}.{key}")
    assert fast.entries["k"] == {"token": "k8s"} and fast.entries["p"]["bom"] == "\ufeffv"


@pytest.mark.parametrize("relative", [".", ".secrets", "./.secrets/"])
def test_origins_match_the_path_spelling(
    secrets: Path, monkeypatch: pytest.MonkeyPatch, relative: str
) -> None:
    """Origins stay ``str(directory / name)`` however the directory was spelled."""
    (secrets / "stores.s.token").write_text("v")
    monkeypatch.chdir(secrets if relative == "." else secrets.parent)
    directory = Path(relative)
    layer, _ = _read(directory)
    assert layer.entries == {"s": {"token": "v"}}
    assert layer.origin("s", "token") == str(directory / "stores.s.token")


def test_a_missing_or_non_directory_path_is_no_layer(secrets: Path) -> None:
    assert SecretsDirSource(secrets / "absent")() is None
    (secrets / "file").write_text("x")
    assert SecretsDirSource(secrets / "file")() is None
    os.mkfifo(secrets / "pipe")
    assert SecretsDirSource(secrets / "pipe")() is None  # never blocks on a FIFO


def test_no_descriptor_is_left_open(secrets: Path) -> None:
    _kubernetes(secrets, {f"stores.k{n}.token": "v" for n in range(30)})
    (secrets / "stores.p.token").write_text("p")
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(5):
        layer, _ = _read(secrets)
    assert len(layer.entries) == 31
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_the_read_once_helpers_other_sources_use_still_work(tmp_path: Path) -> None:
    path = tmp_path / "datajoint.json"
    path.write_text('{"a": 1}')
    assert read_once.read_text(path, limit=100) == '{"a": 1}'
    assert read_once.read_bytes(path, limit=100, inside=tmp_path) == b'{"a": 1}'
    with pytest.raises(FileRefused, match="larger"):
        read_once.read_bytes(path, limit=3)
