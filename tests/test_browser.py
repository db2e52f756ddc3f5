"""The HTML report in a real browser: Debian's Chromium, driven headless by Playwright.

Skips, with the reason shown, where /usr/bin/chromium or Playwright is missing. CI installs
Chromium (.ci/run). A screenshot is saved to ``artifacts/report.png`` (or the folder named by
``CAUSAL_ALIGN_ARTIFACTS``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causal_align import check_inner_alignment, load_graph, render

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")



@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    result = check_inner_alignment(load_graph(ROOT / "graphs" / "coinrun.yaml"))
    report = tmp_path / "report.html"
    report.write_text(render(result, "html"), encoding="utf-8")
    opened = browser.new_page(viewport={"width": 1400, "height": 1000})
    fetched: list[str] = []
    opened.on("request", lambda request: fetched.append(request.url))
    opened.goto(report.as_uri())
    opened.fetched = fetched
    yield opened
    opened.close()


def test_the_page_renders_offline(page: Any) -> None:
    assert page.title() == "coinrun: NOT ALIGNED"
    assert page.locator("h1 .verdict").inner_text() == "NOT ALIGNED"
    assert [url for url in page.fetched if not url.startswith("file://")] == []


def test_every_node_of_every_open_path_is_in_the_picture(page: Any) -> None:
    drawn = set(page.eval_on_selector_all("svg g.node > title",
                                          "titles => titles.map(t => t.textContent)"))
    result = check_inner_alignment(load_graph(ROOT / "graphs" / "coinrun.yaml"))
    assert result.open_paths
    for path in result.open_paths:
        assert set(path.nodes) <= drawn, str(path)
    assert page.locator("tr.path-row").count() == len(result.open_paths)


def opacity(page: Any, selector: str) -> float:
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).opacity"))


def test_hovering_a_row_highlights_its_path(page: Any) -> None:
    on_path, off_path = "svg g.edge.path2", "svg g.edge:not(.path2)"
    assert opacity(page, on_path) == opacity(page, off_path) == 1.0
    page.hover("#q1-row-2")
    assert opacity(page, on_path) == 1.0
    assert opacity(page, off_path) < 0.5
    assert opacity(page, "svg g.node:not(.on2)") < 0.5
    folder = Path(os.environ.get("CAUSAL_ALIGN_ARTIFACTS", ROOT / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "report.png"), full_page=True)
    assert (folder / "report.png").stat().st_size > 10_000
    page.mouse.move(0, 0)
    assert opacity(page, off_path) == 1.0


# ------------------------------------------------------------------ hostile text and large graphs

PAYLOADS = ("<script>document.title='pwned'</script>",
            "<img src=x onerror=\"document.title='pwned'\">",
            "</title><script>document.title='pwned'</script><title>",
            "<svg onload=\"document.title='pwned'\"></svg>",
            "\"><iframe srcdoc=\"<script>parent.document.title='pwned'</script>\"></iframe>")


def hostile_graph_file(folder: Path, payload: str) -> Path:
    from causal_align import CausalGraph, dump_graph

    graph = CausalGraph.from_edges(
        ["s -> X", "X -> Y_b", "X -> Y_m"], regime="s", base="Y_b", mesa="Y_m",
        name=f"g {payload}", nodes={"X": f"label {payload}", "s": payload})
    path = folder / "hostile.yaml"
    path.write_text(dump_graph(graph).replace("description:", "description2:"), encoding="utf-8")
    return path


def opened(browser: Any, path: Path) -> Any:
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    tab.goto(path.as_uri())
    tab.wait_for_selector("html[data-ready]", state="attached", timeout=10_000)
    return tab


def injected(tab: Any) -> int:
    """Elements a payload would have created: scripts other than ours, images, iframes."""
    return int(tab.evaluate("document.querySelectorAll('script').length - 1 + "
                            "document.querySelectorAll('img, iframe, body > svg').length"))


def test_no_user_text_runs_in_the_report(browser: Any, tmp_path: Path) -> None:
    from causal_align.cli.main import main

    payload = "".join(PAYLOADS)  # every payload at once, in every field
    graph = hostile_graph_file(tmp_path, payload)
    queries = tmp_path / "queries.yaml"
    queries.write_text(f"queries:\n  - {{name: {json_string(payload)}, base: Y_b, mesa: Y_m}}\n"
                       "  - {name: plain, base: Y_b}\n", encoding="utf-8")
    single, batch = tmp_path / "single.html", tmp_path / "batch.html"
    assert main(["check", str(graph), "--format", "html", "-o", str(single)]) == 1
    assert main(["check", str(graph), "--query-file", str(queries), "--format", "html",
                 "-o", str(batch)]) == 1
    for report in (single, batch):
        tab = opened(browser, report)
        assert tab.title() != "pwned" and tab.title().startswith(f"g {payload[:150]}")
        assert injected(tab) == 0, report.name
        assert payload[:150] in tab.locator("body").inner_text().replace("\n", "")
        tab.close()


def json_string(text: str) -> str:
    import json

    return json.dumps(text)


def test_no_user_text_runs_in_the_jupyter_view(browser: Any, tmp_path: Path) -> None:
    from causal_align import CausalGraph

    payload = "".join(PAYLOADS)
    graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b",
                                   name=f"g {payload}", nodes={"X": payload})
    cell = tmp_path / "cell.html"
    cell.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>notebook</title>"
                    "</head><body>" + check_inner_alignment(graph)._repr_html_()
                    + "<script>document.documentElement.setAttribute('data-ready','yes')"
                    "</script></body></html>", encoding="utf-8")
    tab = opened(browser, cell)
    assert tab.title() == "notebook"
    assert injected(tab) == 0
    assert f"g {payload[:150]}" in tab.locator("body").inner_text()
    tab.close()


def viewbox(tab: Any) -> list[float]:
    return [float(part) for part in tab.get_attribute("figure.graph svg", "viewBox").split()]


def test_the_picture_pans_and_zooms_with_mouse_and_keyboard(page: Any) -> None:
    page.wait_for_selector("html[data-ready]", state="attached")
    start = viewbox(page)
    page.click("button[data-zoom=in]")
    zoomed = viewbox(page)
    assert zoomed[2] < start[2] and zoomed[3] < start[3]
    page.focus(".viewport")
    page.keyboard.press("ArrowRight")
    assert viewbox(page)[0] > zoomed[0]
    page.keyboard.press("0")
    assert viewbox(page) == start
    page.keyboard.press("+")
    assert viewbox(page)[2] < start[2]
    page.keyboard.press("0")
    box = page.locator(".viewport").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    assert viewbox(page)[2] < start[2]
    before = viewbox(page)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 100, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    assert viewbox(page)[0] > before[0]


def test_the_picture_stays_in_view_and_has_a_legend(page: Any) -> None:
    page.wait_for_selector("html[data-ready]", state="attached")
    assert page.locator("figure.graph .legend li").count() >= 7
    assert "regime node" in page.locator("figure.graph .legend").inner_text()
    page.locator("tr.path-row").last.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    top = page.evaluate("document.querySelector('figure.graph').getBoundingClientRect().top")
    assert -1 <= top <= 1


def test_a_row_reached_with_the_keyboard_highlights_its_path(page: Any) -> None:
    page.wait_for_selector("html[data-ready]", state="attached")
    page.focus("#q1-row-2")
    assert opacity(page, "svg g.edge:not(.path2)") < 0.5
    assert opacity(page, "svg g.edge.path2") == 1.0


def test_labels_fit_their_boxes_and_path_numbers_sit_on_top(browser: Any, tmp_path: Path) -> None:
    from causal_align import CausalGraph

    edges = [edge for index in range(12) for edge in (f"s -> Middle_node_{index}",
                                                      f"Middle_node_{index} -> Y_b")]
    graph = CausalGraph.from_edges(edges, regime="s", base="Y_b", nodes={
        "Middle_node_0": "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", "s": "MMMM MMMM " * 8})
    report = tmp_path / "fan.html"
    report.write_text(render(check_inner_alignment(graph), "html"), encoding="utf-8")
    tab = opened(browser, report)
    overflow = tab.evaluate("""() => [...document.querySelectorAll('figure.graph g.node')]
        .map(node => {
          const shape = node.querySelector('ellipse, polygon, path').getBBox();
          return [...node.querySelectorAll('text')].map(text => {
            const box = text.getBBox();
            return box.x < shape.x - 1 || box.x + box.width > shape.x + shape.width + 1
              ? text.textContent : null; });
        }).flat().filter(x => x)""")
    assert overflow == []
    hidden = tab.evaluate("""() => [...document.querySelectorAll('figure.graph g.numbers text')]
        .filter(text => { const r = text.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return r.width > 0 && r.top > 0 && r.bottom < innerHeight && hit !== text; })
        .map(text => text.textContent)""")
    assert hidden == []
    assert tab.locator("figure.graph g.numbers text").count() >= 12
    tab.close()


def test_a_2000_node_focus_view_can_be_zoomed_into(browser: Any, tmp_path: Path) -> None:
    from causal_align import CausalGraph

    edges = ["s -> V0", *(f"V{index} -> V{index + 1}" for index in range(1999)),
             *(f"V{index} -> W{index}" for index in range(0, 2000, 3)), "V1999 -> Y_b"]
    report = tmp_path / "big.html"
    report.write_text(render(check_inner_alignment(CausalGraph.from_edges(
        edges, regime="s", base="Y_b")), "html"), encoding="utf-8")
    tab = opened(browser, report)
    start = viewbox(tab)
    for _ in range(4):
        tab.click("button[data-zoom=in]")
    assert viewbox(tab)[2] < start[2] / 4
    height = tab.evaluate("document.querySelector('.viewport').getBoundingClientRect().height")
    assert 100 < height <= 0.51 * 900
    tab.close()
