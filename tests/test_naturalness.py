"""XE-naturalness: the worked examples against hand computation, estimates converging to the
exact value, an oracle that multiplies out the whole σ-model, laws, zero probabilities, errors.

The worked examples are the grue models of ``examples/naturalness/make_data.py`` (loaded from
the file, so the bundled CSVs are checked against the script that wrote them). With
L = log 4 they give, by hand (see docs/naturalness.md):

- Green for Late given E: log odds ratio L in every stratum, variance 0;
- Grue = Late XOR Green: -L, L, -L under the green, blue and clock hints, weighted 0.4, 0.4,
  0.2 in training: mean -0.2 L, variance L² - 0.04 L² = 0.96 L²; in deployment (0.1, 0.1, 0.8)
  0.36 L²;
- with the riddle (weight 0.01, log odds ratio -2 L for Green): Green 0.01 · 0.99 · (3 L)²
  = 0.0891 L², Grue (-L, L, -L, 0) with weights (0.395, 0.395, 0.2, 0.01): 0.99 L² - 0.04 L²
  = 0.95 L².

Set the environment variable ``CI=true`` for five times as many random models.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import cases

from causal_align.errors import GraphSpecError, NaturalnessError
from causal_align.intervention import sigma_graph
from causal_align.limits import Limits
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.naturalness import MAX_CATEGORIES, Naturalness, xe_naturalness
from causal_align.separation import is_separated

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "naturalness"
SCALE = 5 if os.environ.get("CI") == "true" else 1
L = math.log(4)
HELD_AT_TRAIN = ("regime node s is held at its training state train, the default (hold it "
                 "elsewhere with given, or make it evidence to weigh both regimes)")


def problems(error: GraphSpecError) -> list[str]:
    """Each problem of ``error`` as the command line prints it."""
    return [str(problem) for problem in error.problems]


def _load_make_data() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_data", EXAMPLES / "make_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_data = _load_make_data()
COLOURS = make_data.colours()
RIDDLE = make_data.colours(riddle=True)


# oracle -----------------------------------------------------------------------------------------

def brute_joint(model: DiscreteModel, names: tuple[str, ...],
                fixed: dict[str, str]) -> np.ndarray:
    """P(names | fixed) by multiplying every table of the σ-model into one big array."""
    everything = model.variables()
    letters = {name: chr(ord("a") + index) for index, name in enumerate(everything)}
    operands, scripts = [], []
    for name in everything:
        table = model.tables.get(name)
        if table is None:  # a regime node: uniform, or an indicator of its fixed state
            weights = np.ones(len(model.states[name]))
            operands.append(weights / weights.sum())
            scripts.append(letters[name])
        else:
            operands.append(table.probabilities)
            scripts.append("".join(letters[n] for n in (*table.given, name)))
    for name, state in fixed.items():
        indicator = np.zeros(len(model.states[name]))
        indicator[model.states[name].index(state)] = 1.0
        operands.append(indicator)
        scripts.append(letters[name])
    joint = np.einsum(",".join(scripts) + "->" + "".join(letters[n] for n in names), *operands)
    return joint / joint.sum()


def oracle_variances(joint: np.ndarray) -> dict[tuple[int, int, int, int], float]:
    """From P(E, X, Z) (E flattened first): the variance over E of every log odds ratio."""
    weights = joint.sum(axis=(1, 2))
    result = {}
    for l, m in itertools.combinations(range(joint.shape[1]), 2):
        for j, k in itertools.combinations(range(joint.shape[2]), 2):
            ratios = [math.log(p[l, j] * p[m, k] / (p[l, k] * p[m, j])) for p in joint]
            mean = sum(w * r for w, r in zip(weights, ratios))
            result[l, m, j, k] = sum(w * (r - mean) ** 2 for w, r in zip(weights, ratios))
    return result


def grue_model(p_green: float = 0.5) -> DiscreteModel:
    """s -> E -> X, Green (independent given E); Z = X XOR Green; E binary."""
    graph = CausalGraph.from_edges(["s -> E", "E -> X", "E -> Green", "X -> Z", "Green -> Z"],
                                   regime="s")
    xor = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]])
    tables = {"E": Table("E", ("s",), np.array([[0.5, 0.5], [0.5, 0.5]])),
              "X": Table("X", ("E",), np.array([[0.3, 0.7], [0.6, 0.4]])),
              "Green": Table("Green", ("E",), np.array([[1 - p_green, p_green], [0.9, 0.1]])),
              "Z": Table("Z", ("Green", "X"), xor)}
    states = {node: ("0", "1") for node in ("E", "X", "Green", "Z")}
    return DiscreteModel(graph, {**states, "s": ("train", "deploy")}, tables,
                         training={"s": "train"})


# the worked examples, exactly -------------------------------------------------------------------

def test_green_is_natural_its_odds_ratio_is_four_under_every_hint() -> None:
    result = xe_naturalness(COLOURS, x="Late", z="Green", evidence="E")
    [pair] = result.pairs
    assert pair.log_odds_ratios == pytest.approx([L, L, L], abs=1e-12)
    assert result.value == pair.variance
    assert result.value is not None and result.value < 1e-24
    assert [stratum.evidence for stratum in result.strata] == [("green",), ("blue",), ("clock",)]
    assert [stratum.weight for stratum in result.strata] == pytest.approx([0.4, 0.4, 0.2])


def test_grue_flips_its_odds_ratio_with_the_hint() -> None:
    result = xe_naturalness(COLOURS, x="Late", z="Grue", evidence=["E"])
    assert result.pairs[0].log_odds_ratios == pytest.approx([-L, L, -L], rel=1e-12)
    assert result.value == pytest.approx(0.96 * L**2, rel=1e-12)
    assert result.given == (("s", "train"),)


def test_naturalness_depends_on_the_evidence_we_expect() -> None:
    deploy = xe_naturalness(COLOURS, x="Late", z="Grue", evidence="E", given={"s": "deploy"})
    assert deploy.value == pytest.approx(0.36 * L**2, rel=1e-12)
    natural = xe_naturalness(COLOURS, x="Late", z="Green", evidence="E", given={"s": "deploy"})
    assert natural.value is not None and natural.value < 1e-24


def test_the_riddle_makes_green_almost_natural() -> None:
    green = xe_naturalness(RIDDLE, x="Late", z="Green", evidence="E")
    assert green.pairs[0].log_odds_ratios == pytest.approx([L, L, L, -2 * L], rel=1e-12)
    assert green.value == pytest.approx(0.0891 * L**2, rel=1e-12)
    grue = xe_naturalness(RIDDLE, x="Late", z="Grue", evidence="E")
    assert grue.value == pytest.approx(0.95 * L**2, rel=1e-12)
    assert 0 < green.value < grue.value / 10


def test_a_regime_node_in_the_evidence_weighs_its_states_equally() -> None:
    result = xe_naturalness(COLOURS, x="Late", z="Grue", evidence=["E", "s"])
    weights = {stratum.evidence: stratum.weight for stratum in result.strata}
    assert weights[("clock", "deploy")] == pytest.approx(0.4)
    assert weights[("green", "train")] == pytest.approx(0.2)
    # six strata, log odds ratios -L, L, -L by hint: mean -0.5 L, second moment L²
    assert result.value == pytest.approx(0.75 * L**2, rel=1e-12)
    assert result.given == ()
    assert "regime node s is evidence: its states are weighted equally" in result.notes


def test_exact_values_agree_with_pgmpy_on_the_lead_s_network() -> None:
    from pgmpy.inference import VariableElimination

    factor = VariableElimination(RIDDLE.network()).query(
        ["E", "Late", "Green"], evidence={"s": "train"}, joint=True, show_progress=False)
    joint = factor.values.transpose([factor.variables.index(n) for n in ("E", "Late", "Green")])
    expected = oracle_variances(joint)[0, 1, 0, 1]
    result = xe_naturalness(RIDDLE, x="Late", z="Green", evidence="E")
    assert result.value == pytest.approx(expected, rel=1e-9)


# estimates from samples -------------------------------------------------------------------------

def test_the_bundled_tables_are_what_the_script_writes() -> None:
    for name, model, seed in (("colours.csv", COLOURS, make_data.SEED),
                              ("colours_riddle.csv", RIDDLE, make_data.SEED + 1)):
        path = EXAMPLES / name
        assert path.read_text(encoding="utf-8") == make_data.table_text(model, seed)
        assert path.stat().st_size < 100_000


@pytest.mark.parametrize(("model", "z"), [(COLOURS, "Green"), (COLOURS, "Grue"),
                                          (RIDDLE, "Green"), (RIDDLE, "Grue")])
def test_estimates_converge_to_the_exact_value(model: DiscreteModel, z: str) -> None:
    exact = xe_naturalness(model, x="Late", z=z, evidence="E").value
    assert exact is not None
    errors = []
    for rows, seed in ((2_000, 1), (400_000, 2)):
        samples = pd.DataFrame(make_data.sample(model, rows, "train",
                                                np.random.default_rng(seed)))
        estimate = xe_naturalness(samples, x="Late", z=z, evidence="E").value
        assert estimate is not None
        errors.append(abs(estimate - exact))
    assert errors[1] < 0.03  # about 4 standard errors for the riddle's 4,000 rows
    assert errors[1] < errors[0] or errors[0] < 0.03


def test_counts_in_exact_proportion_reproduce_the_exact_value() -> None:
    """Rows in the proportions of P(E, Late, Grue), no pseudocount. Every probability of the
    riddle model is a multiple of 1e-5, so 100,000 rows hold them exactly."""
    joint = brute_joint(RIDDLE, ("E", "Late", "Grue"), {"s": "train"})
    cells = list(itertools.product(RIDDLE.states["E"], "01", "01"))
    counts = np.rint(joint.reshape(-1) * 100_000).astype(int)
    samples = pd.DataFrame(np.repeat(np.array(cells), counts, axis=0),
                           columns=["E", "Late", "Grue"])
    estimate = xe_naturalness(samples, x="Late", z="Grue", evidence="E", pseudocount=0)
    assert estimate.value == pytest.approx(0.95 * L**2, rel=1e-9)
    assert estimate.samples == 100_000 and estimate.pseudocount == 0


def test_the_pseudocount_is_added_to_every_cell_of_every_stratum() -> None:
    samples = pd.DataFrame({"E": ["a"] * 4 + ["b"] * 2, "X": ["0", "1", "2", "0", "0", "1"],
                            "Z": ["0", "0", "1", "1", "0", "1"]})
    result = xe_naturalness(samples, x="X", z="Z", evidence="E", pseudocount=2)
    # stratum a: counts [[1, 1], [1, 0], [0, 1]] + 2; stratum b: [[1, 0], [0, 1], [0, 0]] + 2
    a = np.log(np.array([[3, 3], [3, 2], [2, 3]]))
    b = np.log(np.array([[3, 2], [2, 3], [2, 2]]))
    assert [(pair.x, pair.z) for pair in result.pairs] == [
        (("0", "1"), ("0", "1")), (("0", "2"), ("0", "1")), (("1", "2"), ("0", "1"))]
    for pair, (l, m) in zip(result.pairs, [(0, 1), (0, 2), (1, 2)]):
        ratios = [t[l, 0] + t[m, 1] - t[l, 1] - t[m, 0] for t in (a, b)]
        mean = (4 * ratios[0] + 2 * ratios[1]) / 6
        expected = (4 * (ratios[0] - mean) ** 2 + 2 * (ratios[1] - mean) ** 2) / 6
        assert pair.log_odds_ratios == pytest.approx(ratios)
        assert pair.variance == pytest.approx(expected)
    assert [stratum.samples for stratum in result.strata] == [4, 2]


def test_given_keeps_only_the_matching_rows() -> None:
    path = EXAMPLES / "colours.csv"
    filtered = xe_naturalness(path, x="Late", z="Grue", evidence="E", given={"s": "deploy"})
    frame = pd.read_csv(path, dtype=str)
    by_hand = xe_naturalness(frame[frame["s"] == "deploy"], x="Late", z="Grue", evidence="E")
    assert filtered.value == by_hand.value and filtered.samples == by_hand.samples == 1500
    assert filtered.given == (("s", "deploy"),) and by_hand.given == ()


def test_breslow_day_sees_grue_and_not_green_in_the_bundled_samples() -> None:
    from statsmodels.stats.contingency_tables import StratifiedTable

    path = EXAMPLES / "colours.csv"
    frame = pd.read_csv(path, dtype=str)
    frame = frame[frame["s"] == "train"]
    for z in ("Green", "Grue"):
        result = xe_naturalness(path, x="Late", z=z, evidence="E", given={"s": "train"})
        tables = [pd.crosstab(group["Late"], group[z]).to_numpy()
                  for _, group in frame.groupby("E")]
        direct = StratifiedTable(tables).test_equal_odds()
        assert result.test is not None
        assert result.test.statistic == pytest.approx(direct.statistic)
        assert result.test.p_value == pytest.approx(direct.pvalue)
        assert result.test.degrees_of_freedom == 2
    green = xe_naturalness(path, x="Late", z="Green", evidence="E", given={"s": "train"})
    grue = xe_naturalness(path, x="Late", z="Grue", evidence="E", given={"s": "train"})
    assert green.test is not None and green.test.p_value > 0.05
    assert grue.test is not None and grue.test.p_value < 1e-6


def test_breslow_day_leaves_out_strata_without_an_odds_ratio() -> None:
    samples = pd.DataFrame({"E": list("aaaabbbbcc"), "X": list("0011001100"),
                            "Z": list("0101001101")})
    result = xe_naturalness(samples, x="X", z="Z", evidence="E")
    assert result.test is not None and result.test.degrees_of_freedom == 1
    assert result.notes[0] == ("strata where X or Z takes one value carry no odds ratio: the "
                               "test leaves out 1 of 3 strata")


def test_no_breslow_day_test_without_binary_data() -> None:
    exact = xe_naturalness(COLOURS, x="Late", z="Green", evidence="E")
    assert exact.test is None
    assert exact.notes == (HELD_AT_TRAIN,
                           "no test of homogeneity: the model gives the variance exactly")
    samples = pd.DataFrame({"E": list("aabb"), "X": list("0120"), "Z": list("0101")})
    result = xe_naturalness(samples, x="X", z="Z", evidence="E")
    assert result.test is None
    assert result.notes == ("no Breslow–Day test: it needs binary X and Z, here 3 × 2 values",)


# the n-valued measure and laws ------------------------------------------------------------------

def log_linear_model(interaction: np.ndarray, seed: int) -> DiscreteModel:
    """E -> X, (E, X) -> Z with log P(z | x, e) = b_e(z) + interaction[x, z] + const."""
    generator = np.random.default_rng(seed)
    nx, nz = interaction.shape[-2:]
    graph = CausalGraph.from_edges(["s -> E", "E -> X", "E -> Z", "X -> Z"], regime="s")
    main = generator.normal(size=(3, 1, nz))
    logits = main + interaction  # a 3-d interaction varies with E
    z_table = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    states = {"s": ("train", "deploy"), "E": ("e0", "e1", "e2"),
              "X": tuple(f"x{i}" for i in range(nx)), "Z": tuple(f"z{i}" for i in range(nz))}
    tables = {"E": Table("E", ("s",), generator.dirichlet(np.ones(3), size=2)),
              "X": Table("X", ("E",), generator.dirichlet(np.ones(nx), size=3)),
              "Z": Table("Z", ("E", "X"), z_table)}
    return DiscreteModel(graph, states, tables, training={"s": "train"})


def test_a_constant_interaction_makes_every_pair_natural() -> None:
    interaction = np.random.default_rng(0).normal(size=(3, 4))
    result = xe_naturalness(log_linear_model(interaction, 1), x="X", z="Z", evidence="E")
    assert len(result.pairs) == math.comb(3, 2) * math.comb(4, 2)
    assert result.value is not None and result.value < 1e-24
    [first] = [pair for pair in result.pairs if pair.x == ("x0", "x2") and pair.z == ("z1", "z3")]
    expected = (interaction[0, 1] + interaction[2, 3] - interaction[0, 3] - interaction[2, 1])
    assert first.log_odds_ratios == pytest.approx([expected] * 3)


def test_log_odds_ratios_add_along_adjacent_values_and_the_max_is_the_value() -> None:
    """The founding text's basis: the (j, k) ratio is the sum of the adjacent ones j..k."""
    interaction = np.random.default_rng(2).normal(size=(3, 2, 4))  # varies with E
    result = xe_naturalness(log_linear_model(interaction, 3), x="X", z="Z", evidence="E")
    lor = {(pair.x, pair.z): np.array(pair.log_odds_ratios) for pair in result.pairs}
    for xs in [("x0", "x1")]:
        for j, k, q in itertools.combinations(range(4), 3):
            z = (f"z{j}", f"z{k}", f"z{q}")
            assert lor[xs, (z[0], z[2])] == pytest.approx(lor[xs, (z[0], z[1])]
                                                           + lor[xs, (z[1], z[2])])
    assert result.value == max(pair.variance for pair in result.pairs)
    assert result.value > 0.01


def test_swapping_x_and_z_transposes_the_pairs() -> None:
    model = log_linear_model(np.random.default_rng(4).normal(size=(3, 3, 2)), 5)
    forward = xe_naturalness(model, x="X", z="Z", evidence="E")
    backward = xe_naturalness(model, x="Z", z="X", evidence="E")
    assert backward.value == pytest.approx(forward.value)
    swapped = {(pair.z, pair.x): pair.variance for pair in backward.pairs}
    for pair in forward.pairs:
        assert swapped[pair.x, pair.z] == pytest.approx(pair.variance)


@settings(max_examples=40 * SCALE, deadline=None)
@given(st.data())
def test_exact_values_match_the_multiplied_out_model(data: st.DataObject) -> None:
    case = data.draw(cases(max_nodes=5))
    observed = [node for node in case.graph.nodes if node not in case.graph.regime]
    assume(len(observed) >= 3)
    x, z, e = data.draw(st.permutations(observed))[:3]
    sizes = {node: data.draw(st.integers(2, 3)) for node in (x, z, e)}
    model = random_model(case.graph, seed=data.draw(st.integers(0, 2**32 - 1)), states=sizes)
    train = {node: "train" for node in case.graph.regime}
    result = xe_naturalness(model, x=x, z=z, evidence=e)
    joint = brute_joint(model, (e, x, z), train)
    expected = oracle_variances(joint)
    assert [(pair.x, pair.z) for pair in result.pairs] == [
        ((str(l), str(m)), (str(j), str(k))) for l, m, j, k in expected]
    for pair, variance in zip(result.pairs, expected.values()):
        assert pair.variance == pytest.approx(variance, rel=1e-9, abs=1e-15)
    assert [stratum.weight for stratum in result.strata] == pytest.approx(
        list(joint.sum(axis=(1, 2))))
    if is_separated(sigma_graph(case.graph), {x}, {z}, given={e, *case.graph.regime}):
        assert result.value < 1e-20  # odds ratio 1 in every stratum


# zero probabilities -----------------------------------------------------------------------------

def test_a_function_of_x_in_every_stratum_is_infinite_when_the_direction_changes() -> None:
    """Given Green, Z = X XOR Green is a function of X: +inf when Green = 0, -inf when 1."""
    result = xe_naturalness(grue_model(), x="X", z="Z", evidence=["E", "Green"])
    assert result.value == math.inf
    [pair] = result.pairs
    assert pair.status == "infinite"
    assert pair.log_odds_ratios == (math.inf, -math.inf, math.inf, -math.inf)
    assert pair.reason == ("infinite: P(X=0, Z=1 | E=0, Green=0) = 0 and P(X=1, Z=0 | E=0, "
                           "Green=0) = 0, so the log odds ratio is +inf there but not in every "
                           "stratum")
    assert result.to_dict()["value"] == "inf"
    assert result.to_dict()["pairs"][0]["log_odds_ratios"] == ["inf", "-inf", "inf", "-inf"]


def test_the_same_infinity_in_every_stratum_is_undefined() -> None:
    """Given Green = 0, Z = X: P(X=0, Z=1) = P(X=1, Z=0) = 0 in every stratum of E."""
    result = xe_naturalness(grue_model(), x="X", z="Z", evidence="E", given={"Green": "0"})
    assert result.value is None
    assert result.pairs[0].log_odds_ratios == (math.inf, math.inf)
    assert result.pairs[0].reason == (
        "undefined: the log odds ratio is +inf in every stratum (first: P(X=0, Z=1 | E=0) = 0); "
        "its variance depends on how the zeros are approached")
    text = str(result)
    assert "The measure is undefined" in text and "nan" not in text.lower()


def test_zero_over_zero_is_undefined() -> None:
    model = grue_model()
    never = model.with_tables({"X": Table("X", ("E",), np.array([[1.0, 0.0], [0.6, 0.4]]))})
    result = xe_naturalness(never, x="X", z="Green", evidence="E")
    [pair] = result.pairs
    assert pair.variance is None and pair.log_odds_ratios[0] is None
    assert pair.reason == ("undefined: P(X=1, Green=1 | E=0) = 0 and P(X=1, Green=0 | E=0) = 0, "
                           "so the odds ratio is 0/0 there")
    assert result.to_dict()["value"] is None
    json.dumps(result.to_dict(), allow_nan=False)


def test_a_stratum_of_probability_zero_is_left_out() -> None:
    model = grue_model().with_tables(
        {"E": Table("E", ("s",), np.array([[1.0, 0.0], [0.5, 0.5]]))})
    result = xe_naturalness(model, x="X", z="Green", evidence="E")
    assert [stratum.evidence for stratum in result.strata] == [("0",)]
    assert result.notes[:2] == (HELD_AT_TRAIN,
                                "1 of 2 strata of E have probability zero and are left out")


def test_reports_are_json_and_text() -> None:
    result = xe_naturalness(EXAMPLES / "colours_riddle.csv", x="Late", z="Grue", evidence="E",
                            given={"s": "train"})
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert document["strata"][3] == {"evidence": {"E": "riddle"}, "weight": 16 / 1500,
                                     "samples": 16}
    assert document["method"] == "samples" and document["test"]["name"] == "Breslow–Day"
    lines = str(result).splitlines()
    assert lines[0] == ("XE-naturalness of Grue for Late given E: 2.934 (from 1,500 samples, "
                        "pseudocount 0.5, given s=train)")
    assert isinstance(result, Naturalness)


# errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    ({"x": "Lat", "z": "Green", "evidence": "E"},
     "<python> x: the model has no variable 'Lat': did you mean 'Late'? [E_UNKNOWN_VARIABLE]"),
    ({"x": "Late", "z": "Colour", "evidence": "E"},
     ("<python> z: the model has no variable 'Colour': its variables are 's', 'E', 'Late', "
      "'Green', 'Grue' [E_UNKNOWN_VARIABLE]")),
    ({"x": "Late", "z": "Late", "evidence": "E"},
     ("<python> z: 'Late' is x and z: X, Z, the evidence and the given variables must all "
      "differ [E_ROLE]")),
    ({"x": "Late", "z": "Green", "evidence": ["E", "E"]},
     ("<python> evidence: 'E' is twice in evidence: X, Z, the evidence and the given variables "
      "must all differ [E_ROLE]")),
    ({"x": "Late", "z": "Green", "evidence": []},
     "<python> evidence: no evidence variable: name at least one [E_ROLE]"),
    ({"x": "s", "z": "Green", "evidence": "E"},
     ("<python> x: 's' is a regime node: it has no distribution, so it can be evidence or "
      "given, not x or z [E_ROLE]")),
    ({"x": "Late", "z": "Green", "evidence": "E", "given": {"s": "Train"}},
     "<python> given: 's' has no value 'Train': did you mean 'train'? [E_UNKNOWN_STATE]"),
    ({"x": "Late", "z": "Green", "evidence": "E", "given": {"s": 1}},
     "<python> given: given 's' must be a state name (text), not 1 [E_UNKNOWN_STATE]"),
])
def test_model_errors_say_what_is_wrong(options: dict[str, object], message: str) -> None:
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(COLOURS, **options)
    assert problems(caught.value) == [message]
    assert caught.value.code == message.rpartition("[")[2][:-1]
    assert isinstance(caught.value, GraphSpecError)


def test_a_regime_node_needs_a_state() -> None:
    model = DiscreteModel(COLOURS.graph, COLOURS.states, COLOURS.tables)
    with pytest.raises(NaturalnessError, match=r"regime node 's' has no training state in the "
                                               r"model: say which state to hold it at, e\.g\. "
                                               r"given=\{'s': \.\.\.\}, or make it evidence"):
        xe_naturalness(model, x="Late", z="Green", evidence="E")
    held = xe_naturalness(model, x="Late", z="Grue", evidence="E", given={"s": "deploy"})
    assert held.value == pytest.approx(0.36 * L**2)


def test_a_given_event_of_probability_zero_is_refused() -> None:
    model = grue_model().with_tables(
        {"E": Table("E", ("s",), np.array([[1.0, 0.0], [0.5, 0.5]]))})
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(model, x="X", z="Z", evidence="Green", given={"E": "1"})
    assert problems(caught.value) == ["<python> given: the given states have probability zero "
                                      "in the model: E=1, s=train [E_IMPOSSIBLE_GIVEN]"]


def test_one_value_is_not_enough_for_an_odds_ratio() -> None:
    graph = CausalGraph.from_edges(["s -> E", "E -> X", "E -> Z"], regime="s")
    model = random_model(graph, seed=0, states={"X": 1})
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(model, x="X", z="Z", evidence="E")
    assert problems(caught.value) == ["<python> x: 'X' takes only the value '0': an odds ratio "
                                      "needs two [E_CATEGORIES]"]


@pytest.mark.parametrize(("frame", "options", "message"), [
    ({"E": ["a"], "X": ["0"], "Z": ["0"]}, {"x": "X", "z": "z", "evidence": "E"},
     "<samples> z: the samples have no column 'z': did you mean 'Z'? [E_UNKNOWN_VARIABLE]"),
    ({"E": ["a", None], "X": ["0", "1"], "Z": ["0", "1"]}, {"x": "X", "z": "Z", "evidence": "E"},
     "<samples> row 1, column E: missing value (fill it in or drop the row) [E_MISSING_VALUE]"),
    ({"E": ["a", "b"], "X": ["0", "0"], "Z": ["0", "1"]}, {"x": "X", "z": "Z", "evidence": "E"},
     ("<samples> column X: 'X' takes only the value '0': an odds ratio needs two "
      "[E_CATEGORIES]")),
    ({"E": ["a"] * 60, "X": [str(i) for i in range(60)], "Z": ["0", "1"] * 30},
     {"x": "X", "z": "Z", "evidence": "E"},
     (f"<samples> row 50, column X: '50' is value number 51 of column 'X', which has 60 (at "
      f"most {MAX_CATEGORIES}): is it continuous? bin it into categories first [E_CATEGORIES]")),
    ({"E": ["a", "b"], "X": ["0", "1"], "Z": ["0", "1"], "s": ["train", "train"]},
     {"x": "X", "z": "Z", "evidence": "E", "given": {"s": "deploy"}},
     "<samples> given: 's' has no value 'deploy': its values are 'train' [E_UNKNOWN_STATE]"),
    ({"E": ["a", "b"], "X": ["0", "1"], "Z": ["0", "1"], "s": ["1", "2"], "t": ["1", "2"]},
     {"x": "X", "z": "Z", "evidence": "E", "given": {"s": "1", "t": "2"}},
     "<samples> given: no rows with s=1, t=2 [E_NO_SAMPLES]"),
    ({"E": ["a", "b"], "X": ["0", "1"], "Z": ["0", "1"]},
     {"x": "X", "z": "Z", "evidence": "E", "pseudocount": -1},
     "<samples> pseudocount: pseudocount must be a finite number >= 0, not -1 [E_PSEUDOCOUNT]"),
    ({"E": ["a", "b"], "X": ["0", "1"], "Z": ["0", "1"], "s": ["on", "off"]},
     {"x": "X", "z": "Z", "evidence": "E", "regime": "s"},
     ("<samples> column s: cannot tell which value of the regime column 's' is training (found "
      "'off', 'on'; training is one of 0, false, train, training): hold it with given s=VALUE, "
      "or make it evidence [E_REGIME_STATE]")),
    ({"E": ["a", "b"], "X": ["0", "1"], "Z": ["0", "1"], "s": ["0", "1"]},
     {"x": "s", "z": "Z", "evidence": "E", "regime": "s"},
     "<samples> x: 's' is a regime column: it can be evidence or given, not x or z [E_ROLE]"),
])
def test_sample_errors_say_what_is_wrong(frame: dict[str, list[str | None]],
                                         options: dict[str, object], message: str) -> None:
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(pd.DataFrame(frame), **options)
    assert problems(caught.value) == [message]


def test_sources_that_are_not_samples_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NaturalnessError, match=r"the source must be a DiscreteModel, a pandas "
                                               r"DataFrame or the path of a CSV file, not list"):
        xe_naturalness([1, 2], x="X", z="Z", evidence="E")
    with pytest.raises(GraphSpecError) as caught:
        xe_naturalness(tmp_path / "missing.csv", x="X", z="Z", evidence="E")
    assert [str(problem) for problem in caught.value.problems] == [
        f"{tmp_path / 'missing.csv'}: cannot read the file: No such file or directory [E_FILE]"]
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(GraphSpecError) as caught:
        xe_naturalness(empty, x="X", z="Z", evidence="E")
    assert [problem.code for problem in caught.value.problems] == ["E_EMPTY_DATA"]


def test_a_csv_file_is_read_as_text_with_positioned_problems(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    path.write_text("E,X,Z,note\na,0,1,\nb,1,0,x\n\n a ,1 ,1,NA\nb,0\n", encoding="utf-8")
    with pytest.raises(GraphSpecError) as caught:
        xe_naturalness(path, x="X", z="Z", evidence="E")
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:6: 2 fields, expected 4 (one per column of the header on line 1) [E_CSV_SYNTAX]"]
    path.write_text("E,X,Z,note\na,0,1,\nb,1,0,x\n\n a ,1 ,1,NA\nb,0,0,\n", encoding="utf-8")
    # fields are stripped; the missing notes do not matter, the measure does not use them
    frame = pd.DataFrame({"E": list("abab"), "X": list("0110"), "Z": list("1010")})
    read = xe_naturalness(path, x="X", z="Z", evidence="E", pseudocount=1)
    assert read.to_dict() == xe_naturalness(frame, x="X", z="Z", evidence="E",
                                            pseudocount=1).to_dict()
    with pytest.raises(NaturalnessError) as missing:
        xe_naturalness(path, x="X", z="note", evidence="E")
    assert problems(missing.value) == [
        f"{path}:{line} column note: missing value (fill it in or drop the line) "
        "[E_MISSING_VALUE]" for line in (2, 5, 6)]
    with pytest.raises(NaturalnessError) as unknown:
        xe_naturalness(path, x="X", z="Note", evidence="E")
    assert problems(unknown.value) == [f"{path}:1 z: the samples have no column 'Note': did you "
                                       "mean 'note'? [E_UNKNOWN_VARIABLE]"]
    constant = tmp_path / "constant.csv"
    constant.write_text("\nE,X,Z\na,0,1\nb,1,1\n", encoding="utf-8")
    with pytest.raises(NaturalnessError) as one_value:
        xe_naturalness(constant, x="X", z="Z", evidence="E")
    assert problems(one_value.value) == [f"{constant}:2 column Z: 'Z' takes only the value '1': "
                                         "an odds ratio needs two [E_CATEGORIES]"]
    with pytest.raises(GraphSpecError) as caught:
        xe_naturalness(path, x="X", z="Z", evidence="E", limits=Limits(max_bytes=10))
    assert [problem.code for problem in caught.value.problems] == ["E_TOO_LARGE"]


def test_importing_the_module_does_not_load_pandas_or_statsmodels() -> None:
    code = ("import causal_align.quantities.naturalness, sys; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in {'pandas', 'pgmpy', 'statsmodels', 'scipy'}))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                               encoding="utf-8", check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "[]\n"


def test_too_many_log_odds_ratios_or_too_large_a_model_are_refused() -> None:
    values = [str(index) for index in range(MAX_CATEGORIES)]
    samples = pd.DataFrame({"E": ["a"] * MAX_CATEGORIES, "X": values, "Z": values})
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(samples, x="X", z="Z", evidence="E")
    assert problems(caught.value) == ["<samples>: 1,500,625 log odds ratios (1,500,625 value "
                                      "pairs × 1 stratum): at most 1,000,000; use fewer evidence "
                                      "variables or fewer categories [E_TOO_LARGE]"]
    hints = [f"E{index}" for index in range(24)]
    graph = CausalGraph.from_edges([f"s -> {hint}" for hint in hints] + ["s -> X", "s -> Z"],
                                   regime="s")
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(random_model(graph, seed=0), x="X", z="Z", evidence=hints)
    assert problems(caught.value) == [
        "<python>: summing out the model needs a table of 67,108,864 cells over 26 variables (E0, "
        "E1, E10, E11, E12, E13, E14, E15, …): too large for exact computation; sample from the "
        "model instead [E_TOO_LARGE]"]


def test_the_text_report_lists_the_largest_pairs_first_and_says_how_many_it_left_out() -> None:
    generator = np.random.default_rng(7)
    samples = pd.DataFrame({"E": generator.choice(list("ab"), 600),
                            "X": generator.choice(list("012"), 600),
                            "Z": generator.choice(list("012345"), 600)})
    result = xe_naturalness(samples, x="X", z="Z", evidence="E")
    assert len(result.pairs) == 3 * 15
    lines = str(result).splitlines()
    listed = [line for line in lines if line.startswith("  X ")]
    assert len(listed) == 10
    largest = max(result.pairs, key=lambda pair: pair.variance or 0.0)
    assert listed[0].startswith(f"  X {', '.join(largest.x)} × Z {', '.join(largest.z)}: ")
    assert "  … and 35 more pairs" in lines
    assert "no Breslow–Day test: it needs binary X and Z, here 3 × 6 values" in result.notes
    assert lines[1] == "An estimate: zero would make Z an XE-natural category for X."


# one rule for the regime, undefined pairs, codes -----------------------------------------------

def _rows_in_proportion(model: DiscreteModel, regime_rows: dict[str, int]) -> pd.DataFrame:
    """Samples holding P(E, Late, Grue | s) exactly, ``regime_rows[s]`` rows from each regime."""
    frames = []
    for state, rows in regime_rows.items():
        joint = brute_joint(model, ("E", "Late", "Grue"), {"s": state})
        counts = joint.reshape(-1) * rows
        assert np.allclose(counts, np.rint(counts))  # the tables are multiples of 1/rows
        cells = list(itertools.product(model.states["E"], "01", "01"))
        frame = pd.DataFrame(np.repeat(np.array(cells), np.rint(counts).astype(int), axis=0),
                             columns=["E", "Late", "Grue"])
        frames.append(frame.assign(s=state))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("regime_rows", [{"train": 1000, "deploy": 1000},
                                         {"train": 2000, "deploy": 1000}])
def test_a_model_and_its_samples_hold_the_regime_alike(regime_rows: dict[str, int]) -> None:
    """The same setup through both paths: held at training by default, the same number."""
    samples = _rows_in_proportion(COLOURS, regime_rows)
    exact = xe_naturalness(COLOURS, x="Late", z="Grue", evidence="E")
    estimate = xe_naturalness(samples, x="Late", z="Grue", evidence="E", pseudocount=0,
                              regime="s")
    assert exact.value == pytest.approx(0.96 * L**2, rel=1e-12)
    assert estimate.value == pytest.approx(exact.value, rel=1e-9)
    assert estimate.given == exact.given == (("s", "train"),)
    assert estimate.notes[0] == exact.notes[0] == HELD_AT_TRAIN
    assert estimate.samples == regime_rows["train"]
    deployed = xe_naturalness(samples, x="Late", z="Grue", evidence="E", pseudocount=0,
                              given={"s": "deploy"}, regime="s")
    assert deployed.value == pytest.approx(xe_naturalness(
        COLOURS, x="Late", z="Grue", evidence="E", given={"s": "deploy"}).value, rel=1e-9)
    pooled = xe_naturalness(samples, x="Late", z="Grue", evidence="E", pseudocount=0)
    assert pooled.given == () and abs(pooled.value - exact.value) > 0.1  # what the fix changed


def test_samples_without_their_regime_column_are_used_as_they_are() -> None:
    samples = _rows_in_proportion(COLOURS, {"train": 1000}).drop(columns="s")
    result = xe_naturalness(samples, x="Late", z="Grue", evidence="E", pseudocount=0,
                            regime="s")
    assert result.value == pytest.approx(0.96 * L**2, rel=1e-9) and result.given == ()
    assert result.notes[0] == ("the samples have no column for regime node s: they are used as "
                               "they are")
    weighed = xe_naturalness(_rows_in_proportion(COLOURS, {"train": 1000, "deploy": 1000}),
                             x="Late", z="Grue", evidence=["E", "s"], regime="s")
    assert weighed.notes[0] == ("regime column s is evidence: each regime weighs as many rows "
                                "as it has")


def test_an_undefined_pair_is_left_out_of_the_measure_not_poisoning_it() -> None:
    """X = 2 never happens under E = a: every pair with X = 2 is 0/0 there. The pair (0, 1)
    still varies with E, and that is the measure (before: undefined)."""
    samples = pd.DataFrame({"E": ["a"] * 4 + ["b"] * 6,
                            "X": ["0", "0", "1", "1", "0", "0", "1", "1", "2", "2"],
                            "Z": ["0", "1", "0", "1", "0", "0", "1", "1", "0", "1"]})
    result = xe_naturalness(samples, x="X", z="Z", evidence="E", pseudocount=0)
    by_pair = {(pair.x, pair.z): pair for pair in result.pairs}
    assert by_pair[("0", "2"), ("0", "1")].variance is None
    assert by_pair[("1", "2"), ("0", "1")].variance is None
    assert by_pair[("0", "2"), ("0", "1")].log_odds_ratios[0] is None
    assert by_pair[("0", "1"), ("0", "1")].variance == math.inf  # 0 under a, +inf under b
    smoothed = xe_naturalness(samples, x="X", z="Z", evidence="E", pseudocount=1)
    assert all(pair.variance is not None for pair in smoothed.pairs)
    # a model: the two pairs through X = 2 are 0/0 in stratum 0; the other varies
    model = log_linear_model(np.array([[[0.0, 0.0], [0.0, 1.5], [0.0, 0.0]],
                                       [[0.0, 0.0], [0.0, -1.0], [0.0, 0.0]],
                                       [[0.0, 0.0], [0.0, 0.5], [0.0, 0.0]]]), seed=4)
    never = model.tables["X"].probabilities.copy()
    never[0] = [0.5, 0.5, 0.0]
    exact = xe_naturalness(model.with_tables({"X": Table("X", ("E",), never)}), x="X", z="Z",
                           evidence="E")
    finite = [pair.variance for pair in exact.pairs if pair.variance is not None]
    assert [pair.variance is None for pair in exact.pairs] == [False, True, True]
    assert exact.value == finite[0] and exact.value > 0.1
    assert ("2 of 3 value pairs are undefined (0/0 in a stratum, or the same infinity in every "
            "stratum) and left out of the measure") in exact.notes
    assert exact.to_dict()["status"] == "finite"
    assert str(exact).splitlines()[1] == ("Z is not an XE-natural category for X: an odds ratio "
                                          "varies with E.")


def test_natural_on_the_defined_pairs_says_so() -> None:
    model = log_linear_model(np.zeros((3, 3, 2)), seed=2)
    never = model.tables["X"].probabilities.copy()
    never[1] = [0.5, 0.0, 0.5]
    result = xe_naturalness(model.with_tables({"X": Table("X", ("E",), never)}), x="X", z="Z",
                            evidence="E")
    assert result.value is not None and result.value < 1e-12
    assert str(result).splitlines()[1] == ("Z is an XE-natural category for X: every defined "
                                           "log odds ratio is the same in every stratum.")


def test_every_code_is_documented_and_every_raised_code_is_one() -> None:
    from causal_align.errors import NATURALNESS_CODES

    section = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").split(
        "## XE-naturalness")[1].split("\n## ")[0]
    documented = set(re.findall(r"^\*\*`(E_[A-Z_]+)`\*\*", section, flags=re.MULTILINE))
    assert documented == set(NATURALNESS_CODES)
    source = (ROOT / "causal_align" / "quantities" / "naturalness.py").read_text(encoding="utf-8")
    assert set(re.findall(r'"(E_[A-Z_]+)"', source)) <= set(NATURALNESS_CODES)
    with pytest.raises(ValueError, match="not naturalness error codes"):
        NaturalnessError([])


def test_many_missing_values_are_listed_up_to_the_bound_and_counted() -> None:
    samples = pd.DataFrame({"E": ["a", "b"] * 1000, "X": ["0", "1"] * 1000,
                            "Z": [None] * 1500 + ["0"] * 500})
    with pytest.raises(NaturalnessError) as caught:
        xe_naturalness(samples, x="X", z="Z", evidence="E")
    assert (len(caught.value.problems), caught.value.more) == (1000, 500)
    assert str(caught.value).startswith("1,500 problems:\n  <samples> row 0, column Z: missing")
    assert str(caught.value).endswith("… and 1,400 more (fix these first)")
