"""``python -m datajoint_storage``: the same command as the ``datajoint-storage`` script."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
