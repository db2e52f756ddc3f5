"""check_under_uncertainty against brute force: every consistent extension, enumerated.

On random partially directed diagrams (regime node, σ with omitted, empty and explicit contexts,
``<->`` edges, background knowledge), the oracle orients every ``--`` edge both ways, keeps the
consistent extensions by definition (:mod:`uncertainty_cases`) and checks each with the core.
Checked: the set of verdicts, the pivots' parent combinations, the Meek closure (exactly the
orientations shared by every extension), refusals (no extension at all), and that each settling
orientation settles the verdict and no other orientation does.
"""

from __future__ import annotations

import os
import random

import pytest
from uncertainty_cases import Case, extensions, random_case, undecided_case, verdict_of

from causal_align.alignment import check_inner_alignment
from causal_align.errors import GraphSpecError
from causal_align.model import CausalGraph, Edge, SoftIntervention
from causal_align.uncertainty.partial import Background, PartialGraph
from causal_align.uncertainty.verdict import (
    ALIGNED,
    NOT_ALIGNED,
    UNDETERMINED,
    check_under_uncertainty,
)

CASES = 2000 if os.environ.get("CI") == "true" else 400
UNDECIDED = 300 if os.environ.get("CI") == "true" else 60


def build(case: Case) -> PartialGraph:
    return PartialGraph.from_edges(
        case.edge_strings(), regime="s", nodes=case.nodes, sigma=case.sigma, base=case.base,
        mesa=case.mesa, background=Background(case.required, case.forbidden, case.tiers))


def pivots_of(case: Case) -> list[str]:
    targets = {item.target for item in case.sigma}
    return sorted(targets) + sorted({node for pair in case.bidirected for node in pair
                                     if not targets & set(pair)})


def parents_in(edges: list[tuple[str, str]], pivots: list[str]) -> frozenset[object]:
    return frozenset((node, frozenset(a for a, b in edges if b == node)) for node in pivots)


@pytest.mark.parametrize("seed", range(CASES))
def test_verdicts_equal_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    same_as_brute_force(random_case(rng, size=rng.randint(3, 7)))


@pytest.mark.parametrize("seed", range(UNDECIDED))
def test_undetermined_verdicts_and_settling_orientations(seed: int) -> None:
    case = undecided_case(random.Random(10_000 + seed))
    assert same_as_brute_force(case) == UNDETERMINED


def same_as_brute_force(case: Case) -> str | None:
    """Every check against the oracle; the verdict, or None when the case was refused."""
    every = extensions(case, with_sigma=False)
    try:
        graph = build(case)
    except GraphSpecError as error:
        assert not every, str(error)  # refused only when nothing fits
        assert {problem.code for problem in error.problems} <= {"E_NO_EXTENSION"}, str(error)
        return None
    assert every
    common = set.intersection(*(set(edges) for edges in every))
    assert set(graph.closed_directed) == common  # Meek closure: sound and complete
    fitting = extensions(case)
    try:
        result = check_under_uncertainty(graph)
    except GraphSpecError as error:
        assert len(fitting) < len(every), str(error)  # some orientation makes G_σ cyclic
        assert error.problems[0].code == "E_SIGMA_POSSIBLE_CYCLE"
        return None
    assert len(fitting) == len(every)
    truth = {verdict_of(case, edges) for edges in fitting}
    assert {member.result.aligned for member in result.members} == truth
    expected = {True: ALIGNED, False: NOT_ALIGNED}
    assert result.verdict == (expected[truth.pop()] if len(truth) == 1 else UNDETERMINED)
    pivots = list(result.pivots)
    assert set(pivots) <= set(pivots_of(case))
    for member in result.members:  # every extension with the member's parents agrees with it
        key = frozenset(member.parents.items())
        assert {verdict_of(case, edges) for edges in fitting
                if parents_in(edges, pivots) == key} == {member.result.aligned}
    assert ({frozenset((node, parents) for node, parents in member.parents.items())
             for member in result.members} == {parents_in(edges, pivots) for edges in fitting})
    assert len(result.members) == len({parents_in(edges, pivots) for edges in fitting})
    for member in result.members:  # each member is one of the extensions, verdict and all
        edges = sorted((e.tail, e.head) for e in member.graph.edges if not e.bidirected)
        assert edges in [sorted(found) for found in fitting]
    if result.verdict != UNDETERMINED:
        assert result.settling == ()
        return result.verdict
    settling = {(item.edge.tail, item.edge.head): item.verdict for item in result.settling}
    for a, b in graph.closed_undirected:
        for tail, head in ((a, b), (b, a)):
            kept = [edges for edges in fitting if (tail, head) in edges]
            seen = {verdict_of(case, edges) for edges in kept}
            if len(seen) == 1:
                assert settling.get((tail, head)) == expected[seen.pop()]
            else:
                assert (tail, head) not in settling
    return result.verdict


def test_the_issue_example_is_undetermined_and_settled_by_one_orientation() -> None:
    graph = PartialGraph.from_edges(["s -> M", "W -> M", "D -- W", "D -> B"], regime="s",
                                    sigma=[SoftIntervention("D", [])], base="B", mesa="M")
    result = check_under_uncertainty(graph)
    assert result.verdict == UNDETERMINED
    assert result.counts == {ALIGNED: 1, NOT_ALIGNED: 1}
    witness = [member.to_dict()["witness"] for member in result.members]
    assert witness == ["s -> M <- W <- D -> B", None]
    assert [item.to_dict() for item in result.settling] == [
        {"edge": "D -> W", "verdict": NOT_ALIGNED, "members": 1},
        {"edge": "W -> D", "verdict": ALIGNED, "members": 1}]


def test_latent_confounders_make_parents_of_their_endpoints_matter() -> None:
    # no σ at all, yet the two orientations of A -- B disagree: B <-> Y makes B's parents count
    graph = PartialGraph.from_edges(["s -> A", "s -> B", "A -- B", "B <-> Y"], regime="s",
                                    base="Y", mesa="A")
    result = check_under_uncertainty(graph)
    assert result.pivots == ("B", "Y")
    assert {(str(item.edge), item.verdict) for item in result.settling} == {
        ("A -> B", ALIGNED), ("B -> A", NOT_ALIGNED)}


def test_a_directed_graph_has_one_member_with_the_core_verdict() -> None:
    graph = CausalGraph.from_edges(["s -> C", "C -> O", "O -> D_m", "D_m -> Y_m", "C -> Y_b"],
                                   regime="s", sigma=[SoftIntervention("D_m", ["O"])],
                                   base="Y_b", mesa="Y_m")
    result = check_under_uncertainty(graph)
    assert result.verdict == NOT_ALIGNED
    assert [dict(member.parents) for member in result.members] == [{"D_m": frozenset({"O"})}]
    assert result.members[0].result.to_dict() == check_inner_alignment(graph).to_dict()


def test_query_overrides_reach_every_member() -> None:
    graph = PartialGraph.from_edges(["s -> M", "W -> M", "D -- W", "D -> B"], regime="s",
                                    sigma=[SoftIntervention("D", [])], base="B", mesa="M")
    assert check_under_uncertainty(graph, mesa=["M", "W"]).verdict == ALIGNED
    assert check_under_uncertainty(graph, sigma=[]).verdict == NOT_ALIGNED


def test_background_knowledge_settles_the_issue_example() -> None:
    for required, verdict in (("W -> D", ALIGNED), ("D -> W", NOT_ALIGNED)):
        graph = PartialGraph.from_edges(["s -> M", "W -> M", "D -- W", "D -> B"], regime="s",
                                        sigma=[SoftIntervention("D", [])], base="B", mesa="M",
                                        background=Background(required=[required]))
        result = check_under_uncertainty(graph)
        assert result.verdict == verdict
        assert Edge(*required.split(" -> ")) in result.closed_directed


def test_too_many_members_are_cut_and_undetermined() -> None:
    edges = ["s -> M", "M -> B", "D -> B"] + [f"D -- X{i}" for i in range(4)]
    graph = PartialGraph.from_edges(edges, regime="s", sigma=[SoftIntervention("D")],
                                    base="B", mesa="M")
    full = check_under_uncertainty(graph)
    assert full.verdict == ALIGNED and len(full.members) == 5  # {} and each single X_i
    cut = check_under_uncertainty(graph, max_members=3)
    assert cut.truncated and cut.verdict == UNDETERMINED and len(cut.members) == 3
