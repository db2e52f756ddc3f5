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
>>> verify_certificate(graph, result)
'certified aligned: (Y_b ⊥ s | Y_m) in G_σ, σ: none'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from causal_align.errors import CertificateError
from causal_align.validate import find_cycle

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult
    from causal_align.model import CausalGraph, SoftIntervention

State = tuple[str, bool]
CertificateKind = Literal["open path", "closed states", "none"]
"""A witness path (not aligned), the closed reachable states (aligned), or none (the path
search ran out of budget before a witness; extremely rare)."""


@dataclass(frozen=True)
class Certificate:
    """Evidence for a verdict: a witness path (not aligned) or a closed state set (aligned).

    ``kind`` is ``"open path"`` or ``"closed states"``. ``nodes``/``arrows`` hold the witness;
    ``states`` the reachable states. ``kind`` is ``"none"`` only when the path search ran out of
    budget before finding a witness for a not-aligned verdict (extremely rare).
    """

    kind: CertificateKind
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
        # an omitted context reads the target's parents in G, as written in the file
        reads = {item.target: set(self.parents[item.target]) if item.context is None
                 else set(item.context) for item in sigma}
        for target in reads:
            for parent in self.parents.pop(target):
                self.children[parent].discard(target)
            for spouse in self.spouses.pop(target):
                self.spouses[spouse].discard(target)
            self.parents[target], self.spouses[target] = set(), set()
        for target, context in reads.items():
            for node in context:
                self.parents[target].add(node)
                self.children[node].add(target)

    def is_acyclic(self) -> bool:
        return find_cycle(self.children, self.children.__getitem__) is None

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


def verify_certificate(graph: CausalGraph, result: AlignmentResult) -> str:
    """Check ``result.certificate`` against ``graph`` for the query the result states, and
    return that query in words; raise :class:`CertificateError` if anything fails.

    The stated query is checked first, exactly as :func:`~causal_align.check_inner_alignment`
    checks its arguments (known nodes, a declared regime, non-empty disjoint sets, an acyclic
    G_σ), so that a result edited after the fact is certified for what it now says, visibly.

    Raises
    ------
    CertificateError
        Naming the first problem with the question, or the step, junction or state at which
        the certificate fails.
    """
    sigma = _checked_question(graph, result)
    certificate = result.certificate
    expected = "closed states" if result.aligned else "open path"
    if certificate.kind != expected:
        verdict = "aligned" if result.aligned else "not aligned"
        raise CertificateError(f"a verdict of {verdict} needs a certificate of kind "
                               f"{expected!r}, found {certificate.kind!r}")
    diagram = _Diagram(graph, sigma)
    if not diagram.is_acyclic():
        raise CertificateError("σ makes G_σ cyclic: a context holds a descendant of its target")
    regime, base, mesa = set(result.regime), set(result.base), set(result.mesa)
    opened = diagram.ancestors(mesa)

    def is_open(node: str, head_in: bool, head_out: bool) -> bool:
        return node in opened if head_in and head_out else node not in mesa

    if result.aligned:
        _check_closed(diagram, _states(certificate.states, graph), regime, base, mesa, is_open)
    else:
        _check_path(diagram, certificate.nodes, certificate.arrows, regime, base, is_open)
    reads = "; ".join(f"{item.target} reads {', '.join(sorted(item.context)) or 'nothing'}"
                      if item.context is not None else f"{item.target} reads its parents"
                      for item in sigma) or "none"
    return (f"certified {'aligned' if result.aligned else 'not aligned'}: "
            f"({', '.join(result.base)} ⊥ {', '.join(result.regime)} | "
            f"{', '.join(result.mesa) or '∅'}) in G_σ, σ: {reads}")


def _checked_question(graph: CausalGraph, result: AlignmentResult) -> tuple[Any, ...]:
    """The result's σ, after checking that its question is one the graph can ask."""
    known = graph.node_set
    sets = {"regime": result.regime, "base": result.base, "mesa": result.mesa}
    for role, names in sets.items():
        if not isinstance(names, tuple) or not all(isinstance(name, str) for name in names):
            raise CertificateError(f"the result's {role} is not a tuple of node names")
        unknown = sorted(name for name in names if name not in known)
        if unknown:
            raise CertificateError(f"the result's {role} names {', '.join(unknown)}, not "
                                   f"nodes of {graph.name}")
    if not result.regime:
        raise CertificateError("the result names no regime node")
    if not result.base:
        raise CertificateError("the result names no base objective")
    undeclared = sorted(set(result.regime) - graph.regime)
    if undeclared:
        raise CertificateError(f"{', '.join(undeclared)} is not a declared regime node of "
                               f"{graph.name}")
    for first, second in (("base", "mesa"), ("base", "regime"), ("mesa", "regime")):
        shared = sorted(set(sets[first]) & set(sets[second]))
        if shared:
            raise CertificateError(f"{', '.join(shared)} in both {first} and {second}")
    for item in result.sigma:
        named = [item.target, *(item.context or ())]
        unknown = sorted({name for name in named if name not in known})
        if unknown:
            raise CertificateError(f"σ names {', '.join(unknown)}, not nodes of {graph.name}")
    return tuple(result.sigma)


def _states(states: object, graph: CausalGraph) -> frozenset[State]:
    """The certificate's states, each a (known node, bool) pair, or a CertificateError."""
    if not isinstance(states, frozenset):
        raise CertificateError("the closed states are not a frozenset")
    for state in states:
        if not (isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], bool)
                and isinstance(state[0], str) and state[0] in graph.node_set):
            raise CertificateError(f"malformed state {state!r}: expected (node, head) with a "
                                   f"node of {graph.name} and a bool")
    return states


def _check_path(diagram: _Diagram, nodes: tuple[str, ...], arrows: tuple[str, ...],
                regime: set[str], base: set[str], is_open: Any) -> None:
    if len(nodes) < 2 or len(arrows) != len(nodes) - 1:
        raise CertificateError(f"the witness needs n nodes and n - 1 arrows, found {len(nodes)} "
                               f"nodes and {len(arrows)} arrows")
    if nodes[0] not in regime or nodes[-1] not in base:
        raise CertificateError(f"the witness must run from a regime node to a base node, found "
                               f"{nodes[0]} ... {nodes[-1]}")
    unknown = sorted({node for node in nodes if node not in diagram.parents}, key=str)
    if unknown:
        raise CertificateError(f"the witness names {', '.join(map(str, unknown))}, not nodes of "
                               "the graph")
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
