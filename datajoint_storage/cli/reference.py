"""``adapters`` and ``schema``: what each protocol accepts, for people and for editors."""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Any

import click

from ..errors import UnknownProtocolError
from .app import cli
from .guard import load_plugins
from .keys import key_reference
from .options import Options, command_flags, complete_protocols
from .outcome import Outcome
from .report import TextReporter, renders, value_text


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the schema to this file instead of printing it ('-': print it).",
)
@command_flags
@click.pass_obj
def schema(options: Options, output: Path | None) -> Outcome:
    """Print the JSON Schema of datajoint.json, installed plugins included."""
    from ..schema import datajoint_json_schema, render

    load_plugins()
    document = datajoint_json_schema()
    if output is None or str(output) == "-":
        return Outcome("schema", {"schema": document})
    output.write_text(render(document), encoding="utf-8")
    return Outcome("schema", {"written": str(output.absolute())})


@cli.command()
@click.argument("protocol", required=False, shell_complete=complete_protocols)
@click.option("--keys", "with_keys", is_flag=True, help="Describe every key of every protocol.")
@command_flags
@click.pass_obj
def adapters(options: Options, protocol: str | None, with_keys: bool) -> Outcome:
    """List every protocol with its distribution, version and keys, and failed plugins.

    With PROTOCOL (or --keys): every key, required or optional, its type, default,
    whether it is a secret, and what it means, from the adapter's own model.
    """
    from ..registry import describe_adapters

    load_plugins()
    loaded, failed = describe_adapters()
    if protocol is not None:
        loaded = [info for info in loaded if info.protocol == protocol.lower()]
        if not loaded:
            raise _unknown(protocol, failed)
        failed = []
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
                **({"keys": key_reference(info.adapter)} if protocol or with_keys else {}),
            }
            for info in loaded
        ],
        "failed": [
            {"name": f.name, "distribution": f.distribution, "reason": str(f)} for f in failed
        ],
    }
    return Outcome("adapters", result)


def _unknown(protocol: str, failed: list[Any]) -> UnknownProtocolError:
    from ..registry import registered_adapters

    failure = next((f for f in failed if f.name == protocol), None)
    hint = f"; the adapter that provides it failed to load: {failure}" if failure else ""
    match = get_close_matches(protocol, list(registered_adapters()), n=1, cutoff=0.5)
    hint += f"; did you mean {match[0]!r}?" if match and not failure else ""
    return UnknownProtocolError(f"Unknown protocol: {protocol}{hint}", key="protocol")


@renders("adapters")
def _render_adapters(r: TextReporter, result: dict[str, Any]) -> None:
    for a in result["adapters"]:
        where = a["distribution"] or "registered in code"
        if a["version"]:
            where += f" {a['version']}"
        r.out(f"{a['protocol']}  ({where})", bold=True)
        if "keys" in a:
            _render_keys(r, a["keys"])
            continue
        r.out(f"  required: {', '.join(a['required_keys']) or '-'}")
        r.out(f"  allowed:  {', '.join(a['allowed_keys']) or '-'}")
    for f in result["failed"]:
        r.out(f"{f['name']}  (failed to load)", fg="red", bold=True)
        r.out(f"  {f['reason']}")


def _render_keys(r: TextReporter, keys: list[dict[str, Any]]) -> None:
    width = max(len(k["key"]) for k in keys)
    kinds = max(len(k["type"]) for k in keys)
    for k in keys:
        need = "required" if k["required"] else "optional"
        default = "" if k["required"] else f"  default {value_text(k['default'])}"
        secret = "  secret" if k["secret"] else ""
        line = f"  {k['key'].ljust(width)}  {need}  {k['type'].ljust(kinds)}{default}{secret}"
        r.out(line.rstrip())
        if k["description"]:
            r.out(f"  {' ' * width}  {k['description']}")


@renders("schema")
def _render_schema(r: TextReporter, result: dict[str, Any]) -> None:
    if "written" in result:
        r.out(f"wrote {result['written']}")
    else:  # spelt as the file -o writes, so `schema > file` and `schema -o file` agree
        from ..schema import render

        r.out(render(result["schema"]).rstrip("\n"))
