"""The two reporters of the CLI: text for people, JSON for scripts.

Both receive the same :class:`~.outcome.Outcome`; ``--json`` picks the reporter,
never a different code path. Structured values arrive masked by key (the library's
``redact`` views); the reporter touches only free text (messages, reasons, warnings,
tracebacks), masking every configured secret by substring, by the rules of
:mod:`datajoint_storage.redaction`. Names, buckets and JSON keys are never rewritten.
"""

from __future__ import annotations

import dataclasses
import io
import json
import traceback
from collections.abc import Callable, Iterable
from typing import Any

import click

from ..errors import DataJointError
from ..redaction import Scrubber
from .outcome import ExitCode, Outcome

__all__ = ["JsonReporter", "TextReporter", "render_problems", "renders", "value_text"]


#: Result members that hold free text (an SDK's or a plugin's words may be in them).
FREE_TEXT_KEYS = frozenset({"message", "reason", "error", "traceback", "detail"})


def _free(text: str, scrubber: Scrubber) -> str:
    # A second line of defence: the library masked (or withheld) foreign text at its
    # source, per store; here every maskable form of every secret is masked once more.
    return scrubber.scrub(text)


def _scrubbed(value: Any, scrubber: Scrubber, *, free: bool = False) -> Any:
    """``value`` with free-text members masked at any depth; keys and data left alone.

    A loop, not recursion: a configured value may be nested hundreds of levels deep.
    """

    def one(item: Any, free: bool) -> Any:
        if isinstance(item, str):
            return _free(item, scrubber) if free else item
        if isinstance(item, dict):
            copied: Any = {}
        elif isinstance(item, (list, tuple)):
            copied = []
        else:
            return item
        stack.append((item, copied, free))
        return copied

    stack: list[tuple[Any, Any, bool]] = []
    root = one(value, free)
    while stack:
        source, target, is_free = stack.pop()
        if isinstance(source, dict):
            for k, v in source.items():
                target[k] = one(v, is_free or k in FREE_TEXT_KEYS)
        else:
            target.extend(one(v, is_free) for v in source)
    return root


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
        self.scrubber = Scrubber(secrets)
        self.debug = debug

    def free_text(self, text: str) -> str:
        """Free text (a message, a traceback) with every configured secret masked."""
        return _free(text, self.scrubber)

    def masked_outcome(self, outcome: Outcome) -> Outcome:
        """``outcome`` with its free text masked: warnings, and messages in its result."""
        return dataclasses.replace(
            outcome,
            result=_scrubbed(outcome.result, self.scrubber),
            warnings=[_scrubbed(w, self.scrubber, free=True) for w in outcome.warnings],
        )


class JsonReporter(_Reporter):
    """One JSON document on stdout for every run, errors included."""

    def report(self, outcome: Outcome, code: ExitCode) -> int:
        """Print ``outcome`` as one JSON document; returns the exit code it states."""
        outcome = self.masked_outcome(outcome)
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
                "message": self.free_text(error_message(error, debug=self.debug)),
                **_error_fields(error),
            }
            if self.debug:
                document["error"]["traceback"] = self.free_text(error_traceback(error))
        text, written = json_text(document)
        click.echo(text)
        return code if written else max(int(code), ExitCode.FAILED)


def json_text(document: dict[str, Any]) -> tuple[str, bool]:
    """``document`` as strict JSON (no ``NaN``/``Infinity``), and whether it was written
    as it is; when it cannot be, an error document that says why.

    Python's ``json`` writes ``NaN`` by default, which no other JSON parser reads; a
    result holding one becomes an error document that says so, still valid JSON.
    """
    try:
        return json.dumps(document, indent=2, default=str, allow_nan=False), True
    except RecursionError:  # the indenting encoder recurses in Python; the compact one in C
        try:
            return json.dumps(document, default=str, allow_nan=False), True
        except RecursionError:
            why = "a value is nested too deeply to write as JSON"
        except ValueError:
            why = _NOT_JSON
    except ValueError:
        why = _NOT_JSON
    failed = {
        "command": document.get("command"),
        "ok": False,
        "exit_code": max(document["exit_code"], int(ExitCode.FAILED)),
        "result": None,
        "error": {"type": "OutputError", "message": f"the result cannot be printed: {why}"},
        "warnings": document.get("warnings", []),
    }
    return json.dumps(failed, indent=2, default=str, allow_nan=False), False


_NOT_JSON = (
    "it holds a number JSON cannot represent (NaN or Infinity); fix the value in the "
    "configuration (run `datajoint-storage validate`)"
)


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
        """A line on stdout (its free text was masked already); styled where colour is kept."""
        click.echo(_styled(text, style), color=self.color)

    def err(self, text: str, **style: Any) -> None:
        """A line on stderr (its free text was masked already); styled where colour is kept."""
        click.echo(_styled(text, style), err=True, color=self.color)

    def report(self, outcome: Outcome, code: ExitCode) -> int:
        """Print the result (stdout), then warnings and the error (stderr)."""
        outcome = self.masked_outcome(outcome)
        for warning in outcome.warnings:
            self.err(f"Warning: {warning}", fg="yellow")
        if outcome.result is not None and outcome.command is not None:
            render = _RENDERERS.get(outcome.command)
            if render is not None:
                render(self, outcome.result)
        if outcome.error is not None:
            self._error(outcome.error, code)
        return code

    def _error(self, error: BaseException, code: ExitCode) -> None:
        if isinstance(error, click.ClickException):
            text = io.StringIO()
            error.show(file=text)  # click's own usage text, scrubbed like the rest
            self.err(self.free_text(text.getvalue().rstrip("\n")))
            return
        if self.debug:
            self.err(self.free_text(error_traceback(error).rstrip()))
        label = "Error" if code == ExitCode.ERROR else "Failed"
        self.err(f"{label}: {self.free_text(error_message(error, debug=self.debug))}", fg="red")


def _styled(text: str, style: dict[str, Any]) -> str:
    return click.style(text, **style) if style else text


# -- text renderers: each command module registers its own ---------------------------

Renderer = Callable[[TextReporter, dict[str, Any]], None]
_RENDERERS: dict[str, Renderer] = {}


def renders(command: str) -> Callable[[Renderer], Renderer]:
    """Register the text renderer of ``command``'s result (JSON needs none)."""

    def register(render: Renderer) -> Renderer:
        _RENDERERS[command] = render
        return render

    return register


def value_text(value: Any) -> str:
    """A configuration value as text: strings as written, anything else as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str)
    except RecursionError:  # deeper than the encoder goes: say so instead of a traceback
        return f"<{type(value).__name__} nested too deeply to print>"


def render_problems(r: TextReporter, problems: list[dict[str, Any]], fg: str = "red") -> None:
    """Problems (or warnings) one per line, each led by its ``store.key``."""
    for p in problems:
        where = ".".join(str(part) for part in (p.get("store"), p.get("key")) if part)
        r.out(f"  - {where + ': ' if where else ''}{p['message']}", fg=fg)


def default_color() -> bool | None:
    """``None`` lets click decide (colour on a terminal only); NO_COLOR turns it off."""
    import os

    return False if os.environ.get("NO_COLOR") else None
