"""``init`` with a ``.secrets`` (or ``data``) in the way, and ``config.load`` on paths
it may not enter: a clear error each, nothing half-written, never a raw exception.

Real files, FIFOs and links; root writes and reads anything, so the cases about
permissions run as ``nobody`` (the console script through ``subprocess``'s ``user=``,
the library in a child that drops to it after importing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ._support import attack

SCRIPT = str(Path(sys.executable).parent / "datajoint-storage")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def top() -> Iterator[Path]:
    """A directory ``nobody`` may enter (pytest's own tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="dj-init-"))
    path.chmod(0o755)
    yield path
    for sub in path.rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(0o755)
    shutil.rmtree(path)


#: The console script's ``main``, run as ``nobody`` after importing what it needs (the
#: checkout itself may be closed to ``nobody``).
AS_NOBODY = """
import os, sys
from datajoint_storage.cli import main
from datajoint_storage.cli import init, starter  # noqa: F401
from datajoint_storage.settings import Config
Config(environ={}).secret_values()
os.setgroups([])
os.setresgid(65534, 65534, 65534)
os.setresuid(65534, 65534, 65534)
sys.exit(main(sys.argv[1:]))
"""


def _init(root: Path, *, as_nobody: bool = False, as_json: bool = False) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env.pop("PYTHONPATH", None)
    command = [sys.executable, "-c", AS_NOBODY] if as_nobody else [SCRIPT]
    args = [*command, *(["--json"] if as_json else []), "init"]
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=60)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _file(path: Path) -> None:
    path.write_text("not a directory\n")


def _link_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


#: what sits at .secrets (or data) -> how to make it
IN_THE_WAY: dict[str, Callable[[Path], None]] = {
    "a file": _file,
    "a FIFO": _fifo,
    "an empty file": lambda p: p.touch(),
    "a dangling link": _link_to("nowhere/at/all"),
    "a link to a file": _link_to("/etc/hostname"),
    "a link to itself": lambda p: p.symlink_to(p.name),
    "a link to /dev/null": _link_to("/dev/null"),
}


@pytest.mark.parametrize("name", [".secrets", "data"])
@pytest.mark.parametrize("what", sorted(IN_THE_WAY))
@pytest.mark.parametrize("as_json", [False, True])
def test_init_refuses_what_is_in_the_way(top: Path, name: str, what: str, as_json: bool) -> None:
    (top / ".git").mkdir()
    IN_THE_WAY[what](top / name)
    run = _init(top, as_json=as_json)
    text = run.stdout + run.stderr
    held = (
        run.returncode == 1
        and "Traceback" not in text
        and "nothing was written" in text
        and str(top / name) in text
        and not (top / "datajoint.json").exists()
    )
    if as_json:
        held = held and json.loads(run.stdout)["error"]["type"] == "CommandFailed"
    attack("init: .secrets in the way", held, f"{name} is {what}: {text[-200:]}")
    assert held, (run.returncode, text)


def test_init_keeps_a_secrets_link_to_a_directory(top: Path) -> None:
    (top / "project" / ".git").mkdir(parents=True)
    elsewhere = top / "vault"
    elsewhere.mkdir()
    (top / "project" / ".secrets").symlink_to(elsewhere)
    run = _init(top / "project", as_json=True)
    held = run.returncode == 0 and not list(elsewhere.iterdir())  # nothing written through
    held = held and str(top / "project" / ".secrets") in json.loads(run.stdout)["result"]["kept"]
    attack("init: .secrets in the way", held, f"link to a directory: {run.stdout[-200:]}")
    assert held, run.stdout + run.stderr


@pytest.mark.skipif(not AS_ROOT, reason="runs the command as nobody: needs root")
@pytest.mark.parametrize("closed", [".secrets", "project"])
@pytest.mark.parametrize("as_json", [False, True])
def test_init_in_an_unwritable_place_says_so(top: Path, closed: str, as_json: bool) -> None:
    root = top / "project"
    (root / ".git").mkdir(parents=True)
    (root / ".secrets").mkdir()
    (root / ".secrets").chmod(0o555 if closed == ".secrets" else 0o777)
    root.chmod(0o555 if closed == "project" else 0o777)
    run = _init(root, as_nobody=True, as_json=as_json)
    text = run.stdout + run.stderr
    held = (
        run.returncode == 1
        and "Traceback" not in text
        and "not writable" in text
        and not (root / "datajoint.json").exists()
    )
    attack("init: .secrets in the way", held, f"unwritable {closed}: {text[-200:]}")
    assert held, (run.returncode, text)


# -- config.load on paths it may not enter -----------------------------------------

LOAD_CHILD = """
import json, os, sys
import datajoint_storage as dj
from datajoint_storage.settings import Config
import pydantic.type_adapter  # noqa: F401 - the rules import it lazily
cases = json.loads(sys.argv[1])
warm = Config(environ={"DJ_IGNORE_CONFIG_FILE": "true"})  # import every lazy module
warm["stores"]["warm"] = {"protocol": "memory"}  # while we still can (the checkout
warm.problems(), warm.warnings(), warm.get_store_spec("warm")  # may be closed to nobody)
if os.geteuid() == 0:
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
out = {}
for name, path in cases.items():
    config = Config(environ={"DJ_IGNORE_CONFIG_FILE": "true"})
    try:
        config.load(path)
        out[name] = ["accepted", config.store_names()]
    except dj.DataJointError as exc:
        out[name] = [type(exc).__name__, str(exc)]
    except BaseException as exc:
        out[name] = ["raw " + type(exc).__name__, str(exc)]
print(json.dumps(out))
"""


def _load_cases(top: Path) -> dict[str, str]:
    document = json.dumps({"stores": {"s": {"protocol": "memory"}}})
    cases = {}
    for name, mode in {"closed": 0o000, "listable only": 0o644, "enter only": 0o311}.items():
        folder = top / name.replace(" ", "-")
        folder.mkdir()
        (folder / "datajoint.json").write_text(document)
        (folder / "inner").mkdir()
        (folder / "inner" / "datajoint.json").write_text(document)
        cases[f"file in a {name} directory"] = str(folder / "datajoint.json")
        cases[f"file below a {name} directory"] = str(folder / "inner" / "datajoint.json")
        cases[f"missing file in a {name} directory"] = str(folder / "absent.json")
        folder.chmod(mode)
    unreadable = top / "unreadable.json"
    unreadable.write_text(document)
    unreadable.chmod(0)
    cases["an unreadable file"] = str(unreadable)
    cases["a directory"] = str(top)
    link = top / "link-into-closed.json"
    link.symlink_to(top / "closed" / "datajoint.json")
    cases["a link into a closed directory"] = str(link)
    return cases


@pytest.mark.skipif(not AS_ROOT, reason="drops to nobody: needs root")
def test_load_on_paths_it_may_not_enter(top: Path) -> None:
    cases = _load_cases(top)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_CHILD, json.dumps(cases)],
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for name, (kind, text) in out.items():
        if name in ("file in a enter only directory", "file below a enter only directory"):
            held = kind == "accepted"  # execute permission is all a named file needs
        else:
            held = not kind.startswith("raw") and kind != "accepted" and cases[name] in text
        attack("config.load: paths it may not enter", held, f"{name}: {kind} {text}")
        assert held, (name, kind, text)
