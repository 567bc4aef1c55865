"""The ``datajoint-storage`` command: thin click commands over the public API.

One module per command family registers its commands on the group of :mod:`.app`
and its text renderer with :func:`.report.renders`; the library never imports this
package.
"""

from __future__ import annotations

from . import check, completion, doctor, edit, init, read, reference  # noqa: F401 - registers
from .app import cli, main

__all__ = ["cli", "main"]
