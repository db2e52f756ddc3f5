"""Signatures and the trade-off explorer against their definitions, on small random diagrams.

The signatures are recomputed from the brute-force incentive oracle of
``test_incentives_criteria``; each design variant is checked to be exactly the one change it
names (an edge diff against the original), and the Pareto marks and the status against a
direct reading of their definitions.
"""

from __future__ import annotations

import os
import random

from test_incentives_criteria import Dag, oracle, random_case, sigma_dag

from causal_align.alignment import check_inner_alignment
from causal_align.incentives.signatures import signatures
from causal_align.incentives.tradeoffs import tradeoffs
from causal_align.model import CausalGraph, SoftIntervention

CASES = 4000 if os.environ.get("CI") == "true" else 800


def with_query(rng: random.Random) -> tuple[CausalGraph, Dag, str, set[str], set[str]] | None:
    graph, dag, decision, context, utility = random_case(rng)
    others = [node for node in graph.nodes if node not in graph.regime]
    base = rng.sample(others, 1)
    mesa = [node for node in rng.sample(others, min(2, len(others)))
            if node not in base][:1]
    if not mesa:
        return None
    graph = CausalGraph(graph.nodes, graph.edges, regime="s", sigma=graph.sigma,
                        base=base, mesa=mesa)
    return graph, dag, decision, context, utility


def test_signatures_match_their_definitions() -> None:
    rng = random.Random(99)
    counts = {"deception": 0, "wireheading": 0, "tampering": 0}
    for _ in range(CASES):
        case = with_query(rng)
        if case is None:
            continue
        graph, dag, decision, context, utility = case
        want = oracle(dag, decision, context, utility, rng)
        g_sigma = sigma_dag(dag, decision, context)
        below_s = g_sigma.descendants("s") | {"s"}
        above_base = {node for node in dag.nodes for base in graph.base
                      if node == base or g_sigma.directed_paths(node, base)}
        deception = {node for node in want["ri"] if node in below_s}
        wireheading = (want["ici"] & graph.mesa) - utility
        tampering = {node for node in want["ici"] - {decision} - utility - graph.mesa
                     if any((node, u) in g_sigma.directed for u in utility)
                     and node not in above_base}
        found = signatures(graph, utility=sorted(utility))
        assert set(found.deception) == deception
        assert set(found.wireheading) == wireheading
        assert set(found.tampering) == tampering
        counts["deception"] += len(deception)
        counts["wireheading"] += len(wireheading)
        counts["tampering"] += len(tampering)
        star = sigma_dag(dag, decision, set(found.incentives.requisite))
        for item in found.items:  # every witness is a directed path of the right diagram
            graph_of_path = star if item.kind == "deceptive alignment" else g_sigma
            assert all(edge in graph_of_path.directed for edge in zip(item.nodes, item.nodes[1:]))
            assert item.node in item.nodes
            if item.kind == "deceptive alignment":
                assert item.nodes[0] == "s" and item.nodes[-1] == decision
            else:
                assert item.nodes[0] == decision and item.nodes[-1] in utility
    print(f"signatures checked: {counts}")
    assert all(count > 10 for count in counts.values()), counts


def edge_set(graph: CausalGraph) -> set[str]:
    return {str(edge) if not edge.bidirected else " <-> ".join(sorted((edge.tail, edge.head)))
            for edge in graph.edges}


def test_each_variant_is_its_one_change_and_the_marks_follow_the_definitions() -> None:
    rng = random.Random(5)
    statuses: dict[str, int] = {}
    for _ in range(CASES // 2):
        case = with_query(rng)
        if case is None:
            continue
        graph, _, decision, context, utility = case
        table = tradeoffs(graph, utility=sorted(utility))
        original = edge_set(graph)
        assert table.variants[0].name == "as filed"
        for variant in table.variants:
            edges = edge_set(variant.graph)
            sigma = {item.target: item.context for item in variant.graph.sigma}
            if variant.change == "drop context":
                dropped = variant.name.split(" stops reading ")[1]
                assert edges == original
                assert set(sigma[decision] or ()) == set(context) - {dropped}
            elif variant.change == "cut decision edge":
                child = variant.name.split(" -> ")[1]
                assert original - edges == {f"{decision} -> {child}"} and edges <= original
            elif variant.change == "reward reads Y_m":
                assert {edge for edge in edges - original} <= {
                    f"{m} -> {u}" for m in graph.mesa for u in utility}
                for u in utility:
                    assert set(variant.graph.parents(u)) == set(graph.mesa)
            elif variant.change == "current RF":
                node = variant.name.split("current-RF for ")[1]
                copy = next(iter(set(variant.graph.nodes) - set(graph.nodes)))
                assert copy.startswith(node)
                assert {edge for edge in original - edges} == {
                    f"{node} -> {u}" for u in utility if u in graph.children(node)}
            else:
                assert edges == original
            # verdict and signatures are those of the variant graph itself
            verdict = check_inner_alignment(variant.graph)
            assert variant.aligned == verdict.aligned
            assert variant.signatures == signatures(variant.graph, decision=decision,
                                                    utility=sorted(utility))
        scores = [(not variant.aligned, variant.has_control_signature)
                  for variant in table.variants]
        for variant, score in zip(table.variants, scores):
            dominated = any(other[0] <= score[0] and other[1] <= score[1] and other != score
                            for other in scores)
            assert variant.pareto == (not dominated)
        clean = any(score == (False, False) for score in scores)
        any_aligned = any(not score[0] for score in scores)
        any_free = any(not score[1] for score in scores)
        expected = ("no trade-off" if clean else "trade-off" if any_aligned and any_free
                    else "none aligned" if not any_aligned else "control unavoidable")
        assert table.status == expected
        statuses[table.status] = statuses.get(table.status, 0) + 1
    print(f"trade-off statuses: {statuses}")
    assert len(statuses) >= 3, statuses


def test_current_rf_removes_the_tampering_incentive_on_the_papers_diagram() -> None:
    graph = CausalGraph.from_edges(
        ["s -> S1", "S1 -> D", "D -> S2", "S1 -> S2", "Theta1 -> Theta2", "D -> Theta2",
         "Theta2 -> R", "S2 -> R", "S2 -> Perf"], regime="s",
        sigma=[SoftIntervention("D", ["S1"])], base="Perf", mesa="R", name="rf")
    table = tradeoffs(graph, utility="R")
    [fixed] = [variant for variant in table.variants if variant.change == "current RF"]
    assert fixed.name == "current-RF for Theta2"
    assert table.variants[0].signatures.tampering == ("Theta2",)
    assert fixed.signatures.tampering == ()
    assert sorted(map(str, fixed.graph.edges)) == sorted([
        "s -> S1", "S1 -> D", "D -> S2", "S1 -> S2", "Theta1 -> Theta2", "D -> Theta2",
        "Theta2_current -> R", "S2 -> R", "S2 -> Perf", "Theta1 -> Theta2_current",
        "Theta2_current -> Theta2"])


def test_sigma_is_where_every_variant_starts() -> None:
    graph = CausalGraph.from_edges(["s -> O", "O -> D", "C -> D", "D -> Y_m", "Y_m -> U",
                                    "O -> U", "C -> U"], regime="s",
                                   sigma=[SoftIntervention("D", ["O"])], base="U", mesa="Y_m")
    table = tradeoffs(graph, utility="U", sigma=[SoftIntervention("D", ["C", "O"])])
    names = [variant.name for variant in table.variants]
    assert names[:3] == ["as filed", "D stops reading C", "D stops reading O"]
    assert table.variants[0].graph.sigma == (SoftIntervention("D", ["C", "O"]),)
