"""``doctor``: what is installed, what DataJoint would do, which files are in force.

Versions come from the installed distributions; an SDK is found without importing it.
DataJoint is asked in a child interpreter (importing it reads its own configuration
and takes seconds), so its answer is its own, not our guess.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from .app import cli
from .data import problem_data, warning_data
from .options import Options, command_flags
from .outcome import Outcome
from .report import TextReporter, renders

LIBRARIES = ("datajoint-storage", "pydantic", "pydantic-settings", "fsspec", "click")
#: Seconds DataJoint may take to import and answer.
DATAJOINT_TIMEOUT = 60.0

#: Run in the DataJoint interpreter: its version and, per protocol, the adapter it uses.
#: DataJoint 2.3.5 serves file/s3/gcs/azure itself (settings.get_store_spec's
#: ``supported_protocols``, storage.StorageBackend) and asks its entry points otherwise.
_ASK_DATAJOINT = """
import json, logging, sys
from importlib import metadata
try:
    version = metadata.version("datajoint")
except metadata.PackageNotFoundError:
    print(json.dumps({"installed": False}))
    raise SystemExit
logging.disable(logging.CRITICAL)
from datajoint import storage_adapter
answer = {}
for protocol in json.loads(sys.argv[1]):
    if protocol in ("file", "s3", "gcs", "azure"):
        answer[protocol] = "built-in (datajoint.storage.StorageBackend)"
        continue
    adapter = storage_adapter.get_storage_adapter(protocol)
    kind = type(adapter)
    answer[protocol] = None if adapter is None else f"{kind.__module__}.{kind.__qualname__}"
print(json.dumps({"installed": True, "version": version, "adapters": answer}))
"""


@cli.command()
@click.option(
    "--datajoint-python",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Ask the DataJoint installed for this interpreter (default: this one).",
)
@command_flags
@click.pass_obj
def doctor(options: Options, datajoint_python: Path | None) -> Outcome:
    """Versions, SDKs per protocol, what DataJoint would use, files in force, warnings."""
    from ..registry import describe_adapters

    loaded, failed = describe_adapters()
    protocols = [_protocol(info) for info in loaded]
    datajoint = _ask_datajoint(datajoint_python, [p["protocol"] for p in protocols])
    config = options.config()
    files = config.files()
    try:
        problems = [problem_data(p) for p in config.problems()]
        warnings = [warning_data(w) for w in config.warnings()]
    except Exception as exc:  # an unreadable source is a finding here, not a crash
        problems = [{"store": None, "key": None, "source": None, "message": str(exc)}]
        warnings = []
    result = {
        "versions": {"python": platform.python_version(), **_versions()},
        "python": sys.executable,
        "protocols": protocols,
        "failed_plugins": [
            {"name": f.name, "distribution": f.distribution, "reason": str(f)} for f in failed
        ],
        "datajoint": datajoint,
        "config_file": str(files.config_file) if files.config_file else None,
        "searched": (
            {"from": str(files.searched[0]), "to": str(files.searched[1])}
            if files.searched and not files.config_file
            else None
        ),
        "ignore_config_file": files.ignored,
        "secrets_dir": str(files.secrets_dir) if files.secrets_dir else None,
        "dotenv": str(files.dotenv) if files.dotenv else None,
        "variables": files.variables,  # names only: values may be credentials
        "problems": problems,
        "warnings": warnings,
    }
    return Outcome("doctor", result)


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _protocol(info: Any) -> dict[str, Any]:
    """One protocol: its adapter, and whether the SDK it needs is installed."""
    adapter = info.adapter
    kind = type(adapter)
    sdk = getattr(adapter, "sdk", None)
    row: dict[str, Any] = {
        "protocol": info.protocol,
        "adapter": f"{kind.__module__}.{kind.__qualname__}",
        "distribution": info.distribution,
        "version": info.version,
        "sdk": None,
        "sdk_installed": True,
        "sdk_version": None,
        "install": None,
    }
    if isinstance(sdk, tuple) and len(sdk) == 2:
        module, extra = sdk
        row["sdk"] = module
        row["sdk_installed"] = _installed(module)
        if row["sdk_installed"]:
            with contextlib.suppress(metadata.PackageNotFoundError):
                row["sdk_version"] = metadata.version(module)
        else:
            row["install"] = f'pip install "datajoint-storage[{extra}]"'
    return row


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a finder that refuses it: not usable either
        return False


def _ask_datajoint(python: Path | None, protocols: list[str]) -> dict[str, Any]:
    """DataJoint's own answer, from a child interpreter (ours unless ``python``)."""
    executable = str(python) if python is not None else sys.executable
    try:
        done = subprocess.run(
            [executable, "-c", _ASK_DATAJOINT, json.dumps(protocols)],
            capture_output=True,
            text=True,
            timeout=DATAJOINT_TIMEOUT,
        )
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"installed": None, "python": executable, "error": "no answer in time"}
    except (OSError, ValueError, IndexError):
        return {"installed": None, "python": executable, "error": "could not ask DataJoint"}
    return {"python": executable, **answer}


@renders("doctor")
def _render_doctor(r: TextReporter, result: dict[str, Any]) -> None:
    versions = result["versions"]
    r.out("versions", bold=True)
    for name, version in versions.items():
        r.out(f"  {name:<18} {version or 'not installed'}")
    r.out("protocols", bold=True)
    for p in result["protocols"]:
        if p["sdk"] is None:
            sdk = "no SDK needed" if p["distribution"] == "datajoint-storage" else "plugin"
        elif p["sdk_installed"]:
            sdk = f"{p['sdk']} {p['sdk_version'] or ''}".rstrip()
        else:
            sdk = f"{p['sdk']} not installed: {p['install']}"
        r.out(f"  {p['protocol']:<8} {sdk}", fg=None if p["sdk_installed"] else "yellow")
    for f in result["failed_plugins"]:
        r.out(f"  {f['name']:<8} failed to load: {f['reason']}", fg="red")
    _render_datajoint(r, result["datajoint"])
    r.out("configuration", bold=True)
    if result["config_file"]:
        r.out(f"  datajoint.json: {result['config_file']}")
    elif result["ignore_config_file"]:
        r.out("  datajoint.json: not read (DJ_IGNORE_CONFIG_FILE)")
    elif result["searched"]:
        searched = result["searched"]
        r.out(f"  datajoint.json: none found (searched {searched['from']} up to {searched['to']})")
    r.out(f"  secrets:        {result['secrets_dir'] or 'none'}")
    r.out(f"  .env:           {result['dotenv'] or 'none read'}")
    r.out(f"  DJ_* set:       {', '.join(result['variables']) or 'none'}")
    if result["problems"]:
        r.out(f"  problems:       {len(result['problems'])} (run `datajoint-storage validate`)")
    else:
        r.out("  problems:       none")
    r.out(f"warnings ({len(result['warnings'])})", bold=True)
    for w in result["warnings"]:
        where = ".".join(str(part) for part in (w["store"], w["key"]) if part)
        r.out(f"  - {where + ': ' if where else ''}{w['message']}", fg="yellow")


def _render_datajoint(r: TextReporter, datajoint: dict[str, Any]) -> None:
    r.out("datajoint", bold=True)
    if datajoint.get("installed") is None:
        r.out(f"  unknown: {datajoint.get('error')} ({datajoint['python']})", fg="yellow")
        return
    if not datajoint["installed"]:
        r.out(f"  not installed for {datajoint['python']}")
        return
    r.out(f"  {datajoint['version']}")
    for protocol, adapter in datajoint["adapters"].items():
        r.out(f"  {protocol:<8} {adapter or 'none: DataJoint cannot use this protocol'}")
