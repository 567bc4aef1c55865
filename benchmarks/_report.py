"""Medians -> the table, the closing line of ratios, and ``RESULTS.md``."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from _cases import (
    COLD_SIZES,
    MEMORY_SIZE,
    PLUGIN_COUNTS,
    RESOLVE_SIZES,
    SECRET_FILES,
    VALIDATE_SIZES,
    Samples,
)


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


def number(v: float | None, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def rtext(r: float | None) -> str:
    return "" if r is None else f"{r:.2f}x"


Row = tuple[str, str, str, str, str]  # measurement, ours, reference, ratio, target


def size(n: int) -> str:
    """``1k``, ``100k``: sizes short enough for the closing line."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def worst(ratios: dict[int, float | None]) -> tuple[float | None, str]:
    """The largest ratio (None if any size failed) and every size's, for the note."""
    note = ", ".join(f"{size(n)} {rtext(r) or 'n/a'}" for n, r in ratios.items())
    values = list(ratios.values())
    return (None if None in values else max(values)), note  # type: ignore[type-var]


def build(m: Medians, modules: dict[str, dict]) -> tuple[list[Row], list[Target]]:
    """The table rows and the targets, from the medians of one run."""
    rows: list[Row] = []
    targets: list[Target] = []

    def add(label: str, ours: str, ref: str, r: float | None = None, target: str = "") -> None:
        rows.append((label, ours, ref, rtext(r), target))

    def failed(key: str) -> str:
        return f"failed ({m.error(key)})" if m.error(key) else "n/a"

    def pair(key: str, metric: str) -> tuple[float | None, float | None, float | None]:
        o, u = m.get(f"{key}.ours", metric), m.get(f"{key}.upstream", metric)
        return o, u, ratio(o, u)

    def target(name: str, ratios: dict[int, float | None], limit: float) -> None:
        r, note = worst(ratios)
        targets.append(Target(name, r, limit, note if len(ratios) > 1 else ""))

    # 1. cold import
    add("**1. cold import** (whole process, wall time)", "datajoint-storage", "datajoint 2.3.5")
    add("`python -c pass`", ms(m.get("import.pass")), ms(m.get("import.pass-upstream")))
    add("`import pydantic` (floor)", ms(m.get("import.pydantic")), "")
    add("`import pydantic_settings` (floor)", ms(m.get("import.pydantic_settings")), "")
    ours_imp, up_imp = m.get("import.ours"), m.get("import.upstream")
    r = ratio(ours_imp, up_imp)
    targets.append(Target("import", r, 0.25))
    add("`import datajoint_storage` / `import datajoint`", ms(ours_imp), ms(up_imp), r, "<= 0.25x")
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
    cold: dict[int, float | None] = {}
    warm: dict[int, float | None] = {}
    first_time: dict[int, float | None] = {}
    for n in COLD_SIZES:
        key = f"resolve.{n}"
        add(f"**2. resolve, {n:,} stores** in one datajoint.json (CPU time)", "", "")
        if m.error(f"{key}.ours") or m.error(f"{key}.upstream"):
            add("  failed", failed(f"{key}.ours"), failed(f"{key}.upstream"))
            cold[n] = warm[n] = first_time[n] = None
            continue
        o, u, _ = pair(key, "import_first")
        add("  import + first `get_store_spec`", ms(o), ms(u))
        o, u, cold[n] = pair(key, "cold_first")
        add("  cold: first spec from the files, after import", ms(o), ms(u), cold[n], "<= 1.0x")
        if n not in RESOLVE_SIZES:
            continue
        o, u, first_time[n] = pair(key, "warm_first")
        label = "  warm process, first `get_store_spec` of each store, per store"
        add(label, us(o), us(u), first_time[n], "<= 1.0x")
        o, u, warm[n] = pair(key, "warm_repeat")
        label = "  warm, per store (`get_store_spec` of every store again)"
        add(label, us(o), us(u), warm[n], "<= 0.25x")
    target("first spec per store", {n: first_time.get(n) for n in RESOLVE_SIZES}, 1.0)
    target("warm resolve", {n: warm.get(n) for n in RESOLVE_SIZES}, 0.25)

    # 3. secrets
    secrets: dict[int, float | None] = {}
    for files in SECRET_FILES:
        key = f"secrets.{files}"
        stores = files // 2
        add(f"**3. {files:,} secret files** in .secrets/ ({stores:,} s3 stores)", "", "")
        if m.error(f"{key}.ours") or m.error(f"{key}.upstream"):
            add("  failed", failed(f"{key}.ours"), failed(f"{key}.upstream"))
            secrets[files] = None
            continue
        o, u, _ = pair(key, "import_first")
        add("  import + first spec", ms(o), ms(u))
        o, u, secrets[files] = pair(key, "cold_first")
        add("  first spec from the files, after import", ms(o), ms(u), secrets[files], "<= 1.0x")
        p = f"secrets.{files}-preloaded.ours"
        if p in m.samples:
            po = m.get(p, "cold_first")
            label = "  the same, pydantic-settings imported beforehand"
            add(label, ms(po) if po else failed(p), ms(u), ratio(po, u))
        o, u, _ = pair(key, "secrets_filled")
        label = "  stores whose two secret keys were read (checked)"
        add(label, number(o, ",.0f"), number(u, ",.0f"), None, f"{stores:,}")

    # 4. validate
    add("**4. `validate()`**, per store: merge + check every store (CPU time)", "", "")
    o, u = "validate.all.ours", "validate.all.upstream"
    per_store: dict[int, float | None] = {}
    validate: dict[int, float | None] = {}
    for n in VALIDATE_SIZES:
        po, pu = m.get(o, f"per_store.{n}"), m.get(u, f"per_store.{n}")
        per_store[n], validate[n] = po, ratio(po, pu)
        ours, ref = (us(po) if po else failed(o)), (us(pu) if pu else failed(u))
        add(f"  {n:,} stores", ours, ref, validate[n], "<= 1.0x")
    small, large = min(VALIDATE_SIZES, key=lambda n: abs(n - 1_000)), max(VALIDATE_SIZES)
    growth = ratio(per_store[large], per_store[small])
    label = f"  per store at {large:,} / at {small:,} (ours)"
    add(label, rtext(growth), "", None, "<= 1.3x")
    target("validate per store", validate, 1.0)
    targets.append(Target(f"validate {size(large)}/{size(small)}", growth, 1.3))
    add("  the same with datajoint.json read again first", "", "")
    for n in VALIDATE_SIZES:
        po, pu = m.get(o, f"per_store_reload.{n}"), m.get(u, f"per_store_reload.{n}")
        add(f"  {n:,} stores, files read again", us(po), us(pu), ratio(po, pu))
    target("cold first spec", cold, 1.0)
    target("secrets", secrets, 1.0)

    # 5. memory
    key = f"memory.{MEMORY_SIZE}"
    add(f"**5. memory, {MEMORY_SIZE:,} stores** read and resolved", "", "")
    o, u, r = pair(key, "peak")
    add("  tracemalloc peak (after import)", mib(o), mib(u), r, "<= 2.0x")
    targets.append(Target("memory", r, 2.0))
    o, u, _ = pair(key, "retained")
    add("  still allocated afterwards", mib(o), mib(u))
    o, u, r = pair(key, "gc_objects")
    label = "  objects the GC tracks, per store (after `gc.collect()`)"
    add(label, number(o, ".1f"), number(u, ".1f"), r)
    o, u, _ = pair(key, "maxrss")
    add("  process peak RSS (with import)", mib(o), mib(u))

    # 6. cli
    cli, floor = m.get("cli.ours"), m.get("cli.floor")
    r = ratio(cli, floor)
    add("**6. cold CLI**, whole process (wall time)", "", "")
    add(
        "  `datajoint-storage validate` (quickstart) / `import pydantic_settings`",
        ms(cli) if cli else failed("cli.ours"),
        ms(floor),
        r,
        "<= 1.2x",
    )
    targets.append(Target("cold CLI", r, 1.2))

    # 7. cache
    hit, look = m.get("cache.ours", "cache_hit"), m.get("cache.ours", "dict_lookup")
    r = ratio(hit, look)
    add("**7. filesystem cache hit**, per call (CPU time)", "", "")
    add("  second `get_filesystem(name)` / plain dict lookup", ns(hit), ns(look), r, "<= 3x")
    targets.append(Target("cache hit", r, 3.0))

    # 8. plugins
    add("**8. plugin discovery**, installed plugins (CPU time)", "", "")
    base_o, base_u, _ = pair(f"plugins.{PLUGIN_COUNTS[0]}", "discover")
    per_plugin: dict[int, float | None] = {}
    for n in PLUGIN_COUNTS:
        key = f"plugins.{n}"
        o, u, r = pair(key, "discover")
        ours = ms(o) if o else failed(f"{key}.ours")
        ref = ms(u) if u else failed(f"{key}.upstream")
        add(f"  {n} plugins: discover all, get the last one's adapter", ours, ref, r)
        if n == PLUGIN_COUNTS[0]:
            continue
        po, pu = marginal(o, base_o, n), marginal(u, base_u, n)
        per_plugin[n] = po
        add(f"    per plugin, above {PLUGIN_COUNTS[0]} plugins", us(po), us(pu), ratio(po, pu))
    few, many = PLUGIN_COUNTS[1], PLUGIN_COUNTS[-1]
    linear = ratio(per_plugin.get(many), per_plugin.get(few))
    add(f"  per plugin at {many} / at {few} (ours)", rtext(linear), "", None, "<= 1.5x")
    targets.append(Target("plugins linear", linear, 1.5))

    targets.insert(1, Target("heavy modules", 0.0 if no_heavy else 1.0, 0.0))
    return rows, targets


def marginal(total: float | None, base: float | None, n: int) -> float | None:
    """Seconds per plugin beyond the baseline's; None when noise makes it not positive."""
    if total is None or base is None or total <= base:
        return None
    return (total - base) / n


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
