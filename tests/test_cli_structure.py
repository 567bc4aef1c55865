"""The command line is a client of the library: it calls only the public API, and the
library never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "datajoint_storage"
CLI = PACKAGE / "cli"
#: Private modules the CLI may use (none: masking is the public ``redaction``).
ALLOWED_PRIVATE: set[str] = set()


def _modules(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_the_library_never_imports_the_command_line() -> None:
    for path in _modules(PACKAGE):
        if CLI in path.parents or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] != "cli", path
                assert "datajoint_storage.cli" not in node.module, path


def test_the_command_line_uses_only_public_names_of_the_library() -> None:
    for path in _modules(CLI):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:  # from the library
                parts = (node.module or "").split(".")
                assert all(not p.startswith("_") or p in ALLOWED_PRIVATE for p in parts), (
                    f"{path.name} imports the private module {node.module}"
                )
                for alias in node.names:
                    assert not alias.name.startswith("_"), f"{path.name}: {alias.name}"
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not (node.attr.startswith("__") and node.attr.endswith("__"))
            ):
                owner = node.value
                assert isinstance(owner, ast.Name) and owner.id in ("self", "cls"), (
                    f"{path.name}:{node.lineno} reaches into {node.attr}"
                )
