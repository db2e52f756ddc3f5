"""Tests of causal_align.quantities.parameters: the ``model:`` section, pgmpy networks, and their rules.

``tests/bad_models/`` holds one small broken graph file per problem, ``NAME.yaml``, beside
``NAME.err``: the exact text of ``str(error)`` for the :class:`GraphSpecError` that
``load_model("tests/bad_models/NAME.yaml")`` raises when run from the repository root (as in
``tests/bad_yaml/``). To add a case, write the ``.yaml``, run ``load_model``, *read* the message
(file, line, location, the offending text, a fix) and save what it should be in the ``.err``.

The three readers (a file, a pgmpy network, a model built in Python) share one set of rules,
:func:`~causal_align.parameters.check_model`; the hypothesis tests corrupt random models of
random graphs and check that all three report the same problem.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pgmpy.factors.discrete import TabularCPD
from pgmpy.inference import VariableElimination
from pydantic import ValidationError
from strategies import Case, cases

from causal_align import CausalGraph, GraphSpecError, check_inner_alignment, dump_graph, load_graph
from causal_align.limits import Limits, read_text
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.parameters import (
    dump_model,
    load_model,
    model_from_pgmpy,
    parse_model,
)
from causal_align.quantities.rules import check_model
from causal_align.schema import GraphFile
from causal_align.yamldoc import read_yaml

TESTS = Path(__file__).parent
REPO = TESTS.parent
BAD = TESTS / "bad_models"
CASES = sorted(path.stem for path in BAD.glob("*.yaml"))
EXAMPLES = sorted(path for path in (REPO / "graphs").glob("*.yaml") if "\nmodel:" in
                  path.read_text(encoding="utf-8"))
SCALE = 5 if os.environ.get("CI") == "true" else 1
SOME = settings(max_examples=100 * SCALE, deadline=None)


def error_of(call: Callable[[], object]) -> GraphSpecError:
    with pytest.raises(GraphSpecError) as info:
        call()
    return info.value


def codes(error: GraphSpecError) -> list[str]:
    return [problem.code for problem in error.problems]


def assert_same_model(first: DiscreteModel, second: DiscreteModel, *,
                      children_in_order: bool = True) -> None:
    """Equal states, latents, values, regime states and tables (exactly)."""
    assert first.graph == second.graph
    for part in ("states", "values", "training", "deployment"):
        assert dict(getattr(first, part)) == dict(getattr(second, part)), part
    if children_in_order:
        assert dict(first.latents) == dict(second.latents)
    else:  # a network does not order a node's children
        assert {name: set(children) for name, children in first.latents.items()} == {
            name: set(children) for name, children in second.latents.items()}
    assert set(first.tables) == set(second.tables)
    for node, table in first.tables.items():
        assert second.tables[node].given == table.given, node
        assert np.array_equal(second.tables[node].probabilities, table.probabilities), node


def gap(model: DiscreteModel, mesa_state: str) -> float:
    """E(Y_b | Y_m, s=deploy) − E(Y_b | Y_m, s=train) by pgmpy's exact inference (an oracle)."""
    inference = VariableElimination(model.network())
    expected = []
    for regime in ("train", "deploy"):
        answer = inference.query(["Y_b"], evidence={"Y_m": mesa_state, "s": regime},
                                 show_progress=False)
        assert answer.state_names["Y_b"] == list(model.states["Y_b"])
        expected.append(float(np.dot(answer.values, model.values["Y_b"])))
    return expected[1] - expected[0]


# --- tests/bad_models/: every broken file beside its exact message ----------------------------


def test_the_bad_models_folder_is_complete() -> None:
    errs = sorted(path.stem for path in BAD.glob("*.err"))
    assert len(CASES) >= 40
    assert [name for name in CASES if name not in errs] == [], "a .yaml without its .err"
    assert [name for name in errs if name not in CASES] == [], "an .err without its .yaml"


@pytest.mark.parametrize("name", CASES)
def test_bad_model_message(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    error = error_of(lambda: load_model(f"tests/bad_models/{name}.yaml"))
    assert str(error) == (BAD / f"{name}.err").read_text(encoding="utf-8").rstrip("\n")
    lines = len((BAD / f"{name}.yaml").read_text(encoding="utf-8").splitlines())
    for problem in error.problems:
        assert problem.source == f"tests/bad_models/{name}.yaml"
        assert problem.line is not None and 1 <= problem.line <= lines, problem
    assert [problem.line for problem in error.problems] == sorted(
        problem.line or 0 for problem in error.problems)


def test_every_model_error_code_has_a_bad_model_case() -> None:
    source = "".join((REPO / "causal_align" / "quantities" / module).read_text(encoding="utf-8")
                     for module in ("parameters.py", "rules.py"))
    used = set(re.findall(r'"(E_MODEL_[A-Z_]+)"', source))
    assert len(used) >= 12, "the code search found too little"
    covered = set(re.findall(r"\[(E_[A-Z_]+)\]$", "\n".join(
        path.read_text(encoding="utf-8") for path in BAD.glob("*.err")), flags=re.MULTILINE))
    assert sorted(used - covered) == []


@pytest.mark.parametrize("name", CASES)
def test_schema_and_model_agree_on_every_bad_model(name: str) -> None:
    """The JSON Schema editors use rejects exactly the files pydantic rejects for their shape."""
    schema = json.loads((REPO / "schema" / "graph.schema.json").read_text(encoding="utf-8"))
    document = read_yaml(read_text(BAD / f"{name}.yaml"), name, Limits())[0]  # keys as text
    try:
        GraphFile.model_validate(document)
        pydantic_accepts = True
    except ValidationError:
        pydantic_accepts = False
    assert jsonschema.Draft202012Validator(schema).is_valid(document) == pydantic_accepts
    shape_codes = {"E_TYPE", "E_UNKNOWN_KEY", "E_MISSING_KEY"}
    error = error_of(lambda: load_model(BAD / f"{name}.yaml"))
    assert pydantic_accepts == (not shape_codes & set(codes(error)))


def test_a_missing_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    error = error_of(lambda: load_model("tests/bad_models/no_such_file.yaml"))
    assert codes(error) == ["E_FILE"]


def test_a_graph_file_without_a_model_is_refused_where_it_starts() -> None:
    error = error_of(lambda: load_model(REPO / "graphs" / "coinrun.yaml"))
    assert codes(error) == ["E_MODEL_MISSING"]
    first_key = next(number for number, line in enumerate(
        read_text(REPO / "graphs" / "coinrun.yaml").splitlines(), 1) if line.startswith("name:"))
    assert error.problems[0].line == first_key  # where the document's mapping starts


# --- the examples -------------------------------------------------------------------------------


def test_the_examples_with_a_model() -> None:
    assert {"aligned_proxy_model", "coinrun_model"} <= {path.stem for path in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_has_the_graph_of_its_namesake(path: Path) -> None:
    model = load_model(path)
    namesake = load_graph(REPO / "graphs" / f"{path.stem.removesuffix('_model')}.yaml")
    assert model.graph.edges == namesake.edges and model.graph.sigma == namesake.sigma
    assert model.graph.regime == namesake.regime and model.graph.base == namesake.base


def test_coinrun_loses_most_of_its_reward_at_deployment() -> None:
    model = load_model(REPO / "graphs" / "coinrun_model.yaml")
    assert model.values["Y_b"] == (0.0, 10.0) and model.values["Y_m"] == (0.0, 1.0)
    assert model.tables["C"].probabilities[0, :, 0].tolist() == [1.0, 1.0]  # train: at the end
    assert gap(model, "1") == pytest.approx(-7.2345, abs=1e-4)  # stated in the file's comment


def test_the_aligned_proxy_has_no_gap_despite_large_shifts() -> None:
    model = load_model(REPO / "graphs" / "aligned_proxy_model.yaml")
    layout = model.tables["Layout"].probabilities
    assert abs(layout[0, 0] - layout[1, 0]) > 0.5
    for state in model.states["Y_m"]:
        assert abs(gap(model, state)) < 1e-12


# --- the format ---------------------------------------------------------------------------------

GRAPH = """\
nodes: {s: regime, X: cause, Y_m: mesa, Y_b: base}
edges: [s -> X, X -> Y_m, Y_m -> Y_b, X <-> Y_b]
regime: s
query: {base: Y_b, mesa: Y_m}
"""


def test_a_hand_written_model() -> None:
    model = parse_model(GRAPH + """\
model:
  latents:
    U: {children: [Y_b, X], states: [lo, hi], table: [0.25, 0.75]}
  nodes:
    X:
      states: [1.50, 2]
      given: [U, s]
      table:
        lo, train: [1, 0]
        lo,deploy: [0, 1]
        hi , train: [0.5, 0.5]
        hi,  deploy: [0.2, 0.8]
    Y_m: {states: [a, b], given: X, table: {1.5: [0.1, 0.9], 2.0: [0.8, 0.2]}}
    Y_b:
      states: [lose, win]
      given: [Y_m, U]
      table: {'a, lo': [1, 0], 'a, hi': [0, 1], 'b, lo': [0.5, 0.5], 'b, hi': [0.5, 0.5]}
      utility: {win: 1, lose: -1.5}
""")
    assert model.states == {"s": ("train", "deploy"), "U": ("lo", "hi"), "X": ("1.5", "2"),
                            "Y_m": ("a", "b"), "Y_b": ("lose", "win")}
    assert model.latents == {"U": ("Y_b", "X")}
    assert model.training == {"s": "train"} and model.deployment == {"s": "deploy"}
    assert model.values == {"X": (1.5, 2.0), "Y_b": (-1.5, 1.0)}
    assert model.given("X") == ("U", "s")
    assert model.tables["X"].probabilities.tolist() == [[[1, 0], [0, 1]], [[0.5, 0.5], [0.2, 0.8]]]
    assert model.tables["Y_m"].probabilities.tolist() == [[0.1, 0.9], [0.8, 0.2]]
    assert model.tables["U"].probabilities.tolist() == [0.25, 0.75]
    assert model.variables()[:2] == ("s", "U")


def test_regime_states_and_a_utility_over_numeric_states() -> None:
    text = """\
nodes: {s: regime, Y_m: mesa, Y_b: base}
edges: [s -> Y_m, Y_m -> Y_b]
regime: s
model:
  regime:
    s: {states: [0, 1, 2], train: 0, deploy: 2}
  nodes:
    Y_m: {states: [0, 1], given: s, table: {0: [1, 0], 1: [0.5, 0.5], 2: [0, 1]}}
    Y_b: {states: [0, 1], given: Y_m, table: {0: [1, 0], 1: [0, 1]}, utility: {0: 5, 1: 7}}
"""
    model = parse_model(text)
    assert model.states["s"] == ("0", "1", "2") and model.training == {"s": "0"}
    assert model.deployment == {"s": "2"}
    assert model.values["Y_b"] == (5.0, 7.0) and model.values["Y_m"] == (0.0, 1.0)
    again = parse_model(dump_graph(model.graph) + dump_model(model))
    assert_same_model(again, model)


def test_parse_model_names_its_source() -> None:
    error = error_of(lambda: parse_model(GRAPH, source="mine.yaml"))
    assert str(error) == (
        "1 problem:\n  mine.yaml:1: the file has no model: section (give the states and table "
        "of every node under model: nodes:, see causal_align.quantities.parameters) [E_MODEL_MISSING]")


def test_a_huge_missing_table_is_reported_without_enumerating_it() -> None:
    parents = [f"P{index}" for index in range(40)]
    text = (f"nodes: {{s: regime, Y: y, {', '.join(f'{p}: p' for p in parents)}}}\n"
            f"edges: [s -> Y, {', '.join(f'{p} -> Y' for p in parents)}]\nregime: s\n"
            "model:\n  nodes:\n"
            + "".join(f"    {p}: {{states: [a, b], table: [0.5, 0.5]}}\n" for p in parents)
            + f"    Y: {{states: [a, b], given: [s, {', '.join(parents)}], table: {{}}}}\n")
    error = error_of(lambda: parse_model(text))
    assert codes(error) == ["E_MODEL_MISSING_ROW"]
    assert "and 2,199,023,255,549 more" in error.problems[0].message


# --- dump_model and parse_model -----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_round_trips(path: Path) -> None:
    model = load_model(path)
    again = parse_model(dump_graph(model.graph) + dump_model(model))
    assert_same_model(again, model)
    assert dump_model(again) == dump_model(model)


@SOME
@given(case=cases(), seed=st.integers(0, 2**32 - 1), counts=st.lists(st.integers(1, 3),
                                                                     min_size=8, max_size=8))
def test_random_models_round_trip(case: Case, seed: int, counts: list[int]) -> None:
    graph = case.graph
    model = random_model(graph, seed=seed, states=dict(zip(graph.nodes, counts)))
    check_model(model)
    text = dump_graph(graph) + dump_model(model)
    again = parse_model(text)
    assert_same_model(again, model)
    assert dump_model(again) == dump_model(model)


# --- pgmpy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_goes_to_pgmpy_and_back(path: Path) -> None:
    model = load_model(path)
    network = model.network()
    network.check_model()
    utility = {"Y_b": dict(zip(model.states["Y_b"], model.values["Y_b"]))}
    assert_same_model(model_from_pgmpy(model.graph, network, values=utility), model)


@SOME
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_random_models_go_to_pgmpy_and_back(case: Case, seed: int) -> None:
    model = random_model(case.graph, seed=seed, states=3)
    assert_same_model(model_from_pgmpy(case.graph, model.network()), model,
                      children_in_order=False)


def coin_network() -> tuple[CausalGraph, Any]:
    model = load_model(REPO / "graphs" / "coinrun_model.yaml")
    return model.graph, model.network()


def pgmpy_error(network: Any, graph: CausalGraph, **options: Any) -> str:
    return str(error_of(lambda: model_from_pgmpy(graph, network, **options)))


def test_pgmpy_state_names_may_come_in_any_order() -> None:
    graph, network = coin_network()
    model = model_from_pgmpy(graph, network)
    cpd = network.get_cpds("O")  # given C, L: list L's states backwards
    values = cpd.values[:, :, ::-1].reshape(2, -1)
    network.remove_cpds(cpd)
    network.add_cpds(TabularCPD("O", 2, values, evidence=["C", "L"], evidence_card=[2, 2],
                                state_names={"O": ["coin_at_end", "coin_midway"],
                                             "C": ["end", "elsewhere"], "L": ["hard", "easy"]}))
    assert np.array_equal(model_from_pgmpy(graph, network).tables["O"].probabilities,
                          model.tables["O"].probabilities)


def test_pgmpy_state_names_that_disagree() -> None:
    graph, network = coin_network()
    cpd = network.get_cpds("O")
    network.remove_cpds(cpd)
    network.add_cpds(TabularCPD("O", 2, cpd.get_values(), evidence=["C", "L"],
                                evidence_card=[2, 2],
                                state_names={"O": ["coin_at_end", "coin_midway"],
                                             "C": ["end", "elsewhere"], "L": ["easy", "hrad"]}))
    assert pgmpy_error(network, graph) == (
        "1 problem:\n  <pgmpy> network.O: the CPD of 'O' names the states of 'L' easy, hrad, "
        "but its own CPD has easy, hard [E_MODEL_UNKNOWN_STATE]")


def test_pgmpy_missing_cpd_extra_node_and_wrong_evidence() -> None:
    graph, network = coin_network()
    network.remove_cpds(network.get_cpds("T"))
    network.add_edge("C", "Cc")
    network.add_cpds(TabularCPD("Cc", 2, [[0.5, 0.5], [0.5, 0.5]], evidence=["C"],
                                evidence_card=[2], state_names={"Cc": [0, 1],
                                                                "C": ["end", "elsewhere"]}))
    cpd = network.get_cpds("D_m")  # the policy reads L instead of O
    network.remove_cpds(cpd)
    network.add_cpds(TabularCPD("D_m", 2, cpd.get_values(), evidence=["L"], evidence_card=[2],
                                state_names={"D_m": ["run_right", "fetch_coin"],
                                             "L": ["easy", "hard"]}))
    assert pgmpy_error(network, graph) == (
        "3 problems:\n"
        "  <pgmpy> network.T: 'T' has no table; every variable except the regime nodes needs "
        "states and a table [E_MODEL_MISSING_TABLE]\n"
        "  <pgmpy> network.D_m: 'D_m' is a σ target: its table is the policy, given its context "
        "(O), not L: O missing; L extra [E_MODEL_PARENTS]\n"
        "  <pgmpy> network.Cc: 'Cc' is not a node of coinrun_model (did you mean 'C'?) "
        "[E_MODEL_UNKNOWN_NODE]")


def test_pgmpy_latents_are_root_nodes_over_the_bidirected_edges() -> None:
    graph = CausalGraph.from_edges(["s -> X", "X -> Y", "X <-> Y"], regime="s")
    model = random_model(graph, seed=0)
    network = model.network()
    assert model_from_pgmpy(graph, network).latents == {"U1": ("X", "Y")}
    network.remove_edge("U1", "X")
    cpd = network.get_cpds("X")
    network.remove_cpds(cpd)
    network.add_cpds(TabularCPD("X", 2, cpd.get_values()[:, ::2], evidence=["s"],
                                evidence_card=[2], state_names={"X": ["0", "1"],
                                                                "s": ["train", "deploy"]}))
    assert pgmpy_error(network, graph) == (
        "2 problems:\n"
        "  <pgmpy> network.U1: latent 'U1' has 1 child; a latent stands for 'A <-> B' edges of "
        "G_σ and has two or more children [E_MODEL_LATENT]\n"
        "  <pgmpy> network: no latent covers 'X <-> Y' (edges[2]): add a latent whose children "
        "are X and Y [E_MODEL_LATENT]")


def test_pgmpy_regime_nodes_training_states_and_values() -> None:
    graph, network = coin_network()
    network.add_edge("L", "s")
    network.remove_cpds(network.get_cpds("s"))
    network.add_cpds(TabularCPD("s", 2, [[0.5, 0.5], [0.5, 0.5]], evidence=["L"],
                                evidence_card=[2], state_names={"s": ["train", "deploy"],
                                                                "L": ["easy", "hard"]}))
    assert pgmpy_error(network, graph, training={"s": "training"},
                       values={"Y_b": {"missed": 0, "gott": 10}}) == (
        "3 problems:\n"
        "  <pgmpy> network.Y_b.gott: 'gott' is not a state of 'Y_b' (did you mean 'got'?) "
        "[E_MODEL_UNKNOWN_STATE]\n"
        "  <pgmpy> network.s: the training state of 's' is 'training', which is not one of its "
        "states (did you mean 'train'?) [E_MODEL_UNKNOWN_STATE]\n"
        "  <pgmpy> network.s: 's' is a regime node: it has states and no table (every quantity "
        "conditions on it) [E_MODEL_REGIME]")


# --- one set of rules for every reader ------------------------------------------------------------


def corrupted(model: DiscreteModel, node: str, row: int, factor: float) -> DiscreteModel:
    """The model with one row of ``node``'s table scaled by ``factor``."""
    probabilities = model.tables[node].probabilities.copy()
    flat = probabilities.reshape(-1, probabilities.shape[-1])
    flat[row] *= factor
    return model.with_tables({node: Table(node, model.given(node), probabilities)})


@SOME
@given(case=cases(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_every_reader_reports_a_bad_row_alike(case: Case, seed: int, data: st.DataObject) -> None:
    model = random_model(case.graph, seed=seed)
    node = data.draw(st.sampled_from(sorted(model.tables)))
    rows = model.tables[node].probabilities.size // len(model.states[node])
    row = data.draw(st.integers(0, rows - 1))
    factor = data.draw(st.sampled_from([0.5, 1.5, -1.0]))
    bad = corrupted(model, node, row, factor)
    expected = ["E_MODEL_NEGATIVE", "E_MODEL_ROW_SUM"] if factor < 0 else ["E_MODEL_ROW_SUM"]

    python = error_of(lambda: check_model(bad))
    text = dump_graph(case.graph) + dump_model(bad)
    document = error_of(lambda: parse_model(text))
    readers = [python, document]
    if factor > 0:  # pgmpy refuses negative entries itself
        network = error_of(lambda: model_from_pgmpy(case.graph, bad.network()))
        assert {problem.location for problem in network.problems} == {f"network.{node}"}
        readers.append(network)
    for error in readers:
        assert codes(error) == expected
        assert all(f"'{node}'" in problem.message or f"P({node} =" in problem.message
                   for problem in error.problems)
    assert [problem.message for problem in python.problems] == [
        problem.message for problem in document.problems]
    assert [problem.location for problem in python.problems] == [
        problem.location for problem in document.problems]
    section = "latents" if node in model.latents else "nodes"
    assert python.problems[0].location.startswith(f"model.{section}.{node}.table")
    line = document.problems[0].line  # the row's line, or the table's when it is one row
    assert line is not None
    key = document.problems[0].location.partition(f"{node}.table")[2][1:]
    written = text.splitlines()[line - 1]
    assert f"{key}: [" in written or f"{key}': [" in written if key else "table: [" in written


@SOME
@given(case=cases(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_every_reader_reports_wrong_parents_alike(case: Case, seed: int,
                                                  data: st.DataObject) -> None:
    model = random_model(case.graph, seed=seed)
    candidates = sorted(node for node in model.tables
                        if model.given(node) and model.given(node)[0] not in model.latents)
    assume(candidates)
    node = data.draw(st.sampled_from(candidates))  # forget its first parent in G_σ
    table = model.tables[node]
    dropped = table.given[0]
    bad = model.with_tables({node: Table(node, table.given[1:], table.probabilities[0])})
    for call in (lambda: check_model(bad),
                 lambda: parse_model(dump_graph(case.graph) + dump_model(bad)),
                 lambda: model_from_pgmpy(case.graph, bad.network())):
        error = error_of(call)
        assert codes(error) == ["E_MODEL_PARENTS"]
        assert error.problems[0].message.endswith(f": {dropped} missing")


def test_check_model_refuses_what_a_file_cannot_say() -> None:
    graph = CausalGraph.from_edges(["s -> X", "X -> Y", "X <-> Y", "W -> Y"], regime="s")
    model = random_model(graph, seed=0)
    broken = DiscreteModel(
        graph, {**model.states, "W": ("a", "a"), "Z": ("0",)},
        {**model.tables, "X": Table("X", ("s", "U1"), np.full((2, 2, 3), 1 / 3))},
        {"U1": ("X", "Y"), "X": ("X", "Y")},
        {**model.values, "X": (0.0, 1.0, 2.0), "Y": (0.0, float("nan"))}, {"s": "train"}, {})
    assert str(error_of(lambda: check_model(broken))) == "\n".join([
        "7 problems:",
        "  <python> model.latents.X: latent 'X' has the name of a node of the graph (rename the "
        "latent) [E_MODEL_LATENT]",
        "  <python> model.nodes.W.states: the states of 'W': 'a' appears twice (states are "
        "unique) [E_MODEL_STATES]",
        "  <python> model.nodes.Z: 'Z' has states but is not a node of graph (remove it) "
        "[E_MODEL_UNKNOWN_NODE]",
        "  <python> model.regime.s.deploy: regime node 's' has no deployment state "
        "[E_MODEL_REGIME]",
        "  <python> model.nodes.X.table: the table of 'X' has shape (2, 2, 3), expected "
        "(2, 2, 2): one axis per given variable (s, U1), then its 2 states "
        "[E_MODEL_ROW_LENGTH]",
        "  <python> model.nodes.X.utility: 'X' has 2 states but 3 values (one number per state) "
        "[E_MODEL_UTILITY]",
        "  <python> model.nodes.Y.utility.1: the value of state '1' of 'Y' is nan (give a finite "
        "number) [E_MODEL_UTILITY]",
    ])


def test_the_model_section_does_not_change_the_graph() -> None:
    for path in EXAMPLES:
        namesake = REPO / "graphs" / f"{path.stem.removesuffix('_model')}.yaml"
        ours, theirs = check_inner_alignment(load_graph(path)), check_inner_alignment(
            load_graph(namesake))
        assert ours.aligned == theirs.aligned
        assert [str(p) for p in ours.open_paths] == [str(p) for p in theirs.open_paths]


# numbers as people write them ------------------------------------------------------------------


SMALL = """\
nodes: {s: regime, Y: outcome}
edges: [s -> Y]
regime: s
model:
  nodes:
    Y:
      states: [a, b, c]
      given: [s]
      table:
        train: TRAIN
        deploy: [1e-7, 0.5, 0.4999999]
"""


def test_exponents_without_a_dot_and_rounded_thirds_are_read() -> None:
    model = parse_model(SMALL.replace("TRAIN", "[0.333333, 0.333333, 0.333333]"))
    rows = model.tables["Y"].probabilities
    assert np.allclose(rows.sum(axis=-1), 1, rtol=0, atol=1e-15)
    assert rows[1, 0] == pytest.approx(1e-7)
    assert rows[0, 0] == pytest.approx(1 / 3, abs=1e-12)  # divided by its sum


def test_a_row_further_off_than_rounding_is_still_refused() -> None:
    with pytest.raises(GraphSpecError, match=r"row 'train' of 'Y' sums to 0\.999, not 1"):
        parse_model(SMALL.replace("TRAIN", "[0.333, 0.333, 0.333]"))


def test_two_spellings_of_one_number_are_not_two_states() -> None:
    text = SMALL.replace("[a, b, c]", "[1, 1.0, 2]").replace("TRAIN", "[0.2, 0.3, 0.5]")
    with pytest.raises(GraphSpecError, match=r"'1' and '1\.0' are the same number written twice"):
        parse_model(text)
