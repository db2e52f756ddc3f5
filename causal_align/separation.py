"""The engine: d-separation in G_σ by reachability, and bounded enumeration of open paths.

A *path* between two nodes is a sequence of distinct nodes joined by edges of any direction,
``->``, ``<-`` or ``<->`` (a latent common cause). At each interior node ``v`` the path meets two
edge marks. ``v`` is a **collider** when both marks are arrowheads (``-> v <-``, ``-> v <->``,
``<-> v <-``, ``<-> v <->``); otherwise it is a **chain** (one tail) or a **fork** (two tails).
Given a conditioning set Z, a path is **open** when every non-collider is outside Z and every
collider is in An(Z), the ancestors of Z *in G_σ* (Z included). X and Y are **d-separated** given
Z when no path between them is open (for ``<->`` edges this is Richardson's m-separation, the
same as d-separation after replacing ``A <-> B`` by ``A <- L -> B``).

Checking paths one at a time is exponential. Instead we walk *states*: a state ``(v, head)``
says "a path arrived at v, with an arrowhead at v if ``head``". From a state we may leave along
any edge whose junction at ``v`` is open, so one visit per state decides separation in linear
time ("Bayes ball"). Every node of an open path is an ancestor of X ∪ Y ∪ Z, so the walk is
confined to that ancestral set: its cost grows with the query, not with the graph.

Examples
--------
A collider ``M`` blocks ``s -> M <- Y_b`` until we condition on M's descendant ``Y_m``:

>>> from causal_align.model import CausalGraph
>>> from causal_align.intervention import sigma_graph
>>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "Y_b -> M", "M -> Y_m"], regime="s"))
>>> is_separated(g, {"s"}, {"Y_b"})
True
>>> is_separated(g, {"s"}, {"Y_b"}, given={"Y_m"})
False
>>> open_paths(g, {"s"}, {"Y_b"}, given={"Y_m"}, limit=10)
([(('s', 'M', 'Y_b'), ('->', '<-'))], False)
"""

from __future__ import annotations

import heapq
import itertools
import os
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.intervention import SigmaGraph
from causal_align.validate import suggest

if TYPE_CHECKING:
    from causal_align.model import CausalGraph

State = tuple[str, bool]
RawPath = tuple[tuple[str, ...], tuple[str, ...]]


def ancestors(graph: SigmaGraph, nodes: Iterable[str]) -> set[str]:
    """``nodes`` and every node with a directed path into them, in G_σ."""
    found = set(nodes)
    stack = list(found)
    while stack:
        for parent in graph.parents(stack.pop()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return found


def _shortest_descents(graph: SigmaGraph, nodes: Iterable[str], *,
                       most: int | None = None) -> dict[str, str | None] | None:
    """An(``nodes``) in G_σ, each ancestor mapped to the next node on a shortest directed path
    down to ``nodes`` (``None`` for the nodes themselves): one breadth-first pass over parents,
    seeded in sorted order so that the same node is named on every run. None when the set
    grows past ``most`` nodes."""
    parents = graph.parents
    step: dict[str, str | None] = dict.fromkeys(sorted(nodes))
    queue = deque(step)
    while queue:
        node = queue.popleft()
        for parent in parents(node):
            if parent not in step:
                step[parent] = node
                queue.append(parent)
        if most is not None and len(step) > most:
            return None
    return step


def _ancestors_beyond(graph: SigmaGraph, closed: Collection[str], nodes: Iterable[str], *,
                      most: int | None = None) -> set[str] | None:
    """``closed`` (a set already closed under parents) with An(``nodes``) in G_σ, walking only
    from the nodes not in it; None when the union grows past ``most`` nodes."""
    found = set(closed)
    stack = [node for node in nodes if node not in found]
    found.update(stack)
    while stack:
        for parent in graph.parents(stack.pop()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
        if most is not None and len(found) > most:
            return None
    return found


Sets = tuple[Mapping[str, "str | None"], set[str], set[str]]
"""A query's An(Z) with next hops down to Z, An(Z) as a set, and An(S ∪ T ∪ Z)."""


def _ancestral_sets(graph: SigmaGraph, given: Collection[str], others: Collection[str], *,
                    cache: AncestryCache | None = None, most: int | None = None) -> Sets | None:
    """The sets a :class:`Prepared` query holds, An(Z) taken from ``cache`` when it has it;
    None when a set grows past ``most`` nodes."""
    kept = None if cache is None else cache.get(graph, given, "python")
    if kept is None:
        descents = _shortest_descents(graph, given, most=most)
        if descents is None:
            return None
        kept = (descents, set(descents))
        if cache is not None:
            cache.put(graph, given, "python", kept, len(descents))
    down, above = kept
    relevant = _ancestors_beyond(graph, above, others, most=most)
    return None if relevant is None else (down, above, relevant)


class AncestryCache:
    """An(Y_m) with its next hops, kept per (G_σ, Y_m) across the queries of a batch.

    Hand one to :func:`prepare` for every query of a batch (``check_queries``): a query whose
    G_σ and Y_m were seen before skips the breadth-first pass over An(Y_m). At most
    ``most_nodes`` nodes are kept in all; the oldest entries go first. The sets handed out are
    shared between queries: read them, never change them.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "Y_b -> M", "M -> Y_m"], regime="s"))
    >>> cache = AncestryCache()
    >>> first = prepare(g, {"s"}, {"Y_b"}, {"Y_m"}, cache=cache)
    >>> second = prepare(g, {"s"}, {"M"}, {"Y_m"}, cache=cache)
    >>> second.down_to_given is first.down_to_given, cache.hits
    (True, 1)
    """

    def __init__(self, *, most_nodes: int = 4_000_000) -> None:
        self.most_nodes = most_nodes
        self.hits = 0
        self._kept: dict[tuple[object, ...], tuple[CausalGraph, object, int]] = {}
        self._nodes = 0

    @staticmethod
    def _key(graph: SigmaGraph, given: Collection[str], engine: str) -> tuple[object, ...]:
        return (id(graph.graph), graph.interventions, frozenset(given), engine)

    def get(self, graph: SigmaGraph, given: Collection[str], engine: str) -> Any:
        """What :meth:`put` kept for this G_σ, Y_m and engine, or None."""
        found = self._kept.get(self._key(graph, given, engine))
        if found is None or found[0] is not graph.graph:
            return None
        self.hits += 1
        return found[1]

    def put(self, graph: SigmaGraph, given: Collection[str], engine: str, value: object,
            size: int) -> None:
        """Keep ``value`` (An(Y_m) of ``size`` nodes, in the engine's own form)."""
        if size > self.most_nodes:
            return
        while self._kept and self._nodes + size > self.most_nodes:
            oldest = next(iter(self._kept))
            self._nodes -= self._kept.pop(oldest)[2]
        self._kept[self._key(graph, given, engine)] = (graph.graph, value, size)
        self._nodes += size


COMPILED_MIN_NODES = 20_000
"""Graphs this big run on the compiled engine (:mod:`causal_align.fast`) when numba is
installed; ``CAUSAL_ALIGN_ENGINE=python`` or ``=fast`` forces one engine."""

QUERY_NODES = 5_000
"""A query on a smaller graph moves to the compiled engine (when numba is installed) once its
ancestral pass in pure Python has visited this many nodes: from there on the compiled passes
are ten times faster or more, and the first such query of a process pays numba's start-up."""

SMALL_ANCESTRY = 2_048
"""A verdict whose ancestral set has at most this many nodes skips the lazy-collider phase:
the full pass is as cheap."""

LAZY_WORK = 10_000
"""The pure-Python lazy-collider phase gives up after reading this many row entries (the
compiled engine's budget is :data:`causal_align.fast.query.LAZY_WORK`): a few milliseconds
at most lost on a separated query, against a full pass over an ancestral set that may hold
most of a big graph (seconds at a million nodes) saved on an open one."""


def _compiled(graph: SigmaGraph, *, visited: int = 0) -> ModuleType | None:
    """The compiled engine when it should answer a query on ``graph`` whose pure-Python
    passes have visited ``visited`` nodes so far, else None: small graphs and small queries
    decide without importing it, and without numba it is never wanted."""
    if (len(graph.graph.nodes) < COMPILED_MIN_NODES and visited < QUERY_NODES
            and "CAUSAL_ALIGN_ENGINE" not in os.environ):
        return None
    from causal_align import fast

    return fast if fast.is_wanted(graph, large_query=visited >= QUERY_NODES) else None


def _query_cap(graph: SigmaGraph) -> int | None:
    """Where a pure-Python ancestral pass stops to hand its query to the compiled engine:
    :data:`QUERY_NODES`, or None when no query on ``graph`` can move (a graph smaller than
    that, no numba, or ``CAUSAL_ALIGN_ENGINE=python``). Loads neither numba nor the kernels."""
    if (len(graph.graph.nodes) <= QUERY_NODES
            or os.environ.get("CAUSAL_ALIGN_ENGINE") == "python"):
        return None
    from causal_align import fast

    return QUERY_NODES if fast.is_available() else None


def prepare(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
            given: Collection[str], *, cache: AncestryCache | None = None) -> Prepared:
    """A :class:`Prepared` query, on the compiled engine for big graphs and for queries whose
    ancestral set passes :data:`QUERY_NODES` nodes; ``cache`` keeps An(Z) across a batch."""
    fast = _compiled(graph)
    if fast is None:
        sets = _ancestral_sets(graph, given, {*sources, *targets}, cache=cache,
                               most=_query_cap(graph))
        if sets is not None:
            return Prepared(graph, sources, targets, given, sets=sets)
        fast = _compiled(graph, visited=QUERY_NODES)
        if fast is None:  # numba would not load: the pure-Python passes go on to the end
            return Prepared(graph, sources, targets, given, cache=cache)
    prepared: Prepared = fast.prepare(graph, sources, targets, given, cache=cache)
    return prepared


class Prepared:
    """A separation query prepared once: its ancestral set, An(Z) and the junction rule.

    ``down_to_given`` maps each node of An(Z) to its next hop on a shortest directed path down
    to Z, which explanations reuse to name the descent that opens a collider. ``sets`` are the
    three sets already computed (by :func:`prepare`); ``cache`` lends An(Z) across queries.
    """

    is_compiled: ClassVar[bool] = False
    """True for the compiled engine's subclass (:class:`causal_align.fast.query.FastPrepared`)."""

    def __init__(self, graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
                 given: Collection[str], *, cache: AncestryCache | None = None,
                 sets: Sets | None = None) -> None:
        self.graph = graph
        self.sources, self.targets, self.given = set(sources), set(targets), set(given)
        self.endpoints = self.sources | self.targets
        found = sets or _ancestral_sets(graph, self.given, self.endpoints, cache=cache)
        assert found is not None  # no bound was set
        self.down_to_given, self.given_ancestors, self.relevant = found

    def is_open(self, node: str, head_in: bool, head_out: bool) -> bool:
        """Is the junction at ``node`` open, given the marks of the two path edges at ``node``?"""
        if head_in and head_out:
            return node in self.given_ancestors
        return node not in self.given

    def moves(self, node: str) -> Iterator[tuple[str, str, bool, bool]]:
        """Edges at ``node`` inside the ancestral set: (neighbour, arrow, head at node, head
        there)."""
        return _moves_within(self.graph, node, self.relevant)

    def reachable(self, *, stop_at_target: bool = False) -> set[State]:
        """Every state a path from a source can reach; paths stop at sources and targets.

        With ``stop_at_target`` the walk ends as soon as it reaches a target (the set is then
        partial, but holds that target: enough for a verdict).
        """
        start = [(near, head) for source in sorted(self.sources)
                 for near, _, _, head in self.moves(source)]
        at_head, at_tail, _ = self._walk(start, stop_at_target=stop_at_target)
        return {(node, True) for node in at_head} | {(node, False) for node in at_tail}

    def can_finish(self, node: str, head: bool, avoid: Collection[str]) -> bool:
        """Can a walk that arrived at ``node`` (with an arrowhead there if ``head``) reach a
        target through open junctions without touching ``avoid``? A prefix of a path whose end
        cannot is a dead end: every completion would revisit one of its nodes."""
        blocked = set(avoid)
        blocked.discard(node)
        return self._walk([(node, head)], blocked=blocked, stop_at_target=True)[2]

    def _walk(self, start: list[State], *, blocked: Collection[str] = (),
              stop_at_target: bool = False) -> tuple[set[str], set[str], bool]:
        """The nodes reached with an arrowhead and with a tail from the ``start`` states, never
        entering ``blocked``, and whether a target was reached.

        The hot loop of every query, so the junction rule is inlined: from a node reached with
        an arrowhead (``head``) or a tail, leaving towards a child needs the node unconditioned;
        leaving towards a parent or spouse needs it in An(Z) after an arrowhead (a collider),
        unconditioned after a tail. Blocked nodes are marked as reached before the walk, so
        they cost nothing inside it.
        """
        children, parents, spouses = self.graph.children, self.graph.parents, self.graph.spouses
        relevant, given, opened = self.relevant, self.given, self.given_ancestors
        at_head: set[str] = set(blocked)
        at_tail: set[str] = set(blocked)
        for node, head in start:
            (at_head if head else at_tail).add(node)
        stack = list(start)
        endpoints, targets, hit = self.endpoints, self.targets, False
        while stack:
            node, head_in = stack.pop()
            if node in endpoints:
                if node in targets:
                    hit = True
                    if stop_at_target:
                        break
                continue
            free = node not in given
            if free:
                for child in children(node):
                    if child in relevant and child not in at_head:
                        at_head.add(child)
                        stack.append((child, True))
            if (node in opened) if head_in else free:
                for parent in parents(node):
                    if parent not in at_tail:
                        at_tail.add(parent)
                        stack.append((parent, False))
                for spouse in spouses(node):
                    if spouse in relevant and spouse not in at_head:
                        at_head.add(spouse)
                        stack.append((spouse, True))
        if blocked:
            at_head.difference_update(blocked)
            at_tail.difference_update(blocked)
        return at_head, at_tail, hit

    def distances_to_targets(self) -> dict[State, int]:
        """Fewest edges from each state to a target, walking backwards from the targets.

        A state (v, head) one step before a state (w, head_w) left v along an edge with mark
        ``head_w`` at w; its junction at v is the junction rule of :meth:`reachable` read
        backwards, inlined for the same reason.
        """
        children, parents, spouses = self.graph.children, self.graph.parents, self.graph.spouses
        relevant, endpoints, given, opened = (self.relevant, self.endpoints, self.given,
                                              self.given_ancestors)
        distance: dict[State, int] = {(node, head): 0 for node in self.targets
                                      for head in (False, True)}
        queue = deque(distance)
        while queue:
            node, head_here = queue.popleft()
            step = distance[(node, head_here)] + 1
            if head_here:  # reached along -> from a parent, which left by a tail: unconditioned
                for near in parents(node):
                    if near not in endpoints and near not in given:
                        for state in ((near, False), (near, True)):
                            if state not in distance:
                                distance[state] = step
                                queue.append(state)
            # reached along <-> from a spouse, or along <- from a child: left with an arrowhead
            for near in spouses(node) if head_here else children(node):
                if near in relevant and near not in endpoints:
                    after_tail = near not in given
                    for state in ((near, False), (near, True)):
                        if state not in distance and (near in opened if state[1] else after_tail):
                            distance[state] = step
                            queue.append(state)
        return distance


def is_separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                 given: Collection[str] = ()) -> bool:
    """True when every path between ``sources`` and ``targets`` is blocked by ``given`` in G_σ.

    Raises
    ------
    GraphSpecError
        When a name is not a node of G_σ, ``sources`` or ``targets`` is empty, or the three
        sets overlap (:func:`check_sets`).

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> X", "X -> Y"], regime="s"))
    >>> is_separated(g, {"s"}, {"Y"}, given={"X"}), is_separated(g, {"s"}, {"Y"})
    (True, False)
    >>> is_separated(g, {"s"}, {"s"})
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      <python> targets: s in both sources and targets (the sets must be disjoint) [E_QUERY_OVERLAP]
    """
    check_sets(graph, sources, targets, given)
    return _separated(graph, sources, targets, given)


def _separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
               given: Collection[str]) -> bool:
    """The verdict of checked sets. A query with a large ancestral set first runs the
    lazy-collider phase (:func:`lazy_reach`), which settles most open ones at once; the full
    pass runs only when it gives up."""
    fast = _compiled(graph)
    if fast is None:
        others = {*sources, *targets}
        sets = _ancestral_sets(graph, given, others, most=SMALL_ANCESTRY)
        if sets is None:
            reached = lazy_reach(graph, sources, targets, given, work=LAZY_WORK)
            if reached is not None:
                return not reached
            sets = _ancestral_sets(graph, given, others, most=_query_cap(graph))
            fast = None if sets is not None else _compiled(graph, visited=QUERY_NODES)
            if sets is None and fast is None:  # numba would not load: Python to the end
                sets = _ancestral_sets(graph, given, others)
    if fast is not None:
        verdict: bool = fast.separated(graph, sources, targets, given)
        return verdict
    query = Prepared(graph, sources, targets, given, sets=sets)
    return not any(node in query.targets for node, _ in query.reachable(stop_at_target=True))


def lazy_reach(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
               given: Collection[str], *, work: int | None = None) -> bool | None:
    """The lazy-collider phase of a verdict: a Bayes ball in which a collider passes only when
    it is *in* ``given``, over the whole graph (no ancestral set is computed).

    A walk may pass a node more than once: a collider in An(Z) but not in Z is passed by going
    down to Z and bouncing back up, so the ball finds every open path although it opens only
    Z's own colliders (Shachter's Bayes ball; ``tests/test_separation_lazy.py`` checks it
    against the full pass on thousands of random graphs). Without an ancestral set, though, a
    separated query walks every descendant of the sources, so the walk gives up after reading
    ``work`` row entries (None: never) and the full pass decides.

    Returns
    -------
    bool or None
        True when a target is reached (an open path exists), False when the walk ended
        without reaching one (the sets are d-separated), None when it gave up.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "Y_b -> M", "M -> D", "D -> Y_m"],
    ...                                        regime="s"))
    >>> lazy_reach(g, {"s"}, {"Y_b"}, {"Y_m"}), lazy_reach(g, {"s"}, {"Y_b"}, set())
    (True, False)
    >>> print(lazy_reach(g, {"s"}, {"Y_b"}, {"Y_m"}, work=1))
    None
    """
    children, parents, spouses = graph.children, graph.parents, graph.spouses
    given_set, target_set = set(given), set(targets)
    endpoints = set(sources) | target_set
    at_head: set[str] = set()
    at_tail: set[str] = set()
    stack: list[State] = []
    for source in sorted(sources):
        first = [(near, True) for near in children(source)]
        first += [(near, False) for near in parents(source)]
        first += [(near, True) for near in spouses(source)]
        for near, head in first:
            marks = at_head if head else at_tail
            if near not in marks:
                marks.add(near)
                stack.append((near, head))
    budget = -1 if work is None else work
    while stack:
        node, head_in = stack.pop()
        if node in endpoints:
            if node in target_set:
                return True
            continue
        below, above, beside = children(node), parents(node), spouses(node)
        if budget >= 0:
            budget -= len(below) + len(above) + len(beside)
            if budget < 0:
                return None
        free = node not in given_set
        if free:
            for child in below:
                if child not in at_head:
                    at_head.add(child)
                    stack.append((child, True))
        if (node in given_set) if head_in else free:
            for parent in above:
                if parent not in at_tail:
                    at_tail.add(parent)
                    stack.append((parent, False))
            for spouse in beside:
                if spouse not in at_head:
                    at_head.add(spouse)
                    stack.append((spouse, True))
    return False


def check_sets(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
               given: Collection[str]) -> None:
    """Every name a node of G_σ, ``sources`` and ``targets`` non-empty, the three sets disjoint.

    The engine's public entry points call this; the alignment check, whose query is already
    checked against the graph, goes straight to the engine.
    """
    problems = []
    known = graph.graph.node_set  # G_σ has the nodes of G
    named = {"sources": set(sources), "targets": set(targets), "given": set(given)}
    for role, names in named.items():
        for name in sorted(names, key=str):
            if not isinstance(name, str) or name not in known:
                problems.append(Problem("E_UNKNOWN_NODE", f"unknown node {shown(name)} in {role} "
                                        f"({suggest(str(name), known)})", role))
        if not names and role != "given":
            problems.append(Problem("E_EMPTY_SET", f"no {role} (name at least one node)", role))
    for first, second in (("sources", "targets"), ("sources", "given"), ("targets", "given")):
        shared = sorted(named[first] & named[second], key=str)
        if shared:
            problems.append(Problem("E_QUERY_OVERLAP", f"{', '.join(map(str, shared))} in both "
                                    f"{first} and {second} (the sets must be disjoint)", second))
    if problems:
        raise GraphSpecError(problems)


class _Prefix:
    """A node of the prefix tree: a path from a source, stored as a pointer to its parent."""

    __slots__ = ("parent", "node", "arrow", "depth", "head")

    def __init__(self, parent: _Prefix | None, node: str, arrow: str, head: bool) -> None:
        self.parent, self.node, self.arrow, self.head = parent, node, arrow, head
        self.depth: int = 0 if parent is None else parent.depth + 1

    def unwind(self) -> RawPath:
        nodes, arrows = [], []
        prefix: _Prefix | None = self
        while prefix is not None:
            nodes.append(prefix.node)
            arrows.append(prefix.arrow)
            prefix = prefix.parent
        return tuple(reversed(nodes)), tuple(reversed(arrows[:-1]))


class _OnPath:
    """The set of nodes on the prefix being expanded, moved from one prefix to the next along
    the prefix tree: consecutive prefixes are usually parent and child, so each move is cheap."""

    def __init__(self) -> None:
        self.nodes: set[str] = set()
        self.current: _Prefix | None = None

    def move_to(self, target: _Prefix) -> None:
        here: _Prefix | None = self.current
        there: _Prefix | None = target
        entering: list[_Prefix] = []
        while here is not None and (there is None or here.depth > there.depth):
            self.nodes.discard(here.node)
            here = here.parent
        while there is not None and (here is None or there.depth > here.depth):
            entering.append(there)
            there = there.parent
        while here is not there:
            assert here is not None and there is not None
            self.nodes.discard(here.node)
            entering.append(there)
            here, there = here.parent, there.parent
        self.nodes.update(prefix.node for prefix in entering)
        self.current = target


PRUNE_BELOW = 2_000
"""Up to this many nodes in the query's ancestral set, the listing drops dead-end prefixes
(one reachability pass each), so that the search for one more path ends when none exists and
``truncated`` is exact; on larger graphs the work budget bounds the search instead."""


LISTED_NODES = 100_000
"""The default bound on the nodes of all listed paths together (``node_limit``): beyond it no
reader follows a listing, and its cost is what the user reads, not what the graph holds."""


def open_paths(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
               given: Collection[str] = (), limit: int, budget: int | None = None,
               prepared: Prepared | None = None,
               node_limit: int = LISTED_NODES) -> tuple[list[RawPath], bool]:
    """Up to ``limit`` open proper paths from ``sources`` to ``targets``, shortest first,
    holding at most ``node_limit`` nodes together (the first path is always listed).

    A proper path's interior avoids sources and targets. The search is best-first on
    (length so far + exact remaining distance over states), deepest prefix first on ties, so it
    heads straight for targets and never expands a prefix whose last junction is blocked or that
    cannot reach a target. No recursion: a path through a million nodes is fine.

    Returns
    -------
    paths : list of (nodes, arrows)
        Arrows are read from the source towards the target: ``"->"``, ``"<-"`` or ``"<->"``.
    truncated : bool
        True when more paths exist than were returned (``limit`` paths were listed, or the
        next one would take the listing past ``node_limit`` nodes), or the work ``budget``
        (number of prefixes expanded; by default
        ``10_000 + (limit + 1) * (1_000 + 4 * shortest)``, where ``shortest`` is the length of
        the shortest open path) ran out first.

    ``prepared`` reuses the ancestral sets of the same query, already computed (and already
    checked); without it the sets are checked as by :func:`is_separated`.
    """
    if prepared is None:
        check_sets(graph, sources, targets, given)
    fast = _compiled(graph)
    if fast is None:  # a query too large for the pure-Python passes moves on its own
        prepared = prepared or prepare(graph, sources, targets, given)
        fast = _compiled(graph, visited=QUERY_NODES) if prepared.is_compiled else None
    if fast is not None:
        listed: tuple[list[RawPath], bool] = fast.fast_open_paths(
            graph, sources, targets, given=given, limit=limit, budget=budget, prepared=prepared,
            node_limit=node_limit)
        return listed
    return list_open_paths(graph, sources, targets, given, limit=limit, budget=budget,
                           prepared=prepared, node_limit=node_limit)


def list_open_paths(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
                    given: Collection[str], *, limit: int, budget: int | None = None,
                    prepared: Prepared | None = None,
                    node_limit: int = LISTED_NODES) -> tuple[list[RawPath], bool]:
    """:func:`open_paths` on the reference engine, without input checks (the compiled engine
    hands it the queries whose ancestral set is small enough to prune dead ends)."""
    query = prepared or Prepared(graph, sources, targets, given)
    remaining = query.distances_to_targets()
    frontier: list[tuple[int, int, int, _Prefix]] = []
    tiebreak = itertools.count()

    def push(prefix: _Prefix) -> None:
        distance = remaining.get((prefix.node, prefix.head))
        if distance is not None:
            heapq.heappush(frontier, (prefix.depth + distance, -prefix.depth, next(tiebreak),
                                      prefix))

    for source in sorted(query.sources):
        root = _Prefix(None, source, "", False)
        for near, arrow, _, head in query.moves(source):
            push(_Prefix(root, near, arrow, head))
    if budget is None:
        shortest = frontier[0][0] if frontier else 0
        budget = 10_000 + (limit + 1) * (1_000 + 4 * shortest)
    found: list[RawPath] = []
    listed_nodes = 0
    on_path = _OnPath()
    pruning = len(query.relevant) <= PRUNE_BELOW
    while frontier and budget > 0:
        budget -= 1
        prefix = heapq.heappop(frontier)[-1]
        if prefix.node in query.targets:
            listed_nodes += prefix.depth + 1
            if len(found) == limit or (found and listed_nodes > node_limit):
                return found, True
            found.append(prefix.unwind())
            continue
        on_path.move_to(prefix)
        if pruning and not query.can_finish(prefix.node, prefix.head, on_path.nodes):
            continue  # a dead end: its completions would all revisit the prefix
        for near, arrow, head_out, head_there in query.moves(prefix.node):
            if near not in on_path.nodes and query.is_open(prefix.node, prefix.head, head_out):
                push(_Prefix(prefix, near, arrow, head_there))
    return found, bool(frontier)


def moral_reach(graph: SigmaGraph, sources: Iterable[str], *, within: Collection[str],
                blocked: Collection[str]) -> set[str]:
    """Nodes joined to ``sources`` in the moral graph of G_σ restricted to ``within`` (an
    ancestral set), walking through no node of ``blocked`` (blocked nodes reached are included).

    The moral graph links co-parents of a common child; walking states, a collider is always
    passed (that is the moral link) and a non-collider only when not blocked, so no quadratic
    moral graph is ever built.
    """
    start = [(near, head) for source in sources
             for near, _, _, head in _moves_within(graph, source, within)]
    seen: set[State] = set(start)
    stack = list(start)
    while stack:
        node, head_in = stack.pop()
        for near, _, head_out, head_there in _moves_within(graph, node, within):
            passes = (head_in and head_out) or node not in blocked
            if passes and (near, head_there) not in seen:
                seen.add((near, head_there))
                stack.append((near, head_there))
    return {node for node, _ in seen} | set(sources)


def _moves_within(graph: SigmaGraph, node: str,
                  within: Collection[str]) -> Iterator[tuple[str, str, bool, bool]]:
    for child in graph.children(node):
        if child in within:
            yield child, "->", False, True
    for parent in graph.parents(node):
        yield parent, "<-", True, False
    for spouse in graph.spouses(node):
        if spouse in within:
            yield spouse, "<->", True, True


def minimal_separator(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                      included: Collection[str], restricted: Collection[str]) -> set[str] | None:
    """A minimal Z with ``included`` ⊆ Z ⊆ ``restricted`` d-separating sources from targets in
    G_σ, or None when no such Z exists.

    Van der Zander, Liśkiewicz & Textor (2019): start from every allowed node of the ancestral
    set; keep those the sources reach in the moral graph, then those the targets reach. Linear.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> A", "A -> B", "B -> Y", "A -> Y"],
    ...                                        regime="s"))
    >>> sorted(minimal_separator(g, {"s"}, {"Y"}, included=set(), restricted={"A", "B"}))
    ['A']
    """
    check_sets(graph, sources, targets, included)
    within = ancestors(graph, set(sources) | set(targets) | set(included))
    candidates = (set(restricted) & within) - set(sources) - set(targets)
    if not _separated(graph, sources, targets, candidates):
        return None
    keep = candidates & (moral_reach(graph, sources, within=within, blocked=candidates)
                         | set(included))
    return keep & (moral_reach(graph, targets, within=within, blocked=keep) | set(included))


def minimum_separator(graph: SigmaGraph, sources: Collection[str], targets: Collection[str], *,
                      given: Collection[str] = (), allowed: Collection[str],
                      costs: Mapping[str, float] | None = None) -> tuple[str, ...] | None:
    """The cheapest Z ⊆ ``allowed`` with (sources ⊥ targets | given ∪ Z) in G_σ (each node
    costs 1 unless ``costs`` says otherwise), or None when no such Z exists.

    A *minimum* separator, not merely a minimal one: a minimum-cost vertex cut between sources
    and targets in the moral graph of the ancestral set An(sources ∪ targets ∪ given), with
    ``given`` removed and each ``A <-> B`` read as a latent parent of both (Lauritzen's
    moralisation criterion). Nodes outside ``allowed`` cannot be cut. A node outside that
    ancestral set never helps, so only allowed nodes inside it are candidates. Of the minimum
    cuts, the one closest to the sources is returned. networkx's flow is imported when needed.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(
    ...     ["s -> A", "s -> B", "A -> C", "B -> C", "C -> Y"], regime="s"))
    >>> minimum_separator(g, {"s"}, {"Y"}, allowed={"A", "B", "C"})
    ('C',)
    >>> minimum_separator(g, {"s"}, {"Y"}, allowed={"A", "B", "C"}, costs={"C": 5.0})
    ('A', 'B')
    >>> minimum_separator(g, {"s"}, {"Y"}, allowed={"A"}) is None
    True
    """
    check_sets(graph, sources, targets, given)
    within = ancestors(graph, set(sources) | set(targets) | set(given))
    usable = (set(allowed) & within) - set(sources) - set(targets) - set(given)
    if not _separated(graph, sources, targets, set(given) | usable):
        return None
    if _separated(graph, sources, targets, given):
        return ()
    price = {node: float((costs or {}).get(node, 1.0)) for node in usable}
    return _cheapest_cut(graph, within, set(sources), set(targets), set(given), price)


def _cheapest_cut(graph: SigmaGraph, within: set[str], sources: set[str], targets: set[str],
                  given: set[str], price: Mapping[str, float]) -> tuple[str, ...]:
    """The minimum-cost vertex cut in the moral graph of ``within`` minus ``given``: each node
    split into an inside and an outside half joined by an arc of its price (uncapped when it
    cannot be cut), each moral edge two uncapped arcs. A latent parent ``<->A,B`` and a family
    hub ``<family>v`` (names no node can have) can never be cut."""
    import networkx as nx

    # Each family (a node and its parents, latent ones included) is one clique of the moral
    # graph; a hub joined to every member stands for it, so the flow graph stays linear in the
    # diagram even for a node with thousands of parents. Hubs and latents are never cut.
    links: list[tuple[str, str]] = []
    virtual: set[str] = set()
    for node in sorted(within):
        family = list(graph.parents(node))
        for spouse in graph.spouses(node):
            if spouse in within:
                family.append(f"<->{min(node, spouse)},{max(node, spouse)}")
                virtual.add(family[-1])
        if family:
            hub = f"<family>{node}"
            virtual.add(hub)
            links += [(hub, member) for member in (node, *family)]
    ends = sources | targets

    def half(node: str, side: str) -> tuple[str, str]:
        return (node, "") if node in ends else (node, side)

    flow: nx.DiGraph[tuple[str, str]] = nx.DiGraph()
    for node in sorted((within | virtual) - ends - given):
        if node in price:
            flow.add_edge(half(node, "in"), half(node, "out"), capacity=price[node])
        else:
            flow.add_edge(half(node, "in"), half(node, "out"))
    for first, second in links:
        if first not in given and second not in given:
            flow.add_edge(half(first, "out"), half(second, "in"))
            flow.add_edge(half(second, "out"), half(first, "in"))
    source, sink = ("", "source"), ("", "sink")
    for node in sources:
        flow.add_edge(source, (node, ""))
    for node in targets:
        flow.add_edge((node, ""), sink)
    _, (near, _) = nx.minimum_cut(flow, source, sink)
    return tuple(sorted(node for node in price
                        if (node, "in") in near and (node, "out") not in near))


def directed_reach(graph: SigmaGraph, sources: Iterable[str], *,
                   within: Collection[str]) -> set[str]:
    """Nodes reachable from ``sources`` along directed edges of G_σ, staying ``within``.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "M -> Y", "s -> Y"], regime="s"))
    >>> sorted(directed_reach(g, ["s"], within={"s", "Y"}))
    ['Y', 's']
    """
    found = set(sources)
    stack = list(found)
    while stack:
        for child in graph.children(stack.pop()):
            if child not in found and child in within:
                found.add(child)
                stack.append(child)
    return found
