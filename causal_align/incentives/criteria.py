"""The graphical incentive criteria of a single-decision causal influence diagram, explained.

A *causal influence diagram* (CID) splits the nodes of a causal diagram into chance nodes, one
decision ``D`` and utility nodes ``U``. Here ``D`` is the σ target and its *information links*
are σ's context, so the influence diagram is G_σ (a decision draws fresh noise, so σ also drops
``D``'s latent confounders). Let Fa(D) = {D} ∪ Pa(D). Everitt, Carey, Langlois, Ortega & Legg
(AAAI 2021) characterise, by graph alone, which nodes a *optimal* policy may care about:

- an observation X ∈ Pa(D) is **requisite** when X is d-connected to U ∩ De(D) given
  Fa(D) \\ {X}; the *minimal reduction* G* drops non-requisite information links until every
  one left is requisite. Only requisite observations can matter to an optimal policy;
- X ∉ De(D) ∪ {D} admits **value of information** (VoI) when the link X → D survives in the
  minimal reduction of the diagram with X → D added: observing X may raise the expected utility;
- X ≠ D admits a **response incentive** (RI) when G* has a directed path X ⇝ D: every optimal
  policy may have to change its decision when X is intervened on;
- X ≠ D admits **value of control** (VoC) when G* has a directed path X ⇝ U (a utility node
  itself included): setting X may raise the expected utility;
- X admits an **instrumental control incentive** (ICI) when a directed path D ⇝ X ⇝ U exists
  (D and the utility nodes on such a path included, as pycid counts them): the agent gains
  by *using its decision* to control X.

Every incentive comes with the path that creates it: the open path from X to a utility node
below D for requisite observations and VoI (each junction explained as for open paths), the
directed path for RI, VoC and ICI.

Examples
--------
A policy reads the weather and a cue that only predicts something it cannot affect:

>>> from causal_align.model import CausalGraph, SoftIntervention
>>> graph = CausalGraph.from_edges(
...     ["Weather -> D", "Cue -> D", "Cue -> Noise", "D -> Outcome", "Weather -> Outcome",
...      "Outcome -> U", "Hidden -> Outcome"],
...     regime="Weather", sigma=[SoftIntervention("D", ["Weather", "Cue"])])
>>> result = incentives(graph, utility="U")
>>> result.requisite, result.voi, result.ri
(('Weather',), ('Hidden', 'Weather'), ('Weather',))
>>> result.voc, result.ici
(('Hidden', 'Outcome', 'U', 'Weather'), ('D', 'Outcome', 'U'))
>>> print(result.explain("Hidden", "voi")[0])
VoI on Hidden: Hidden -> Outcome -> U, open given D, Weather (if D read Hidden)
>>> print(result.explain("Cue", "requisite"))
()
>>> result.removed_links
('Cue -> D',)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from causal_align.errors import CausalAlignError, shown
from causal_align.explain import describe
from causal_align.header import ResultHeader, header_of
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Origin, SoftIntervention, as_names
from causal_align.separation import Prepared, ancestors, directed_reach, open_paths
from causal_align.validate import Problems

REQUISITE = "requisite"
VOI = "voi"
RI = "ri"
VOC = "voc"
ICI = "ici"
KINDS = (REQUISITE, VOI, RI, VOC, ICI)
"""The incentive kinds, in report order."""

TITLES = {REQUISITE: "requisite observation", VOI: "VoI", RI: "RI", VOC: "VoC", ICI: "ICI"}
"""How reports name each kind."""


@dataclass(frozen=True)
class Explanation:
    """Why ``node`` admits the incentive ``kind``: the path that creates it.

    For ``requisite`` and ``voi``, ``nodes``/``arrows`` are an open path from ``node`` to a
    utility node below the decision, given ``given`` (= Fa(D) \\ {node} in the reduction, the
    decision first), and ``reasons`` explain each junction; for ``voi`` on a node the policy
    does not read, ``hypothetical`` says the path is in the diagram where the decision reads it
    too. For ``ri``, ``voc`` and ``ici`` the path is directed (``reasons`` empty); a utility
    node's own VoC is the one-node path.
    """

    node: str
    kind: str
    nodes: tuple[str, ...]
    arrows: tuple[str, ...]
    given: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    hypothetical: bool = False

    @property
    def path(self) -> str:
        """The path written out: ``X -> Y <- Z``."""
        parts = [self.nodes[0]]
        for arrow, node in zip(self.arrows, self.nodes[1:]):
            parts += [arrow, node]
        return " ".join(parts)

    def __str__(self) -> str:
        text = f"{TITLES[self.kind]} on {self.node}: {self.path}"
        if self.kind in (REQUISITE, VOI):
            text += f", open given {', '.join(self.given) or 'nothing'}"
            if self.hypothetical:
                text += f" (if {self.given[0]} read {self.node})"
        elif self.kind == VOC and len(self.nodes) == 1:
            text += " (a utility node)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "kind": self.kind, "path": self.path,
                "nodes": list(self.nodes), "arrows": list(self.arrows),
                "given": list(self.given), "reasons": list(self.reasons),
                "hypothetical": self.hypothetical}


@dataclass(frozen=True)
class Incentives(ResultHeader):
    """The incentives of the decision of a single-decision influence diagram (G_σ).

    ``requisite``, ``voi``, ``ri``, ``voc`` and ``ici`` are sorted node names; ``context`` is
    what the decision reads in G_σ and ``removed_links`` the information links the minimal
    reduction drops. ``explanations`` holds one :class:`Explanation` per (kind, node), in
    :data:`KINDS` order then by node.
    """

    decision: str
    utility: tuple[str, ...]
    context: tuple[str, ...]
    requisite: tuple[str, ...]
    voi: tuple[str, ...]
    ri: tuple[str, ...]
    voc: tuple[str, ...]
    ici: tuple[str, ...]
    removed_links: tuple[str, ...]
    explanations: tuple[Explanation, ...]

    def of(self, kind: str) -> tuple[str, ...]:
        """The nodes admitting ``kind`` (one of :data:`KINDS`)."""
        if kind not in KINDS:
            raise CausalAlignError(f"unknown incentive {kind!r} (expected one of: "
                                   f"{', '.join(KINDS)})")
        return tuple(getattr(self, kind))

    def explain(self, node: str, kind: str | None = None) -> tuple[Explanation, ...]:
        """The explanations for ``node`` (of one ``kind``, if given)."""
        return tuple(item for item in self.explanations
                     if item.node == node and (kind is None or item.kind == kind))

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {"graph": self.graph_name, "decision": self.decision, "utility": list(self.utility),
                "context": list(self.context), "requisite": list(self.requisite),
                "voi": list(self.voi), "ri": list(self.ri), "voc": list(self.voc),
                "ici": list(self.ici), "removed_links": list(self.removed_links),
                "explanations": [item.to_dict() for item in self.explanations]}


@dataclass(frozen=True)
class Diagram:
    """A resolved influence diagram: G_σ with the decision as a σ target, and its utilities.

    ``sigma`` are the interventions that build ``g_sigma`` (the decision's is ``sigma[index]``).
    """

    graph: CausalGraph
    decision: str
    utility: tuple[str, ...]
    sigma: tuple[SoftIntervention, ...]
    index: int
    g_sigma: SigmaGraph

    def reading(self, context: Iterable[str]) -> SigmaGraph:
        """G_σ with the decision reading ``context`` instead (validated: no cycle)."""
        sigma = list(self.sigma)
        sigma[self.index] = SoftIntervention(self.decision, sorted(set(context)))
        return sigma_graph(self.graph, sigma)


def influence_diagram(graph: CausalGraph, *, decision: str | None = None,
                      utility: str | Iterable[str] | None = None,
                      sigma: Iterable[SoftIntervention] | None = None) -> Diagram:
    """Resolve the decision and utility nodes of ``graph`` and build its influence diagram.

    The decision is ``decision``, else the graph's ``decision:``, else its only σ target; a
    decision that is not a σ target reads its parents in G. The utility nodes are ``utility``,
    else the graph's ``utility:``. ``sigma`` replaces the graph's interventions, as in
    :func:`~causal_align.alignment.check_inner_alignment` ("what if the policy read X?").

    Raises
    ------
    GraphSpecError
        ``E_NO_DECISION``, ``E_AMBIGUOUS_DECISION``, ``E_NO_UTILITY``, ``E_UNKNOWN_NODE``,
        ``E_DECISION_IS_UTILITY``, ``E_REGIME_ROLE`` (the core's code and words for a regime
        node as decision or utility), listing every problem.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> O", "O -> D", "D -> U"], regime="s")
    >>> diagram = influence_diagram(graph, decision="D", utility=["U"])
    >>> diagram.g_sigma.parents("D"), diagram.utility
    (('O',), ('U',))
    >>> influence_diagram(graph, utility="U")
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      <incentives on graph> decision: no decision: the graph has no σ target (name one with
        decision: in the file or decision= in Python) [E_NO_DECISION]
    """
    problems = Problems(Origin(f"<incentives on {graph.name}>"))
    known = graph.node_set
    otherwise = f"it is not a node of {graph.name}"
    interventions = list(graph.sigma if sigma is None else sigma)
    targets = [item.target for item in interventions]
    chosen = decision if decision is not None else getattr(graph, "decision", None)
    if chosen is None:
        if len(targets) == 1:
            chosen = targets[0]
        elif not targets:
            problems.add("E_NO_DECISION", "decision", "no decision: the graph has no σ target "
                         "(name one with decision: in the file or decision= in Python)")
        else:
            problems.add("E_AMBIGUOUS_DECISION", "decision", f"{len(targets)} σ targets "
                         f"({', '.join(sorted(targets))}): name the decision with decision: in "
                         "the file or decision= in Python")
    elif chosen not in known:
        problems.add("E_UNKNOWN_NODE", "decision", f"unknown node {shown(chosen)} in decision "
                     f"({problems.suggest(chosen, known, otherwise)})")
        chosen = None
    elif chosen in graph.regime:
        problems.add("E_REGIME_ROLE", "decision", _regime_role(chosen, "the decision"))
        chosen = None
    names = as_names(utility if utility is not None else getattr(graph, "utility", ()) or ())
    if not names:
        problems.add("E_NO_UTILITY", "utility", "no utility node (name the reward the base "
                     "optimizer trains on with utility: in the file or utility= in Python)")
    for position, name in enumerate(names):
        spot = f"utility[{position}]" if len(names) > 1 else "utility"
        if name not in known:
            problems.add("E_UNKNOWN_NODE", spot, f"unknown node {shown(name)} in utility "
                         f"({problems.suggest(name, known, otherwise)})")
        elif name in graph.regime:
            problems.add("E_REGIME_ROLE", spot, _regime_role(name, "a utility"))
        elif name == chosen:
            problems.add("E_DECISION_IS_UTILITY", spot, f"{shown(name)} is both the decision "
                         "and a utility node (a utility is a consequence of the decision)")
    problems.raise_if_any()
    assert chosen is not None
    if chosen in targets:
        index = targets.index(chosen)
    else:
        index = len(interventions)
        interventions.append(SoftIntervention(chosen, graph.parents(chosen)))
    resolved = [item if item.context is not None else
                SoftIntervention(item.target, graph.parents(item.target))
                for item in interventions]
    g_sigma = sigma_graph(graph, resolved)
    return Diagram(graph, chosen, tuple(sorted(set(names))), tuple(resolved), index, g_sigma)


def _regime_role(name: str, what: str) -> str:
    """The core's words for a regime node in a role it cannot have."""
    return (f"regime node {shown(name)} cannot be {what} (the regime is known in both training "
            "and deployment; name another node)")


def descendants(graph: SigmaGraph, node: str) -> set[str]:
    """Strict descendants of ``node`` in G_σ."""
    return directed_reach(graph, [node], within=graph.graph.node_set) - {node}


def requisite_links(graph: SigmaGraph, decision: str, utility: Collection[str]) -> set[str]:
    """The parents X of ``decision`` d-connected to U ∩ De(D) given Fa(D) \\ {X} in ``graph``.

    One reachability pass decides every parent at once: walk from U ∩ De(D) given all of Fa(D)
    and keep the parents reached. That is the same question, because a parent X is an endpoint
    (never an interior node) of the paths that matter, and conditioning on X as well opens no
    further collider: An(X) ⊆ An(D), and D is conditioned on anyway.
    """
    below = set(utility) & descendants(graph, decision)
    parents = graph.parents(decision)
    if not below or not parents:
        return set()
    walk = Prepared(graph, below, (), {decision, *parents})
    reached = {node for node, _ in walk.reachable()}
    return {node for node in parents if node in reached}


def minimal_reduction(diagram: Diagram, context: Iterable[str]) -> SigmaGraph:
    """G* of the diagram where the decision reads ``context``: drop every non-requisite
    information link, and again, until every link left is requisite."""
    graph = diagram.reading(context)
    while True:
        keep = requisite_links(graph, diagram.decision, diagram.utility)
        if keep == set(graph.parents(diagram.decision)):
            return graph
        graph = diagram.reading(keep)


def incentives(graph: CausalGraph, *, decision: str | None = None,
               utility: str | Iterable[str] | None = None,
               sigma: Iterable[SoftIntervention] | None = None) -> Incentives:
    """The requisite observations, VoI, RI, VoC and ICI of the decision, each explained.

    Parameters
    ----------
    graph : CausalGraph
    decision : str, optional
        The decision node; default: the graph's ``decision:``, else its only σ target.
    utility : str or Iterable[str], optional
        The utility nodes (the reward the base optimizer trains on); default: the graph's
        ``utility:``.
    sigma : Iterable[SoftIntervention], optional
        Replaces the graph's interventions ("what if the policy read X?").

    Returns
    -------
    Incentives

    Raises
    ------
    GraphSpecError
        When the decision or the utility cannot be resolved (see :func:`influence_diagram`).

    References
    ----------
    Everitt, Carey, Langlois, Ortega & Legg, "Agent Incentives: A Causal Perspective", AAAI 2021.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> O", "O -> D", "D -> Y", "O -> Y"], regime="s")
    >>> incentives(graph, decision="D", utility="Y").ri
    ('O', 's')
    """
    diagram = influence_diagram(graph, decision=decision, utility=utility, sigma=sigma)
    return diagram_incentives(diagram)


def diagram_incentives(diagram: Diagram) -> Incentives:
    """:func:`incentives` of a resolved :class:`Diagram`."""
    g_sigma, decision, utility = diagram.g_sigma, diagram.decision, diagram.utility
    context = g_sigma.parents(decision)
    star = minimal_reduction(diagram, context)
    requisite = star.parents(decision)
    below = descendants(g_sigma, decision)
    explanations: list[Explanation] = []
    for node in requisite:
        explanations.append(_connection(star, decision, utility, node, REQUISITE, False))
    voi = []
    for node in sorted(set(g_sigma.graph.nodes) - below - {decision}):
        if node in context:
            reduced = star
        else:
            reduced = minimal_reduction(diagram, [*context, node])
        if node in reduced.parents(decision):
            voi.append(node)
            explanations.append(_connection(reduced, decision, utility, node, VOI,
                                            node not in context))
    ri = sorted(ancestors(star, [decision]) - {decision})
    explanations += [Explanation(node, RI, *directed_path(star, node, {decision})) for node in ri]
    above_utility = ancestors(star, utility)
    voc = sorted(above_utility - {decision})
    explanations += [Explanation(node, VOC, *directed_path(star, node, set(utility)))
                     for node in voc]
    controlled = (below | {decision}) & ancestors(g_sigma, utility)
    ici = sorted(controlled) if set(utility) & below else []
    for node in ici:
        down, _ = directed_path(g_sigma, decision, {node})
        rest, _ = directed_path(g_sigma, node, set(utility))
        nodes = down + rest[1:]
        explanations.append(Explanation(node, ICI, nodes, ("->",) * (len(nodes) - 1)))
    order = {kind: index for index, kind in enumerate(KINDS)}
    explanations.sort(key=lambda item: (order[item.kind], item.node))
    removed = sorted(f"{node} -> {decision}" for node in set(context) - set(requisite))
    return Incentives(
        **header_of(g_sigma.graph).keywords(), decision=decision, utility=utility,
        context=tuple(context), requisite=tuple(requisite), voi=tuple(voi), ri=tuple(ri),
        voc=tuple(voc), ici=tuple(ici), removed_links=tuple(removed),
        explanations=tuple(explanations))


def _connection(graph: SigmaGraph, decision: str, utility: Collection[str], node: str,
                kind: str, hypothetical: bool) -> Explanation:
    """The shortest open path from ``node`` to U ∩ De(D) given Fa(D) \\ {node} in ``graph``."""
    below = set(utility) & descendants(graph, decision)
    given = {decision, *graph.parents(decision)} - {node}
    query = Prepared(graph, {node}, below, given)  # our own sets: known, disjoint
    [raw], _ = open_paths(graph, {node}, below, given=given, limit=1, prepared=query)
    [path] = describe(graph, [raw], given, prepared=query)
    shown_given = (decision, *sorted(given - {decision}))
    reasons = tuple(junction.reason() for junction in path.junctions)
    return Explanation(node, kind, path.nodes, path.arrows, shown_given, reasons, hypothetical)


def directed_path(graph: SigmaGraph, start: str,
                  ends: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A shortest directed path from ``start`` into ``ends`` in ``graph`` (``start`` must reach
    ``ends``), and its arrows."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node in ends:
            path = [node]
            while (before := previous[path[-1]]) is not None:
                path.append(before)
            path.reverse()
            return tuple(path), ("->",) * (len(path) - 1)
        for child in graph.children(node):
            if child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"no directed path from {start} into {sorted(ends)}")
