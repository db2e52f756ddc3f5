"""CausalGraph, Edge and SoftIntervention: construction, equality, immutability."""

from __future__ import annotations

import copy
import pickle

import pytest

from causal_align import (
    CausalGraph,
    Edge,
    GraphSpecError,
    SoftIntervention,
    check_inner_alignment,
    dump_graph,
    parse_graph,
)


def test_edge_parsing() -> None:
    assert Edge.parse("A -> B") == Edge("A", "B")
    assert Edge.parse("A<->B") == Edge("A", "B", bidirected=True)
    assert Edge.parse(" x.1 -> y-2 ") == Edge("x.1", "y-2")
    for text in ("A => B", "A - B", "A -> B -> C", "A ->", "-> B", "A <- B", "2A -> B"):
        assert Edge.parse(text) is None, text


def test_bidirected_edges_are_unordered() -> None:
    assert Edge("A", "B", bidirected=True).key() == Edge("B", "A", bidirected=True).key()
    assert Edge("A", "B").key() != Edge("B", "A").key()


def test_from_edges_infers_nodes_in_order() -> None:
    graph = CausalGraph.from_edges(["s -> B", "A <-> B"], regime="s", nodes={"Z": "alone"})
    assert graph.nodes == ("Z", "s", "B", "A")
    assert graph.labels["Z"] == "alone" and graph.labels["A"] == ""
    assert graph.spouses("A") == ("B",) and graph.children("Z") == ()


def test_equality_ignores_edge_order_but_not_content() -> None:
    one = CausalGraph(["s", "A", "B"], ["s -> A", "A -> B"], regime="s")
    two = CausalGraph(["s", "A", "B"], ["A -> B", "s -> A"], regime="s")
    three = CausalGraph(["s", "A", "B"], ["s -> A", "s -> B"], regime="s")
    assert one == two and hash(one) == hash(two)
    assert one != three


def test_context_none_differs_from_an_empty_context() -> None:
    assert SoftIntervention("D") != SoftIntervention("D", [])
    assert SoftIntervention("D", "O").context == ("O",)


def test_graphs_are_immutable() -> None:
    graph = CausalGraph.from_edges(["s -> A"], regime="s")
    with pytest.raises(AttributeError):
        graph.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="cannot be changed"):
        graph.sigma = (SoftIntervention("A", []),)  # G_σ is kept per graph: it must not go stale
    with pytest.raises(AttributeError, match="cannot be changed"):
        del graph.name


def test_graphs_and_results_pickle_and_copy() -> None:
    graph = CausalGraph.from_edges(["s -> C", "C -> O", "O -> D", "D -> Y_m", "C -> Y_b",
                                    "C <-> Y_m"], regime="s", base="Y_b", mesa="Y_m",
                                   sigma=[SoftIntervention("D", ["O"])])
    result = check_inner_alignment(graph)  # keeps G_σ on the graph
    assert pickle.loads(pickle.dumps(graph)) == graph
    for other_sigma in (None, [SoftIntervention("D", [])]):
        result = check_inner_alignment(graph, sigma=other_sigma)
        for copied in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):
            assert copied == result
            assert copied.repairs == result.repairs and copied.conjecture == result.conjecture
            assert [path.explain() for path in copied.open_paths] == [
                path.explain() for path in result.open_paths]


def test_python_graphs_are_checked_like_files() -> None:
    with pytest.raises(GraphSpecError) as caught:
        CausalGraph(["s", "A"], ["A -> s", "s -> B", 5], regime="s")  # type: ignore[list-item]
    assert [str(problem) for problem in caught.value.problems] == [
        "<python> edges[1]: unknown node 'B' in \"s -> B\" (add it to the graph's nodes) "
        "[E_UNKNOWN_NODE]",
        "<python> edges[2]: an edge must be a string like \"A -> B\", found int 5 [E_EDGE_SYNTAX]",
        "<python> regime: regime node 's' has parents A (a regime node is exogenous: remove the "
        "edges into it) [E_REGIME_NOT_EXOGENOUS]",
    ]


def test_query_without_a_base_is_refused_when_given() -> None:
    with pytest.raises(GraphSpecError) as caught:
        CausalGraph.from_edges(["s -> A"], regime="s", base=[], mesa="A")
    assert caught.value.problems[0].code == "E_EMPTY_SET"


def test_a_non_string_node_is_an_error_not_a_crash() -> None:
    with pytest.raises(GraphSpecError) as caught:
        CausalGraph([1, "s", "A"], ["s -> A", "s -> B"], regime="s")  # type: ignore[list-item]
    assert [problem.code for problem in caught.value.problems] == ["E_INVALID_NAME",
                                                                  "E_UNKNOWN_NODE"]


# roles beside the query: utility, decision, unobserved nodes, positions -----------------------


def test_roles_are_read_checked_and_dumped_back() -> None:
    graph = parse_graph("nodes:\n  s: r\n  A: {label: a, observed: false, position: [1, 2.5]}\n"
                        "  D: d\n  U: u\nedges: [s -> A, A -> D, D -> U]\nregime: s\n"
                        "sigma: [{target: D}]\nutility: U\ndecision: D\n")
    assert (graph.utility, graph.decision, graph.unobserved, dict(graph.positions)) == (
        ("U",), "D", frozenset({"A"}), {"A": (1.0, 2.5)})
    assert parse_graph(dump_graph(graph)) == graph


def test_roles_name_known_nodes_that_are_not_regime_nodes() -> None:
    with pytest.raises(GraphSpecError) as info:
        parse_graph("nodes: {s: r, A: {observed: false, position: [1, .nan]}}\nedges: [s -> A]\n"
                    "regime: s\nutility: [Q, s]\ndecision: s\n")
    assert [(p.code, p.location, p.line) for p in info.value.problems] == [
        ("E_TYPE", "nodes.A.position", 1), ("E_UNKNOWN_NODE", "utility[0]", 4),
        ("E_REGIME_ROLE", "utility[1]", 4), ("E_REGIME_ROLE", "decision", 5)]
    with pytest.raises(GraphSpecError, match="regime node 's' cannot be unobserved"):
        CausalGraph.from_edges(["s -> A"], regime="s", unobserved=["s"])
