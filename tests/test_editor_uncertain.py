"""The editor on diagrams with ``--`` edges (direction unknown): reading, editing, the verdict
over every consistent orientation, previews of one orientation, reports.

Oracles: the uncertainty layer's own reader for every refusal (the problems ``parse_partial_graph``
reports for the text the action would make); ``causal-align check`` (its JSON and text reports)
for the verdict of the example files; and a brute force on random small diagrams that knows
nothing of Meek's rules or pivots: every orientation of the ``--`` edges that is acyclic, adds no
v-structure, points out of the regime node, is checked by networkx's d-separation on a G_σ built
here, and the verdict, the settling orientations and every orientation's preview must agree.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.editor.document import (
    Sections,
    apply_action,
    dump_document,
    load_document,
    touched,
)
from causal_align.editor.session import EditSession
from causal_align.errors import EditorError, GraphSpecError
from causal_align.loader import parse_graph
from causal_align.uncertainty.files import parse_partial_graph

ROOT = Path(__file__).resolve().parent.parent
UNCERTAIN = ROOT / "graphs" / "uncertain"
TUTORING = UNCERTAIN / "tutoring_cpdag.yaml"


def opened(tmp_path: Path, text: str, name: str = "g.yaml") -> EditSession:
    path = tmp_path / name
    path.write_text(text)
    return EditSession(path)


def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "causal-align"
    return subprocess.run([str(command), *arguments], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


# -- the example files, against causal-align check ------------------------------------------


@pytest.mark.parametrize("path", sorted(UNCERTAIN.glob("tutoring_*.yaml")),
                         ids=lambda path: path.name)
def test_the_verdict_is_the_one_check_gives(tmp_path: Path, path: Path) -> None:
    session = opened(tmp_path, path.read_text(), path.name)
    state = session.state()
    assert state["valid"] and state["problems"] == []
    shown = state["picture"]["uncertain"]
    done = cli("check", str(path), "--format", "json")
    assert done.returncode == {"aligned": 0, "not aligned": 1, "undetermined": 3}[shown["verdict"]]
    expected = json.loads(done.stdout)
    assert shown["verdict"] == expected["verdict"]
    assert shown["counts"] == expected["counts"]
    assert shown["count"] == len(expected["members"])
    assert shown["pivots"] == expected["pivots"]
    assert [(member["parents"], member["aligned"],
             member["witness"] and member["witness"]["path"]) for member in shown["members"]] == [
        (member["parents"], member["aligned"], member["witness"])
        for member in expected["members"]]
    assert [{key: item[key] for key in ("verdict", "members")} | {"edge": item["text"].split(":")[0]}
            for item in shown["settling"]] == expected["settling"]
    assert shown["undirected"] == expected["closed"]["undirected"]
    assert state["picture"]["verdict"] is None  # one verdict would be the wrong question
    # the -- edges are drawn, in G and in G_σ
    undirected = [(edge["tail"], edge["head"]) for edge in state["picture"]["edges"]
                  if edge["undirected"]]
    assert undirected == [tuple(pair) for pair in parse_partial_graph(
        path.read_text()).undirected]
    assert [edge for edge in state["picture"]["sigma_graph"]["edges"] if edge["undirected"]] == [
        edge for edge in state["picture"]["edges"] if edge["undirected"]]
    # the reports are the command's
    assert session.report("text") == cli("check", str(path)).stdout.rstrip("\n")
    assert json.loads(session.report("json")) == expected
    page = session.report("html")
    assert page.startswith("<!DOCTYPE") and shown["verdict"].upper() in page


def test_opening_and_saving_an_uncertain_file_changes_nothing(tmp_path: Path) -> None:
    for path in sorted(UNCERTAIN.glob("tutoring_*.yaml")):
        session = opened(tmp_path, path.read_text(), path.name)
        session.act({"op": "move", "positions": {"Plan": [10, 20]}})
        session.undo()
        session.save()
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_a_forced_direction_is_shown_on_its_edge(tmp_path: Path) -> None:
    session = opened(tmp_path, "nodes: {s: r, A: a, B: b, C: c}\n"
                               "edges: [s -- A, A -- B, B -- C]\nregime: s\n"
                               "query: {base: C, mesa: B}\n")
    edges = {(edge["tail"], edge["head"]): edge["oriented"]
             for edge in session.state()["picture"]["edges"]}
    # s is exogenous: s -> A, then Meek's first rule: A -> B, B -> C
    assert edges == {("A", "s"): ["s", "A"], ("A", "B"): ["A", "B"], ("B", "C"): ["B", "C"]}
    assert session.state()["picture"]["uncertain"]["verdict"] == "aligned"


# -- actions --------------------------------------------------------------------------------


def test_undirected_edges_are_drawn_oriented_and_removed(tmp_path: Path) -> None:
    text = TUTORING.read_text()
    session = opened(tmp_path, text)
    state = session.act({"op": "connect", "tail": "s", "head": "Motivation",
                         "undirected": True})
    assert "  - s -- Motivation\n" in state["text"]
    assert ("Motivation", "s") in {(edge["tail"], edge["head"]) for edge in
                                   state["picture"]["edges"] if edge["undirected"]}
    state = session.act({"op": "disconnect", "tail": "Motivation", "head": "s",
                         "undirected": True})
    assert state["text"] == text
    # orienting keeps the edge where it was, and its comment
    commented = text.replace("  - Plan -- Mastery\n", "  - Plan -- Mastery  # unsure\n")
    session.set_text(commented)
    state = session.act({"op": "orient", "tail": "Mastery", "head": "Plan"})
    assert state["text"] == commented.replace("Plan -- Mastery  #", "Mastery -> Plan  #")
    # Mastery -> Plan known: Motivation -> Plan would be a new v-structure, so Plan -> Motivation
    assert state["picture"]["uncertain"]["undirected"] == []
    assert (state["picture"]["uncertain"]["count"], state["picture"]["uncertain"]["verdict"]) == (
        1, "aligned")
    state = session.act({"op": "orient", "tail": "Motivation", "head": "Plan"})
    # no -- edge left: an ordinary diagram, with the one verdict
    assert state["picture"]["uncertain"] is None
    assert state["picture"]["verdict"]["aligned"] is True
    with pytest.raises(EditorError, match="there is no edge 'Plan -- Score'"):
        session.act({"op": "orient", "tail": "Plan", "head": "Score"})
    with pytest.raises(EditorError, match="bidirected .<->. or undirected .--., not both"):
        session.act({"op": "connect", "tail": "s", "head": "Plan", "bidirected": True,
                     "undirected": True})
    with pytest.raises(EditorError, match="undirected is true or false, found 'yes'"):
        session.act({"op": "connect", "tail": "s", "head": "Plan", "undirected": "yes"})


def test_renames_and_deletions_reach_undirected_edges_and_background(tmp_path: Path) -> None:
    text = (UNCERTAIN / "tutoring_background.yaml").read_text()
    assert "  tiers:\n    - [Plan]\n    - [Mastery]\n" in text
    session = opened(tmp_path, text)
    state = session.act({"op": "rename_node", "node": "Plan", "to": "Lesson"})
    assert "Lesson -- Mastery" in state["text"] and "Motivation -- Lesson" in state["text"]
    assert "  tiers:\n    - [Lesson]\n    - [Mastery]\n" in state["text"]
    assert state["picture"]["uncertain"]["verdict"] == "undetermined"
    session.set_text(state["text"].replace("background:\n", "background:\n"
                                           "  required: [Lesson -> Mastery]\n"))
    state = session.act({"op": "rename_node", "node": "Mastery", "to": "Skill"})
    assert "required: [Lesson -> Skill]" in state["text"]
    assert "    - [Lesson]\n    - [Skill]\n" in state["text"]
    state = session.act({"op": "delete_node", "node": "Lesson"})
    assert "Lesson" not in state["text"].split("edges:")[1]
    assert "required: []" in state["text"] and "    - []\n    - [Skill]\n" in state["text"]
    assert state["valid"], state["problems"]
    assert parse_partial_graph(state["text"]).undirected == ()


def test_refusals_carry_the_uncertainty_readers_own_problems(tmp_path: Path) -> None:
    text = TUTORING.read_text()
    session = opened(tmp_path, text)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"op": "connect", "tail": "Plan", "head": "Motivation"}, "E_DUPLICATE_EDGE"),
        ({"op": "connect", "tail": "Score", "head": "s", "undirected": True},
         "E_DUPLICATE_EDGE"),
        # Mastery -- Score -- Motivation would make a cycle or a new v-structure everywhere
        ({"op": "connect", "tail": "Score", "head": "Mastery", "undirected": True},
         "E_NO_EXTENSION"),
    ]
    for action, code in cases:
        document = load_document(text)
        apply_action(document, action)
        with pytest.raises(GraphSpecError) as expected:
            parse_partial_graph(dump_document(document), source="g.yaml")
        with pytest.raises(GraphSpecError) as refused:
            session.act(action)
        assert [problem.code for problem in refused.value.problems] == [code]
        assert refused.value.problems == expected.value.problems
        assert session.state()["text"] == text  # refused: nothing changed


def test_an_unfinished_uncertain_diagram_is_sketched(tmp_path: Path) -> None:
    session = EditSession(tmp_path / "new.yaml")
    for name in ("s", "A", "B"):
        session.act({"op": "add_node", "name": name})
    state = session.act({"op": "connect", "tail": "A", "head": "B", "undirected": True})
    assert [problem["code"] for problem in state["problems"]] == ["E_EMPTY_SET"]
    assert [(edge["tail"], edge["head"], edge["undirected"])
            for edge in state["picture"]["edges"]] == [("A", "B", True)]
    session.act({"op": "set_role", "node": "s", "role": "regime", "on": True})
    state = session.act({"op": "connect", "tail": "s", "head": "A"})
    assert state["valid"] and state["picture"]["uncertain"] is None  # no Y_b yet
    assert "Y_b" in state["picture"]["unfinished"]
    state = session.act({"op": "set_role", "node": "B", "role": "base", "on": True})
    assert state["picture"]["uncertain"]["verdict"] == "not aligned"


def test_previews_of_an_orientation(tmp_path: Path) -> None:
    session = opened(tmp_path, TUTORING.read_text())
    settling = session.state()["picture"]["uncertain"]["settling"]
    assert settling
    for item in settling:  # a settling orientation leaves one verdict, in as many members
        shown = session.preview({"kind": "orient", "tail": item["tail"], "head": item["head"]})
        assert shown["verdict"] == item["verdict"] and shown["count"] == item["members"]
    assert session.state()["text"] == TUTORING.read_text()  # a preview changes nothing
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"kind": "orient", "tail": "s", "head": "Score"}, "no edge"),
        ({"kind": "monitor", "nodes": ["Plan"]}, "expected orient")]
    for repair, message in wrong:
        with pytest.raises(EditorError, match=message):
            session.preview(repair)


def test_section_dumps_equal_whole_dumps_with_undirected_edges() -> None:
    document = load_document(TUTORING.read_text())
    sections = Sections()
    sections.dump(document, None)
    for action in ({"op": "connect", "tail": "s", "head": "Plan", "undirected": True},
                   {"op": "orient", "tail": "Plan", "head": "Mastery"},
                   {"op": "disconnect", "tail": "Plan", "head": "s", "undirected": True}):
        apply_action(document, action)
        assert sections.dump(document, touched(action)) == dump_document(document)


# -- random diagrams against a brute force ---------------------------------------------------


def extensions(nodes: list[str], directed: list[tuple[str, str]],
               undirected: list[tuple[str, str]], regime: str) -> list[set[tuple[str, str]]]:
    """Every DAG orienting the -- edges: acyclic, no v-structure the directed part lacks, every
    edge at the regime node pointing out of it."""
    adjacent = {frozenset(edge) for edge in directed + undirected}

    def v_structures(edges: set[tuple[str, str]]) -> set[tuple[frozenset[str], str]]:
        parents: dict[str, list[str]] = {node: [] for node in nodes}
        for tail, head in edges:
            parents[head].append(tail)
        return {(frozenset((a, b)), head) for head in nodes
                for a, b in itertools.combinations(parents[head], 2)
                if frozenset((a, b)) not in adjacent}

    own = v_structures(set(directed))
    found = []
    for flips in itertools.product((False, True), repeat=len(undirected)):
        edges = set(directed) | {(b, a) if flip else (a, b)
                                 for (a, b), flip in zip(undirected, flips)}
        if any(head == regime for _, head in edges):
            continue
        if nx.is_directed_acyclic_graph(nx.DiGraph(list(edges))) and v_structures(edges) == own:
            found.append(edges)
    return found


def aligned_in(edges: set[tuple[str, str]], nodes: list[str], latent: list[tuple[str, str]],
               target: str, base: str, mesa: str, regime: str) -> bool:
    """d-separation of base and regime given mesa in G_σ (open-loop σ on target), latent
    confounders as explicit parents."""
    dag: nx.DiGraph[str] = nx.DiGraph()
    dag.add_nodes_from(nodes)
    dag.add_edges_from(edge for edge in edges if edge[1] != target)
    for index, (a, b) in enumerate(latent):
        if target not in (a, b):
            dag.add_edges_from([(f"L{index}", a), (f"L{index}", b)])
    return bool(nx.is_d_separator(dag, {regime}, {base}, {mesa}))


def verdict_over(members: list[set[tuple[str, str]]], names: list[str],
                 latent: list[tuple[str, str]], target: str, base: str) -> str:
    """The min-over-models verdict of the brute force over ``members``."""
    kept = {aligned_in(edges, names, latent, target, base, "M", "s") for edges in members}
    return "undetermined" if len(kept) == 2 else "aligned" if kept == {True} else "not aligned"


def random_partial(generator: random.Random) -> tuple[list[str], list[tuple[str, str]],
                                                   list[tuple[str, str]], list[tuple[str, str]]]:
    """Nodes, directed, undirected and latent edges shaped like a learned class: s -> M with
    v-structures into M, and an undirected part among the other nodes (where the verdict can
    hang on a direction)."""
    names = ["s", "M"] + [f"V{index}" for index in range(2, generator.randint(5, 7))]
    others = names[2:]
    directed = [("s", "M")] + [(node, "M") for node in others if generator.random() < 0.5]
    undirected, latent = [], []
    for index, first in enumerate(others):
        for second in others[index + 1:]:
            roll = generator.random()
            if roll < 0.45:
                undirected.append((first, second))
            elif roll < 0.5:
                latent.append((first, second))
    if generator.random() < 0.3:
        undirected.append(("s", generator.choice(others)))
    return names, directed, undirected, latent


def test_the_verdict_over_orientations_matches_a_brute_force(tmp_path: Path) -> None:
    rounds = 300 if os.environ.get("CI") == "true" else 40
    generator = random.Random(150)
    session = EditSession(tmp_path / "random.yaml")
    seen = set()
    for _ in range(rounds):
        names, directed, undirected, latent = random_partial(generator)
        base, target = generator.sample(names[2:], 2)
        edges = ([f"{a} -> {b}" for a, b in directed] + [f"{a} -- {b}" for a, b in undirected]
                 + [f"{a} <-> {b}" for a, b in latent])
        text = (f"nodes: {{{', '.join(names)}}}\nedges: [{', '.join(edges)}]\nregime: s\n"
                f"sigma: [{{target: {target}, context: []}}]\nquery: {{base: {base}, "
                "mesa: M}\n")
        state = session.set_text(text)
        if not undirected:  # an ordinary diagram: the one verdict
            assert state["picture"]["uncertain"] is None
            continue
        found = extensions(names, directed, undirected, "s")
        if not found:
            assert [problem["code"] for problem in state["problems"]] == ["E_NO_EXTENSION"]
            seen.add("no extension")
            continue
        assert state["valid"], (text, state["problems"])
        query = (names, latent, target, base)
        expected = verdict_over(found, *query)
        shown = state["picture"]["uncertain"]
        assert shown["verdict"] == expected, text
        seen.add(expected)
        settles = set()
        for a, b in undirected:
            for tail, head in ((a, b), (b, a)):
                allowed = [edges_ for edges_ in found if (tail, head) in edges_]
                if not allowed:  # no orientation has it: the preview says why
                    with pytest.raises(GraphSpecError):
                        session.preview({"kind": "orient", "tail": tail, "head": head})
                    continue
                knowing = verdict_over(allowed, *query)
                if expected == "undetermined" and knowing != "undetermined":
                    settles.add((tail, head, knowing))
                preview = session.preview({"kind": "orient", "tail": tail, "head": head})
                assert preview["verdict"] == knowing, (text, tail, head)
        assert {(item["tail"], item["head"], item["verdict"])
                for item in shown["settling"]} == settles, text
        for item in shown["settling"]:  # "orient it" writes the edge: the same verdict
            after = session.act({"op": "orient", "tail": item["tail"], "head": item["head"]})
            picture = after["picture"]
            verdict = (picture["uncertain"]["verdict"] if picture["uncertain"] else
                       "aligned" if picture["verdict"]["aligned"] else "not aligned")
            assert verdict == item["verdict"], (text, item)
            session.undo()
    assert seen == {"aligned", "not aligned", "undetermined", "no extension"}


def test_a_query_the_engine_refuses_is_refused_at_the_moment(tmp_path: Path) -> None:
    # the core: marking Y_b as Y_m too (the loader accepts the file, the engine refuses it)
    coinrun = (ROOT / "graphs" / "coinrun.yaml").read_text()
    session = opened(tmp_path, coinrun, "coinrun.yaml")
    action = {"op": "set_role", "node": "Y_b", "role": "mesa", "on": True}
    document = load_document(coinrun)
    apply_action(document, action)
    with pytest.raises(GraphSpecError) as expected:
        check_inner_alignment(parse_graph(dump_document(document), source="coinrun.yaml"))
    with pytest.raises(GraphSpecError) as refused:
        session.act(action)
    assert refused.value.problems == expected.value.problems
    assert [problem.code for problem in refused.value.problems] == ["E_QUERY_OVERLAP"]
    assert session.state()["text"] == coinrun and session.state()["valid"]
    # the uncertainty layer: a context node that some orientation puts below the σ target
    text = TUTORING.read_text().replace(
        "  Mastery: mastery of the material (base objective)\n",
        "  Mastery: mastery of the material (base objective)\n  X: a later test\n").replace(
        "  - Plan -- Mastery\n", "  - Plan -- Mastery\n  - Mastery -- X\n")
    session = opened(tmp_path, text, "tutoring.yaml")
    with pytest.raises(GraphSpecError) as refused:
        session.act({"op": "set_context", "target": "Plan", "context": ["X"]})
    assert [problem.code for problem in refused.value.problems] == ["E_SIGMA_POSSIBLE_CYCLE"]
    assert session.state()["text"] == text
    assert session.state()["picture"]["uncertain"]["verdict"] == "undetermined"
