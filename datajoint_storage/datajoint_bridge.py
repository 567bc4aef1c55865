"""Being a DataJoint adapter when DataJoint is there, without ever importing it.

DataJoint 2.3.5 loads plugins from the ``datajoint.storage`` entry points and treats
them as ``datajoint.StorageAdapter`` objects raising ``datajoint.DataJointError``. A
plugin built on our base class must be both, but ``import datajoint_storage`` must not
import DataJoint. So nothing here imports it: when DataJoint is already in
``sys.modules`` (it always is when DataJoint itself loads a plugin), our base class is
registered as a virtual subclass of ``datajoint.StorageAdapter`` (and if DataJoint
is imported later, a one-shot import hook registers it right after), and an error leaving
a contract method gets a class that derives from its own class *and* from
``datajoint.DataJointError``, so ``except`` clauses of both libraries catch it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["as_datajoint_error", "datajoint_module", "link_base_class"]

_lock = threading.Lock()
_linked: set[int] = set()  # id() of DataJoint StorageAdapter classes we registered with
_duals: dict[tuple[type, type], type] = {}


def datajoint_module() -> ModuleType | None:
    """DataJoint, if this process has (fully) imported it; never imports it."""
    module = sys.modules.get("datajoint")
    if module is None:
        return None
    if getattr(module, "DataJointError", None) is None:
        return None  # half-way through its own import
    return module


def link_base_class(base: type) -> None:
    """Make ``base`` (our ``StorageAdapter``) count as a ``datajoint.StorageAdapter``."""
    module = datajoint_module()
    theirs = getattr(module, "StorageAdapter", None) if module else None
    if theirs is None:
        if module is None and "datajoint" not in sys.modules:
            _LinkAfterImport.install(base)
        return
    if id(theirs) in _linked:
        return
    with _lock:
        if id(theirs) not in _linked:
            theirs.register(base)
            _linked.add(id(theirs))


class _LinkAfterImport:
    """A one-shot meta-path finder: when ``datajoint`` is imported, link right after."""

    _installed: _LinkAfterImport | None = None

    def __init__(self, base: type) -> None:
        self.base = base

    @classmethod
    def install(cls, base: type) -> None:
        with _lock:
            if cls._installed is None:
                cls._installed = cls(base)
                sys.meta_path.insert(0, cls._installed)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "datajoint":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)  # one shot, and no recursion below
        spec = importlib.util.find_spec(name)
        loader = getattr(spec, "loader", None)
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None:
            return spec
        base = self.base

        def exec_then_link(module: ModuleType) -> None:
            exec_module(module)
            link_base_class(base)

        loader.exec_module = exec_then_link  # type: ignore[union-attr]
        return spec


def as_datajoint_error(error: BaseException) -> BaseException:
    """``error`` itself, made an instance of ``datajoint.DataJointError`` too when loaded.

    The object keeps its message, attributes and traceback; only its class changes, to
    a subclass of both. Pickling gives back the original class.
    """
    module = datajoint_module()
    theirs = getattr(module, "DataJointError", None) if module else None
    if theirs is None or isinstance(error, theirs):
        return error
    with contextlib.suppress(TypeError):  # a layout the swap cannot take: leave it
        error.__class__ = _dual(type(error), theirs)
    return error


def _dual(ours: type, theirs: type) -> type:
    key = (ours, theirs)
    cls = _duals.get(key)
    if cls is None:
        with _lock:
            cls = _duals.get(key)
            if cls is None:
                namespace = {
                    "__module__": ours.__module__,
                    "__qualname__": ours.__qualname__,
                    "__doc__": ours.__doc__,
                    "__reduce__": _reduce_as(ours),
                }
                cls = _duals[key] = type(ours.__name__, (ours, theirs), namespace)
    return cls


def _reduce_as(ours: type) -> Any:
    def __reduce__(self: BaseException) -> Any:
        return (_rebuild, (ours, self.args, dict(self.__dict__)))

    return __reduce__


def _rebuild(cls: type, args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    """Unpickle as the original class; DataJoint's too, if the new process has it."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return as_datajoint_error(error)
