"""The compiled engine against the pure-Python engine, its reference: same verdicts, same
reachable states, same distances, same paths in the same order, same ``truncated``, same
explained results, on thousands of random small graphs and on 10k-node graphs.

The whole module is skipped, with the reason shown, when numba is not installed. Set CI=true
for ten times more random graphs.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

pytest.importorskip("numba", reason="the compiled engine needs numba: "
                    "pip install 'causal_align[fast]'")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from strategies import Case, cases, diagrams  # noqa: E402

from causal_align import fast  # noqa: E402
from causal_align.alignment import check_inner_alignment  # noqa: E402
from causal_align.certificate import verify_certificate  # noqa: E402
from causal_align.errors import GraphSpecError  # noqa: E402
from causal_align.fast import query  # noqa: E402
from causal_align.fast.query import FastPrepared, fast_open_paths, fast_separated  # noqa: E402
from causal_align.intervention import SigmaGraph, sigma_graph  # noqa: E402
from causal_align.model import CausalGraph, SoftIntervention  # noqa: E402
from causal_align.separation import (  # noqa: E402
    AncestryCache,
    Prepared,
    is_separated,
    open_paths,
    prepare,
)

SCALE = 10 if os.environ.get("CI") == "true" else 1
FAST_SETTINGS = settings(max_examples=1000 * SCALE, deadline=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow])


def assert_same_query(graph: SigmaGraph, sources: frozenset[str], targets: frozenset[str],
                      given: frozenset[str], limits: tuple[int, ...] = (0, 1, 3, 100),
                      budgets: tuple[int | None, ...] = (None, 0, 1, 5)) -> None:
    """Every pass of one query, both engines; the verdict also with the lazy-collider phase
    forced (no ancestral set counts as small) and giving up at once."""
    separated = is_separated(graph, sources, targets, given=given)
    python = Prepared(graph, sources, targets, given)
    compiled = FastPrepared(graph, sources, targets, given)
    assert compiled.relevant == python.relevant
    assert compiled.given_ancestors == python.given_ancestors
    assert dict(compiled.down_to_given) == dict(python.down_to_given)
    full = python.reachable()
    assert compiled.reachable() == full
    for small, work in ((query.SMALL_ANCESTRY, query.LAZY_WORK), (0, query.LAZY_WORK), (0, 3)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(query, "SMALL_ANCESTRY", small)
            patch.setattr(query, "LAZY_WORK", work)
            assert fast_separated(graph, sources, targets, given=given) == separated
            assert query.separated(graph, sources, targets, given) == separated
            stopped = compiled.reachable(stop_at_target=True)
        if separated:
            assert stopped == full
        else:
            assert len(stopped) == 1 and next(iter(stopped)) in full
            assert next(iter(stopped))[0] in targets
    assert compiled.distances_to_targets() == python.distances_to_targets()
    for limit in limits:
        for budget in budgets:
            expected = open_paths(graph, sources, targets, given=given, limit=limit,
                                  budget=budget)
            assert fast_open_paths(graph, sources, targets, given=given, limit=limit,
                                   budget=budget) == expected
            assert fast_open_paths(graph, sources, targets, given=given, limit=limit, budget=budget,
                                   prepared=compiled) == expected
        for node_limit in (1, 4, 9):  # the bound on the nodes of all listed paths
            expected = open_paths(graph, sources, targets, given=given, limit=limit,
                                  node_limit=node_limit)
            assert fast_open_paths(graph, sources, targets, given=given, limit=limit,
                                   node_limit=node_limit, prepared=compiled) == expected


@FAST_SETTINGS
@given(cases(max_nodes=8))
def test_every_pass_agrees_on_random_graphs(case: Case) -> None:
    for graph in diagrams(case):
        assert_same_query(graph, case.regime, case.base, case.mesa)


@contextmanager
def engines(compiled: bool) -> Iterator[None]:
    """Every query on one engine, whatever the graph's size: the core's own dispatch, forced
    by the environment variable it reads."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAUSAL_ALIGN_ENGINE", "fast" if compiled else "python")
        yield


def both_results(graph: CausalGraph, **query: object) -> tuple[dict[str, object],
                                                                 dict[str, object]]:
    results = []
    for compiled in (False, True):
        with engines(compiled):
            result = check_inner_alignment(graph, **query)  # type: ignore[arg-type]
            verify_certificate(graph, result)
            results.append(result.to_dict())  # repairs and conjecture computed in the patch
    return results[0], results[1]


@settings(max_examples=400 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_nodes=7), st.integers(min_value=0, max_value=4))
def test_whole_results_agree(case: Case, limit: int) -> None:
    python, compiled = both_results(case.graph, limit=limit)
    assert compiled == python
    python, compiled = both_results(case.graph, limit=limit, sigma=())
    assert compiled == python


def test_scratch_is_shared_safely_between_queries() -> None:
    """Interleaved prepared queries on one graph each keep their own answers."""
    graph = sigma_graph(CausalGraph.from_edges(
        ["s -> A", "A -> M", "B -> M", "M -> Y", "B -> Yb", "s -> C", "C -> Yb"], regime="s"))
    first = FastPrepared(graph, {"s"}, {"Yb"}, {"Y"})
    second = FastPrepared(graph, {"s"}, {"Yb"}, {"C"})
    assert fast_separated(graph, {"s"}, {"Yb"}, given={"C", "Y"}) is False
    assert first.open_paths(limit=5) == open_paths(graph, {"s"}, {"Yb"}, given={"Y"}, limit=5)
    assert second.reachable() == Prepared(graph, {"s"}, {"Yb"}, {"C"}).reachable()
    assert first.reachable() == Prepared(graph, {"s"}, {"Yb"}, {"Y"}).reachable()
    assert dict(first.down_to_given) == {"Y": None, "M": "Y", "A": "M", "B": "M", "s": "A"}


def test_descents_name_the_first_mesa_node_by_name() -> None:
    """Two Y_m nodes equally close: the compiled engine always names the first by name."""
    graph = sigma_graph(CausalGraph.from_edges(
        ["s -> C", "Yb2 -> C", "C -> Yb", "C -> Ya", "C -> Yz"], regime="s"))
    hops = FastPrepared(graph, {"s"}, {"Yb2"}, {"Yz", "Ya"}).down_to_given
    assert (hops["C"], hops["Yb2"]) == ("Ya", "C")


# --------------------------------------------------------------------------- 10k-node graphs

def window_graph(n: int, degree: int | None, seed: int) -> CausalGraph:
    """A random DAG whose edges reach back at most 1000 nodes in a hidden topological order
    (or a chain when ``degree`` is None), 5% ``<->``, a regime pointing at 5 nodes and one σ
    reading 2 nodes above its target: the benchmark's families, smaller."""
    rng = random.Random(seed)
    names = [f"v{k}" for k in range(n)]
    rng.shuffle(names)

    def pairs(count: int) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        while len(found) < count:
            later = rng.randrange(1, n)
            found.add((rng.randrange(max(0, later - 1000), later), later))
        return found

    if degree is None:
        directed = {(k, k + 1) for k in range(n - 1)}
        bidirected = pairs(n // 20)
    else:
        total = degree * n // 2
        bidirected = pairs(total // 20)
        directed = pairs(total - len(bidirected))
    target = rng.randrange(n // 2, n)
    context = [names[k] for k in sorted(rng.sample(range(target), 2))]
    edges = [f"s -> {names[k]}" for k in rng.sample(range(n), 5)]
    edges += [f"{names[a]} -> {names[b]}" for a, b in sorted(directed)]
    edges += [f"{names[a]} <-> {names[b]}" for a, b in sorted(bidirected)]
    return CausalGraph(["s", *names], edges, regime="s",
                       sigma=[SoftIntervention(names[target], context)])


@pytest.mark.parametrize("degree, seed", [(3, 1), (3, 2), (8, 3), (None, 4)])
def test_big_graphs_agree(degree: int | None, seed: int) -> None:
    graph = window_graph(10_000, degree, seed)
    rng = random.Random(seed)
    names = list(graph.nodes[1:])
    diagrams = [sigma_graph(graph), sigma_graph(graph, ())]
    for number in range(8 * SCALE):
        base = rng.choice(names)
        mesa = frozenset(rng.sample(names, rng.randint(1, 3))) - {base}
        assert_same_query(diagrams[number % 2], frozenset({"s"}), frozenset({base}), mesa,
                          limits=(1, 20), budgets=(None,))


def test_big_chain_lists_long_paths() -> None:
    """A 10k chain with colliders opened far below: long paths, long descents."""
    graph = window_graph(10_000, None, 5)
    g_sigma = sigma_graph(graph)
    order = [node for node in graph.nodes[1:] if not graph.parents(node)]
    walk = [order[0]]
    while graph.children(walk[-1]):
        walk.append(graph.children(walk[-1])[0])
    base, mesa = walk[len(walk) // 2], frozenset({walk[-1]})
    assert_same_query(g_sigma, frozenset({"s"}), frozenset({base}), mesa, limits=(5,),
                      budgets=(None,))


# --------------------------------------------------------------------------- the package

def test_importing_loads_no_numba() -> None:
    code = ("import sys, causal_align, causal_align.fast; "
            "print('numba' in sys.modules, 'causal_align.fast.query' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == ["False", "False"]


def test_is_wanted_follows_size_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    small = sigma_graph(CausalGraph.from_edges(["s -> X"], regime="s"))
    big = sigma_graph(CausalGraph.from_edges([f"s -> X{k}" for k in range(fast.MIN_NODES)],
                                             regime="s"))
    assert (fast.is_wanted(small), fast.is_wanted(big)) == (False, True)
    monkeypatch.setenv("CAUSAL_ALIGN_ENGINE", "fast")
    assert fast.is_wanted(small)
    monkeypatch.setenv("CAUSAL_ALIGN_ENGINE", "python")
    assert not fast.is_wanted(big)


def test_without_numba_the_engine_refuses_and_is_not_wanted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    graph = sigma_graph(CausalGraph.from_edges(["s -> X"], regime="s"))
    monkeypatch.setattr(fast, "is_available", lambda: False)
    monkeypatch.setenv("CAUSAL_ALIGN_ENGINE", "fast")
    assert not fast.is_wanted(graph)
    for call in (lambda: fast.fast_separated(graph, {"s"}, {"X"}),
                 lambda: fast.separated(graph, {"s"}, {"X"}, ()),
                 lambda: fast.fast_open_paths(graph, {"s"}, {"X"}, limit=1),
                 lambda: fast.prepare(graph, {"s"}, {"X"}, ())):
        with pytest.raises(fast.FastEngineUnavailable, match=r"pip install .*\[E_NO_NUMBA\]"):
            call()


def test_epochs_roll_over_without_stale_stamps() -> None:
    """When the epoch counters near the int32 limit, the scratch is cleared and queries, old
    and new, still answer right."""
    graph = sigma_graph(CausalGraph.from_edges(
        ["s -> A", "A -> M", "B -> M", "M -> Y", "B -> Yb"], regime="s"))
    old = FastPrepared(graph, {"s"}, {"Yb"}, {"Y"})
    scratch = old.compiled.scratch
    scratch.query_epoch = scratch.walk_epoch = 2**31 - 3
    assert fast_separated(graph, {"s"}, {"Yb"}, given={"Y"}) is False
    assert fast_separated(graph, {"s"}, {"Yb"}) is True
    assert scratch.generation == 1 and scratch.query_epoch < 10
    assert old.open_paths(limit=5) == open_paths(graph, {"s"}, {"Yb"}, given={"Y"}, limit=5)
    assert old.reachable() == Prepared(graph, {"s"}, {"Yb"}, {"Y"}).reachable()


def test_sets_are_checked_like_the_core() -> None:
    graph = sigma_graph(CausalGraph.from_edges(["s -> X"], regime="s"))
    pairs: list[tuple[Callable[[], object], Callable[[], object]]] = [
        (lambda: fast_separated(graph, {"s"}, {"s"}),
         lambda: is_separated(graph, {"s"}, {"s"})),
        (lambda: fast_open_paths(graph, {"s"}, {"Q"}, limit=1),
         lambda: open_paths(graph, {"s"}, {"Q"}, limit=1))]
    for compiled, python in pairs:
        with pytest.raises(GraphSpecError) as caught:
            compiled()
        with pytest.raises(GraphSpecError) as expected:
            python()
        assert str(caught.value) == str(expected.value)


# --------------------------------------------------------------------------- dispatch, cache

def test_a_large_query_on_a_small_graph_moves_to_the_compiled_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Below MIN_NODES, a query whose pure-Python ancestral pass passes QUERY_NODES nodes runs
    compiled; a small query on the same graph stays pure Python; the results are the same."""
    monkeypatch.delenv("CAUSAL_ALIGN_ENGINE", raising=False)
    graph = window_graph(8_000, None, 6)
    assert len(graph.nodes) < fast.MIN_NODES
    g_sigma = sigma_graph(graph)
    walk = [node for node in graph.nodes[1:] if not graph.parents(node)][:1]
    while graph.children(walk[-1]):
        walk.append(graph.children(walk[-1])[0])
    deep, shallow = walk[-1], walk[3]
    assert type(prepare(g_sigma, {"s"}, {walk[1]}, {deep})) is FastPrepared
    assert type(prepare(g_sigma, {"s"}, {walk[1]}, {shallow})) is Prepared
    calls: list[object] = []

    def counted(*args: object) -> bool:
        calls.append(args)
        return True

    monkeypatch.setattr(query, "separated", counted)
    is_separated(g_sigma, {"s"}, {walk[1]}, given={deep})
    assert len(calls) == 1
    monkeypatch.undo()
    for mesa in ({deep}, {shallow}, {walk[len(walk) // 2]}):
        base = walk[len(walk) // 3]
        with engines(False):
            python = check_inner_alignment(graph, base=base, mesa=mesa, limit=5).to_dict()
        assert check_inner_alignment(graph, base=base, mesa=mesa, limit=5).to_dict() == python


def test_the_compiled_cache_gives_the_same_sets() -> None:
    graph = window_graph(10_000, 3, 7)
    own, plain = sigma_graph(graph), sigma_graph(graph, ())
    names = sorted(graph.nodes[1:])
    cache = AncestryCache()
    rng = random.Random(7)
    asked = set()
    for number in range(12):
        g_sigma = (own, plain)[number % 2]
        mesa = frozenset(rng.sample(names[:6], 2))
        base = frozenset({names[100 + number]})
        cached = FastPrepared(g_sigma, {"s"}, base, mesa, cache=cache)
        fresh = FastPrepared(g_sigma, {"s"}, base, mesa)
        asked.add((g_sigma.interventions, mesa))
        assert cached.relevant == fresh.relevant
        assert dict(cached.down_to_given) == dict(fresh.down_to_given)
        assert cached.reachable() == fresh.reachable()
        assert cached.open_paths(limit=5) == fresh.open_paths(limit=5)
    assert cache.hits == 12 - len(asked) > 0
