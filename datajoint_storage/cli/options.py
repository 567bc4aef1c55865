"""The global options of one run, parsed into one object every command receives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

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
        env = {k: v for k, v in os.environ.items() if k.startswith("DJ_")}
        if self.config_file is not None:  # the command line beats the environment
            env["DJ_CONFIG_FILE"] = str(self.config_file)
            env["DJ_IGNORE_CONFIG_FILE"] = "false"
        if self.ignore_config_file:
            env["DJ_IGNORE_CONFIG_FILE"] = "true"
        return env

    def config(self) -> Config:
        """A private :class:`Config` for this run; ``os.environ`` is never written."""
        if self._config is None:
            self._config = Config(environ=self.environ())
        return self._config

    def secret_values(self) -> frozenset[str]:
        """Every secret value the configuration holds, for the reporters to scrub.

        Read for every command, even those that do not use the stores: text we did not
        write (a plugin's error) is scrubbed whatever command printed it.
        """
        from ..resolve import secret_values_of

        found: set[str] = set()
        try:
            for entry in self.config()._merged_entries().values():
                found |= secret_values_of(entry, _adapter_named_in(entry.value))
        except Exception:  # unreadable sources: their errors never quote a value
            pass
        return frozenset(found)


def _adapter_named_in(store: Any) -> Any:
    """The adapter of a raw store, matched case-insensitively as resolution does."""
    from ..registry import get_storage_adapter

    protocol = store.get("protocol") if isinstance(store, dict) else None
    return get_storage_adapter(protocol.lower()) if isinstance(protocol, str) else None


def _set_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--json`` / ``--debug`` after the command name set the same global option."""
    if value:
        setattr(ctx.ensure_object(Options), param.name or "", True)


def command_flags(command: Any) -> Any:
    """Accept ``--json`` and ``--debug`` after the command name too."""
    for name, text in (("json", "Machine-readable output."), ("debug", "Show tracebacks.")):
        command = click.option(
            f"--{name}", is_flag=True, expose_value=False, callback=_set_flag, help=text
        )(command)
    return command
