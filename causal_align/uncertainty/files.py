"""Reading partially directed graph files: ``A -- B`` edges and a ``background:`` section.

The core loader refuses ``--``. This reader uses the core's positioned YAML reader, takes out
what is ours (the ``background:`` section), lets the core check the shape and meaning of the
rest, and checks the ``--`` edges and the background knowledge itself; every problem keeps its
file, line and location (``edges[4]``, ``background.tiers[1][0]``) and all are raised at once.

The format, beyond a graph file's::

    edges:
      - s -> M
      - W -> M
      - D -- W          # adjacent, direction unknown
    background:         # optional
      required: [W -> D]
      forbidden: [B -> D]
      tiers: [[s], [W, D], [M, B]]

Examples
--------
>>> graph = parse_partial_graph('''
... nodes: {s: regime, M: mesa, W: weather, D: decision, B: base}
... edges: [s -> M, W -> M, D -- W, D -> B]
... regime: s
... sigma: [{target: D, context: []}]
... query: {base: B, mesa: M}
... ''')
>>> graph.undirected
(('D', 'W'),)
>>> parse_partial_graph('''
... nodes: {s: regime, A: a}
... edges: [s -- A, A -- Z]
... regime: s
... background: {required: [A -> s]}
... ''', source="g.yaml")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 2 problems:
  g.yaml:3 edges[1]: unknown node 'Z' in "A -- Z" (declare it under nodes:) [E_UNKNOWN_NODE]
  g.yaml:5 background.required[0]: background.required[0] says A -> s, but regime node s
    (exogenous) says s -> A (remove one) [E_BACKGROUND_CONFLICT]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causal_align.errors import GraphSpecError, shown
from causal_align.limits import Limits, read_text, too_large
from causal_align.loader import graph_arguments, validated
from causal_align.model import CausalGraph, Edge, Origin
from causal_align.schema import GraphFile
from causal_align.uncertainty.edges import EdgePrior, ShiftPrior
from causal_align.uncertainty.partial import Background, PartialGraph, build_partial
from causal_align.validate import Problems
from causal_align.yamldoc import read_yaml

BACKGROUND_KEYS = ("required", "forbidden", "tiers")
UNCERTAIN_KEYS = ("edges", "shift")
SHIFT_KEYS = ("regime", "targets", "first", "strength")


@dataclass(frozen=True)
class UncertainFile:
    """A graph file read by this layer: a partial graph, or a graph with uncertain edges
    (``prior`` is then the ``uncertain:`` section)."""

    graph: PartialGraph
    prior: EdgePrior | None = None


def load_uncertain_file(path: str | Path, *, limits: Limits = Limits()) -> UncertainFile:
    """Read a graph file with ``--`` edges and ``background:``, or with an ``uncertain:``
    section (uncertain edges and a shared shift prior), checking every part with positions.

    Examples
    --------
    >>> found = load_uncertain_file("graphs/uncertain/warehouse_edges.yaml")
    >>> sorted(found.prior.edges), found.prior.shift.targets
    (['Layout -> Y_b', 'Y_m <-> Y_b'], ('Order', 'Carrier'))
    """
    path = Path(path)
    data, lines = read_yaml(read_text(path, limits), str(path), limits)
    return uncertain_from_data(data, Origin(str(path), lines), default_name=path.stem)


def uncertain_from_data(data: dict[str, Any], origin: Origin, *,
                        default_name: str = "graph") -> UncertainFile:
    """:func:`load_uncertain_file` on a document's plain data and its origin (lines), for a
    reader that already holds the text (the editor)."""
    rest = {key: value for key, value in data.items() if key != "uncertain"}
    graph = partial_from_data(rest, origin, default_name=default_name)
    if "uncertain" not in data:
        return UncertainFile(graph)
    problems = Problems(origin)
    if graph.undirected:
        problems.add("E_UNSUPPORTED", "uncertain", "a file with -- edges cannot also have "
                     "uncertain: (orient the -- edges, or move the uncertain edges into -- "
                     "edges or candidates)")
    prior = _uncertain(data["uncertain"], graph.core, problems)
    problems.raise_if_any()
    return UncertainFile(graph, prior)


def load_partial_graph(path: str | Path, *, limits: Limits = Limits()) -> PartialGraph:
    """Read a partially directed graph file; its name defaults to the file stem.

    Raises
    ------
    GraphSpecError
        Every problem in the file, positioned.
    """
    path = Path(path)
    return parse_partial_graph(read_text(path, limits), source=str(path),
                               default_name=path.stem, limits=limits)


def parse_partial_graph(text: str, *, source: str = "<string>", default_name: str = "graph",
                        limits: Limits = Limits()) -> PartialGraph:
    """Read a partially directed graph from YAML text; ``source`` names it in messages."""
    if len(text) > limits.max_bytes:
        raise too_large(f"the text is {len(text):,} characters", limits.max_bytes,
                        "--max-bytes", "max_bytes", source)
    data, lines = read_yaml(text, source, limits)
    return partial_from_data(data, Origin(source, lines), default_name=default_name)


def dump_partial(graph: PartialGraph, *, header: str = "") -> str:
    """The diagram as YAML text, such that ``parse_partial_graph(dump_partial(g)) == g``;
    ``header`` lines are written first as comments.

    Examples
    --------
    >>> graph = PartialGraph.from_edges(["s -> M", "M -- D"], regime="s", base="D", mesa="M")
    >>> parse_partial_graph(dump_partial(graph)) == graph
    True
    """
    import yaml

    core = graph.core
    document: dict[str, Any] = {"name": core.name}
    if core.description:
        document["description"] = core.description
    document["nodes"] = {node: core.labels[node] for node in core.nodes}
    document["edges"] = ([str(edge) for edge in core.edges]
                         + [f"{a} -- {b}" for a, b in graph.undirected])
    document["regime"] = sorted(core.regime)
    if core.sigma:
        document["sigma"] = [{"target": item.target} if item.context is None else
                             {"target": item.target, "context": list(item.context)}
                             for item in core.sigma]
    if core.base or core.mesa:
        query: dict[str, Any] = {"base": sorted(core.base), "mesa": sorted(core.mesa)}
        if core.query_regime != core.regime:
            query["regime"] = sorted(core.query_regime)
        document["query"] = query
    background = graph.background
    if background.required or background.forbidden or background.tiers:
        document["background"] = {key: value for key, value in background.to_dict().items()
                                  if value}
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True,
                                         width=100))


def is_partial(data: Mapping[str, Any]) -> bool:
    """Does a graph document (plain YAML data) use ``--`` edges, ``background:`` or
    ``uncertain:``? ``causal-align check`` hands such files to this layer.

    Examples
    --------
    >>> is_partial({"edges": ["A -> B", "B -- C"]}), is_partial({"edges": ["A -> B"]})
    (True, False)
    """
    edges = data.get("edges")
    return "background" in data or "uncertain" in data or (isinstance(edges, list) and any(
        isinstance(item, str) and "--" in item for item in edges))


def partial_from_data(data: dict[str, Any], origin: Origin, *,
                      default_name: str = "graph") -> PartialGraph:
    """A :class:`PartialGraph` from a document's plain data and its origin (lines)."""
    rest = {key: value for key, value in data.items() if key != "background"}
    problems = Problems(origin)
    background = _background(data.get("background", {}), "background" in data, problems)
    try:
        spec = validated(GraphFile, rest, origin)
    except GraphSpecError as error:
        problems.found.extend(error.problems)
        problems.raise_if_any()
        raise
    problems.raise_if_any()
    return build_partial(edges=spec.edges, background=background, origin=origin,
                         **graph_arguments(spec, rest, default_name))


def _uncertain(value: Any, graph: CausalGraph, problems: Problems) -> EdgePrior:
    """The ``uncertain:`` section, checked against the graph."""
    if not isinstance(value, dict):
        problems.add("E_TYPE", "uncertain", f"expected a mapping with edges: and/or shift:, "
                     f"found {_kind(value)}")
        return EdgePrior()
    for key in value:
        if key not in UNCERTAIN_KEYS:
            problems.add("E_UNKNOWN_KEY", f"uncertain.{key}", f"unknown key {key!r} (expected "
                         f"one of: {', '.join(UNCERTAIN_KEYS)})")
    known = graph.node_set
    taken = {edge.key(): "edges:" for edge in graph.edges}
    chances: dict[str, float] = {}
    items = value.get("edges", [])
    if not isinstance(items, list):
        problems.add("E_TYPE", "uncertain.edges", "expected a list of {edge: \"A -> B\", "
                     f"probability: p}}, found {_kind(items)}")
        items = []
    for index, item in enumerate(items):
        where = f"uncertain.edges[{index}]"
        if not isinstance(item, dict) or set(item) != {"edge", "probability"}:
            problems.add("E_TYPE", where, "expected a mapping with edge: (\"A -> B\" or "
                         "\"A <-> B\") and probability: (between 0 and 1)")
            continue
        text, chance = item["edge"], item["probability"]
        edge = Edge.parse(text) if isinstance(text, str) else None
        if edge is None:
            problems.add("E_EDGE_SYNTAX", f"{where}.edge", f"expected an edge like \"A -> B\" "
                         f"or \"A <-> B\", found {shown(text)}")
            continue
        if (isinstance(chance, bool) or not isinstance(chance, (int, float))
                or not 0 <= chance <= 1):
            problems.add("E_TYPE", f"{where}.probability", f"expected a probability between 0 "
                         f"and 1, found {shown(chance)}")
            continue
        if _known_pair(edge, known, f"{where}.edge", problems):
            if edge.key() in taken:
                problems.add("E_DUPLICATE_EDGE", f"{where}.edge", f"\"{edge}\" is already in "
                             f"{taken[edge.key()]} (list it once)")
            else:
                taken[edge.key()] = f"uncertain.edges[{index}]"
                chances[str(edge)] = float(chance)
    shift = _shift(value.get("shift"), "shift" in value, graph, taken, problems)
    if not problems.found:
        extra = [Edge.parse(text) for text in chances] + list(shift.edges if shift else ())
        try:
            CausalGraph(graph.labels, [*graph.edges, *extra],  # type: ignore[list-item]
                        regime=sorted(graph.regime))
        except GraphSpecError as error:
            for problem in error.problems:
                problems.add(problem.code, "uncertain", f"with every uncertain edge present: "
                             f"{problem.message}")
    return EdgePrior(chances, shift)


def _known_pair(edge: Edge, known: Collection[str], where: str, problems: Problems) -> bool:
    unknown = [node for node in dict.fromkeys((edge.tail, edge.head)) if node not in known]
    for node in unknown:
        problems.add("E_UNKNOWN_NODE", where, f"unknown node {shown(node)} in \"{edge}\" "
                     f"({problems.suggest(node, known)})")
    return not unknown


def _shift(value: Any, present: bool, graph: CausalGraph, taken: dict[tuple[str, str, bool], str],
           problems: Problems) -> ShiftPrior | None:
    if not present:
        return None
    if not isinstance(value, dict):
        problems.add("E_TYPE", "uncertain.shift", "expected a mapping with targets:, first: and "
                     f"strength:, found {_kind(value)}")
        return None
    for key in value:
        if key not in SHIFT_KEYS:
            problems.add("E_UNKNOWN_KEY", f"uncertain.shift.{key}", f"unknown key {key!r} "
                         f"(expected one of: {', '.join(SHIFT_KEYS)})")
    for key in ("targets", "first", "strength"):
        if key not in value:
            problems.add("E_MISSING_KEY", "uncertain.shift", f"missing required key {key!r}")
    regime = value.get("regime", min(graph.regime) if len(graph.regime) == 1 else None)
    if regime not in graph.regime:
        problems.add("E_UNKNOWN_NODE", "uncertain.shift.regime", f"expected one of the regime "
                     f"nodes ({', '.join(sorted(graph.regime))}), found {shown(regime)}")
    targets = value.get("targets", [])
    targets = [targets] if isinstance(targets, str) else targets
    if not isinstance(targets, list) or not all(isinstance(node, str) for node in targets):
        problems.add("E_TYPE", "uncertain.shift.targets", f"expected a list of node names, "
                     f"found {_kind(targets)}")
        targets = []
    for index, node in enumerate(targets):
        edge = Edge(str(regime), node)
        where = f"uncertain.shift.targets[{index}]"
        if _known_pair(edge, graph.node_set, where, problems):
            if edge.key() in taken:
                problems.add("E_DUPLICATE_EDGE", where, f"\"{edge}\" is already in "
                             f"{taken[edge.key()]} (list it once)")
            taken[edge.key()] = where
    first, strength = value.get("first"), value.get("strength")
    if "first" in value and not (isinstance(first, (int, float)) and not isinstance(first, bool)
                                 and 0 < first < 1):
        problems.add("E_TYPE", "uncertain.shift.first", f"expected the first-trial probability "
                     f"(between 0 and 1, exclusive), found {shown(first)}")
    if "strength" in value and not (isinstance(strength, (int, float))
                                    and not isinstance(strength, bool)
                                    and math.isfinite(strength) and strength > 0):
        problems.add("E_TYPE", "uncertain.shift.strength", f"expected the prior's strength in "
                     f"pseudo-observations (a number > 0), found {shown(strength)}")
    if problems.found or first is None or strength is None:
        return None
    return ShiftPrior(str(regime), targets, first=float(first), strength=float(strength))


def _background(value: Any, present: bool, problems: Problems) -> Background:
    """The ``background:`` section, its shape checked (meaning is checked with the graph)."""
    if not present:
        return Background()
    if not isinstance(value, dict):
        problems.add("E_TYPE", "background", "expected a mapping with required:, forbidden: "
                     f"or tiers:, found {_kind(value)}")
        return Background()
    for key in value:
        if key not in BACKGROUND_KEYS:
            problems.add("E_UNKNOWN_KEY", f"background.{key}", f"unknown key {key!r} (expected "
                         f"one of: {', '.join(BACKGROUND_KEYS)})")
    lists: dict[str, list[str]] = {}
    for key in ("required", "forbidden"):
        items = value.get(key, [])
        if not isinstance(items, list):
            problems.add("E_TYPE", f"background.{key}", f"expected a list of orientations like "
                         f"\"A -> B\", found {_kind(items)}")
            items = []
        for index, item in enumerate(items):
            if not isinstance(item, str):
                problems.add("E_TYPE", f"background.{key}[{index}]", "expected an orientation "
                             f"like \"A -> B\", found {_kind(item)}")
        lists[key] = [item for item in items if isinstance(item, str)]
    tiers = value.get("tiers", [])
    kept: list[list[str]] = []
    if not isinstance(tiers, list):
        problems.add("E_TYPE", "background.tiers", f"expected a list of tiers (each a list of "
                     f"nodes), found {_kind(tiers)}")
        tiers = []
    for index, tier in enumerate(tiers):
        tier = [tier] if isinstance(tier, str) else tier
        if not isinstance(tier, list) or not all(isinstance(node, str) for node in tier):
            problems.add("E_TYPE", f"background.tiers[{index}]", "expected a list of node "
                         f"names, found {_kind(tier)}")
            tier = []
        kept.append(tier)
    return Background(lists["required"], lists["forbidden"], kept)


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing (null)",
             bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)

