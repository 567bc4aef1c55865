"""The ``datajoint-storage`` command: thin click commands over the public API.

Global options are parsed into one :class:`Options`; each command builds its answer
as plain data (an :class:`~._cli_outcome.Outcome`) and returns it. One boundary,
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from ._cli_outcome import CommandFailed, ExitCode, Outcome, exit_code
from ._cli_report import JsonReporter, TextReporter, default_color, error_traceback
from .errors import DataJointError, StoreConfigError, ValidationReport
from .settings import Config

__all__ = ["cli", "main"]

#: Seconds a store may take to answer ``check`` before it counts as unreachable.
DEFAULT_CHECK_TIMEOUT = 30.0


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
        from .resolve import secret_values_of

        found: set[str] = set()
        try:
            for entry in self.config()._merged_entries().values():
                found |= secret_values_of(entry, _adapter_named_in(entry.value))
        except Exception:  # unreadable sources: their errors never quote a value
            pass
        return frozenset(found)


def _adapter_named_in(store: Any) -> Any:
    """The adapter of a raw store, matched case-insensitively as resolution does."""
    from .registry import get_storage_adapter

    protocol = store.get("protocol") if isinstance(store, dict) else None
    return get_storage_adapter(protocol.lower()) if isinstance(protocol, str) else None


def _set_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--json`` / ``--debug`` after the command name set the same global option."""
    if value:
        setattr(ctx.ensure_object(Options), param.name or "", True)


def _flags(command: Any) -> Any:
    for name, text in (("json", "Machine-readable output."), ("debug", "Show tracebacks.")):
        command = click.option(
            f"--{name}", is_flag=True, expose_value=False, callback=_set_flag, help=text
        )(command)
    return command


def _problem(error: StoreConfigError) -> dict[str, Any]:
    return {
        "store": error.store,
        "key": error.key,
        "source": error.source,
        "error": type(error).__name__,
        "message": str(error),
    }


def _problems_of(error: DataJointError) -> list[StoreConfigError]:
    if isinstance(error, ValidationReport):
        return list(error.problems)
    if isinstance(error, StoreConfigError):
        return [error]
    raise error


def _name_entries(config: Config) -> dict[str, Any]:
    stores = config["stores"]
    return {entry: stores.get(entry) for entry in ("default", "filepath_default")}


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
        options = Options()
        with warnings.catch_warnings(record=True) as caught, _library_logs(options, argv):
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
        from ._redact import scrub

        try:
            text = scrub(self.format(record), self._options.secret_values())
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
        reporter.report(outcome, code)
        return code
    except BrokenPipeError:  # `datajoint-storage show | head`: the reader left, say nothing
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's flush at exit quiet
        return ExitCode.FAILED


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
@click.version_option(package_name="datajoint-storage", prog_name="datajoint-storage")
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


@cli.command()
@_flags
@click.pass_obj
def validate(options: Options) -> Outcome:
    """Report every problem of every store, each with its store, key and source."""
    config = options.config()
    problems = [_problem(p) for p in config.problems()]
    result = {
        "valid": not problems,
        "stores": config.store_names(),
        **_name_entries(config),
        "sources": config.sources(),
        "problems": problems,
    }
    return Outcome("validate", result, failed=bool(problems))


@cli.command()
@click.argument("store", required=False)
@click.option("--origin", is_flag=True, help="Also print the source of every value.")
@_flags
@click.pass_obj
def show(options: Options, store: str | None, origin: bool) -> Outcome:
    """Print the resolved store specs, secrets masked as **********."""
    config = options.config()
    names = [store] if store is not None else config.store_names()
    problems = [] if store is not None else [p for p in config.problems() if p.store is None]
    shown: dict[str, Any] = {}
    for name in names:
        try:
            spec = config.get_store_spec(name, redact=True)
        except DataJointError as exc:
            problems += _problems_of(exc)
            continue
        shown[name] = {"spec": spec}
        if origin:
            shown[name]["origin"] = config.provenance(name)
    result = {
        **_name_entries(config),
        "stores": shown,
        "problems": [_problem(p) for p in problems],
    }
    return Outcome("show", result, failed=bool(problems))


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file instead of printing it.",
)
@_flags
@click.pass_obj
def schema(options: Options, output: Path | None) -> Outcome:
    """Print the JSON Schema of datajoint.json, installed plugins included."""
    from .schema import datajoint_json_schema, render

    document = datajoint_json_schema()
    if output is None:
        return Outcome("schema", {"schema": document})
    output.write_text(render(document), encoding="utf-8")
    return Outcome("schema", {"written": str(output.absolute())})


@cli.command()
@_flags
@click.pass_obj
def adapters(options: Options) -> Outcome:
    """List every protocol with its distribution, version and keys, and failed plugins."""
    from .registry import describe_adapters

    loaded, failed = describe_adapters()
    result = {
        "adapters": [
            {
                "protocol": info.protocol,
                "distribution": info.distribution,
                "version": info.version,
                "entry_point": info.entry_point,
                "class": f"{type(info.adapter).__module__}.{type(info.adapter).__qualname__}",
                "required_keys": list(info.adapter.required_keys),
                "allowed_keys": list(info.adapter.allowed_keys),
            }
            for info in loaded
        ],
        "failed": [
            {"name": f.name, "distribution": f.distribution, "reason": str(f)} for f in failed
        ],
    }
    return Outcome("adapters", result)


@cli.command()
@click.argument("store", required=False)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=DEFAULT_CHECK_TIMEOUT,
    show_default=True,
    help="Seconds each store may take before it counts as unreachable.",
)
@_flags
@click.pass_obj
def check(options: Options, store: str | None, timeout: float) -> Outcome:
    """Write, read back and delete one small object in each store, timed."""
    from ._cli_probe import probe_stores
    from .store import Store

    config = options.config()
    names = [store] if store is not None else config.store_names()
    # A fresh Store per probe: nothing from an earlier run's filesystem cache is reused.
    results = probe_stores(names, lambda name: Store(config.resolve(name)), timeout)
    rows = []
    for r in results:
        row = r.as_dict()
        if options.debug and r.error is not None:
            row["traceback"] = error_traceback(r.error)
        rows.append(row)
    result = {"timeout": timeout, "stores": rows}
    return Outcome("check", result, failed=not all(r.ok for r in results))


@cli.command()
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@_flags
@click.pass_obj
def init(options: Options, directory: Path | None) -> Outcome:
    """Write a starter datajoint.json and a .secrets/ directory that git ignores.

    Into DIRECTORY (default: here), or to the --config file. Never overwrites a file.
    """
    from ._cli_init import write_starter

    if directory is not None and options.config_file is not None:
        raise click.UsageError("give either DIRECTORY or --config, not both")
    target = options.config_file or (directory or Path.cwd()) / "datajoint.json"
    if not target.parent.is_dir():
        raise CommandFailed(f"{target.parent} is not a directory")
    return Outcome("init", write_starter(target))


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    return cli.main(argv, prog_name="datajoint-storage")
