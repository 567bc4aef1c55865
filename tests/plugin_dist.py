"""Build a real installed distribution on disk: modules plus a ``*.dist-info`` folder.

Putting its folder on ``sys.path`` (``PYTHONPATH`` of a subprocess) makes
``importlib.metadata`` see it exactly as it sees a pip-installed plugin.
"""

from __future__ import annotations

from pathlib import Path


def make_distribution(
    root: Path,
    name: str,
    *,
    entry_points: dict[str, str],
    modules: dict[str, str],
    version: str = "1.0.0",
    group: str = "datajoint.storage",
) -> Path:
    """Write modules and ``<name>-<version>.dist-info`` under ``root``; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        path = root / (module.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{group}]"] + [f"{ep} = {target}" for ep, target in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")
    return root
