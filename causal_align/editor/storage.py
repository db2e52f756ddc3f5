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
import tempfile
from dataclasses import dataclass
from pathlib import Path

from causal_align.errors import EditorError


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
    """Replace ``path`` by ``text`` atomically; returns the new fingerprint.

    Raises
    ------
    EditorError
        ``E_EDIT_IO`` when the folder is not writable or the disk is full; the old file is
        untouched and no temporary file is left behind.
    """
    data = text.encode("utf-8")
    folder = path.parent
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise EditorError("E_EDIT_IO", f"cannot write in {folder}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise EditorError("E_EDIT_IO", f"cannot write {path}: {error.strerror}") from error
    _sync_folder(folder)
    return Fingerprint(True, hashlib.sha256(data).hexdigest())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
