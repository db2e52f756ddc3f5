"""Reasons and classification of open paths, checked word for word."""

from __future__ import annotations

import tracemalloc

import pytest

from causal_align import CausalGraph, SoftIntervention, check_inner_alignment


def only_path(*edges: str, base: str = "Y_b", mesa: str = "Y_m",
              sigma: list[SoftIntervention] | None = None):  # type: ignore[no-untyped-def]
    graph = CausalGraph.from_edges(list(edges), regime="s", sigma=sigma or [],
                                   nodes=[base, mesa])
    [path] = check_inner_alignment(graph, base=base, mesa=mesa).open_paths
    return path


def test_chain_and_fork_reasons() -> None:
    path = only_path("s -> Y_m", "F -> Y_m", "F -> A", "A -> Y_b")
    assert str(path) == "s -> Y_m <- F -> A -> Y_b"
    assert path.explain() == (
        "Y_m is a collider (s -> Y_m <- F), opened because it is conditioned on",
        "F is a fork (Y_m <- F -> A), not conditioned on",
        "A is a chain (F -> A -> Y_b), not conditioned on",
    )
    assert path.kinds == ("selection leak", "conditioned collider")
    assert path.arrows == ("->", "<-", "->", "->")


def test_a_collider_names_its_path_down_to_the_conditioned_node() -> None:
    path = only_path("s -> C", "Y_b -> C", "C -> D", "D -> Y_m")
    assert path.explain() == ("C is a collider (s -> C <- Y_b), opened because its descendant "
                              "Y_m is conditioned on: C -> D -> Y_m",)
    assert path.junctions[0].down_to_mesa == ("C", "D", "Y_m")
    assert path.junctions[0].descent_hops == 2
    assert path.kinds == ("selection leak", "collider with a conditioned descendant")


def test_a_latent_confounder_is_named() -> None:
    path = only_path("s -> Y_m", "Y_m <-> Y_b")
    assert path.explain() == ("Y_m is a collider (s -> Y_m <-> Y_b), opened because it is "
                              "conditioned on; Y_m <-> Y_b means Y_m and Y_b share a latent "
                              "common cause",)
    assert path.kinds == ("selection leak", "conditioned collider", "latent confounder")


def test_sigma_edges_are_told_at_the_target() -> None:
    path = only_path("s -> Cue", "D -> Y_b", sigma=[SoftIntervention("D", ["Cue"])])
    assert path.explain()[1] == ("D is a chain (Cue -> D -> Y_b), not conditioned on; the edge "
                                 "Cue -> D exists only because σ(D) reads Cue")
    assert path.is_sigma_created


def test_sigma_edge_into_the_base_node_is_told_at_its_tail() -> None:
    path = only_path("s -> Cue", sigma=[SoftIntervention("Y_b", ["Cue"])])
    assert path.explain() == ("Cue is a chain (s -> Cue -> Y_b), not conditioned on; the edge "
                              "Cue -> Y_b exists only because σ(Y_b) reads Cue",)


def test_to_dict_is_plain_data() -> None:
    path = only_path("s -> A", "A -> Y_b")
    assert path.to_dict() == {
        "path": "s -> A -> Y_b", "nodes": ["s", "A", "Y_b"], "arrows": ["->", "->"],
        "kinds": ["causal leak"], "sigma_edges": [],
        "junctions": [{"node": "A", "kind": "chain", "down_to_mesa": [], "descent_hops": 0,
                       "sigma_edges": [], "latent_edges": [], "sigma_descent": [],
                       "reason": "A is a chain (s -> A -> Y_b), not conditioned on"}],
    }


def test_a_sigma_edge_on_a_collider_descent_is_named() -> None:
    # Page is a collider opened through Page -> D -> Y_m, and Page -> D exists only through σ.
    path = only_path("s -> Page", "Req -> Page", "Req -> Y_b", "D -> Y_m",
                     sigma=[SoftIntervention("D", ["Page"])])
    assert str(path) == "s -> Page <- Req -> Y_b"
    assert path.explain()[0] == (
        "Page is a collider (s -> Page <- Req), opened because its descendant Y_m is conditioned "
        "on: Page -> D -> Y_m (on that descent, Page -> D exists only because σ(D) reads Page)")


def test_a_direct_edge_gets_its_own_sentence() -> None:
    path = only_path("s -> Y_b", "s -> Y_m")
    assert path.explain() == ("s -> Y_b is a single edge: the regime changes Y_b's own "
                              "mechanism, which no conditioning can block",)


def test_a_long_descent_is_cut_in_reports_but_whole_on_request() -> None:
    chain = [f"C{index} -> C{index + 1}" for index in range(30)]
    path = only_path("s -> C0", "Y_b -> C0", *chain, "C30 -> Y_m")
    [collider] = path.junctions
    assert collider.descent_hops == 31
    assert collider.down_to_mesa == (*(f"C{index}" for index in range(31)), "Y_m")
    assert collider.shown_descent() == (*(f"C{index}" for index in range(10)), "…", "Y_m")
    assert collider.reason().endswith("C0 -> C1 -> C2 -> C3 -> C4 -> C5 -> C6 -> C7 -> C8 -> C9 "
                                      "-> … -> Y_m (31 edges)")
    assert collider.to_dict()["down_to_mesa"][-2:] == ["…", "Y_m"]


def test_many_colliders_with_long_descents_cost_memory_linear_in_the_graph(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSAL_ALIGN_ENGINE", "python")  # the reference engine's memory
    # s -> C1 <-> C2 <-> ... <-> C800 <-> Y_b, each Ci on one 20,000-node spine down to Y_m:
    # written out per collider, the descents would hold 8 million nodes; shared, they hold 20,000.
    spine = [f"T{index}" for index in range(20_000)]
    colliders = spine[::25]
    edges = [f"{upper} -> {lower}" for upper, lower in zip(spine, spine[1:])]
    edges += [f"{spine[-1]} -> Y_m", f"s -> {colliders[0]}", f"{colliders[-1]} <-> Y_b"]
    edges += [f"{left} <-> {right}" for left, right in zip(colliders, colliders[1:])]
    graph = CausalGraph.from_edges(edges, regime="s", base="Y_b", mesa="Y_m")
    tracemalloc.start()
    try:
        result = check_inner_alignment(graph, limit=1)
        text = "\n".join(result.open_paths[0].explain())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    [path] = result.open_paths
    assert path.nodes == ("s", *colliders, "Y_b")
    assert all(junction.kind == "collider" for junction in path.junctions)
    assert path.junctions[1].descent_hops == len(spine) - 25
    assert text.count("… -> Y_m") == len(colliders)
    assert peak < 24 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_a_regime_edge_made_by_the_policys_context_says_so() -> None:
    graph = CausalGraph.from_edges(["Y_m -> Y_b"], nodes=["s"], regime="s", base="Y_b",
                                   mesa="Y_m")
    reads_s = check_inner_alignment(graph, sigma=[SoftIntervention("Y_b", ["s"])])
    assert reads_s.open_paths[0].explain() == (
        "s -> Y_b is a single edge, and only σ made it: the learned policy Y_b reads s (its "
        "context), which no conditioning can block; drop s from the context",)
    shifted = CausalGraph.from_edges(["s -> Y_b", "Y_m -> Y_b"], regime="s", base="Y_b",
                                     mesa="Y_m")
    assert "the regime changes Y_b's own mechanism" in \
        check_inner_alignment(shifted).open_paths[0].explain()[0]
