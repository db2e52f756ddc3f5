"""Simulation over random parametrisations (causal_align.quantities.simulation).

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Case, cases

from causal_align.alignment import check_inner_alignment
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.errors import CausalAlignError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.quantities.simulation import simulate

ROOT = Path(__file__).resolve().parent.parent
SCALE = 5 if os.environ.get("CI") == "true" else 1
PROXY = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s", base="Y_b",
                               mesa="Y_m", name="proxy")


@pytest.mark.parametrize("name", ["aligned_proxy", "reward_tampering_fixed", "sigma_cuts_cue",
                                  "transport_mediator_shift", "tutoring_policy"])
def test_every_draw_of_an_aligned_example_has_no_gap(name: str) -> None:
    result = simulate(load_graph(ROOT / "graphs" / f"{name}.yaml"), draws=100, states=3)
    assert result.aligned and len(result.gaps) == 100
    assert result.largest is not None and result.largest < 1e-9
    assert (result.fraction_above, result.fraction_still_high) == (0.0, 1.0)


@settings(max_examples=40 * SCALE, deadline=None)
@given(case=cases(max_nodes=5), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_the_spread_of_the_gap_follows_the_verdict(case: Case, seed: int) -> None:
    result = simulate(case.graph, draws=10, seed=seed)
    assert result.aligned is check_inner_alignment(case.graph).aligned
    assert result.largest is not None
    assert (result.largest < 1e-9) is result.aligned


def test_the_same_seed_gives_the_same_draws_and_more_draws_extend_them() -> None:
    coinrun = load_graph(ROOT / "graphs" / "coinrun.yaml")
    first = simulate(coinrun, draws=50, seed=4)
    assert simulate(coinrun, draws=50, seed=4).gaps == first.gaps
    assert simulate(coinrun, draws=50, seed=5).gaps != first.gaps
    assert simulate(coinrun, draws=60, seed=4).gaps[:50] == first.gaps  # more draws extend it


def test_the_summary_and_fractions_describe_the_gaps() -> None:
    result = simulate(load_graph(ROOT / "graphs" / "coinrun.yaml"), draws=400, tolerance=0.1)
    gaps = np.asarray(result.gaps)
    summary = result.summary()
    assert summary["mean"] == pytest.approx(gaps.mean())
    assert summary["q50"] == pytest.approx(np.median(gaps))
    ordered = [summary[key] for key in ("min", "q05", "q25", "q50", "q75", "q95", "max")]
    assert ordered == sorted(ordered)  # type: ignore[type-var]
    assert result.fraction_above == pytest.approx(np.mean(np.abs(gaps) > 0.1))
    assert result.fraction_still_high == pytest.approx(np.mean(gaps >= -0.1))
    assert 0 < result.fraction_above < 1 and 0 < result.fraction_still_high < 1
    assert result.largest == pytest.approx(np.abs(gaps).max())


def test_states_and_concentration_reach_the_models() -> None:
    sharp = simulate(PROXY, draws=300, concentration=0.05, states={"Y_b": 3})
    flat = simulate(PROXY, draws=300, concentration=20.0, states={"Y_b": 3})
    assert np.std(sharp.gaps) > 5 * np.std(flat.gaps)  # near-deterministic tables shift more
    assert max(map(abs, sharp.gaps)) > 1.0  # Y_b valued 0, 1, 2: gaps beyond 1 are possible
    assert sharp.to_dict()["states"] == {"Y_b": 3}


def test_draws_without_a_highest_value_are_counted_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every other draw makes Y_m = 1 impossible in deployment, Y_m = 0 in training."""
    counter = iter(range(10**6))

    def sometimes_deterministic(graph: CausalGraph, **options: object) -> DiscreteModel:
        model = random_model(graph, **options)  # type: ignore[arg-type]
        if next(counter) % 2:
            return model
        never_both = np.array([[[1.0, 0.0], [0.0, 1.0]]] * 2)  # axes C, s, Y_m
        return model.with_tables({"Y_m": Table("Y_m", ("C", "s"), never_both)})

    graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "s -> Y_m", "C -> Y_b"], regime="s",
                                   base="Y_b", mesa="Y_m")
    # the module, not the function the package may export under the same name
    monkeypatch.setattr(sys.modules["causal_align.quantities.simulation"], "random_model",
                        sometimes_deterministic)
    result = simulate(graph, draws=10)
    assert (result.undefined, len(result.gaps)) == (5, 5)
    assert str(result).endswith("5 draws left out: no value of Y_m happens in both regimes")


@pytest.mark.parametrize(("options", "message"), [
    ({"draws": 0}, "draws must be a whole number >= 1, found 0"),
    ({"seed": -1}, "seed must be a whole number >= 0, found -1"),
    ({"tolerance": -0.1}, "tolerance must be a finite number >= 0, found -0.1"),
    ({"tolerance": float("nan")}, "tolerance must be a finite number >= 0, found nan"),
    ({"concentration": 0.0}, "concentration must be a finite number > 0, found 0.0"),
    ({"states": 1}, "every variable needs at least 2 states, found 1"),
    ({"states": {"C": 1}, "draws": True},
     "draws must be a whole number >= 1, found True; every variable needs at least 2 states, "
     "found 1"),
])
def test_bad_numbers_are_clear_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(CausalAlignError) as error:
        simulate(PROXY, **options)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_to_dict_is_stable_and_json_ready() -> None:
    result = simulate(PROXY, draws=20, seed=3)
    data = result.to_dict()
    assert list(data) == ["graph", "base", "mesa", "regime", "aligned", "draws", "seed",
                          "tolerance", "states", "concentration", "counted", "undefined", "gap",
                          "largest", "fraction_above", "fraction_still_high"]
    assert list(data["gap"]) == ["mean", "std", "min", "q05", "q25", "q50", "q75", "q95", "max"]
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data == simulate(PROXY, draws=20, seed=3).to_dict()


def test_the_text_names_the_verdict_the_spread_and_the_fractions() -> None:
    lines = str(simulate(PROXY, draws=20, seed=3, tolerance=0.02)).splitlines()
    assert lines[0] == ("simulation of proxy (not aligned): gap at the highest Y_m over 20 random "
                        "models (Dirichlet tables, concentration 1, seed 3)")
    assert lines[1].split() == ["mean", "std", "min", "5%", "25%", "median", "75%", "95%", "max"]
    assert len(lines[2].split()) == 9
    assert lines[3].startswith("|gap| > 0.02: ") and lines[3].endswith("% of draws")
    assert lines[4].startswith("still high (deployment ≥ training − 0.02 at the highest Y_m): ")


def test_progress_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    simulate(PROXY, draws=30, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "simulate" in err and "30/30" in err


def test_without_tqdm_a_progress_bar_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(CausalAlignError) as error:
        simulate(PROXY, draws=2, progress=True)
    assert str(error.value) == ("a progress bar needs tqdm, part of the quantities extra: "
                                "pip install 'causal_align[quantities]'")
    assert simulate(PROXY, draws=2).gaps  # no bar, no tqdm needed


def test_a_model_source_keeps_its_states_and_utilities() -> None:
    graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    model = random_model(graph, seed=0, states={"C": 3})
    tenfold = DiscreteModel(graph, model.states, model.tables, model.latents,
                            {**model.values, "Y_b": (0.0, 10.0)}, model.training,
                            model.deployment)
    plain, scaled = simulate(model, draws=50, seed=2), simulate(tenfold, draws=50, seed=2)
    assert len(plain.gaps) == 50 and plain.largest is not None and plain.largest > 0
    assert scaled.gaps == pytest.approx([10 * gap for gap in plain.gaps], abs=1e-12)
    assert isinstance(plain.states, tuple) and dict(plain.states)["C"] == 3


def test_a_mesa_objective_without_numbers_is_refused_before_drawing() -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    model = random_model(graph, seed=0)
    wordless = DiscreteModel(graph, {**model.states, "Y_m": ("lo", "hi")}, model.tables,
                             model.latents, {"Y_b": model.values["Y_b"]}, model.training,
                             model.deployment)
    with pytest.raises(CausalAlignError, match="^the mesa objective 'Y_m' has no numbers"):
        simulate(wordless, draws=5)


def test_tables_too_large_to_draw_are_refused() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C", "A -> C"], regime="s",
                                   base="C", mesa="B")
    with pytest.raises(CausalAlignError, match=r"^the table of 'B' would hold 10,000,000,000 "):
        simulate(graph, states={"A": 100_000, "B": 100_000, "C": 100_000}, draws=1)
