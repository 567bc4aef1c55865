"""One measurement in a fresh process; prints one JSON object on stdout.

Runs under either interpreter (ours or the upstream venv's), so it imports nothing but
the standard library and the package under test, and only inside the measurement.
``side`` is ``ours`` (``datajoint_storage``) or ``upstream`` (``datajoint``).

In-process work is timed in CPU seconds (``time.process_time``): on a machine shared
with others it is steadier than wall time, and it is what the issue's medians were.

usage: python _probe.py KIND SIDE [ARGS...]   (the current directory is the project)
"""

from __future__ import annotations

import json
import sys
import time

clock = time.process_time  # CPU seconds of this process
T_START = clock()  # before the package is imported

VALIDATE_CYCLES = 5  # turns each size takes in one validate probe, at most
VALIDATE_WORK = 20_000  # stores per size and cycle beyond which it takes fewer turns

#: Third-party packages that are the price of admission on both sides: not "heavy".
PYDANTIC_STACK = {
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "annotated_types",
    "typing_extensions",
    "typing_inspection",
    "dotenv",
}
#: Module-name prefixes that must never be loaded by ``import datajoint_storage``.
HEAVY_PREFIXES = (
    "fsspec.implementations",
    "s3fs",
    "gcsfs",
    "adlfs",
    "boto3",
    "botocore",
    "aiobotocore",
    "aiohttp",
    "google.cloud",
    "google.auth",
    "azure",
)


def import_side(side: str):
    """Import the package under test and return the object that owns ``config``."""
    if side == "ours":
        import datajoint_storage

        return datajoint_storage
    import datajoint

    return datajoint


def config_of(side: str, pkg):
    """The object whose ``get_store_spec`` is measured.

    DataJoint's ``dj.config`` is a proxy that checks ``DJ_THREAD_SAFE`` on every call;
    its ``Config`` itself is measured instead, which favours DataJoint slightly.
    """
    if side == "ours":
        return pkg.config
    from datajoint.settings import config

    return config


def probe_modules(side: str) -> dict:
    """Which modules ``import <package>`` loads, and which of them are heavy."""
    before = set(sys.modules)
    import_side(side)
    loaded = sorted(set(sys.modules) - before)
    stdlib = set(sys.stdlib_module_names)
    own = {"datajoint_storage", "datajoint"}
    tops = {m.split(".")[0] for m in loaded}
    # Leading underscore: interpreter and extension-module internals, not packages.
    third = sorted(
        m for m in tops - stdlib - own if not m.startswith("_") and m != "cython_runtime"
    )
    heavy = [m for m in loaded if m.startswith(HEAVY_PREFIXES)]
    heavy_packages = sorted(set(third) - PYDANTIC_STACK)
    # Plugins: modules named by ``datajoint.storage`` entry points, ours included.
    from importlib.metadata import entry_points

    plugin_modules = {ep.value.split(":")[0] for ep in entry_points(group="datajoint.storage")}
    plugins = sorted(m for m in loaded if m in plugin_modules)
    return {
        "modules": len(loaded),
        "third_party": third,
        "heavy_packages": heavy_packages,
        "heavy_modules": heavy,
        "plugins": plugins,
    }


def first_spec(side: str, pkg, name: str) -> float:
    """DataJoint's seconds to a first spec from its files (datajoint.json, .secrets/)."""
    # DataJoint reads its files inside ``import datajoint``; a second, fresh Config is
    # the same work (config file, DJ_STORES, secrets) measured on its own.
    from datajoint.settings import _create_config

    t = clock()
    _create_config().get_store_spec(name)
    return clock() - t


def probe_resolve(side: str, n: int, per_protocol: int, preload: str = "") -> dict:
    """Cold first spec, then per-store times: first time per store, and repeated.

    ``preload`` names a module imported before the package (counted as import time).
    """
    if preload:
        __import__(preload)
    pkg = import_side(side)
    t_import = clock()
    config = config_of(side, pkg)
    config.get_store_spec("s0")
    t_first = clock()
    out = {
        "import": t_import - T_START,
        "import_first": t_first - T_START,
        "first_after_import": t_first - t_import,
    }
    # Ours: that first call was the cold one. DataJoint read its files during import.
    out["cold_first"] = out["first_after_import"] if side == "ours" else first_spec(side, pkg, "s0")
    if n:
        names = [f"s{i}" for i in range(n)]
        for name in names[:per_protocol]:  # one store of each protocol: adapters loaded
            config.get_store_spec(name)
        rest = names[per_protocol:]
        t = clock()
        for name in rest:
            config.get_store_spec(name)
        firsts = [(clock() - t) / len(rest)]
        for _ in range(FIRST_REPEATS):  # fresh configurations, same warm process
            fresh = fresh_config(side, pkg)
            for name in names[:per_protocol]:  # untimed: ours reads its files here
                fresh.get_store_spec(name)
            t = clock()
            for name in rest:
                fresh.get_store_spec(name)
            firsts.append((clock() - t) / len(rest))
            del fresh
        out["warm_first"] = sorted(firsts)[len(firsts) // 2]
        t = clock()
        for name in names:
            config.get_store_spec(name)
        out["warm_repeat"] = (clock() - t) / n
    return out


#: More passes of "first time each store is asked for", each on a fresh configuration
#: in the same process: one pass over 1,000 stores lasts a few ms, and this machine's
#: speed drifts by tens of percent from one ms to the next. The median is reported.
FIRST_REPEATS = 4


def fresh_config(side: str, pkg):
    """A new configuration of the current directory that has resolved nothing yet."""
    if side == "ours":
        import datajoint_storage.settings  # noqa: F401

        return pkg.settings.Config()
    from datajoint.settings import _create_config

    return _create_config()


def filled(config, names: list[str]) -> int:
    """How many of ``names`` resolve with both keys their secret files hold."""
    count = 0
    for name in names:
        spec = config.get_store_spec(name)
        count += bool(spec.get("access_key")) and bool(spec.get("secret_key"))
    return count


def probe_secrets(side: str, n: int, preload: str = "") -> dict:
    """Cold first spec of ``n`` S3 stores whose keys are secret files; all must be read.

    The check (untimed, after the first spec) resolves every store: a store whose
    keys did not arrive fails the case rather than flatter the time.
    """
    out = probe_resolve(side, 0, 0, preload)
    pkg = sys.modules["datajoint_storage" if side == "ours" else "datajoint"]
    out["secrets_filled"] = filled(config_of(side, pkg), [f"s{i}" for i in range(n)])
    if out["secrets_filled"] != n:
        raise SystemExit(f"only {out['secrets_filled']} of {n} stores got their secret keys")
    return out


def _validators(side: str, pkg, n: int):
    """(prepare, check, reread) for the project in the current directory, warmed up."""
    names = [f"s{i}" for i in range(n)]
    if side == "ours":
        config = pkg.settings.Config()  # reads the current directory's files, lazily

        def prepare() -> None:  # forget merged and resolved stores; keep what files said
            config._changed()

        def check() -> None:
            config.validate()

        def reread() -> None:
            config.reload()
            config.validate()

    else:
        from datajoint.settings import _create_config

        config = _create_config()

        def prepare() -> None:
            pass

        def check() -> None:
            for name in names:
                config.get_store_spec(name)

        def reread() -> None:
            fresh = _create_config()
            for name in names:
                fresh.get_store_spec(name)

    check()  # ours: reads the files, loads the adapters, builds their models
    return prepare, check, reread


def probe_validate(side: str, projects: list[str]) -> dict:
    """Check every store of each project, sizes interleaved; seconds per store.

    ``projects`` are ``<stores>:<directory>``. The sizes take turns in cycles, one
    project's configuration alive at a time, so every size meets the same moments of
    this machine. ``per_store.<n>``: the files stay read, every store is merged and
    checked again (ours: ``validate()`` after dropping its cached results, untimed).
    ``per_store_reload.<n>``: the files are read again first (``reload()`` too).
    """
    import os

    pkg = import_side(side)
    if side == "ours":
        import datajoint_storage.settings  # noqa: F401  (``pkg.settings`` below)
    sizes = [(int(n), directory) for n, directory in (p.split(":", 1) for p in projects)]
    samples: dict[str, list[float]] = {}
    for cycle in range(VALIDATE_CYCLES):
        for n, directory in sizes:
            if cycle >= max(1, VALIDATE_WORK // n):
                continue  # the largest sizes: fewer turns (100k stores: one)
            os.chdir(directory)
            prepare, check, reread = _validators(side, pkg, n)
            reps = max(3, 2_000 // n)  # three at the least: the median of one is noise
            for key, func in (("per_store", check), ("per_store_reload", reread)):
                for _ in range(reps):
                    prepare()  # untimed: freeing the previous results is not the work
                    t = clock()
                    func()
                    samples.setdefault(f"{key}.{n}", []).append((clock() - t) / n)
            del prepare, check, reread  # one configuration alive at a time
    return {key: sorted(v)[len(v) // 2] for key, v in samples.items()}


def probe_cache(side: str) -> dict:
    """Second ``get_filesystem(name)`` against a plain dict lookup, both as calls."""
    import timeit

    pkg = import_side(side)
    fs = pkg.get_filesystem("main")
    table = {"main": fs}

    def dict_lookup(name: str):
        return table[name]

    assert pkg.get_filesystem("main") is fs and dict_lookup("main") is fs

    def per_call(func) -> float:
        timer = timeit.Timer("f('main')", timer=clock, globals={"f": func})
        number, _ = timer.autorange()
        number = max(number, 100_000)
        return min(timer.repeat(repeat=7, number=number)) / number

    # Interleaved, each the best of several repeats: the floor of each call's cost.
    hit = look = float("inf")
    for _ in range(3):
        hit = min(hit, per_call(pkg.get_filesystem))
        look = min(look, per_call(dict_lookup))
    return {"cache_hit": hit, "dict_lookup": look}


def probe_memory(side: str, n: int) -> dict:
    """Peak traced allocation while reading n stores and resolving every one.

    Also the objects the garbage collector tracks, per store: what every later
    collection walks, which tracemalloc's bytes do not show.
    """
    import gc
    import resource
    import tracemalloc

    pkg = import_side(side)
    names = [f"s{i}" for i in range(n)]
    gc.collect()
    objects = len(gc.get_objects())
    tracemalloc.start()
    if side == "ours":
        config = pkg.config
        config.validate()
        specs = [config.get_store_spec(name) for name in names]
    else:
        from datajoint.settings import _create_config

        config = _create_config()
        specs = [config.get_store_spec(name) for name in names]
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(specs) == n
    gc.collect()
    objects = len(gc.get_objects()) - objects
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "peak": peak,
        "retained": current,
        "maxrss": maxrss_kib * 1024,
        "gc_objects": objects / n,
    }


def probe_plugins(side: str, n: int) -> dict:
    """Discover the ``n`` plugins on ``PYTHONPATH`` and get the last one's adapter.

    Ours: ``registered_adapters()`` (every entry point of both groups) and
    ``get_storage_adapter``; DataJoint: its ``get_storage_adapter``, which loads the
    whole ``datajoint.storage`` group on first use. Untimed before: the base classes,
    and ours serves a store of each protocol DataJoint serves itself (which loads no
    plugin), so the baseline (no plugin) is small and its noise with it.
    """
    import gc

    last = f"p{n - 1}" if n else "p"
    gc.collect()
    gc.disable()  # a collection landing in a few milliseconds is noise, not the work
    if side == "ours":
        import datajoint_storage.storage_adapter  # noqa: F401  (the plugins' base class)
        from datajoint_storage import registry

        for protocol in ("file", "s3", "gcs", "azure"):
            registry.get_storage_adapter(protocol)
        t = clock()
        protocols = set(registry.registered_adapters())
        adapter = registry.get_storage_adapter(last)
        elapsed = clock() - t
    else:
        import datajoint  # noqa: F401
        from datajoint import storage_adapter

        t = clock()
        adapter = storage_adapter.get_storage_adapter(last)
        elapsed = clock() - t
        protocols = set(storage_adapter._adapter_registry)
    gc.enable()
    found = len({f"p{i}" for i in range(n)} & protocols)
    if found != n or (n and getattr(adapter, "protocol", None) != last):
        raise SystemExit(f"{found} of {n} plugins discovered, {last!r} -> {adapter!r}")
    return {"discover": elapsed, "plugins": found}


def main(argv: list[str]) -> None:
    kind, side, *args = argv
    if kind == "modules":
        result = probe_modules(side)
    elif kind == "resolve":
        result = probe_resolve(side, int(args[0]), int(args[1]), *args[2:])
    elif kind == "secrets":
        result = probe_secrets(side, int(args[0]), *args[1:])
    elif kind == "plugins":
        result = probe_plugins(side, int(args[0]))
    elif kind == "validate":
        result = probe_validate(side, args)
    elif kind == "cache":
        result = probe_cache(side)
    elif kind == "memory":
        result = probe_memory(side, int(args[0]))
    else:
        raise SystemExit(f"unknown probe {kind!r}")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
