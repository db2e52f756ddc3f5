"""G → G_σ: the only code that rewires edges.

For each soft intervention σ with target T and context C (Correa & Bareinboim 2020):

1. delete every directed edge ``X -> T``;
2. delete every bidirected edge ``T <-> X`` (the policy draws fresh noise);
3. add ``c -> T`` for every c in C (a context node need not have been a parent);
4. refuse if the result is cyclic.

For interventions given per query, G_σ is an *overlay*: only the adjacency of T, its old
parents and spouses and its context nodes is rewritten, so building it costs O(edges at the
targets), not O(graph). The graph's own σ, asked about again and again, is built once as flat
adjacency dictionaries (one linear copy) and kept on the graph, which is immutable.

Examples
--------
>>> from causal_align.model import CausalGraph, SoftIntervention
>>> graph = CausalGraph.from_edges(["s -> Cue", "Cue -> D_m", "Obs -> D_m", "D_m -> Y_b"],
...                                regime="s")
>>> g_sigma = sigma_graph(graph, [SoftIntervention("D_m", context=["Obs"])])
>>> g_sigma.parents("D_m"), g_sigma.children("Cue")
(('Obs',), ())
>>> [str(edge) for edge in g_sigma.removed]
['Cue -> D_m']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from causal_align.model import CausalGraph, Edge, Origin, SoftIntervention
from causal_align.validate import Problems, check_sigma

Neighbours = Callable[[str], tuple[str, ...]]


class SigmaGraph:
    """G_σ: ``graph`` with ``interventions`` applied; ``removed``/``added`` are the edge diff.

    ``parents``, ``children`` and ``spouses`` give a node's neighbours in G_σ, sorted. For the
    graph's own σ they are plain dictionary lookups (built once per graph and kept); for other
    interventions they read through a small overlay on G's adjacency.
    """

    __slots__ = ("graph", "interventions", "removed", "added", "parents", "children", "spouses",
                 "_added")

    def __init__(self, graph: CausalGraph, interventions: tuple[SoftIntervention, ...],
                 removed: tuple[Edge, ...], added: tuple[Edge, ...],
                 neighbours: tuple[Neighbours, Neighbours, Neighbours]) -> None:
        self.graph, self.interventions, self.removed, self.added = (graph, interventions,
                                                                    removed, added)
        self.parents, self.children, self.spouses = neighbours
        self._added = frozenset(added)

    def is_added(self, tail: str, head: str) -> bool:
        """True when ``tail -> head`` exists only because σ's context reads ``tail``."""
        return Edge(tail, head) in self._added

    def __repr__(self) -> str:
        return f"<SigmaGraph of {self.graph.name!r}: -{len(self.removed)} +{len(self.added)} edges>"


def sigma_graph(graph: CausalGraph, sigma: Iterable[SoftIntervention] | None = None) -> SigmaGraph:
    """Apply ``sigma`` (default: the graph's own interventions) to ``graph``.

    Parameters
    ----------
    graph : CausalGraph
    sigma : Iterable[SoftIntervention], optional
        Interventions replacing the file's; checked like the file's (unknown nodes, cycles).

    Raises
    ------
    GraphSpecError
        When ``sigma`` names unknown nodes or makes G_σ cyclic.
    """
    if sigma is None:
        cached = graph.memo.get("sigma_graph")
        if isinstance(cached, SigmaGraph):
            return cached
        interventions = graph.sigma
    else:
        interventions = tuple(sigma)
        problems = Problems(Origin(f"<sigma on {graph.name}>"))
        check_sigma(interventions, graph.node_set, graph.regime, graph.parents, graph.children,
                    problems, "sigma", otherwise=f"it is not a node of {graph.name}")
        problems.raise_if_any()
    resolved = tuple(SoftIntervention(item.target, graph.parents(item.target)
                                      if item.context is None else item.context)
                     for item in interventions)
    return _apply(graph, resolved, flat=sigma is None)


def _apply(graph: CausalGraph, resolved: tuple[SoftIntervention, ...], *,
           flat: bool) -> SigmaGraph:
    """G_σ for checked interventions whose contexts are resolved; ``flat`` builds full
    adjacency dictionaries and keeps them on the graph, else an overlay is used."""
    parents_over: dict[str, tuple[str, ...]] = {}
    children_over: dict[str, set[str]] = {}
    spouses_over: dict[str, set[str]] = {}
    removed: set[Edge] = set()
    for item in resolved:
        target = item.target
        for parent in graph.parents(target):
            children_over.setdefault(parent, set(graph.children(parent))).discard(target)
            if parent not in (item.context or ()):
                removed.add(Edge(parent, target))
        for spouse in graph.spouses(target):
            spouses_over.setdefault(spouse, set(graph.spouses(spouse))).discard(target)
            spouses_over.setdefault(target, set()).clear()
            first, second = sorted((spouse, target))
            removed.add(Edge(first, second, bidirected=True))
        parents_over[target] = tuple(sorted(item.context or ()))
    added = set()
    for item in resolved:
        for node in item.context or ():
            children_over.setdefault(node, set(graph.children(node))).add(item.target)
            if node not in graph.parents(item.target):
                added.add(Edge(node, item.target))
    overlays = (parents_over, {node: tuple(sorted(kids)) for node, kids in children_over.items()},
                {node: tuple(sorted(near)) for node, near in spouses_over.items()})
    base = graph.adjacency()
    if flat:
        neighbours = tuple({**whole, **over}.__getitem__ for whole, over in zip(base, overlays))
    else:
        neighbours = tuple(_ReadThrough(over, whole) for whole, over in zip(base, overlays))
    result = SigmaGraph(graph, resolved, tuple(sorted(removed)), tuple(sorted(added)),
                        (neighbours[0], neighbours[1], neighbours[2]))
    if flat:
        graph.memo["sigma_graph"] = result
    return result


def narrowed(graph: SigmaGraph, target: str, drop: str) -> SigmaGraph:
    """``graph`` with ``drop`` removed from σ(``target``)'s context: no new check is needed,
    since reading fewer nodes cannot create a cycle.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["A -> D", "B -> D"], regime="A",
    ...                                sigma=[SoftIntervention("D", ["A", "B"])])
    >>> narrowed(sigma_graph(graph), "D", "A").parents("D")
    ('B',)
    """
    resolved = tuple(SoftIntervention(item.target, [node for node in item.context or ()
                                                    if node != drop])
                     if item.target == target else item for item in graph.interventions)
    return _apply(graph.graph, resolved, flat=False)


class _ReadThrough:
    """A node's neighbours from the overlay where it has them, else from G (a class, not a
    closure, so that results pickle)."""

    __slots__ = ("over", "whole")

    def __init__(self, over: Mapping[str, tuple[str, ...]],
                 whole: Mapping[str, tuple[str, ...]]) -> None:
        self.over, self.whole = over, whole

    def __call__(self, node: str) -> tuple[str, ...]:
        found = self.over.get(node)
        return self.whole[node] if found is None else found
