"""Writing the files a person names, and os1's own, so that nothing is lost or leaked.

Every file os1 writes (a memory export, speech, a letter, a book, the config
file) goes through :func:`write_file`: the bytes go to a private temporary file
in the same folder, are flushed to the disk, and take the target's name in one
rename, so a reader sees the old file or the new one, never half of one, and a
failure leaves nothing behind. Only a regular file is ever replaced: a folder,
a device or a socket is refused, a FIFO or character device (``/dev/stdout``)
is written through only where the command means "send it there", and a link
the person named is written through to its file rather than replaced. Paths
os1 makes up itself are built by :func:`inside`, which keeps a name (a
client's, say) from leaving os1's folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from os1.errors import InputError, OutputError
from os1.private import PRIVATE_FILE

__all__ = [
    "atomic_path",
    "check_writable",
    "inside",
    "read_at_most",
    "read_json",
    "write_file",
]

_UNSAFE_NAME = re.compile('[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069/\\\\:*?"<>|]+')
_NAME_BYTES = 120  # well under the 255 bytes a file name may take, with room for a suffix


def inside(folder: Path, name: str, suffix: str = "") -> Path:
    """A file in ``folder`` named after ``name``, which can never point outside it.

    Separators, control characters, bidi overrides and leading dots are
    replaced and the name is kept short, so a client called
    ``../../etc/passwd`` gets a file called ``etc-passwd`` in ``folder``.
    """
    stem = _UNSAFE_NAME.sub("-", name).strip(" .-")
    stem = stem.encode()[:_NAME_BYTES].decode(errors="ignore").rstrip(" .-") or "untitled"
    path = folder / f"{stem}{suffix}"
    if path.parent != folder:
        raise OutputError(f"{name!r} cannot name a file.", "Choose a plainer name.")
    return path


def _target(path: Path, *, named: bool, streams: bool) -> tuple[Path, bool]:
    """Where to write for ``path``, and whether to write through (a FIFO or device)."""
    if named:
        path = Path(os.path.realpath(path))
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise _problem(exc, path) from None
    if found is not None:
        if stat.S_ISDIR(found.st_mode):
            raise OutputError(f"{path} is a folder.", "Give a file name inside it.")
        if stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode):
            if streams:
                return path, True
            raise OutputError(f"{path} is a device, not a file.", "Give the name of a file.")
        if not stat.S_ISREG(found.st_mode):
            raise OutputError(
                f"{path} is not a regular file; os1 will not replace it.",
                "Give the name of a file.",
            )
    if not path.parent.is_dir():
        raise OutputError(
            f"The folder {path.parent} does not exist.", "Create it first, or choose another."
        )
    return path, False


def check_writable(path: Path, *, named: bool = True, streams: bool = False) -> None:
    """Refuse early (before a slow render) a target :func:`write_file` would refuse."""
    target, through = _target(path, named=named, streams=streams)
    if not through and not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"Cannot write in {target.parent} (permission denied).",
            "Choose a folder you can write to.",
        )


def write_file(
    path: Path,
    data: bytes,
    *,
    named: bool = True,
    streams: bool = False,
    mode: int = PRIVATE_FILE,
) -> Path:
    """Write ``data`` to ``path`` atomically with ``mode``; return the file written.

    ``named``: the person gave this path, so a link in it is followed to its
    file; os1's own paths (``named=False``) are never followed anywhere.
    ``streams``: a FIFO or character device at ``path`` is written through.
    """
    target, through = _target(path, named=named, streams=streams)
    if through:
        try:
            with open(target, "wb") as device:
                device.write(data)
        except OSError as exc:
            raise _problem(exc, target) from None
        return target
    with atomic_path(target, named=False, mode=mode) as partial:
        try:
            with open(partial, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise _problem(exc, target) from None
    return target


@contextlib.contextmanager
def atomic_path(path: Path, *, named: bool = True, mode: int = PRIVATE_FILE) -> Iterator[Path]:
    """A private temporary file beside ``path`` to write; it becomes ``path`` on success.

    For writers that want a file name (a WAV writer, a renderer): the
    temporary name keeps ``path``'s suffix, so a writer that reads the format
    from it still can. If the block fails, the temporary file is removed and
    ``path`` is untouched.
    """
    target, _ = _target(path, named=named, streams=False)
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f".partial{target.suffix}", dir=target.parent
        )
    except OSError as exc:
        raise _problem(exc, target.parent) from None
    partial = Path(name)
    try:
        os.fchmod(descriptor, mode)
        os.close(descriptor)
        yield partial
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError):
            raise _problem(exc, target) from None
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: some filesystems refuse)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _problem(exc: OSError, path: Path) -> OutputError:
    """One sentence for a failed write: what happened to which path, and what to do."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        fix = "Free some space, or write somewhere else; nothing was written."
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "Choose a place you can write to; nothing was written."
    else:
        fix = "Choose another place; nothing was written."
    return OutputError(f"Cannot write {path} ({reason}).", fix)


def read_at_most(source: Path | BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of a file or stream: a device such as /dev/zero never ends."""
    if isinstance(source, Path):
        with source.open("rb") as opened:
            return opened.read(limit)
    return source.read(limit)


def read_json(path: Path, what: str, limit: int) -> Any:
    """A JSON document from a file the person gave, or one clear error saying why not."""
    try:
        raw = read_at_most(path, limit + 1)
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a {what}.", "Give the file.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path} ({exc.strerror}).", "Check the path.") from None
    if len(raw) > limit:
        raise InputError(f"{path} is larger than {limit:,} bytes.", f"That is not a {what}.")
    try:
        return json.loads(raw)
    except RecursionError:
        raise InputError(
            f"{path} nests its data too deeply to be a {what}.", "Nothing was changed."
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path} is not valid UTF-8 JSON ({exc}).", "Nothing was changed."
        ) from None
