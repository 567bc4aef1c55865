"""``add``, ``set``, ``unset``, ``remove``, ``set-default``: edit ``datajoint.json`` safely.

Each edit runs under the file's lock: read, change the parsed document, write the
result to a temporary file, validate that file, and only then rename it over the
original. An edit that leaves the store it touched invalid (or with no fewer problems
than before) is refused and nothing is written; ``--force`` writes it anyway.
Credentials never go into ``datajoint.json``: ``set --secret`` writes ``.secrets/``.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import click

from .. import get_storage_adapter
from ..errors import ConfigSourceError, StoreConfigError
from ..redaction import is_secret_key
from ..settings import Config
from . import document as doc
from .app import cli
from .atomic import locked, replace_text, write_secret
from .data import problem_data
from .keys import secret_keys
from .options import Options, command_flags, complete_store_names
from .outcome import CommandFailed, Outcome
from .report import TextReporter, render_problems, renders

FORCE = click.option("--force", is_flag=True, help="Write the result even if it is invalid.")
STORE = click.argument("store", shell_complete=complete_store_names)


class _Refused(Exception):
    """The edited file did not validate; carries the problems (nothing was written)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems


def target_file(options: Options) -> Path:
    """The ``datajoint.json`` an edit changes: ``--config``, or the one found."""
    files = options.config().files()
    if files.ignored:
        raise CommandFailed(
            "DJ_IGNORE_CONFIG_FILE is set, so no file is read and none is edited; "
            "name the file with --config FILE"
        )
    if files.config_file is None:
        where = ""
        if files.searched is not None:
            where = f" (searched {files.searched[0]} up to {files.searched[1]})"
        raise CommandFailed(
            f"No datajoint.json found{where}; create one with `datajoint-storage init` "
            "or name one with --config FILE"
        )
    # The file itself, not a link to it: the link survives the rename.
    return Path(files.config_file).resolve()


def _file_problems(path: Path, store: str | None, names: bool) -> list[StoreConfigError]:
    """The problems of one file (its secrets included, DJ_STORES left out) that concern
    ``store``, and, with ``names``, the ``default`` entries."""
    # Relative file locations are checked from the working directory, as DataJoint does.
    config = Config(environ={"DJ_IGNORE_CONFIG_FILE": "false", "DJ_STORES": ""}, config_file=path)
    return [
        p
        for p in config.problems()
        if p.store == store or (names and (p.store is None or p.key in doc.NAME_KEYS))
    ]


def edit_file(
    options: Options,
    command: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    store: str,
    force: bool,
    names: bool = False,
) -> Outcome:
    """Apply ``change`` to the target file under its lock; validate, then replace it."""
    path = target_file(options)
    with locked(path) as data:
        try:
            original = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigSourceError(
                f"{path} is not UTF-8 text; nothing was written", source=str(path)
            ) from None
        document = doc.load(original, str(path))
        before = len(_file_problems(path, store, names))
        result = {"file": str(path), **change(document), "written": False, "forced": force}

        def check(candidate: Path) -> list[dict[str, Any]]:
            shown = [
                _relabel(problem_data(p), candidate, path)
                for p in _file_problems(candidate, store, names)
            ]
            if shown and len(shown) >= max(before, 1) and not force:
                raise _Refused(shown)
            return shown

        try:
            result["problems"] = replace_text(path, doc.render(document, original), before=check)
        except _Refused as refused:
            result["problems"] = refused.problems
            return Outcome(command, result, failed=True)
    result["written"] = True
    _note_overrides(options)
    return Outcome(command, result)


def _relabel(problem: dict[str, Any], candidate: Path, path: Path) -> dict[str, Any]:
    """Problems found in the temporary file, told about the real one."""
    return {
        k: v.replace(str(candidate), str(path)) if isinstance(v, str) else v
        for k, v in problem.items()
    }


def _note_overrides(options: Options) -> None:
    if "DJ_STORES" in options.config().files().variables:
        warnings.warn(
            "DJ_STORES is set and replaces the file's stores block: this edit is in the "
            "file, but not in force until DJ_STORES is unset",
            UserWarning,
            stacklevel=2,
        )


def _protocol_of(document: dict[str, Any], store: str) -> str | None:
    entry = (document.get("stores") or {}).get(store)
    protocol = entry.get("protocol") if isinstance(entry, dict) else None
    protocol = document.get(f"stores.{store}.protocol", protocol)
    return protocol if isinstance(protocol, str) else None


def _refuse_secret(protocol: str | None, store: str, key: str) -> None:
    adapter = get_storage_adapter(protocol.lower()) if protocol else None
    # The redaction module's own test of a secret key (any case or spelling, near
    # misspellings), so a key masked in output is never written in clear either.
    if is_secret_key(key, secret_keys(adapter)):
        raise CommandFailed(
            f"{key} is a credential and is never written into datajoint.json (a file people "
            f"commit); use `datajoint-storage set {store} {key} - --secret` to write "
            f".secrets/stores.{store}.{key}"
        )


def _require_store(document: dict[str, Any], store: str, path: str) -> None:
    if not doc.has_store(document, store):
        names = [n for n in doc.store_names(document) if n not in doc.NAME_KEYS]
        match = get_close_matches(store, names, n=1, cutoff=0.5)
        hint = f"; did you mean {match[0]!r}?" if match else ""
        raise CommandFailed(f"Store {store!r} is not configured in {path}{hint}")


def _read_value(value: str | None, *, secret: bool) -> str:
    """The value as given; ``-`` reads standard input (so it stays out of shell history)."""
    if value == "-":
        return sys.stdin.read().rstrip("\r\n")
    if value is None:
        if not secret:
            raise click.UsageError("VALUE is required (or - to read it from standard input)")
        return str(click.prompt("Secret value", hide_input=True, err=True))
    return value


@cli.command()
@STORE
@click.option("--protocol", "protocol", required=True, help="The store's protocol (s3, file...).")
@click.argument("settings", nargs=-1, metavar="[KEY=VALUE]...")
@FORCE
@command_flags
@click.pass_obj
def add(
    options: Options, store: str, protocol: str, settings: tuple[str, ...], force: bool
) -> Outcome:
    """Add STORE to datajoint.json with its PROTOCOL and KEY=VALUE settings."""
    spec: dict[str, Any] = {"protocol": protocol}
    for item in settings:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"expected KEY=VALUE, got {key!r}")
        _refuse_secret(protocol, store, key)
        spec[key] = doc.parse_value(raw)
    if store in doc.NAME_KEYS or "." in store or "/" in store:
        raise click.UsageError(f"{store!r} cannot be a store name")

    def change(document: dict[str, Any]) -> dict[str, Any]:
        if doc.has_store(document, store):
            raise CommandFailed(
                f"Store {store!r} is already configured; change it with "
                f"`datajoint-storage set {store} KEY VALUE`"
            )
        doc.add_store(document, store, spec)
        return {"store": store, "spec": {k: v for k, v in spec.items()}}

    return edit_file(options, "add", change, store=store, force=force)


@cli.command("set")
@STORE
@click.argument("key")
@click.argument("value", required=False)
@click.option("--secret", is_flag=True, help="Write .secrets/stores.STORE.KEY (mode 0600).")
@FORCE
@command_flags
@click.pass_obj
def set_(
    options: Options, store: str, key: str, value: str | None, secret: bool, force: bool
) -> Outcome:
    """Set KEY of STORE to VALUE (JSON when it parses: false, 12, [2, 2]; else a string).

    VALUE - reads standard input. With --secret the value goes to .secrets/, never to
    datajoint.json, and is never printed.
    """
    text = _read_value(value, secret=secret)
    if secret:
        return _set_secret(options, store, key, text, force)

    def change(document: dict[str, Any]) -> dict[str, Any]:
        _require_store(document, store, str(target_file(options)))
        _refuse_secret(_protocol_of(document, store), store, key)
        parsed = doc.parse_value(text)
        doc.set_key(document, store, key, parsed)
        return {"store": store, "key": key, "value": parsed}

    return edit_file(options, "set", change, store=store, force=force)


def _set_secret(options: Options, store: str, key: str, value: str, force: bool) -> Outcome:
    if "." in store or "/" in store or "." in key or "/" in key or not store or not key:
        raise click.UsageError("store and key names of a secret file hold no '.' or '/'")
    path = target_file(options)
    with locked(path) as data:
        document = doc.load(data.decode("utf-8", "replace"), str(path))
    if not force:
        _require_store(document, store, str(path))
        protocol = _protocol_of(document, store)
        adapter = get_storage_adapter(protocol.lower()) if protocol else None
        if adapter is not None:
            from ..spec import spec_model_for

            known = list(spec_model_for(adapter).model_fields)
            if key not in known:
                match = get_close_matches(key, known, n=1, cutoff=0.5)
                hint = f"; did you mean {match[0]!r}?" if match else ""
                raise CommandFailed(
                    f"Invalid key(s) for {protocol}: {key} (store {store!r}){hint}; "
                    "--force writes the secret anyway"
                )
    entry = (document.get("stores") or {}).get(store)
    nested = entry.get(key) if isinstance(entry, dict) else None
    if nested not in (None, "") or document.get(f"stores.{store}.{key}") not in (None, ""):
        raise CommandFailed(
            f"{path} sets stores.{store}.{key}, which wins over a secret file; remove it "
            f"with `datajoint-storage unset {store} {key}` (then rotate that credential: "
            "it was in a file people commit)"
        )
    written = write_secret(path.parent / ".secrets", f"stores.{store}.{key}", value)
    return Outcome("set", {"store": store, "key": key, "secret": True, **written})


@cli.command()
@STORE
@click.argument("key")
@FORCE
@command_flags
@click.pass_obj
def unset(options: Options, store: str, key: str, force: bool) -> Outcome:
    """Remove KEY from STORE in datajoint.json (its default applies again)."""

    def change(document: dict[str, Any]) -> dict[str, Any]:
        _require_store(document, store, str(target_file(options)))
        if not doc.unset_key(document, store, key):
            raise CommandFailed(f"Store {store!r} does not set {key!r} in this file")
        return {"store": store, "key": key}

    return edit_file(options, "unset", change, store=store, force=force)


@cli.command()
@STORE
@FORCE
@command_flags
@click.pass_obj
def remove(options: Options, store: str, force: bool) -> Outcome:
    """Remove STORE from datajoint.json (refused while default names it, unless --force)."""

    def change(document: dict[str, Any]) -> dict[str, Any]:
        _require_store(document, store, str(target_file(options)))
        doc.remove_store(document, store)
        return {"store": store}

    return edit_file(options, "remove", change, store=store, force=force, names=True)


@cli.command("set-default")
@STORE
@click.option("--filepath", is_flag=True, help="Set filepath_default instead of default.")
@FORCE
@command_flags
@click.pass_obj
def set_default(options: Options, store: str, filepath: bool, force: bool) -> Outcome:
    """Make STORE the default store (or, with --filepath, the filepath_default)."""
    entry = "filepath_default" if filepath else "default"

    def change(document: dict[str, Any]) -> dict[str, Any]:
        _require_store(document, store, str(target_file(options)))
        doc.set_name_entry(document, entry, store)
        return {"entry": entry, "store": store}

    return edit_file(options, "set-default", change, store=store, force=force, names=True)


@renders("add")
@renders("set")
@renders("unset")
@renders("remove")
@renders("set-default")
def _render_edit(r: TextReporter, result: dict[str, Any]) -> None:
    if result.get("secret"):
        for path in result["created"]:
            r.out(f"created {path}")
        r.out(f"wrote {result['path']} (mode {result['mode']}; the value is not shown)")
        return
    what = _what(result)
    if result["written"]:
        r.out(f"{what} in {result['file']}", fg="green")
        if result["problems"]:
            r.out("written with --force despite:", fg="yellow")
            render_problems(r, result["problems"])
    else:
        r.out(f"refused: {what} would leave the configuration invalid", fg="red", bold=True)
        render_problems(r, result["problems"])
        r.out(f"nothing was written to {result['file']} (--force writes it anyway)")


def _what(result: dict[str, Any]) -> str:
    if "entry" in result:
        return f"stores.{result['entry']} = {result['store']}"
    if "spec" in result:
        return f"added store {result['store']} ({result['spec']['protocol']})"
    if "value" in result:
        # JSON, so the string "false" and the boolean false read differently.
        value = json.dumps(result["value"], ensure_ascii=False)
        return f"stores.{result['store']}.{result['key']} = {value}"
    if "key" in result:
        return f"removed stores.{result['store']}.{result['key']}"
    return f"removed store {result['store']}"
