"""Regime-relative incentive signatures: the incentives that matter for inner alignment.

The incentive criteria (:mod:`~causal_align.incentives.criteria`) know nothing of training and
deployment. Read against the regime node ``s``, the mesa objective Y_m and the base objective
Y_b of the alignment query, three of them become warning signs:

- **deceptive alignment**: a response incentive on ``s`` or one of its descendants. The
  optimal policy may have to respond to something that differs between training and
  deployment, i.e. may behave differently once deployed (for a node the policy reads, it
  will, for some model of the diagram);
- **wireheading**: an instrumental control incentive on a Y_m node that is not itself a
  utility node. The agent gains by controlling the very measurement its reward reads. (Every
  agent controls its utility -- that is what a reward is for -- so a Y_m node that *is* the
  utility carries no signature: whether that control is harmless is the alignment question,
  and the reward-tampering signature below names the channels that bypass Y_b);
- **reward tampering**: an instrumental control incentive on a node with an edge into a
  utility node that is *not* an ancestor of Y_b (nor the decision itself, nor a Y_m node,
  which has the wireheading signature). The agent gains by
  moving its reward through a channel that leaves the base objective alone (Everitt, Hutter,
  Kumar & Krakovna 2021: the reward-function parameters). A reward input that is also a cause
  of Y_b, such as the task state, is the legitimate control that reward is meant to create.

Alignment is about paths from ``s`` that are open given Y_m; incentives are about directed
paths from the decision. The two families differ, which is why a trade-off between them is a
property of a family of designs, not a theorem (:mod:`~causal_align.incentives.tradeoffs`).

Examples
--------
>>> from causal_align.model import CausalGraph, SoftIntervention
>>> graph = CausalGraph.from_edges(
...     ["s -> Access", "Access -> O", "O -> D", "D -> Theta", "Access -> Theta",
...      "Theta -> R", "D -> State", "State -> Meter", "Meter -> R", "State -> Y_b"],
...     regime="s", sigma=[SoftIntervention("D", ["O"])], base="Y_b", mesa="Meter")
>>> found = signatures(graph, utility="R")
>>> found.deception, found.wireheading, found.tampering
(('Access', 'O', 's'), ('Meter',), ('Theta',))
>>> print(found.items[-1])
reward tampering on Theta: D -> Theta -> R (Theta feeds the reward R and is no cause of Y_b)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from causal_align.incentives.criteria import (
    Diagram,
    Incentives,
    diagram_incentives,
    directed_path,
    influence_diagram,
)
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.separation import ancestors, directed_reach

DECEPTION = "deceptive alignment"
WIREHEADING = "wireheading"
TAMPERING = "reward tampering"
SIGNATURE_KINDS = (DECEPTION, WIREHEADING, TAMPERING)


@dataclass(frozen=True)
class Signature:
    """One signature on one node, with its witness directed path ``nodes``."""

    kind: str
    node: str
    nodes: tuple[str, ...]
    note: str

    def __str__(self) -> str:
        return f"{self.kind} on {self.node}: {' -> '.join(self.nodes)} ({self.note})"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "node": self.node, "path": " -> ".join(self.nodes),
                "nodes": list(self.nodes), "note": self.note}


@dataclass(frozen=True)
class Signatures:
    """The regime-relative signatures of a decision's incentives.

    ``deception``, ``wireheading`` and ``tampering`` are sorted node names; ``items`` holds one
    :class:`Signature` per (kind, node), in :data:`SIGNATURE_KINDS` order then by node.
    ``incentives`` are the incentives they were read from.
    """

    deception: tuple[str, ...]
    wireheading: tuple[str, ...]
    tampering: tuple[str, ...]
    items: tuple[Signature, ...]
    incentives: Incentives

    @property
    def has_control_signature(self) -> bool:
        """True when the agent gains by controlling its measurement or its reward channel."""
        return bool(self.wireheading or self.tampering)

    def to_dict(self) -> dict[str, Any]:
        return {"deception": list(self.deception), "wireheading": list(self.wireheading),
                "tampering": list(self.tampering),
                "items": [item.to_dict() for item in self.items]}


def signatures(graph: CausalGraph, *, decision: str | None = None,
               utility: str | Iterable[str] | None = None,
               sigma: Iterable[SoftIntervention] | None = None) -> Signatures:
    """The deceptive-alignment, wireheading and reward-tampering signatures of ``graph``.

    Y_m and Y_b are the graph's default query (``mesa:``/``base:``); with none declared, the
    wireheading (tampering) signature is empty. Arguments as for
    :func:`~causal_align.incentives.criteria.incentives`.
    """
    return read_signatures(influence_diagram(graph, decision=decision, utility=utility,
                                             sigma=sigma))


def read_signatures(diagram: Diagram, found: Incentives | None = None) -> Signatures:
    """:func:`signatures` for a resolved diagram (and its incentives, when already known)."""
    found = found or diagram_incentives(diagram)
    graph, g_sigma = diagram.graph, diagram.g_sigma
    decision, utility = diagram.decision, set(diagram.utility)
    items: list[Signature] = []
    regime = sorted(graph.regime)
    below_regime = directed_reach(g_sigma, regime, within=graph.node_set)
    deception = sorted(set(found.ri) & below_regime)
    if deception:
        star = diagram.reading(found.requisite)
        for node in deception:
            source = next(item for item in regime if node in directed_reach(
                g_sigma, [item], within=graph.node_set))
            down, _ = directed_path(star, source, {node})
            on, _ = directed_path(star, node, {decision})
            items.append(Signature(DECEPTION, node, down + on[1:],
                                   f"the optimal decision may respond to {node}, which the "
                                   "regime changes"))
    wireheading = sorted(set(found.ici) & graph.mesa - utility)
    for node in wireheading:
        [why] = [item for item in found.explanations if item.kind == "ici" and item.node == node]
        items.append(Signature(WIREHEADING, node, why.nodes,
                               f"the agent gains by controlling the mesa objective {node}"))
    causes_of_base = ancestors(g_sigma, graph.base) if graph.base else set()
    tampering = []
    if graph.base:
        for node in found.ici:
            fed = sorted(set(g_sigma.children(node)) & utility)
            if (fed and node != decision and node not in utility and node not in graph.mesa
                    and node not in causes_of_base):
                tampering.append(node)
                [why] = [item for item in found.explanations
                         if item.kind == "ici" and item.node == node]
                nodes = why.nodes[:why.nodes.index(node) + 1] + (fed[0],)
                items.append(Signature(TAMPERING, node, nodes,
                                       f"{node} feeds the reward {fed[0]} and is no cause of "
                                       f"{', '.join(sorted(graph.base))}"))
    order = {kind: index for index, kind in enumerate(SIGNATURE_KINDS)}
    items.sort(key=lambda item: (order[item.kind], item.node))
    return Signatures(tuple(deception), tuple(wireheading), tuple(tampering), tuple(items), found)
