"""The global options of one run, parsed into one object every command receives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

from ..settings import Config


@dataclass
class Options:
    """The global options of one run, and the configuration they select (built lazily)."""

    config_file: Path | None = None
    ignore_config_file: bool = False
    json: bool = False
    debug: bool = False
    _config: Config | None = field(default=None, repr=False)

    def environ(self) -> dict[str, str]:
        """The ``DJ_*`` variables for this run: the process's, with the options applied."""
        # Names in any case: DataJoint reads DJ_IGNORE_CONFIG_FILE case-insensitively.
        env = {k: v for k, v in os.environ.items() if k[:3].upper() == "DJ_"}
        if self.config_file is not None or self.ignore_config_file:
            for name in [k for k in env if k.upper() == "DJ_IGNORE_CONFIG_FILE"]:
                del env[name]  # the command line beats every spelling of the variable
        if self.config_file is not None:  # the command line beats the environment
            env.pop("DJ_CONFIG_FILE", None)  # the file is passed as itself (config())
            env["DJ_IGNORE_CONFIG_FILE"] = "false"
        if self.ignore_config_file:
            env["DJ_IGNORE_CONFIG_FILE"] = "true"
        return env

    def config(self) -> Config:
        """A private :class:`Config` for this run; ``os.environ`` is never written."""
        if self._config is None:
            self._config = Config(environ=self.environ(), config_file=self.config_file)
        return self._config

    def secret_values(self) -> frozenset[str]:
        """Every secret value the configuration holds, for the reporters to scrub.

        Read for every command, even those that do not use the stores: text we did not
        write (a plugin's error) is scrubbed whatever command printed it.
        """
        try:
            return self.config().secret_values()
        except Exception:  # unreadable sources: their errors never quote a value
            return frozenset()

    def reset(self) -> None:
        """Forget the configuration built so far (an option changed it)."""
        self._config = None


def _set_flag(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A global option given after the command name sets the same global option."""
    if not value:
        return
    options = ctx.ensure_object(Options)
    if param.name == "config_file":
        options.config_file = Path(value).expanduser().absolute()
    else:
        setattr(options, param.name or "", True)
    if options.config_file is not None and options.ignore_config_file:
        raise click.UsageError("--config and --ignore-config-file exclude each other")
    options.reset()


def complete_store_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of a STORE argument: the configured store names."""
    root = ctx.find_root()
    config_file = root.params.get("config_file")
    options = Options(
        config_file=config_file, ignore_config_file=bool(root.params.get("ignore_config_file"))
    )
    try:
        names = options.config().store_names()
    except Exception:  # completion must never print an error into the shell
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def complete_protocols(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of PROTOCOL: the registered protocols."""
    from ..registry import registered_adapters

    return [CompletionItem(p) for p in registered_adapters() if p.startswith(incomplete)]


def command_flags(command: Any) -> Any:
    """Accept the global options after the command name too."""
    for name, text in (
        ("json", "Machine-readable output."),
        ("debug", "Show tracebacks."),
        ("ignore-config-file", "Read no file at all."),
    ):
        command = click.option(
            f"--{name}", is_flag=True, expose_value=False, callback=_set_flag, help=text
        )(command)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_set_flag,
        help="Use this datajoint.json.",
    )(command)
