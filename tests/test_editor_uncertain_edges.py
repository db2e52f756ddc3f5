"""The editor on diagrams with uncertain edges (an ``uncertain:`` section): reading, the
actions on uncertain edges and their probabilities, refusals, P(aligned) and the value of
learning each edge.

Oracles: ``causal-align uncertain FILE --format json`` for the example file and a sampled case;
the uncertainty layer's reader (``load_uncertain_file`` on the text an action would make) for
every refusal; and a brute force on random small diagrams that knows nothing of pruning or of
the layer's prior model: it enumerates the 2^k subsets of the uncertain edges, weights each by
the independent probabilities and the Beta-binomial of the shared shift rate (scipy's Beta
function), decides each with networkx's d-separation on a G_σ built here, and compares
P(aligned), the verdict, and P(aligned) given each edge present and absent.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from causal_align.editor.document import (
    Sections,
    apply_action,
    dump_document,
    load_document,
    touched,
)
from causal_align.editor.server import TOKEN_HEADER, EditorServer
from causal_align.editor.session import EditSession
from causal_align.errors import EditorError, GraphSpecError
from causal_align.uncertainty.files import load_uncertain_file

ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE = ROOT / "graphs" / "uncertain" / "warehouse_edges.yaml"


def opened(tmp_path: Path, text: str, name: str = "g.yaml") -> EditSession:
    path = tmp_path / name
    path.write_text(text)
    return EditSession(path)


def uncertain_cli(path: Path) -> tuple[int, dict[str, Any]]:
    command = Path(sys.executable).parent / "causal-align"
    done = subprocess.run([str(command), "uncertain", str(path), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    return done.returncode, json.loads(done.stdout)


def shown_without_query(state: dict[str, Any]) -> dict[str, Any]:
    shown = dict(state["picture"]["uncertain_edges"])
    del shown["query"]
    return shown


# -- the example, against causal-align uncertain ---------------------------------------------


def test_the_example_opens_with_the_commands_numbers(tmp_path: Path) -> None:
    session = opened(tmp_path, WAREHOUSE.read_text(), WAREHOUSE.name)
    state = session.state()
    assert state["valid"] and state["problems"] == []
    code, expected = uncertain_cli(WAREHOUSE)
    assert code == 3 and shown_without_query(state) == expected
    assert state["picture"]["verdict"] is None and state["picture"]["uncertain"] is None
    drawn = {(edge["tail"], edge["head"], edge["bidirected"]): (edge["probability"],
                                                                edge["shift"])
             for edge in state["picture"]["edges"] if edge.get("uncertain")}
    assert drawn == {("Layout", "Y_b", False): (0.1, False), ("Y_m", "Y_b", True): (0.05, False),
                     ("s", "Order", False): (0.2, True), ("s", "Carrier", False): (0.2, True)}
    # G_σ: σ reads Obs only, so no uncertain edge into D_m would be drawn there; all are kept
    assert [edge for edge in state["picture"]["sigma_graph"]["edges"] if edge.get("uncertain")] \
        == [edge for edge in state["picture"]["edges"] if edge.get("uncertain")]
    assert json.loads(session.report("json")) == expected
    text = subprocess.run([str(Path(sys.executable).parent / "causal-align"), "uncertain",
                           str(WAREHOUSE)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120).stdout
    assert session.report("text") == text.rstrip("\n")
    with pytest.raises(EditorError, match="text, markdown or json"):
        session.report("html")
    with pytest.raises(EditorError, match="no previews"):
        session.preview({"kind": "monitor", "nodes": ["Obs"]})


def test_changing_a_probability_keeps_everything_else(tmp_path: Path) -> None:
    text = WAREHOUSE.read_text().replace(
        "    - {edge: Layout -> Y_b, probability: 0.1}\n",
        "    - {edge: Layout -> Y_b, probability: 0.1}  # a guess\n")
    session = opened(tmp_path, text)
    state = session.act({"op": "set_probability", "tail": "Layout", "head": "Y_b",
                         "probability": 0.5})
    assert state["text"] == text.replace("probability: 0.1}  # a guess",
                                         "probability: 0.5}  # a guess")
    (tmp_path / "changed.yaml").write_text(state["text"])
    assert shown_without_query(state) == uncertain_cli(tmp_path / "changed.yaml")[1]
    assert state["picture"]["uncertain_edges"]["p_aligned"] == pytest.approx(0.38)
    state = session.act({"op": "set_probability", "tail": "Y_b", "head": "Y_m",
                         "bidirected": True, "probability": 0})  # <-> either way round
    assert "{edge: Y_m <-> Y_b, probability: 0}" in state["text"]
    session.undo()
    state = session.act({"op": "set_probability", "tail": "Layout", "head": "Y_b",
                         "probability": 0.1})
    assert state["text"] == text
    session.save()
    assert (tmp_path / "g.yaml").read_text() == text


def test_adding_and_removing_uncertain_edges(tmp_path: Path) -> None:
    text = WAREHOUSE.read_text()
    session = opened(tmp_path, text)
    state = session.act({"op": "add_uncertain", "tail": "Obs", "head": "Y_b",
                         "probability": 0.25})
    assert state["text"] == text.replace(
        "    - {edge: Y_m <-> Y_b, probability: 0.05}\n",
        "    - {edge: Y_m <-> Y_b, probability: 0.05}\n"
        "    - {edge: Obs -> Y_b, probability: 0.25}\n")
    assert ("Obs", "Y_b", 0.25) in [(edge["tail"], edge["head"], edge.get("probability"))
                                    for edge in state["picture"]["edges"]]
    state = session.act({"op": "remove_uncertain", "tail": "Obs", "head": "Y_b"})
    assert state["text"] == text
    # a regime edge sharing the shift rate leaves shift.targets; the last one, shift: itself
    state = session.act({"op": "remove_uncertain", "tail": "s", "head": "Order"})
    assert "    targets: [Carrier]\n" in state["text"]
    for tail, head, latent in (("s", "Carrier", False), ("Layout", "Y_b", False),
                               ("Y_b", "Y_m", True)):
        state = session.act({"op": "remove_uncertain", "tail": tail, "head": head,
                             "bidirected": latent})
    assert "\nuncertain:" not in state["text"]  # nothing uncertain left: an ordinary diagram
    assert state["picture"]["uncertain_edges"] is None
    assert state["picture"]["verdict"]["aligned"] is True
    # and back: the first uncertain edge makes the section again
    state = session.act({"op": "add_uncertain", "tail": "Layout", "head": "Y_b",
                         "probability": 0.1})
    assert state["text"].endswith("uncertain:\n  edges:\n"
                                  "    - {edge: Layout -> Y_b, probability: 0.1}\n")
    assert state["picture"]["uncertain_edges"]["p_aligned"] == pytest.approx(0.9)


def test_renames_and_deletions_reach_the_uncertain_section(tmp_path: Path) -> None:
    session = opened(tmp_path, WAREHOUSE.read_text())
    state = session.act({"op": "rename_node", "node": "Carrier", "to": "Courier"})
    assert "    targets: [Order, Courier]\n" in state["text"]
    state = session.act({"op": "rename_node", "node": "Layout", "to": "Plan"})
    assert "{edge: Plan -> Y_b, probability: 0.1}" in state["text"]
    state = session.act({"op": "delete_node", "node": "Plan"})
    assert "Plan" not in state["text"] and state["problems"] == []
    state = session.act({"op": "delete_node", "node": "Order"})
    assert "    targets: [Courier]\n" in state["text"] and state["valid"]
    assert state["picture"]["uncertain_edges"]["relevant"] == ["Y_m <-> Y_b", "s -> Courier"]


def essentials(problems: Any) -> list[tuple[str, str, str | None, int | None]]:
    """Code, message, location and line (the reader names the file by its path as given)."""
    return [(problem.code, problem.message, problem.location, problem.line)
            for problem in problems]


def test_an_unfinished_diagram_draws_its_uncertain_edges(tmp_path: Path) -> None:
    session = EditSession(tmp_path / "new.yaml")
    for name in ("s", "A", "B"):
        session.act({"op": "add_node", "name": name})
    state = session.act({"op": "add_uncertain", "tail": "A", "head": "B", "probability": 0.4})
    assert [problem["code"] for problem in state["problems"]] == ["E_EMPTY_SET"]  # no regime
    assert [(edge["tail"], edge["head"], edge["probability"]) for edge in
            state["picture"]["edges"]] == [("A", "B", 0.4)]
    session.set_text(state["text"] + "  shift: {targets: [A, B], first: 0.3, strength: 1}\n")
    state = session.act({"op": "set_role", "node": "s", "role": "regime", "on": True})
    assert state["valid"] and "Y_b" in state["picture"]["unfinished"]
    assert state["picture"]["uncertain_edges"] is None  # no query yet
    assert sorted((edge["tail"], edge["head"], edge["probability"], edge["shift"])
                  for edge in state["picture"]["edges"]) == [
        ("A", "B", 0.4, False), ("s", "A", 0.3, True), ("s", "B", 0.3, True)]
    session.undo()  # back to the sketch: without a regime node the shift has no edges
    state = session.state()
    assert [problem["code"] for problem in state["problems"]] == ["E_EMPTY_SET"]
    assert len([edge for edge in state["picture"]["edges"] if edge.get("shift")]) == 0
    state = session.act({"op": "set_role", "node": "B", "role": "base", "on": True})
    state = session.act({"op": "set_role", "node": "s", "role": "regime", "on": True})
    shown = state["picture"]["uncertain_edges"]
    assert shown["verdict"] == "undetermined"
    # aligned when s -> B is absent and not both s -> A and A -> B: θ ~ Beta(0.3, 0.7) gives
    # P(neither shifts) = 0.7 · 1.7 / 2 and P(only A) = 0.3 · 0.7 / 2
    assert shown["p_aligned"] == pytest.approx(0.7 * 1.7 / 2 + 0.3 * 0.7 / 2 * 0.6)
    # hostile uncertain sections never break the sketch
    for section in ("uncertain: 3\n", "uncertain: {edges: 3, shift: [1]}\n",
                    "uncertain: {edges: [3, {edge: [A], probability: x}, {edge: A -> Q, "
                    "probability: 0.2}], shift: {regime: [s], targets: 4, first: true}}\n",
                    "uncertain: {shift: {targets: [[A], {B: 1}], first: 0.2}}\n"):
        state = session.set_text("nodes: {s: a, A: b}\nedges: []\nregime: []\n" + section)
        assert state["picture"] is not None and all(
            not edge.get("uncertain") for edge in state["picture"]["edges"]), section


def test_sigma_cuts_uncertain_edges_into_a_target_it_fixes(tmp_path: Path) -> None:
    text = ("nodes: {s: a, X: b, T: c, M: d, B: e}\nedges: [s -> X, T -> M, M -> B]\n"
            "regime: s\nsigma: [{target: T, context: []}]\nquery: {base: B}\n"
            "uncertain:\n  edges:\n    - {edge: X -> T, probability: 0.5}\n"
            "    - {edge: X -> B, probability: 0.2}\n")
    state = opened(tmp_path, text).state()
    uncertain = [(edge["tail"], edge["head"]) for edge in state["picture"]["edges"]
                 if edge.get("uncertain")]
    in_sigma = [(edge["tail"], edge["head"]) for edge in state["picture"]["sigma_graph"]["edges"]
                if edge.get("uncertain")]
    assert uncertain == [("X", "T"), ("X", "B")] and in_sigma == [("X", "B")]
    shown = state["picture"]["uncertain_edges"]
    assert shown["pruned"] == ["X -> T"] and shown["p_aligned"] == pytest.approx(0.8)
    # a σ reading its parents keeps the edge (the policy would read X), and it opens
    # s -> X -> T -> M -> B
    state = opened(tmp_path, text.replace("{target: T, context: []}", "{target: T}"),
                   "parents.yaml").state()
    assert ("X", "T") in [(edge["tail"], edge["head"])
                          for edge in state["picture"]["sigma_graph"]["edges"]
                          if edge.get("uncertain")]
    assert state["picture"]["uncertain_edges"]["p_aligned"] == pytest.approx(0.8 * 0.5)


def reader_problems(text: str, action: dict[str, Any],
                    tmp_path: Path) -> list[tuple[str, str, str | None, int | None]]:
    """What the uncertainty layer's reader says of the text the action would make."""
    document = load_document(text)
    apply_action(document, action)
    path = tmp_path / "g.yaml"
    path.write_text(dump_document(document))
    with pytest.raises(GraphSpecError) as expected:
        load_uncertain_file(path)
    return essentials(expected.value.problems)


def test_refusals_carry_the_readers_own_problems(tmp_path: Path) -> None:
    text = WAREHOUSE.read_text()
    folder = tmp_path / "session"
    folder.mkdir()
    session = opened(folder, text)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"op": "add_uncertain", "tail": "Obs", "head": "Nowhere", "probability": 0.2},
         ["E_UNKNOWN_NODE"]),
        ({"op": "add_uncertain", "tail": "Y_m", "head": "Y_b", "probability": 0.2},
         ["E_DUPLICATE_EDGE"]),
        ({"op": "add_uncertain", "tail": "Layout", "head": "Y_b", "probability": 0.2},
         ["E_DUPLICATE_EDGE"]),
        ({"op": "add_uncertain", "tail": "s", "head": "Carrier", "probability": 0.2},
         ["E_DUPLICATE_EDGE"]),
        ({"op": "add_uncertain", "tail": "Y_b", "head": "Obs", "probability": 0.2},
         ["E_CYCLE"]),
        ({"op": "add_uncertain", "tail": "Order", "head": "s", "probability": 0.2},
         ["E_CYCLE", "E_REGIME_NOT_EXOGENOUS"]),
        ({"op": "set_probability", "tail": "Layout", "head": "Y_b", "probability": 1.5},
         ["E_TYPE"]),
        ({"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": -0.1},
         ["E_TYPE"]),
        ({"op": "connect", "tail": "Layout", "head": "Y_b"}, ["E_DUPLICATE_EDGE"]),
    ]
    for action, codes in cases:
        expected = reader_problems(text, action, tmp_path)
        with pytest.raises(GraphSpecError) as refused:
            session.act(action)
        assert [problem.code for problem in refused.value.problems] == codes, action
        assert essentials(refused.value.problems) == expected, action
        assert session.state()["text"] == text  # refused: nothing changed
    malformed: list[tuple[dict[str, Any], str]] = [
        ({"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": "high"},
         "a probability is a number, found 'high'"),
        ({"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": True},
         "a probability is a number"),
        ({"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": 0.1,
          "undirected": True}, "an uncertain edge is -> or <->, not --"),
        ({"op": "set_probability", "tail": "Obs", "head": "Y_b", "probability": 0.1},
         "there is no uncertain edge 'Obs -> Y_b' with its own probability"),
        ({"op": "set_probability", "tail": "s", "head": "Order", "probability": 0.1},
         "shares? the shift rate|the rate's"),
        ({"op": "remove_uncertain", "tail": "Y_b", "head": "Layout"},
         "there is no uncertain edge 'Y_b -> Layout'"),
        ({"op": "remove_uncertain", "tail": "Order", "head": "Carrier"},
         "there is no uncertain edge"),
    ]
    for action, message in malformed:
        with pytest.raises(EditorError, match=message):
            session.act(action)
        assert session.state()["text"] == text
    # a text the picture cannot edit there says so
    session.set_text(text.replace("  edges:\n    - {edge: Layout", "  edges: 3\n    - {edge: "
                                  "Layout").split("    - {edge: Layout")[0] + "  shift: {}\n")
    with pytest.raises(EditorError, match="uncertain.edges: is not a list"):
        session.act({"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": 0.1})


def test_the_text_pane_shows_the_readers_problems_at_their_line(tmp_path: Path) -> None:
    session = opened(tmp_path, WAREHOUSE.read_text(), "w.yaml")
    text = WAREHOUSE.read_text().replace("probability: 0.05}", "probability: 5}")
    state = session.set_text(text)  # typed: kept, with its problems
    assert not state["valid"] and state["text"] == text
    (tmp_path / "typed.yaml").write_text(text)
    with pytest.raises(GraphSpecError) as expected:
        load_uncertain_file(tmp_path / "typed.yaml")
    assert [(problem["code"], problem["message"], problem["line"])
            for problem in state["problems"]] == [
        (problem.code, problem.message, problem.line) for problem in expected.value.problems]
    assert state["problems"][0]["line"] == text.splitlines().index(
        "    - {edge: Y_m <-> Y_b, probability: 5}") + 1
    # the picture keeps the last good diagram meanwhile
    assert state["picture"]["uncertain_edges"]["p_aligned"] == pytest.approx(0.684)


def test_section_dumps_equal_whole_dumps_with_uncertain_edges() -> None:
    document = load_document(WAREHOUSE.read_text())
    sections = Sections()
    sections.dump(document, None)
    for action in ({"op": "set_probability", "tail": "Layout", "head": "Y_b", "probability": 0.3},
                   {"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": 0.2},
                   {"op": "remove_uncertain", "tail": "s", "head": "Order"}):
        apply_action(document, action)
        assert sections.dump(document, touched(action)) == dump_document(document)


def test_a_sampled_estimate_carries_its_standard_error(tmp_path: Path) -> None:
    # 14 relevant uncertain edges (7 V -> B, and s -> V for those 7), over the 12 enumerated
    names = [f"V{index}" for index in range(13)]
    text = (f"nodes: {{s: r, M: m, B: b, {', '.join(f'{name}: x' for name in names)}}}\n"
            "edges: [s -> M, M -> B]\nregime: s\nquery: {base: B, mesa: M}\nuncertain:\n"
            "  edges:\n" + "".join(f"    - {{edge: {name} -> B, probability: 0.1}}\n"
                                   for name in names[:7])
            + "  shift:\n    targets: [" + ", ".join(names) + "]\n    first: 0.1\n"
            "    strength: 3\n")
    session = opened(tmp_path, text)
    shown = session.state()["picture"]["uncertain_edges"]
    assert shown["exact"] is False and shown["samples"] == 4000
    assert 0 < shown["standard_error"] < 0.01
    assert {key: value for key, value in shown.items() if key != "query"} == uncertain_cli(
        tmp_path / "g.yaml")[1]


# -- the JSON API over HTTP ------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[EditorServer]:
    (tmp_path / "w.yaml").write_text(WAREHOUSE.read_text())
    server = EditorServer(EditSession(tmp_path / "w.yaml"))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def post(server: EditorServer, route: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        server.url + route, data=json.dumps(body).encode(), method="POST",
        headers={TOKEN_HEADER: server.session.token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, dict(json.load(answer))
    except urllib.error.HTTPError as error:
        return error.code, dict(json.load(error))


def test_every_new_action_through_the_json_api(served: EditorServer, tmp_path: Path) -> None:
    steps: list[tuple[dict[str, Any], float]] = [
        ({"op": "set_probability", "tail": "Layout", "head": "Y_b", "probability": 0.5}, 0.38),
        ({"op": "add_uncertain", "tail": "Obs", "head": "Y_b", "probability": 0.5}, 0.19),
        ({"op": "remove_uncertain", "tail": "Obs", "head": "Y_b"}, 0.38),
    ]
    for action, p_aligned in steps:
        status, state = post(served, "api/action", {"action": action})
        assert status == 200, state
        assert state["picture"]["uncertain_edges"]["p_aligned"] == pytest.approx(p_aligned)
        (tmp_path / "now.yaml").write_text(state["text"])
        assert shown_without_query(state) == uncertain_cli(tmp_path / "now.yaml")[1]
    status, refused = post(served, "api/action", {"action": {
        "op": "set_probability", "tail": "Layout", "head": "Y_b", "probability": 2}})
    assert status == 422 and refused["error"] == "E_EDIT_REFUSED"
    assert [problem["code"] for problem in refused["problems"]] == ["E_TYPE"]
    assert "expected a probability between 0 and 1, found 2" in refused["problems"][0]["message"]
    status, refused = post(served, "api/action", {"action": {
        "op": "set_probability", "tail": "Layout", "head": "Y_b", "probability": "2"}})
    assert status == 400 and refused["error"] == "E_EDIT_ACTION"
    status, refused = post(served, "api/preview", {"repair": {"kind": "monitor", "nodes": []}})
    assert status == 400 and "no previews" in refused["message"]
    status, saved = post(served, "api/save", {})
    assert status == 200 and saved["saved"]
    assert uncertain_cli(Path(served.session.path))[1]["p_aligned"] == pytest.approx(0.38)


# -- random diagrams against a brute force ---------------------------------------------------


def random_case(generator: random.Random) -> dict[str, Any]:
    """A random small diagram in a topological order (so every configuration is acyclic), with
    an open-loop or explicit-context σ target, 1 to 5 uncertain edges, sometimes a shift prior."""
    others = [f"V{index}" for index in range(generator.randint(2, 4))]
    order = ["s"] + generator.sample(others + ["M", "B"], len(others) + 2)
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    generator.shuffle(pairs)
    certain = [pair for pair in pairs[:generator.randint(2, 5)]]
    free = pairs[len(certain):]
    uncertain = free[:generator.randint(1, 4)]
    chances = [generator.choice([0.0, 1.0]) if generator.random() < 0.1
               else round(generator.uniform(0.05, 0.95), 2) for _ in uncertain]
    latent = []
    candidates = [(a, b) for a, b in itertools.combinations(order[1:], 2)
                  if (a, b) not in certain and (b, a) not in certain]
    if candidates and generator.random() < 0.4:
        latent = [generator.choice(candidates)]
    regime_edges = [(a, b) for a, b in free[len(uncertain):] if a == "s"]
    shift = regime_edges[:generator.randint(0, 2)] if generator.random() < 0.5 else []
    target = generator.choice(others)
    before = order[:order.index(target)]
    context = (None if generator.random() < 0.3 else
               [node for node in before if node != "s" and generator.random() < 0.5])
    return {"order": order, "certain": certain, "uncertain": uncertain, "chances": chances,
            "latent": latent, "shift": shift, "first": round(generator.uniform(0.1, 0.9), 2),
            "strength": generator.choice([0.5, 1, 2, 5]), "target": target, "context": context}


def case_text(case: dict[str, Any]) -> str:
    edges = [f"{a} -> {b}" for a, b in case["certain"]]
    items = [f"    - {{edge: {a} -> {b}, probability: {p}}}\n"
             for (a, b), p in zip(case["uncertain"], case["chances"])]
    items += [f"    - {{edge: {a} <-> {b}, probability: 0.3}}\n" for a, b in case["latent"]]
    sigma = (f"{{target: {case['target']}}}" if case["context"] is None else
             f"{{target: {case['target']}, context: [{', '.join(case['context'])}]}}")
    text = (f"nodes: {{{', '.join(f'{name}: n' for name in case['order'])}}}\nedges: [{', '.join(edges)}]\n"
            f"regime: s\nsigma: [{sigma}]\nquery: {{base: B, mesa: M}}\nuncertain:\n"
            f"  edges:\n{''.join(items)}")
    if case["shift"]:
        text += (f"  shift:\n    targets: [{', '.join(b for _, b in case['shift'])}]\n"
                 f"    first: {case['first']}\n    strength: {case['strength']}\n")
    return text


def brute_force(case: dict[str, Any]) -> tuple[list[str], dict[tuple[bool, ...], float],
                                                 dict[tuple[bool, ...], bool]]:
    """Every subset of the uncertain edges: its prior weight and whether B ⊥ s | M in G_σ."""
    from scipy.special import beta

    listed = ([(f"{a} -> {b}", (a, b), p, False)
               for (a, b), p in zip(case["uncertain"], case["chances"])]
              + [(f"{a} <-> {b}", (a, b), 0.3, True) for a, b in case["latent"]]
              + [(f"{a} -> {b}", (a, b), None, False) for a, b in case["shift"]])
    first, strength = case["first"], case["strength"]
    a_, b_ = first * strength, (1 - first) * strength
    target, context = case["target"], case["context"]
    weights, aligned = {}, {}
    for config in itertools.product((False, True), repeat=len(listed)):
        weight, on, off = 1.0, 0, 0
        for present, (_, _, p, _) in zip(config, listed):
            if p is None:
                on, off = on + present, off + (not present)
            else:
                weight *= p if present else 1 - p
        weight *= beta(a_ + on, b_ + off) / beta(a_, b_)
        directed = list(case["certain"]) + [pair for present, (_, pair, _, latent) in
                                             zip(config, listed) if present and not latent]
        latents = [pair for present, (_, pair, _, latent) in zip(config, listed)
                   if present and latent]
        dag: nx.DiGraph[str] = nx.DiGraph()
        dag.add_nodes_from(case["order"])
        reads = ([tail for tail, head in directed if head == target] if context is None
                 else context)
        dag.add_edges_from(edge for edge in directed if edge[1] != target)
        dag.add_edges_from((node, target) for node in reads)
        for index, (a, b) in enumerate(latents):
            if target not in (a, b):
                dag.add_edges_from([(f"L{index}", a), (f"L{index}", b)])
        weights[config] = weight
        aligned[config] = bool(nx.is_d_separator(dag, {"s"}, {"B"}, {"M"}))
    return [text for text, _, _, _ in listed], weights, aligned


def test_p_aligned_matches_a_brute_force_on_random_diagrams(tmp_path: Path) -> None:
    rounds = 300 if os.environ.get("CI") == "true" else 30
    generator = random.Random(15)
    session = EditSession(tmp_path / "random.yaml")
    seen = set()
    for _ in range(rounds):
        case = random_case(generator)
        text = case_text(case)
        state = session.set_text(text)
        assert state["valid"], (text, state["problems"])
        shown = state["picture"]["uncertain_edges"]
        names, weights, aligned = brute_force(case)
        assert math.fsum(weights.values()) == pytest.approx(1)
        p_aligned = math.fsum(w for config, w in weights.items() if aligned[config])
        assert shown["exact"] and shown["p_aligned"] == pytest.approx(p_aligned, abs=1e-9), text
        outcomes = {aligned[config] for config, w in weights.items() if w > 0}
        verdict = ("undetermined" if len(outcomes) == 2 else
                   "aligned" if outcomes == {True} else "not aligned")
        assert shown["verdict"] == verdict, text
        seen.add(verdict)
        values = {item["edge"]: item for item in shown["values"]}
        assert sorted(values) == sorted(names)
        assert [item["value"] for item in shown["values"]] == sorted(
            (item["value"] for item in shown["values"]), reverse=True)
        for index, name in enumerate(names):
            present = math.fsum(w for config, w in weights.items() if config[index])
            if not 1e-12 < present < 1 - 1e-12:
                continue
            hit = math.fsum(w for config, w in weights.items() if config[index] and
                            aligned[config]) / present
            miss = math.fsum(w for config, w in weights.items() if not config[index] and
                             aligned[config]) / (1 - present)
            assert values[name]["p_if_present"] == pytest.approx(hit, abs=1e-9), (text, name)
            assert values[name]["p_if_absent"] == pytest.approx(miss, abs=1e-9), (text, name)

            def wrong(p: float) -> float:
                return min(p, 1 - p)

            value = wrong(p_aligned) - present * wrong(hit) - (1 - present) * wrong(miss)
            assert values[name]["value"] == pytest.approx(max(value, 0), abs=1e-9), (text, name)
        # changing one probability through the picture gives the brute force's new number
        if case["uncertain"]:
            a, b = case["uncertain"][0]
            case["chances"][0] = 0.5
            state = session.act({"op": "set_probability", "tail": a, "head": b,
                                 "probability": 0.5})
            # (ruamel writes a flow [{target: T}] as [target: T] when a whole text is re-dumped)
            assert yaml.safe_load(state["text"]) == yaml.safe_load(case_text(case))
            assert f"    - {{edge: {a} -> {b}, probability: 0.5}}\n" in state["text"]
            _, weights, aligned = brute_force(case)
            assert state["picture"]["uncertain_edges"]["p_aligned"] == pytest.approx(
                math.fsum(w for config, w in weights.items() if aligned[config]), abs=1e-9)
    assert seen == {"aligned", "not aligned", "undetermined"}
