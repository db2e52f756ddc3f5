"""Pictures of a shift sweep: the gap against the shift strength, one line per value of Y_m.

The highest Y_m (what the mesa-optimizer achieves) is drawn thick and red, the others thin; a
dashed line marks gap 0, where high Y_m means in deployment what it meant in training. A value of
Y_m that never happens in a regime leaves a hole in its line.

Every text a user controls (the graph's name, state names, the utility's label) is drawn as
plain text: a ``$`` cannot start mathtext, control characters are escaped and long names are cut
(:func:`plain_text`). The file is written atomically: complete, or the old one left as it was.

Rendering uses matplotlib's own defaults (not the user's style), an object-oriented ``Figure``
(no pyplot, no global backend switch), a fixed SVG hash salt and no date, so the same sweep always
gives the same bytes.

Examples
--------
>>> from causal_align.quantities.discrete import random_model
>>> from causal_align.model import CausalGraph
>>> from causal_align.quantities.sweep import sweep
>>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m")
>>> svg = sweep_svg(sweep(random_model(graph, seed=3), steps=5))
>>> svg.startswith("<svg"), svg == sweep_svg(sweep(random_model(graph, seed=3), steps=5))
(True, True)
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from causal_align.errors import CausalAlignError, shown
from causal_align.limits import write_atomically
from causal_align.quantities.gap import signed
from causal_align.wording import plain

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from causal_align.quantities.sweep import Sweep

FORMATS = (".png", ".svg")
HIGHLIGHT = "#b91c1c"
OTHERS = ("#2563eb", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d")
MANY = 8
"""With more lines than this, the values of Y_m other than the highest are drawn grey, unnamed."""


def plot_sweep(sweep: Sweep, path: str | os.PathLike[str]) -> None:
    """Write the sweep's picture to ``path``, a PNG or SVG file (chosen by the suffix).

    Raises
    ------
    CausalAlignError
        For another suffix, when the file cannot be written, or without matplotlib.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise CausalAlignError(f"cannot draw the sweep to {shown(os.fspath(path))}: the file "
                               f"must end in .png or .svg, found {shown(suffix or 'no suffix')}")
    try:
        write_atomically(path, lambda temporary: _render(sweep, temporary, suffix[1:]))
    except OSError as error:
        raise CausalAlignError(f"cannot write {shown(os.fspath(path))}: "
                               f"{error.strerror or error}") from error


def sweep_svg(sweep: Sweep) -> str:
    """The sweep's picture as inline SVG text (no XML prolog), to embed in an HTML page."""
    buffer = io.BytesIO()
    _render(sweep, buffer, "svg")
    text = buffer.getvalue().decode("utf-8")
    return text[text.index("<svg"):]


def plain_text(text: str, cap: int = 80) -> str:
    r"""User text as matplotlib draws it literally: no mathtext, one line, at most ``cap``
    characters.

    >>> print(plain_text("price $\\frac{1}{$ x"))
    price \$\frac{1}{\$ x
    """
    return plain(text, cap).replace("$", "\\$")


def _render(sweep: Sweep, target: str | os.PathLike[str] | io.BytesIO, format: str) -> None:
    try:
        import matplotlib
        from matplotlib import style
    except ImportError as error:
        raise CausalAlignError("drawing a sweep needs matplotlib, part of the quantities extra: "
                               "pip install 'causal_align[quantities]'") from error

    with style.context("default"), matplotlib.rc_context(
            {"svg.hashsalt": "causal_align", "svg.fonttype": "path"}):
        figure = _figure(sweep)
        metadata: dict[str, Any] = {"Date": None} if format == "svg" else {}
        figure.savefig(target, format=format, metadata=metadata, dpi=150)


def _figure(sweep: Sweep) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.5), layout="constrained")
    axes = figure.add_subplot()
    strengths = np.asarray(sweep.strengths)
    many = len(sweep.lines) > MANY
    others = 0
    for line in sweep.lines:
        gaps = np.array([np.nan if gap is None else gap for gap in line.gaps])
        if line.highest:
            axes.plot(strengths, gaps, color=HIGHLIGHT, linewidth=2.8, marker="o",
                      markersize=3.5, zorder=3,
                      label=f"{plain_text(line.label())}  (highest Y_m)")
        elif many:
            axes.plot(strengths, gaps, color="#9ca3af", linewidth=0.9, zorder=2,
                      label="other values of Y_m" if others == 0 else None)
        else:
            axes.plot(strengths, gaps, color=OTHERS[others % len(OTHERS)], linewidth=1.3,
                      zorder=2, label=plain_text(line.label()))
        others += not line.highest
    axes.axhline(0.0, color="#374151", linewidth=0.9, linestyle="--", zorder=1)
    axes.set_xlim(0.0, 1.0)
    axes.set_xlabel("shift strength λ   (0 = training mechanisms, 1 = deployment)")
    axes.set_ylabel(f"gap  E({plain_text(sweep.score, 40)} | Y_m = y):  deployment − training")
    axes.set_title(f"{plain_text(sweep.graph_name)}: alignment gap against the shift strength")
    axes.grid(alpha=0.3)
    axes.legend(title="Y_m = y" if sweep.mesa else None, fontsize="small")
    return figure


def sweep_caption(sweep: Sweep) -> str:
    """What the sweep's picture shows, in a sentence or two (for a report's caption)."""
    caption = (f"The gap E({sweep.score} | Y_m = y, deploy; σ) − E({sweep.score} | Y_m = y, "
               "train; σ) of the file's model, as every mechanism the regime moves goes from its "
               "training table (λ = 0) to its deployment table (λ = 1).")
    highest = next((line for line in sweep.lines if line.highest), None)
    if highest is not None:
        caption += (f" The thick red line is the highest Y_m, {highest.label()}: gap "
                    f"{signed(highest.gaps[-1])} at λ = 1.")
    return caption
