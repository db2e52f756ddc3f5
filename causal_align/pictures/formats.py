"""``render(result, format)`` for every format: the core's text, Markdown and JSON
(:mod:`causal_align.report`) and this layer's pictures.

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> result = check_inner_alignment(CausalGraph.from_edges(["s -> Y"], regime="s", base="Y"))
>>> render(result, "dot").startswith('digraph "graph"')
True
>>> render(result, "pdf")
Traceback (most recent call last):
...
causal_align.errors.CausalAlignError: unknown format 'pdf' (expected one of: text, markdown,
json, dot, svg, html)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, get_args

from causal_align import report
from causal_align.errors import CausalAlignError
from causal_align.pictures.dot import to_dot
from causal_align.pictures.html import Figure, to_html
from causal_align.pictures.svg import to_svg

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult

Format = Literal["text", "markdown", "json", "dot", "svg", "html"]
FORMATS: tuple[Format, ...] = get_args(Format)
"""Every report format, in the order the command line lists them."""


def render(result: AlignmentResult, format: str = "text", *,
           figures: Sequence[Figure] = ()) -> str:
    """The report in ``format``: ``"text"``, ``"markdown"``, ``"json"``, ``"dot"`` (Graphviz
    source of the picture), ``"svg"`` (the picture) or ``"html"`` (one offline page with the
    picture and ``figures``).

    Raises
    ------
    CausalAlignError
        For any other format; :class:`~causal_align.errors.PicturesUnavailable` for ``svg``
        without a Graphviz executable (the HTML page says why it has no picture instead).
    """
    if format in report.FORMATS:
        return report.render(result, format)
    if format == "dot":
        return to_dot(result)
    if format == "svg":
        return to_svg(result)
    if format == "html":
        return to_html(result, figures=figures)
    if format == "png":
        raise CausalAlignError("png is an image, not text: use causal_align.pictures.svg.to_png"
                               "(result), which returns its bytes")
    raise CausalAlignError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")
