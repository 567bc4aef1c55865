"""``init``: a starter ``datajoint.json`` and a ``.secrets/`` directory git ignores.

JSON has no comments, so the notes go in a top-level ``"$comment"`` key: the library
reads only the ``stores`` block, and the exported JSON Schema allows other top-level
keys. Nothing existing is ever overwritten: the file is created with mode ``"x"``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .outcome import CommandFailed

SECRETS_GITIGNORE = "# Store credentials live here; never commit them.\n*\n"

NOTES = [
    "Starter configuration written by `datajoint-storage init`.",
    'Each entry of "stores" is a store with a "protocol"; "default" names the store '
    "used when none is given.",
    "Keep credentials out of this file: one value per file in "
    ".secrets/stores.<name>.<key> (e.g. .secrets/stores.raw.secret_key), or the "
    "DJ_STORES environment variable.",
    'An S3 store: {"protocol": "s3", "endpoint": "s3.amazonaws.com", '
    '"bucket": "my-bucket", "location": "raw"}.',
    'The "main" store\'s location is relative to the working directory, as DataJoint '
    "reads it: run pipelines from this directory, or give each machine its own path "
    "in DJ_STORES.",
    "Check it: `datajoint-storage validate`; see where each value comes from: "
    "`datajoint-storage show --origin`; probe the stores: `datajoint-storage check`.",
    "Editor support: `datajoint-storage schema -o datajoint.schema.json`, then add "
    '"$schema": "./datajoint.schema.json" to this file.',
]


#: The starter store's directory, next to the configuration file.
DATA_DIR = "data"


def starter_location(directory: Path, cwd: Path | None = None) -> str:
    """The starter store's ``location``: ``data`` next to the file, relative, never an
    absolute path of this machine (the file is meant to be committed).

    DataJoint 2.3.5 takes a relative location from the working directory, so it is
    written relative to the working directory ``init`` runs in (``data`` when that is
    the file's own directory).
    """
    target = directory / DATA_DIR
    return Path(os.path.relpath(target, cwd or Path.cwd())).as_posix()


def starter_document(directory: Path, cwd: Path | None = None) -> dict[str, Any]:
    """The starter configuration: one ``file`` store in ``directory/data``."""
    location = starter_location(directory, cwd)
    return {
        "$comment": NOTES,
        "stores": {"default": "main", "main": {"protocol": "file", "location": location}},
    }


def write_starter(config_file: Path) -> dict[str, Any]:
    """Create ``config_file`` and ``.secrets/.gitignore`` next to it; refuse to overwrite."""
    config_file = config_file.absolute()
    if config_file.exists():
        raise CommandFailed(f"{config_file} already exists; it was left as it is")
    text = json.dumps(starter_document(config_file.parent), indent=2) + "\n"
    try:
        with config_file.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise CommandFailed(f"{config_file} already exists; it was left as it is") from None
    created, kept = [str(config_file)], []
    data = config_file.parent / DATA_DIR  # DataJoint 2.3.5 refuses a store without it
    if not data.is_dir():
        data.mkdir()
        created.append(str(data))
    secrets = config_file.parent / ".secrets"
    if not secrets.exists():
        secrets.mkdir(mode=0o700)
        created.append(str(secrets))
    gitignore = secrets / ".gitignore"
    try:
        with gitignore.open("x", encoding="utf-8") as handle:
            handle.write(SECRETS_GITIGNORE)
        created.append(str(gitignore))
    except FileExistsError:
        kept.append(str(gitignore))
    return {
        "config_file": str(config_file),
        "secrets_dir": str(secrets),
        "created": created,
        "kept": kept,
    }
