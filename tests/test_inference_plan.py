"""The elimination plan: wide models become computable, and the work it states is the work done.

Random structures of the size an outside review found refused: 30 nodes of 3 states, each node
with 5 parents drawn among the earlier ones, the regime node first. The greedy orders need
stored tables of 3**14 cells (4.8M) on most of them, 3**15 on some when both asked variables
stay in every table to the end; a question answered one state of Y_m at a time then fits. The
tests bound the *work* (cells the plan visits, and the cells ``numpy.einsum`` is asked to visit,
counted), never the time.

Set the environment variable ``CI=true`` to compute the gap of every structure, not only one.
"""

from __future__ import annotations

import math
import os
import random
from typing import Any

import numpy as np
import pytest
from test_inference import brute_force

from causal_align.errors import InferenceTooLarge
from causal_align.model import CausalGraph
from causal_align.quantities import inference
from causal_align.quantities.discrete import MAX_CELLS, DiscreteModel, random_model
from causal_align.quantities.gap import alignment_gap
from causal_align.quantities.inference import elimination_plan, joint_distribution

CI = os.environ.get("CI") == "true"
WIDE_SEEDS = range(5)


def wide_structure(seed: int, *, nodes: int = 30, parents: int = 5) -> CausalGraph:
    """``s`` then X0, X1, ...: each node reads ``parents`` random earlier nodes; Y_b is the
    last node and Y_m the one before."""
    chooser = random.Random(seed)
    names = ["s", *(f"X{index}" for index in range(nodes - 1))]
    edges = [f"{parent} -> {child}" for at, child in enumerate(names) if at
             for parent in chooser.sample(names[:at], min(parents, at))]
    return CausalGraph.from_edges(edges, regime="s", base=names[-1], mesa=names[-2])


def gap_plan(model: DiscreteModel) -> inference.EliminationPlan:
    graph = model.graph
    return elimination_plan(model, [*sorted(graph.base), *sorted(graph.mesa)],
                            {"s": model.training["s"]})


@pytest.mark.parametrize("seed", WIDE_SEEDS)
def test_wide_random_models_are_computable_within_bounded_work(seed: int) -> None:
    model = random_model(wide_structure(seed), seed=seed, states=3)
    plan = gap_plan(model)
    assert plan.largest <= 3**14 < MAX_CELLS  # 4.8M cells, 38 MB
    assert plan.widest <= 3**15
    assert plan.work <= 1.5 * 10**8
    assert not plan.logarithms


def test_the_plan_splits_on_y_m_only_when_the_whole_question_does_not_fit() -> None:
    splits = {seed: gap_plan(random_model(wide_structure(seed), seed=seed, states=3)).split
              for seed in WIDE_SEEDS}
    assert splits == {0: (), 1: (), 2: ("X28",), 3: (), 4: ()}


def test_the_work_the_plan_states_is_the_work_einsum_is_given(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every einsum call is counted by the cells of its labels' space; the sum equals the
    plan's ``work`` (the cluster of each step and the answer, for each split state)."""
    model = random_model(wide_structure(3, nodes=16, parents=4), seed=3, states=3)
    visited = []
    original = np.einsum

    def counted(*operands: Any) -> Any:
        sizes: dict[int, int] = {}
        for array, labels in zip(operands[:-1:2], operands[1:-1:2]):
            sizes.update(zip(labels, np.shape(array)))
        visited.append(math.prod(sizes.values()))
        return original(*operands)

    monkeypatch.setattr(np, "einsum", counted)
    plan = gap_plan(model)
    joint_distribution(model, [*model.graph.base, *model.graph.mesa], {"s": "train"})
    assert sum(visited) == plan.work


@pytest.mark.parametrize("seed", WIDE_SEEDS if CI else [2])
def test_a_wide_model_gives_a_gap(seed: int) -> None:
    """Seed 2 needs the split on Y_m; its P(y | s) sum to 1 and its expectations are in range."""
    gap = alignment_gap(random_model(wide_structure(seed), seed=seed, states=3))
    assert sum(row.p_train for row in gap.rows) == pytest.approx(1, abs=1e-12)
    assert all(row.train is not None and 0 <= row.train <= 2 for row in gap.rows)


def test_a_split_question_matches_the_brute_force_joint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits shrunk until the question no longer fits whole: Y_m and Y_b share every parent,
    so both stay in every table; answered one state of one of them at a time, the answer is
    the same."""
    causes = ["X1", "X2", "X3"]
    graph = CausalGraph.from_edges([f"{a} -> {b}" for a in causes for b in ("Y_m", "Y_b")]
                                   + [f"s -> {cause}" for cause in causes],
                                   regime="s", base="Y_b", mesa="Y_m")
    model = random_model(graph, seed=1, states=3)
    whole = elimination_plan(model, ["Y_b", "Y_m"], {"s": "deploy"})
    assert (whole.split, whole.largest) == ((), 3**4)
    monkeypatch.setattr(inference, "MAX_CELLS", 3**4 - 1)
    split = elimination_plan(model, ["Y_b", "Y_m"], {"s": "deploy"})
    assert (len(split.split), split.largest) == (1, 3**3)
    assert np.allclose(joint_distribution(model, ["Y_b", "Y_m"], {"s": "deploy"}),
                       brute_force(model, ["Y_b", "Y_m"], {"s": "deploy"}), rtol=0, atol=1e-14)
    monkeypatch.setattr(inference, "MAX_CELLS", 3**2 - 1)  # not even the answer fits
    with pytest.raises(InferenceTooLarge):
        elimination_plan(model, ["Y_b", "Y_m"], {"s": "deploy"})


def test_nodes_that_cannot_affect_the_question_are_not_summed() -> None:
    """A node with 18 parents outside the ancestors of the question costs nothing."""
    graph = wide_structure(4, nodes=20, parents=2)
    model = random_model(graph, seed=4)
    edges = [str(edge) for edge in graph.edges] + [f"{node} -> Z" for node in graph.nodes
                                                    if node != "s"][:18]
    wider = random_model(CausalGraph.from_edges(edges, regime="s", base=graph.base,
                                                mesa=graph.mesa), seed=4)
    assert gap_plan(wider) == gap_plan(model)
