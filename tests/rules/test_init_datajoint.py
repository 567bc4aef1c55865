"""``datajoint-storage init`` writes a starter that DataJoint 2.3.5 itself accepts."""

from __future__ import annotations

import json

from tests._cli_support import invoke
from tests.compat.differential.test_against_datajoint import ask_datajoint
from tests.helpers import Project


def test_the_starter_is_accepted_by_datajoint_2_3_5(project: Project, tmp_path) -> None:
    assert invoke("init").exit_code == 0
    document = json.loads((project.root / "datajoint.json").read_text())
    location = document["stores"]["main"]["location"]
    assert not location.startswith("/")  # nothing of this machine in a committed file
    assert (project.root / location).is_dir()
    quiet = tmp_path / "quiet"
    (quiet / ".git").mkdir(parents=True)
    case = {
        "cwd": str(project.root),
        "env": {},
        "runtime": [],
        "ask": [["main", False], [None, False]],
    }
    [answer] = ask_datajoint([case], quiet)
    assert answer["built"], answer
    assert all(store["accepted"] for store in answer["stores"].values()), answer
    run = invoke("validate", "--strict")
    assert run.exit_code == 0, run.output
