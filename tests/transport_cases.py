"""Seeded random graphs and an independent d-separation oracle for the transport tests.

The oracle builds the latent-expanded G_σ as a networkx DiGraph from the graph's edge list and σ,
without the engine, and asks ``networkx.is_d_separator``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable

import networkx as nx

from causal_align.errors import GraphSpecError
from causal_align.model import CausalGraph, SoftIntervention

FULL = os.environ.get("CI", "").lower() == "true"


def scaled(default: int, ci: int) -> int:
    """How many random cases: ``default`` normally, ``ci`` under CI=true."""
    return ci if FULL else default


def random_graph(
    rng: random.Random,
    *,
    nodes: int = 6,
    regimes: int = 1,
    bidirected: float = 0.15,
    density: float = 0.35,
    sigma: bool = True,
    shifted: int = 2,
    hidden: float = 0.0,
) -> CausalGraph:
    """A valid graph on V0..V{nodes-1} plus regime nodes s (s2), with Y_b, Y_m chosen among them."""
    while True:
        names = [f"V{index}" for index in range(nodes)]
        rng.shuffle(names)
        edges = [
            f"{names[i]} -> {names[j]}"
            for i in range(nodes)
            for j in range(i + 1, nodes)
            if rng.random() < density
        ]
        edges += [
            f"{names[i]} <-> {names[j]}"
            for i in range(nodes)
            for j in range(i + 1, nodes)
            if rng.random() < bidirected
        ]
        regime = ["s", "s2"][:regimes]
        for node in regime:
            for child in rng.sample(names, rng.randint(1, min(shifted, nodes))):
                edges.append(f"{node} -> {child}")
        base = names[-1 - rng.randrange(2)]
        others = [name for name in names if name != base]
        mesa = rng.sample(others, rng.randint(1, 2))
        interventions = []
        if sigma and rng.random() < 0.7:
            target = rng.choice(names[:-1])
            position = names.index(target)
            context = [name for name in names[:position] if rng.random() < 0.5]
            interventions = [SoftIntervention(target, context)]
        unobserved = [name for name in others if name not in mesa and rng.random() < hidden]
        options = {"unobserved": unobserved} if unobserved else {}
        try:
            return CausalGraph.from_edges(
                edges,
                regime=regime,
                nodes=sorted(names),
                sigma=interventions,
                base=base,
                mesa=mesa,
                **options,
            )
        except GraphSpecError:
            continue


def expanded_sigma(graph: CausalGraph) -> nx.DiGraph:
    """G_σ with each ``A <-> B`` replaced by a latent ``L(A,B) -> A, B``, built from scratch."""
    targets = {item.target: item.context for item in graph.sigma}
    result = nx.DiGraph()
    result.add_nodes_from(graph.nodes)
    for edge in graph.edges:
        if edge.bidirected:
            if edge.tail in targets or edge.head in targets:
                continue
            latent = f"L({edge.tail},{edge.head})"
            result.add_edges_from([(latent, edge.tail), (latent, edge.head)])
        elif edge.head not in targets:
            result.add_edge(edge.tail, edge.head)
    for target, context in targets.items():
        reads = (
            [e.tail for e in graph.edges if e.head == target and not e.bidirected]
            if context is None
            else list(context)
        )
        result.add_edges_from((node, target) for node in reads)
    return result


def separated(
    expanded: nx.DiGraph, sources: Iterable[str], targets: Iterable[str], given: Iterable[str]
) -> bool:
    """The oracle: d-separation in the latent-expanded graph."""
    return bool(nx.is_d_separator(expanded, set(sources), set(targets), set(given)))
