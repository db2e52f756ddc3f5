"""Linear-Gaussian models: exact gap, closed-form sensitivities, and the per-regime fit.

Oracles: every closed form against recomputing the model from scratch with the parameter moved;
the variance derivative against a central difference; a zero mean-shift sensitivity against
d-separation of a fresh indicator (networkx, graph built here), on hundreds of random models;
the fit against the parameters the samples were drawn from.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from transport_cases import expanded_sigma, random_graph, scaled, separated

from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.intervention import sigma_graph
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.transport.estimate import Samples
from causal_align.transport.linear_gaussian import (
    LinearGaussianModel,
    fit_linear_gaussian,
    linear_gaussian_model,
)


def random_linear(rng: random.Random, graph: CausalGraph) -> LinearGaussianModel:
    g_sigma = sigma_graph(graph)
    shifted = {child for node in graph.regime for child in g_sigma.children(node)}
    nodes = [node for node in graph.nodes if node not in graph.regime]

    def value(node: str, low: float, high: float) -> float | tuple[float, float]:
        first = rng.uniform(low, high)
        return (first, rng.uniform(low, high)) if node in shifted else first

    coefficients = {
        f"{parent} -> {node}": value(node, -1.5, 1.5)
        for node in nodes
        for parent in g_sigma.parents(node)
        if parent not in graph.regime
    }
    covariances = {}
    for node in nodes:
        for spouse in g_sigma.spouses(node):
            if node < spouse:
                covariances[f"{node} <-> {spouse}"] = rng.uniform(-0.3, 0.3)
    return linear_gaussian_model(
        graph,
        coefficients=coefficients,
        intercepts={node: value(node, -1, 1) for node in nodes},
        variances={node: value(node, 0.5, 2.0) for node in nodes},
        covariances=covariances,
    )


def _models(seed: int, count: int):
    rng = random.Random(seed)
    made = 0
    while made < count:
        graph = random_graph(rng, nodes=rng.randint(3, 7), regimes=1, shifted=3)
        try:
            model = random_linear(rng, graph)
        except CausalAlignError:  # a noise covariance that is not positive definite
            continue
        made += 1
        yield rng, graph, model


def test_zero_sensitivity_is_d_separation() -> None:
    zeros = nonzeros = 0
    for rng, graph, model in _models(1330, scaled(300, 2000)):
        expanded = expanded_sigma(graph)
        y = {node: rng.uniform(-2, 2) for node in model.mesa}
        for row in model.sensitivities(y, regime=rng.choice(["train", "deploy"])):
            oracle = expanded.copy()
            oracle.add_edge("[i]", row.node)
            connected = not separated(oracle, {"[i]"}, model.base, {*model.mesa, "s"})
            assert (abs(row.mean) > 1e-9) == connected, (graph.edges, row)
            if not connected:
                assert abs(row.variance) <= 1e-9
            zeros += not connected
            nonzeros += connected
        if separated(expanded, {"s"}, model.base, model.mesa):
            assert model.gap(y) == pytest.approx(0, abs=1e-9)
    assert zeros > 100 and nonzeros > 100


def test_closed_forms_equal_recomputation() -> None:
    for rng, graph, model in _models(1331, scaled(150, 1000)):
        regime = rng.choice(["train", "deploy"])
        y = {node: rng.uniform(-2, 2) for node in model.mesa}
        before = model.expectation(regime, y)
        node = rng.choice(model.train.order)
        delta = rng.uniform(-1, 1)
        moved = model.with_parameters(regime, node=node, intercept=delta)
        assert model.mean_shift(node, delta, y, regime) == pytest.approx(
            moved.expectation(regime, y) - before, abs=1e-9
        )
        grow = rng.uniform(0, 2)
        moved = model.with_parameters(regime, node=node, variance=grow)
        assert model.variance_shift(node, grow, y, regime) == pytest.approx(
            moved.expectation(regime, y) - before, abs=1e-9
        )
        step = 1e-5
        up = model.with_parameters(regime, node=node, variance=step).expectation(regime, y)
        down = model.with_parameters(regime, node=node, variance=-step).expectation(regime, y)
        derivative = {row.node: row.variance for row in model.sensitivities(y, regime)}[node]
        assert derivative == pytest.approx((up - down) / (2 * step), abs=1e-6)
        g_sigma = sigma_graph(graph)
        edges = [
            f"{p} -> {c}"
            for c in model.train.order
            for p in g_sigma.parents(c)
            if p not in graph.regime
        ]
        if edges:
            edge = rng.choice(edges)
            change = rng.uniform(-1, 1)
            moved = model.with_parameters(regime, node=node, edge=edge, coefficient=change)
            assert model.coefficient_shift(edge, change, y, regime) == pytest.approx(
                moved.expectation(regime, y) - before, abs=1e-8
            )


def _draw(
    model: LinearGaussianModel, regime: str, rows: int, generator: np.random.Generator
) -> Samples:
    part = model.regime(regime)
    noise = generator.multivariate_normal(np.zeros(len(part.order)), part.noise, size=rows)
    total, _, _ = part.moments()
    values = (noise + part.intercepts) @ total.T
    return Samples(
        regime, {node: tuple(f"{v:.6f}" for v in values[:, i]) for i, node in enumerate(part.order)}
    )


def test_fit_recovers_parameters_and_finds_the_shift() -> None:
    graph = CausalGraph.from_edges(
        ["s -> C", "C -> O", "O -> D_m", "D_m -> Y_m", "C -> Y_b", "D_m -> Y_b"],
        regime="s",
        base="Y_b",
        mesa="Y_m",
    )
    truth = linear_gaussian_model(
        graph,
        coefficients={
            "C -> O": 1.0,
            "O -> D_m": 0.8,
            "D_m -> Y_m": 1.0,
            "C -> Y_b": 2.0,
            "D_m -> Y_b": 0.5,
        },
        intercepts={"C": (0.0, 1.5)},
        variances={"C": (1.0, 2.0)},
    )
    generator = np.random.default_rng(1332)
    fit = fit_linear_gaussian(
        graph, _draw(truth, "train", 20000, generator), _draw(truth, "deploy", 20000, generator)
    )
    changed = {test.node for test in fit.tests if test.changed}
    assert changed == {"C"}
    y = {"Y_m": 1.0}
    assert fit.model.gap(y) == pytest.approx(truth.gap(y), abs=0.1)
    assert "C: p(coefficients)" in str(fit)


def test_errors() -> None:
    graph = CausalGraph.from_edges(
        ["s -> C", "C -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b", mesa="Y_m"
    )
    with pytest.raises(CausalAlignError, match="no regime node points at 'Y_b'"):
        linear_gaussian_model(graph, intercepts={"Y_b": (0.0, 1.0)})
    with pytest.raises(CausalAlignError, match="not a directed edge of G_σ"):
        linear_gaussian_model(graph, coefficients={"C -> Y_b": 1.0})
    with pytest.raises(CausalAlignError, match="must be positive"):
        linear_gaussian_model(graph, variances={"C": 0.0})
    confounded = CausalGraph.from_edges(
        ["s -> C", "C -> Y_m", "Y_m <-> Y_b"], regime="s", base="Y_b", mesa="Y_m"
    )
    with pytest.raises(CausalAlignError, match="positive definite"):
        linear_gaussian_model(confounded, covariances={"Y_m <-> Y_b": 5.0})
    empty = Samples("x", {})
    with pytest.raises(CausalAlignError, match="<-> edges"):
        fit_linear_gaussian(confounded, empty, empty)


def test_a_graph_files_linear_model_section_is_the_model_the_samples_come_from(
        tmp_path: Path) -> None:
    """graphs/transport_linear_feed.yaml states the parameters make_samples.py draws from."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_samples",
                                                  "examples/transport/make_samples.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    from causal_align.transport.linear_gaussian import load_linear_model

    filed = load_linear_model("graphs/transport_linear_feed.yaml")
    drawn = linear_gaussian_model(load_graph("graphs/transport_linear_feed.yaml"),
                                  **script.LINEAR)
    for y in (None, {"Y_m": -1.0}, {"Y_m": 2.5}):
        assert filed.gap(y) == pytest.approx(drawn.gap(y), abs=1e-12)
    broken = tmp_path / "g.yaml"
    broken.write_text(Path("graphs/transport_linear_feed.yaml").read_text(encoding="utf-8")
                      .replace("Y_b: 2.0}", "Y_b: [1.0, 2.0, 3.0]}"), encoding="utf-8")
    with pytest.raises(GraphSpecError) as info:
        load_linear_model(broken)
    [problem] = info.value.problems
    assert (problem.code, problem.location) == ("E_LINEAR_MODEL", "linear_model.intercepts")
    assert problem.line is not None and "found 3 numbers" in problem.message


def test_sensitivity_reads_the_files_linear_model(capsys: pytest.CaptureFixture[str]) -> None:
    from causal_align.cli.main import main

    assert main(["sensitivity", "graphs/transport_linear_feed.yaml", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    from causal_align.transport.linear_gaussian import load_linear_model

    assert data["gap"] == pytest.approx(load_linear_model(
        "graphs/transport_linear_feed.yaml").gap(), abs=1e-12)
