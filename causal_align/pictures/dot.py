"""Pictures of G_σ with the open paths drawn on it: Graphviz DOT, and SVG through a dot executable.

What the picture shows:

- regime nodes as boxes, the conditioned mesa objective shaded, the base objective outlined red;
- a small σ diamond pointing into each σ target;
- latent confounders as dashed two-headed edges;
- edges σ removed, faint and dashed; edges σ's context added, bold and marked "σ";
- each open path in its own colour and line pattern (:func:`path_style`: 10 colours, then
  the same colours dashed, then dotted, so 30 paths look different), with its number on its
  edges (SVG classes ``path1``, ``path2``, ... on edges and ``on1``, ... on nodes, so an HTML
  page can highlight one path).

Above :data:`FOCUS_NODES` nodes only the *focus view* is drawn — query nodes, the nodes of the
listed open paths and their direct neighbours, at most :data:`FOCUS_CAP` nodes in all (a path
too long for that is drawn by its two ends) — and the title says so.

User text (the graph's name, labels) is drawn as plain text: control characters are escaped and
titles cut (:func:`causal_align.wording.plain`), and every string is quoted.

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

from causal_align.wording import plain

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult

FOCUS_NODES = 150
"""Graphs with more nodes are drawn as the focus view around the open paths."""
FOCUS_CAP = 400
"""Most nodes a focus view draws (path nodes first, then neighbours in name order)."""
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")
"""Path colours: path i gets PALETTE[(i - 1) % 10]."""
PATTERNS = ("solid", "dashed", "dotted")
"""Line patterns: paths 1-10 solid, 11-20 dashed, 21-30 dotted, then again."""
DASHES = {"solid": "", "dashed": "6 3", "dotted": "1.5 3"}
"""The SVG ``stroke-dasharray`` of each pattern, for swatches drawn outside Graphviz."""
LABEL_WIDTH = 18
"""A node's label is wrapped to lines of about this many characters (and at most 3 lines)."""

EdgeKey = tuple[str, str, bool]


def path_colour(number: int) -> str:
    """The colour of open path ``number`` (1-based)."""
    return PALETTE[(number - 1) % len(PALETTE)]


def path_pattern(number: int) -> str:
    """The line pattern of open path ``number``: ``solid``, ``dashed`` or ``dotted``."""
    return PATTERNS[(number - 1) // len(PALETTE) % len(PATTERNS)]


def path_style(number: int) -> tuple[str, str]:
    """Colour and line pattern of open path ``number``; the first 30 paths all differ.

    >>> path_style(1), path_style(11)
    (('#d62728', 'solid'), ('#d62728', 'dashed'))
    """
    return path_colour(number), path_pattern(number)


def _quote(text: str) -> str:
    """A DOT string: control characters escaped (a line break written by us stays one)."""
    lines = [plain(line, None) for line in text.split("\n")]
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"')
                             for line in lines) + '"'


def _wrapped(label: str) -> str:
    """A label in lines of about :data:`LABEL_WIDTH` characters, at most 3, so that it fits
    its node's box."""
    words, lines, line = plain(label, None).split(), [], ""
    for word in words:
        while len(word) > LABEL_WIDTH:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:LABEL_WIDTH])
            word = word[LABEL_WIDTH:]
        if line and len(line) + 1 + len(word) > LABEL_WIDTH:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][:LABEL_WIDTH - 1] + "…"
    return "\n".join(lines)


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


def _drawn_nodes(result: AlignmentResult) -> tuple[list[str], bool, bool]:
    """The nodes to draw, whether this is the focus view, and whether a path was cut."""
    graph = result.diagram.graph
    if len(graph.nodes) <= FOCUS_NODES:
        return list(graph.nodes), False, False
    core = dict.fromkeys([*result.regime, *result.base, *result.mesa][:FOCUS_CAP])
    cut = False
    for path in result.open_paths:
        room = FOCUS_CAP - len(core)
        new = [node for node in dict.fromkeys(path.nodes) if node not in core]
        if len(new) > room:  # too long: draw its two ends
            new, cut = new[:(room + 1) // 2] + new[len(new) - room // 2:] if room else [], True
        core.update(dict.fromkeys(new))
        if cut:
            break
    near: set[str] = set()
    if len(core) < FOCUS_CAP:
        for node in core:
            for step in (result.diagram.parents, result.diagram.children,
                         result.diagram.spouses):
                near.update(step(node))
    extra = set(sorted(near - core.keys())[:max(0, FOCUS_CAP - len(core))])
    return [node for node in graph.nodes if node in core or node in extra], True, cut


def to_dot(result: AlignmentResult, *, note: str = "") -> str:
    """G_σ of ``result`` in Graphviz DOT, with its open paths coloured and numbered; ``note``
    (say, that a simpler layout was drawn) is added to the title."""
    diagram, graph = result.diagram, result.diagram.graph
    nodes, focused, cut = _drawn_nodes(result)
    drawn = set(nodes)
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    title = f"{plain(graph.name)}: {verdict}"
    if focused:
        title += (f" (focus view: {len(nodes):,} of {len(graph.nodes):,} nodes, the open paths "
                  "and their neighbours")
        title += "; a path too long to draw is shown by its two ends)" if cut else ")"
    if note:
        title += f"\n({note})"
    lines = [f"digraph {_quote(plain(graph.name))} {{",
             (f"  graph [label={_quote(title)}, labelloc=t, fontname=\"Helvetica\", "
              "fontsize=16, rankdir=TB];"),
             '  node [fontname="Helvetica", fontsize=12];',
             '  edge [fontname="Helvetica", fontsize=10];']
    on_path: dict[str, list[int]] = {}
    for number, path in enumerate(result.open_paths, 1):
        for node in path.nodes:
            if node in drawn:
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
    if label:
        style.append(("label", _quote(f"{node}\n{_wrapped(label)}")))
    if node in result.regime:
        style += [("shape", "box"), ("style", "filled"), ("fillcolor", '"#fde68a"')]
    elif node in result.mesa:
        style += [("style", "filled"), ("fillcolor", '"#d1d5db"')]
    elif node in result.base:
        style += [("style", "filled"), ("fillcolor", '"#fee2e2"'), ("color", '"#b91c1c"'),
                  ("penwidth", "2.5")]
    if label:
        style.append(("tooltip", _quote(plain(label, 500))))
    if node in on_path:
        style.append(("class", _quote(" ".join(f"on{number}" for number in on_path[node]))))
    return style


def _edge_line(tail: str, head: str, bidirected: bool, numbers: list[int], added: bool) -> str:
    style: list[tuple[str, str]] = []
    if bidirected:
        style += [("dir", "both"), ("style", "dashed"), ("constraint", "false")]
    if numbers:
        colours = ":".join(path_colour(number) for number in numbers[:10])
        style += [("color", _quote(colours)), ("penwidth", "2.5")]
        if not bidirected and path_pattern(numbers[0]) != "solid":
            style.append(("style", path_pattern(numbers[0])))
    if added:
        style += [("style", "bold"), ("tooltip", '"added by σ\'s context"')]
    shown = (",".join(map(str, numbers)) if len(numbers) <= 10 else
             ",".join(map(str, numbers[:8])) + f",… ({len(numbers)} paths)")
    text = ("σ " if added else "") + shown
    if text:
        style.append(("label", _quote(text.strip())))
    if numbers:
        style += [("fontcolor", _quote(path_colour(numbers[0]))),
                  ("class", _quote(" ".join(f"path{number}" for number in numbers)))]
    return f"  {_quote(tail)} -> {_quote(head)}{_attributes(style)};"


