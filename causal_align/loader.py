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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.model import CausalGraph, Origin, Query, SoftIntervention
from causal_align.schema import KEYS, GraphFile, QueryFile
from causal_align.validate import Problems, check_query, check_sigma

@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from costing unbounded time or memory.

    Every limit is checked before the work it bounds. Raise them for big graphs, e.g.
    ``load_graph(path, limits=Limits(max_bytes=200_000_000, max_nodes=5_000_000))`` or
    ``causal-align check --max-bytes 200000000 --max-nodes 5000000``.

    Parameters
    ----------
    max_bytes : int
        Largest file (or text) read; 64 MiB by default, enough for a million-edge graph.
    max_nodes : int
        Most nodes a graph may declare.
    max_alias_values : int
        Most values that YAML aliases (``*name``) may add: refuses "billion laughs" files.
    max_depth : int
        Deepest nesting of lists and mappings (a graph file needs 4).
    """

    max_bytes: int = 64 * 2**20
    max_nodes: int = 2_000_000
    max_alias_values: int = 100_000
    max_depth: int = 64


def _too_large(what: str, limit: int, flag: str, field: str, source: str) -> GraphSpecError:
    return GraphSpecError([Problem("E_TOO_LARGE", f"{what}, more than the limit of {limit:,} "
                                   f"(raise it with {flag} or Limits({field}=...))",
                                   source=source)])

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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

    :mod:`causal_align.parameters` reads the ``model:`` section from the data, positioning its
    problems with the origin's lines.
    """
    if len(text) > limits.max_bytes:
        raise _too_large(f"the text is {len(text):,} characters", limits.max_bytes,
                         "--max-bytes", "max_bytes", source)
    with _collector_paused():
        return _build_graph(text, source, default_name, limits)


def _build_graph(text: str, source: str, default_name: str,
                 limits: Limits) -> Document:
    data, lines = _read_yaml(text, source, limits)
    origin = Origin(source, lines)
    spec = _validated(GraphFile, data, origin)
    query = data.get("query") or {}  # the validated raw values keep "s" apart from "[s]"
    graph = CausalGraph(
        {name: node.label for name, node in spec.nodes.items()}, spec.edges,
        regime=data["regime"], base=query.get("base"), mesa=query.get("mesa"),
        query_regime=query.get("regime"),
        sigma=[SoftIntervention(item.target, item.context) for item in spec.sigma],
        name=spec.name or default_name, description=spec.description,
        utility=data.get("utility"), decision=spec.decision,
        unobserved=[name for name, node in spec.nodes.items() if not node.observed],
        positions={name: node.position for name, node in spec.nodes.items()
                   if node.position is not None}, origin=origin)
    return graph, data, origin


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
    data, lines = _read_yaml(read_text(Path(path), limits), source, limits)
    origin = Origin(source, lines)
    spec = _validated(QueryFile, data, origin)
    problems = Problems(origin)
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


def read_text(path: Path, limits: Limits = Limits()) -> str:
    """The file's text, refusing files over the size limit before reading them."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise _too_large(f"the file is {size:,} bytes", limits.max_bytes, "--max-bytes",
                             "max_bytes", str(path))
        data = path.read_bytes()
    except OSError as error:
        raise GraphSpecError([Problem("E_FILE", f"cannot read the file: {error.strerror}",
                                      source=str(path))]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GraphSpecError([Problem("E_ENCODING", f"not UTF-8 text: byte {error.start} is "
                                      f"0x{data[error.start]:02x} (save the file as UTF-8)",
                                      line=data.count(b"\n", 0, error.start) + 1,
                                      source=str(path))]) from None


def _validated(model: type[Shape], data: dict[str, Any], origin: Origin) -> Shape:
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
    if graph.base or graph.mesa:
        query: dict[str, Any] = {"base": sorted(graph.base), "mesa": sorted(graph.mesa)}
        if graph.query_regime != graph.regime:
            query["regime"] = sorted(graph.query_regime)
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


LIBYAML_MAX_DEPTH = 999
"""The deepest nesting libyaml 0.2.5 and later (PyYAML 6.0.4's wheels) parse; it refuses more."""


def _read_yaml(text: str, source: str, limits: Limits) -> tuple[dict[str, Any], Lines]:
    """Plain data and the 1-based line of every location, refusing duplicate keys."""
    reader = _Reader(source, limits)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            reader.feed(event)
    except yaml.MarkedYAMLError as error:
        raise GraphSpecError([_syntax_problem(error, text, source, limits)]) from None
    except yaml.reader.ReaderError as error:
        character = error.character if isinstance(error.character, int) else 0
        at = max(text.find(chr(character)), 0)  # the C reader counts bytes, not characters
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise GraphSpecError([Problem(
            "E_YAML_SYNTAX", f"not valid YAML, column {column}: the control character "
            f"U+{character:04X} is not allowed (remove it)", line=text.count("\n", 0, at) + 1,
            source=source)]) from None
    except UnicodeEncodeError as error:
        raise GraphSpecError([Problem(
            "E_ENCODING", f"the text holds a lone surrogate at character {error.start} "
            "(not valid Unicode)", line=text.count("\n", 0, error.start) + 1,
            source=source)]) from None
    except yaml.YAMLError as error:
        raise GraphSpecError([Problem("E_YAML_SYNTAX", f"not valid YAML: {error}",
                                      source=source)]) from None
    return reader.finish()


def _line_of(event: yaml.Event) -> int:
    """The 1-based line an event starts on (the C parser always sets marks)."""
    assert event.start_mark is not None
    return int(event.start_mark.line) + 1


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, source: str,
                    limits: Limits) -> Problem:
    mark = error.problem_mark or error.context_mark
    where = "" if mark is None else f", column {mark.column + 1}"
    problem = str(error.problem)
    if "maximum nesting depth" in problem:  # libyaml >= 0.2.5 (PyYAML 6.0.4) stops by itself
        depth = min(limits.max_depth, LIBYAML_MAX_DEPTH)
        return Problem("E_TOO_DEEP", f"nested deeper than {depth} levels",
                       line=None if mark is None else mark.line + 1, source=source)
    if mark is not None and "cannot start any token" in problem:
        line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
        if line[mark.column:mark.column + 1] == "\t":
            return Problem("E_YAML_SYNTAX", f"not valid YAML{where}: found a tab character "
                           "(YAML indents with spaces, not tabs)", line=mark.line + 1,
                           source=source)
    if error.context and error.context_mark is not None and error.context_mark is not mark:
        problem += (f" ({error.context} on line {error.context_mark.line + 1}, column "
                    f"{error.context_mark.column + 1})")
    return Problem("E_YAML_SYNTAX", f"not valid YAML{where}: {problem}",
                   line=None if mark is None else mark.line + 1, source=source)


class _Frame:
    """An open mapping or sequence: where it sits and, for a mapping, the key awaiting a value."""

    __slots__ = ("value", "location", "anchor", "size", "key", "item_lines")

    def __init__(self, value: Any, location: str, anchor: str | None,
                 item_lines: list[int]) -> None:
        self.value, self.location, self.anchor = value, location, anchor
        self.size: int = 1
        self.key: str | None = None
        self.item_lines = item_lines


class Lines(Mapping[str, int]):
    """The 1-based line of every location: mapping keys one by one, and the items of each list
    as one list of lines (a million edges cost a list of ints, not a million strings).

    Examples
    --------
    >>> lines = Lines()
    >>> lines.at["edges"] = 3
    >>> lines.in_lists["edges"] = [4, 5]
    >>> lines["edges[1]"], "edges[2]" in lines, len(lines)
    (5, False, 3)
    """

    def __init__(self) -> None:
        self.at: dict[str, int] = {}
        self.in_lists: dict[str, list[int]] = {}

    def __getitem__(self, location: str) -> int:
        found = self.at.get(location)
        if found is not None:
            return found
        parent, _, index = location[:-1].rpartition("[")
        lines = self.in_lists.get(parent) if location.endswith("]") else None
        if lines is not None and index.isdigit() and int(index) < len(lines):
            return lines[int(index)]
        raise KeyError(location)

    def __iter__(self) -> Iterator[str]:
        yield from self.at
        for parent, lines in self.in_lists.items():
            yield from (f"{parent}[{index}]" for index in range(len(lines)))

    def __len__(self) -> int:
        return len(self.at) + sum(len(lines) for lines in self.in_lists.values())


class _Reader:
    """Builds plain data from PyYAML events without recursion.

    Mapping keys stay the text they were written as (``no:`` is the name "no", not False).
    Aliases share their anchor's value, but count its full size against the alias limit.
    """

    _SCALARS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:float", "tag:yaml.org,2002:str"}

    _MAY_RESOLVE = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
    """First characters of plain scalars that may be numbers, booleans or null."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.lines = Lines()
        self.root: Any = None
        self.documents = self.aliased = self.nodes = 0
        self.problems: list[Problem] = []
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, code: str, message: str, mark: Any) -> NoReturn:
        raise GraphSpecError([Problem(code, message, line=mark.line + 1, source=self.source)])

    def feed(self, event: yaml.Event) -> None:
        if type(event) is yaml.ScalarEvent:  # most events: test it first
            self._scalar(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail("E_YAML_SYNTAX", "more than one YAML document (a graph file holds one; "
                          "remove the second ---)", event.start_mark)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._check_tag(event, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
            deepest = min(self.limits.max_depth, LIBYAML_MAX_DEPTH)
            if len(self.stack) >= deepest:
                self.fail("E_TOO_DEEP", f"nested deeper than {deepest} levels", event.start_mark)
            value: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            location = self._place(value, event.start_mark, container=True)
            self.stack.append(_Frame(value, location, event.anchor,
                                     self.lines.in_lists.setdefault(location, [])))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            self._grow(frame.size, event.start_mark)
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.value, frame.size)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                self.fail("E_YAML_SYNTAX", f"not valid YAML: unknown alias *{event.anchor}",
                          event.start_mark)
            value, size = self.anchors[event.anchor]
            self._grow(size, event.start_mark, aliased=True)
            self._place(value, event.start_mark)

    def _check_tag(self, event: Any, kind: str) -> None:
        if event.tag not in (None, "!", f"tag:yaml.org,2002:{kind}"):
            self.fail("E_YAML_FEATURE", f"unknown tag {shown(event.tag)} (remove it)", event.start_mark)

    def _grow(self, size: int, mark: Any, *, aliased: bool = False) -> None:
        if self.stack:
            self.stack[-1].size += size
        if aliased:
            self.aliased += size
            if self.aliased > self.limits.max_alias_values:
                self.fail("E_TOO_LARGE", f"aliases expand to more than "
                          f"{self.limits.max_alias_values:,} values (an alias bomb? raise the "
                          "limit with --max-alias-values or Limits(max_alias_values=...))", mark)

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            self._key(frame, event)
            return
        tag = event.tag
        if tag is None and not (event.implicit[0] and event.value[:1] in self._MAY_RESOLVE):
            tag = "tag:yaml.org,2002:str"  # quoted, or no implicit type starts this way
        elif tag in (None, "!"):
            tag = self.resolver.resolve(yaml.ScalarNode, event.value,  # type: ignore[no-untyped-call]
                                        event.implicit)
        elif tag not in self._SCALARS:
            self.fail("E_YAML_FEATURE", f"unknown tag {shown(tag)} (remove it, or quote the value: "
                      f"\"{tag} {event.value}\")", event.start_mark)
        value: Any = event.value  # text, and dates and the like stay text
        sexagesimal = ":" in event.value  # YAML 1.1's base 60 (1:30) stays text, as in YAML 1.2
        if tag in self._SCALARS and tag != "tag:yaml.org,2002:str" and not sexagesimal:
            try:
                value = self.constructor.construct_object(yaml.ScalarNode(tag, event.value))
            except (ValueError, LookupError, yaml.YAMLError):
                kind = tag.rpartition(":")[2]
                self.fail("E_YAML_FEATURE", f"{shown(event.value)} is not an !!{kind} (remove "
                          "the tag or fix the value)" if event.tag not in (None, "!") else
                          f"{shown(event.value)} cannot be read as a number (quote it to keep "
                          "it as text)", event.start_mark)
        self._grow(1, event.start_mark)
        self._place(value, event.start_mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)

    def _key(self, frame: _Frame, event: yaml.ScalarEvent) -> None:
        key = str(event.value)
        location = f"{frame.location}.{_spot(key)}" if frame.location else _spot(key)
        line = _line_of(event)
        if frame.location == "nodes":
            self.nodes += 1
            if self.nodes > self.limits.max_nodes:
                self.fail("E_TOO_LARGE", f"the graph declares more than {self.limits.max_nodes:,} "
                          "nodes (raise the limit with --max-nodes or Limits(max_nodes=...))",
                          event.start_mark)
        if key == "<<" and not event.style:
            self.fail("E_YAML_FEATURE", "merge keys (<<) are not supported (write the keys out)",
                      event.start_mark)
        if key in frame.value:
            code, what = (("E_DUPLICATE_NODE", "node") if frame.location == "nodes" else
                          ("E_DUPLICATE_KEY", "key"))
            self.problems.append(Problem(code, f"{what} {shown(key)} appears twice (first on line "
                                         f"{self.lines.at[location]}; remove one)", location, line,
                                         self.source))
            key = f"\0duplicate {line}"  # read the value, then drop it
        else:
            self.lines.at[location] = line
        frame.key = key

    def _place(self, value: Any, mark: Any, container: bool = False) -> str:
        """Attach ``value`` to the open container; return its location (a list item's only
        for a ``container``, which needs it for its own items)."""
        if not self.stack:
            self.root = value
            self.lines.at[""] = mark.line + 1
            return ""
        frame = self.stack[-1]
        if isinstance(frame.value, dict):
            if frame.key is None:
                self.fail("E_YAML_FEATURE", "a mapping key must be a plain name, not a "
                          "list or mapping", mark)
            key, frame.key = frame.key, None
            if not key.startswith("\0"):
                frame.value[key] = value
            if not container:
                return ""
            return f"{frame.location}.{_spot(key)}" if frame.location else _spot(key)
        location = f"{frame.location}[{len(frame.value)}]" if container else ""
        frame.value.append(value)
        frame.item_lines.append(mark.line + 1)
        return location

    def finish(self) -> tuple[dict[str, Any], Lines]:
        if self.problems:
            raise GraphSpecError(self.problems)
        if self.root is None:
            raise GraphSpecError([Problem("E_EMPTY_FILE", "the file is empty (a graph needs "
                                          "nodes:, edges: and regime:)", line=1,
                                          source=self.source)])
        if not isinstance(self.root, dict):
            kind = "list" if isinstance(self.root, list) else "scalar"
            raise GraphSpecError([Problem("E_NOT_MAPPING", "the document must be a mapping with "
                                          f"nodes:, edges: and regime:, found a {kind}",
                                          line=self.lines.at[""], source=self.source)])
        return self.root, self.lines


def _add_shape_problem(problems: Problems, model: type[BaseModel], error: Any) -> None:
    """A pydantic error, rephrased with its YAML location and a fix."""
    loc = list(error["loc"])
    location = ""
    for part in loc:
        part_text = part if isinstance(part, int) else _spot(str(part))
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


def _spot(key: str) -> str:
    """A mapping key as it appears in a location: escaped, and cut when absurdly long."""
    key = key if key.isprintable() else repr(key)[1:-1]
    return key if len(key) <= 200 else f"{key[:180]}…"


def _describe(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", type(None): "nothing (null)"}
    if type(value) in kinds:
        return kinds[type(value)]
    if isinstance(value, bool):
        return (f"the boolean {value} (YAML reads yes, no, on, off, true and false as booleans: "
                "quote a name that is one of them, e.g. 'no')")
    return f"{type(value).__name__} {shown(value)}"
