"""Redaction by construction: by key in structures, by substring (every variant) in
free text, the short-secret floor, secret keys in any spelling, SDK logs, fingerprints.

Each test attacks a class with many variants; each variant is one counted attack.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

import datajoint_storage as dj
from datajoint_storage.backend_errors import BackendGuard
from datajoint_storage.redaction import (
    MASK,
    MIN_FREE_TEXT,
    SDK_LOGGERS,
    Scrubber,
    forget_secrets,
    is_secret_key,
    mask_mapping,
    mask_url,
    secret_keys_of,
)
from datajoint_storage.settings import Config
from tests.helpers import Project

from ._support import FUZZ, attack, cli_run, environment

# -- structured output: by key only ------------------------------------------------------


def _storesenvironment(stores: dict[str, Any]) -> dict[str, str]:
    return {"DJ_STORES": json.dumps(stores)}


@pytest.mark.parametrize("command", ["show", "stores", "validate"])
@pytest.mark.parametrize("as_json", [True, False])
def test_a_store_named_like_its_secret_keeps_its_name_and_bucket(
    project: Project, command: str, as_json: bool
) -> None:
    stores = {
        "minio": {
            "protocol": "s3",
            "endpoint": "localhost:9000",
            "bucket": "minio-bucket",
            "location": "minio/data",
            "access_key": "minio",
            "secret_key": "f",
        }
    }
    args = [command, "--json"] if as_json else [command]
    result = cli_run(*args, env=_storesenvironment(stores))
    out = result.output
    words = ("minio", "minio-bucket", "minio/data") if command == "show" else ("minio",)
    for word in words:
        attack("structured output by key", word in out, f"{command} lost {word!r}")
        assert word in out
    attack("structured output by key", f"f{MASK}" not in out, "'failed' rewritten")
    assert f"f{MASK}" not in out and f"{MASK}-bucket" not in out
    if as_json:
        document = json.loads(out)  # valid JSON, keys intact
        held = "minio" in json.dumps(document)
        attack("structured output by key", held, "JSON key corrupted")
        if command == "show":
            spec = document["result"]["stores"]["minio"]["spec"]
            assert spec["bucket"] == "minio-bucket"
            assert spec["access_key"] == MASK and spec["secret_key"] == MASK


SECRET_KEY_SPELLINGS = [
    "access_key",
    "ACCESS_KEY",
    "Access_Key",
    "accessKey",
    "AccessKey",
    "access-key",
    "secretKey",
    "SECRET_KEY",
    "connectionString",
    "CONNECTION_STRING",
    "accountKey",
    "PASSWORD",
    "Token",
    "secret_kye",
]


@pytest.mark.parametrize("key", SECRET_KEY_SPELLINGS)
def test_secret_keys_are_known_in_any_case_and_spelling(key: str) -> None:
    shown = mask_mapping({"protocol": "memory", key: "v-secret-value", "bucket": "b"})
    held = shown[key] == MASK and shown["bucket"] == "b" and key in shown
    attack("secret keys in any spelling", held, key)
    assert held


@pytest.mark.parametrize("key", ["ACCESS_KEY", "accessKey", "Password", "TOKEN"])
def test_a_misspelt_secret_key_in_a_config_never_prints(project: Project, key: str) -> None:
    canary = "cnry-Kq72-case-secret"
    with environment(DJ_STORES=json.dumps({"m": {"protocol": "memory", key: canary}})):
        config = Config(cwd=project.root)
        texts = [repr(config), str(config.problems()), repr(config["stores"])]
        texts += [repr(dict(config["stores"]["m"])), repr(list(config["stores"]["m"].items()))]
        texts += [repr(list(config["stores"]["m"].values()))]
        texts += [cli_run("show", "--json").output, cli_run("validate").output]
    for text in texts:
        attack("secret keys in any spelling", canary not in text, f"{key} leaked")
        assert canary not in text


class _Declares:
    def __init__(self, keys: Any) -> None:
        self.secret_keys = keys


@pytest.mark.parametrize(
    "declared",
    [
        ("api_secret",),
        ["api_secret"],
        {"api_secret"},
        frozenset({"api_secret"}),
        {"api_secret": True},
        "api_secret",
        (k for k in ["api_secret"]),
        iter(["api_secret"]),
    ],
    ids=["tuple", "list", "set", "frozenset", "dict", "str", "generator", "iterator"],
)
def test_adapter_secret_keys_may_be_any_iterable(declared: Any) -> None:
    keys = secret_keys_of(_Declares(declared))
    shown = mask_mapping({"api_secret": "v", "apis": "x"}, keys)
    held = shown == {"api_secret": MASK, "apis": "x"}
    attack("secret keys in any spelling", held, f"secret_keys as {type(declared).__name__}")
    assert held


PROXIES = [
    "http://user:p4ss-w0rd-long@proxy:3128",
    "https://p4ss-w0rd-long@proxy.example:8443/",
    "socks5://u:p4ss-w0rd-long@10.0.0.1:1080",
    "http://u:p4ss%40w0rd-long@proxy",
]


@pytest.mark.parametrize("proxy", PROXIES)
def test_proxy_server_credentials_are_masked_everywhere(project: Project, proxy: str) -> None:
    assert "p4ss" not in mask_url(proxy)
    store = {"protocol": "s3", "endpoint": "s3.example", "bucket": "b", "location": "x"}
    store |= {"access_key": "AKIA-long-enough", "secret_key": "s3cr3t-long-enough"}
    store["proxy_server"] = proxy
    with environment(DJ_STORES=json.dumps({"s": store})):
        config = Config(cwd=project.root)
        texts = [
            repr(config.get_store_spec("s", redact=True)),
            repr(config["stores"]["s"]),
            repr(dict(config["stores"]["s"])),
            repr(config.resolve("s")),
            cli_run("show", "--json").output,
            cli_run("show").output,
        ]
    for text in texts:
        held = "p4ss" not in text and "proxy" in text
        attack("proxy_server credentials", held, f"{proxy} -> {text[:120]}")
        assert held


# -- free text: every variant of a secret -------------------------------------------------


def _variants(secret: str) -> dict[str, str]:
    """How libraries print a secret inside their own messages."""
    return {
        "raw": f"bad credential {secret} given",
        "surrounded": f"value='  {secret}\t' refused",
        "collapsed": f"token {' '.join(secret.split())} rejected",
        "json": json.dumps({"error": f"denied: {secret}"}),
        "repr": repr({"key": secret}),
        "quote": f"GET /x?k={quote(secret, safe='')}",
        "quote_plus": f"POST body=k%3D{quote_plus(secret)}",
        "bytes-repr": repr(secret.encode()),
        "crlf": secret.replace("\n", "\r\n") + " failed",
    }


SECRETS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from(" \t\n"),
    min_size=MIN_FREE_TEXT + 4,
    max_size=40,
).filter(lambda s: len(s.strip()) >= MIN_FREE_TEXT + 4 and len("".join(s.split())) >= 12)


@FUZZ
@given(secret=SECRETS)
def test_every_printed_form_of_a_secret_is_masked_in_backend_errors(secret: str) -> None:
    guard = BackendGuard("s", "s3", [secret])
    core = "".join(secret.split())
    for name, text in _variants(secret).items():
        error = guard.error(RuntimeError(text), "ls('x') failed")
        shown = str(error)
        held = core not in "".join(shown.split()) and "ls(" in shown
        attack("free text variants", held, f"{name}: {shown[:150]!r}")
        assert held, (name, shown)


PEM = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
    "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n"
)
STRUCTURED = {
    "service-account json": json.dumps(
        {"type": "service_account", "private_key": PEM, "client_email": "a@b.iam"}
    ),
    "connection string": (
        "DefaultEndpointsProtocol=https;AccountName=acct;"
        "AccountKey=Zm9vYmFyYmF6cXV4LWtleS1sb25n==;EndpointSuffix=core.windows.net"
    ),
    "sas token": "sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01&sig=AbCdEf%2BGh12345678%3D",
    "sas in connection string": (
        "BlobEndpoint=https://a.blob.core.windows.net;"
        "SharedAccessSignature=sv=2022&sp=r&sig=QWxhZGRpbjpvcGVuIHNlc2FtZQ%3D%3D"
    ),
    "pem": PEM,
}
INNER = {
    "service-account json": [
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    ],
    "connection string": ["Zm9vYmFyYmF6cXV4LWtleS1sb25n=="],
    "sas token": ["AbCdEf%2BGh12345678%3D", "AbCdEf+Gh12345678="],
    "sas in connection string": [
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ%3D%3D",
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    ],
    "pem": ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"],
}


@pytest.mark.parametrize("kind", list(STRUCTURED))
def test_credential_parts_of_structured_secrets_are_masked(kind: str) -> None:
    secret = STRUCTURED[kind]
    guard = BackendGuard("s", "azure", [secret])
    for part in INNER[kind]:
        for text in (f"bad key {part}", f"x={quote(part)}", json.dumps({"k": part}), repr(part)):
            shown = str(guard.error(ValueError(text), "create failed"))
            held = part not in shown and quote(part) not in shown
            attack("free text variants", held, f"{kind}: {shown[:120]!r}")
            assert held


@pytest.mark.parametrize("secret", ["a", "f", "minio", "1234567", "  abc  ", "x\ty"])
def test_a_short_secret_withholds_free_text_but_keeps_class_and_action(secret: str) -> None:
    guard = BackendGuard("s", "s3", [secret])
    error = guard.error(PermissionError(f"{secret} denied: request failed"), "ls('data') failed")
    shown = str(error)
    held = "PermissionError" in shown and "ls" in shown and "withheld" in shown
    held = held and "denied" not in shown and "failed" in shown
    attack("short secret floor", held, shown)
    assert held, shown
    assert Scrubber([secret]).free_text("failed") is None
    # Masking by substring is never tried below the floor: 'failed' is never rewritten.
    assert Scrubber([secret]).scrub("failed") == "failed"


@pytest.mark.parametrize("secret", ["a", "minio", "short7!"])
def test_validate_warns_about_a_short_secret(project: Project, secret: str) -> None:
    store = {"protocol": "memory", "location": "x", "token": secret}
    with environment(DJ_STORES=json.dumps({"m": store})):
        config = Config(cwd=project.root)
        found = [w for w in config.warnings() if getattr(w, "rule", None) == "short-secret"]
        out = cli_run("validate", "--json").output
    held = len(found) == 1 and found[0].store == "m" and found[0].key == "token"
    held = held and "DJ_STORES" in str(found[0].source) and "short-secret" in out
    attack("short secret floor", held, f"no warning for {len(secret)} chars")
    assert held
    assert f"'{secret}'" not in str(found[0])


def test_a_long_secret_raises_no_short_secret_warning(project: Project) -> None:
    store = {"protocol": "memory", "location": "x", "token": "long-enough-token"}
    with environment(DJ_STORES=json.dumps({"m": store})):
        rules = [getattr(w, "rule", None) for w in Config(cwd=project.root).warnings()]
    assert "short-secret" not in rules


class _Chatty(dj.StorageAdapter):
    """A real plugin whose own rule quotes the spec back, the way careless plugins do."""

    protocol = "chatty"
    required_keys: ClassVar[tuple[str, ...]] = ("protocol", "location")
    allowed_keys: ClassVar[tuple[str, ...]] = ("protocol", "location", "api_secret")
    secret_keys: ClassVar[Any] = frozenset({"api_secret"})
    form = "raw"

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        raise RuntimeError(_variants(spec["api_secret"])[self.form])

    def validate_spec(self, spec: dict[str, Any]) -> None:
        raise ValueError(_variants(spec["api_secret"])[self.form])


@pytest.mark.usefixtures("fresh_registry")
@pytest.mark.parametrize("form", list(_variants("x")))
@pytest.mark.parametrize("secret", ["pl ugin-se cret 9\tZ", "plugin\nsecret\nlines-42"])
def test_plugin_messages_are_masked_in_every_variant(
    project: Project, form: str, secret: str
) -> None:
    adapter = _Chatty()
    adapter.form = form
    dj.register_adapter(adapter, clobber=True)
    store = {"protocol": "chatty", "location": "x", "api_secret": secret}
    with environment(DJ_STORES=json.dumps({"c": store})):
        config = Config(cwd=project.root)
        texts = [str(p) for p in config.problems()] + [cli_run("validate", "--json").output]
    core = "".join(secret.split())
    for text in texts:
        flat = "".join(text.split()).replace("\\n", "").replace("\\t", "")
        held = core not in flat and "ValueError" in text
        attack("plugin messages", held, f"{form}: {text[:120]!r}")
        assert held, text


class _QuietRule(_Chatty):
    """Valid spec, but its SDK's errors quote the credential (at creation)."""

    protocol = "chattyfs"

    def validate_spec(self, spec: dict[str, Any]) -> None:
        return None


@pytest.mark.usefixtures("fresh_registry")
@pytest.mark.parametrize("form", list(_variants("x")))
@pytest.mark.parametrize("secret", ["pl ugin-se cret 9\tZ", "plugin\nsecret\nlines-42", "ab"])
def test_plugin_create_filesystem_errors_are_masked_in_every_variant(
    project: Project, form: str, secret: str
) -> None:
    adapter = _QuietRule()
    adapter.form = form
    dj.register_adapter(adapter, clobber=True)
    store = {"protocol": "chattyfs", "location": "x", "api_secret": secret}
    with environment(DJ_STORES=json.dumps({"c": store})):
        config = Config(cwd=project.root)
        with pytest.raises(dj.StorageBackendError) as caught:
            dj.get_filesystem("c", config=config)
        texts = [str(caught.value), repr(caught.value)]
        texts.append(cli_run("--json", "check", "--timeout", "5").output)
    core = "".join(secret.split())
    for text in texts:
        flat = "".join(text.split()).replace("\\n", "").replace("\\t", "")
        leaked = core in flat if len(core) >= MIN_FREE_TEXT else f"{secret} given" in text
        held = not leaked and ("RuntimeError" in text or "check" in text)
        attack("plugin messages", held, f"create {form}: {text[:120]!r}")
        assert held, text


# -- logs --------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def root_logs() -> Iterator[_Collect]:
    handler = _Collect()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    forget_secrets()  # secrets of earlier tests (some deliberately short) are not ours
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


LOGGERS = [
    *SDK_LOGGERS,
    "botocore.endpoint",
    "botocore.auth",
    "botocore.hooks.deep.child",
    "urllib3.connectionpool",
    "azure.core.pipeline.policies.http_logging_policy",
    "aiohttp.client",
    "s3fs.core",
    "gcsfs.credentials",
]


@pytest.mark.parametrize("logger", LOGGERS)
def test_sdk_log_records_mask_every_configured_secret(
    project: Project, root_logs: _Collect, logger: str
) -> None:
    key_id, secret = "AKIALOGCANARY0001", "log canary\tsecret/Zq+42=="
    store = {"protocol": "s3", "endpoint": "s3.example", "bucket": "b", "location": "x"}
    store |= {"access_key": key_id, "secret_key": secret}
    with environment(DJ_STORES=json.dumps({"m": store})):
        assert not Config(cwd=project.root).problems()
    log = logging.getLogger(logger)
    log.setLevel(logging.DEBUG)
    try:
        log.debug("Sending %s with %r", key_id, {"Authorization": secret})
        log.debug(f"url=https://x/?k={quote(secret, safe='')}")
        try:
            raise RuntimeError(f"signature mismatch for {key_id}")
        except RuntimeError:
            log.exception("request failed")
    finally:
        log.setLevel(logging.NOTSET)
    text = "\n".join(root_logs.lines)
    held = key_id not in text and "log canary" not in text and "request failed" in text
    attack("SDK log records", held, f"{logger}: {text[:200]!r}")
    assert held, text


def test_fingerprint_is_keyed_per_process(project: Project) -> None:
    store = {"protocol": "s3", "endpoint": "s3.example", "bucket": "b", "location": "x"}
    store |= {"access_key": "AKIA-fingerprint", "secret_key": "fingerprint-secret"}
    code = (
        "import hashlib, json\n"
        "import datajoint_storage as dj\n"
        "from datajoint_storage.settings import Config\n"
        "config = Config()\n"
        "store = dj.get_store('m', config=config)\n"
        "plain = json.dumps([store.protocol, config.get_store_spec('m')], sort_keys=True)\n"
        "print(store.fingerprint, hashlib.sha256(plain.encode()).hexdigest())\n"
    )
    env = {**os.environ, "DJ_STORES": json.dumps({"m": store})}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=project.root, capture_output=True, text=True
        ).stdout.split()
        for _ in range(2)
    ]
    keyed = {run[0] for run in runs if len(run) == 2}
    unkeyed = {run[1] for run in runs if len(run) == 2}
    held = len(keyed) == 2 and not keyed & unkeyed  # differs per process, not the plain hash
    attack("fingerprint offline guessing", held, repr(runs))
    assert held, runs


def test_is_secret_key_leaves_ordinary_keys_alone() -> None:
    for key in ("bucket", "location", "endpoint", "protocol", "account_name", "secure", "stage"):
        held = not is_secret_key(key)
        attack("structured output by key", held, f"{key} masked")
        assert held


COPIES = {
    "dict()": lambda v: dict(v),
    "items()": lambda v: list(v.items()),
    "values()": lambda v: list(v.values()),
    "copy.copy": lambda v: __import__("copy").copy(v),
    "copy.deepcopy": lambda v: __import__("copy").deepcopy(v),
    "pickle round trip": lambda v: __import__("pickle").loads(__import__("pickle").dumps(v)),
    "{**v}": lambda v: {**v},
}


@pytest.mark.parametrize("how", list(COPIES))
@pytest.mark.parametrize("key", ["secret_key", "SECRET_KEY", "secretKey", "from file"])
def test_copies_and_views_of_a_store_keep_secrets_masked(
    project: Project, how: str, key: str
) -> None:
    canary = "cnry-copies-Jw81-secret"
    store = {"protocol": "s3", "endpoint": "s3.example", "bucket": "b", "location": "x"}
    store["access_key"] = "AKIA-copies-long"
    if key == "from file":
        project.write_config({"stores": {"s": store}})
        project.write_secret("s", "secret_key", canary)
    else:
        store[key] = canary
        project.write_config({"stores": {"s": store}})
    config = Config(cwd=project.root)
    view = config["stores"]["s"]
    copied = COPIES[how](view)
    text = repr(copied) + str(copied)
    held = canary not in text
    attack("copies and views keep secrets masked", held, f"{key} {how}: {text[:120]}")
    assert held
