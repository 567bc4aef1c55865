"""``adapters`` and ``schema``: what each protocol accepts, for people and for editors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .app import cli
from .options import Options, command_flags
from .outcome import Outcome
from .report import TextReporter, renders


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

    document = datajoint_json_schema()
    if output is None or str(output) == "-":
        return Outcome("schema", {"schema": document})
    output.write_text(render(document), encoding="utf-8")
    return Outcome("schema", {"written": str(output.absolute())})


@cli.command()
@command_flags
@click.pass_obj
def adapters(options: Options) -> Outcome:
    """List every protocol with its distribution, version and keys, and failed plugins."""
    from ..registry import describe_adapters

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


@renders("adapters")
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


@renders("schema")
def _render_schema(r: TextReporter, result: dict[str, Any]) -> None:
    if "written" in result:
        r.out(f"wrote {result['written']}")
    else:  # spelt as the file -o writes, so `schema > file` and `schema -o file` agree
        from ..schema import render

        r.out(render(result["schema"]).rstrip("\n"))
