"""The independences a diagram implies among its observed variables (graph theory only; testing
them on data is :mod:`causal_align.samples.falsify`).

Alignment is one d-separation in G_σ; the diagram claims many more. For every pair X, Y of
observed nodes that G_σ does not join by an edge (``->``, ``<-`` or ``<->``), we take one
*minimal* set Z of observed nodes that d-separates them in G_σ (van der Zander, Liśkiewicz &
Textor 2019, searched among the ancestors of X and Y), and the diagram implies X ⊥ Y | Z in
every model of it, in both regimes pooled — the regime node is a variable like any other, observed
as the regime column. A pair that only latent variables could separate implies nothing the
columns can test and is left out. This is the "missing edge" basis (dagitty's
``impliedConditionalIndependencies(type = "missing.edge")``): every claim follows from the
diagram, but the list need not capture every constraint it imposes (latent variables add
constraints that are no independences), so passing every test is evidence for the diagram, not
proof of it.


Examples
--------
Without the latent confounder, the chain implies three independences; with it, s and Y_b have
no observed separator (conditioning on X opens ``s -> X <-> Y_b``) and only one is left:

>>> from causal_align.model import CausalGraph
>>> chain = ["s -> X", "X -> Y_m", "Y_m -> Y_b"]
>>> [str(item) for item in implied_independences(CausalGraph.from_edges(chain, regime="s"))]
['s ⊥ Y_m | X', 's ⊥ Y_b | X', 'X ⊥ Y_b | Y_m']
>>> graph = CausalGraph.from_edges([*chain, "X <-> Y_b"], regime="s")
>>> [str(item) for item in implied_independences(graph)]
['s ⊥ Y_m | X']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph
from causal_align.separation import minimal_separator
from causal_align.validate import suggest


@dataclass(frozen=True)
class Independence:
    """``x ⊥ y | given``: a conditional independence the diagram implies.

    >>> print(Independence("A", "B", ("C", "D")), Independence("A", "B", ()), sep="; ")
    A ⊥ B | C, D; A ⊥ B
    """

    x: str
    y: str
    given: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.x} ⊥ {self.y}" + (f" | {', '.join(self.given)}" if self.given else "")

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x, "y": self.y, "given": list(self.given), "text": str(self)}


def implied_independences(graph: CausalGraph,
                          observed: Iterable[str] | None = None) -> tuple[Independence, ...]:
    """One independence per non-adjacent pair of ``observed`` nodes that an observed set
    d-separates in G_σ, with a minimal such set.

    Parameters
    ----------
    graph : CausalGraph
    observed : Iterable[str], optional
        The nodes measured in the data; default every node, the regime nodes included. Pairs
        are listed in the graph's node order, each separating set sorted.

    Raises
    ------
    GraphSpecError
        When ``observed`` names a node the graph does not have.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C", "s -> C"], regime="s")
    >>> [str(item) for item in implied_independences(graph)]
    ['s ⊥ B | A', 'A ⊥ C | B, s']
    >>> [str(item) for item in implied_independences(graph, observed=["s", "B", "C"])]  # A unseen
    []
    """
    g_sigma = sigma_graph(graph)
    nodes = observed_nodes(graph, observed)
    return tuple(Independence(x, y, separator)
                 for x, y, separator in separated_pairs(g_sigma, nodes) if separator is not None)


def observed_nodes(graph: CausalGraph, observed: Iterable[str] | None) -> list[str]:
    """``observed`` checked against the graph, in the graph's order; by default every node the
    graph does not declare unobserved."""
    if observed is None:
        return [node for node in graph.nodes if node not in graph.unobserved]
    chosen = set(observed)
    unknown = sorted(name for name in chosen if name not in graph.node_set)
    otherwise = f"it is not a node of {graph.name}"
    if unknown:
        raise GraphSpecError([Problem("E_UNKNOWN_NODE", f"unknown node {shown(name)} in observed "
                                      f"({suggest(name, graph.node_set, otherwise)})", "observed")
                              for name in unknown])
    return [node for node in graph.nodes if node in chosen]


def separated_pairs(g_sigma: SigmaGraph, nodes: Sequence[str]) -> Iterator[tuple[str, str,
                                                                         tuple[str, ...] | None]]:
    """Each non-adjacent pair of ``nodes`` in G_σ with a minimal observed separator, or None."""
    allowed = set(nodes)
    for index, x in enumerate(nodes):
        near = {*g_sigma.parents(x), *g_sigma.children(x), *g_sigma.spouses(x)}
        for y in nodes[index + 1:]:
            if y in near:
                continue
            found = minimal_separator(g_sigma, {x}, {y}, included=(), restricted=allowed - {x, y})
            yield x, y, None if found is None else tuple(sorted(found))
