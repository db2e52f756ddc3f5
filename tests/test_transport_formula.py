"""The S-admissible set and the transport formula, against brute force and exact numbers.

Oracles: every subset of the measurable nodes checked by ``networkx.is_d_separator`` on a
latent-expanded G_σ built independently (the minimum cost is the brute-force minimum), and the
formula evaluated on random models by exact inference equals the true deployment expectation.
"""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import pytest
from transport_cases import expanded_sigma, random_graph, scaled, separated

from causal_align import joint_distribution, random_model
from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.transport import admissible_set, transport_formula
from causal_align.transport.admissible import measurable_nodes


def _brute_minimum(
    graph: CausalGraph, candidates: tuple[str, ...], costs: dict[str, float]
) -> tuple[float | None, list[tuple[str, ...]]]:
    expanded = expanded_sigma(graph)
    best: float | None = None
    winners: list[tuple[str, ...]] = []
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            if separated(expanded, graph.query_regime, graph.base, {*graph.mesa, *subset}):
                cost = sum(costs.get(node, 1.0) for node in subset)
                if best is None or cost < best - 1e-12:
                    best, winners = cost, [subset]
                elif abs(cost - best) <= 1e-12:
                    winners.append(subset)
    return best, winners


@pytest.mark.parametrize("weighted", [False, True])
def test_minimum_against_brute_force(weighted: bool) -> None:
    rng = random.Random(1301 + weighted)
    found_sets = hidden_seen = 0
    for _ in range(scaled(300, 2000)):
        graph = random_graph(rng, nodes=rng.randint(3, 7), regimes=rng.randint(1, 2), hidden=0.25)
        observed = [node for node in graph.nodes if node not in graph.regime]
        measurable = (
            None if rng.random() < 0.5 else rng.sample(observed, rng.randint(0, len(observed)))
        )
        costs = {node: float(rng.randint(1, 4)) for node in observed} if weighted else {}
        result = admissible_set(graph, measurable=measurable, costs=costs)
        candidates = measurable_nodes(
            graph, base=graph.base, mesa=graph.mesa, regime=graph.regime, measurable=measurable
        )
        assert not set(candidates) & graph.unobserved
        assert set(candidates) == (
            set(observed if measurable is None else measurable)
            - graph.unobserved
            - graph.base
            - graph.mesa
        )
        hidden_seen += bool(graph.unobserved)
        best, winners = _brute_minimum(graph, candidates, costs)
        if best is None:
            assert result.measure is None and result.cost is None, graph
            assert result.reason
        else:
            assert result.measure is not None, (graph, winners)
            assert result.cost == pytest.approx(best)
            assert result.measure in winners
            assert (result.measure == ()) == (best == 0)
            found_sets += bool(result.measure)
    assert found_sets > 20  # the cut is exercised, not only the trivial answers
    assert hidden_seen > 50


def _transported(model, base: str, mesa: tuple[str, ...], measure: tuple[str, ...]):
    """Σ_z E_train(Y_b | y, z) P_deploy(z | y) and the true E_deploy(Y_b | y), per y."""
    values = np.asarray(model.values[base])
    names = [base, *mesa, *measure]
    train = joint_distribution(model, names, {"s": "train"})
    deploy = joint_distribution(model, names, {"s": "deploy"})
    expect_train = np.tensordot(values, train, axes=(0, 0)) / train.sum(axis=0)
    weights = deploy.sum(axis=0)
    z_axes = tuple(range(len(mesa), len(mesa) + len(measure)))
    p_y = weights.sum(axis=z_axes) if measure else weights
    transported = (expect_train * weights).sum(axis=z_axes) / p_y if measure else expect_train
    truth = (
        np.tensordot(values, deploy, axes=(0, 0)).sum(axis=z_axes) / p_y
        if measure
        else np.tensordot(values, deploy, axes=(0, 0)) / p_y
    )
    return transported, truth


def test_formula_equals_deployment_expectation_on_random_models() -> None:
    rng = random.Random(1302)
    checked = nonempty = 0
    for draw in range(scaled(600, 3000)):
        graph = random_graph(rng, nodes=rng.randint(3, 6), regimes=1)
        formula = transport_formula(graph)
        expanded = expanded_sigma(graph)
        candidates = measurable_nodes(graph, base=graph.base, mesa=graph.mesa, regime=graph.regime)
        admissible = [
            subset
            for size in range(len(candidates) + 1)
            for subset in itertools.combinations(candidates, size)
            if separated(expanded, {"s"}, graph.base, {*graph.mesa, *subset})
        ]
        if formula.measure is None:
            assert not admissible
            continue
        model = random_model(graph, seed=draw, states=rng.choice([2, 3]))
        [base] = sorted(graph.base)
        mesa = tuple(sorted(graph.mesa))
        for measure in {formula.measure, *rng.sample(admissible, min(2, len(admissible)))}:
            transported, truth = _transported(model, base, mesa, tuple(sorted(measure)))
            np.testing.assert_allclose(transported, truth, rtol=0, atol=1e-9)
            checked += 1
            nonempty += bool(measure)
    assert checked > 400 and nonempty > 150


def test_formula_texts_and_json() -> None:
    formula = transport_formula(load_graph("graphs/transport_measure_coin.yaml"))
    data = formula.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["measure"] == ["C"] and data["sum_over"] == ["C"]
    assert data["terms"] == [
        {"regime": "train", "kind": "expectation", "of": ["Y_b"], "given": ["Y_m", "C"]},
        {"regime": "deploy", "kind": "probability", "of": ["C"], "given": ["Y_m"]},
    ]
    two = transport_formula(load_graph("graphs/coinrun.yaml"))
    assert two.measure == ("C", "T")
    assert two.text == (
        "E_deploy(Y_b | Y_m = y) = Σ_{c, t} E_train(Y_b | Y_m = y, C = c, "
        "T = t) · P_deploy(C = c, T = t | Y_m = y)"
    )


def test_no_set_reasons() -> None:
    direct = CausalGraph.from_edges(["s -> Y_b", "Y_m -> Y_b"], regime="s", base="Y_b", mesa="Y_m")
    assert transport_formula(direct).measure is None
    hidden = CausalGraph.from_edges(
        ["s -> H", "H -> Y_b", "H -> Y_m"], regime="s", base="Y_b", mesa="Y_m"
    )
    result = transport_formula(hidden, measurable=[])
    assert result.measure is None and result.text == ""
    assert result.reason == (
        "no set of measurable nodes is S-admissible: measuring all of them "
        "still leaves s -> H -> Y_b open (H cannot be measured)"
    )
    assert [str(path) for path in result.admissible.blocking] == ["s -> H -> Y_b"]
    collider = CausalGraph.from_edges(
        ["s -> Y_m", "Y_b -> Y_m"], regime="s", base="Y_b", mesa="Y_m"
    )
    assert "s -> Y_m <- Y_b" in transport_formula(collider).reason
    assert transport_formula(hidden).measure == ("H",)
    declared = CausalGraph.from_edges(
        ["s -> H", "H -> Y_b", "H -> Y_m"], regime="s", base="Y_b", mesa="Y_m", unobserved=["H"]
    )
    assert transport_formula(declared).reason == result.reason


def test_bad_arguments() -> None:
    graph = load_graph("graphs/transport_measure_coin.yaml")
    with pytest.raises(CausalAlignError, match="positive finite"):
        transport_formula(graph, costs={"C": 0})
    with pytest.raises(CausalAlignError, match="not a node"):
        transport_formula(graph, measurable=["Nope"])
    with pytest.raises(CausalAlignError, match="E_QUERY_OVERLAP"):
        transport_formula(graph, base="Y_b", mesa=["Y_b"])


def test_error_codes_and_exact_messages() -> None:
    from causal_align.errors import TRANSPORT_CODES as CODES
    from causal_align.errors import TransportError

    graph = load_graph("graphs/transport_measure_coin.yaml")
    cases = [
        (lambda: transport_formula(graph, costs={"C": 0}), "E_TRANSPORT_ARGUMENT",
         "the cost of 'C' must be a positive finite number, not 0"),
        (lambda: transport_formula(graph, measurable=["Nope"]), "E_TRANSPORT_ARGUMENT",
         "measurable node 'Nope' is not a node of 'transport_measure_coin'"),
    ]
    for call, code, message in cases:
        with pytest.raises(TransportError) as caught:
            call()
        assert caught.value.code == code and code in CODES
        assert str(caught.value) == f"{message} [{code}]"
    with pytest.raises(ValueError, match="unknown transport error code"):
        TransportError("E_NOPE", "x")


def test_the_query_is_checked_as_every_layer_checks_it() -> None:
    """One resolution for every layer: the same codes and text as check_inner_alignment."""
    graph = load_graph("graphs/transport_measure_coin.yaml")
    for arguments, code in (({"base": "Y_b", "mesa": ["Y_b"]}, "E_QUERY_OVERLAP"),
                            ({"base": "Q"}, "E_UNKNOWN_NODE")):
        with pytest.raises(GraphSpecError) as transported:
            transport_formula(graph, **arguments)
        with pytest.raises(GraphSpecError) as checked:
            check_inner_alignment(graph, **arguments)
        assert [problem.code for problem in transported.value.problems] == [code]
        assert str(transported.value) == str(checked.value)
