"""``add`` / ``set`` / ``unset`` / ``remove`` / ``set-default``: edits of ``datajoint.json``.

Every other DataJoint setting survives, key order is kept, a refused edit leaves the
file byte for byte as it was, and credentials only ever reach ``.secrets/`` (0600).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from datajoint_storage.settings import Config
from tests._cli_support import assert_no_traceback, invoke, run_script
from tests.helpers import REPO, Project

#: A file with settings that are not ours, in an order worth keeping.
DOCUMENT = {
    "database.host": "db.lab.example",
    "loglevel": "INFO",
    "stores": {"default": "main", "main": {"protocol": "file", "location": "data"}},
    "display.limit": 7,
}
S3 = ["endpoint=s3.amazonaws.com", "bucket=acq", "location=raw"]


def _file(project: Project) -> Path:
    (project.root / "data").mkdir(exist_ok=True)  # a file store's directory must exist
    path = project.root / "datajoint.json"
    path.write_text(json.dumps(DOCUMENT, indent=4) + "\n", encoding="utf-8")
    return path


def _config(project: Project) -> Config:
    return Config(cwd=project.root, environ={})


def test_add_keeps_every_other_setting_and_the_key_order(project: Project) -> None:
    path = _file(project)
    path.chmod(0o640)
    run = invoke("add", "raw", "--protocol", "s3", *S3, "secure=false", "token_length=12")
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith(f"added store raw (s3) in {path}")

    written = json.loads(path.read_text())
    assert list(written) == list(DOCUMENT)  # same keys, same order
    assert {k: v for k, v in written.items() if k != "stores"} == {
        k: v for k, v in DOCUMENT.items() if k != "stores"
    }
    assert written["stores"]["main"] == DOCUMENT["stores"]["main"]
    assert written["stores"]["raw"] == {
        "protocol": "s3",
        "endpoint": "s3.amazonaws.com",
        "bucket": "acq",
        "location": "raw",
        "secure": False,  # parsed as JSON
        "token_length": 12,
    }
    assert path.read_text().startswith('{\n    "database.host"')  # the file's indent kept
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # permissions kept
    assert _config(project).get_store_spec("raw")["secure"] is False
    assert [p.name for p in project.root.iterdir() if p.name.endswith(".tmp")] == []


def test_an_edit_of_the_quickstart_changes_only_its_own_line(project: Project) -> None:
    original = (REPO / "examples" / "quickstart" / "datajoint.json").read_text()
    path = project.root / "datajoint.json"
    path.write_text(original)
    assert invoke("set", "scratch", "location", "elsewhere", "--force").exit_code == 0
    assert path.read_text() == original.replace('"quickstart"', '"elsewhere"')


def test_set_parses_json_and_keeps_strings(project: Project) -> None:
    path = _file(project)
    assert invoke("set", "main", "subfolding", "[2, 2]").exit_code == 0
    assert invoke("set", "main", "partition_pattern", "subject_id/session").exit_code == 0
    assert invoke("set", "main", "hash_prefix", '"12"').exit_code == 0
    store = json.loads(path.read_text())["stores"]["main"]
    assert store["subfolding"] == [2, 2]
    assert store["partition_pattern"] == "subject_id/session"
    assert store["hash_prefix"] == "12"

    doc = invoke("--json", "unset", "main", "subfolding").json()
    assert doc["ok"] is True and doc["result"]["written"] is True
    assert "subfolding" not in json.loads(path.read_text())["stores"]["main"]


def test_a_refused_edit_leaves_the_file_byte_for_byte(project: Project) -> None:
    path = _file(project)
    before = path.read_bytes()
    run = invoke("set", "main", "token_length", "abc")
    assert run.exit_code == 1
    assert "refused" in run.stdout and "main.token_length: Invalid value" in run.stdout
    assert "nothing was written" in run.stdout
    assert ".tmp" not in run.output  # problems name the real file, not the candidate
    assert path.read_bytes() == before
    assert_no_traceback(run)

    for args in (
        ["add", "bad", "--protocol", "s3", "bucket=acq"],  # missing keys
        ["add", "main", "--protocol", "file", "location=/x"],  # already there
        ["remove", "main"],  # default names it
        ["set-default", "nosuch"],
        ["set", "mian", "location", "/x"],
        ["unset", "main", "nothing"],
    ):
        refused = invoke("--json", *args)
        assert refused.exit_code == 1, (args, refused.output)
        assert path.read_bytes() == before, args
    assert [p.name for p in project.root.iterdir() if ".tmp" in p.name] == []

    doc = invoke("--json", "set", "main", "token_length", "abc").json()
    assert doc["result"]["written"] is False
    (problem,) = doc["result"]["problems"]
    assert (problem["store"], problem["key"], problem["source"]) == (
        "main",
        "token_length",
        str(path),
    )
    mistyped = invoke("set", "mian", "location", "/x")
    assert "did you mean 'main'?" in mistyped.stderr


def test_force_writes_an_invalid_result(project: Project) -> None:
    path = _file(project)
    run = invoke("set", "main", "token_length", "abc", "--force")
    assert run.exit_code == 0 and "written with --force despite" in run.stdout
    assert json.loads(path.read_text())["stores"]["main"]["token_length"] == "abc"
    # Fixing one problem of two is progress, and allowed without --force.
    invoke("set", "main", "subfolding", '"2,2"', "--force")
    assert invoke("set", "main", "token_length", "8").exit_code == 0


def test_remove_and_set_default(project: Project) -> None:
    path = _file(project)
    assert invoke("add", "raw", "--protocol", "s3", *S3).exit_code == 0
    assert invoke("set-default", "raw").exit_code == 0
    assert invoke("set-default", "main", "--filepath").exit_code == 0
    stores = json.loads(path.read_text())["stores"]
    assert (stores["default"], stores["filepath_default"]) == ("raw", "main")
    assert invoke("remove", "raw").exit_code == 1  # default still names it
    assert invoke("set-default", "main").exit_code == 0
    assert invoke("remove", "raw").exit_code == 0
    assert "raw" not in json.loads(path.read_text())["stores"]


def test_flat_keys_are_edited_where_they_are(project: Project) -> None:
    path = project.root / "datajoint.json"
    path.write_text(
        json.dumps(
            {"stores.main.protocol": "file", "stores.main.location": "a", "stores.default": "main"}
        )
    )
    (project.root / "a").mkdir()
    (project.root / "b").mkdir()
    assert invoke("set", "main", "location", "b").exit_code == 0
    assert invoke("set", "main", "token_length", "12").exit_code == 0
    written = json.loads(path.read_text())
    assert written["stores.main.location"] == "b"
    assert written["stores.main.token_length"] == 12
    assert "stores" not in written
    assert invoke("remove", "main", "--force").exit_code == 0
    assert json.loads(path.read_text()) == {"stores.default": "main"}


def test_a_secret_is_never_written_into_the_file(project: Project) -> None:
    path = _file(project)
    assert invoke("add", "raw", "--protocol", "s3", *S3).exit_code == 0
    before = path.read_bytes()
    for args in (
        ["set", "raw", "secret_key", "hunter2-canary"],
        ["add", "other", "--protocol", "s3", *S3, "access_key=hunter2-canary"],
    ):
        run = invoke(*args)
        assert run.exit_code == 1 and "--secret" in run.stderr, run.output
        assert "hunter2-canary" not in run.output
        assert path.read_bytes() == before


def test_set_secret_writes_0600_and_never_echoes(project: Project) -> None:
    _file(project)
    assert invoke("add", "raw", "--protocol", "s3", *S3).exit_code == 0
    run = invoke("set", "raw", "secret_key", "hunter2-canary", "--secret")
    assert run.exit_code == 0, run.output
    assert "hunter2-canary" not in run.output
    secret = project.root / ".secrets" / "stores.raw.secret_key"
    assert secret.read_text() == "hunter2-canary"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret.parent.stat().st_mode) == 0o700
    assert (secret.parent / ".gitignore").read_text().splitlines()[-1] == "*"
    assert "hunter2-canary" not in (project.root / "datajoint.json").read_text()

    as_json = invoke("--json", "set", "raw", "access_key", "-", "--secret", input="AKIA-canary\n")
    assert "AKIA-canary" not in as_json.output
    assert as_json.json()["result"]["mode"] == "0600"
    assert (secret.parent / "stores.raw.access_key").read_text() == "AKIA-canary"
    assert _config(project).get_store_spec("raw")["access_key"] == "AKIA-canary"
    shown = invoke("show", "raw")
    assert "AKIA-canary" not in shown.output and "hunter2-canary" not in shown.output


def test_set_secret_refuses_links_and_unknown_stores(project: Project, tmp_path: Path) -> None:
    _file(project)
    secrets = project.root / ".secrets"
    secrets.mkdir()
    outside = tmp_path / "outside"
    outside.write_text("keep")
    (secrets / "stores.main.token").symlink_to(outside)
    run = invoke("set", "main", "token", "x", "--secret", "--force")
    assert run.exit_code == 1 and "link" in run.stderr
    assert outside.read_text() == "keep"

    linked = tmp_path / "linked-secrets"
    linked.mkdir()
    shutil.rmtree(secrets)
    secrets.symlink_to(linked)
    run = invoke("set", "main", "token", "x", "--secret", "--force")
    assert run.exit_code == 1 and "link" in run.stderr
    assert list(linked.iterdir()) == []

    unknown = invoke("set", "mian", "token", "x", "--secret")
    assert unknown.exit_code == 1 and "did you mean 'main'?" in unknown.stderr


def test_no_file_found_says_where_the_search_ran(project: Project) -> None:
    run = invoke("set", "main", "location", "/x")
    assert run.exit_code == 1
    assert f"No datajoint.json found (searched {project.root} up to {project.root})" in run.stderr


def test_a_value_from_standard_input_and_a_linked_file(project: Project, tmp_path: Path) -> None:
    real = tmp_path / "shared" / "datajoint.json"
    real.parent.mkdir()
    real.write_text(json.dumps({"stores": {"m": {"protocol": "memory"}}}))
    link = project.root / "datajoint.json"
    link.symlink_to(real)
    run = invoke("set", "m", "location", "-", input="from-stdin\n")
    assert run.exit_code == 0, run.output
    assert link.is_symlink()  # the link is kept; the file it names is edited
    assert json.loads(real.read_text())["stores"]["m"]["location"] == "from-stdin"


def test_a_file_that_is_not_json_is_left_alone(project: Project) -> None:
    path = project.root / "datajoint.json"
    path.write_bytes(b'{"stores": {"m": {"protocol": "memory"}},}')
    before = path.read_bytes()
    run = invoke("set", "m", "location", "x")
    assert run.exit_code == 2 and path.read_bytes() == before  # unreadable: an environment error
    assert_no_traceback(run)


def test_an_edit_while_dj_stores_is_set_says_it_is_not_in_force(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _file(project)
    monkeypatch.setenv("DJ_STORES", json.dumps({"e": {"protocol": "memory"}}))
    doc = invoke("--json", "add", "m", "--protocol", "memory").json()
    assert doc["ok"] is True
    assert any("not in force until DJ_STORES is unset" in w for w in doc["warnings"])


def test_config_option_after_the_command(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"stores": {}}))
    run = invoke("add", "m", "--protocol", "memory", "--config", str(elsewhere))
    assert run.exit_code == 0, run.output
    assert json.loads(elsewhere.read_text()) == {"stores": {"m": {"protocol": "memory"}}}


# -- as real processes ----------------------------------------------------------------


def test_concurrent_edits_lose_no_write_and_tear_no_file(project: Project) -> None:
    import subprocess
    import sys

    path = _file(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    script = Path(sys.executable).parent / "datajoint-storage"
    names = [f"s{i}" for i in range(12)]
    processes = [
        subprocess.Popen(
            [str(script), "add", name, "--protocol", "memory"],
            cwd=project.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in names
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    written = json.loads(path.read_text())  # never torn: it parses
    assert set(names) <= set(written["stores"])  # no write lost
    assert written["loglevel"] == "INFO" and list(written) == list(DOCUMENT)
    assert [p.name for p in project.root.iterdir() if ".tmp" in p.name] == []


def test_edits_in_a_fresh_process(project: Project) -> None:
    path = _file(project)
    before = path.read_bytes()
    refused = run_script("set", "main", "token_length", "abc", cwd=project.root)
    assert refused.exit_code == 1 and path.read_bytes() == before
    assert_no_traceback(refused)
    secret = run_script(
        "set", "main", "token", "-", "--secret", "--force", cwd=project.root, stdin="tok-canary"
    )
    assert secret.exit_code == 0, secret.output
    assert "tok-canary" not in secret.output
    written = project.root / ".secrets" / "stores.main.token"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


@pytest.mark.parametrize("text", ['{"stores": {"main": {"protocol": "memory"}}}'])
def test_a_compact_file_stays_compact(project: Project, text: str) -> None:
    path = project.root / "datajoint.json"
    path.write_text(text)
    assert invoke("set", "main", "location", "b").exit_code == 0
    assert "\n" not in path.read_text()


@pytest.mark.parametrize("key", ["ACCESS_KEY", "secretKey", "secret-key", "secret_kye", "Token"])
@pytest.mark.parametrize("as_json", [False, True])
def test_a_credential_in_any_spelling_is_never_written_or_echoed(
    project: Project, key: str, as_json: bool
) -> None:
    """The keys the redaction module masks are the keys edits refuse, even with --force:
    a misspelt credential would otherwise be written in clear and echoed back."""
    path = _file(project)
    before = path.read_bytes()
    flags = ["--json"] if as_json else []
    for args in (
        ["add", "raw", "--protocol", "s3", *S3, f"{key}=LEAK-canary-77", "--force"],
        ["set", "main", key, "LEAK-canary-77", "--force"],
    ):
        run = invoke(*flags, *args)
        assert run.exit_code == 1, run.output
        assert "LEAK-canary-77" not in run.output
        assert "--secret" in run.output  # says where a credential goes instead
    assert path.read_bytes() == before
