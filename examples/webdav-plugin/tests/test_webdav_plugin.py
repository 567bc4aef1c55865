"""The example plugin, pip-installed for real, against a real WebDAV server.

Every check runs in a fresh interpreter whose only extra path entry is the directory
pip installed the plugin into; none of the code below imports or registers it.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import DavServer

ENTRY_POINT = "webdav = datajoint_storage_webdav_example.adapter:WebDAVAdapter"


def write_project(
    root: Path, stores: dict[str, Any], secrets: dict[str, str] | None = None
) -> None:
    """``datajoint.json`` with ``stores``; one ``.secrets/stores.<name>.<attr>`` file per item."""
    (root / "datajoint.json").write_text(json.dumps({"stores": stores}), encoding="utf-8")
    for name, value in (secrets or {}).items():
        # A trailing newline, as editors leave it; the library strips it.
        (root / ".secrets" / f"stores.{name}").write_text(value + "\n", encoding="utf-8")


def run_checks(code: str, *, cwd: Path, site: Path | None, args: Any = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter, with the installed plugin when ``site`` is given.

    ``code`` sees ``ARGS`` and prints one JSON document last; it comes back parsed, with
    the whole output under ``"_output"`` so tests can look for leaks in it.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env.pop("PYTHONPATH", None)
    if site is not None:
        env["PYTHONPATH"] = str(site)
    prelude = f"import json, sys\nARGS = json.loads({json.dumps(json.dumps(args))})\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, f"checks failed:\n{result.stdout}\n{result.stderr}"
    document = json.loads(result.stdout.strip().splitlines()[-1])
    document["_output"] = result.stdout + result.stderr
    return document


def dav_store(server: DavServer, location: str, **extra: Any) -> dict[str, Any]:
    return {
        "protocol": "webdav",
        "url": server.url,
        "username": server.username,
        "location": location,
        **extra,
    }


DISCOVER = """
import datajoint_storage as dj
from datajoint_storage.registry import describe_adapters
before = "datajoint_storage_webdav_example" in sys.modules
adapter = dj.get_storage_adapter("webdav")
out = {"imported_before": before, "adapter": None}
if adapter is not None:
    cls = type(adapter)
    info = next(i for i in describe_adapters()[0] if i.protocol == "webdav")
    out = {
        "imported_before": before,
        "adapter": f"{cls.__module__}.{cls.__qualname__}",
        "file": sys.modules[cls.__module__].__file__,
        "protocol": adapter.protocol,
        "required": list(adapter.required_keys),
        "allowed": list(adapter.allowed_keys),
        "distribution": info.distribution,
        "version": info.version,
        "http_stack_imported": "webdav4" in sys.modules,
    }
print(json.dumps(out))
"""


def test_pip_install_registers_the_entry_point(plugin_site: Path) -> None:
    dist_info = next(plugin_site.glob("datajoint_storage_webdav_example-0.1.0.dist-info"))
    entry_points = dist_info / "entry_points.txt"
    text = entry_points.read_text(encoding="utf-8")
    assert "[datajoint.storage]" in text
    assert ENTRY_POINT in text
    assert (plugin_site / "datajoint_storage_webdav_example" / "adapter.py").is_file()
    # Installed beside, not into, the environment running the tests.
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("datajoint-storage-webdav-example")


def test_webdav_protocol_is_discovered_from_the_installed_package(
    plugin_site: Path, project: Path
) -> None:
    found = run_checks(DISCOVER, cwd=project, site=plugin_site)
    assert found["imported_before"] is False
    assert found["adapter"] == "datajoint_storage_webdav_example.adapter.WebDAVAdapter"
    assert Path(found["file"]).is_relative_to(plugin_site)
    assert found["protocol"] == "webdav"
    assert found["required"] == ["url"]
    assert set(found["allowed"]) == {"url", "username", "password", "timeout"}
    distribution = ("datajoint-storage-webdav-example", "0.1.0")
    assert (found["distribution"], found["version"]) == distribution
    assert found["http_stack_imported"] is False  # discovery stays cheap

    # The same interpreter without the install knows no such protocol.
    assert run_checks(DISCOVER, cwd=project, site=None)["adapter"] is None


ROUND_TRIP = """
from pathlib import Path
import datajoint_storage as dj

store = dj.get_store("dav")
fs = store.filesystem
relpath = "session 1/blob.bin"
path = store.full_path(relpath)
payload = bytes(range(256)) * 40
fs.pipe(path, payload)
on_server = (Path(ARGS["root"]) / path).read_bytes()
listed = fs.ls(store.full_path("session 1"), detail=False)
read_back = fs.cat(path)
fs.rm(path)
print(repr(store), repr(dj.config.get_store_spec("dav", redact=True)))
print(json.dumps({
    "path": path,
    "url": store.get_url(relpath),
    "written": on_server == payload,
    "listed": listed,
    "read_back": read_back == payload,
    "exists_after_rm": fs.exists(path),
    "password_source": dj.config.provenance("dav")["password"],
    "shown_password": dj.config.get_store_spec("dav", redact=True)["password"],
    "password_reached_adapter": dj.config.get_store_spec("dav")["password"] == ARGS["password"],
}))
"""


@pytest.mark.integration
def test_round_trip_through_a_store_configured_by_file_and_secret(
    plugin_site: Path, project: Path, webdav_server: DavServer
) -> None:
    location = f"experiments/{uuid.uuid4().hex}"
    write_project(
        project,
        {"default": "dav", "dav": dav_store(webdav_server, location)},
        {"dav.password": webdav_server.password},
    )
    args = {"root": str(webdav_server.root), "password": webdav_server.password}
    result = run_checks(ROUND_TRIP, cwd=project, site=plugin_site, args=args)

    path = f"{location}/session 1/blob.bin"
    assert result["path"] == path
    assert result["url"] == f"{webdav_server.url}/{location}/session%201/blob.bin"
    assert result["written"] and result["read_back"]
    assert result["listed"] == [path]
    assert result["exists_after_rm"] is False
    assert not (webdav_server.root / path).exists()
    assert ".secrets" in result["password_source"]
    assert result["shown_password"] == "**********"
    assert result["password_reached_adapter"] is True
    assert webdav_server.password not in result["_output"]


WRONG_PASSWORD = """
import traceback
import datajoint_storage as dj

store = dj.get_store("dav")
try:
    store.filesystem.pipe(store.full_path("denied.bin"), b"x")
except Exception as exc:
    error = {"type": type(exc).__name__, "message": str(exc), "text": traceback.format_exc()}
else:
    error = None
print(json.dumps({"error": error}))
"""


@pytest.mark.integration
def test_wrong_password_is_refused_without_echoing_it(
    plugin_site: Path, project: Path, webdav_server: DavServer
) -> None:
    wrong = f"wrong-{uuid.uuid4().hex}"
    location = f"denied/{uuid.uuid4().hex}"
    write_project(project, {"dav": dav_store(webdav_server, location)}, {"dav.password": wrong})
    result = run_checks(WRONG_PASSWORD, cwd=project, site=plugin_site)

    error = result["error"]
    assert error is not None, "the server accepted a wrong password"
    assert "401" in error["message"]
    assert wrong not in result["_output"]
    assert webdav_server.password not in result["_output"]
    assert not (webdav_server.root / location).exists()


PROBLEMS = """
import datajoint_storage as dj

print(json.dumps({"problems": [
    {"type": type(p).__name__, "store": p.store, "key": p.key, "message": str(p)}
    for p in dj.config.problems()
]}))
"""


def problems_of(store: dict[str, Any], site: Path, project: Path, **secrets: str) -> Any:
    """What ``config.problems()`` says about one store named ``bad``, and the whole output."""
    write_project(project, {"bad": store}, {f"bad.{k}": v for k, v in secrets.items()})
    result = run_checks(PROBLEMS, cwd=project, site=site)
    return result["problems"], result["_output"]


def test_missing_url_is_named_in_the_spec_words(plugin_site: Path, project: Path) -> None:
    problems, _ = problems_of({"protocol": "webdav", "username": "alice"}, plugin_site, project)
    assert len(problems) == 1
    problem = problems[0]
    assert problem["message"].startswith("webdav store is missing: url")
    assert (problem["type"], problem["store"], problem["key"]) == ("MissingKeysError", "bad", "url")


def test_unknown_key_is_refused_in_the_spec_words(plugin_site: Path, project: Path) -> None:
    store = {"protocol": "webdav", "url": "https://dav.example.org/share", "bucket": "b"}
    problems, _ = problems_of(store, plugin_site, project)
    assert len(problems) == 1
    problem = problems[0]
    assert problem["message"].startswith("Invalid key(s) for webdav: bucket")
    assert (problem["type"], problem["key"]) == ("InvalidKeysError", "bucket")


def test_typed_keys_refuse_wrong_values(plugin_site: Path, project: Path) -> None:
    url = "https://dav.example.org/share"
    wrong = {
        "no_scheme": ({"url": "dav.example.org/share"}, "url"),
        "text_timeout": ({"url": url, "timeout": "30"}, "timeout"),
        "zero_timeout": ({"url": url, "timeout": 0}, "timeout"),
        "number_username": ({"url": url, "username": 7}, "username"),
    }
    stores = {name: {"protocol": "webdav", **keys} for name, (keys, _) in wrong.items()}
    write_project(project, stores)
    problems = run_checks(PROBLEMS, cwd=project, site=plugin_site)["problems"]

    found = {p["store"]: p for p in problems}
    assert len(problems) == len(found) == len(wrong)
    for name, (_, key) in wrong.items():
        assert found[name]["message"].startswith(f"Invalid value for {key}:"), found[name]
        assert (found[name]["type"], found[name]["key"]) == ("InvalidValueError", key)


def test_cross_key_rules_never_echo_the_secret(plugin_site: Path, project: Path) -> None:
    secret = f"pw-{uuid.uuid4().hex}"
    store = {"protocol": "webdav", "url": f"https://alice:{secret}@dav.example.org/share"}
    problems, output = problems_of(store, plugin_site, project)
    assert [p["message"].split(":")[0] for p in problems] == ["Invalid value for url"]
    assert "must not carry credentials" in problems[0]["message"]
    assert secret not in output

    store = {"protocol": "webdav", "url": "https://dav.example.org/share"}
    problems, output = problems_of(store, plugin_site, project, password=secret)
    assert len(problems) == 1
    assert problems[0]["message"].startswith("webdav store has a password but no username")
    assert secret not in output
