"""``init``: start a project's configuration (the starter itself is in :mod:`.starter`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .app import cli
from .options import Options, command_flags
from .outcome import CommandFailed, Outcome
from .report import TextReporter, renders


@cli.command()
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@command_flags
@click.pass_obj
def init(options: Options, directory: Path | None) -> Outcome:
    """Write a starter datajoint.json and a .secrets/ directory that git ignores.

    Into DIRECTORY (default: here), or to the --config file. Never overwrites a file.
    """
    from .starter import write_starter

    if directory is not None and options.config_file is not None:
        raise click.UsageError("give either DIRECTORY or --config, not both")
    target = options.config_file or (directory or Path.cwd()) / "datajoint.json"
    if not target.parent.is_dir():
        raise CommandFailed(f"{target.parent} is not a directory")
    return Outcome("init", write_starter(target))


@renders("init")
def _render_init(r: TextReporter, result: dict[str, Any]) -> None:
    for path in result["created"]:
        r.out(f"created {path}", fg="green")
    for path in result["kept"]:
        r.out(f"kept    {path} (already there)")
    r.out("next: edit the stores, then run `datajoint-storage validate` and `check`")
