"""For every configuration DataJoint 2.3.5 accepts, get_store_spec returns its values;
where it refuses, we refuse. Upstream's answers are recorded in upstream-2.3.5.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import datajoint_storage as dj
from tests.compat.cases import CASES, DELIBERATE

RECORDED = json.loads((Path(__file__).parent / "upstream-2.3.5.json").read_text())["results"]


def ours(stores: dict[str, Any], store: str | None) -> dict[str, Any] | None:
    dj.config["stores"] = json.loads(json.dumps(stores))
    try:
        return dj.config.get_store_spec(store)
    except dj.DataJointError:
        return None


def test_every_case_was_recorded() -> None:
    assert sorted(RECORDED) == sorted(name for name, _, _ in CASES)


@pytest.mark.parametrize(("name", "stores", "store"), CASES, ids=[c[0] for c in CASES])
def test_same_answer_as_datajoint_2_3_5(name: str, stores: dict, store: str | None) -> None:
    upstream = RECORDED[name]
    spec = ours(stores, store)
    if "refused" in upstream:
        assert spec is None, f"DataJoint refuses {name!r}; so must we"
        return
    if name in DELIBERATE:
        assert spec is None, f"{name!r}: we refuse on purpose ({DELIBERATE[name]})"
        return
    assert spec is not None, f"DataJoint accepts {name!r}; so must we"
    expected = dict(upstream["spec"])
    assert spec["protocol"] == expected.pop("protocol").lower()
    spec.pop("protocol")
    # Keys DataJoint does not add may be absent or null on our side.
    unset_on_ours = {k for k, v in spec.items() if v is None and k not in expected}
    assert {k: v for k, v in spec.items() if k not in unset_on_ours} == expected
