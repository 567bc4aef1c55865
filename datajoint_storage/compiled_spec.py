"""One validator per adapter, compiled from its model: a store's plain spec without a model.

``spec_model_for(adapter).model_validate(raw)`` builds a model instance, then
``dump_spec`` turns it back into the plain dict callers get. Most stores are valid and
only their plain dict is ever used, so the fast path validates ``raw`` with the model's
own field schema (the same pydantic-core validators: types, strictness, defaults,
unknown keys refused) straight into a dict, then runs the model's rules across keys
on that dict. The instance is built only when asked for (``ResolvedStore.spec``), and
any failure goes through the model itself, so problems are reported exactly as before.

A model whose schema holds anything the fast path does not reproduce (a validator that
is not an :func:`across_keys` rule, a custom ``__init__``, ``model_post_init``) is
not compiled: its stores always take the model path.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import Secret, SecretStr, model_validator
from pydantic_core import PydanticUndefined, SchemaValidator

__all__ = ["CompiledSpec", "Layout", "across_keys", "compiled_spec"]

#: What ``dump_spec`` unwraps: the secret types of pydantic that carry a string.
_SECRETS = (SecretStr, Secret)

Rule = Callable[[Mapping[str, Any]], None]


def across_keys(rule: Rule, *, keys: tuple[str, ...] | None = None) -> Any:
    """A model rule across a store's keys, written on the validated values (a mapping).

    Use it in a ``StoreSpec`` subclass (``_pairs = across_keys(check_pairs, keys=...)``):
    the model runs it as an ``after`` validator on its field values, the compiled fast
    path on its dict, so both judge the same values (read them with ``.get``: a key
    that was not given and defaults to None may be absent). ``keys``, the keys the rule
    reads, lets the fast path skip it for a store that gives none of them, when it
    passes on their defaults. ``rule`` raises ``ValueError`` to refuse.
    """

    def validator(self: Any) -> Any:
        rule(self.__dict__)
        return self

    validator.__name__ = validator.__qualname__ = getattr(rule, "__name__", "rule")
    validator.__doc__ = rule.__doc__
    validator.__spec_rule__ = (rule, keys)  # type: ignore[attr-defined]
    return model_validator(mode="after")(validator)  # type: ignore[arg-type]


class CompiledSpec:
    """The fast path for one model: a dict validator, the rules, keys to look at."""

    __slots__ = ("_default_lists", "_rule_keys", "_rules", "_special", "_validate")

    def __init__(
        self,
        validator: SchemaValidator,
        rules: tuple[Rule, ...],
        rule_keys: frozenset[str] | None,
        secrets: frozenset[str],
        lists: frozenset[str],
        default_lists: tuple[str, ...],
    ) -> None:
        self._validate = validator.validate_python
        self._rules = rules
        #: Every key the rules read (None: some rule did not say; always run them).
        self._rule_keys = rule_keys
        #: Keys whose given value may be a pydantic secret (unwrapped: callers get the
        #: value) or a list (callers get their own copy of it).
        self._special = secrets | lists
        #: Keys whose default is a list.
        self._default_lists = default_lists

    def layout(
        self, keys: tuple[str, ...], url_keys: Iterable[str], truthy: Iterable[str]
    ) -> Layout:
        """What the fast path looks at for a store that gives exactly ``keys``."""
        given = set(keys)
        run_rules = self._rule_keys is None or not self._rule_keys.isdisjoint(given)
        special = tuple(k for k in keys if k in self._special)
        defaults = tuple(k for k in self._default_lists if k not in given)
        urls = tuple(k for k in url_keys if k in given)
        return Layout(
            self, run_rules, special, defaults, urls, tuple(k for k in truthy if k in given)
        )

    def plain(
        self, raw: Mapping[str, Any], layout: Layout
    ) -> tuple[dict[str, Any], tuple[str, ...]] | None:
        """``dump_spec(model.model_validate(raw), reveal=True)`` and its keys holding
        lists, or None if ``raw`` fails: the model then reports the problems.

        ``layout`` is ``self.layout`` of ``raw``'s keys.
        """
        try:
            values = self._validate(raw)
            if layout.run_rules:
                for rule in self._rules:
                    rule(values)
        except Exception:  # a ValidationError, or a rule's ValueError: the model explains
            return None
        if not layout.special and not layout.defaults:
            return values, ()
        lists: list[str] = []
        for key in layout.special:  # keys that may hold a secret or a list
            value = values[key]
            if value.__class__ is list:
                lists.append(key)
            elif isinstance(value, _SECRETS):  # a default is never a secret (_compile)
                values[key] = value.get_secret_value()
        for key in layout.defaults:
            if values.get(key).__class__ is list:
                lists.append(key)
        return values, tuple(lists)

    def check(self, raw: Mapping[str, Any], layout: Layout) -> dict[str, Any] | None:
        """The validated values of ``raw`` (secrets still wrapped, lists shared), or None
        where :meth:`plain` would say None: for reading a key or two, then dropping."""
        try:
            values = self._validate(raw)
            if layout.run_rules:
                for rule in self._rules:
                    rule(values)
        except Exception:
            return None
        return values  # type: ignore[no-any-return]


class Layout:
    """The fast path for one set of given keys: which rules, keys and URLs to look at."""

    __slots__ = ("defaults", "fast", "run_rules", "screened", "special", "truthy", "urls")

    def __init__(
        self,
        fast: CompiledSpec,
        run_rules: bool,
        special: tuple[str, ...],
        defaults: tuple[str, ...],
        urls: tuple[str, ...],
        truthy: tuple[str, ...],
    ) -> None:
        self.fast = fast
        self.run_rules = run_rules  # a key a rule reads is given: run the rules
        self.special = special  # given keys that may hold a secret or a list
        self.defaults = defaults  # keys not given whose default is a list
        self.urls = urls  # given URL keys, checked for a password
        self.truthy = truthy  # given keys refused when "" (``blank_required_keys``)
        self.screened = bool(urls or truthy)  # values to look at before validating


_compiled: dict[type, CompiledSpec | None] = {}
_lock = threading.Lock()


def compiled_spec(
    model: type[Any], hidden_of: Callable[[type[Any]], tuple[str, ...]]
) -> CompiledSpec | None:
    """The compiled fast path of ``model`` (built once), or None when it cannot be.

    ``hidden_of(model)``: the keys its plain spec leaves out unless configured (their
    default is None).
    """
    try:
        return _compiled[model]
    except KeyError:
        pass
    with _lock:
        if model not in _compiled:
            _compiled[model] = _compile(model, hidden_of(model))
        return _compiled[model]


def _compile(model: type[Any], hidden: tuple[str, ...]) -> CompiledSpec | None:
    schema: Any = model.__pydantic_core_schema__
    rules: list[Rule] = []
    keys: set[str] | None = set()
    while schema.get("type") == "function-after":  # outermost rule first
        function = schema["function"]
        declared = getattr(function.get("function"), "__spec_rule__", None)
        if function.get("type") != "no-info" or declared is None:
            return None  # a validator we cannot run on a dict: the model decides
        rule, reads = declared
        rules.append(rule)
        keys = None if keys is None or reads is None else keys | set(reads)
        schema = schema["schema"]
    if schema.get("type") != "model" or schema.get("custom_init") or schema.get("post_init"):
        return None
    config = schema.get("config") or {}
    fields = schema.get("schema", {})
    if (
        schema.get("root_model")
        or fields.get("type") != "model-fields"
        or fields.get("computed_fields")
        or fields.get("extras_schema")
        or config.get("extra_fields_behavior") != "forbid"
    ):
        return None
    typed = _typed_dict(fields["fields"], hidden)
    if typed is None:
        return None
    typed["config"] = config  # strictness and the rest apply as they do in the model
    try:
        validator = SchemaValidator(typed, config)
    except Exception:  # a schema that needs the model's definitions: keep the model path
        return None
    info = model.model_fields
    if any(isinstance(field.default, _SECRETS) for field in info.values()):
        return None  # a secret default: rare enough to leave to the model
    secrets = frozenset(k for k in info if _may_hold(info[k].annotation, _SECRETS))
    lists = frozenset(k for k in info if _may_hold(info[k].annotation, (list,)))
    default_lists = tuple(
        k
        for k, field in info.items()
        if isinstance(field.default, list) or field.default_factory is not None
    )
    rules.reverse()  # pydantic runs the innermost (the base class's) rule first
    rule_keys = frozenset(keys) if keys is not None else None
    if rule_keys is not None and not _pass_on_defaults(info, rules):
        rule_keys = None
    return CompiledSpec(validator, tuple(rules), rule_keys, secrets, lists, default_lists)


def _pass_on_defaults(info: Mapping[str, Any], rules: list[Rule]) -> bool:
    """Whether the rules accept every key's default: then a store that gives none of
    the keys they read needs no rule run (any doubt, and they always run)."""
    defaults = {
        key: field.default
        for key, field in info.items()
        if field.default is not PydanticUndefined and field.default_factory is None
    }
    try:
        for rule in rules:
            rule(defaults)
    except Exception:
        return False
    return True


def _typed_dict(fields: Mapping[str, Any], hidden: tuple[str, ...]) -> Any:
    """The model's fields as a typed-dict schema: the same validators into a dict, a
    hidden key absent unless given (so "set" and "present" are one thing)."""
    out: dict[str, Any] = {}
    for key, field in fields.items():
        if field.get("type") != "model-field" or field.get("validation_alias") is not None:
            return None
        inner = field["schema"]
        has_default = inner.get("type") == "default"
        if key in hidden:
            if not has_default or inner.get("default", ...) is not None:
                return None  # hidden keys default to None; anything else: the model path
            inner = inner["schema"]
        out[key] = {
            "type": "typed-dict-field",
            "schema": inner,
            "required": not has_default,
        }
    return {"type": "typed-dict", "fields": out, "extra_behavior": "forbid", "total": False}


def _may_hold(annotation: Any, kinds: tuple[type, ...]) -> bool:
    """Whether a field of ``annotation`` can hold a value of ``kinds`` (Any can)."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if item is Any or item is object:
            return True
        origin = typing.get_origin(item)
        if isinstance(item, type) and issubclass(item, kinds):
            return True
        if isinstance(origin, type) and issubclass(origin, kinds):
            return True
        stack.extend(typing.get_args(item))
    return False
