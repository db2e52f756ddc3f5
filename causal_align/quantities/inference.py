"""Exact inference in a discrete σ-model: P(variables, evidence) by variable elimination.

A :class:`~causal_align.quantities.discrete.DiscreteModel` factorises its joint distribution:
the product of every variable's table, with each regime node (which has no table) either fixed by
the evidence or weighted equally over its states. Every number of the quantitative layer — the
alignment gap, a shift sweep, XE-naturalness — is a sum of that product over the variables it
does not ask about, and :func:`joint_distribution` is the one place that computes such sums:

1. Only the *ancestors* of the asked and evidence variables matter: the table of any other
   variable (a barren node) sums to 1 over its states, whatever its parents are, and drops out.
2. Each table is sliced at the evidence states, which leaves one axis per unfixed variable.
3. *Variable elimination*: a variable the question does not keep appears only in the tables that
   mention it, so it can be summed out of their product alone. The order is the best of three
   greedy orders (:func:`elimination_order`), chosen on the model's structure, never on its
   numbers, so the floating-point arithmetic does not depend on them either.
4. What is left is multiplied into one table, with an axis per asked variable.

**Size.** Summing a variable out visits every cell of the product of the tables that mention it
(its *cluster*) but stores only the result, without that variable: ``numpy.einsum`` never builds
the cluster. So :data:`MAX_CELLS` bounds every table inference *stores* and :data:`MAX_SUMMED`
the cells one summation *visits*. The asked variables stay in every table that mentions them
until the end, which can widen the elimination; when the question does not fit, it is answered
one state of an asked variable (or of two) at a time, each state a smaller elimination with
that state as evidence (:func:`elimination_plan` chooses the least total work that fits). A
question that still does not fit raises :class:`~causal_align.errors.InferenceTooLarge` before
any large table is built; sampling from the model is then the way to go.

**Precision.** Every term of the sums is a product of one entry of each table, so no partial
sum is smaller than the product of the tables' smallest positive entries. When that product
stays above 2\\ :sup:`-1000` (every model but those with probabilities near 1e-300), plain
floating point is exact to rounding. Otherwise the sums run on logarithms (log-sum-exp, one
cluster at a time): products of probabilities near 1e-320 then keep 12 or more significant
digits (a logarithm near -700 holds 13 of its number's) instead of the two or three a subnormal
float has, and :func:`log_joint_distribution` hands the result
over without ever rounding it into a float. The tests check both paths against pgmpy, the
brute-force product of all tables, and exact rational arithmetic.

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
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from causal_align.errors import CausalAlignError, InferenceTooLarge, shown
from causal_align.quantities.discrete import MAX_CELLS, Array, DiscreteModel

Factor = tuple[tuple[str, ...], Array]
"""A table over some variables: their names, and an array with one axis per name, in order."""

MAX_AXES = 52
"""Most variables one table may have (numpy's ``einsum`` names at most 52 axes)."""
MAX_SUMMED = 20 * MAX_CELLS
"""Most cells one summation may visit (its cluster: the stored result times the states of the
variable summed out); it bounds the work of one step, as :data:`MAX_CELLS` bounds memory."""
SAFE_EXPONENT = -1000
"""Plain floating point is used when every product of table entries stays above 2**this
(floats are normal down to 2**-1022); below, the sums run on logarithms."""


@dataclass(frozen=True)
class EliminationPlan:
    """How :func:`joint_distribution` answers a question, and what it costs.

    Attributes
    ----------
    order : tuple[str, ...]
        The variables summed out, in order.
    split : tuple[str, ...]
        Asked variables answered one state at a time (each state its own elimination).
    largest : int
        Cells of the largest table stored (a summation's result, or the answer).
    widest : int
        Cells of the largest cluster one summation visits.
    work : int
        Cells visited by every summation of every elimination, in total.
    logarithms : bool
        Whether the sums run on logarithms (tables with probabilities near 1e-300).
    """

    order: tuple[str, ...]
    split: tuple[str, ...]
    largest: int
    widest: int
    work: int
    logarithms: bool


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
        Probabilities below the smallest float (about 1e-308) come back rounded, as floats
        are; :func:`log_joint_distribution` keeps them.

    Raises
    ------
    CausalAlignError
        For an unknown variable or state, or a variable named twice.
    InferenceTooLarge
        When no elimination of the question fits :data:`MAX_CELLS` and :data:`MAX_SUMMED`.

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
    values, logarithms = _Question(model, variables, evidence).answer()
    return np.exp(values) if logarithms else values


def log_joint_distribution(model: DiscreteModel, variables: Sequence[str],
                           evidence: Mapping[str, str]) -> Array:
    """The natural logarithm of :func:`joint_distribution` (``-inf`` where it is 0), computed
    without rounding tiny probabilities into floats: conditionals taken from it stay exact
    when the probabilities are near 1e-320 or below.

    Examples
    --------
    >>> from causal_align.quantities.discrete import DiscreteModel, Table
    >>> from causal_align.model import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B"], regime="s")
    >>> model = DiscreteModel(graph, {"s": ("train", "deploy"), "A": ("0", "1"),
    ...                               "B": ("0", "1")},
    ...                       {"A": Table("A", ("s",), np.array([[1, 1e-200]] * 2)),
    ...                        "B": Table("B", ("A",), np.array([[1, 0], [1, 1e-200]]))})
    >>> joint_distribution(model, ["B"], {"s": "train"})  # 1e-400 is no float
    array([1., 0.])
    >>> log_joint_distribution(model, ["B"], {"s": "train"}) / np.log(10)
    array([   0., -400.])
    """
    values, logarithms = _Question(model, variables, evidence).answer()
    if logarithms:
        return values
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(values), dtype=np.float64)


def elimination_plan(model: DiscreteModel, variables: Sequence[str],
                     evidence: Mapping[str, str]) -> EliminationPlan:
    """How :func:`joint_distribution` would answer, without computing: the order, the asked
    variables it splits on, and the cells it would store and visit.

    Raises
    ------
    CausalAlignError, InferenceTooLarge
        As :func:`joint_distribution` would.

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> from causal_align.model import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C"], regime="s")
    >>> plan = elimination_plan(random_model(graph, seed=0), ["C"], {"s": "train"})
    >>> plan.order, plan.split, plan.largest, plan.work
    (('A', 'B'), (), 2, 10)
    """
    return _Question(model, variables, evidence).plan


class _Question:
    """One question: its checked names, its tables (ancestors only) and its plan."""

    def __init__(self, model: DiscreteModel, variables: Sequence[str],
                 evidence: Mapping[str, str]) -> None:
        named = [*variables, *evidence]
        unknown = sorted(name for name in named if name not in model.states)
        twice = sorted(name for name in set(variables) if named.count(name) > 1)
        if unknown or twice:
            raise CausalAlignError(
                f"cannot compute P({', '.join(variables)} | {', '.join(evidence)}): "
                + (f"unknown variable {', '.join(map(shown, unknown))}" if unknown else
                   f"{', '.join(map(shown, twice))} named twice"))
        self.index: dict[str, int] = {}
        for name, state in evidence.items():
            if state not in model.states[name]:
                raise CausalAlignError(f"{shown(name)} has no state {shown(state)} (states: "
                                       f"{', '.join(model.states[name])})")
            self.index[name] = model.states[name].index(state)
        self.variables = tuple(variables)
        self.sizes = {name: len(states) for name, states in model.states.items()}
        self.tables: list[Factor] = []  # every table of an ancestor, evidence not yet applied
        for name in ancestral_variables(model, named):
            table = model.tables.get(name)
            if table is None:  # a regime node: fixed by the evidence, or averaged
                if name not in model.graph.regime:
                    raise CausalAlignError(f"{shown(name)} has no table (every variable but "
                                           "the regime nodes needs one)")
                if name not in self.index:
                    count = self.sizes[name]
                    self.tables.append(((name,), np.full(count, 1 / count)))
                continue
            self.tables.append(((*table.given, name),
                                np.asarray(table.probabilities, dtype=np.float64)))
        self.plan = self._plan()

    def _plan(self) -> EliminationPlan:
        """The split with the least work that fits the limits (none when nothing needs it)."""
        answer = math.prod(self.sizes[name] for name in self.variables)
        if len(self.variables) > MAX_AXES or answer > MAX_CELLS:
            raise InferenceTooLarge(tuple(sorted(self.variables)), answer)
        logarithms = sum(_smallest_exponent(array) for _, array in self.tables) < SAFE_EXPONENT
        candidates = itertools.chain.from_iterable(
            itertools.combinations(self.variables, count) for count in range(3))
        best: EliminationPlan | None = None
        too_large: tuple[tuple[str, ...], int] | None = None
        for split in candidates:
            if best is not None and split and best.split == ():
                break  # the question fits whole: splitting only repeats work
            fixed = {*self.index, *split}
            scopes = [tuple(axis for axis in axes if axis not in fixed) for axes, _ in self.tables]
            kept = [name for name in self.variables if name not in split]
            order, steps = _elimination_steps(scopes, kept, self.sizes)
            runs = math.prod(self.sizes[name] for name in split)
            largest = max([answer // runs, *(cells for cells, _, _ in steps)])
            widest = max([answer // runs, *(cluster for _, cluster, _ in steps)])
            over = _over_limit(steps, logarithms)
            if over is not None:
                if too_large is None or over[1] < too_large[1]:
                    too_large = over
                continue
            plan = EliminationPlan(tuple(order), split, largest, widest,
                                   runs * (answer // runs + sum(c for _, c, _ in steps)),
                                   logarithms)
            if best is None or plan.work < best.work:
                best = plan
        if best is None:
            assert too_large is not None
            raise InferenceTooLarge(*too_large)
        return best

    def answer(self) -> tuple[Array, bool]:
        """The joint, one axis per asked variable, and whether it holds logarithms."""
        plan = self.plan
        result = np.empty([self.sizes[name] for name in self.variables])
        rest = tuple(name for name in self.variables if name not in plan.split)
        for states in itertools.product(*(range(self.sizes[name]) for name in plan.split)):
            fixed = {**self.index, **dict(zip(plan.split, states))}
            factors: list[Factor] = [((), np.zeros(()) if plan.logarithms else np.ones(()))]
            for axes, array in self.tables:
                part = array[tuple(fixed.get(axis, slice(None)) for axis in axes)]
                part = np.asarray(part, dtype=np.float64)
                if plan.logarithms:
                    with np.errstate(divide="ignore"):
                        part = np.log(part)
                factors.append((tuple(axis for axis in axes if axis not in fixed), part))
            where = dict(zip(plan.split, states))
            result[tuple(where.get(name, slice(None)) for name in self.variables)] = (
                _eliminate(factors, plan.order, rest, plan.logarithms))
        return result, plan.logarithms


def _smallest_exponent(array: Array) -> float:
    """log2 of the smallest positive entry (0 when there is none)."""
    positive = array[array > 0]
    return float(np.log2(positive.min())) if positive.size else 0.0


def _over_limit(steps: Sequence[tuple[int, int, tuple[str, ...]]],
                logarithms: bool) -> tuple[tuple[str, ...], int] | None:
    """The first step whose stored table (or, on logarithms, whose cluster, which is built)
    is too large: its variables and cells."""
    for cells, cluster, axes in steps:
        if not logarithms and cells > MAX_CELLS:
            return tuple(sorted(axes[1:])), cells
        if len(axes) > MAX_AXES or cluster > (MAX_CELLS if logarithms else MAX_SUMMED):
            return tuple(sorted(axes)), cluster
    return None


def ancestral_variables(model: DiscreteModel, names: Iterable[str]) -> list[str]:
    """``names`` and every variable their tables depend on (latents included), in the order of
    ``model.states``."""
    found = set(names)
    stack = list(found)
    while stack:
        for parent in model.given(stack.pop()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return [name for name in model.states if name in found]


def _eliminate(factors: list[Factor], order: Sequence[str], keep: tuple[str, ...],
               logarithms: bool) -> Array:
    """Multiply the factors and sum out the variables of ``order``, in that order."""
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
        pool[number] = (merged, _contract(touching, merged, logarithms))
        for axis in merged:
            holding.setdefault(axis, []).append(number)
    return _contract(list(pool.values()), keep, logarithms)


def _contract(factors: list[Factor], keep: tuple[str, ...], logarithms: bool) -> Array:
    """The product of the factors, summed over the axes not in ``keep``, in ``keep``'s order
    (on logarithms: their sum, log-sum-exp'ed)."""
    labels = list(dict.fromkeys(axis for axes, _ in factors for axis in axes))
    if logarithms:
        return _log_contract(factors, labels, keep)
    operands: list[Any] = []
    for axes, array in factors:
        operands += [array, [labels.index(axis) for axis in axes]]
    return np.asarray(np.einsum(*operands, [labels.index(axis) for axis in keep]),
                      dtype=np.float64)


def _log_contract(factors: list[Factor], labels: list[str], keep: tuple[str, ...]) -> Array:
    """:func:`_contract` on logarithms: the cluster is built (a sum of broadcast logarithms),
    then each cell of the result is its largest term times the sum of the terms' ratios."""
    cluster = np.zeros(())
    for axes, array in factors:
        order = sorted(range(len(axes)), key=lambda at: labels.index(axes[at]))
        shape = [1] * len(labels)
        for at in order:
            shape[labels.index(axes[at])] = array.shape[at]
        cluster = cluster + np.transpose(array, order).reshape(shape)
    cluster = np.broadcast_to(cluster, np.broadcast_shapes(cluster.shape, (1,) * len(labels)))
    summed = tuple(at for at, axis in enumerate(labels) if axis not in keep)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        top = np.max(cluster, axis=summed, keepdims=True) if summed else cluster
        shift = np.where(np.isfinite(top), top, 0.0)
        total = np.log(np.sum(np.exp(cluster - shift), axis=summed, keepdims=True)) + shift
    left = [axis for axis in labels if axis in keep]
    total = total.reshape([cluster.shape[at] for at, axis in enumerate(labels) if axis in keep])
    return np.asarray(np.transpose(total, [left.index(axis) for axis in keep]),
                      dtype=np.float64)


def elimination_order(scopes: Sequence[tuple[str, ...]], keep: Iterable[str],
                      sizes: Mapping[str, int]) -> list[str]:
    """The order in which to sum out every variable not in ``keep``, chosen among greedy
    orders (min-fill, min-size, min-weighted-fill, each with ties by the other scores, then by
    name) as the one whose largest stored table is smallest, then whose total work is. It
    depends on the model's structure only, never on its numbers; each greedy step rescores only
    the neighbourhood that changed.

    Examples
    --------
    >>> elimination_order([("A",), ("A", "B"), ("B", "C"), ("C", "D")], ["D"],
    ...                   {"A": 2, "B": 2, "C": 2, "D": 2})
    ['A', 'B', 'C']
    """
    return _elimination_steps(scopes, keep, sizes)[0]


def _elimination_steps(scopes: Sequence[tuple[str, ...]], keep: Iterable[str],
                            sizes: Mapping[str, int]
                            ) -> tuple[list[str], list[tuple[int, int, tuple[str, ...]]]]:
    """:func:`elimination_order` and, for each of its steps, the cells of the table it stores,
    the cells of the cluster it visits, and the cluster's variables."""
    kept = set(keep)
    best: tuple[tuple[int, int], list[str], list[tuple[int, int, tuple[str, ...]]]] | None = None
    for criterion in ("fill", "size", "weighted fill"):
        order, steps = _greedy(scopes, kept, sizes, criterion)
        cost = (max((cells for cells, _, _ in steps), default=0),
                sum(cluster for _, cluster, _ in steps))
        if best is None or cost < best[0]:
            best = (cost, order, steps)
    assert best is not None
    return best[1], best[2]


def _greedy(scopes: Sequence[tuple[str, ...]], kept: set[str], sizes: Mapping[str, int],
            criterion: str) -> tuple[list[str], list[tuple[int, int, tuple[str, ...]]]]:
    """One greedy elimination order by ``criterion``, with the cells of each step."""
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
    steps: list[tuple[int, int, tuple[str, ...]]] = []
    while heap:
        entry = heapq.heappop(heap)
        name = entry[-1]
        if current.get(name) != entry:
            continue  # rescored since it was pushed
        del current[name]
        order.append(name)
        others = near.pop(name)
        cells = math.prod(sizes[axis] for axis in others)
        steps.append((cells, cells * sizes[name], (name, *sorted(others))))
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
    return order, steps
