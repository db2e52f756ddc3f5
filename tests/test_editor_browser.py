"""The editor's page in a real browser: Debian's Chromium, driven headless by Playwright.

Skips, with the reason shown, where /usr/bin/chromium or Playwright is missing. Screenshots go
to the folder named by ``CAUSAL_ALIGN_ARTIFACTS`` (default: pytest's temporary folder), for CI
to keep. The oracle is ``causal-align check`` (its JSON report) on the same graph.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import zlib
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
    page.hover("#paths > li[data-index='1']")
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
    # an edge, selected and deleted by keys: E turns through the selected node's edges
    page.keyboard.press("/")
    page.keyboard.type("X")
    page.keyboard.press("Enter")
    for _ in range(2):
        page.keyboard.press("e")
        if "Edge s -> X selected" in page.inner_text("#no-selection"):
            break
    assert "Edge s -> X selected" in page.inner_text("#no-selection")
    page_of.key("Delete")
    assert "s -> X" not in page.input_value("#text")
    assert page_of.verdict() == "ALIGNED"  # nothing leaves s any more


# -- exports, routes, colours, uncertain diagrams ----------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks (type, body), each CRC checked: a real PNG, not just its signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        at += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def test_the_picture_exports_as_a_real_png(editor: Any, tmp_path: Path) -> None:
    target = tmp_path / "coinrun.yaml"
    shutil.copy(COINRUN, target)
    page = editor(target).page
    with page.expect_download() as download:
        page.click("#export-svg")
    svg = Path(download.value.path()).read_text()
    size = [int(value) for value in re.findall(r'<svg[^>]* width="(\d+)" height="(\d+)"', svg)[0]]
    with page.expect_download() as download:
        page.click("#export-png")
    assert download.value.suggested_filename == "coinrun.png"
    data = Path(download.value.path()).read_bytes()
    chunks = png_chunks(data)
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert [width, height] == [2 * size[0], 2 * size[1]]  # drawn at twice the SVG's size
    assert (depth, colour) == (8, 6) and 300 < width < 4000 and 300 < height < 4000
    assert 5_000 < len(data) < 5_000_000
    image = pytest.importorskip("PIL.Image").open(io.BytesIO(data)).convert("RGB")
    raw = image.tobytes()
    pixels = [tuple(raw[at:at + 3]) for at in range(0, len(raw), 3)]
    paper = pixels[0]  # the canvas's near-white
    assert min(paper) > 240
    ink = sum(sum(abs(a - b) for a, b in zip(pixel, paper)) > 60 for pixel in pixels)
    assert 0.01 < ink / len(pixels) < 0.5  # a drawing on a light page, not blank, not black
    blue = (0x00, 0x72, 0xB2)  # the regime node's border
    assert any(sum(abs(a - b) for a, b in zip(pixel, blue)) < 30 for pixel in pixels)


def test_a_wide_picture_is_scaled_to_fit_a_png(editor: Any, tmp_path: Path) -> None:
    # 400 unconnected nodes in one row: twice the SVG's width is past Chromium's largest canvas
    target = tmp_path / "wide.yaml"
    names = ["s"] + [f"Node{index:03d}" for index in range(400)]
    target.write_text("nodes: {" + ", ".join(names) + "}\nedges: []\nregime: s\n")
    page = editor(target).page
    with page.expect_download() as download:
        page.click("#export-svg")
    svg = Path(download.value.path()).read_text()
    wide = int(re.findall(r'<svg[^>]* width="(\d+)"', svg)[0])
    assert 2 * wide > 32_767
    with page.expect_download(timeout=20_000) as download:
        page.click("#export-png")
    chunks = png_chunks(Path(download.value.path()).read_bytes())
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert width <= 16_384 and abs(width / height - wide / int(re.findall(
        r'<svg[^>]* height="(\d+)"', svg)[0])) < 0.05 * width / height


def path_points(d: str) -> list[tuple[float, float]]:
    numbers = [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2]))


def test_laid_out_edges_follow_dagres_routes(editor: Any, tmp_path: Path) -> None:
    target = tmp_path / "coinrun.yaml"
    shutil.copy(COINRUN, target)
    page_of = editor(target)
    page = page_of.page
    edges = page.locator("#canvas .edge")
    assert page.locator("#canvas .edge.routed").count() == edges.count() == 11
    shapes = page.eval_on_selector_all("#canvas .edge > path:first-of-type",
                                       "paths => paths.map(p => p.getAttribute('d'))")
    assert sum(" Q" in d for d in shapes) >= 3  # bends around nodes, not straight lines
    centres = {name: tuple(float(value) for value in re.findall(
        r"-?\d+(?:\.\d+)?", page.get_attribute(f'#canvas .node[data-name="{name}"]',
                                               "transform") or "")) for name in ("L", "Y_m")}
    points = path_points(page.get_attribute('#canvas .edge[data-key="L->Y_m"] > path', "d")
                         or "")
    start, end = points[0], points[-1]
    assert abs(start[0] - centres["L"][0]) < 40 and abs(start[1] - centres["L"][1]) <= 16
    assert abs(end[0] - centres["Y_m"][0]) < 40 and abs(end[1] - centres["Y_m"][1]) <= 16
    # a node moved by hand: its edges are drawn straight, the others keep their routes
    page_of.click_node("O")
    page.focus("#canvas")
    page_of.key("Shift+ArrowRight")
    straight = page.eval_on_selector_all("#canvas .edge:not(.routed)",
                                         "edges => edges.map(e => e.dataset.key)")
    assert sorted(straight) == ["C->O", "L->O", "O->D_m"]
    assert all(" Q" not in (page.get_attribute(f'#canvas .edge[data-key="{key}"] > path', "d")
                            or "Q") for key in straight)
    # laid out again and saved: opened anew, the positions are dagre's, and so are the routes
    page_of.key("a")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#message[data-code=saved]")
    assert target.read_text().count("position: [") == len(load_graph(COINRUN).nodes)
    page_of.open()
    assert page.locator("#canvas .edge.routed").count() == 11


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two computed CSS colours (``rgb(r, g, b)``)."""
    def luminance(colour: str) -> float:
        channels = [int(value) / 255 for value in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_are_readable_and_never_alone(editor: Any, tmp_path: Path) -> None:
    target = tmp_path / "coinrun.yaml"
    shutil.copy(COINRUN, target)
    page = editor(target).page
    marks = set()
    for state in ("aligned", "not-aligned", "undetermined", "unfinished", "invalid"):
        style = page.evaluate(
            f"(() => {{ const b = document.getElementById('verdict'); b.className = "
            f"'verdict {state}'; const s = getComputedStyle(b); return [s.color, "
            "s.backgroundColor, getComputedStyle(b, '::before').content]; })()")
        background = "rgb(255, 255, 255)" if style[1] == "rgba(0, 0, 0, 0)" else style[1]
        assert contrast(style[0], background) >= 4.5, (state, style)  # WCAG AA text
        marks.add(style[2])
    assert len(marks) == 5 - 1  # ✓, ✗, ? and none for the two states without a verdict
    canvas = page.evaluate("getComputedStyle(document.getElementById('canvas'))"
                           ".backgroundColor")
    for rule in ("#canvas .node.regime rect", "#canvas .node.base rect"):
        stroke = page.evaluate(f"getComputedStyle(document.querySelector('{rule}')).stroke")
        assert contrast(stroke, canvas) >= 3, rule  # WCAG non-text contrast
    page.hover("#paths > li[data-index='0']")
    stroke = page.evaluate("getComputedStyle(document.querySelector("
                           "'#canvas .edge.hl path')).stroke")
    assert contrast(stroke, canvas) >= 3
    head = page.evaluate("getComputedStyle(document.querySelector('#arrow-hl path')).fill")
    assert head == stroke  # a highlighted edge's arrowhead is highlighted too
    page.click('#canvas .node[data-name="C"]')
    stroke = page.evaluate("getComputedStyle(document.querySelector("
                           "'#canvas .node.selected rect')).stroke")
    assert contrast(stroke, canvas) >= 3
    page.keyboard.press("Tab")  # the keyboard's focus ring
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert contrast(ring, "rgb(255, 255, 255)") >= 3


UNCERTAIN = ROOT / "graphs" / "uncertain" / "tutoring_cpdag.yaml"


def test_an_uncertain_diagram_shows_the_verdict_over_every_orientation(
        editor: Any, artifacts: Path, tmp_path: Path) -> None:
    target = tmp_path / "tutoring.yaml"
    shutil.copy(UNCERTAIN, target)
    page_of = editor(target)
    page = page_of.page
    done = subprocess.run([str(Path(sys.executable).parent / "causal-align"), "check",
                           str(target), "--format", "json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    expected = json.loads(done.stdout)
    assert page_of.verdict() == expected["verdict"].upper() == "UNDETERMINED"
    assert page.is_visible("#uncertain-box") and page.is_hidden("#standard-box")
    # -- edges: dashed, no arrowhead
    undirected = page.locator("#canvas .edge.undirected")
    assert undirected.count() == 2
    style = page.evaluate("(() => { const s = getComputedStyle(document.querySelector("
                          "'#canvas .edge.undirected path')); return [s.markerEnd, "
                          "s.markerStart, s.strokeDasharray]; })()")
    assert style[:2] == ["none", "none"] and style[2] not in ("none", "")
    members = page.locator("#members > li").all_inner_texts()
    assert len(members) == len(expected["members"])
    for text, member in zip(members, expected["members"]):
        assert ("NOT ALIGNED" in text) is (not member["aligned"])
        assert (member["witness"] or "") in text
    # a member's open path lights up on the picture, -- edges included
    page.hover("#members > li >> nth=0")
    lit = page.eval_on_selector_all("#canvas .node.hl", "nodes => nodes.map(n => n.dataset.name)")
    witness = expected["members"][0]["witness"]
    assert sorted(lit) == sorted(witness.replace("<-", "->").split(" -> "))
    assert page.locator("#canvas .edge.hl").count() == witness.count("-")
    assert page.locator("#canvas .edge.hl.undirected").count() == 2
    # the settling orientations preview their verdict and draw the edge that way
    buttons = page.locator("#settling button[data-edge]")
    assert buttons.all_inner_texts() == [f"{item['edge']}: {item['verdict']}"
                                         for item in expected["settling"]]
    page.hover("#settling button[data-edge] >> nth=1")
    page.wait_for_selector("#uncertain-preview[data-verdict=aligned]")
    assert "knowing Motivation -> Plan: ALIGNED" in page.inner_text("#uncertain-preview")
    assert page.locator("#canvas .edge.previewed").count() == 1
    assert page_of.verdict() == "UNDETERMINED"  # a preview changes nothing
    page.screenshot(path=str(artifacts / "editor-uncertain.png"))
    # a -- edge drawn by the keyboard alone (L), then removed by undo
    page_of.click_node("s")
    page.keyboard.press("l")
    page.keyboard.type("Motivation")
    before = page_of.version()
    page.keyboard.press("Enter")
    page_of.settled(before)
    assert "  - s -- Motivation\n" in page.input_value("#text")
    assert page.locator("#canvas .edge.undirected").count() == 3
    page.focus("#canvas")
    page_of.key("Control+z")
    # orienting the edge the preview suggested settles it; the file saved is what check reads
    before = page_of.version()
    page.click("#settling button:has-text('orient it') >> nth=1")
    page_of.settled(before)
    assert "  - Motivation -> Plan\n" in page.input_value("#text")
    assert page_of.verdict() == "ALIGNED"
    page.keyboard.press("Control+s")
    page.wait_for_selector("#message[data-code=saved]")
    assert subprocess.run([str(Path(sys.executable).parent / "causal-align"), "check",
                           str(target)], capture_output=True, cwd=ROOT,
                          timeout=120).returncode == 0


WAREHOUSE = ROOT / "graphs" / "uncertain" / "warehouse_edges.yaml"


def uncertain_json(path: Path) -> dict[str, Any]:
    """What ``causal-align uncertain --format json`` says of the file."""
    done = subprocess.run([str(Path(sys.executable).parent / "causal-align"), "uncertain",
                           str(path), "--format", "json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    return dict(json.loads(done.stdout))


def test_uncertain_edges_show_p_aligned_and_a_probability_can_change(
        editor: Any, artifacts: Path, tmp_path: Path) -> None:
    target = tmp_path / "warehouse.yaml"
    shutil.copy(WAREHOUSE, target)
    page_of = editor(target)
    page = page_of.page
    expected = uncertain_json(target)
    assert page_of.verdict() == expected["verdict"].upper() == "UNDETERMINED"
    assert page.is_visible("#edges-box") and page.is_hidden("#standard-box")
    assert "P(aligned) = 0.684 (exact, over 4 relevant uncertain edges)" in page.inner_text(
        "#p-aligned")
    values = page.locator("#edge-values > li").all_inner_texts()
    assert [text.split(" (prior")[0] for text in values] == [
        item["edge"] for item in expected["values"]]  # most valuable first
    # uncertain edges: dashed, their probability written beside them
    uncertain = page.locator("#canvas .edge.uncertain")
    assert uncertain.count() == 4
    labels = page.locator("#canvas .edge.uncertain text.probability").all_text_contents()
    assert sorted(labels) == ["p 0.05", "p 0.1", "θ 0.2", "θ 0.2"]
    dashes = page.evaluate("getComputedStyle(document.querySelector('#canvas .edge.uncertain "
                           "path')).strokeDasharray")
    assert dashes not in ("none", "")
    # select Layout -> Y_b, set its probability to 0.5: P(aligned) is the command's new one
    page.dispatch_event('#canvas .edge[data-key="Layout->Y_b"]', "click")
    page.wait_for_selector("#edge-probability")
    assert page.input_value("#edge-probability") == "0.1"
    before = page_of.version()
    page.fill("#edge-probability", "0.5")
    page.press("#edge-probability", "Enter")
    page_of.settled(before)
    assert "    - {edge: Layout -> Y_b, probability: 0.5}\n" in page.input_value("#text")
    (tmp_path / "changed.yaml").write_text(page.input_value("#text"))
    changed = uncertain_json(tmp_path / "changed.yaml")
    shown = float(page.get_attribute("#p-aligned", "data-p") or "nan")
    assert shown == changed["p_aligned"] and round(shown, 3) == 0.38
    assert "P(aligned) = 0.38 (exact" in page.inner_text("#p-aligned")
    page.screenshot(path=str(artifacts / "editor-uncertain-edges.png"))
    # a refused probability is said at once, with the reader's words; the text is kept
    page.dispatch_event('#canvas .edge[data-key="Layout->Y_b"]', "click")
    page.fill("#edge-probability", "1.5")
    page.press("#edge-probability", "Enter")
    page.wait_for_selector("#message[data-code=E_TYPE]")
    assert "expected a probability between 0 and 1, found 1.5" in page.inner_text("#message")
    assert "probability: 0.5}" in page.input_value("#text")
    # Delete removes the selected uncertain edge
    page.dispatch_event('#canvas .edge[data-key="Layout->Y_b"]', "click")
    page.focus("#canvas")
    page_of.key("Delete")
    assert "{edge: Layout -> Y_b" not in page.input_value("#text")
    assert page.locator("#canvas .edge.uncertain").count() == 3
    # Q draws an uncertain edge by the keyboard (at even odds), selected for its probability
    page_of.click_node("Obs")
    page.keyboard.press("q")
    page.keyboard.type("Y_b")
    before = page_of.version()
    page.keyboard.press("Enter")
    page_of.settled(before)
    assert "    - {edge: Obs -> Y_b, probability: 0.5}\n" in page.input_value("#text")
    assert page.input_value("#edge-probability") == "0.5"
    assert page.locator("#canvas .edge.uncertain").count() == 4
