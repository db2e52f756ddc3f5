"""Exact inference: joint_distribution against the brute-force joint and pgmpy, on random models.

The oracles share nothing with ``causal_align.quantities.inference``: :func:`full_joint` multiplies every
table of the σ-model into the joint distribution of all variables (regime nodes uniform) and
answers by slicing and summing; :func:`pgmpy_joint` asks pgmpy's variable elimination.
``tests/test_gap.py`` uses them too.

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import cases
from work import bounded_calls

from causal_align.errors import CausalAlignError, InferenceTooLarge
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.inference import MAX_AXES, joint_distribution

SCALE = 5 if os.environ.get("CI") == "true" else 1
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


# oracles ----------------------------------------------------------------------------------------

def full_joint(model: DiscreteModel) -> tuple[tuple[str, ...], np.ndarray]:
    """Every variable of the σ-model and P(all of them), regime nodes uniform."""
    names = model.variables()
    joint = np.ones([len(model.states[name]) for name in names])
    for position, name in enumerate(names):
        table = model.tables.get(name)
        if table is None:
            shape = [1] * len(names)
            shape[position] = len(model.states[name])
            joint = joint * np.full(shape, 1 / len(model.states[name]))
            continue
        axes = [names.index(axis) for axis in (*table.given, name)]
        order = np.argsort(axes)  # table axes sorted into the joint's order, then broadcast
        shape = [1] * len(names)
        for axis in axes:
            shape[axis] = len(model.states[names[axis]])
        joint = joint * np.transpose(table.probabilities, order).reshape(shape)
    return names, joint


def brute_force(model: DiscreteModel, variables: Sequence[str],
                evidence: Mapping[str, str]) -> np.ndarray:
    """P(variables, evidence | the regime nodes in evidence), from the full joint."""
    names, joint = full_joint(model)
    part = joint[tuple(model.states[name].index(evidence[name]) if name in evidence
                       else slice(None) for name in names)]
    rest = [name for name in names if name not in evidence]
    part = part.sum(axis=tuple(i for i, name in enumerate(rest) if name not in variables))
    kept = [name for name in rest if name in variables]
    part = np.transpose(part, [kept.index(name) for name in variables])
    regime = [name for name in evidence if name in model.graph.regime]
    return part * np.prod([len(model.states[name]) for name in regime])


def pgmpy_joint(model: DiscreteModel, variables: Sequence[str],
                evidence: Mapping[str, str]) -> np.ndarray:
    """P(variables | evidence) by pgmpy's variable elimination, axes in ``variables`` order."""
    from pgmpy.inference import VariableElimination

    factor = VariableElimination(model.network()).query(
        list(variables), evidence=dict(evidence), joint=True, show_progress=False)
    result = np.zeros([len(model.states[name]) for name in variables])
    for index in itertools.product(*(range(size) for size in result.shape)):
        result[index] = factor.get_value(**{name: model.states[name][i]
                                            for name, i in zip(variables, index)})
    return result


@st.composite
def questions(draw: st.DrawFn, max_nodes: int = 5) -> tuple[DiscreteModel, list[str],
                                                             dict[str, str]]:
    """A random model (latents included) and a random question: variables and evidence, on
    regime, observed and latent variables alike."""
    case = draw(cases(max_nodes=max_nodes))
    model = random_model(case.graph, seed=draw(SEEDS), states=draw(st.sampled_from([2, 3])))
    names = list(model.states)
    variables = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
    others = [name for name in names if name not in variables]
    fixed = draw(st.lists(st.sampled_from(others), unique=True, max_size=3) if others
                 else st.just([]))
    evidence = {name: draw(st.sampled_from(model.states[name])) for name in fixed}
    return model, draw(st.permutations(variables)), evidence


# the laws ---------------------------------------------------------------------------------------

@settings(max_examples=150 * SCALE, deadline=None)
@given(question=questions())
def test_the_joint_matches_the_brute_force_product_of_all_tables(
        question: tuple[DiscreteModel, list[str], dict[str, str]]) -> None:
    model, variables, evidence = question
    assert np.allclose(joint_distribution(model, variables, evidence),
                       brute_force(model, variables, evidence), rtol=0, atol=1e-12)


@settings(max_examples=15 * SCALE, deadline=None)
@given(question=questions(max_nodes=4))
def test_the_joint_given_the_evidence_matches_pgmpy(
        question: tuple[DiscreteModel, list[str], dict[str, str]]) -> None:
    model, variables, evidence = question
    assume(variables)
    joint = joint_distribution(model, variables, evidence)
    assert np.allclose(joint / joint.sum(), pgmpy_joint(model, variables, evidence),
                       rtol=0, atol=1e-10)


def test_evidence_on_an_observed_node_gives_the_unnormalised_joint() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C"], regime="s")
    model = random_model(graph, seed=4)
    with_c = joint_distribution(model, ["A"], {"s": "train", "C": "1"})
    assert np.allclose(with_c, pgmpy_joint(model, ["A", "C"], {"s": "train"})[:, 1], atol=1e-12)


def test_a_regime_node_left_out_is_averaged_and_one_asked_for_is_weighted_equally() -> None:
    graph = CausalGraph.from_edges(["s -> A"], regime="s")
    model = random_model(graph, seed=2)
    rows = model.tables["A"].probabilities
    assert np.allclose(joint_distribution(model, ["A"], {}), rows.mean(axis=0), atol=1e-15)
    assert np.allclose(joint_distribution(model, ["s", "A"], {}), rows / 2, atol=1e-15)


def test_asking_for_nothing_gives_the_probability_of_the_evidence() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B"], regime="s")
    model = random_model(graph, seed=5)
    assert joint_distribution(model, [], {"s": "deploy"}).shape == ()
    assert float(joint_distribution(model, [], {"s": "deploy"})) == pytest.approx(1.0)
    p_b = joint_distribution(model, ["B"], {"s": "deploy"})[0]
    assert float(joint_distribution(model, [], {"s": "deploy", "B": "0"})) == pytest.approx(p_b)


def test_only_the_ancestors_tables_are_read() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "A -> C"], regime="s")
    model = random_model(graph, seed=6)
    broken = model.with_tables({"C": Table("C", ("A",), np.full((2, 2), np.nan))})
    assert np.array_equal(joint_distribution(broken, ["B"], {"s": "train"}),
                          joint_distribution(model, ["B"], {"s": "train"}))
    assert np.isnan(joint_distribution(broken, ["B", "C"], {"s": "train"})).all()


def test_a_long_chain_is_summed_out_link_by_link_in_linear_work() -> None:
    """200 nodes in a row: the tables stay 2 × 2, the answer is a product of matrices, and
    twice the chain costs twice the calls (choosing the order used to be quadratic)."""
    def chain(length: int) -> tuple[list[str], DiscreteModel]:
        nodes = [f"V{index}" for index in range(length)]
        graph = CausalGraph.from_edges(
            ["s -> V0", *(f"{a} -> {b}" for a, b in zip(nodes, nodes[1:]))], regime="s")
        return nodes, random_model(graph, seed=8)

    calls = []
    for length in (100, 200):
        nodes, model = chain(length)
        with bounded_calls(10**7) as work:
            found = joint_distribution(model, [nodes[-1]], {"s": "train"})
        calls.append(work.calls)
    assert calls[1] < 2.5 * calls[0], f"twice the chain, {calls[1] / calls[0]:.1f}x the calls"
    expected = model.tables["V0"].probabilities[0]
    for node in nodes[1:]:
        expected = expected @ model.tables[node].probabilities
    assert np.allclose(found, expected, rtol=0, atol=1e-12)


# errors -----------------------------------------------------------------------------------------

def test_unknown_variables_and_states_are_refused() -> None:
    model = random_model(CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s"), seed=0)
    with pytest.raises(CausalAlignError) as error:
        joint_distribution(model, ["Y_b"], {"s": "test"})
    assert str(error.value) == "'s' has no state 'test' (states: train, deploy)"
    with pytest.raises(CausalAlignError) as error:
        joint_distribution(model, ["Y_b"], {"Y_b": "0"})
    assert str(error.value) == "cannot compute P(Y_b | Y_b): 'Y_b' named twice"
    with pytest.raises(CausalAlignError) as error:
        joint_distribution(model, ["Y_c", "Y_b"], {"s": "train"})
    assert str(error.value) == "cannot compute P(Y_c, Y_b | s): unknown variable 'Y_c'"


def test_a_table_too_large_for_memory_is_refused_before_it_is_built() -> None:
    hints = [f"E{index}" for index in range(24)]
    model = random_model(CausalGraph.from_edges([f"s -> {hint}" for hint in hints],
                                                regime="s"), seed=0)
    with pytest.raises(InferenceTooLarge) as error:
        joint_distribution(model, hints, {"s": "train"})
    assert str(error.value) == (
        "summing out the model needs a table of 16,777,216 cells over 24 variables (E0, E1, E10, "
        "E11, E12, E13, E14, E15, …): too large for exact computation; sample from the model "
        "instead")
    assert error.value.cells == 2**24 and error.value.variables == tuple(sorted(hints))
    assert joint_distribution(model, hints[:20], {"s": "train"}).shape == (2,) * 20


def test_more_variables_than_one_table_can_have_are_refused() -> None:
    nodes = [f"V{index:02}" for index in range(MAX_AXES + 1)]
    model = random_model(CausalGraph.from_edges([f"s -> {node}" for node in nodes], regime="s"),
                         seed=0, states=1)
    with pytest.raises(InferenceTooLarge, match=r"^summing out the model needs a table of 1 "
                                                r"cell over 53 variables \(V00, V01, "):
        joint_distribution(model, nodes, {"s": "train"})
    assert joint_distribution(model, nodes[:MAX_AXES], {"s": "train"}).shape == (1,) * MAX_AXES
