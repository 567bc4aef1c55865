"""``dj.config`` idioms of DataJoint users, run unchanged on DataJoint and on us.

Usage: ``python config_idioms.py datajoint|datajoint_storage`` from a project directory
holding ``datajoint.json``, ``.secrets/`` and ``other.json`` (see the test). Prints one
JSON object: idiom -> what it produced, or the error's type names and message.
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
import warnings
from collections.abc import Callable
from typing import Any

warnings.simplefilter("ignore")
dj: Any = importlib.import_module(sys.argv[1])
config = dj.config
out: dict[str, Any] = {}


def record(name: str, produce: Callable[[], Any]) -> None:
    try:
        out[name] = json.loads(json.dumps(produce(), sort_keys=True, default=repr))
    except Exception as exc:
        out[name] = {"error": [c.__name__ for c in type(exc).__mro__], "message": str(exc)}


def plain(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True))


# What the project's files and secrets give, read back by key.
record("is a dict", lambda: isinstance(config.stores, dict))
record("from files", lambda: plain(config.stores))
record("secret read back", lambda: config.stores["main"]["secret_key"])
record("secret-only store", lambda: plain(config.stores["vault"]))
record("same object", lambda: config["stores"] is config.stores)

# DataJoint's fixture idiom: copy, change, restore.
original = config.stores.copy()
config.stores["test_store"] = {"protocol": "file", "location": "/tmp/test"}
record("spec of a runtime store", lambda: config.get_store_spec("test_store")["location"])
config.stores = original
record("restored by assignment", lambda: plain(config.stores) == plain(original))
config.stores["test_store"] = {"protocol": "file", "location": "/tmp/test"}
config.stores.clear()
record("cleared", lambda: [dict(config.stores), len(config.stores)])
config.stores.update(original)
record("restored by update", lambda: plain(config.stores) == plain(original))

# Dict idioms.
config.stores["default"] = "main"
literal = plain(config.stores)
record("== literal", lambda: config.stores == literal)
record("!= other", lambda: config.stores != {})
record("in", lambda: ["main" in config.stores, "nope" in config.stores])
record("len and iteration", lambda: [len(config.stores), sorted(config.stores)])
record("get", lambda: [config.stores.get("nope", "fallback"), config.stores.get("default")])
record("items", lambda: sorted(name for name, _ in config.stores.items()))
record("values", lambda: len(list(config.stores.values())))
record("keys", lambda: sorted(config.stores.keys()))
record("dict()", lambda: plain(dict(config.stores)))
record("json.dumps", lambda: json.loads(json.dumps(config.stores)))
record("deepcopy", lambda: plain(copy.deepcopy(config.stores)) == literal)
record("| and |=", lambda: sorted(config.stores | {"x": {"protocol": "file"}}))
record("setdefault", lambda: config.stores.setdefault("main", {"protocol": "other"})["protocol"])
record("pop", lambda: [config.stores.pop("nope", "none"), sorted(config.stores)])

# In-place edits of a nested value are runtime settings.
config.stores["main"]["location"] = "/edited"
record("in-place edit", lambda: config.get_store_spec("main")["location"])
config.stores["main"]["subfolding"] = [2, 2]
config.stores["main"]["subfolding"].append(1)
record("nested in-place edit", lambda: config.get_store_spec("main")["subfolding"])
record("delete", lambda: [config.stores.pop("raw")["protocol"], "raw" in config.stores])

# Dotted keys, get().
record("dotted location", lambda: config["stores.main.location"])
record("dotted default", lambda: config["stores.default"])
record("dotted store", lambda: sorted(config["stores.main"]))
record("get stores", lambda: config.get("stores") == config.stores)
record("get with default", lambda: config.get("stores.main.bucket", "no bucket"))
record("get missing", lambda: config.get("stores.nope.location", "no store"))
record("missing key", lambda: config["stores.main.nope"])

# Defaults and the words DataJoint users match on.
record("default spec", lambda: config.get_store_spec()["location"])
with config.override(stores={"b": {"protocol": "file", "location": "/b"}}):
    record("inside override", lambda: plain(config.stores))
record("after override", lambda: sorted(config.stores))
config.stores = {}
record("no default", lambda: config.get_store_spec())
record("no filepath_default", lambda: config.get_store_spec(None, use_filepath_default=True))
record("not configured", lambda: config.get_store_spec("nope"))
config.stores["default"] = "gone"
record("default not configured", lambda: config.get_store_spec())

# load() of a named file: its stores join (and replace) what is there.
config.stores = {"keep": {"protocol": "file", "location": "/keep"}}
config.load("other.json")
record("after load", lambda: plain(config.stores))
record("load missing", lambda: config.load("missing.json"))

print(json.dumps(out))
