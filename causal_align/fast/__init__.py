"""A compiled engine for big graphs: the same answers as the pure-Python engine, at C speed.

G_σ is kept as int32 CSR arrays (parents, children, spouses) beside the graph's flat G_σ, and
the hot passes (ancestors with next hops, the Bayes ball, the backward distance pass and the
best-first bounded path listing) run as numba kernels over them, with per-query scratch
stamped by epochs so that no per-query work is O(graph). The verdict first tries a
*lazy-collider* ball (only Y_m's own colliders open, no ancestral pass), which settles most
misaligned queries after a few hundred steps, and an aligned one whenever it ends before its
budget. Listed paths come back as arrays of node ids turned into names at C speed; their
explanations are built when read (:class:`causal_align.explain.OpenPath`).

The pure-Python engine of :mod:`causal_align.separation` stays the reference and the default for
small graphs. This package imports nothing heavy: numba and numpy load when a compiled query
first runs. Install with ``pip install 'causal_align[fast]'``.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> from causal_align.intervention import sigma_graph
>>> g = sigma_graph(CausalGraph.from_edges(["s -> X", "X -> Y"], regime="s"))
>>> is_wanted(g)  # three nodes: the pure-Python engine is faster
False
>>> fast_separated(g, {"s"}, {"Y"}, given={"X"}), fast_separated(g, {"s"}, {"Y"})
(True, False)
>>> fast_open_paths(g, {"s"}, {"Y"}, limit=5)
([(('s', 'X', 'Y'), ('->', '->'))], False)
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Collection
from functools import cache
from typing import TYPE_CHECKING

from causal_align.errors import FastEngineUnavailable
from causal_align.separation import LISTED_NODES

if TYPE_CHECKING:
    from causal_align.intervention import SigmaGraph
    from causal_align.separation import AncestryCache, Prepared, RawPath

__all__ = ["MIN_NODES", "FastEngineUnavailable", "fast_open_paths", "fast_separated",
           "is_available", "is_wanted", "prepare", "separated"]

MIN_NODES = 20_000
"""Graphs with at least this many nodes use the compiled engine when numba is installed.

Below it, the pure-Python engine answers a query in milliseconds and loading numba (about
0.5-1 s with a warm cache) would dominate. ``CAUSAL_ALIGN_ENGINE=python`` or ``=fast`` in the
environment forces one engine (``fast`` still needs numba)."""

ENGINE_VARIABLE = "CAUSAL_ALIGN_ENGINE"


@cache
def is_available() -> bool:
    """True when numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def is_wanted(graph: SigmaGraph, *, large_query: bool = False) -> bool:
    """Should queries on ``graph`` run compiled? The one test the core's dispatch makes.

    True when numba is installed and the graph has at least :data:`MIN_NODES` nodes, or the
    query is ``large_query`` (its pure-Python pass has already visited
    :data:`causal_align.separation.QUERY_NODES` nodes), unless the environment variable
    ``CAUSAL_ALIGN_ENGINE`` says ``python`` (never) or ``fast`` (always, numba permitting).
    """
    choice = os.environ.get(ENGINE_VARIABLE, "")
    if choice == "python" or not is_available():
        return False
    return (choice == "fast" or large_query or len(graph.graph.nodes) >= MIN_NODES) and _loads()


@cache
def _loads() -> bool:
    """Import the kernels once; a broken numba install (say, an llvmlite that does not match)
    falls back to the pure-Python engine with a warning instead of failing the query."""
    try:
        from causal_align.fast import query  # noqa: F401
    except Exception as error:  # numba raises more than ImportError when its install is broken
        warnings.warn(f"causal_align: the compiled engine is unavailable ({error}); using the "
                      "pure-Python engine", RuntimeWarning, stacklevel=3)
        return False
    return True


def prepare(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
            given: Collection[str], *, cache: AncestryCache | None = None) -> Prepared:
    """A :class:`~causal_align.separation.Prepared` whose passes are compiled (a drop-in
    replacement: same attributes and methods, same results); ``cache`` keeps An(Z) across
    the queries of a batch.

    Raises
    ------
    FastEngineUnavailable
        When numba is not installed.
    """
    if not is_available():
        raise FastEngineUnavailable()
    from causal_align.fast.query import FastPrepared

    return FastPrepared(graph, sources, targets, given, cache=cache)


def fast_separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                   given: Collection[str] = ()) -> bool:
    """:func:`~causal_align.separation.is_separated`, compiled (same arguments, same checks,
    same answer).

    Raises
    ------
    GraphSpecError
        As :func:`~causal_align.separation.is_separated` does.
    FastEngineUnavailable
        When numba is not installed.
    """
    if not is_available():
        raise FastEngineUnavailable()
    from causal_align.fast.query import fast_separated as checked

    return checked(graph, sources, targets, given=given)


def separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
              given: Collection[str]) -> bool:
    """The compiled verdict on sets already checked: what ``separation._separated`` calls.

    Raises
    ------
    FastEngineUnavailable
        When numba is not installed.
    """
    if not is_available():
        raise FastEngineUnavailable()
    from causal_align.fast.query import separated as unchecked

    return unchecked(graph, sources, targets, given)


def fast_open_paths(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                    given: Collection[str] = (), limit: int, budget: int | None = None,
                    prepared: Prepared | None = None,
                    node_limit: int = LISTED_NODES) -> tuple[list[RawPath], bool]:
    """:func:`~causal_align.separation.open_paths`, compiled: the same paths, in the same
    order, with the same ``truncated``.

    Raises
    ------
    GraphSpecError
        As :func:`~causal_align.separation.open_paths` does.
    FastEngineUnavailable
        When numba is not installed.
    """
    if not is_available():
        raise FastEngineUnavailable()
    from causal_align.fast.query import fast_open_paths as listing

    return listing(graph, sources, targets, given=given, limit=limit, budget=budget,
                   prepared=prepared, node_limit=node_limit)
