"""Print the hardening figures (fuzz examples, canary combinations, leaks) after a run."""

from __future__ import annotations

from typing import Any

from ._support import ATTACKS, FIGURES, LEAKS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES and not ATTACKS:
        return
    terminalreporter.section("hardening figures")
    for name in sorted(FIGURES):
        terminalreporter.write_line(f"{name}: {FIGURES[name]}")
    if ATTACKS:
        terminalreporter.write_line("attacks per class (tried, held, broke):")
        for kind in sorted(ATTACKS):
            tried, held, broke = ATTACKS[kind]
            terminalreporter.write_line(f"  {kind}: tried {tried}, held {held}, broke {broke}")
    terminalreporter.write_line(f"canary leaks found: {len(LEAKS)}")
    for leak in LEAKS:
        terminalreporter.write_line(f"  LEAK {leak}")
