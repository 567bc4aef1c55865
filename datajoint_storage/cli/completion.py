"""``completion bash|zsh|fish``: the shell script that completes commands and store names.

The script is click's own; it calls the command back with ``_DATAJOINT_STORAGE_COMPLETE``
set, and STORE arguments answer with the configured store names.
"""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import get_completion_class

from .app import cli
from .options import Options, command_flags
from .outcome import Outcome
from .report import TextReporter, renders

PROG = "datajoint-storage"
COMPLETE_VAR = "_DATAJOINT_STORAGE_COMPLETE"


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@command_flags
@click.pass_obj
def completion(options: Options, shell: str) -> Outcome:
    """Print the completion script for SHELL.

    bash: eval "$(datajoint-storage completion bash)" in ~/.bashrc; zsh: the same in
    ~/.zshrc; fish: datajoint-storage completion fish | source (or save it under
    ~/.config/fish/completions/).
    """
    completer = get_completion_class(shell)
    assert completer is not None  # the Choice admits only shells click supports
    script = completer(cli, {}, PROG, COMPLETE_VAR).source()
    return Outcome("completion", {"shell": shell, "script": script})


@renders("completion")
def _render_completion(r: TextReporter, result: dict[str, Any]) -> None:
    r.out(result["script"].rstrip("\n"))
