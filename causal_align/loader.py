"""YAML → schema → semantic checks → CausalGraph, with every problem positioned by line.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate keys, so
we compose the document into nodes (which keep their marks), turn them into plain data ourselves,
recording the line of every location (``edges[3]``, ``sigma[0].context``) and refusing duplicate
keys, then check the shape with :mod:`causal_align.schema` and the meaning with
:class:`~causal_align.model.CausalGraph`. All problems are collected and raised once.

Examples
--------
>>> graph = parse_graph('''
... nodes: {s: regime, X: cause, Y_b: base, Y_m: mesa}
... edges: [s -> X, X -> Y_m, X -> Y_b]
... regime: s
... query: {base: Y_b, mesa: Y_m}
... ''')
>>> graph.children("X")
('Y_b', 'Y_m')
>>> parse_graph(dump_graph(graph)) == graph
True
>>> parse_graph("nodes: {s: r}\\nedges: [s -> Y]\\nregime: s", source="g.yaml")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  g.yaml:2 edges[0]: unknown node 'Y' in "s -> Y" (declare it under nodes:) [E_UNKNOWN_NODE]
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from causal_align.errors import shown
from causal_align.limits import Limits, read_text, too_large
from causal_align.model import CausalGraph, Origin, Query, SoftIntervention
from causal_align.schema import KEYS, GraphFile, QueryFile
from causal_align.validate import Problems, check_query, check_sigma
from causal_align.yamldoc import read_yaml, spot

Document = tuple[CausalGraph, dict[str, Any], Origin]
"""A graph file as read: the graph, the plain YAML data, and where each part was."""
Shape = TypeVar("Shape", bound=BaseModel)


def load_graph(path: str | Path, *, limits: Limits = Limits()) -> CausalGraph:
    """Read a graph file; its name defaults to the file stem.

    Raises
    ------
    GraphSpecError
        When the file cannot be read, is over a limit, or is invalid; every problem is listed.
    """
    path = Path(path)
    return parse_graph(read_text(path, limits), source=str(path), default_name=path.stem,
                       limits=limits)


def parse_graph(text: str, *, source: str = "<string>", default_name: str = "graph",
                limits: Limits = Limits()) -> CausalGraph:
    """Read a graph from YAML text; ``source`` names it in error messages."""
    return read_graph_document(text, source=source, default_name=default_name, limits=limits)[0]


def read_graph_document(text: str, *, source: str = "<string>", default_name: str = "graph",
                        limits: Limits = Limits()) -> Document:
    """The graph, the document's plain data and its origin (for sections read elsewhere).

    :mod:`causal_align.quantities.parameters` reads the ``model:`` section from the data,
    positioning its problems with the origin's lines.
    """
    if len(text) > limits.max_bytes:
        raise too_large(f"the text is {len(text):,} characters", limits.max_bytes,
                         "--max-bytes", "max_bytes", source)
    with _collector_paused():
        return _build_graph(text, source, default_name, limits)


def _build_graph(text: str, source: str, default_name: str,
                 limits: Limits) -> Document:
    data, lines = read_yaml(text, source, limits)
    origin = Origin(source, lines)
    spec = validated(GraphFile, data, origin)
    graph = CausalGraph(edges=spec.edges, origin=origin,
                        **graph_arguments(spec, data, default_name))
    return graph, data, origin


def graph_arguments(spec: GraphFile, data: dict[str, Any], default_name: str) -> dict[str, Any]:
    """The keyword arguments of :class:`CausalGraph` (all but edges and origin) from a checked
    file: the plain ``data`` keeps ``s`` apart from ``[s]``, which the spec does not."""
    query = data.get("query") or {}
    return {"nodes": {name: node.label for name, node in spec.nodes.items()},
            "regime": data["regime"], "base": query.get("base"), "mesa": query.get("mesa"),
            "query_regime": query.get("regime"),
            "sigma": [SoftIntervention(item.target, item.context) for item in spec.sigma],
            "name": spec.name or default_name, "description": spec.description,
            "utility": data.get("utility"), "decision": spec.decision,
            "unobserved": [name for name, node in spec.nodes.items() if not node.observed],
            "positions": {name: node.position for name, node in spec.nodes.items()
                          if node.position is not None}}


def load_queries(path: str | Path, graph: CausalGraph, *,
                 limits: Limits = Limits()) -> tuple[Query, ...]:
    """Read a batch of queries against ``graph``, checking every node name against it.

    The file holds ``queries:``, a list of mappings with ``base`` and optionally ``name``,
    ``mesa``, ``regime`` and ``sigma`` (same shape as in a graph file); keys left out take the
    graph's values.

    Raises
    ------
    GraphSpecError
        Every problem, positioned in the query file.
    """
    source = str(path)
    data, lines = read_yaml(read_text(Path(path), limits), source, limits,
                            needs="a query file needs queries:")
    origin = Origin(source, lines)
    spec = validated(QueryFile, data, origin)
    problems = Problems(origin)
    if not spec.queries:
        problems.add("E_EMPTY_SET", "queries", "the query file lists no queries (add at least "
                     "one under queries:)")
    queries = []
    for index, (item, raw) in enumerate(zip(spec.queries, data["queries"])):
        where, unknown = f"queries[{index}].", f"it is not a node of {graph.name}"
        check_query(raw["base"], raw.get("mesa", graph.mesa), raw.get("regime"), graph.node_set,
                    graph.regime, problems, require_base=True, where=where, otherwise=unknown)
        sigma = None if item.sigma is None else tuple(
            SoftIntervention(step.target, step.context) for step in item.sigma)
        if sigma is not None:
            check_sigma(sigma, graph.node_set, graph.regime, graph.parents, graph.children,
                        problems, f"{where}sigma", otherwise=unknown)
        queries.append(Query(item.base, item.mesa, item.regime, sigma,
                             item.name or f"query {index + 1}"))
    problems.raise_if_any()
    return tuple(queries)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a graph is built.

    A big graph is millions of small objects with no reference cycles; with the collector on,
    each generation-2 collection rescans all of them, which is about a third of a large load.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validated(model: type[Shape], data: dict[str, Any], origin: Origin) -> Shape:
    """``data`` checked against ``model``; pydantic's errors rephrased with lines and fixes."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = Problems(origin)
        errors = error.errors()
        # a misspelled key already reported as unknown ("egdes") is not also "missing"
        misspelled = {_close_key(model, item["loc"]) for item in errors
                      if item["type"] == "extra_forbidden"}
        for item in errors:
            if item["type"] != "missing" or tuple(item["loc"]) not in misspelled:
                _add_shape_problem(problems, model, item)
        problems.raise_if_any()
        raise  # unreachable: pydantic reported at least one error


def dump_graph(graph: CausalGraph) -> str:
    """The graph as YAML text, such that ``parse_graph(dump_graph(g)) == g``."""
    document: dict[str, Any] = {"name": graph.name}
    if graph.description:
        document["description"] = graph.description
    document["nodes"] = {node: _node_value(graph, node) for node in graph.nodes}
    document["edges"] = [str(edge) for edge in graph.edges]
    document["regime"] = sorted(graph.regime)
    if graph.sigma:
        document["sigma"] = [{"target": item.target} if item.context is None else
                             {"target": item.target, "context": list(item.context)}
                             for item in graph.sigma]
    query: dict[str, Any] = {}
    if graph.base:
        query["base"] = sorted(graph.base)
    if graph.mesa:
        query["mesa"] = sorted(graph.mesa)
    if graph.query_regime != graph.regime:
        query["regime"] = sorted(graph.query_regime)
    if query:
        document["query"] = query
    if graph.utility:
        document["utility"] = list(graph.utility)
    if graph.decision is not None:
        document["decision"] = graph.decision
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))


def _node_value(graph: CausalGraph, node: str) -> str | dict[str, Any]:
    """A node's label, or a mapping when it is unobserved or has a position."""
    if node not in graph.unobserved and node not in graph.positions:
        return graph.labels[node]
    value: dict[str, Any] = {"label": graph.labels[node]}
    if node in graph.unobserved:
        value["observed"] = False
    if node in graph.positions:
        value["position"] = list(graph.positions[node])
    return value


def _add_shape_problem(problems: Problems, model: type[BaseModel], error: Any) -> None:
    """A pydantic error, rephrased with its YAML location and a fix."""
    loc = list(error["loc"])
    location = ""
    for part in loc:
        part_text = part if isinstance(part, int) else spot(str(part))
        location += f"[{part}]" if isinstance(part, int) else (
            f".{part_text}" if location else str(part_text))
    kind = error["type"]
    if kind in ("model_type", "model_attributes_type") and loc[0] == "nodes" and len(loc) == 2:
        problems.add("E_TYPE", location, "expected a label string (or a mapping with label:), "
                     f"found {_describe(error.get('input'))}")
    elif kind == "extra_forbidden":
        close = _close_key(model, loc)
        allowed = _allowed_keys(model, loc)
        hint = (f"did you mean {close[-1]!r}?" if close else
                "background knowledge and uncertain edges belong to an uncertain diagram, "
                "which causal-align check and uncertain read; this needs one diagram"
                if not location.count(".") and loc[-1] in ("background", "uncertain") else
                f"expected one of: {', '.join(allowed)}")
        problems.add("E_UNKNOWN_KEY", location, f"unknown key {shown(str(loc[-1]))} ({hint})")
    elif kind == "missing":
        problems.add("E_MISSING_KEY", location, f"missing required key {shown(str(loc[-1]))}")
    else:
        found = _describe(error.get("input"))
        expected = {"string_type": "a string", "list_type": "a list", "dict_type": "a mapping",
                    "model_type": "a mapping", "model_attributes_type": "a mapping"}.get(kind)
        problems.add("E_TYPE", location, f"expected {expected}, found {found}" if expected
                     else f"{error['msg']}, found {found}")


def _allowed_keys(model: type[BaseModel], loc: Any) -> list[str]:
    """The keys allowed in the mapping that holds ``loc``'s last key."""
    path = ".".join(str(part) for part in loc[:-1] if isinstance(part, str))
    path = "nodes" if path.startswith("nodes.") else path
    return list((KEYS[path] if path else model).model_fields)


def _close_key(model: type[BaseModel], loc: Any) -> tuple[Any, ...] | None:
    """The location of the allowed key closest to the unknown key at ``loc``, if any is close."""
    allowed = _allowed_keys(model, loc)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
    return (*loc[:-1], close[0]) if close else None


def _describe(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", type(None): "nothing (null)"}
    if type(value) in kinds:
        return kinds[type(value)]
    if isinstance(value, bool):
        return (f"the boolean {value} (YAML reads yes, no, on, off, true and false as booleans: "
                "quote a name that is one of them, e.g. 'no')")
    return f"{type(value).__name__} {shown(value)}"
