"""Both sides of the comparison: DataJoint 2.3.5 (one subprocess for every case) and us."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

from datajoint_storage.errors import ConfigSourceError, DataJointError
from datajoint_storage.settings import Config
from tests.compat.differential.upstream import datajoint_python

PROBE = Path(__file__).with_name("upstream_probe.py")


def ask_datajoint(cases: list[dict[str, Any]], quiet: Path) -> list[dict[str, Any]]:
    """DataJoint 2.3.5's answer for every case, from one subprocess."""
    env = {k: v for k, v in os.environ.items() if k[:3].upper() != "DJ_"}
    result = subprocess.run(
        [str(datajoint_python()), str(PROBE)],
        input=json.dumps({"quiet_dir": str(quiet), "cases": cases}),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def ask_us(case: dict[str, Any]) -> dict[str, Any]:
    """Our answer for one case: per asked store, accepted (with spec) or the problems."""
    with warnings.catch_warnings():  # skipped secret files: they are ConfigWarnings too
        warnings.simplefilter("ignore")
        return _ask_us(case)


def _ask_us(case: dict[str, Any]) -> dict[str, Any]:
    config = Config(cwd=Path(case["cwd"]), environ=case["env"])
    with contextlib.ExitStack() as scope:
        try:
            for step in case["runtime"]:
                if step[0] == "set":
                    config["stores"][step[1]] = step[2]
                elif step[0] == "block":
                    config["stores"] = step[1]
                elif step[0] == "override":  # the stores asked about inside the ``with``
                    scope.enter_context(config.override(stores=step[1]))
                elif step[0] == "edit" and isinstance(config["stores"].get(step[1]), dict):
                    config["stores"][step[1]][step[2]] = step[3]
            problems = config.problems()
            found = config.warnings()
        except ConfigSourceError as exc:
            return {"source_error": exc}
        return _answers(config, case, problems, found)


def _answers(config: Config, case: dict[str, Any], problems: list, found: list) -> dict:
    answers = {}
    for name, flag in case["ask"]:
        key = json.dumps([name, flag])
        try:
            spec = config.get_store_spec(name, use_filepath_default=flag)
        except DataJointError as exc:
            answers[key] = {"accepted": False, "problems": _problems_of(exc)}
            continue
        target = (
            name
            if name is not None
            else config._default_name("filepath_default" if flag else "default")[0]
        )
        late = [p for p in problems if p.store == target]
        answers[key] = (
            {"accepted": False, "problems": late}
            if late
            else {"accepted": True, "spec": json.loads(json.dumps(spec, default=str))}
        )
    return {"stores": answers, "warnings": found}


def _problems_of(exc: DataJointError) -> list[Any]:
    return list(getattr(exc, "problems", None) or [exc])
