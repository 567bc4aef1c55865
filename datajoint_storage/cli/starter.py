"""``init``: a starter ``datajoint.json`` and a ``.secrets/`` directory git ignores.

JSON has no comments, so the notes go in a top-level ``"$comment"`` key: the library
reads only the ``stores`` block, and the exported JSON Schema allows other top-level
keys. Nothing existing is ever overwritten: the file is created with mode ``"x"``.
What would stop it halfway (``.secrets`` or ``data`` that is a file or a broken link, a
directory it may not write) is refused before anything is written; a ``.secrets`` that
is a link to a directory is kept, and nothing is written through it.
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
    if config_file.exists() or config_file.is_symlink():
        raise CommandFailed(f"{config_file} already exists; it was left as it is")
    secrets = config_file.parent / ".secrets"
    data = config_file.parent / DATA_DIR  # DataJoint 2.3.5 refuses a store without it
    _preflight(config_file, secrets, data)
    text = json.dumps(starter_document(config_file.parent), indent=2) + "\n"
    try:
        with config_file.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise CommandFailed(f"{config_file} already exists; it was left as it is") from None
    except OSError as exc:
        raise _cannot("create", config_file, exc) from None
    created, kept = [str(config_file)], []
    if not data.is_dir():
        _guarded("create", data, data.mkdir)
        created.append(str(data))
    if secrets.is_symlink():  # a link to a directory (checked): kept, never written through
        kept.append(str(secrets))
    else:
        if not secrets.exists():
            _guarded("create", secrets, lambda: secrets.mkdir(mode=0o700))
            created.append(str(secrets))
        gitignore = secrets / ".gitignore"
        try:
            with gitignore.open("x", encoding="utf-8") as handle:
                handle.write(SECRETS_GITIGNORE)
            created.append(str(gitignore))
        except FileExistsError:
            kept.append(str(gitignore))
        except OSError as exc:
            raise _cannot("create", gitignore, exc, written=created) from None
    return {
        "config_file": str(config_file),
        "secrets_dir": str(secrets),
        "created": created,
        "kept": kept,
    }


def _preflight(config_file: Path, secrets: Path, data: Path) -> None:
    """Refuse, before anything is written, what would stop ``init`` halfway."""
    for path in (secrets, data):
        if path.is_symlink() and not path.is_dir():
            raise CommandFailed(
                f"{path} is a link to {os.readlink(path)!r}, which is not a directory; "
                "remove the link or make it point to a directory (nothing was written)"
            )
        if path.exists() and not path.is_dir():
            raise CommandFailed(
                f"{path} exists and is not a directory; move it away and run init "
                "again (nothing was written)"
            )
    own_secrets = secrets.is_dir() and not secrets.is_symlink()
    for directory in (config_file.parent, *([secrets] if own_secrets else [])):
        if not os.access(directory, os.W_OK | os.X_OK):
            raise CommandFailed(f"{directory} is not writable by this user; nothing was written")


def _guarded(verb: str, path: Path, action: Any) -> None:
    try:
        action()
    except OSError as exc:
        raise _cannot(verb, path, exc) from None


def _cannot(verb: str, path: Path, exc: OSError, written: list[str] | None = None) -> CommandFailed:
    why = exc.strerror or type(exc).__name__
    done = f" (already written: {', '.join(written)})" if written else ""
    return CommandFailed(f"cannot {verb} {path}: {why}{done}")
