"""Every file we read, attacked with real files, FIFOs, links, devices and races.

Secret files: a link flipped in and out of the directory while we read, a FIFO swapped
in, a file removed mid-read, each many times. ``datajoint.json``, ``DJ_CONFIG_FILE``
and ``.env``: a FIFO, ``/dev/zero``, a directory, huge, not UTF-8, a huge integer,
nesting past the interpreter's limits, a deleted working directory. Each is a
``DataJointError`` naming the source, never its content, and nothing hangs.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import datajoint_storage as dj
from datajoint_storage.settings import Config
from datajoint_storage.settings.sources.secrets_dir import SecretsWarning
from tests.helpers import Project

from ._support import attack, environment

CANARY = "CANARY-read-once-5b1e"
STORE = {"protocol": "gcs", "location": "raw"}  # needs ``bucket``: only a secret gives it
RACE_SECONDS = float(os.environ.get("HARDENING_RACE_SECONDS", "2"))


def _project(project: Project) -> Path:
    project.write_config({"stores": {"s": STORE}})
    folder = project.root / ".secrets"
    folder.mkdir()
    return folder


def _bucket(root: Path) -> tuple[str | None, list[str]]:
    """The bucket a fresh Config reads, and the SecretsWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = Config(cwd=root)
        problems = config.problems()
        bucket = None if problems else config.get_store_spec("s")["bucket"]
    return bucket, [str(w.message) for w in caught if issubclass(w.category, SecretsWarning)]


class _Flipper(threading.Thread):
    """Does ``step`` over and over until stopped: the attacker's side of a race."""

    def __init__(self, step: Callable[[int], None]) -> None:
        super().__init__(daemon=True)
        self.step, self.stop, self.rounds = step, threading.Event(), 0

    def run(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(OSError):  # a name held for a moment: the race goes on
                self.step(self.rounds)
            self.rounds += 1


def _race(root: Path, step: Callable[[int], None], kind: str) -> set[str | None]:
    """Read while ``step`` runs; every read must be a clean value or a clean skip."""
    seen: set[str | None] = set()
    flipper = _Flipper(step)
    flipper.start()
    deadline = time.monotonic() + RACE_SECONDS
    try:
        while time.monotonic() < deadline:
            try:
                bucket, _ = _bucket(root)
            except dj.DataJointError as exc:  # an answer; its text must be clean
                held = CANARY not in str(exc)
                bucket = None
            except Exception as exc:
                attack(kind, False, f"raw {type(exc).__name__}")
                raise
            else:
                held = bucket != CANARY
            attack(kind, held, f"read {bucket!r}")
            assert held
            seen.add(bucket)
    finally:
        flipper.stop.set()
        flipper.join(5)
    return seen


@pytest.mark.timeout(60)
def test_a_link_flipped_between_inside_and_outside_is_never_read(
    project: Project, tmp_path: Path
) -> None:
    folder = _project(project)
    (folder / "inside").write_text("in-bucket")  # hidden? no: a plain file, not a secret name
    outside = tmp_path / "outside"
    outside.write_text(CANARY)
    link = folder / "stores.s.bucket"
    targets = [str(folder / "inside"), str(outside)]

    def flip(n: int) -> None:
        tmp = folder / f".flip-{n % 2}"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(targets[n % 2], tmp)
        os.replace(tmp, link)  # atomic: the link always exists, pointing in or out

    seen = _race(project.root, flip, "secrets dir: link flip race")
    assert CANARY not in seen


@pytest.mark.timeout(60)
def test_a_fifo_swapped_in_never_hangs_the_read(project: Project) -> None:
    folder = _project(project)
    path = folder / "stores.s.bucket"
    path.write_text("file-bucket")

    def swap(n: int) -> None:
        tmp = folder / ".swap"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        if n % 2:
            os.mkfifo(tmp)
        else:
            tmp.write_text("file-bucket")
        os.replace(tmp, path)

    seen = _race(project.root, swap, "secrets dir: FIFO swap race")
    assert seen <= {"file-bucket", None}


@pytest.mark.timeout(60)
def test_a_file_removed_mid_read_is_a_clean_skip(project: Project) -> None:
    folder = _project(project)
    path = folder / "stores.s.bucket"

    def rotate(n: int) -> None:
        if n % 2:
            path.unlink()
        else:
            path.write_text("rotated-bucket")

    seen = _race(project.root, rotate, "secrets dir: removal race")
    # "" is the moment write_text has truncated the file and not yet written it.
    assert seen <= {"rotated-bucket", "", None}


def test_removed_between_listing_and_opening_warns_and_skips(project: Project) -> None:
    from datajoint_storage.settings.sources.secrets_dir import _read_one

    folder = _project(project)
    skipped: list[tuple[Path, str]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = _read_one(folder / "stores.s.bucket", folder, skipped)  # listed, then gone
    held = value is None and "removed while being read" in str(caught[0].message)
    attack("secrets dir: removal race", held, str(caught))
    assert held and skipped


def test_kubernetes_links_inside_are_followed_and_hidden_files_skipped(project: Project) -> None:
    folder = _project(project)
    stamp = folder / "..2026_12_01_00_00_00.000000001"
    stamp.mkdir()
    (stamp / "stores.s.bucket").write_text("k8s-bucket\n")
    os.symlink(stamp.name, folder / "..data")
    os.symlink("..data/stores.s.bucket", folder / "stores.s.bucket")
    (folder / ".stores.s.token").write_text(CANARY)
    bucket, texts = _bucket(project.root)
    held = bucket == "k8s-bucket" and texts == []
    attack("secrets dir: reference rules", held, f"{bucket!r} {texts}")
    assert held
    assert "token" not in Config(cwd=project.root).get_store_spec("s")


def test_secrets_fill_only_absent_keys_and_an_empty_file_is_present(project: Project) -> None:
    project.write_config({"stores": {"s": {**STORE, "bucket": "from-file", "token": None}}})
    project.write_secret("s", "bucket", "from-secret")
    project.write_secret("s", "token", "tok-secret")
    project.write_secret("s", "project", b"")
    spec = Config(cwd=project.root).get_store_spec("s")
    held = spec["bucket"] == "from-file" and spec.get("token") is None
    held = held and spec.get("project") == ""
    attack("secrets dir: reference rules", held, repr(sorted(spec)))
    assert held


# -- datajoint.json, DJ_CONFIG_FILE, .env -----------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    os.symlink("/dev/zero", path)


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inner").write_text(CANARY)


def _huge(path: Path) -> None:
    with open(path, "wb") as f:
        f.write(b'{"stores": {"x": "' + CANARY.encode())
        f.truncate(17 * 2**20)  # sparse: costs no disk


def _not_utf8(path: Path) -> None:
    path.write_bytes(b'{"stores": {"s": {"token": "' + CANARY.encode() + b'\xff\xfe"}}}')


def _huge_integer(path: Path) -> None:
    path.write_bytes(b'{"stores": {"s": {"token_length": ' + b"9" * 50_000 + b"}}, ")
    path.write_bytes(b'{"x": "' + CANARY.encode() + b'", "n": ' + b"9" * 50_000 + b"}")


def _deep(path: Path) -> None:
    path.write_bytes(
        b'{"k": "' + CANARY.encode() + b'", "d": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    )


def _broken_link(path: Path) -> None:
    os.symlink("/nonexistent/datajoint.json", path)


def _socket(path: Path) -> None:
    import socket

    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    _SOCKETS.append(sock)


_SOCKETS: list[object] = []
NOT_FOUND = {"a FIFO", "/dev/zero", "a directory", "a broken link", "a socket"}

BAD_FILES: dict[str, Callable[[Path], None]] = {
    "a FIFO": _fifo,
    "/dev/zero": _dev_zero,
    "a directory": _directory,
    "huge": _huge,
    "not UTF-8": _not_utf8,
    "a huge integer": _huge_integer,
    "nested past the recursion limit": _deep,
    "a broken link": _broken_link,
    "a socket": _socket,
}


def _raises_naming(call: Callable[[], object], label: str, kind: str, what: str) -> None:
    started = time.monotonic()
    try:
        call()
    except dj.DataJointError as exc:
        text = f"{exc} {exc!r} {getattr(exc, 'source', '')}"
        held = label in text and CANARY not in text and time.monotonic() - started < 10
        attack(kind, held, f"{what}: {text[:200]}")
        assert held, text
    except Exception as exc:
        attack(kind, False, f"{what}: raw {type(exc).__name__}")
        raise
    else:
        attack(kind, False, f"{what}: accepted")
        pytest.fail(f"{what} was accepted")


@pytest.fixture
def sockets() -> Iterator[None]:
    yield
    while _SOCKETS:
        _SOCKETS.pop().close()  # type: ignore[attr-defined]


@pytest.mark.timeout(30)
@pytest.mark.usefixtures("sockets")
@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("how", ["found", "DJ_CONFIG_FILE"])
def test_a_bad_config_file_is_one_clear_error(project: Project, kind: str, how: str) -> None:
    path = project.root / "datajoint.json" if how == "found" else project.root / "named.json"
    BAD_FILES[kind](path)
    named = str(path) if how == "DJ_CONFIG_FILE" else None
    with environment(DJ_CONFIG_FILE=named):
        if how == "found" and kind in NOT_FOUND:
            # DataJoint's search takes only a regular file (``is_file``): this is no
            # config file at all, and nothing is opened (a swap after the search is
            # the descriptor check's: the DJ_CONFIG_FILE cases).
            names = Config(cwd=project.root).store_names()
            attack("config files", names == [], f"{how} {kind}: {names}")
            assert names == []
            return
        _raises_naming(
            lambda: Config(cwd=project.root).problems(), str(path), "config files", f"{how} {kind}"
        )


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "content",
    [b"DJ_STORES=" + CANARY.encode() + b"\xff", b"\xfe\xff" + CANARY.encode(), b"\x80" * 10],
    ids=["trailing", "bom-like", "continuation bytes"],
)
def test_a_dotenv_that_is_not_utf8_is_one_clear_error(project: Project, content: bytes) -> None:
    (project.root / ".env").write_bytes(content)
    label = str(project.root / ".env")
    _raises_naming(lambda: Config(cwd=project.root).problems(), label, ".env", "not UTF-8")


@pytest.mark.timeout(30)
def test_a_dotenv_that_is_a_fifo_never_hangs(project: Project) -> None:
    os.mkfifo(project.root / ".env")
    try:
        Config(cwd=project.root).problems()  # not a file: no .env, as dotenv's own check
        held = True
    except dj.DataJointError as exc:
        held = CANARY not in str(exc)
    attack(".env", held, "FIFO")
    assert held


def test_a_deleted_working_directory_is_one_clear_error(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    here = os.getcwd()
    os.chdir(gone)
    try:
        gone.rmdir()
        try:
            Config().problems()
        except dj.DataJointError as exc:
            held = "working directory" in str(exc)
        else:
            held = False
    finally:
        os.chdir(here)
    attack("config files", held, "deleted working directory")
    assert held


def test_a_valid_config_file_still_reads(project: Project) -> None:
    project.write_config({"stores": {"m": {"protocol": "memory", "location": "x"}}})
    assert Config(cwd=project.root).get_store_spec("m")["location"] == "x"
    with environment(DJ_CONFIG_FILE=json.dumps(None) and str(project.root / "datajoint.json")):
        assert Config(cwd=project.root).store_names() == ["m"]


# -- unreadable paths: chmod 000, read by ``nobody`` (root reads anything) --------------

_UNREADABLE_CHILD = """
import json, os, sys
from pathlib import Path
import dotenv  # read lazily, only when a .env exists: import it while we still can
from datajoint_storage.settings import Config
import datajoint_storage as dj
warm, cases = Path(sys.argv[1]), json.loads(sys.argv[2])
Config(cwd=warm).problems()  # import every lazy module while we still can
if os.geteuid() == 0:
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
out = {}
for name, (cwd, named) in cases.items():
    if named:
        os.environ["DJ_CONFIG_FILE"] = named
    else:
        os.environ.pop("DJ_CONFIG_FILE", None)
    try:
        Config(cwd=Path(cwd)).problems()
        out[name] = ["accepted", ""]
    except dj.DataJointError as exc:
        out[name] = [type(exc).__name__, str(exc) + repr(exc)]
    except Exception as exc:
        out[name] = ["raw " + type(exc).__name__, ""]
print(json.dumps(out))
"""


def _unreadable_cases(top: Path) -> dict[str, tuple[str, str | None]]:
    def project(name: str) -> Path:
        root = top / name
        (root / ".git").mkdir(parents=True)
        return root

    warm = project("warm")
    (warm / "datajoint.json").write_text("{}")
    found = project("found")
    (found / "datajoint.json").write_text(json.dumps({"x": CANARY}))
    (found / "datajoint.json").chmod(0)
    named = project("named")
    (named / "conf.json").write_text(json.dumps({"x": CANARY}))
    (named / "conf.json").chmod(0)
    dotenv = project("dotenv")
    (dotenv / ".env").write_text(f"DJ_STORES={CANARY}\n")
    (dotenv / ".env").chmod(0)
    closed = project("closed")
    (closed / "sub").mkdir()
    (closed / "sub" / "datajoint.json").write_text("{}")
    (closed / "sub").chmod(0)
    for path in (top, *top.iterdir()):
        if path.name != "sub":
            path.chmod(0o755)
    return {
        "datajoint.json found": (str(found), None),
        "DJ_CONFIG_FILE": (str(named), str(named / "conf.json")),
        ".env": (str(dotenv), None),
        "DJ_CONFIG_FILE in a closed directory": (str(closed), str(closed / "sub" / "x.json")),
    }


def test_unreadable_paths_are_one_clear_error_each(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import shutil
    import subprocess
    import sys
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="dj-unreadable-files-"))
    try:
        cases = _unreadable_cases(top)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
        result = subprocess.run(
            [sys.executable, "-c", _UNREADABLE_CHILD, str(top / "warm"), json.dumps(cases)],
            cwd=top,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        answers = json.loads(result.stdout)
    finally:
        for path in top.rglob("*"):
            with contextlib.suppress(OSError):
                path.chmod(0o755)
        shutil.rmtree(top, ignore_errors=True)
    for name, (kind, text) in answers.items():
        where = cases[name][1] or cases[name][0]
        held = kind.endswith("Error") and not kind.startswith("raw") and CANARY not in text
        held = held and str(Path(where).parent) in text  # the file or its directory
        attack("config files", held, f"unreadable {name}: {kind} {text[:150]}")
        assert held, (name, kind, text)
