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
>>> is_separated(g, {"s"}, {"Y_b"}, set())
True
>>> is_separated(g, {"s"}, {"Y_b"}, {"Y_m"})
False
>>> open_paths(g, {"s"}, {"Y_b"}, {"Y_m"}, limit=10)
([(('s', 'M', 'Y_b'), ('->', '<-'))], False)
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator

from causal_align.intervention import SigmaGraph

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


class Query:
    """A separation query prepared once: its ancestral set, An(Z) and the junction rule."""

    def __init__(self, graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
                 given: Collection[str]) -> None:
        self.graph = graph
        self.sources, self.targets, self.given = set(sources), set(targets), set(given)
        self.given_ancestors = ancestors(graph, self.given)
        self.relevant = ancestors(graph, self.sources | self.targets | self.given_ancestors)
        self.endpoints = self.sources | self.targets

    def is_open(self, node: str, head_in: bool, head_out: bool) -> bool:
        """Is the junction at ``node`` open, given the marks of the two path edges at ``node``?"""
        if head_in and head_out:
            return node in self.given_ancestors
        return node not in self.given

    def moves(self, node: str) -> Iterator[tuple[str, str, bool, bool]]:
        """Edges at ``node`` inside the ancestral set: (neighbour, arrow, head at node, head there)."""
        graph, relevant = self.graph, self.relevant
        for child in graph.children(node):
            if child in relevant:
                yield child, "->", False, True
        for parent in graph.parents(node):
            yield parent, "<-", True, False
        for spouse in graph.spouses(node):
            if spouse in relevant:
                yield spouse, "<->", True, True

    def reachable(self) -> set[State]:
        """Every state a path from a source can reach; paths stop at sources and targets."""
        seen: set[State] = set()
        stack = [(near, head) for source in sorted(self.sources)
                 for near, _, _, head in self.moves(source)]
        while stack:
            state = stack.pop()
            if state in seen:
                continue
            seen.add(state)
            node, head_in = state
            if node in self.endpoints:
                continue
            for near, _, head_out, head_there in self.moves(node):
                if self.is_open(node, head_in, head_out) and (near, head_there) not in seen:
                    stack.append((near, head_there))
        return seen

    def distances_to_targets(self) -> dict[State, int]:
        """Fewest edges from each state to a target, walking backwards from the targets."""
        distance: dict[State, int] = {(node, head): 0 for node in self.targets
                                      for head in (False, True)}
        queue = deque(distance)
        while queue:
            node, head_here = queue.popleft()
            step = distance[(node, head_here)] + 1
            # edges at `node` carrying mark `head_here` there, seen from the other end
            ends = ([(parent, False) for parent in self.graph.parents(node)] +
                    [(spouse, True) for spouse in self.graph.spouses(node)]) if head_here else \
                [(child, True) for child in self.graph.children(node)]
            for near, head_out in ends:
                if near not in self.relevant or near in self.endpoints:
                    continue
                for head_in in (False, True):
                    state = (near, head_in)
                    if state not in distance and self.is_open(near, head_in, head_out):
                        distance[state] = step
                        queue.append(state)
        return distance


def is_separated(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
                 given: Collection[str]) -> bool:
    """True when every path between ``sources`` and ``targets`` is blocked by ``given`` in G_σ.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> X", "X -> Y"], regime="s"))
    >>> is_separated(g, {"s"}, {"Y"}, {"X"}), is_separated(g, {"s"}, {"Y"}, set())
    (True, False)
    """
    query = Query(graph, sources, targets, given)
    return not any(node in query.targets for node, _ in query.reachable())


def open_paths(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
               given: Collection[str], *, limit: int, budget: int | None = None,
               ) -> tuple[list[RawPath], bool]:
    """Up to ``limit`` open proper paths from ``sources`` to ``targets``, shortest first.

    A proper path's interior avoids sources and targets. The search is best-first on
    (length so far + exact remaining distance over states), so it heads straight for targets
    and never expands a prefix whose last junction is blocked or that cannot reach a target.

    Returns
    -------
    paths : list of (nodes, arrows)
        Arrows are read from the source towards the target: ``"->"``, ``"<-"`` or ``"<->"``.
    truncated : bool
        True when more paths exist than were returned, or the work ``budget`` (number of
        prefixes expanded; default ``10_000 + 1_000 * limit``) ran out first.
    """
    query = Query(graph, sources, targets, given)
    remaining = query.distances_to_targets()
    budget = 10_000 + 1_000 * limit if budget is None else budget
    counter = 0
    frontier: list[tuple[int, int, int, tuple[str, ...], tuple[str, ...], bool]] = []

    def push(nodes: tuple[str, ...], arrows: tuple[str, ...], state: State) -> None:
        nonlocal counter
        if state in remaining:
            counter += 1
            heapq.heappush(frontier, (len(arrows) + remaining[state], -len(arrows), counter,
                                      nodes, arrows, state[1]))

    for source in sorted(query.sources):
        for near, arrow, _, head in query.moves(source):
            push((source, near), (arrow,), (near, head))
    found: list[RawPath] = []
    while frontier and budget > 0:
        budget -= 1
        _, _, _, nodes, arrows, head_in = heapq.heappop(frontier)
        node = nodes[-1]
        if node in query.targets:
            if len(found) == limit:
                return found, True
            found.append((nodes, arrows))
            continue
        for near, arrow, head_out, head_there in query.moves(node):
            if near not in nodes and query.is_open(node, head_in, head_out):
                push(nodes + (near,), arrows + (arrow,), (near, head_there))
    return found, bool(frontier)


def directed_reach(graph: SigmaGraph, sources: Iterable[str], *,
                   avoiding: Callable[[str], bool] = lambda node: False) -> set[str]:
    """Nodes reachable from ``sources`` along directed edges of G_σ, never entering ``avoiding``.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "M -> Y", "s -> Y"], regime="s"))
    >>> sorted(directed_reach(g, ["s"], avoiding={"M"}.__contains__))
    ['Y', 's']
    """
    found = set(sources)
    stack = list(found)
    while stack:
        for child in graph.children(stack.pop()):
            if child not in found and not avoiding(child):
                found.add(child)
                stack.append(child)
    return found
