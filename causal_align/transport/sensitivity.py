"""How far can a shift move E(Y_b | Y_m)? The ε-robustness bound and the Shapley attribution.

**ε-robustness.** If each regime-shifted mechanism i moves by at most ε_i in total variation
(sup over its parents' values), the joint distributions of the two regimes are at most
t = Σ ε_i apart in total variation, and for every value y of Y_m

    |E_deploy(Y_b | Y_m = y) − E_train(Y_b | Y_m = y)| ≤ range(Y_b) · min(1, 2t / P_train(Y_m = y)).

A mechanism whose shift alone cannot move the answer — its own regime indicator (a fresh root
pointing only at it) is d-separated from Y_b given Y_m and the other indicators in G_σ — drops
out of t: the other indicators are roots, so conditioning on them opens no path, and
P(Y_b | Y_m) is the same whether that mechanism is shifted or not, whatever the others do.
The bound is reported per y and per mechanism (the bound if only that mechanism shifted).
**Rare values of Y_m amplify shift**: the bound grows as 1 / P_train(Y_m = y), and a rare y
can move all the way.

**Attribution.** The gap at y is v(all) − v(none), where v(M) is E(Y_b | Y_m = y) with the
mechanisms in M at their deployment tables and the others at their training tables. The Shapley
value of mechanism i averages v(M ∪ {i}) − v(M) over the orders of the mechanisms; the shares
add up to the gap, and a mechanism that cannot move the answer gets exactly 0. Exact over all
subsets for at most :data:`EXACT_LIMIT` mechanisms, else averaged over sampled orders (the shares
then still add up to the gap exactly). This is DoWhy's distribution-change attribution, for the
conditional gap instead of a marginal.

Examples
--------
>>> from causal_align import load_model
>>> model = load_model("graphs/coinrun_model.yaml")
>>> bound = robustness_bound(model)
>>> [(shift.node, round(shift.epsilon, 2), shift.matters) for shift in bound.mechanisms]
[('C', 0.95, True)]
>>> row = bound.rows[1]
>>> row.label(), round(row.gap, 3), round(row.bound, 3)
('Y_m=1', -7.235, 10.0)
>>> attribution = shapley_attribution(model)
>>> [(node, round(share, 3)) for node, share in attribution.rows[1].shares]
[('C', -7.235)]
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from causal_align.errors import TransportError, one_line, shown
from causal_align.header import ResultHeader, resolve_query
from causal_align.intervention import sigma_graph
from causal_align.model import CausalGraph, Edge
from causal_align.separation import is_separated

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from causal_align.quantities.discrete import DiscreteModel
    from causal_align.transport.estimate import Samples

    Floats = npt.NDArray[np.float64]

EXACT_LIMIT = 8
"""Shapley values are exact (2^k evaluations) for at most this many shifted mechanisms."""
RARE = 0.05
"""A value of Y_m below this training probability is flagged as rare."""


def is_shift_relevant(
    graph: CausalGraph, node: str, *, base: Iterable[str], mesa: Iterable[str]
) -> bool:
    """Can a shift of ``node``'s mechanism alone move P(Y_b | Y_m)? True when a fresh regime
    indicator pointing only at ``node`` is d-connected to Y_b given Y_m in G_σ, the other
    mechanisms' indicators (the regime nodes, roots) held fixed: given Y_m ∪ S.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> Y_m", "Y_m -> Y_b", "B -> Y_b"],
    ...                                regime="s")
    >>> [is_shift_relevant(graph, node, base=["Y_b"], mesa=["Y_m"]) for node in ("A", "B")]
    [False, True]
    """
    if node not in graph.node_set or node in graph.regime:
        raise TransportError(
            "E_SENSITIVITY", f"{shown(node)} is not a non-regime node of {shown(graph.name)}"
        )
    fresh = f"shift_{node}"
    while fresh in graph.node_set:
        fresh = "_" + fresh
    extended = CausalGraph(
        [*graph.nodes, fresh], [*graph.edges, Edge(fresh, node)],
        regime=[*graph.regime, fresh], sigma=graph.sigma, name=graph.name)
    return not is_separated(sigma_graph(extended), {fresh}, set(base),
                            given=set(mesa) | set(graph.regime))


@dataclass(frozen=True)
class MechanismShift:
    """A regime-shifted mechanism: its largest total-variation move ``epsilon`` over its
    parents' values (``worst``: where), and whether its shift alone can move E(Y_b | Y_m)."""

    node: str
    epsilon: float
    matters: bool
    worst: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "epsilon": self.epsilon,
            "matters": self.matters,
            "worst": dict(self.worst),
        }


@dataclass(frozen=True)
class BoundRow:
    """The bound at one value y of Y_m: in total, and for each mechanism shifted alone."""

    mesa: tuple[tuple[str, str], ...]
    p_train: float
    bound: float
    per_mechanism: tuple[tuple[str, float], ...]
    gap: float | None = None
    rare: bool = False

    def label(self) -> str:
        """``Y_m=1`` or ``A=1, B=0``."""
        return ", ".join(f"{node}={state}" for node, state in self.mesa) or "(no Y_m)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "mesa": dict(self.mesa),
            "p_train": self.p_train,
            "bound": self.bound,
            "per_mechanism": dict(self.per_mechanism),
            "gap": self.gap,
            "rare": self.rare,
        }


@dataclass(frozen=True)
class RobustnessBound(ResultHeader):
    """|E_deploy(Y_b | y) − E_train(Y_b | y)| ≤ ``span`` · min(1, 2t / P_train(y)) for each y,
    with t = ``total``, the sum of ε over the mechanisms that matter."""

    span: float
    mechanisms: tuple[MechanismShift, ...]
    rows: tuple[BoundRow, ...]
    source: str = "model"

    @property
    def total(self) -> float:
        """t: the sum of ε_i over the mechanisms that matter."""
        return math.fsum(shift.epsilon for shift in self.mechanisms if shift.matters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "graph": self.graph_name,
            "base": list(self.base),
            "mesa": list(self.mesa),
            "span": self.span,
            "total": self.total,
            "source": self.source,
            "mechanisms": [shift.to_dict() for shift in self.mechanisms],
            "rows": [row.to_dict() for row in self.rows],
        }

    def __str__(self) -> str:
        lines = [
            f"ε-robustness bound of {self.graph_name} (from the {self.source}): "
            f"|ΔE({' + '.join(self.base)} | Y_m = y)| ≤ {_g(self.span)} · "
            f"min(1, 2t / P_train(y)), t = {self.total:.4f}"
        ]
        for shift in self.mechanisms:
            where = ", ".join(f"{node}={state}" for node, state in shift.worst)
            lines.append(
                f"  {shift.node}: ε = {shift.epsilon:.4f}"
                + (f" (at {where})" if where else "")
                + (
                    ""
                    if shift.matters
                    else " — cannot move E(Y_b | Y_m): its regime "
                    "indicator is d-separated from Y_b given Y_m, contributes 0"
                )
            )
        head = [
            "Y_m",
            "P_train(y)",
            "bound",
            *(f"{node} alone" for node, _ in (self.rows[0].per_mechanism if self.rows else ())),
        ]
        if any(row.gap is not None for row in self.rows):
            head.append("actual gap")
        body = []
        for row in self.rows:
            cells = [
                row.label() + (" (rare)" if row.rare else ""),
                f"{row.p_train:.4f}",
                f"{row.bound:.4f}",
                *(f"{value:.4f}" for _, value in row.per_mechanism),
            ]
            if row.gap is not None:
                cells.append(f"{row.gap:+.4f}")
            body.append(cells)
        widths = [
            max(len(line[i]) for line in [head, *body] if i < len(line)) for i in range(len(head))
        ]
        lines += [
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in [head, *body]
        ]
        if any(row.rare for row in self.rows):
            lines.append(
                f"rare values of Y_m (P_train < {RARE:g}) amplify shift: the bound grows "
                "as 1 / P_train(y)"
            )
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line


def robustness_bound(
    model: DiscreteModel,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    epsilons: Mapping[str, float] | None = None,
) -> RobustnessBound:
    """The ε-robustness bound of a discrete model, per value of Y_m and per mechanism.

    Parameters
    ----------
    model : DiscreteModel
        Its shifted mechanisms are the tables given a regime node; every regime node is set to
        its training or deployment state.
    base, mesa : optional
        Y_b and Y_m; default: the graph's query. Y_b's states need numbers (values or utility).
    epsilons : Mapping[str, float], optional
        ε per shifted mechanism, replacing those measured from the tables (a what-if: "if C
        moved by at most 0.1"). Then the actual gap is not reported.

    Returns
    -------
    RobustnessBound

    Examples
    --------
    >>> from causal_align import load_model
    >>> bound = robustness_bound(load_model("graphs/transport_measure_coin.yaml"),
    ...                          epsilons={"C": 0.02})
    >>> [(row.label(), round(row.bound, 4)) for row in bound.rows]
    [('Y_m=0', 1.9734), ('Y_m=1', 0.5017)]
    """
    import numpy as np

    from causal_align.quantities.inference import joint_distribution

    graph = model.graph
    header = resolve_query(graph, base=base, mesa=mesa)
    base_names, mesa_names = header.base, header.mesa
    span = _span(model, base_names)
    shifted = _shifted(model)
    mechanisms = []
    for node in shifted:
        epsilon, worst = _epsilon(model, node)
        if epsilons is not None:
            if node not in epsilons:
                raise TransportError(
                    "E_TRANSPORT_ARGUMENT",
                    f"epsilons= gives no ε for the shifted mechanism {shown(node)}",
                )
            epsilon, worst = float(epsilons[node]), ()
        mechanisms.append(
            MechanismShift(
                node,
                epsilon,
                is_shift_relevant(graph, node, base=base_names, mesa=mesa_names),
                worst,
            )
        )
    if epsilons is not None:
        extra = sorted(set(epsilons) - set(shifted))
        if extra:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT",
                f"epsilons= names {shown(extra[0])}, which is not a shifted "
                f"mechanism (those are: {', '.join(shifted) or 'none'})",
            )
    p_train = joint_distribution(model, list(mesa_names), dict(model.training))
    gaps = None if epsilons is not None else _gap_table(model, base_names, mesa_names)
    total = math.fsum(shift.epsilon for shift in mechanisms if shift.matters)
    rows = []
    for index in np.ndindex(p_train.shape):
        p = float(p_train[index])
        rows.append(
            BoundRow(
                tuple((node, model.states[node][i]) for node, i in zip(mesa_names, index)),
                p,
                _bound(span, total, p),
                tuple(
                    (shift.node, _bound(span, shift.epsilon if shift.matters else 0.0, p))
                    for shift in mechanisms
                ),
                None if gaps is None else gaps[index],
                p < RARE,
            )
        )
    return RobustnessBound(span, tuple(mechanisms), tuple(rows), **header.keywords())


def robustness_bound_from_samples(
    graph: CausalGraph,
    train: Samples,
    deploy: Samples,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    scores: Mapping[str, Mapping[str, float]] | None = None,
    min_count: int = 20,
) -> RobustnessBound:
    """The ε-robustness bound with ε, P_train(y) and the range of Y_b estimated from samples.

    Each shifted mechanism (a child of a regime node in G_σ) is estimated from the two files as
    a table of frequencies given its parents in G_σ; ε is the largest total-variation distance
    between the regimes' rows over the parent values seen at least ``min_count`` times in both.
    These are plug-in estimates (noisy rows inflate ε; parent values never seen are left out);
    the range of Y_b is the range of its scores seen. Discrete columns only, and no ``<->`` at
    a shifted node (its latent parent cannot be read from the files).

    Examples
    --------
    >>> from causal_align.loader import load_graph
    >>> from causal_align.transport.estimate import read_samples_file
    >>> bound = robustness_bound_from_samples(
    ...     load_graph("graphs/transport_measure_coin.yaml"),
    ...     read_samples_file("examples/transport/train.csv"),
    ...     read_samples_file("examples/transport/deploy_with_outcome.csv"),
    ...     scores={"Y_b": {"missed": 0.0, "got": 10.0}})
    >>> [(shift.node, round(shift.epsilon, 2)) for shift in bound.mechanisms]
    [('C', 0.68)]
    >>> [round(row.gap, 2) for row in bound.rows]
    [0.57, -5.43]
    """
    from causal_align.transport.estimate import base_scores

    header = resolve_query(graph, base=base, mesa=mesa)
    base_names, mesa_names = header.base, header.mesa
    g_sigma = sigma_graph(graph)
    shifted = sorted({child for node in graph.regime for child in g_sigma.children(node)})
    mechanisms = []
    for node in shifted:
        if g_sigma.spouses(node):
            raise TransportError(
                "E_SENSITIVITY",
                f"{shown(node)} has a latent confounder (<->): its mechanism "
                "cannot be estimated from the files",
            )
        parents = tuple(p for p in g_sigma.parents(node) if p not in graph.regime)
        for samples in (train, deploy):
            absent = [name for name in (node, *parents) if name not in samples.columns]
            if absent:
                raise TransportError(
                    "E_SENSITIVITY",
                    f"{samples.source} has no column {shown(absent[0])}, "
                    f"needed to estimate the shifted mechanism of "
                    f"{shown(node)}",
                )
        rows = {
            name: _frequencies(samples, node, parents)
            for name, samples in (("train", train), ("deploy", deploy))
        }
        epsilon, worst = 0.0, cast("tuple[tuple[str, str], ...]", ())
        for key in sorted(set(rows["train"]) & set(rows["deploy"])):
            first, second = rows["train"][key], rows["deploy"][key]
            if min(sum(first.values()), sum(second.values())) < min_count:
                continue
            total_1, total_2 = sum(first.values()), sum(second.values())
            distance = 0.5 * sum(
                abs(first.get(state, 0) / total_1 - second.get(state, 0) / total_2)
                for state in set(first) | set(second)
            )
            if distance > epsilon:
                epsilon, worst = distance, tuple(zip(parents, key))
        mechanisms.append(
            MechanismShift(
                node,
                epsilon,
                is_shift_relevant(graph, node, base=base_names, mesa=mesa_names),
                worst,
            )
        )
    y_train = base_scores(train, base_names, scores)
    has_base = all(name in deploy.columns for name in base_names)
    y_deploy = base_scores(deploy, base_names, scores) if has_base else None
    span = float(
        max(y_train.max(), *(() if y_deploy is None else (y_deploy.max(),)))
        - min(y_train.min(), *(() if y_deploy is None else (y_deploy.min(),)))
    )
    total = math.fsum(shift.epsilon for shift in mechanisms if shift.matters)
    keys_train = list(zip(*(train.columns[name] for name in mesa_names)))
    keys_deploy = list(zip(*(deploy.columns[name] for name in mesa_names)))
    result = []
    for key in sorted(set(keys_train) | set(keys_deploy)):
        chosen_t = [i for i, k in enumerate(keys_train) if k == key]
        chosen_d = [i for i, k in enumerate(keys_deploy) if k == key]
        p = len(chosen_t) / len(keys_train)
        gap = None
        if y_deploy is not None and chosen_t and chosen_d:
            gap = float(y_deploy[chosen_d].mean() - y_train[chosen_t].mean())
        result.append(
            BoundRow(
                tuple(zip(mesa_names, key)),
                p,
                _bound(span, total, p),
                tuple(
                    (shift.node, _bound(span, shift.epsilon if shift.matters else 0.0, p))
                    for shift in mechanisms
                ),
                gap,
                p < RARE,
            )
        )
    return RobustnessBound(span, tuple(mechanisms), tuple(result), source="samples",
                           **header.keywords())


def _frequencies(
    samples: Samples, node: str, parents: tuple[str, ...]
) -> dict[tuple[str, ...], dict[str, int]]:
    counts: dict[tuple[str, ...], dict[str, int]] = {}
    keys = (
        zip(*(samples.columns[name] for name in parents)) if parents else iter([()] * samples.rows)
    )
    for key, state in zip(keys, samples.columns[node]):
        row = counts.setdefault(tuple(key), {})
        row[state] = row.get(state, 0) + 1
    return counts


def _g(value: float) -> str:
    return f"{value:g}"


def _bound(span: float, total: float, p: float) -> float:
    if total == 0:
        return 0.0
    return span * (1.0 if p <= 0 else min(1.0, 2 * total / p))


def _span(model: DiscreteModel, base: Sequence[str]) -> float:
    total = 0.0
    for node in base:
        values = model.values.get(node)
        if not values:
            raise TransportError(
                "E_SENSITIVITY",
                f"Y_b node {shown(node)} has no numbers for its states "
                "(give numeric states or a utility)",
            )
        total += max(values) - min(values)
    return total


def _shifted(model: DiscreteModel) -> tuple[str, ...]:
    regime = model.graph.regime
    return tuple(
        sorted(
            node
            for node, table in model.tables.items()
            if any(parent in regime for parent in table.given)
        )
    )


def _slice(model: DiscreteModel, node: str, regime: Mapping[str, str]) -> Floats:
    """``node``'s table at the given regime states, keeping the regime axes (length 1)."""
    import numpy as np

    table = model.tables[node]
    index = tuple(
        [model.states[axis].index(regime[axis])] if axis in regime else slice(None)
        for axis in table.given
    )
    return np.asarray(table.probabilities[index + (slice(None),)], dtype=np.float64)


def _epsilon(model: DiscreteModel, node: str) -> tuple[float, tuple[tuple[str, str], ...]]:
    import numpy as np

    train = _slice(model, node, model.training)
    deploy = _slice(model, node, model.deployment)
    distance = 0.5 * np.abs(train - deploy).sum(axis=-1)
    worst = np.unravel_index(int(np.argmax(distance)), distance.shape)
    given = model.tables[node].given
    where = tuple(
        (axis, model.states[axis][i])
        for axis, i in zip(given, worst)
        if axis not in model.graph.regime
    )
    return float(distance.max()), where


def _hybrid(model: DiscreteModel, deployed: Iterable[str]) -> DiscreteModel:
    """The model with the tables of ``deployed`` at their deployment slice and the other
    shifted tables at their training slice, whatever the regime nodes say."""
    import numpy as np

    from causal_align.quantities.discrete import Table

    moved = set(deployed)
    tables = {}
    for node in _shifted(model):
        regime = model.deployment if node in moved else model.training
        table = model.tables[node]
        tables[node] = Table(
            node,
            table.given,
            np.ascontiguousarray(
                np.broadcast_to(_slice(model, node, regime), table.probabilities.shape)
            ),
        )
    return model.with_tables(tables)


def _expectations(
    model: DiscreteModel, base: Sequence[str], mesa: Sequence[str], regime: Mapping[str, str]
) -> Floats:
    """E(U(Y_b) | Y_m = y) for every y (NaN where P(y) = 0), U the sum of Y_b's numbers."""
    import numpy as np

    from causal_align.quantities.inference import joint_distribution

    joint = joint_distribution(model, [*base, *mesa], dict(regime))
    score = np.zeros(joint.shape[: len(base)])
    for axis, node in enumerate(base):
        shape = [1] * len(base)
        shape[axis] = -1
        score = score + np.asarray(model.values[node]).reshape(shape)
    axes = tuple(range(len(base)))
    top = np.tensordot(score, joint, axes=(axes, axes)) if base else joint
    bottom = joint.sum(axis=axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(
            np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan), dtype=np.float64
        )


def _gap_table(
    model: DiscreteModel, base: Sequence[str], mesa: Sequence[str]
) -> dict[tuple[int, ...], float | None]:
    import numpy as np

    train = _expectations(model, base, mesa, model.training)
    deploy = _expectations(model, base, mesa, model.deployment)
    return {
        index: (
            None if np.isnan(deploy[index] - train[index]) else float(deploy[index] - train[index])
        )
        for index in np.ndindex(train.shape)
    }


@dataclass(frozen=True)
class AttributionRow:
    """The gap at one value y of Y_m, split among the shifted mechanisms (``shares``)."""

    mesa: tuple[tuple[str, str], ...]
    gap: float | None
    shares: tuple[tuple[str, float], ...]

    def label(self) -> str:
        return ", ".join(f"{node}={state}" for node, state in self.mesa) or "(no Y_m)"

    def to_dict(self) -> dict[str, Any]:
        return {"mesa": dict(self.mesa), "gap": self.gap, "shares": dict(self.shares)}


@dataclass(frozen=True)
class Attribution(ResultHeader):
    """Shapley values of the shifted mechanisms for the gap at each y; ``orders`` is the number
    of sampled orders, ``None`` when exact."""

    mechanisms: tuple[str, ...]
    rows: tuple[AttributionRow, ...]
    orders: int | None

    @property
    def exact(self) -> bool:
        return self.orders is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "graph": self.graph_name,
            "mechanisms": list(self.mechanisms),
            "exact": self.exact,
            "orders": self.orders,
            "rows": [row.to_dict() for row in self.rows],
        }

    def __str__(self) -> str:
        how = "exact" if self.orders is None else f"{self.orders} sampled orders"
        lines = [
            f"attribution of the gap of {self.graph_name} to shifted mechanisms "
            f"(Shapley values, {how})"
        ]
        head = ["Y_m", "gap", *self.mechanisms]
        body = [
            [
                row.label(),
                "—" if row.gap is None else f"{row.gap:+.4f}",
                *(f"{(share if abs(share) > 5e-13 else 0.0):+.4f}" for _, share in row.shares),
            ]
            for row in self.rows
        ]
        widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
        lines += [
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in [head, *body]
        ]
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line


def shapley_attribution(
    model: DiscreteModel,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    orders: int = 256,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
) -> Attribution:
    """Split the gap E_deploy(Y_b | y) − E_train(Y_b | y) among the shifted mechanisms.

    Parameters
    ----------
    model : DiscreteModel
    base, mesa : optional
        Y_b and Y_m; default: the graph's query.
    orders : int
        Sampled orders of the mechanisms when there are more than ``exact_limit``.
    seed : int
    exact_limit : int

    Returns
    -------
    Attribution
        Per y, one share per mechanism; the shares add up to the gap.

    Examples
    --------
    >>> from causal_align import random_model
    >>> graph = CausalGraph.from_edges(["s -> A", "s -> B", "A -> Y_m", "B -> Y_b",
    ...                                 "Y_m -> Y_b"], regime="s", base="Y_b", mesa="Y_m")
    >>> row = shapley_attribution(random_model(graph, seed=1)).rows[0]
    >>> [(node, round(share, 4)) for node, share in row.shares], round(row.gap, 4)
    ([('A', 0.0), ('B', -0.0925)], -0.0925)
    """
    import numpy as np

    header = resolve_query(model.graph, base=base, mesa=mesa)
    base_names, mesa_names = header.base, header.mesa
    mechanisms = _shifted(model)
    count = len(mechanisms)
    cache: dict[frozenset[str], Floats] = {}

    def value(moved: frozenset[str]) -> Floats:
        if moved not in cache:
            cache[moved] = _expectations(
                _hybrid(model, moved), base_names, mesa_names, model.training
            )
        return cache[moved]

    everything = frozenset(mechanisms)
    shape = value(frozenset()).shape
    shares = {node: np.zeros(shape) for node in mechanisms}
    used: int | None = None
    if count <= exact_limit:
        for node in mechanisms:
            others = [other for other in mechanisms if other != node]
            for size in range(count):
                weight = (
                    math.factorial(size) * math.factorial(count - size - 1) / math.factorial(count)
                )
                for subset in itertools.combinations(others, size):
                    before = frozenset(subset)
                    shares[node] += weight * (value(before | {node}) - value(before))
    else:
        used = orders
        generator = random.Random(seed)
        for _ in range(orders):
            order = list(mechanisms)
            generator.shuffle(order)
            moved: frozenset[str] = frozenset()
            for node in order:
                after = moved | {node}
                shares[node] += (value(after) - value(moved)) / orders
                moved = after
    gap = value(everything) - value(frozenset())
    rows = []
    for index in np.ndindex(shape):
        row_gap = None if np.isnan(gap[index]) else float(gap[index])
        rows.append(
            AttributionRow(
                tuple((node, model.states[node][i]) for node, i in zip(mesa_names, index)),
                row_gap,
                tuple((node, float(shares[node][index])) for node in mechanisms),
            )
        )
    return Attribution(mechanisms, tuple(rows), used, **header.keywords())
