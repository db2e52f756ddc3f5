"""check_inner_alignment: is (Y_b ⊥ s | Y_m) in G_σ, why not, and what would fix it.

This module only composes: G_σ from :mod:`~causal_align.intervention`, the verdict and paths
from :mod:`~causal_align.separation`, the reasons from :mod:`~causal_align.explain`.

Examples
--------
>>> from causal_align.model import CausalGraph, SoftIntervention
>>> graph = CausalGraph.from_edges(
...     ["s -> C", "C -> O", "O -> D_m", "D_m -> Y_m", "C -> Y_b"],
...     regime="s", sigma=[SoftIntervention("D_m", context=["O"])], base="Y_b", mesa="Y_m")
>>> result = check_inner_alignment(graph)
>>> result.aligned, [str(path) for path in result.open_paths]
(False, ['s -> C -> Y_b'])
>>> result.repairs.monitor
('C',)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from causal_align.certificate import Certificate
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.explain import BlockedPath, OpenPath, blocked_paths, describe
from causal_align.header import ResultHeader, query_problems
from causal_align.intervention import SigmaGraph, narrowed, sigma_graph
from causal_align.model import CausalGraph, Edge, Query, SoftIntervention
from causal_align.separation import (
    AncestryCache,
    Prepared,
    ancestors,
    directed_reach,
    is_separated,
    minimum_separator,
    open_paths,
    prepare,
)

BLOCKED_SHOWN = 10
"""How many blocked paths an aligned result lists."""


@dataclass(frozen=True)
class Conjecture:
    """Reber's conjecture (2022), evaluated in G_σ.

    ``depends``: (1) some Y_b node is a descendant of some Y_m node.
    ``all_through_mesa``: (2) every directed path from a regime node to Y_b passes through Y_m.
    ``all_through_mesa_in_g``: (2) read in G instead of G_σ; σ can cut or add causal routes, so
    this reading can be wrong both ways. ``has_causal_route``: some directed path runs from a regime
    node to Y_b at all (Reber sets graphs without one aside as trivial), and
    ``has_causal_route_in_g`` the same in G: without one, (2) holds in G only vacuously.
    ``agrees``: whether "(1) and (2)" equals the true verdict; ``None`` when the conjecture does
    not apply.
    """

    depends: bool
    all_through_mesa: bool
    all_through_mesa_in_g: bool
    has_causal_route: bool
    has_causal_route_in_g: bool
    predicts_aligned: bool
    agrees: bool | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"depends": self.depends, "all_through_mesa": self.all_through_mesa,
                "all_through_mesa_in_g": self.all_through_mesa_in_g,
                "has_causal_route": self.has_causal_route,
                "has_causal_route_in_g": self.has_causal_route_in_g,
                "predicts_aligned": self.predicts_aligned, "agrees": self.agrees,
                "note": self.note}


@dataclass(frozen=True)
class Repairs:
    """Exact hints for a misaligned query; all empty when aligned.

    ``impossible``: edges ``s -> y`` into Y_b that no conditioning can block.
    ``monitor``: a smallest set of further observable nodes Z (never one declared
    ``observed: false``) with (Y_b ⊥ s | Y_m ∪ Z) in G_σ, ``None`` when no such set exists
    (or when aligned). This answers a weaker question: aligned *given Y_m and Z*. A minimum,
    not merely minimal, set: no smaller one exists.
    ``narrow_context``: (target, node) pairs; dropping that node alone from σ(target)'s context
    restores alignment.
    """

    impossible: tuple[Edge, ...]
    monitor: tuple[str, ...] | None
    narrow_context: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"impossible": [str(edge) for edge in self.impossible],
                "monitor": None if self.monitor is None else list(self.monitor),
                "narrow_context": [{"target": target, "drop": node}
                                   for target, node in self.narrow_context]}


@dataclass(frozen=True, repr=False)
class AlignmentResult(ResultHeader):
    """The verdict on (Y_b ⊥ s | Y_m) in G_σ, with every open path explained.

    ``open_paths`` are shortest first, at most ``limit``; ``truncated`` says more exist.
    ``sigma_removed``/``sigma_added`` are the edge diff from G to G_σ. ``certificate`` proves
    the verdict to :func:`~causal_align.certificate.verify_certificate`. ``diagram`` is G_σ
    itself (with its G), which pictures are drawn from. ``conjecture`` and ``repairs`` cost
    further passes over the graph, so they are computed when first read.
    """

    sigma: tuple[SoftIntervention, ...]
    aligned: bool
    open_paths: tuple[OpenPath, ...]
    limit: int
    truncated: bool
    sigma_removed: tuple[Edge, ...]
    sigma_added: tuple[Edge, ...]
    certificate: Certificate
    diagram: SigmaGraph = field(repr=False, compare=False)
    _query: Prepared = field(repr=False, compare=False)

    @cached_property
    def conjecture(self) -> Conjecture:
        """Reber's conjecture next to the verdict; computed when first read."""
        query = self._query
        return _conjecture(self.diagram, frozenset(query.sources), frozenset(query.targets),
                           frozenset(query.given), self.aligned, self.open_paths)

    @cached_property
    def repairs(self) -> Repairs:
        """What would make the query aligned; computed when first read (a few linear passes)."""
        return Repairs((), None, ()) if self.aligned else _repairs(self._query)

    @cached_property
    def blocked_paths(self) -> tuple[BlockedPath, ...]:
        """For an aligned verdict, the paths from the regime to Y_b that Y_m (or an
        unconditioned collider) blocks, and where: at most ``BLOCKED_SHOWN``, shortest first.
        Empty for a misaligned verdict, whose open paths are the point."""
        if not self.aligned:
            return ()
        query = self._query
        return blocked_paths(self.diagram, query.sources, query.targets, query.given,
                             limit=BLOCKED_SHOWN)

    def __repr__(self) -> str:
        """One line: the graph, the verdict, the query and how many open paths were listed
        (``to_dict()`` or ``render(result)`` for the rest)."""
        verdict = "ALIGNED" if self.aligned else "NOT ALIGNED"
        listed = len(self.open_paths)
        paths = "" if self.aligned else (f", {listed}{'+' if self.truncated else ''} open "
                                         f"path{'s' if listed != 1 or self.truncated else ''}")
        return f"<AlignmentResult {self.graph_name!r}: {verdict} {self.query}{paths}>"

    def _repr_html_(self) -> str:
        """Jupyter shows the verdict and the picture."""
        from causal_align.pictures.notebook import notebook_html

        return notebook_html(self)

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form: fixed key order, sorted sets."""
        return {
            "graph": self.graph_name, "aligned": self.aligned,
            "query": {"base": list(self.base), "mesa": list(self.mesa),
                      "regime": list(self.regime)},
            "sigma": [{"target": item.target, "context": list(item.context or ())}
                      for item in self.sigma],
            "sigma_removed": [str(edge) for edge in self.sigma_removed],
            "sigma_added": [str(edge) for edge in self.sigma_added],
            "open_paths": [path.to_dict() for path in self.open_paths],
            "limit": self.limit, "truncated": self.truncated,
            "blocked_paths": [path.to_dict() for path in self.blocked_paths],
            "conjecture": self.conjecture.to_dict(),
            "repairs": self.repairs.to_dict(),
            "certificate": self.certificate.to_dict(),
        }


def check_inner_alignment(
    graph: CausalGraph,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    regime: str | Iterable[str] | None = None,
    sigma: Iterable[SoftIntervention] | None = None,
    limit: int = 100,
) -> AlignmentResult:
    """Decide whether σ's target is inner aligned: (Y_b ⊥ s | Y_m) by d-separation in G_σ.

    Parameters
    ----------
    graph : CausalGraph
    base, mesa, regime : str or Iterable[str], optional
        Y_b, Y_m and the regime nodes; ``None`` takes the graph's default query.
    sigma : Iterable[SoftIntervention], optional
        Replaces the graph's interventions ("what if the policy read X?").
    limit : int
        At most this many open paths are listed; the verdict never depends on it.

    Returns
    -------
    AlignmentResult

    Raises
    ------
    GraphSpecError
        For an empty Y_b, unknown or overlapping query nodes, or an invalid ``sigma``.
    """
    return _check(graph, base=base, mesa=mesa, regime=regime, sigma=sigma, limit=limit,
                  cache=None)


def check_queries(graph: CausalGraph, queries: Iterable[Query], *,
                  limit: int = 100) -> tuple[AlignmentResult, ...]:
    """Answer a batch of queries against one loaded graph, which is prepared once and reused.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> X", "X -> A", "X -> B"], regime="s")
    >>> [result.aligned for result in check_queries(graph, [Query("A", mesa="X"), Query("A")])]
    [True, False]
    """
    cache = AncestryCache()  # An(Y_m) is found once per Y_m, not once per query
    return tuple(_check(graph, base=query.base, mesa=query.mesa, regime=query.regime,
                        sigma=query.sigma, limit=limit, cache=cache) for query in queries)


def _check(graph: CausalGraph, *, base: str | Iterable[str] | None,
           mesa: str | Iterable[str] | None, regime: str | Iterable[str] | None,
           sigma: Iterable[SoftIntervention] | None, limit: int,
           cache: AncestryCache | None) -> AlignmentResult:
    if limit < 0:
        raise CausalAlignError(f"limit must be >= 0, found {limit}")
    header, problems = query_problems(graph, base=base, mesa=mesa, regime=regime)
    try:
        g_sigma = sigma_graph(graph, sigma)
    except GraphSpecError as error:
        problems.absorb(error)
    problems.raise_if_any()
    sources, targets = frozenset(header.regime), frozenset(header.base)
    given = frozenset(header.mesa)
    prepared = prepare(g_sigma, sources, targets, given, cache=cache)
    reached = prepared.reachable(stop_at_target=True)  # complete when aligned
    aligned = all(node not in targets for node, _ in reached)
    raw_paths, truncated = ([], False) if aligned else open_paths(
        g_sigma, sources, targets, given=given, limit=limit, prepared=prepared)
    paths = describe(g_sigma, raw_paths, given, prepared=prepared)
    if aligned:
        certificate = Certificate("closed states", states=frozenset(reached))
    else:
        witness = raw_paths[:1] or open_paths(g_sigma, sources, targets, given=given, limit=1,
                                              prepared=prepared)[0]
        certificate = Certificate("open path", *witness[0]) if witness else Certificate("none")
    return AlignmentResult(
        **header.keywords(),
        sigma=g_sigma.interventions, aligned=aligned,
        open_paths=paths, limit=limit, truncated=truncated, sigma_removed=g_sigma.removed,
        sigma_added=g_sigma.added, certificate=certificate, diagram=g_sigma, _query=prepared)


def _conjecture(graph: SigmaGraph, sources: frozenset[str], targets: frozenset[str],
                given: frozenset[str], aligned: bool, paths: tuple[OpenPath, ...]) -> Conjecture:
    # every directed path into a Y_b node runs through ancestors of Y_b: search only there
    above = ancestors(graph, targets)
    plain = sigma_graph(graph.graph, ())
    above_in_g = ancestors(plain, targets)
    depends = not directed_reach(graph, given & above, within=above).isdisjoint(targets)
    through = directed_reach(graph, sources & above, within=above - given).isdisjoint(targets)
    through_in_g = directed_reach(plain, sources & above_in_g,
                                  within=above_in_g - given).isdisjoint(targets)
    route = not directed_reach(graph, sources & above, within=above).isdisjoint(targets)
    predicts = depends and through
    witness = f"{paths[0]} is open" if paths else "an open path exists"
    agrees: bool | None = predicts == aligned
    if not route:
        agrees = None
        note = ("does not apply: no causal path runs from the regime to the base objective, a case "
                "Reber (2022) sets aside as trivial")
        note += "; d-separation finds it aligned" if aligned else (
            f"; yet it is not aligned: {witness}")
    elif agrees:
        note = "agrees with the verdict"
    else:
        # With a causal route, an aligned verdict forces (1) and (2): only this case is left.
        note = (f"is wrong here: it predicts aligned, but {witness} (a selection leak, which "
                "conditions (1) and (2) cannot see)")
    route_in_g = not directed_reach(plain, sources & above_in_g,
                                    within=above_in_g).isdisjoint(targets)
    return Conjecture(depends, through, through_in_g, route, route_in_g, predicts, agrees, note)


def _repairs(prepared: Prepared) -> Repairs:
    graph, sources, targets, given = (prepared.graph, prepared.sources, prepared.targets,
                                      prepared.given)
    impossible = tuple(sorted(Edge(source, child) for source in sources
                              for child in graph.children(source) if child in targets))
    monitor = None
    if not impossible:
        observed = prepared.relevant - sources - targets - given - graph.graph.unobserved
        monitor = minimum_separator(graph, sources, targets, given=given, allowed=observed)
    narrow = [(target, node) for target, node in _narrowing_candidates(prepared)
              if is_separated(narrowed(graph, target, node), sources, targets, given=given)]
    return Repairs(impossible, monitor, tuple(sorted(narrow)))


def _narrowing_candidates(prepared: Prepared) -> set[tuple[str, str]]:
    """The (target, context node) pairs whose drop could restore alignment: a superset of the
    answer found from one open path, so that each candidate costs one separation check and the
    repair stays near-linear however long the context is.

    Dropping c from σ(T)'s context removes only the edge c -> T. If that closes every open path,
    it closes the shortest one, p: either p uses c -> T, or a collider k of p stops being an
    ancestor of Y_m. The second needs every directed route from k to Y_m to enter T through a
    context edge, and c to be the only context node of T among k's descendants (another one
    would keep a route). So the candidates are the context edges on p, and for each collider of
    p the single context node below it, if there is exactly one.
    """
    graph = prepared.graph
    context = {item.target: set(item.context or ()) for item in graph.interventions}
    witness, _ = open_paths(graph, prepared.sources, prepared.targets, given=prepared.given,
                            limit=1, prepared=prepared)
    if not witness:  # the path search ran out of budget (see Certificate "none"): try all
        return {(target, node) for target, reads in context.items() for node in reads}
    nodes, arrows = witness[0]
    candidates = set()
    for (tail, head), arrow in zip(zip(nodes, nodes[1:]), arrows):
        cause, effect = (tail, head) if arrow == "->" else (head, tail)
        if arrow != "<->" and cause in context.get(effect, ()):
            candidates.add((effect, cause))
    colliders = [node for node, before, after in zip(nodes[1:-1], arrows, arrows[1:])
                 if before != "<-" and after != "->"]
    for collider in colliders:
        below = directed_reach(graph, [collider], within=prepared.given_ancestors)
        for target, reads in context.items():
            found = reads & below
            if len(found) == 1:
                candidates.add((target, found.pop()))
    return candidates
