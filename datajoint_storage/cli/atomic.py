"""Files the edit commands write: never half-written, never a lost concurrent edit.

``datajoint.json`` is rewritten as a temporary file in the same directory, then
``os.replace``d over the original (its permissions kept), under an exclusive lock on
the file, so two edits at once both land. A secret goes to ``.secrets/`` with mode
0600 through a directory descriptor, never through a link.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .outcome import CommandFailed
from .starter import SECRETS_GITIGNORE

try:  # POSIX; elsewhere edits are atomic but not serialised
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[bytes]:
    """Hold an exclusive lock on ``path`` and yield its current bytes.

    The lock is on the open file; a writer that replaced the file meanwhile leaves
    us holding the old one, so the name is checked again until both agree.
    """
    while True:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after the lock
        except FileNotFoundError:
            raise CommandFailed(f"{path} does not exist") from None
        try:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                continue
            if os.path.samestat(os.fstat(handle.fileno()), current):
                yield handle.read()
                return
        finally:
            handle.close()


def replace_text(path: Path, text: str, *, before: Callable[[Path], T]) -> T:
    """Write ``text`` to a temporary file next to ``path``, call ``before`` on it, and
    move it over ``path`` unless ``before`` raised (then ``path`` is untouched)."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        answer = before(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    _sync_directory(path.parent)
    return answer


def write_secret(directory: Path, name: str, value: str) -> dict[str, object]:
    """Write one secret file ``directory/name`` with mode 0600; refuse any link.

    ``directory`` is created (0700, with a ``.gitignore`` that ignores everything) when
    missing. The value is written to a temporary file first and renamed into place,
    so a reader sees the old value or the new one, never half of one.
    """
    created = []
    if not os.path.lexists(directory):
        directory.mkdir(mode=0o700)
        created.append(str(directory))
    if os.path.islink(directory) or not directory.is_dir():
        raise CommandFailed(f"{directory} is a link or not a directory; no secret was written")
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    dir_fd = os.open(directory, flags)
    try:
        if _create(dir_fd, ".gitignore", SECRETS_GITIGNORE, 0o644):
            created.append(str(directory / ".gitignore"))
        with contextlib.suppress(FileNotFoundError):
            existing = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if not stat.S_ISREG(existing.st_mode):
                raise CommandFailed(
                    f"{directory / name} is a link or not a regular file; "
                    "it was left as it is and no secret was written"
                )
        temporary = f".{name}.{os.getpid()}.tmp"
        fd = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
            0o600,
            dir_fd=dir_fd,
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(value)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=dir_fd)
            raise
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return {"path": str(directory / name), "mode": "0600", "created": created}


def _create(dir_fd: int, name: str, text: str, mode: int) -> bool:
    """Create ``name`` in the directory with ``text``; False if it already exists."""
    try:
        fd = os.open(
            name,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
            mode,
            dir_fd=dir_fd,
        )
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless to skip where unsupported."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
