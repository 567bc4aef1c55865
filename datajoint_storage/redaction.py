"""Every way a secret is masked, in one place.

Two rules, never mixed:

- **Structured output is masked by key.** A value under a secret-bearing key
  (:func:`is_secret_key`: any case or spelling of a known one, or a key the adapter
  declares) is replaced by :data:`MASK`; nothing else is rewritten, so a store named
  like its access key keeps its name and no JSON object key is touched.
- **Free text we did not write is masked by substring** (:class:`Scrubber`): an SDK's
  or a plugin's exception, a ``validate_spec`` message, a log line. Every spelling a
  library may print is masked: the value, its stripped and whitespace-collapsed forms,
  its JSON/repr/URL escapes, each line of a multi-line key, the credential parts of a
  service-account document, a connection string or a SAS token.

Free-text masking needs a floor. A secret shorter than :data:`MIN_FREE_TEXT` (8)
characters cannot be masked in free text: ``"a"`` or ``"minio"`` occurs in ordinary
words, so masking it mangles the message, and where the mask lands tells the reader
the secret. Eight is where a value stops being a plausible word or fragment of one
(and the shortest password most services accept). For a store holding such a secret,
free text is dropped whole (:meth:`Scrubber.free_text` returns None; callers keep the
exception class and what was being done) and ``validate`` warns
(:func:`short_secret_warnings`).
"""

from __future__ import annotations

import difflib
import functools
import hmac
import json
import logging
import re
import secrets as _random
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote

__all__ = [
    "MASK",
    "MIN_FREE_TEXT",
    "SDK_LOGGERS",
    "SECRET_KEYS",
    "MaskedStr",
    "Scrubber",
    "fingerprint",
    "forget_secrets",
    "install_log_filter",
    "is_masked",
    "is_secret_key",
    "mask_mapping",
    "mask_url",
    "masked",
    "register_secrets",
    "secret_forms",
    "secret_keys_of",
    "secret_strings",
]

MASK = "**********"

#: Shortest secret masked in free text; see the module docstring for why 8.
MIN_FREE_TEXT = 8

#: Keys every protocol treats as credentials (adapters add theirs in ``secret_keys``).
SECRET_KEYS: frozenset[str] = frozenset(
    {"secret_key", "access_key", "token", "account_key", "connection_string", "password"}
)
#: Keys whose value is a URL that may carry ``user:password@`` (masked there only).
URL_KEYS: frozenset[str] = frozenset({"proxy_server", "endpoint", "account_url"})

#: The SDK loggers whose records :func:`install_log_filter` masks (and their children).
SDK_LOGGERS = ("s3fs", "botocore", "boto3", "gcsfs", "adlfs", "azure", "aiohttp", "urllib3")

#: Members of a JSON key document (service-account or OAuth) that are credentials.
_JSON_SECRET_MEMBERS = frozenset(
    {"private_key", "private_key_id", "client_secret", "refresh_token", "access_token", "token"}
)
#: Parts of an Azure-style connection string that are credentials.
_CONNECTION_STRING_SECRETS = frozenset(
    {"accountkey", "sharedaccesssignature", "sharedaccesskey", "password"}
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_URL_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^@/?#]*)@")


# -- by key: structured output --------------------------------------------------------


def _normal_key(key: str) -> str:
    """``accessKey``, ``ACCESS_KEY``, ``access-key`` -> ``access_key``."""
    return _CAMEL.sub("_", key.strip()).replace("-", "_").lower()


def secret_keys_of(adapter: Any) -> frozenset[str]:
    """:data:`SECRET_KEYS` plus the adapter's ``secret_keys`` (any iterable, or one string)."""
    extra = getattr(adapter, "secret_keys", None)
    if not extra:
        return SECRET_KEYS
    if isinstance(extra, str):
        extra = (extra,)
    try:
        declared = {k for k in extra if isinstance(k, str)}
    except TypeError:  # not iterable: nothing declared
        return SECRET_KEYS
    return SECRET_KEYS | declared


def is_secret_key(key: Any, secret: Iterable[str] = SECRET_KEYS) -> bool:
    """A secret key in any case or spelling, or a misspelling of one (``secret_kye``)."""
    if not isinstance(key, str):
        return False
    return _is_secret(key, secret if isinstance(secret, frozenset) else frozenset(secret))


@functools.lru_cache(maxsize=4096)
def _is_secret(key: str, secret: frozenset[str]) -> bool:
    known = _known(secret)
    normal = _normal_key(key)
    if normal in known:
        return True
    return bool(difflib.get_close_matches(normal, known, n=1, cutoff=0.8))


@functools.lru_cache(maxsize=256)
def _known(secret: frozenset[str]) -> frozenset[str]:
    return frozenset(_normal_key(k) for k in secret)


def mask_url(url: str) -> str:
    """``scheme://user:password@host`` -> ``scheme://**********@host``; else unchanged."""
    return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", url, count=1)


def mask_mapping(
    mapping: Any, secret: Iterable[str] = SECRET_KEYS, *, filled: Iterable[str] = ()
) -> Any:
    """A store-like mapping for display: secret keys' values masked, URLs' userinfo too.

    Masking is by key only; keys, and values under other keys, are returned as they are.
    ``filled`` names keys that came from secret files (masked whatever their name).
    """
    if not isinstance(mapping, dict):
        return mapping
    secret = frozenset(secret)
    filled = frozenset(filled)
    out: dict[Any, Any] = {}
    for key, value in mapping.items():
        if key in filled or (value not in (None, "") and is_secret_key(key, secret)):
            out[key] = MASK
        elif isinstance(key, str) and _normal_key(key) in URL_KEYS and isinstance(value, str):
            out[key] = mask_url(value)
        else:
            out[key] = value
    return out


# -- values read back as secrets: equal to themselves, masked in repr ------------------


class _MaskedRepr:
    """Mixin: the value prints as the mask; it compares, hashes and serialises as itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)


class MaskedStr(_MaskedRepr, str):
    """A secret read back from the configuration: equal to the secret, masked in repr.

    DataJoint code that passes the value on (``spec["secret_key"]``, f-strings, SDK
    calls) keeps working; printing a store, a ``dict(...)`` copy, ``.items()`` or a log
    line of them shows the mask, because containers print their items' ``repr``.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type[MaskedStr], tuple[str]]:
        return (MaskedStr, (str.__str__(self),))

    def __copy__(self) -> MaskedStr:
        return self

    def __deepcopy__(self, memo: object) -> MaskedStr:
        return self


class MaskedInt(_MaskedRepr, int):
    """A number under a secret key (not a valid secret, still never printed)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[MaskedInt], tuple[int]]:
        return (MaskedInt, (int(self),))


class MaskedFloat(_MaskedRepr, float):
    """A float under a secret key (not a valid secret, still never printed)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[MaskedFloat], tuple[float]]:
        return (MaskedFloat, (float(self),))


class MaskedList(_MaskedRepr, list):  # type: ignore[type-arg]
    """A list under a secret key: printed as the mask."""


class MaskedDict(_MaskedRepr, dict):  # type: ignore[type-arg]
    """A mapping under a secret key (a service-account document): printed as the mask."""


def masked(value: Any) -> Any:
    """``value`` with a masked ``repr`` (same type family, equal value); None, bools as is."""
    if is_masked(value) or value is None or isinstance(value, bool):
        return value
    for base, wrapper in _WRAPPERS:
        if isinstance(value, base):
            return wrapper(value)
    return value


def is_masked(value: Any) -> bool:
    """Whether ``value`` was read back as a secret (and so must stay one)."""
    return isinstance(value, _MaskedRepr)


_WRAPPERS: tuple[tuple[type, type], ...] = (
    (str, MaskedStr),
    (int, MaskedInt),
    (float, MaskedFloat),
    (list, MaskedList),
    (tuple, MaskedList),
    (dict, MaskedDict),
)


def secret_strings(mapping: Any, secret: Iterable[str], filled: Iterable[str] = ()) -> set[str]:
    """Every non-empty string under a secret key of ``mapping`` (nested ones included),
    and the password of every credential-bearing URL."""
    found: set[str] = set()
    if not isinstance(mapping, dict):
        return found
    secret = secret if secret.__class__ is frozenset else frozenset(secret)
    kinds = _kinds_of(secret)
    for key, value in mapping.items():
        kind = kinds.get(key)
        if kind is None:
            kind = _classify(key, secret, kinds)
        if kind is _SECRET or key in filled:
            _collect(value, found)
        elif kind is _URL and isinstance(value, str):
            match = _URL_USERINFO.match(value)
            if match:
                password = match["userinfo"].partition(":")[2]
                found.update(p for p in (unquote(password), password) if p)
    return found


#: What a key of a store holds, by key name: worked out once per name and secret set.
_SECRET, _URL, _PLAIN = "secret", "url", "plain"
_key_kinds: dict[frozenset[str], dict[Any, str]] = {}
_MAX_KINDS = 4096  # names remembered per secret set; a config of random keys stays bounded


def key_kind(key: Any, secret: frozenset[str]) -> str:
    """``"secret"`` (its value is one), ``"url"`` (a URL that may carry a password) or
    ``"plain"``, for a key of a store whose adapter's secret keys are ``secret``."""
    kinds = _kinds_of(secret)
    return kinds.get(key) or _classify(key, secret, kinds)


def _kinds_of(secret: frozenset[str]) -> dict[Any, str]:
    kinds = _key_kinds.get(secret)
    if kinds is None:
        if len(_key_kinds) > 64:
            _key_kinds.clear()
        kinds = _key_kinds[secret] = {}
    return kinds


def _classify(key: Any, secret: frozenset[str], kinds: dict[Any, str]) -> str:
    if is_secret_key(key, secret):
        kind = _SECRET
    elif isinstance(key, str) and _normal_key(key) in URL_KEYS:
        kind = _URL
    else:
        kind = _PLAIN
    if key.__class__ is str:  # a str subclass may compare equal and mean the same: skip it
        if len(kinds) >= _MAX_KINDS:
            kinds.clear()
        kinds[key] = kind
    return kind


def _collect(value: Any, into: set[str]) -> None:
    reveal = getattr(value, "get_secret_value", None)  # pydantic SecretStr / Secret
    if callable(reveal):
        value = reveal()
    if isinstance(value, str):
        if value:
            into.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, into)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, into)


# -- by substring: free text ------------------------------------------------------------


def secret_forms(values: Iterable[str]) -> tuple[str, ...]:
    """Every spelling of every secret in ``values`` a library may print, longest first.

    Forms shorter than :data:`MIN_FREE_TEXT` are left out (see the module docstring).
    """
    forms: set[str] = set()
    for value in values:
        if not isinstance(value, str) or not value:
            continue
        for variant in _variants(value):
            _add_escapes(variant, forms)
        for part in _inner_secrets(value):
            for variant in _variants(part):
                _add_escapes(variant, forms)
    return tuple(sorted((f for f in forms if len(f) >= MIN_FREE_TEXT), key=len, reverse=True))


def _variants(value: str) -> set[str]:
    """The value, stripped, whitespace collapsed, line ends changed, and each line."""
    stripped = value.strip()
    out = {value, stripped, " ".join(value.split()), "".join(value.split())}
    out |= {value.replace("\n", "\r\n"), stripped.replace("\r\n", "\n")}
    out |= {line.strip() for line in value.splitlines() if "-----" not in line}
    return {v for v in out if v}


def _add_escapes(value: str, forms: set[str]) -> None:
    spellings = (
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        repr(value.encode("utf-8"))[2:-1],
    )
    forms.update(form for form in spellings if form)


def _inner_secrets(value: str) -> list[str]:
    """Credential parts of a structured secret: a key document's, a connection string's."""
    parts: list[str] = []
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            for key, member in document.items():
                if key in _JSON_SECRET_MEMBERS and isinstance(member, str):
                    parts.append(member)
    elif "=" in text:
        for item in text.split(";"):
            key, _, part = item.partition("=")
            if key.strip().lower() in _CONNECTION_STRING_SECRETS and part:
                parts.append(part)
        # A SAS token (alone or inside the string): its signature, the parameter a
        # client may reorder or re-encode.
        for name, _, signature in (p.partition("=") for p in re.split(r"[&;?]", text)):
            if name.strip().lower() == "sig" and signature:
                parts += [signature, unquote(signature)]
    return parts


class Scrubber:
    """Masks every form of a set of secrets in free text; knows when it cannot."""

    __slots__ = ("_forms", "_short", "unsafe")

    def __init__(self, secrets: Iterable[str]) -> None:
        values = [s for s in secrets if isinstance(s, str) and s]
        self._short = tuple(v.strip() for v in values if len(v.strip()) < MIN_FREE_TEXT)
        #: A secret too short to mask in free text: free text must be dropped.
        self.unsafe = bool(self._short)
        self._forms = secret_forms(values)

    def __bool__(self) -> bool:
        return bool(self._forms) or self.unsafe

    def scrub(self, text: str) -> str:
        """``text`` with every maskable form masked (short secrets are not: see free_text)."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def free_text(self, text: str) -> str | None:
        """``text`` masked, or None when a secret is too short to mask (drop the text)."""
        if self.unsafe:
            return None
        return self.scrub(text)

    def unless_short(self, text: str) -> str | None:
        """``text`` masked, or None if a too-short secret occurs in what is left.

        For text no single store owns (a log record of every store's SDK): one short
        secret somewhere must not silence every record; a record that shows one does.
        """
        text = self.scrub(text)
        if any(short in text for short in self._short if short):
            return None
        return text

    def found_in(self, text: str) -> bool:
        """Whether any form of a secret occurs in ``text``."""
        return any(form in text for form in self._forms)


# -- logs -------------------------------------------------------------------------------

_registered: set[str] = set()
_registry_lock = threading.Lock()
#: The scrubber of every registered secret, or None until a record needs it again.
_log_scrubber: list[Scrubber | None] = [None]


def register_secrets(values: Iterable[str]) -> None:
    """Remember secrets of a configured store: SDK log records mask them from now on."""
    new = {v for v in values if isinstance(v, str) and v}
    if not new or new <= _registered:
        return
    with _registry_lock:
        _registered.update(new)
        _log_scrubber[0] = None  # rebuilt on the next record, not once per store
    install_log_filter()


def forget_secrets() -> None:
    """Forget every registered secret (a test's clean slate; rotation keeps old ones)."""
    with _registry_lock:
        _registered.clear()
        _log_scrubber[0] = None


def _current_scrubber() -> Scrubber:
    scrubber = _log_scrubber[0]
    if scrubber is None:
        with _registry_lock:
            scrubber = _log_scrubber[0] = Scrubber(tuple(_registered))
    return scrubber


class SecretLogFilter(logging.Filter):
    """Masks every registered secret in a record's message, arguments and traceback.

    A record whose text cannot be masked (a secret under the floor occurs in it) keeps
    only its logger name and level: the message is replaced, never shown.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        scrubber = _current_scrubber()
        if not scrubber:
            return True
        try:
            message = record.getMessage()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.stack_info:
                record.stack_info = self._clean(scrubber, record.stack_info)
            if record.exc_text:
                record.exc_text = self._clean(scrubber, record.exc_text)
        except Exception:  # a record that cannot be rendered is not shown at all
            message = "(a log record that could not be rendered was dropped)"
        record.msg, record.args = self._clean(scrubber, message), None
        return True

    @staticmethod
    def _clean(scrubber: Scrubber, text: str) -> str:
        shown = scrubber.unless_short(text)
        if shown is None:
            return f"(text withheld: it shows a secret too short to mask, {MASK})"
        return shown


_FILTER = SecretLogFilter()
_factory_lock = threading.Lock()
_installed: list[bool] = [False]


def install_log_filter() -> None:
    """Mask secrets in every record of the SDK loggers (:data:`SDK_LOGGERS`), children too.

    A filter added to a logger sees only records logged on that very logger, not on its
    children (``botocore.endpoint``), so the filter runs from the record factory for any
    record whose logger is one of these or below; it is also added to the loggers
    themselves so that ``logger.filters`` shows it. Idempotent.
    """
    with _factory_lock:
        if _installed[0]:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            name = record.name
            if name.split(".", 1)[0] in SDK_LOGGERS:
                _FILTER.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        for name in SDK_LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
        _installed[0] = True


# -- fingerprints ---------------------------------------------------------------------

#: Per-process key: a fingerprint cannot be used to test guessed secrets offline.
_FINGERPRINT_KEY = _random.token_bytes(32)


def fingerprint(document: Any) -> str:
    """A keyed hash (HMAC-SHA256) of ``document``; equal within one process only."""
    text = json.dumps(document, sort_keys=True, default=str)
    return hmac.new(_FINGERPRINT_KEY, text.encode(), "sha256").hexdigest()
