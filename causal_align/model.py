"""The causal diagram: nodes, directed and bidirected edges, regime nodes, σ and the default query.

A :class:`CausalGraph` is immutable and valid by construction: every check of
:mod:`causal_align.validate` runs once, in the constructor, and a failure raises
:class:`~causal_align.errors.GraphSpecError` listing every problem. Adjacency is prepared at the
same time, so queries never re-validate or copy the graph.

Examples
--------
>>> graph = CausalGraph.from_edges(
...     ["s -> C", "C -> O", "O -> D_m", "D_m -> Y_m", "C -> Y_b"],
...     regime="s", sigma=[SoftIntervention("D_m", context=["O"])], base="Y_b", mesa="Y_m")
>>> graph.children("C")
('O', 'Y_b')
>>> sorted(graph.regime), sorted(graph.base), graph.sigma[0].context
(['s'], ['Y_b'], ('O',))
>>> CausalGraph.from_edges(["A -> B", "B -> A"], regime="s")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  <python> edges[0]: directed cycle A -> B -> A (remove one of its edges) [E_CYCLE]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from causal_align import validate

_EDGE = re.compile(rf"\s*({validate.NAME})\s*(<->|->)\s*({validate.NAME})\s*\Z")
_NAME_MATCH = re.compile(rf"{validate.NAME}\Z").match


class Edge(NamedTuple):
    """A directed edge ``tail -> head`` or a bidirected edge ``tail <-> head`` (latent common
    cause).

    Examples
    --------
    >>> Edge.parse("C -> O")
    Edge(tail='C', head='O', bidirected=False)
    >>> str(Edge("A", "B", bidirected=True))
    'A <-> B'
    >>> Edge.parse("C => O") is None
    True
    """

    tail: str
    head: str
    bidirected: bool = False

    @classmethod
    def parse(cls, text: str) -> Edge | None:
        """Read ``"A -> B"`` or ``"A <-> B"``; ``None`` when ``text`` is not one edge."""
        parts = text.split()
        if len(parts) == 3 and _NAME_MATCH(parts[0]) and _NAME_MATCH(parts[2]):
            arrow = parts[1]  # the usual spelling, "A -> B", read without the full pattern
            if arrow == "->" or arrow == "<->":
                return cls(parts[0], parts[2], arrow == "<->")
        match = _EDGE.match(text)
        if match is None:
            return None
        tail, arrow, head = match.groups()
        return cls(tail, head, arrow == "<->")

    def key(self) -> tuple[str, str, bool]:
        """Identity for duplicate detection: ``A <-> B`` and ``B <-> A`` are the same edge."""
        if self.bidirected and self.head < self.tail:
            return (self.head, self.tail, True)
        return (self.tail, self.head, self.bidirected)

    def __str__(self) -> str:
        return f"{self.tail} {'<->' if self.bidirected else '->'} {self.head}"


@dataclass(frozen=True)
class SoftIntervention:
    """σ: the learned policy replaces ``target``'s mechanism by P*(target | context).

    ``context=None`` means "the target's current directed parents"; ``()`` is an open-loop policy.

    Examples
    --------
    >>> SoftIntervention("D_m", context=["O", "C"]).context
    ('O', 'C')
    >>> SoftIntervention("D_m").context is None
    True
    """

    target: str
    context: tuple[str, ...] | None = None

    def __init__(self, target: str, context: Iterable[str] | None = None) -> None:
        object.__setattr__(self, "target", target)
        if isinstance(context, str):
            context = (context,)
        object.__setattr__(self, "context", None if context is None else tuple(context))

    def __str__(self) -> str:
        reads = "its parents" if self.context is None else ", ".join(self.context) or "nothing"
        return f"σ({self.target}) reads {reads}"


@dataclass(frozen=True)
class Query:
    """One alignment question about a graph; ``None`` fields fall back to the graph's own.

    Examples
    --------
    >>> Query(base="Y_b", mesa=["Y_m"], name="default").base
    ('Y_b',)
    """

    base: tuple[str, ...]
    mesa: tuple[str, ...] | None = None
    regime: tuple[str, ...] | None = None
    sigma: tuple[SoftIntervention, ...] | None = None
    name: str = ""

    def __init__(self, base: str | Iterable[str], mesa: str | Iterable[str] | None = None,
                 regime: str | Iterable[str] | None = None,
                 sigma: Iterable[SoftIntervention] | None = None, name: str = "") -> None:
        object.__setattr__(self, "base", as_names(base))
        object.__setattr__(self, "mesa", None if mesa is None else as_names(mesa))
        object.__setattr__(self, "regime", None if regime is None else as_names(regime))
        object.__setattr__(self, "sigma", None if sigma is None else tuple(sigma))
        object.__setattr__(self, "name", name)


@dataclass(frozen=True)
class Origin:
    """Where a graph's parts came from, for error messages: a file name and the line of each
    location."""

    source: str = validate.PYTHON
    lines: Mapping[str, int] = field(default_factory=dict)


def as_names(value: str | Iterable[str]) -> tuple[str, ...]:
    """One name or many, as a tuple: ``as_names("Y") == ("Y",)``."""
    return (value,) if isinstance(value, str) else tuple(value)


def _as_edge(item: object) -> Edge | None:
    if isinstance(item, Edge):
        return item
    return Edge.parse(item) if isinstance(item, str) else None


class CausalGraph:
    """An acyclic causal diagram with regime nodes, soft interventions and a default query.

    Parameters
    ----------
    nodes : Mapping[str, str] or Iterable[str]
        Every node, optionally with a human-readable label.
    edges : Iterable[str or Edge]
        ``"A -> B"`` (cause -> effect) or ``"A <-> B"`` (latent common cause).
    regime : str or Iterable[str]
        The regime nodes ``s`` (training vs deployment); exogenous, pointing at changed mechanisms.
    sigma : Iterable[SoftIntervention]
        The learned policy's soft interventions.
    base, mesa : str or Iterable[str], optional
        The default query's base objective Y_b (non-empty when given) and mesa objective Y_m.
    query_regime : str or Iterable[str], optional
        The regime nodes the default query asks about; default: all of ``regime``.
    name, description : str
        Free text.
    utility : str or Iterable[str], optional
        The utility nodes: the reward the base optimizer trains on (for the incentives layer).
    decision : str, optional
        The agent's decision node; default: the σ target.
    unobserved : Iterable[str]
        Nodes nothing can measure: never suggested for monitoring or measurement.
    positions : Mapping[str, Sequence[float]], optional
        Drawing positions kept for editors; they never change an answer.
    origin : Origin, optional
        Source file and line numbers, used only to position error messages.

    Raises
    ------
    GraphSpecError
        Listing every problem (unknown nodes, cycles, a regime node with parents, ...).
    """

    __slots__ = ("name", "description", "nodes", "labels", "edges", "regime", "sigma", "base",
                 "mesa", "query_regime", "utility", "decision", "unobserved", "positions", "source",
                 "memo",
                 "_parents", "_children", "_spouses")

    def __init__(
        self,
        nodes: Mapping[str, str] | Iterable[str],
        edges: Iterable[str | Edge],
        *,
        regime: str | Iterable[str],
        sigma: Iterable[SoftIntervention] = (),
        base: str | Iterable[str] | None = None,
        mesa: str | Iterable[str] | None = None,
        query_regime: str | Iterable[str] | None = None,
        name: str = "graph",
        description: str = "",
        utility: str | Iterable[str] | None = None,
        decision: str | None = None,
        unobserved: Iterable[str] = (),
        positions: Mapping[str, Sequence[float]] | None = None,
        origin: Origin | None = None,
    ) -> None:
        labels = dict(nodes) if isinstance(nodes, Mapping) else {node: "" for node in nodes}
        node_list = list(labels) if isinstance(nodes, Mapping) else list(nodes)
        edge_items = [(item, _as_edge(item)) for item in edges]
        roles = validate.Roles(tuple(as_names(utility or ())), decision, tuple(unobserved),
                               {node: tuple(xy) for node, xy in (positions or {}).items()})
        parsed = validate.check_graph(
            node_list, edge_items, regime=regime, sigma=tuple(sigma), base=base, mesa=mesa,
            query_regime=query_regime, origin=origin or Origin(), roles=roles)
        self.name = name
        self.description = description
        self.nodes: tuple[str, ...] = tuple(node_list)
        self.labels: Mapping[str, str] = labels
        self.edges: tuple[Edge, ...] = tuple(edge for _, edge in edge_items if edge is not None)
        self.regime = frozenset(as_names(regime))
        self.sigma: tuple[SoftIntervention, ...] = tuple(sigma)
        self.base = frozenset(as_names(base or ()))
        self.mesa = frozenset(as_names(mesa or ()))
        self.query_regime = (self.regime if query_regime is None
                             else frozenset(as_names(query_regime)))
        self.utility: tuple[str, ...] = tuple(sorted(set(roles.utility)))
        self.decision: str | None = decision
        self.unobserved: frozenset[str] = frozenset(roles.unobserved)
        self.positions: Mapping[str, tuple[float, ...]] = dict(roles.positions)
        self.source: str = (origin or Origin()).source
        """Where the graph was read from (a file name, ``<string>``, ``<python>``), for
        messages about its default query."""
        self._parents, self._children, self._spouses = parsed
        self.memo: dict[str, object] = {}
        """Structures derived from this graph (immutable, so they never go stale) and kept for
        later queries: the flat G_σ of its own interventions."""

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "memo"):  # set last: the graph is complete, and stays as validated
            raise AttributeError(f"a CausalGraph cannot be changed (build a new one to set "
                                 f"{name!r})")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a CausalGraph cannot be changed (cannot delete {name!r})")

    def __getstate__(self) -> dict[str, object]:
        """For pickle and copy: every slot but the memo, which is rebuilt when needed."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "memo"}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "memo", {})

    @classmethod
    def from_edges(
        cls,
        edges: Iterable[str | Edge],
        *,
        regime: str | Iterable[str],
        nodes: Mapping[str, str] | Iterable[str] = (),
        **options: object,
    ) -> CausalGraph:
        """Build a graph whose nodes are those named in ``edges``, ``regime`` and ``nodes``.

        Examples
        --------
        >>> CausalGraph.from_edges(["s -> X", "X <-> Y"], regime="s").nodes
        ('s', 'X', 'Y')
        """
        edge_list = [_as_edge(item) or item for item in edges]  # parse once; keep the bad ones
        labels = dict(nodes) if isinstance(nodes, Mapping) else {node: "" for node in nodes}
        for edge in edge_list:
            if isinstance(edge, Edge):
                labels.setdefault(edge.tail, "")
                labels.setdefault(edge.head, "")
        for node in as_names(regime):
            labels.setdefault(node, "")
        return cls(labels, edge_list, regime=regime, **options)  # type: ignore[arg-type]

    @property
    def node_set(self) -> KeysView[str]:
        """The nodes as a set-like view (no copy), for fast membership tests."""
        return self._parents.keys()

    def adjacency(self) -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]],
                                 Mapping[str, tuple[str, ...]]]:
        """Every node's parents, children and spouses (read only; for building G_σ)."""
        return self._parents, self._children, self._spouses

    def parents(self, node: str) -> tuple[str, ...]:
        """Directed parents of ``node`` in G, sorted."""
        return self._parents[node]

    def children(self, node: str) -> tuple[str, ...]:
        """Directed children of ``node`` in G, sorted."""
        return self._children[node]

    def spouses(self, node: str) -> tuple[str, ...]:
        """Nodes sharing a latent common cause (``<->``) with ``node`` in G, sorted."""
        return self._spouses[node]

    def _key(self) -> tuple[object, ...]:
        return (self.name, self.description, self.nodes, tuple(self.labels.items()),
                frozenset(edge.key() for edge in self.edges), self.regime, self.sigma,
                self.base, self.mesa, self.query_regime, self.utility, self.decision,
                self.unobserved, tuple(sorted(self.positions.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CausalGraph) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"<CausalGraph {self.name!r}: {len(self.nodes)} nodes, {len(self.edges)} edges, "
                f"regime {sorted(self.regime)}>")
