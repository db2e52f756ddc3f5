"""The wireheading / inner-misalignment trade-off, explored across single-change design variants.

Reber (2022), §6, asks whether forcing D → Y_m → Y_b ("making reward depend on neuron values") fixes
inner alignment at the price of a control incentive, and whether there is "a fundamental
trade-off between wireheading and inner misalignment". Alignment is about paths from the
regime that are open given Y_m; incentives are about directed paths from the decision. The two
families differ, so the answer depends on the design family. This module answers it per
diagram: it builds every variant that differs from the diagram by one change,

- **as filed**: the diagram itself;
- **D stops reading X**: X dropped from the decision's context;
- **the reward reads only Y_m**: each utility node's inputs are replaced by the Y_m nodes (the
  seed's proposal; when the reward is the base objective this forces D → Y_m → Y_b);
- **cut D -> X**: one edge out of the decision removed (the action no longer reaches X);
- **current-RF for X**: for a node X with the reward-tampering signature, the reward reads a
  copy of X as it is at decision time (fed by X's parents that the decision cannot affect),
  the fix of Everitt, Hutter, Kumar & Krakovna (2021),

and tabulates for each the alignment verdict with its first open path and the incentive
signatures. A variant is **Pareto-optimal** when no other variant is at least as good on both
axes -- aligned, and free of control signatures (wireheading or reward tampering) -- and better
on one. The summary says plainly whether the diagram has a trade-off.

Examples
--------
>>> from causal_align.loader import load_graph
>>> table = tradeoffs(load_graph("graphs/zoo/coinrun.yaml"))
>>> table.status
'trade-off'
>>> [(variant.name, variant.aligned, variant.signatures.wireheading, variant.pareto)
...  for variant in table.variants][:3]
[('as filed', False, (), True), ('Move stops reading Screen', False, (), True),
 ('the reward reads only ReachedEnd', True, ('ReachedEnd',), True)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from causal_align.alignment import check_inner_alignment
from causal_align.errors import GraphSpecError
from causal_align.header import ResultHeader, header_of
from causal_align.incentives.criteria import Diagram, descendants, influence_diagram
from causal_align.incentives.signatures import Signatures, read_signatures
from causal_align.model import CausalGraph, Edge, Origin, SoftIntervention
from causal_align.validate import Problems

AS_FILED = "as filed"
DROP_CONTEXT = "drop context"
REWARD_READS_MESA = "reward reads Y_m"
CUT_EDGE = "cut decision edge"
CURRENT_RF = "current RF"

NO_TRADEOFF = "no trade-off"
TRADEOFF = "trade-off"
NONE_ALIGNED = "none aligned"
CONTROL_UNAVOIDABLE = "control unavoidable"


@dataclass(frozen=True)
class Variant:
    """One design variant: the change, its verdict, its first open path and its signatures."""

    name: str
    change: str
    aligned: bool
    first_open_path: str | None
    signatures: Signatures
    pareto: bool
    graph: CausalGraph = field(repr=False, compare=False)

    @property
    def has_control_signature(self) -> bool:
        return self.signatures.has_control_signature

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "change": self.change, "aligned": self.aligned,
                "first_open_path": self.first_open_path,
                "deception": list(self.signatures.deception),
                "wireheading": list(self.signatures.wireheading),
                "tampering": list(self.signatures.tampering), "pareto": self.pareto}


@dataclass(frozen=True)
class Tradeoffs(ResultHeader):
    """Every single-change variant of a diagram, and whether they show a trade-off.

    ``status`` is ``"no trade-off"`` (some variant is aligned with no control signature),
    ``"trade-off"`` (every aligned variant has a control signature and every variant without
    one is not aligned), ``"none aligned"`` (no variant is aligned) or ``"control
    unavoidable"`` (some variant is aligned, and every variant has a control signature);
    ``summary`` says it in a sentence.
    """

    decision: str
    utility: tuple[str, ...]
    variants: tuple[Variant, ...]
    status: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {"graph": self.graph_name, "decision": self.decision, "utility": list(self.utility),
                "base": list(self.base), "mesa": list(self.mesa), "status": self.status,
                "summary": self.summary,
                "variants": [variant.to_dict() for variant in self.variants]}


def tradeoffs(graph: CausalGraph, *, decision: str | None = None,
              utility: str | Iterable[str] | None = None,
              sigma: Iterable[SoftIntervention] | None = None) -> Tradeoffs:
    """Build and assess every single-change design variant of ``graph``.

    Parameters
    ----------
    graph : CausalGraph
        With a default alignment query (``query: base:``, and ``mesa:`` for the Y_m variants).
    decision, utility, sigma : optional
        As for :func:`~causal_align.incentives.criteria.incentives`; every variant starts from
        ``sigma`` when given.

    Raises
    ------
    GraphSpecError
        ``E_NO_QUERY`` when the graph has no base objective, or the incentive errors.
    """
    diagram = influence_diagram(graph, decision=decision, utility=utility, sigma=sigma)
    if not graph.base:
        problems = Problems(Origin(f"<tradeoffs on {graph.name}>"))
        problems.add("E_NO_QUERY", "query.base", "the trade-off explorer needs the alignment "
                     "query: declare query: base: (and mesa:)")
        problems.raise_if_any()
    rows: list[tuple[str, str, CausalGraph]] = [(AS_FILED, AS_FILED, _rebuild(diagram))]
    first = read_signatures(diagram)
    rows += _variants(diagram, first)
    assessed = [_assess(name, change, variant, diagram) for name, change, variant in rows]
    marked = tuple(_mark(assessed))
    status, summary = _summary(marked)
    return Tradeoffs(diagram.decision, diagram.utility, marked, status, summary,
                     **header_of(graph).keywords())


def _variants(diagram: Diagram, found: Signatures) -> list[tuple[str, str, CausalGraph]]:
    graph, decision, utility = diagram.graph, diagram.decision, set(diagram.utility)
    rows = []
    context = diagram.sigma[diagram.index].context or ()
    for node in context:
        sigma = list(diagram.sigma)
        sigma[diagram.index] = SoftIntervention(decision, [item for item in context
                                                           if item != node])
        rows.append((f"{decision} stops reading {node}", DROP_CONTEXT,
                     _rebuild(diagram, sigma=sigma)))
    mesa = sorted(graph.mesa)
    if mesa and not utility & graph.mesa:
        edges = [edge for edge in graph.edges
                 if not (edge.head in utility or (edge.bidirected and edge.tail in utility))]
        edges += [Edge(node, target) for target in sorted(utility) for node in mesa]
        try:  # a utility node above Y_m cannot read it
            rows.append((f"the reward reads only {', '.join(mesa)}", REWARD_READS_MESA,
                         _rebuild(diagram, edges=edges)))
        except GraphSpecError:
            pass
    g_sigma = diagram.g_sigma
    for child in g_sigma.children(decision):
        edges = [edge for edge in graph.edges if edge != Edge(decision, child)]
        rows.append((f"cut {decision} -> {child}", CUT_EDGE, _rebuild(diagram, edges=edges)))
    below = descendants(g_sigma, decision) | {decision}
    for node in found.tampering:
        copy = _fresh(graph, f"{node}_current")
        fed = sorted(set(graph.children(node)) & utility)
        edges = [edge for edge in graph.edges
                 if not (edge.tail == node and edge.head in fed and not edge.bidirected)]
        edges += [Edge(parent, copy) for parent in graph.parents(node) if parent not in below]
        edges += [Edge(copy, node), *(Edge(copy, target) for target in fed)]
        labels = {**graph.labels, copy: f"{node} at decision time (the current reward function)"}
        rows.append((f"current-RF for {node}", CURRENT_RF,
                     _rebuild(diagram, edges=edges, labels=labels)))
    return rows


def _fresh(graph: CausalGraph, name: str) -> str:
    while name in graph.node_set:
        name += "_"
    return name


def _rebuild(diagram: Diagram, *, edges: Iterable[Edge] | None = None,
             sigma: Iterable[SoftIntervention] | None = None,
             labels: dict[str, str] | None = None) -> CausalGraph:
    """The diagram's graph with other edges, σ or nodes (the decision's σ always explicit);
    where the core knows the roles, the variant carries the decision, utility and unobserved
    nodes too."""
    graph = diagram.graph
    roles: dict[str, Any] = {}
    if hasattr(graph, "unobserved"):
        roles = {"utility": list(diagram.utility), "decision": diagram.decision,
                 "unobserved": sorted(graph.unobserved)}
    return CausalGraph(dict(labels if labels is not None else graph.labels),
                       list(graph.edges if edges is None else edges), regime=graph.regime,
                       sigma=list(diagram.sigma if sigma is None else sigma),
                       base=sorted(graph.base), mesa=sorted(graph.mesa),
                       query_regime=sorted(graph.query_regime), name=graph.name,
                       description=graph.description, **roles)


def _assess(name: str, change: str, variant: CausalGraph, diagram: Diagram) -> Variant:
    result = check_inner_alignment(variant, limit=1)
    path = str(result.open_paths[0]) if result.open_paths else None
    found = read_signatures(influence_diagram(variant, decision=diagram.decision,
                                              utility=diagram.utility))
    return Variant(name, change, result.aligned, path, found, False, variant)


def _score(variant: Variant) -> tuple[int, int]:
    return (0 if variant.aligned else 1, 1 if variant.has_control_signature else 0)


def _mark(variants: list[Variant]) -> Iterable[Variant]:
    for variant in variants:
        mine = _score(variant)
        beaten = any(other_score[0] <= mine[0] and other_score[1] <= mine[1]
                     and other_score != mine for other_score in map(_score, variants))
        yield Variant(variant.name, variant.change, variant.aligned, variant.first_open_path,
                      variant.signatures, not beaten, variant.graph)


def _summary(variants: tuple[Variant, ...]) -> tuple[str, str]:
    clean = [variant.name for variant in variants
             if variant.aligned and not variant.has_control_signature]
    aligned = [variant for variant in variants if variant.aligned]
    free = [variant for variant in variants if not variant.has_control_signature]
    if clean:
        return NO_TRADEOFF, (f"No trade-off on this diagram: {_listed(clean)} "
                             f"{'is' if len(clean) == 1 else 'are'} aligned with no wireheading "
                             "or reward-tampering signature.")
    if aligned and free:
        return TRADEOFF, ("A trade-off: every aligned variant has a control signature "
                          f"({_listed([variant.name for variant in aligned])}), and every "
                          "variant without one is not aligned.")
    if not aligned:
        text = ("No single change makes this diagram aligned, so there is no trade-off to make "
                "at this depth")
        text += ("; some variants avoid the control signatures." if free else
                 "; and every variant has a control signature.")
        return NONE_ALIGNED, text
    return CONTROL_UNAVOIDABLE, ("Every variant has a control signature; "
                                 f"{_listed([variant.name for variant in aligned])} "
                                 f"{'is' if len(aligned) == 1 else 'are'} aligned.")


def _listed(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
