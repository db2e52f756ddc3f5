"""The ε-robustness bound and the Shapley attribution, on random discrete models.

Oracles: the exact gap (inference) never exceeds the bound; a mechanism whose indicator is
d-separated from Y_b given Y_m (checked here with networkx on an independently built graph)
moves nothing when shifted alone; Shapley values recomputed here by enumerating every order of
the mechanisms, with hybrid models built here from the tables.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from transport_cases import expanded_sigma, random_graph, scaled, separated

from causal_align import DiscreteModel, Table, joint_distribution, load_model, random_model
from causal_align.errors import CausalAlignError
from causal_align.transport.sensitivity import (
    is_shift_relevant,
    robustness_bound,
    shapley_attribution,
)


def _expectation(model: DiscreteModel, base: str, mesa: list[str]) -> np.ndarray:
    joint = joint_distribution(model, [base, *mesa], {"s": "train"})
    values = np.asarray(model.values[base])
    return np.tensordot(values, joint, axes=(0, 0)) / joint.sum(axis=0)


def _hybrid(model: DiscreteModel, deployed: set[str]) -> DiscreteModel:
    """Shifted tables fixed at their deployment (``deployed``) or training slice."""
    tables = {}
    for node, table in model.tables.items():
        if "s" not in table.given:
            continue
        axis = table.given.index("s")
        chosen = np.take(table.probabilities, [1 if node in deployed else 0], axis=axis)
        tables[node] = Table(node, table.given, np.repeat(chosen, 2, axis=axis))
    return model.with_tables(tables)


def test_bound_holds_and_inert_mechanisms_move_nothing() -> None:
    rng = random.Random(1320)
    inert = relevant = 0
    for draw in range(scaled(150, 1000)):
        graph = random_graph(rng, nodes=rng.randint(3, 6), regimes=1, shifted=3)
        model = random_model(
            graph, seed=draw, states=rng.choice([2, 3]), concentration=rng.choice([0.3, 1.0, 5.0])
        )
        bound = robustness_bound(model)
        for row in bound.rows:
            assert row.gap is not None
            assert abs(row.gap) <= row.bound + 1e-12
            assert row.bound <= bound.span + 1e-12
        [base] = sorted(graph.base)
        mesa = sorted(graph.mesa)
        plain = _expectation(_hybrid(model, set()), base, mesa)
        expanded = expanded_sigma(graph)
        for shift in bound.mechanisms:
            oracle = expanded.copy()
            oracle.add_edge("[i]", shift.node)
            assert shift.matters == (not separated(oracle, {"[i]"}, {base}, {*mesa, "s"}))
            moved = _expectation(_hybrid(model, {shift.node}), base, mesa) - plain
            if not shift.matters:
                inert += 1
                np.testing.assert_allclose(moved, 0, atol=1e-9)
                assert all(dict(row.per_mechanism)[shift.node] == 0 for row in bound.rows)
            elif shift.epsilon > 1e-6:
                relevant += 1
                assert np.abs(moved).max() > 1e-12
    assert inert > 20 and relevant > 100


def test_shapley_against_all_orders() -> None:
    rng = random.Random(1321)
    checked = 0
    for draw in range(scaled(60, 400)):
        graph = random_graph(rng, nodes=rng.randint(3, 6), regimes=1, shifted=4)
        model = random_model(graph, seed=draw)
        attribution = shapley_attribution(model)
        mechanisms = list(attribution.mechanisms)
        [base] = sorted(graph.base)
        mesa = sorted(graph.mesa)
        value = {
            frozenset(subset): _expectation(_hybrid(model, set(subset)), base, mesa)
            for size in range(len(mechanisms) + 1)
            for subset in itertools.combinations(mechanisms, size)
        }
        orders = list(itertools.permutations(mechanisms))
        expected = {node: np.zeros_like(value[frozenset()]) for node in mechanisms}
        for order in orders:
            for position, node in enumerate(order):
                before = frozenset(order[:position])
                expected[node] += (value[before | {node}] - value[before]) / len(orders)
        gap = value[frozenset(mechanisms)] - value[frozenset()]
        for index, row in zip(np.ndindex(gap.shape), attribution.rows):
            assert row.gap == pytest.approx(float(gap[index]), abs=1e-12)
            shares = dict(row.shares)
            assert sum(shares.values()) == pytest.approx(row.gap, abs=1e-12)
            for node in mechanisms:
                assert shares[node] == pytest.approx(float(expected[node][index]), abs=1e-12)
                if not is_shift_relevant(graph, node, base=[base], mesa=mesa):
                    assert abs(shares[node]) <= 1e-12  # a null player
        sampled = shapley_attribution(model, exact_limit=0, orders=400, seed=draw)
        assert (sampled.orders == 400) == bool(mechanisms)
        for exact_row, sampled_row in zip(attribution.rows, sampled.rows):
            assert sum(dict(sampled_row.shares).values()) == pytest.approx(exact_row.gap, abs=1e-12)
            scale = max([abs(share) for _, share in exact_row.shares] + [1e-9])
            for (_, exact), (_, estimate) in zip(exact_row.shares, sampled_row.shares):
                assert abs(exact - estimate) <= 0.25 * scale + 1e-9
        checked += len(mechanisms) > 1
    assert checked > 20


def test_bound_what_if_and_rare_values() -> None:
    model = load_model("graphs/transport_measure_coin.yaml")
    bound = robustness_bound(model, epsilons={"C": 0.02})
    assert bound.total == 0.02
    assert [round(row.bound, 4) for row in bound.rows] == [
        round(10 * 2 * 0.02 / row.p_train, 4) for row in bound.rows
    ]
    assert all(row.gap is None for row in bound.rows)
    text = str(bound)
    assert "C: ε = 0.0200" in text
    with pytest.raises(CausalAlignError, match="not a shifted"):
        robustness_bound(model, epsilons={"C": 0.1, "L": 0.1})
    with pytest.raises(CausalAlignError, match="no ε"):
        robustness_bound(model, epsilons={})


def test_rare_mesa_value_is_flagged() -> None:
    from causal_align.model import CausalGraph

    graph = CausalGraph.from_edges(
        ["s -> A", "A -> Y_m", "A -> Y_b"], regime="s", base="Y_b", mesa="Y_m"
    )
    model = random_model(graph, seed=0)
    rare = model.with_tables({"Y_m": Table("Y_m", ("A",), np.array([[0.99, 0.01], [0.98, 0.02]]))})
    bound = robustness_bound(rare)
    assert bound.rows[1].rare and not bound.rows[0].rare
    assert "amplify shift" in str(bound)


def test_bound_from_samples() -> None:
    from causal_align.loader import load_graph
    from causal_align.transport.estimate import read_samples_file
    from causal_align.transport.sensitivity import robustness_bound_from_samples

    exact = robustness_bound(load_model("graphs/transport_measure_coin.yaml"))
    estimated = robustness_bound_from_samples(
        load_graph("graphs/transport_measure_coin.yaml"),
        read_samples_file("examples/transport/train.csv"),
        read_samples_file("examples/transport/deploy_with_outcome.csv"),
        scores={"Y_b": {"missed": 0.0, "got": 10.0}},
    )
    assert estimated.source == "samples" and estimated.span == 10.0
    assert [shift.node for shift in estimated.mechanisms] == ["C"]
    assert estimated.mechanisms[0].epsilon == pytest.approx(exact.mechanisms[0].epsilon, abs=0.05)
    for row, truth in zip(estimated.rows, exact.rows):
        assert row.p_train == pytest.approx(truth.p_train, abs=0.03)
        assert row.gap == pytest.approx(truth.gap, abs=0.6)
