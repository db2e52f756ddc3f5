"""Pictures: the DOT drawing of G_σ, SVG through graphviz-pure, the focus view, the HTML page."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from causal_align import (
    CausalGraph,
    SoftIntervention,
    check_inner_alignment,
    load_graph,
    render,
)
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
    assert "pictures are unavailable" in page and '<figure class="graph">' not in page
    assert str(tmp_path) not in page  # no local path in a report
    assert render(cue_result(), "text").startswith("deceptive_cue: NOT ALIGNED")


def test_the_page_is_self_contained() -> None:
    page = render(cue_result(), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<link|@import|url\(|src=|https?://(?!www\.w3\.org)", page)
    assert page.count("<script") == 1  # ours, allowed by its hash and nothing else
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and "default-src 'none'" in policy.group(1)
    assert "script-src 'sha256-" in policy.group(1) and "unsafe-inline'; img" in policy.group(1)
    assert page.count('class="path-row"') == 3
    assert "body:has(#q1-row-3:is(:hover, :focus)) #q1 svg .edge:not(.path3)" in page


def test_a_notebook_shows_the_verdict_and_the_picture() -> None:
    shown = cue_result()._repr_html_()
    assert "NOT ALIGNED" in shown and "<svg" in shown


def fan_result(count: int):  # type: ignore[no-untyped-def]
    """``count`` open paths s -> A_i -> Y_b, one per middle node."""
    edges = [edge for index in range(count) for edge in (f"s -> A{index:02}", f"A{index:02} -> Y_b")]
    return check_inner_alignment(CausalGraph.from_edges(edges, regime="s", base="Y_b"))


def test_thirty_paths_all_look_different_and_path_11_is_not_path_1() -> None:
    from causal_align.pictures.dot import path_style

    assert len({path_style(number) for number in range(1, 31)}) == 30
    result = fan_result(12)
    dot = to_dot(result)
    number = {tuple(path.nodes): index for index, path in enumerate(result.open_paths, 1)}
    eleventh = next(path for path, index in number.items() if index == 11)
    first = next(path for path, index in number.items() if index == 1)
    line_11 = line_with(dot, f'"s" -> "{eleventh[1]}"')
    line_1 = line_with(dot, f'"s" -> "{first[1]}"')
    assert 'style=dashed' in line_11 and 'label="11"' in line_11
    assert 'style=' not in line_1 and 'label="1"' in line_1


def test_a_long_label_is_wrapped_to_fit_its_box() -> None:
    from causal_align.pictures.dot import LABEL_WIDTH

    graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b",
                                   nodes={"X": "the user's true long-term interests and goals, "
                                               "as an aligned assistant would read them " * 3})
    line = line_with(to_dot(check_inner_alignment(graph)), '"X" [')
    label = re.search(r'label="([^"]*)"', line).group(1)  # type: ignore[union-attr]
    shown = label.split("\\n")
    assert shown[0] == "X" and 2 <= len(shown) <= 4
    assert all(len(part) <= LABEL_WIDTH for part in shown), shown
    assert shown[-1].endswith("…")


@pytest.mark.parametrize("name", ["demo\nNOT ALIGNED: no\nALIGNED", "demo\x1b[2J\x1b]0;x\x07",
                                  'de"mo\\', "demo\u202eDENGILA"])
def test_control_characters_in_a_name_stay_inside_the_dot_string(name: str) -> None:
    graph = CausalGraph.from_edges(["s -> Y"], regime="s", base="Y", name=name,
                                   nodes={"Y": f"label {name}"})
    dot = to_dot(check_inner_alignment(graph))
    assert "\x1b" not in dot and "\u202e" not in dot and "\x07" not in dot
    assert dot.splitlines()[0].startswith('digraph "d') and dot.splitlines()[0].endswith("{")
    assert sum(line.startswith("  graph [label=") for line in dot.splitlines()) == 1
    assert all(line.count('"') % 2 == 0 or '\\"' in line for line in dot.splitlines())
    to_svg(check_inner_alignment(graph))  # and Graphviz reads it


def test_a_slow_layout_falls_back_to_a_simpler_one_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from causal_align.pictures import svg

    monkeypatch.setattr(svg, "_SLOW", {})  # what this test learns about slow graphs stays here
    budgets = iter([0.0, 60.0])  # the full layout "times out" at once, the simpler one runs
    monkeypatch.setattr(svg, "layout_budget", lambda source: next(budgets))
    drawn = to_svg(cue_result())
    assert "simpler layout" in drawn and "took too long" in drawn
    monkeypatch.setattr(svg, "layout_budget", lambda source: 0.0)
    with pytest.raises(PicturesUnavailable, match="found no layout within 0 s"):
        to_svg(cue_result())
    page = render(cue_result(), "html")  # the report never hangs: it says why
    assert "found no layout within" in page and "NOT ALIGNED" in page


def test_the_layout_budget_grows_with_the_drawing_and_is_capped() -> None:
    from causal_align.pictures.svg import layout_budget

    assert layout_budget("x" * 100) < layout_budget("x" * 40_000) <= 60
    assert layout_budget("x" * 10_000_000) == 60


def test_a_long_chain_focus_view_is_capped() -> None:
    count = 5_000
    edges = ["s -> V0", *(f"V{index} -> V{index + 1}" for index in range(count - 1)),
             f"V{count - 1} -> Y_b"]
    result = check_inner_alignment(CausalGraph.from_edges(edges, regime="s", base="Y_b"))
    assert len(result.open_paths[0].nodes) == count + 2
    dot = to_dot(result)
    drawn = {line.split('"')[1] for line in dot.splitlines()
             if re.match(r'\s+"[^"]+"( \[.*\])?;$', line)}
    assert len(drawn) <= FOCUS_CAP and {"s", "Y_b", "V0", f"V{count - 1}"} <= drawn
    assert "shown by its two ends" in dot.splitlines()[1]
    assert len(dot) < 200 * FOCUS_CAP


def test_a_graph_too_slow_to_lay_out_waits_once_not_once_per_query(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from causal_align.pictures import svg

    monkeypatch.setattr(svg, "_SLOW", {})
    budgets: list[float] = []

    def budget(source: str) -> float:
        budgets.append(0.0 if "simpler layout" not in source else 60.0)
        return budgets[-1]

    monkeypatch.setattr(svg, "layout_budget", budget)
    first = to_svg(cue_result())
    second = to_svg(cue_result())
    assert "simpler layout" in first and "simpler layout" in second
    assert budgets == [0.0, 60.0, 60.0]  # the full layout was tried once only


def test_the_page_of_a_long_chain_stays_small() -> None:
    count = 5_000
    edges = ["s -> V0", *(f"V{index} -> V{index + 1}" for index in range(count - 1)),
             f"V{count - 1} -> Y_b"]
    result = check_inner_alignment(CausalGraph.from_edges(edges, regime="s", base="Y_b"))
    page = render(result, "html")
    assert len(page) < 450_000, f"{len(page):,} characters"  # the picture: ~250 KB
    assert f"… ({count + 2:,} nodes) …" in page and "… and 4,970 more</li>" in page
