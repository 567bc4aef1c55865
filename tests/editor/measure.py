"""Print what the editor test measures: ``.venv/bin/python -m tests.editor.measure``.

The whole corpus through the VS Code JSON language service (plugin cases with the
corpus plugin installed from a temporary directory), with the same checks as
``tests/editor/test_language_service.py``; a failed check stops with its message.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from datajoint_storage import registry
from tests.editor.checks import run_corpus
from tests.editor.driver import PINNED
from tests.plugin_dist import make_distribution
from tests.test_schema import CASES, COMMITTED, PLUGIN_MODULE, load_case


def main() -> int:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    plain = [path for path in CASES if not load_case(path).get("plugin")]
    plugin = [path for path in CASES if load_case(path).get("plugin")]
    totals = run_corpus(plain, committed)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_distribution(
            Path(tmp),
            "dj-corpus-plugin",
            entry_points={
                "labarchive": "corpus_plugin_adapters:LabArchiveAdapter",
                "tapevault": "corpus_plugin_adapters:TapeVaultAdapter",
            },
            modules={"corpus_plugin_adapters": PLUGIN_MODULE},
        )
        sys.path.insert(0, str(root))
        registry._discover_adapters()
        for key, value in run_corpus(plugin, committed).items():
            totals[key] += value
    invalid = totals["named"] + totals["underlined"] + totals["marked"]
    print(f"vscode-json-languageservice {PINNED}, {totals['documents']} corpus documents")
    print(f"  no diagnostic, as expected:      {totals['clean']}")
    print(f"  flagged, as expected:            {invalid}")
    print(f"    a message names the key:       {totals['named']}")
    print(f"    the service's words, on it:    {totals['underlined']}")
    print(f"    the document itself:           {totals['marked']}")
    print(f"  completions checked:             {totals['completions']}")
    print(f"  hovers checked:                  {totals['hovers']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
