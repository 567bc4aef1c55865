"""Plugins that raise ``BaseException``, print to stdout, hang on import, or compete.

Every plugin is a real installed distribution (``*.dist-info`` on ``PYTHONPATH``) and
every run a fresh interpreter or a real subprocess of the console script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.helpers import Project, run_python
from tests.plugin_dist import make_distribution

from ._support import attack

GOOD = textwrap.dedent(
    """
    import datajoint_storage as dj
    from fsspec.implementations.memory import MemoryFileSystem

    class Adapter(dj.StorageAdapter):
        protocol = {protocol!r}
        allowed_keys = ("token",)

        def create_filesystem(self, spec):
            {body}
            return MemoryFileSystem(skip_instance_cache=True)
    """
)


def _dist(tmp_path: Path, name: str, source: str, protocol: str | None = None) -> Path:
    module = f"dj_{name.replace('-', '_')}_mod"
    return make_distribution(
        tmp_path / name,
        f"dj-{name}-storage",
        entry_points={protocol or name: f"{module}:Adapter"},
        modules={module: source},
    )


def _good(tmp_path: Path, name: str, body: str = "pass", protocol: str | None = None) -> Path:
    source = GOOD.format(protocol=protocol or name, body=body)
    return _dist(tmp_path, name, source, protocol)


def _cli(
    args: list[str], cwd: Path, site: list[Path], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    base["PYTHONPATH"] = os.pathsep.join(str(p) for p in site)
    base.update(env or {})
    script = Path(sys.executable).parent / "datajoint-storage"
    return subprocess.run(
        [str(script), *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=60
    )


# -- BaseException on import or instantiation --------------------------------------

#: name -> module source raising a BaseException subclass that is not Exception.
BASE_EXCEPTIONS = {
    "custombase": "class Boom(BaseException):\n    pass\nraise Boom('custom base')\n",
    "generatorexit": "raise GeneratorExit('closing')\n",
    "exitcode": "raise SystemExit(3)\n",
    "exitnone": "raise SystemExit\n",
    "exitinit": (
        GOOD.format(protocol="exitinit", body="pass")
        + "\n    def __init__(self):\n        raise SystemExit('no init')\n"
    ),
    "baseinit": (
        "class Boom(BaseException):\n    pass\n"
        + GOOD.format(protocol="baseinit", body="pass")
        + "\n    def __init__(self):\n        raise Boom('init base')\n"
    ),
    "emptybase": "class Quiet(BaseException):\n    def __str__(self):\n        return ''\n"
    "raise Quiet()\n",
}

ISOLATION_CHILD = textwrap.dedent(
    """
    import json, warnings
    warnings.simplefilter("ignore")
    import datajoint_storage as dj
    from datajoint_storage import registry
    out = {"interrupted": 0}
    for attempt in range(3):
        try:
            out["first"] = dj.get_storage_adapter("good").protocol
            break
        except KeyboardInterrupt:
            out["interrupted"] += 1
    loaded, failed = registry.describe_adapters()
    out["loaded"] = sorted(i.protocol for i in loaded)
    out["failed"] = {f.name: str(f) for f in failed}
    out["late"] = dj.get_storage_adapter("late").protocol
    print(json.dumps(out))
    """
)


@pytest.mark.parametrize("interrupt", [False, True])
def test_base_exceptions_are_isolated(tmp_path: Path, interrupt: bool) -> None:
    site = [_good(tmp_path, "early", protocol="early")]
    site += [_dist(tmp_path, name, source) for name, source in BASE_EXCEPTIONS.items()]
    if interrupt:
        site.append(_dist(tmp_path, "ctrlc", "raise KeyboardInterrupt\n"))
    site += [_good(tmp_path, "good"), _good(tmp_path, "late")]
    result = run_python(ISOLATION_CHILD, extra_path=site)
    held = result.returncode == 0
    attack("plugins: BaseException isolated", held, result.stderr[-300:])
    assert held, result.stderr
    out = json.loads(result.stdout)
    # A Ctrl-C from a plugin stops one lookup, once; the next one loads the others.
    assert out["interrupted"] == (1 if interrupt else 0)
    assert out["first"] == "good" and out["late"] == "late"
    for name in [*BASE_EXCEPTIONS, *(["ctrlc"] if interrupt else [])]:
        held = name in out["failed"] and name not in out["loaded"]
        attack("plugins: BaseException isolated", held, f"{name}: {out['failed']}")
        assert held, name
        assert out["failed"][name].startswith(f"Failed to load storage adapter {name!r}")
    assert "custom base" in out["failed"]["custombase"]
    assert {"early", "good", "late", "file", "memory", "s3"} <= set(out["loaded"])


# -- stdout from plugins never corrupts --json -------------------------------------

#: name -> an adapter module that prints somewhere (import, __init__, a call; print or fd 1)
NOISY = {
    "printimport": "print('hello from import')\n"
    + GOOD.format(protocol="printimport", body="pass"),
    "fdimport": "import os\nos.write(1, b'{\"not\": json\\n')\n"
    + GOOD.format(protocol="fdimport", body="pass"),
    "rawstdout": "import sys\nsys.__stdout__.write('raw [[[')\n"
    + GOOD.format(protocol="rawstdout", body="pass"),
    "printinit": GOOD.format(protocol="printinit", body="pass")
    + "\n    def __init__(self):\n        print('init chatter', flush=True)\n",
    "printfs": GOOD.format(protocol="printfs", body="print('creating the filesystem')"),
    "fdfs": GOOD.format(protocol="fdfs", body="import os; os.write(1, b'NaN, ')"),
    "printvalidate": GOOD.format(protocol="printvalidate", body="pass")
    + "\n    def validate_spec(self, spec):\n        print('validating', spec)\n"
    "        return super().validate_spec(spec)\n",
}


@pytest.mark.parametrize(
    "command", [["validate"], ["adapters"], ["schema"], ["check", "--timeout", "10"], ["show"]]
)
def test_a_plugin_printing_never_corrupts_json(
    tmp_path: Path, project: Project, command: list[str]
) -> None:
    site = [_dist(tmp_path, name, source) for name, source in NOISY.items()]
    project.write_config({"stores": {name: {"protocol": name} for name in NOISY}})
    for args in (["--json", *command], [*command, "--json"]):
        run = _cli(args, project.root, site)
        try:
            doc = json.loads(run.stdout)
            held = doc["command"] == command[0] and "Traceback" not in run.stderr
        except ValueError:
            held = False
        attack("plugins: stdout never corrupts --json", held, f"{args}: {run.stdout[:200]}")
        assert held, (args, run.stdout, run.stderr)
    # What the plugins printed is not lost: it went to stderr.
    assert "hello from import" in run.stderr


# -- a plugin whose import hangs ---------------------------------------------------

HANGS = {
    "sleeps": "import time\ntime.sleep(3600)\n",
    "spins": "while True:\n    pass\n",
    "initsleeps": GOOD.format(protocol="initsleeps", body="pass")
    + "\n    def __init__(self):\n        import time\n        time.sleep(3600)\n",
}


@pytest.mark.parametrize("hang", sorted(HANGS))
@pytest.mark.parametrize(
    "command",
    [["validate"], ["adapters"], ["schema"], ["check", "--timeout", "1.5"], ["--json", "validate"]],
)
def test_a_hanging_plugin_never_hangs_the_command(
    tmp_path: Path, project: Project, command: list[str], hang: str
) -> None:
    site = [_good(tmp_path, "good"), _dist(tmp_path, hang, HANGS[hang])]
    project.write_config({"stores": {"ok": {"protocol": "good"}, "mem": {"protocol": "memory"}}})
    # check bounds them by its own --timeout: the variable is not set for it.
    env = {} if "check" in command else {"DATAJOINT_STORAGE_PLUGIN_TIMEOUT": "1.5"}
    started = time.monotonic()
    try:
        run = _cli(command, project.root, site, env)
    except subprocess.TimeoutExpired:
        attack("plugins: a hanging import never hangs", False, f"{command} {hang}: hung")
        raise
    took = time.monotonic() - started
    text = run.stdout + run.stderr
    held = (
        run.returncode != 0
        and took < 20
        and repr(hang) in text
        and "did not finish importing within 1.5 s" in text
        and "Traceback" not in text
    )
    attack("plugins: a hanging import never hangs", held, f"{command} {hang}: {text[-200:]}")
    assert held, (run.returncode, took, text)
    if "--json" in command:
        assert json.loads(run.stdout)["error"]["type"] == "AdapterLoadError"


def test_a_slow_plugin_within_the_bound_is_loaded(tmp_path: Path, project: Project) -> None:
    slow = "import time\ntime.sleep(0.5)\n" + GOOD.format(protocol="slow", body="pass")
    site = [_dist(tmp_path, "slow", slow)]
    run = _cli(
        ["--json", "adapters"], project.root, site, {"DATAJOINT_STORAGE_PLUGIN_TIMEOUT": "20"}
    )
    assert run.returncode == 0, run.stderr
    protocols = {a["protocol"] for a in json.loads(run.stdout)["result"]["adapters"]}
    held = "slow" in protocols
    attack("plugins: a hanging import never hangs", held, "slow but in time: not loaded")
    assert held


# -- which adapter serves a protocol does not depend on lookup order ----------------

ORDER_CHILD = textwrap.dedent(
    """
    import itertools, json, warnings
    warnings.simplefilter("ignore")
    from datajoint_storage import registry

    def reset():
        registry._adapters.clear()
        registry._runtime.clear()
        registry._failures.clear()
        registry._pending = None
        registry._datajoint = None

    def who(protocol):
        adapter = registry.get_storage_adapter(protocol)
        return None if adapter is None else type(adapter).__module__

    protocols = ["s3", "memory", "file", "good", "gcs"]
    answers = {}
    for order in itertools.permutations(protocols):
        for first in (None, "all", "datajoint"):
            reset()
            if first == "all":
                registry.registered_adapters()
            elif first == "datajoint":
                registry.datajoint_adapter("good")
            seen = {p: who(p) for p in order}
            seen = {p: (seen[p], who(p)) for p in protocols}  # asked again: the same
            answers[json.dumps(seen, sort_keys=True)] = " ".join(order) + f" ({first})"
    print(json.dumps(answers))
    """
)


def test_the_adapter_for_a_protocol_does_not_depend_on_lookup_order(tmp_path: Path) -> None:
    # Third-party plugins claiming our protocols, DataJoint's built-ins, and their own.
    site = [
        _good(tmp_path, "evil-s3", protocol="s3"),
        _good(tmp_path, "evil-file", protocol="file"),
        _good(tmp_path, "other-memory", protocol="memory"),
        _good(tmp_path, "good"),
    ]
    result = run_python(ORDER_CHILD, extra_path=site, timeout=120)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    held = len(answers) == 1
    for _ in range(360):  # 5! orders, three ways to start each
        attack("plugins: adapter independent of order", held, f"{len(answers)} answers")
    assert held, answers
    [seen] = [json.loads(a) for a in answers]
    # s3/file stay ours (DataJoint serves them itself); memory goes to the plugin, as
    # DataJoint would use it; no third-party plugin ever receives s3 credentials.
    assert seen["s3"][0].startswith("datajoint_storage.")
    assert seen["file"][0].startswith("datajoint_storage.")
    assert seen["memory"][0] == "dj_other_memory_mod"
    assert seen["good"][0] == "dj_good_mod"


@pytest.mark.parametrize("raised", ["KeyboardInterrupt", "SystemExit(1)", "GeneratorExit"])
@pytest.mark.parametrize("command", [["--json", "adapters"], ["--json", "validate"]])
def test_the_cli_survives_a_plugin_raising_base_exceptions(
    tmp_path: Path, project: Project, raised: str, command: list[str]
) -> None:
    site = [_dist(tmp_path, "raiser", f"raise {raised}\n"), _good(tmp_path, "good")]
    project.write_config({"stores": {"ok": {"protocol": "good"}}})
    run = _cli(command, project.root, site)
    doc = json.loads(run.stdout)
    held = run.returncode == 0 and doc["ok"] and "Traceback" not in run.stderr
    if command[1] == "adapters":
        failed = {f["name"] for f in doc["result"]["failed"]}
        loaded = {a["protocol"] for a in doc["result"]["adapters"]}
        held = held and "raiser" in failed and "good" in loaded
    attack("plugins: BaseException isolated", held, f"{raised} {command}: {run.stdout[-200:]}")
    assert held, (run.returncode, run.stdout, run.stderr)
