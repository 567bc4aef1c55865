"""Shared pieces of the hardening tests: a throwaway project, the env, the public API.

Hypothesis runs many examples inside one test, so function-scoped fixtures cannot
reset state between them; :func:`sandbox` does it per example instead.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

import datajoint_storage as dj
from datajoint_storage.settings import Config

#: Examples per property test; raise locally with HARDENING_FUZZ_EXAMPLES=2000.
EXAMPLES = int(os.environ.get("HARDENING_FUZZ_EXAMPLES", "120"))

#: Fixed seed (derandomize) and no example database: the same examples on every run.
#: HARDENING_FUZZ_RANDOM=1 explores new examples instead (for a local bug hunt).
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("HARDENING_FUZZ_RANDOM") != "1",
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

#: Figures the closing note reports; printed by this folder's conftest at the end.
FIGURES: collections.Counter[str] = collections.Counter()
LEAKS: list[str] = []
#: Attacks per class: class -> [tried, held, broke]; see :func:`attack`.
ATTACKS: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])


def attack(kind: str, held: bool, what: str = "") -> bool:
    """Count one attack of class ``kind``; a break is also listed (and fails its test)."""
    row = ATTACKS[kind]
    row[0] += 1
    row[1 if held else 2] += 1
    if not held:
        LEAKS.append(f"{kind}: {what}"[:300])
    return held


FS_PROTOCOLS = ("memory", "file")


@contextlib.contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for one example."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def project_dir(
    *, config_bytes: bytes | None = None, secrets: Mapping[str, bytes] | None = None
) -> Iterator[Path]:
    """A throwaway project root (``.git``, optional datajoint.json and .secrets/)."""
    with tempfile.TemporaryDirectory(prefix="dj-hardening-") as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        if config_bytes is not None:
            (root / "datajoint.json").write_bytes(config_bytes)
        if secrets:
            folder = root / ".secrets"
            folder.mkdir()
            for name, content in secrets.items():
                (folder / name).write_bytes(content)
        yield root


@contextlib.contextmanager
def sandbox(
    *,
    config_bytes: bytes | None = None,
    secrets: Mapping[str, bytes] | None = None,
    dj_stores: str | None = None,
) -> Iterator[Config]:
    """A fresh project and its Config, with ``DJ_STORES`` set for the example."""
    # The store cache is left alone on purpose: new Configs often reuse the id() of dead
    # ones, which is exactly what the cache must not be fooled by.
    with (
        project_dir(config_bytes=config_bytes, secrets=secrets) as root,
        environment(DJ_STORES=dj_stores),
    ):
        yield Config(cwd=root)


def _attempt(call: Callable[[], Any]) -> Any:
    """Run ``call``; a DataJointError is an accepted answer, anything else propagates."""
    try:
        return call()
    except dj.DataJointError as exc:
        return exc


def exercise(config: Config, names: list[Any] | None = None) -> list[Any]:
    """Every public read of ``config``; returns what each produced (values or errors).

    Only :class:`DataJointError` is swallowed, so any other exception fails the test.
    """
    out: list[Any] = [
        _attempt(lambda: repr(config)),
        _attempt(lambda: str(config)),
        _attempt(config.sources),
        _attempt(config.problems),
        _attempt(config.validate),
        _attempt(config.get_store_spec),
        _attempt(partial(config.get_store_spec, use_filepath_default=True)),
        _attempt(partial(config.get_store_spec, redact=True)),
    ]
    view = _attempt(lambda: config["stores"])
    out.append(_attempt(partial(repr, view)))
    found = _attempt(config.store_names)
    if isinstance(found, dj.DataJointError):
        return out
    if not isinstance(view, dj.DataJointError):
        out += [_attempt(partial(_shown_entry, view, entry)) for entry in list(view)]
    for name in [*found, *(names or [])]:
        out += [
            _attempt(partial(config.get_store_spec, name)),
            _attempt(partial(config.get_store_spec, name, redact=True)),
            _attempt(partial(config.provenance, name)),
            _attempt(partial(_shown_resolved, config, name)),
        ]
        store = _attempt(partial(dj.get_store, name, config=config))
        if not isinstance(store, dj.DataJointError):
            out += _exercise_store(config, name, store)
    return out


def _shown_entry(view: Any, entry: Any) -> str:
    return repr(view[entry])


def _shown_resolved(config: Config, name: Any) -> str:
    return repr(config.resolve(name))


def _exercise_store(config: Config, name: Any, store: dj.Store) -> list[Any]:
    out = [_attempt(partial(repr, store)), _attempt(partial(str, store))]
    if store.protocol in FS_PROTOCOLS:
        out += [
            _attempt(partial(dj.get_filesystem, name, config=config)),
            _attempt(partial(store.full_path, "a/b.dat")),
            _attempt(partial(store.get_url, "a/b.dat")),
        ]
    return out


def as_json_bytes(document: Any) -> bytes:
    """``json.dumps`` as the file would hold it (NaN and Infinity included, as Python writes)."""
    return json.dumps(document).encode("utf-8")


def cli_run(*args: str, env: Mapping[str, str] | None = None) -> Any:
    """Run ``datajoint-storage`` in process; an exception escaping its boundary fails."""
    from click.testing import CliRunner

    from datajoint_storage.cli import cli

    return CliRunner(catch_exceptions=False).invoke(cli, list(args), env=dict(env or {}))
