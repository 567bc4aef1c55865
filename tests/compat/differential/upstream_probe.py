"""Run by DataJoint 2.3.5's interpreter (``.venv-datajoint``): its answer for every case.

Reads the cases as JSON on stdin, prints one JSON answer per case on stdout. For each
case: the environment and working directory are set, DataJoint's config is built the
way ``import datajoint`` builds it (``settings._create_config``), the runtime steps are
applied, and every asked store is "accepted" when ``config.get_store_spec`` returns and
``datajoint.storage.StorageBackend(spec)`` constructs. Only the standard library and
DataJoint are used: this file never imports datajoint_storage.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from pathlib import Path


def answer(case: dict, settings, storage) -> dict:
    for name in [n for n in os.environ if n[:3].upper() == "DJ_"]:
        del os.environ[name]
    os.environ.update(case["env"])
    os.chdir(case["cwd"])
    try:
        config = settings._create_config()
    except Exception as exc:  # DataJoint would fail to import
        return {"built": False, "why": f"{type(exc).__name__}: {exc}"[:300]}
    for step in case["runtime"]:
        kind = step[0]
        try:
            if kind == "set":
                config["stores"][step[1]] = step[2]
            elif kind == "block":
                config["stores"] = step[1]
            elif kind == "edit" and isinstance(config.stores.get(step[1]), dict):
                config.stores[step[1]][step[2]] = step[3]
        except Exception as exc:
            return {"built": False, "why": f"runtime step failed: {type(exc).__name__}"}
    stores = {}
    for asked in case["ask"]:
        name, flag = asked
        try:
            spec = config.get_store_spec(name, use_filepath_default=flag)
        except Exception as exc:
            stores[json.dumps(asked)] = {"accepted": False, "why": type(exc).__name__}
            continue
        try:
            storage.StorageBackend(dict(spec))
        except Exception as exc:
            stores[json.dumps(asked)] = {
                "accepted": False,
                "why": f"StorageBackend: {type(exc).__name__}",
            }
            continue
        stores[json.dumps(asked)] = {
            "accepted": True,
            "spec": json.loads(json.dumps(spec, default=str)),
        }
    return {"built": True, "stores": stores}


def main() -> None:
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    cases = json.load(sys.stdin)
    os.chdir(cases["quiet_dir"])  # an empty project: importing datajoint reads nothing
    import datajoint.settings as settings
    import datajoint.storage as storage

    settings.SYSTEM_SECRETS_DIR = Path(cases["quiet_dir"]) / "no-system-secrets"
    json.dump([answer(case, settings, storage) for case in cases["cases"]], sys.stdout)


if __name__ == "__main__":
    main()
