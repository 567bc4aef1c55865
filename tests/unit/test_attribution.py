"""Every problem names the store, the key and the source it is about.

``stores.default`` problems are under that key (not a key of the store it names);
cross-key rules name their keys; every overlapping prefix pair is reported, even next
to a type error; a plugin's own ``InvalidValueError(key=...)`` keeps its key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import datajoint_storage as dj
from tests.helpers import Project

S3 = {"protocol": "s3", "endpoint": "s3.example.org", "bucket": "b", "location": "l"}


def _problems(project: Project, stores: dict) -> tuple[Path, list[dj.StoreConfigError]]:
    path = project.write_config({"stores": stores})
    dj.config.reload()
    return path, dj.config.problems()


def test_a_bad_default_is_reported_under_stores_default(project: Project) -> None:
    path, (problem,) = _problems(project, {"default": "mian", "main": {"protocol": "memory"}})
    assert (problem.store, problem.key, problem.source) == (None, "stores.default", str(path))
    _, (problem,) = _problems(project, {"filepath_default": 3, "main": {"protocol": "memory"}})
    assert (problem.store, problem.key) == (None, "stores.filepath_default")


def test_every_overlapping_pair_is_reported_with_its_keys(project: Project) -> None:
    path, problems = _problems(
        project,
        {
            "m": {
                "protocol": "memory",
                "hash_prefix": "a",
                "schema_prefix": "a/b",
                "filepath_prefix": "a/b/c",
            }
        },
    )
    pairs = sorted(p.key for p in problems)
    assert pairs == ["hash_prefix", "hash_prefix", "schema_prefix"]
    assert all(p.store == "m" and p.source == str(path) for p in problems)
    messages = " | ".join(str(p) for p in problems)
    assert "hash_prefix 'a' and schema_prefix 'a/b' overlap" in messages
    assert "hash_prefix 'a' and filepath_prefix 'a/b/c' overlap" in messages
    assert "schema_prefix 'a/b' and filepath_prefix 'a/b/c' overlap" in messages


def test_an_overlap_is_reported_next_to_a_type_error(project: Project) -> None:
    _, problems = _problems(
        project,
        {"m": {"protocol": "memory", "token_length": "abc", "filepath_prefix": "_hash/raw"}},
    )
    assert sorted(p.key for p in problems) == ["filepath_prefix", "token_length"]
    overlap = next(p for p in problems if p.key == "filepath_prefix")
    assert "hash_prefix '_hash' and filepath_prefix '_hash/raw' overlap" in str(overlap)


def test_half_s3_credentials_name_the_key_and_its_source(project: Project) -> None:
    path = project.write_config({"stores": {"raw": S3}})
    secret = project.write_secret("raw", "access_key", "AKIA-canary")
    (problem,) = dj.config.problems()
    assert str(problem).startswith("Incomplete S3 credentials: access_key is set")
    assert (problem.store, problem.key, problem.source) == ("raw", "access_key", str(secret))
    assert str(path) not in str(problem)  # only the sources of the keys involved
    assert "AKIA-canary" not in str(problem)


def test_a_plugins_own_key_is_kept(project: Project, fresh_registry: None) -> None:
    class Checked(dj.StorageAdapter):
        protocol = "checked"
        required_keys = ("volume",)
        allowed_keys = ("volume",)

        def create_filesystem(self, spec):  # pragma: no cover - never called
            raise NotImplementedError

        def validate_spec(self, spec):
            if not str(spec["volume"]).startswith("/Volumes/"):
                raise dj.InvalidValueError("volume must start with /Volumes/", key="volume")

    dj.register_adapter(Checked())
    path, (problem,) = _problems(project, {"c": {"protocol": "checked", "volume": "x"}})
    assert (problem.store, problem.key, problem.source) == ("c", "volume", str(path))


@pytest.mark.parametrize("stores", [{"m": {"protocol": "memory", "hash_prefix": "x"}}])
def test_a_valid_store_has_no_problem(project: Project, stores: dict) -> None:
    assert _problems(project, stores)[1] == []
