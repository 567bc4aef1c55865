"""The compiled fast path says what the model says: the same plain spec, the same refusals.

``compiled_spec.py`` reuses each model's field schemas as a dict validator and runs its
rules across keys on the dict; a store it cannot resolve goes through the model. These
tests hold the two side by side on hostile input, for every built-in adapter and for
adapters whose models the fast path must leave alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

import datajoint_storage as dj
from datajoint_storage.compiled_spec import across_keys, compiled_spec
from datajoint_storage.spec import StoreSpec, dump_spec, hidden_keys, spec_model_for
from tests.hardening.strategies import KNOWN_KEYS, json_values

BUILTINS = ("file", "memory", "s3", "gcs", "azure")

#: Values that sit on the branches: secrets, lists, empty strings, URLs with passwords,
#: prefixes that overlap, wrong types.
EDGE_VALUES = st.one_of(
    json_values,
    st.sampled_from(
        [
            "",
            "_hash",
            "_hash/sub",
            "_schema",
            "https://user:pw@proxy:3128",
            "AKIA0000000000000001",
            [2, 2],
            [],
            [0],
            8,
            0,
            True,
            "true",
            None,
            SecretStr("hunter2-secret"),
        ]
    ),
)


@st.composite
def raw_store(draw: Any, protocol: str) -> dict[str, Any]:
    store: dict[str, Any] = {"protocol": protocol}
    for key in draw(st.lists(st.sampled_from(KNOWN_KEYS), max_size=8, unique=True)):
        store[key] = draw(EDGE_VALUES)
    return store


def _both(adapter: Any, raw: dict[str, Any]) -> tuple[Any, Any]:
    model = spec_model_for(adapter)
    fast = compiled_spec(model, hidden_keys)
    assert fast is not None, f"{adapter!r}: the built-in model is not compiled"
    got = fast.plain(raw, fast.layout(tuple(raw), (), ()))
    if got is not None:  # what callers see: each list-holding key as a list again
        plain, lists = got
        got = ({k: list(v) if k in lists else v for k, v in plain.items()}, lists)
    try:
        expected = dump_spec(model.model_validate(raw), reveal=True)
    except ValidationError:
        expected = None
    return got, expected


@pytest.mark.parametrize("protocol", BUILTINS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_agrees_with_the_model(protocol: str, data: Any) -> None:
    adapter = dj.get_storage_adapter(protocol)
    raw = data.draw(raw_store(protocol))
    got, expected = _both(adapter, raw)
    if expected is None:
        assert got is None, f"the model refuses {raw!r}, the fast path accepts it"
        return
    assert got is not None, f"the model accepts {raw!r}, the fast path refuses it"
    plain, lists = got
    assert plain == expected
    assert list(plain) == list(expected)  # the same key order as DataJoint users see
    assert sorted(lists) == sorted(k for k, v in plain.items() if isinstance(v, list))
    assert not any(isinstance(v, SecretStr) for v in plain.values())


def test_rules_run_when_a_key_they_read_is_given() -> None:
    adapter = dj.get_storage_adapter("s3")
    base = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}
    assert _both(adapter, {**base, "access_key": "AKIA0000000000000001"}) == (None, None)
    assert _both(adapter, {**base, "schema_prefix": "_hash/x"}) == (None, None)
    got, expected = _both(adapter, {**base, "access_key": "A" * 20, "secret_key": "S" * 20})
    assert got is not None and got[0] == expected


def _adapter(base: type[StoreSpec] | None = None, **fields: Any) -> Any:
    class Probe(dj.StorageAdapter):
        protocol = "probe-compiled"
        required_keys = ("location",)
        allowed_keys = tuple(fields)
        key_fields = fields
        spec_base = base

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            return None

    return Probe()


def test_a_model_validator_of_a_plugin_keeps_the_model_path() -> None:
    class Picky(StoreSpec):
        @model_validator(mode="after")
        def _no_tmp(self) -> Picky:
            if self.location.startswith("/tmp"):
                raise ValueError("no /tmp")
            return self

    adapter = _adapter(Picky)
    assert compiled_spec(spec_model_for(adapter), hidden_keys) is None


def test_a_field_validator_of_a_plugin_runs_on_the_fast_path() -> None:
    class Even(StoreSpec):
        depth: int = 2

        @field_validator("depth")
        @classmethod
        def _even(cls, value: int) -> int:
            if value % 2:
                raise ValueError("depth must be even")
            return value

    adapter = _adapter(Even, depth=(int, Field(default=2)))
    model = spec_model_for(adapter)
    fast = compiled_spec(model, hidden_keys)
    assert fast is not None
    good = {"protocol": "probe-compiled", "location": "x", "depth": 4}
    bad = {**good, "depth": 3}
    assert fast.plain(good, fast.layout(tuple(good), (), ()))[0]["depth"] == 4  # type: ignore[index]
    assert fast.plain(bad, fast.layout(tuple(bad), (), ())) is None


def test_an_across_keys_rule_of_a_plugin_runs_on_both_paths() -> None:
    def check_pair(values: Any) -> None:
        if (values.get("user") is None) != (values.get("password") is None):
            raise ValueError("user and password come together")

    class Paired(StoreSpec):
        _pair = across_keys(check_pair, keys=("user", "password"))

    adapter = _adapter(Paired, user=(str, Field(default=None)), password=(str, Field(default=None)))
    got, expected = _both(adapter, {"protocol": "probe-compiled", "location": "x", "user": "u"})
    assert got is None and expected is None
    ok = {"protocol": "probe-compiled", "location": "x", "user": "u", "password": "p"}
    got, expected = _both(adapter, ok)
    assert got is not None and got[0] == expected


def test_config_results_agree_with_the_model_on_every_path(tmp_path: Any) -> None:
    """Through ``Config``: fast-path stores, slow-path stores and their provenance."""
    from datajoint_storage.settings import Config

    stores = {
        "a": {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"},
        "b": {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "m"},
        "c": {"protocol": "file", "location": str(tmp_path), "subfolding": [2, 2]},
        "d": {"protocol": "S3", "endpoint": "e", "bucket": "b", "location": "n"},
        "e": {
            "protocol": "s3",
            "endpoint": "https://u:pw-secret@h",
            "bucket": "b",
            "location": "o",
        },
    }
    config = Config(cwd=tmp_path, environ={})
    config.stores = stores
    for name, raw in stores.items():
        adapter = dj.get_storage_adapter(raw["protocol"].lower())
        model = spec_model_for(adapter)
        expected = dump_spec(
            model.model_validate({**raw, "protocol": adapter.protocol}), reveal=True
        )
        first = config.get_store_spec(name)
        assert first == expected
        if isinstance(first.get("subfolding"), list):
            first["subfolding"].append(99)  # the caller's own copy
        assert config.get_store_spec(name) == expected
        assert config.resolve(name).spec == model.model_validate(
            {**raw, "protocol": adapter.protocol}
        )
        assert set(config.provenance(name)) == set(expected)
    assert config.get_store_spec("e", redact=True)["endpoint"] != stores["e"]["endpoint"]


PLAIN_TYPED = st.sampled_from(["3", 3, 3.0, "yes", "true", True, 1, 0, None, "", [1]])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    store=st.dictionaries(
        st.sampled_from(("port", "flag", "note", "stage", "extra")),
        st.one_of(PLAIN_TYPED, PLAIN_TYPED, EDGE_VALUES),
        max_size=4,
    ),
    location=st.one_of(st.just("x"), EDGE_VALUES),
)
def test_a_plugin_with_plain_python_types_is_as_strict_on_both_paths(
    store: Any, location: Any
) -> None:
    """``int`` and ``bool`` keys refuse ``"3"`` and ``"yes"`` on the fast path too."""
    adapter = _adapter(port=int, flag=bool, note=(str, Field(default="n/a")))
    raw = {"protocol": "probe-compiled", "location": location, **store}
    got, expected = _both(adapter, raw)
    assert (got is None) == (expected is None), raw
    if got is not None:
        assert got[0] == expected
