"""Linear-Gaussian models: the exact gap and closed-form sensitivities, fitted from two regimes.

Every observed node V of G_σ (regime nodes excepted) is a linear function of its parents in
G_σ plus an intercept and Gaussian noise, V = A V + c + ε with ε ~ N(0, Ω); the σ target's
equation is the policy, the same in both regimes. Ω is diagonal (the noise variances) except for
a covariance per ``<->`` of G_σ. A node's coefficients, intercept and variance may differ between
the regimes only when a regime node points at it. With T = (I − A)⁻¹, the mean is μ = T c and the
covariance Σ = T Ω Tᵀ, so

    E(Y_b | Y_m = y) = μ_b + β (y − μ_m),   β = Σ_{b,m} Σ_{m,m}⁻¹,

exactly, in each regime; the gap is affine in y. Closed forms, at node i (regime r, value y):

- a **mean shift** δ (c_i += δ) moves E(Y_b | Y_m = y) by exactly δ (T_{b,i} − β T_{m,i});
- a **noise-variance shift** d (Ω_ii += d) is a rank-one update Σ += d T_{:,i} T_{:,i}ᵀ, so
  β' = β + d s_i uᵀ Σ_{m,m}⁻¹ / (1 + d uᵀ Σ_{m,m}⁻¹ u) (Sherman–Morrison), u = T_{m,i},
  s_i = T_{b,i} − β u: E moves by d s_i uᵀ Σ_{m,m}⁻¹ (y − μ_m) / (1 + d uᵀ Σ_{m,m}⁻¹ u);
- an **edge-coefficient change** d on j -> i gives T' = T + d T_{:,i} T_{j,:} (T_{j,i} = 0 in a
  DAG), so μ' = μ + d μ_j T_{:,i} and Σ' = Σ + d (a Σ_{j,:} + Σ_{:,j} aᵀ) + d² Σ_{jj} a aᵀ with
  a = T_{:,i}: two rank-one terms, no new inverse of I − A.

A zero sensitivity to a mean shift at i coincides (for generic parameters) with d-separation of
a fresh regime indicator at i from Y_b given Y_m in G_σ
(:func:`~causal_align.transport.sensitivity.is_shift_relevant`); the tests check both directions.

Examples
--------
>>> from causal_align.model import CausalGraph, SoftIntervention
>>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b", "Y_m -> Y_b"],
...                                regime="s", base="Y_b", mesa="Y_m")
>>> model = linear_gaussian_model(graph, coefficients={"C -> Y_m": 1.0, "C -> Y_b": 2.0,
...                                                     "Y_m -> Y_b": 0.5},
...                               intercepts={"C": (0.0, 1.0)})
>>> round(model.expectation("train", {"Y_m": 1.0}), 4), round(model.gap({"Y_m": 1.0}), 4)
(1.5, 1.0)
>>> sens = model.sensitivities({"Y_m": 1.0})
>>> {row.node: round(row.mean, 4) for row in sens}
{'C': 1.0, 'Y_m': -1.0, 'Y_b': 1.0}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causal_align.errors import GraphSpecError, Problem, TransportError, shown
from causal_align.header import resolve_query
from causal_align.intervention import sigma_graph
from causal_align.limits import Limits, read_text
from causal_align.loader import read_graph_document
from causal_align.model import CausalGraph, Edge

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from causal_align.transport.estimate import Samples

    Floats = npt.NDArray[np.float64]

REGIMES = ("train", "deploy")
Pair = tuple[float, float]


@dataclass(frozen=True, eq=False)
class Regime:
    """One regime's parameters, over ``order`` (a topological order of G_σ): A, c and Ω."""

    order: tuple[str, ...]
    coefficients: Floats
    intercepts: Floats
    noise: Floats

    def moments(self) -> tuple[Floats, Floats, Floats]:
        """(T, μ, Σ) with T = (I − A)⁻¹, μ = T c, Σ = T Ω Tᵀ."""
        import numpy as np

        total = np.asarray(
            np.linalg.inv(np.eye(len(self.order)) - self.coefficients), dtype=np.float64
        )
        return (
            total,
            np.asarray(total @ self.intercepts, dtype=np.float64),
            np.asarray(total @ self.noise @ total.T, dtype=np.float64),
        )


@dataclass(frozen=True)
class Sensitivity:
    """How E(Y_b | Y_m = y) in one regime responds at ``node``: ``mean`` is the exact change per
    unit mean shift; ``variance`` the derivative in its noise variance."""

    node: str
    mean: float
    variance: float

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "mean": self.mean, "variance": self.variance}


@dataclass(frozen=True, eq=False)
class LinearGaussianModel:
    """A linear-Gaussian model of G_σ with parameters per regime (see the module docstring)."""

    graph: CausalGraph
    base: tuple[str, ...]
    mesa: tuple[str, ...]
    train: Regime
    deploy: Regime

    def regime(self, name: str) -> Regime:
        if name not in REGIMES:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT", f"regime must be 'train' or 'deploy', not {shown(name)}"
            )
        return self.train if name == "train" else self.deploy

    def _index(self, names: Sequence[str]) -> list[int]:
        return [self.train.order.index(name) for name in names]

    def _y(self, y: Mapping[str, float] | None, mu: Floats) -> Floats:
        import numpy as np

        if y is None:
            return np.asarray(mu[self._index(self.mesa)], dtype=np.float64)
        missing = [node for node in self.mesa if node not in y]
        if missing:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT", f"y gives no value for the Y_m node {shown(missing[0])}"
            )
        return np.array([float(y[node]) for node in self.mesa])

    def conditional(self, name: str) -> tuple[float, Floats, Floats, Floats]:
        """(μ_b, μ_m, β, Σ_{m,m}) of regime ``name``; μ_b and β for U = the sum of Y_b."""
        import numpy as np

        total, mu, sigma = self.regime(name).moments()
        b, m = self._index(self.base), self._index(self.mesa)
        weights = np.zeros(len(mu))
        weights[b] = 1.0
        sigma_mm = sigma[np.ix_(m, m)]
        beta = np.asarray(
            np.linalg.solve(sigma_mm, sigma[m] @ weights) if m else np.zeros(0), dtype=np.float64
        )
        return float(weights @ mu), mu[m], beta, sigma_mm

    def expectation(self, name: str, y: Mapping[str, float] | None = None) -> float:
        """E(Y_b | Y_m = y) in regime ``name`` (``y`` default: that regime's mean of Y_m)."""
        mu_b, mu_m, beta, _ = self.conditional(name)
        value = self._y(y, self.regime(name).moments()[1])
        return float(mu_b + beta @ (value - mu_m))

    def gap(self, y: Mapping[str, float] | None = None) -> float:
        """E_deploy(Y_b | Y_m = y) − E_train(Y_b | Y_m = y), exact (``y`` default: the
        training mean of Y_m)."""
        if y is None:
            y = dict(zip(self.mesa, (float(v) for v in self.conditional("train")[1])))
        return self.expectation("deploy", y) - self.expectation("train", y)

    def sensitivities(
        self, y: Mapping[str, float] | None = None, regime: str = "train"
    ) -> tuple[Sensitivity, ...]:
        """The closed-form sensitivities of E(Y_b | Y_m = y) at every node, in ``order``."""
        import numpy as np

        total, mu, sigma = self.regime(regime).moments()
        _, mu_m, beta, sigma_mm = self.conditional(regime)
        value = self._y(y, mu)
        b, m = self._index(self.base), self._index(self.mesa)
        solved = np.linalg.solve(sigma_mm, value - mu_m) if m else np.zeros(0)
        result = []
        for i, node in enumerate(self.train.order):
            u = total[m, i]
            slope = float(total[b, i].sum() - beta @ u)
            result.append(Sensitivity(node, slope, float(slope * (u @ solved))))
        return tuple(result)

    def mean_shift(
        self, node: str, delta: float, y: Mapping[str, float] | None = None, regime: str = "train"
    ) -> float:
        """The exact change of E(Y_b | Y_m = y) when ``node``'s intercept moves by ``delta``."""
        total, _, _ = self.regime(regime).moments()
        _, _, beta, _ = self.conditional(regime)
        i = self._index([node])[0]
        b, m = self._index(self.base), self._index(self.mesa)
        return float(delta * (total[b, i].sum() - beta @ total[m, i]))

    def variance_shift(
        self, node: str, delta: float, y: Mapping[str, float] | None = None, regime: str = "train"
    ) -> float:
        """The exact change of E(Y_b | Y_m = y) when ``node``'s noise variance moves by
        ``delta`` (Sherman–Morrison; ``y`` default: the regime's mean of Y_m)."""
        import numpy as np

        total, mu, _ = self.regime(regime).moments()
        _, mu_m, beta, sigma_mm = self.conditional(regime)
        value = self._y(y, mu)
        i = self._index([node])[0]
        b, m = self._index(self.base), self._index(self.mesa)
        u = total[m, i]
        slope = total[b, i].sum() - beta @ u
        solved_u = np.linalg.solve(sigma_mm, u) if m else np.zeros(0)
        return float(delta * slope * (solved_u @ (value - mu_m)) / (1 + delta * (u @ solved_u)))

    def coefficient_shift(
        self, edge: str, delta: float, y: Mapping[str, float] | None = None, regime: str = "train"
    ) -> float:
        """The exact change of E(Y_b | Y_m = y) when the coefficient of ``edge`` ("j -> i")
        moves by ``delta``: μ and Σ by rank-one terms, T never re-inverted."""
        import numpy as np

        parsed = Edge.parse(edge)
        if (
            parsed is None
            or parsed.bidirected
            or parsed.head not in self.train.order
            or parsed.tail not in self.train.order
        ):
            raise TransportError(
                "E_LINEAR_MODEL", f"{shown(edge)} is not a directed edge between modelled nodes"
            )
        total, mu, sigma = self.regime(regime).moments()
        value = self._y(y, mu)
        j, i = self._index([parsed.tail, parsed.head])
        a = total[:, i]
        new_mu = mu + delta * mu[j] * a
        new_sigma = (
            sigma
            + delta * (np.outer(a, sigma[j]) + np.outer(sigma[:, j], a))
            + delta**2 * sigma[j, j] * np.outer(a, a)
        )
        return _expect(
            new_mu, new_sigma, self._index(self.base), self._index(self.mesa), value
        ) - self.expectation(regime, dict(zip(self.mesa, map(float, value))))

    def with_parameters(
        self,
        regime: str,
        *,
        node: str,
        intercept: float = 0.0,
        variance: float = 0.0,
        edge: str | None = None,
        coefficient: float = 0.0,
    ) -> LinearGaussianModel:
        """A copy with one regime's parameters moved (intercept, noise variance, one edge
        coefficient) by the given amounts: for recomputing from scratch."""
        import numpy as np

        old = self.regime(regime)
        a, c, omega = old.coefficients.copy(), old.intercepts.copy(), old.noise.copy()
        i = self._index([node])[0]
        c[i] += intercept
        omega[i, i] += variance
        if edge is not None:
            parsed = Edge.parse(edge)
            assert parsed is not None
            a[self._index([parsed.head])[0], self._index([parsed.tail])[0]] += coefficient
        new = Regime(old.order, a, c, np.asarray(omega))
        return LinearGaussianModel(
            self.graph,
            self.base,
            self.mesa,
            new if regime == "train" else self.train,
            new if regime == "deploy" else self.deploy,
        )


def _expect(mu: Floats, sigma: Floats, b: list[int], m: list[int], value: Floats) -> float:
    import numpy as np

    weights = np.zeros(len(mu))
    weights[b] = 1.0
    if not m:
        return float(weights @ mu)
    beta = np.linalg.solve(sigma[np.ix_(m, m)], sigma[m] @ weights)
    return float(weights @ mu + beta @ (value - mu[m]))


def _pair(value: float | Pair, what: str) -> Pair:
    if isinstance(value, tuple):
        if len(value) != 2:
            raise TransportError(
                "E_LINEAR_MODEL", f"{what}: give one number or a (train, deploy) pair"
            )
        first, second = float(value[0]), float(value[1])
    else:
        first = second = float(value)
    if not (math.isfinite(first) and math.isfinite(second)):
        raise TransportError("E_LINEAR_MODEL", f"{what}: not a finite number")
    return first, second


def model_order(graph: CausalGraph) -> tuple[str, ...]:
    """The observed non-regime nodes in a topological order of G_σ (ties by name)."""
    g_sigma = sigma_graph(graph)
    nodes = [node for node in graph.nodes if node not in graph.regime]
    placed: list[str] = []
    done: set[str] = set(graph.regime)
    waiting = sorted(nodes)
    while waiting:
        ready = [node for node in waiting if all(p in done for p in g_sigma.parents(node))]
        placed += ready
        done.update(ready)
        waiting = [node for node in waiting if node not in done]
    return tuple(placed)


def linear_gaussian_model(
    graph: CausalGraph,
    *,
    coefficients: Mapping[str, float | Pair] | None = None,
    intercepts: Mapping[str, float | Pair] | None = None,
    variances: Mapping[str, float | Pair] | None = None,
    covariances: Mapping[str, float | Pair] | None = None,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
) -> LinearGaussianModel:
    """Build a linear-Gaussian model of ``graph``'s G_σ.

    Parameters
    ----------
    graph : CausalGraph
    coefficients : Mapping[str, float or (float, float)]
        ``"A -> B"`` to its coefficient, or a (train, deploy) pair; every directed edge of G_σ
        between non-regime nodes not given has coefficient 0.
    intercepts, variances : Mapping[str, float or (float, float)]
        Per node; defaults 0 and 1.
    covariances : Mapping[str, float or (float, float)]
        ``"A <-> B"`` to the covariance of their noises (default 0).
    base, mesa : optional
        Y_b and Y_m; default: the graph's query.

    Raises
    ------
    CausalAlignError
        For an edge not in G_σ, a variance that is not positive, a noise covariance that is not
        positive definite, or a parameter that differs between the regimes at a node no regime
        node points at.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> Y_m", "Y_m -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m")
    >>> model = linear_gaussian_model(graph, coefficients={"A -> Y_m": 1.0, "Y_m -> Y_b": 2.0},
    ...                               intercepts={"A": (0.0, 3.0)})
    >>> model.gap({"Y_m": 1.0})                       # aligned: Y_m screens A off
    0.0
    >>> linear_gaussian_model(graph, intercepts={"Y_b": (0.0, 1.0)})
    Traceback (most recent call last):
    ...
    causal_align.errors.TransportError: the intercept of Y_b differs between the ...
    ... (add an edge s -> Y_b) [E_LINEAR_MODEL]
    """
    import numpy as np

    header = resolve_query(graph, base=base, mesa=mesa)
    base_names, mesa_names = header.base, header.mesa
    g_sigma = sigma_graph(graph)
    order = model_order(graph)
    index = {node: i for i, node in enumerate(order)}
    shifted = {child for node in graph.regime for child in g_sigma.children(node)}
    size = len(order)
    arrays = {regime: (np.zeros((size, size)), np.zeros(size), np.eye(size)) for regime in REGIMES}

    def put(node: str, what: str, pair: Pair, setter: Any) -> None:
        if pair[0] != pair[1] and node not in shifted:
            raise TransportError(
                "E_LINEAR_MODEL",
                f"{what} differs between the regimes, but no regime node "
                f"points at {shown(node)} (add an edge s -> {node})",
            )
        for regime, value in zip(REGIMES, pair):
            setter(arrays[regime], value)

    for text, value in sorted((coefficients or {}).items()):
        edge = Edge.parse(text)
        if (
            edge is None
            or edge.bidirected
            or edge.tail not in index
            or edge.head not in index
            or edge.tail not in g_sigma.parents(edge.head)
        ):
            raise TransportError(
                "E_LINEAR_MODEL",
                f"coefficient for {shown(text)}: not a directed edge of G_σ "
                "between non-regime nodes",
            )
        head, tail = index[edge.head], index[edge.tail]
        put(
            edge.head,
            f"the coefficient of {text}",
            _pair(value, text),
            lambda parts, v, h=head, t=tail: parts[0].__setitem__((h, t), v),
        )
    for node, value in sorted((intercepts or {}).items()):
        if node not in index:
            raise TransportError(
                "E_LINEAR_MODEL", f"intercept for {shown(node)}: not a non-regime node"
            )
        put(
            node,
            f"the intercept of {node}",
            _pair(value, node),
            lambda parts, v, i=index[node]: parts[1].__setitem__(i, v),
        )
    for node, value in sorted((variances or {}).items()):
        if node not in index:
            raise TransportError(
                "E_LINEAR_MODEL", f"variance for {shown(node)}: not a non-regime node"
            )
        pair = _pair(value, node)
        if min(pair) <= 0:
            raise TransportError(
                "E_LINEAR_MODEL", f"the noise variance of {shown(node)} must be positive"
            )
        put(
            node,
            f"the noise variance of {node}",
            pair,
            lambda parts, v, i=index[node]: parts[2].__setitem__((i, i), v),
        )
    for text, value in sorted((covariances or {}).items()):
        edge = Edge.parse(text)
        if (
            edge is None
            or not edge.bidirected
            or edge.tail not in index
            or edge.head not in g_sigma.spouses(edge.tail)
        ):
            raise TransportError(
                "E_LINEAR_MODEL", f"covariance for {shown(text)}: not a <-> edge of G_σ"
            )
        pair = _pair(value, text)
        if pair[0] != pair[1] and not {edge.tail, edge.head} <= shifted:
            raise TransportError(
                "E_LINEAR_MODEL",
                f"the covariance of {text} differs between the regimes, but "
                "a regime node points at only one end or neither",
            )
        first, second = index[edge.tail], index[edge.head]
        for regime, number in zip(REGIMES, pair):
            arrays[regime][2][first, second] = arrays[regime][2][second, first] = number
    regimes = []
    for regime in REGIMES:
        a, c, omega = arrays[regime]
        if np.linalg.eigvalsh(omega).min() <= 0:
            raise TransportError(
                "E_LINEAR_MODEL", f"the noise covariance in {regime} is not positive definite"
            )
        regimes.append(Regime(order, a, c, omega))
    return LinearGaussianModel(graph, base_names, mesa_names, regimes[0], regimes[1])


@dataclass(frozen=True)
class MechanismTest:
    """Did ``node``'s mechanism change between the regimes? A Chow F-test of its coefficients
    and intercept, and an F-test of its residual variance; ``allowed``: a regime node points at
    it in the diagram."""

    node: str
    parents: tuple[str, ...]
    p_coefficients: float
    p_variance: float
    allowed: bool
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "parents": list(self.parents),
            "p_coefficients": self.p_coefficients,
            "p_variance": self.p_variance,
            "allowed": self.allowed,
            "changed": self.changed,
        }


@dataclass(frozen=True, eq=False)
class LinearFit:
    """A linear-Gaussian model fitted per regime, and one test per mechanism."""

    model: LinearGaussianModel
    tests: tuple[MechanismTest, ...]
    alpha: float

    def __str__(self) -> str:
        lines = [
            f"least-squares fit of {self.model.graph.name} per regime; mechanism tests at "
            f"alpha = {self.alpha:g} (Bonferroni over {len(self.tests)} nodes × 2 tests)"
        ]
        for test in self.tests:
            verdict = "changed" if test.changed else "same"
            if test.changed and not test.allowed:
                verdict += " — but no regime node points at it: the diagram is wrong here"
            lines.append(
                f"  {test.node}: p(coefficients) = {test.p_coefficients:.3g}, "
                f"p(variance) = {test.p_variance:.3g}: {verdict}"
            )
        lines.append(f"gap at the training mean of Y_m: {self.model.gap():+.4f}")
        return "\n".join(lines)


def fit_linear_gaussian(
    graph: CausalGraph,
    train: Samples,
    deploy: Samples,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    alpha: float = 0.05,
) -> LinearFit:
    """Fit a linear-Gaussian model per regime by least squares of each node on its parents in
    G_σ, and test which mechanisms changed.

    Nodes a regime node points at get their own parameters per regime; the others are fitted on
    both files pooled (as the diagram says they are the same), and their tests check that claim.
    G_σ must have no ``<->`` edge (a confounded node cannot be fitted on its parents alone).

    Raises
    ------
    CausalAlignError
        A ``<->`` edge in G_σ, a missing or non-numeric column, or too few rows.

    Examples
    --------
    >>> from causal_align.loader import load_graph
    >>> from causal_align.transport.estimate import read_samples_file
    >>> fit = fit_linear_gaussian(load_graph("graphs/transport_linear_feed.yaml"),
    ...                           read_samples_file("examples/transport/linear_train.csv"),
    ...                           read_samples_file("examples/transport/linear_deploy.csv"))
    >>> [test.node for test in fit.tests if test.changed]
    ['Topic']
    """
    import numpy as np
    from scipy import stats

    g_sigma = sigma_graph(graph)
    order = model_order(graph)
    if any(g_sigma.spouses(node) for node in order):
        raise TransportError(
            "E_LINEAR_MODEL",
            "cannot fit a linear-Gaussian model to a G_σ with <-> edges "
            "(a latent confounder) by regression on parents",
        )
    shifted = {child for node in graph.regime for child in g_sigma.children(node)}
    data = {"train": _matrix(train, order), "deploy": _matrix(deploy, order)}
    coefficients: dict[str, Pair] = {}
    intercepts: dict[str, Pair] = {}
    variances: dict[str, Pair] = {}
    tests = []
    count = 2 * len(order)
    for i, node in enumerate(order):
        parents = tuple(p for p in g_sigma.parents(node) if p not in graph.regime)
        columns = [order.index(p) for p in parents]
        fits = {}
        for regime, matrix in data.items():
            fits[regime] = _least_squares(matrix[:, columns], matrix[:, i], node)
        pooled = _least_squares(
            np.vstack([data["train"][:, columns], data["deploy"][:, columns]]),
            np.concatenate([data["train"][:, i], data["deploy"][:, i]]),
            node,
        )
        k = len(columns) + 1
        rows = {regime: len(matrix) for regime, matrix in data.items()}
        separate = fits["train"][2] + fits["deploy"][2]
        freedom = rows["train"] + rows["deploy"] - 2 * k
        statistic = ((pooled[2] - separate) / k) / (separate / freedom) if separate > 0 else 0.0
        p_coefficients = float(stats.f.sf(statistic, k, freedom))
        var_t = fits["train"][2] / (rows["train"] - k)
        var_d = fits["deploy"][2] / (rows["deploy"] - k)
        ratio = stats.f.cdf(var_t / var_d, rows["train"] - k, rows["deploy"] - k)
        p_variance = float(min(1.0, 2 * min(ratio, 1 - ratio)))
        allowed = node in shifted
        changed = min(p_coefficients, p_variance) < alpha / count
        tests.append(MechanismTest(node, parents, p_coefficients, p_variance, allowed, changed))
        if allowed:
            chosen = {regime: fits[regime] for regime in REGIMES}
            var_pair = (var_t, var_d)
        else:
            chosen = {regime: pooled for regime in REGIMES}
            pooled_var = pooled[2] / (rows["train"] + rows["deploy"] - k)
            var_pair = (pooled_var, pooled_var)
        intercepts[node] = (float(chosen["train"][0]), float(chosen["deploy"][0]))
        for position, parent in enumerate(parents):
            coefficients[f"{parent} -> {node}"] = (
                float(chosen["train"][1][position]),
                float(chosen["deploy"][1][position]),
            )
        variances[node] = (float(var_pair[0]), float(var_pair[1]))
    model = linear_gaussian_model(
        graph,
        coefficients=coefficients,
        intercepts=intercepts,
        variances=variances,
        base=base,
        mesa=mesa,
    )
    return LinearFit(model, tuple(tests), alpha)


def _matrix(samples: Samples, order: Sequence[str]) -> Floats:
    import numpy as np

    missing = [node for node in order if node not in samples.columns]
    if missing:
        raise TransportError(
            "E_LINEAR_MODEL", f"{samples.source} has no column {shown(missing[0])}"
        )
    try:
        return np.column_stack(
            [np.array([float(v) for v in samples.columns[node]]) for node in order]
        )
    except ValueError as error:
        raise TransportError(
            "E_LINEAR_MODEL",
            f"{samples.source}: every column must be numeric for a linear-Gaussian fit ({error})",
        ) from None


def _least_squares(x: Floats, y: Floats, node: str) -> tuple[float, Floats, float]:
    """(intercept, coefficients, residual sum of squares)."""
    import numpy as np

    design = np.column_stack([np.ones(len(y)), x])
    if len(y) <= design.shape[1] or np.linalg.matrix_rank(design) < design.shape[1]:
        raise TransportError(
            "E_LINEAR_MODEL", f"too few rows, or collinear parents, to fit {shown(node)}"
        )
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    residual = y - design @ solution
    return (
        float(solution[0]),
        np.asarray(solution[1:], dtype=np.float64),
        float(residual @ residual),
    )


def load_linear_model(path: str | Path, *, base: str | Iterable[str] | None = None,
                      mesa: str | Iterable[str] | None = None,
                      limits: Limits = Limits()) -> LinearGaussianModel:
    """The linear-Gaussian model of a graph file's ``linear_model:`` section (coefficients by
    edge, intercepts, noise variances and covariances by node or ``<->`` edge; each one number,
    or ``[train, deploy]`` where the regimes differ).

    Raises
    ------
    GraphSpecError
        For an invalid file, a missing section, or a model :func:`linear_gaussian_model`
        refuses, positioned at the section's line.

    Examples
    --------
    >>> model = load_linear_model("graphs/transport_linear_feed.yaml")
    >>> round(model.gap(), 4) != 0.0
    True
    """
    source = str(path)
    graph, data, origin = read_graph_document(
        read_text(Path(path), limits), source=source, default_name=Path(path).stem,
        limits=limits)
    line = origin.lines.get("linear_model")
    section = data.get("linear_model")
    if section is None:
        raise GraphSpecError([Problem("E_LINEAR_MODEL", "no linear_model: section (give "
                                      "coefficients, intercepts, variances and covariances)",
                                      "linear_model", line, source)])

    def pairs(key: str) -> dict[str, float | Pair]:
        found: dict[str, float | Pair] = {}
        for name, value in (section.get(key) or {}).items():
            if isinstance(value, list) and len(value) != 2:
                raise GraphSpecError([Problem(
                    "E_LINEAR_MODEL", f"{key} of {shown(name)}: a number, or [train, deploy] "
                    f"(two numbers), found {len(value)} numbers", f"linear_model.{key}",
                    origin.lines.get(f"linear_model.{key}", line), source)])
            found[name] = (value[0], value[1]) if isinstance(value, list) else value
        return found

    try:
        return linear_gaussian_model(graph, coefficients=pairs("coefficients"),
                                     intercepts=pairs("intercepts"), variances=pairs("variances"),
                                     covariances=pairs("covariances"), base=base, mesa=mesa)
    except TransportError as error:
        raise GraphSpecError([Problem(error.code, error.message, "linear_model", line,
                                      source)]) from None
