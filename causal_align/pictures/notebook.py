"""The Jupyter view of a result: verdict, picture and the first open paths
(``AlignmentResult._repr_html_``, the one lazy import from the core into a layer).

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> result = check_inner_alignment(CausalGraph.from_edges(["s -> Y"], regime="s", base="Y"))
>>> notebook_html(result).startswith("<div>")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from causal_align.pictures.html import figure_html, swatch, text
from causal_align.wording import paths_sentence, query_text

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult


def notebook_html(result: AlignmentResult) -> str:
    """The verdict, the picture and the path count, for ``AlignmentResult._repr_html_``; every
    user text is escaped (a notebook runs what a cell's HTML holds)."""
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    badge = "aligned" if result.aligned else "misaligned"
    rows = "".join(f"<li>{swatch(number)} <code>{text(str(path), 2000)}</code></li>"
                   for number, path in enumerate(result.open_paths[:10], 1))
    return (f'<div><style>.verdict{{padding:.1rem .5rem;border-radius:.3rem;color:white;'
            f'font-weight:700}}.aligned{{background:#15803d}}.misaligned{{background:#b91c1c}}'
            f'</style><p><b>{text(result.graph_name, 200)}</b> '
            f'<span class="verdict {badge}">{verdict}'
            f"</span> <code>{text(query_text(result))}</code></p>{figure_html(result)}"
            f"<p>{text(paths_sentence(result))}</p><ul>{rows}</ul></div>")
