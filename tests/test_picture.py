"""Pictures: the DOT drawing of G_σ, SVG through graphviz-pure, the focus view, the HTML page."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from causal_align import CausalGraph, SoftIntervention, check_inner_alignment, load_graph, render
from causal_align.errors import PicturesUnavailable
from causal_align.pictures.dot import FOCUS_CAP, to_dot
from causal_align.pictures.svg import find_dot, to_svg

ROOT = Path(__file__).resolve().parent.parent


def cue_result():  # type: ignore[no-untyped-def]
    return check_inner_alignment(load_graph(ROOT / "graphs" / "deceptive_cue.yaml"))


def line_with(dot: str, text: str) -> str:
    return next(line.strip() for line in dot.splitlines() if text in line)


def test_the_drawing_marks_every_role_and_every_sigma_change() -> None:
    graph = CausalGraph.from_edges(["s -> Cue", "Cue -> D", "O -> D", "D -> Y_b", "D -> Y_m",
                                    "Y_m <-> Y_b", "D <-> O"], regime="s",
                                   sigma=[SoftIntervention("D", ["O", "Y_b2"])],
                                   nodes={"Y_b2": "second"}, base="Y_b", mesa="Y_m")
    dot = to_dot(check_inner_alignment(graph))
    assert '"s" [shape=box' in dot
    assert line_with(dot, '"σ(D)" [').startswith('"σ(D)" [shape=diamond')
    assert line_with(dot, '"σ(D)" -> "D"') == '"σ(D)" -> "D" [style=dotted];'
    assert 'style=filled, fillcolor="#d1d5db"' in line_with(dot, '"Y_m" [')
    assert 'color="#b91c1c", penwidth=2.5' in line_with(dot, '"Y_b" [')
    assert line_with(dot, '"Cue" -> "D"').endswith(
        'style=dashed, color="#c7c7c7", constraint=false, tooltip="removed by σ"];')
    assert 'dir=both' in line_with(dot, '"D" -> "O" [style=dashed')
    assert 'style=bold, tooltip="added by σ\'s context", label="σ"' in line_with(
        dot, '"Y_b2" -> "D"')
    assert line_with(dot, '"Y_b" -> "Y_m"').startswith('"Y_b" -> "Y_m" [dir=both, style=dashed')


def test_open_paths_are_coloured_and_numbered() -> None:
    dot = to_dot(cue_result())
    assert line_with(dot, '"s" -> "Cue"') == (
        '"s" -> "Cue" [color="#d62728:#1f77b4:#2ca02c", penwidth=2.5, label="1,2,3", '
        'fontcolor="#d62728", class="path1 path2 path3"];')
    assert 'class="on3"' in line_with(dot, '"Prompt" [')


def test_the_drawing_is_deterministic() -> None:
    assert to_dot(cue_result()) == to_dot(cue_result())
    assert to_svg(cue_result()) == to_svg(cue_result())


def big_graph(size: int) -> CausalGraph:
    rng = random.Random(7)
    edges = ["s -> V0", "s -> V1", f"V{size - 1} -> Y_b", f"V{size - 2} -> Y_m"]
    for node in range(size):
        for _ in range(2):
            later = node + 1 + rng.randrange(20)
            if later < size:
                edges.append(f"V{node} -> V{later}")
    return CausalGraph.from_edges(sorted(set(edges)), regime="s", base="Y_b", mesa="Y_m")


def test_a_large_graph_is_drawn_as_its_focus_view() -> None:
    result = check_inner_alignment(big_graph(5000), limit=5)
    dot = to_dot(result)
    drawn = {line.split('"')[1] for line in dot.splitlines()
             if re.match(r'\s+"[^"]+"( \[.*\])?;$', line)}
    assert "focus view:" in dot.splitlines()[1]
    assert len(drawn) <= FOCUS_CAP
    assert {node for path in result.open_paths for node in path.nodes} <= drawn
    svg = to_svg(result)
    width, height = (float(value) for value in re.search(
        r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())  # type: ignore[union-attr]
    assert max(width, height) < 40_000 / 1.33, (width, height)


def test_svg_has_the_path_classes_the_page_highlights() -> None:
    svg = to_svg(cue_result())
    assert svg.startswith("<svg")
    assert 'class="edge path1 path2 path3"' in svg.replace("&#45;", "-")


def test_an_explicit_dot_executable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSAL_ALIGN_DOT", "/opt/graphviz/bin/dot")
    assert find_dot() == "/opt/graphviz/bin/dot"


def test_missing_graphviz_is_explained_and_html_still_renders(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAUSAL_ALIGN_DOT", str(tmp_path / "no-such-dot"))
    with pytest.raises(PicturesUnavailable, match="pictures are unavailable"):
        to_svg(cue_result())
    page = render(cue_result(), "html")
    assert "pictures are unavailable" in page and "<svg" not in page
    assert render(cue_result(), "text").startswith("deceptive_cue: NOT ALIGNED")


def test_the_page_is_self_contained() -> None:
    page = render(cue_result(), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<script|<link|@import|url\(|src=", page)
    assert page.count('class="path-row"') == 3
    assert "body:has(#row-3:hover) svg .edge:not(.path3)" in page


def test_a_notebook_shows_the_verdict_and_the_picture() -> None:
    shown = cue_result()._repr_html_()
    assert "NOT ALIGNED" in shown and "<svg" in shown
