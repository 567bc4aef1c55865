"""The registry: built-ins through our own entry points, plugins, failures, conflicts."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import datajoint_storage as dj
from datajoint_storage import registry
from tests.helpers import run_python
from tests.plugin_dist import make_distribution

ADAPTER_SOURCE = textwrap.dedent(
    """
    import datajoint_storage as dj

    class {cls}(dj.StorageAdapter):
        protocol = {protocol!r}
        required_keys = ("url",)
        allowed_keys = ("url",)

        def create_filesystem(self, spec):
            from fsspec.implementations.memory import MemoryFileSystem
            return MemoryFileSystem()
    """
)


def plugin(root: Path, dist: str, protocol: str, cls: str = "Adapter", module: str = "") -> Path:
    module = module or dist.replace("-", "_") + "_mod"
    return make_distribution(
        root / dist,
        dist,
        entry_points={protocol: f"{module}:{cls}"},
        modules={module: ADAPTER_SOURCE.format(cls=cls, protocol=protocol)},
    )


def test_builtins_come_from_our_own_entry_points() -> None:
    for protocol in ("file", "memory", "s3", "gcs", "azure"):
        adapter = dj.get_storage_adapter(protocol)
        assert adapter is not None and adapter.protocol == protocol
        info = registry.registered_adapters()[protocol]
        assert info.distribution == "datajoint-storage"
        assert info.entry_point == protocol
        assert info.group == "datajoint_storage.adapters"
        assert registry.datajoint_adapter(protocol) is None  # DataJoint never sees them


def test_our_distribution_registers_nothing_in_the_shared_group() -> None:
    """The installed metadata itself: DataJoint's group holds none of our entry points."""
    from importlib.metadata import distribution

    groups = {ep.group for ep in distribution("datajoint-storage").entry_points}
    assert "datajoint.storage" not in groups
    assert "datajoint_storage.adapters" in groups


def test_unknown_protocol_is_none() -> None:
    assert dj.get_storage_adapter("no-such-protocol") is None


def test_registered_adapters_is_read_only() -> None:
    view = registry.registered_adapters()
    with pytest.raises(TypeError):
        view["x"] = None  # type: ignore[index]


def test_register_and_unregister_in_code(fresh_registry: None) -> None:
    class Local(dj.StorageAdapter):
        protocol = "local-test"

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            return None

    instance = dj.register_adapter(Local)
    assert dj.get_storage_adapter("local-test") is instance
    with pytest.raises(dj.DataJointError, match="already served"):
        dj.register_adapter(Local())
    replacement = dj.register_adapter(Local(), clobber=True)
    assert dj.get_storage_adapter("local-test") is replacement
    assert dj.unregister_adapter("local-test") is replacement
    assert dj.get_storage_adapter("local-test") is None


def test_register_refuses_an_object_without_the_contract(fresh_registry: None) -> None:
    class NoFs:
        protocol = "nofs"

    with pytest.raises(dj.DataJointError, match="create_filesystem"):
        dj.register_adapter(NoFs())


def test_a_real_plugin_is_discovered_lazily(tmp_path: Path) -> None:
    site = plugin(tmp_path, "dj-lazy-storage", "lazy")
    code = textwrap.dedent(
        """
        import sys, json
        import datajoint_storage as dj
        before = "dj_lazy_storage_mod" in sys.modules
        file_adapter = dj.get_storage_adapter("file")
        after_file = "dj_lazy_storage_mod" in sys.modules
        adapter = dj.get_storage_adapter("lazy")
        from datajoint_storage import registry
        info = registry.registered_adapters()["lazy"]
        print(json.dumps([before, after_file, type(adapter).__name__, info.distribution,
                          info.version]))
        """
    )
    result = run_python(code, extra_path=[site])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, False, "Adapter", "dj-lazy-storage", "1.0.0"]


def test_a_broken_plugin_warns_and_the_others_keep_working(tmp_path: Path) -> None:
    broken = make_distribution(
        tmp_path / "broken",
        "dj-broken-storage",
        entry_points={"broken": "dj_broken_mod:Adapter"},
        modules={"dj_broken_mod": "raise ImportError('needs libfoo 9')\n"},
    )
    good = plugin(tmp_path, "dj-good-storage", "good")
    code = textwrap.dedent(
        """
        import warnings, json
        import datajoint_storage as dj
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            good = dj.get_storage_adapter("good")
            broken = dj.get_storage_adapter("broken")
        dj.config["stores"]["x"] = {"protocol": "broken"}
        try:
            dj.config.get_store_spec("x")
        except dj.UnknownProtocolError as exc:
            error = str(exc)
        print(json.dumps({
            "good": good.protocol, "broken": broken,
            "warnings": [str(w.message) for w in caught],
            "categories": [w.category.__name__ for w in caught],
            "error": error,
        }))
        """
    )
    result = run_python(code, extra_path=[broken, good])
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["good"] == "good" and out["broken"] is None
    assert out["warnings"] == [
        "Failed to load storage adapter 'broken' from distribution 'dj-broken-storage': "
        "ImportError: needs libfoo 9"
    ]
    assert out["categories"] == ["AdapterLoadWarning"]
    assert out["error"].startswith("Unknown protocol: broken (store 'x', from runtime)")
    assert "failed to load" in out["error"] and "needs libfoo 9" in out["error"]


def test_a_plugin_raising_on_instantiation_is_isolated(tmp_path: Path) -> None:
    site = make_distribution(
        tmp_path / "p",
        "dj-init-storage",
        entry_points={"initfail": "dj_init_mod:Adapter"},
        modules={
            "dj_init_mod": ADAPTER_SOURCE.format(cls="Adapter", protocol="initfail")
            + "\n    def __init__(self):\n        raise RuntimeError('no licence')\n"
        },
    )
    code = textwrap.dedent(
        """
        import warnings, json
        import datajoint_storage as dj
        from datajoint_storage import registry
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            print(json.dumps([dj.get_storage_adapter("initfail"),
                              dj.get_storage_adapter("file").protocol,
                              str(registry.adapter_failures()["initfail"])]))
        """
    )
    result = run_python(code, extra_path=[site])
    assert result.returncode == 0, result.stderr
    missing, file_protocol, reason = json.loads(result.stdout)
    assert missing is None and file_protocol == "file"
    assert reason.startswith("Failed to load storage adapter 'initfail'")
    assert "RuntimeError: no licence" in reason


def test_two_distributions_with_one_protocol_get_the_one_datajoint_uses(
    tmp_path: Path,
) -> None:
    """DataJoint 2.3.5 keeps the first entry point named like the protocol, in
    ``entry_points()`` order (sys.path order), and skips the other unloaded; so do we.
    (tests/datajoint/test_inside_datajoint.py asks the real DataJoint the same question.)"""
    zeta = plugin(tmp_path, "dj-zeta-storage", "twin", cls="Zeta", module="zeta_mod")
    alpha = plugin(tmp_path, "dj-alpha-storage", "twin", cls="Alpha", module="alpha_mod")
    code = textwrap.dedent(
        """
        import warnings, json
        import datajoint_storage as dj
        from datajoint_storage import registry
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            adapter = dj.get_storage_adapter("twin")
            failed = [str(e) for e in registry.describe_adapters()[1]]
        print(json.dumps([type(adapter).__name__, [str(w.message) for w in caught], failed]))
        """
    )
    for order, first in (([zeta, alpha], "Zeta"), ([alpha, zeta], "Alpha")):
        result = run_python(code, extra_path=order)
        assert result.returncode == 0, result.stderr
        chosen, messages, failed = json.loads(result.stdout)
        assert chosen == first
        assert "DataJoint" in messages[0] and "unloaded" in messages[0]
        assert failed == messages  # the shadowed plugin is listed with the failures
        assert len(messages) == 1
        assert "dj-alpha-storage" in messages[0] and "dj-zeta-storage" in messages[0]


def test_a_duck_typed_datajoint_adapter_loads_unchanged(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """
        class LegacyAdapter:  # written for DataJoint itself: not our subclass
            protocol = "legacy"
            required_keys = ("bucket",)
            allowed_keys = ("bucket",)

            def create_filesystem(self, spec):
                from fsspec.implementations.memory import MemoryFileSystem
                return MemoryFileSystem()

            def full_path(self, spec, relpath):
                return f"{spec['bucket']}/{relpath}"

            def get_url(self, spec, path):
                return f"legacy://{path}"
        """
    )
    site = make_distribution(
        tmp_path / "legacy",
        "dj-legacy-storage",
        entry_points={"legacy": "legacy_mod:LegacyAdapter"},
        modules={"legacy_mod": source},
    )
    code = textwrap.dedent(
        """
        import json
        import datajoint_storage as dj
        dj.config["stores"]["old"] = {"protocol": "legacy", "bucket": "b"}
        store = dj.get_store("old")
        dj.config["stores"]["bad"] = {"protocol": "legacy", "colour": 1}
        problems = [str(p) for p in dj.config.problems()]
        print(json.dumps([dj.config.get_store_spec("old")["bucket"], store.get_url("k"),
                          type(store.filesystem).__name__, problems]))
        """
    )
    result = run_python(code, extra_path=[site])
    assert result.returncode == 0, result.stderr
    bucket, url, fs_name, problems = json.loads(result.stdout)
    assert (bucket, url, fs_name) == ("b", "legacy://b/k", "MemoryFileSystem")
    assert problems[0].startswith("legacy store is missing: bucket (store 'bad'")
    assert problems[1].startswith("Invalid key(s) for legacy: colour (store 'bad'")


def test_late_installation_needs_discover_adapters(tmp_path: Path) -> None:
    late = tmp_path / "late"
    code = textwrap.dedent(
        f"""
        import sys, json
        import datajoint_storage as dj
        from datajoint_storage.storage_adapter import _discover_adapters
        sys.path.insert(0, {str(late)!r})
        first = dj.get_storage_adapter("late")   # not installed yet
        from tests.plugin_dist import make_distribution
        from tests.unit.test_registry import ADAPTER_SOURCE
        make_distribution(sys.path[0] and __import__("pathlib").Path({str(late)!r}),
                          "dj-late-storage", entry_points={{"late": "late_mod:Adapter"}},
                          modules={{"late_mod": ADAPTER_SOURCE.format(cls="Adapter",
                                                                     protocol="late")}})
        count = _discover_adapters()
        second = dj.get_storage_adapter("late")
        print(json.dumps([first, type(second).__name__, count]))
        """
    )
    from tests.helpers import REPO

    result = run_python(code, cwd=REPO)
    assert result.returncode == 0, result.stderr
    first, second, count = json.loads(result.stdout)
    assert first is None and second == "Adapter" and count >= 6


def test_register_refuses_an_upper_case_protocol(fresh_registry: None) -> None:
    class Shouting(dj.StorageAdapter):
        protocol = "Shout"

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            return None

    with pytest.raises(dj.DataJointError, match="lower case"):
        dj.register_adapter(Shouting)


def test_plugin_key_types_are_strict(fresh_registry: None) -> None:
    class Typed(dj.StorageAdapter):
        protocol = "typed-strict"
        allowed_keys = ("port",)
        key_fields = {"port": int}

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            return None

    dj.register_adapter(Typed)
    dj.config["stores"]["t"] = {"protocol": "typed-strict", "port": "3"}
    with pytest.raises(dj.InvalidValueError, match="port"):
        dj.config.get_store_spec("t")


def test_a_plugin_overriding_full_path_still_cannot_escape(fresh_registry: None) -> None:
    class Naive(dj.StorageAdapter):
        protocol = "naive"

        def create_filesystem(self, spec: dict[str, Any]) -> Any:
            return None

        def full_path(self, spec: dict[str, Any], relpath: str) -> str:
            return f"/volumes/{relpath}"

    dj.register_adapter(Naive)
    dj.config["stores"]["n"] = {"protocol": "naive"}
    assert dj.get_store("n").full_path("a/b") == "/volumes/a/b"
    for bad in ("../etc/passwd", "/abs", "a/../../b", "x\x00y"):
        with pytest.raises(dj.DataJointError):
            dj.get_store("n").full_path(bad)


def test_builtin_entry_points_are_the_distributions_own() -> None:
    """The table that loads DataJoint's protocols without a listing is pyproject's."""
    from importlib import metadata

    from datajoint_storage.registry import (
        BUILTIN_ENTRY_POINTS,
        DATAJOINT_BUILTINS,
        OWN_ENTRY_POINTS,
        OWN_GROUP,
    )

    declared = {
        ep.name: ep.value
        for ep in metadata.distribution("datajoint-storage").entry_points
        if ep.group == OWN_GROUP
    }
    assert set(BUILTIN_ENTRY_POINTS) == set(DATAJOINT_BUILTINS)
    assert {name: declared[name] for name in DATAJOINT_BUILTINS} == BUILTIN_ENTRY_POINTS
    assert declared == OWN_ENTRY_POINTS  # loaded as ours without reading METADATA
