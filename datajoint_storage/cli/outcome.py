"""What a CLI command hands to the boundary, and the one place exit codes are decided.

Commands return an :class:`Outcome` (plain, JSON-ready data) or raise; the boundary
turns either into an exit code with :func:`exit_code`, so no command ever picks one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import click

from ..errors import ConfigSourceError, DataJointError, MissingDependencyError


class ExitCode(IntEnum):
    """The three answers the command gives to scripts."""

    OK = 0
    FAILED = 1  # the configuration is invalid, a store failed its check, a refusal
    ERROR = 2  # usage error, or the environment kept the command from running


class CommandFailed(DataJointError):
    """A command ran and refused or failed (``init`` on an existing file, ...)."""


@dataclass
class Outcome:
    """A command's result as plain data, or the error that stopped it."""

    command: str | None
    result: dict[str, Any] | None = None
    failed: bool = False  # the command ran and its answer is "invalid" / "failed"
    error: BaseException | None = None
    warnings: list[str] = field(default_factory=list)


def classify(error: BaseException) -> ExitCode:
    """Exit code for an error that stopped a command."""
    if isinstance(error, click.ClickException):
        return ExitCode.ERROR  # the command line itself is wrong
    if isinstance(error, (ConfigSourceError, MissingDependencyError)):
        return ExitCode.ERROR  # configuration unreadable, or an SDK missing
    if isinstance(error, DataJointError):
        return ExitCode.FAILED  # the configuration was read and says no
    if isinstance(error, OSError):
        return ExitCode.ERROR  # e.g. an output file that cannot be written
    return ExitCode.FAILED  # unexpected: a failure, never a traceback (see --debug)


def exit_code(outcome: Outcome) -> ExitCode:
    """The exit code of a finished command."""
    if outcome.error is not None:
        return classify(outcome.error)
    return ExitCode.FAILED if outcome.failed else ExitCode.OK
