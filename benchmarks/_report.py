"""Medians -> the table, the closing line of ratios, and ``RESULTS.md``."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from _cases import MEMORY_SIZE, RESOLVE_SIZES, SECRET_FILES, VALIDATE_SIZES, Samples


@dataclass
class Target:
    """One of the issue's targets: a ratio that must stay at or below ``limit``."""

    name: str
    ratio: float | None
    limit: float
    note: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.ratio is None else self.ratio <= self.limit

    def text(self) -> str:
        if self.ratio is None:
            return f"{self.name} n/a (<= {self.limit:g}x: not measured)"
        mark = "met" if self.met else "MISSED"
        note = f"; {self.note}" if self.note else ""
        return f"{self.name} {self.ratio:.2f}x (<= {self.limit:g}x: {mark}{note})"


class Medians:
    """Median of every measured number, by case key and metric."""

    def __init__(self, samples: dict[str, Samples]) -> None:
        self.samples = samples

    def get(self, key: str, metric: str = "wall") -> float | None:
        s = self.samples.get(key)
        if s is None or s.error is not None:
            return None
        values = s.wall if metric == "wall" else s.values.get(metric, [])
        return statistics.median(values) if values else None

    def error(self, key: str) -> str | None:
        s = self.samples.get(key)
        return None if s is None else s.error

    def runs(self) -> int:
        counts = [len(s.wall) for s in self.samples.values() if s.error is None]
        return min(counts) if counts else 0


def ms(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 1e3:.1f} ms"


def us(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 1e6:.2f} µs"


def ns(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 1e9:.0f} ns"


def mib(v: float | None) -> str:
    return "n/a" if v is None else f"{v / 2**20:.1f} MiB"


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def rtext(r: float | None) -> str:
    return "" if r is None else f"{r:.2f}x"


Row = tuple[str, str, str, str, str]  # measurement, ours, reference, ratio, target


def build(m: Medians, modules: dict[str, dict]) -> tuple[list[Row], list[Target]]:
    """The table rows and the targets, from the medians of one run."""
    rows: list[Row] = []
    targets: list[Target] = []

    def add(label: str, ours: str, ref: str, r: float | None = None, target: str = "") -> None:
        rows.append((label, ours, ref, rtext(r), target))

    def failed(key: str) -> str:
        return f"failed ({m.error(key)})" if m.error(key) else "n/a"

    # 1. cold import
    add("**1. cold import** (whole process)", "datajoint-storage", "datajoint 2.3.5")
    add("`python -c pass`", ms(m.get("import.pass")), ms(m.get("import.pass-upstream")))
    add("`import pydantic` (floor)", ms(m.get("import.pydantic")), "")
    add("`import pydantic_settings` (floor)", ms(m.get("import.pydantic_settings")), "")
    ours_imp, up_imp = m.get("import.ours"), m.get("import.upstream")
    r = ratio(ours_imp, up_imp)
    targets.append(Target("import", r, 0.5))
    add("`import datajoint_storage` / `import datajoint`", ms(ours_imp), ms(up_imp), r, "<= 0.5x")
    net_o = None if ours_imp is None else ours_imp - (m.get("import.pass") or 0)
    net_u = None if up_imp is None else up_imp - (m.get("import.pass-upstream") or 0)
    add("  same, minus `python -c pass`", ms(net_o), ms(net_u), ratio(net_o, net_u))
    mo, mu = modules.get("ours", {}), modules.get("upstream", {})
    add("  modules loaded", str(mo.get("modules", "n/a")), str(mu.get("modules", "n/a")))
    heavy_o = mo.get("heavy_packages", []) + mo.get("heavy_modules", []) + mo.get("plugins", [])
    heavy_u = mu.get("heavy_packages", []) + mu.get("plugins", [])
    add(
        "  heavy modules (listed below the table)",
        f"{len(heavy_o)}" if mo else "n/a",
        f"{len(heavy_u)}" if mu else "n/a",
        target="0 on ours",
    )
    no_heavy = bool(mo) and not heavy_o

    # 2. resolve
    warm: list[float | None] = []
    first_time: list[float | None] = []
    for n in RESOLVE_SIZES:
        o, u = f"resolve.{n}.ours", f"resolve.{n}.upstream"
        add(f"**2. resolve, {n:,} stores** in one datajoint.json", "", "")
        if m.error(o) or m.error(u):
            add("  failed", failed(o), failed(u))
            warm.append(None)
            continue
        add(
            "  import + first `get_store_spec`",
            ms(m.get(o, "import_first")),
            ms(m.get(u, "import_first")),
        )
        add(
            "  cold: first spec from the files, after import",
            ms(m.get(o, "cold_first")),
            ms(m.get(u, "cold_first")),
            ratio(m.get(o, "cold_first"), m.get(u, "cold_first")),
        )
        r = ratio(m.get(o, "warm_repeat"), m.get(u, "warm_repeat"))
        warm.append(r)
        add(
            "  warm, per store (`get_store_spec` of every store)",
            us(m.get(o, "warm_repeat")),
            us(m.get(u, "warm_repeat")),
            r,
            "<= 1.0x",
        )
        r = ratio(m.get(o, "warm_first"), m.get(u, "warm_first"))
        first_time.append(r)
        add(
            "  warm process, first time each store is asked for",
            us(m.get(o, "warm_first")),
            us(m.get(u, "warm_first")),
            r,
        )
    worst = None if None in warm else max(warm)  # type: ignore[type-var]
    first = [r for r in first_time if r is not None]
    note = f"first time per store {min(first):.1f}-{max(first):.1f}x, no target" if first else ""
    targets.append(Target("warm resolve", worst, 1.0, note))

    # 3. secrets
    o, u = "resolve.secrets.ours", "resolve.secrets.upstream"
    add(
        f"**3. {SECRET_FILES:,} secret files** in .secrets/ ({SECRET_FILES // 2} s3 stores)", "", ""
    )
    if m.error(o) or m.error(u):
        add("  failed", failed(o), failed(u))
    else:
        add("  import + first spec", ms(m.get(o, "import_first")), ms(m.get(u, "import_first")))
        add(
            "  first spec from the files, after import",
            ms(m.get(o, "cold_first")),
            ms(m.get(u, "cold_first")),
            ratio(m.get(o, "cold_first"), m.get(u, "cold_first")),
        )
        p = "resolve.secrets-preloaded.ours"
        add(
            "  the same, pydantic-settings imported beforehand",
            ms(m.get(p, "cold_first")),
            ms(m.get(u, "cold_first")),
            ratio(m.get(p, "cold_first"), m.get(u, "cold_first")),
        )

    # 4. validate
    add("**4. `validate()`**, per store: merge + check every store", "", "")
    o, u = "validate.all.ours", "validate.all.upstream"
    per_store = []
    for n in VALIDATE_SIZES:
        po, pu = m.get(o, f"per_store.{n}"), m.get(u, f"per_store.{n}")
        if po is not None:
            per_store.append(po)
        ours, ref = (us(po) if po else failed(o)), (us(pu) if pu else failed(u))
        add(f"  {n:,} stores", ours, ref, ratio(po, pu))
    spread = max(per_store) / min(per_store) if len(per_store) == len(VALIDATE_SIZES) else None
    add("  largest / smallest per-store time (ours)", rtext(spread), "", None, "<= 2x")
    targets.append(Target("validate spread", spread, 2.0))
    add("  the same with datajoint.json read again first", "", "")
    for n in VALIDATE_SIZES:
        po, pu = m.get(o, f"per_store_reload.{n}"), m.get(u, f"per_store_reload.{n}")
        add(f"  {n:,} stores, files read again", us(po), us(pu), ratio(po, pu))

    # 5. cli
    cli, floor = m.get("cli.ours"), m.get("cli.floor")
    r = ratio(cli, floor)
    add("**5. cold CLI**, whole process", "", "")
    add(
        "  `datajoint-storage validate` (quickstart) / `import pydantic_settings`",
        ms(cli) if cli else failed("cli.ours"),
        ms(floor),
        r,
        "<= 1.5x",
    )
    targets.append(Target("cold CLI", r, 1.5))

    # 6. cache
    hit, look = m.get("cache.ours", "cache_hit"), m.get("cache.ours", "dict_lookup")
    r = ratio(hit, look)
    add("**6. filesystem cache hit**, per call", "", "")
    add("  second `get_filesystem(name)` / plain dict lookup", ns(hit), ns(look), r, "<= 3x")
    targets.append(Target("cache hit", r, 3.0))

    # 7. memory
    o, u = f"memory.{MEMORY_SIZE}.ours", f"memory.{MEMORY_SIZE}.upstream"
    add(f"**7. memory, {MEMORY_SIZE:,} stores** read and resolved", "", "")
    add(
        "  tracemalloc peak (after import)",
        mib(m.get(o, "peak")),
        mib(m.get(u, "peak")),
        ratio(m.get(o, "peak"), m.get(u, "peak")),
    )
    add("  still allocated afterwards", mib(m.get(o, "retained")), mib(m.get(u, "retained")))
    add("  process peak RSS (with import)", mib(m.get(o, "maxrss")), mib(m.get(u, "maxrss")))

    targets.insert(1, Target("heavy modules", 0.0 if no_heavy else 1.0, 0.0))
    return rows, targets


def module_lines(modules: dict[str, dict]) -> list[str]:
    """What each ``import`` loads beyond the standard library, and what counts as heavy."""
    lines = []
    for side, label in (("ours", "`import datajoint_storage`"), ("upstream", "`import datajoint`")):
        info = modules.get(side)
        if not info:
            lines.append(f"- {label}: not measured")
            continue
        heavy = info["heavy_packages"] + info.get("heavy_modules", []) + info["plugins"]
        lines.append(
            f"- {label}: {info['modules']} modules; third-party packages: "
            f"{', '.join(info['third_party']) or 'none'}; heavy: {', '.join(heavy) or 'none'}"
        )
    return lines


def table(rows: list[Row]) -> str:
    """A Markdown table that also reads well in a terminal."""
    head: Row = ("measurement (median)", "ours", "reference", "ratio", "target")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]

    def line(r: Row) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), rule, *map(line, rows)])


def closing_line(targets: list[Target]) -> str:
    parts = []
    for t in targets:
        if t.name == "heavy modules":
            parts.append("no heavy module: " + ("met" if t.met else "MISSED"))
        else:
            parts.append(t.text())
    return "Ratios: " + "; ".join(parts) + "."
