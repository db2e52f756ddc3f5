"""Write the samples of docs/transport.md, drawn from the model of a stated graph file.

Run from the repository root: ``python examples/transport/make_samples.py``. The model is that of
``graphs/transport_measure_coin.yaml`` (CoinRun where the coin's position C can be logged in
deployment). It writes, next to itself, the same bytes every time (seeded with :data:`SEED`):

- ``train.csv``: :data:`TRAIN_ROWS` rows drawn with s = train, every observed node but s;
- ``deploy.csv``: :data:`DEPLOY_ROWS` rows drawn with s = deploy, only the columns a deployment
  log would hold: Y_m (did the agent reach the end) and C (where the coin was);
- ``deploy_with_outcome.csv``: the same deployment rows with Y_b as well, so the transported
  value can be compared with the directly measured one;
- ``linear_train.csv`` and ``linear_deploy.csv``: :data:`LINEAR_ROWS` rows each of the
  linear-Gaussian model of ``graphs/transport_linear_feed.yaml`` with the parameters
  :data:`LINEAR` (only Topic's mechanism differs between the regimes: its mean moves from 0 to
  1 and its noise variance from 1 to 1.5).

Sampling is forward, in numpy: every variable in the model's order, each row's state drawn from
its table's row at the states already drawn for its parents.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from causal_align import DiscreteModel, load_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GRAPH = ROOT / "graphs" / "transport_measure_coin.yaml"
TRAIN_ROWS = 4000
DEPLOY_ROWS = 2000
SEED = 20261301
LINEAR_ROWS = 3000
LINEAR = {
    "coefficients": {
        "Topic -> D_m": 0.8,
        "D_m -> Y_m": 1.0,
        "Topic -> Y_m": 1.0,
        "D_m -> Y_b": 0.5,
        "Topic -> Y_b": -1.0,
    },
    "intercepts": {"Topic": (0.0, 1.0), "Y_b": 2.0},
    "variances": {"Topic": (1.0, 1.5), "D_m": 0.25, "Y_m": 0.5, "Y_b": 0.5},
}
"""The linear-Gaussian model: (train, deploy) pairs where the regimes differ."""


def draw(
    model: DiscreteModel, rows: int, regime: str, generator: np.random.Generator
) -> dict[str, npt.NDArray[np.intp]]:
    """``rows`` forward draws with every regime node at its ``regime`` state: state indices."""
    fixed = model.training if regime == "train" else model.deployment
    codes: dict[str, npt.NDArray[np.intp]] = {}
    for name in model.variables():
        table = model.tables.get(name)
        if table is None:
            codes[name] = np.full(rows, model.states[name].index(fixed[name]), dtype=np.intp)
            continue
        chances = table.probabilities[tuple(codes[parent] for parent in table.given)]
        chances = np.broadcast_to(chances, (rows, len(model.states[name])))
        below = generator.random(rows)[:, None] >= np.cumsum(chances, axis=1)
        codes[name] = np.minimum(below.sum(axis=1), len(model.states[name]) - 1)
    return codes


def text(model: DiscreteModel, codes: dict[str, npt.NDArray[np.intp]], columns: list[str]) -> str:
    """The drawn states of ``columns`` as CSV text."""
    cells = [np.asarray(model.states[name])[codes[name]] for name in columns]
    return "\n".join([",".join(columns), *(",".join(row) for row in zip(*cells))]) + "\n"


def linear_texts(generator: np.random.Generator) -> dict[str, str]:
    """Draws of the linear-Gaussian model :data:`LINEAR`, each regime, as CSV texts."""
    from causal_align.loader import load_graph
    from causal_align.transport.linear_gaussian import linear_gaussian_model

    model = linear_gaussian_model(
        load_graph(ROOT / "graphs" / "transport_linear_feed.yaml"), **LINEAR
    )  # type: ignore[arg-type]
    texts = {}
    for regime in ("train", "deploy"):
        part = model.regime(regime)
        noise = generator.multivariate_normal(
            np.zeros(len(part.order)), part.noise, size=LINEAR_ROWS
        )
        total, _, _ = part.moments()
        values = (noise + part.intercepts) @ total.T
        lines = [",".join(part.order)] + [
            ",".join(f"{value:.4f}" for value in row) for row in values
        ]
        texts[f"linear_{regime}.csv"] = "\n".join(lines) + "\n"
    return texts


def main() -> int:
    model = load_model(GRAPH)
    generator = np.random.default_rng(SEED)
    observed = [node for node in model.graph.nodes if node not in model.graph.regime]
    train = draw(model, TRAIN_ROWS, "train", generator)
    deploy = draw(model, DEPLOY_ROWS, "deploy", generator)
    outputs = {
        "train.csv": text(model, train, observed),
        "deploy.csv": text(model, deploy, ["Y_m", "C"]),
        "deploy_with_outcome.csv": text(model, deploy, ["Y_m", "C", "Y_b"]),
    }
    outputs.update(linear_texts(generator))
    for name, content in outputs.items():
        (HERE / name).write_text(content, encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
