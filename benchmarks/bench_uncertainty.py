"""Timing of check_under_uncertainty on random partially directed diagrams.

Each diagram: a random DAG over N observed nodes (average degree 3, edges to any earlier node
in a random order), a regime node ``s`` pointing at 5 random nodes, ``--bidirected`` random
``<->`` edges, drawn as its pattern (v-structures directed, every other edge ``--``). One σ on a
node with undirected neighbours, reading nothing (open loop); Y_b one random node and Y_m 1-2
random nodes from the later half of the order (so their ancestral sets are large). With
``--embed``, the query is instead that of graphs/uncertain/tutoring_cpdag.yaml, whose four nodes
hang below the random part (one random node points at Motivation and Plan, so the undetermined
verdict's settling search runs over the random part's ``--`` edges too). The time covers building
the PartialGraph (Meek closure) and the verdict with every member and the settling orientations.

Usage: ``.venv/bin/python benchmarks/bench_uncertainty.py [--sizes 20,100,1000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from causal_align.model import SoftIntervention
from causal_align.uncertainty.partial import PartialGraph
from causal_align.uncertainty.verdict import check_under_uncertainty


def diagram(rng: random.Random, size: int, bidirected: int = 2,
            embed: bool = False) -> PartialGraph:
    order = [f"V{i}" for i in range(size)]
    rng.shuffle(order)
    edges: set[tuple[str, str]] = set()
    while len(edges) < 3 * size // 2:
        i, j = sorted(rng.sample(range(size), 2))
        edges.add((order[i], order[j]))
    parents: dict[str, set[str]] = {}
    for tail, head in edges:
        parents.setdefault(head, set()).add(tail)
    adjacent = {frozenset(edge) for edge in edges}
    shown = {(a, c) for c, into in parents.items() for a in into
             if any(b != a and frozenset((a, b)) not in adjacent for b in into)}
    regime = [("s", node) for node in rng.sample(order, 5)]
    for _tail, head in regime:  # s -> x with a parent of x not adjacent to s: a v-structure
        shown.update((parent, head) for parent in parents.get(head, ()))
    lines = [f"{a} -> {b}" if (a, b) in shown else f"{a} -- {b}" for a, b in sorted(edges)]
    lines += [f"{a} -> {b}" for a, b in regime]
    for _ in range(bidirected):
        a, b = sorted(rng.sample(order, 2))
        lines.append(f"{a} <-> {b}")
    loose = [node for a, b in edges if (a, b) not in shown for node in (a, b)]
    target = rng.choice(loose or order)
    rest = [node for node in order[size // 2:] if node != target]  # late: large ancestral sets
    rng.shuffle(rest)
    if embed:  # the CPDAG of graphs/uncertain/tutoring_cpdag.yaml, hung below the random part
        lines += ["s -> Score", "Motivation -> Score", "Motivation -- Plan", "Plan -- Mastery",
                  f"{order[0]} -> Motivation", f"{order[0]} -> Plan"]
        return PartialGraph.from_edges(
            sorted(set(lines)), regime="s",
            nodes=["s", *order, "Score", "Motivation", "Plan", "Mastery"],
            sigma=[SoftIntervention("Plan", [])], base="Mastery", mesa="Score",
            name=f"embedded-{size}")
    return PartialGraph.from_edges(sorted(set(lines)), regime="s", nodes=["s", *order],
                                   sigma=[SoftIntervention(target, [])], base=rest[0],
                                   mesa=rest[1:1 + rng.randint(1, 2)], name=f"random-{size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,100,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bidirected", type=int, default=2)
    parser.add_argument("--embed", action="store_true",
                        help="hang the tutoring CPDAG below the random part (undetermined)")
    options = parser.parse_args()
    print("| nodes | median s | max s | median members | median undirected | undetermined |")
    print("|---|---|---|---|---|---|")
    for size in (int(text) for text in options.sizes.split(",")):
        times, members, loose, open_ = [], [], [], 0
        for run in range(options.runs):
            rng = random.Random(run)
            start = time.perf_counter()
            graph = diagram(rng, size, options.bidirected, options.embed)
            result = check_under_uncertainty(graph)
            times.append(time.perf_counter() - start)
            members.append(len(result.members))
            loose.append(len(graph.closed_undirected))
            open_ += result.verdict == "undetermined"
        print(f"| {size} | {statistics.median(times):.3f} | {max(times):.3f} | "
              f"{statistics.median(members)} | {statistics.median(loose)} | "
              f"{open_}/{options.runs} |")


if __name__ == "__main__":
    main()
