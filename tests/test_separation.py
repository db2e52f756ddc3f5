"""The engine on its own: separation, ancestors in G_σ, path search, minimal separators."""

from __future__ import annotations

import pytest

from causal_align import CausalGraph, GraphSpecError, SoftIntervention, sigma_graph
from causal_align.separation import (
    Prepared,
    ancestors,
    directed_reach,
    is_separated,
    minimal_separator,
    open_paths,
)


def g_sigma(*edges: str, sigma: list[SoftIntervention] | None = None):  # type: ignore[no-untyped-def]
    return sigma_graph(CausalGraph.from_edges(list(edges), regime="s", sigma=sigma or []))


def test_ancestors_follow_g_sigma() -> None:
    g = g_sigma("s -> A", "A -> D", "B -> D", "D -> Y", sigma=[SoftIntervention("D", ["B"])])
    assert ancestors(g, {"Y"}) == {"Y", "D", "B"}


def test_bidirected_edges_make_no_ancestors() -> None:
    assert ancestors(g_sigma("s -> A", "A <-> Y"), {"Y"}) == {"Y"}


def test_query_is_confined_to_the_ancestral_set() -> None:
    # D is a descendant of everything and never on an open path between s and Y given {}.
    g = g_sigma("s -> A", "A -> Y", "Y -> D", "s -> D")
    assert Prepared(g, {"s"}, {"Y"}, set()).relevant == {"s", "A", "Y"}


def test_descendant_of_a_collider_opens_it() -> None:
    g = g_sigma("s -> C", "Y -> C", "C -> D1", "D1 -> D2")
    assert is_separated(g, {"s"}, {"Y"}, given=set())
    assert is_separated(g, {"s"}, {"Y"}, given={"D1"}) is False
    assert is_separated(g, {"s"}, {"Y"}, given={"D2"}) is False


def test_conditioning_on_a_chain_node_and_on_the_collider() -> None:
    # s -> A -> Y and s -> C <- Y: {A} blocks the chain and leaves the collider closed.
    g = g_sigma("s -> A", "A -> Y", "s -> C", "Y -> C")
    assert is_separated(g, {"s"}, {"Y"}, given={"A"})
    assert not is_separated(g, {"s"}, {"Y"}, given={"A", "C"})


def test_paths_come_shortest_first_and_stop_at_the_limit() -> None:
    g = g_sigma("s -> Y", "s -> A", "A -> Y", "A -> B", "B -> Y")
    found, truncated = open_paths(g, {"s"}, {"Y"}, limit=10)
    assert [nodes for nodes, _ in found] == [("s", "Y"), ("s", "A", "Y"), ("s", "A", "B", "Y")]
    assert not truncated
    found, truncated = open_paths(g, {"s"}, {"Y"}, limit=2)
    assert len(found) == 2 and truncated


def test_paths_never_pass_through_endpoints() -> None:
    # s2 is another source: s -> s2 is impossible (regime nodes are roots), but Y -> Z -> Y2 is
    # a path through a target; a proper path to Y2 must not run through Y.
    g = g_sigma("s -> Y", "Y -> Y2", "s -> A", "A -> Y2")
    found, _ = open_paths(g, {"s"}, {"Y", "Y2"}, limit=10)
    assert sorted(nodes for nodes, _ in found) == [("s", "A", "Y2"), ("s", "Y")]


def test_a_tiny_budget_reports_truncation() -> None:
    g = g_sigma("s -> A", "A -> B", "B -> Y")
    assert open_paths(g, {"s"}, {"Y"}, limit=5, budget=1) == ([], True)


def test_directed_reach_avoids_nodes() -> None:
    g = g_sigma("s -> M", "M -> Y", "s -> N", "N -> Y")
    assert directed_reach(g, ["s"], within={"s", "Y"}) == {"s"}


def test_minimal_separator_keeps_what_is_included() -> None:
    g = g_sigma("s -> A", "A -> B", "B -> Y", "A -> Z")
    assert minimal_separator(g, {"s"}, {"Y"}, included={"Z"}, restricted={"A", "B", "Z"}) in (
        {"Z", "A"}, {"Z", "B"})


def test_minimal_separator_none_when_only_latents_could_block() -> None:
    g = g_sigma("s -> M", "M <-> Y")
    assert minimal_separator(g, {"s"}, {"Y"}, included={"M"}, restricted={"M"}) is None


# the public entry points check their input ----------------------------------------------------


@pytest.mark.parametrize(("sources", "targets", "given", "codes"), [
    ({"s"}, {"nope"}, set(), ["E_UNKNOWN_NODE"]),
    ({"s"}, {"s"}, set(), ["E_QUERY_OVERLAP"]),
    (set(), {"Y"}, set(), ["E_EMPTY_SET"]),
    ({"s"}, {"Y"}, {"Y"}, ["E_QUERY_OVERLAP"]),
], ids=["unknown", "same-node", "no-sources", "given-is-target"])
def test_the_engine_refuses_a_question_it_cannot_answer(
        sources: set[str], targets: set[str], given: set[str], codes: list[str]) -> None:
    g = sigma_graph(CausalGraph.from_edges(["s -> X", "X -> Y"], regime="s"))
    for ask in (lambda: is_separated(g, sources, targets, given=given),
                lambda: open_paths(g, sources, targets, given=given, limit=1),
                lambda: minimal_separator(g, sources, targets, included=given, restricted=())):
        with pytest.raises(GraphSpecError) as info:
            ask()
        assert [problem.code for problem in info.value.problems] == codes


def test_truncated_means_another_open_path_exists_even_among_many_dead_ends() -> None:
    """One open path, s -> x -> Y_b, beside a dense region every walk out of which must come
    back through x: asking for one path must not report more (it did, once the dead ends
    used up the work budget), and the dead ends cost one reachability pass each, not their
    exponential number."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from work import bounded_calls

    k = 30
    edges = ["s -> x", "x -> Y_b", *(f"x -> r{i}" for i in range(k)),
             *(f"r{i} -> r{j}" for i in range(k) for j in range(i + 1, k)),
             *(f"r{i} -> Y_m" for i in range(k))]
    g = sigma_graph(CausalGraph.from_edges(edges, regime="s"))
    with bounded_calls(2_000_000):
        for limit in (0, 1, 1000):
            found, truncated = open_paths(g, {"s"}, {"Y_b"}, given={"Y_m"}, limit=limit)
            assert [nodes for nodes, _ in found] == [("s", "x", "Y_b")][:limit]
            assert truncated is (limit == 0)
