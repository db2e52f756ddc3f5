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
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from causal_align.errors import GraphSpecError, Problem
from causal_align.model import CausalGraph, Origin, SoftIntervention
from causal_align.schema import KEYS, GraphFile
from causal_align.validate import Problems

MAX_VALUES = 1_000_000
"""Most YAML values a file may expand to (aliases included): refuses "billion laughs" files."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_graph(path: str | Path) -> CausalGraph:
    """Read a graph file; its name defaults to the file stem.

    Raises
    ------
    GraphSpecError
        When the file cannot be read or is invalid; every problem is listed.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GraphSpecError([Problem("E_FILE", f"cannot read the file: {error.strerror}",
                                      source=str(path))]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GraphSpecError([Problem("E_ENCODING", f"not UTF-8 text: byte {error.start} is "
                                      f"0x{data[error.start]:02x} (save the file as UTF-8)",
                                      source=str(path))]) from None
    return parse_graph(text, source=str(path), default_name=path.stem)


def parse_graph(text: str, *, source: str = "<string>", default_name: str = "graph") -> CausalGraph:
    """Read a graph from YAML text; ``source`` names it in error messages."""
    data, lines = _read_yaml(text, source)
    origin = Origin(source, lines)
    try:
        spec = GraphFile.model_validate(data)
    except ValidationError as error:
        problems = Problems(origin)
        for item in error.errors():
            _add_shape_problem(problems, item)
        problems.raise_if_any()
        raise  # unreachable: pydantic reported at least one error
    query = data.get("query") or {}  # the validated raw values keep "s" apart from "[s]"
    return CausalGraph(
        {name: node.label for name, node in spec.nodes.items()}, spec.edges,
        regime=data["regime"], base=query.get("base", ()), mesa=query.get("mesa", ()),
        query_regime=query.get("regime"),
        sigma=[SoftIntervention(item.target, item.context) for item in spec.sigma],
        name=spec.name or default_name, description=spec.description, origin=origin)


def dump_graph(graph: CausalGraph) -> str:
    """The graph as YAML text, such that ``parse_graph(dump_graph(g)) == g``."""
    document: dict[str, Any] = {"name": graph.name}
    if graph.description:
        document["description"] = graph.description
    document["nodes"] = {node: graph.labels[node] for node in graph.nodes}
    document["edges"] = [str(edge) for edge in graph.edges]
    document["regime"] = sorted(graph.regime)
    if graph.sigma:
        document["sigma"] = [{"target": item.target} if item.context is None else
                             {"target": item.target, "context": list(item.context)}
                             for item in graph.sigma]
    if graph.base or graph.mesa:
        query: dict[str, Any] = {"base": sorted(graph.base), "mesa": sorted(graph.mesa)}
        if graph.query_regime != graph.regime:
            query["regime"] = sorted(graph.query_regime)
        document["query"] = query
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _read_yaml(text: str, source: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Plain data and the 1-based line of every location, refusing duplicate keys."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = None if mark is None else mark.line + 1
        column = "" if mark is None else f", column {mark.column + 1}"
        raise GraphSpecError([Problem("E_YAML_SYNTAX", f"not valid YAML{column}: {error.problem}",
                                      line=line, source=source)]) from None
    except (yaml.YAMLError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise GraphSpecError([Problem("E_YAML_SYNTAX", f"not valid YAML: {reason}",
                                      source=source)]) from None
    if root is None:
        raise GraphSpecError([Problem("E_EMPTY_FILE", "the file is empty (a graph needs nodes:, "
                                      "edges: and regime:)", line=1, source=source)])
    if not isinstance(root, yaml.MappingNode):
        raise GraphSpecError([Problem("E_NOT_MAPPING", "the document must be a mapping with "
                                      "nodes:, edges: and regime:, found a "
                                      f"{'list' if isinstance(root, yaml.SequenceNode) else 'scalar'}",
                                      line=root.start_mark.line + 1, source=source)])
    return _to_data(root, source)


def _to_data(root: yaml.Node, source: str) -> tuple[dict[str, Any], dict[str, int]]:
    constructor = yaml.constructor.SafeConstructor()
    lines: dict[str, int] = {"": root.start_mark.line + 1}
    problems: list[Problem] = []
    values = 0
    result: dict[str, Any] = {}
    # each job: (yaml node, location, container to fill, key or index in that container)
    jobs: list[tuple[yaml.Node, str, Any, Any]] = [(root, "", {"": result}, "")]
    while jobs:
        node, location, container, slot = jobs.pop()
        values += 1
        if values > MAX_VALUES:
            raise GraphSpecError([Problem("E_TOO_LARGE", f"the document expands to more than "
                                          f"{MAX_VALUES:,} values (an alias bomb?)", source=source)])
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = result if node is root else {}
            container[slot] = mapping
            for key_node, value_node in node.value:
                key = constructor.construct_object(key_node) if isinstance(
                    key_node, yaml.ScalarNode) else f"<{key_node.id}>"
                spot = f"{location}.{key}" if location else str(key)
                if key in mapping:
                    code = "E_DUPLICATE_NODE" if location == "nodes" else "E_DUPLICATE_KEY"
                    what = "node" if location == "nodes" else "key"
                    problems.append(Problem(code, f"{what} {key!r} appears twice (first on line "
                                            f"{lines[spot]}; remove one)", spot,
                                            key_node.start_mark.line + 1, source))
                    continue
                lines[spot] = key_node.start_mark.line + 1
                mapping[key] = None
                jobs.append((value_node, spot, mapping, key))
        elif isinstance(node, yaml.SequenceNode):
            sequence: list[Any] = [None] * len(node.value)
            container[slot] = sequence
            for index, item in enumerate(node.value):
                spot = f"{location}[{index}]"
                lines[spot] = item.start_mark.line + 1
                jobs.append((item, spot, sequence, index))
        else:
            container[slot] = constructor.construct_object(node)
    if problems:
        raise GraphSpecError(sorted(problems, key=lambda problem: problem.line or 0))
    return result, lines


def _add_shape_problem(problems: Problems, error: Any) -> None:
    """A pydantic error, rephrased with its YAML location and a fix."""
    loc = [part for part in error["loc"] if part != "[key]"]
    location = ""
    for part in loc:
        location += f"[{part}]" if isinstance(part, int) else f".{part}" if location else str(part)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = list(KEYS[str(loc[0]) if len(loc) > 1 else ""].model_fields)
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(allowed)}"
        problems.add("E_UNKNOWN_KEY", location, f"unknown key {key!r} ({hint})")
    elif kind == "missing":
        problems.add("E_MISSING_KEY", location, f"missing required key {str(loc[-1])!r}")
    else:
        found = _describe(error.get("input"))
        expected = {"string_type": "a string", "list_type": "a list", "dict_type": "a mapping",
                    "model_type": "a mapping", "model_attributes_type": "a mapping"}.get(kind)
        problems.add("E_TYPE", location, f"expected {expected}, found {found}" if expected
                     else f"{error['msg']}, found {found}")


def _describe(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", type(None): "nothing (null)"}
    if type(value) in kinds:
        return kinds[type(value)]
    return f"{type(value).__name__} {value!r}"
