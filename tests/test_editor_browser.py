"""The editor's page in a real browser: Debian's Chromium, driven headless by Playwright.

Skips, with the reason shown, where /usr/bin/chromium or Playwright is missing. Screenshots go
to the folder named by ``CAUSAL_ALIGN_ARTIFACTS`` (default: pytest's temporary folder), for CI
to keep. The oracle is ``causal-align check`` (its JSON report) on the same graph.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.loader import load_graph

ROOT = Path(__file__).resolve().parent.parent
COINRUN = ROOT / "graphs" / "coinrun.yaml"
DECEPTIVE = ROOT / "graphs" / "deceptive_cue.yaml"
CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from causal_align.editor.server import EditorServer  # noqa: E402 (after the skips)
from causal_align.editor.session import EditSession  # noqa: E402



@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: Any) -> Path:
    folder = Path(os.environ.get("CAUSAL_ALIGN_ARTIFACTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Editor:
    """A served file and a page open on it."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.path = path
        self.server = EditorServer(EditSession(path))
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.page = browser.new_page(viewport={"width": 1400, "height": 900},
                                     accept_downloads=True)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: None if request.url.startswith(
            (self.server.url, "data:", "blob:")) else self.foreign.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.open()

    def open(self) -> None:
        self.page.goto(self.server.page)
        self.page.wait_for_selector("body[data-ready=true]", state="attached")

    def version(self) -> int:
        return int(self.page.get_attribute("body", "data-version") or -1)

    def settled(self, before: int) -> None:
        """Wait until the page shows a state newer than ``before`` (polled from here: the page's
        Content-Security-Policy forbids the string evaluation wait_for_function uses)."""
        for _ in range(400):
            if self.version() > before:
                return
            self.page.wait_for_timeout(25)
        raise AssertionError(f"the page stayed at version {before}")

    def key(self, key: str) -> None:
        before = self.version()
        self.page.keyboard.press(key)
        self.settled(before)

    def click_node(self, name: str) -> None:
        self.page.click(f'#canvas .node[data-name="{name}"]')

    def verdict(self) -> str:
        return str(self.page.inner_text("#verdict")).lstrip("✓✗ ").strip()

    def paths(self) -> list[str]:
        return [text.strip() for text in self.page.locator("#paths > li .path").all_inner_texts()]

    def close(self) -> None:
        self.page.close()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def editor(browser: Any, tmp_path: Path) -> Iterator[Any]:
    opened: list[Editor] = []

    def start(path: Path) -> Editor:
        made = Editor(browser, path)
        opened.append(made)
        return made

    yield start
    for made in opened:
        assert made.errors == [], made.errors
        assert made.foreign == [], made.foreign  # offline: nothing but our own server
        made.close()


def check_report(path: Path) -> dict[str, Any]:
    """What ``causal-align check --format json`` says (the CLI when it runs, else its report)."""
    command = Path(sys.executable).parent / "causal-align"
    if command.exists():
        done = subprocess.run([str(command), "check", str(path), "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        if done.returncode in (0, 1) and done.stdout.startswith("{"):
            return dict(json.loads(done.stdout))
    return check_inner_alignment(load_graph(path)).to_dict()  # what check prints as JSON


SPOTS = {"s": (720, 70), "C": (640, 170), "D_m": (250, 300), "Y_m": (200, 480)}
"""Where the mouse adds the even nodes; the odd ones are added with N, below the view's centre."""


def test_build_coinrun_from_nothing(editor: Any, artifacts: Path, tmp_path: Path) -> None:
    target = tmp_path / "coinrun.yaml"
    page_of = editor(target)
    page = page_of.page
    assert page.inner_text("#verdict").strip() == "UNFINISHED"
    graph = load_graph(COINRUN)
    box = page.locator("#canvas").bounding_box()
    for index, name in enumerate(graph.nodes):
        if index % 2 == 0:  # by the mouse: double-click the canvas
            x, y = SPOTS[name]
            page.mouse.dblclick(box["x"] + x, box["y"] + y)
        else:               # by the keyboard: N at the view's centre, then moved by arrows
            page.focus("#canvas")
            page.keyboard.press("n")
        page.fill("#new-name", name)
        page.fill("#new-label", graph.labels[name])
        before = page_of.version()
        page.keyboard.press("Enter")
        page_of.settled(before)
        assert page.is_hidden("#new-node")
        if index == 1:  # and moved with the arrow keys
            before = page_of.version()
            page.focus("#canvas")
            page.keyboard.press("Shift+ArrowRight")
            page_of.settled(before)
    assert page.locator("#canvas .node").count() == len(graph.nodes)
    page_of.click_node("s")
    page_of.key("r")
    # the refusal comes at once, in the loader's words
    page_of.click_node("C")
    page.keyboard.press("c")
    page_of.click_node("s")
    page.wait_for_selector("#message:not([hidden])")
    assert page.get_attribute("#message", "data-code") == "E_REGIME_NOT_EXOGENOUS"
    assert "a regime node is exogenous" in page.inner_text("#message")
    for number, edge in enumerate(graph.edges):
        page_of.click_node(edge.tail)
        page.keyboard.press("c")
        before = page_of.version()
        if number % 2 == 0:
            page_of.click_node(edge.head)
        else:  # find the head by name: the keyboard alone
            page.keyboard.type(edge.head)
            page.keyboard.press("Enter")
        page_of.settled(before)
    page_of.click_node("D_m")
    page_of.key("t")
    before = page_of.version()
    page.uncheck("#context-parents")  # the file writes context: [O]
    page_of.settled(before)
    page.focus("#canvas")
    page_of.key("a")  # lay it out again: every position written, nothing else changed
    assert page.input_value("#text").count("position: [") == len(graph.nodes)
    page_of.click_node("Y_b")
    page_of.key("b")
    page.screenshot(path=str(artifacts / "editor-building.png"))
    page_of.click_node("Y_m")
    page_of.key("m")

    expected = check_report(COINRUN)
    assert page_of.verdict() == ("ALIGNED" if expected["aligned"] else "NOT ALIGNED")
    assert page_of.paths() == [path["path"] for path in expected["open_paths"]]
    # hovering a path highlights exactly its nodes and edges
    for index, path in enumerate(expected["open_paths"][:3]):
        page.hover(f"#paths > li[data-index='{index}']")
        lit = page.eval_on_selector_all("#canvas .node.hl", "nodes => nodes.map(n => n.dataset.name)")
        assert sorted(lit) == sorted(path["nodes"])
        assert page.locator("#canvas .edge.hl").count() == len(path["arrows"])
        assert page.evaluate("getComputedStyle(document.querySelector("
                             "'#canvas .node:not(.hl)')).opacity") < "0.5"
    page.hover(f"#paths > li[data-index='1']")
    page.screenshot(path=str(artifacts / "editor-coinrun.png"))
    # a node's reasons are its tooltip
    title = page.text_content('#canvas .node[data-name="C"] > title') or ""
    assert "C is a chain (s -> C -> Y_b), not conditioned on" in title

    # undo and redo, by keys
    page.focus("#canvas")
    page_of.key("Control+z")
    assert "mesa: Y_m" not in page.input_value("#text")
    page_of.key("Control+Shift+z")
    assert page_of.paths() == [path["path"] for path in expected["open_paths"]]

    # save, check the file with the engine, and reload the page
    page.keyboard.press("Control+s")
    page.wait_for_selector("#message[data-code=saved]")
    saved = load_graph(target)
    assert saved.nodes == graph.nodes and set(saved.edges) == set(graph.edges)
    assert (saved.regime, saved.sigma, saved.base, saved.mesa) == (
        graph.regime, graph.sigma, graph.base, graph.mesa)
    assert check_report(target)["open_paths"] == expected["open_paths"]
    page_of.open()
    assert page_of.verdict() == "NOT ALIGNED"
    assert page_of.paths() == [path["path"] for path in expected["open_paths"]]
    assert page.is_hidden("#dirty")


def test_a_context_toggle_flips_the_verdict(editor: Any, artifacts: Path, tmp_path: Path) -> None:
    target = tmp_path / "deceptive_cue.yaml"
    shutil.copy(DECEPTIVE, target)
    page_of = editor(target)
    page = page_of.page
    assert page_of.verdict() == "NOT ALIGNED"
    assert page.locator("#canvas .edge.added").count() == 1  # σ's Cue -> D_m, marked
    page.keyboard.press("g")  # G: the σ edge is not there
    page.wait_for_selector("#canvas[data-view=g]")
    assert page.locator("#canvas .edge.added").count() == 0
    page.keyboard.press("g")
    page_of.click_node("D_m")
    before = page_of.version()
    page.uncheck("#context input[data-context=Cue]")
    page_of.settled(before)
    assert page_of.verdict() == "ALIGNED"
    assert page.locator("#canvas .edge.added").count() == 0
    page.screenshot(path=str(artifacts / "editor-context-toggle.png"))
    before = page_of.version()
    page.check("#context input[data-context=Cue]")
    page_of.settled(before)
    assert page_of.verdict() == "NOT ALIGNED"
    # the repair's preview, then its effect
    page.click("#repairs button:has-text('drop Cue')")
    page.wait_for_selector("#preview[data-aligned=true]")
    assert page_of.verdict() == "NOT ALIGNED"  # a preview changes nothing
    page.keyboard.press("?")
    assert page.is_visible("#help-box")
    page.screenshot(path=str(artifacts / "editor-help.png"))
    page.keyboard.press("Escape")
    assert page.is_hidden("#help-box")


def test_the_text_pane_and_the_picture_stay_in_step(editor: Any, artifacts: Path,
                                                     tmp_path: Path) -> None:
    target = tmp_path / "coinrun.yaml"
    shutil.copy(COINRUN, target)
    page_of = editor(target)
    page = page_of.page
    page_of.click_node("C")  # the file as it is, laid out by dagre, a path hovered
    page.hover("#paths > li[data-index='1']")
    page.screenshot(path=str(artifacts / "editor-open-coinrun.png"))
    text = page.input_value("#text")
    broken = text.replace("  - C -> Y_b", "  - C -> Y_bee")
    before = page_of.version()
    page.fill("#text", broken)
    page.keyboard.press("Control+Enter")
    page_of.settled(before)
    line = broken.splitlines().index("  - C -> Y_bee") + 1
    assert page.get_attribute("#gutter .bad", "data-line") == str(line)
    assert page.inner_text("#verdict").strip() == "INVALID"
    assert "unknown node 'Y_bee'" in page.inner_text("#problems")
    before = page_of.version()
    page.fill("#text", text.replace("  - C -> Y_b", "  - C -> Y_m"))
    page.keyboard.press("Control+Enter")
    page_of.settled(before)
    assert page.locator("#gutter .bad").count() == 0
    paths = page_of.paths()
    assert "s -> C -> Y_b" not in paths
    # a picture edit shows in the text at once
    page_of.click_node("L")
    page_of.key("u")
    assert "observed: false" in page.input_value("#text")
    # exports work offline
    with page.expect_download() as download:
        page.click("#export-svg")
    svg = Path(download.value.path()).read_text()
    assert svg.startswith("<svg") and 'data-name="L"' in svg
    with page.expect_download() as download:
        page.click("#export-json")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["verdict"]["aligned"] is False
    with page.expect_download() as download:
        page.click("#export-html")
    assert "NOT ALIGNED" in Path(download.value.path()).read_text()


def test_a_change_on_disk_is_reported(editor: Any, tmp_path: Path) -> None:
    target = tmp_path / "coinrun.yaml"
    shutil.copy(COINRUN, target)
    page_of = editor(target)
    page = page_of.page
    target.write_text(COINRUN.read_text().replace("coin position", "coin spot"))
    page.wait_for_selector("#banner:not([hidden])", timeout=10_000)
    assert "changed on disk" in page.inner_text("#banner")
    before = page_of.version()
    page.click("#banner button:has-text('Reload')")
    page_of.settled(before)
    assert "coin spot" in page.input_value("#text")


def test_the_keyboard_alone_is_enough(editor: Any, tmp_path: Path) -> None:
    page_of = editor(tmp_path / "keys.yaml")
    page = page_of.page
    page.focus("#canvas")
    for name in ("s", "X", "Y_m", "Y_b"):
        page.keyboard.press("n")
        page.keyboard.type(name)
        before = page_of.version()
        page.keyboard.press("Enter")
        page_of.settled(before)
    for head, tail in (("X", "s"), ("Y_m", "X"), ("Y_b", "Y_m")):
        page.keyboard.press("/")
        page.keyboard.type(tail)
        page.keyboard.press("Enter")
        page.keyboard.press("c")
        page.keyboard.type(head)
        before = page_of.version()
        page.keyboard.press("Enter")
        page_of.settled(before)
    for name, key in (("s", "r"), ("Y_b", "b")):
        page.keyboard.press("/")
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        page_of.key(key)
    assert page_of.verdict() == "NOT ALIGNED"
    page.keyboard.press("/")
    page.keyboard.type("Y_m")
    page.keyboard.press("Enter")
    page_of.key("m")
    assert page_of.verdict() == "ALIGNED"  # s -> X -> Y_m -> Y_b, blocked at Y_m
    page_of.key("Control+z")
    assert page_of.verdict() == "NOT ALIGNED"
