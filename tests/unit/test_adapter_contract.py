"""The StorageAdapter base class: defaults, validate_spec messages, the pydantic model."""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from pydantic import SecretStr

import datajoint_storage as dj
from datajoint_storage.spec import COMMON_KEYS


class VaultAdapter(dj.StorageAdapter):
    protocol = "vault"
    required_keys = ("server", "volume", "token")
    allowed_keys = ("server", "volume", "token", "region")

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()


def test_defaults_of_full_path_and_get_url() -> None:
    adapter = VaultAdapter()
    assert adapter.full_path({"location": "exp/2026"}, "a/b.npy") == "exp/2026/a/b.npy"
    assert adapter.full_path({"location": ""}, "a/b.npy") == "a/b.npy"
    assert adapter.full_path({}, "a/b.npy") == "a/b.npy"
    assert adapter.get_url({}, "exp/a") == "vault://exp/a"


def test_create_filesystem_is_abstract() -> None:
    class Incomplete(dj.StorageAdapter):
        protocol = "incomplete"

    with pytest.raises(TypeError):
        Incomplete()  # type: ignore[abstract]


def test_validate_spec_names_every_missing_key_in_one_message() -> None:
    with pytest.raises(dj.MissingKeysError) as info:
        VaultAdapter().validate_spec({"protocol": "vault"})
    assert str(info.value).startswith("vault store is missing: server, volume, token")


def test_validate_spec_names_every_invalid_key_in_one_message() -> None:
    spec = {"protocol": "vault", "server": "s", "volume": "v", "token": "t", "x": 1, "y": 2}
    with pytest.raises(dj.InvalidKeysError) as info:
        VaultAdapter().validate_spec(spec)
    assert str(info.value).startswith("Invalid key(s) for vault: x, y")


def test_validate_spec_reports_missing_and_invalid_together() -> None:
    with pytest.raises(dj.DataJointError) as info:
        VaultAdapter().validate_spec({"protocol": "vault", "server": "s", "colour": 1})
    text = str(info.value)
    assert "vault store is missing: volume, token" in text
    assert "Invalid key(s) for vault: colour" in text


def test_common_keys_are_always_allowed() -> None:
    spec = {
        "protocol": "vault",
        "server": "s",
        "volume": "v",
        "token": "t",
        "location": "l",
        "subfolding": [2, 2],
        "partition_pattern": "subject_id",
        "token_length": 10,
        "hash_prefix": "h",
        "schema_prefix": "s",
        "filepath_prefix": "f",
        "stage": "anything",
    }
    assert set(COMMON_KEYS) <= set(spec)
    VaultAdapter().validate_spec(spec)  # no exception


def test_spec_model_is_built_once_and_shared() -> None:
    model = VaultAdapter.spec_model
    assert VaultAdapter().spec_model is model
    assert VaultAdapter.spec_model is model
    assert model.model_config["extra"] == "forbid"
    assert set(model.model_fields) == set(COMMON_KEYS) | {"server", "volume", "token", "region"}


def test_secret_keys_are_typed_as_secrets() -> None:
    spec = VaultAdapter.spec_model.model_validate(
        {"protocol": "vault", "server": "s", "volume": "v", "token": "hunter2-canary"}
    )
    assert isinstance(spec.token, SecretStr)
    assert "hunter2-canary" not in repr(spec)
    assert spec.token.get_secret_value() == "hunter2-canary"


@pytest.mark.parametrize("bad_secret", [["hunter2-canary"], {"v": "hunter2-canary"}, 12345678])
def test_a_wrong_type_in_a_secret_never_echoes_it(bad_secret: Any) -> None:
    spec = {"protocol": "vault", "server": "s", "volume": "v", "token": bad_secret}
    with pytest.raises(dj.InvalidValueError) as info:
        VaultAdapter().validate_spec(spec)
    formatted = "".join(traceback.format_exception(info.value))
    assert "token" in str(info.value)
    for needle in ("hunter2-canary", "12345678"):
        assert needle not in formatted
    assert info.value.__cause__ is None


def test_richer_key_types_and_defaults_from_key_fields() -> None:
    from pydantic import Field, StrictBool

    class Typed(VaultAdapter):
        protocol = "typed"
        key_fields = {"region": (StrictBool, Field(default=True, description="d"))}

    spec = Typed.spec_model.model_validate(
        {"protocol": "typed", "server": "s", "volume": "v", "token": "t"}
    )
    assert spec.region is True
    with pytest.raises(dj.InvalidValueError, match="region"):
        Typed().validate_spec(
            {"protocol": "typed", "server": "s", "volume": "v", "token": "t", "region": "yes"}
        )


def test_key_tuples_must_hold_names() -> None:
    with pytest.raises(dj.DataJointError, match="required_keys"):

        class Broken(dj.StorageAdapter):
            protocol = "broken"
            required_keys = "bucket"  # type: ignore[assignment]

            def create_filesystem(self, spec: dict[str, Any]) -> Any:
                return None


def test_field_constraints_of_key_fields_are_kept() -> None:
    from pydantic import Field, StrictStr

    class Constrained(VaultAdapter):
        protocol = "constrained"
        key_fields = {
            "server": (StrictStr, Field(pattern=r"^https://", description="d")),
            "region": (int, Field(gt=0, description="r")),
        }

    base = {"protocol": "constrained", "volume": "v", "token": "t"}
    Constrained().validate_spec({**base, "server": "https://x", "region": 2})
    with pytest.raises(dj.InvalidValueError, match="server"):
        Constrained().validate_spec({**base, "server": "ftp://x"})
    with pytest.raises(dj.InvalidValueError, match="region"):
        Constrained().validate_spec({**base, "server": "https://x", "region": 0})
    assert Constrained.spec_model.model_fields["region"].default is None
