"""Secrets read back as DataJoint reads them, and never printed (issue 14)."""

from __future__ import annotations

import copy
import io
import json
import logging
import pickle
import pprint

import pytest

import datajoint_storage as dj
from datajoint_storage._redact import MASK, MaskedStr
from tests.helpers import Project

S3 = {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l"}


@pytest.fixture
def secret_project(project: Project) -> Project:
    project.write_config({"stores": {"main": dict(S3)}})
    project.write_secret("main", "access_key", "AK-canary")
    project.write_secret("main", "secret_key", "SK-canary\n")
    project.write_secret("vault", "token", "tok-canary")
    return project


def _every_rendering() -> str:
    stores = dj.config.stores
    main = stores["main"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("test-secrets-read-back")
    log.addHandler(handler)
    log.warning("stores %s main %r items %s", stores, main, list(main.items()))
    log.removeHandler(handler)
    return "\n".join(
        [
            repr(dj.config),
            str(dj.config),
            repr(stores),
            str(stores),
            f"{stores}",
            repr(main),
            repr(dict(main)),
            repr(dict(stores)),
            repr(stores.copy()),
            repr(copy.deepcopy(stores)),
            repr(list(main.items())),
            repr(list(main.values())),
            repr(main["secret_key"]),
            repr(dj.config["stores.main.secret_key"]),
            repr(stores["vault"]),
            pprint.pformat(stores),
            stream.getvalue(),
        ]
    )


def test_a_secret_reads_back_as_its_value(secret_project: Project) -> None:
    value = dj.config.stores["main"]["secret_key"]
    assert value == "SK-canary" and isinstance(value, str)
    assert str(value) == "SK-canary" and f"{value}" == "SK-canary" and value + "" == "SK-canary"
    assert dj.config["stores.main.access_key"] == "AK-canary"
    assert dj.config.stores["vault"] == {"token": "tok-canary"}  # a store of secrets only
    assert json.loads(json.dumps(dj.config.stores))["main"]["secret_key"] == "SK-canary"


def test_no_rendering_shows_a_secret(secret_project: Project) -> None:
    shown = _every_rendering()
    for canary in ("AK-canary", "SK-canary", "tok-canary"):
        assert canary not in shown
    assert MASK in shown


def test_a_secret_copied_out_and_assigned_back_stays_masked(project: Project) -> None:
    project.write_config({"stores": {"m": {"protocol": "memory"}}})
    project.write_secret("m", "stage", "STAGE-canary")  # a secret by its source, not its name
    saved = dj.config.stores.copy()
    dj.config.stores = {}
    dj.config.stores = saved
    assert dj.config.provenance("m")["stage"] == "runtime"
    assert dj.config.stores["m"]["stage"] == "STAGE-canary"
    assert dj.config.get_store_spec("m")["stage"] == "STAGE-canary"
    shown = "\n".join(
        [
            repr(dj.config),
            repr(dict(dj.config.stores["m"])),
            json.dumps(dj.config.get_store_spec("m", redact=True)),
            repr(dj.config.resolve("m")),
        ]
    )
    assert "STAGE-canary" not in shown and MASK in shown


def test_secrets_set_in_code_print_masked_too() -> None:
    dj.config.stores["r"] = {**S3, "access_key": "AK-code", "secret_key": "SK-code"}
    assert dj.config.stores["r"]["secret_key"] == "SK-code"
    assert "SK-code" not in repr(dict(dj.config.stores["r"])) + repr(dj.config)


@pytest.mark.parametrize("value", [["SK-list", "x"], {"k": "SK-dict"}, 424242, 4.5])
def test_a_secret_that_is_not_a_string_is_masked_too(value: object) -> None:
    dj.config.stores["r"] = {**S3, "secret_key": value}
    read = dj.config.stores["r"]["secret_key"]
    assert read == value
    shown = repr(dict(dj.config.stores["r"])) + repr(dj.config.stores) + repr(read)
    assert repr(value) not in shown and str(value) not in shown


def test_the_masked_string_pickles_and_copies_as_itself() -> None:
    value = MaskedStr("SK")
    for other in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
        assert other == "SK" and repr(other) == repr(MASK)
