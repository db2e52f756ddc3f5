"""Value of information, numerically: on random parametrised discrete models, the value of
observing X (the best expected utility with X -> D minus the best without) is zero whenever the
criterion says "no VoI", and positive for some parametrisation whenever it says "VoI".

The optimal policy is found by enumeration: for a single decision, the best policy picks, for
each value of what it reads, the decision of highest expected utility, and that is checked
against enumerating every deterministic policy on the smallest models. A latent confounder
``A <-> B`` is an explicit hidden parent of A and B in the model.
"""

from __future__ import annotations

import itertools
import os
import random
import string
from typing import Any

import pytest

from causal_align.incentives.criteria import incentives
from causal_align.model import CausalGraph, SoftIntervention

np = pytest.importorskip("numpy")

GRAPHS = 600 if os.environ.get("CI") == "true" else 120
DRAWS = 30
"""Smooth parametrisations tried per graph (Dirichlet(0.5) CPDs, normal utilities)."""
EXTRA_DRAWS = 400
"""Near-deterministic parametrisations (Dirichlet(0.05)) tried per (graph, X) when the smooth
ones all give zero VoI, before "VoI is positive for some model" fails."""


class Model:
    """Random CPDs over the latent-expanded diagram, and real utilities on the utility nodes."""

    def __init__(self, nodes: list[str], edges: set[tuple[str, str]], decision: str,
                 utility: list[str], rng: Any, concentration: float = 0.5) -> None:
        self.nodes = nodes
        self.axis = {node: index for index, node in enumerate(nodes)}
        self.size = {node: int(rng.integers(2, 4)) for node in nodes}
        self.decision, self.utility = decision, utility
        shape = [self.size[node] for node in nodes]
        joint = np.ones(shape)
        for node in nodes:
            if node == decision:
                continue
            parents = sorted(a for a, b in edges if b == node)
            table = rng.dirichlet([concentration] * self.size[node],
                                  size=[self.size[p] for p in parents])
            joint = joint * self._spread(table, [*parents, node])
        value = np.zeros(shape)
        for node in utility:
            value = value + self._spread(rng.normal(size=self.size[node]), [node])
        self.weighted = joint * value  # P(v_{-D} | do(D = d)) * U(v), an axis per node

    def _spread(self, table: Any, names: list[str]) -> Any:
        """``table`` (axes in ``names`` order) broadcast over every node's axis."""
        order = sorted(range(len(names)), key=lambda i: self.axis[names[i]])
        moved = np.transpose(table, order)
        shape = [1] * len(self.nodes)
        for i in order:
            shape[self.axis[names[i]]] = self.size[names[i]]
        return moved.reshape(shape)

    def q_table(self, context: list[str]) -> Any:
        """Q[c..., d]: the expected utility of reading c and deciding d, weighted by P(c)."""
        keep = sorted([*context, self.decision], key=self.axis.__getitem__)
        drop = tuple(self.axis[node] for node in self.nodes if node not in keep)
        table = self.weighted.sum(axis=drop)
        return np.moveaxis(table, keep.index(self.decision), -1)

    def best(self, context: list[str]) -> float:
        """The maximum expected utility of a policy reading ``context``."""
        q = self.q_table(context)
        return float(q.max(axis=-1).sum())

    def best_by_every_policy(self, context: list[str]) -> float:
        q = self.q_table(context)
        cells = list(itertools.product(*[range(n) for n in q.shape[:-1]]))
        return float(max(sum(q[cell + (choice,)] for cell, choice in zip(cells, policy))
                         for policy in itertools.product(range(q.shape[-1]),
                                                         repeat=len(cells))))


def random_diagram(rng: random.Random) -> tuple[CausalGraph, list[str], set[tuple[str, str]],
                                                 str, list[str], list[str]]:
    size = rng.randint(3, 6)
    names = list(string.ascii_uppercase[:size])
    directed = {(a, b) for i, a in enumerate(names) for b in names[i + 1:] if rng.random() < 0.45}
    bidirected = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]
                  if rng.random() < 0.08]
    directed |= {("s", name) for name in names if rng.random() < 0.25}
    decision = rng.choice(names[:-1])
    below = {b for a, b in directed if a == decision}
    changed = True
    while changed:
        new = {b for a, b in directed if a in below} - below
        below |= new
        changed = bool(new)
    allowed = sorted({"s", *names} - below - {decision})
    context = sorted(node for node in allowed if rng.random() < 0.4)
    utility = sorted(rng.sample(sorted(below) or names, 1) + rng.sample(names, 1))
    utility = [node for node in dict.fromkeys(utility) if node != decision] or [names[-1]]
    graph = CausalGraph(["s", *names], [f"{a} -> {b}" for a, b in sorted(directed)] +
                        [f"{a} <-> {b}" for a, b in bidirected], regime="s",
                        sigma=[SoftIntervention(decision, context)])
    model_edges = {(a, b) for a, b in directed if b != decision} | {(c, decision) for c in context}
    latents = []
    for index, (a, b) in enumerate(bidirected):
        if decision not in (a, b):  # σ removes the decision's latent confounders
            latents.append(f"L{index}")
            model_edges |= {(f"L{index}", a), (f"L{index}", b)}
    return graph, ["s", *names, *latents], model_edges, decision, context, utility


def value_of_information(model: Model, context: list[str], node: str) -> float:
    without = [item for item in context if item != node]
    return model.best(sorted({*without, node}, key=model.axis.__getitem__)) - model.best(without)


def test_best_policy_by_information_state_equals_enumerating_every_policy() -> None:
    rng, generator = random.Random(1), np.random.default_rng(1)
    compared = 0
    while compared < 25:
        _, nodes, edges, decision, context, utility = random_diagram(rng)
        model = Model(nodes, edges, decision, utility, generator)
        cells = int(np.prod([model.size[node] for node in context]))
        if model.size[decision] ** cells > 5000:
            continue
        assert model.best(context) == pytest.approx(model.best_by_every_policy(context))
        compared += 1


def test_voi_is_positive_exactly_where_the_criterion_says() -> None:
    rng, generator = random.Random(20261204), np.random.default_rng(20261204)
    positive = zero = hard = 0
    for _ in range(GRAPHS):
        graph, nodes, edges, decision, context, utility = random_diagram(rng)
        found = incentives(graph, utility=utility)
        descendants = {b for a, b in edges if a == decision}
        grew = True
        while grew:
            new = {b for a, b in edges if a in descendants} - descendants
            descendants |= new
            grew = bool(new)
        candidates = [node for node in graph.nodes if node != decision and node not in descendants]
        models = [Model(nodes, edges, decision, utility, generator) for _ in range(DRAWS)]
        for node in candidates:
            values = [value_of_information(model, context, node) for model in models]
            assert min(values) > -1e-9  # more information never hurts
            if node in found.voi:
                # long chains of explained-away latents carry little information under smooth
                # CPDs: try near-deterministic ones before calling the criterion incomplete
                extra = 0
                while max(values) <= 1e-6 and extra < EXTRA_DRAWS:
                    model = Model(nodes, edges, decision, utility, generator, 0.05)
                    values.append(value_of_information(model, context, node))
                    extra += 1
                assert max(values) > 1e-6, (graph.edges, decision, context, utility, node)
                positive += 1
                hard += extra > 0
            else:
                assert max(values) < 1e-9, (graph.edges, decision, context, utility, node)
                zero += 1
    print(f"VoI checked: {positive} positive ({hard} needed near-deterministic CPDs), "
          f"{zero} zero")
    assert positive > 40 and zero > 40, (positive, zero)
