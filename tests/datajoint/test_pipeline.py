"""End to end: a real DataJoint 2.3.5 pipeline on a real PostgreSQL, a WebDAV store served
by the example plugin (real WsgiDAV) and a ``file`` store, with us installed.

One process inserts ``<blob@>``, ``<attach@>``, ``<object@>`` (a file and a folder),
``<npy@>`` and ``<filepath@>`` values; a second process fetches them and the bytes are
compared; a third deletes the rows and garbage-collects, and the share's disk is
checked. The plugin's password comes from ``.secrets/stores.dav.password``, read by
DataJoint itself, and must appear in no output. ``memory`` is refused, and an escape
through DataJoint's own ``StorageBackend`` is refused by the plugin's contract.
"""

from __future__ import annotations

import json
import secrets
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.datajoint.conftest import run_datajoint
from tests.datajoint.postgres import Database, postgres

COMMON = textwrap.dedent(
    """
    import hashlib, json, os, sys
    from pathlib import Path
    import numpy as np
    import datajoint as dj

    def digest(data):
        return hashlib.sha256(data).hexdigest()

    schema = dj.Schema(os.environ["E2E_SCHEMA"])

    @schema
    class Recording(dj.Manual):
        definition = '''
        rec_id : int
        ---
        signal : <blob@dav>
        notes : <attach@dav>
        raw : <object@dav>
        folder : <object@dav>
        trace : <npy@dav>
        acquired : <filepath@dav>
        local_signal : <blob@local>
        local_raw : <object@local>
        '''
    """
)

WRITE = COMMON + textwrap.dedent(
    """
    from datajoint.storage import StorageBackend
    out = {"rows": {}}
    dav = StorageBackend(dj.config.get_store_spec("dav"))
    for escape in ("../outside.txt", "%2e%2e/outside.txt", "..%5Coutside.txt",
                   "\\uff0e\\uff0e/outside.txt", "~/outside.txt", "file:///etc/passwd"):
        try:
            dav.exists(escape)
            out.setdefault("escaped", []).append(escape)
        except dj.DataJointError as exc:
            out.setdefault("refused", []).append(str(exc))
    try:
        dj.config.stores["mem"] = {"protocol": "memory"}
        dj.config.get_store_spec("mem")
        out["memory"] = "accepted"
    except dj.DataJointError as exc:
        out["memory"] = str(exc)
    work = Path("inputs")
    for rec_id in (1, 2):
        base = work / str(rec_id)
        (base / "folder" / "sub").mkdir(parents=True)
        note = base / "notes.txt"
        note.write_bytes(os.urandom(100) + b"note")
        raw = base / "raw.bin"
        raw.write_bytes(os.urandom(5000))
        (base / "folder" / "a.dat").write_bytes(os.urandom(300))
        (base / "folder" / "sub" / "b.dat").write_bytes(os.urandom(200))
        acquired = f"acquisition/rec{rec_id}.bin"
        payload = os.urandom(700)
        dav.put_buffer(payload, acquired)
        signal = np.random.default_rng(rec_id).normal(size=(30, 4))
        trace = np.arange(1000, dtype=np.int32) * rec_id
        Recording.insert1(dict(
            rec_id=rec_id, signal=signal, notes=str(note), raw=str(raw),
            folder=str(base / "folder"), trace=trace, acquired=acquired,
            local_signal=signal * 2, local_raw=str(raw)))
        out["rows"][rec_id] = {
            "signal": digest(signal.tobytes()), "notes": digest(note.read_bytes()),
            "raw": digest(raw.read_bytes()),
            "folder": {"a.dat": digest((base / "folder" / "a.dat").read_bytes()),
                       "sub/b.dat": digest((base / "folder" / "sub" / "b.dat").read_bytes())},
            "trace": digest(trace.tobytes()), "acquired": digest(payload),
            "local_signal": digest((signal * 2).tobytes()), "local_raw": digest(raw.read_bytes()),
        }
    cache = dj.get_storage_adapter("webdav").__dict__["_contract_fs_cache"][1]
    out["filesystems built"] = len(cache)  # DataJoint asked once per stored attribute
    print(json.dumps(out))
    """
)

READ = COMMON + textwrap.dedent(
    """
    dj.config["download_path"] = "downloads"
    Path("downloads").mkdir()
    out = {}
    for row in Recording.fetch(as_dict=True, order_by="rec_id"):
        folder = row["folder"]
        out[str(row["rec_id"])] = {
            "signal": digest(np.asarray(row["signal"]).tobytes()),
            "notes": digest(Path(row["notes"]).read_bytes()),
            "raw": digest(row["raw"].read()),
            "folder": {"a.dat": digest(folder.open("a.dat").read()),
                       "sub/b.dat": digest(folder.open("sub/b.dat").read())},
            "trace": digest(np.asarray(row["trace"].load()).tobytes()),
            "acquired": digest(row["acquired"].read()),
            "local_signal": digest(np.asarray(row["local_signal"]).tobytes()),
            "local_raw": digest(row["local_raw"].read()),
        }
    print(json.dumps(out))
    """
)

DELETE = COMMON + textwrap.dedent(
    """
    Recording.delete(prompt=False)
    collector = dj.gc.GarbageCollector(schema, store="dav")
    stats = collector.collect(dry_run=False)
    local = dj.gc.GarbageCollector(schema, store="local").collect(dry_run=False)
    print(json.dumps({"left": len(Recording()), "dav": str(stats), "local": str(local)}))
    schema.drop(prompt=False)
    """
)


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    with postgres() as db:
        yield db


def _project(root: Path, dav: Any, local: Path) -> Path:
    project = root / "pipeline"
    (project / ".git").mkdir(parents=True)
    config = {
        "stores": {
            "default": "dav",
            "filepath_default": "dav",
            "dav": {
                "protocol": "webdav",
                "url": dav.url,
                "username": dav.username,
                "location": "pipeline",
            },
            "local": {"protocol": "file", "location": str(local)},
        }
    }
    (project / "datajoint.json").write_text(json.dumps(config), encoding="utf-8")
    (project / ".secrets").mkdir()
    # As a user writes it: the password alone, with the editor's trailing newline.
    (project / ".secrets" / "stores.dav.password").write_text(dav.password + "\n")
    return project


def _files_under(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.name != "datajoint_store.json"
    )


def test_a_datajoint_pipeline_on_webdav_and_file(
    dj_site: Path, webdav_server: Any, database: Database, tmp_path: Path
) -> None:
    local = tmp_path / "local-store"
    local.mkdir()
    project = _project(tmp_path, webdav_server, local)
    env = {
        "DJ_BACKEND": "postgresql",
        "DJ_HOST": database.host,
        "DJ_PORT": str(database.port),
        "DJ_USER": database.user,
        "DJ_PASS": database.password,
        "E2E_SCHEMA": f"e2e_{secrets.token_hex(4)}",
    }
    outputs = []

    def step(code: str) -> dict[str, Any]:
        result = run_datajoint(code, site=dj_site, cwd=project, env=env)
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == 0, result.stderr[-5000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    written = step(WRITE)
    assert "escaped" not in written, written
    assert len(written["refused"]) == 6
    assert written["memory"].startswith('Unknown protocol "memory"')
    assert written["filesystems built"] == 1
    share = webdav_server.root / "pipeline"
    stored = _files_under(share)
    assert any(p.startswith("_hash/") for p in stored), stored
    assert any(p.startswith("_schema/") for p in stored), stored
    assert "acquisition/rec1.bin" in stored

    fetched = step(READ)  # a second process: nothing comes from the first one's memory
    assert fetched == {str(k): v for k, v in written["rows"].items()}

    deleted = step(DELETE)
    assert deleted["left"] == 0
    left = [p for p in _files_under(share) if p.startswith(("_hash/", "_schema/"))]
    assert left == [], (left, deleted)
    assert [p for p in _files_under(local) if p.startswith(("_hash/", "_schema/"))] == []
    assert "acquisition/rec1.bin" in _files_under(share)  # <filepath@> files are the user's

    for text in outputs:
        assert webdav_server.password not in text
