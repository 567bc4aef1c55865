"""Broken plugins, installed for real (``*.dist-info`` on sys.path), in fresh interpreters.

Each failure is isolated: the other adapters keep working, and the reason is visible in
``describe_adapters()`` and in ``datajoint-storage adapters`` (text and ``--json``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import Project, run_python
from tests.plugin_dist import make_distribution

ADAPTER = textwrap.dedent(
    """
    import datajoint_storage as dj

    class {cls}(dj.StorageAdapter):
        protocol = {protocol!r}
        allowed_keys = ("token",)

        def create_filesystem(self, spec):
            {body}
    """
)
MEMORY_FS = (
    "from fsspec.implementations.memory import MemoryFileSystem\n"
    "        return MemoryFileSystem(skip_instance_cache=True)"
)

#: entry-point name -> (module source, expected words of the reason)
BROKEN = {
    "importboom": ("raise ImportError('needs libfoo 9')\n", "ImportError: needs libfoo 9"),
    "exitboom": (
        "import sys\nsys.exit('unsupported platform')\n",
        "SystemExit: unsupported platform",
    ),
    "initboom": (
        ADAPTER.format(cls="Adapter", protocol="initboom", body=MEMORY_FS)
        + "\n    def __init__(self):\n        raise RuntimeError('no licence')\n",
        "RuntimeError: no licence",
    ),
    "nocontract": (
        "class Adapter:\n    protocol = 'nocontract'\n"
        "    required_keys = ()\n    allowed_keys = ()\n",
        "has no create_filesystem method",
    ),
    "noprotocol": (
        "class Adapter:\n    protocol = 7\n"
        "    def create_filesystem(self, spec):\n        return None\n",
        "has no 'protocol' string",
    ),
    "badkeys": (
        "class Adapter:\n    protocol = 'badkeys'\n    required_keys = 'bucket'\n"
        "    allowed_keys = ()\n    def create_filesystem(self, spec):\n        return None\n",
        "required_keys must be a tuple of key names",
    ),
    "missingattr": ("X = 1\n", "AttributeError"),
}


def _site(tmp_path: Path) -> list[Path]:
    """Every broken plugin, a working one, one whose backend fails, and two twins."""
    paths = []
    for name, (source, _) in BROKEN.items():
        module = f"dj_{name}_mod"
        paths.append(
            make_distribution(
                tmp_path / name,
                f"dj-{name}-storage",
                entry_points={name: f"{module}:Adapter"},
                modules={module: source},
            )
        )
    adapters = {
        "good": MEMORY_FS,
        "fsboom": "raise OSError('backend down for token ' + spec['token'])",
    }
    for protocol, body in adapters.items():
        module = f"dj_{protocol}_mod"
        paths.append(
            make_distribution(
                tmp_path / protocol,
                f"dj-{protocol}-storage",
                entry_points={protocol: f"{module}:Adapter"},
                modules={module: ADAPTER.format(cls="Adapter", protocol=protocol, body=body)},
            )
        )
    for dist in ("dj-twin-zeta", "dj-twin-alpha"):
        module = dist.replace("-", "_")
        paths.append(
            make_distribution(
                tmp_path / dist,
                dist,
                entry_points={"twin": f"{module}:Adapter"},
                modules={module: ADAPTER.format(cls="Adapter", protocol="twin", body=MEMORY_FS)},
            )
        )
    return paths


LIBRARY_CHILD = textwrap.dedent(
    """
    import json, warnings
    import datajoint_storage as dj
    from datajoint_storage import registry
    out = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out["good_first"] = dj.get_storage_adapter("good").protocol  # before any other loads
        loaded, failed = registry.describe_adapters()
    out["loaded"] = {i.protocol: i.distribution for i in loaded}
    out["failed"] = {f.name: [f.distribution, str(f)] for f in failed}
    out["warnings"] = [[w.category.__name__, str(w.message)] for w in caught]
    dj.config["stores"]["ok"] = {"protocol": "good"}
    dj.config["stores"]["down"] = {"protocol": "fsboom", "token": "cnry-plugin-91c2"}
    dj.config["stores"]["gone"] = {"protocol": "importboom"}
    dj.config["stores"]["twin"] = {"protocol": "twin"}
    out["ok_fs"] = type(dj.get_filesystem("ok")).__name__
    out["twin_fs"] = type(dj.get_filesystem("twin")).__name__
    for name in ("down", "gone"):
        try:
            dj.get_filesystem(name)
        except dj.DataJointError as exc:
            out[name] = [type(exc).__name__, str(exc)]
    print(json.dumps(out))
    """
)


def test_each_broken_plugin_is_isolated_and_says_why(tmp_path: Path) -> None:
    result = run_python(LIBRARY_CHILD, extra_path=_site(tmp_path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["good_first"] == "good"
    for name, (_, reason) in BROKEN.items():
        distribution, text = out["failed"][name]
        assert distribution == f"dj-{name}-storage"
        assert text.startswith(f"Failed to load storage adapter {name!r}"), text
        assert reason in text, (name, text)
        assert [
            "AdapterLoadWarning",
            text,
        ] in out["warnings"]  # the same words were warned, once
    # The working ones, and the builtins, are all there; the twin is the one DataJoint
    # 2.3.5 takes: the first in entry-point (sys.path) order, zeta here.
    assert {"good", "fsboom", "file", "memory", "s3", "gcs", "azure"} <= set(out["loaded"])
    assert out["loaded"]["twin"] == "dj-twin-zeta"
    [twin_warning] = [m for c, m in out["warnings"] if "twin" in m]
    assert "dj-twin-alpha" in twin_warning and "dj-twin-zeta" in twin_warning
    assert (out["ok_fs"], out["twin_fs"]) == ("MemoryFileSystem", "MemoryFileSystem")
    # A backend failure names the store and the reason, never the secret.
    kind, text = out["down"]
    assert kind == "StorageBackendError"
    assert "Store 'down' (fsboom)" in text and "backend down" in text
    assert "cnry-plugin-91c2" not in result.stdout + result.stderr
    kind, text = out["gone"]
    assert kind == "UnknownProtocolError" and "needs libfoo 9" in text


def _cli(args: list[str], cwd: Path, site: list[Path]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in site)
    script = Path(sys.executable).parent / "datajoint-storage"
    return subprocess.run(
        [str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_the_cli_lists_every_reason(tmp_path: Path, project: Project, as_json: bool) -> None:
    site = _site(tmp_path)
    run = _cli(["--json", "adapters"] if as_json else ["adapters"], project.root, site)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    if as_json:
        doc = json.loads(run.stdout)
        failed = {f["name"]: f["reason"] for f in doc["result"]["failed"]}
        shown = {a["protocol"]: a["distribution"] for a in doc["result"]["adapters"]}
        warned = "\n".join(doc["warnings"])
    else:
        failed = {name: run.stdout + run.stderr for name in BROKEN}
        shown = {p: None for p in ("good", "fsboom", "twin") if p in run.stdout}
        warned = run.stderr
    for name, (_, reason) in BROKEN.items():
        assert reason in failed[name], (name, failed[name])
    assert {"good", "fsboom", "twin"} <= set(shown)
    assert "dj-twin-alpha" in warned and "dj-twin-zeta" in warned


def test_the_cli_check_shows_a_backend_failure(tmp_path: Path, project: Project) -> None:
    site = _site(tmp_path)
    project.write_config(
        {
            "stores": {
                "down": {"protocol": "fsboom", "token": "cnry-plugin-91c2"},
                "ok": {"protocol": "good"},
            }
        }
    )
    for args in (["check"], ["--json", "check"], ["--debug", "check"]):
        run = _cli(args, project.root, site)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "backend down" in run.stdout + run.stderr
        assert "cnry-plugin-91c2" not in run.stdout + run.stderr
        if "--debug" not in args:
            assert "Traceback" not in run.stdout + run.stderr
