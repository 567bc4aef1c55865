"""``check``: a live round trip through each store (the probe is in :mod:`.probe`)."""

from __future__ import annotations

import math
from typing import Any

import click

from .app import cli
from .options import Options, command_flags, complete_store_names
from .outcome import Outcome
from .report import TextReporter, error_traceback, renders

#: Seconds a store may take to answer ``check`` before it counts as unreachable.
DEFAULT_CHECK_TIMEOUT = 30.0


class Seconds(click.FloatRange):
    """A positive, finite number of seconds (``FloatRange`` lets ``nan`` and ``inf`` by)."""

    name = "seconds"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return seconds


@cli.command()
@click.argument("store", required=False, shell_complete=complete_store_names)
@click.option(
    "--timeout",
    type=Seconds(min=0.01),
    default=DEFAULT_CHECK_TIMEOUT,
    show_default=True,
    help="Seconds each store may take before it counts as unreachable.",
)
@command_flags
@click.pass_obj
def check(options: Options, store: str | None, timeout: float) -> Outcome:
    """Write, read back and delete one small object in each store, timed."""
    from ..store import Store
    from .guard import load_plugins
    from .probe import probe_stores

    load_plugins(timeout)
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


@renders("check")
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
