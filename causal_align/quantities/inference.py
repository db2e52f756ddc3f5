"""Exact inference in a discrete σ-model: P(variables, evidence) by variable elimination.

A :class:`~causal_align.discrete.DiscreteModel` factorises its joint distribution: the product of
every variable's table, with each regime node (which has no table) either fixed by the evidence
or weighted equally over its states. Every number of the quantitative layer — the alignment gap,
a shift sweep, XE-naturalness — is a sum of that product over the variables it does not ask
about, and :func:`joint_distribution` is the one place that computes such sums:

1. Only the *ancestors* of the asked and evidence variables matter: the table of any other
   variable sums to 1 over its states, whatever its parents are, and drops out.
2. Each table is sliced at the evidence states, which leaves one axis per unfixed variable.
3. *Variable elimination*: a variable the question does not keep appears only in the tables that
   mention it, so it can be summed out of their product alone. The order is greedy min-fill
   (:func:`elimination_order`: the variable that joins the fewest new pairs of variables
   first, ties by the smaller merged table, then by name), so the order, and with it the
   floating-point arithmetic, depends on the model's structure, never on its numbers.
4. What is left is multiplied into one table, with an axis per asked variable.

The cost is that of the largest merged table. A table of more than :data:`MAX_CELLS` cells (or
over more than :data:`MAX_AXES` variables) raises :class:`InferenceTooLarge` rather than
exhausting memory; sampling from the model is then the way to go.

The tests check the results against pgmpy's variable elimination and against the brute-force
product of all tables.

Examples
--------
A regime node ``s`` shifts A, and B reads A:

>>> import numpy as np
>>> from causal_align.quantities.discrete import DiscreteModel, Table
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> A", "A -> B"], regime="s")
>>> model = DiscreteModel(graph, {"s": ("train", "deploy"), "A": ("0", "1"), "B": ("0", "1")},
...                       {"A": Table("A", ("s",), np.array([[0.9, 0.1], [0.5, 0.5]])),
...                        "B": Table("B", ("A",), np.array([[0.8, 0.2], [0.3, 0.7]]))})

P(B | s = deploy) = 0.5 · (0.8, 0.2) + 0.5 · (0.3, 0.7); with evidence B = 1 as well, the result
is the joint P(A, B = 1 | s = train), one number per state of A:

>>> joint_distribution(model, ["B"], {"s": "deploy"})
array([0.55, 0.45])
>>> joint_distribution(model, ["A"], {"s": "train", "B": "1"})
array([0.18, 0.07])
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from causal_align.quantities.discrete import MAX_CELLS, Array, DiscreteModel
from causal_align.errors import CausalAlignError, InferenceTooLarge, shown

Factor = tuple[tuple[str, ...], Array]
"""A table over some variables: their names, and an array with one axis per name, in order."""

MAX_AXES = 52
"""Most variables one table may have (numpy's ``einsum`` names at most 52 axes)."""


def joint_distribution(model: DiscreteModel, variables: Sequence[str],
                       evidence: Mapping[str, str]) -> Array:
    """P(variables, evidence) in the σ-model, one axis per variable in ``variables``.

    Parameters
    ----------
    model : DiscreteModel
    variables : Sequence[str]
        The variables to keep, in the result's axis order (states in ``model.states`` order).
        Regime nodes may be among them: their states are then weighted equally.
    evidence : Mapping[str, str]
        A state for some other variables. A regime node here is *conditioned on*; a regime node
        in neither argument is averaged with equal weight. So when ``evidence`` names only
        regime nodes, the result is P(variables | evidence) and sums to 1; an observed variable
        in ``evidence`` makes it the joint P(variables, evidence = its state | regime).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    CausalAlignError
        For an unknown variable or state, or a variable named twice.
    InferenceTooLarge
        When a table of the elimination would be too large.

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> from causal_align.model import CausalGraph
    >>> model = random_model(CausalGraph.from_edges(["s -> A", "A -> B"], regime="s"), seed=0)
    >>> joint = joint_distribution(model, ["A", "B"], {"s": "deploy"})
    >>> joint.shape, round(float(joint.sum()), 12)
    ((2, 2), 1.0)
    >>> bool(np.allclose(joint.sum(axis=1), model.tables["A"].probabilities[1]))
    True
    """
    named = [*variables, *evidence]
    unknown = sorted(name for name in named if name not in model.states)
    twice = sorted(name for name in set(variables) if named.count(name) > 1)
    if unknown or twice:
        raise CausalAlignError(
            f"cannot compute P({', '.join(variables)} | {', '.join(evidence)}): "
            + (f"unknown variable {', '.join(map(shown, unknown))}" if unknown else
               f"{', '.join(map(shown, twice))} named twice"))
    index: dict[str, int] = {}
    for name, state in evidence.items():
        if state not in model.states[name]:
            raise CausalAlignError(f"{shown(name)} has no state {shown(state)} (states: "
                                   f"{', '.join(model.states[name])})")
        index[name] = model.states[name].index(state)
    factors: list[Factor] = [((), np.ones(()))]  # the empty product, for P() = 1
    for name in _ancestral(model, named):
        table = model.tables.get(name)
        if table is None:  # a regime node: fixed by the evidence, or averaged
            if name not in model.graph.regime:
                raise CausalAlignError(f"{shown(name)} has no table (every variable but the "
                                       "regime nodes needs one)")
            if name not in index:
                count = len(model.states[name])
                factors.append(((name,), np.full(count, 1 / count)))
            continue
        axes = (*table.given, name)
        part = table.probabilities[tuple(index.get(axis, slice(None)) for axis in axes)]
        factors.append((tuple(axis for axis in axes if axis not in index),
                        np.asarray(part, dtype=np.float64)))
    sizes = {name: len(states) for name, states in model.states.items()}
    return _eliminate(factors, tuple(variables), sizes)


def _ancestral(model: DiscreteModel, names: Iterable[str]) -> list[str]:
    """``names`` and every variable their tables depend on, in the order of ``model.states``."""
    found = set(names)
    stack = list(found)
    while stack:
        for parent in model.given(stack.pop()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return [name for name in model.states if name in found]


def _eliminate(factors: list[Factor], keep: tuple[str, ...], sizes: Mapping[str, int]) -> Array:
    """Multiply the factors and sum out every variable not in ``keep``, in min-fill order."""
    order = elimination_order([axes for axes, _ in factors], keep, sizes)
    holding: dict[str, list[int]] = {}  # variable -> the factors that mention it
    pool: dict[int, Factor] = dict(enumerate(factors))
    for number, (axes, _) in pool.items():
        for axis in axes:
            holding.setdefault(axis, []).append(number)
    for number, chosen in enumerate(order, start=len(factors)):
        touching = [pool.pop(held) for held in dict.fromkeys(holding.pop(chosen, []))
                    if held in pool]
        merged = tuple(dict.fromkeys(axis for axes, _ in touching for axis in axes
                                     if axis != chosen))
        pool[number] = (merged, _contract(touching, merged, sizes))
        for axis in merged:
            holding.setdefault(axis, []).append(number)
    return _contract(list(pool.values()), keep, sizes)


def elimination_order(scopes: Sequence[tuple[str, ...]], keep: Iterable[str],
                      sizes: Mapping[str, int]) -> list[str]:
    """The order in which to sum out every variable not in ``keep``, chosen among greedy
    orders (min-fill, min-size, min-weighted-fill, each with ties by the other scores, then by
    name) as the one whose largest merged table is smallest. It depends on the model's
    structure only, never on its numbers; each greedy step rescores only the neighbourhood
    that changed.

    Examples
    --------
    >>> elimination_order([("A",), ("A", "B"), ("B", "C"), ("C", "D")], ["D"],
    ...                   {"A": 2, "B": 2, "C": 2, "D": 2})
    ['A', 'B', 'C']
    """
    kept = set(keep)
    best: tuple[int, int, list[str]] | None = None
    for criterion in ("fill", "size", "weighted fill"):
        order, largest, total = _greedy(scopes, kept, sizes, criterion)
        if best is None or (largest, total) < best[:2]:
            best = (largest, total, order)
    assert best is not None
    return best[2]


def _greedy(scopes: Sequence[tuple[str, ...]], kept: set[str], sizes: Mapping[str, int],
            criterion: str) -> tuple[list[str], int, int]:
    """One greedy elimination order by ``criterion``, with its largest and total merged table."""
    near: dict[str, set[str]] = {}
    for scope in scopes:
        for axis in scope:
            near.setdefault(axis, set()).update(scope)
    for axis, others in near.items():
        others.discard(axis)

    def score(name: str) -> tuple[int, int, int, str]:
        others = near[name]
        missing = [(first, second) for first in others for second in others
                   if first < second and second not in near[first]]
        cells = math.prod(sizes[axis] for axis in (name, *others))
        weighted = sum(sizes[first] * sizes[second] for first, second in missing)
        ranks = {"fill": (len(missing), cells, weighted), "size": (cells, len(missing), weighted),
                 "weighted fill": (weighted, cells, len(missing))}[criterion]
        return (*ranks, name)

    heap = [score(name) for name in near if name not in kept]
    heapq.heapify(heap)
    current = {entry[-1]: entry for entry in heap}
    order: list[str] = []
    largest = total = 0
    while heap:
        entry = heapq.heappop(heap)
        name = entry[-1]
        if current.get(name) != entry:
            continue  # rescored since it was pushed
        del current[name]
        order.append(name)
        others = near.pop(name)
        cells = math.prod(sizes[axis] for axis in (name, *others))
        largest, total = max(largest, cells), total + cells
        for axis in others:
            near[axis].discard(name)
            near[axis].update(others - {axis})
        touched = set(others)
        for axis in others:
            touched.update(near[axis])
        for axis in touched:
            if axis in current:
                current[axis] = score(axis)
                heapq.heappush(heap, current[axis])
    return order, largest, total


def _contract(factors: list[Factor], keep: tuple[str, ...], sizes: Mapping[str, int]) -> Array:
    """The product of the factors, summed over the axes not in ``keep``, in ``keep``'s order."""
    labels = {axis: number for number, axis in enumerate(
        dict.fromkeys(axis for axes, _ in factors for axis in axes))}
    cells = math.prod(sizes[axis] for axis in labels)
    if len(labels) > MAX_AXES or cells > MAX_CELLS:
        raise InferenceTooLarge(tuple(sorted(labels)), cells)
    operands: list[Any] = []
    for axes, array in factors:
        operands += [array, [labels[axis] for axis in axes]]
    return np.asarray(np.einsum(*operands, [labels[axis] for axis in keep]), dtype=np.float64)
