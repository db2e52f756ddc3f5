"""Write the sample tables of docs/quantities.md, drawn from stated models.

Run from the repository root: ``python examples/samples/make_samples.py``. It writes three CSV
files next to itself, the same bytes every time (seeded), each with :data:`ROWS` rows drawn in
training (``s = train``) then :data:`ROWS` drawn in deployment (``s = deploy``), one column per
node of the graph, in the graph's node order:

- ``coinrun.csv``: the model of ``graphs/coinrun_model.yaml``. The diagram is not aligned and
  the model leaks: once the coin moves, reaching the end (Y_m = 1) no longer means getting the
  coin, so the data test of (Y_b ⊥ s | Y_m) rejects.
- ``aligned_proxy.csv``: the model of ``graphs/aligned_proxy_model.yaml``. The diagram is
  aligned, so (Y_b ⊥ s | Y_m) holds in the model and the test should not reject (it does so
  with probability alpha, never more).
- ``coinrun_wrong_diagram.csv``: the coinrun model **plus an edge ``s -> L`` that the diagram
  lacks**: deployment levels are harder, P(L = hard) is 0.4 in training and 0.7 in deployment.
  ``graphs/coinrun_model.yaml`` claims the level layout is the same in both regimes, which
  implies s ⊥ L; testing the diagram's implied independences on this file rejects that one.

Sampling is forward, in numpy: every variable in the order of the model's tables, each row's
state drawn from its table's row at the states already drawn for its parents.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from causal_align.quantities.discrete import DiscreteModel, Table
from causal_align.model import CausalGraph
from causal_align.quantities.parameters import load_model
from causal_align.quantities.rules import check_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ROWS = 1000
"""Samples per regime in each file (each file stays under 150 KB)."""
SEED = 20260005
"""The seed of the first file; the others use SEED + 1 and SEED + 2."""
HARDER_LEVELS = [[0.6, 0.4], [0.3, 0.7]]
"""P(L | s) in the wrong-diagram model: rows train, deploy; columns easy, hard."""

Codes = npt.NDArray[np.intp]


def sample(model: DiscreteModel, rows: int, regime: str,
           generator: np.random.Generator) -> dict[str, Codes]:
    """``rows`` draws from ``model`` with every regime node at its ``regime`` state
    (``"train"`` or ``"deploy"``): each variable's state indices, latents included."""
    states = model.training if regime == "train" else model.deployment
    codes: dict[str, Codes] = {}
    for name in model.variables():
        table = model.tables.get(name)
        if table is None:
            codes[name] = np.full(rows, model.states[name].index(states[name]), dtype=np.intp)
            continue
        chances = table.probabilities[tuple(codes[parent] for parent in table.given)]
        if not table.given:
            chances = np.broadcast_to(chances, (rows, len(model.states[name])))
        below = generator.random(rows)[:, None] >= np.cumsum(chances, axis=1)
        codes[name] = np.minimum(below.sum(axis=1), len(model.states[name]) - 1)
    return codes


def table_text(model: DiscreteModel, seed: int, rows: int = ROWS) -> str:
    """``rows`` training rows then ``rows`` deployment rows, as CSV text (observed nodes)."""
    generator = np.random.default_rng(seed)
    columns = model.graph.nodes
    lines = [",".join(columns)]
    for regime in ("train", "deploy"):
        codes = sample(model, rows, regime, generator)
        text = [np.asarray(model.states[name])[codes[name]] for name in columns]
        lines.extend(",".join(row) for row in zip(*text))
    return "\n".join(lines) + "\n"


def wrong_diagram_model() -> DiscreteModel:
    """The coinrun model with the extra edge ``s -> L`` and :data:`HARDER_LEVELS` as L's table."""
    model = load_model(ROOT / "graphs" / "coinrun_model.yaml")
    graph = model.graph
    shifted = CausalGraph(graph.labels, [*graph.edges, "s -> L"], regime=graph.regime,
                          sigma=graph.sigma, base=graph.base, mesa=graph.mesa,
                          name="coinrun_harder_levels")
    tables = {**model.tables, "L": Table("L", ("s",), np.array(HARDER_LEVELS))}
    wrong = DiscreteModel(shifted, model.states, tables, model.latents, model.values,
                          model.training, model.deployment)
    check_model(wrong)
    return wrong


def files() -> dict[str, tuple[DiscreteModel, int]]:
    """Each file's name, the model it is drawn from and its seed."""
    return {"coinrun.csv": (load_model(ROOT / "graphs" / "coinrun_model.yaml"), SEED),
            "aligned_proxy.csv": (load_model(ROOT / "graphs" / "aligned_proxy_model.yaml"),
                                  SEED + 1),
            "coinrun_wrong_diagram.csv": (wrong_diagram_model(), SEED + 2)}


def main() -> int:
    for name, (model, seed) in files().items():
        (HERE / name).write_text(table_text(model, seed), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
