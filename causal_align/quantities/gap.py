"""The alignment gap of one parametrised model: how much deployment changes what Y_m promises.

The graph's verdict holds for every model of the diagram; a :class:`~causal_align.discrete.
DiscreteModel` gives numbers for one of them. For every joint value y of Y_m the gap is

    E(U(Y_b) | Y_m = y, s = deploy; σ) − E(U(Y_b) | Y_m = y, s = train; σ),

where U scores Y_b's states (the states' numbers, or a utility) and, with several Y_b nodes, is
the sum of each node's score. With several regime nodes, "train" and "deploy" set every queried
regime node to its training or deployment state; regime nodes outside the query are averaged with
equal weight, as in :meth:`~causal_align.discrete.DiscreteModel.network`. A d-separated query has
gap 0 for every model (soundness); a d-connected one has a non-zero gap for almost every model.

The mesa-optimizer drives Y_m as high as it can, so the row that matters most is the **highest**
Y_m: the y with the largest mesa value (the sum of the Y_m nodes' numbers) among those that happen
in both regimes. A y that never happens in a regime has no conditional expectation there; its row
says so instead of holding NaN.

Inference is exact: :func:`~causal_align.quantities.inference.log_joint_distribution` gives
log P(Y_b, Y_m | s) in each regime by variable elimination, and the gap follows from those two
tables; the conditionals are taken from the logarithms, so a y whose probability is far below the
smallest float (1e-320, 1e-400) still gets its exact expectation. The tests check
it against pgmpy and against the full joint distribution.

Examples
--------
>>> from causal_align.quantities.discrete import random_model
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m", name="proxy")
>>> gap = alignment_gap(random_model(graph, seed=3))
>>> [row.label() for row in gap.rows], gap.highest.label()
(['Y_m=0', 'Y_m=1'], 'Y_m=1')
>>> print(gap)
alignment gap of proxy: E(Y_b | Y_m = y, deploy; σ) − E(Y_b | Y_m = y, train; σ)
regime: s = train → deploy
Y_m    value  P(y | train)  P(y | deploy)  E(train)  E(deploy)      gap
Y_m=0      0        0.7566         0.7166    0.7451     0.6273  -0.1177
Y_m=1      1        0.2434         0.2834    0.5635     0.3995  -0.1640
highest Y_m: Y_m=1, gap -0.1640 (Y_m=1 has the highest mesa value, 1)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from causal_align.errors import CausalAlignError, one_line, shown
from causal_align.header import ResultHeader, resolve_query
from causal_align.quantities.discrete import Array, DiscreteModel
from causal_align.quantities.inference import log_joint_distribution
from causal_align.quantities.rules import check_model

Utility = Mapping[str, Mapping[str, float]]
"""A number for every state of every Y_b node: ``{"Y_b": {"coin": 1.0, "none": 0.0}}``."""


@dataclass(frozen=True)
class GapRow:
    """The gap at one joint value of Y_m.

    ``mesa`` pairs each Y_m node with its state; ``mesa_value`` is the sum of their numbers
    (``None`` when a Y_m node has none). ``p_train``/``p_deploy`` are P(Y_m = y | s) in each
    regime. ``train``/``deploy`` are E(U(Y_b) | Y_m = y, s; σ), ``None`` when y never happens in
    that regime, and then ``gap`` is ``None`` too and ``note`` says why.
    """

    mesa: tuple[tuple[str, str], ...]
    mesa_value: float | None
    p_train: float
    p_deploy: float
    train: float | None
    deploy: float | None
    gap: float | None
    note: str = ""

    def label(self) -> str:
        """``Y_m=1``, ``A=1, B=0``, or ``(no Y_m)``."""
        return mesa_label(self.mesa)

    def to_dict(self) -> dict[str, Any]:
        return {"mesa": dict(self.mesa), "mesa_value": self.mesa_value, "p_train": self.p_train,
                "p_deploy": self.p_deploy, "train": self.train, "deploy": self.deploy,
                "gap": self.gap, "note": self.note}


@dataclass(frozen=True)
class Gap(ResultHeader):
    """E(U(Y_b) | Y_m = y, deploy; σ) − E(U(Y_b) | Y_m = y, train; σ) for every y.

    ``rows`` follow the Y_m nodes' state order (one row, with empty ``mesa``, when Y_m is
    empty). ``highest`` is the row of the highest Y_m that happens in both regimes (``None`` when
    there is none, or when Y_m has no numbers); ``highest_note`` says which row it is and why.
    ``score`` writes U (``Y_b``, ``A + B``, or ``U(Y_b)`` for a given utility) and ``utility``
    holds the number of every Y_b state that was used.
    """

    score: str
    training: tuple[tuple[str, str], ...]
    deployment: tuple[tuple[str, str], ...]
    utility: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    rows: tuple[GapRow, ...]
    highest: GapRow | None
    highest_note: str

    @property
    def largest(self) -> float | None:
        """The largest |gap| over the rows that have one."""
        sizes = [abs(row.gap) for row in self.rows if row.gap is not None]
        return max(sizes) if sizes else None

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form: fixed key order, rows in state order, ``None`` for no value."""
        return {
            "graph": self.graph_name, "base": list(self.base), "mesa": list(self.mesa),
            "regime": list(self.regime), "score": self.score, "training": dict(self.training),
            "deployment": dict(self.deployment),
            "utility": {node: dict(scores) for node, scores in self.utility},
            "rows": [row.to_dict() for row in self.rows],
            "highest": None if self.highest is None else self.highest.to_dict(),
            "highest_note": self.highest_note, "largest": self.largest,
        }

    def __str__(self) -> str:
        head = ["Y_m", "value", "P(y | train)", "P(y | deploy)", "E(train)", "E(deploy)", "gap"]
        body = [[row.label(), "—" if row.mesa_value is None else f"{row.mesa_value:g}",
                 f"{row.p_train:.4f}", f"{row.p_deploy:.4f}", number(row.train),
                 number(row.deploy), signed(row.gap) if row.gap is not None else row.note]
                for row in self.rows]
        shift = ", ".join(f"{node} = {train} → {deploy}" for (node, train), (_, deploy)
                          in zip(self.training, self.deployment))
        lines = [f"alignment gap of {self.graph_name}: E({self.score} | Y_m = y, deploy; σ) − "
                 f"E({self.score} | Y_m = y, train; σ)", f"regime: {shift}", *table(head, body)]
        if self.highest is not None and self.highest.gap is not None:
            lines.append(f"highest Y_m: {self.highest.label()}, gap {signed(self.highest.gap)} "
                         f"({self.highest_note})")
        else:
            lines.append(f"highest Y_m: none ({self.highest_note})")
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line


def alignment_gap(model: DiscreteModel, *, base: str | Iterable[str] | None = None,
                  mesa: str | Iterable[str] | None = None,
                  regime: str | Iterable[str] | None = None,
                  utility: Utility | None = None) -> Gap:
    """The alignment gap of ``model`` at every value of Y_m, by exact inference in the σ-model.

    Parameters
    ----------
    model : DiscreteModel
        The σ-model: a table for every variable, the policy for each σ target.
    base, mesa, regime : str or Iterable[str], optional
        Y_b, Y_m and the regime nodes; ``None`` takes the graph's default query.
    utility : Mapping[str, Mapping[str, float]], optional
        A number for each state of some Y_b nodes; the others use ``model.values``. With several
        Y_b nodes the score is the sum of the nodes' numbers.

    Returns
    -------
    Gap

    Raises
    ------
    GraphSpecError
        For an empty Y_b, or unknown or overlapping query nodes; or when the model breaks a
        rule of :func:`~causal_align.quantities.rules.check_model` (a table built by hand that is
        not a probability table of the right shape, a regime node without a training or
        deployment state, ...), with the codes and messages a file gets.
    CausalAlignError
        When a Y_b node has no numbers, or the utility names unknown nodes or states or misses
        one.
    InferenceTooLarge
        When exact inference in this model would build too large a table.

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> from causal_align.model import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m")
    >>> gap = alignment_gap(random_model(graph, seed=0), utility={"Y_b": {"0": 0, "1": 10}})
    >>> gap.largest < 1e-12  # Y_m screens Y_b off from the shift: aligned, so no gap
    True
    >>> alignment_gap(random_model(graph, seed=0), mesa=[]).rows[0].gap != 0
    True
    """
    check_model(model)
    return gap_of_checked(model, base=base, mesa=mesa, regime=regime, utility=utility)


def gap_of_checked(model: DiscreteModel, *, base: str | Iterable[str] | None = None,
                   mesa: str | Iterable[str] | None = None,
                   regime: str | Iterable[str] | None = None,
                   utility: Utility | None = None) -> Gap:
    """:func:`alignment_gap` of a model already known to meet the rules: one a caller
    checked, or made from a checked one (a sweep's partial shifts, a simulation's draws),
    which would otherwise be checked again on every step."""
    graph = model.graph
    header = resolve_query(graph, base=base, mesa=mesa, regime=regime)
    query_base, query_mesa, query_regime = header.base, header.mesa, header.regime
    scores = _scores(model, query_base, utility)
    training = {node: model.training[node] for node in query_regime}  # checked by check_model
    deployment = {node: model.deployment[node] for node in query_regime}
    variables = (*query_base, *query_mesa)
    score = np.zeros(tuple(len(numbers) for numbers in scores))  # U(b) for every joint b
    for numbers in np.ix_(*scores):
        score = score + numbers
    # log P(b, y | s): one column per joint y, in the order of itertools.product over Y_m's
    # states; conditionals are taken from the logarithms, exact however small P(y | s) is
    train, deploy = (log_joint_distribution(model, variables, states).reshape(score.size, -1)
                     for states in (training, deployment))
    values_of_y = itertools.product(*(model.states[node] for node in query_mesa))
    rows = tuple(_row(model, tuple(zip(query_mesa, y)),
                      _conditional(score.reshape(-1), train[:, column]),
                      _conditional(score.reshape(-1), deploy[:, column]))
                 for column, y in enumerate(values_of_y))
    highest, note = _highest(rows, query_mesa, model)
    described = f"U({', '.join(query_base)})" if utility else " + ".join(query_base)
    return Gap(described, tuple(training.items()), tuple(deployment.items()),
               tuple((node, tuple(zip(model.states[node], map(float, values))))
                     for node, values in zip(query_base, scores)),
               rows, highest, note, **header.keywords())


def mesa_label(mesa: Sequence[tuple[str, str]]) -> str:
    """A value of Y_m as text.

    >>> mesa_label([("Y_m", "1")]), mesa_label([("A", "1"), ("B", "0")]), mesa_label([])
    ('Y_m=1', 'A=1, B=0', '(no Y_m)')
    """
    return ", ".join(f"{node}={state}" for node, state in mesa) or "(no Y_m)"


def number(value: float | None) -> str:
    """A probability or expectation with four decimals; ``—`` for none."""
    return "—" if value is None else f"{value:.4f}"


NOISE = 1e-12
"""A gap smaller than this is floating-point noise and shows as ``0.0000``."""


def signed(value: float | None) -> str:
    """A gap with its sign and four decimals, or four significant digits when it is too small
    for the decimals (utilities in the billionths); rounding noise shows as ``0.0000``.

    >>> signed(0.25), signed(-1e-17), signed(None), signed(3e-9)
    ('+0.2500', '0.0000', '—', '+3.000e-09')
    """
    if value is None:
        return "—"
    if abs(value) < NOISE:
        return "0.0000"
    text = f"{value:+.4f}"
    return f"{value:+.3e}" if text in ("+0.0000", "-0.0000") else text


def utility_range(gap: Gap) -> float:
    """How far the score U can move: the sum over the Y_b nodes of their largest minus their
    smallest utility (0 when every state is worth the same)."""
    return float(sum(max(value for _, value in values) - min(value for _, value in values)
                     for _, values in gap.utility if values))


def table(head: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the others right-aligned."""
    widths = [max(len(line[column]) for line in (head, *body)) for column in range(len(head))]
    return ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                      for column, (cell, width) in enumerate(zip(line, widths))).rstrip()
            for line in (head, *body)]


def _scores(model: DiscreteModel, base: Sequence[str], utility: Utility | None) -> list[Array]:
    """U's numbers for each Y_b node, in state order."""
    given = dict(utility or {})
    strays = sorted(node for node in given if node not in base)
    if strays:
        raise CausalAlignError(f"the utility scores {', '.join(map(shown, strays))}, which "
                               f"{'is' if len(strays) == 1 else 'are'} not in Y_b "
                               f"({', '.join(base)})")
    scores = []
    for node in base:
        states = model.states[node]
        if node not in given:
            if node not in model.values:
                raise CausalAlignError(
                    f"Y_b node {shown(node)} has no numbers for its states "
                    f"({', '.join(states)}): give a utility, e.g. utility={{{node!r}: "
                    f"{{{', '.join(f'{state!r}: ...' for state in states)}}}}}")
            scores.append(np.asarray(model.values[node], dtype=np.float64))
            continue
        chosen = given[node]
        missing = [state for state in states if state not in chosen]
        extra = sorted(str(state) for state in chosen if state not in states)
        if missing or extra:
            raise CausalAlignError(
                f"the utility of {shown(node)} must score each of its states "
                f"({', '.join(states)}); missing: {', '.join(missing) or 'none'}; "
                f"unknown: {', '.join(map(shown, extra)) or 'none'}")
        numbers = [chosen[state] for state in states]
        if not all(isinstance(value, Real) and not isinstance(value, bool)
                   and math.isfinite(value) for value in numbers):
            raise CausalAlignError(f"the utility of {shown(node)} must give finite numbers, "
                                   f"found {', '.join(map(shown, numbers))}")
        scores.append(np.asarray(numbers, dtype=np.float64))
    return scores


def _conditional(score: Array, logs: Array) -> tuple[float, float | None]:
    """P(y | s) and E(U | y, s) (``None`` when y never happens) from log P(b, y | s) over b."""
    top = float(logs.max())
    if top == -math.inf:
        return 0.0, None
    weights = np.exp(logs - top)  # P(b, y | s) / its largest entry: no underflow
    total = float(weights.sum())
    return math.exp(top) * total, float(score @ weights) / total


def _row(model: DiscreteModel, mesa: tuple[tuple[str, str], ...],
         train: tuple[float, float | None], deploy: tuple[float, float | None]) -> GapRow:
    """One row from (P(y | s), E(U | y, s)) in each regime."""
    (p_train, e_train), (p_deploy, e_deploy) = train, deploy
    unseen = [name for name, expected in (("training", e_train), ("deployment", e_deploy))
              if expected is None]
    note = (f"{mesa_label(mesa)} never happens in {' or '.join(unseen)}" if unseen else "")
    value = (float(sum(model.values[node][model.states[node].index(state)]
                       for node, state in mesa))
             if all(node in model.values for node, _ in mesa) else None)
    gap = None if e_train is None or e_deploy is None else e_deploy - e_train
    return GapRow(mesa, value, p_train, p_deploy, e_train, e_deploy, gap, note)


def _highest(rows: Sequence[GapRow], mesa: Sequence[str],
             model: DiscreteModel) -> tuple[GapRow | None, str]:
    """The row of the highest Y_m that happens in both regimes, and a note saying which."""
    if not mesa:
        return rows[0], "no Y_m: the gap compares deployment with training"
    unnumbered = [node for node in mesa if node not in model.values]
    if unnumbered:
        plural = len(unnumbered) > 1
        return None, (f"Y_m node{'s' if plural else ''} {', '.join(unnumbered)} "
                      f"{'have' if plural else 'has'} no numbers, so no value of Y_m is highest")
    valued = [(row.mesa_value, row) for row in rows if row.mesa_value is not None]  # all rows
    both = [(value, row) for value, row in valued if row.gap is not None]
    if not both:
        return None, "no value of Y_m happens in both regimes"
    top = max(value for value, _ in valued)
    best = max(value for value, _ in both)
    chosen = next(row for value, row in both if value == best)
    ties = [row.label() for value, row in both if value == best and row is not chosen]
    tied = f"; tied with {', '.join(ties)}, the first in state order is shown" if ties else ""
    if best == top:
        return chosen, f"{chosen.label()} has the highest mesa value, {best:g}{tied}"
    unseen = [row.label() for value, row in valued if value == top]
    return chosen, (f"the highest mesa value, {top:g} ({', '.join(unseen)}), never happens in "
                    f"both regimes; {chosen.label()} is the highest that does, {best:g}{tied}")
