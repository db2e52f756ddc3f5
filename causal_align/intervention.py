"""G → G_σ: the only code that rewires edges.

For each soft intervention σ with target T and context C (Correa & Bareinboim 2020):

1. delete every directed edge ``X -> T``;
2. delete every bidirected edge ``T <-> X`` (the policy draws fresh noise);
3. add ``c -> T`` for every c in C (a context node need not have been a parent);
4. refuse if the result is cyclic.

G_σ is an *overlay*: only the adjacency of T, its old parents and spouses and its context
nodes is rewritten, so building it costs O(edges at the targets), not O(graph).

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

from collections.abc import Iterable
from dataclasses import dataclass, field

from causal_align.model import CausalGraph, Edge, Origin, SoftIntervention
from causal_align.validate import Problems, check_sigma


@dataclass(frozen=True)
class SigmaGraph:
    """G_σ: ``graph`` with ``interventions`` applied; ``removed``/``added`` are the edge diff."""

    graph: CausalGraph
    interventions: tuple[SoftIntervention, ...]
    removed: tuple[Edge, ...]
    added: tuple[Edge, ...]
    _parents: dict[str, tuple[str, ...]] = field(repr=False)
    _children: dict[str, tuple[str, ...]] = field(repr=False)
    _spouses: dict[str, tuple[str, ...]] = field(repr=False)

    def parents(self, node: str) -> tuple[str, ...]:
        """Directed parents of ``node`` in G_σ."""
        found = self._parents.get(node)
        return self.graph.parents(node) if found is None else found

    def children(self, node: str) -> tuple[str, ...]:
        """Directed children of ``node`` in G_σ."""
        found = self._children.get(node)
        return self.graph.children(node) if found is None else found

    def spouses(self, node: str) -> tuple[str, ...]:
        """Bidirected neighbours of ``node`` in G_σ."""
        found = self._spouses.get(node)
        return self.graph.spouses(node) if found is None else found

    def is_added(self, tail: str, head: str) -> bool:
        """True when ``tail -> head`` exists only because σ's context reads ``tail``."""
        return Edge(tail, head) in self.added


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
    return SigmaGraph(
        graph, resolved, tuple(sorted(removed)), tuple(sorted(added)), parents_over,
        {node: tuple(sorted(kids)) for node, kids in children_over.items()},
        {node: tuple(sorted(near)) for node, near in spouses_over.items()})
