"""Inside the real DataJoint 2.3.5: installing us changes nothing it did not ask for,
and a plugin built on our base class works when DataJoint loads it.

Every check runs in DataJoint's own interpreter (``.venv-datajoint``), once without us
and once with this package and the example WebDAV plugin installed (``dj_site``).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.datajoint.conftest import run_datajoint
from tests.plugin_dist import make_distribution
from tests.unit.test_registry import ADAPTER_SOURCE

PROTOCOLS = ("file", "s3", "gcs", "azure", "memory", "webdav", "nothing")

ANSWERS = textwrap.dedent(
    f"""
    import json, sys
    import datajoint as dj
    out = {{}}
    for protocol in {PROTOCOLS!r}:
        adapter = dj.get_storage_adapter(protocol)
        kind = type(adapter)
        out[protocol] = None if adapter is None else kind.__module__ + "." + kind.__name__
    out["imported us"] = "datajoint_storage" in sys.modules
    print(json.dumps(out))
    """
)


def _answers(site: Path | None) -> dict[str, object]:
    result = run_datajoint(ANSWERS, site=site)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_get_storage_adapter_answers_as_without_us(dj_site: Path) -> None:
    without = _answers(None)
    with_us = _answers(dj_site)
    assert without == {p: None for p in PROTOCOLS} | {"imported us": False}
    # The only difference is the plugin the user installed on purpose.
    expected = dict(without, webdav="datajoint_storage_webdav_example.adapter.WebDAVAdapter")
    expected["imported us"] = True  # the plugin is built on us
    assert with_us == expected
    assert with_us["memory"] is None  # DataJoint has no `memory`, with us installed too


def test_memory_is_refused_by_datajoint_with_us_installed(dj_site: Path, tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import json
        import datajoint as dj
        dj.config.stores = {"m": {"protocol": "memory"}, "M": {"protocol": "Memory"}}
        out = {}
        for name in ("m", "M"):
            try:
                dj.config.get_store_spec(name)
                out[name] = "accepted"
            except dj.DataJointError as exc:
                out[name] = str(exc)
        print(json.dumps(out))
        """
    )
    for site in (None, dj_site):
        result = run_datajoint(code, site=site, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert all(text.startswith('Unknown protocol "memory"') for text in out.values()), out


PLUGIN_IN_DATAJOINT = textwrap.dedent(
    """
    import json, pickle
    import datajoint as dj
    adapter = dj.get_storage_adapter("webdav")
    out = {"is_dj_adapter": isinstance(adapter, dj.StorageAdapter)}
    import datajoint_storage as ours
    out["is_ours"] = isinstance(adapter, ours.StorageAdapter)

    def caught(call):
        try:
            call()
        except dj.DataJointError as exc:
            return [type(exc).__name__, isinstance(exc, ours.DataJointError), str(exc)]
        return "no error"

    base = {"protocol": "webdav", "url": "http://127.0.0.1:9/dav", "location": "loc"}
    out["missing"] = caught(lambda: adapter.validate_spec({"protocol": "webdav"}))
    out["unknown key"] = caught(lambda: adapter.validate_spec(dict(base, colour=1)))
    out["bad type"] = caught(lambda: adapter.validate_spec(dict(base, timeout="3")))
    out["escape"] = caught(lambda: adapter.full_path(base, "../outside.txt"))
    out["encoded escape"] = caught(lambda: adapter.full_path(base, "%2e%2e/storeB/victim.dat"))
    out["not a dict"] = caught(lambda: adapter.create_filesystem(None))
    # DataJoint's spec shape: its six defaults, the user's case, subfolding a tuple.
    dj.config.stores = {"dav": dict(base, protocol="WebDAV", subfolding=(2, 2))}
    spec = dj.config.get_store_spec("dav")
    out["shape accepted"] = sorted(spec)
    fs = adapter.create_filesystem(spec)
    out["timeout applied"] = fs.client.http.timeout.read
    out["same fs again"] = adapter.create_filesystem(dict(spec)) is fs
    out["rotated password"] = adapter.create_filesystem(
        dict(spec, username="u", password="new")) is not fs
    out["full_path"] = adapter.full_path(spec, "_hash/s/ab/x")
    try:
        adapter.full_path(base, "../x")
    except dj.DataJointError as exc:
        again = pickle.loads(pickle.dumps(exc))
        out["pickled"] = [type(again).__name__, isinstance(again, dj.DataJointError), str(again)]
    print(json.dumps(out))
    """
)


def test_a_plugin_built_on_us_is_a_datajoint_adapter(dj_site: Path, tmp_path: Path) -> None:
    result = run_datajoint(PLUGIN_IN_DATAJOINT, site=dj_site, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["is_dj_adapter"] and out["is_ours"]
    for case in ("missing", "unknown key", "bad type", "escape", "encoded escape", "not a dict"):
        assert isinstance(out[case], list), (case, out[case])
        assert out[case][1] is True, case  # ours too
    assert out["missing"][0] == "MissingKeysError"
    assert out["missing"][2].startswith("webdav store is missing: url")
    assert out["unknown key"][2].startswith("Invalid key(s) for webdav: colour")
    assert out["bad type"][2].startswith("Invalid value for timeout")
    assert "'..'" in out["escape"][2] and "'..'" in out["encoded escape"][2]
    assert "subfolding" in out["shape accepted"] and "timeout" not in out["shape accepted"]
    assert out["timeout applied"] == 30.0  # the adapter's own default, applied by the base
    assert out["same fs again"] is True and out["rotated password"] is True
    assert out["full_path"] == "loc/_hash/s/ab/x"
    assert out["pickled"][:2] == ["DataJointError", True]


def test_errors_of_our_world_are_not_datajoints_without_it(tmp_path: Path) -> None:
    """``import datajoint_storage`` imports no DataJoint; errors stay only ours then."""
    from tests.helpers import run_python

    code = textwrap.dedent(
        """
        import json, sys
        import datajoint_storage as dj
        adapter = dj.get_storage_adapter("file")
        try:
            adapter.full_path({"protocol": "file", "location": "/d"}, "../x")
        except dj.DataJointError as exc:
            kind = [c.__module__ for c in type(exc).__mro__]
        print(json.dumps(["datajoint" in sys.modules, kind]))
        """
    )
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    imported, mro = json.loads(result.stdout)
    assert imported is False and "datajoint.errors" not in mro


@pytest.mark.parametrize("order", ["zeta-first", "alpha-first"])
def test_a_protocol_two_distributions_claim_goes_where_datajoint_sends_it(
    dj_site: Path, tmp_path: Path, order: str
) -> None:
    dists = {}
    for name, cls in (("dj-zeta-storage", "Zeta"), ("dj-alpha-storage", "Alpha")):
        module = name.replace("-", "_") + "_mod"
        dists[cls] = make_distribution(
            tmp_path / name,
            name,
            entry_points={"twin": f"{module}:{cls}"},
            modules={module: ADAPTER_SOURCE.format(cls=cls, protocol="twin")},
        )
    paths = [dists["Zeta"], dists["Alpha"]]
    if order == "alpha-first":
        paths.reverse()
    code = textwrap.dedent(
        """
        import json, warnings
        import datajoint as dj
        theirs = type(dj.get_storage_adapter("twin")).__name__
        import datajoint_storage as ours
        from datajoint_storage import registry
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mine = type(ours.get_storage_adapter("twin")).__name__
        choice = registry.datajoint_adapter("twin")
        print(json.dumps([theirs, mine, type(choice.adapter).__name__, choice.distribution,
                          [str(w.message) for w in caught]]))
        """
    )
    site = ":".join(str(p) for p in [*paths, dj_site])
    result = run_datajoint(code, site=None, env={"PYTHONPATH": site}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    theirs, mine, reported, distribution, warned = json.loads(result.stdout)
    assert theirs == mine == reported == ("Zeta" if order == "zeta-first" else "Alpha")
    assert distribution == f"dj-{mine.lower()}-storage"
    assert len(warned) == 1 and "dj-zeta-storage" in warned[0] and "dj-alpha-storage" in warned[0]


def test_datajoint_imported_after_our_adapters_still_sees_them(dj_site: Path) -> None:
    code = textwrap.dedent(
        """
        import json
        import datajoint_storage as ours
        adapter = ours.get_storage_adapter("webdav")
        import datajoint as dj
        print(json.dumps(isinstance(adapter, dj.StorageAdapter)))
        """
    )
    result = run_datajoint(code, site=dj_site)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is True
