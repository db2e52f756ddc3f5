"""Shift sweeps: the alignment gap as the deployment mechanisms move in from the training ones.

The regime node points at the mechanisms that differ between training and deployment. A sweep
moves each of them part of the way: at strength λ,

    P_λ(V | pa, s = deploy) = (1 − λ) P(V | pa, s = train) + λ P(V | pa, s = deploy),

and computes the gap between this deployment and training at every value of Y_m. λ = 0 is no
shift (the gap is exactly 0), λ = 1 the model's own deployment (the gap is
:func:`~causal_align.gap.alignment_gap`'s). With several queried regime nodes, the rows where all
of them are at deployment move towards the rows where all are at training.

Examples
--------
>>> from causal_align.quantities.discrete import random_model
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m", name="proxy")
>>> result = sweep(random_model(graph, seed=3), steps=5)
>>> print(result)
gap of proxy against the shift strength λ (0 = training mechanisms, 1 = deployment)
λ       Y_m=0   Y_m=1*
0.00   0.0000   0.0000
0.25  -0.0282  -0.0459
0.50  -0.0573  -0.0882
0.75  -0.0871  -0.1275
1.00  -0.1177  -0.1640
* highest Y_m (Y_m=1 has the highest mesa value, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from causal_align.errors import CausalAlignError, one_line, shown
from causal_align.header import ResultHeader
from causal_align.quantities.discrete import DiscreteModel, Table
from causal_align.quantities.gap import (
    Gap,
    Utility,
    gap_of_checked,
    mesa_label,
    signed,
    table,
)
from causal_align.quantities.progress import with_progress
from causal_align.quantities.rules import check_model


@dataclass(frozen=True)
class SweepLine:
    """The gap at one value of Y_m, one entry per strength (``None`` where y never happens)."""

    mesa: tuple[tuple[str, str], ...]
    mesa_value: float | None
    highest: bool
    gaps: tuple[float | None, ...]

    def label(self) -> str:
        return mesa_label(self.mesa)

    def to_dict(self) -> dict[str, Any]:
        return {"mesa": dict(self.mesa), "mesa_value": self.mesa_value, "highest": self.highest,
                "gaps": list(self.gaps)}


@dataclass(frozen=True)
class Sweep(ResultHeader):
    """The gap against the shift strength λ, one line per value of Y_m.

    ``strengths`` are the λ values; a line's ``highest`` is set for the full shift's highest
    Y_m (``Gap.highest`` at λ = 1), and ``highest_note`` says why that one. ``score`` writes U,
    as in :class:`~causal_align.gap.Gap`.
    """

    score: str
    strengths: tuple[float, ...]
    lines: tuple[SweepLine, ...]
    highest_note: str

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form: fixed key order, ``None`` where y never happens."""
        return {"graph": self.graph_name, "base": list(self.base), "mesa": list(self.mesa),
                "regime": list(self.regime), "score": self.score,
                "strengths": list(self.strengths),
                "lines": [line.to_dict() for line in self.lines],
                "highest_note": self.highest_note}

    def __str__(self) -> str:
        shown_lines = self.shown_lines()
        head = ["λ", *(line.label() + ("*" if line.highest else "") for line in shown_lines)]
        body = [[f"{strength:.2f}", *(signed(line.gaps[step]) for line in shown_lines)]
                for step, strength in enumerate(self.strengths)]
        lines = [f"gap of {self.graph_name} against the shift strength λ "
                 "(0 = training mechanisms, 1 = deployment)", *table(head, body)]
        if len(self.lines) > len(shown_lines):
            lines.append(f"({len(self.lines) - len(shown_lines)} more values of Y_m, with smaller "
                         "gaps at λ = 1: see to_dict())")
        if any(line.highest for line in shown_lines):
            lines.append(f"* highest Y_m ({self.highest_note})")
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line

    def shown_lines(self) -> tuple[SweepLine, ...]:
        """The lines the text table shows, in their order: every line when they fit, else the
        highest Y_m (the value the mesa-optimizer reaches) and the largest gaps at λ = 1."""
        if len(self.lines) <= _COLUMNS:
            return self.lines

        def size(line: SweepLine) -> float:
            final = line.gaps[-1]
            return -1.0 if final is None else abs(final)

        chosen = {id(line) for line in self.lines if line.highest}
        for line in sorted(self.lines, key=size, reverse=True):
            if len(chosen) >= _COLUMNS:
                break
            chosen.add(id(line))
        return tuple(line for line in self.lines if id(line) in chosen)


_COLUMNS = 8
"""The text table shows this many values of Y_m; ``to_dict()`` has them all."""


def sweep(model: DiscreteModel, *, steps: int = 21,
          mesa_value: str | Mapping[str, str] | None = None, progress: bool = False,
          base: str | Iterable[str] | None = None, mesa: str | Iterable[str] | None = None,
          regime: str | Iterable[str] | None = None, utility: Utility | None = None) -> Sweep:
    """The alignment gap at ``steps`` shift strengths from 0 (no shift) to 1 (full shift).

    Parameters
    ----------
    model : DiscreteModel
    steps : int
        How many strengths, evenly spaced over [0, 1]; at least 2.
    mesa_value : str or Mapping[str, str], optional
        Follow only this value of Y_m: its state when Y_m is one node, else a state per node.
    progress : bool
        Show a progress bar on stderr (tqdm).
    base, mesa, regime, utility
        The query and the scoring of Y_b, as for :func:`~causal_align.gap.alignment_gap`.

    Returns
    -------
    Sweep

    Raises
    ------
    CausalAlignError
        For fewer than 2 steps, an unknown ``mesa_value``, and whatever ``alignment_gap`` refuses.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise CausalAlignError(f"a sweep needs at least 2 steps, found {shown(steps)}")

    base, mesa, regime = (None if names is None else [names] if isinstance(names, str)
                          else list(names) for names in (base, mesa, regime))  # read them again
    check_model(model)  # once: a partial shift mixes valid rows, so every step stays valid

    def gap_at(strength: float) -> Gap:
        return gap_of_checked(partial_shift(model, strength, regime=regime), base=base,
                              mesa=mesa, regime=regime, utility=utility)

    strengths = tuple(float(strength) for strength in np.linspace(0.0, 1.0, steps))
    gaps = [gap_at(0.0)]  # checks the query before the long part
    chosen = None if mesa_value is None else _chosen(model, gaps[0], mesa_value)
    rest = with_progress(strengths[1:], show=progress, what="step", total=steps, done=1,
                         label="sweep")
    gaps.extend(gap_at(strength) for strength in rest)
    full = gaps[-1]  # λ = 1 leaves the model as it is: this is alignment_gap(model)
    highest = None if full.highest is None else full.highest.mesa
    lines = tuple(SweepLine(row.mesa, row.mesa_value, row.mesa == highest,
                            tuple(gap.rows[index].gap for gap in gaps))
                  for index, row in enumerate(full.rows) if chosen in (None, row.mesa))
    return Sweep(full.score, strengths, lines, full.highest_note, **full.keywords())


def partial_shift(model: DiscreteModel, strength: float, *,
                  regime: str | Iterable[str] | None = None) -> DiscreteModel:
    """``model`` with each shifted mechanism's deployment rows ``strength`` of the way there.

    Every table given a queried regime node gets, where all queried regime nodes are at their
    deployment state, (1 − strength) × its training rows + strength × its deployment rows.

    Parameters
    ----------
    model : DiscreteModel
    strength : float
        λ in [0, 1]: 0 gives deployment the training mechanisms, 1 leaves the model as it is.
    regime : str or Iterable[str], optional
        The regime nodes to shift; default: the graph's query regime.

    Raises
    ------
    CausalAlignError
        For a strength outside [0, 1], or a regime node that is unknown or has no training or
        deployment state.

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> from causal_align.model import CausalGraph
    >>> model = random_model(CausalGraph.from_edges(["s -> A"], regime="s"), seed=0)
    >>> rows = model.tables["A"].probabilities
    >>> half = partial_shift(model, 0.5).tables["A"].probabilities
    >>> bool(np.allclose(half[1], (rows[0] + rows[1]) / 2)), bool((half[0] == rows[0]).all())
    (True, True)
    """
    if not 0.0 <= strength <= 1.0:
        raise CausalAlignError(f"the shift strength must be in [0, 1], found {shown(strength)}")
    shifted = sorted(model.graph.query_regime if regime is None
                     else [regime] if isinstance(regime, str) else regime)
    strays = [name for name in shifted if name not in model.graph.regime]
    unset = [name for name in shifted if name not in model.training or name not in model.deployment]
    if strays or unset:
        raise CausalAlignError(
            f"cannot shift {', '.join(map(shown, strays or unset))}: "
            + (f"not a regime node (regime nodes: {', '.join(sorted(model.graph.regime))})"
               if strays else "the model gives no training or deployment state for it"))
    tables = {}
    for node, original in model.tables.items():
        if any(name in shifted for name in original.given):
            probabilities = original.probabilities.copy()
            train = _rows(model, original.given, shifted, model.training)
            deploy = _rows(model, original.given, shifted, model.deployment)
            probabilities[deploy] = ((1 - strength) * original.probabilities[train]
                                     + strength * original.probabilities[deploy])
            tables[node] = Table(node, original.given, probabilities)
    return model.with_tables(tables)


def _rows(model: DiscreteModel, given: tuple[str, ...], shifted: list[str],
          states: Mapping[str, str]) -> tuple[int | slice, ...]:
    """The index of a table's rows where every shifted regime node is in its state in ``states``."""
    return tuple(model.states[name].index(states[name]) if name in shifted else slice(None)
                 for name in given)


def _chosen(model: DiscreteModel, full: Gap,
            mesa_value: str | Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``mesa_value`` as (node, state) pairs in the gap's Y_m order, or a clear error."""
    if isinstance(mesa_value, str):
        if len(full.mesa) != 1:
            raise CausalAlignError(
                f"mesa_value {shown(mesa_value)} names one state, but Y_m has "
                f"{len(full.mesa)} nodes ({', '.join(full.mesa) or 'none'}): give a state per "
                "node, e.g. {" + ", ".join(f"{node!r}: ..." for node in full.mesa) + "}")
        mesa_value = {full.mesa[0]: mesa_value}
    if sorted(mesa_value) != list(full.mesa):
        raise CausalAlignError(f"mesa_value must give a state to each Y_m node "
                               f"({', '.join(full.mesa) or 'none'}), found "
                               f"{', '.join(map(shown, mesa_value)) or 'none'}")
    for node in full.mesa:
        if mesa_value[node] not in model.states[node]:
            raise CausalAlignError(f"Y_m node {shown(node)} has no state "
                                   f"{shown(mesa_value[node])} (states: "
                                   f"{', '.join(model.states[node])})")
    return tuple((node, mesa_value[node]) for node in full.mesa)
