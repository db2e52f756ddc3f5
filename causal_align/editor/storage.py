"""Reading and atomically writing the edited file, and noticing when it changed on disk.

A save writes a temporary file in the same folder, flushes and fsyncs it, then renames it over
the target with :func:`os.replace` (atomic on POSIX and Windows): a crash leaves either the old
file or the new one, never half of one, and the old file stays until the new one is complete.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> before = fingerprint(folder / "g.yaml")
>>> before.exists
False
>>> written = atomic_write(folder / "g.yaml", "nodes: {}\\n")
>>> (folder / "g.yaml").read_text(), fingerprint(folder / "g.yaml") == before
('nodes: {}\\n', False)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from causal_align.errors import EditorError
from causal_align.limits import write_bytes_atomically


@dataclass(frozen=True)
class Fingerprint:
    """What the file on disk was when last read or written: absent, or its bytes' SHA-256."""

    exists: bool
    digest: str = ""


def fingerprint(path: Path) -> Fingerprint:
    """The file's current fingerprint (content hash: immune to coarse mtimes)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Fingerprint(False)
    except OSError as error:
        raise EditorError("E_EDIT_IO", f"cannot read {path}: {error.strerror}") from error
    return Fingerprint(True, hashlib.sha256(data).hexdigest())


def read_file(path: Path) -> tuple[str, Fingerprint]:
    """The file's text (empty when it does not exist yet) and its fingerprint."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "", Fingerprint(False)
    except OSError as error:
        raise EditorError("E_EDIT_IO", f"cannot read {path}: {error.strerror}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EditorError("E_EDIT_IO", f"{path} is not UTF-8 text (byte {error.start})") from error
    return text, Fingerprint(True, hashlib.sha256(data).hexdigest())


def atomic_write(path: Path, text: str) -> Fingerprint:
    """Replace ``path`` by ``text`` atomically (:func:`~causal_align.limits.write_atomically`,
    as every file we write); returns the new fingerprint.

    Raises
    ------
    EditorError
        ``E_EDIT_IO`` when the folder is not writable or the disk is full; the old file is
        untouched and no temporary file is left behind.
    """
    data = text.encode("utf-8")
    try:
        write_bytes_atomically(path, data)
    except OSError as error:
        raise EditorError("E_EDIT_IO", f"cannot write {path}: {error.strerror}") from error
    return Fingerprint(True, hashlib.sha256(data).hexdigest())


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (its folder while it does not exist) between checking
    that it did not change and replacing it, so that two editors in different processes cannot
    both pass the check and overwrite each other. The lock is advisory (``flock``) and a no-op
    where the platform has none. After waiting for it, check the file at ``path`` again: another
    process may have replaced it meanwhile.

    >>> import tempfile, pathlib
    >>> with exclusive(pathlib.Path(tempfile.mkdtemp()) / "new.yaml"):
    ...     pass
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; saves in one process are still serialised
        yield
        return
    target = path if path.exists() else path.parent
    try:
        descriptor = os.open(target, os.O_RDONLY)
    except OSError as error:
        raise EditorError("E_EDIT_IO", f"cannot open {target}: {error.strerror}") from error
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
