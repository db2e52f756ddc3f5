"""Pictures of G_σ with the open paths drawn on it: Graphviz DOT, and SVG through a dot executable.

What the picture shows:

- regime nodes as boxes, the conditioned mesa objective shaded, the base objective outlined red;
- a small σ diamond pointing into each σ target;
- latent confounders as dashed two-headed edges;
- edges σ removed, faint and dashed; edges σ's context added, bold and marked "σ";
- each open path in its own colour, with its number on its edges (SVG classes ``path1``,
  ``path2``, ... on edges and ``on1``, ... on nodes, so an HTML page can highlight one path).

Above :data:`FOCUS_NODES` nodes only the *focus view* is drawn — query nodes, the nodes of the
listed open paths and their direct neighbours — and the title says so.

The output is deterministic: the same result gives the same bytes.

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_b", "X -> Y_m"], regime="s",
...                                base="Y_b", mesa="Y_m", name="demo")
>>> dot = to_dot(check_inner_alignment(graph))
>>> print(dot.splitlines()[0])
digraph "demo" {
>>> print(next(line for line in dot.splitlines() if '"X" -> "Y_b"' in line).strip())
"X" -> "Y_b" [color="#d62728", penwidth=2.5, label="1", fontcolor="#d62728", class="path1"];
"""

from __future__ import annotations

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult

FOCUS_NODES = 150
"""Graphs with more nodes are drawn as the focus view around the open paths."""
FOCUS_CAP = 400
"""Most nodes a focus view draws (path nodes first, then neighbours in name order)."""
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")
"""Path colours: path i gets PALETTE[(i - 1) % 10]."""

EdgeKey = tuple[str, str, bool]


def path_colour(number: int) -> str:
    """The colour of open path ``number`` (1-based)."""
    return PALETTE[(number - 1) % len(PALETTE)]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attributes(pairs: list[tuple[str, str]]) -> str:
    return " [" + ", ".join(f"{key}={value}" for key, value in pairs) + "]" if pairs else ""


def _path_edges(result: AlignmentResult) -> dict[EdgeKey, list[int]]:
    """For each edge of G_σ on a listed open path, the numbers of those paths."""
    on: dict[EdgeKey, list[int]] = {}
    for number, path in enumerate(result.open_paths, 1):
        for left, arrow, right in zip(path.nodes, path.arrows, path.nodes[1:]):
            key = ((left, right, False) if arrow == "->" else (right, left, False)
                   if arrow == "<-" else (*sorted((left, right)), True))
            on.setdefault(key, []).append(number)  # type: ignore[arg-type]
    return on


def _drawn_nodes(result: AlignmentResult) -> tuple[list[str], bool]:
    """The nodes to draw, and whether this is the focus view."""
    graph = result.diagram.graph
    if len(graph.nodes) <= FOCUS_NODES:
        return list(graph.nodes), False
    core = {*result.regime, *result.base, *result.mesa}
    for path in result.open_paths:
        core.update(path.nodes)
    near: set[str] = set()
    for node in core:
        for step in (result.diagram.parents, result.diagram.children, result.diagram.spouses):
            near.update(step(node))
    extra = sorted(near - core)[:max(0, FOCUS_CAP - len(core))]
    return [node for node in graph.nodes if node in core or node in set(extra)], True


def to_dot(result: AlignmentResult) -> str:
    """G_σ of ``result`` in Graphviz DOT, with its open paths coloured and numbered."""
    diagram, graph = result.diagram, result.diagram.graph
    nodes, focused = _drawn_nodes(result)
    drawn = set(nodes)
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    title = f"{graph.name}: {verdict}"
    if focused:
        title += (f" (focus view: {len(nodes)} of {len(graph.nodes)} nodes, the open paths and "
                  "their neighbours)")
    lines = [f"digraph {_quote(graph.name)} {{",
             f"  graph [label={_quote(title)}, labelloc=t, fontname=\"Helvetica\", "
             "fontsize=16, rankdir=TB];",
             '  node [fontname="Helvetica", fontsize=12];',
             '  edge [fontname="Helvetica", fontsize=10];']
    on_path: dict[str, list[int]] = {}
    for number, path in enumerate(result.open_paths, 1):
        for node in path.nodes:
            on_path.setdefault(node, []).append(number)
    for node in nodes:
        lines.append(f"  {_quote(node)}{_attributes(_node_style(result, node, on_path))};")
    for item in result.sigma:
        if item.target in drawn:
            marker = f"σ({item.target})"
            lines.append(f"  {_quote(marker)} [shape=diamond, label=\"σ\", width=0.3, height=0.3, "
                         f"fixedsize=true, fontsize=10, tooltip={_quote(str(item))}];")
            lines.append(f"  {_quote(marker)} -> {_quote(item.target)} [style=dotted];")
    on_edges = _path_edges(result)
    added = {(edge.tail, edge.head) for edge in result.sigma_added}
    for node in nodes:
        for child in diagram.children(node):
            if child in drawn:
                lines.append(_edge_line(node, child, False, on_edges.get((node, child, False), []),
                                        (node, child) in added))
        for spouse in diagram.spouses(node):
            if spouse in drawn and node < spouse:
                lines.append(_edge_line(node, spouse, True,
                                        on_edges.get((node, spouse, True), []), False))
    for edge in result.sigma_removed:
        if edge.tail in drawn and edge.head in drawn:
            extra = ", dir=both" if edge.bidirected else ""
            lines.append(f"  {_quote(edge.tail)} -> {_quote(edge.head)} [style=dashed, "
                         f"color=\"#c7c7c7\", constraint=false{extra}, "
                         f"tooltip=\"removed by σ\"];")
    lines.append("}")
    return "\n".join(lines)


def _node_style(result: AlignmentResult, node: str,
                on_path: dict[str, list[int]]) -> list[tuple[str, str]]:
    label = result.diagram.graph.labels.get(node, "")
    style: list[tuple[str, str]] = []
    text = node if not label else f"{node}\n{label[:40]}{'…' if len(label) > 40 else ''}"
    if text != node:
        style.append(("label", _quote(text)))
    if node in result.regime:
        style += [("shape", "box"), ("style", "filled"), ("fillcolor", '"#fde68a"')]
    elif node in result.mesa:
        style += [("style", "filled"), ("fillcolor", '"#d1d5db"')]
    elif node in result.base:
        style += [("style", "filled"), ("fillcolor", '"#fee2e2"'), ("color", '"#b91c1c"'),
                  ("penwidth", "2.5")]
    if label:
        style.append(("tooltip", _quote(label)))
    if node in on_path:
        style.append(("class", _quote(" ".join(f"on{number}" for number in on_path[node]))))
    return style


def _edge_line(tail: str, head: str, bidirected: bool, numbers: list[int], added: bool) -> str:
    style: list[tuple[str, str]] = []
    if bidirected:
        style += [("dir", "both"), ("style", "dashed"), ("constraint", "false")]
    if numbers:
        colours = ":".join(path_colour(number) for number in numbers)
        style += [("color", _quote(colours)), ("penwidth", "2.5")]
    if added:
        style += [("style", "bold"), ("tooltip", '"added by σ\'s context"')]
    text = ("σ " if added else "") + ",".join(map(str, numbers))
    if text:
        style.append(("label", _quote(text.strip())))
    if numbers:
        style += [("fontcolor", _quote(path_colour(numbers[0]))),
                  ("class", _quote(" ".join(f"path{number}" for number in numbers)))]
    return f"  {_quote(tail)} -> {_quote(head)}{_attributes(style)};"


