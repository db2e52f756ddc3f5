"""Estimating the transport formula from files, and the transport commands.

Oracles: on the bundled example, the exact deployment value from the stated model; on random
discrete models, large samples give the exact transported value (from inference) within a
tolerance; a continuous Z checked against a linear model's exact conditional mean.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from transport_cases import random_graph, scaled

from causal_align import alignment_gap, joint_distribution, load_model, random_model
from causal_align.cli.main import main
from causal_align.errors import CausalAlignError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.transport.estimate import Samples, estimate_transport, read_samples_file

GRAPH = "graphs/transport_measure_coin.yaml"
SCORES = {"Y_b": {"missed": 0.0, "got": 10.0}}


def _run(*args: str) -> int:
    return main(list(args))


def test_bundled_example_recovers_the_deployment_value() -> None:
    truth = alignment_gap(load_model(GRAPH))
    result = estimate_transport(
        load_graph(GRAPH),
        read_samples_file("examples/transport/train.csv"),
        read_samples_file("examples/transport/deploy_with_outcome.csv"),
        scores=SCORES,
    )
    assert result.measure == ("C",)
    for row, exact in zip(result.rows, truth.rows):
        assert row.label() == exact.label()
        assert row.transported_interval[0] <= exact.deploy <= row.transported_interval[1]
        assert row.naive_interval[0] <= exact.train <= row.naive_interval[1]
        assert (
            not row.naive_interval[0] <= exact.deploy <= row.naive_interval[1]
            or row.label() == "Y_m=0"
        )
    high = result.rows[1]
    assert high.naive - high.transported > 4  # the naive value is far off; transport is not
    only = estimate_transport(
        load_graph(GRAPH),
        read_samples_file("examples/transport/train.csv"),
        read_samples_file("examples/transport/deploy.csv"),
        scores=SCORES,
    )
    assert [row.transported for row in only.rows] == [row.transported for row in result.rows]
    assert all(row.measured is None for row in only.rows)


def _sample(
    model, regime: str, rows: int, generator: np.random.Generator, columns: list[str]
) -> Samples:
    codes = {}
    fixed = model.training if regime == "train" else model.deployment
    for name in model.variables():
        table = model.tables.get(name)
        if table is None:
            codes[name] = np.full(rows, model.states[name].index(fixed[name]))
            continue
        chances = np.broadcast_to(
            table.probabilities[tuple(codes[p] for p in table.given)],
            (rows, len(model.states[name])),
        )
        codes[name] = np.minimum(
            (generator.random(rows)[:, None] >= np.cumsum(chances, axis=1)).sum(axis=1),
            len(model.states[name]) - 1,
        )
    return Samples(
        regime, {name: tuple(np.asarray(model.states[name])[codes[name]]) for name in columns}
    )


def test_large_samples_give_the_exact_transported_value() -> None:
    rng = random.Random(1340)
    generator = np.random.default_rng(1340)
    checked = 0
    while checked < scaled(8, 40):
        graph = random_graph(rng, nodes=rng.randint(3, 5), regimes=1, bidirected=0.0)
        model = random_model(graph, seed=checked, concentration=3.0)
        try:
            train = _sample(model, "train", 40000, generator, [n for n in graph.nodes if n != "s"])
            deploy = _sample(
                model, "deploy", 40000, generator, [n for n in graph.nodes if n != "s"]
            )
            result = estimate_transport(graph, train, deploy, boots=0)
        except CausalAlignError:  # no S-admissible set
            continue
        [base] = sorted(graph.base)
        mesa = sorted(graph.mesa)
        joint = joint_distribution(model, [base, *mesa], {"s": "deploy"})
        exact = np.tensordot(np.asarray(model.values[base]), joint, axes=(0, 0)) / joint.sum(axis=0)
        for row, value in zip(result.rows, exact.flat):
            assert row.transported == pytest.approx(float(value), abs=0.06)
            assert row.measured == pytest.approx(float(value), abs=0.06)
        checked += 1


def test_continuous_measurement_by_regression_within_strata() -> None:
    generator = np.random.default_rng(1341)
    graph = CausalGraph.from_edges(
        ["s -> Z", "Z -> Y_m", "Z -> Y_b", "Y_m -> Y_b"], regime="s", base="Y_b", mesa="Y_m"
    )

    def draw(shift: float, rows: int) -> Samples:
        z = generator.normal(shift, 1.0, rows)
        y_m = (z + generator.normal(0, 1, rows) > 0.5).astype(int)
        y_b = 1.0 + 2.0 * z + 3.0 * y_m + generator.normal(0, 0.5, rows)
        return Samples(
            f"{shift}",
            {
                "Z": tuple(f"{v:.5f}" for v in z),
                "Y_m": tuple(str(v) for v in y_m),
                "Y_b": tuple(f"{v:.5f}" for v in y_b),
            },
        )

    result = estimate_transport(graph, draw(0.0, 20000), draw(1.0, 20000), boots=20)
    assert result.continuous == ("Z",)
    for row in result.rows:
        assert row.transported == pytest.approx(row.measured, abs=0.05)
        assert abs(row.naive - row.measured) > 0.5


def test_estimate_errors() -> None:
    graph = load_graph(GRAPH)
    train = read_samples_file("examples/transport/train.csv")
    deploy = read_samples_file("examples/transport/deploy.csv")
    with pytest.raises(CausalAlignError, match="not a number"):
        estimate_transport(graph, train, deploy)
    with pytest.raises(CausalAlignError, match="not S-admissible"):
        estimate_transport(graph, train, deploy, measure=["O"], scores=SCORES)
    no_z = Samples("d.csv", {"Y_m": deploy.columns["Y_m"]})
    with pytest.raises(CausalAlignError, match="cannot transport with the columns of d.csv"):
        estimate_transport(graph, train, no_z, scores=SCORES)


def test_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        _run(
            "transport",
            GRAPH,
            "--train",
            "examples/transport/train.csv",
            "--deploy",
            "examples/transport/deploy_with_outcome.csv",
            "--boots",
            "20",
            "--format",
            "json",
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["measure"] == ["C"] and len(data["rows"]) == 2
    assert _run("transport", GRAPH, "--measurable", "O") == 1
    assert "not transportable" in capsys.readouterr().out
    assert _run("transport", GRAPH, "--train", "examples/transport/train.csv") == 2
    assert "give both" in capsys.readouterr().err
    assert _run("transport", "graphs/nope.yaml") == 2
    assert (
        _run(
            "transport",
            "graphs/transport_linear_feed.yaml",
            "--train",
            "examples/transport/linear_train.csv",
            "--deploy",
            "examples/transport/linear_deploy.csv",
        )
        == 2
    )
    assert "bin it first" in capsys.readouterr().err
    assert (
        _run(
            "sensitivity",
            "graphs/transport_linear_feed.yaml",
            "--linear",
            "--train",
            "examples/transport/linear_train.csv",
            "--deploy",
            "examples/transport/linear_deploy.csv",
            "--at",
            "Y_m=1",
        )
        == 0
    )
    assert "Topic: p(coefficients)" in capsys.readouterr().out
    assert _run("sigma-rule", "graphs/deceptive_cue.yaml", "--rule", "1") == 1
    assert "rule 1" in capsys.readouterr().out
    assert _run("sigma-rule", "graphs/deceptive_cue.yaml", "--rule", "2", "--after", "D_m") == 2
    assert "TARGET=CONTEXT" in capsys.readouterr().err
    assert _run("sensitivity", GRAPH, "--epsilon", "C=0.02") == 0
    assert "attribution" in capsys.readouterr().out
    assert (
        _run(
            "sensitivity",
            GRAPH,
            "--train",
            "examples/transport/train.csv",
            "--deploy",
            "examples/transport/deploy_with_outcome.csv",
        )
        == 0
    )
    assert "(from the samples)" in capsys.readouterr().out
    assert _run("sensitivity", "graphs/coinrun.yaml") == 2
    assert capsys.readouterr().err.startswith("error: ")
