"""PartialGraph: a causal diagram some of whose edges have an unknown direction.

``A -- B`` means "A and B are adjacent, direction unknown". The diagram stands for its
*consistent extensions*: every DAG that orients each ``--`` edge so that the directed part stays
acyclic and gains no v-structure (``a -> c <- b``, ``a`` and ``b`` not adjacent) the diagram does
not already have (Dor & Tarsi 1992). For a CPDAG that is its Markov equivalence class. ``<->``
edges (latent common causes) stay as given.

**Background knowledge** narrows the extensions: required and forbidden orientations, and tiers
(an edge between two tiers points from the earlier tier to the later). Two more facts are always
known: every edge at a regime node points out of it (regime nodes are exogenous), and an edge
between a σ target and a node of its explicit context points into the target (a policy cannot
read a consequence of its own decision). All of it is closed under Meek's rules at construction;
``closed_directed`` and ``closed_undirected`` show the result.

Examples
--------
>>> graph = PartialGraph.from_edges(["s -> M", "M -- D", "D -- B"], regime="s",
...                                 base="B", mesa="M")
>>> graph.undirected
(('B', 'D'), ('D', 'M'))
>>> graph.closed_directed                            # s -> M -- D forces M -> D, then D -> B
(('D', 'B'), ('M', 'D'), ('s', 'M'))
>>> PartialGraph.from_edges(["A -- B", "A -> B"], regime="s")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  <python> edges[0]: "A -- B" joins the same nodes as "A -> B" (edges[1]; keep one)
    [E_DUPLICATE_EDGE]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.model import CausalGraph, Edge, Origin, SoftIntervention, as_names
from causal_align.uncertainty.extension import extend
from causal_align.uncertainty.meek import Pdag
from causal_align.validate import NAME, Problems
from causal_align.yamldoc import Lines

_UNDIRECTED = re.compile(rf"\s*({NAME})\s*--\s*({NAME})\s*\Z")
_INDEX = re.compile(r"edges\[(\d+)\]")


def parse_undirected(text: object) -> tuple[str, str] | None:
    """``"A -- B"`` as the sorted pair ``("A", "B")``; ``None`` for anything else.

    Examples
    --------
    >>> parse_undirected("M -- D"), parse_undirected("M -> D")
    (('D', 'M'), None)
    """
    match = _UNDIRECTED.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    first, second = match.groups()
    return (first, second) if first <= second else (second, first)


@dataclass(frozen=True)
class Background:
    """What is known about directions beyond the drawn edges.

    Parameters
    ----------
    required : Iterable[str]
        Orientations that hold, ``"A -> B"``; each pair must be adjacent.
    forbidden : Iterable[str]
        Orientations that do not hold, ``"A -> B"`` (so an ``A -- B`` edge is ``B -> A``).
    tiers : Iterable[Iterable[str]]
        Ordered groups of nodes; no node causes a node of an earlier tier.

    Examples
    --------
    >>> Background(required=["A -> B"], tiers=[["s"], ["A", "B"]]).tiers
    (('s',), ('A', 'B'))
    """

    required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    tiers: tuple[tuple[str, ...], ...] = ()

    def __init__(self, required: Iterable[str] = (), forbidden: Iterable[str] = (),
                 tiers: Iterable[Iterable[str]] = ()) -> None:
        object.__setattr__(self, "required", tuple(required))
        object.__setattr__(self, "forbidden", tuple(forbidden))
        object.__setattr__(self, "tiers", tuple(as_names(tier) for tier in tiers))

    def to_dict(self) -> dict[str, Any]:
        """The ``background:`` section of a file."""
        return {"required": list(self.required), "forbidden": list(self.forbidden),
                "tiers": [list(tier) for tier in self.tiers]}


@dataclass(frozen=True)
class PartialGraph:
    """A causal diagram with undirected ``--`` edges, background knowledge, σ and a query.

    Build it with :meth:`from_edges` or read it with
    :func:`~causal_align.uncertainty.files.load_partial_graph`; either way it is checked once.

    ``core`` is the :class:`~causal_align.model.CausalGraph` of the directed and ``<->`` edges
    alone (it carries the regime, σ and the default query); ``undirected`` the ``--`` edges as
    sorted pairs; ``closed_directed``/``closed_undirected`` the edges after background knowledge
    and Meek's rules.
    """

    core: CausalGraph
    undirected: tuple[tuple[str, str], ...]
    background: Background
    closed_directed: tuple[tuple[str, str], ...] = field(repr=False)
    closed_undirected: tuple[tuple[str, str], ...] = field(repr=False)

    @property
    def name(self) -> str:
        """The diagram's name."""
        return self.core.name

    def knowing(self, required: Iterable[str]) -> PartialGraph:
        """This diagram with more required orientations (``"A -> B"``) in its background
        knowledge, checked and closed again (a contradiction raises ``GraphSpecError``).

        >>> graph = PartialGraph.from_edges(["s -> C", "A -- B"], regime="s")
        >>> graph.closed_undirected, graph.knowing(["B -> A"]).closed_directed
        ((('A', 'B'),), (('B', 'A'), ('s', 'C')))
        """
        known = self.background
        edges = [*self.core.edges, *(f"{first} -- {second}" for first, second in self.undirected)]
        return build_partial(self.core.labels, edges, **graph_settings(self.core),
                             background=Background([*known.required, *required], known.forbidden,
                                                   known.tiers))

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node, in declaration order."""
        return self.core.nodes

    @classmethod
    def from_edges(cls, edges: Iterable[str | Edge], *, regime: str | Iterable[str],
                   nodes: Mapping[str, str] | Iterable[str] = (),
                   background: Background = Background(), **options: Any) -> PartialGraph:
        """Build from edge strings (``->``, ``<->`` and ``--``); nodes default to those named.

        ``options`` are :class:`~causal_align.model.CausalGraph`'s: ``sigma``, ``base``,
        ``mesa``, ``query_regime``, ``name``, ``description``.
        """
        items = list(edges)
        labels = dict(nodes) if isinstance(nodes, Mapping) else {node: "" for node in nodes}
        for item in items:
            pair = parse_undirected(item)
            edge = item if isinstance(item, Edge) else (
                Edge.parse(item) if isinstance(item, str) else None)
            for node in pair or ((edge.tail, edge.head) if edge else ()):
                labels.setdefault(node, "")
        for node in as_names(regime):
            labels.setdefault(node, "")
        return build_partial(labels, items, regime=regime, background=background, **options)


def graph_settings(graph: CausalGraph) -> dict[str, Any]:
    """Everything of ``graph`` but its nodes and edges, as :class:`CausalGraph` and
    :func:`build_partial` take it."""
    return {"regime": sorted(graph.regime), "sigma": graph.sigma,
            "base": sorted(graph.base) or None, "mesa": sorted(graph.mesa),
            "query_regime": sorted(graph.query_regime), "name": graph.name,
            "description": graph.description, "utility": graph.utility or None,
            "decision": graph.decision, "unobserved": sorted(graph.unobserved),
            "positions": dict(graph.positions)}


def build_partial(nodes: Mapping[str, str], edges: Sequence[object], *,
                  regime: str | Iterable[str], sigma: Iterable[SoftIntervention] = (),
                  base: str | Iterable[str] | None = None,
                  mesa: str | Iterable[str] | None = None,
                  query_regime: str | Iterable[str] | None = None, name: str = "graph",
                  description: str = "", background: Background = Background(),
                  origin: Origin | None = None, **roles: Any) -> PartialGraph:
    """Check everything and build a :class:`PartialGraph`; every problem is raised at once.

    The core checks the directed and ``<->`` edges, the regime, σ and the query (its problems
    keep their positions in ``edges``); this layer checks the ``--`` edges and the background
    knowledge, then closes the orientations under Meek's rules. ``roles`` go to the core
    graph unchanged (``utility``, ``decision``, ``unobserved``, ``positions``).
    """
    origin = origin or Origin()
    sigma = tuple(sigma)
    kept: list[object] = []
    kept_at: list[int] = []
    undirected: dict[tuple[str, str], int] = {}
    problems = Problems(origin)
    for index, item in enumerate(edges):
        pair = parse_undirected(item)
        if pair is None:
            kept.append(item)
            kept_at.append(index)
            continue
        location = f"edges[{index}]"
        unknown = [node for node in dict.fromkeys(pair) if node not in nodes]
        for node in unknown:
            problems.add("E_UNKNOWN_NODE", location, f"unknown node {shown(node)} in "
                         f"\"{item}\" ({problems.suggest(node, nodes)})")
        if unknown:
            continue
        if pair[0] == pair[1]:
            problems.add("E_SELF_LOOP", location, f"self-loop \"{item}\" (remove it)")
        elif pair in undirected:
            problems.add("E_DUPLICATE_EDGE", location, f"duplicate edge \"{item}\" (same as "
                         f"edges[{undirected[pair]}]; remove one)")
        else:
            undirected[pair] = index
    core_problems: list[Problem] = []
    core: CausalGraph | None = None
    try:
        core = CausalGraph(nodes, kept, regime=regime, sigma=sigma,  # type: ignore[arg-type]
                           base=base, mesa=mesa, query_regime=query_regime, name=name,
                           description=description, origin=_kept_origin(origin, kept_at),
                           **roles)
    except GraphSpecError as error:
        core_problems = [_renumbered(problem, kept_at) for problem in error.problems]
    directed: dict[tuple[str, str], int] = {}
    for item, index in zip(kept, kept_at):
        edge = item if isinstance(item, Edge) else (
            Edge.parse(item) if isinstance(item, str) else None)
        if edge is not None and not edge.bidirected:
            directed.setdefault((edge.tail, edge.head), index)
    for (first, second), index in undirected.items():
        for tail, head in ((first, second), (second, first)):
            if (tail, head) in directed:
                problems.add("E_DUPLICATE_EDGE", f"edges[{index}]", f"\"{first} -- {second}\" "
                             f"joins the same nodes as \"{tail} -> {head}\" "
                             f"(edges[{directed[tail, head]}]; keep one)")
    requirements = _requirements(background, nodes, set(directed), set(undirected), regime,
                                 sigma, problems)
    problems.found.extend(core_problems)
    problems.raise_if_any()
    assert core is not None
    pdag = Pdag.from_edges(core.nodes, directed=directed, undirected=undirected)
    original = pdag.v_structures()
    for tail, head in requirements:
        pdag.orient(tail, head)
    pdag.close()
    if pdag.v_structures() != original or extend(pdag) is None:
        what = "and background knowledge " if requirements else ""
        problems.add("E_NO_EXTENSION", "edges", f"no DAG fits these edges {what}(every way of "
                     "orienting the -- edges makes a directed cycle or a v-structure the file "
                     "does not have; draw the v-structures you mean with ->, or orient an edge)")
        problems.raise_if_any()
    return PartialGraph(core, tuple(sorted(undirected)), background,
                        tuple(pdag.directed_edges()), tuple(pdag.undirected_edges()))


def _kept_origin(origin: Origin, kept_at: list[int]) -> Origin:
    """The origin as the core sees it: ``edges[j]`` is the j-th edge handed to the core."""
    if not isinstance(origin.lines, Lines) or "edges" not in origin.lines.in_lists:
        return origin
    lines = Lines()
    lines.at = origin.lines.at
    lines.in_lists = dict(origin.lines.in_lists)
    every = origin.lines.in_lists["edges"]
    lines.in_lists["edges"] = [every[index] for index in kept_at]
    return Origin(origin.source, lines)


def _renumbered(problem: Problem, kept_at: list[int]) -> Problem:
    """A core problem with its ``edges[j]`` references pointing at the file's own items."""
    def back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return f"edges[{kept_at[index]}]" if index < len(kept_at) else match.group(0)

    return Problem(problem.code, _INDEX.sub(back, problem.message),
                   _INDEX.sub(back, problem.location), problem.line, problem.source)


def _requirements(background: Background, nodes: Mapping[str, str],
                  directed: set[tuple[str, str]], undirected: set[tuple[str, str]],
                  regime: str | Iterable[str], sigma: tuple[SoftIntervention, ...],
                  problems: Problems) -> list[tuple[str, str]]:
    """The orientations of ``--`` edges that background knowledge implies, checked for conflicts."""
    chosen: dict[tuple[str, str], tuple[str, str, str]] = {}  # pair -> (tail, head, why)

    def want(tail: str, head: str, why: str, location: str) -> None:
        if (head, tail) in directed:
            problems.add("E_BACKGROUND_CONFLICT", location, f"{why} says {tail} -> {head}, but "
                         f"the edges say {head} -> {tail} (remove one)")
            return
        if (tail, head) in directed:
            return
        pair = (tail, head) if tail < head else (head, tail)
        if pair not in undirected:
            problems.add("E_NOT_ADJACENT", location, f"{why} orients {tail} -> {head}, but "
                         f"{tail} and {head} are not adjacent (background knowledge orients "
                         "drawn edges; add the edge or remove this item)")
            return
        earlier = chosen.get(pair)
        if earlier is not None and earlier[:2] != (tail, head):
            problems.add("E_BACKGROUND_CONFLICT", location, f"{why} says {tail} -> {head}, but "
                         f"{earlier[2]} says {earlier[0]} -> {earlier[1]} (remove one)")
            return
        chosen.setdefault(pair, (tail, head, why))

    regime_nodes = set(as_names(regime))
    for pair in sorted(undirected):
        for tail, head in (pair, pair[::-1]):
            if tail in regime_nodes:
                want(tail, head, f"regime node {tail} (exogenous)", "regime")
    for index, item in enumerate(sigma):
        for position, node in enumerate(item.context or ()):
            pair = (node, item.target) if node < item.target else (item.target, node)
            if pair in undirected:
                want(node, item.target, f"σ({item.target}) reads {node}",
                     f"sigma[{index}].context[{position}]")
    for key, sign in (("required", True), ("forbidden", False)):
        for index, text in enumerate(getattr(background, key)):
            location = f"background.{key}[{index}]"
            edge = Edge.parse(text) if isinstance(text, str) else None
            if edge is None or edge.bidirected:
                problems.add("E_EDGE_SYNTAX", location, f"expected an orientation like "
                             f"\"A -> B\", found {shown(text)}")
                continue
            unknown = [node for node in dict.fromkeys((edge.tail, edge.head)) if node not in nodes]
            for node in unknown:
                problems.add("E_UNKNOWN_NODE", location, f"unknown node {shown(node)} in "
                             f"\"{text}\" ({problems.suggest(node, nodes)})")
            if unknown:
                continue
            if sign:
                want(edge.tail, edge.head, f"background.{key}[{index}]", location)
            else:
                want(edge.head, edge.tail, f"background.{key}[{index}] (not {edge})", location)
    tier_of: dict[str, int] = {}
    for index, tier in enumerate(background.tiers):
        for position, node in enumerate(tier):
            location = f"background.tiers[{index}][{position}]"
            if node not in nodes:
                problems.add("E_UNKNOWN_NODE", location, f"unknown node {shown(node)} in tier "
                             f"{index} ({problems.suggest(node, nodes)})")
            elif node in tier_of:
                problems.add("E_DUPLICATE_ITEM", location, f"{shown(node)} is in tiers "
                             f"{tier_of[node]} and {index} (keep one)")
            else:
                tier_of[node] = index
    for pair in sorted(directed | undirected):
        first, second = pair
        if first in tier_of and second in tier_of and tier_of[first] != tier_of[second]:
            tail, head = (first, second) if tier_of[first] < tier_of[second] else (second, first)
            position = background.tiers[tier_of[head]].index(head)
            want(tail, head, f"the tier order ({tail} in tier {tier_of[tail]}, {head} in "
                 f"tier {tier_of[head]})", f"background.tiers[{tier_of[head]}][{position}]")
    return [(tail, head) for tail, head, _ in chosen.values()]
