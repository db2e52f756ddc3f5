"""Bounded reading: the limits that keep hostile input from costing unbounded time or memory,
and the one function that reads a file's text within them (every reader uses it).

Examples
--------
>>> Limits().max_bytes
67108864
>>> read_text(Path("graphs/coinrun.yaml"), Limits(max_bytes=100))
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  graphs/coinrun.yaml: the file is ... bytes, more than the limit of 100 (raise it with --max-bytes or Limits(max_bytes=...)) [E_TOO_LARGE]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from causal_align.errors import GraphSpecError, Problem


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
    """

    max_bytes: int = 64 * 2**20
    max_nodes: int = 2_000_000
    max_alias_values: int = 100_000
    max_depth: int = 64



def too_large(what: str, limit: int, flag: str, field: str, source: str) -> GraphSpecError:
    return GraphSpecError([Problem("E_TOO_LARGE", f"{what}, more than the limit of {limit:,} "
                                   f"(raise it with {flag} or Limits({field}=...))",
                                   source=source)])



def read_text(path: Path, limits: Limits = Limits()) -> str:
    """The file's text, refusing files over the size limit before reading them."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise too_large(f"the file is {size:,} bytes", limits.max_bytes, "--max-bytes",
                             "max_bytes", str(path))
        data = path.read_bytes()
    except OSError as error:
        raise GraphSpecError([Problem("E_FILE", f"cannot read the file: {error.strerror}",
                                      source=str(path))]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GraphSpecError([Problem("E_ENCODING", f"not UTF-8 text: byte {error.start} is "
                                      f"0x{data[error.start]:02x} (save the file as UTF-8)",
                                      line=data.count(b"\n", 0, error.start) + 1,
                                      source=str(path))]) from None
