"""The smallest, or cheapest, S-admissible set: what to measure in deployment.

A set Z of nodes is *S-admissible* together with Y_m when (Y_b ⊥ S | Y_m ∪ Z) in G_σ (Pearl &
Bareinboim 2011/2014): then E(Y_b | y_m, z) is the same in both regimes, and measuring Z in
deployment is enough to transport E(Y_b | y_m) there. Z ranges over the *measurable* nodes: not
a regime node, not Y_b or Y_m, not declared unobservable, and within ``measurable=`` when given.

A *minimal* such set (no proper subset works) is easy; a *minimum* one (fewest nodes, or least
total cost) is a minimum vertex cut:

1. Every minimal separator containing Y_m lies inside A = An(S ∪ Y_b ∪ Y_m) of G_σ (Tian, Paz &
   Pearl 1998), and for Y_m ⊆ Y_m ∪ Z ⊆ A, Z separates in G_σ exactly when it separates S from
   Y_b in the *moral graph* of A (each ``<->`` read as a latent parent of both ends) with Y_m
   removed (van der Zander, Liśkiewicz & Textor 2019).
2. In that undirected graph, each node is split into ``in -> out`` with capacity its cost if it
   is measurable and infinite otherwise; a minimum S–Y_b cut then cuts only node arcs, and the
   nodes cut are Z. Of all minimum cuts we return the one closest to Y_b (its Y_b side is
   exactly what can reach Y_b in the residual network), so the answer is canonical.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> C", "C -> O", "O -> Y_m", "O -> Y_b"],
...                                regime="s", base="Y_b", mesa="Y_m")
>>> found = admissible_set(graph)
>>> found.measure, found.cost
(('O',), 1.0)
>>> admissible_set(graph, costs={"O": 5}).measure      # cheaper: measure C, not O
('C',)
>>> admissible_set(graph, measurable=["C"]).measure
('C',)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from causal_align.errors import TransportError, shown
from causal_align.explain import OpenPath, describe
from causal_align.header import ResultHeader, resolve_query
from causal_align.intervention import sigma_graph
from causal_align.model import CausalGraph
from causal_align.separation import ancestors, is_separated, minimum_separator, open_paths

if TYPE_CHECKING:
    pass

BLOCKING_LIMIT = 5
"""How many of the paths no measurement can block are listed when no set exists."""


@dataclass(frozen=True)
class AdmissibleSet(ResultHeader):
    """The cheapest Z with (Y_b ⊥ S | Y_m ∪ Z) in G_σ among the measurable nodes.

    ``measure`` is Z as a sorted tuple: ``()`` when Y_m alone suffices (the query is aligned),
    ``None`` when no set of measurable nodes works; then ``reason`` says why and ``blocking``
    holds the paths that stay open even when every measurable node is measured.
    """

    measurable: tuple[str, ...]
    measure: tuple[str, ...] | None
    cost: float | None
    reason: str
    blocking: tuple[OpenPath, ...] = ()

    @property
    def aligned(self) -> bool:
        """True when the empty set works: Y_m alone is S-admissible."""
        return self.measure == ()

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {
            "graph": self.graph_name,
            "regime": list(self.regime),
            "base": list(self.base),
            "mesa": list(self.mesa),
            "measurable": list(self.measurable),
            "measure": None if self.measure is None else list(self.measure),
            "cost": self.cost,
            "aligned": self.aligned,
            "reason": self.reason,
            "blocking": [path.to_dict() for path in self.blocking],
        }


def measurable_nodes(
    graph: CausalGraph,
    *,
    base: Collection[str],
    mesa: Collection[str],
    regime: Collection[str],
    measurable: Iterable[str] | None = None,
) -> tuple[str, ...]:
    """The nodes a deployment measurement may use, sorted: observed nodes outside the regime,
    Y_b and Y_m, restricted to ``measurable`` when given.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> Y"], regime="s")
    >>> measurable_nodes(graph, base={"Y"}, mesa=set(), regime={"s"})
    ('A', 'B')
    """
    hidden: frozenset[str] = getattr(graph, "unobserved", frozenset())
    allowed = set(graph.nodes) if measurable is None else set(measurable)
    unknown = sorted(allowed - set(graph.nodes))
    if unknown:
        raise TransportError(
            "E_TRANSPORT_ARGUMENT",
            f"measurable node {shown(unknown[0])} is not a node of {shown(graph.name)}",
        )
    excluded = set(graph.regime) | set(regime) | set(base) | set(mesa) | hidden
    return tuple(sorted(allowed - excluded))


def admissible_set(
    graph: CausalGraph,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    measurable: Iterable[str] | None = None,
    costs: Mapping[str, float] | None = None,
) -> AdmissibleSet:
    """The cheapest set Z of measurable nodes with (Y_b ⊥ S | Y_m ∪ Z) in G_σ.

    Parameters
    ----------
    graph : CausalGraph
    base, mesa : str or Iterable[str], optional
        Y_b and Y_m; default: the graph's query.
    measurable : Iterable[str], optional
        The nodes that can be measured in deployment; default: every observed node.
    costs : Mapping[str, float], optional
        A positive cost per node (default 1 each): the total is minimised.

    Returns
    -------
    AdmissibleSet

    Raises
    ------
    CausalAlignError
        For unknown nodes, or a cost that is not a positive finite number.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> Y_b", "Y_m -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m")
    >>> print(admissible_set(graph).reason)
    s -> Y_b is an edge: the regime changes Y_b's own mechanism, which no measurement can block
    """
    header = resolve_query(graph, base=base, mesa=mesa)
    regime, base_names, mesa_names = header.regime, header.base, header.mesa
    candidates = measurable_nodes(
        graph, base=base_names, mesa=mesa_names, regime=regime, measurable=measurable
    )
    price = _costs(graph, candidates, costs)
    g_sigma = sigma_graph(graph)

    def result(
        measure: tuple[str, ...] | None, reason: str, blocking: tuple[OpenPath, ...] = ()
    ) -> AdmissibleSet:
        cost = None if measure is None else float(sum(price[node] for node in measure))
        return AdmissibleSet(
            candidates, measure, cost, reason, blocking, **header.keywords()
        )

    if is_separated(g_sigma, regime, base_names, given=mesa_names):
        return result(
            (),
            "Y_m alone is S-admissible: (Y_b ⊥ S | Y_m) in G_σ, so the training "
            "value transports unchanged (aligned)",
        )
    direct = [
        f"{source} -> {target}"
        for source in regime
        for target in base_names
        if target in g_sigma.children(source)
    ]
    if direct:
        return result(
            None,
            f"{', '.join(direct)} {'is an edge' if len(direct) == 1 else 'are edges'}"
            f": the regime changes Y_b's own mechanism, which no measurement "
            "can block",
        )
    relevant = ancestors(g_sigma, {*regime, *base_names, *mesa_names})
    usable = [node for node in candidates if node in relevant]
    given = {*mesa_names, *usable}
    if not is_separated(g_sigma, regime, base_names, given=given):
        raw, _ = open_paths(g_sigma, regime, base_names, given=given, limit=BLOCKING_LIMIT)
        paths = describe(g_sigma, raw, given)
        return result(None, _no_set_reason(paths[0], set(candidates), set(mesa_names)), paths)
    cut = minimum_separator(g_sigma, regime, base_names, given=mesa_names, allowed=usable,
                            costs=price)
    assert cut is not None  # measuring every usable node separates (checked above)
    return result(
        cut,
        f"measuring {', '.join(cut)} in deployment makes Y_m ∪ Z S-admissible: "
        f"(Y_b ⊥ S | Y_m, {', '.join(cut)}) in G_σ",
    )


def _costs(
    graph: CausalGraph, candidates: Iterable[str], costs: Mapping[str, float] | None
) -> dict[str, float]:
    given = dict(costs or {})
    for node, value in sorted(given.items()):
        if node not in graph.node_set:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT",
                f"cost given for {shown(node)}, which is not a node of {shown(graph.name)}",
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value <= 0
        ):
            raise TransportError(
                "E_TRANSPORT_ARGUMENT",
                f"the cost of {shown(node)} must be a positive finite number, not {shown(value)}",
            )
    return {node: float(given.get(node, 1.0)) for node in candidates}


def _no_set_reason(path: OpenPath, measurable: set[str], mesa: set[str]) -> str:
    blocked_by = []
    for junction in path.junctions:
        if junction.kind != "collider" and junction.node not in measurable:
            blocked_by.append(f"{junction.node} cannot be measured")
        elif junction.kind == "collider":
            blocked_by.append(
                f"{junction.node} is a collider opened by "
                + (
                    "Y_m"
                    if junction.descent_hops == 0 and junction.node in mesa
                    else "conditioning"
                )
            )
    if "<->" in path.arrows:
        blocked_by.append("it uses a latent confounder")
    return (
        f"no set of measurable nodes is S-admissible: measuring all of them still leaves "
        f"{path} open ({'; '.join(blocked_by) or 'no interior node to measure'})"
    )
