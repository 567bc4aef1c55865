"""Property tests: whatever any source holds, only a DataJointError leaves the public API.

One property per source (runtime assignments, ``DJ_STORES`` text, ``datajoint.json``
text and bytes, secret file bytes), plus all four at once. ``exercise`` calls every
public read and lets nothing but ``DataJointError`` through.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import datajoint_storage as dj

from ._support import FIGURES, FUZZ, as_json_bytes, exercise, sandbox
from .strategies import (
    datajoint_documents,
    env_text,
    json_values,
    runtime_names,
    runtime_stores,
    secret_contents,
    secret_file_names,
    store_names,
    store_values,
    stores_blocks,
)

# Skipped secret files warn; expected here (their text is checked by the canary tests).
pytestmark = pytest.mark.filterwarnings(
    "ignore::datajoint_storage.settings.sources.secrets_dir.SecretsWarning"
)


@FUZZ
@given(
    assignments=st.lists(st.tuples(runtime_names, runtime_stores()), max_size=4),
    how=st.sampled_from(["one by one", "whole block", "override"]),
)
def test_runtime_assignments(assignments: list[tuple[Any, Any]], how: str) -> None:
    FIGURES["fuzz examples: runtime"] += 1
    with sandbox() as config:
        if how == "whole block":  # config["stores"] = {...} replaces the block
            with contextlib.suppress(dj.DataJointError):
                config["stores"] = dict(assignments)
        elif how == "one by one":
            for name, value in assignments:
                with contextlib.suppress(dj.DataJointError):
                    config["stores"][name] = value
        else:
            config["stores"]["kept"] = {"protocol": "memory"}
            try:
                with config.override(stores=dict(assignments)):
                    exercise(config, [name for name, _ in assignments])
            except dj.DataJointError:
                pass
            assert config.get_store_spec("kept")["protocol"] == "memory"
        exercise(config, [name for name, _ in assignments])


@FUZZ
@given(text=st.one_of(stores_blocks.map(json.dumps), json_values.map(json.dumps), env_text))
def test_dj_stores_text(text: str) -> None:
    FIGURES["fuzz examples: DJ_STORES"] += 1
    with sandbox(dj_stores=text) as config:
        exercise(config)


@FUZZ
@given(
    content=st.one_of(
        datajoint_documents().map(as_json_bytes),
        datajoint_documents().map(as_json_bytes),
        st.binary(max_size=300),
        st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_datajoint_json_text(content: bytes) -> None:
    FIGURES["fuzz examples: datajoint.json"] += 1
    with sandbox(config_bytes=content) as config:
        exercise(config)


@FUZZ
@given(
    files=st.dictionaries(secret_file_names, secret_contents, max_size=6),
    block=st.one_of(st.none(), stores_blocks),
)
def test_secret_file_bytes(files: dict[str, bytes], block: dict[str, Any] | None) -> None:
    FIGURES["fuzz examples: .secrets/"] += 1
    document = None if block is None else as_json_bytes({"stores": block})
    with sandbox(config_bytes=document or b"{}", secrets=files) as config:
        exercise(config, ["main", "s"])


@FUZZ
@given(
    runtime=st.lists(st.tuples(store_names, store_values), max_size=2),
    env=st.one_of(st.none(), stores_blocks.map(json.dumps)),
    document=datajoint_documents(),
    files=st.dictionaries(secret_file_names, secret_contents, max_size=3),
)
def test_all_sources_at_once(
    runtime: list[tuple[str, Any]], env: str | None, document: Any, files: dict[str, bytes]
) -> None:
    FIGURES["fuzz examples: all four sources"] += 1
    with sandbox(config_bytes=as_json_bytes(document), secrets=files, dj_stores=env) as config:
        for name, value in runtime:
            config["stores"][name] = value
        exercise(config)
