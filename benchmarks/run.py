"""Benchmarks: datajoint-storage side by side with DataJoint's own store handling.

Run from the repository root: ``bash scripts/dev.sh bench`` (or ``.venv/bin/python
benchmarks/run.py``). DataJoint (``datajoint==2.3.5``, pinned by
``requirements/datajoint.txt``) lives in ``.venv-datajoint``, a virtual environment of its
own built by ``scripts/dev.sh``. Every number is the median over fresh processes; one
round runs every case once, both sides interleaved.

options: --runs N (default 7), --write (also write benchmarks/RESULTS.md),
         --max-load L --max-wait S (wait, bounded, for a quiet machine; default 1.5, 600),
         --no-wait
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _fixtures
import _machine
import _report
import _upstream
from _cases import (
    CLI_PAIRS,
    COLD_SIZES,
    MEMORY_SIZE,
    PLUGIN_COUNTS,
    PLUGIN_REPEATS,
    PROBE,
    RESOLVE_SIZES,
    SECRET_FILES,
    UPSTREAM_ENV,
    VALIDATE_SIZES,
    Samples,
    build_cases,
    clean_env,
    run_case,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OURS = ROOT / ".venv" / "bin" / "python"
CLI = ROOT / ".venv" / "bin" / "datajoint-storage"
QUICKSTART = ROOT / "examples" / "quickstart"
RESULTS = HERE / "RESULTS.md"


def make_projects(root: Path) -> dict[str, Path]:
    """Every fixture, built once per run (the 100k-store datajoint.json is ~9 MB)."""
    start = time.monotonic()
    sizes = sorted({*RESOLVE_SIZES, *COLD_SIZES, *VALIDATE_SIZES, MEMORY_SIZE})
    projects = {f"stores-{n}": _fixtures.stores_project(root, n) for n in sizes}
    for files in SECRET_FILES:
        projects[f"secrets-{files}"] = _fixtures.secrets_project(root, files)
    for n in PLUGIN_COUNTS:
        projects[f"plugins-{n}"] = _fixtures.plugin_site(root, n)
    projects["cache"] = _fixtures.cache_project(root)
    projects["small"] = _fixtures.small_project(root, QUICKSTART)
    projects["quickstart"] = _fixtures.quickstart_project(root, QUICKSTART)
    print(f"[bench] fixtures built: {time.monotonic() - start:.0f} s", file=sys.stderr)
    return projects


def cli_available() -> Path | None:
    """The console script, when the CLI module exists in this checkout."""
    module = ROOT / "datajoint_storage" / "cli" / "__init__.py"
    return CLI if CLI.exists() and module.exists() else None


def modules_of(side: str, python: Path, cwd: Path) -> dict:
    result = subprocess.run(
        [str(python), str(PROBE), "modules", side],
        cwd=cwd,
        env=clean_env(UPSTREAM_ENV if side == "upstream" else ()),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return {}
    return json.loads(result.stdout.strip().splitlines()[-1])


def versions(python: Path, packages: tuple[str, ...]) -> str:
    code = (
        "import importlib.metadata as m\n"
        f"print(', '.join(f'{{p}} {{m.version(p)}}' for p in {packages!r}))"
    )
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def measure(cases, runs: int) -> dict[str, Samples]:
    """One untimed warm-up round (bytecode caches), then ``runs`` interleaved rounds."""
    samples = {case.key: Samples() for case in cases}
    for round_no in range(runs + 1):
        start = time.monotonic()
        shift = round_no % len(cases)  # rotate the order: no case always runs first
        for case in cases[shift:] + cases[:shift]:
            if round_no == 0:  # recorded only when it fails: a failing case is dropped
                warm_up = Samples()
                run_case(case, warm_up)
                samples[case.key].error = warm_up.error
            else:
                run_case(case, samples[case.key])
        label = "warm-up" if round_no == 0 else f"{round_no}/{runs}"
        print(
            f"[bench] round {label}: {time.monotonic() - start:.0f} s, load {_machine.load():.2f}",
            file=sys.stderr,
        )
    return samples


def sizes(values: tuple[int, ...]) -> str:
    """``1,000 and 10,000``: a tuple of sizes as prose."""
    words = [f"{v:,}" for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def results_md(
    machine: dict[str, str], text: str, closing: str, notes: list[str], runs: int
) -> str:
    facts = "\n".join(f"- {k}: {v}" for k, v in machine.items())
    remarks = "\n\n## Notes\n\n" + "\n".join(f"- {n}" for n in notes) if notes else ""
    return f"""# Benchmark results

Produced by `bash scripts/dev.sh bench --write` (`benchmarks/run.py`): medians over
{runs} or more fresh processes per case; every round runs every case of both sides,
interleaved, after one untimed warm-up round. DataJoint is `datajoint==2.3.5` from
PyPI in its own virtual environment (`.venv-datajoint`), reading the very
same `datajoint.json` (and `.secrets/`) files.

## Machine

{facts}

## Results

{text}

{closing}

## How to read it

- **clocks**: what a probe times inside its process (resolve, secrets, validate, the
  cache hit, plugin discovery) is CPU time (`time.process_time`), which a machine
  shared with others disturbs less than wall time; whole processes (cold import,
  cold CLI) are wall time, start to exit. Each figure is the median over fresh
  processes.
- **cold import**: wall time of the whole `python -c "import ..."` process; the target
  compares whole processes, so Python's own start-up counts on both sides. Our
  `.venv` holds the package as an editable install, whose import hook costs every
  process in it some milliseconds, floors included.
- **resolve**: stores cycle through file, s3, gcs, azure; every `file` store's
  location is an existing directory inside the project. *cold* is the first spec
  read from the files after import, at {sizes(COLD_SIZES)} stores: ours reads
  `datajoint.json` lazily on that call (and loads the file adapter, builds its
  model; the package imported its settings machinery, as DataJoint imports its own);
  DataJoint reads it inside `import datajoint`, so its
  figure is a fresh `datajoint.settings._create_config()` plus one `get_store_spec`,
  in a process where all of that is already warm. At {sizes(RESOLVE_SIZES)} stores
  the process goes on: one store of each protocol, then every other store once
  (*first `get_store_spec` of each store*: ours validates it with the validator
  compiled from its adapter's pydantic model, with types, defaults and secrets;
  DataJoint checks key names; the median of five passes, the first on `dj.config`,
  four on fresh configurations of the same files in the same process), then every
  store again (*warm*: ours keeps each resolved spec and hands out a copy,
  DataJoint checks again). DataJoint's `Config.get_store_spec` is called
  directly, bypassing the `dj.config` proxy's per-call `DJ_THREAD_SAFE` check, which
  favours DataJoint; its processes run with `DJ_LOG_LEVEL=WARNING`, so its log lines
  are not timed.
- **secrets**: {sizes(SECRET_FILES)} files `.secrets/stores.<name>.access_key|secret_key`
  (half as many s3 stores); the time to the first spec includes reading the whole
  directory. Afterwards, untimed, the probe resolves every store and counts those
  whose two keys arrived; a count short of every store fails the case, so the row
  shows that every file was read. The row with pydantic-settings imported first
  ({SECRET_FILES[0]:,} files) is how `import datajoint` leaves a process.
- **validate()**: one process per side measures every size ({sizes(VALIDATE_SIZES)}
  stores): the sizes take turns, in cycles, one project's configuration alive at a
  time, so each size meets the same moments of this machine (five turns; 10,000
  stores two, 100,000 one: `VALIDATE_WORK` in `_probe.py`). For each, after a first
  `validate()` (files read, adapters loaded, models built): `validate()` again with
  the merged and resolved stores dropped by `Config._changed()` (untimed) but the
  files kept (the target rows), and `reload()` + `validate()` (files read again).
  DataJoint has no `validate()`: its columns are `get_store_spec` of every store, and
  a fresh `_create_config()` plus that. The scaling target compares our own
  per-store time at the largest size with ours at 1,000 stores.
- **memory**: `tracemalloc` from after import through reading {MEMORY_SIZE:,} stores
  and resolving every one (ours: `validate()` then `get_store_spec` of each); ours
  keeps every resolved store, DataJoint keeps the raw dicts. *Objects the GC tracks*
  is the growth of `len(gc.get_objects())` over the same work, after `gc.collect()`,
  divided by the stores: no target, but every later collection walks them.
- **cold CLI**: the `datajoint-storage` console script in a copy of
  `examples/quickstart` (three stores, two secret files, its data directory made),
  start to exit. Its floor, `python -c "import pydantic_settings"`, runs right
  before it, {CLI_PAIRS} pairs a round: these runs are short and this machine's speed
  drifts by tens of percent from one second to the next. The import floor row above
  is the same command, once a round.
- **cache hit**: `timeit` of a call to `get_filesystem("main")` after the first, and
  of a call to a function returning `table["main"]`, best of 7 repeats each.
- **plugin discovery**: {sizes(PLUGIN_COUNTS)} fake plugin distributions, each a real
  installed one (`bench_plugin_<i>-0.1.dist-info` with `METADATA` and an
  `entry_points.txt` in `datajoint.storage`, beside a module defining a
  `StorageAdapter` subclass for protocol `p<i>`, on our base class, or DataJoint's
  in its environment), put on the probe's `PYTHONPATH`. Timed: ours
  `registry.registered_adapters()` + `get_storage_adapter("p<N-1>")`, after serving a
  store of each of DataJoint's own protocols (untimed); DataJoint
  `datajoint.storage_adapter.get_storage_adapter("p<N-1>")`, its first call. The
  collector is paused while timed, and ours runs {PLUGIN_REPEATS} times a round: the
  differences are a few milliseconds. *Per
  plugin* is the time above the run with no plugin, divided by the plugins; the
  target asks it not to grow with their count.{remarks}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds (fresh processes per case)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    parser.add_argument("--max-load", type=float, default=1.5)
    parser.add_argument("--max-wait", type=float, default=600.0)
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated case-key prefixes (debugging)")
    args = parser.parse_args(argv)
    if not OURS.exists():
        raise SystemExit(f"[bench] {OURS} missing: run `bash scripts/dev.sh env` first")
    upstream = _upstream.ensure()
    notes: list[str] = []
    if args.runs < 7:
        notes.append(f"Only {args.runs} runs per case (debugging); the issue asks for >= 7.")
    cli = cli_available()
    if cli is None:
        notes.append("`datajoint_storage/cli/` is not in this checkout: no CLI row.")
    workspace = Path(tempfile.mkdtemp(prefix="dj-bench-"))
    try:
        projects = make_projects(workspace)
        cases = build_cases(OURS, upstream, cli, projects)
        if args.only:
            prefixes = tuple(args.only.split(","))
            cases = [case for case in cases if case.key.startswith(prefixes)]
            notes.append(f"Only the cases starting with {args.only} (debugging).")
        modules = {
            "ours": modules_of("ours", OURS, projects["small"]),
            "upstream": modules_of("upstream", upstream, projects["small"]),
        }
        if not args.no_wait:
            waited, load = _machine.wait_for_quiet(args.max_load, args.max_wait)
            if load >= args.max_load:
                notes.append(
                    f"Measured on a busy machine: the load average was still {load:.2f} "
                    f"after waiting {waited:.0f} s (limit {args.max_wait:.0f} s)."
                )
        load_before = _machine.load()
        samples = measure(cases, args.runs)
        load_after = _machine.load()
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    medians = _report.Medians(samples)
    rows, targets = _report.build(medians, modules)
    text = _report.table(rows) + "\n\n" + "\n".join(_report.module_lines(modules))
    closing = _report.closing_line(targets)
    if any(t.name == "cache hit" and t.met is False for t in targets):
        notes.append(
            "Cache hit: the hit path of `get_filesystem` (datajoint_storage/store.py) builds a "
            "key tuple, compares the config's generation, calls a weak reference and goes "
            "through the `Store.filesystem` property. A prototype that looks the name up in a "
            "per-config dict of filesystems, emptied by `Config._changed()`, measured "
            "2.3-2.7x a dict lookup on this machine."
        )
    print(text)
    print()
    print(closing)
    if args.write:
        machine = _machine.describe()
        load_key = "load average (1 min), before / after (the run keeps one core busy itself)"
        machine[load_key] = f"{load_before:.2f} / {load_after:.2f}"
        machine["ours"] = versions(OURS, ("datajoint-storage", "pydantic", "pydantic-settings"))
        machine["upstream"] = versions(upstream, ("datajoint", "pydantic", "pydantic-settings"))
        machine["runs per case"] = str(medians.runs())
        RESULTS.write_text(results_md(machine, text, closing, notes, args.runs), encoding="utf-8")
        print(f"[bench] wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    for note in notes:
        print(f"[bench] note: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
