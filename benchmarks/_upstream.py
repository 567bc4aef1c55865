"""DataJoint itself, in the virtual environment of its own that ``scripts/dev.sh`` builds.

Keeping it out of ``.venv`` means neither side's import sees the other's packages
(DataJoint pulls in numpy, pandas and friends; we must not be measured with them).
``bash scripts/dev.sh bench`` installs it, pinned by ``requirements/datajoint.txt``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

PACKAGE = "datajoint"
VERSION = "2.3.5"
VENV = Path(__file__).resolve().parent.parent / ".venv-datajoint"


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
    found = installed_version()
    if found != VERSION:
        raise SystemExit(
            f"[bench] expected {PACKAGE}=={VERSION} in {VENV}, found {found}: "
            "run `bash scripts/dev.sh bench`, which installs it"
        )
    return python()
