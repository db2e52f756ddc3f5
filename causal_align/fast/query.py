"""The compiled engine's queries: the same answers as :mod:`causal_align.separation`, at C speed.

:class:`FastPrepared` is a :class:`~causal_align.separation.Prepared` whose passes run in the
kernels of :mod:`causal_align.fast.kernels`; :func:`fast_separated` and :func:`fast_open_paths`
take exactly the arguments of :func:`~causal_align.separation.is_separated` and
:func:`~causal_align.separation.open_paths`, check them the same way and return the same
values: the same verdicts, the same paths in the same order, the same ``truncated``;
:func:`separated` is the verdict without the checks, for the core's dispatch. Importing this
module loads numba.

Both engines search the descents to Z breadth first from Z *sorted by name*, so when two
nodes of Y_m are equally close the same one is named on every run. One difference, deliberate:
:meth:`FastPrepared.reachable` with ``stop_at_target`` returns only the target state it
reached (the pure-Python engine returns every state seen until then): both are "a partial set
holding a target", and the full set, returned when no target is reached, is the same.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> from causal_align.intervention import sigma_graph
>>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "Y_b -> M", "M -> Y_m"], regime="s"))
>>> fast_separated(g, {"s"}, {"Y_b"}), fast_separated(g, {"s"}, {"Y_b"}, given={"Y_m"})
(True, False)
>>> fast_open_paths(g, {"s"}, {"Y_b"}, given={"Y_m"}, limit=10)
([(('s', 'M', 'Y_b'), ('->', '<-'))], False)
>>> dict(FastPrepared(g, {"s"}, {"Y_b"}, {"Y_m"}).down_to_given)
{'Y_m': None, 'M': 'Y_m', 'Y_b': 'M', 's': 'M'}
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

import numpy as np

from causal_align.fast import kernels
from causal_align.fast.compiled import CompiledGraph, Ids, compile_graph
from causal_align.intervention import SigmaGraph
from causal_align.separation import (
    LISTED_NODES,
    PRUNE_BELOW,
    AncestryCache,
    Prepared,
    RawPath,
    State,
    check_sets,
    list_open_paths,
)

ARROWS = np.array(["->", "<-", "<->"], dtype=object)
"""The kernels' arrow codes 0, 1, 2, as the strings they stand for."""

SMALL_ANCESTRY = 2_048
"""A verdict whose ancestral set has at most this many nodes skips the lazy-collider phase:
the full pass is as cheap."""

LAZY_WORK = 200_000
"""The lazy-collider phase gives up after reading this many row entries (or a quarter of the
graph's node count, if more): on an aligned query it would otherwise walk every descendant of
the regime, outside the ancestral set. Measured on the 100k benchmark graph (random-3, 30
queries of each kind): with 20,000 it settles 7 of 30 misaligned large queries (verdicts
1.25 ms on average, aligned 0.39 ms); with 200,000 all 30 (0.57 ms; aligned 0.99 ms)."""


class NextHops(Mapping[str, "str | None"]):
    """A query's An(Z), each node mapped to its next hop down to Z (None for Z itself), read
    from the kernel's arrays: nothing is copied into a dictionary."""

    def __init__(self, compiled: CompiledGraph, order: Ids, next_hop: Ids) -> None:
        self._compiled, self._order = compiled, order
        self._lookup: Ids | dict[int, int]
        if 32 * order.shape[0] < len(compiled.names):  # small: a dictionary of ids
            self._lookup = dict(zip(order.tolist(), next_hop.tolist()))
        else:  # large: a full array, filled at C speed
            self._lookup = np.full(len(compiled.names), -2, np.int32)
            self._lookup[order] = next_hop

    def _hop(self, node: object) -> int:
        k = self._compiled.index.get(node) if isinstance(node, str) else None
        if k is None:
            return -2
        lookup = self._lookup
        return lookup.get(k, -2) if isinstance(lookup, dict) else int(lookup[k])

    def __getitem__(self, node: str) -> str | None:
        hop = self._hop(node)
        if hop == -2:
            raise KeyError(node)
        return None if hop == -1 else self._compiled.names[hop]

    def __contains__(self, node: object) -> bool:
        return self._hop(node) != -2

    def __iter__(self) -> Iterator[str]:
        names = self._compiled.names
        return (names[k] for k in self._order.tolist())

    def __len__(self) -> int:
        return int(self._order.shape[0])


class FastPrepared(Prepared):
    """:class:`~causal_align.separation.Prepared`, its passes compiled.

    Construction runs one kernel: An(Z) with next hops (breadth first from Z sorted by name)
    and An(S ∪ T ∪ Z). The sets ``relevant`` and ``given_ancestors`` are built as Python sets
    only when read (the repairs read ``relevant``); ``down_to_given`` reads the arrays.
    """

    is_compiled = True

    def __init__(self, graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
                 given: Collection[str], *, cache: AncestryCache | None = None) -> None:
        self.graph = graph
        self.sources, self.targets, self.given = set(sources), set(targets), set(given)
        self.endpoints = self.sources | self.targets
        compiled = self.compiled = compile_graph(graph)
        self._source_ids = compiled.ids(self.sources)
        self._target_ids = compiled.ids(self.targets)
        self._given_ids = compiled.ids(self.given)
        self._sets: dict[str, set[str]] = {}
        self._hops: NextHops | None = None
        scratch = compiled.scratch
        kept = None if cache is None else cache.get(graph, self.given, "fast")
        endpoints = np.concatenate((self._source_ids, self._target_ids))
        with scratch.lock:
            epoch = _stamp_query(compiled, self._source_ids, self._target_ids, self._given_ids)
            if kept is None:
                found, total = _ancestral(compiled, self._given_ids, endpoints, epoch)
                self._given_order = scratch.given_order[:found].copy()
                self._next_hop = scratch.next_hop[self._given_order]
                if cache is not None:
                    cache.put(graph, self.given, "fast", (self._given_order, self._next_hop),
                              found)
            else:  # An(Z) known: stamp it, and walk only from the endpoints
                self._given_order, self._next_hop = kept
                kernels.stamp(scratch.given_anc, self._given_order, epoch)
                total = _close_relevant(compiled, self._given_order, endpoints, epoch)
            self._relevant_order = scratch.relevant_order[:total].copy()
            self._stamped = (scratch.generation, epoch)
            scratch.owner = self

    # -- the sets, as Python sets when read (the pure-Python methods inherited use them)

    @property
    def relevant(self) -> set[str]:
        """An(sources ∪ targets ∪ given) in G_σ."""
        return self._named("relevant", self._relevant_order)

    @relevant.setter
    def relevant(self, value: set[str]) -> None:
        self._sets["relevant"] = value

    @property
    def given_ancestors(self) -> set[str]:
        """An(given) in G_σ."""
        return self._named("given_ancestors", self._given_order)

    @given_ancestors.setter
    def given_ancestors(self, value: set[str]) -> None:
        self._sets["given_ancestors"] = value

    @property
    def down_to_given(self) -> Mapping[str, str | None]:  # type: ignore[override]
        """Each node of An(given) mapped to its next hop down to ``given``."""
        if self._hops is None:
            self._hops = NextHops(self.compiled, self._given_order, self._next_hop)
        return self._hops

    def _named(self, key: str, ids: Ids) -> set[str]:
        found = self._sets.get(key)
        if found is None:
            names = self.compiled.names
            found = self._sets[key] = {names[k] for k in ids.tolist()}
        return found

    # -- the compiled passes

    def _ensure_stamped(self) -> int:
        """The query epoch under which the scratch holds this query's sets, stamping them
        again when another query used the scratch since (the caller holds the lock)."""
        scratch = self.compiled.scratch
        if scratch.owner is self and self._stamped == (scratch.generation, scratch.query_epoch):
            return scratch.query_epoch
        epoch = _stamp_query(self.compiled, self._source_ids, self._target_ids, self._given_ids)
        kernels.stamp(scratch.relevant, self._relevant_order, epoch)
        kernels.stamp(scratch.given_anc, self._given_order, epoch)
        self._stamped = (scratch.generation, epoch)
        scratch.owner = self
        return epoch

    def reachable(self, *, stop_at_target: bool = False) -> set[State]:
        """Every state a path from a source can reach, as in the pure-Python engine; with
        ``stop_at_target``, only the first target state reached when there is one (found
        first by the lazy-collider ball when the ancestral set is large)."""
        compiled = self.compiled
        scratch = compiled.scratch
        with scratch.lock:
            epoch = self._ensure_stamped()
            found = -1
            if stop_at_target and len(self._relevant_order) > SMALL_ANCESTRY:
                found = _lazy_target(compiled, self._source_ids, epoch)
            if found < 0:
                found, count = _ball(compiled, self._source_ids, epoch,
                                     stop_at_target=stop_at_target, lazy=False, work=-1)
            states = [found] if found >= 0 else scratch.reached[:count].tolist()
        names = compiled.names
        return {(names[state >> 1], bool(state & 1)) for state in states}

    def distances_to_targets(self) -> dict[State, int]:
        """Fewest edges from each state to a target, as in the pure-Python engine."""
        compiled = self.compiled
        scratch = compiled.scratch
        with scratch.lock:
            epoch = self._ensure_stamped()
            count = _distances(compiled, self._target_ids, epoch, scratch.new_walk())
            states = scratch.stack[:count].copy()
            values = scratch.distance[states].tolist()
        names = compiled.names
        return {(names[state >> 1], bool(state & 1)): value
                for state, value in zip(states.tolist(), values)}

    def open_paths(self, *, limit: int, budget: int | None = None,
                   node_limit: int = LISTED_NODES) -> tuple[list[RawPath], bool]:
        """:func:`~causal_align.separation.open_paths` of this query."""
        compiled = self.compiled
        scratch = compiled.scratch
        with scratch.lock:
            epoch = self._ensure_stamped()
            walk = scratch.new_walk()
            _distances(compiled, self._target_ids, epoch, walk)
            offsets, nodes, arrows, truncated = kernels.listing(
                *compiled.rows(), self._source_ids, epoch, walk, scratch.relevant,
                scratch.given, scratch.given_anc, scratch.target, scratch.known,
                scratch.distance, scratch.on_path, scratch.entering, limit,
                -1 if budget is None else max(budget, 0), node_limit)
        node_names = compiled.labels()[nodes].tolist()  # C speed: no per-node Python work
        arrow_names = ARROWS[arrows].tolist()
        bounds = offsets.tolist()
        paths = [(tuple(node_names[first:last]),
                  tuple(arrow_names[first - number:last - number - 1]))
                 for number, (first, last) in enumerate(zip(bounds, bounds[1:]))]
        return paths, bool(truncated)


def fast_separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                   given: Collection[str] = ()) -> bool:
    """:func:`~causal_align.separation.is_separated`, compiled: the same arguments, the same
    checks (:func:`~causal_align.separation.check_sets`), the same answer."""
    check_sets(graph, sources, targets, given)
    return separated(graph, sources, targets, given)


def separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
              given: Collection[str]) -> bool:
    """The verdict of unchecked sets, compiled, with the lazy-collider phase (what the core's
    ``separation._separated`` runs for big graphs).

    When the ancestral set turns out small (at most :data:`SMALL_ANCESTRY` nodes), the full
    pass runs at once. Otherwise, first a Bayes ball with only Z's own colliders open and no
    ancestral set (:func:`~causal_align.separation.lazy_reach`): it settles the verdict
    either way when it ends, and only when it gives up after :data:`LAZY_WORK` row entries
    does the full pass run.
    """
    compiled = compile_graph(graph)
    scratch = compiled.scratch
    source_ids, target_ids, given_ids = (compiled.ids(sources), compiled.ids(targets),
                                         compiled.ids(given))
    endpoints = np.concatenate((source_ids, target_ids))
    with scratch.lock:
        epoch = _stamp_query(compiled, source_ids, target_ids, given_ids)
        found, _ = _ancestral(compiled, given_ids, endpoints, epoch, most=SMALL_ANCESTRY)
        if found < 0:
            reached = _lazy_target(compiled, source_ids, epoch)
            if reached != -2:  # a target reached: open; the walk ended without one: closed
                return reached < 0
            epoch = _stamp_query(compiled, source_ids, target_ids, given_ids)
            _ancestral(compiled, given_ids, endpoints, epoch)
        reached, _ = _ball(compiled, source_ids, epoch, stop_at_target=True, lazy=False,
                           work=-1)
        return reached < 0


def fast_open_paths(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                    given: Collection[str] = (), limit: int, budget: int | None = None,
                    prepared: Prepared | None = None,
                    node_limit: int = LISTED_NODES) -> tuple[list[RawPath], bool]:
    """:func:`~causal_align.separation.open_paths`, compiled: the same paths in the same
    order and the same ``truncated``; ``prepared`` is reused when it is a
    :class:`FastPrepared` (a plain one is only read for its node sets). Without ``prepared``
    the sets are checked as by :func:`~causal_align.separation.is_separated`."""
    if prepared is None:
        check_sets(graph, sources, targets, given)
    if isinstance(prepared, FastPrepared):
        query = prepared
    elif prepared is not None:
        query = FastPrepared(prepared.graph, prepared.sources, prepared.targets, prepared.given)
    else:
        query = FastPrepared(graph, sources, targets, given)
    if len(query._relevant_order) <= PRUNE_BELOW:  # small: the Python listing prunes dead ends
        return list_open_paths(graph, query.sources, query.targets, query.given, limit=limit,
                               budget=budget, prepared=query, node_limit=node_limit)
    return query.open_paths(limit=limit, budget=budget, node_limit=node_limit)


def _stamp_query(compiled: CompiledGraph, sources: Ids, targets: Ids, given: Ids) -> int:
    """A fresh query epoch with Z, the endpoints and the targets stamped (lock held)."""
    scratch = compiled.scratch
    epoch = scratch.new_query()
    kernels.stamp(scratch.given, given, epoch)
    kernels.stamp(scratch.endpoint, sources, epoch)
    kernels.stamp(scratch.endpoint, targets, epoch)
    kernels.stamp(scratch.target, targets, epoch)
    return epoch


def _ancestral(compiled: CompiledGraph, given: Ids, others: Ids, epoch: int, *,
               most: int = -1) -> tuple[int, int]:
    scratch = compiled.scratch
    found, total = kernels.ancestral(*compiled.parents, given, others, epoch, scratch.given_anc,
                                     scratch.next_hop, scratch.relevant, scratch.given_order,
                                     scratch.relevant_order, most)
    return int(found), int(total)


def _close_relevant(compiled: CompiledGraph, given_order: Ids, others: Ids, epoch: int) -> int:
    scratch = compiled.scratch
    return int(kernels.close_relevant(*compiled.parents, given_order, given_order.shape[0],
                                      others, epoch, scratch.relevant, scratch.relevant_order))


def _lazy_target(compiled: CompiledGraph, sources: Ids, epoch: int) -> int:
    """The lazy-collider ball: a target state it reaches, else -1 (or -2 when it gave up)."""
    work = max(LAZY_WORK, len(compiled.names) // 4)
    return _ball(compiled, sources, epoch, stop_at_target=True, lazy=True, work=work)[0]


def _ball(compiled: CompiledGraph, sources: Ids, epoch: int, *, stop_at_target: bool,
          lazy: bool, work: int) -> tuple[int, int]:
    scratch = compiled.scratch
    found, count = kernels.ball(
        *compiled.rows(), sources, epoch, scratch.new_walk(), scratch.relevant, scratch.given,
        scratch.given_anc, scratch.endpoint, scratch.target, scratch.at_head, scratch.at_tail,
        scratch.stack, scratch.reached, stop_at_target, lazy, work)
    return int(found), int(count)


def _distances(compiled: CompiledGraph, targets: Ids, epoch: int, walk: int) -> int:
    scratch = compiled.scratch
    return int(kernels.distances(
        *compiled.rows(), targets, epoch, walk, scratch.relevant, scratch.given,
        scratch.given_anc, scratch.endpoint, scratch.known, scratch.distance, scratch.stack))
