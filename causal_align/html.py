"""One self-contained, offline HTML page: verdict, picture, open paths, σ diff, conjecture, repairs.

No scripts, fonts or images are fetched: the SVG is inline and the styles are in the page.
Hovering a row of the path table highlights that path in the picture with CSS alone
(``:has()``), so the page works wherever it is opened. Given a
:class:`~causal_align.shift_sweep.Sweep` of a model of the graph, the page also shows its picture
under "Shift sweep" (when matplotlib is there to draw it).

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

from causal_align.errors import CausalAlignError
from causal_align.gap import signed
from causal_align.picture import PicturesUnavailable, path_colour, to_svg
from causal_align.plot import sweep_svg
from causal_align.report import conjecture_lines, paths_sentence, query_text, repair_lines

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult
    from causal_align.shift_sweep import Sweep

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


def _figure(result: AlignmentResult) -> str:
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


def _sweep_section(sweep: Sweep | None) -> list[str]:
    """The sweep's picture under its heading; nothing without a sweep or without matplotlib.

    Matplotlib's SVG carries a style rule for every element (``*{...}``); it is narrowed to the
    sweep's figure so that it leaves the graph picture alone.
    """
    if sweep is None:
        return []
    try:
        svg = sweep_svg(sweep)
    except CausalAlignError:  # no matplotlib: the page goes without the sweep
        return []
    svg = svg.strip().replace('<style type="text/css">*{',
                              '<style type="text/css">figure.sweep *{', 1)
    caption = (f"The gap E({sweep.score} | Y_m = y, deploy; σ) − E({sweep.score} | Y_m = y, "
               "train; σ) of the file's model, as every mechanism the regime moves goes from its "
               "training table (λ = 0) to its deployment table (λ = 1).")
    highest = next((line for line in sweep.lines if line.highest), None)
    if highest is not None:
        caption += (f" The thick red line is the highest Y_m, {highest.label()}: gap "
                    f"{signed(highest.gaps[-1])} at λ = 1.")
    return ["<h2>Shift sweep</h2>", f"<p>{escape(caption)}</p>",
            f'<figure class="sweep">{svg}</figure>']


def notebook_html(result: AlignmentResult) -> str:
    """The verdict, the picture and the path count, for ``AlignmentResult._repr_html_``."""
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    badge = "aligned" if result.aligned else "misaligned"
    rows = "".join(f'<li><span style="color:{path_colour(number)}">■</span> '
                   f"<code>{escape(str(path))}</code></li>"
                   for number, path in enumerate(result.open_paths[:10], 1))
    return (f'<div><style>.verdict{{padding:.1rem .5rem;border-radius:.3rem;color:white;'
            f'font-weight:700}}.aligned{{background:#15803d}}.misaligned{{background:#b91c1c}}'
            f'</style><p><b>{escape(result.graph)}</b> <span class="verdict {badge}">{verdict}'
            f"</span> <code>{escape(query_text(result))}</code></p>{_figure(result)}"
            f"<p>{escape(paths_sentence(result))}</p><ul>{rows}</ul></div>")


def to_html(result: AlignmentResult, *, sweep: Sweep | None = None) -> str:
    """The full report as one offline HTML page, with the picture of ``sweep`` if given.

    Examples
    --------
    >>> from causal_align import CausalGraph, check_inner_alignment
    >>> from causal_align.discrete import random_model
    >>> from causal_align.shift_sweep import sweep
    >>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m", name="proxy")
    >>> page = to_html(check_inner_alignment(graph), sweep=sweep(random_model(graph, seed=3)))
    >>> "<h2>Shift sweep</h2>" in page, "gap -0.1640 at λ = 1" in page
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
        _figure(result),
        "<h2>Open paths</h2>", f"<p>{escape(paths_sentence(result))}</p>",
        _path_table(result),
        "<h2>σ: the policy's intervention</h2>", _sigma_section(result),
        "<h2>The founding text's conjecture, read in G_σ</h2>", _list(conjecture_lines(result)),
    ]
    if repairs:
        parts += ["<h2>What would make it aligned</h2>", _list(repairs)]
    parts += _sweep_section(sweep)
    parts += [f'<p class="note">Certificate: {escape(result.certificate.kind)}, checked by '
              "causal_align.verify_certificate.</p>", "</body></html>"]
    return "\n".join(parts)
