"""The ``datajoint-storage`` group and its boundary: output and exit codes, in one place.

Global options are parsed into one :class:`~.options.Options`; each command (one
module per command family) builds its answer as plain data (an
:class:`~.outcome.Outcome`) and returns it. One boundary,
:meth:`_Boundary.main`, turns the answer or the exception into output through the
text or the JSON reporter, and into the exit code: 0 ok, 1 invalid or failed,
2 usage or environment error. Without ``--debug`` no traceback reaches the user.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click

from .guard import stdout_to_stderr
from .options import Options
from .outcome import ExitCode, Outcome, exit_code
from .report import JsonReporter, TextReporter, default_color

__all__ = ["cli", "main"]


class _Boundary(click.Group):
    """The group whose ``main`` is the one place output and exit codes are decided."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        _tolerant_streams()
        options = Options()
        with (
            warnings.catch_warnings(record=True) as caught,
            _library_logs(options, argv),
            stdout_to_stderr(_json_run(argv)),  # a plugin's print never reaches the JSON
        ):
            warnings.simplefilter("always")
            try:
                value = super().main(
                    argv, prog_name, complete_var, standalone_mode=False, obj=options, **extra
                )
            except BaseException as exc:  # every error ends here, and only here
                if isinstance(exc, SystemExit):
                    raise
                value = Outcome(_command_name(argv, self), error=exc)
            if isinstance(value, Outcome):  # may load plugins: inside the catch
                secrets = options.secret_values()
        if not isinstance(value, Outcome):  # --help, --version: click already answered
            code = int(value or 0)
        else:
            value.warnings = _warnings(caught)
            as_json = options.json or "--json" in argv
            code = _report(value, options, secrets, as_json=as_json)
        if standalone_mode:
            sys.exit(code)
        return code


class _LibraryLogHandler(logging.Handler):
    """Library log records (an SDK logging its retries with a traceback): dropped, or
    with ``--debug`` printed to stderr with every configured secret masked."""

    def __init__(self, options: Options, argv: list[str]) -> None:
        super().__init__(logging.WARNING)
        self._options, self._argv = options, argv

    def emit(self, record: logging.LogRecord) -> None:
        if not (self._options.debug or "--debug" in self._argv):
            return
        from ..redaction import Scrubber

        try:
            text = Scrubber(self._options.secret_values()).scrub(self.format(record))
        except Exception:  # a log record must never break the command
            return
        sys.stderr.write(f"log: {text}\n")


@contextmanager
def _library_logs(options: Options, argv: list[str]) -> Iterator[None]:
    """Route the root logger through :class:`_LibraryLogHandler` for one command."""
    handler = _LibraryLogHandler(options, argv)
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)


def _json_run(argv: list[str]) -> bool:
    """Whether this run prints one JSON document (``--help``/``--version`` print text)."""
    return "--json" in argv and not {"-h", "--help", "-V", "--version"} & set(argv)


def _command_name(argv: list[str], group: click.Group) -> str | None:
    return next((arg for arg in argv if arg in group.commands), None)


def _warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """Our warnings (plugins that failed to load, skipped secret files), once each."""
    texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return list(dict.fromkeys(texts))


def _report(outcome: Outcome, options: Options, secrets: frozenset[str], *, as_json: bool) -> int:
    """Decide the exit code, and print the outcome with the reporter the options chose."""
    code = exit_code(outcome)
    reporter: JsonReporter | TextReporter
    if as_json:
        reporter = JsonReporter(secrets=secrets, debug=options.debug)
    else:
        reporter = TextReporter(secrets=secrets, debug=options.debug, color=default_color())
    try:
        code = ExitCode(reporter.report(outcome, code))
        sys.stdout.flush()  # a full disk fails here, inside the boundary, not at exit
        return code
    except BrokenPipeError:  # `datajoint-storage show | head`: the reader left, say nothing
        _silence_stdout()
        return ExitCode.FAILED
    except OSError as exc:  # `> /dev/full`, a closed stdout: one line on stderr
        _silence_stdout()
        _last_words(f"Error: cannot write the output: {exc.strerror or exc}")
        return ExitCode.ERROR
    except Exception as exc:  # a result we cannot print: a failure, never a traceback
        _last_words(f"Failed: cannot print the result: {type(exc).__name__}")
        return ExitCode.FAILED


def _silence_stdout() -> None:
    """Point stdout at the null device, so Python's flush at exit has nowhere to fail."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (AttributeError, ValueError, OSError):  # not a real descriptor (a test runner)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's flush at exit quiet


def _last_words(text: str) -> None:
    """A final message on stderr, if stderr can still take one."""
    with suppress(OSError, ValueError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _tolerant_streams() -> None:
    """Characters the terminal cannot encode (cp1252, a lone surrogate from a file name)
    are written as backslash escapes instead of raising ``UnicodeEncodeError``."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(OSError, ValueError):
                reconfigure(errors="backslashreplace")


@click.group(
    "datajoint-storage", cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Use this datajoint.json (its .secrets/ next to it) instead of searching for one.",
)
@click.option(
    "--ignore-config-file",
    is_flag=True,
    help="Read no file at all: only DJ_STORES and defaults, as with DJ_IGNORE_CONFIG_FILE=true.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Machine-readable output (one JSON document)."
)
@click.option("--debug", is_flag=True, help="Show tracebacks (secrets still masked).")
@click.version_option(
    None, "-V", "--version", package_name="datajoint-storage", prog_name="datajoint-storage"
)
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: Path | None,
    ignore_config_file: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Check, inspect and start the object-store configuration of a DataJoint project."""
    if config_file is not None and ignore_config_file:
        raise click.UsageError("--config and --ignore-config-file exclude each other")
    options = ctx.ensure_object(Options)
    options.config_file = config_file.expanduser().absolute() if config_file else None
    options.ignore_config_file = ignore_config_file
    options.json = options.json or as_json
    options.debug = options.debug or debug


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    return cli.main(argv, prog_name="datajoint-storage")
