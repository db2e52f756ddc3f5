"""Exact inference against exact arithmetic, with probabilities far below the smallest float.

The oracle, :func:`exact_joint`, shares nothing with ``causal_align.quantities.inference``: it
enumerates every joint state of the σ-model and multiplies the tables' entries as
:class:`fractions.Fraction` (each float is a rational number, read exactly), so products like
1e-160 · 1e-160 = 1e-320 keep every digit. Models are random, with some entries replaced by
powers of ten down to 1e-300: products of them fall below 2**-1000, where the inference sums on
logarithms, or stay above it, where it sums plain floats; both paths are checked.

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_harness import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cases

from causal_align.model import CausalGraph
from causal_align.quantities import inference
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.gap import alignment_gap
from causal_align.quantities.inference import (
    elimination_plan,
    joint_distribution,
    log_joint_distribution,
)
from causal_align.quantities.parameters import load_model

SCALE = 5 if os.environ.get("CI") == "true" else 1
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
TINY = """\
nodes: {s: regime, A: a, B: b, Y_m: mesa, Y_b: base}
edges: [s -> A, A -> B, B -> Y_m, Y_m -> Y_b]
regime: s
query: {base: Y_b, mesa: Y_m}
model:
  nodes:
    A: {states: [0, 1], given: s, table: {train: [0.5, 0.5], deploy: [0.1, 0.9]}}
    B: {states: [0, 1], given: A, table: {0: [1, 1.0e-160], 1: [1, 3.0e-160]}}
    Y_m: {states: [0, 1], given: B, table: {0: [1, 0], 1: [1, 1.0e-160]}}
    Y_b: {states: [0, 1], given: Y_m, table: {0: [0.5, 0.5], 1: [0.3, 0.7]}}
"""
"""An aligned model (Y_m screens Y_b off from s) where P(Y_m = 1 | s) is about 1e-320."""


def exact_joint(model: DiscreteModel, variables: Sequence[str],
                evidence: Mapping[str, str]) -> dict[tuple[int, ...], Fraction]:
    """P(variables, evidence) for every joint state of ``variables``, in exact arithmetic."""
    names = model.variables()
    found: dict[tuple[int, ...], Fraction] = {}
    for states in itertools.product(*(range(len(model.states[name])) for name in names)):
        at = dict(zip(names, states))
        if any(at[name] != model.states[name].index(state) for name, state in evidence.items()):
            continue
        weight = Fraction(1)
        for name in names:
            table = model.tables.get(name)
            if table is None:  # a regime node: conditioned on, or averaged
                weight /= 1 if name in evidence else len(model.states[name])
                continue
            entry = table.probabilities[tuple(at[axis] for axis in (*table.given, name))]
            weight *= Fraction(float(entry))
            if not weight:
                break
        key = tuple(at[name] for name in variables)
        found[key] = found.get(key, Fraction(0)) + weight
    return found


def log_of(number: Fraction) -> float:
    """The natural logarithm of a positive rational, however small (-inf for 0)."""
    if not number:
        return -math.inf
    return math.log(number.numerator) - math.log(number.denominator)


def with_tiny_entries(model: DiscreteModel, draw: st.DrawFn) -> DiscreteModel:
    """``model`` with some rows replaced by 10**-k, 1 - 10**-k and zeros, in random places."""
    tables = {}
    for name, table in model.tables.items():
        probabilities = table.probabilities.copy()
        rows = probabilities.reshape(-1, probabilities.shape[-1])
        for row in rows:
            if rows.shape[1] > 1 and draw(st.booleans()):
                tiny = 10.0 ** -draw(st.integers(1, 300))
                first, second = draw(st.permutations(range(rows.shape[1])))[:2]
                row[:] = 0.0
                row[first], row[second] = tiny, 1.0 - tiny
        tables[name] = Table(name, table.given, probabilities)
    return model.with_tables(tables)


@st.composite
def tiny_models(draw: st.DrawFn) -> DiscreteModel:
    case = draw(cases(max_nodes=4, max_regime=1))
    model = random_model(case.graph, seed=draw(SEEDS), states=draw(st.sampled_from([2, 3])))
    return with_tiny_entries(model, draw)


# the laws ---------------------------------------------------------------------------------------

@settings(max_examples=60 * SCALE, deadline=None)
@given(model=tiny_models(), data=st.data())
def test_the_log_joint_matches_exact_arithmetic(model: DiscreteModel,
                                                data: st.DataObject) -> None:
    names = list(model.states)
    variables = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=2))
    others = [name for name in names if name not in variables]
    fixed = data.draw(st.lists(st.sampled_from(others), unique=True, max_size=2)
                      if others else st.just([]))
    evidence = {name: data.draw(st.sampled_from(model.states[name])) for name in fixed}
    found = log_joint_distribution(model, variables, evidence)
    exact = exact_joint(model, variables, evidence)
    for states in itertools.product(*(range(len(model.states[name])) for name in variables)):
        expected = log_of(exact.get(states, Fraction(0)))
        if expected == -math.inf:
            assert found[states] == -math.inf
        else:  # a logarithm near -700 holds 13 digits of its number, however small it is
            assert found[states] == pytest.approx(expected, rel=0, abs=1e-12 * (1 - expected))


@settings(max_examples=60 * SCALE, deadline=None)
@given(model=tiny_models())
def test_the_gap_matches_exact_arithmetic_however_small_p_y_is(model: DiscreteModel) -> None:
    graph = model.graph
    gap = alignment_gap(model)
    base, mesa, regime = sorted(graph.base), sorted(graph.mesa), sorted(graph.query_regime)
    for which, expectations in ((model.training, [row.train for row in gap.rows]),
                                (model.deployment, [row.deploy for row in gap.rows])):
        exact = exact_joint(model, [*base, *mesa], {name: which[name] for name in regime})
        for row, found in zip(gap.rows, expectations):
            y = tuple(model.states[node].index(state) for node, state in row.mesa)
            p_y = Fraction(0)
            scored = Fraction(0)
            for b in itertools.product(*(range(len(model.states[node])) for node in base)):
                p = exact.get((*b, *y), Fraction(0))
                p_y += p
                scored += p * sum(Fraction(model.values[node][at]) for node, at in zip(base, b))
            if not p_y:
                assert found is None
            else:
                assert found is not None
                assert found == pytest.approx(float(scored / p_y), rel=1e-12, abs=1e-12)


@settings(max_examples=40 * SCALE, deadline=None)
@given(model=tiny_models())
def test_an_aligned_query_has_no_gap_with_tiny_probabilities(model: DiscreteModel) -> None:
    """Soundness: d-separated in G_σ means gap 0 for every model, tiny numbers included."""
    from causal_align.alignment import check_inner_alignment

    if not check_inner_alignment(model.graph).aligned:
        return
    gaps = [row.gap for row in alignment_gap(model).rows if row.gap is not None]
    assert all(abs(value) <= 1e-12 for value in gaps)


@settings(max_examples=40 * SCALE, deadline=None)
@given(model=tiny_models(), data=st.data())
def test_the_plain_and_the_logarithmic_sums_agree(model: DiscreteModel, data: st.DataObject,
                                                  ) -> None:
    """The same question on both paths (logarithms forced), where floats do not underflow."""
    names = list(model.states)
    variables = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=3))
    plain = joint_distribution(model, variables, {})
    original = inference.SAFE_EXPONENT
    inference.SAFE_EXPONENT = 1  # every model "too small": the sums run on logarithms
    try:
        assert elimination_plan(model, variables, {}).logarithms
        logarithmic = joint_distribution(model, variables, {})
    finally:
        inference.SAFE_EXPONENT = original
    assert np.allclose(plain, logarithmic, rtol=1e-11, atol=1e-300)


# the reproducer ---------------------------------------------------------------------------------

def test_probabilities_near_1e_320_give_no_spurious_gap(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    """P(Y_m = 1 | s) = P(B = 1 | s) · 1e-160, about 1e-320: a subnormal float holds 3 digits
    of it, which gave E(train) = 0.7001 against 0.7000 and a gap of -0.0001 (exit 1)."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    gap = alignment_gap(load_model(path))
    high = gap.rows[1]
    assert high.p_train < 1e-300 and high.p_deploy < 1e-300
    assert high.train == pytest.approx(0.7, rel=1e-15) and high.deploy == pytest.approx(0.7,
                                                                                         rel=1e-15)
    assert high.gap is not None and abs(high.gap) <= 1e-15
    code, out, _ = run_cli(capsys, "gap", str(path))
    assert code == 0, out
    assert "Y_m=1      1        0.0000         0.0000    0.7000     0.7000  0.0000" in out


def test_1e_minus_400_is_kept_as_a_logarithm() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B"], regime="s")
    model = random_model(graph, seed=0).with_tables({
        "A": Table("A", ("s",), np.array([[1.0, 1e-200], [1.0, 1e-200]])),
        "B": Table("B", ("A",), np.array([[1.0, 0.0], [1.0, 1e-200]]))})
    assert joint_distribution(model, ["B"], {"s": "train"})[1] == 0.0  # no float is 1e-400
    assert log_joint_distribution(model, ["B"], {"s": "train"})[1] == pytest.approx(
        -400 * math.log(10), rel=1e-14)
    assert elimination_plan(model, ["B"], {"s": "train"}).logarithms
    assert not elimination_plan(random_model(graph, seed=0), ["B"], {"s": "train"}).logarithms
