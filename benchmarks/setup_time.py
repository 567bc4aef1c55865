"""First-run cost of the README's main command against the floor of any pip install.

The floor is what no project can beat: ``python3 -m venv`` plus ``pip install`` of our
runtime dependencies (pydantic, pydantic-settings, fsspec, python-dotenv, click). Ours is
``bash scripts/dev.sh quickstart`` on a copy of the committed tree, which builds its
``.venv`` and runs the quickstart. Both start with an empty pip cache of their own, so
both download what they install; rounds alternate floor and ours, and the ratio is of
medians measured in this one run. ``--test-env`` also times ``bash scripts/dev.sh env``
(the pinned test tools, the npm packages and DataJoint 2.3.5) once, on top of a finished
quickstart, as a user who goes on to run the tests pays it.

usage: python3 benchmarks/setup_time.py [--rounds N] [--test-env] [--write]
Needs only python3, git and network access to the package registries.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "SETUP-RESULTS.md"
RUNTIME = ["pydantic", "pydantic-settings", "fsspec", "python-dotenv", "click"]
TARGET = 2.0


def clean_env(cache: Path) -> dict[str, str]:
    keep = ("HOME", "PATH", "LANG")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(PIP_CACHE_DIR=str(cache), PIP_DISABLE_PIP_VERSION_CHECK="1", CI="true")
    return env


def timed(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def committed_tree(into: Path) -> Path:
    names = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def floor_round(work: Path) -> float:
    env = clean_env(work / "cache")
    venv_dir = work / "venv"
    return timed([sys.executable, "-m", "venv", str(venv_dir)], cwd=work, env=env) + timed(
        [str(venv_dir / "bin" / "python"), "-m", "pip", "install", "-q", *RUNTIME],
        cwd=work,
        env=env,
    )


def ours_round(work: Path) -> tuple[float, Path]:
    tree = committed_tree(work / "tree")
    env = clean_env(work / "cache")
    return timed(["bash", "scripts/dev.sh", "quickstart"], cwd=tree, env=env), tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--test-env", action="store_true")
    parser.add_argument("--write", action="store_true", help=f"record the run in {RESULTS.name}")
    args = parser.parse_args()
    floors: list[float] = []
    ours: list[float] = []
    test_env: float | None = None
    for round_no in range(args.rounds):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            floors.append(floor_round(Path(a)))
            seconds, tree = ours_round(Path(b))
            ours.append(seconds)
            if args.test_env and round_no == args.rounds - 1:
                test_env = timed(
                    ["bash", "scripts/dev.sh", "env"], cwd=tree, env=clean_env(Path(b) / "cache")
                )
            print(
                f"round {round_no + 1}: floor {floors[-1]:.1f} s, quickstart {ours[-1]:.1f} s",
                file=sys.stderr,
            )
    floor, mine = statistics.median(floors), statistics.median(ours)
    ratio = mine / floor
    lines = [
        "| figure | seconds (median) | runs |",
        "|---|---|---|",
        f"| floor: venv + pip install {' '.join(RUNTIME)} | {floor:.1f} | "
        + ", ".join(f"{x:.1f}" for x in floors)
        + " |",
        f"| `bash scripts/dev.sh quickstart`, first run | {mine:.1f} | "
        + ", ".join(f"{x:.1f}" for x in ours)
        + " |",
    ]
    if test_env is not None:
        lines.append(
            f"| `bash scripts/dev.sh env` after it (test tools, npm, DataJoint) | "
            f"{test_env:.1f} | 1 |"
        )
    verdict = "met" if ratio <= TARGET else "NOT met"
    closing = f"quickstart first run / floor: {ratio:.2f}x (at most {TARGET:.1f}x: {verdict})"
    print("\n".join(lines))
    print(closing)
    if args.write:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        RESULTS.write_text(
            "# Setup time: the quickstart's first run against the floor\n\n"
            f"Recorded by `python3 benchmarks/setup_time.py --test-env --write` on {stamp}, "
            f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}; each run with an empty pip cache.\n\n"
            + "\n".join(lines)
            + f"\n\n{closing}\n",
            encoding="utf-8",
        )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
