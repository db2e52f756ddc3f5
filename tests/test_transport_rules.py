"""The σ-calculus rules against brute-force d-separation in graphs built independently.

For random graphs, sets and policies, each rule's graphs are rebuilt here with networkx (σ applied
to the edge list, edges cut, ``<->`` expanded to latents) and its condition decided by
``networkx.is_d_separator``; ``sigma_rule`` must agree on every graph and on the verdict.
"""

from __future__ import annotations

import random

import networkx as nx
import pytest
from transport_cases import expanded_sigma, random_graph, scaled, separated

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.transport import sigma_rule


def _with_sigma(graph: CausalGraph, sigma: list[SoftIntervention]) -> CausalGraph:
    return CausalGraph(
        graph.labels,
        graph.edges,
        regime=graph.regime,
        sigma=sigma,
        base=graph.base,
        mesa=graph.mesa,
    )


def _policy(rng: random.Random, graph: CausalGraph, target: str) -> SoftIntervention | None:
    """A random policy on ``target`` reading non-descendants of it in G (None: natural)."""
    if rng.random() < 0.25:
        return None
    plain = expanded_sigma(_with_sigma(graph, []))
    below = nx.descendants(plain, target) | {target}
    pool = [node for node in graph.nodes if node not in below]
    return SoftIntervention(target, [node for node in pool if rng.random() < 0.4])


def test_rule_one_is_the_alignment_verdict() -> None:
    rng = random.Random(1310)
    for _ in range(scaled(200, 1000)):
        graph = random_graph(rng, nodes=rng.randint(3, 7), regimes=rng.randint(1, 2))
        verdict = sigma_rule(1, graph)
        assert verdict.holds == check_inner_alignment(graph).aligned
        assert verdict.holds == separated(
            expanded_sigma(graph), graph.query_regime, graph.base, graph.mesa
        )
        assert verdict.holds == (not verdict.graphs[0].open_paths)


@pytest.mark.parametrize("rule", [2, 3])
def test_rules_two_and_three_against_networkx(rule: int) -> None:
    rng = random.Random(1311 + rule)
    outcomes = {True: 0, False: 0}
    for _ in range(scaled(300, 2000)):
        graph = random_graph(rng, nodes=rng.randint(3, 7), regimes=1)
        observed = [node for node in graph.nodes if node not in graph.regime]
        rng.shuffle(observed)
        outcome, swap = [observed[0]], [observed[1]]
        given = [node for node in observed[2:] if rng.random() < 0.4]
        stays = [item for item in graph.sigma if item.target not in swap]
        first = _policy(rng, graph, swap[0])
        second = _policy(rng, graph, swap[0]) or SoftIntervention(swap[0], [])
        try:
            verdict = sigma_rule(
                rule,
                graph,
                outcome=outcome,
                swap=swap,
                given=given,
                sigma=stays,
                before=[first] if first else [],
                after=[second],
            )
        except GraphSpecError:  # the two policies together would make G_σ cyclic
            continue
        # the oracle
        x_graph = expanded_sigma(_with_sigma(graph, stays))
        up = nx.ancestors(x_graph, given[0]) | set(given) if given else set()
        for node in given[1:]:
            up |= nx.ancestors(x_graph, node)
        expected = []
        for policy in ([first] if first else [], [second]):
            tested = expanded_sigma(_with_sigma(graph, stays + policy)).copy()
            if rule == 2:
                tested.remove_edges_from(
                    [(swap[0], child) for child in list(tested.successors(swap[0]))]
                )
            elif swap[0] not in up:
                tested.remove_edges_from(
                    [(parent, swap[0]) for parent in list(tested.predecessors(swap[0]))]
                )
            expected.append(separated(tested, swap, outcome, given))
        assert [tested.separated for tested in verdict.graphs] == expected, graph
        assert verdict.holds == all(expected)
        for tested in verdict.graphs:
            assert tested.separated == (not tested.open_paths)
            for path in tested.open_paths:
                assert path.nodes[0] == swap[0] and path.nodes[-1] == outcome[0]
        outcomes[verdict.holds] += 1
    assert min(outcomes.values()) > 30


def test_swapping_the_policy() -> None:
    graph = load_graph("graphs/deceptive_cue.yaml")
    swap = sigma_rule(3, graph, swap="D_m", after=[SoftIntervention("D_m", ["Prompt"])])
    assert not swap.holds
    assert swap.statement == "P(Y_b | Y_m; σ_X, σ_D_m) = P(Y_b | Y_m; σ_X, σ'_D_m)"
    assert swap.graphs[0].cut == ()  # D_m is an ancestor of Y_m: Z(W) is empty
    assert str(swap.graphs[0].open_paths[0]) == "D_m -> Y_b"
    unobserved = sigma_rule(
        3, graph, swap="D_m", after=[SoftIntervention("D_m", ["Prompt"])], outcome="Y_b", given=[]
    )
    assert unobserved.graphs[0].cut == ("Cue -> D_m", "Prompt -> D_m")
    assert not unobserved.holds
    assert "rule 3:" in str(unobserved)


def test_rule_errors() -> None:
    graph = load_graph("graphs/deceptive_cue.yaml")
    with pytest.raises(CausalAlignError, match="rules 1, 2 and 3"):
        sigma_rule(4, graph)
    with pytest.raises(CausalAlignError, match="give after="):
        sigma_rule(2, graph, swap="D_m")
    with pytest.raises(CausalAlignError, match="is in both"):
        sigma_rule(1, graph, given=["Y_b"])
    with pytest.raises(CausalAlignError, match="not a node"):
        sigma_rule(1, graph, outcome="Nope")
    with pytest.raises(CausalAlignError, match="regime node"):
        sigma_rule(2, graph, swap="s", after=[SoftIntervention("D_m", [])])
    with pytest.raises(CausalAlignError, match="not on Z"):
        sigma_rule(2, graph, swap="Task", after=[SoftIntervention("D_m", [])])


def _conditional(model, outcome: str, given: list[str]):
    """P(outcome | given) as an array (outcome first), regime nodes averaged."""
    from causal_align import joint_distribution

    joint = joint_distribution(model, [outcome, *given], {})
    return joint / joint.sum(axis=0, keepdims=True)


@pytest.mark.parametrize("rule", [2, 3])
def test_licensed_steps_hold_in_random_models(rule: int) -> None:
    """Soundness, numerically: two σ-models sharing every mechanism but Z's policy give the
    same P(y | w) (rule 3), or P(y | z, w) (rule 2), whenever the rule licenses the step."""
    import numpy as np

    from causal_align import random_model

    rng = random.Random(1315 + rule)
    licensed = refused_and_differs = 0
    for draw in range(scaled(300, 1500)):
        graph = random_graph(rng, nodes=rng.randint(3, 6), regimes=1, sigma=False)
        observed = [node for node in graph.nodes if node not in graph.regime]
        rng.shuffle(observed)
        outcome, swap = observed[0], observed[1]
        given = [node for node in observed[2:] if rng.random() < 0.4]
        first, second = _policy(rng, graph, swap), _policy(rng, graph, swap)
        if first is None or second is None:
            continue
        verdict = sigma_rule(rule, graph, outcome=outcome, swap=swap, given=given, sigma=[],
                             before=[first], after=[second])
        one = random_model(_with_sigma(graph, [first]), seed=draw)
        two = random_model(_with_sigma(graph, [second]), seed=draw + 10_000)
        two = two.with_tables({node: table for node, table in one.tables.items()
                               if node != swap})
        asked = [swap, *given] if rule == 2 else given
        p_one, p_two = _conditional(one, outcome, asked), _conditional(two, outcome, asked)
        if verdict.holds:
            licensed += 1
            np.testing.assert_allclose(p_one, p_two, atol=1e-9)
        elif np.abs(p_one - p_two).max() > 1e-9:
            refused_and_differs += 1
    assert licensed > 20 and refused_and_differs > 20
