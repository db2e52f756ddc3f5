"""One self-contained, offline HTML page: verdict, picture, open paths, σ diff, conjecture, repairs.

Nothing is fetched: the SVG is inline, the styles and the one small script are in the page, and
a Content-Security-Policy lets the page run that script only (its hash) and load nothing, so
even text that escaped our escaping could not run. Every text a user controls (the graph's
name, node names and labels, query names, figure captions) is escaped.

On large graphs the picture stays usable: it sits in a sticky frame that stays in view while
the path table scrolls, and it pans (drag, arrow keys) and zooms (wheel, ``+``/``-``, ``0`` to
fit) with plain inline JavaScript; a legend explains the marks. Hovering or focusing (``Tab``) a
row of the path table highlights that path with CSS alone (``:has()``), which works without
the script too. The script also keeps node labels inside their boxes whatever font the browser
substitutes, and lifts path numbers above the edges.

Pictures drawn by other layers (the shift sweep of a model) are passed in, already drawn, as
:class:`Figure` values.

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b", name="demo")
>>> page = to_html(check_inner_alignment(graph))
>>> page.startswith("<!DOCTYPE html>"), "://" in page.replace("http://www.w3.org", "")
(True, False)
>>> 'id="q1-row-1"' in page
True
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from causal_align.errors import PicturesUnavailable
from causal_align.pictures.dot import DASHES, path_colour, path_pattern
from causal_align.pictures.svg import to_svg
from causal_align.wording import (
    CONJECTURE_HEADING,
    blocked_sentence,
    conjecture_lines,
    paths_sentence,
    plain,
    query_text,
    repair_lines,
)

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult
    from causal_align.explain import OpenPath

PATH_NODES_SHOWN = 60
"""A path longer than this is written by its two ends in the table (the picture draws it)."""
REASONS_SHOWN = 30
"""Most reasons listed for one path in the table."""

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 2rem auto; max-width: 80rem; padding: 0 1rem; color: #1f2937; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; overflow-wrap: anywhere; }
h2 { overflow-wrap: anywhere; }
.verdict { display: inline-block; padding: .15rem .6rem; border-radius: .4rem; color: white;
           font-weight: 700; }
.aligned { background: #15803d; } .misaligned { background: #b91c1c; }
figure { margin: 1rem 0; border: 1px solid #e5e7eb; border-radius: .5rem; padding: .5rem;
         background: white; }
figure.graph { position: sticky; top: 0; z-index: 2; box-shadow: 0 2px 6px rgba(0,0,0,.08); }
.viewport { height: min(50vh, 36rem); overflow: hidden; cursor: grab; touch-action: none;
            outline: none; }
.viewport:focus-visible { box-shadow: inset 0 0 0 3px #2563eb; }
.viewport.dragging { cursor: grabbing; }
.viewport > svg { width: 100%; height: 100%; display: block; }
figure.extra svg { max-width: 100%; height: auto; }
.controls { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; font-size: .85rem;
            color: #4b5563; margin-bottom: .3rem; }
.controls button { font: inherit; padding: .1rem .55rem; border: 1px solid #9ca3af;
                   border-radius: .3rem; background: #f9fafb; cursor: pointer; }
.controls button:focus-visible { outline: 3px solid #2563eb; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1.1rem; font-size: .85rem; margin: .4rem 0 0;
          padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: .35rem; }
svg g.edge text { paint-order: stroke; stroke: white; stroke-width: 3px; stroke-linejoin: round; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
         border-bottom: 1px solid #e5e7eb; overflow-wrap: anywhere; }
tr.path-row:hover, tr.path-row:focus { background: #f3f4f6; cursor: default; }
tr.path-row:focus { outline: 3px solid #2563eb; outline-offset: -3px; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .95em; }
ul.reasons { margin: .2rem 0; padding-left: 1.1rem; }
.note { color: #4b5563; }
"""

_SCRIPT = """
(function () {
  "use strict";
  function fitLabels(svg) {
    svg.querySelectorAll("g.node").forEach(function (node) {
      var shape = node.querySelector("ellipse, polygon, path");
      if (!shape) { return; }
      var room = shape.getBBox().width - 6;
      node.querySelectorAll("text").forEach(function (text) {
        if (text.getComputedTextLength() > room && room > 0) {
          text.setAttribute("textLength", room.toFixed(1));
          text.setAttribute("lengthAdjust", "spacingAndGlyphs");
        }
      });
    });
  }
  function liftNumbers(svg) {
    var top = svg.querySelector("g.graph") || svg;
    var layer = document.createElementNS("http://www.w3.org/2000/svg", "g");
    layer.setAttribute("class", "numbers");
    svg.querySelectorAll("g.edge").forEach(function (edge) {
      var texts = edge.querySelectorAll(":scope > text, :scope > g > text");
      if (!texts.length) { return; }
      var group = document.createElementNS("http://www.w3.org/2000/svg", "g");
      group.setAttribute("class", edge.getAttribute("class") || "edge");
      texts.forEach(function (text) { group.appendChild(text); });
      layer.appendChild(group);
    });
    top.appendChild(layer);
  }
  function panZoom(figure) {
    var port = figure.querySelector(".viewport"), svg = port && port.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) { return; }
    var box = svg.viewBox.baseVal, full = [box.x, box.y, box.width, box.height];
    svg.removeAttribute("width"); svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    function zoom(factor, fx, fy) {
      var w = box.width / factor, h = box.height / factor;
      if (w > full[2] * 4 || w < full[2] / 400) { return; }
      fx = fx === undefined ? 0.5 : fx; fy = fy === undefined ? 0.5 : fy;
      box.x += (box.width - w) * fx; box.y += (box.height - h) * fy;
      box.width = w; box.height = h;
    }
    function pan(dx, dy) { box.x += dx * box.width; box.y += dy * box.height; }
    function fit() { box.x = full[0]; box.y = full[1]; box.width = full[2]; box.height = full[3]; }
    figure.querySelectorAll("button[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        if (how === "in") { zoom(1.5); } else if (how === "out") { zoom(1 / 1.5); } else { fit(); }
      });
    });
    port.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = port.getBoundingClientRect();
      zoom(event.deltaY < 0 ? 1.25 : 0.8, (event.clientX - rect.left) / rect.width,
           (event.clientY - rect.top) / rect.height);
    }, { passive: false });
    var last = null;
    port.addEventListener("pointerdown", function (event) {
      last = [event.clientX, event.clientY]; port.classList.add("dragging");
      if (port.setPointerCapture) { port.setPointerCapture(event.pointerId); }
    });
    port.addEventListener("pointermove", function (event) {
      if (!last) { return; }
      var rect = port.getBoundingClientRect();
      var scale = Math.max(box.width / rect.width, box.height / rect.height);
      box.x -= (event.clientX - last[0]) * scale; box.y -= (event.clientY - last[1]) * scale;
      last = [event.clientX, event.clientY];
    });
    function stop() { last = null; port.classList.remove("dragging"); }
    port.addEventListener("pointerup", stop); port.addEventListener("pointercancel", stop);
    port.addEventListener("keydown", function (event) {
      var keys = { "+": function () { zoom(1.5); }, "=": function () { zoom(1.5); },
                   "-": function () { zoom(1 / 1.5); }, "0": fit,
                   "ArrowLeft": function () { pan(-0.1, 0); }, "ArrowRight": function () { pan(0.1, 0); },
                   "ArrowUp": function () { pan(0, -0.1); }, "ArrowDown": function () { pan(0, 0.1); } };
      if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
    });
  }
  document.querySelectorAll("figure.graph").forEach(function (figure) {
    var svg = figure.querySelector(".viewport > svg");
    if (svg) { fitLabels(svg); liftNumbers(svg); }
    panZoom(figure);
  });
  document.documentElement.setAttribute("data-ready", "yes");
})();
"""  # noqa: E501 (the script is emitted verbatim: re-wrapping it changes every page and its hash)

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src 'sha256-{_SCRIPT_HASH}'")
"""The page's Content-Security-Policy: nothing is loaded, and only our own script runs."""


@dataclass(frozen=True)
class Figure:
    """A section drawn by another layer (a shift sweep, the incentives panel), shown under its
    own heading.

    ``markup`` is trusted (we made it: an SVG, an escaped ``<pre>``); ``heading`` and
    ``caption`` are escaped.
    """

    heading: str
    caption: str
    markup: str


def text(value: str, cap: int | None = None) -> str:
    """User text for HTML: control characters escaped, cut after ``cap`` characters, and
    ``<``, ``>``, ``&`` and quotes escaped.

    >>> text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return escape(plain(value, cap))


def _highlight_rules(section: str, count: int) -> str:
    """CSS that dims everything but path i while row i is hovered or focused."""
    rules = []
    for number in range(1, count + 1):
        chosen = f"body:has(#{section}-row-{number}:is(:hover, :focus)) #{section}"
        rules.append(f"{chosen} svg .edge:not(.path{number}) {{ opacity: .12; }}")
        rules.append(f"{chosen} svg .node:not(.on{number}) {{ opacity: .25; }}")
        rules.append(f"{chosen} svg .path{number} path {{ stroke-width: 5; }}")
    return "\n".join(rules)


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{text(item, 2000)}</li>" for item in items) + "</ul>"


def _svg_or_note(result: AlignmentResult) -> tuple[str | None, str]:
    try:
        return to_svg(result), ""
    except PicturesUnavailable as error:
        return None, f'<p class="note">{text(str(error), 2000)}</p>'


def figure_html(result: AlignmentResult) -> str:
    """The picture in a plain frame (the Jupyter view), or a note saying why there is none."""
    svg, note = _svg_or_note(result)
    return note if svg is None else f'<figure style="overflow:auto">{svg}</figure>'


def swatch(number: int) -> str:
    """A short line in path ``number``'s colour and pattern, for tables and lists."""
    dashes = DASHES[path_pattern(number)]
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return (f'<svg class="swatch" width="28" height="10" aria-hidden="true"><line x1="1" y1="5" '
            f'x2="27" y2="5" stroke="{path_colour(number)}" stroke-width="3"{dash}/></svg>')


_LEGEND = (
    ('<rect x="2" y="2" width="24" height="12" fill="#fde68a" stroke="black"/>', "regime node"),
    ('<ellipse cx="14" cy="8" rx="12" ry="6" fill="#d1d5db" stroke="black"/>',
     "Y_m (conditioned on)"),
    ('<ellipse cx="14" cy="8" rx="12" ry="6" fill="#fee2e2" stroke="#b91c1c" stroke-width="2"/>',
     "Y_b"),
    ('<polygon points="14,1 21,8 14,15 7,8" fill="white" stroke="black"/>',
     "σ: the policy's intervention"),
    ('<line x1="1" y1="8" x2="27" y2="8" stroke="black" stroke-dasharray="4 2"/>',
     "<-> a latent common cause"),
    ('<line x1="1" y1="8" x2="27" y2="8" stroke="#c7c7c7" stroke-dasharray="4 2"/>',
     "an edge σ removes"),
    ('<line x1="1" y1="8" x2="27" y2="8" stroke="black" stroke-width="3"/>',
     "an edge σ's context adds (marked σ)"),
    ('<line x1="1" y1="8" x2="27" y2="8" stroke="#d62728" stroke-width="3"/>',
     "open path: its colour, pattern and number"),
)


def _legend() -> str:
    items = "".join(f'<li><svg width="28" height="16" aria-hidden="true">{mark}</svg>'
                    f"{escape(meaning)}</li>" for mark, meaning in _LEGEND)
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def _graph_figure(result: AlignmentResult) -> str:
    svg, note = _svg_or_note(result)
    if svg is None:
        return note
    return ('<figure class="graph"><div class="controls" role="toolbar" aria-label="picture">'
            '<button type="button" data-zoom="in" aria-label="zoom in">+</button>'
            '<button type="button" data-zoom="out" aria-label="zoom out">−</button>'
            '<button type="button" data-zoom="fit">fit</button>'
            "<span>drag or arrow keys to pan, wheel or + / − to zoom, 0 to fit</span></div>"
            '<div class="viewport" tabindex="0" role="img" aria-label="G_σ with the open paths">'
            f"{svg}</div>{_legend()}</figure>")


def _path_cell(path: OpenPath) -> str:
    """The path, written by its two ends when it is very long."""
    words = str(path).split(" ")
    cap = 2 * PATH_NODES_SHOWN - 1
    if len(words) <= cap:
        return text(" ".join(words))
    head, tail = words[:PATH_NODES_SHOWN - 1], words[-(PATH_NODES_SHOWN - 1):]
    return text(" ".join(head) + f" … ({len(path.nodes):,} nodes) … " + " ".join(tail))


def _path_table(section: str, result: AlignmentResult) -> str:
    if not result.open_paths:
        return ""
    rows = []
    for number, path in enumerate(result.open_paths, 1):
        reasons = path.explain()
        listed = "".join(f"<li>{text(reason, 2000)}</li>" for reason in reasons[:REASONS_SHOWN])
        if len(reasons) > REASONS_SHOWN:
            listed += f"<li>… and {len(reasons) - REASONS_SHOWN:,} more</li>"
        rows.append(
            f'<tr class="path-row" id="{section}-row-{number}" tabindex="0"><td>{number}</td>'
            f"<td>{swatch(number)}</td><td><code>{_path_cell(path)}</code></td>"
            f"<td>{escape(', '.join(path.kinds))}</td>"
            f'<td><ul class="reasons">{listed}</ul></td></tr>')
    return ("<table><thead><tr><th>#</th><th></th><th>path</th><th>kind</th>"
            "<th>why each node lets it through</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _sigma_section(result: AlignmentResult) -> str:
    if not result.sigma:
        return "<p>No σ: G_σ = G, a plain transportability check.</p>"
    reads = [f"{item.target} reads {', '.join(item.context or ()) or 'nothing (open loop)'}"
             for item in result.sigma]
    removed = ", ".join(map(str, result.sigma_removed)) or "none"
    added = ", ".join(map(str, result.sigma_added)) or "none"
    return _list(reads + [f"edges removed: {removed}", f"edges added by the context: {added}"])


def _figure_section(figure: Figure) -> list[str]:
    """A figure under its heading. Matplotlib's SVG carries a style rule for every element
    (``*{...}``); it is narrowed to this figure so that it leaves the graph picture alone."""
    svg = figure.markup.strip().replace('<style type="text/css">*{',
                                     '<style type="text/css">figure.extra *{', 1)
    return [f"<h2>{text(figure.heading, 200)}</h2>", f"<p>{text(figure.caption, 2000)}</p>",
            f'<figure class="extra">{svg}</figure>']


def _section(section: str, result: AlignmentResult, figures: Sequence[Figure],
             heading: str) -> list[str]:
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    badge = "aligned" if result.aligned else "misaligned"
    repairs = repair_lines(result)
    parts = [f'<section id="{section}">', heading,
             (f"<p>Query: <code>{text(query_text(result))}</code>"
              + (f' <span class="verdict {badge}">{verdict}</span>' if heading else "")
              + "</p>"),
             _graph_figure(result),
             "<h2>Open paths</h2>", f"<p>{text(paths_sentence(result))}</p>",
             _path_table(section, result),
             *([f"<p>{text(blocked_sentence(result))}</p>",
                _list([str(path) for path in result.blocked_paths])]
               if result.blocked_paths else []),
             "<h2>σ: the policy's intervention</h2>", _sigma_section(result),
             f"<h2>{escape(CONJECTURE_HEADING)}</h2>",
             _list(conjecture_lines(result))]
    if repairs:
        parts += ["<h2>What would make it aligned</h2>", _list(repairs)]
    for figure in figures:
        parts += _figure_section(figure)
    parts += [(f'<p class="note">Certificate: {escape(result.certificate.kind)}, checked by '
               "causal_align.verify_certificate.</p>"), "</section>"]
    return parts


def _page(title: str, heading: str, sections: list[str], rules: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>", f"<style>{_STYLE}\n{rules}</style></head><body>",
        heading, *sections, f"<script>{_SCRIPT}</script>", "</body></html>"])


def to_html(result: AlignmentResult, *, figures: Sequence[Figure] = ()) -> str:
    """The full report as one offline HTML page, with ``figures`` drawn by other layers (the
    command line adds the shift sweep of a graph file's model).

    Examples
    --------
    >>> from causal_align import CausalGraph, check_inner_alignment
    >>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m", name="proxy")
    >>> page = to_html(check_inner_alignment(graph),
    ...                figures=[Figure("Shift sweep", "gap <0.1", "<svg></svg>")])
    >>> "<h2>Shift sweep</h2>" in page, "<p>gap &lt;0.1</p>" in page
    (True, True)
    """
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    badge = "aligned" if result.aligned else "misaligned"
    name = text(result.graph_name, 200)
    heading = f'<h1>{name} <span class="verdict {badge}">{verdict}</span></h1>'
    return _page(f"{name}: {verdict}", heading, _section("q1", result, figures, ""),
                 _highlight_rules("q1", len(result.open_paths)))


def to_html_batch(answers: Sequence[tuple[str, AlignmentResult, Sequence[Figure]]], *,
                  summary: str | None = None, preface: str = "") -> str:
    """One page answering several queries of one graph: a section per ``(query name, result,
    figures)``, each with its own picture and path table. ``summary`` replaces the heading's
    count of aligned queries; ``preface`` (plain text, escaped) comes before the sections (the
    uncertainty layer's report, whose members are the sections).

    Examples
    --------
    >>> from causal_align import CausalGraph, check_inner_alignment
    >>> graph = CausalGraph.from_edges(["s -> Y"], regime="s", base="Y", name="g")
    >>> page = to_html_batch([("<b>first</b>", check_inner_alignment(graph), ())])
    >>> "<h2>query: &lt;b&gt;first&lt;/b&gt;</h2>" in page, page.count("<!DOCTYPE")
    (True, 1)
    """
    graphs = dict.fromkeys(result.graph_name for _, result, _ in answers)
    aligned = sum(result.aligned for _, result, _ in answers)
    name = text(", ".join(graphs), 200)
    summary = summary or f"{aligned} of {len(answers)} queries aligned"
    sections: list[str] = [f"<pre>{text(preface, 20_000)}</pre>"] if preface else []
    rules: list[str] = []
    for index, (query, result, figures) in enumerate(answers, 1):
        section = f"q{index}"
        sections += _section(section, result, figures, f"<h2>query: {text(query, 200)}</h2>")
        rules.append(_highlight_rules(section, len(result.open_paths)))
    return _page(f"{name}: {summary}", f"<h1>{name}: {escape(summary)}</h1>", sections,
                 "\n".join(rules))
