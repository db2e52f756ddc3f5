"""Why each open path is open: a reason per interior node, and the kind of leak.

Every interior node of an open path is a chain (``-> v ->``), a fork (``<- v ->``) or a collider
(``-> v <-``, or with ``<->`` on either side). A chain or fork is open because it is not conditioned
on; a collider is open because it is in Y_m, or because a descendant of it is — and then the reason
names the directed path down to that descendant in G_σ. Edges that exist only because σ's context
reads a node are marked where they meet the σ target.

Each path is classified: a **causal leak** is a directed path from the regime to Y_b that Y_m does
not see; a **selection leak** has a collider opened by conditioning on Y_m; a path using a σ-added
edge is also **σ-created**.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> from causal_align.intervention import sigma_graph
>>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "Y_b -> M", "M -> Y_m"], regime="s"))
>>> [path] = describe(g, [(("s", "M", "Y_b"), ("->", "<-"))], mesa={"Y_m"})
>>> print(path, path.kinds)
s -> M <- Y_b ('selection leak', 'collider with a conditioned descendant')
>>> print(*path.explain(), sep="\\n")
M is a collider (s -> M <- Y_b), opened because its descendant Y_m is conditioned on: M -> Y_m
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from causal_align.intervention import SigmaGraph
from causal_align.model import Edge
from causal_align.separation import Prepared, RawPath, ancestors, prepare

JunctionKind = Literal["chain", "fork", "collider"]
"""What an interior node of a path is: two edge marks at it decide (docs/concepts.md)."""
LeakKind = Literal["causal leak", "selection leak", "conditioned collider",
                   "collider with a conditioned descendant", "latent confounder", "σ-created"]
"""How an open path is classified (docs/concepts.md); a path has one or more."""

CAUSAL_LEAK: LeakKind = "causal leak"
SELECTION_LEAK: LeakKind = "selection leak"
SIGMA_CREATED: LeakKind = "σ-created"
COLLIDER_IN_MESA: LeakKind = "conditioned collider"
COLLIDER_ABOVE_MESA: LeakKind = "collider with a conditioned descendant"
LATENT: LeakKind = "latent confounder"


def junction_kind(head_in: bool, head_out: bool) -> JunctionKind:
    """What a node is on a path, from the two edge marks at it: arrowheads on both sides make a
    collider, one makes a chain, none a fork."""
    return "collider" if head_in and head_out else "chain" if head_in or head_out else "fork"


SHOWN_DESCENT = 12
"""A collider's descent is written out in full up to this many nodes; longer ones are cut."""


class Descents:
    """Shortest directed paths from every ancestor of Y_m down to Y_m in G_σ, as one tree.

    The tree is the next hop of each node (as :class:`~causal_align.separation.Prepared`
    computes it, or one breadth-first pass over parents). Lengths, ends and the σ-added edges
    below a node are filled in on first use, walking down only to the first node already known,
    so a junction's descent costs nothing until it is read, and reading it never copies
    another's: a million-node chain with a thousand open colliders stays linear.

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> tree = Descents(sigma_graph(CausalGraph.from_edges(["A -> B", "B -> Y"], regime="A")),
    ...                 {"Y"})
    >>> tree.path("A"), tree.hops("A"), tree.end("A")
    (('A', 'B', 'Y'), 2, 'Y')
    """

    __slots__ = ("graph", "mesa", "_next_hop", "_below")

    def __init__(self, graph: SigmaGraph, mesa: Collection[str],
                 next_hop: Mapping[str, str | None] | None = None) -> None:
        self.graph, self.mesa = graph, mesa
        self._next_hop = next_hop
        self._below: dict[str, tuple[int, str, Edge | None]] = {}
        """node -> (edges down to Y_m, the Y_m node reached, first σ-added edge on the way)"""

    @property
    def next_hop(self) -> Mapping[str, str | None]:
        """Each node of An(Y_m) mapped to its next hop down to Y_m (None for Y_m itself):
        the tree, searched on first use when no query lent it."""
        if self._next_hop is None:
            self._next_hop = prepare(self.graph, (), (), self.mesa).down_to_given
        return self._next_hop

    def _known(self, node: str) -> tuple[int, str, Edge | None]:
        below = self._below
        chain = []
        hop = node
        while hop not in below:
            lower = self.next_hop[hop]
            if lower is None:
                below[hop] = (0, hop, None)
                break
            chain.append(hop)
            hop = lower
        targets = {item.target for item in self.graph.interventions}
        for upper in reversed(chain):
            lower = self.next_hop[upper]
            assert lower is not None
            hops, end, added = below[lower]
            if lower in targets and self.graph.is_added(upper, lower):
                added = Edge(upper, lower)
            below[upper] = (hops + 1, end, added)
        return below[node]

    def hops(self, node: str) -> int:
        """The number of edges from ``node`` down to Y_m."""
        return self._known(node)[0]

    def end(self, node: str) -> str:
        """The Y_m node that ``node``'s descent reaches."""
        return self._known(node)[1]

    def path(self, node: str, most: int | None = None) -> tuple[str, ...]:
        """The directed path from ``node`` down to Y_m (its first ``most`` nodes, if given)."""
        path: list[str] = []
        hop: str | None = node
        while hop is not None and (most is None or len(path) < most):
            path.append(hop)
            hop = self.next_hop[hop]
        return tuple(path)

    def added(self, node: str) -> tuple[Edge, ...]:
        """The σ-added edges on ``node``'s descent, from the top."""
        edges = []
        edge = self._known(node)[2]
        while edge is not None:
            edges.append(edge)
            edge = self._known(edge.head)[2]
        return tuple(edges)


@dataclass(frozen=True)
class Junction:
    """One interior node of an open path and why it lets the path through.

    ``kind`` is ``"chain"``, ``"fork"`` or ``"collider"``; ``sigma_edges`` are the σ-added edges
    of the path told at this node (at the σ target, or at the other end when the target ends
    the path); ``latent_edges`` are the path's ``<->`` edges told at this node (each told once).
    A collider's ``descents`` give the directed path down to the conditioned node that opens it.
    """

    node: str
    kind: JunctionKind
    before: str
    after: str
    sigma_edges: tuple[Edge, ...]
    latent_edges: tuple[Edge, ...]
    descents: Descents | None = field(default=None, compare=False, repr=False)

    @property
    def down_to_mesa(self) -> tuple[str, ...]:
        """A collider's directed path down to the conditioned node that opens it (just the node
        when it is in Y_m); empty for chains and forks."""
        return () if self.descents is None else self.descents.path(self.node)

    @property
    def descent_hops(self) -> int:
        """The number of edges on ``down_to_mesa`` (0 for chains, forks and nodes in Y_m)."""
        return 0 if self.descents is None else self.descents.hops(self.node)

    @property
    def sigma_descent(self) -> tuple[Edge, ...]:
        """The σ-added edges on ``down_to_mesa``."""
        return () if self.descents is None else self.descents.added(self.node)

    def shown_descent(self) -> tuple[str, ...]:
        """``down_to_mesa`` as written in reports: in full up to :data:`SHOWN_DESCENT` nodes,
        else its first nodes, ``"…"`` and the conditioned node."""
        if self.descents is None:
            return ()
        if self.descent_hops < SHOWN_DESCENT:
            return self.down_to_mesa
        return (*self.descents.path(self.node, SHOWN_DESCENT - 2), "…",
                self.descents.end(self.node))

    def reason(self) -> str:
        """One sentence a reader can check against the picture."""
        shape = f"{self.before} {self.node} {self.after}"
        if self.kind != "collider":
            text = f"{self.node} is a {self.kind} ({shape}), not conditioned on"
        elif self.descent_hops == 0:
            text = f"{self.node} is a collider ({shape}), opened because it is conditioned on"
        else:
            shown = self.shown_descent()
            text = (f"{self.node} is a collider ({shape}), opened because its descendant "
                    f"{shown[-1]} is conditioned on: {' -> '.join(shown)}")
            if "…" in shown:
                text += f" ({self.descent_hops:,} edges)"
        for edge in self.sigma_descent:
            text += (f" (on that descent, {edge} exists only because σ({edge.head}) reads "
                     f"{edge.tail})")
        for edge in self.latent_edges:
            text += f"; {edge} means {edge.tail} and {edge.head} share a latent common cause"
        for edge in self.sigma_edges:
            text += f"; the edge {edge} exists only because σ({edge.head}) reads {edge.tail}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "kind": self.kind, "down_to_mesa": list(self.shown_descent()),
                "descent_hops": self.descent_hops,
                "sigma_edges": [str(edge) for edge in self.sigma_edges],
                "latent_edges": [str(edge) for edge in self.latent_edges],
                "sigma_descent": [str(edge) for edge in self.sigma_descent],
                "reason": self.reason()}


@dataclass(frozen=True)
class OpenPath:
    """A path from a regime node to Y_b that is open given Y_m in G_σ, with its explanation.

    ``arrows[i]`` joins ``nodes[i]`` and ``nodes[i + 1]``, read from the regime node towards Y_b.
    The per-node :attr:`junctions` are built when first read, so listing a path through a
    million nodes costs a few C-speed scans until someone reads why each node is open.
    """

    nodes: tuple[str, ...]
    arrows: tuple[str, ...]
    sigma_edges: tuple[Edge, ...]
    kinds: tuple[LeakKind, ...]
    descents: Descents | None = field(default=None, compare=False, repr=False)
    """The tree of descents to Y_m that the path's colliders read (shared by a listing)."""

    @cached_property
    def junctions(self) -> tuple[Junction, ...]:
        """Each interior node with why it lets the path through, from the regime node on."""
        nodes, arrows = self.nodes, self.arrows
        interior = set(nodes[1:-1])
        told: dict[str, list[Edge]] = {}
        for edge in self.sigma_edges:  # at the σ target, or at the tail when Y_b is the target
            told.setdefault(edge.head if edge.head in interior else edge.tail, []).append(edge)
        junctions = []
        for index in range(1, len(nodes) - 1):
            node = nodes[index]
            arrow_in, arrow_out = arrows[index - 1], arrows[index]
            kind = junction_kind(arrow_in != "<-", arrow_out != "->")
            latent = [Edge(node, nodes[index + 1], bidirected=True)] if arrow_out == "<->" else []
            if index == 1 and arrow_in == "<->":
                latent.insert(0, Edge(nodes[0], node, bidirected=True))
            junctions.append(Junction(node, kind, f"{nodes[index - 1]} {arrow_in}",
                                      f"{arrow_out} {nodes[index + 1]}",
                                      tuple(told.get(node, ())), tuple(latent),
                                      self.descents if kind == "collider" else None))
        return tuple(junctions)

    @property
    def is_sigma_created(self) -> bool:
        """True when the path uses an edge that only σ's context created."""
        return bool(self.sigma_edges)

    def explain(self) -> tuple[str, ...]:
        """One sentence per interior node, from the regime node towards Y_b; for a path with
        no interior node, one sentence about its single edge."""
        if len(self.nodes) == 2 and self.sigma_edges:
            return (f"{self} is a single edge, and only σ made it: the learned policy "
                    f"{self.nodes[-1]} reads {self.nodes[0]} (its context), which no "
                    f"conditioning can block; drop {self.nodes[0]} from the context",)
        if len(self.nodes) == 2:
            return (f"{self} is a single edge: the regime changes {self.nodes[-1]}'s own "
                    "mechanism, which no conditioning can block",)
        return tuple(junction.reason() for junction in self.junctions)

    def __str__(self) -> str:
        parts = [self.nodes[0]]
        for arrow, node in zip(self.arrows, self.nodes[1:]):
            parts += [arrow, node]
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self), "nodes": list(self.nodes), "arrows": list(self.arrows),
                "kinds": list(self.kinds), "sigma_edges": [str(edge) for edge in self.sigma_edges],
                "junctions": [junction.to_dict() for junction in self.junctions]}


ARROW_LETTERS = {"->": "r", "<-": "l", "<->": "b"}
"""One letter per arrow, so that a path's junctions are found by C-speed string scans."""
_COLLIDERS = re.compile("(?=[rb][lb])")
"""An arrowhead on both sides of a node: the node after each match is a collider."""


def describe(graph: SigmaGraph, raw_paths: Iterable[RawPath], mesa: Collection[str], *,
             prepared: Prepared | None = None) -> tuple[OpenPath, ...]:
    """Turn the engine's (nodes, arrows) into explained, classified :class:`OpenPath` values;
    ``prepared`` (the same query's) lends its descents to Y_m.

    The work per path is a few scans at C speed (the arrows as letters, the colliders by a
    regular expression, the σ targets by a set intersection); the junctions and the descents
    they name are built when read.
    """
    descents = Descents(graph, mesa, None if prepared is None else prepared.down_to_given)
    given = frozenset(mesa)
    heads = frozenset(edge.head for edge in graph.added)
    return tuple(_describe_one(graph, nodes, arrows, descents, given, heads)
                 for nodes, arrows in raw_paths)


def _describe_one(graph: SigmaGraph, nodes: tuple[str, ...], arrows: tuple[str, ...],
                  descents: Descents, given: frozenset[str], heads: frozenset[str]) -> OpenPath:
    letters = "".join(map(ARROW_LETTERS.__getitem__, arrows))
    kinds: list[LeakKind] = [CAUSAL_LEAK if letters.count("r") == len(letters)
                             else SELECTION_LEAK]
    colliders = [nodes[match.start() + 1] for match in _COLLIDERS.finditer(letters)]
    if any(node in given for node in colliders):  # a descent of no edge
        kinds.append(COLLIDER_IN_MESA)
    if any(node not in given for node in colliders):
        kinds.append(COLLIDER_ABOVE_MESA)
    if "b" in letters:
        kinds.append(LATENT)
    sigma_edges = _sigma_edges(graph, nodes, letters, heads)
    if sigma_edges:
        kinds.append(SIGMA_CREATED)
    return OpenPath(nodes, arrows, sigma_edges, tuple(kinds), descents)


def _sigma_edges(graph: SigmaGraph, nodes: tuple[str, ...], letters: str,
                 heads: frozenset[str]) -> tuple[Edge, ...]:
    """The path's σ-added edges, in path order: only edges into a σ-added edge's head can be
    one, and a simple path meets each such head at most once."""
    found: list[tuple[int, Edge]] = []
    for head in heads.intersection(nodes):
        index = nodes.index(head)
        if index > 0 and letters[index - 1] == "r" and graph.is_added(nodes[index - 1], head):
            found.append((index - 1, Edge(nodes[index - 1], head)))
        if (index + 1 < len(nodes) and letters[index] == "l"
                and graph.is_added(nodes[index + 1], head)):
            found.append((index, Edge(nodes[index + 1], head)))
    return tuple(edge for _, edge in sorted(found, key=lambda item: item[0]))


@dataclass(frozen=True)
class BlockedPath:
    """A path from a regime node to Y_b that is *not* open, and the first node that blocks it:
    a chain or fork in Y_m (``"conditioned"``), or a collider outside An(Y_m)
    (``"collider"``).

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> from causal_align.intervention import sigma_graph
    >>> g = sigma_graph(CausalGraph.from_edges(["s -> M", "M -> Y"], regime="s"))
    >>> print(blocked_paths(g, {"s"}, {"Y"}, {"M"}, limit=5)[0])
    s -> M -> Y: blocked at M, a chain conditioned on (it is in Y_m)
    """

    nodes: tuple[str, ...]
    arrows: tuple[str, ...]
    at: str
    reason: str

    def __str__(self) -> str:
        parts = [self.nodes[0]]
        for arrow, node in zip(self.arrows, self.nodes[1:]):
            parts += [arrow, node]
        return f"{' '.join(parts)}: blocked at {self.at}, {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": " ".join(str(self).split(": blocked at")[0].split()),
                "nodes": list(self.nodes), "arrows": list(self.arrows), "at": self.at,
                "reason": self.reason}


BLOCKED_WORK = 20_000
"""Most path prefixes :func:`blocked_paths` extends: the listing is bounded, shortest first."""


def blocked_paths(graph: SigmaGraph, sources: Collection[str], targets: Collection[str],
                  given: Collection[str], *, limit: int,
                  work: int = BLOCKED_WORK) -> tuple[BlockedPath, ...]:
    """Up to ``limit`` proper paths from ``sources`` to ``targets`` in G_σ that ``given``
    blocks, shortest first, each with where and why (what dagitty users expect to see beside
    an aligned verdict). Breadth-first over simple paths, at most ``work`` prefixes extended.
    """
    ancestry = ancestors(graph, given)
    given_set, ends = set(given), set(sources) | set(targets)
    found: list[BlockedPath] = []
    queue: deque[tuple[tuple[str, ...], tuple[str, ...]]] = deque(
        ((source,), ()) for source in sorted(sources))
    while queue and work > 0 and len(found) < limit:
        work -= 1
        nodes, arrows = queue.popleft()
        here = nodes[-1]
        steps = [(child, "->") for child in graph.children(here)]
        steps += [(parent, "<-") for parent in graph.parents(here)]
        steps += [(spouse, "<->") for spouse in graph.spouses(here)]
        for near, arrow in steps:
            if near in nodes or (near in ends and near not in targets):
                continue
            path, marks = (*nodes, near), (*arrows, arrow)
            if near in targets:
                blocked = _first_block(path, marks, given_set, ancestry)
                if blocked is not None and len(found) < limit:
                    found.append(BlockedPath(path, marks, *blocked))
            else:
                queue.append((path, marks))
    return tuple(found)


def _first_block(nodes: tuple[str, ...], arrows: tuple[str, ...], given: set[str],
                 ancestry: set[str]) -> tuple[str, str] | None:
    """The first interior node that blocks the path, with why; None when the path is open."""
    for node, before, after in zip(nodes[1:-1], arrows, arrows[1:]):
        kind = junction_kind(before != "<-", after != "->")
        if kind == "collider" and node not in ancestry:
            return node, "a collider with no descendant in Y_m"
        if kind != "collider" and node in given:
            return node, f"a {kind} conditioned on (it is in Y_m)"
    return None
