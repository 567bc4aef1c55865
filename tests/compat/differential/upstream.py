"""Where DataJoint 2.3.5's own interpreter is: ``.venv-datajoint``, built by dev.sh."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VENV = REPO / ".venv-datajoint"


def datajoint_python() -> Path:
    """The interpreter with ``datajoint==2.3.5``; fails (never skips) when it is missing."""
    python = VENV / "bin" / "python"
    if not python.is_file():
        pytest.fail(
            f"{python} is missing: the comparison with DataJoint 2.3.5 needs it; "
            "run `bash scripts/dev.sh test`, which installs it (pinned by "
            "requirements/datajoint.txt)",
            pytrace=False,
        )
    return python
