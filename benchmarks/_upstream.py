"""DataJoint itself, in a virtual environment of its own, created on first use.

Keeping it out of ``.venv`` means neither side's import sees the other's packages
(DataJoint pulls in numpy, pandas and friends; we must not be measured with them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = "datajoint"
VERSION = "2.3.5"
VENV = Path(__file__).resolve().parent / ".venv-upstream"


def python() -> Path:
    return VENV / "bin" / "python"


def installed_version() -> str | None:
    """The datajoint version in the upstream venv, or None if it is not usable."""
    if not python().exists():
        return None
    result = subprocess.run(
        [str(python()), "-c", f"import importlib.metadata as m; print(m.version({PACKAGE!r}))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None if result.returncode == 0 else None


def ensure() -> Path:
    """The upstream interpreter, with ``datajoint==VERSION`` installed."""
    if installed_version() == VERSION:
        return python()
    base = getattr(sys, "_base_executable", None) or sys.executable
    if not python().exists():
        print(f"[bench] creating {VENV}", file=sys.stderr)
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    print(f"[bench] installing {PACKAGE}=={VERSION} into {VENV}", file=sys.stderr)
    subprocess.run(
        [
            str(python()),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"{PACKAGE}=={VERSION}",
        ],
        check=True,
    )
    found = installed_version()
    if found != VERSION:
        raise SystemExit(f"[bench] expected {PACKAGE}=={VERSION} in {VENV}, found {found}")
    return python()
