"""The editor's JSON API, server and saving (``causal_align.editor``).

Oracles: the loader itself (every refusal must carry exactly the problems ``parse_graph`` reports
for the text the action would make; every accepted action's text must load to the graph built
independently in Python), networkx's d-separation on an independently built G_σ for the live
verdict on random diagrams, and byte comparison for saving and round trips.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.cli import edit as edit_command
from causal_align.editor import storage
from causal_align.editor.document import apply_action, dump_document, load_document
from causal_align.editor.server import TOKEN_HEADER, EditorServer, static_files
from causal_align.editor.session import EditSession
from causal_align.editor.validation import check_text
from causal_align.errors import EditorError, GraphSpecError
from causal_align.loader import load_graph, parse_graph
from causal_align.model import CausalGraph, SoftIntervention

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = sorted((ROOT / "graphs").glob("*.yaml"))
COINRUN = ROOT / "graphs" / "coinrun.yaml"


class Client:
    """A tiny HTTP client for one server (a fresh connection per request)."""

    def __init__(self, server: EditorServer) -> None:
        self.server = server
        self.token = server.session.token

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = "",
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        sent = {"Content-Type": "application/json"}
        if token is not None:
            sent[TOKEN_HEADER] = token or self.token
        sent.update(headers or {})
        data = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(raw) if kind.startswith("application/json") else raw

    def get(self, path: str, **options: Any) -> tuple[int, Any]:
        return self.request("GET", path, **options)

    def post(self, path: str, body: Any = None, **options: Any) -> tuple[int, Any]:
        return self.request("POST", path, {} if body is None else body, **options)

    def act(self, **action: Any) -> tuple[int, Any]:
        return self.post("/api/action", {"action": action})


def serve(path: Path) -> tuple[EditorServer, threading.Thread]:
    server = EditorServer(EditSession(path))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                              daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def open_file(tmp_path: Path) -> Iterator[Any]:
    """``open_file(text or None)`` serves a file (``None``: one that does not exist yet)."""
    started: list[EditorServer] = []

    def start(text: str | None, name: str = "g.yaml") -> Client:
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        server, _ = serve(path)
        started.append(server)
        return Client(server)

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def coinrun_actions() -> list[dict[str, Any]]:
    """The actions that draw CoinRun from an empty diagram."""
    graph = load_graph(COINRUN)
    actions: list[dict[str, Any]] = []
    for index, node in enumerate(graph.nodes):
        actions.append({"op": "add_node", "name": node, "label": graph.labels[node],
                        "position": [index * 40, index * 25]})
    actions.append({"op": "set_role", "node": "s", "role": "regime", "on": True})
    actions += [{"op": "connect", "tail": edge.tail, "head": edge.head,
                 "bidirected": edge.bidirected} for edge in graph.edges]
    actions += [{"op": "set_context", "target": "D_m", "context": ["O"]},
                {"op": "set_role", "node": "Y_b", "role": "base", "on": True},
                {"op": "set_role", "node": "Y_m", "role": "mesa", "on": True}]
    return actions


# -- the server's security ------------------------------------------------------------------


def test_it_listens_on_127_0_0_1_only(open_file: Any) -> None:
    client = open_file(None)
    assert client.server.server_address[0] == "127.0.0.1"
    assert client.server.url == f"http://127.0.0.1:{client.server.port}/"
    try:  # this machine's other addresses, where it resolves its own name
        others = {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None,
                                                                 socket.AF_INET)}
    except OSError:
        others = set()
    try:  # and the address of the default route (a UDP "connect" sends nothing)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            others.add(str(probe.getsockname()[0]))
    except OSError:
        pass
    for address in others - {"127.0.0.1"}:
        if address.startswith("127."):
            continue
        with pytest.raises(OSError):
            socket.create_connection((address, client.server.port), timeout=2).close()


def test_every_api_call_needs_the_token(open_file: Any) -> None:
    client = open_file(COINRUN.read_text())
    before = client.get("/api/state")[1]["text"]
    for token in (None, "wrong", client.token[:-1]):
        assert client.get("/api/state", token=token)[0] == 403
        assert client.get("/api/disk", token=token)[0] == 403
        for route in ("action", "text", "undo", "redo", "save", "reload", "preview"):
            status, answer = client.post(f"/api/{route}", {"text": "x", "action":
                                         {"op": "add_node", "name": "Z"}}, token=token)
            assert (status, answer["error"]) == (403, "E_EDIT_TOKEN"), route
    assert client.get("/api/state")[1]["text"] == before
    assert client.server.session.path.read_text() == COINRUN.read_text()
    page = f"/?token={client.token}"
    assert client.get("/", token=None)[0] == 403
    assert client.get("/?token=nope", token=None)[0] == 403
    status, html = client.get(page, token=None)
    assert status == 200 and b"<title>" in html


def test_other_sites_cannot_drive_it(open_file: Any) -> None:
    client = open_file(COINRUN.read_text())
    assert client.get("/api/state", headers={"Host": "evil.example:80"})[0] == 421
    assert client.act(op="add_node", name="Z",
                      )[0] == 200  # the page itself works...
    status, answer = client.post("/api/action", {"action": {"op": "add_node", "name": "W"}},
                                 headers={"Origin": "http://evil.example"})
    assert (status, answer["error"]) == (403, "E_EDIT_ORIGIN")  # ...a foreign page does not
    status, answer = client.post("/api/action", {"action": {"op": "add_node", "name": "W"}},
                                 headers={"Content-Type": "text/plain"})
    assert (status, answer["error"]) == (400, "E_EDIT_REQUEST")  # no "simple" CORS requests
    assert "W" not in graph_of(client.get("/api/state")[1]).node_set


@pytest.mark.parametrize("path", [
    "/static/../session.py", "/static/..%2fsession.py", "/static/%2e%2e/server.py",
    "/static/../../errors.py", "/static//etc/passwd", "/static/", "/static/index.html",
    "/../../etc/passwd", "/etc/passwd", "/static/static/editor.js", "/g.yaml",
    "/static/editor.js/", "/static/.hidden", "/api/../static/editor.js",
])
def test_no_file_outside_the_static_folder_is_served(open_file: Any, path: str) -> None:
    client = open_file(COINRUN.read_text())
    status, answer = client.get(path)
    assert status == 404, (path, answer)


def test_the_static_folder_is_served_exactly(open_file: Any) -> None:
    client = open_file(None)
    files = static_files()
    assert {"index.html", "editor.js", "editor.css", "dagre.min.js"} <= set(files)
    for name, data in files.items():
        if name != "index.html":
            assert client.get(f"/static/{name}", token=None) == (200, data)


def test_malformed_requests_are_refused(open_file: Any) -> None:
    client = open_file(None)
    assert client.post("/api/nothing")[0] == 404
    assert client.post("/api/text", {"text": 3})[1]["error"] == "E_EDIT_REQUEST"
    assert client.post("/api/action", {"action": "add"})[1]["error"] == "E_EDIT_REQUEST"
    status, answer = client.act(op="fly")
    assert (status, answer["error"]) == (400, "E_EDIT_ACTION")
    assert client.request("PUT", "/api/state")[0] == 405


# -- actions and refusals -------------------------------------------------------------------


def test_a_new_file_starts_an_empty_diagram(open_file: Any) -> None:
    client = open_file(None, name="fresh.yaml")
    state = client.get("/api/state")[1]
    assert not state["exists"] and state["dirty"]
    assert [problem["code"] for problem in state["problems"]] == ["E_EMPTY_SET"]
    assert not (client.server.session.path).exists()


def test_coinrun_drawn_from_nothing_is_coinrun(open_file: Any) -> None:
    client = open_file(None, name="coinrun.yaml")
    for action in coinrun_actions():
        status, state = client.post("/api/action", {"action": action})
        assert status == 200, (action, state)
    assert state["problems"] == [] and state["valid"]
    status, saved = client.post("/api/save")
    assert status == 200 and saved["saved"]
    drawn = load_graph(client.server.session.path)
    expected = load_graph(COINRUN)
    assert drawn.nodes == expected.nodes and set(drawn.edges) == set(expected.edges)
    assert (drawn.regime, drawn.sigma, drawn.base, drawn.mesa) == (
        expected.regime, expected.sigma, expected.base, expected.mesa)
    ours, theirs = check_inner_alignment(drawn), check_inner_alignment(expected)
    assert state["picture"]["verdict"]["aligned"] is theirs.aligned is False
    assert ([path["path"] for path in state["picture"]["verdict"]["open_paths"]]
            == [str(path) for path in theirs.open_paths] == [str(path) for path in ours.open_paths])
    assert state["picture"]["verdict"]["repairs"] == theirs.repairs.to_dict()
    assert state["picture"]["verdict"]["conjecture"] == theirs.conjecture.to_dict()
    positions = {node["name"]: node["position"] for node in state["picture"]["nodes"]}
    assert positions["C"] == [80.0, 50.0]


EXPECTED_REFUSALS = [
    ({"op": "connect", "tail": "C", "head": "s"}, "E_REGIME_NOT_EXOGENOUS"),
    ({"op": "connect", "tail": "C", "head": "s", "bidirected": True}, "E_REGIME_NOT_EXOGENOUS"),
    ({"op": "connect", "tail": "Y_b", "head": "C"}, "E_CYCLE"),
    ({"op": "connect", "tail": "O", "head": "O"}, "E_SELF_LOOP"),
    ({"op": "connect", "tail": "s", "head": "C"}, "E_DUPLICATE_EDGE"),
    ({"op": "connect", "tail": "C", "head": "Nowhere"}, "E_UNKNOWN_NODE"),
    ({"op": "add_node", "name": "2fast"}, "E_INVALID_NAME"),
    ({"op": "add_node", "name": "a b"}, "E_INVALID_NAME"),
    ({"op": "rename_node", "node": "C", "to": "C:oin"}, "E_INVALID_NAME"),
    ({"op": "set_context", "target": "D_m", "context": ["O", "T"]}, "E_SIGMA_CYCLE"),
    ({"op": "set_role", "node": "s", "role": "sigma", "on": True}, "E_SIGMA_ON_REGIME"),
    ({"op": "set_role", "node": "Y_b", "role": "mesa", "on": True}, "E_QUERY_OVERLAP"),
    ({"op": "set_role", "node": "C", "role": "regime", "on": True}, "E_REGIME_NOT_EXOGENOUS"),
    ({"op": "set_context", "target": "D_m", "context": ["Ghost"]}, "E_UNKNOWN_NODE"),
]


@pytest.mark.parametrize(("action", "code"), EXPECTED_REFUSALS)
def test_refusals_carry_the_loaders_own_problems(open_file: Any, action: dict[str, Any],
                                                 code: str) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    before = client.get("/api/state")[1]
    status, answer = client.act(**action)
    assert status == 422 and answer["error"] == "E_EDIT_REFUSED"
    assert code in [problem["code"] for problem in answer["problems"]]
    # oracle: the loader on the text the action would have made says exactly the same
    document = load_document(COINRUN.read_text())
    apply_action(document, action)
    with pytest.raises(GraphSpecError) as raised:
        parse_graph(dump_document(document), source="coinrun.yaml")
    assert [problem["text"] for problem in answer["problems"]] == [
        str(problem) for problem in raised.value.problems]
    after = client.get("/api/state")[1]
    assert (after["text"], after["version"]) == (before["text"], before["version"])


def test_a_duplicate_node_is_refused_in_the_loaders_words(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    status, answer = client.act(op="add_node", name="C")
    assert status == 422
    [problem] = answer["problems"]
    duplicated = COINRUN.read_text().replace("  O: observation", "  C: again\n  O: observation")
    with pytest.raises(GraphSpecError) as raised:
        parse_graph(duplicated, source="coinrun.yaml")
    loader = raised.value.problems[0]
    assert (problem["code"], problem["message"], problem["location"]) == (
        loader.code, loader.message, loader.location)
    assert client.act(op="rename_node", node="L", to="C")[1]["problems"][0]["message"] == \
        loader.message


def test_unfinished_diagrams_are_not_refused(open_file: Any) -> None:
    client = open_file(None)
    status, state = client.act(op="add_node", name="s")
    assert status == 200 and state["problems"][0]["code"] == "E_EMPTY_SET"
    assert client.act(op="set_role", node="s", role="regime", on=True)[1]["problems"] == []
    client.act(op="add_node", name="Y")
    client.act(op="connect", tail="s", head="Y")
    status, state = client.act(op="set_role", node="Y", role="base", on=True)
    assert status == 200 and state["picture"]["verdict"]["aligned"] is False
    status, state = client.act(op="delete_node", node="s")  # no regime again: unfinished
    assert status == 200 and [p["code"] for p in state["problems"]] == ["E_EMPTY_SET"]


def graph_of(state: dict[str, Any]) -> CausalGraph:
    return parse_graph(state["text"], source="g.yaml", default_name="g")


def test_every_action_does_what_it_says(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    original = load_graph(COINRUN)
    steps: list[tuple[dict[str, Any], Any]] = [
        ({"op": "add_node", "name": "Z", "label": "a new cause"},
         lambda g: g.labels["Z"] == "a new cause" and g.nodes[-1] == "Z"),
        ({"op": "connect", "tail": "Z", "head": "Y_b"}, lambda g: "Z" in g.parents("Y_b")),
        ({"op": "connect", "tail": "Z", "head": "T", "bidirected": True},
         lambda g: g.spouses("T") == ("Z",)),
        ({"op": "disconnect", "tail": "T", "head": "Z", "bidirected": True},
         lambda g: g.spouses("T") == ()),
        ({"op": "set_label", "node": "Z", "label": "renamed cause"},
         lambda g: g.labels["Z"] == "renamed cause"),
        ({"op": "rename_node", "node": "Z", "to": "Zed"},
         lambda g: "Zed" in g.parents("Y_b") and "Z" not in g.node_set
         and g.nodes.index("Zed") == len(g.nodes) - 1),
        ({"op": "rename_node", "node": "O", "to": "Screen"},
         lambda g: g.sigma == (SoftIntervention("D_m", ["Screen"]),)
         and g.nodes.index("Screen") == original.nodes.index("O")),
        ({"op": "rename_node", "node": "s", "to": "regime"}, lambda g: g.regime == {"regime"}),
        ({"op": "rename_node", "node": "Y_m", "to": "Mesa"}, lambda g: g.mesa == {"Mesa"}),
        ({"op": "move", "positions": {"C": [10.4, -20.6]}}, lambda g: True),
        ({"op": "set_role", "node": "T", "role": "mesa", "on": True},
         lambda g: g.mesa == {"Mesa", "T"}),
        ({"op": "set_role", "node": "T", "role": "mesa", "on": False},
         lambda g: g.mesa == {"Mesa"}),
        ({"op": "set_role", "node": "L", "role": "observed", "on": False}, lambda g: True),
        ({"op": "set_context", "target": "D_m", "context": ["Screen", "C"]},
         lambda g: g.sigma == (SoftIntervention("D_m", ["Screen", "C"]),)),
        ({"op": "set_context", "target": "D_m", "context": None},
         lambda g: g.sigma == (SoftIntervention("D_m"),)),
        ({"op": "set_context", "target": "D_m", "context": []},
         lambda g: g.sigma == (SoftIntervention("D_m", []),)),
        ({"op": "set_role", "node": "T", "role": "sigma", "on": True},
         lambda g: [item.target for item in g.sigma] == ["D_m", "T"]),
        ({"op": "set_role", "node": "D_m", "role": "sigma", "on": False},
         lambda g: [item.target for item in g.sigma] == ["T"]),
        ({"op": "delete_node", "node": "Zed"}, lambda g: "Zed" not in g.node_set),
        ({"op": "delete_node", "node": "C"},
         lambda g: "C" not in g.node_set and all("C" not in (e.tail, e.head) for e in g.edges)),
        ({"op": "set_role", "node": "Mesa", "role": "mesa", "on": False},
         lambda g: g.base == {"Y_b"} and not g.mesa),
        ({"op": "set_role", "node": "Y_b", "role": "base", "on": False},
         lambda g: not g.base and not g.mesa),
    ]
    for action, holds in steps:
        status, state = client.act(**action)
        assert status == 200, (action, state)
        assert holds(graph_of(state)), action
    nodes = {node["name"]: node for node in state["picture"]["nodes"]}
    assert "unobserved" in nodes["L"]["roles"]
    text = state["text"]
    assert "# CoinRun goal misgeneralization." in text  # comments survive every action
    assert "observed: false" in text and "query:" not in text
    assert state["picture"]["verdict"] is None and "Y_b" in state["picture"]["unfinished"]


def test_positions_are_written_beside_the_label(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    state = client.act(op="move", positions={"C": [12.6, 30], "s": [0, 0]})[1]
    assert "  C:\n    label: coin position\n    position: [13, 30]\n" in state["text"]
    nodes = {node["name"]: node for node in state["picture"]["nodes"]}
    assert nodes["C"]["position"] == [13.0, 30.0] and nodes["L"]["position"] is None
    assert client.act(op="move", positions={"C": [1, float("inf")]})[0] == 400
    assert client.act(op="move", positions={"C": "here"})[0] == 400
    assert client.act(op="move", positions={"Ghost": [1, 2]})[0] == 400


# -- text pane ------------------------------------------------------------------------------


def test_text_problems_are_shown_at_their_line(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    good = client.get("/api/state")[1]["picture"]
    broken = COINRUN.read_text().replace("  - C -> Y_b", "  - C -> Y_bee")
    state = client.post("/api/text", {"text": broken})[1]
    with pytest.raises(GraphSpecError) as raised:
        parse_graph(broken, source="coinrun.yaml")
    assert [(p["code"], p["line"], p["message"]) for p in state["problems"]] == [
        (p.code, p.line, p.message) for p in raised.value.problems]
    assert state["problems"][0]["line"] == broken.splitlines().index("  - C -> Y_bee") + 1
    assert not state["valid"] and state["picture"] == good  # the picture keeps the last good one
    status, state = client.act(op="add_node", name="Q")  # no new problem: accepted...
    assert status == 200 and state["problems"][0]["code"] == "E_UNKNOWN_NODE"  # ...old ones stay
    assert client.act(op="connect", tail="Q", head="s")[0] == 422  # a new one is refused
    state = client.post("/api/text", {"text": "nodes: [\n"})[1]
    assert state["problems"][0]["code"] == "E_YAML_SYNTAX"
    status, answer = client.act(op="add_node", name="Q")
    assert (status, answer["error"]) == (409, "E_EDIT_TEXT")
    state = client.post("/api/text", {"text": COINRUN.read_text()})[1]
    assert state["valid"] and state["problems"] == []
    status, answer = client.post("/api/save")
    assert status == 200


def test_a_query_the_engine_refuses_is_a_problem_not_a_crash(open_file: Any) -> None:
    text = COINRUN.read_text().replace("mesa: Y_m", "mesa: [Y_m, Y_b]")
    client = open_file(text, name="coinrun.yaml")
    state = client.get("/api/state")[1]
    assert not state["valid"] and state["problems"][0]["code"] == "E_QUERY_OVERLAP"


# -- undo and redo --------------------------------------------------------------------------


def test_undo_and_redo_walk_the_history(open_file: Any) -> None:
    client = open_file(None)
    texts = [client.get("/api/state")[1]["text"]]
    for action in coinrun_actions()[:12]:
        texts.append(client.act(**action)[1]["text"])
    for expected in reversed(texts[:-1]):
        assert client.post("/api/undo")[1]["text"] == expected
    assert not client.get("/api/state")[1]["can_undo"]
    assert client.post("/api/undo")[1]["text"] == texts[0]  # a no-op at the start
    for expected in texts[1:]:
        assert client.post("/api/redo")[1]["text"] == expected
    client.post("/api/undo")
    client.act(op="add_node", name="Fresh")
    assert not client.get("/api/state")[1]["can_redo"]  # a new change forgets the redo branch


# -- saving ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GRAPHS, ids=lambda path: path.name)
def test_opening_and_saving_changes_nothing(open_file: Any, path: Path) -> None:
    client = open_file(path.read_text(encoding="utf-8"), name=path.name)
    status, state = client.post("/api/save", {"draft": True})  # valid or not, bytes unchanged
    assert status == 200
    assert client.server.session.path.read_bytes() == path.read_bytes()


def test_saving_keeps_comments_and_key_order(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    client.act(op="rename_node", node="L", to="Layout")
    client.act(op="connect", tail="Layout", head="D_m")
    assert client.post("/api/save")[0] == 200
    saved = client.server.session.path.read_text()
    original = COINRUN.read_text()
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in saved.splitlines() if line.lstrip().startswith("#")] == comments
    keys = [line.split(":")[0] for line in original.splitlines() if line[:1].isalpha()]
    assert [line.split(":")[0] for line in saved.splitlines() if line[:1].isalpha()] == keys
    expected = parse_graph(original.replace("L", "Layout").replace("Layoutevel", "Level")
                           .replace("  - D_m -> T\n", "  - D_m -> T\n  - Layout -> D_m\n"),
                           default_name="coinrun")
    graph = load_graph(client.server.session.path)
    assert graph.nodes == expected.nodes and set(graph.edges) == set(expected.edges)


def test_an_invalid_text_is_saved_only_as_a_draft(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    client.post("/api/text", {"text": "nodes: {s: a}\nedges: [s -> Q]\nregime: s\n"})
    status, answer = client.post("/api/save")
    assert (status, answer["problems"][0]["code"]) == (422, "E_UNKNOWN_NODE")
    assert client.server.session.path.read_text() == COINRUN.read_text()
    assert client.post("/api/save", {"draft": True})[0] == 200
    assert "Q" in client.server.session.path.read_text()


def test_a_file_changed_on_disk_is_never_overwritten_silently(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    path = client.server.session.path
    assert client.get("/api/disk")[1] == {"changed": False}
    client.act(op="add_node", name="Mine")
    theirs = COINRUN.read_text().replace("coin position", "coin position (edited elsewhere)")
    path.write_text(theirs)
    assert client.get("/api/disk")[1] == {"changed": True}
    status, answer = client.post("/api/save")
    assert (status, answer["error"]) == (409, "E_EDIT_CONFLICT")
    assert "changed by another program" in answer["message"]
    assert path.read_text() == theirs
    state = client.post("/api/reload")[1]
    assert state["text"] == theirs and not state["dirty"] and state["can_undo"]
    assert "Mine" in client.post("/api/undo")[1]["text"]  # our version is one undo away
    assert client.post("/api/save", {"overwrite": True})[0] == 200
    assert "Mine" in path.read_text()
    path.unlink()
    status, answer = client.post("/api/save")
    assert status == 409 and "was deleted" in answer["message"]


def test_two_editors_of_one_file_cannot_overwrite_each_other(open_file: Any) -> None:
    first = open_file(COINRUN.read_text(), name="coinrun.yaml")
    second = Client(serve(first.server.session.path)[0])  # a second session, same file
    try:
        first.act(op="add_node", name="First")
        second.act(op="add_node", name="Second")
        assert first.post("/api/save")[0] == 200
        assert second.post("/api/save")[1]["error"] == "E_EDIT_CONFLICT"
        assert "First" in first.server.session.path.read_text()
    finally:
        second.server.shutdown()
        second.server.server_close()


def test_concurrent_saves_leave_one_complete_file(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    path = client.server.session.path
    errors: list[Any] = []
    texts: set[str] = set()

    def work(index: int) -> None:
        for round_ in range(3):
            status, state = client.act(op="add_node", name=f"N{index}_{round_}")
            if status != 200:
                errors.append(state)
            status, state = client.post("/api/save")
            if status != 200:
                errors.append(state)
            texts.add(state.get("text", ""))

    workers = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    final = path.read_text()
    assert final == client.get("/api/state")[1]["text"]
    graph = load_graph(path)
    assert {f"N{index}_{round_}" for index in range(8) for round_ in range(3)} <= set(graph.nodes)
    assert [entry.name for entry in path.parent.iterdir()] == [path.name]  # no temporary left


def test_a_failed_write_keeps_the_old_file(open_file: Any, monkeypatch: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    path = client.server.session.path
    client.act(op="add_node", name="Lost")
    calls: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(storage.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd)))

    def crash(source: str, target: Any) -> None:
        calls.append("replace")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", crash)
    status, answer = client.post("/api/save")
    assert (status, answer["error"]) == (500, "E_EDIT_IO")
    assert "No space left on device" in answer["message"]
    assert calls == ["fsync", "replace"]  # the data reached the disk before the rename
    assert path.read_text() == COINRUN.read_text()
    assert [entry.name for entry in path.parent.iterdir()] == [path.name]
    monkeypatch.undo()
    assert client.post("/api/save")[0] == 200 and "Lost" in path.read_text()


def test_a_save_keeps_the_files_permissions(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    path = client.server.session.path
    path.chmod(0o640)
    client.act(op="add_node", name="Perm")
    assert client.post("/api/save")[0] == 200
    assert path.stat().st_mode & 0o777 == 0o640


# -- the verdict ----------------------------------------------------------------------------


def test_repairs_preview_their_effect(open_file: Any) -> None:
    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    graph = load_graph(COINRUN)
    repairs = client.get("/api/state")[1]["picture"]["verdict"]["repairs"]
    monitor = check_inner_alignment(graph).repairs.monitor
    assert monitor and repairs["monitor"] == list(monitor)
    status, previewed = client.post("/api/preview", {"repair": {"kind": "monitor",
                                                                "nodes": repairs["monitor"]}})
    expected = check_inner_alignment(graph, mesa=[*monitor, "Y_m"])
    assert status == 200 and previewed["aligned"] is expected.aligned is True
    assert previewed["open_paths"] == []
    deceptive = ROOT / "graphs" / "deceptive_cue.yaml"
    other = open_file(deceptive.read_text(), name="deceptive_cue.yaml")
    verdict = other.get("/api/state")[1]["picture"]["verdict"]
    assert verdict["repairs"]["narrow_context"] == [{"target": "D_m", "drop": "Cue"}]
    previewed = other.post("/api/preview", {"repair": {"kind": "narrow", "target": "D_m",
                                                       "drop": "Cue"}})[1]
    assert previewed["aligned"] is True
    assert other.get("/api/state")[1]["picture"]["verdict"]["aligned"] is False  # unchanged
    assert other.post("/api/preview", {"repair": {"kind": "pray"}})[0] == 400


def test_a_context_toggle_flips_the_verdict(open_file: Any) -> None:
    client = open_file((ROOT / "graphs" / "deceptive_cue.yaml").read_text(), name="d.yaml")
    state = client.get("/api/state")[1]
    assert state["picture"]["verdict"]["aligned"] is False
    added = [edge for edge in state["picture"]["sigma_graph"]["edges"] if edge["added"]]
    assert added == [{"tail": "Cue", "head": "D_m", "bidirected": False, "undirected": False,
                      "added": True}]
    assert state["picture"]["sigma"][0]["candidates"] == ["s", "Cue", "Task", "Prompt"]
    state = client.act(op="set_context", target="D_m", context=["Prompt"])[1]
    assert state["picture"]["verdict"]["aligned"] is True
    assert re.search(r"context: \[Prompt\] +# Cue is not a parent", state["text"])


def latent_dag(graph: CausalGraph, sigma: tuple[SoftIntervention, ...]) -> nx.DiGraph:
    """G_σ built independently of the engine, ``<->`` as explicit latent parents."""
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    targets = {item.target: item for item in sigma}
    for edge in graph.edges:
        if edge.bidirected:
            if edge.tail in targets or edge.head in targets:
                continue
            latent = f"latent:{edge.tail}:{edge.head}"
            dag.add_edges_from([(latent, edge.tail), (latent, edge.head)])
        elif edge.head not in targets:
            dag.add_edge(edge.tail, edge.head)
    for target, item in targets.items():
        context = graph.parents(target) if item.context is None else item.context
        dag.add_edges_from((node, target) for node in context)
    return dag


def test_the_live_verdict_matches_d_separation_on_random_diagrams(open_file: Any) -> None:
    rounds = 60 if os.environ.get("CI") == "true" else 12
    generator = random.Random(15)
    client = open_file(None)
    for _ in range(rounds):
        client.post("/api/text", {"text": "nodes: {}\nedges: []\nregime: []\n"})
        size = generator.randint(4, 8)
        names = [f"V{index}" for index in range(size)]
        for name in names:
            assert client.act(op="add_node", name=name)[0] == 200
        client.act(op="set_role", node="V0", role="regime", on=True)
        for later in range(1, size):
            for earlier in range(later):
                roll = generator.random()
                if roll < 0.3:
                    client.act(op="connect", tail=names[earlier], head=names[later])
                elif roll < 0.38 and earlier > 0:
                    client.act(op="connect", tail=names[earlier], head=names[later],
                               bidirected=True)
        base, mesa = names[-1], names[-2]
        target = names[generator.randint(1, size - 3)]
        client.act(op="set_role", node=base, role="base", on=True)
        client.act(op="set_role", node=mesa, role="mesa", on=True)
        context = [name for name in names[:names.index(target)] if generator.random() < 0.5]
        state = client.act(op="set_context", target=target, context=context)[1]
        graph = graph_of(state)
        dag = latent_dag(graph, graph.sigma)
        separated = nx.is_d_separator(dag, {"V0"}, {base}, {mesa})
        assert state["picture"]["verdict"]["aligned"] is separated, state["text"]
        open_paths = state["picture"]["verdict"]["open_paths"]
        assert (open_paths == []) is separated


# -- the command ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="causal-align")
    edit_command.add_commands(main.add_subparsers(dest="command"))
    return main


def test_the_command_serves_until_stopped(tmp_path: Path, capsys: Any) -> None:
    options = parser().parse_args(["edit", str(tmp_path / "new.yaml"), "--no-browser"])
    servers: list[EditorServer] = []

    def started(server: Any) -> None:
        servers.append(server)
        threading.Thread(target=server.shutdown, daemon=True).start()

    assert edit_command.run_edit(options, started=started) == 0
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{servers[0].port}/?token={servers[0].session.token}" in out
    assert "new file" in out


def test_the_command_refuses_a_taken_port_and_a_folder(tmp_path: Path, capsys: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        options = parser().parse_args(["edit", str(tmp_path / "g.yaml"), "--port", str(port),
                                       "--no-browser"])
        assert edit_command.run_edit(options) == 2
    assert capsys.readouterr().err.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    options = parser().parse_args(["edit", str(tmp_path), "--no-browser"])
    assert edit_command.run_edit(options) == 2
    assert "E_EDIT_IO" in capsys.readouterr().err
    options = parser().parse_args(["edit", "g.yaml", "--port", "70000", "--no-browser"])
    assert edit_command.run_edit(options) == 2


def test_ctrl_c_stops_it_cleanly(tmp_path: Path) -> None:
    script = ("import argparse, sys\nfrom causal_align.cli.edit import add_commands\n"
              "p = argparse.ArgumentParser(); add_commands(p.add_subparsers())\n"
              "o = p.parse_args(sys.argv[1:]); sys.exit(o.run(o))\n")
    process = subprocess.Popen([sys.executable, "-c", script, "edit", str(tmp_path / "g.yaml"),
                                "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    assert process.stdout is not None
    first = process.stdout.readline()
    address = process.stdout.readline().strip()
    assert first.startswith("causal-align edit:") and address.startswith("http://127.0.0.1:")
    assert process.stdout.readline().strip() == "(Ctrl-C to stop)"
    port = int(address.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=10):
        pass
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_check_text_agrees_with_the_loader_on_every_example() -> None:
    for path in GRAPHS:
        text = path.read_text(encoding="utf-8")
        checked = check_text(text, source=str(path), default_name=path.stem)
        try:
            graph = load_graph(path)
        except GraphSpecError as error:  # a file the loader refuses: the same problems
            assert checked.graph is None and checked.problems == error.problems
        else:
            assert checked.graph == graph and checked.problems == ()


def test_an_unfinished_diagram_is_drawn_without_a_verdict(open_file: Any) -> None:
    client = open_file(None)
    client.act(op="add_node", name="s", position=[0, 0])
    client.act(op="add_node", name="X")
    client.act(op="connect", tail="s", head="X")
    state = client.act(op="set_role", node="X", role="sigma", on=True)[1]
    picture = state["picture"]
    assert [node["name"] for node in picture["nodes"]] == ["s", "X"]
    assert picture["nodes"][0]["position"] == [0.0, 0.0]
    assert picture["edges"] == [{"tail": "s", "head": "X", "bidirected": False,
                                 "undirected": False, "added": False}]
    assert picture["sigma"] == [{"target": "X", "context": None, "reads": ["s"],
                                 "candidates": ["s"]}]
    assert picture["verdict"] is None and "no regime node" in picture["unfinished"]
    status, answer = client.get("/api/report?format=html")
    assert (status, answer["error"]) == (409, "E_EDIT_TEXT")


def test_the_report_is_the_one_check_writes(open_file: Any) -> None:
    from causal_align import render

    client = open_file(COINRUN.read_text(), name="coinrun.yaml")
    result = check_inner_alignment(load_graph(COINRUN))
    for format in ("json", "markdown", "text", "html"):
        status, body = client.get(f"/api/report?format={format}")
        text = body.decode() if isinstance(body, bytes) else json.dumps(body, indent=2,
                                                                        ensure_ascii=False)
        assert status == 200 and text == render(result, format), format
    assert client.get("/api/report?format=exe")[1]["error"] == "E_EDIT_ACTION"
    assert client.get("/api/report?format=json", token=None)[0] == 403


@pytest.mark.parametrize("start", [None, COINRUN, ROOT / "graphs" / "deceptive_cue.yaml"],
                         ids=["empty", "coinrun", "deceptive_cue"])
def test_section_dumps_equal_whole_dumps(tmp_path: Path, start: Path | None) -> None:
    """The session re-dumps only the sections an action touches; oracle: the whole document
    dumped again after the same action on a fresh copy."""
    path = tmp_path / "g.yaml"
    if start is not None:
        shutil.copy(start, path)
    session = EditSession(path)
    generator = random.Random(7)
    names = list(load_graph(start).nodes) if start is not None else []

    def actions() -> Iterator[dict[str, Any]]:
        if start is None:
            yield from coinrun_actions()
            return
        for round_ in range(40):
            node = generator.choice(names)
            yield generator.choice([
                {"op": "move", "positions": {node: [round_, -round_]}},
                {"op": "set_role", "node": node, "role": generator.choice(
                    ["observed", "mesa", "sigma", "regime", "base"]), "on": generator.random() < .5},
                {"op": "connect", "tail": node, "head": generator.choice(names)},
                {"op": "add_node", "name": f"N{round_}"},
                {"op": "set_label", "node": node, "label": f"label {round_} # not a comment"},
                {"op": "rename_node", "node": node, "to": f"{node}_{round_}"},
            ])

    accepted = tried = 0
    for action in actions():
        tried += 1
        before = session.state()["text"]
        try:
            after = session.act(action)["text"]
        except GraphSpecError:
            assert session.state()["text"] == before
            continue
        accepted += 1
        document = load_document(before)
        apply_action(document, action)
        assert after == dump_document(document), action
        if action["op"] == "add_node":
            names.append(action["name"])
        if action["op"] == "rename_node":
            names[names.index(action["node"])] = action["to"]
    assert accepted >= tried // 3


def test_without_ruamel_the_command_says_what_to_install(tmp_path: Path, capsys: Any,
                                                         monkeypatch: Any) -> None:
    for name in [name for name in sys.modules if name.startswith(("ruamel", "causal_align.editor.s",
                                                                  "causal_align.editor.d"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ruamel", None)  # "import ruamel..." now fails
    options = parser().parse_args(["edit", str(tmp_path / "g.yaml"), "--no-browser"])
    assert edit_command.run_edit(options) == 2
    assert "pip install 'causal_align[editor]'" in capsys.readouterr().err


def test_the_verdict_carries_the_incentives_of_a_graph_with_a_utility(tmp_path: Path) -> None:
    from causal_align.editor.session import EditSession

    path = tmp_path / "zoo.yaml"
    path.write_text(Path("graphs/zoo/coinrun.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    state = EditSession(path).state()
    assert state["picture"]["verdict"]["incentives"].startswith(
        "Incentives of Move (utility: GotCoin)")
    plain = tmp_path / "plain.yaml"
    plain.write_text(Path("graphs/coinrun.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert EditSession(plain).state()["picture"]["verdict"]["incentives"] is None


def test_two_editors_in_different_processes_cannot_both_save(tmp_path: Path,
                                                              monkeypatch: Any) -> None:
    """The check "unchanged on disk?" and the write happen under one lock on the file, so a
    second editor that saves while the first is half-way waits, then sees the change. The two
    sessions lock through separate open files, as two processes would."""
    from causal_align.editor.session import EditSession

    path = tmp_path / "coinrun.yaml"
    path.write_text(COINRUN.read_text(), encoding="utf-8")
    first, second = EditSession(path), EditSession(path)
    first.act({"op": "add_node", "name": "First"})
    second.act({"op": "add_node", "name": "Second"})
    inside, go, checked = threading.Event(), threading.Event(), threading.Event()
    real_write, real_fingerprint = storage.atomic_write, storage.fingerprint

    def slow_write(target: Path, text: str) -> Any:
        if "First" in text:
            inside.set()
            go.wait(timeout=30)
        return real_write(target, text)

    def noted_fingerprint(target: Path) -> Any:
        if threading.current_thread().name == "second":
            checked.set()
        return real_fingerprint(target)

    import causal_align.editor.session as session_module

    monkeypatch.setattr(session_module, "atomic_write", slow_write)
    monkeypatch.setattr(session_module, "fingerprint", noted_fingerprint)
    outcome: dict[str, Any] = {}

    def save(name: str, session: Any) -> None:
        try:
            outcome[name] = session.save()["saved"]
        except EditorError as error:
            outcome[name] = error.code

    one = threading.Thread(target=save, args=("first", first), name="first")
    one.start()
    assert inside.wait(timeout=30)
    two = threading.Thread(target=save, args=("second", second), name="second")
    two.start()
    blocked = not checked.wait(timeout=1.0)  # with the lock, the second cannot check yet
    go.set()
    one.join()
    two.join()
    assert blocked
    assert outcome == {"first": True, "second": "E_EDIT_CONFLICT"}
    assert "First" in path.read_text() and "Second" not in path.read_text()
