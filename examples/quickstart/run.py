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
ROUND_TRIP = ("main", "scratch")
#: Stores that are validated and shown but not contacted, and why.
NOT_CONTACTED = {
    "archive": "an s3 store on 127.0.0.1:9000; no server runs there in the quickstart "
    "(start one, then run `datajoint-storage check archive`)",
}
NEXT_STEPS = (
    ("datajoint-storage validate", "every problem and warning of every store"),
    ("datajoint-storage show --origin", "the resolved stores and where each value came from"),
    ("datajoint-storage check main", "write, read back and delete one object"),
)


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
    started_in = Path.cwd()
    os.chdir(HERE)  # datajoint.json is found from the working directory upward
    # DataJoint 2.3.5 refuses a file store whose location is not an existing directory,
    # so the project creates it, as a user would with `mkdir -p data/main`.
    Path("data/main").mkdir(parents=True, exist_ok=True)
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
    for name, why in NOT_CONTACTED.items():
        print(f"  {name:<8} validated, not contacted: {why}")
    where = os.path.relpath(HERE, started_in)
    venv_bin = os.path.relpath(Path(sys.executable).parent, HERE)
    print(f"\nnext: cd {where}, then ({venv_bin}/ holds the command):")
    for command, what in NEXT_STEPS:
        print(f"  {command:<34} {what}")
    print("\nquickstart ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
