"""Differential test: our verdict on generated projects against DataJoint 2.3.5's own.

Every (case, store) pair, the default stores included, falls in one class:

- ``same``: both accept with the same values, or both refuse;
- ``refuse: <rule>``: we refuse where DataJoint accepts, for a reason listed in
  ``datajoint_rules.REFUSAL_RULES`` (DataJoint fails or misreads later);
- ``warn: <rule>``: we accept where DataJoint refuses or reads other values, and a
  warning for that store (or for the whole configuration) says so.

Anything else fails the test. DataJoint answers from its own interpreter
(``.venv-datajoint``), all cases in one subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from datajoint_storage.datajoint_rules import READS_OTHERWISE, refusal_rule
from datajoint_storage.errors import ConfigSourceError, DataJointError
from datajoint_storage.settings import Config
from tests.compat.differential.generator import generate, materialize
from tests.compat.differential.upstream import datajoint_python

CASES = int(os.environ.get("DIFFERENTIAL_CASES", "400"))
SEED = int(os.environ.get("DIFFERENTIAL_SEED", "20261201"))
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
    try:
        for step in case["runtime"]:
            if step[0] == "set":
                config["stores"][step[1]] = step[2]
            elif step[0] == "block":
                config["stores"] = step[1]
            elif step[0] == "edit" and isinstance(config["stores"].get(step[1]), dict):
                config["stores"][step[1]][step[2]] = step[3]
        problems = config.problems()
        found = config.warnings()
    except ConfigSourceError as exc:
        return {"source_error": exc}
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


def _same_values(theirs: dict[str, Any], ours: dict[str, Any]) -> bool:
    theirs = dict(theirs)
    ours = dict(ours)
    if str(theirs.pop("protocol", "")).lower() != ours.pop("protocol", None):
        return False
    # Keys DataJoint does not add may be absent or null on our side.
    ours = {k: v for k, v in ours.items() if k in theirs or v is not None}
    return theirs == ours


def _disagree(theirs: dict[str, Any], mine: dict[str, Any]) -> bool:
    if theirs["accepted"] != mine["accepted"]:
        return True
    return theirs["accepted"] and not _same_values(theirs["spec"], mine["spec"])


def classify(theirs_case: dict[str, Any], ours: dict[str, Any], key: str) -> str:
    """The class of one (case, store) pair; ``unlisted: ...`` when no rule explains it."""
    name = json.loads(key)[0]
    theirs = (
        theirs_case["stores"][key]
        if theirs_case["built"]
        else {"accepted": False, "why": theirs_case["why"]}
    )
    if "source_error" in ours:
        if not theirs["accepted"]:
            return "same"
        rule = refusal_rule(ours["source_error"])
        return f"refuse: {rule.name}" if rule else f"unlisted: source error {ours['source_error']}"
    mine = ours["stores"][key]
    # A warning counts for the store asked about: its own, or the whole configuration's
    # (store None), which includes the default entries' own.
    warned = [w for w in ours["warnings"] if w.store is None or w.store == name]
    if _disagree(theirs, mine) and any(w.rule in READS_OTHERWISE for w in warned):
        # DataJoint reads other input for this store (a flat key it drops, .env...).
        return "warn: " + next(w.rule for w in warned if w.rule in READS_OTHERWISE)
    protocol_case = (
        theirs["accepted"]
        and theirs["spec"].get("protocol") != str(theirs["spec"].get("protocol")).lower()
    )
    if theirs["accepted"] and mine["accepted"]:
        if _same_values(theirs["spec"], mine["spec"]) and not protocol_case:
            return "same"
        if warned:
            return f"warn: {warned[0].rule}"
        return f"unlisted: values differ {theirs['spec']} vs {mine['spec']}"
    if not theirs["accepted"] and not mine["accepted"]:
        return "same"
    if mine["accepted"]:
        if warned:
            return f"warn: {warned[0].rule}"
        return f"unlisted: DataJoint refuses ({theirs['why']}), we accept silently"
    if protocol_case:
        return "refuse: protocol-case"  # DataJoint fails at first use anyway
    rules = [refusal_rule(p) for p in mine["problems"]]
    if all(rules):
        return f"refuse: {rules[0].name}"
    unexplained = [str(p) for p, r in zip(mine["problems"], rules, strict=True) if r is None]
    return f"unlisted: we refuse ({unexplained[0][:200]}), DataJoint accepts {theirs['spec']}"


def test_every_difference_from_datajoint_is_a_listed_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / ".git").mkdir()
    generated = [generate(SEED + i) for i in range(CASES)]
    cases = [materialize(g, tmp_path / f"case{i}") for i, g in enumerate(generated)]
    theirs = ask_datajoint(cases, quiet)
    counts: Counter[str] = Counter()
    unlisted = []
    for i, (case, answer) in enumerate(zip(cases, theirs, strict=True)):
        ours = ask_us(case)
        for asked in case["ask"]:
            key = json.dumps(asked)
            verdict = classify(answer, ours, key)
            counts[verdict.split(" (")[0] if verdict.startswith("unlisted") else verdict] += 1
            if verdict.startswith("unlisted"):
                unlisted.append(f"case {i} (seed {generated[i].seed}) {key}: {verdict}")
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\ndifferential: {CASES} cases, {sum(counts.values())} (case, store) pairs, "
            f"{seconds:.1f} s"
        )
        for verdict, count in sorted(counts.items()):
            print(f"  {count:5d}  {verdict}")
    assert not unlisted, "\n".join(unlisted[:25])
