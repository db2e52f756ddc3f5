"""G_σ as int32 CSR rows, built once per graph and kept in the graph's memo, with the scratch
arrays every query on that graph shares.

A :class:`~causal_align.model.CausalGraph` is immutable and its ``memo`` is a plain dict, so
the compiled form is stored there under ``"fast"`` and never goes stale (a pickled or copied
graph drops its memo and compiles again when first asked). Node ``k`` is ``graph.nodes[k]``.

The graph's own σ is compiled from its flat G_σ in one linear pass over the name dictionaries.
Any other G_σ (a ``sigma=`` given per query, or a narrowed context in the repairs) is a patch
of that: only the rows of the σ targets, their old parents and spouses and the context nodes
differ, so it is built by copying the arrays (C speed) and appending those few rows; the last
few such patches are kept.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> from causal_align.intervention import sigma_graph
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y", "X <-> Y"], regime="s")
>>> compiled = compile_graph(sigma_graph(graph))
>>> compiled.names, compiled.neighbours(compiled.children, "X")
(('s', 'X', 'Y'), ('Y',))
>>> compiled.ids({"Y", "s"}).tolist()  # sorted by name
[2, 0]
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from causal_align.intervention import Neighbours, SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, SoftIntervention

if TYPE_CHECKING:
    from causal_align.separation import Prepared

Ids = npt.NDArray[np.int32]

LAST_EPOCH = 2**31 - 2
"""Epochs are int32 stamps; past this one the stamps are cleared and counting starts again."""

KEPT_PATCHES = 8
"""How many compiled G_σ of interventions other than the graph's own are kept per graph."""


class Rows(NamedTuple):
    """One kind of neighbour as CSR: node v's neighbours are ``flat[start[v]:end[v]]``."""

    start: Ids
    end: Ids
    flat: Ids


class Scratch:
    """Per-node arrays shared by every query on one graph, stamped with epochs (see
    :mod:`causal_align.fast.kernels`); ``lock`` serialises the queries that use them."""

    def __init__(self, size: int) -> None:
        def zeros(count: int) -> Ids:
            return np.zeros(count, np.int32)

        self.size = size
        self.lock = threading.Lock()
        self.relevant, self.given_anc, self.given = zeros(size), zeros(size), zeros(size)
        self.endpoint, self.target = zeros(size), zeros(size)
        self.next_hop, self.given_order, self.relevant_order = (zeros(size), zeros(size),
                                                                zeros(size))
        self.at_head, self.at_tail, self.on_path = zeros(size), zeros(size), zeros(size)
        self.entering = zeros(size + 1)
        self.known, self.distance = zeros(2 * size), zeros(2 * size)
        self.stack, self.reached = zeros(2 * size), zeros(2 * size)
        self.generation = 0
        self.query_epoch = 0
        self.walk_epoch = 0
        self._labels: npt.NDArray[np.object_] | None = None
        self.owner: Prepared | None = None
        """The prepared query whose stamps the query arrays hold now."""

    def labels(self, names: tuple[str, ...]) -> npt.NDArray[np.object_]:
        """``names`` as an array of objects, built once."""
        if self._labels is None:
            self._labels = np.array(names, dtype=object)
        return self._labels

    def new_query(self) -> int:
        """A fresh query epoch (the caller holds the lock)."""
        if self.query_epoch >= LAST_EPOCH:  # never in practice: clear the query stamps
            for array in (self.relevant, self.given_anc, self.given, self.endpoint, self.target):
                array.fill(0)
            self.query_epoch = 0
            self.generation += 1
        self.query_epoch += 1
        self.owner = None
        return self.query_epoch

    def new_walk(self) -> int:
        """A fresh walk epoch (the caller holds the lock); the query stamps stay."""
        if self.walk_epoch >= LAST_EPOCH:  # never in practice: clear the walk stamps
            for array in (self.at_head, self.at_tail, self.on_path, self.known):
                array.fill(0)
            self.walk_epoch = 0
        self.walk_epoch += 1
        return self.walk_epoch


class CompiledGraph:
    """One G_σ as CSR rows over the ids of its graph's nodes.

    ``names[k]`` is node k; ``index`` maps a name to its id; ``scratch`` is shared with the
    other compiled forms of the same graph.
    """

    __slots__ = ("names", "index", "parents", "children", "spouses", "scratch")

    def __init__(self, names: tuple[str, ...], index: dict[str, int], parents: Rows,
                 children: Rows, spouses: Rows, scratch: Scratch) -> None:
        self.names, self.index, self.scratch = names, index, scratch
        self.parents, self.children, self.spouses = parents, children, spouses

    def labels(self) -> npt.NDArray[np.object_]:
        """The node names as a numpy array of objects, so that ids become names at C speed
        (``labels()[ids].tolist()``); built on first use and shared with the graph's other
        compiled forms."""
        return self.scratch.labels(self.names)

    def ids(self, nodes: Iterable[str]) -> Ids:
        """The ids of ``nodes`` sorted by name (raises KeyError for an unknown node)."""
        index = self.index
        return np.array([index[node] for node in sorted(set(nodes))], np.int32)

    def neighbours(self, rows: Rows, node: str) -> tuple[str, ...]:
        """A node's neighbours of one kind, by name (for tests and doctests)."""
        k = self.index[node]
        return tuple(self.names[int(near)] for near in rows.flat[rows.start[k]:rows.end[k]])

    def rows(self) -> tuple[Ids, Ids, Ids, Ids, Ids, Ids, Ids, Ids, Ids]:
        """Children, parents and spouses rows, in the order the kernels take them."""
        return (*self.children, *self.parents, *self.spouses)


class _Store:
    """What :func:`compile_graph` keeps in a graph's memo."""

    def __init__(self, graph: CausalGraph) -> None:
        self.names = graph.nodes
        self.index = {name: k for k, name in enumerate(graph.nodes)}
        self.scratch = Scratch(len(graph.nodes))
        self.own: CompiledGraph | None = None
        self.patches: dict[tuple[SoftIntervention, ...], CompiledGraph] = {}
        self.lock = threading.Lock()


def compile_graph(graph: SigmaGraph) -> CompiledGraph:
    """The compiled form of ``graph``, built on first use and kept on its CausalGraph.

    Parameters
    ----------
    graph : SigmaGraph
        Any G_σ of a graph: its own (flat) or one of other interventions.

    Returns
    -------
    CompiledGraph
    """
    base = graph.graph
    store = base.memo.get("fast")
    if not isinstance(store, _Store):
        store = _Store(base)
        base.memo["fast"] = store
    with store.lock:
        own_sigma = sigma_graph(base)
        if store.own is None:
            store.own = CompiledGraph(
                store.names, store.index, _rows(store, own_sigma.parents),
                _rows(store, own_sigma.children), _rows(store, own_sigma.spouses), store.scratch)
        if graph is own_sigma or graph.interventions == own_sigma.interventions:
            return store.own
        found = store.patches.get(graph.interventions)
        if found is None:
            found = _patched(store.own, graph, own_sigma)
            if len(store.patches) >= KEPT_PATCHES:
                del store.patches[next(iter(store.patches))]
            store.patches[graph.interventions] = found
        return found


def _rows(store: _Store, neighbours: Neighbours) -> Rows:
    lists = list(map(neighbours, store.names))
    lengths = np.fromiter(map(len, lists), np.int32, len(lists))
    end = np.cumsum(lengths, dtype=np.int64).astype(np.int32)
    start = (end - lengths).astype(np.int32)
    total = int(end[-1]) if len(lists) else 0
    index = np.fromiter(map(store.index.__getitem__, chain.from_iterable(lists)), np.int32,
                        total)  # no intermediate list: one dictionary look-up per entry
    return Rows(start, end, index)


def _touched(graph: CausalGraph, interventions: Iterable[SoftIntervention]) -> set[str]:
    """Every node whose rows σ may rewrite: targets, their parents and spouses in G, contexts."""
    nodes: set[str] = set()
    for item in interventions:
        nodes.add(item.target)
        nodes.update(graph.parents(item.target), graph.spouses(item.target), item.context or ())
    return nodes


def _patched(own: CompiledGraph, graph: SigmaGraph, own_sigma: SigmaGraph) -> CompiledGraph:
    touched = sorted(_touched(graph.graph, own_sigma.interventions)
                     | _touched(graph.graph, graph.interventions))
    ids = np.array([own.index[node] for node in touched], np.int32)

    def patch(rows: Rows, neighbours: Neighbours) -> Rows:
        new = [neighbours(node) for node in touched]
        lengths = np.array([len(row) for row in new], np.int32)
        start, end = rows.start.copy(), rows.end.copy()
        offset = rows.flat.shape[0]
        ends = offset + np.cumsum(lengths, dtype=np.int64)
        start[ids] = (ends - lengths).astype(np.int32)
        end[ids] = ends.astype(np.int32)
        extra = np.fromiter(map(own.index.__getitem__, chain.from_iterable(new)), np.int32,
                            int(lengths.sum()))
        return Rows(start, end, np.concatenate((rows.flat, extra)))

    return CompiledGraph(own.names, own.index, patch(own.parents, graph.parents),
                         patch(own.children, graph.children), patch(own.spouses, graph.spouses),
                         own.scratch)
