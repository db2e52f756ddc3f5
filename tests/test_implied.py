"""Tests of causal_align.implied: the diagram's independences, and testing them on data.

The basis is cross-checked against networkx on the latent-expanded G_σ of random graphs (rebuilt
in test_oracles.py from DESIGN.md, without our engine); falsification must find the independence
that an edge missing from the diagram breaks, and nothing when the diagram is right.

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import json
import os

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Case, cases
from test_oracles import graph_g_sigma, latent_expansion

from causal_align import (
    CausalAlignError,
    CausalGraph,
    GraphSpecError,
    SoftIntervention,
    sigma_graph,
)
from causal_align.implied import Independence, implied_independences
from causal_align.samples.check import check_on_data
from causal_align.samples.falsify import falsify
from causal_align.separation import is_separated

SCALE = 5 if os.environ.get("CI") == "true" else 1


# The basis against networkx -----------------------------------------------------------------------

@st.composite
def with_observed(draw: st.DrawFn) -> tuple[Case, list[str]]:
    """A random case and a random set of observed nodes (often all of them)."""
    case = draw(cases(max_nodes=7))
    nodes = list(case.graph.nodes)
    observed = draw(st.one_of(st.just(nodes), st.lists(st.sampled_from(nodes), unique=True)))
    return case, observed


@settings(max_examples=150 * SCALE, deadline=None)
@given(with_observed())
def test_the_basis_matches_networkx(drawn: tuple[Case, list[str]]) -> None:
    case, observed = drawn
    graph = case.graph
    mixed = graph_g_sigma(graph)
    dag = latent_expansion(mixed)
    adjacent = {frozenset(pair) for pair in mixed.directed} | set(mixed.bidirected)
    claims = implied_independences(graph, observed)
    chosen = set(observed)
    by_pair = {frozenset((claim.x, claim.y)): claim for claim in claims}
    assert len(by_pair) == len(claims)  # one claim per pair
    for claim in claims:
        rest = chosen - {claim.x, claim.y}
        assert claim.x != claim.y and {claim.x, claim.y} <= chosen and set(claim.given) <= rest
        assert list(claim.given) == sorted(claim.given)
        assert nx.is_minimal_d_separator(dag, {claim.x}, {claim.y}, set(claim.given))
        assert is_separated(sigma_graph(graph), {claim.x}, {claim.y}, given=claim.given)
    order = [node for node in graph.nodes if node in chosen]
    for index, x in enumerate(order):
        for y in order[index + 1:]:
            pair = frozenset((x, y))
            separable = nx.find_minimal_d_separator(dag, {x}, {y},
                                                    restricted=chosen - pair) is not None
            assert (pair in by_pair) == (pair not in adjacent and separable), (x, y)
    assert [order.index(claim.x) for claim in claims] == sorted(
        order.index(claim.x) for claim in claims)


def test_independences_are_read_in_g_sigma() -> None:
    """σ(D) reads O instead of C: in G_σ nothing joins s to D, in G the edge C -> D does."""
    graph = CausalGraph.from_edges(["s -> C", "C -> D", "O -> D", "D -> Y"], regime="s",
                                   sigma=[SoftIntervention("D", ["O"])])
    claims = {str(claim) for claim in implied_independences(graph)}
    assert {"s ⊥ D", "C ⊥ D", "s ⊥ Y", "C ⊥ Y"} <= claims
    plain = CausalGraph.from_edges(["s -> C", "C -> D", "O -> D", "D -> Y"], regime="s")
    assert "s ⊥ D | C" in {str(claim) for claim in implied_independences(plain)}


def test_an_unknown_observed_node_is_refused() -> None:
    graph = CausalGraph.from_edges(["s -> X", "X -> Y_m"], regime="s", name="g")
    with pytest.raises(GraphSpecError) as error:
        implied_independences(graph, ["s", "Y_n", "Q"])
    assert [str(problem) for problem in error.value.problems] == [
        "<python> observed: unknown node 'Q' in observed (it is not a node of g) "
        "[E_UNKNOWN_NODE]",
        "<python> observed: unknown node 'Y_n' in observed (did you mean 'Y_m'?) "
        "[E_UNKNOWN_NODE]"]


def test_independence_text() -> None:
    assert str(Independence("s", "Y_b", ("A", "B"))) == "s ⊥ Y_b | A, B"
    assert Independence("s", "Y_b", ()).to_dict() == {"x": "s", "y": "Y_b", "given": [],
                                                      "text": "s ⊥ Y_b"}


# Falsification on data ----------------------------------------------------------------------------

def discrete_chain(n: int, seed: int, *, a_to_c: float = 0.0, s_to_c: float = 0.0) -> pd.DataFrame:
    """s -> A -> B -> C, binary; ``a_to_c`` and ``s_to_c`` add edges the diagram may lack."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    a = rng.random(n) < 0.3 + 0.4 * s
    b = rng.random(n) < 0.2 + 0.6 * a
    c = rng.random(n) < 0.2 + 0.4 * b + a_to_c * a + s_to_c * s
    return pd.DataFrame({"s": s, "A": a, "B": b, "C": c})


CHAIN = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C"], regime="s", base="C", mesa="B",
                               name="chain")


def test_the_right_diagram_survives() -> None:
    result = falsify(CHAIN, discrete_chain(4000, seed=1))
    # s and C have two minimal separators, {A} and {B}; the search keeps the one nearer s
    assert {str(tested.independence) for tested in result.tests} == {
        "s ⊥ B | A", "s ⊥ C | A", "A ⊥ C | B"}
    assert result.rejected == () and result.unseparated == ()


def test_a_missing_edge_is_found() -> None:
    """The data come from s -> A -> B -> C plus A -> C; the diagram lacks A -> C."""
    result = falsify(CHAIN, discrete_chain(4000, seed=1, a_to_c=0.3))
    assert [str(tested.independence) for tested in result.rejected] == ["A ⊥ C | B"]
    assert str(result.tests[0].independence) == "A ⊥ C | B"  # rejected ones come first


def test_a_missing_regime_edge_is_found_and_overturns_the_verdict() -> None:
    """The diagram says aligned; the data come with s -> C as well, which it lacks."""
    samples = discrete_chain(4000, seed=2, s_to_c=0.2)
    result = falsify(CHAIN, samples)
    rejected = [str(tested.independence) for tested in result.rejected]
    assert rejected == ["s ⊥ C | A", "A ⊥ C | B"]
    check = check_on_data(CHAIN, samples)
    assert check.graph_aligned and check.rejected


def test_a_wrong_gaussian_diagram_is_found() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    s = rng.integers(0, 2, n)
    a = s + rng.normal(size=n)
    b = a + rng.normal(size=n)
    c = b + 0.3 * a + rng.normal(size=n)
    samples = pd.DataFrame({"s": s, "A": a, "B": b, "C": c})
    result = falsify(CHAIN, samples)
    assert {tested.test.method for tested in result.tests} == {"partial-correlation"}
    assert [str(tested.independence) for tested in result.rejected] == ["A ⊥ C | B"]
    right = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C", "A -> C"], regime="s")
    assert falsify(right, samples).rejected == ()


def test_adjusted_p_values_follow_the_correction() -> None:
    samples = discrete_chain(600, seed=4, a_to_c=0.1)
    raw = sorted(tested.test.p_value for tested in falsify(CHAIN, samples).tests)
    holm = sorted(tested.adjusted_p_value for tested in falsify(CHAIN, samples).tests)
    assert holm[0] == pytest.approx(min(1.0, 3 * raw[0]))
    bh = falsify(CHAIN, samples, correction="fdr_bh")
    assert bh.correction == "fdr_bh"
    assert sorted(tested.adjusted_p_value for tested in bh.tests)[-1] == pytest.approx(raw[-1])
    for tested in bh.tests:
        assert tested.rejected == (tested.adjusted_p_value < 0.05)


def test_the_order_is_rejected_first_then_by_adjusted_p_value() -> None:
    result = falsify(CHAIN, discrete_chain(3000, seed=5, a_to_c=0.3, s_to_c=0.2))
    keys = [(not tested.rejected, tested.adjusted_p_value) for tested in result.tests]
    assert keys == sorted(keys) and len(result.rejected) >= 2


def test_only_columns_are_observed() -> None:
    """A node without a column is latent here; a column that is no node is ignored."""
    samples = discrete_chain(2000, seed=6).drop(columns="B").assign(note="x")
    result = falsify(CHAIN, samples)
    assert result.observed == ("s", "A", "C")
    assert [str(tested.independence) for tested in result.tests] == ["s ⊥ C | A"]
    assert result.unseparated == (("A", "C"),)  # B would separate them, but it is not measured
    confounded = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C", "A <-> C"], regime="s")
    hidden = falsify(confounded, discrete_chain(2000, seed=6))
    assert hidden.unseparated == (("s", "C"),)
    assert "not testable (no observed set separates them): s, C" in str(hidden)


def test_bad_options_are_refused() -> None:
    samples = discrete_chain(100, seed=7)
    with pytest.raises(CausalAlignError, match=r"^unknown correction 'sidak' \(choose one of: "
                       r"holm, fdr_bh, bonferroni\)$"):
        falsify(CHAIN, samples, correction="sidak")
    with pytest.raises(CausalAlignError, match=r"^alpha must lie strictly between 0 and 1"):
        falsify(CHAIN, samples, alpha=0)
    with pytest.raises(GraphSpecError, match="missing value"):
        falsify(CHAIN, samples.astype(float).assign(A=np.nan))


def test_reports() -> None:
    result = falsify(CHAIN, discrete_chain(4000, seed=1, a_to_c=0.3))
    data = result.to_dict()
    assert list(data) == ["graph", "alpha", "correction", "samples", "observed", "tested",
                          "rejected", "tests", "unseparated"]
    assert (data["tested"], data["rejected"]) == (3, 1)
    assert json.loads(json.dumps(data)) == data
    lines = str(result).splitlines()
    assert lines[:3] == [
        "Falsification of chain on 4,000 samples: 3 implied independences tested, 1 rejected at "
        "alpha = 0.05 (holm correction)",
        "the data contradict the diagram: it misses a connection between each rejected pair (an "
        "edge, a latent confounder, or a path through them)",
        "rejected:"]
    first = result.tests[0]
    assert lines[3] == (f"  A ⊥ C | B: {first.test.summary()}, adjusted p = "
                        f"{first.adjusted_p_value:.3g}")
    assert lines[4] == "not rejected:" and len(lines) == 7


def test_nothing_to_test() -> None:
    graph = CausalGraph.from_edges(["s -> A"], regime="s")
    result = falsify(graph, discrete_chain(50, seed=8)[["s", "A"]])
    assert result.tests == () and str(result).startswith(
        "Falsification of graph on 50 samples: 0 implied independences tested, 0 rejected")
