"""Every process the benchmark starts: one ``Case`` per measured command line.

A case is run once per round, fresh process each time; rounds interleave the cases
of both sides, so a slow minute on the machine hits both alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PROBE = Path(__file__).resolve().parent / "_probe.py"

#: The sizes of the scaling measurements.
RESOLVE_SIZES = (1_000, 10_000)  # every store asked for: first time, then again
COLD_SIZES = (1_000, 10_000, 100_000)  # the first spec only
VALIDATE_SIZES = (10, 1_000, 10_000, 100_000)
SECRET_FILES = (1_000, 10_000)
MEMORY_SIZE = 10_000
PLUGIN_COUNTS = (0, 5, 25, 50)  # installed plugin distributions; 0 is the baseline
CLI_PAIRS = 3  # CLI runs (each after its floor) per round
PLUGIN_REPEATS = 5  # runs of each of our plugin cases per round: a few ms each, noisy


@dataclass(frozen=True)
class Case:
    """One command line; ``probe`` cases print JSON, the others are timed whole."""

    key: str
    argv: tuple[str, ...]
    cwd: Path
    probe: bool = False
    env: tuple[tuple[str, str], ...] = ()


@dataclass
class Samples:
    """Every run of one case: wall-clock seconds and the probe's numbers."""

    wall: list[float] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)
    error: str | None = None


#: DataJoint logs every config file it loads at INFO; quiet, so it is not timed writing.
UPSTREAM_ENV = (("DJ_LOG_LEVEL", "WARNING"),)


def clean_env(extra: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """The environment without any ``DJ_*`` variable, so only the project counts.

    Bytecode is written (``PYTHONDONTWRITEBYTECODE`` dropped), as on a user's machine:
    the warm-up round compiles each side's modules once, so no timed run compiles.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def run_case(case: Case, samples: Samples) -> None:
    """Run ``case`` once in a fresh process and record what it measured."""
    if samples.error is not None:
        return
    start = time.perf_counter()
    result = subprocess.run(
        case.argv,
        cwd=case.cwd,
        env=clean_env(case.env),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["(no output)"]
        samples.error = f"exit {result.returncode}: {lines[-1][:160]}"
        return
    samples.wall.append(wall)
    if case.probe:
        for key, value in json.loads(result.stdout.strip().splitlines()[-1]).items():
            if isinstance(value, (int, float)):
                samples.values.setdefault(key, []).append(float(value))


def build_cases(
    ours: Path, upstream: Path, cli: Path | None, projects: dict[str, Path]
) -> list[Case]:
    """The cases of one round, alternating sides where both are measured."""
    small = projects["small"]

    def py(side: str) -> str:
        return str(ours if side == "ours" else upstream)

    def env(side: str) -> tuple[tuple[str, str], ...]:
        return UPSTREAM_ENV if side == "upstream" else ()

    def probe(
        key: str, side: str, cwd: Path, *args: object, extra: tuple[tuple[str, str], ...] = ()
    ) -> Case:
        argv = (py(side), str(PROBE), key.split(".")[0], side, *map(str, args))
        return Case(f"{key}.{side}", argv, cwd, probe=True, env=env(side) + extra)

    def code(key: str, side: str, source: str) -> Case:
        return Case(key, (py(side), "-c", source), small, env=env(side))

    cases = [
        code("import.pass", "ours", "pass"),
        code("import.pass-upstream", "upstream", "pass"),
        code("import.pydantic", "ours", "import pydantic"),
        code("import.pydantic_settings", "ours", "import pydantic_settings"),
        code("import.ours", "ours", "import datajoint_storage"),
        code("import.upstream", "upstream", "import datajoint"),
    ]
    for n in COLD_SIZES:
        every = n if n in RESOLVE_SIZES else 0  # 0: the cold first spec only
        for side in ("ours", "upstream"):
            cases.append(probe(f"resolve.{n}", side, projects[f"stores-{n}"], every, 4))
    for files in SECRET_FILES:
        directory = projects[f"secrets-{files}"]
        for side in ("ours", "upstream"):
            cases.append(probe(f"secrets.{files}", side, directory, files // 2))
    # As `import datajoint` does: pydantic-settings imported before the first read.
    files = SECRET_FILES[0]
    args = (files // 2, "pydantic_settings")
    cases.append(probe(f"secrets.{files}-preloaded", "ours", projects[f"secrets-{files}"], *args))
    # One process per side measures every size, the sizes taking turns inside it.
    sizes = [f"{n}:{projects[f'stores-{n}']}" for n in VALIDATE_SIZES]
    for side in ("ours", "upstream"):
        cases.append(probe("validate.all", side, projects["small"], *sizes))
    if cli is not None:
        # Its floor runs right before it, in the same directory, three times a round:
        # this machine's speed drifts from one second to the next, and these runs are
        # short, so more pairs make a steadier ratio.
        floor = (py("ours"), "-c", "import pydantic_settings")
        for _ in range(CLI_PAIRS):
            cases.append(Case("cli.floor", floor, projects["quickstart"]))
            cases.append(Case("cli.ours", (str(cli), "validate"), projects["quickstart"]))
    cases.append(probe("cache", "ours", projects["cache"]))
    for n in PLUGIN_COUNTS:
        # ``clean_env`` drops the caller's PYTHONPATH; this one puts the plugins on the path.
        path = (("PYTHONPATH", str(projects[f"plugins-{n}"])),)
        cases.append(probe(f"plugins.{n}", "upstream", small, n, extra=path))
        cases += [probe(f"plugins.{n}", "ours", small, n, extra=path)] * PLUGIN_REPEATS
    for side in ("ours", "upstream"):
        cases.append(
            probe(f"memory.{MEMORY_SIZE}", side, projects[f"stores-{MEMORY_SIZE}"], MEMORY_SIZE)
        )
    return cases
