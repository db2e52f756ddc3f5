"""Textbook cases with hand-derived answers for check_inner_alignment.

Each case names the graph, σ and query, and the open paths worked out by hand from DESIGN.md §2-§3.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from strategies import Case, cases

from causal_align import CausalAlignError, CausalGraph, GraphSpecError, SoftIntervention
from causal_align import check_inner_alignment as check


def graph(*edges: str, sigma: list[SoftIntervention] | None = None,
          regime: str | list[str] = "s") -> CausalGraph:
    return CausalGraph.from_edges(list(edges), regime=regime, sigma=sigma or [])


def paths(result: object) -> list[str]:
    return [str(path) for path in result.open_paths]  # type: ignore[attr-defined]


CASES = [
    # chain: the regime moves Y_b through X, which nobody conditions on
    ("chain", graph("s -> X", "X -> Y_b", "X -> Y_m"), ["s -> X -> Y_b"]),
    # chain blocked: the mesa objective sits on the only path
    ("chain through Y_m", graph("s -> Y_m", "Y_m -> Y_b"), []),
    # fork: F causes Y_m and Y_b; conditioning on the collider Y_m opens s -> Y_m <- F -> Y_b
    ("fork behind a conditioned collider", graph("s -> Y_m", "F -> Y_m", "F -> Y_b"),
     ["s -> Y_m <- F -> Y_b"]),
    # collider opened by a descendant of it: M -> D -> Y_m
    ("collider with a conditioned descendant", graph("s -> M", "Y_b -> M", "M -> D", "D -> Y_m"),
     ["s -> M <- Y_b"]),
    # a collider with no conditioned descendant stays closed
    ("closed collider", graph("s -> M", "Y_b -> M", "Y_b -> Y_m"), []),
    # M-structure: s -> U1 -> M <- U2 -> Y_b with M = Y_m
    ("M-structure", graph("s -> U1", "U1 -> Y_m", "U2 -> Y_m", "U2 -> Y_b"),
     ["s -> U1 -> Y_m <- U2 -> Y_b"]),
    # latent confounder between Y_m and Y_b: conditioning on Y_m opens s -> Y_m <-> Y_b
    ("latent confounder", graph("s -> Y_m", "Y_m -> Y_b", "Y_m <-> Y_b"),
     ["s -> Y_m <-> Y_b"]),
    # a latent confounder and a directed edge on the same pair are two different paths
    ("bow", graph("s -> A", "A -> Y_b", "A <-> Y_b", "A -> Y_m"),
     ["s -> A -> Y_b", "s -> A <-> Y_b"]),
]


@pytest.mark.parametrize(("name", "diagram", "expected"), CASES, ids=[c[0] for c in CASES])
def test_textbook_case(name: str, diagram: CausalGraph, expected: list[str]) -> None:
    result = check(diagram, base="Y_b", mesa="Y_m")
    assert sorted(paths(result)) == sorted(expected)
    assert result.aligned is (not expected)
    assert not result.truncated


def test_sigma_removes_a_path() -> None:
    # In G the policy reads the cue: s -> Cue -> D -> Y_b is open. σ's context is Obs only.
    diagram = graph("s -> Cue", "Cue -> D", "Obs -> D", "D -> Y_b", "D -> Y_m")
    assert paths(check(diagram, base="Y_b", mesa="Y_m")) == ["s -> Cue -> D -> Y_b"]
    result = check(diagram, base="Y_b", mesa="Y_m", sigma=[SoftIntervention("D", ["Obs"])])
    assert result.aligned
    assert [str(edge) for edge in result.sigma_removed] == ["Cue -> D"]
    assert result.conjecture.all_through_mesa and not result.conjecture.all_through_mesa_in_g


def test_sigma_adds_a_path_from_a_node_that_was_not_a_parent() -> None:
    diagram = graph("s -> Cue", "D -> Y_b", "D -> Y_m")
    assert check(diagram, base="Y_b", mesa="Y_m").aligned
    result = check(diagram, base="Y_b", mesa="Y_m", sigma=[SoftIntervention("D", ["Cue"])])
    assert paths(result) == ["s -> Cue -> D -> Y_b"]
    [path] = result.open_paths
    assert [str(edge) for edge in path.sigma_edges] == ["Cue -> D"]
    assert path.kinds == ("causal leak", "σ-created")
    assert result.repairs.narrow_context == (("D", "Cue"),)


def test_sigma_cuts_the_latent_confounder_of_its_target() -> None:
    # s -> A <-> D -> Y_b with A = Y_m is open; the policy draws fresh noise, so σ cuts A <-> D.
    diagram = graph("s -> A", "A <-> D", "D -> Y_b")
    assert paths(check(diagram, base="Y_b", mesa="A")) == ["s -> A <-> D -> Y_b"]
    result = check(diagram, base="Y_b", mesa="A", sigma=[SoftIntervention("D", [])])
    assert result.aligned
    assert [str(edge) for edge in result.sigma_removed] == ["A <-> D"]


def test_ancestors_are_taken_in_g_sigma_not_g() -> None:
    # In G, the collider C reaches Y_m through D; σ(D) reads nothing, so in G_σ it does not.
    diagram = graph("s -> C", "B -> C", "B -> Y_b", "C -> D", "D -> Y_m")
    assert paths(check(diagram, base="Y_b", mesa="Y_m", sigma=[])) == ["s -> C <- B -> Y_b"]
    assert check(diagram, base="Y_b", mesa="Y_m", sigma=[SoftIntervention("D", [])]).aligned


def test_node_sets() -> None:
    diagram = graph("s -> A", "A -> Y1", "A -> M1", "s -> M2", "M2 -> Y2")
    assert check(diagram, base=["Y2"], mesa=["M1", "M2"]).aligned
    result = check(diagram, base=["Y1", "Y2"], mesa=["M1", "M2"])
    assert paths(result) == ["s -> A -> Y1"]
    assert result.base == ("Y1", "Y2") and result.mesa == ("M1", "M2")


def test_two_regime_nodes() -> None:
    diagram = graph("s1 -> A", "A -> Y_b", "s2 -> B", "B -> Y_m", "Y_m -> Y_b",
                    regime=["s1", "s2"])
    assert paths(check(diagram, base="Y_b", mesa="Y_m")) == ["s1 -> A -> Y_b"]
    assert check(diagram, base="Y_b", mesa="Y_m", regime="s2").aligned
    assert not check(diagram, base="Y_b", mesa="Y_m", regime=["s1"]).aligned


def test_no_causal_connection_is_not_aligned() -> None:
    # DESIGN.md §4: s -> Y_m <- Y_b is open given Y_m, though no causal path runs from s to Y_b.
    result = check(graph("s -> Y_m", "Y_b -> Y_m"), base="Y_b", mesa="Y_m")
    assert paths(result) == ["s -> Y_m <- Y_b"]
    assert not result.conjecture.has_causal_route
    assert result.conjecture.agrees is None
    assert "yet it is not aligned: s -> Y_m <- Y_b is open" in result.conjecture.note


def test_conjecture_blind_to_a_latent_confounder() -> None:
    # (1) and (2) hold, yet Y_m <-> Y_b opens a selection leak: the conjecture is wrong.
    result = check(graph("s -> X", "X -> Y_m", "Y_m -> Y_b", "Y_m <-> Y_b"),
                   base="Y_b", mesa="Y_m")
    conjecture = result.conjecture
    assert (conjecture.depends, conjecture.all_through_mesa, conjecture.predicts_aligned) == (
        True, True, True)
    assert conjecture.agrees is False and not result.aligned
    assert "s -> X -> Y_m <-> Y_b is open" in conjecture.note


def test_conjecture_agrees_on_an_aligned_proxy() -> None:
    result = check(graph("s -> X", "X -> Y_m", "Y_m -> Y_b"), base="Y_b", mesa="Y_m")
    assert result.aligned and result.conjecture.agrees is True


def test_direct_edge_into_y_b_cannot_be_blocked() -> None:
    result = check(graph("s -> Y_b", "s -> Y_m"), base="Y_b", mesa="Y_m")
    assert [str(edge) for edge in result.repairs.impossible] == ["s -> Y_b"]
    assert result.repairs.monitor is None


def test_monitor_hint_is_minimal() -> None:
    # Both A and B block s -> A -> B -> Y_b; either alone suffices, the hint names one.
    result = check(graph("s -> A", "A -> B", "B -> Y_b", "Y_b -> Y_m"), base="Y_b", mesa="Y_m")
    assert result.repairs.monitor in (("A",), ("B",))


def test_latent_routes_leave_no_monitor() -> None:
    # s -> Y_m <-> Y_b: the only non-query node on the path is latent, nothing can be monitored.
    result = check(graph("s -> Y_m", "Y_m <-> Y_b"), base="Y_b", mesa="Y_m")
    assert not result.aligned and result.repairs.monitor is None


def test_ladder_of_diamonds_is_truncated_at_once() -> None:
    # 2**60 directed paths from s to Y_b: the verdict is immediate, the listing is cut.
    edges = ["s -> A0", "A60 -> Y_b"]
    for index in range(60):
        edges += [f"A{index} -> L{index}", f"A{index} -> R{index}",
                  f"L{index} -> A{index + 1}", f"R{index} -> A{index + 1}"]
    result = check(graph(*edges), base="Y_b", limit=20)
    assert not result.aligned and result.truncated
    assert len(result.open_paths) == 20
    assert {len(path.nodes) for path in result.open_paths} == {123}


def test_a_long_chain_needs_no_recursion() -> None:
    length = 50_000
    edges = ["s -> V0", *(f"V{index} -> V{index + 1}" for index in range(length))]
    result = check(graph(*edges), base=f"V{length}", limit=1)
    assert not result.aligned and not result.truncated
    assert len(result.open_paths[0].nodes) == length + 2


def test_the_verdict_ignores_the_limit() -> None:
    diagram = graph("s -> X", "X -> Y_b")
    result = check(diagram, base="Y_b", limit=0)
    assert not result.aligned and result.open_paths == () and result.truncated


@pytest.mark.parametrize(("query", "message"), [
    ({"base": []}, "<query on graph> base: no base objective Y_b (give query.base in the file, "
                   "base= in Python or --base on the command line) [E_EMPTY_SET]"),
    ({"base": "Y_b", "mesa": "Y_b"}, "<query on graph> mesa: base and mesa are the same set "
     "(Y_b): the mesa objective must differ from the base objective [E_QUERY_OVERLAP]"),
    ({"base": "Y_b", "regime": "X"}, "<query on graph> regime: 'X' is not a declared regime "
     "node (declared: s) [E_REGIME_UNDECLARED]"),
    ({"base": "Y_bb"}, "<query on graph> base: unknown node 'Y_bb' in base (did you mean "
     "'Y_b'?) [E_UNKNOWN_NODE]"),
])
def test_bad_queries_are_refused(query: dict[str, object], message: str) -> None:
    with pytest.raises(GraphSpecError) as caught:
        check(graph("s -> X", "X -> Y_b"), **query)  # type: ignore[arg-type]
    assert [str(problem) for problem in caught.value.problems] == [message]


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(CausalAlignError, match="limit must be >= 0, found -1"):
        check(graph("s -> X", "X -> Y_b"), base="Y_b", limit=-1)


def test_a_sigma_override_is_checked_like_a_file() -> None:
    with pytest.raises(GraphSpecError) as caught:
        check(graph("s -> X", "X -> Y_b"), base="Y_b", sigma=[SoftIntervention("Y_b", ["X2"])])
    assert [problem.code for problem in caught.value.problems] == ["E_UNKNOWN_NODE"]


def test_the_monitor_repair_is_minimum_and_never_names_an_unobserved_node() -> None:
    edges = ["s -> I", "I -> Y_b", "s -> A", "s -> B", "A -> C", "B -> C", "C -> Y_b",
             "Y_m -> Y_b"]
    observed = CausalGraph.from_edges(edges, regime="s", base="Y_b", mesa="Y_m")
    assert check(observed).repairs.monitor == ("C", "I")
    hidden = CausalGraph.from_edges(edges, regime="s", base="Y_b", mesa="Y_m",
                                    unobserved=["I"])
    assert check(hidden).repairs.monitor is None
    around = CausalGraph.from_edges(edges, regime="s", base="Y_b", mesa="Y_m",
                                    unobserved=["C"])
    assert check(around).repairs.monitor == ("A", "B", "I")


def test_a_result_prints_as_one_short_line() -> None:
    misaligned = check(graph("s -> A", "A -> Y_b", "s -> B", "B -> Y_b", "B -> Y_m"),
                       base="Y_b", mesa="Y_m", limit=1)
    assert repr(misaligned) == (
        "<AlignmentResult 'graph': NOT ALIGNED (Y_b ⊥ s | Y_m), 1+ open paths>")
    assert repr(check(graph("s -> A", "A -> Y_m", "Y_m -> Y_b"), base="Y_b", mesa="Y_m")) == (
        "<AlignmentResult 'graph': ALIGNED (Y_b ⊥ s | Y_m)>")


def test_the_narrow_context_repair_is_near_linear_in_the_context() -> None:
    """A policy reading thousands of nodes: one separation check per candidate, not per context
    node (it was quadratic: 8,000 context nodes took over 300 s)."""
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from work import bounded_calls

    def policy_reading(count: int) -> CausalGraph:
        reads = [f"n{index}" for index in range(count)]
        return CausalGraph.from_edges(
            ["s -> n0", *(f"{node} -> D" for node in reads), "D -> Y_b", "D -> Y_m"],
            regime="s", sigma=[SoftIntervention("D", reads)], base="Y_b", mesa="Y_m")

    calls = []
    for count in (2_000, 4_000):
        graph = policy_reading(count)
        with bounded_calls(10**8) as work:
            repairs = check(graph).repairs
        calls.append(work.calls)
        assert repairs.narrow_context == (("D", "n0"),)
    assert calls[1] < 2.5 * calls[0], f"twice the context, {calls[1] / calls[0]:.1f}x the calls"


@given(cases())
def test_the_conjecture_knows_when_g_has_no_causal_route(case: Case) -> None:
    """``has_causal_route_in_g`` against networkx's reachability on G's directed edges."""
    import networkx as nx

    result = check(case.graph)
    g = nx.DiGraph()
    g.add_nodes_from(case.graph.nodes)
    g.add_edges_from((edge.tail, edge.head) for edge in case.graph.edges if not edge.bidirected)
    route = any(nx.has_path(g, source, target) for source in case.regime for target in case.base)
    assert result.conjecture.has_causal_route_in_g == route
