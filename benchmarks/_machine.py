"""What the numbers were measured on, and a bounded wait for a quiet machine."""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import datetime, timezone


def load() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def wait_for_quiet(max_load: float, max_wait: float, poll: float = 15.0) -> tuple[float, float]:
    """Wait until the load average is below ``max_load``, at most ``max_wait`` seconds.

    Returns (seconds waited, load average when measuring started).
    """
    start = time.monotonic()
    while load() >= max_load and time.monotonic() - start < max_wait:
        print(f"[bench] load average {load():.2f} >= {max_load}; waiting", file=sys.stderr)
        time.sleep(min(poll, max(0.0, max_wait - (time.monotonic() - start))))
    return time.monotonic() - start, load()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_total() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def describe() -> dict[str, str]:
    """The facts a reader needs to compare these numbers with their own."""
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": memory_total(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
