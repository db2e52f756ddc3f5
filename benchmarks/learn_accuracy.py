"""How often does learning from two-regime samples give the true verdict?

For each run: a random linear-Gaussian model over 6 observed nodes and a regime ``s`` (a random
DAG of density 0.35, coefficients ±0.5..1.0, unit Gaussian noise, ``s`` shifting the mean of 1-2
nodes by 1.0), an open-loop σ (context ``[]``) on a random node, and a random query (Y_b one
node, Y_m one other node). Half of the rows are training (s = 0), half deployment (s = 1).
The true verdict is the core's on the true diagram; the learned one is
check_under_uncertainty on PC's diagram (fisherz, alpha 0.05, s in tier 0).

Outcomes: *right* (a definite verdict equal to the truth), *undetermined* (the learned class
leaves it open), *wrong* (a definite verdict different from the truth), *failed* (no DAG fits
the learned edges, or σ's context may read a descendant).

Usage: ``.venv/bin/python benchmarks/learn_accuracy.py [--sizes 500,2000,10000] [--runs 50]``
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

import numpy
import pandas

from causal_align.alignment import check_inner_alignment
from causal_align.errors import GraphSpecError
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.uncertainty.learn import learn_partial_graph
from causal_align.uncertainty.verdict import check_under_uncertainty


def model(rng: random.Random) -> tuple[list[str], dict[str, dict[str, float]], dict[str, float]]:
    nodes = [f"V{i}" for i in range(6)]
    weights: dict[str, dict[str, float]] = {node: {} for node in nodes}
    for i, child in enumerate(nodes):
        for parent in nodes[:i]:
            if rng.random() < 0.35:
                weights[child][parent] = rng.choice((-1, 1)) * rng.uniform(0.5, 1.0)
    shifted = {node: 1.0 for node in rng.sample(nodes, rng.randint(1, 2))}
    return nodes, weights, shifted


def samples(nodes: list[str], weights: dict[str, dict[str, float]], shifted: dict[str, float],
            rows: int, seed: int) -> pandas.DataFrame:
    generator = numpy.random.default_rng(seed)
    s = numpy.repeat([0, 1], rows // 2)
    columns: dict[str, numpy.ndarray] = {"s": s}
    for node in nodes:
        value = generator.normal(size=len(s)) + shifted.get(node, 0.0) * s
        for parent, weight in weights[node].items():
            value = value + weight * columns[parent]
        columns[node] = value
    return pandas.DataFrame(columns)


def one_run(rng: random.Random, rows: int, seed: int) -> str:
    nodes, weights, shifted = model(rng)
    target = rng.choice(nodes)
    base, mesa = rng.sample([node for node in nodes if node != target], 2)
    sigma = [SoftIntervention(target, [])]
    edges = [f"{parent} -> {child}" for child in nodes for parent in weights[child]]
    edges += [f"s -> {node}" for node in shifted]
    truth = check_inner_alignment(CausalGraph(["s", *nodes], edges, regime="s", sigma=sigma,
                                              base=base, mesa=mesa)).aligned
    data = samples(nodes, weights, shifted, rows, seed)
    try:
        learned = learn_partial_graph(data, sigma=sigma, base=base, mesa=mesa)
        verdict = check_under_uncertainty(learned).verdict
    except GraphSpecError:
        return "failed"
    if verdict == "undetermined":
        return "undetermined"
    return "right" if (verdict == "aligned") == truth else "wrong"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,10000")
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()
    print("| rows | right | undetermined | wrong | failed |")
    print("|---|---|---|---|---|")
    for rows in (int(text) for text in options.sizes.split(",")):
        rng = random.Random(rows)
        outcomes = Counter(one_run(rng, rows, seed) for seed in range(options.runs))
        print(f"| {rows:,} | " + " | ".join(f"{outcomes[key]}/{options.runs}" for key in
                                           ("right", "undetermined", "wrong", "failed")) + " |")


if __name__ == "__main__":
    main()
