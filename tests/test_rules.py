"""One rule set for model tables: a bad table gets the same code, place and message whether it
was built in Python (and handed to the gap) or written in a ``model:`` section (and read by
``causal-align gap``); a row within the tolerance is rescaled the same way on both paths.

Each case is a table of ``Y_b`` in the chain ``s -> Y_m -> Y_b``; the file is that model
written out by ``dump_model``, so both paths see the same numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_harness import run_cli

from causal_align.errors import GraphSpecError
from causal_align.loader import dump_graph
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.gap import alignment_gap
from causal_align.quantities.parameters import dump_model, parse_model
from causal_align.quantities.rules import ROUNDING, check_model, check_numbers

GRAPH = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b", mesa="Y_m",
                               name="chain")
MODEL = random_model(GRAPH, seed=0)
NAN, INF = float("nan"), float("inf")

BAD = {
    "a row summing to 1.1": (
        [[0.5, 0.6], [0.5, 0.5]],
        ["E_MODEL_ROW_SUM model.nodes.Y_b.table.0: row '0' of 'Y_b' sums to 1.1, not 1 "
         "(within 1e-04)"]),
    "a row just outside the tolerance": (
        [[0.5, 0.5 - 1.5 * ROUNDING], [0.5, 0.5]],
        ["E_MODEL_ROW_SUM model.nodes.Y_b.table.0: row '0' of 'Y_b' sums to 0.99985, not 1 "
         "(within 1e-04)"]),
    "a negative entry": (
        [[1.5, -0.5], [0.5, 0.5]],
        ["E_MODEL_NEGATIVE model.nodes.Y_b.table.0: P(Y_b = 1 | 0) is -0.5, negative "
         "(probabilities lie between 0 and 1)"]),
    "nan": (
        [[0.5, 0.5], [NAN, 0.5]],
        ["E_MODEL_ROW_SUM model.nodes.Y_b.table.1: row '1' of 'Y_b' sums to nan, not 1 "
         "(within 1e-04)"]),
    "infinity": (
        [[INF, 0.5], [0.5, 0.5]],
        ["E_MODEL_ROW_SUM model.nodes.Y_b.table.0: row '0' of 'Y_b' sums to inf, not 1 "
         "(within 1e-04)"]),
    "minus infinity": (
        [[0.5, 0.5], [-INF, 1.0]],
        ["E_MODEL_NEGATIVE model.nodes.Y_b.table.1: P(Y_b = 0 | 1) is -inf, negative "
         "(probabilities lie between 0 and 1)",
         "E_MODEL_ROW_SUM model.nodes.Y_b.table.1: row '1' of 'Y_b' sums to -inf, not 1 "
         "(within 1e-04)"]),
}


def with_base_table(rows: list[list[float]]) -> DiscreteModel:
    return MODEL.with_tables({"Y_b": Table("Y_b", ("Y_m",), np.array(rows))})


def described(error: GraphSpecError) -> list[str]:
    return [f"{problem.code} {problem.location}: {problem.message}"
            for problem in error.problems]


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_table_gets_the_same_code_and_message_in_python_and_in_a_file(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, expected = BAD[case]
    model = with_base_table(rows)
    for check in (lambda: alignment_gap(model), lambda: check_model(model),
                  lambda: check_numbers(model)):
        with pytest.raises(GraphSpecError) as python:
            check()
        assert described(python.value) == expected
    text = dump_graph(GRAPH) + dump_model(model)
    with pytest.raises(GraphSpecError) as document:
        parse_model(text, source="chain.yaml")
    assert described(document.value) == expected
    path = tmp_path / "chain.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(capsys, "gap", str(path))
    assert (code, out) == (2, "")
    for line in expected:
        problem, _, message = line.partition(" ")[2].partition(": ")
        assert f"{problem}: {message}" in " ".join(err.split())


def test_states_that_spell_the_same_number_are_refused_on_both_paths() -> None:
    states = {**MODEL.states, "Y_b": ("1", "1.0")}
    model = DiscreteModel(GRAPH, states, MODEL.tables, {}, {}, MODEL.training,
                          MODEL.deployment)
    expected = ["E_MODEL_STATES model.nodes.Y_b.states: the states of 'Y_b': '1' and '1.0' are "
                "the same number written twice (name each state once)"]
    for check in (lambda: alignment_gap(model, utility={"Y_b": {"1": 0, "1.0": 1}}),
                  lambda: check_model(model), lambda: check_numbers(model)):
        with pytest.raises(GraphSpecError) as python:
            check()
        assert described(python.value) == expected
    text = dump_graph(GRAPH) + dump_model(MODEL).replace("states: ['0', '1']\n      given: [Y_m]",
                                                          "states: [1, 1.0]\n      given: [Y_m]")
    assert "states: [1, 1.0]" in text
    with pytest.raises(GraphSpecError) as document:
        parse_model(text)
    assert described(document.value) == expected


@pytest.mark.parametrize("off", [0.5 * ROUNDING, -ROUNDING, 1e-7, 3e-16])
def test_rows_within_the_tolerance_are_rescaled_alike_on_both_paths(off: float) -> None:
    """Thirds at six decimals, or any row within 1e-4 of 1: divided by its sum, whether the
    table is built in Python or read from a file, so the gap is that of the exact rows."""
    exact = np.array([[0.25, 0.75], [0.6, 0.4]])
    written = exact.copy()
    written[0, 1] += off
    python = with_base_table(written.tolist())
    check_model(python)
    document = parse_model(dump_graph(GRAPH) + dump_model(python))
    rescaled = exact.copy()
    rescaled[0] = written[0] / written[0].sum()
    for model in (python, document):
        found = model.tables["Y_b"].probabilities
        assert np.array_equal(found, rescaled if abs(off) > 1e-12 else written)
        assert np.allclose(found.sum(axis=-1), 1, rtol=0, atol=1e-15)
    assert alignment_gap(python).to_dict() == alignment_gap(document).to_dict()


def test_a_row_of_thirds_at_six_decimals_computes_as_thirds() -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    model = random_model(graph, seed=1, states=3).with_tables({"Y_b": Table(
        "Y_b", ("Y_m",), np.full((3, 3), 0.333333))})
    check_model(model)
    gap = alignment_gap(model)  # Y_b ignores Y_m: E = 1 everywhere, exactly as with thirds
    assert all(row.train == pytest.approx(1, abs=1e-15) for row in gap.rows)
