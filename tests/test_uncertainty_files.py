"""Reading partial graph files: positioned problems (exact text), the bundled examples, and the
``uncertain`` command's exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from causal_align.cli.uncertainty import add_commands, check_uncertain_file
from causal_align.errors import GraphSpecError
from causal_align.uncertainty.files import (
    is_partial,
    load_partial_graph,
    load_uncertain_file,
    parse_partial_graph,
)
from causal_align.uncertainty.verdict import check_under_uncertainty

ROOT = Path(__file__).resolve().parent.parent

BAD = {
    "mixed": ("""nodes: {s: r, A: a, B: b, C: c}
edges:
  - s -> A
  - A -- B
  - B -> Q
  - A -- A
  - B -- A
  - A -> B
regime: s
""", """4 problems:
  mixed.yaml:4 edges[1]: "A -- B" joins the same nodes as "A -> B" (edges[5]; keep one) [E_DUPLICATE_EDGE]
  mixed.yaml:5 edges[2]: unknown node 'Q' in "B -> Q" (declare it under nodes:) [E_UNKNOWN_NODE]
  mixed.yaml:6 edges[3]: self-loop "A -- A" (remove it) [E_SELF_LOOP]
  mixed.yaml:7 edges[4]: duplicate edge "B -- A" (same as edges[1]; remove one) [E_DUPLICATE_EDGE]"""),
    "background_shape": ("""nodes: {s: r, A: a}
edges: [s -- A]
regime: s
background:
  required: A -> s
  forbiden: []
  tiers: [[s], 3]
""", """3 problems:
  background_shape.yaml:5 background.required: expected a list of orientations like "A -> B", found a string [E_TYPE]
  background_shape.yaml:6 background.forbiden: unknown key 'forbiden' (expected one of: required, forbidden, tiers) [E_UNKNOWN_KEY]
  background_shape.yaml:7 background.tiers[1]: expected a list of node names, found a number [E_TYPE]"""),
    "background_meaning": ("""nodes: {s: r, A: a, B: b, C: c}
edges: [s -> A, A -- B, B -> C]
regime: s
background:
  required: [A -> C, B -> A, "A <-> B", X -> A]
  forbidden: [C -> B, A -> B]
  tiers: [[A], [B, A]]
""", """5 problems:
  background_meaning.yaml:5 background.required[0]: background.required[0] orients A -> C, but A and C are not adjacent (background knowledge orients drawn edges; add the edge or remove this item) [E_NOT_ADJACENT]
  background_meaning.yaml:5 background.required[2]: expected an orientation like "A -> B", found 'A <-> B' [E_EDGE_SYNTAX]
  background_meaning.yaml:5 background.required[3]: unknown node 'X' in "X -> A" (declare it under nodes:) [E_UNKNOWN_NODE]
  background_meaning.yaml:7 background.tiers[1][1]: 'A' is in tiers 0 and 1 (keep one) [E_DUPLICATE_ITEM]
  background_meaning.yaml:7 background.tiers[1][0]: the tier order (A in tier 0, B in tier 1) says A -> B, but background.required[1] says B -> A (remove one) [E_BACKGROUND_CONFLICT]"""),
    "no_extension": ("""nodes: {s: r, A: a, B: b, C: c, D: d}
edges: [A -- B, B -- C, C -- D, D -- A, s -> A]
regime: s
""", """1 problem:
  no_extension.yaml:2 edges: no DAG fits these edges (every way of orienting the -- edges makes a directed cycle or a v-structure the file does not have; draw the v-structures you mean with ->, or orient an edge) [E_NO_EXTENSION]"""),
    "tier_against_edge": ("""nodes: {s: r, A: a, B: b}
edges: [s -> A, B -> A]
regime: s
background: {tiers: [[A], [B]]}
""", """1 problem:
  tier_against_edge.yaml:4 background.tiers[1][0]: the tier order (A in tier 0, B in tier 1) says A -> B, but the edges say B -> A (remove one) [E_BACKGROUND_CONFLICT]"""),
    "regime_in": ("""nodes: {s: r, A: a}
edges: [s -- A]
regime: s
background: {required: [A -> s]}
""", """1 problem:
  regime_in.yaml:4 background.required[0]: background.required[0] says A -> s, but regime node s (exogenous) says s -> A (remove one) [E_BACKGROUND_CONFLICT]"""),
    "core_shape": ("""nodes: {s: r, A: a}
edges: [s -- A]
regim: s
""", """1 problem:
  core_shape.yaml:3 regim: unknown key 'regim' (did you mean 'regime'?) [E_UNKNOWN_KEY]"""),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_every_problem_is_positioned(name: str) -> None:
    text, expected = BAD[name]
    with pytest.raises(GraphSpecError) as caught:
        parse_partial_graph(text, source=f"{name}.yaml")
    assert str(caught.value) == expected


def test_core_problems_keep_the_files_edge_numbers() -> None:
    text = "nodes: {s: r, A: a, B: b}\nedges:\n  - A -- B\n  - s -> A\n  - A -> A\nregime: s\n"
    with pytest.raises(GraphSpecError) as caught:
        parse_partial_graph(text, source="g.yaml")
    assert [(p.line, p.location, p.code) for p in caught.value.problems] == [
        (5, "edges[2]", "E_SELF_LOOP")]


def test_is_partial() -> None:
    assert is_partial({"edges": ["A -> B"], "background": {}})
    assert not is_partial({"edges": "A -- B"})


@pytest.mark.parametrize(("path", "verdict", "members", "settling"), [
    ("graphs/uncertain/tutoring_cpdag.yaml", "undetermined", 3,
     {"Mastery -> Plan: aligned", "Motivation -> Plan: aligned"}),
    ("graphs/uncertain/tutoring_background.yaml", "undetermined", 2,
     {"Motivation -> Plan: aligned", "Plan -> Motivation: not aligned"}),
])
def test_bundled_examples(path: str, verdict: str, members: int, settling: set[str]) -> None:
    result = check_under_uncertainty(load_partial_graph(ROOT / path))
    assert (result.verdict, len(result.members)) == (verdict, members)
    assert {str(item) for item in result.settling} == settling


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    options = parser.parse_args(["uncertain", *argv])
    code: int = options.run(options)
    return code


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = str(ROOT / "graphs/uncertain/tutoring_cpdag.yaml")
    assert run(example) == 3
    assert "tutoring_cpdag: UNDETERMINED" in capsys.readouterr().out
    assert run(example, "--sigma", "Plan=Motivation") == 1  # reading Motivation opens the path
    assert run(example, "--mesa", "Score,Motivation") == 0
    capsys.readouterr()
    assert run(example, "--format", "json", "--max-members", "1") == 3
    data = json.loads(capsys.readouterr().out)
    assert (data["verdict"], data["truncated"], len(data["members"])) == ("undetermined", True, 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes: {s: r}\nedges: [s -- Q]\nregime: s\n")
    assert run(str(bad)) == 2
    assert capsys.readouterr().err == (f"error: 1 problem:\n  {bad}:2 edges[0]: unknown node 'Q' "
                                       "in \"s -- Q\" (declare it under nodes:) "
                                       "[E_UNKNOWN_NODE]\n")
    assert run(example, "--sigma", "Plan") == 2
    assert run(example, "--max-members", "0") == 2


def test_check_uncertain_file_json_is_stable() -> None:
    code, report = check_uncertain_file(str(ROOT / "graphs/uncertain/tutoring_background.yaml"),
                                      format="json")
    data = json.loads(report)
    assert code == 3
    assert list(data) == ["graph", "verdict", "pivots", "counts", "truncated", "members",
                          "settling", "closed"]
    assert data["closed"] == {"directed": ["Motivation -> Score", "Plan -> Mastery",
                                           "s -> Score"],
                              "undirected": ["Motivation -- Plan"]}


UNCERTAIN_HEAD = "nodes: {s: r, A: a, B: b}\nedges: [s -> A, A -> B]\nregime: s\n"
BAD_UNCERTAIN = {
    "shape": (("uncertain:\n  edges: [{edge: A -> C, probability: 2}, {edge: B -> A, probability: "
              "0.5}, 7, {edge: s -> A, probability: 0.5}, {edge: A => B, probability: 0.1}]\n"
              "  shift: {targets: [B, A], first: 1, strenght: 2}\n"),
              [("5 uncertain.edges[0].probability: expected a probability between 0 and 1, "
               "found 2 [E_TYPE]"),
               ("5 uncertain.edges[2]: expected a mapping with edge: (\"A -> B\" or \"A <-> B\")"
               " and probability: (between 0 and 1) [E_TYPE]"),
               ("5 uncertain.edges[3].edge: \"s -> A\" is already in edges: (list it once) "
               "[E_DUPLICATE_EDGE]"),
               ("5 uncertain.edges[4].edge: expected an edge like \"A -> B\" or \"A <-> B\", "
               "found 'A => B' [E_EDGE_SYNTAX]"),
               ("6 uncertain.shift.strenght: unknown key 'strenght' (expected one of: regime, "
               "targets, first, strength) [E_UNKNOWN_KEY]"),
               "6 uncertain.shift: missing required key 'strength' [E_MISSING_KEY]",
               ("6 uncertain.shift.targets[1]: \"s -> A\" is already in edges: (list it once) "
               "[E_DUPLICATE_EDGE]"),
               ("6 uncertain.shift.first: expected the first-trial probability (between 0 and 1,"
               " exclusive), found 1 [E_TYPE]")]),
    "cycle": ("uncertain:\n  edges: [{edge: B -> A, probability: 0.5}]\n",
              [("4 uncertain: with every uncertain edge present: directed cycle A -> B -> A "
               "(remove one of its edges) [E_CYCLE]")]),
}


@pytest.mark.parametrize("name", sorted(BAD_UNCERTAIN))
def test_uncertain_section_problems(name: str, tmp_path: Path) -> None:
    text, expected = BAD_UNCERTAIN[name]
    path = tmp_path / "g.yaml"
    path.write_text(UNCERTAIN_HEAD + text)
    with pytest.raises(GraphSpecError) as caught:
        load_uncertain_file(path)
    assert [str(problem).replace(f"{path}:", "") for problem in caught.value.problems] == expected


def test_uncertain_edges_through_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(ROOT / "graphs/uncertain/warehouse_edges.yaml")
    assert run(example) == 3
    assert "P(aligned) = 0.684 (exact, over 4 relevant uncertain edges)" in capsys.readouterr().out
    assert run(example, "--max-exact", "0", "--samples", "2000", "--format", "json") == 3
    data = json.loads(capsys.readouterr().out)
    assert not data["exact"] and abs(data["p_aligned"] - 0.684) < 4.5 * data["standard_error"]
    assert run(example, "--mesa", "Y_m,Carrier,Layout") == 3  # damage can still leak
    assert run(example, "--jobs", "2") == 3
    assert run(example, "--samples", "0") == 2
