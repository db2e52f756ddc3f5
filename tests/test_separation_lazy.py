"""The engine's shortcuts against its full passes: the lazy-collider phase of a verdict, An(Y_m)
kept across a batch of queries, and the bound on the nodes of a listing.

Each shortcut is checked against the full pass it replaces (the reference engine, itself
checked against networkx and brute force in test_oracles.py) on random graphs: a thousand
cases by default, ten thousand with CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import Case, cases, diagrams

from causal_align import separation
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.separation import (
    AncestryCache,
    Prepared,
    RawPath,
    is_separated,
    lazy_reach,
    open_paths,
    prepare,
)

SCALE = 10 if os.environ.get("CI") == "true" else 1
RANDOM = settings(max_examples=1000 * SCALE, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])


def full_pass(graph: SigmaGraph, sources: frozenset[str], targets: frozenset[str],
              given_set: frozenset[str]) -> bool:
    """Separated, by the reference pass: every reachable state within the ancestral set."""
    query = Prepared(graph, sources, targets, given_set)
    return not any(node in targets for node, _ in query.reachable())


# --------------------------------------------------------------------------- the lazy phase

@RANDOM
@given(cases(max_nodes=9), st.integers(min_value=0, max_value=12))
def test_the_lazy_phase_agrees_with_the_full_pass(case: Case, work: int) -> None:
    """Run to its end, the lazy ball decides exactly; cut short, it never contradicts."""
    for graph in diagrams(case):
        separated = full_pass(graph, case.regime, case.base, case.mesa)
        assert lazy_reach(graph, case.regime, case.base, case.mesa) is (not separated)
        assert lazy_reach(graph, case.regime, case.base, case.mesa, work=work) in (
            not separated, None)


@RANDOM
@given(cases(max_nodes=9))
def test_verdicts_through_the_lazy_phase_agree(case: Case) -> None:
    """Every ancestral set counts as large, so every verdict goes through the lazy phase,
    which either settles it or gives up at once (work 0) and leaves it to the full pass."""
    for work in (separation.LAZY_WORK, 0):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(separation, "SMALL_ANCESTRY", 0)
            patch.setattr(separation, "LAZY_WORK", work)
            patch.setenv("CAUSAL_ALIGN_ENGINE", "python")
            for graph in diagrams(case):
                assert is_separated(graph, case.regime, case.base, given=case.mesa) == \
                    full_pass(graph, case.regime, case.base, case.mesa)


def test_a_collider_above_the_conditioned_node_is_passed_by_bouncing() -> None:
    """M is in An(Y_m) but not in Y_m: the lazy ball opens only Y_m, yet finds the path by
    going down to Y_m and back up."""
    graph = sigma_graph(CausalGraph.from_edges(["s -> M", "Y_b -> M", "M -> D", "D -> Y_m"],
                                               regime="s"))
    assert lazy_reach(graph, {"s"}, {"Y_b"}, {"Y_m"}) is True
    assert lazy_reach(graph, {"s"}, {"Y_b"}, {"D", "Y_m"}) is True
    assert lazy_reach(graph, {"s"}, {"Y_b"}, set()) is False
    assert lazy_reach(graph, {"s"}, {"Y_b"}, {"Y_m"}, work=2) is None


# --------------------------------------------------------------------------- the cache

@settings(max_examples=300 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_nodes=8), st.data())
def test_a_cache_changes_no_set(case: Case, data: st.DataObject) -> None:
    """A batch of queries sharing one cache, each Y_m asked twice over several G_σ: the same
    sets, states and paths as without the cache, and An(Y_m) computed once per (G_σ, Y_m)."""
    observed = sorted(set(case.graph.nodes) - set(case.graph.regime))
    cache = AncestryCache()
    asked: set[tuple[object, frozenset[str]]] = set()
    lookups = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAUSAL_ALIGN_ENGINE", "python")
        for graph in diagrams(case) * 2:
            mesa = frozenset(data.draw(st.sets(st.sampled_from(observed), max_size=2)))
            base = frozenset(observed) - mesa
            if not base:
                continue
            target = frozenset({sorted(base)[0]})
            cached = prepare(graph, case.regime, target, mesa, cache=cache)
            plain = Prepared(graph, case.regime, target, mesa)
            lookups += 1
            asked.add((graph.interventions, mesa))
            assert dict(cached.down_to_given) == dict(plain.down_to_given)
            assert list(cached.down_to_given) == list(plain.down_to_given)  # the same order
            assert cached.given_ancestors == plain.given_ancestors
            assert cached.relevant == plain.relevant
            assert cached.reachable() == plain.reachable()
            assert open_paths(graph, case.regime, target, given=mesa, limit=5,
                              prepared=cached) == open_paths(graph, case.regime, target,
                                                             given=mesa, limit=5)
    assert cache.hits == lookups - len(asked)


def test_the_cache_tells_graphs_and_interventions_apart() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> T", "B -> T", "T -> Y", "s -> B"],
                                   regime="s", sigma=[SoftIntervention("T", ["A"])])
    own, plain = sigma_graph(graph), sigma_graph(graph, ())
    assert "B" not in prepare(own, {"s"}, {"A"}, {"Y"}).given_ancestors
    other = sigma_graph(CausalGraph.from_edges(["s -> A", "A -> Y"], regime="s"))
    cache = AncestryCache()
    first = prepare(own, {"s"}, {"A"}, {"Y"}, cache=cache)
    assert prepare(own, {"s"}, {"B"}, {"Y"}, cache=cache).down_to_given is first.down_to_given
    assert cache.hits == 1
    for different in (plain, other):
        assert prepare(different, {"s"}, {"A"}, {"Y"}, cache=cache).relevant == \
            Prepared(different, {"s"}, {"A"}, {"Y"}).relevant
    assert cache.hits == 1


def test_the_cache_keeps_at_most_its_nodes() -> None:
    graph = sigma_graph(CausalGraph.from_edges([f"V{k} -> V{k + 1}" for k in range(9)]
                                               + ["s -> V0"], regime="s"))
    cache = AncestryCache(most_nodes=12)
    prepare(graph, {"s"}, {"V0"}, {"V9"}, cache=cache)  # An(V9): 11 nodes
    prepare(graph, {"s"}, {"V0"}, {"V4"}, cache=cache)  # 6 more: the first goes
    prepare(graph, {"s"}, {"V0"}, {"V9"}, cache=cache)
    assert cache.hits == 0
    prepare(graph, {"s"}, {"V1"}, {"V9"}, cache=cache)
    assert cache.hits == 1


# --------------------------------------------------------------------------- the node bound

@RANDOM
@given(cases(max_nodes=8), st.integers(min_value=1, max_value=6),
       st.integers(min_value=1, max_value=20))
def test_the_node_bound_cuts_the_listing_where_it_says(case: Case, limit: int,
                                                       node_limit: int) -> None:
    """The bounded listing is the unbounded one cut before the first path that would take it
    past ``node_limit`` nodes (the first path always listed), and ``truncated`` is exactly
    "another open path exists"."""
    graph = sigma_graph(case.graph)
    every, more = open_paths(graph, case.regime, case.base, given=case.mesa, limit=1000)
    assert not more
    listed, truncated = open_paths(graph, case.regime, case.base, given=case.mesa, limit=limit,
                                   node_limit=node_limit)
    expected: list[RawPath] = []
    total = 0
    for path in every[:limit]:
        total += len(path[0])
        if expected and total > node_limit:
            break
        expected.append(path)
    assert listed == expected
    assert truncated == (len(listed) < len(every))


def test_a_small_graph_never_imports_the_compiled_engine() -> None:
    """Below QUERY_NODES nodes no query can move, so the dispatch does not even look."""
    import subprocess
    import sys

    code = ("import sys; from causal_align import load_graph, check_inner_alignment; "
            "result = check_inner_alignment(load_graph('graphs/coinrun.yaml')); "
            "result.repairs; print('causal_align.fast' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=Path(__file__).parent.parent,
                           env={name: value for name, value in os.environ.items()
                                if name != "CAUSAL_ALIGN_ENGINE"}).stdout.split()
    assert shown == ["False"]
