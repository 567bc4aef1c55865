"""The pre-commit hooks of ``.pre-commit-hooks.yaml``: one entry, two checks, many files.

pre-commit runs an entry once with every matching file name. Each ``datajoint.json`` is
checked as committed: the ``DJ_*`` variables of the shell that runs ``git commit`` are
dropped (a ``DJ_STORES`` there would hide the file's own block), and the ``.secrets/``
next to the file is read, as DataJoint reads it when it finds that file.

``validate`` runs ``datajoint-storage --config FILE validate`` for each file; a secret
written into the file (which is about to be committed) fails the hook even without
``--strict``. ``schema`` checks each file against the exported JSON Schema, the one
editors use, with ``jsonschema`` (the hook's ``additional_dependencies``).

usage: python -m datajoint_storage.cli.precommit validate [--strict] FILE...
       python -m datajoint_storage.cli.precommit schema FILE...
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

#: The rule of ``datajoint_rules`` that finds a secret value written into datajoint.json.
COMMITTED_SECRET_RULE = "secret-in-config-file"


@click.group()
def hooks() -> None:
    """pre-commit entries of datajoint-storage."""


@hooks.command()
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def validate(strict: bool, files: tuple[Path, ...]) -> None:
    """Validate the stores of each datajoint.json, with the .secrets/ next to it."""
    from . import cli

    _drop_dj_environment()
    worst = 0
    for path in files:
        click.echo(f"{path}:")
        fail_on_warnings = strict or _holds_a_secret(path)
        args = ["--config", str(path), "validate", *(["--strict"] if fail_on_warnings else [])]
        code = cli.main(args, prog_name="datajoint-storage", standalone_mode=False)
        worst = max(worst, int(code or 0))
    sys.exit(worst)


@hooks.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def schema(files: tuple[Path, ...]) -> None:
    """Check each datajoint.json against the exported JSON Schema."""
    try:
        import jsonschema
    except ImportError:
        click.echo(
            "the schema hook needs jsonschema; pre-commit installs it from the hook's "
            "additional_dependencies (pip install jsonschema to run it by hand)",
            err=True,
        )
        sys.exit(2)
    from ..schema import datajoint_json_schema

    validator = jsonschema.Draft202012Validator(datajoint_json_schema())
    failed = False
    for path in files:
        errors = _schema_errors(validator, path)
        failed = failed or bool(errors)
        click.echo(f"{path}: {'ok' if not errors else 'does not match the schema'}")
        for error in errors:
            click.echo(f"  {error}")
    sys.exit(1 if failed else 0)


def _schema_errors(validator: Any, path: Path) -> list[str]:
    """What the schema says about one file, in document order; never a value."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot read the file: {type(exc).__name__}"]
    except json.JSONDecodeError as exc:
        return [f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
    from jsonschema.exceptions import best_match

    found = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        while error.context:  # anyOf / oneOf: the branch of the right type says why
            fitting = [e for e in error.context if e.validator != "type"]
            error = best_match(fitting or error.context)
        where = "/".join(str(part) for part in error.absolute_path) or "(the document)"
        found.append(f"at {where}: {_without_instance(error)}")
    return found


def _without_instance(error: Any) -> str:
    """The error's message unless it quotes the offending value (which may be a secret)."""
    if error.validator in {"additionalProperties", "required", "propertyNames"}:
        return str(error.message)  # these quote key names, never values
    return f"fails {error.validator!r} of the schema at {error.json_path}"


def _drop_dj_environment() -> None:
    for name in [n for n in os.environ if n.upper().startswith("DJ_")]:
        del os.environ[name]


def _holds_a_secret(path: Path) -> bool:
    """Whether the file itself holds a secret value (the warning's rule says so)."""
    from ..settings import Config

    try:
        found = Config(cwd=path.parent, environ={}, config_file=path).warnings()
    except Exception:  # an unreadable file: validate reports it with its source
        return False
    return any(getattr(w, "rule", None) == COMMITTED_SECRET_RULE for w in found)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        hooks.main(args=argv, prog_name="datajoint-storage-pre-commit")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
