"""A seeded generator of whole projects for the differential test against DataJoint.

Each case is a directory tree (``datajoint.json`` with nested and flat keys in any
order, ``.secrets/`` files, sometimes ``.env``), an environment (``DJ_STORES``,
``DJ_IGNORE_CONFIG_FILE`` in any spelling, ``DJ_CONFIG_FILE``...), runtime steps, and
the stores to ask about: every name either side could know, plus the default stores.
Values are drawn from every protocol's keys, with odd values mixed in.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAMES = ["main", "raw", "g", "az", "mem", "x"]
ODD = [None, "", 0, 5, -1, True, False, 8.0, [], {}, [2, 2], "2,2", "a/b", " s ", "12"]


@dataclass
class Case:
    """One generated project, written by :func:`materialize`."""

    seed: int
    document: dict[str, Any] | str | None
    secrets: dict[str, bytes] = field(default_factory=dict)
    dotenv: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    runtime: list[list[Any]] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    subdir: bool = False
    names: list[str] = field(default_factory=list)
    #: Other files of the project (name -> text, ``@ROOT@`` replaced).
    extra_files: dict[str, str] = field(default_factory=dict)


class _Draw:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, items: list[Any]) -> Any:
        return self.r.choice(items)

    def odd(self, usual: Any, p: float = 0.12) -> Any:
        return self.pick(ODD) if self.chance(p) else usual


def _location(d: _Draw, case: Case, name: str) -> Any:
    kind = d.pick(["existing", "existing", "relative", "missing", "empty", "odd"])
    if kind == "existing":
        case.dirs.append(f"data/{name}")
        return f"@ROOT@/data/{name}"
    if kind == "relative":
        case.dirs.append(f"rel/{name}")
        return f"rel/{name}"
    if kind == "missing":
        return f"@ROOT@/nowhere/{name}"
    if kind == "empty":
        return ""
    return d.pick(ODD)


def _store(d: _Draw, case: Case, name: str) -> Any:
    if d.chance(0.04):
        return d.pick(["main", None, 5, [["protocol", "memory"]], [["protocol", "file"]]])
    protocol = d.pick(["file", "file", "s3", "s3", "gcs", "azure", "memory"])
    store: dict[str, Any] = {"protocol": protocol}
    if protocol == "file":
        store["location"] = _location(d, case, name)
    elif protocol == "s3":
        store["endpoint"] = d.odd(d.pick(["s3.amazonaws.com", "127.0.0.1:9000", "http://m:9"]))
        store["bucket"] = d.odd("acq")
        store["location"] = d.odd("raw", 0.08)
        creds = d.pick(["none", "both", "both", "access", "secret", "empty"])
        if creds in ("both", "access"):
            store["access_key"] = "AK-" + name
        if creds in ("both", "secret"):
            store["secret_key"] = "SK-" + name
        if creds == "empty":
            store["access_key"] = store["secret_key"] = ""
        if d.chance(0.3):
            store["secure"] = d.odd(d.pick([True, False]), 0.3)
        if d.chance(0.1):
            store["proxy_server"] = d.odd("http://proxy:3128")
    elif protocol == "gcs":
        store["bucket"] = d.odd("gb")
        store["location"] = d.odd("gl", 0.08)
        if d.chance(0.4):
            store["token"] = d.pick(["anon", "google_default", {"type": "service_account"}, 5])
        if d.chance(0.2):
            store["project"] = d.odd("proj")
    elif protocol == "azure":
        store["container"] = d.odd("c")
        store["location"] = d.odd("al", 0.08)
        if d.chance(0.3):
            store["account_name"] = "acct"
            store["account_key"] = "AKEY-" + name
        if d.chance(0.15):
            store["connection_string"] = "CS-" + name
        if d.chance(0.1):
            store["account_url"] = "http://127.0.0.1:10000/acct"
    elif d.chance(0.3):
        store["location"] = d.odd("m")
    for key, usual in [
        ("subfolding", [2, 2]),
        ("partition_pattern", "subject_id"),
        ("token_length", 12),
        ("hash_prefix", "h"),
        ("schema_prefix", "s"),
        ("filepath_prefix", "f"),
        ("stage", "x"),
    ]:
        if d.chance(0.1):
            store[key] = d.odd(usual, 0.5)
    if d.chance(0.05):
        store[d.pick(["bukcet", "foo", "container", "endpoint"])] = "v"
    if d.chance(0.08):
        store["protocol"] = d.pick([protocol.upper(), protocol.title(), " " + protocol, None, 5])
    if d.chance(0.03):
        store.pop("protocol")
    return store


def _secret_value(d: _Draw, attr: str, name: str) -> bytes:
    value = {
        "access_key": f"AK2-{name}",
        "secret_key": f"SK2-{name}",
        "token": "anon",
        "account_key": f"AK3-{name}",
        "location": "",
        "bucket": "sb",
        "protocol": d.pick(["memory", "s3", "file"]),
    }.get(attr, "v")
    return d.pick([value, value + "\n", f"  {value}\r\n", "", "\n"]).encode()


def generate(seed: int) -> Case:
    """One project, the same for the same seed."""
    d = _Draw(seed)
    case = Case(seed=seed, document=None)
    names = d.r.sample(NAMES, d.r.randint(1, 4))
    stores = {name: _store(d, case, name) for name in names}
    if d.chance(0.7):
        stores["default"] = d.pick([names[0], names[-1], "nope", 5]) if d.chance(0.9) else None
    if d.chance(0.3):
        stores["filepath_default"] = d.pick([names[0], "nope"])
    case.names = [*names, "nope", "default"]
    # Split the block between the nested object and flat keys, in any order.
    items: list[tuple[str, Any]] = []
    nested: dict[str, Any] = {}
    for name, store in stores.items():
        style = d.pick(["nested", "nested", "nested", "flat", "split"])
        if d.chance(0.04):
            items.append((f"stores.{name}", store))  # a 2-part key: DataJoint ignores it
        elif style == "nested" or not isinstance(store, dict):
            nested[name] = store
        elif style == "flat":
            items += [(f"stores.{name}.{k}", v) for k, v in store.items()]
        else:
            keys = list(store)
            cut = d.r.randint(0, len(keys))
            nested[name] = {k: store[k] for k in keys[:cut]}
            items += [(f"stores.{name}.{k}", store[k]) for k in keys[cut:]]
    if "default" in nested and d.chance(0.15):
        items.append(("stores.default", nested.pop("default")))
    if d.chance(0.05):
        items.append((f"stores.{names[0]}.location.sub", "x"))
    if d.chance(0.1):
        items.append(
            (
                d.pick(["loglevel", "safemode", "database.port", "display"]),
                d.pick(["LOUD", "maybe", "x", 3]),
            )
        )
    if d.chance(0.08):
        items.append(("loglevel", "DEBUG"))
    if d.chance(0.03):
        items.append((d.pick(["stores.items", "stores.default.x", "database.model_dump"]), 1))
    if d.chance(0.05):
        items.append(("ignore_config_file", d.pick([True, "yes"])))
    if d.chance(0.1):
        items.append(("$comment", "notes"))
    d.r.shuffle(items)
    stores_value: Any = nested
    if d.chance(0.04):
        stores_value = d.pick([None, [], "main"])
    position = d.r.randint(0, len(items))
    items.insert(position, ("stores", stores_value))
    document: Any = dict(items)
    if d.chance(0.03):
        document = d.pick(["{not json", "[]"])
    if d.chance(0.05):
        document = None  # no datajoint.json at all
    case.document = document
    # Secrets: fill keys, create secret-only stores, sometimes next to a name entry.
    for name in [*names, "ghost"]:
        if d.chance(0.35):
            for attr in d.r.sample(
                [
                    "access_key",
                    "secret_key",
                    "token",
                    "location",
                    "bucket",
                    "protocol",
                    "account_key",
                ],
                d.r.randint(1, 3),
            ):
                case.secrets[f"stores.{name}.{attr}"] = _secret_value(d, attr, name)
    if d.chance(0.04):
        case.secrets["stores.default.location"] = b"/x"
    if d.chance(0.03):
        case.secrets[f"stores.{names[0]}.token"] = b"\xff\xfe not text"
    if d.chance(0.03):
        case.secrets[d.pick([f"stores.{names[0]}.", "stores..location"])] = b"v"
    if d.chance(0.04):
        case.env[d.pick(["DJ_DATABASE", "DJ_RECONNECT", "dj_log_level", "DJ_PORT"])] = d.pick(
            ["x", "{}", "1", ""]
        )
    if "ghost" in "".join(case.secrets):
        case.names.append("ghost")
    # The environment.
    if d.chance(0.2):
        other = {n: _store(d, case, n) for n in d.r.sample(NAMES, d.r.randint(0, 2))}
        if other and d.chance(0.6):
            other["default"] = next(iter(other))
        case.names += [n for n in other if n not in case.names]
        case.env["DJ_STORES"] = d.pick([json.dumps(other)] * 6 + ["", " ", "{bad", "[]"])
    if d.chance(0.25):
        name = d.pick(["DJ_IGNORE_CONFIG_FILE"] * 3 + ["dj_ignore_config_file"])
        case.env[name] = d.pick(
            [
                "true",
                "TRUE",
                "1",
                "yes",
                "on",
                "t",
                "y",
                "false",
                "0",
                "no",
                "off",
                "",
                "maybe",
                " true",
            ]
        )
    if d.chance(0.05):
        case.env["DJ_LOG_LEVEL"] = d.pick(["DEBUG", "LOUD"])
    if d.chance(0.04):
        case.env["DJ_CONFIG_FILE"] = "@ROOT@/other.json"
    if d.chance(0.05):
        case.dotenv = "DJ_STORES=" + json.dumps({"envd": {"protocol": "memory"}}) + "\n"
        case.names.append("envd")
    elif d.chance(0.03):
        case.dotenv = d.pick(
            ["DJ_STORES='{bad'\n", "DJ_IGNORE_CONFIG_FILE=maybe\n", "DJ_IGNORE_CONFIG_FILE=true\n"]
        )
    # Runtime steps.
    if d.chance(0.2):
        step = d.pick(["set", "set", "block", "edit"])
        name = d.pick(names)
        if step == "set":
            case.runtime.append(["set", name, _store(d, case, name)])
        elif step == "block":
            case.runtime.append(["block", d.pick([{}, {name: _store(d, case, name)}])])
        else:
            case.runtime.append(["edit", name, "location", _location(d, case, name)])
    case.subdir = d.chance(0.2)
    case.names = list(dict.fromkeys(case.names))
    return case


def _rooted(value: Any, root: str) -> Any:
    if isinstance(value, str):
        return value.replace("@ROOT@", root)
    if isinstance(value, list):
        return [_rooted(v, root) for v in value]
    if isinstance(value, dict):
        return {k: _rooted(v, root) for k, v in value.items()}
    return value


def materialize(case: Case, root: Path) -> dict[str, Any]:
    """Write the project under ``root``; the case as both sides run it."""
    root.mkdir(parents=True)
    (root / ".git").mkdir()
    text_root = root.as_posix()
    for relative in case.dirs:
        (root / relative).mkdir(parents=True, exist_ok=True)
    if case.document is not None:
        document = _rooted(case.document, text_root)
        text = document if isinstance(document, str) else json.dumps(document)
        (root / "datajoint.json").write_text(text, encoding="utf-8")
    if case.secrets:
        (root / ".secrets").mkdir()
        for name, value in case.secrets.items():
            (root / ".secrets" / name).write_bytes(value)
    if case.dotenv is not None:
        (root / ".env").write_text(case.dotenv, encoding="utf-8")
    (root / "other.json").write_text(json.dumps({"stores": {"o": {"protocol": "memory"}}}))
    for name, text in case.extra_files.items():
        (root / name).write_text(text.replace("@ROOT@", text_root), encoding="utf-8")
    cwd = root / "sub" if case.subdir else root
    cwd.mkdir(exist_ok=True)
    ask = [[name, False] for name in case.names] + [[None, False], [None, True]]
    return {
        "cwd": str(cwd),
        "env": _rooted(case.env, text_root),
        "runtime": _rooted(case.runtime, text_root),
        "ask": ask,
    }
