"""The secrets directory under hostile or sloppy mounts.

Every unusable file named like a secret is skipped with a warning that names the file
and the reason, never its content; the store then fails validation as if the value
had never been given. Whitespace editors and Windows add is stripped; empty is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import datajoint_storage as dj
from datajoint_storage.settings import config as config_module
from datajoint_storage.settings.sources.secrets_dir import MAX_SECRET_BYTES, SecretsWarning
from tests.helpers import Project

CANARY = "CANARY-sd-7f3a9c"
#: A gcs store whose required ``bucket`` only a secret file can supply.
NEEDS_BUCKET = {"protocol": "gcs", "location": "raw"}


def _problems_and_warnings() -> tuple[list, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = dj.config.problems()
    texts = [str(w.message) for w in caught if issubclass(w.category, SecretsWarning)]
    return problems, texts


def _missing_bucket(problems: list) -> bool:
    return any(
        isinstance(p, dj.MissingKeysError) and p.store == "s" and "bucket" in str(p)
        for p in problems
    )


# -- Kubernetes and Docker mounts -----------------------------------------------------


def _kubernetes_mount(mount: Path, files: dict[str, str]) -> None:
    """The layout kubelet writes: <mount>/..<timestamp>/, ..data -> it, name -> ..data/name."""
    stamp = mount / "..2026_11_25_13_00_00.000000001"
    stamp.mkdir(parents=True)
    for name, value in files.items():
        (stamp / name).write_text(value, encoding="utf-8")
        os.symlink(f"..data/{name}", mount / name)
    os.symlink(stamp.name, mount / "..data")


def test_kubernetes_project_mount_is_followed(project: Project) -> None:
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    _kubernetes_mount(project.root / ".secrets", {"stores.s.bucket": "lab-bucket\n"})
    problems, texts = _problems_and_warnings()
    assert (problems, texts) == ([], [])
    assert dj.config.get_store_spec("s")["bucket"] == "lab-bucket"
    assert dj.config.provenance("s")["bucket"].endswith(".secrets/stores.s.bucket")


def test_docker_run_secrets_mount_is_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No datajoint.json: the system mount (``/run/secrets/datajoint``) serves DJ_STORES."""
    mount = tmp_path / "run-secrets-datajoint"
    _kubernetes_mount(mount, {"stores.s.bucket": "lab-bucket", "stores.s.token": CANARY})
    monkeypatch.setattr(config_module, "SYSTEM_SECRETS_DIR", mount)
    monkeypatch.setenv("DJ_STORES", json.dumps({"s": NEEDS_BUCKET}))
    spec = dj.config.get_store_spec("s")
    assert (spec["bucket"], spec["token"]) == ("lab-bucket", CANARY)
    assert CANARY not in repr(dj.config) + repr(dj.config.get_store_spec("s", redact=True))


def test_a_rotated_kubernetes_mount_is_seen_after_reload(project: Project) -> None:
    """kubelet swaps ``..data`` to a new timestamped directory; reload reads the new one."""
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    mount = project.root / ".secrets"
    _kubernetes_mount(mount, {"stores.s.bucket": "old"})
    assert dj.config.get_store_spec("s")["bucket"] == "old"
    fresh = mount / "..2026_11_25_14_00_00.000000002"
    fresh.mkdir()
    (fresh / "stores.s.bucket").write_text("new")
    os.symlink(fresh.name, mount / "..data_tmp")
    os.replace(mount / "..data_tmp", mount / "..data")
    dj.config.reload()
    assert dj.config.get_store_spec("s")["bucket"] == "new"


# -- files that are skipped -------------------------------------------------------------


def _outside_link(folder: Path, path: Path) -> None:
    outside = folder.parent.parent / "outside-file"
    outside.write_text(CANARY)
    os.symlink(outside, path)


def _outside_data_link(folder: Path, path: Path) -> None:
    """The whole ``..data`` of a mount redirected outside the directory."""
    elsewhere = folder.parent.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / path.name).write_text(CANARY)
    os.symlink(elsewhere, folder / "..data")
    os.symlink(f"..data/{path.name}", path)


def _directory(folder: Path, path: Path) -> None:
    path.mkdir()
    (path / "inner").write_text(CANARY)


def _fifo(folder: Path, path: Path) -> None:
    os.mkfifo(path)  # opening it would block: the reader must never open it


def _broken_link(folder: Path, path: Path) -> None:
    os.symlink("does-not-exist", path)


def _link_loop(folder: Path, path: Path) -> None:
    os.symlink(path.name, path)


def _too_large(folder: Path, path: Path) -> None:
    path.write_bytes(CANARY.encode() + b"x" * MAX_SECRET_BYTES)


def _not_utf8(folder: Path, path: Path) -> None:
    path.write_bytes(CANARY.encode() + b"\xff\xfe\xfd")


SKIPPED: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "link outside the directory": (_outside_link, "it links outside the secrets directory"),
    "..data pointing outside": (_outside_data_link, "it links outside the secrets directory"),
    "a directory": (_directory, "it is a directory, not a file"),
    "a FIFO": (_fifo, "it is not a regular file"),
    "a broken link": (_broken_link, "it is a broken link"),
    "a link loop": (_link_loop, "it is a broken link"),
    "over 64 KiB": (_too_large, f"it is larger than {MAX_SECRET_BYTES} bytes"),
    "not UTF-8": (_not_utf8, "it is not UTF-8 text"),
}


@pytest.mark.timeout(20)  # a FIFO opened by mistake would block here
@pytest.mark.parametrize("kind", sorted(SKIPPED))
def test_an_unusable_secret_file_is_skipped_with_a_warning(project: Project, kind: str) -> None:
    make, why = SKIPPED[kind]
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    folder = project.root / ".secrets"
    folder.mkdir()
    path = folder / "stores.s.bucket"
    make(folder, path)
    problems, texts = _problems_and_warnings()
    assert texts == [f"Secret file {path} skipped: {why}"]
    assert _missing_bucket(problems)  # fails validation as if never given
    assert all(CANARY not in str(p) for p in problems)
    assert CANARY not in repr(dj.config)


def test_exactly_64_kib_is_still_read(project: Project) -> None:
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    project.write_secret("s", "bucket", b"b" * MAX_SECRET_BYTES)
    problems, texts = _problems_and_warnings()
    assert (problems, texts) == ([], [])
    assert len(dj.config.get_store_spec("s")["bucket"]) == MAX_SECRET_BYTES


def test_one_bad_file_does_not_spoil_the_others(project: Project) -> None:
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    project.write_secret("s", "bucket", "good-bucket")
    project.write_secret("s", "token", b"\xff" + CANARY.encode())
    problems, texts = _problems_and_warnings()
    assert problems == []
    assert len(texts) == 1 and "stores.s.token skipped: it is not UTF-8" in texts[0]
    assert "token" not in dj.config.get_store_spec("s")


def test_other_names_are_ignored_without_a_warning(project: Project) -> None:
    project.write_config({"stores": {"s": {**NEEDS_BUCKET, "bucket": "b"}}})
    folder = project.root / ".secrets"
    folder.mkdir()
    (folder / ".gitignore").write_text("*\n")
    (folder / "README").write_bytes(b"\xff not utf-8")
    (folder / "stores.s").mkdir()
    os.mkfifo(folder / "database.password")
    os.symlink("/etc/passwd", folder / ".hidden-link")
    assert _problems_and_warnings() == ([], [])


def test_a_large_secrets_directory_is_read_like_any_other(project: Project) -> None:
    """No directory cap (DataJoint reads >10,000 entries); a huge unrelated file is ignored."""
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    folder = project.root / ".secrets"
    folder.mkdir()
    with open(folder / "huge.bin", "wb") as f:
        f.truncate(17 * 2**20)  # sparse: costs no disk
    for n in range(10_050):
        (folder / f"unrelated.{n}").touch()
    project.write_secret("s", "bucket", "many-entries-bucket")
    assert dj.config.get_store_spec("s")["bucket"] == "many-entries-bucket"


# -- unreadable files: chmod 000 ----------------------------------------------------------

#: Root reads a chmod-000 file anyway, so the child drops to ``nobody`` before reading;
#: it first reads a warm-up project to import every lazy module while it still can.
_UNREADABLE_CHILD = """
import json, os, sys, warnings
from pathlib import Path
from datajoint_storage.settings import Config
warm, target = Path(sys.argv[1]), Path(sys.argv[2])
Config(cwd=warm).problems()
if os.geteuid() == 0:
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    problems = Config(cwd=target).problems()
print(json.dumps({
    "uid": os.geteuid(),
    "warnings": [str(w.message) for w in caught],
    "problems": [[type(p).__name__, p.store, str(p)] for p in problems],
}))
"""


def _project_with_secret(root: Path, value: str, mode: int) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "datajoint.json").write_text(json.dumps({"stores": {"s": NEEDS_BUCKET}}))
    (root / ".secrets").mkdir()
    secret = root / ".secrets" / "stores.s.bucket"
    secret.write_text(value)
    secret.chmod(mode)
    for path in (root, root / ".git", root / ".secrets"):
        path.chmod(0o755)
    (root / "datajoint.json").chmod(0o644)
    return secret


def test_an_unreadable_secret_file_is_skipped_with_a_warning() -> None:
    """chmod 000. As root (which reads it anyway) the reading child runs as ``nobody``."""
    top = Path(tempfile.mkdtemp(prefix="dj-unreadable-"))
    top.chmod(0o755)
    try:
        _project_with_secret(top / "warm", "warm-bucket", 0o644)
        secret = _project_with_secret(top / "target", CANARY, 0)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
        result = subprocess.run(
            [sys.executable, "-c", _UNREADABLE_CHILD, str(top / "warm"), str(top / "target")],
            cwd=top,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["uid"] != 0
        assert report["warnings"] == [
            f"Secret file {secret} skipped: it cannot be read (Permission denied)"
        ]
        assert [kind for kind, _, text in report["problems"] if "bucket" in text] == [
            "MissingKeysError"
        ]
        assert CANARY not in result.stdout + result.stderr
    finally:
        shutil.rmtree(top, ignore_errors=True)


# -- whitespace ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "value"),
    [
        (b"bucket-1\n", "bucket-1"),
        (b"bucket-1\r\n", "bucket-1"),
        (b"bucket-1\n\n\n", "bucket-1"),
        (b"\tbucket-1\t\r\n", "bucket-1"),
        (b"  bucket-1  ", "bucket-1"),
        (b"\xef\xbb\xbfbucket-1\n", "\ufeffbucket-1"),  # a BOM is content, not whitespace
        # inner whitespace is the secret's own; line ends read as DataJoint's read_text does
        (b"a b\tc\r\nd\re\n", "a b\tc\nd\ne"),
    ],
)
def test_surrounding_whitespace_is_stripped(project: Project, content: bytes, value: str) -> None:
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    project.write_secret("s", "bucket", content)
    assert dj.config.get_store_spec("s")["bucket"] == value


@pytest.mark.parametrize("content", [b"", b"\n", b"\r\n", b" \t \r\n\n"])
def test_an_empty_file_is_a_present_empty_value(project: Project, content: bytes) -> None:
    """DataJoint 2.3.5 sets ``""`` from an empty file (``read_text().strip()``)."""
    project.write_config({"stores": {"s": NEEDS_BUCKET}})
    project.write_secret("s", "bucket", content)
    project.write_secret("lonely", "token", content)
    problems, texts = _problems_and_warnings()
    assert texts == []
    assert not _missing_bucket(problems)
    assert dj.config.get_store_spec("s")["bucket"] == ""
    assert "lonely" in dj.config.store_names()  # an empty file is a value, as in DataJoint
