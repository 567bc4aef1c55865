"""Quickstart: validate this folder's stores, show where every value came from, and
round-trip an object through each store that needs no server.

Run it with ``bash scripts/dev.sh quickstart`` from the repository root.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import datajoint_storage as dj

HERE = Path(__file__).resolve().parent
ROUND_TRIP = ("main", "scratch")  # "archive" is s3: shown and validated, not contacted


def show(name: str) -> None:
    spec = dj.config.get_store_spec(name, redact=True)  # secrets print as **********
    origins = dj.config.provenance(name)
    print(f"[{name}]")
    for key, value in spec.items():
        source = os.path.relpath(origins[key], HERE) if os.sep in origins[key] else origins[key]
        print(f"  {key:<17} {value!r:<32} <- {source}")


def round_trip(name: str) -> None:
    store = dj.get_store(name)
    payload = f"hello from the {name} store\n".encode()
    path = store.full_path("quickstart/hello.txt")
    fs = store.filesystem
    fs.pipe_file(path, payload)
    assert fs.cat_file(path) == payload, f"{name}: read back differs"
    url = store.get_url("quickstart/hello.txt")
    print(f"  {name:<8} wrote and read {len(payload)} bytes at {url}")
    fs.rm(path)
    assert not fs.exists(path), f"{name}: object left behind"


def main() -> int:
    os.chdir(HERE)  # datajoint.json is found from the working directory upward
    # A file store's directory must exist (DataJoint 2.3.5 refuses the store otherwise);
    # data/ is not committed, so make it here.
    (HERE / "data" / "main").mkdir(parents=True, exist_ok=True)
    try:
        dj.config.validate()
    except dj.DataJointError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"valid: {len(dj.config.store_names())} stores from")
    for source in dj.config.sources():
        print(f"  {source}")
    for warning in dj.config.warnings():  # what DataJoint 2.3.5 would do otherwise
        print(f"  warning: {warning}")
    print()
    for name in dj.config.store_names():
        show(name)
    default = dj.config["stores"]["default"]
    print(f"\ndefault store: {default} ({dj.config.get_store_spec()['protocol']})")
    print("\nround trip:")
    for name in ROUND_TRIP:
        round_trip(name)
    print("\nquickstart ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
