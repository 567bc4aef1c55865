"""The console script never shows a traceback, and ``--json`` is always strict JSON.

Real subprocesses of ``datajoint-storage``: file names that are not UTF-8, lone
surrogates, a cp1252 or ASCII terminal, stdout on a full disk, values nested hundreds of
levels deep, and numbers JSON cannot hold (``NaN``, ``Infinity``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ._support import attack

SCRIPT = os.fsencode(Path(sys.executable).parent / "datajoint-storage")
COMMANDS = [
    ["show"],
    ["--json", "show"],
    ["stores"],
    ["--json", "stores"],
    ["validate"],
    ["--json", "validate"],
    ["check", "--timeout", "5"],
    ["--json", "check", "--timeout", "5"],
]


def _run(args: list[str], cwd: bytes, env: dict[bytes, bytes] | None = None, **kw: Any) -> Any:
    base = {k: v for k, v in os.environb.items() if not k.startswith(b"DJ_")}
    base.pop(b"PYTHONPATH", None)
    base.update(env or {})
    return subprocess.run([SCRIPT, *map(os.fsencode, args)], cwd=cwd, env=base, timeout=60, **kw)


def _strict(text: bytes) -> Any:
    """Parse as a strict parser would: ``NaN``/``Infinity`` are errors."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _judge(kind: str, args: list[str], run: Any, what: str) -> None:
    out = run.stdout + run.stderr
    held = b"Traceback" not in out and b"unexpected" not in out and run.returncode in (0, 1, 2)
    if held and "--json" in args:
        try:
            _strict(run.stdout)
        except ValueError:
            held = False
    attack(kind, held, f"{what} {args}: {out[-200:]!r}")
    assert held, (what, args, run.returncode, out[-600:])


# -- names and paths the terminal cannot encode ------------------------------------

AWKWARD = (
    '{"stores": {"n\\udcff": {"protocol": "file", "location": "/tmp/x\\udcfe"},'
    ' "\u96ea\U0001f600": {"protocol": "memory"},'
    ' "l": {"protocol": "file", "location": "/tmp/caf\u00e9/\\ud800"}}}'
)
TERMINALS = {
    "utf-8": {},
    "cp1252": {b"PYTHONIOENCODING": b"cp1252"},
    "ascii": {b"PYTHONIOENCODING": b"ascii"},
    "C locale": {b"LC_ALL": b"C", b"PYTHONUTF8": b"0"},
    "latin-1 DJ_STORES": {b"DJ_STORES": b'{"e\xff\xe9": {"protocol": "memory"}}'},
}


@pytest.mark.parametrize("terminal", sorted(TERMINALS))
def test_unencodable_names_and_paths(tmp_path: Path, terminal: str) -> None:
    root = os.fsencode(tmp_path) + b"/caf\xe9"  # a Latin-1 directory name: not UTF-8
    os.makedirs(root + b"/.git")
    with open(root + b"/datajoint.json", "w", encoding="utf-8") as f:
        f.write(AWKWARD)
    for args in COMMANDS:
        run = _run(args, root, TERMINALS[terminal], capture_output=True)
        _judge("cli: no traceback, unencodable text", args, run, terminal)


# -- stdout on a full disk ---------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stdout_on_a_full_disk(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "datajoint.json").write_text(
        json.dumps({"stores": {f"s{i}": {"protocol": "memory"} for i in range(50)}})
    )
    for args in [*COMMANDS, ["schema"], ["--json", "schema"], ["adapters"], ["--json", "init"]]:
        with open("/dev/full", "wb") as full:
            run = _run(args, os.fsencode(tmp_path), stdout=full, stderr=subprocess.PIPE)
        held = (
            b"Traceback" not in run.stderr
            and b"Exception ignored" not in run.stderr
            and (run.returncode == 2 and b"cannot write the output" in run.stderr)
        )
        attack("cli: no traceback, full disk", held, f"{args}: {run.stderr[-200:]!r}")
        assert held, (args, run.returncode, run.stderr[-600:])


# -- deep nesting and numbers JSON cannot hold -------------------------------------


def _nested(depth: int) -> str:
    """JSON text nested ``depth`` levels (written out: ``json.dumps`` stops near 1000)."""
    opening = "".join("[" if i % 2 else '{"k":' for i in range(depth))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(depth)))
    return f'{opening}"leaf"{closing}'


@pytest.mark.parametrize("depth", [100, 500, 900, 2000])
def test_deep_values_in_every_output(tmp_path: Path, depth: int) -> None:
    (tmp_path / ".git").mkdir()
    deep = _nested(depth)
    text = f'{{"stores": {{"n": {{"protocol": "memory", "stage": {deep}}}, "m": {deep}}}}}'
    (tmp_path / "datajoint.json").write_text(text)
    for args in COMMANDS:
        run = _run(args, os.fsencode(tmp_path), capture_output=True)
        _judge("cli: no traceback, deep nesting", args, run, f"depth {depth}")


NUMBERS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity", "huge": "1e999"}


@pytest.mark.parametrize("name", sorted(NUMBERS))
@pytest.mark.parametrize("where", ["value", "nested", "DJ_STORES"])
def test_json_output_is_strict(tmp_path: Path, name: str, where: str) -> None:
    (tmp_path / ".git").mkdir()
    number = NUMBERS[name]
    block = (
        f'{{"n": {{"protocol": "memory", "x": {number}}}}}'
        if where != "nested"
        else f'{{"n": {{"protocol": "memory", "stage": {{"a": [1, {number}]}}}}}}'
    )
    env = {}
    if where == "DJ_STORES":
        env[b"DJ_STORES"] = block.encode()
    else:
        (tmp_path / "datajoint.json").write_text(f'{{"stores": {block}}}')
    for args in [a for a in COMMANDS if "--json" in a]:
        run = _run(args, os.fsencode(tmp_path), env, capture_output=True)
        _judge("cli: --json is strict JSON", args, run, f"{name} in {where}")
        doc = _strict(run.stdout)
        if doc["error"] and doc["error"]["type"] == "OutputError":
            assert "NaN or Infinity" in doc["error"]["message"]
            assert doc["exit_code"] == run.returncode != 0
