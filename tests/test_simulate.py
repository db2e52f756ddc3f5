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
from work import bounded_calls

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.gap import alignment_gap
from causal_align.quantities.simulation import relevant_model, relevant_part, simulate

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
                          "largest", "fraction_above", "fraction_still_high", "left_out"]
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


# ---------------------------------------------------------------- the relevant part


def _sigma_oracle(graph: CausalGraph) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """G_σ's parents and spouses, rebuilt from the definition (DESIGN §2), not from the engine."""
    parents: dict[str, set[str]] = {node: set() for node in graph.nodes}
    spouses: dict[str, set[str]] = {node: set() for node in graph.nodes}
    for edge in graph.edges:
        if edge.bidirected:
            spouses[edge.tail].add(edge.head)
            spouses[edge.head].add(edge.tail)
        else:
            parents[edge.head].add(edge.tail)
    for item in graph.sigma:
        context = set(parents[item.target]) if item.context is None else set(item.context)
        parents[item.target] = context
        for spouse in spouses.pop(item.target):
            spouses[spouse].discard(item.target)
        spouses[item.target] = set()
    return parents, spouses


def _asked(case: Case) -> list[str]:
    return sorted(case.base | case.mesa | case.regime)


@settings(max_examples=60 * SCALE, deadline=None)
@given(case=cases(max_nodes=6), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_the_relevant_part_is_the_ancestral_set_and_keeps_every_gap(case: Case,
                                                                     seed: int) -> None:
    parents, spouses = _sigma_oracle(case.graph)
    relevant = set(_asked(case))
    while True:  # ancestors by a fixpoint, not by a walk
        grown = relevant | {parent for node in relevant for parent in parents[node]}
        if grown == relevant:
            break
        relevant = grown
    stubs = {spouse for node in relevant for spouse in spouses[node]} - relevant
    part = relevant_part(case.graph, _asked(case))
    assert part.nodes == tuple(node for node in case.graph.nodes if node in relevant | stubs)
    assert all(not part.parents(stub) for stub in stubs)
    model = random_model(case.graph, seed=seed, states=3)
    small = relevant_model(model, _asked(case))
    query = {"base": sorted(case.base), "mesa": sorted(case.mesa), "regime": sorted(case.regime)}
    assert alignment_gap(small, **query).rows == alignment_gap(model, **query).rows
    # a random model of the part draws the same tables, shaped alike, as one of the whole graph
    drawn = random_model(part, seed=seed, states=3)

    def shapes(each: DiscreteModel) -> tuple[dict[str, object], list[object]]:
        """The relevant nodes' tables by name; the latents they read by shape (each model
        numbers its own latents)."""
        read = {name for node in relevant for name in each.given(node)}
        return ({node: each.tables[node].probabilities.shape for node in relevant
                 if node not in case.graph.regime},
                sorted(each.tables[latent].probabilities.shape for latent in each.latents
                       if latent in read))

    assert shapes(small) == shapes(drawn)


def _with_a_reader(graph: CausalGraph, parents: int) -> CausalGraph:
    """``graph`` plus a node ``Log`` that reads Y_b, Y_m and ``parents`` new root nodes."""
    extra = [f"P{index}" for index in range(parents)]
    return CausalGraph([*graph.nodes, *extra, "Log"],
                       [*graph.edges, "Y_b -> Log", "Y_m -> Log",
                        *(f"{name} -> Log" for name in extra)],
                       regime=sorted(graph.regime), sigma=graph.sigma, base=sorted(graph.base),
                       mesa=sorted(graph.mesa), name=graph.name)


def test_a_node_nothing_relevant_reads_changes_no_seeded_draw() -> None:
    coinrun = load_graph(ROOT / "graphs" / "coinrun.yaml")
    wide = _with_a_reader(coinrun, 18)
    plain, extended = simulate(coinrun, draws=30, seed=7), simulate(wide, draws=30, seed=7)
    assert extended.gaps == plain.gaps and plain.left_out == ()
    assert extended.left_out == (*(f"P{index}" for index in range(18)), "Log")
    assert extended.to_dict()["left_out"] == list(extended.left_out)
    assert str(extended).splitlines()[-1] == (
        "not drawn: P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, … (19 nodes) (no ancestor of Y_b, "
        "Y_m or the regime in G_σ: the gap does not depend on their tables)")
    like = random_model(wide, seed=1)
    assert simulate(like, draws=10, seed=2).left_out == extended.left_out


def test_the_work_of_a_draw_does_not_grow_with_an_irrelevant_node_s_parents(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the restriction, 18 parents made every draw fill a table of 2^19 numbers."""
    module = sys.modules["causal_align.quantities.simulation"]
    cells: list[int] = []

    def counting(graph: CausalGraph, **options: object) -> DiscreteModel:
        model = random_model(graph, **options)  # type: ignore[arg-type]
        cells.append(sum(table.probabilities.size for table in model.tables.values()))
        return model

    monkeypatch.setattr(module, "random_model", counting)
    few, many = _with_a_reader(PROXY, 1), _with_a_reader(PROXY, 18)
    with bounded_calls(10**7) as baseline:
        simulate(few, draws=40)
    narrow = cells[:]
    cells.clear()
    with bounded_calls(int(baseline.calls * 1.05)):
        simulate(many, draws=40)
    assert cells == narrow  # the same tables, cell for cell


def test_a_spouse_outside_the_part_stays_as_a_stub_and_the_gap_keeps_its_distribution() -> None:
    """C <-> Cue: the latent cause is drawn, Cue's parents are not. The old way (the whole
    graph drawn) and the new one give the same distribution of gaps."""
    from scipy.stats import ks_2samp

    graph = CausalGraph.from_edges(
        ["s -> C", "C -> Y_m", "C -> Y_b", "C <-> Cue", "A -> Cue", "B -> Cue", "Cue -> Y_b2"],
        regime="s", base="Y_b", mesa="Y_m")
    result = simulate(graph, draws=400, seed=11)
    assert result.left_out == ("A", "B", "Y_b2")
    whole = [alignment_gap(random_model(graph, seed=seed)).highest.gap  # type: ignore[union-attr]
             for seed in range(400)]
    assert ks_2samp(result.gaps, whole).pvalue > 0.01


CLIQUE = """\
name: clique
nodes: {s: regime, C: coin, Y_m: mesa, Y_b: base, A: a, B: b, P: a parent of A}
edges: [s -> C, C -> Y_m, C -> Y_b, P -> A, C <-> A, C <-> B, A <-> B]
regime: s
query: {base: Y_b, mesa: Y_m}
model:
  regime:
    s: {states: [train, deploy], train: train, deploy: deploy}
  latents:
    U: {children: [C, A, B], states: [x, y], table: [0.3, 0.7]}
  nodes:
    P: {states: ['0', '1'], table: [0.5, 0.5]}
    C:
      states: ['0', '1']
      given: [s, U]
      table: {'train, x': [0.2, 0.8], 'train, y': [0.5, 0.5], 'deploy, x': [0.9, 0.1],
              'deploy, y': [0.4, 0.6]}
    Y_m: {states: ['0', '1'], given: C, table: {'0': [0.2, 0.8], '1': [0.7, 0.3]}}
    Y_b: {states: ['0', '1'], given: C, table: {'0': [0.1, 0.9], '1': [0.6, 0.4]}}
    A:
      states: ['0', '1']
      given: [P, U]
      table: {'0, x': [0.2, 0.8], '0, y': [0.5, 0.5], '1, x': [0.9, 0.1], '1, y': [0.4, 0.6]}
    B: {states: ['0', '1'], given: U, table: {x: [0.2, 0.8], y: [0.5, 0.5]}}
"""


def test_a_model_whose_latent_covers_a_clique_keeps_it_and_its_gap() -> None:
    from causal_align.quantities.parameters import parse_model

    model = parse_model(CLIQUE)
    small = relevant_model(model, ["Y_b", "Y_m", "s"])
    assert small.graph.nodes == ("s", "C", "Y_m", "Y_b", "A", "B")
    assert dict(small.latents) == {"U": ("C", "A", "B")}
    assert small.tables["A"].given == ("U",)  # a stub: P is left out
    query = {"base": "Y_b", "mesa": "Y_m"}
    assert alignment_gap(small, **query).rows == alignment_gap(model, **query).rows
    result = simulate(model, draws=20, seed=1)
    assert result.left_out == ("P",) and len(result.gaps) == 20


def test_the_relevant_part_of_unknown_nodes_is_an_error() -> None:
    with pytest.raises(GraphSpecError) as caught:
        relevant_part(PROXY, ["Y_b", "Yb"])
    assert [str(problem) for problem in caught.value.problems] == [
        "<query on proxy>: unknown node 'Yb' (it is not a node of proxy) [E_UNKNOWN_NODE]"]
