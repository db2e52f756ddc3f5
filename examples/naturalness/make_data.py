"""Write the sample tables of docs/naturalness.md from the two models they were drawn from.

Run from the repository root: ``python examples/naturalness/make_data.py``. It writes
``colours.csv`` and ``colours_riddle.csv`` next to itself, the same bytes every time (seeded).

The models (founding text 000's grue story). ``Late`` says the object is looked at after the
time T; ``Green`` is its colour; ``Grue = Late XOR Green`` is green before T or blue after it.
The evidence ``E`` is what we learn: a ``green`` or ``blue`` hint (news about the colour), the
``clock`` (news about the time), and, in the second model only, the ``riddle`` of the founding
text ("either the object is green and the sun has not yet set, or both statements are false":
news about grue itself). The regime node ``s`` only changes which evidence we meet: in
deployment we mostly read the clock.

    s -> E,  E -> Late,  E -> Green,  Late -> Green,  Green -> Grue,  Late -> Grue

P(Green | E, Late) has the same odds ratio 4 between Late and Green under every hint, so Green
is XE-natural for Late given E; the riddle (P = 0.01) breaks that a little.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from causal_align.quantities.discrete import DiscreteModel, Table
from causal_align.model import CausalGraph

HERE = Path(__file__).resolve().parent
ROWS = 1500
"""Samples per regime in each file."""
SEED = 20260000


def colours(*, riddle: bool = False) -> DiscreteModel:
    """The grue model; with ``riddle``, E has a fourth value of probability 0.01."""
    graph = CausalGraph.from_edges(["s -> E", "E -> Late", "E -> Green", "Late -> Green",
                                    "Green -> Grue", "Late -> Grue"], regime="s")
    hints = ("green", "blue", "clock", "riddle") if riddle else ("green", "blue", "clock")
    evidence = ([[0.395, 0.395, 0.2, 0.01], [0.1, 0.1, 0.79, 0.01]] if riddle else
                [[0.4, 0.4, 0.2], [0.1, 0.1, 0.8]])          # rows: train, deploy
    late = [[0.5, 0.5], [0.5, 0.5], [0.1, 0.9], [0.5, 0.5]]  # P(Late | E)
    green = [[[0.5, 0.5], [0.2, 0.8]],                         # P(Green | E, Late): odds ratio 4
             [[0.8, 0.2], [0.5, 0.5]],
             [[0.5, 0.5], [0.2, 0.8]],
             [[0.2, 0.8], [0.8, 0.2]]]                         # the riddle: Late XOR Green
    grue = [[[1.0, 0.0], [0.0, 1.0]],                          # P(Grue | Green, Late)
            [[0.0, 1.0], [1.0, 0.0]]]
    count = len(hints)
    states = {"s": ("train", "deploy"), "E": hints, "Late": ("0", "1"), "Green": ("0", "1"),
              "Grue": ("0", "1")}
    tables = {"E": Table("E", ("s",), np.array(evidence)),
              "Late": Table("Late", ("E",), np.array(late[:count])),
              "Green": Table("Green", ("E", "Late"), np.array(green[:count])),
              "Grue": Table("Grue", ("Green", "Late"), np.array(grue))}
    return DiscreteModel(graph, states, tables, training={"s": "train"},
                         deployment={"s": "deploy"})


def sample(model: DiscreteModel, rows: int, regime: str,
           generator: np.random.Generator) -> dict[str, list[str]]:
    """``rows`` draws from ``model`` with the regime node ``s`` at ``regime``, column by column."""
    codes: dict[str, np.ndarray] = {}
    for node in model.variables():
        if node in model.graph.regime:
            codes[node] = np.full(rows, model.states[node].index(regime))
            continue
        table = model.tables[node]
        chances = table.probabilities[tuple(codes[parent] for parent in table.given)]
        drawn = (generator.random(rows)[:, None] > chances.cumsum(axis=1)).sum(axis=1)
        codes[node] = np.minimum(drawn, len(model.states[node]) - 1)
    return {node: [model.states[node][code] for code in codes[node]] for node in codes}


def table_text(model: DiscreteModel, seed: int) -> str:
    """``ROWS`` training rows then ``ROWS`` deployment rows, as CSV text."""
    generator = np.random.default_rng(seed)
    columns = ("s", "E", "Late", "Green", "Grue")
    lines = [",".join(columns)]
    for regime in ("train", "deploy"):
        drawn = sample(model, ROWS, regime, generator)
        lines.extend(",".join(row) for row in zip(*(drawn[column] for column in columns)))
    return "\n".join(lines) + "\n"


def main() -> int:
    for name, model, seed in (("colours.csv", colours(), SEED),
                              ("colours_riddle.csv", colours(riddle=True), SEED + 1)):
        (HERE / name).write_text(table_text(model, seed), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
