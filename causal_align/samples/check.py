"""Test (Y_b ⊥ s | Y_m) on samples: does the data agree with the diagram's verdict?

The verdict of :func:`~causal_align.alignment.check_inner_alignment` holds for every model of the
diagram; samples speak about *the* model. Samples from training and deployment sit in one table,
one column per observed node, and the regime column says in which regime each row was drawn.
(Y_b ⊥ s | Y_m) then becomes a conditional-independence test, chosen by the columns:

- **discrete** columns: the G-test (likelihood ratio, ``"g-test"``) or Pearson's chi-square
  (``"chi-square"``), *stratified*: one contingency table of Y_b against s for each value of
  Y_m, the statistics summed, and the degrees of freedom (r − 1)(c − 1) summed over the strata,
  where r and c count the rows and columns that hold data in that stratum. No continuity
  correction.
- **continuous** columns: the partial correlation r of Y_b and s given Y_m (the correlation of
  least-squares residuals, intercept included) and Fisher's z = atanh(r) √(n − k − 3), with k
  the number of regressors (``"partial-correlation"``). A discrete conditioning column enters as
  indicators of its values, so conditioning on it is exact rather than linear. This assumes the
  tested columns depend *linearly* on the continuous conditioning columns; when Y_b is a curved
  function of Y_m it rejects an aligned diagram. ``"spline-residual"`` conditions on an additive
  cubic spline of each continuous conditioning column instead (knots at the :data:`KNOTS`
  quantiles), and ``"auto"`` takes it whenever an F-test rejects the straight line against the
  spline for a tested column (at :data:`LINEARITY_ALPHA`).

A column is *discrete* when it holds text or booleans, or numbers that are all whole and take at
most :data:`DISCRETE_LEVELS` distinct values; otherwise it is *continuous*. ``method="auto"`` takes
the G-test when every column of the test is discrete and the partial correlation otherwise; there,
a text column with two values counts as 0 and 1, and one with more values cannot be tested against.

Several Y_b nodes: the contingency tests take their joint value as one variable; the partial
correlation tests them one at a time, Y_b[i] given Y_m and Y_b[:i] — by the chain rule
X ⊥ (A, B) | Z ⇔ X ⊥ A | Z and X ⊥ B | Z, A, together they test the joint independence —
and reports the smallest p-value times the number of tests (Bonferroni).

Rejecting says the regime shifts Y_b in a way Y_m does not show. Not rejecting is no proof of
alignment: a test can fail to find a dependence, never confirm an independence.

Examples
--------
Aligned by the diagram, with discrete samples drawn from a model of it:

>>> import numpy as np, pandas as pd
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m")
>>> rng = np.random.default_rng(0)
>>> s = rng.integers(0, 2, 2000)
>>> x = rng.random(2000) < 0.2 + 0.6 * s
>>> y_m = rng.random(2000) < 0.1 + 0.8 * x
>>> y_b = rng.random(2000) < 0.3 + 0.4 * y_m
>>> result = check_on_data(graph, pd.DataFrame({"s": s, "X": x, "Y_m": y_m, "Y_b": y_b}))
>>> result.test.method, result.test.dof, result.verdict
('g-test', 2, 'not rejected at alpha = 0.05')
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from causal_align.alignment import check_inner_alignment
from causal_align.errors import CausalAlignError, GraphSpecError, Problem, one_line, shown
from causal_align.header import ResultHeader
from causal_align.model import CausalGraph
from causal_align.samples import METHODS
from causal_align.samples.reader import check_columns, regime_values

if TYPE_CHECKING:
    from pandas import DataFrame, Series

Array = npt.NDArray[np.float64]

DISCRETE_LEVELS = 10
"""A numeric column of whole numbers with at most this many distinct values is discrete."""
MIN_EXPECTED = 5
"""Cochran's rule: expected counts below this ..."""
MAX_SMALL_CELLS = 0.2
"""... in more than this share of the cells make the chi-square approximation unreliable."""
MIN_PER_REGIME = 10
"""Fewer samples than this from a regime draw a warning."""
MAX_CELLS = 5_000_000
"""Most cells (strata × values of x × values of y) a contingency test builds."""

_NAMES = {"g-test": "G-test (likelihood ratio)", "chi-square": "Pearson's chi-square",
          "partial-correlation": "partial correlation, Fisher's z (assumes linear relations)",
          "spline-residual": "partial correlation of cubic-spline residuals, Fisher's z "
                             "(allows curved relations to the conditioning columns)"}
_SYMBOLS = {"g-test": "G", "chi-square": "X²", "partial-correlation": "z", "spline-residual": "z"}


@dataclass(frozen=True)
class CITest:
    """One test of ``x ⊥ y | given`` on samples.

    ``dof`` is ``None`` for Fisher's z (a standard normal statistic). ``effect_size`` is Cramér's V
    from the summed statistic for the contingency tests, the partial correlation for Fisher's z;
    ``None`` when there is nothing to measure (a side with one value, a constant residual).
    ``parts`` holds the chained tests of several
    variables under a partial correlation (empty for a single test); the statistic and effect
    size are then those of the part with the smallest p-value.
    """

    x: tuple[str, ...]
    y: tuple[str, ...]
    given: tuple[str, ...]
    method: str
    statistic: float
    dof: int | None
    p_value: float
    effect_size: float | None
    samples: int
    warnings: tuple[str, ...] = ()
    parts: tuple[CITest, ...] = ()

    @property
    def effect_name(self) -> str:
        return ("partial correlation" if self.method in ("partial-correlation", "spline-residual")
                else "Cramér's V")

    def summary(self) -> str:
        """One line: the statistic, its degrees of freedom, the p-value and the effect size.

        >>> print(CITest(("A",), ("B",), (), "g-test", 3.5, 2, 0.17, 0.08, 300).summary())
        G = 3.5 on 2 degrees of freedom, p = 0.17, Cramér's V = 0.08
        """
        text = f"{_SYMBOLS[self.method]} = {self.statistic:.4g}"
        if self.dof is not None:
            text += f" on {self.dof} degree{'s' if self.dof != 1 else ''} of freedom"
        text += f", p = {self.p_value:.3g}"
        if self.effect_size is not None:
            text += f", {self.effect_name} = {self.effect_size:.3g}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "y": list(self.y), "given": list(self.given),
                "method": self.method, "statistic": self.statistic, "dof": self.dof,
                "p_value": self.p_value,
                "effect_size": {"name": self.effect_name, "value": self.effect_size},
                "samples": self.samples, "warnings": list(self.warnings),
                "parts": [part.to_dict() for part in self.parts]}


@dataclass(frozen=True)
class DataCheck(ResultHeader):
    """(Y_b ⊥ s | Y_m) tested on samples, beside the diagram's verdict on it.

    ``train_value``/``deploy_value`` are the regime column's values, as text; ``graph_aligned``
    is the diagram's verdict (d-separation in G_σ); ``warnings`` are the test's and the
    sample-size ones.
    """

    train_value: str
    deploy_value: str
    train_samples: int
    deploy_samples: int
    alpha: float
    test: CITest
    rejected: bool
    graph_aligned: bool
    warnings: tuple[str, ...]

    @property
    def verdict(self) -> str:
        return f"{'rejected' if self.rejected else 'not rejected'} at alpha = {self.alpha:g}"

    @property
    def regime_node(self) -> str:
        """The one regime node the samples' regime column holds."""
        return self.regime[0]

    def reading(self) -> str:
        """What the verdict and the test say together."""
        if self.graph_aligned and self.rejected:
            return ("the diagram says aligned, but the data reject the independence: the diagram "
                    "misses a route from the regime to the base objective (test the diagram's "
                    "other independences with --falsify)")
        if self.graph_aligned:
            return ("the diagram says aligned and the data agree (no proof: a test can only fail "
                    "to find a dependence)")
        if self.rejected:
            return "the diagram says not aligned, and the data show the leak"
        return ("the diagram says not aligned, yet the data show no leak at this sample size: "
                "the open paths may be weak in this model, or the test lacks power")

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {"graph": self.graph_name,
                "query": {"base": list(self.base), "mesa": list(self.mesa),
                          "regime": list(self.regime)},
                "regime_values": {"train": self.train_value, "deploy": self.deploy_value},
                "samples": {"train": self.train_samples, "deploy": self.deploy_samples,
                            "total": self.train_samples + self.deploy_samples},
                "method": self.test.method, "statistic": self.test.statistic,
                "dof": self.test.dof, "p_value": self.test.p_value,
                "effect_size": {"name": self.test.effect_name, "value": self.test.effect_size},
                "alpha": self.alpha, "rejected": self.rejected, "verdict": self.verdict,
                "graph_aligned": self.graph_aligned, "reading": self.reading(),
                "warnings": list(self.warnings),
                "parts": [part.to_dict() for part in self.test.parts]}

    def __str__(self) -> str:
        total = self.train_samples + self.deploy_samples
        given = ""
        if self.mesa:
            how = ("given" if self.test.method in ("partial-correlation", "spline-residual")
                   else "stratified by")
            given = f", {how} {', '.join(self.mesa)}"
        lines = [f"Data test of {self.query} for {self.graph_name} on {total:,} samples "
                 f"(train: {self.train_samples:,} with {self.regime_node} = {self.train_value}, "
                 f"deploy: {self.deploy_samples:,} with {self.regime_node} = "
                 f"{self.deploy_value})",
                 f"method: {_NAMES[self.test.method]}{given}",
                 f"result: {self.test.summary()}"]
        lines += [f"  {', '.join(part.x)} ⊥ {', '.join(part.y)}"
                  f"{' | ' + ', '.join(part.given) if part.given else ''}: {part.summary()}"
                  for part in self.test.parts]
        lines += [f"verdict: {self.verdict}", f"reading: {self.reading()}"]
        if self.warnings:
            lines += ["warnings:", *(f"  - {warning}" for warning in self.warnings)]
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line


def check_on_data(graph: CausalGraph, samples: DataFrame, *,
                  base: str | Collection[str] | None = None,
                  mesa: str | Collection[str] | None = None, regime: str | None = None,
                  alpha: float = 0.05, method: str = "auto", train: object = None,
                  deploy: object = None) -> DataCheck:
    """Test (Y_b ⊥ s | Y_m) on ``samples`` and set the result beside the diagram's verdict.

    Parameters
    ----------
    graph : CausalGraph
    samples : pandas.DataFrame
        One column per observed node, named after it, as
        :func:`~causal_align.samples.read_samples` returns.
    base, mesa, regime : optional
        The query; ``None`` takes the graph's. The test needs exactly one regime node.
    alpha : float
        The significance level.
    method : str
        ``"auto"``, ``"g-test"``, ``"chi-square"``, ``"partial-correlation"`` or
        ``"spline-residual"``.
    train, deploy : optional
        The regime column's training or deployment value (matched as text too, so ``"0"``
        finds ``0``). By default ``0``/``False`` and ``"train"``/``"training"`` mean training,
        and ``1``/``True`` and ``"deploy"``/``"deployment"`` deployment.

    Returns
    -------
    DataCheck

    Raises
    ------
    GraphSpecError
        For an invalid query, a missing column, a missing value, or a regime column that does not
        hold two values telling training from deployment.
    CausalAlignError
        For an invalid ``alpha`` or ``method``, or columns the method cannot test.
    """
    if not 0 < alpha < 1:
        raise CausalAlignError(f"alpha must lie strictly between 0 and 1, found {alpha!r}")
    verdict = check_inner_alignment(graph, base=base, mesa=mesa, regime=regime, limit=0)
    source = str(samples.attrs.get("source", "<samples>"))
    if len(verdict.regime) != 1:
        raise GraphSpecError([Problem(
            "E_QUERY_REGIME", f"the data test needs one regime node, the query has "
            f"{', '.join(verdict.regime)} (choose one with regime= or --regime)", "regime",
            source=source)])
    node = verdict.regime[0]
    check_columns(samples, {**{name: "the base objective" for name in verdict.base},
                            **{name: "the mesa objective" for name in verdict.mesa},
                            node: "the regime node"})
    train_value, deploy_value = regime_values(samples[node], train=train, deploy=deploy,
                                              source=source)
    in_deployment = (samples[node] == deploy_value).to_numpy()
    coded = samples[[*verdict.base, *verdict.mesa]].assign(**{node: in_deployment.astype(int)})
    test = ci_test(coded, verdict.base, (node,), verdict.mesa, method=method)
    counts = {"train": int((~in_deployment).sum()), "deploy": int(in_deployment.sum())}
    warnings = [*test.warnings, *(
        f"only {count} sample{'s' if count != 1 else ''} from {regime_name} (fewer than "
        f"{MIN_PER_REGIME}): the test has little power" for regime_name, count in counts.items()
        if count < MIN_PER_REGIME)]
    return DataCheck(str(train_value), str(deploy_value), counts["train"], counts["deploy"],
                     alpha, test, test.p_value < alpha, verdict.aligned, tuple(warnings),
                     graph_name=verdict.graph_name, regime=(node,), base=verdict.base,
                     mesa=verdict.mesa)


def ci_test(samples: DataFrame, x: Sequence[str], y: Sequence[str], given: Sequence[str], *,
            method: str = "auto") -> CITest:
    """Test ``x ⊥ y | given`` on ``samples`` (see the module docstring for the methods).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=500)
    >>> data = pd.DataFrame({"Z": z, "A": z + rng.normal(size=500),
    ...                      "B": z + rng.normal(size=500)})
    >>> ci_test(data, ["A"], ["B"], []).p_value < 1e-6
    True
    >>> test = ci_test(data, ["A"], ["B"], ["Z"])
    >>> test.method, test.p_value > 0.05
    ('partial-correlation', True)
    """
    if method not in METHODS:
        raise CausalAlignError(f"unknown method {shown(method)} (choose one of: "
                               f"{', '.join(METHODS)})")
    x, y, given = tuple(x), tuple(y), tuple(given)
    if method == "auto":
        discrete = all(is_discrete(samples[name]) for name in (*x, *y, *given))
        method = ("g-test" if discrete else
                  "spline-residual" if _is_nonlinear(samples, (*x, *y), given) else
                  "partial-correlation")
    if method in ("partial-correlation", "spline-residual"):
        return _partial_correlation(samples, x, y, given, splines=method == "spline-residual")
    return _contingency(samples, x, y, given, method)


KNOTS = (0.2, 0.4, 0.6, 0.8)
"""Quantiles of a continuous conditioning column at which its cubic spline may bend."""
LINEARITY_ALPHA = 0.01
"""``auto`` takes the spline residuals when a linear fit of a tested column on the
conditioning columns is rejected at this level against the spline fit (an F-test)."""


def _spline_regressors(samples: DataFrame, given: Sequence[str]) -> Array:
    """:func:`_regressors` with each continuous column widened to a cubic spline: the column,
    its square and cube, and (x - k)³₊ at the :data:`KNOTS` quantiles (standardised first)."""
    blocks = [_regressors(samples, [name for name in given if is_discrete(samples[name])])]
    for name in given:
        if is_discrete(samples[name]):
            continue
        values = _numbers(samples[name])
        spread = values.std() or 1.0
        scaled = (values - values.mean()) / spread
        knots = np.quantile(scaled, KNOTS)
        blocks.append(np.column_stack([scaled, scaled**2, scaled**3,
                                       *(np.clip(scaled - knot, 0, None)**3 for knot in knots)]))
    return np.asarray(np.hstack(blocks), dtype=np.float64)


def _is_nonlinear(samples: DataFrame, tested: Sequence[str], given: Sequence[str]) -> bool:
    """Does a spline fit any tested column on the continuous conditioning columns better than
    a straight line does (F-test at :data:`LINEARITY_ALPHA`)?"""
    from scipy import stats

    if not any(not is_discrete(samples[name]) for name in given):
        return False
    linear, curved = _regressors(samples, given), _spline_regressors(samples, given)
    extra = np.linalg.matrix_rank(curved) - np.linalg.matrix_rank(linear)
    freedom = len(samples) - np.linalg.matrix_rank(curved)
    if extra < 1 or freedom < 1:
        return False
    for name in tested:
        if is_discrete(samples[name]) and samples[name].nunique() > 2:
            continue
        target = _numbers(samples[name])
        small = float(np.sum((target - linear @ np.linalg.lstsq(linear, target, rcond=None)[0])**2))
        large = float(np.sum((target - curved @ np.linalg.lstsq(curved, target, rcond=None)[0])**2))
        if large <= 0:
            continue
        statistic = (small - large) / extra / (large / freedom)
        if stats.f.sf(statistic, extra, freedom) < LINEARITY_ALPHA:
            return True
    return False


def is_discrete(column: Series) -> bool:
    """True for text, booleans, and whole numbers taking at most :data:`DISCRETE_LEVELS` values.

    >>> import pandas as pd
    >>> is_discrete(pd.Series([0.0, 1.0, 2.0])), is_discrete(pd.Series([0.5, 1.0]))
    (True, False)
    """
    from pandas.api import types

    if types.is_bool_dtype(column) or not types.is_numeric_dtype(column):
        return True
    values = column.to_numpy(dtype=float)
    return bool(np.all(values == np.round(values))) and len(np.unique(values)) <= DISCRETE_LEVELS


def _codes(samples: DataFrame, columns: Sequence[str]) -> npt.NDArray[np.int64]:
    """One integer per row for the joint value of ``columns`` (all zero for no columns)."""
    if not columns:
        return np.zeros(len(samples), dtype=np.int64)
    groups = samples.groupby(list(columns), sort=True, observed=True, dropna=False).ngroup()
    return np.asarray(groups.to_numpy(), dtype=np.int64)


def _contingency(samples: DataFrame, x: tuple[str, ...], y: tuple[str, ...],
                 given: tuple[str, ...], method: str) -> CITest:
    """The stratified G-test or Pearson chi-square; degrees of freedom from occupied cells."""
    from scipy import special, stats

    xs, ys, zs = _codes(samples, x), _codes(samples, y), _codes(samples, given)
    size = len(samples)
    kx, ky, kz = (int(codes.max()) + 1 if size else 1 for codes in (xs, ys, zs))
    if kx * ky * kz > MAX_CELLS:
        raise CausalAlignError(
            f"a contingency test of {', '.join(x)} ({kx:,} values) against {', '.join(y)} "
            f"({ky:,} values) in {kz:,} strata would need {kx * ky * kz:,} cells, more than "
            f"{MAX_CELLS:,}: bin the columns, or test with method='partial-correlation'")
    table = np.bincount((zs * kx + xs) * ky + ys, minlength=kz * kx * ky).reshape(kz, kx, ky)
    observed = table.astype(np.float64)
    rows, columns = observed.sum(axis=2), observed.sum(axis=1)
    per_stratum = rows.sum(axis=1)
    expected = rows[:, :, None] * columns[:, None, :] / np.maximum(per_stratum, 1)[:, None, None]
    dof_each = (((rows > 0).sum(axis=1) - 1).clip(min=0)
                * ((columns > 0).sum(axis=1) - 1).clip(min=0))
    occupied = expected > 0
    if method == "g-test":
        terms = 2 * (special.xlogy(observed, observed) - special.xlogy(observed, expected))
    else:
        terms = np.divide((observed - expected) ** 2, expected, out=np.zeros_like(expected),
                          where=occupied)
    statistic, dof = max(float(terms.sum()), 0.0), int(dof_each.sum())
    p_value = float(stats.chi2.sf(statistic, dof)) if dof else 1.0
    levels = min(kx, ky)
    effect = float(np.sqrt(statistic / (size * (levels - 1)))) if levels > 1 and size else None
    warnings = []
    names, beside = ", ".join(y), ", ".join(given)
    if not dof:
        where = f"no stratum of {beside} holds" if given else "the samples do not hold"
        warnings.append(f"{where} two values of both {', '.join(x)} and {names}: the data "
                        "cannot test this independence")
    tested = occupied & (dof_each > 0)[:, None, None]
    small = int((tested & (expected < MIN_EXPECTED)).sum())
    if tested.any() and small > MAX_SMALL_CELLS * tested.sum():
        warnings.append(f"{small} of {int(tested.sum())} cells ({small / tested.sum():.0%}) have "
                        f"expected counts below {MIN_EXPECTED} (more than "
                        f"{MAX_SMALL_CELLS:.0%}): the chi-square approximation is unreliable; "
                        "collect more samples or merge values")
    single = (columns > 0).sum(axis=1) == 1
    if given and single.any() and not single.all():
        warnings.append(f"{int(single.sum())} of {kz} strata of {beside} "
                        f"({int(per_stratum[single].sum()):,} samples) hold one value of {names} "
                        "only and carry no information")
    return CITest(x, y, given, method, statistic, dof, p_value, effect, size, tuple(warnings))


def _numbers(column: Series) -> Array:
    """A column as numbers; text or booleans with two values as 0 and 1."""
    import pandas as pd
    from pandas.api import types

    if types.is_numeric_dtype(column) and not types.is_bool_dtype(column):
        return np.asarray(column.to_numpy(dtype=float), dtype=np.float64)
    codes, levels = pd.factorize(column, sort=True)
    if len(levels) > 2:
        raise CausalAlignError(
            f"column {shown(column.name)} holds {len(levels)} text values, and a partial "
            "correlation needs numbers (text with two values counts as 0 and 1): test with "
            "method='g-test' after binning the continuous columns, or recode the column")
    return np.asarray(codes, dtype=np.float64)


def _regressors(samples: DataFrame, given: Sequence[str]) -> Array:
    """An intercept, continuous columns as they are, discrete ones as value indicators."""
    import pandas as pd

    blocks = [np.ones((len(samples), 1))]
    for name in given:
        column = samples[name]
        if is_discrete(column):
            codes, levels = pd.factorize(column, sort=True)
            blocks.append(np.eye(len(levels))[codes][:, 1:])
        else:
            blocks.append(_numbers(column)[:, None])
    return np.asarray(np.hstack(blocks), dtype=np.float64)


def _partial_correlation(samples: DataFrame, x: tuple[str, ...], y: tuple[str, ...],
                         given: tuple[str, ...], *, splines: bool = False) -> CITest:
    """Fisher's z, chaining over several x and y (see the module docstring); with ``splines``
    the residuals are those of the additive cubic-spline fit."""
    parts = [_fisher_z(samples, one, other, (*given, *x[:i], *y[:j]), splines=splines)
             for i, one in enumerate(x) for j, other in enumerate(y)]
    if len(parts) == 1:
        return parts[0]
    best = min(parts, key=lambda part: part.p_value)
    warnings = tuple(dict.fromkeys(warning for part in parts for warning in part.warnings))
    return CITest(x, y, given, best.method, best.statistic, None,
                  min(1.0, best.p_value * len(parts)), best.effect_size, len(samples), warnings,
                  tuple(parts))


def _fisher_z(samples: DataFrame, x: str, y: str, given: tuple[str, ...], *,
              splines: bool = False) -> CITest:
    from scipy import stats

    design = (_spline_regressors if splines else _regressors)(samples, given)
    targets = np.column_stack([_numbers(samples[x]), _numbers(samples[y])])
    residuals = targets - design @ np.linalg.lstsq(design, targets, rcond=None)[0]
    spread = np.linalg.norm(targets - targets.mean(axis=0), axis=0)
    left = np.linalg.norm(residuals, axis=0)
    rank = np.linalg.matrix_rank(design) - 1
    freedom = len(samples) - rank - 3
    test = (x,), (y,), given, "spline-residual" if splines else "partial-correlation"
    if freedom < 1:
        return CITest(*test, 0.0, None, 1.0, None, len(samples), (
            f"{len(samples)} samples are too few for a partial correlation given "
            f"{rank} regressors",))
    flat = [name for name, before, after in zip((x, y), spread, left) if after <= 1e-10 * before
            or before == 0]
    if flat:
        reason = f"given {', '.join(given)}" if given else "in the samples"
        return CITest(*test, 0.0, None, 1.0, None, len(samples), (
            f"{', '.join(flat)} is constant {reason}: nothing to correlate",))
    r = float(residuals[:, 0] @ residuals[:, 1] / (left[0] * left[1]))
    z = float(np.arctanh(np.clip(r, -1 + 1e-12, 1 - 1e-12)) * np.sqrt(freedom))
    return CITest(*test, z, None, float(2 * stats.norm.sf(abs(z))), r, len(samples))
