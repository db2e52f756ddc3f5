"""SVG and PNG of the picture, drawn by a Graphviz executable (the bundled ``graphviz-pure``
first).

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b")
>>> to_svg(check_inner_alignment(graph)).startswith("<svg")
True
>>> to_png(check_inner_alignment(graph))[:8] == PNG_SIGNATURE
True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from causal_align.errors import PicturesUnavailable
from causal_align.pictures.dot import to_dot

if TYPE_CHECKING:
    from causal_align.alignment import AlignmentResult


def find_dot() -> str | None:
    """The Graphviz executable to use, or None.

    In order: the environment variable ``CAUSAL_ALIGN_DOT``; ``graphviz-pure`` next to the
    running Python (installed with causal_align) or on PATH; a system ``dot``.
    """
    named = os.environ.get("CAUSAL_ALIGN_DOT")
    if named:
        return named
    beside = Path(sys.executable).parent / "graphviz-pure"
    if beside.exists():
        return str(beside)
    return shutil.which("graphviz-pure") or shutil.which("dot")



LAYOUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ()),
    ("a simpler layout (straight edges): the full layout took too long",
     ("-Gsplines=line", "-Gnslimit=2", "-Gnslimit1=2", "-Gmclimit=0.1", "-Gsearchsize=10")),
    ("a force-directed layout (neato): the layered layout took too long",
     ("-Kneato", "-Gsplines=false")),
)
"""Graphviz's layouts, tried in order until one finishes within its budget, with the note the
picture then carries."""


_SLOW: dict[tuple[str, int, int], int] = {}
"""Graphs (name, node and edge counts) whose layout ran out of time, with the first layout
level still worth trying: the other queries of a batch go straight to the simpler layout
instead of waiting out the budget once per query."""


def layout_budget(dot_text: str) -> float:
    """Seconds the full layout may take: 10 s, plus a second per 2,000 characters of DOT, at
    most 60 s. Each fallback gets the same budget again."""
    return min(60.0, 10.0 + len(dot_text) / 2000)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
"""The first eight bytes of every PNG file."""


def to_svg(result: AlignmentResult) -> str:
    """The picture as an SVG element (no XML prolog), ready to inline in HTML.

    Raises
    ------
    PicturesUnavailable
        As :func:`draw` does.
    """
    svg = draw(result, "svg").decode("utf-8")
    return svg[svg.index("<svg"):]


def to_png(result: AlignmentResult) -> bytes:
    """The picture as a PNG image (the same drawing as :func:`to_svg`, as pixels).

    Raises
    ------
    PicturesUnavailable
        As :func:`draw` does, and when the program's output is not a PNG.
    """
    png = draw(result, "png")
    if not png.startswith(PNG_SIGNATURE):
        raise PicturesUnavailable(f"pictures are unavailable: {Path(find_dot() or 'dot').name} "
                                  "did not write a PNG image")
    return png


def draw(result: AlignmentResult, output: str) -> bytes:
    """The picture in Graphviz's output format ``output`` (``svg`` or ``png``), as bytes.

    The layout gets a budget that fits the drawing (:func:`layout_budget`); when Graphviz
    takes longer, a simpler layout is drawn instead (:data:`LAYOUTS`) and its title says so.
    No message names a local path (only the program's name).

    Raises
    ------
    PicturesUnavailable
        When no Graphviz executable can be found, it fails, or no layout finishes in time.
    """
    dot = find_dot()
    if dot is None:
        raise PicturesUnavailable(
            "pictures are unavailable: no Graphviz executable found (reinstall causal_align, "
            "which brings graphviz-pure; or install Graphviz; or set CAUSAL_ALIGN_DOT to a dot "
            "executable). The text, markdown and json formats work without it.")
    program = Path(dot).name
    graph = result.diagram.graph
    key = (graph.name, len(graph.nodes), len(graph.edges))
    for level, (note, flags) in enumerate(LAYOUTS):
        if level < _SLOW.get(key, 0):
            continue  # this graph already took too long at this level: no need to wait again
        source = to_dot(result, note=note)
        budget = layout_budget(source)
        try:
            done = subprocess.run([dot, f"-T{output}", *flags], input=source.encode("utf-8"),
                                  capture_output=True, timeout=budget, check=False)
        except subprocess.TimeoutExpired:
            if len(_SLOW) >= 256:
                _SLOW.clear()
            _SLOW[key] = level + 1
            continue
        except OSError as error:
            raise PicturesUnavailable(f"pictures are unavailable: running {program} failed: "
                                      f"{error.strerror or error}") from None
        if done.returncode != 0:
            stderr = done.stderr.decode("utf-8", "replace").strip()[:500]
            raise PicturesUnavailable(f"pictures are unavailable: {program} exited with "
                                      f"{done.returncode}: {stderr}")
        return done.stdout
    raise PicturesUnavailable(f"pictures are unavailable: {program} found no layout within "
                              f"{layout_budget(to_dot(result)):.0f} s (the graph is too dense "
                              "to draw; the text and tables below say everything)")
