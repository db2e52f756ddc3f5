"""Every Hypothesis strategy of the test suite, in one place.

:func:`cases` draws a valid :class:`~causal_align.model.CausalGraph` together with a query:

- observed nodes ``V0 .. V{n-1}`` joined by a random DAG of ``->`` edges (density 1/5 to 1/2)
  and random ``<->`` edges (a pair may be joined by both);
- one or two regime nodes ``s``, ``s2``: no parents, no ``<->``, only edges ``s -> V``;
- optionally one soft intervention σ on an observed node, reading its current parents
  (``context=None``), nothing (``[]``) or a random set of non-descendants of the target;
- the query: a non-empty subset of the regime nodes, a non-empty Y_b and a possibly empty Y_m,
  drawn from the observed nodes and pairwise disjoint.

The draws lean towards cases that are not settled at once (Y_b late in the topological order,
half the graphs without an edge ``s -> Y_b``): about a third of the cases are aligned.

Construction never raises: acyclicity comes from a random topological order, and σ's context
avoids the target's descendants (which are the same in G and in G_σ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from causal_align.intervention import SigmaGraph, narrowed, sigma_graph
from causal_align.model import CausalGraph, SoftIntervention

REGIME_NAMES = ("s", "s2")


@dataclass(frozen=True)
class Case:
    """A graph and the query to ask about it (also stored as the graph's default query)."""

    graph: CausalGraph
    regime: frozenset[str]
    base: frozenset[str]
    mesa: frozenset[str]

    @classmethod
    def of(cls, nodes: Iterable[str], edges: Iterable[str], *, regime: Iterable[str],
           base: Iterable[str], mesa: Iterable[str] = (), sigma: Iterable[SoftIntervention] = (),
           query_regime: Iterable[str] | None = None) -> Case:
        """Build the graph with this query as its default; ``query_regime`` defaults to all."""
        declared, base_set, mesa_set = sorted(regime), frozenset(base), frozenset(mesa)
        queried = declared if query_regime is None else sorted(query_regime)
        graph = CausalGraph(list(nodes), list(edges), regime=declared, sigma=list(sigma),
                            base=sorted(base_set), mesa=sorted(mesa_set), query_regime=queried)
        return cls(graph, frozenset(queried), base_set, mesa_set)

    def __repr__(self) -> str:
        """Everything needed to rebuild the case, so a failing example can be pasted."""
        edges = [str(edge) for edge in self.graph.edges]
        return (f"Case.of({list(self.graph.nodes)!r}, {edges!r}, "
                f"regime={sorted(self.graph.regime)!r}, base={sorted(self.base)!r}, "
                f"mesa={sorted(self.mesa)!r}, sigma={list(self.graph.sigma)!r}, "
                f"query_regime={sorted(self.regime)!r})")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints failing examples with this."""
        printer.text(repr(self))


def _descendants(node: str, children: dict[str, set[str]]) -> set[str]:
    """``node`` and every node reachable from it along directed edges."""
    found, stack = {node}, [node]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


@st.composite
def cases(draw: st.DrawFn, *, max_nodes: int = 6, max_regime: int = 2) -> Case:
    """A valid graph with 1..``max_nodes`` observed nodes and 1..``max_regime`` regime nodes."""
    count = draw(st.integers(min_value=1, max_value=max_nodes))
    observed = [f"V{index}" for index in range(count)]
    order = draw(st.permutations(observed))
    forward = [(order[i], order[j]) for i in range(count) for j in range(i + 1, count)]
    # each forward pair is an edge with probability 1 / (sparsity + 1); shrinks to fewer edges
    sparsity = draw(st.integers(min_value=1, max_value=4))
    directed = {pair for pair in forward
                if draw(st.integers(min_value=0, max_value=sparsity)) == sparsity}
    ordered_pairs = [(a, b) for a in observed for b in observed if a != b]
    drawn_pairs = (draw(st.lists(st.sampled_from(ordered_pairs), max_size=count))
                   if ordered_pairs else [])
    bidirected = list({frozenset(pair): pair for pair in drawn_pairs}.values())

    # Y_b leans towards the end of the topological order, downstream of everything else.
    first_base = order[-1 - draw(st.integers(min_value=0, max_value=count - 1))]
    roles = {node: draw(st.sampled_from(("other", "other", "other", "base", "mesa", "mesa")))
             for node in observed if node != first_base}
    base = frozenset([first_base, *(node for node, role in roles.items() if role == "base")])
    mesa = frozenset(node for node, role in roles.items() if role == "mesa")

    # An edge s -> Y_b settles the verdict at once, so half the graphs have none.
    regime = list(REGIME_NAMES[:draw(st.integers(min_value=1, max_value=max_regime))])
    not_base = [node for node in observed if node not in base]
    pool = draw(st.sampled_from([not_base, observed])) if not_base else observed
    regime_edges = [(node, child) for node in regime
                    for child in sorted(draw(st.sets(st.sampled_from(pool), min_size=1,
                                                     max_size=2)))]
    queried = draw(st.sets(st.sampled_from(regime), min_size=1))

    children: dict[str, set[str]] = {node: set() for node in observed + regime}
    for tail, head in [*directed, *regime_edges]:
        children[tail].add(head)
    sigma: list[SoftIntervention] = []
    if draw(st.booleans()):
        target = draw(st.sampled_from(observed))
        readable = sorted(set(observed + regime) - _descendants(target, children))
        context = draw(st.one_of(st.none(), st.just([]),
                                 st.lists(st.sampled_from(readable), unique=True, max_size=3)
                                 if readable else st.just([])))
        sigma.append(SoftIntervention(target, context))

    edges = ([f"{tail} -> {head}" for tail, head in sorted(directed)]
             + [f"{tail} <-> {head}" for tail, head in bidirected]
             + [f"{tail} -> {head}" for tail, head in regime_edges])
    return Case.of(observed + regime, edges, regime=regime, base=base, mesa=mesa, sigma=sigma,
                   query_regime=queried)


def diagrams(case: Case) -> list[SigmaGraph]:
    """The graph's own G_σ, G itself (no σ) and each narrowed context: the diagrams an engine
    test asks every query of."""
    own = sigma_graph(case.graph)
    found = [own, sigma_graph(case.graph, ())]
    found += [narrowed(own, item.target, node) for item in own.interventions
              for node in item.context or ()]
    return found
