"""What every result states first, and the one place a query's defaults are resolved.

:class:`ResultHeader` holds the graph's name and the query a result answers; every result type
of every layer extends it. :func:`resolve_query` is the step each entry point used to write for
itself: take the graph's default query for what the caller left out, then check the names.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y"], regime="s", base="Y", name="tiny")
>>> resolve_query(graph, mesa="X")
ResultHeader(graph_name='tiny', regime=('s',), base=('Y',), mesa=('X',))
>>> resolve_query(graph, mesa="Z")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  <query on tiny> mesa: unknown node 'Z' in mesa (it is not a node of tiny) [E_UNKNOWN_NODE]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from causal_align.model import CausalGraph, Origin, as_names
from causal_align.validate import PYTHON, Problems, check_query


class HeaderFields(TypedDict):
    """The header as keyword arguments of a result type: ``Result(..., **header.keywords())``."""

    graph_name: str
    regime: tuple[str, ...]
    base: tuple[str, ...]
    mesa: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ResultHeader:
    """The graph a result is about (by name) and its query (Y_b ⊥ regime | Y_m), sorted.

    Keyword-only, so that a result type extending it keeps its own positional fields.
    """

    graph_name: str
    regime: tuple[str, ...]
    base: tuple[str, ...]
    mesa: tuple[str, ...]

    @property
    def graph(self) -> str:
        """The graph's name; kept for code written before ``graph_name`` (same value)."""
        return self.graph_name

    def keywords(self) -> HeaderFields:
        """This header as the keyword arguments of a result that extends it."""
        return HeaderFields(graph_name=self.graph_name, regime=self.regime, base=self.base,
                            mesa=self.mesa)

    @property
    def query(self) -> str:
        """The query as one line of text: ``(Y_b ⊥ s | Y_m)``, with ``∅`` for no Y_m."""
        return (f"({', '.join(self.base)} ⊥ {', '.join(self.regime)} | "
                f"{', '.join(self.mesa) or '∅'})")


def header_of(graph: CausalGraph) -> ResultHeader:
    """The header of a result about ``graph``'s own default query, unchecked (a result that
    does not ask the query, such as the incentives of its decision, still names it)."""
    return ResultHeader(graph_name=graph.name, regime=tuple(sorted(graph.query_regime)),
                        base=tuple(sorted(graph.base)), mesa=tuple(sorted(graph.mesa)))


def resolve_query(graph: CausalGraph, *, base: str | Iterable[str] | None = None,
                  mesa: str | Iterable[str] | None = None,
                  regime: str | Iterable[str] | None = None,
                  require_base: bool = True) -> ResultHeader:
    """The query asked of ``graph``: its defaults where an argument is ``None``, checked.

    Raises :class:`~causal_align.errors.GraphSpecError` naming the graph's file when the query
    is the file's own default, else ``<query on NAME>``.
    """
    header, problems = query_problems(graph, base=base, mesa=mesa, regime=regime,
                                      require_base=require_base)
    problems.raise_if_any()
    return header


def query_problems(graph: CausalGraph, *, base: str | Iterable[str] | None = None,
                   mesa: str | Iterable[str] | None = None,
                   regime: str | Iterable[str] | None = None,
                   require_base: bool = True) -> tuple[ResultHeader, Problems]:
    """:func:`resolve_query` without raising, for a caller that checks more (its σ, its
    model) and reports every problem at once. The header is only meaningful when
    ``problems.found`` is empty."""
    asked = {"base": graph.base if base is None else base,
             "mesa": graph.mesa if mesa is None else mesa,
             "regime": graph.query_regime if regime is None else regime}
    as_filed = (graph.source != PYTHON and mesa is None and regime is None and
                (base is None or frozenset(as_names(base)) == graph.base))
    problems = Problems(Origin(graph.source if as_filed else f"<query on {graph.name}>"))
    check_query(asked["base"], asked["mesa"], asked["regime"], graph.node_set, graph.regime,
                problems, require_base=require_base, where="query." if as_filed else "",
                otherwise=f"it is not a node of {graph.name}")

    def names(role: str) -> tuple[str, ...]:
        value = asked[role]
        return () if value is None or value == "" else tuple(sorted(set(as_names(value))))

    return ResultHeader(graph_name=graph.name, regime=names("regime"), base=names("base"),
                        mesa=names("mesa")), problems
