"""``check --timeout`` takes a positive, finite number of seconds; anything else is a
usage error (exit 2), in text and in ``--json``, never a traceback."""

from __future__ import annotations

import json

import pytest

from ._support import attack, cli_run

BAD = ["nan", "NaN", "-nan", "inf", "+inf", "-inf", "Infinity", "1e999", "-1", "0", "-0.0", "x"]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("as_json", [False, True])
def test_a_bad_timeout_is_a_usage_error(value: str, as_json: bool) -> None:
    args = ["--json", "check", "--timeout", value] if as_json else ["check", "--timeout", value]
    result = cli_run(*args)
    held = result.exit_code == 2 and "Traceback" not in result.output
    if as_json:
        document = json.loads(result.output)
        held = held and document["exit_code"] == 2 and document["error"] is not None
    attack("check --timeout usage", held, f"{value}: {result.exit_code}")
    assert held, result.output
