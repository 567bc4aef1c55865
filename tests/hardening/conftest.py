"""Print the hardening figures (fuzz examples, canary combinations, leaks) after a run."""

from __future__ import annotations

from typing import Any

from ._support import FIGURES, LEAKS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("hardening figures")
    for name in sorted(FIGURES):
        terminalreporter.write_line(f"{name}: {FIGURES[name]}")
    terminalreporter.write_line(f"canary leaks found: {len(LEAKS)}")
    for leak in LEAKS:
        terminalreporter.write_line(f"  LEAK {leak}")
