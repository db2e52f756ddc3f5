"""Edit-to-verdict latency of ``causal-align edit`` on a 50-node and a 2,000-node diagram.

Three measurements per size, each the median of a few edits (add a node, connect it, toggle a
role, move a node):

- *server*: one ``POST /api/action`` over HTTP, from sending the edit to having the new state
  with its verdict (round-trip YAML edit, the loader, G_σ, the verdict, JSON);
- *server, with -- edges*: the same on the diagram's Markov equivalence class (every edge in no
  v-structure written ``--``, direction unknown), the verdict then being the uncertainty
  layer's over every consistent orientation (``members`` of them);
- *page*: in headless Chromium, from the key press to the redrawn picture and panels (the
  server's part plus the page's drawing), read from the page's ``window.editorTimings``.

Run: ``.venv/bin/python benchmarks/bench_editor.py`` (the page part needs /usr/bin/chromium and
Playwright; it is skipped without them, or with ``--server-only``).
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from causal_align.editor.server import TOKEN_HEADER, EditorServer
from causal_align.editor.session import EditSession

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def diagram(size: int, seed: int = 0, *, undirected: bool = False) -> str:
    """A random diagram: each node has up to two earlier parents; regime s, σ on D_m. With
    ``undirected`` (a sparser diagram: a second parent for 30% of the nodes), every edge that
    is in no v-structure and not at s is written ``--``: the
    diagram then stands for the random one's Markov equivalence class (Meek's rules orient the
    rest), as if it had been learned from data."""
    generator = random.Random(seed)
    names = ["s"] + [f"V{index}" for index in range(1, size - 3)] + ["D_m", "Y_m", "Y_b"]
    edges = {(names[generator.randrange(0, index)], names[index])
             for index in range(1, size)
             for _ in range(1 + (not undirected or generator.random() < 0.3))}
    edges |= {("D_m", "Y_m"), ("D_m", "Y_b")}  # the policy acts on both objectives
    adjacent = edges | {(head, tail) for tail, head in edges}
    parents: dict[str, list[str]] = {}
    for tail, head in edges:
        parents.setdefault(head, []).append(tail)
    kept = {(tail, head) for tail, head in edges
            if tail == "s" or any((tail, other) not in adjacent and other != tail
                                  for other in parents[head])}
    lines = ["name: bench", "nodes:"] + [f"  {name}: node {name}" for name in names]
    lines += ["edges:"] + [f"  - {tail} {'--' if undirected and edge not in kept else '->'} "
                           f"{head}" for edge in sorted(edges) for tail, head in [edge]]
    lines += ["regime: s", "sigma:", "  - target: D_m", "query:", "  base: Y_b", "  mesa: Y_m"]
    return "\n".join(lines) + "\n"


def post(server: EditorServer, action: dict[str, object]) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", server.port)
    started = time.perf_counter()
    connection.request("POST", "/api/action", json.dumps({"action": action}),
                       {"Content-Type": "application/json", TOKEN_HEADER: server.session.token})
    answer = json.loads(connection.getresponse().read())
    elapsed = time.perf_counter() - started
    connection.close()
    picture = answer["picture"]
    assert picture["verdict"] is not None or picture["uncertain"] is not None, answer
    return elapsed * 1000


def edits(round_: int) -> list[dict[str, object]]:
    return [{"op": "add_node", "name": f"New{round_}"},
            {"op": "connect", "tail": "V1", "head": f"New{round_}"},
            {"op": "set_role", "node": "V2", "role": "observed", "on": round_ % 2 == 1},
            {"op": "move", "positions": {"V3": [round_ * 10, 5]}}]


def measure(size: int, page_too: bool) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp())
    path = folder / f"bench{size}.yaml"
    path.write_text(diagram(size, undirected=True))
    server = EditorServer(EditSession(path))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    uncertain = server.session.state()["picture"]["uncertain"]
    assert uncertain is not None
    times = [post(server, action) for round_ in range(5) for action in edits(round_)]
    server.shutdown()
    server.server_close()
    members = uncertain["count"]
    path.write_text(diagram(size))
    server = EditorServer(EditSession(path))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    result = {"server_ms": statistics.median(
        [post(server, action) for round_ in range(5) for action in edits(round_)])}
    result["server_undirected_ms"] = statistics.median(times)
    result["members"] = members
    if page_too:
        result.update(measure_page(server))
    server.shutdown()
    server.server_close()
    return result


def measure_page(server: EditorServer) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        page.goto(server.page)
        page.wait_for_selector("body[data-ready=true]", timeout=300_000, state="attached")
        opened = (time.perf_counter() - started) * 1000
        for _ in range(6):
            page.click("#canvas", position={"x": 5, "y": 5})
            page.fill("#search", "V2")
            page.press("#search", "Enter")
            count = page.evaluate("window.editorTimings.length")
            page.keyboard.press("u")  # toggle "unobservable": an edit, a new verdict
            for _ in range(2000):
                if page.evaluate("window.editorTimings.length") > count:
                    break
                page.wait_for_timeout(5)
        timings = page.evaluate("window.editorTimings.map(t => t.ms)")
        render = statistics.median(page.evaluate("window.editorTimings.map(t => t.render)"))
        browser.close()
    return {"page_ms": statistics.median(timings), "page_render_ms": float(render),
            "open_ms": opened}


def main() -> None:
    page_too = Path("/usr/bin/chromium").exists() and "--server-only" not in sys.argv
    try:
        import playwright  # noqa: F401
    except ImportError:
        page_too = False
    for size in (50, 2000):
        result = measure(size, page_too)
        print(f"{size:>5} nodes: " + ", ".join(f"{key} {value:,.0f}" for key, value in
                                              result.items()), flush=True)
    if not page_too:
        print("(page not measured: --server-only, or no /usr/bin/chromium or Playwright)",
              file=sys.stderr)


if __name__ == "__main__":
    main()
