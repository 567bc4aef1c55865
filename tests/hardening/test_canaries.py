"""Secret canaries: one secret, four sources, every output channel, every error kind.

A distinctive value goes into a secret field through one source at a time (runtime,
``DJ_STORES``, ``datajoint.json``, ``.secrets/``), under one error kind at a time.
Then everything that can print is collected: exception text (chain and formatted
traceback included), repr/str of every public object, warnings, DEBUG log records,
and every CLI command in text and ``--json`` mode, with and without ``--debug``.
The canary (or a fragment of it) must appear in none of it. ``get_store_spec``
without ``redact`` returns it by design (callers hand it to fsspec), so only that
return value is exempt. Each (source, kind, channel) text checked counts once.
"""

from __future__ import annotations

import json
import logging
import pprint
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import datajoint_storage as dj
from tests.helpers import Project

from ._support import FIGURES, LEAKS, cli_run

CANARY = "cnry-7Qx2-Lk93-Zp41-secret"
CANARY_NUMBER = 73182649501837465
#: The whole value and fragments of it: a truncated echo is a leak too.
MARKERS = (CANARY, CANARY[5:14], CANARY[10:22], str(CANARY_NUMBER), str(CANARY_NUMBER)[3:13])

SOURCES = ("runtime", "DJ_STORES", "datajoint.json", ".secrets/")
NAME = "s"

#: An endpoint botocore refuses when ``check`` first connects: a real SDK failure, at
#: once, without network or retries.
S3 = {"protocol": "s3", "endpoint": "http://bad host", "bucket": "b", "location": "l"}

#: A service-account document: scrubbing the whole value is not enough if an SDK quotes
#: a part of it. Its token_uri is a closed local port, so nothing leaves the machine.
GCS_TOKEN = json.dumps(
    {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "k1",
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{CANARY}\n-----END PRIVATE KEY-----\n",
        "client_email": "canary@p.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    }
)

#: kind -> (store without the secret, secret attribute, secret value)
KINDS: dict[str, tuple[dict[str, Any], str, Any]] = {
    "valid s3": ({**S3, "access_key": "AK"}, "secret_key", CANARY),
    "valid gcs": ({"protocol": "gcs", "bucket": "b", "location": "l"}, "token", GCS_TOKEN),
    "valid azure": (
        {"protocol": "azure", "container": "c", "location": "l"},
        "connection_string",
        CANARY,
    ),
    "unknown protocol": (
        {"protocol": "s4", "location": "l", "access_key": "AK"},
        "secret_key",
        CANARY,
    ),
    "missing key": (
        {"protocol": "s3", "endpoint": "e", "location": "l", "access_key": "AK"},
        "secret_key",
        CANARY,
    ),
    "invalid key": ({**S3, "access_key": "AK", "bukcet": "x"}, "secret_key", CANARY),
    "wrong type": (
        {**S3, "access_key": "AK", "location": 5, "secure": "yes"},
        "secret_key",
        CANARY,
    ),
    "secret holds a list": ({**S3, "access_key": "AK"}, "secret_key", [CANARY, "x"]),
    "secret holds a number": ({**S3, "access_key": "AK"}, "secret_key", CANARY_NUMBER),
    "half a credential pair": (dict(S3), "secret_key", CANARY),
    "adapter-declared secret key": ({"protocol": "leaky"}, "api_secret", CANARY),
    "backend failure": ({"protocol": "leaky", "fail": "create"}, "token", CANARY),
    "plugin rule failure": ({"protocol": "leaky", "fail": "validate"}, "token", CANARY),
}


class LeakyAdapter(dj.StorageAdapter):
    """A careless plugin: its errors quote every secret it was given."""

    protocol = "leaky"
    allowed_keys = ("token", "api_secret", "fail")
    secret_keys = ("api_secret",)

    def validate_spec(self, spec: dict[str, Any]) -> None:
        super().validate_spec(spec)
        if spec.get("fail") == "validate":
            raise ValueError(f"token {spec.get('token')} rejected")

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        if spec.get("fail") == "create":
            try:
                raise ConnectionError(f"server said: bad token {spec.get('token')!r}")
            except ConnectionError as inner:
                raise RuntimeError(f"login with {spec} failed") from inner
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem(skip_instance_cache=True)


def _secret_text(value: Any) -> str:
    """What a secret file holds for ``value`` (a file holds text, whatever the kind)."""
    return value if isinstance(value, str) else json.dumps(value)


def place(source: str, kind: str, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    store, attr, value = KINDS[kind]
    whole = {**store, attr: value}
    if source == "runtime":
        dj.config["stores"][NAME] = whole
    elif source == "DJ_STORES":
        monkeypatch.setenv("DJ_STORES", json.dumps({NAME: whole}))
    elif source == "datajoint.json":
        project.write_config({"stores": {NAME: whole}})
    else:
        project.write_config({"stores": {NAME: store}})
        project.write_secret(NAME, attr, _secret_text(value) + "\n")
    # A decoy every scenario reads: a secret file skipped with a warning (not UTF-8), so
    # the warnings channel always has something to say, next to the canary.
    if not (project.root / "datajoint.json").exists():
        project.write_config({})
    project.write_secret("decoy", "token", b"\xff" + CANARY.encode())


# -- channels ---------------------------------------------------------------------------


def _displayed_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exceptions Python shows for ``exc``: causes, and contexts not suppressed."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:
            current = current.__cause__
        elif not current.__suppress_context__:
            current = current.__context__
        else:
            current = None


def exception_texts(label: str, exc: BaseException) -> dict[str, str]:
    texts = {
        f"{label}: traceback": "".join(traceback.format_exception(exc)),
        f"{label}: args": repr(exc.args),
        f"{label}: attributes": repr(vars(exc)),
    }
    for depth, link in enumerate(_displayed_chain(exc)):
        texts[f"{label}: chain[{depth}] str"] = str(link)
        texts[f"{label}: chain[{depth}] repr"] = repr(link)
    for i, problem in enumerate(getattr(exc, "problems", ())):
        texts[f"{label}: problems[{i}]"] = f"{problem!s} {problem!r} {vars(problem)!r}"
    return texts


def _shown(label: str, value: Any) -> dict[str, str]:
    return {
        f"{label}: repr": repr(value),
        f"{label}: str": str(value),
        f"{label}: format": f"{value}",
        f"{label}: pprint": pprint.pformat(value),
    }


def library_texts(name: str) -> dict[str, str]:
    """Everything the library lets a caller print about store ``name``."""
    config = dj.config
    texts: dict[str, str] = {}
    exempt = "<returned; exempt by design>"
    calls: dict[str, Callable[[], Any]] = {
        "get_store_spec(redact=True)": lambda: config.get_store_spec(name, redact=True),
        "get_store_spec()": lambda: (config.get_store_spec(name), exempt)[1],
        "provenance": lambda: config.provenance(name),
        "problems": config.problems,
        "validate": config.validate,
        "resolve": lambda: config.resolve(name),
        "sources": config.sources,
        "store_names": config.store_names,
        "get_store": lambda: dj.get_store(name),
        "get_filesystem": lambda: (dj.get_filesystem(name), exempt)[1],
        "full_path": lambda: dj.get_store(name).full_path("a/b.dat"),
        "get_url": lambda: dj.get_store(name).get_url("a/b.dat"),
        "adapter": lambda: dj.get_store(name).adapter,
    }
    for label, call in calls.items():
        try:
            texts.update(_shown(label, call()))
        except dj.DataJointError as exc:
            texts.update(exception_texts(label, exc))
    texts.update(_shown("dj.config", config))
    view = config["stores"]
    texts.update(_shown("config['stores']", view))
    if name in view:
        texts.update(_shown("config['stores'][name]", view[name]))
    return texts


COMMANDS = (
    ("validate",),
    ("show",),
    ("show", "--origin"),
    ("show", NAME),
    ("adapters",),
    ("check", NAME, "--timeout", "5"),
    ("stores",),
    ("doctor",),
)
MODES = ((), ("--json",), ("--debug",), ("--json", "--debug"))


def cli_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for command in COMMANDS:
        for mode in MODES:
            args = [*mode, *command]
            result = cli_run(*args)
            label = "cli: " + " ".join(args)
            assert result.exit_code in (0, 1, 2), (label, result.output)
            if "--debug" not in mode:
                assert "Traceback" not in result.output, (label, result.output)
            if "--json" in mode:
                json.loads(result.stdout)  # one JSON document, even on failure
            texts[label] = result.output
    return texts


def _group(channel: str) -> str:
    for prefix, group in (("cli: ", "CLI"), ("warning[", "warnings"), ("log[", "DEBUG logs")):
        if channel.startswith(prefix):
            return group
    return "exceptions and reprs"


def record(source: str, kind: str, texts: dict[str, str]) -> None:
    FIGURES["canary combinations"] += len(texts)
    for channel, text in texts.items():
        FIGURES[f"canary combinations: {_group(channel)}"] += 1
        for marker in MARKERS:
            if marker in text:
                LEAKS.append(f"{source} x {kind} x {channel}: {text[:300]!r}")
                break


@pytest.fixture
def leaky(fresh_registry: None) -> None:
    dj.register_adapter(LeakyAdapter)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("source", SOURCES)
def test_no_channel_shows_the_canary(
    source: str,
    kind: str,
    leaky: None,
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9")  # gcsfs stays local
    place(source, kind, project, monkeypatch)
    before = len(LEAKS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = library_texts(NAME)
        if source != "runtime":  # a runtime assignment lives in this process only
            texts.update(cli_texts())
    for i, warning in enumerate(caught):
        texts[f"warning[{i}]"] = f"{warning.category.__name__}: {warning.message}"
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for i, log in enumerate(caplog.records):
        texts[f"log[{i}] {log.name}"] = formatter.format(log)
    record(source, kind, texts)
    assert LEAKS[before:] == [], "\n".join(LEAKS[before:])


@pytest.mark.filterwarnings("ignore:Secret file .*stores.decoy.token skipped")
@pytest.mark.parametrize("source", SOURCES)
def test_the_canary_is_really_there(
    source: str, leaky: None, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guard against a vacuous pass: the plain spec does carry the canary."""
    place(source, "valid s3", project, monkeypatch)
    assert dj.config.get_store_spec(NAME)["secret_key"] == CANARY


def test_the_checker_sees_a_fragment() -> None:
    saved = list(LEAKS)
    try:
        record("self-test", "probe", {"channel": f"x {CANARY[5:14]} y"})
        assert LEAKS[len(saved) :] == [
            f"self-test x probe x channel: {'x ' + CANARY[5:14] + ' y'!r}"
        ]
    finally:
        LEAKS[:] = saved
        FIGURES["canary combinations"] -= 1
        FIGURES["canary combinations: exceptions and reprs"] -= 1
