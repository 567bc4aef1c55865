"""Read a configuration file through one descriptor: open once, verify what was opened.

Checking a path and then reading it are two steps an attacker can come between (a link
flipped, a FIFO swapped in). Here the file is opened once, non-blocking (a FIFO opens
at once and is never read), and everything is decided on the opened descriptor:
``fstat`` says regular file and size, ``/proc/self/fd`` (or, without procfs, the
inode of the resolved path) says where it really lives. The bytes come from that
same descriptor, capped.

A directory read entry by entry (the secrets directory) is opened once too:
:class:`DirectoryReader` opens each name relative to that directory's descriptor without
following a link, so what it opens is that directory's own entry and needs no check of
where it lives; links are resolved the same way one name at a time, or else opened
again, followed, and verified as above.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "AT_READS",
    "DirectoryReader",
    "FileRefused",
    "read_bytes",
    "read_text",
    "reading_errors",
]

_T = TypeVar("_T")

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_FLAGS |= getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 16
#: Open a directory's own entry: a link is refused by the kernel, not followed.
_AT_FLAGS = _FLAGS | getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS |= getattr(os, "O_NONBLOCK", 0)
_SUBDIR_FLAGS = _DIR_FLAGS | getattr(os, "O_NOFOLLOW", 0)
#: What an ``O_NOFOLLOW`` open of a link fails with (Linux ELOOP, FreeBSD EMLINK,
#: NetBSD EFTYPE). Any of them sends the entry to the follow-and-verify path.
_LINK_ERRNOS = frozenset(
    code for code in (errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", None)) if code
)
#: Whether entries can be opened relative to a directory descriptor, links refused
#: (POSIX); elsewhere callers read by path with :func:`read_bytes`.
AT_READS = (
    os.open in os.supports_dir_fd
    and os.readlink in os.supports_dir_fd
    and os.scandir in os.supports_fd
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)


class FileRefused(Exception):
    """A file that is not read; ``why`` is said in the reference's words, never content."""

    def __init__(self, why: str, *, removed: bool = False) -> None:
        super().__init__(why)
        self.why = why
        self.removed = removed


def read_bytes(path: Path, *, limit: int, inside: Path | None = None) -> bytes:
    """The bytes of the regular file ``path`` (links followed), at most ``limit`` of them.

    With ``inside``, the opened file must really live in that directory (links that stay
    inside, like Kubernetes' ``..data``, are fine). Raises :class:`FileRefused`.
    """
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise _refusal(path, exc) from None
    try:
        info = os.fstat(fd)
        _judge(info)
        if inside is not None and not _lives_in(fd, info, path, _real(inside)):
            raise FileRefused("it links outside the secrets directory")
        return _read_sized(fd, info.st_size, limit)
    finally:
        os.close(fd)


class DirectoryReader:
    """Reads entries of one directory through one descriptor of it (a context manager).

    Each entry is opened by name relative to that descriptor without following a link:
    what opens is the directory's own file, and nothing else needs checking. A link is
    resolved the same way when it is the common short kind (``name``, ``sub/name``, and
    ``sub`` itself a link to a ``sibling``, as Kubernetes' ``..data`` is): every step one
    name, opened relative to a descriptor already inside, never following a link, so
    what opens is inside by construction. Any other link (absolute, ``..``, deeper), or
    one that does not resolve to a readable regular file so, is opened again followed
    and must really live in the directory (``/proc/self/fd``, against the directory's
    real path computed once per reader), which also words every refusal.

    Raises ``OSError`` if the directory cannot be opened.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fd = os.open(directory, _DIR_FLAGS)
        self._root: list[str | None] = []
        self._subdirs: dict[str, int | None] = {}

    def __enter__(self) -> DirectoryReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._subdirs.values():
            if fd is not None:
                os.close(fd)
        self._subdirs.clear()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def read(self, name: str, path: str, *, limit: int, link: bool = False) -> bytes:
        """The bytes of the regular file ``name`` (one entry: no ``/``), at most ``limit``.

        ``path`` is its full path, for the no-procfs check and for saying why; ``link``
        says the listing saw a link (the kernel refusing to follow one says so too).
        Raises :class:`FileRefused`.
        """
        if not link:
            try:
                fd = os.open(name, _AT_FLAGS, dir_fd=self.fd)
            except OSError as exc:
                if exc.errno not in _LINK_ERRNOS:
                    raise _refusal(path, exc) from None
            else:
                return _read_judged(fd, limit)
        data = self._read_beneath(name, limit)
        return data if data is not None else self._read_verified(name, path, limit)

    def _read_beneath(self, name: str, limit: int) -> bytes | None:
        """A short link resolved one name at a time, links never followed; or None."""
        try:
            target = os.readlink(name, dir_fd=self.fd)
        except OSError:
            return None
        head, slash, leaf = target.rpartition("/")
        if not _one_name(leaf):
            return None
        parent: int | None = self.fd
        if slash:
            parent = self._subdir(head) if _one_name(head) else None
        if parent is None:
            return None
        try:
            fd = os.open(leaf, _AT_FLAGS, dir_fd=parent)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None  # the verified path refuses it, in its words
            return _read_sized(fd, info.st_size, limit)
        finally:
            os.close(fd)

    def _subdir(self, name: str) -> int | None:
        """A descriptor of the subdirectory ``name``, or of the sibling it links to."""
        if name in self._subdirs:
            return self._subdirs[name]
        fd: int | None = None
        try:
            fd = os.open(name, _SUBDIR_FLAGS, dir_fd=self.fd)
        except OSError:  # a link (ENOTDIR under O_NOFOLLOW), or not a directory
            try:
                target = os.readlink(name, dir_fd=self.fd)
            except OSError:
                target = ""
            if _one_name(target):
                try:
                    fd = os.open(target, _SUBDIR_FLAGS, dir_fd=self.fd)
                except OSError:
                    fd = None
        self._subdirs[name] = fd
        return fd

    def _read_verified(self, name: str, path: str, limit: int) -> bytes:
        try:
            fd = os.open(name, _FLAGS, dir_fd=self.fd)  # the link, followed
        except OSError as exc:
            raise _refusal(path, exc) from None
        try:
            info = os.fstat(fd)
            _judge(info)
            if not _lives_in(fd, info, path, self._real()):
                raise FileRefused("it links outside the secrets directory")
            return _read_sized(fd, info.st_size, limit)
        finally:
            os.close(fd)

    def _real(self) -> str | None:
        if not self._root:
            self._root.append(_real(self.directory))
        return self._root[0]


def _one_name(part: str) -> bool:
    """Whether ``part`` names one entry of a directory (no ``/``, not ``.`` or ``..``)."""
    return part not in ("", ".", "..") and "/" not in part


def _read_judged(fd: int, limit: int) -> bytes:
    try:
        info = os.fstat(fd)
        _judge(info)
        return _read_sized(fd, info.st_size, limit)
    finally:
        os.close(fd)


def _judge(info: os.stat_result) -> None:
    """Refuse what the descriptor says is not a regular file."""
    if stat.S_ISREG(info.st_mode):
        return
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused("it is a directory, not a file")
    raise FileRefused("it is not a regular file")


def _real(directory: Path) -> str | None:
    try:
        return os.path.realpath(directory)
    except OSError:
        return None


def _refusal(path: Path, exc: OSError) -> FileRefused:
    if exc.errno in (errno.ENOENT, errno.ELOOP):
        if os.path.islink(path):
            return FileRefused("it is a broken link")
        return FileRefused("it was removed while being read", removed=True)
    if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket, a device without a driver
        return FileRefused("it is not a regular file")
    if exc.errno == errno.EISDIR:
        return FileRefused("it is a directory, not a file")
    return FileRefused(f"it cannot be read ({exc.strerror or type(exc).__name__})")


def _read_sized(fd: int, size: int, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file ``fstat`` said holds ``size``."""
    if size > limit:
        raise FileRefused(f"it is larger than {limit} bytes")
    try:
        data = os.read(fd, size + 1)  # one read for what fstat promised, and one byte more
    except BlockingIOError:  # never for a regular file; refuse rather than wait
        raise FileRefused("it is not a regular file") from None
    except OSError as exc:
        raise FileRefused(f"it cannot be read ({exc.strerror})") from None
    if len(data) == size:  # all of it: a later append is a later version of the file
        return data
    return _read_capped(fd, limit, [data] if data else [], len(data))


def _read_capped(fd: int, limit: int, chunks: list[bytes] | None = None, total: int = 0) -> bytes:
    chunks = [] if chunks is None else chunks
    if total > limit:
        raise FileRefused(f"it is larger than {limit} bytes")
    while True:
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        except BlockingIOError:  # never for a regular file; refuse rather than wait
            raise FileRefused("it is not a regular file") from None
        except OSError as exc:
            raise FileRefused(f"it cannot be read ({exc.strerror})") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:  # grew after fstat, or a file that lies about its size
            raise FileRefused(f"it is larger than {limit} bytes")


def _lives_in(fd: int, info: os.stat_result, path: Path | str, root: str | None) -> bool:
    """Whether the opened file is inside the directory whose real path is ``root``
    (decided on the descriptor)."""
    if root is None:
        return False
    try:
        real = os.readlink(f"/proc/self/fd/{fd}")  # the path of what was opened
        real = real.removesuffix(" (deleted)")  # removed since: where it was is what counts
    except OSError:  # no procfs: the resolved path must be the opened inode
        try:
            real = os.path.realpath(path)
            seen = os.stat(real)
        except OSError:
            return False
        if (seen.st_dev, seen.st_ino) != (info.st_dev, info.st_ino):
            return False
    return _within(root, real)


def _within(root: str, real: str) -> bool:
    """Whether the canonical path ``real`` lies under the canonical directory ``root``."""
    if real == root:
        return False
    if os.name != "posix":  # case rules and drives: let ntpath compare the parts
        return os.path.commonpath([root, real]) == root
    return real.startswith(root if root.endswith("/") else root + "/")


def read_text(path: Path, *, limit: int, label: str | None = None) -> str:
    """The UTF-8 text of a configuration file, or a ``ConfigSourceError`` naming it.

    The error says why (a FIFO, a directory, too large, unreadable, not UTF-8), never
    what the file holds.
    """
    from ...errors import ConfigSourceError

    label = label or str(path)
    try:
        raw = read_bytes(path, limit=limit)
    except FileRefused as refused:
        raise ConfigSourceError(f"Cannot read {label}: {refused.why}", source=label) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
        raise ConfigSourceError(
            f"Cannot read {label}: it is not UTF-8 text (at {where})", source=label
        ) from None


def reading_errors(build: Callable[..., _T]) -> Callable[..., _T]:
    """Turn an ``OSError`` met while finding the sources into a ``ConfigSourceError``.

    A deleted working directory, a directory on the search path that cannot be
    entered: the error names the path (or the working directory), never a file's text.
    """

    @functools.wraps(build)
    def guarded(*args: Any, **kwargs: Any) -> _T:
        from ...errors import ConfigSourceError

        try:
            return build(*args, **kwargs)
        except OSError as exc:
            if exc.filename is None and exc.errno == errno.ENOENT:
                where, why = "the working directory", "it no longer exists"
            else:
                where = str(exc.filename) if exc.filename is not None else "a configuration path"
                why = exc.strerror or type(exc).__name__
            raise ConfigSourceError(
                f"Cannot read the configuration: {where}: {why}", source=where
            ) from None

    return guarded
