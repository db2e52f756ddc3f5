"""Uncertain edges: exact P(aligned) against enumeration of every uncertain edge (pruning
included), the shared Beta shift rate against numerical integration over θ, sampling against
exact within its stated error, the value of learning each edge against brute-force
conditioning, and executors."""

from __future__ import annotations

import itertools
import math
import os
import random
from concurrent.futures import ProcessPoolExecutor

import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.uncertainty.edges import EdgePrior, ShiftPrior, check_uncertain_edges

CASES = 300 if os.environ.get("CI") == "true" else 60


def random_setup(rng: random.Random) -> tuple[CausalGraph, EdgePrior]:
    nodes = [f"V{i}" for i in range(rng.randint(3, 6))]
    rng.shuffle(nodes)
    pairs = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:]]
    rng.shuffle(pairs)
    certain = pairs[:len(pairs) // 3]
    loose = pairs[len(pairs) // 3:len(pairs) // 3 + rng.randint(1, 4)]
    edges = [f"{a} -> {b}" for a, b in certain] + ["s -> " + rng.choice(nodes)]
    uncertain = {f"{a} -> {b}": rng.choice([0.1, 0.3, 0.5, 0.8, 1.0, 0.0]) for a, b in loose}
    if rng.random() < 0.3:
        a, b = sorted(rng.sample(nodes, 2))
        uncertain[f"{a} <-> {b}"] = 0.4
    targets = [node for node in nodes if f"s -> {node}" not in edges]
    shift = None
    if rng.random() < 0.5 and targets:
        shift = ShiftPrior("s", rng.sample(targets, min(len(targets), rng.randint(1, 3))),
                           first=rng.choice([0.1, 0.3, 0.6]), strength=rng.choice([0.5, 2, 10]))
    sigma = []
    if rng.random() < 0.6:
        target = rng.choice(nodes[1:])
        before = nodes[:nodes.index(target)]
        sigma = [SoftIntervention(target, None if rng.random() < 0.5 else
                                  rng.sample(before, min(len(before), 1)))]
    base, *mesa = rng.sample([node for node in nodes if not sigma or node != sigma[0].target],
                             2)
    graph = CausalGraph(["s", *nodes], edges, regime="s", sigma=sigma, base=base, mesa=mesa)
    return graph, EdgePrior(uncertain, shift)


def configuration_probability(prior: EdgePrior, present: dict[str, bool]) -> float:
    """Independent edges times the shift edges' probability, integrated over θ numerically."""
    weight = 1.0
    for text, chance in prior.edges.items():
        weight *= chance if present[text] else 1 - chance
    if prior.shift is None:
        return weight
    from scipy.integrate import quad

    a, b = prior.shift.beta
    on = sum(present[str(edge)] for edge in prior.shift.edges)
    off = len(prior.shift.edges) - on
    # QUADPACK's algebraic weight θ^(a-1) (1-θ)^(b-1) handles the Beta density's endpoints
    total = quad(lambda t: t ** on * (1 - t) ** off, 0, 1, weight="alg", wvar=(a - 1, b - 1))
    norm = quad(lambda t: 1.0, 0, 1, weight="alg", wvar=(a - 1, b - 1))
    return weight * total[0] / norm[0]


def brute_force(graph: CausalGraph, prior: EdgePrior) -> dict[tuple[tuple[str, bool], ...],
                                                               tuple[float, bool]]:
    texts = list(prior.edges) + [str(edge) for edge in (prior.shift.edges if prior.shift else ())]
    found = {}
    for flags in itertools.product((False, True), repeat=len(texts)):
        present = dict(zip(texts, flags))
        probability = configuration_probability(prior, present)
        if probability == 0:
            continue
        extended = CausalGraph(graph.nodes, [*map(str, graph.edges),
                                             *(t for t, on in present.items() if on)],
                               regime="s", sigma=graph.sigma, base=sorted(graph.base),
                               mesa=sorted(graph.mesa))
        found[tuple(sorted(present.items()))] = (probability,
                                                 check_inner_alignment(extended).aligned)
    return found


@pytest.mark.parametrize("seed", range(CASES))
def test_exact_probability_and_values_equal_brute_force(seed: int) -> None:
    graph, prior = random_setup(random.Random(seed))
    truth = brute_force(graph, prior)
    total = math.fsum(p for p, _ in truth.values())
    assert total == pytest.approx(1, abs=1e-6)
    p_true = math.fsum(p for p, ok in truth.values() if ok)
    result = check_uncertain_edges(graph, prior)
    assert result.exact
    assert result.p_aligned == pytest.approx(p_true, abs=1e-6)
    assert result.verdict == ("aligned" if p_true > 1 - 1e-9 else
                              "not aligned" if p_true < 1e-9 else "undetermined")
    for item in result.values:
        text = str(item.edge)
        present = math.fsum(p for config, (p, _) in truth.items() if dict(config)[text])
        if 1e-9 < present < 1 - 1e-9:
            hit = math.fsum(p for config, (p, ok) in truth.items() if dict(config)[text] and ok)
            miss = math.fsum(p for config, (p, ok) in truth.items()
                             if not dict(config)[text] and ok)
            assert item.p_if_present == pytest.approx(hit / present, abs=1e-6)
            assert item.p_if_absent == pytest.approx(miss / (1 - present), abs=1e-6)
        assert item.prior == pytest.approx(present, abs=1e-6)
    for edge in result.pruned:  # a pruned edge never changes the verdict
        text = str(edge)
        for config, (_, ok) in truth.items():
            flipped = tuple(sorted({**dict(config), text: not dict(config)[text]}.items()))
            if flipped in truth:
                assert truth[flipped][1] == ok


@pytest.mark.parametrize("seed", range(CASES // 3))
def test_sampled_agrees_with_exact_within_its_error(seed: int) -> None:
    graph, prior = random_setup(random.Random(seed))
    exact = check_uncertain_edges(graph, prior)
    sampled = check_uncertain_edges(graph, prior, max_exact=0, samples=3000, seed=seed)
    if exact.verdict != "undetermined":
        assert sampled.exact and sampled.p_aligned == exact.p_aligned
        return
    assert not sampled.exact and sampled.samples == 3000
    assert abs(sampled.p_aligned - exact.p_aligned) <= 4.5 * sampled.standard_error


def test_a_process_pool_gives_the_same_result() -> None:
    graph, prior = random_setup(random.Random(3))
    while check_uncertain_edges(graph, prior).verdict != "undetermined":
        graph, prior = random_setup(random.Random(len(graph.nodes) * 1000 + len(prior.edges)))
    with ProcessPoolExecutor(2) as pool:
        pooled = check_uncertain_edges(graph, prior, executor=pool, chunk=2)
    assert pooled.to_dict() == check_uncertain_edges(graph, prior).to_dict()


def test_refusals() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B"], regime="s", base="B", mesa="A")
    with pytest.raises(CausalAlignError, match="already in the graph"):
        check_uncertain_edges(graph, EdgePrior({"A -> B": 0.5}))
    with pytest.raises(GraphSpecError, match="E_CYCLE"):
        check_uncertain_edges(graph, EdgePrior({"B -> A": 0.5}))
    with pytest.raises(CausalAlignError, match="between 0 and 1"):
        EdgePrior({"B -> A": 1.5})
    with pytest.raises(CausalAlignError, match="0 < first < 1"):
        ShiftPrior("s", ["A"], first=0, strength=1)


def test_progress_is_reported_after_each_chunk() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> Y_m", "Y_m -> Y_b", "B -> Y_b", "C -> Y_b"],
                                   regime="s", base="Y_b", mesa="Y_m")
    prior = EdgePrior({"s -> B": 0.5, "A -> Y_b": 0.5, "s -> C": 0.5})
    calls: list[tuple[int, int]] = []
    result = check_uncertain_edges(graph, prior, chunk=3,
                                   progress=lambda done, total: calls.append((done, total)))
    assert result.p_aligned == 0.125
    assert calls == [(3, 8), (6, 8), (8, 8)]
