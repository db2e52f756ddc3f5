"""What the page draws, as JSON: the diagram, G_σ, and the engine's verdict with its reasons.

Everything here comes from the core: :func:`~causal_align.intervention.sigma_graph` for G_σ and
its σ-created edges, :func:`~causal_align.alignment.check_inner_alignment` for the verdict, the
open paths, their explanations, the repairs and the conjecture. The page only draws it.

Examples
--------
>>> from causal_align.loader import load_graph
>>> state = picture(load_graph("graphs/coinrun.yaml"), {})
>>> state["verdict"]["aligned"], state["verdict"]["open_paths"][0]["path"]
(False, 's -> C -> Y_b')
>>> [edge for edge in state["sigma_graph"]["edges"] if edge["added"]]
[]
>>> preview(load_graph("graphs/coinrun.yaml"), {"kind": "monitor", "nodes": ["C", "L"]})["aligned"]
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causal_align.alignment import AlignmentResult, check_inner_alignment
from causal_align.errors import EditorError
from causal_align.errors import shown
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Edge, SoftIntervention

LIMIT = 100
"""Most open paths listed (the verdict never depends on it)."""


def picture(graph: CausalGraph, extras: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The page's whole view of ``graph``: nodes with roles, G, G_σ and the verdict.

    ``extras`` holds each node's ``position`` and ``observed`` as written in the file
    (:func:`causal_align.editor.document.node_extras`).
    """
    targets = {item.target: item for item in graph.sigma}
    # the core keeps positions and unobservable nodes on the graph; older cores left them to us
    positions: Mapping[str, Any] = getattr(graph, "positions", {})
    unobserved: frozenset[str] = getattr(graph, "unobserved", frozenset())
    nodes = []
    for name in graph.nodes:
        extra = extras.get(name, {})
        roles = [role for role, members in (("regime", graph.regime), ("base", graph.base),
                                            ("mesa", graph.mesa), ("sigma", targets))
                 if name in members]
        if name in unobserved or extra.get("observed") is False:
            roles.append("unobserved")
        position = positions.get(name) or extra.get("position")
        nodes.append({"name": name, "label": graph.labels.get(name, ""),
                      "position": None if position is None else [float(x) for x in position],
                      "roles": roles})
    g_sigma = sigma_graph(graph)
    state: dict[str, Any] = {
        "name": graph.name,
        "nodes": nodes,
        "edges": [_edge(edge.tail, edge.head, edge.bidirected) for edge in graph.edges],
        "sigma": [{"target": item.target,
                   "context": None if item.context is None else list(item.context),
                   "reads": list(resolved.context or ()),
                   "candidates": _candidates(graph, item.target)}
                  for item, resolved in zip(graph.sigma, g_sigma.interventions)],
        "sigma_graph": _sigma_edges(graph, g_sigma),
        "verdict": None,
        "unfinished": "",
    }
    if not graph.base:
        state["unfinished"] = "mark a base objective Y_b (and Y_m) to see the verdict"
        return state
    state["verdict"] = verdict(check_inner_alignment(graph, limit=LIMIT))
    return state


def _edge(tail: str, head: str, bidirected: bool, added: bool = False) -> dict[str, Any]:
    return {"tail": tail, "head": head, "bidirected": bidirected, "added": added}


def _sigma_edges(graph: CausalGraph, g_sigma: SigmaGraph) -> dict[str, Any]:
    edges = []
    for node in graph.nodes:
        edges += [_edge(node, child, False, g_sigma.is_added(node, child))
                  for child in g_sigma.children(node)]
        edges += [_edge(node, spouse, True) for spouse in g_sigma.spouses(node) if node < spouse]
    return {"edges": edges, "removed": [str(edge) for edge in g_sigma.removed],
            "added": [str(edge) for edge in g_sigma.added]}


def _candidates(graph: CausalGraph | Sketch, target: str) -> list[str]:
    """Nodes σ(target)'s context may read: all but the target and its descendants in G."""
    below, stack = {target}, [target]
    while stack:
        for child in graph.children(stack.pop()):
            if child not in below:
                below.add(child)
                stack.append(child)
    return [node for node in graph.nodes if node not in below]


class Sketch:
    """An unfinished diagram (no regime node yet, no Y_b yet) read straight from the document,
    so the page can draw it while it is being built; it has no verdict."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        nodes = document.get("nodes")
        self.nodes = [str(name) for name in nodes] if isinstance(nodes, Mapping) else []
        known = set(self.nodes)
        self.edges: list[Edge] = []
        self._children: dict[str, list[str]] = {node: [] for node in self.nodes}
        for item in document.get("edges") or ():
            edge = Edge.parse(item) if isinstance(item, str) else None
            if edge is not None and edge.tail in known and edge.head in known:
                self.edges.append(edge)
                if not edge.bidirected:
                    self._children[edge.tail].append(edge.head)
        self.labels = {name: _label(nodes[name]) for name in self.nodes} if nodes else {}

    def children(self, node: str) -> list[str]:
        return self._children.get(node, [])


def _label(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("label"), str):
        return str(value["label"])
    return ""


def _names(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def sketch(document: Mapping[str, Any], extras: Mapping[str, Mapping[str, Any]],
           unfinished: str) -> dict[str, Any]:
    """The picture of an unfinished diagram, shaped like :func:`picture`'s, with no verdict.

    Examples
    --------
    >>> state = sketch({"nodes": {"s": None, "X": "a cause"}, "edges": ["s -> X"],
    ...                 "regime": []}, {}, "no regime node")
    >>> [node["name"] for node in state["nodes"]], state["verdict"], state["unfinished"]
    (['s', 'X'], None, 'no regime node')
    """
    diagram = Sketch(document)
    query = document.get("query") if isinstance(document.get("query"), Mapping) else {}
    assert isinstance(query, Mapping)
    members = {"regime": _names(document.get("regime")), "base": _names(query.get("base")),
               "mesa": _names(query.get("mesa"))}
    sigma = [item for item in document.get("sigma") or () if isinstance(item, Mapping)
             and isinstance(item.get("target"), str) and item["target"] in diagram.labels]
    members["sigma"] = {item["target"] for item in sigma}
    nodes = []
    for name in diagram.nodes:
        extra = extras.get(name, {})
        roles = [role for role in ("regime", "base", "mesa", "sigma") if name in members[role]]
        if extra.get("observed") is False:
            roles.append("unobserved")
        nodes.append({"name": name, "label": diagram.labels.get(name, ""),
                      "position": extra.get("position"), "roles": roles})
    edges = [_edge(edge.tail, edge.head, edge.bidirected) for edge in diagram.edges]
    parents: dict[str, list[str]] = {node: [] for node in diagram.nodes}
    for edge in diagram.edges:
        if not edge.bidirected:
            parents[edge.head].append(edge.tail)
    return {
        "name": str(document.get("name") or "graph"), "nodes": nodes, "edges": edges,
        "sigma": [{"target": item["target"],
                   "context": list(_names(item.get("context"))) if "context" in item else None,
                   "reads": sorted(_names(item.get("context")) if "context" in item
                                   else parents[item["target"]]),
                   "candidates": _candidates(diagram, item["target"])} for item in sigma],
        "sigma_graph": {"edges": edges, "removed": [], "added": []},
        "verdict": None, "unfinished": unfinished,
    }


def verdict(result: AlignmentResult) -> dict[str, Any]:
    """The verdict as the page shows it: open paths with their sentences, each node's reasons,
    the conjecture and the repairs."""
    paths = []
    reasons: dict[str, list[dict[str, Any]]] = {}
    for index, path in enumerate(result.open_paths):
        sentences = path.explain()
        entry = path.to_dict()
        entry["explain"] = list(sentences)
        paths.append(entry)
        if path.junctions:
            for junction, sentence in zip(path.junctions, sentences):
                reasons.setdefault(junction.node, []).append({"path": index, "reason": sentence})
        else:
            reasons.setdefault(path.nodes[-1], []).append({"path": index, "reason": sentences[0]})
    return {
        "aligned": result.aligned,
        "query": {"base": list(result.base), "mesa": list(result.mesa),
                  "regime": list(result.regime)},
        "sigma": [{"target": item.target, "context": list(item.context or ())}
                  for item in result.sigma],
        "open_paths": paths, "truncated": result.truncated, "limit": result.limit,
        "node_reasons": reasons,
        "conjecture": result.conjecture.to_dict(),
        "repairs": result.repairs.to_dict(),
        "incentives": _incentives(result),
    }


def _incentives(result: AlignmentResult) -> str | None:
    """The incentives panel (text) when the graph declares a utility, else None; a graph the
    incentives layer cannot read (no decision, say) gets the reason instead."""
    from causal_align.errors import CausalAlignError
    from causal_align.incentives.report import incentive_panel

    try:
        return incentive_panel(result.diagram.graph, "text", sigma=result.sigma)
    except CausalAlignError as error:
        return f"no incentives: {error}"


def preview(graph: CausalGraph, repair: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict if a repair were made, without changing the file.

    ``{"kind": "monitor", "nodes": [...]}`` also conditions on those nodes;
    ``{"kind": "narrow", "target": T, "drop": X}`` drops X from σ(T)'s context.

    Raises
    ------
    EditorError
        ``E_EDIT_ACTION`` for another kind, or a graph without a query.
    """
    if not graph.base:
        raise EditorError("E_EDIT_ACTION", "the diagram has no Y_b yet: nothing to preview")
    kind = repair.get("kind")
    if kind == "monitor":
        nodes = repair.get("nodes")
        if not isinstance(nodes, list) or not all(isinstance(node, str) for node in nodes):
            raise EditorError("E_EDIT_ACTION", f"a monitor preview needs nodes: a list of names, "
                              f"found {shown(nodes)}")
        return verdict(check_inner_alignment(graph, mesa=sorted(graph.mesa | set(nodes)),
                                             limit=LIMIT))
    if kind == "narrow":
        target, drop = repair.get("target"), repair.get("drop")
        resolved = sigma_graph(graph).interventions
        if not any(item.target == target for item in resolved):
            raise EditorError("E_EDIT_ACTION", f"there is no intervention on {shown(target)}")
        sigma = [SoftIntervention(item.target, [node for node in item.context or ()
                                                if not (item.target == target and node == drop)])
                 for item in resolved]
        return verdict(check_inner_alignment(graph, sigma=sigma, limit=LIMIT))
    raise EditorError("E_EDIT_ACTION", f"unknown repair kind {shown(kind)} (expected monitor or "
                      "narrow)")
