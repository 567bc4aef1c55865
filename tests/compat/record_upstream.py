"""Record what DataJoint 2.3.5's get_store_spec returns for every case in cases.py.

Run it with an interpreter that has ``datajoint==2.3.5`` installed (not ours):

    python3 -m venv /tmp/dj235 && /tmp/dj235/bin/pip install datajoint==2.3.5
    /tmp/dj235/bin/python tests/compat/record_upstream.py > tests/compat/upstream-2.3.5.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datajoint as dj
from cases import CASES


def main() -> None:
    results = {}
    for name, stores, store in CASES:
        dj.config.stores = json.loads(json.dumps(stores))
        try:
            spec = dj.config.get_store_spec(store)
        except Exception as exc:  # DataJoint raises several types; record that it refused
            results[name] = {"refused": type(exc).__name__}
        else:
            results[name] = {"spec": spec}
    print(json.dumps({"datajoint": dj.__version__, "results": results}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
