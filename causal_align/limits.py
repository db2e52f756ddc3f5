"""Bounded reading and safe writing: the limits that keep hostile input from costing unbounded
time or memory, the one function that reads a file's text within them (every reader uses it),
and the one that writes a file completely or not at all (every writer uses it).

Examples
--------
>>> Limits().max_bytes
67108864
>>> read_text(Path("graphs/coinrun.yaml"), Limits(max_bytes=100))
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  graphs/coinrun.yaml: the file is ... bytes, more than the limit of 100 (raise it with
    --max-bytes or Limits(max_bytes=...)) [E_TOO_LARGE]
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from causal_align.errors import CausalAlignError, GraphSpecError, Problem, shown


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from costing unbounded time or memory.

    Every limit is checked before the work it bounds. Raise them for big graphs, e.g.
    ``load_graph(path, limits=Limits(max_bytes=200_000_000, max_nodes=5_000_000))`` or
    ``causal-align check --max-bytes 200000000 --max-nodes 5000000``.

    Parameters
    ----------
    max_bytes : int
        Largest file (or text) read; 64 MiB by default, enough for a million-edge graph.
    max_nodes : int
        Most nodes a graph may declare.
    max_alias_values : int
        Most values that YAML aliases (``*name``) may add: refuses "billion laughs" files.
    max_depth : int
        Deepest nesting of lists and mappings (a graph file needs 4).
    max_expanded_edges : int
        Most edges that dagitty's group syntax (``{a b} -> {c d}``) may expand to.

    Raises
    ------
    CausalAlignError
        For a limit that is negative or not a whole number.
    """

    max_bytes: int = 64 * 2**20
    max_nodes: int = 2_000_000
    max_alias_values: int = 100_000
    max_depth: int = 64
    max_expanded_edges: int = 100_000

    def __post_init__(self) -> None:
        _check_limits(self)



def too_large(what: str, limit: int, flag: str, field: str, source: str) -> GraphSpecError:
    return GraphSpecError([Problem("E_TOO_LARGE", f"{what}, more than the limit of {limit:,} "
                                   f"(raise it with {flag} or Limits({field}=...))",
                                   source=source)])



STDIN = "-"
"""The file name that means standard input (``causal-align check -``)."""


def _check_limits(limits: Limits) -> None:
    for name in ("max_bytes", "max_nodes", "max_alias_values", "max_depth", "max_expanded_edges"):
        value = getattr(limits, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CausalAlignError(f"Limits({name}=...) must be a whole number >= 0, found "
                                   f"{shown(value)}")


def read_text(path: Path, limits: Limits = Limits()) -> str:
    """The file's text, never reading more than ``limits.max_bytes`` bytes.

    A regular file over the limit is refused before it is read; anything else (standard input
    as ``-``, a pipe, a FIFO, a device such as ``/dev/zero``) is read in chunks and refused as
    soon as it passes the limit, so no reader can be made to read without end. A FIFO that no
    program writes to reads as empty instead of waiting forever.

    Examples
    --------
    >>> read_text(Path("/dev/zero"), Limits(max_bytes=10))
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      /dev/zero: the input goes on past the limit of 10 bytes (not a regular file; raise the
        limit with --max-bytes or Limits(max_bytes=...)) [E_TOO_LARGE]
    """
    source = "<stdin>" if str(path) == STDIN else str(path)
    try:
        data = _read_bounded(path, limits.max_bytes)
    except OSError as error:
        raise GraphSpecError([Problem("E_FILE", f"cannot read the file: "
                                      f"{error.strerror or error}", source=source)]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GraphSpecError([Problem("E_ENCODING", f"not UTF-8 text: byte {error.start} is "
                                      f"0x{data[error.start]:02x} (save the file as UTF-8)",
                                      line=data.count(b"\n", 0, error.start) + 1,
                                      source=source)]) from None


CHUNK = 1 << 20
"""Bytes read at a time from a stream whose size is not known in advance."""


def _read_bounded(path: Path, most: int) -> bytes:
    """At most ``most`` bytes of ``path`` (``-``: standard input), or E_TOO_LARGE."""
    source = "<stdin>" if str(path) == STDIN else str(path)
    if str(path) == STDIN:
        descriptor, close = sys.stdin.fileno(), False
    else:
        # O_NONBLOCK: opening a FIFO for reading must not wait for a writer
        descriptor, close = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), True
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        if stat.S_ISREG(status.st_mode) and status.st_size > most:
            raise too_large(f"the file is {status.st_size:,} bytes", most, "--max-bytes",
                            "max_bytes", source)
        if close and hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)  # a FIFO without a writer now reads as empty
        chunks, total = [], 0
        while True:
            chunk = os.read(descriptor, min(CHUNK, most + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > most:
                raise GraphSpecError([Problem(
                    "E_TOO_LARGE", f"the input goes on past the limit of {most:,} bytes (not a "
                    "regular file; raise the limit with --max-bytes or Limits(max_bytes=...))",
                    source=source)])
        return b"".join(chunks)
    finally:
        if close:
            os.close(descriptor)


def write_atomically(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Write a file so that it is either complete or not changed at all.

    ``write(temporary)`` writes the whole content to a temporary file in the same folder, which
    then replaces ``path`` in one step (``os.replace``): a full disk, a file-size limit or a kill
    half-way leaves the previous file as it was (and at worst a stray ``.name.*.tmp`` after a
    kill). The new file gets the old one's permissions, or the usual ones for a new file; a
    symbolic link is followed, not replaced. A target that is not a regular file
    (``/dev/stdout``, a FIFO) is written directly.

    Raises
    ------
    OSError
        When the file cannot be written; the temporary file is removed.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "report.txt")
    >>> write_atomically(target, lambda temporary: Path(temporary).write_text("done"))
    >>> Path(target).read_text(), os.listdir(folder)
    ('done', ['report.txt'])
    """
    target = os.path.realpath(os.fspath(path))  # through a symbolic link, not over it
    try:
        status: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        write(target)
        return
    folder, name = os.path.split(os.path.abspath(target))
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name[:100]}.", suffix=".tmp", dir=folder)
    os.close(descriptor)
    try:
        write(temporary)
        _sync(temporary, os.O_RDWR)  # the content is on disk before the rename makes it current
        if status is not None:
            os.chmod(temporary, stat.S_IMODE(status.st_mode))
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        _sync(folder, os.O_RDONLY)  # the rename itself, where the platform allows it


def _sync(path: str, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """:func:`write_atomically` for bytes already in memory (an image, an encoded text)."""
    def write(temporary: str) -> None:
        with open(temporary, "wb") as handle:
            handle.write(data)
    write_atomically(path, write)


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """:func:`write_atomically` for a text (UTF-8)."""
    write_bytes_atomically(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
