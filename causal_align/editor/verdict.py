"""What the page draws, as JSON: the diagram, G_σ, and the engine's verdict with its reasons.

Everything here comes from the core: :func:`~causal_align.intervention.sigma_graph` for G_σ and
its σ-created edges, :func:`~causal_align.alignment.check_inner_alignment` for the verdict, the
open paths, their explanations, the repairs and the conjecture. A diagram with ``--`` edges gets
the uncertainty layer's verdict instead,
:func:`~causal_align.uncertainty.verdict.check_under_uncertainty` over every consistent
orientation, with its members and the orientations that settle it; a diagram with uncertain
edges gets :func:`~causal_align.uncertainty.edges.check_uncertain_edges`' P(aligned) and the
value of learning each edge. The page only draws it.

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
from causal_align.errors import EditorError, shown
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Edge, SoftIntervention
from causal_align.uncertainty.edges import EdgePrior, check_uncertain_edges
from causal_align.uncertainty.partial import (
    PartialGraph,
    parse_undirected,
)
from causal_align.uncertainty.report import render_uncertain
from causal_align.uncertainty.verdict import Member, UncertainResult, check_under_uncertainty

LIMIT = 100
"""Most open paths listed (the verdict never depends on it)."""
MAX_MEMBERS = 1_000
"""Most members of a partial diagram checked (``causal-align check``'s default); beyond it the
verdict is undetermined, as there."""
SHOWN_MEMBERS = 100
"""Most members listed on the page, each with its witness path (the count covers them all)."""


def picture(graph: CausalGraph, extras: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The page's whole view of ``graph``: nodes with roles, G, G_σ and the verdict.

    ``extras`` holds each node's ``position`` and ``observed`` as written in the file
    (:func:`causal_align.editor.document.node_extras`).
    """
    state = _drawing(graph, extras)
    if not graph.base:
        state["unfinished"] = "mark a base objective Y_b (and Y_m) to see the verdict"
        return state
    state["verdict"] = verdict(check_inner_alignment(graph, limit=LIMIT))
    return state


def partial_picture(partial: PartialGraph,
                    extras: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The page's view of a diagram with ``--`` edges: its drawing, and in place of one verdict
    the verdict over every consistent orientation (``uncertain``, :func:`uncertain`).

    Each ``--`` edge is drawn as such, in G and in G_σ, with the direction background knowledge
    and Meek's rules force on it, if any (``oriented``).

    Examples
    --------
    >>> from causal_align.uncertainty.files import load_partial_graph
    >>> state = partial_picture(load_partial_graph("graphs/uncertain/tutoring_cpdag.yaml"), {})
    >>> [(edge["tail"], edge["head"]) for edge in state["edges"] if edge["undirected"]]
    [('Mastery', 'Plan'), ('Motivation', 'Plan')]
    >>> state["verdict"], state["uncertain"]["verdict"], state["uncertain"]["count"]
    (None, 'undetermined', 3)
    """
    core = partial.core
    state = _drawing(core, extras)
    forced = set(partial.closed_directed)
    undirected = []
    for first, second in partial.undirected:
        edge = _edge(first, second, False, undirected=True)
        edge["oriented"] = next(([tail, head] for tail, head in ((first, second), (second, first))
                                 if (tail, head) in forced), None)
        undirected.append(edge)
    state["edges"] += undirected
    state["sigma_graph"]["edges"] += undirected
    if not core.base:
        state["unfinished"] = "mark a base objective Y_b (and Y_m) to see the verdict"
        return state
    state["uncertain"] = {
        **uncertain(check_under_uncertainty(partial, limit=1, max_members=MAX_MEMBERS)),
        "query": {"base": sorted(core.base), "mesa": sorted(core.mesa),
                  "regime": sorted(core.query_regime)}}
    return state


def edges_picture(partial: PartialGraph, prior: EdgePrior,
                  extras: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The page's view of a diagram with uncertain edges (an ``uncertain:`` section): its
    drawing with each uncertain edge (``uncertain``: true, its ``probability``; ``shift`` for a
    regime edge that shares the uncertain shift rate, drawn with the rate's prior mean), and in
    place of one verdict P(aligned) and the value of learning each edge (``uncertain_edges``),
    as ``causal-align uncertain`` gives them.

    Examples
    --------
    >>> from causal_align.uncertainty.files import load_uncertain_file
    >>> found = load_uncertain_file("graphs/uncertain/warehouse_edges.yaml")
    >>> state = edges_picture(found.graph, found.prior, {})
    >>> [(edge["tail"], edge["head"], edge["probability"]) for edge in state["edges"]
    ...  if edge.get("uncertain")][:2]
    [('Layout', 'Y_b', 0.1), ('Y_m', 'Y_b', 0.05)]
    >>> shown = state["uncertain_edges"]
    >>> shown["verdict"], round(shown["p_aligned"], 3), shown["values"][0]["edge"]
    ('undetermined', 0.684, 's -> Carrier')
    """
    core = partial.core
    state = _drawing(core, extras)
    drawn = [_uncertain_edge(Edge.parse(text), probability, False)
             for text, probability in prior.edges.items()]
    if prior.shift is not None:
        a, b = prior.shift.beta
        drawn += [_uncertain_edge(edge, a / (a + b), True) for edge in prior.shift.edges]
    state["edges"] += drawn
    cut = {item.target for item in core.sigma if item.context is not None}
    targets = {item.target for item in core.sigma}
    state["sigma_graph"]["edges"] += [  # σ cuts what points into a target it fixes the reads of
        edge for edge in drawn if not (edge["head"] in cut if not edge["bidirected"]
                                       else {edge["tail"], edge["head"]} & targets)]
    if not core.base:
        state["unfinished"] = "mark a base objective Y_b (and Y_m) to see the verdict"
        return state
    result = check_uncertain_edges(core, prior)
    state["uncertain_edges"] = {
        **result.to_dict(),
        "query": {"base": list(result.base), "mesa": list(result.mesa),
                  "regime": list(result.regime)}}
    return state


def edges_report(graph: CausalGraph, prior: EdgePrior, format: str) -> str:
    """The report ``causal-align uncertain`` writes for a graph with uncertain edges: text,
    Markdown or JSON."""
    from causal_align.uncertainty.report import render_edges

    return render_edges(check_uncertain_edges(graph, prior), format)


def _uncertain_edge(edge: Edge | None, probability: float, shift: bool) -> dict[str, Any]:
    assert edge is not None  # the reader checked every edge
    return {**_edge(edge.tail, edge.head, edge.bidirected), "uncertain": True,
            "probability": probability, "shift": shift}


def _drawing(graph: CausalGraph, extras: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Nodes with roles and positions, G's edges, σ with its context choices, and G_σ."""
    targets = {item.target: item for item in graph.sigma}
    nodes = []
    for name in graph.nodes:
        extra = extras.get(name, {})
        roles = [role for role, members in (("regime", graph.regime), ("base", graph.base),
                                            ("mesa", graph.mesa), ("sigma", targets))
                 if name in members]
        if name in graph.unobserved or extra.get("observed") is False:
            roles.append("unobserved")
        position = graph.positions.get(name) or extra.get("position")
        nodes.append({"name": name, "label": graph.labels.get(name, ""),
                      "position": None if position is None else [float(x) for x in position],
                      "roles": roles})
    g_sigma = sigma_graph(graph)
    return {
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
        "uncertain": None,
        "uncertain_edges": None,
        "unfinished": "",
    }


def _edge(tail: str, head: str, bidirected: bool, added: bool = False, *,
          undirected: bool = False) -> dict[str, Any]:
    return {"tail": tail, "head": head, "bidirected": bidirected, "undirected": undirected,
            "added": added}


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
        self.undirected: list[tuple[str, str]] = []
        self._children: dict[str, list[str]] = {node: [] for node in self.nodes}
        for item in document.get("edges") or ():
            pair = parse_undirected(item)
            if pair is not None and set(pair) <= known:
                self.undirected.append(pair)
                continue
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
    edges += [_edge(first, second, False, undirected=True) for first, second in diagram.undirected]
    edges += _sketched_uncertain(document, set(diagram.nodes), members["regime"])
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
        "verdict": None, "uncertain": None, "uncertain_edges": None, "unfinished": unfinished,
    }


def _sketched_uncertain(document: Mapping[str, Any], known: set[str],
                        regime: set[str]) -> list[dict[str, Any]]:
    """The uncertain edges of an unfinished diagram, as far as they can be read: those of
    ``uncertain.edges`` with known ends and a probability, and the shift prior's regime edges
    (drawn with the rate's prior mean when ``first:`` is a number)."""
    section = document.get("uncertain")
    if not isinstance(section, Mapping):
        return []
    found = []
    items = section.get("edges")
    for item in items if isinstance(items, list) else ():
        text = item.get("edge") if isinstance(item, Mapping) else None
        edge = Edge.parse(text) if isinstance(text, str) else None
        chance = item.get("probability") if isinstance(item, Mapping) else None
        if (edge is not None and {edge.tail, edge.head} <= known
                and isinstance(chance, (int, float)) and not isinstance(chance, bool)):
            found.append(_uncertain_edge(edge, float(chance), False))
    shift = section.get("shift")
    first = shift.get("first") if isinstance(shift, Mapping) else None
    if not isinstance(shift, Mapping) or not isinstance(first, (int, float)) or isinstance(
            first, bool):
        return found
    tail = shift.get("regime", min(regime) if len(regime) == 1 else None)
    targets = shift.get("targets")
    for head in [targets] if isinstance(targets, str) else targets if isinstance(
            targets, list) else ():
        if isinstance(tail, str) and isinstance(head, str) and {tail, head} <= known:
            found.append(_uncertain_edge(Edge(tail, head), float(first), True))
    return found


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


def uncertain(result: UncertainResult) -> dict[str, Any]:
    """The verdict over a partial diagram as the page shows it: aligned, not aligned or
    undetermined, the members (each pivot's parents, its verdict, its witness path), and the
    single orientations that settle an undetermined verdict.

    Examples
    --------
    >>> from causal_align.uncertainty.files import load_partial_graph
    >>> shown = uncertain(check_under_uncertainty(
    ...     load_partial_graph("graphs/uncertain/tutoring_cpdag.yaml")))
    >>> shown["verdict"], shown["counts"], [item["text"] for item in shown["settling"]]
    ('undetermined', {'aligned': 2, 'not aligned': 1}, ['Mastery -> Plan: aligned', \
'Motivation -> Plan: aligned'])
    >>> shown["members"][0]["text"], shown["members"][0]["witness"]["path"]
    ('Plan <- {}', 's -> Score <- Motivation <- Plan -> Mastery')
    """
    return {
        "verdict": result.verdict, "count": len(result.members), "counts": result.counts,
        "truncated": result.truncated, "pivots": list(result.pivots),
        "members": [_member(member) for member in result.members[:SHOWN_MEMBERS]],
        "settling": [{"tail": item.edge.tail, "head": item.edge.head, "verdict": item.verdict,
                      "members": item.members, "text": str(item)} for item in result.settling],
        "undirected": [f"{first} -- {second}" for first, second in result.closed_undirected],
    }


def _member(member: Member) -> dict[str, Any]:
    witness = None
    if member.result.open_paths:
        path = member.result.open_paths[0]
        witness = {**path.to_dict(), "explain": list(path.explain())}
    return {"parents": {node: sorted(member.parents[node]) for node in sorted(member.parents)},
            "text": member.label, "aligned": member.result.aligned, "witness": witness}


def preview_partial(partial: PartialGraph, repair: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict over a partial diagram if one ``--`` edge were known to point one way:
    ``{"kind": "orient", "tail": A, "head": B}`` adds ``A -> B`` to the background knowledge
    (the file is not changed).

    Examples
    --------
    >>> from causal_align.uncertainty.files import load_partial_graph
    >>> graph = load_partial_graph("graphs/uncertain/tutoring_cpdag.yaml")
    >>> shown = preview_partial(graph, {"kind": "orient", "tail": "Plan", "head": "Motivation"})
    >>> shown["verdict"], shown["count"]
    ('undetermined', 2)

    Raises
    ------
    EditorError
        ``E_EDIT_ACTION`` for another kind, a pair that is not a ``--`` edge, or a diagram
        without a query.
    GraphSpecError
        When the orientation contradicts what is known (the reader's problems).
    """
    core = partial.core
    if not core.base:
        raise EditorError("E_EDIT_ACTION", "the diagram has no Y_b yet: nothing to preview")
    if repair.get("kind") != "orient":
        raise EditorError("E_EDIT_ACTION", f"unknown preview kind {shown(repair.get('kind'))} "
                          "for a diagram with -- edges (expected orient)")
    tail, head = repair.get("tail"), repair.get("head")
    if not (isinstance(tail, str) and isinstance(head, str)
            and tuple(sorted((tail, head))) in partial.undirected):
        raise EditorError("E_EDIT_ACTION", f"there is no edge {shown(tail)} -- {shown(head)} "
                          "to orient")
    knowing = partial.knowing([f"{tail} -> {head}"])
    return uncertain(check_under_uncertainty(knowing, limit=1, max_members=MAX_MEMBERS))


def uncertain_report(partial: PartialGraph, format: str) -> str:
    """The report ``causal-align check`` writes for a partial diagram: the uncertainty layer's
    text, Markdown or JSON, or one HTML page with the text report and each member drawn."""
    result = check_under_uncertainty(partial, limit=LIMIT, max_members=MAX_MEMBERS)
    return uncertain_html(result) if format == "html" else render_uncertain(result, format)


DRAWN_MEMBERS = 12
"""How many members an HTML page draws."""


def uncertain_html(result: UncertainResult) -> str:
    """One offline page: the text report, then each member diagram with its picture and paths
    (the first :data:`DRAWN_MEMBERS`). ``causal-align check`` and the editor both write it."""
    from causal_align.pictures.html import to_html_batch

    return to_html_batch([(member.label, member.result, ())
                          for member in result.members[:DRAWN_MEMBERS]],
                         summary=result.verdict.upper(), preface=render_uncertain(result, "text"))
