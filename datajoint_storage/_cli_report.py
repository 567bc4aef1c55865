"""The two reporters of the CLI: text for people, JSON for scripts.

Both receive the same :class:`~._cli_outcome.Outcome`; ``--json`` picks the reporter,
never a different code path. Every string passes through :func:`scrub` with every
secret value the configuration holds before it is written: our own messages never
contain one, and this catches text we did not write (a plugin's or an SDK's error).
"""

from __future__ import annotations

import io
import json
import traceback
from collections.abc import Callable, Iterable
from typing import Any

import click

from ._cli_outcome import ExitCode, Outcome
from ._redact import scrub
from .errors import DataJointError

__all__ = ["JsonReporter", "TextReporter"]


def _scrubbed(value: Any, secrets: frozenset[str]) -> Any:
    """``value`` with every string in it scrubbed, at any depth."""
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {_scrubbed(k, secrets): _scrubbed(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v, secrets) for v in value]
    return value


def error_message(error: BaseException, *, debug: bool) -> str:
    """One message for an error: ours as written, anything else with its type name."""
    if isinstance(error, click.ClickException):
        return error.format_message()
    if isinstance(error, (click.Abort, KeyboardInterrupt)):
        return "interrupted"
    if isinstance(error, DataJointError):
        return str(error)
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if not isinstance(error, OSError) and not debug:
        return f"unexpected {text} (run with --debug to see the traceback)"
    return text


def error_traceback(error: BaseException) -> str:
    """The traceback text of ``error`` (only ever shown with ``--debug``)."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


class _Reporter:
    def __init__(self, *, secrets: Iterable[str] = (), debug: bool = False) -> None:
        self.secrets = frozenset(secrets)
        self.debug = debug

    def scrub(self, value: Any) -> Any:
        return _scrubbed(value, self.secrets)


class JsonReporter(_Reporter):
    """One JSON document on stdout for every run, errors included."""

    def report(self, outcome: Outcome, code: ExitCode) -> None:
        """Print ``outcome`` as one JSON document, with the exit code it ends with."""
        document: dict[str, Any] = {
            "command": outcome.command,
            "ok": code == ExitCode.OK,
            "exit_code": int(code),
            "result": outcome.result,
            "error": None,
            "warnings": outcome.warnings,
        }
        if outcome.error is not None:
            error = outcome.error
            document["error"] = {
                "type": type(error).__name__,
                "message": error_message(error, debug=self.debug),
                **_error_fields(error),
            }
            if self.debug:
                document["error"]["traceback"] = error_traceback(error)
        click.echo(json.dumps(self.scrub(document), indent=2, default=str))


def _error_fields(error: BaseException) -> dict[str, Any]:
    """The structured context our errors carry (store, key, source), when present."""
    return {
        attr: getattr(error, attr)
        for attr in ("store", "key", "source")
        if getattr(error, attr, None) is not None
    }


class TextReporter(_Reporter):
    """Results on stdout, warnings and errors on stderr; colour only on a terminal."""

    def __init__(self, *, color: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.color = color

    def out(self, text: str = "", **style: Any) -> None:
        """A line on stdout, scrubbed; styled only where click keeps colour."""
        click.echo(_styled(self.scrub(text), style), color=self.color)

    def err(self, text: str, **style: Any) -> None:
        """A line on stderr, scrubbed; styled only where click keeps colour."""
        click.echo(_styled(self.scrub(text), style), err=True, color=self.color)

    def report(self, outcome: Outcome, code: ExitCode) -> None:
        """Print the result (stdout), then warnings and the error (stderr)."""
        for warning in outcome.warnings:
            self.err(f"Warning: {warning}", fg="yellow")
        if outcome.result is not None and outcome.command is not None:
            render = _RENDERERS.get(outcome.command)
            if render is not None:
                render(self, outcome.result)
        if outcome.error is not None:
            self._error(outcome.error, code)

    def _error(self, error: BaseException, code: ExitCode) -> None:
        if isinstance(error, click.ClickException):
            text = io.StringIO()
            error.show(file=text)  # click's own usage text, scrubbed like the rest
            self.err(text.getvalue().rstrip("\n"))
            return
        if self.debug:
            self.err(error_traceback(error).rstrip())
        label = "Error" if code == ExitCode.ERROR else "Failed"
        self.err(f"{label}: {error_message(error, debug=self.debug)}", fg="red")


def _styled(text: str, style: dict[str, Any]) -> str:
    return click.style(text, **style) if style else text


# -- text renderers, one per command ---------------------------------------------------


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _problems(r: TextReporter, problems: list[dict[str, Any]]) -> None:
    for p in problems:
        where = ".".join(str(part) for part in (p.get("store"), p.get("key")) if part)
        r.out(f"  - {where + ': ' if where else ''}{p['message']}", fg="red")


def _render_validate(r: TextReporter, result: dict[str, Any]) -> None:
    stores = result["stores"]
    names = ", ".join(stores) if stores else "none configured"
    if result["valid"]:
        r.out("valid", fg="green", bold=True)
        r.out(f"  stores: {names}")
    else:
        count = len(result["problems"])
        r.out(f"invalid: {count} problem{'s' if count != 1 else ''}", fg="red", bold=True)
        r.out(f"  stores: {names}")
        _problems(r, result["problems"])
    for entry in ("default", "filepath_default"):
        if result.get(entry) is not None:
            r.out(f"  {entry}: {_value(result[entry])}")
    r.out("  sources: " + (", ".join(result["sources"]) or "none (defaults only)"))


def _render_show(r: TextReporter, result: dict[str, Any]) -> None:
    for entry in ("default", "filepath_default"):
        if result.get(entry) is not None:
            r.out(f"{entry}: {_value(result[entry])}")
    for name, store in result["stores"].items():
        r.out(f"{name}", bold=True)
        spec, origin = store["spec"], store.get("origin")
        width = max((len(k) for k in spec), default=0)
        values = {k: _value(v) for k, v in spec.items()}
        value_width = max((len(v) for v in values.values()), default=0)
        for key, shown in values.items():
            line = f"  {key.ljust(width)}  {shown}"
            if origin is not None:
                line = f"{line.ljust(width + value_width + 4)}  ({origin.get(key, 'default')})"
            r.out(line)
    if result["problems"]:
        r.out("problems:", fg="red", bold=True)
        _problems(r, result["problems"])
    elif not result["stores"]:
        r.out("no stores configured")


def _render_adapters(r: TextReporter, result: dict[str, Any]) -> None:
    for a in result["adapters"]:
        where = a["distribution"] or "registered in code"
        if a["version"]:
            where += f" {a['version']}"
        r.out(f"{a['protocol']}  ({where})", bold=True)
        r.out(f"  required: {', '.join(a['required_keys']) or '-'}")
        r.out(f"  allowed:  {', '.join(a['allowed_keys']) or '-'}")
    for f in result["failed"]:
        r.out(f"{f['name']}  (failed to load)", fg="red", bold=True)
        r.out(f"  {f['reason']}")


def _render_check(r: TextReporter, result: dict[str, Any]) -> None:
    if not result["stores"]:
        r.out("no stores configured")
    for s in result["stores"]:
        took = f"{s['seconds'] * 1000:.0f} ms"
        if s["ok"]:
            r.out(f"ok    {s['store']}  {took}  ({s['url']})", fg="green")
        else:
            r.out(f"FAIL  {s['store']}  {took}  {s['reason']}", fg="red")
            if r.debug and s.get("traceback"):
                r.err(s["traceback"].rstrip())


def _render_init(r: TextReporter, result: dict[str, Any]) -> None:
    for path in result["created"]:
        r.out(f"created {path}", fg="green")
    for path in result["kept"]:
        r.out(f"kept    {path} (already there)")
    r.out("next: edit the stores, then run `datajoint-storage validate` and `check`")


def _render_schema(r: TextReporter, result: dict[str, Any]) -> None:
    if "written" in result:
        r.out(f"wrote {result['written']}")
    else:
        r.out(json.dumps(result["schema"], indent=2))


_RENDERERS: dict[str, Callable[[TextReporter, dict[str, Any]], None]] = {
    "validate": _render_validate,
    "show": _render_show,
    "adapters": _render_adapters,
    "check": _render_check,
    "init": _render_init,
    "schema": _render_schema,
}


def default_color() -> bool | None:
    """``None`` lets click decide (colour on a terminal only); NO_COLOR turns it off."""
    import os

    return False if os.environ.get("NO_COLOR") else None
