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
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


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
    page.hover("#row-2")
    assert opacity(page, on_path) == 1.0
    assert opacity(page, off_path) < 0.5
    assert opacity(page, "svg g.node:not(.on2)") < 0.5
    folder = Path(os.environ.get("CAUSAL_ALIGN_ARTIFACTS", ROOT / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "report.png"), full_page=True)
    assert (folder / "report.png").stat().st_size > 10_000
    page.mouse.move(0, 0)
    assert opacity(page, off_path) == 1.0
