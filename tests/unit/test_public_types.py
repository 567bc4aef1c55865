"""mypy --strict on a small user script of the public API: no public name may become Any.

``assert_type`` fails when a name's type changes; ``reveal_type`` of each public name is
checked for ``Any`` too, because ``assert_type`` cannot tell ``Any`` from a class that
mypy could not resolve. fsspec ships no ``py.typed``; the config follows it anyway
(``follow_untyped_imports``), so ``fsspec.AbstractFileSystem`` is a real class here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import REPO

pytest.importorskip("mypy")

USER_SCRIPT = textwrap.dedent(
    """
    from collections.abc import MutableMapping
    from typing import Any

    import fsspec
    from typing_extensions import assert_type

    import datajoint_storage as dj
    from datajoint_storage.settings import Config


    class Adapter(dj.StorageAdapter):
        protocol = "typed"
        required_keys = ("url",)

        def create_filesystem(self, spec: dict[str, Any]) -> fsspec.AbstractFileSystem:
            raise NotImplementedError


    assert_type(dj.register_adapter(Adapter), dj.StorageAdapter)
    config = dj.config
    assert_type(config, Config)
    stores = dj.config.stores
    block: MutableMapping[str, Any] = stores
    block["main"] = {"protocol": "memory"}
    dj.config.stores = {"main": {"protocol": "memory"}, "default": "main"}
    assert_type(dj.config.get_store_spec("main"), dict[str, Any])
    assert_type(dj.config.store_names(), list[str])
    assert_type(dj.config.provenance("main"), dict[str, str])
    assert_type(dj.config.problems(), list[dj.StoreConfigError])
    assert_type(dj.get_filesystem("main"), fsspec.AbstractFileSystem)
    assert_type(dj.get_storage_adapter("s3"), dj.StorageAdapter | None)
    store = dj.get_store("main")
    assert_type(store, dj.Store)
    assert_type(store.filesystem, fsspec.AbstractFileSystem)
    assert_type(store.full_path("a/b"), str)
    assert_type(store.get_url("a/b"), str)
    with dj.config.override(stores={"t": {"protocol": "memory"}}) as inside:
        assert_type(inside, Config)
    dj.config.load("datajoint.json")
    dj.config.validate()
    try:
        dj.config.get_store_spec("nope")
    except dj.StoreNotFoundError as error:
        assert_type(error.store, str | None)

    reveal_type(dj.config)
    reveal_type(dj.config.stores)
    reveal_type(dj.config.get_store_spec)
    reveal_type(dj.config.override)
    reveal_type(dj.config.load)
    reveal_type(dj.get_filesystem)
    reveal_type(dj.get_storage_adapter)
    reveal_type(dj.get_store)
    reveal_type(dj.register_adapter)
    reveal_type(dj.unregister_adapter)
    reveal_type(dj.Store.filesystem)
    reveal_type(dj.StorageAdapter.create_filesystem)
    """
)

MYPY_INI = textwrap.dedent(
    """
    [mypy]
    strict = True
    warn_unreachable = True

    mypy_path = {repo}

    [mypy-fsspec.*]
    follow_untyped_imports = True
    ignore_errors = True

    # The package's own modules are checked for what they export, not linted here.
    [mypy-datajoint_storage.*]
    ignore_errors = True
    """
)


def test_the_public_api_is_typed_under_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "user_script.py").write_text(USER_SCRIPT, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text(MYPY_INI.format(repo=REPO), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "user_script.py",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    lines = result.stdout.splitlines()
    errors = [line for line in lines if ": error:" in line]
    assert not errors, result.stdout
    revealed = [line for line in lines if "Revealed type is" in line]
    assert len(revealed) == USER_SCRIPT.count("reveal_type("), result.stdout
    leaking = [line for line in revealed if re.search(r"\bAny\b", line.split("def ", 1)[-1])]
    # Parameters typed Any (a spec dict's values) are fine; a name or a return of Any is not.
    returns_any = [line for line in leaking if re.search(r"-> Any\b|is \"Any\"", line)]
    assert not returns_any, "\n".join(returns_any)
    assert "datajoint_storage.settings.stores_view.StoresView" in result.stdout
    assert "fsspec.spec.AbstractFileSystem" in result.stdout
