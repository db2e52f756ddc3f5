"""The alignment gap: exact numbers cross-checked against the full joint and pgmpy, and the
soundness law that ties them to the graph's verdict.

The oracles here share nothing with ``causal_align.quantities.gap`` or ``causal_align.quantities.inference``:
:func:`oracle_gap` conditions the brute-force joint of all variables (``full_joint``, from
``tests/test_inference.py``) by slicing; ``pgmpy_joint`` asks pgmpy's variable elimination.

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Case, cases
from test_inference import full_joint, pgmpy_joint

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.gap import Gap, alignment_gap

SCALE = 5 if os.environ.get("CI") == "true" else 1
SOUNDNESS = settings(max_examples=200 * SCALE, deadline=None)
ORACLE = settings(max_examples=60 * SCALE, deadline=None)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


# oracles ----------------------------------------------------------------------------------------

def oracle_gap(model: DiscreteModel, base: Sequence[str], mesa: Sequence[str],
               regime: Sequence[str]) -> dict[tuple[str, ...], tuple[float, float, float, float]]:
    """For each y: P(y | train), P(y | deploy), E(sum of Y_b's values | y, s) in each regime."""
    names, joint = full_joint(model)
    rest = [name for name in names if name not in regime]
    kept = [name for name in rest if name in (*base, *mesa)]
    score = np.zeros([len(model.states[node]) for node in base])
    for position, node in enumerate(base):
        shape = [1] * len(base)
        shape[position] = len(model.states[node])
        score = score + np.reshape(model.values[node], shape)
    found: dict[tuple[str, ...], list[float]] = {}
    for which in (model.training, model.deployment):
        fixed = tuple(model.states[name].index(which[name]) if name in regime else slice(None)
                      for name in names)
        part = joint[fixed] / joint[fixed].sum()
        part = part.sum(axis=tuple(i for i, name in enumerate(rest) if name not in kept))
        part = np.transpose(part, [kept.index(name) for name in (*base, *mesa)])
        for y in itertools.product(*(range(len(model.states[node])) for node in mesa)):
            at_y = part[(Ellipsis, *y)]
            states = tuple(model.states[node][i] for node, i in zip(mesa, y))
            found.setdefault(states, []).extend(
                [float(at_y.sum()), float((score * at_y).sum() / at_y.sum())])
    return {y: (p_train, p_deploy, e_train, e_deploy)
            for y, (p_train, e_train, p_deploy, e_deploy) in found.items()}


def by_mesa(gap: Gap) -> dict[tuple[str, ...], tuple[float, float, float | None, float | None]]:
    return {tuple(state for _, state in row.mesa): (row.p_train, row.p_deploy, row.train,
                                                     row.deploy) for row in gap.rows}


# the soundness law ------------------------------------------------------------------------------

@SOUNDNESS
@given(case=cases(max_nodes=6), seed=SEEDS, states=st.sampled_from([2, 2, 3]))
def test_the_gap_vanishes_exactly_when_the_graph_says_aligned(case: Case, seed: int,
                                                              states: int) -> None:
    """d-separated ⇒ every gap is 0 (to 1e-9); d-connected ⇒ some gap is not (generic tables).

    Dirichlet(1) tables have no zero entry, so every value of Y_m happens in both regimes.
    """
    aligned = check_inner_alignment(case.graph).aligned
    gap = alignment_gap(random_model(case.graph, seed=seed, states=states))
    sizes = [abs(row.gap) for row in gap.rows if row.gap is not None]
    assert len(sizes) == len(gap.rows) == states ** len(case.mesa)
    if aligned:
        assert max(sizes) < 1e-9
    else:
        assert max(sizes) > 1e-9


@ORACLE
@given(case=cases(max_nodes=5), seed=SEEDS, states=st.sampled_from([2, 3]))
def test_the_gap_matches_the_full_joint_distribution(case: Case, seed: int, states: int) -> None:
    model = random_model(case.graph, seed=seed, states=2 if len(case.graph.nodes) > 5 else states)
    expected = oracle_gap(model, sorted(case.base), sorted(case.mesa), sorted(case.regime))
    found = by_mesa(alignment_gap(model))
    assert found.keys() == expected.keys()
    for y, numbers in expected.items():
        assert np.allclose(found[y], numbers, rtol=0, atol=1e-12)


def test_coinrun_matches_pgmpy_and_is_not_aligned() -> None:
    model = random_model(load_graph("graphs/coinrun.yaml"), seed=7, states=3)
    gap = alignment_gap(model)
    for which, column in ((model.training, 0), (model.deployment, 1)):
        joint = pgmpy_joint(model, ["Y_b", "Y_m"], {"s": which["s"]})
        expected_p = joint.sum(axis=0)
        expected_e = (np.arange(3) @ joint) / expected_p
        assert np.allclose([row.p_train if column == 0 else row.p_deploy for row in gap.rows],
                           expected_p, atol=1e-12)
        assert np.allclose([row.train if column == 0 else row.deploy for row in gap.rows],
                           expected_e, atol=1e-12)
    assert gap.largest is not None and gap.largest > 1e-3


# hand-built models: zero probabilities, the highest Y_m, utilities ------------------------------

def chain_model(mesa_rows: list[list[float]], base_rows: list[list[list[float]]], *,
                mesa_states: tuple[str, ...] = ("0", "1")) -> DiscreteModel:
    """s -> Y_m -> Y_b with the given tables (rows: train, deploy; then one per Y_m state)."""
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b", "s -> Y_b"], regime="s",
                                   base="Y_b", mesa="Y_m", name="chain")
    states = {"s": ("train", "deploy"), "Y_m": mesa_states, "Y_b": ("low", "high")}
    tables = {"Y_m": Table("Y_m", ("s",), np.array(mesa_rows, dtype=float)),
              "Y_b": Table("Y_b", ("Y_m", "s"), np.array(base_rows, dtype=float))}
    values = {"Y_m": tuple(float(index) for index in range(len(mesa_states))),
              "Y_b": (0.0, 1.0)}
    return DiscreteModel(graph, states, tables, {}, values, {"s": "train"}, {"s": "deploy"})


BASE_ROWS = [[[0.5, 0.5], [0.2, 0.8]], [[0.9, 0.1], [0.6, 0.4]], [[0.3, 0.7], [0.1, 0.9]]]


def test_a_value_never_seen_in_training_is_reported_not_nan() -> None:
    model = chain_model([[1.0, 0.0, 0.0], [0.2, 0.5, 0.3]], BASE_ROWS,
                        mesa_states=("0", "1", "2"))
    gap = alignment_gap(model)
    unseen = gap.rows[1]
    assert (unseen.p_train, unseen.train, unseen.gap) == (0.0, None, None)
    assert unseen.deploy == pytest.approx(0.4)
    assert unseen.note == "Y_m=1 never happens in training"
    assert gap.rows[0].gap == pytest.approx(0.8 - 0.5)
    text = json.dumps(gap.to_dict(), allow_nan=False)  # no NaN anywhere
    assert '"note": "Y_m=1 never happens in training"' in text
    assert "never happens in training" in str(gap) and "nan" not in str(gap).lower()


def test_the_highest_falls_back_to_a_value_seen_in_both_regimes_and_says_so() -> None:
    model = chain_model([[0.3, 0.3, 0.4], [0.5, 0.5, 0.0]], BASE_ROWS,
                        mesa_states=("0", "1", "2"))
    gap = alignment_gap(model)
    assert gap.rows[2].note == "Y_m=2 never happens in deployment"
    assert gap.highest is gap.rows[1]
    assert gap.highest.gap == pytest.approx(0.4 - 0.1)
    assert gap.highest_note == ("the highest mesa value, 2 (Y_m=2), never happens in both "
                                "regimes; Y_m=1 is the highest that does, 1")


def test_no_value_in_both_regimes_means_no_highest() -> None:
    model = chain_model([[1.0, 0.0], [0.0, 1.0]], BASE_ROWS[:2])
    gap = alignment_gap(model)
    assert gap.highest is None and gap.largest is None
    assert [row.note for row in gap.rows] == ["Y_m=0 never happens in deployment",
                                              "Y_m=1 never happens in training"]
    assert str(gap).endswith("highest Y_m: none (no value of Y_m happens in both regimes)")


def test_the_highest_uses_the_sum_of_the_mesa_values() -> None:
    graph = CausalGraph.from_edges(["s -> A", "s -> B", "A -> Y_b", "B -> Y_b"], regime="s",
                                   base="Y_b", mesa=["A", "B"])
    model = random_model(graph, seed=1)
    never = Table("B", ("s",), np.array([[0.5, 0.5], [1.0, 0.0]]))  # B=1 never deployed
    gap = alignment_gap(model.with_tables({"B": never}))
    assert [row.label() for row in gap.rows] == ["A=0, B=0", "A=0, B=1", "A=1, B=0", "A=1, B=1"]
    assert [row.mesa_value for row in gap.rows] == [0.0, 1.0, 1.0, 2.0]
    assert gap.highest is gap.rows[2]
    assert gap.highest_note == ("the highest mesa value, 2 (A=1, B=1), never happens in both "
                                "regimes; A=1, B=0 is the highest that does, 1")


def test_a_tie_at_the_highest_takes_the_first_in_state_order_and_says_so() -> None:
    graph = CausalGraph.from_edges(["s -> B", "A -> B", "A -> Y_b", "B -> Y_b"], regime="s",
                                   base="Y_b", mesa=["A", "B"])
    model = random_model(graph, seed=1)
    never_both = Table("B", ("A", "s"), np.array([[[0.5, 0.5], [0.5, 0.5]],
                                                  [[0.5, 0.5], [1.0, 0.0]]]))
    gap = alignment_gap(model.with_tables({"B": never_both}))
    assert gap.rows[3].note == "A=1, B=1 never happens in deployment"
    assert gap.highest is gap.rows[1]
    assert gap.highest_note == ("the highest mesa value, 2 (A=1, B=1), never happens in both "
                                "regimes; A=0, B=1 is the highest that does, 1; tied with "
                                "A=1, B=0, the first in state order is shown")


def test_mesa_nodes_without_numbers_have_no_highest() -> None:
    graph = CausalGraph.from_edges(["s -> A", "s -> B", "A -> Y_b"], regime="s", base="Y_b",
                                   mesa=["A", "B"])
    model = random_model(graph, seed=1)
    gap = alignment_gap(DiscreteModel(graph, model.states, model.tables, {}, {"Y_b": (0, 1)},
                                      model.training, model.deployment))
    assert gap.highest is None and all(row.mesa_value is None for row in gap.rows)
    assert gap.highest_note == "Y_m nodes A, B have no numbers, so no value of Y_m is highest"
    assert gap.largest is not None and gap.largest < 1e-12  # A screens Y_b off: aligned


def test_without_mesa_the_gap_compares_the_two_regimes() -> None:
    model = chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2])
    gap = alignment_gap(model, mesa=[])
    [row] = gap.rows
    train = 0.25 * 0.5 + 0.75 * 0.1
    deploy = 0.5 * 0.8 + 0.5 * 0.4
    assert (row.mesa, row.p_train, row.p_deploy) == ((), 1.0, 1.0)
    assert row.gap == pytest.approx(deploy - train)
    assert gap.highest is row and row.label() == "(no Y_m)"


def test_a_utility_scores_the_states_and_several_base_nodes_add_up() -> None:
    model = chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2])
    plain = alignment_gap(model)
    scaled = alignment_gap(model, utility={"Y_b": {"low": -1.0, "high": 3.0}})
    for row, other in zip(plain.rows, scaled.rows):
        assert other.gap == pytest.approx(4 * row.gap)  # U = 4 Y_b - 1
    assert scaled.score == "U(Y_b)" and plain.score == "Y_b"
    assert scaled.to_dict()["utility"] == {"Y_b": {"low": -1.0, "high": 3.0}}

    graph = CausalGraph.from_edges(["s -> X", "X -> A", "X -> B"], regime="s", base=["A", "B"])
    model = random_model(graph, seed=2, states={"A": 3})
    both = alignment_gap(model)
    alone = [alignment_gap(model, base=node).rows[0].gap for node in ("A", "B")]
    assert both.score == "A + B"
    assert both.rows[0].gap == pytest.approx(sum(alone))


def test_several_regime_nodes_move_together() -> None:
    graph = CausalGraph.from_edges(["s -> A", "s2 -> A", "A -> Y_b", "s2 -> Y_b"],
                                   regime=["s", "s2"], base="Y_b")
    model = random_model(graph, seed=5)
    names, joint = full_joint(model)
    both = alignment_gap(model).rows[0]
    only_s = alignment_gap(model, regime="s").rows[0]
    y_b = names.index("Y_b")
    order = [names.index("s"), names.index("s2"), y_b]
    p = np.transpose(joint.sum(axis=tuple(i for i in range(len(names)) if i not in order)),
                     np.argsort(np.argsort(order)))  # axes s, s2, Y_b
    expect = [p[i, j, 1] / p[i, j].sum() for i, j in ((0, 0), (1, 1))]
    assert both.gap == pytest.approx(expect[1] - expect[0])
    averaged = [p[i, :, 1].sum() / p[i].sum() for i in (0, 1)]  # s2 averaged with equal weight
    assert only_s.gap == pytest.approx(averaged[1] - averaged[0])
    assert dict(alignment_gap(model).training) == {"s": "train", "s2": "train"}


# errors -----------------------------------------------------------------------------------------

def test_a_base_node_without_numbers_is_a_clear_error() -> None:
    model = chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2])
    unnumbered = DiscreteModel(model.graph, model.states, model.tables, {},
                               {"Y_m": (0.0, 1.0)}, model.training, model.deployment)
    with pytest.raises(CausalAlignError) as error:
        alignment_gap(unnumbered)
    assert str(error.value) == ("Y_b node 'Y_b' has no numbers for its states (low, high): give a "
                                "utility, e.g. utility={'Y_b': {'low': ..., 'high': ...}}")
    assert alignment_gap(unnumbered, utility={"Y_b": {"low": 0, "high": 1}}).largest == \
        alignment_gap(model).largest


@pytest.mark.parametrize(("utility", "message"), [
    ({"Y_m": {"0": 1.0}}, "the utility scores 'Y_m', which is not in Y_b (Y_b)"),
    ({"Y_b": {"low": 1.0}}, "the utility of 'Y_b' must score each of its states (low, high); "
                            "missing: high; unknown: none"),
    ({"Y_b": {"low": 1.0, "high": 2.0, "max": 3.0}},
     "the utility of 'Y_b' must score each of its states (low, high); missing: none; "
     "unknown: 'max'"),
    ({"Y_b": {"low": 1.0, "high": float("nan")}},
     "the utility of 'Y_b' must give finite numbers, found 1.0, nan"),
])
def test_a_bad_utility_is_a_clear_error(utility: dict[str, dict[str, float]],
                                        message: str) -> None:
    model = chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2])
    with pytest.raises(CausalAlignError) as error:
        alignment_gap(model, utility=utility)
    assert str(error.value) == message


def test_a_bad_query_is_a_positioned_graph_error() -> None:
    model = chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2])
    with pytest.raises(GraphSpecError) as error:
        alignment_gap(model, base="Y_bb")
    assert "unknown node 'Y_bb' in base (did you mean 'Y_b'?)" in str(error.value)


def test_a_regime_node_without_a_deployment_state_is_a_clear_error() -> None:
    model = chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2])
    broken = DiscreteModel(model.graph, model.states, model.tables, {}, model.values,
                           model.training, {})
    with pytest.raises(GraphSpecError) as error:
        alignment_gap(broken)
    assert str(error.value) == ("1 problem:\n  <python> model.regime.s.deploy: regime node 's' "
                                "has no deployment state [E_MODEL_REGIME]")


# output -----------------------------------------------------------------------------------------

def test_to_dict_is_stable_and_json_ready() -> None:
    gap = alignment_gap(random_model(load_graph("graphs/coinrun.yaml"), seed=3))
    data = gap.to_dict()
    assert list(data) == ["graph", "base", "mesa", "regime", "score", "training", "deployment",
                          "utility", "rows", "highest", "highest_note", "largest"]
    assert list(data["rows"][0]) == ["mesa", "mesa_value", "p_train", "p_deploy", "train",
                                     "deploy", "gap", "note"]
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data == alignment_gap(random_model(load_graph("graphs/coinrun.yaml"),
                                              seed=3)).to_dict()


def test_the_table_lists_every_row_and_the_highest() -> None:
    gap = alignment_gap(chain_model([[0.25, 0.75], [0.5, 0.5]], BASE_ROWS[:2]))
    lines = str(gap).splitlines()
    assert lines[0] == ("alignment gap of chain: E(Y_b | Y_m = y, deploy; σ) − "
                        "E(Y_b | Y_m = y, train; σ)")
    assert lines[1] == "regime: s = train → deploy"
    assert lines[2].split() == ["Y_m", "value", "P(y", "|", "train)", "P(y", "|", "deploy)",
                                "E(train)", "E(deploy)", "gap"]
    assert lines[3].split() == ["Y_m=0", "0", "0.2500", "0.5000", "0.5000", "0.8000", "+0.3000"]
    assert lines[4].split() == ["Y_m=1", "1", "0.7500", "0.5000", "0.1000", "0.4000", "+0.3000"]
    assert lines[5] == "highest Y_m: Y_m=1, gap +0.3000 (Y_m=1 has the highest mesa value, 1)"


def test_hand_built_tables_that_are_not_probabilities_are_refused() -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    model = random_model(graph, seed=0)

    def problem(broken: DiscreteModel) -> str:
        with pytest.raises(GraphSpecError) as error:
            alignment_gap(broken)
        assert len(error.value.problems) == 1
        return str(error.value.problems[0])

    wrong_shape = model.with_tables({"Y_b": Table("Y_b", ("Y_m",), np.full((2, 3), 1 / 3))})
    assert problem(wrong_shape) == (
        "<python> model.nodes.Y_b.table: the table of 'Y_b' has shape (2, 3), expected (2, 2): "
        "one axis per given variable (Y_m), then its 2 states [E_MODEL_ROW_LENGTH]")
    for entry, sums in ((float("nan"), "nan"), (float("inf"), "inf")):
        bad = np.array([[0.5, 0.5], [entry, 0.5]])
        assert problem(model.with_tables({"Y_b": Table("Y_b", ("Y_m",), bad)})) == (
            f"<python> model.nodes.Y_b.table.1: row '1' of 'Y_b' sums to {sums}, not 1 "
            "(within 1e-04) [E_MODEL_ROW_SUM]")
    negative = np.array([[0.5, 0.5], [-0.5, 1.5]])
    assert problem(model.with_tables({"Y_b": Table("Y_b", ("Y_m",), negative)})) == (
        "<python> model.nodes.Y_b.table.1: P(Y_b = 0 | 1) is -0.5, negative (probabilities lie "
        "between 0 and 1) [E_MODEL_NEGATIVE]")
    no_table = DiscreteModel(graph, model.states, {"Y_b": model.tables["Y_b"]}, {},
                             model.values, model.training, model.deployment)
    assert problem(no_table) == (
        "<python> model.nodes: 'Y_m' has no table; every variable except the regime nodes needs "
        "states and a table [E_MODEL_MISSING_TABLE]")
