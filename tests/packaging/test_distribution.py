"""The wheel and sdist, built the way a user builds them, hold what an install needs.

``datajoint-storage`` is not on the package index: users install it from a checkout
(``pip install '.[s3]'``) or from a built wheel (``python -m build``, then
``pip install dist/*.whl``). These tests build both from a copy of the committed tree,
look inside them, and install the wheel into a new virtual environment.
"""

from __future__ import annotations

import configparser
import email
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO

BUILT_INS = {"file", "memory", "s3", "gcs", "azure"}
RUNTIME_DEPENDENCIES = {"pydantic", "pydantic-settings", "fsspec", "python-dotenv", "click"}


def committed_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` (sdist, then the wheel from the sdist) of the committed tree."""
    source = tmp_path_factory.mktemp("source")
    for name in committed_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "SetuptoolsDeprecationWarning" not in result.stdout + result.stderr
    return out


def only(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


def test_the_wheel_holds_the_package_its_type_marker_and_no_tests(dist: Path) -> None:
    wheel = zipfile.ZipFile(only(dist, "*.whl"))
    names = set(wheel.namelist())
    assert "datajoint_storage/py.typed" in names
    schema = "datajoint_storage/schemas/datajoint.schema.json"
    assert wheel.read(schema) == (REPO / schema).read_bytes(), "the committed schema, as is"
    assert "datajoint_storage/__init__.py" in names
    assert {f"datajoint_storage/adapters/{p}.py" for p in BUILT_INS} <= names
    assert not [n for n in names if n.startswith(("tests/", "examples/", "benchmarks/"))]
    package_sources = {name for name in committed_files() if name.startswith("datajoint_storage/")}
    assert package_sources <= names, sorted(package_sources - names)


def test_the_wheel_registers_the_command_and_every_built_in_adapter(dist: Path) -> None:
    wheel = zipfile.ZipFile(only(dist, "*.whl"))
    (entry_points_txt,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points_txt).decode())
    assert parser["console_scripts"]["datajoint-storage"] == "datajoint_storage.cli:main"
    # Our own group: DataJoint, which reads "datajoint.storage", never sees our built-ins.
    assert "datajoint.storage" not in parser
    adapters = dict(parser["datajoint_storage.adapters"])
    assert set(adapters) == BUILT_INS
    for protocol, target in adapters.items():
        assert target.startswith(f"datajoint_storage.adapters.{protocol}:")


def test_the_metadata_states_an_spdx_license_and_open_dependency_ranges(dist: Path) -> None:
    wheel = zipfile.ZipFile(only(dist, "*.whl"))
    (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = email.message_from_bytes(wheel.read(metadata_name))
    assert metadata["Name"] == "datajoint-storage"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())
    requires = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    names = {r.split(">")[0].split("<")[0].split("=")[0].strip() for r in requires}
    assert names == RUNTIME_DEPENDENCIES
    assert not [r for r in requires if "==" in r], "a library pins nothing exactly"
    extras = set(metadata.get_all("Provides-Extra"))
    assert {"s3", "gcs", "azure", "all"} <= extras


def test_the_sdist_rebuilds_from_what_it_holds(dist: Path) -> None:
    with tarfile.open(only(dist, "*.tar.gz")) as sdist:
        names = sdist.getnames()
    root = names[0].split("/")[0]
    inside = {name.removeprefix(f"{root}/") for name in names}
    assert {"pyproject.toml", "README.md", "LICENSE", "datajoint_storage/py.typed"} <= inside
    # The wheel was built from this sdist (python -m build's default), so it is complete.


def test_pip_installs_the_wheel_with_its_entry_points(dist: Path, tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(only(dist, "*.whl")),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert install.returncode == 0, install.stderr
    probe = (
        "from importlib.metadata import entry_points, files\n"
        "eps = entry_points(group='datajoint_storage.adapters')\n"
        "shared = entry_points(group='datajoint.storage')\n"
        "assert not [ep for ep in shared if ep.dist.name == 'datajoint-storage']\n"
        "print(sorted(ep.name for ep in eps if ep.dist.name == 'datajoint-storage'))\n"
        "print(any(str(f).endswith('datajoint_storage/py.typed') for f in "
        "files('datajoint-storage')))\n"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    protocols, typed = result.stdout.split("\n")[:2]
    assert protocols == repr(sorted(BUILT_INS))
    assert typed == "True"
    assert (target / "bin" / "datajoint-storage").exists()
