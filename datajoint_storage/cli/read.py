"""``validate`` and ``show``: what the configuration says, and what is wrong with it."""

from __future__ import annotations

from typing import Any

import click

from ..errors import DataJointError
from .app import cli
from .data import name_entries, problem_data, problems_of, warning_data
from .guard import load_plugins
from .options import Options, command_flags, complete_store_names
from .outcome import Outcome
from .report import TextReporter, render_problems, renders, value_text


@cli.command()
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on problems.")
@command_flags
@click.pass_obj
def validate(options: Options, strict: bool) -> Outcome:
    """Report every problem of every store, then every warning (what DataJoint 2.3.5
    would do differently), each with its store, key and source."""
    load_plugins()
    config = options.config()
    problems = [problem_data(p) for p in config.problems()]
    warnings = [warning_data(w) for w in config.warnings()]
    result = {
        "valid": not problems,
        "stores": config.store_names(),
        **name_entries(config),
        "sources": config.describe_sources(),
        "problems": problems,
        "warnings": warnings,
    }
    return Outcome("validate", result, failed=bool(problems) or (strict and bool(warnings)))


@cli.command()
@click.argument("store", required=False, shell_complete=complete_store_names)
@click.option("--origin", is_flag=True, help="Also print the source of every value.")
@command_flags
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
            problems += problems_of(exc)
            if name in config.store_names():  # invalid: show what was merged, and whence
                raw = config.raw_store(name)
                shown[name] = {"valid": False, "raw": raw["value"], "origin": raw["origins"]}
            continue
        shown[name] = {"valid": True, "spec": spec}
        if origin:
            shown[name]["origin"] = config.provenance(name)
    result = {
        **name_entries(config),
        "stores": shown,
        "problems": [problem_data(p) for p in problems],
    }
    return Outcome("show", result, failed=bool(problems))


@cli.command()
@command_flags
@click.pass_obj
def stores(options: Options) -> Outcome:
    """One line per configured store: protocol, valid or not, default, and its sources."""
    config = options.config()
    entries = name_entries(config)
    found = config.problems()  # what validate reports, so the two always agree
    rows = []
    for name in config.store_names():
        raw = config.raw_store(name)
        value = raw["value"] if isinstance(raw["value"], dict) else {}
        problems = [problem_data(p) for p in found if p.store == name]
        rows.append(
            {
                "name": name,
                "protocol": value.get("protocol"),
                "valid": not problems,
                "default": entries["default"] == name,
                "filepath_default": entries["filepath_default"] == name,
                "sources": list(dict.fromkeys([raw["source"], *raw["origins"].values()])),
                "problems": problems,
            }
        )
    result = {**entries, "stores": rows}
    return Outcome("stores", result, failed=not all(row["valid"] for row in rows))


@renders("stores")
def _render_stores(r: TextReporter, result: dict[str, Any]) -> None:
    rows = result["stores"]
    if not rows:
        r.out("no stores configured")
        return
    name_w = max(len(row["name"]) for row in rows)
    proto_w = max(len(value_text(row["protocol"] or "?")) for row in rows)
    for row in rows:
        marks = [m for m in ("default", "filepath_default") if row[m]]
        state = "valid  " if row["valid"] else "INVALID"
        line = (
            f"{row['name'].ljust(name_w)}  {value_text(row['protocol'] or '?').ljust(proto_w)}  "
            f"{state}  {', '.join(marks) or '-':<25}  {', '.join(row['sources'])}"
        )
        r.out(line, fg=None if row["valid"] else "red")
    for entry in ("default", "filepath_default"):
        named = result.get(entry)
        if named is not None and named not in [row["name"] for row in rows]:
            r.out(f"{entry}: {value_text(named)} (not a configured store)", fg="red")


@renders("validate")
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
        render_problems(r, result["problems"])
    if result["warnings"]:
        count = len(result["warnings"])
        r.out(f"  {count} warning{'s' if count != 1 else ''}:", fg="yellow", bold=True)
        render_problems(r, result["warnings"], fg="yellow")
    for entry in ("default", "filepath_default"):
        if result.get(entry) is not None:
            r.out(f"  {entry}: {value_text(result[entry])}")
    r.out("  sources:")
    for source in result["sources"]:
        r.out(f"    {source['label']}")


def _render_raw(r: TextReporter, name: str, store: dict[str, Any]) -> None:
    """An invalid store: the values as merged (not validated), each with its source."""
    r.out(f"{name}  (INVALID: raw merged values, not validated; see problems)", fg="red", bold=True)
    raw = store["raw"]
    if not isinstance(raw, dict):
        r.out(f"  {value_text(raw)}")
        return
    width = max((len(str(k)) for k in raw), default=0)
    values = {k: value_text(v) for k, v in raw.items()}
    value_width = max((len(v) for v in values.values()), default=0)
    for key, shown in values.items():
        where = store["origin"].get(key, "")
        r.out(f"  ! {str(key).ljust(width)}  {shown.ljust(value_width)}  ({where})")


@renders("show")
def _render_show(r: TextReporter, result: dict[str, Any]) -> None:
    for entry in ("default", "filepath_default"):
        if result.get(entry) is not None:
            r.out(f"{entry}: {value_text(result[entry])}")
    for name, store in result["stores"].items():
        if not store.get("valid", True):
            _render_raw(r, name, store)
            continue
        r.out(f"{name}", bold=True)
        spec, origin = store["spec"], store.get("origin")
        width = max((len(k) for k in spec), default=0)
        values = {k: value_text(v) for k, v in spec.items()}
        value_width = max((len(v) for v in values.values()), default=0)
        for key, shown in values.items():
            line = f"  {key.ljust(width)}  {shown}"
            if origin is not None:
                line = f"{line.ljust(width + value_width + 4)}  ({origin.get(key, 'default')})"
            r.out(line)
    if result["problems"]:
        r.out("problems:", fg="red", bold=True)
        render_problems(r, result["problems"])
    elif not result["stores"]:
        r.out("no stores configured")
