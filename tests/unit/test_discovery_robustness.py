"""Discovery copes with what tests and real tools hand it (issue 14).

DataJoint's own tests pass entry-point stand-ins that only have ``name`` and ``load()``;
a distribution installed twice on ``sys.path`` is listed twice. Neither may break
discovery, and a plugin that fails is reported through ``logging`` as DataJoint does.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest

import datajoint_storage as dj
from datajoint_storage import registry
from tests.helpers import run_python
from tests.plugin_dist import make_distribution


class _Adapter(dj.StorageAdapter):
    protocol = "bare-ep"

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        return None


class _BareEntryPoint:
    """Only what DataJoint's discovery reads: a name and ``load()``."""

    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self._target = target

    def load(self) -> Any:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


@pytest.fixture
def fake_entry_points(fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    listed: list[Any] = []

    def entry_points(*, group: str | None = None) -> list[Any]:
        return listed if group == registry.GROUP else []

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    for protocol in [p for p in registry._adapters if p not in registry._runtime]:
        del registry._adapters[protocol]
    registry._pending = None
    registry._datajoint = None  # the plugin group is listed again, from the stand-ins
    return listed


def test_entry_points_without_value_or_dist_load(fake_entry_points: list[Any]) -> None:
    fake_entry_points.append(_BareEntryPoint("bare-ep", _Adapter))
    adapter = dj.get_storage_adapter("bare-ep")
    assert isinstance(adapter, _Adapter)
    info = registry.registered_adapters()["bare-ep"]
    assert (info.entry_point, info.distribution, info.version) == ("bare-ep", None, None)


def test_a_failing_entry_point_is_logged_and_warned_and_skipped(
    fake_entry_points: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    fake_entry_points += [
        _BareEntryPoint("broken", RuntimeError("boom")),
        _BareEntryPoint("bare-ep", _Adapter),
    ]
    with (
        caplog.at_level(logging.WARNING),
        pytest.warns(dj.AdapterLoadWarning, match="'broken'.*boom"),
    ):
        assert dj.get_storage_adapter("bare-ep") is not None
        assert dj.get_storage_adapter("broken") is None
    logged = [r for r in caplog.records if r.name == "datajoint_storage.registry"]
    assert [r.getMessage() for r in logged] == [
        "Failed to load storage adapter 'broken': RuntimeError: boom"
    ]
    assert logged[0].levelno == logging.WARNING


def test_the_same_entry_point_listed_twice_loads_once_without_a_warning(
    fake_entry_points: list[Any],
) -> None:
    first = _BareEntryPoint("bare-ep", _Adapter)
    fake_entry_points += [first, _BareEntryPoint("bare-ep", _Adapter)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dj.get_storage_adapter("bare-ep") is not None
    assert registry.adapter_failures() == {}


def test_an_unhashable_dist_stand_in_is_read(fake_entry_points: list[Any]) -> None:
    ep = _BareEntryPoint("bare-ep", _Adapter)
    ep.dist = {"unhashable": True}  # type: ignore[attr-defined]
    fake_entry_points.append(ep)
    assert dj.get_storage_adapter("bare-ep") is not None


def test_one_distribution_installed_twice_on_sys_path(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """
        import datajoint_storage as dj
        class Adapter(dj.StorageAdapter):
            protocol = "twice"
            def create_filesystem(self, spec):
                return None
        """
    )
    sites = [
        make_distribution(
            tmp_path / where,
            "dj-twice-storage",
            entry_points={"twice": "dj_twice_mod:Adapter"},
            modules={"dj_twice_mod": source},
            version=version,
        )
        for where, version in (("a", "1.0.0"), ("b", "1.1.0"))
    ]
    code = textwrap.dedent(
        """
        import json, warnings
        import datajoint_storage as dj
        from datajoint_storage import registry
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            adapter = dj.get_storage_adapter("twice")
            failures = list(registry.adapter_failures())
        print(json.dumps([adapter.protocol, [str(w.message) for w in caught], failures,
                          registry.registered_adapters()["twice"].version]))
        """
    )
    result = run_python(code, extra_path=sites)
    assert result.returncode == 0, result.stderr
    protocol, caught, failures, version = json.loads(result.stdout)
    assert (protocol, caught, failures) == ("twice", [], [])
    assert version == "1.0.0"  # the first one on sys.path, as Python imports it
