"""One self-contained, offline HTML page: verdict, picture, open paths, σ diff, conjecture, repairs.

No scripts, fonts or images are fetched: the SVG is inline and the styles are in the page.
Hovering a row of the path table highlights that path in the picture with CSS alone
(``:has()``), so the page works wherever it is opened. Pictures drawn by other layers (the
shift sweep of a model) are passed in, already drawn, as :class:`Figure` values.

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b", name="demo")
>>> page = to_html(check_inner_alignment(graph))
>>> page.startswith("<!DOCTYPE html>"), "http" in page.replace("http://www.w3.org", "")
(True, False)
>>> 'id="row-1"' in page
True
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from collections.abc import Sequence
from dataclasses import dataclass

from causal_align.errors import PicturesUnavailable
from causal_align.pictures.dot import path_colour
from causal_align.pictures.svg import to_svg
from causal_align.wording import conjecture_lines, paths_sentence, query_text, repair_lines

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2937; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.verdict { display: inline-block; padding: .15rem .6rem; border-radius: .4rem; color: white;
           font-weight: 700; }
.aligned { background: #15803d; } .misaligned { background: #b91c1c; }
figure { margin: 1rem 0; overflow: auto; border: 1px solid #e5e7eb; border-radius: .5rem;
         padding: .5rem; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
         border-bottom: 1px solid #e5e7eb; }
tr.path-row:hover { background: #f3f4f6; cursor: default; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: .2rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .95em; }
ul.reasons { margin: .2rem 0; padding-left: 1.1rem; }
.note { color: #4b5563; }
"""


def _highlight_rules(count: int) -> str:
    """CSS that dims everything but path i while row i is hovered."""
    rules = []
    for number in range(1, count + 1):
        hovered = f"body:has(#row-{number}:hover)"
        rules.append(f"{hovered} svg .edge:not(.path{number}) {{ opacity: .12; }}")
        rules.append(f"{hovered} svg .node:not(.on{number}) {{ opacity: .25; }}")
        rules.append(f"{hovered} svg .path{number} path {{ stroke-width: 5; }}")
    return "\n".join(rules)


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def figure_html(result: AlignmentResult) -> str:
    try:
        return f"<figure>{to_svg(result)}</figure>"
    except PicturesUnavailable as error:
        return f'<p class="note">{escape(str(error))}</p>'


def _path_table(result: AlignmentResult) -> str:
    if not result.open_paths:
        return ""
    rows = []
    for number, path in enumerate(result.open_paths, 1):
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in path.explain())
        rows.append(
            f'<tr class="path-row" id="row-{number}"><td>{number}</td>'
            f'<td><span class="swatch" style="background:{path_colour(number)}"></span></td>'
            f"<td><code>{escape(str(path))}</code></td><td>{escape(', '.join(path.kinds))}</td>"
            f'<td><ul class="reasons">{reasons}</ul></td></tr>')
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


@dataclass(frozen=True)
class Figure:
    """A picture drawn by another layer (a shift sweep, say), shown under its own heading.

    ``svg`` is trusted markup (we drew it); ``heading`` and ``caption`` are escaped.
    """

    heading: str
    caption: str
    svg: str


def _figure_section(figure: Figure) -> list[str]:
    """A figure under its heading. Matplotlib's SVG carries a style rule for every element
    (``*{...}``); it is narrowed to this figure so that it leaves the graph picture alone."""
    svg = figure.svg.strip().replace('<style type="text/css">*{',
                                     '<style type="text/css">figure.extra *{', 1)
    return [f"<h2>{escape(figure.heading)}</h2>", f"<p>{escape(figure.caption)}</p>",
            f'<figure class="extra">{svg}</figure>']


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
    repairs = repair_lines(result)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(result.graph)}: {verdict}</title>",
        f"<style>{_STYLE}\n{_highlight_rules(len(result.open_paths))}</style></head><body>",
        f'<h1>{escape(result.graph)} <span class="verdict {badge}">{verdict}</span></h1>',
        f"<p>Query: <code>{escape(query_text(result))}</code></p>",
        figure_html(result),
        "<h2>Open paths</h2>", f"<p>{escape(paths_sentence(result))}</p>",
        _path_table(result),
        "<h2>σ: the policy's intervention</h2>", _sigma_section(result),
        "<h2>The founding text's conjecture, read in G_σ</h2>", _list(conjecture_lines(result)),
    ]
    if repairs:
        parts += ["<h2>What would make it aligned</h2>", _list(repairs)]
    for figure in figures:
        parts += _figure_section(figure)
    parts += [f'<p class="note">Certificate: {escape(result.certificate.kind)}, checked by '
              "causal_align.verify_certificate.</p>", "</body></html>"]
    return "\n".join(parts)
