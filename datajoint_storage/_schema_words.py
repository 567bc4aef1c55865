"""What an editor shows from the schema: hover text, error messages, new-store snippets.

The VS Code JSON language service shows a key's ``title`` and ``markdownDescription``
on hover (never its type or default), words a failed check with the schema's
``errorMessage`` when there is one (``Incorrect type. Expected "string".`` otherwise,
which names no key), and offers ``defaultSnippets`` as completions. These are
annotations: ``jsonschema`` and ``check-jsonschema`` ignore them. Every word here is
derived from the pydantic schema of the key, so nothing is described twice.
"""

from __future__ import annotations

import json
from typing import Any

_MD_SPECIAL = "\\`*_<>[]"


def any_case(word: str) -> str:
    """A regex for every spelling of lowercase ``word`` that lowercases back to it."""
    return "".join(
        f"[{c}{c.upper()}]" if len(c.upper()) == 1 and c.upper() != c else escape(c) for c in word
    )


def escape(key: str) -> str:
    """Escape regex syntax only: ECMA-262 (editors) rejects needless escapes."""
    return "".join("\\" + c if c in "\\^$.*+?()[]{}|/" else c for c in key)


def phrase(schema: Any) -> str:
    """What a value of ``schema`` must be, in words: ``an integer greater than 0``."""
    if not isinstance(schema, dict):
        return "any value" if schema else "nothing"
    if "$ref" in schema or "properties" in schema or schema.get("type") == "object":
        return "an object"
    if "anyOf" in schema:
        return ", or ".join(dict.fromkeys(phrase(option) for option in schema["anyOf"]))
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(value) for value in schema["enum"])
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return ("an integer" if kind == "integer" else "a number") + _bounds(schema)
    if kind == "array":
        items = schema.get("items")
        return "a list" + (f" of {_plural(phrase(items))}" if isinstance(items, dict) else "")
    return {"string": "a string", "boolean": "true or false", "null": "null"}.get(kind, "any value")


_PLURALS = {"an integer": "integers", "a number": "numbers", "a string": "strings"}


def _plural(what: str) -> str:
    for one, many in _PLURALS.items():
        if what.startswith(one):
            return many + what[len(one) :]
    return f"items each {what}"


def _bounds(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if "exclusiveMinimum" in schema:
        return f" greater than {schema['exclusiveMinimum']}"
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


def markdown(text: str) -> str:
    """``text`` with the characters Markdown would eat (``<filepath@>``) escaped."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in text)


def annotate(prop: dict[str, Any], key: str, *, required: bool, kind: str | None = None) -> None:
    """Give one key's schema its hover text and a message that names the key.

    ``kind`` replaces the derived type phrase (a protocol's pattern reads badly).
    """
    what = kind or phrase(prop)
    facts = f"*{markdown(what)}*"
    if required:
        facts += " · required"
    elif "default" in prop:
        facts += f" · default `{json.dumps(prop['default'])}`"
    description = prop.get("description", "")
    prop["markdownDescription"] = f"{markdown(description)}\n\n{facts}".strip()
    if what != "any value":
        _word_errors(prop, f"Invalid value for {key}: expected {what}.")


def _word_errors(schema: Any, message: str) -> None:
    """``errorMessage`` on every scalar check of ``schema`` (objects keep their own words).

    The language service uses an object schema's ``errorMessage`` for unknown keys too,
    so setting one there would hide which key is unknown.
    """
    if not isinstance(schema, dict) or {"$ref", "properties", "additionalProperties"} & set(schema):
        return
    schema["errorMessage"] = message
    for option in schema.get("anyOf", ()):
        _word_errors(option, message)
    _word_errors(schema.get("items"), message)


def store_snippet(protocol: str, branch: dict[str, Any]) -> dict[str, Any]:
    """A completion that inserts a whole new store of ``protocol`` with its required keys."""
    body: dict[str, Any] = {"protocol": protocol}
    properties = branch.get("properties", {})
    for number, key in enumerate((k for k in branch.get("required", ()) if k != "protocol"), 1):
        examples = properties.get(key, {}).get("examples") or [""]
        example = examples[0]
        text = example if isinstance(example, str) else json.dumps(example)
        body[key] = f"${{{number}:{_snippet_text(text)}}}"
    return {
        "label": f"{protocol} store",
        "markdownDescription": markdown(f"A new {protocol} store with its required keys."),
        "body": body,
    }


def _snippet_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")
