"""SVG of the picture, drawn by a Graphviz executable (the bundled ``graphviz-pure`` first).

Examples
--------
>>> from causal_align import CausalGraph, check_inner_alignment
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b")
>>> to_svg(check_inner_alignment(graph)).startswith("<svg")
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



def to_svg(result: AlignmentResult) -> str:
    """The picture as an SVG element (no XML prolog), ready to inline in HTML.

    Raises
    ------
    PicturesUnavailable
        When no Graphviz executable can be found or it fails.
    """
    dot = find_dot()
    if dot is None:
        raise PicturesUnavailable(
            "pictures are unavailable: no Graphviz executable found (reinstall causal_align, "
            "which brings graphviz-pure; or install Graphviz; or set CAUSAL_ALIGN_DOT to a dot "
            "executable). The text, markdown and json formats work without it.")
    try:
        done = subprocess.run([dot, "-Tsvg"], input=to_dot(result), capture_output=True,
                              text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PicturesUnavailable(f"pictures are unavailable: running {dot} failed: "
                                  f"{error}") from None
    if done.returncode != 0:
        raise PicturesUnavailable(f"pictures are unavailable: {dot} exited with "
                                  f"{done.returncode}: {done.stderr.strip()[:500]}")
    svg = done.stdout
    return svg[svg.index("<svg"):]
