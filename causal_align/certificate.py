"""Certified verdicts: a small checker that verifies a result without trusting the engine.

Every :class:`~causal_align.alignment.AlignmentResult` carries a :class:`Certificate`:

- **not aligned**: a *witness*, one open path. The checker walks it edge by edge in G_σ and
  junction by junction: every non-collider is outside Y_m, every collider is in An(Y_m).
- **aligned**: the set of *reachable states* ``(node, head)`` — "a path from a regime node can
  arrive at ``node``, with an arrowhead there if ``head``" — within the ancestral set
  An(S ∪ Y_b ∪ Y_m). The checker confirms that the set holds every first step out of a regime
  node, is closed under the junction rule, and holds no Y_b node. Such a set proves that no open
  path reaches Y_b, since every node of an open path lies in that ancestral set.

The checker rebuilds G_σ and the ancestral sets itself from ``graph.edges`` and the result's σ,
and shares no code with :mod:`~causal_align.intervention` or :mod:`~causal_align.separation`.
Both checks are linear in the size of the certificate and its neighbourhood.

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m")
>>> result = check_inner_alignment(graph)
>>> result.certificate.kind, len(result.certificate.states)
('closed states', 4)
>>> verify_certificate(graph, result)  # silent when the certificate holds
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from causal_align.errors import CertificateError

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult
    from causal_align.model import CausalGraph, SoftIntervention

State = tuple[str, bool]


@dataclass(frozen=True)
class Certificate:
    """Evidence for a verdict: a witness path (not aligned) or a closed state set (aligned).

    ``kind`` is ``"open path"`` or ``"closed states"``. ``nodes``/``arrows`` hold the witness;
    ``states`` the reachable states. ``kind`` is ``"none"`` only when the path search ran out of
    budget before finding a witness for a not-aligned verdict (extremely rare).
    """

    kind: str
    nodes: tuple[str, ...] = ()
    arrows: tuple[str, ...] = ()
    states: frozenset[State] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "witness": list(self.nodes), "arrows": list(self.arrows),
                "states": len(self.states)}


class _Diagram:
    """G_σ rebuilt from scratch: directed parents/children and bidirected neighbours."""

    def __init__(self, graph: CausalGraph, sigma: Iterable[SoftIntervention]) -> None:
        self.parents: dict[str, set[str]] = {node: set() for node in graph.nodes}
        self.children: dict[str, set[str]] = {node: set() for node in graph.nodes}
        self.spouses: dict[str, set[str]] = {node: set() for node in graph.nodes}
        for edge in graph.edges:
            if edge.bidirected:
                self.spouses[edge.tail].add(edge.head)
                self.spouses[edge.head].add(edge.tail)
            else:
                self.children[edge.tail].add(edge.head)
                self.parents[edge.head].add(edge.tail)
        for item in sigma:
            target = item.target
            for parent in self.parents.pop(target):
                self.children[parent].discard(target)
            for spouse in self.spouses.pop(target):
                self.spouses[spouse].discard(target)
            self.parents[target], self.spouses[target] = set(), set()
        for item in sigma:
            for node in item.context or ():
                self.parents[item.target].add(node)
                self.children[node].add(item.target)

    def ancestors(self, nodes: Iterable[str]) -> set[str]:
        found = set(nodes)
        stack = list(found)
        while stack:
            for parent in self.parents[stack.pop()] - found:
                found.add(parent)
                stack.append(parent)
        return found

    def edges_at(self, node: str) -> Iterator[tuple[str, str, bool, bool]]:
        """(neighbour, arrow read away from node, head at node, head at neighbour)."""
        yield from ((child, "->", False, True) for child in self.children[node])
        yield from ((parent, "<-", True, False) for parent in self.parents[node])
        yield from ((spouse, "<->", True, True) for spouse in self.spouses[node])


def verify_certificate(graph: CausalGraph, result: AlignmentResult) -> None:
    """Check ``result.certificate`` against ``graph``; raise :class:`CertificateError` if it fails.

    Raises
    ------
    CertificateError
        Naming the first step, junction or state at which the certificate fails.
    """
    certificate = result.certificate
    expected = "closed states" if result.aligned else "open path"
    if certificate.kind != expected:
        verdict = "aligned" if result.aligned else "not aligned"
        raise CertificateError(f"a verdict of {verdict} needs a certificate of kind "
                               f"{expected!r}, found {certificate.kind!r}")
    diagram = _Diagram(graph, result.sigma)
    regime, base, mesa = set(result.regime), set(result.base), set(result.mesa)
    opened = diagram.ancestors(mesa)

    def is_open(node: str, head_in: bool, head_out: bool) -> bool:
        return node in opened if head_in and head_out else node not in mesa

    if result.aligned:
        _check_closed(diagram, certificate.states, regime, base, mesa, is_open)
    else:
        _check_path(diagram, certificate.nodes, certificate.arrows, regime, base, is_open)


def _check_path(diagram: _Diagram, nodes: tuple[str, ...], arrows: tuple[str, ...],
                regime: set[str], base: set[str], is_open: Any) -> None:
    if len(nodes) < 2 or len(arrows) != len(nodes) - 1:
        raise CertificateError(f"the witness needs n nodes and n - 1 arrows, found {len(nodes)} "
                               f"nodes and {len(arrows)} arrows")
    if nodes[0] not in regime or nodes[-1] not in base:
        raise CertificateError(f"the witness must run from a regime node to a base node, found "
                               f"{nodes[0]} ... {nodes[-1]}")
    if len(set(nodes)) != len(nodes):
        raise CertificateError("the witness visits a node twice")
    for node in nodes[1:-1]:
        if node in regime or node in base:
            raise CertificateError(f"the witness passes through the query node {node}")
    for index, (here, arrow, there) in enumerate(zip(nodes, arrows, nodes[1:])):
        if (there, arrow) not in {(near, way) for near, way, _, _ in diagram.edges_at(here)}:
            raise CertificateError(f"step {index}: {here} {arrow} {there} is not an edge of G_σ")
        if index and not is_open(here, arrows[index - 1] != "<-", arrow != "->"):
            raise CertificateError(f"step {index}: the junction at {here} "
                                   f"({arrows[index - 1]} {here} {arrow}) is blocked")


def _check_closed(diagram: _Diagram, states: frozenset[State], regime: set[str], base: set[str],
                  mesa: set[str], is_open: Any) -> None:
    relevant = diagram.ancestors(regime | base | mesa)
    for node, head in states:
        if node not in relevant:
            raise CertificateError(f"state ({node}, {head}) lies outside the ancestral set")
        if node in base:
            raise CertificateError(f"the closed set reaches the base node {node}")
    for source in regime:
        for near, _, _, head_there in diagram.edges_at(source):
            if near in relevant and (near, head_there) not in states:
                raise CertificateError(f"the closed set misses the first step {source} -> "
                                       f"({near}, {head_there})")
    for node, head_in in states:
        if node in regime:
            continue
        for near, arrow, head_out, head_there in diagram.edges_at(node):
            if near in relevant and is_open(node, head_in, head_out) and \
                    (near, head_there) not in states:
                raise CertificateError(f"the closed set is not closed: from ({node}, {head_in}) "
                                       f"the step {node} {arrow} {near} is open but "
                                       f"({near}, {head_there}) is missing")
