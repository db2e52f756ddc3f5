"""Random partially directed diagrams and the brute-force oracle for the uncertainty layer.

:func:`random_case` draws a diagram from a random DAG: observed nodes ``V0 ..``, a regime node
``s`` with edges out of it, sometimes ``<->`` edges, each edge undirected (``--``) with some
probability, sometimes background knowledge (required orientations and tiers taken from the
drawn DAG, or a forbidden one), a σ whose context is omitted, empty or explicit (sometimes a
second σ target), and a query.
The drawn DAG's v-structures stay directed (so it is a consistent extension), except in about
one case in seven, where any edge may lose its direction and nothing may fit.

:func:`extensions` enumerates the orientations of every ``--`` edge and keeps the consistent
extensions, by definition: acyclic, exactly the file's v-structures, every background rule and
regime edge respected, and (for σ's explicit context) G_σ acyclic.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from causal_align.alignment import check_inner_alignment
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.validate import find_cycle


@dataclass
class Case:
    """A partially directed diagram, as plain edge lists."""

    nodes: list[str]
    directed: list[tuple[str, str]]
    undirected: list[tuple[str, str]]
    bidirected: list[tuple[str, str]]
    sigma: list[SoftIntervention]
    base: list[str]
    mesa: list[str]
    required: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    tiers: list[list[str]] = field(default_factory=list)

    def edge_strings(self) -> list[str]:
        return ([f"{a} -> {b}" for a, b in self.directed] + [f"{a} -- {b}" for a, b in
                                                              self.undirected]
                + [f"{a} <-> {b}" for a, b in self.bidirected])


def random_case(rng: random.Random, *, size: int = 6, undirected: float = 0.8) -> Case:
    """One random case with ``size`` observed nodes (see the module docstring)."""
    observed = [f"V{i}" for i in range(size)]
    order = observed[:]
    rng.shuffle(order)
    density = rng.uniform(0.2, 0.7)
    dag = [(order[i], order[j]) for i in range(size) for j in range(i + 1, size)
           if rng.random() < density]
    dag += [("s", node) for node in observed if rng.random() < 0.25]
    collider = size >= 3 and rng.random() < 0.5
    if collider:  # s -> M <- W with W -- D, D the σ target: the shape where σ splits a class
        w, d, m = sorted(rng.sample(range(size), 3))
        w, d = (w, d) if rng.random() < 0.5 else (d, w)
        for edge in ((order[w], order[m]), ("s", order[m]), (order[min(w, d)], order[max(w, d)])):
            if edge not in dag:
                dag.append(edge)
        dag = [(a, b) for a, b in dag if (a, b) != ("s", order[w]) and (a, b) != ("s", order[d])]
    if not any(tail == "s" for tail, _ in dag):
        dag.append(("s", rng.choice(observed)))
    bidirected = []
    if rng.random() < 0.4:
        for _ in range(rng.randint(1, 2)):
            first, second = sorted(rng.sample(observed, 2))
            if (first, second) not in bidirected:
                bidirected.append((first, second))
    directed, loose = [], []
    structures = v_structures(dag)
    shown = {(a, c) for a, c, _ in structures} | {(b, c) for _, c, b in structures}
    anything = rng.random() < 0.15  # may leave no consistent extension: refusals are tested too
    for tail, head in dag:
        if ((anything or (tail, head) not in shown) and rng.random() < undirected
                and len(loose) < 11):  # at most 2,048 orientations to enumerate
            loose.append((tail, head) if tail < head else (head, tail))
        else:
            directed.append((tail, head))
    touched = [node for pair in loose for node in pair if node != "s"]
    target = rng.choice(touched if touched and rng.random() < 0.8 else observed)
    if collider:
        target = order[d]
    choice = rng.random()
    if choice < 0.45:
        context = None
    elif choice < 0.6:
        context = []
    else:  # non-descendants of the target in the drawn DAG; the oracle filters the rest
        position = order.index(target)
        context = sorted(rng.sample(order[:position], min(position, rng.randint(1, 2))))
    sigma = [SoftIntervention(target, context)] if rng.random() < 0.85 else []
    others = [node for node in observed if node != target]
    if sigma and others and rng.random() < 0.25:  # a second σ target: joint parent sets
        sigma.append(SoftIntervention(rng.choice(others), None if rng.random() < 0.5 else []))
    rest = [node for node in observed]
    rng.shuffle(rest)
    base, mesa = [rest[0]], rest[1:1 + rng.randint(0, 2)]
    if collider:
        others = [node for node in observed if node not in (order[m], order[w], order[d])]
        base = [rng.choice(others or [order[d]])]
        mesa = [order[m]]
        if base == [order[d]] or rng.random() < 0.5:
            sigma = [SoftIntervention(target, [])]
    case = Case(["s", *observed], directed, loose, bidirected, sigma, base, mesa)
    if loose and rng.random() < 0.3:
        picked = rng.choice(loose)
        tail, head = next((a, b) for a, b in dag if (min(a, b), max(a, b)) == picked)
        if rng.random() < 0.7:
            case.required.append(f"{tail} -> {head}")
        else:
            case.forbidden.append(f"{head} -> {tail}")
    if rng.random() < 0.15:
        cut = rng.randint(1, size - 1)
        case.tiers = [["s", *order[:cut]], order[cut:]]
    return case


def v_structures(directed: list[tuple[str, str]],
                 undirected: list[tuple[str, str]] = ()) -> set[tuple[str, str, str]]:
    """``(a, c, b)`` for each ``a -> c <- b``, ``a < b`` adjacent neither way."""
    adjacent = {frozenset(edge) for edge in [*directed, *undirected]}
    parents: dict[str, list[str]] = {}
    for tail, head in directed:
        parents.setdefault(head, []).append(tail)
    return {(a, node, b) for node, into in parents.items()
            for a, b in itertools.combinations(sorted(into), 2)
            if frozenset((a, b)) not in adjacent}


def _acyclic(nodes: list[str], directed: list[tuple[str, str]]) -> bool:
    children: dict[str, list[str]] = {node: [] for node in nodes}
    for tail, head in directed:
        children[tail].append(head)
    return find_cycle(nodes, children.__getitem__) is None


def extensions(case: Case, *, with_sigma: bool = True) -> list[list[tuple[str, str]]]:
    """Every consistent extension's directed edges (the definition, enumerated)."""
    original = v_structures(case.directed, case.undirected)
    required = {tuple(text.split(" -> ")) for text in case.required}
    forbidden = {tuple(text.split(" -> ")) for text in case.forbidden}
    tier = {node: index for index, group in enumerate(case.tiers) for node in group}
    found = []
    for flips in itertools.product((False, True), repeat=len(case.undirected)):
        edges = case.directed + [(b, a) if flip else (a, b)
                                 for (a, b), flip in zip(case.undirected, flips)]
        if not _acyclic(case.nodes, edges) or v_structures(edges) != original:
            continue
        if any(head == "s" for _, head in edges) or not required <= set(edges):
            continue
        if forbidden & set(edges):
            continue
        if any(tail in tier and head in tier and tier[tail] > tier[head] for tail, head in edges):
            continue
        explicit = [(node, item.target) for item in case.sigma for node in item.context or ()]
        adjacent = {frozenset(edge) for edge in edges}
        if any(frozenset(pair) in adjacent and pair not in edges for pair in explicit):
            continue  # the rule every consistent reading keeps: c -- T is c -> T
        if with_sigma and not _sigma_acyclic(case, edges):
            continue
        found.append(edges)
    return found


def _sigma_acyclic(case: Case, edges: list[tuple[str, str]]) -> bool:
    targets = {item.target: item.context for item in case.sigma}
    kept = [(tail, head) for tail, head in edges if head not in targets]
    for target, context in targets.items():
        reads = [tail for tail, head in edges if head == target] if context is None else context
        kept += [(node, target) for node in reads]
    return _acyclic(case.nodes, kept)


def verdict_of(case: Case, edges: list[tuple[str, str]]) -> bool:
    """The core's verdict in one extension."""
    graph = CausalGraph(case.nodes, [f"{a} -> {b}" for a, b in edges]
                        + [f"{a} <-> {b}" for a, b in case.bidirected], regime="s",
                        sigma=case.sigma, base=case.base, mesa=case.mesa)
    return check_inner_alignment(graph).aligned


def undecided_case(rng: random.Random) -> Case:
    """A random case whose extensions disagree, by the oracle (drawn until one is found)."""
    while True:
        case = random_case(rng, size=rng.randint(4, 7))
        found = extensions(case)
        if len({verdict_of(case, edges) for edges in found}) == 2 and len(found) == len(
                extensions(case, with_sigma=False)):
            return case
